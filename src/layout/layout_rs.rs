//! The engine over the layout-rs crate, kept selectable with `--engine layout-rs`.
//!
//! Input: a [`Scene`] and [`Measured`] sizes. Output: a [`Positioned`] scene. Invariants: those
//! of [`super`]. layout-rs has no clusters, so groups are kept together only by adding members
//! to its graph group by group, and frames are the padded bounding boxes of their members:
//! frames of different groups can overlap on tangled graphs. Its crossing optimiser is roughly
//! cubic, so it is slow beyond a few hundred nodes.

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{GROUP_PADDING, Layout, Measured, Positioned, Rect, Size, title_rect};
use crate::scene::Scene;
use crate::vocab::Direction;
/// The engine built on the layout-rs crate.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LayoutRs;

/// Room layout-rs keeps around each box (its `halo`), split between both sides.
const HALO: f64 = 48.0;

/// The order nodes are handed to layout-rs: ungrouped nodes, then each group's members with
/// its descendants' right after them, so a group's members start out side by side.
fn insertion_order(scene: &Scene) -> Vec<usize> {
    fn visit(scene: &Scene, g: usize, order: &mut Vec<usize>) {
        order.extend((0..scene.nodes.len()).filter(|&i| scene.nodes[i].group == Some(g)));
        for child in 0..scene.groups.len() {
            if scene.groups[child].parent == Some(g) && child != g {
                visit(scene, child, order);
            }
        }
    }
    let mut order: Vec<usize> =
        (0..scene.nodes.len()).filter(|&i| scene.nodes[i].group.is_none()).collect();
    for g in 0..scene.groups.len() {
        if scene.groups[g].parent.is_none() {
            visit(scene, g, &mut order);
        }
    }
    // Defensive: a node whose group chain is broken still gets placed.
    for i in 0..scene.nodes.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    order
}

/// One arrow as layout-rs drew it: `(edge index, points, drawn backwards)`.
type RecordedArrow = (usize, Vec<(f64, f64)>, bool);

/// Records the arrows layout-rs draws; everything else is ignored.
#[derive(Default)]
struct ArrowRecorder {
    arrows: Vec<RecordedArrow>,
}

impl RenderBackend for ArrowRecorder {
    fn draw_rect(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
        _: Option<ClipHandle>,
    ) {
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        let Some(index) = properties.and_then(|p| p.parse::<usize>().ok()) else {
            return;
        };
        // The first pair is (start, control); later pairs are (control, point).
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(path.len());
        if let Some(first) = path.first() {
            points.push((first.0.x, first.0.y));
        }
        points.extend(path.iter().skip(1).map(|p| (p.1.x, p.1.y)));
        // layout-rs reverses back edges to break cycles and moves the arrowhead to the start.
        let backwards = head.0 && !head.1;
        self.arrows.push((index, points, backwards));
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// A label placeholder for layout-rs: it sizes a label box at one unit per character and line
/// (at font size 1) plus 10 units of padding, so a block of `x` sized to the measured label
/// reserves the right room.
fn label_placeholder(size: Size) -> String {
    let cols = (size.width - 10.0).ceil().max(1.0) as usize;
    let rows = (size.height - 10.0).ceil().max(1.0) as usize;
    let line = "x".repeat(cols);
    vec![line; rows].join("\n")
}

impl Layout for LayoutRs {
    #[allow(clippy::too_many_lines, reason = "the layout-rs adapter, phase by phase; not cut yet")]
    fn layout(&self, scene: &Scene, measured: &Measured) -> Positioned {
        let n = scene.nodes.len();
        if n == 0 {
            return Positioned {
                direction: scene.direction,
                junctions: Vec::new(),
                width: 0.0,
                height: 0.0,
                nodes: Vec::new(),
                groups: vec![Rect { x: 0.0, y: 0.0, width: 0.0, height: 0.0 }; scene.groups.len()],
                titles: vec![Rect { x: 0.0, y: 0.0, width: 0.0, height: 0.0 }; scene.groups.len()],
                edges: Vec::new(),
            };
        }
        let orientation = match scene.direction {
            Direction::TB | Direction::BT => Orientation::TopToBottom,
            Direction::LR | Direction::RL => Orientation::LeftToRight,
        };
        let mut vg = VisualGraph::new(orientation);
        let mut handle = vec![None; n];
        let look = StyleAttr::new(Color::fast("black"), 1, None, 0, 1);
        for i in insertion_order(scene) {
            let size = measured.nodes[i];
            let mut element = Element::create(
                ShapeKind::new_box(""),
                look.clone(),
                orientation,
                Point::new(size.width, size.height),
            );
            element.pos = Position::new(
                Point::zero(),
                Point::new(size.width, size.height),
                Point::zero(),
                Point::splat(HALO),
            );
            handle[i] = Some(vg.add_node(element));
        }
        let handle: Vec<_> = handle.into_iter().map(|h| h.expect("every node added")).collect();

        // Label connectors are created in edge order, right after the nodes.
        let mut label_handles: Vec<Option<usize>> = vec![None; scene.edges.len()];
        let mut next_connector = n;
        for (i, edge) in scene.edges.iter().enumerate() {
            let mut arrow = Arrow::simple("");
            arrow.look = look.clone();
            arrow.properties = Some(i.to_string());
            if edge.from != edge.to
                && let Some(size) = measured.edge_labels.get(i).copied().flatten()
            {
                arrow.text = label_placeholder(size);
                label_handles[i] = Some(next_connector);
                next_connector += 1;
            }
            vg.add_edge(arrow, handle[edge.from], handle[edge.to]);
        }

        let mut recorder = ArrowRecorder::default();
        vg.do_it(false, false, false, &mut recorder);

        let rect_of = |pos: Position| {
            let (tl, br) = pos.bbox(false);
            Rect { x: tl.x, y: tl.y, width: br.x - tl.x, height: br.y - tl.y }
        };
        let mut nodes: Vec<Rect> = handle.iter().map(|h| rect_of(vg.pos(*h))).collect();
        let mut labels: Vec<Option<Rect>> = label_handles
            .iter()
            .zip(&measured.edge_labels)
            .map(|(h, size)| {
                let h = (*h)?;
                let size = (*size)?;
                let (handle, element) =
                    vg.iter_nodes().find(|x| x.get_index() == h).map(|x| (x, vg.element(x)))?;
                if !matches!(element.shape, ShapeKind::Connector(Some(_))) {
                    return None;
                }
                // Centre the measured label on the room layout-rs kept for it.
                let (cx, cy) = rect_of(vg.pos(handle)).center();
                Some(Rect {
                    x: cx - size.width / 2.0,
                    y: cy - size.height / 2.0,
                    width: size.width,
                    height: size.height,
                })
            })
            .collect();

        // Routes: layout-rs's intermediate points, ends moved onto our boxes' borders.
        let mut routes: Vec<Vec<(f64, f64)>> = vec![Vec::new(); scene.edges.len()];
        for (index, mut points, backwards) in recorder.arrows {
            if index >= routes.len() {
                continue;
            }
            if backwards {
                points.reverse();
            }
            routes[index] = points;
        }
        for (i, edge) in scene.edges.iter().enumerate() {
            let src = nodes[edge.from];
            let dst = nodes[edge.to];
            let inner: Vec<(f64, f64)> = if routes[i].len() > 2 {
                routes[i][1..routes[i].len() - 1].to_vec()
            } else {
                Vec::new()
            };
            // A label the route does not pass through gets the route's midpoint instead.
            if labels[i].is_none()
                && let Some(size) = measured.edge_labels.get(i).copied().flatten()
            {
                let (a, b) = (src.center(), dst.center());
                let mid = inner
                    .get(inner.len() / 2)
                    .copied()
                    .unwrap_or((f64::midpoint(a.0, b.0), f64::midpoint(a.1, b.1)));
                labels[i] = Some(Rect {
                    x: mid.0 - size.width / 2.0,
                    y: mid.1 - size.height / 2.0,
                    width: size.width,
                    height: size.height,
                });
            }
            let first_toward = inner.first().copied().unwrap_or(dst.center());
            let last_from = inner.last().copied().unwrap_or(src.center());
            let mut points = Vec::with_capacity(inner.len() + 2);
            points.push(src.border_point(first_toward));
            points.extend(inner);
            points.push(dst.border_point(last_from));
            routes[i] = points;
        }

        // BT and RL: mirror the TB and LR layouts.
        let (min_x, min_y, max_x, max_y) = extent(&nodes, &labels, &routes);
        let mirror_y = scene.direction == Direction::BT;
        let mirror_x = scene.direction == Direction::RL;
        let fix = |p: (f64, f64)| -> (f64, f64) {
            let x = if mirror_x { max_x - (p.0 - min_x) } else { p.0 };
            let y = if mirror_y { max_y - (p.1 - min_y) } else { p.1 };
            (x, y)
        };
        let fix_rect = |r: Rect| -> Rect {
            let (x0, y0) = fix((r.x, r.y));
            let (x1, y1) = fix((r.right(), r.bottom()));
            Rect { x: x0.min(x1), y: y0.min(y1), width: r.width, height: r.height }
        };
        for r in &mut nodes {
            *r = fix_rect(*r);
        }
        for r in labels.iter_mut().flatten() {
            *r = fix_rect(*r);
        }
        for route in &mut routes {
            for p in route.iter_mut() {
                *p = fix(*p);
            }
        }

        let title_heights: Vec<f64> = measured.group_titles.iter().map(|t| t.height).collect();
        let groups = group_frames(scene, &nodes, &title_heights);

        // Move everything so the drawing starts at (0, 0).
        let mut all: Vec<Rect> = nodes.clone();
        all.extend(groups.iter().copied());
        all.extend(labels.iter().flatten().copied());
        let (x0, y0, x1, y1) = super::bounds(all.iter(), routes.iter().flatten());
        let shift = |r: Rect| Rect { x: r.x - x0, y: r.y - y0, ..r };
        Positioned {
            direction: scene.direction,
            junctions: Vec::new(),
            width: x1 - x0,
            height: y1 - y0,
            nodes: nodes.into_iter().map(shift).collect(),
            titles: groups
                .iter()
                .enumerate()
                .map(|(g, f)| {
                    let size = measured.group_titles.get(g).copied();
                    title_rect(&shift(*f), size.unwrap_or(Size { width: 0.0, height: 0.0 }))
                })
                .collect(),
            groups: groups.into_iter().map(shift).collect(),
            edges: super::edge_paths(routes, labels, (x0, y0)),
        }
    }
}

/// The bounding box of boxes, labels and routes: `(min x, min y, max x, max y)`.
fn extent(
    nodes: &[Rect],
    labels: &[Option<Rect>],
    routes: &[Vec<(f64, f64)>],
) -> (f64, f64, f64, f64) {
    let mut e = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for r in nodes.iter().chain(labels.iter().flatten()) {
        e = (e.0.min(r.x), e.1.min(r.y), e.2.max(r.right()), e.3.max(r.bottom()));
    }
    for p in routes.iter().flatten() {
        e = (e.0.min(p.0), e.1.min(p.1), e.2.max(p.0), e.3.max(p.1));
    }
    e
}

/// Group frames: the padded bounding box of each group's member boxes and child frames, with
/// `titles[g]` extra at the top. Children come after parents in the scene, so walking the groups
/// backwards finishes every child before its parent.
fn group_frames(scene: &Scene, nodes: &[Rect], titles: &[f64]) -> Vec<Rect> {
    let mut frames: Vec<Option<Rect>> = vec![None; scene.groups.len()];
    for g in (0..scene.groups.len()).rev() {
        let mut members: Vec<Rect> = scene
            .nodes
            .iter()
            .zip(nodes)
            .filter(|(node, _)| node.group == Some(g))
            .map(|(_, r)| *r)
            .collect();
        members.extend(
            (0..scene.groups.len())
                .filter(|&c| c != g && scene.groups[c].parent == Some(g))
                .filter_map(|c| frames[c]),
        );
        let title = titles.get(g).copied().unwrap_or(0.0);
        frames[g] = members
            .iter()
            .copied()
            .reduce(|a, b| {
                let x = a.x.min(b.x);
                let y = a.y.min(b.y);
                Rect {
                    x,
                    y,
                    width: a.right().max(b.right()) - x,
                    height: a.bottom().max(b.bottom()) - y,
                }
            })
            .map(|r| Rect {
                x: r.x - GROUP_PADDING,
                y: r.y - GROUP_PADDING - title,
                width: r.width + 2.0 * GROUP_PADDING,
                height: r.height + 2.0 * GROUP_PADDING + title,
            });
    }
    frames
        .into_iter()
        .map(|f| f.unwrap_or(Rect { x: 0.0, y: 0.0, width: 0.0, height: 0.0 }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::testing::{every_kind, nested, single};

    fn measured(scene: &Scene) -> Measured {
        Measured {
            nodes: scene
                .nodes
                .iter()
                .map(|n| Size { width: 40.0 + 7.0 * n.label.chars().count() as f64, height: 40.0 })
                .collect(),
            edge_labels: scene
                .edges
                .iter()
                .map(|e| {
                    e.display_label()
                        .map(|l| Size { width: 6.0 * l.chars().count() as f64 + 8.0, height: 16.0 })
                })
                .collect(),
            group_titles: vec![Size { width: 60.0, height: 20.0 }; scene.groups.len()],
        }
    }

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() - 1e-6
            && b.x < a.right() - 1e-6
            && a.y < b.bottom() - 1e-6
            && b.y < a.bottom() - 1e-6
    }

    fn check(scene: &Scene) -> Positioned {
        let m = measured(scene);
        let p = LayoutRs.layout(scene, &m);
        assert_eq!(p.nodes.len(), scene.nodes.len());
        assert_eq!(p.groups.len(), scene.groups.len());
        assert_eq!(p.edges.len(), scene.edges.len());
        let canvas = Rect { x: 0.0, y: 0.0, width: p.width, height: p.height };
        for (r, size) in p.nodes.iter().zip(&m.nodes) {
            assert!(canvas.contains(r), "{r:?} outside {canvas:?}");
            assert!((r.width - size.width).abs() < 1e-6 && (r.height - size.height).abs() < 1e-6);
        }
        for (i, a) in p.nodes.iter().enumerate() {
            for b in &p.nodes[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
            }
        }
        for (g, frame) in p.groups.iter().enumerate() {
            for (node, r) in scene.nodes.iter().zip(&p.nodes) {
                if node.group == Some(g) {
                    assert!(frame.contains(r), "group {g} misses a member");
                }
            }
            if let Some(parent) = scene.groups[g].parent {
                assert!(p.groups[parent].contains(frame), "group {g} outside its parent");
            }
        }
        for (edge, path) in scene.edges.iter().zip(&p.edges) {
            assert!(path.points.len() >= 2);
            let on_border = |r: &Rect, q: (f64, f64)| {
                let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
                (near(q.0, r.x) || near(q.0, r.right()) || near(q.1, r.y) || near(q.1, r.bottom()))
                    && q.0 >= r.x - 1e-6
                    && q.0 <= r.right() + 1e-6
                    && q.1 >= r.y - 1e-6
                    && q.1 <= r.bottom() + 1e-6
            };
            assert!(on_border(&p.nodes[edge.from], path.points[0]));
            assert!(on_border(&p.nodes[edge.to], *path.points.last().expect("points")));
            assert_eq!(path.label.is_some(), edge.display_label().is_some());
            if let Some(label) = &path.label {
                for r in &p.nodes {
                    assert!(!overlaps(label, r), "label {label:?} on box {r:?}");
                }
            }
        }
        p
    }

    #[test]
    fn single_node_sits_at_the_origin() {
        let p = check(&single());
        assert!(p.nodes[0].x.abs() < 1e-9 && p.nodes[0].y.abs() < 1e-9);
    }

    #[test]
    fn nested_groups_contain_members() {
        check(&nested());
    }

    #[test]
    fn every_direction_places_every_node() {
        for direction in [Direction::TB, Direction::LR, Direction::BT, Direction::RL] {
            let mut s = every_kind();
            s.direction = direction;
            check(&s);
        }
    }

    #[test]
    fn direction_decides_the_flow() {
        let mut s = nested();
        let down = |s: &Scene| {
            let p = LayoutRs.layout(s, &measured(s));
            // web -> gw: the caller comes first along the flow.
            (p.nodes[0].center(), p.nodes[1].center())
        };
        s.direction = Direction::TB;
        let (a, b) = down(&s);
        assert!(a.1 < b.1);
        s.direction = Direction::BT;
        let (a, b) = down(&s);
        assert!(a.1 > b.1);
        s.direction = Direction::LR;
        let (a, b) = down(&s);
        assert!(a.0 < b.0);
        s.direction = Direction::RL;
        let (a, b) = down(&s);
        assert!(a.0 > b.0);
    }

    #[test]
    fn cycles_keep_their_direction() {
        use crate::scene::testing::{edge, node, scene};
        use crate::vocab::{Kind, Mode};
        let s = scene(
            vec![],
            vec![node("a", "A", Kind::Service, None), node("b", "B", Kind::Service, None)],
            vec![edge(0, 1, Mode::Sync, false), edge(1, 0, Mode::Sync, false)],
        );
        let p = check(&s);
        // Each path starts at its own source.
        let starts_at = |e: usize, n: usize| {
            let q = p.edges[e].points[0];
            let r = p.nodes[n];
            q.0 >= r.x - 1e-6
                && q.0 <= r.right() + 1e-6
                && q.1 >= r.y - 1e-6
                && q.1 <= r.bottom() + 1e-6
        };
        assert!(starts_at(0, 0) && starts_at(1, 1));
    }

    #[test]
    fn layout_is_deterministic() {
        let s = every_kind();
        assert_eq!(LayoutRs.layout(&s, &measured(&s)), LayoutRs.layout(&s, &measured(&s)));
    }

    #[test]
    fn border_points_lie_on_the_border() {
        let r = Rect { x: 0.0, y: 0.0, width: 100.0, height: 40.0 };
        assert_eq!(r.border_point((50.0, 100.0)), (50.0, 40.0));
        assert_eq!(r.border_point((200.0, 20.0)), (100.0, 20.0));
        assert_eq!(r.border_point((50.0, 20.0)), (50.0, 20.0));
    }
}
