//! Packing: the parts of a drawing that nothing connects, laid out one by one and set in rows.
//!
//! Input: a [`Scene`], its [`Measured`] sizes and a [`Layout`] engine. Output: a
//! [`Positioned`] scene whose parts (connected components, where a top-level group holds all
//! its members together) are each laid out by the engine and placed left to right in rows of
//! about the width that makes the whole nearest a 3:2 rectangle, like words wrapped in a
//! paragraph. Invariants: parts keep the scene's order (the part of the first node first); no
//! two parts overlap (they keep [`PART_GAP`] apart); every index of the output is the scene's;
//! deterministic.

use super::{EdgePath, Layout, Measured, Positioned, Rect, Size};
use crate::scene::{Scene, SceneGroup};

/// Room between two parts.
const PART_GAP: f64 = 32.0;
/// The shape rows aim for: width over height.
const TARGET_ASPECT: f64 = 1.5;

/// The parts of `scene`: node indices, each part in scene order, parts in the order of their
/// first node. Two nodes are in one part when an edge joins them or a top-level group holds
/// both.
pub(super) fn parts(scene: &Scene) -> Vec<Vec<usize>> {
    let n = scene.nodes.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    for e in &scene.edges {
        if e.from < n && e.to < n {
            join(&mut parent, e.from, e.to);
        }
    }
    let top = |mut g: usize| {
        // Defensively bounded: a parent comes before its child.
        while let Some(p) = scene.groups.get(g).and_then(|x| x.parent).filter(|&p| p < g) {
            g = p;
        }
        g
    };
    let mut first_in: Vec<Option<usize>> = vec![None; scene.groups.len()];
    for (v, node) in scene.nodes.iter().enumerate() {
        if let Some(g) = node.group.filter(|&g| g < scene.groups.len()) {
            let t = top(g);
            match first_in[t] {
                Some(u) => join(&mut parent, u, v),
                None => first_in[t] = Some(v),
            }
        }
    }
    let mut index: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<Vec<usize>> = Vec::new();
    for v in 0..n {
        let r = root(&mut parent, v);
        let k = *index[r].get_or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[k].push(v);
    }
    out
}

/// The representative of `v`'s set in a union-find forest, halving the path on the way.
fn root(parent: &mut [usize], mut v: usize) -> usize {
    while parent[v] != v {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    v
}

/// One part as a scene of its own, with its sizes, and the maps back to the whole scene's
/// groups and edges.
struct Part {
    scene: Scene,
    measured: Measured,
    groups: Vec<usize>,
    edges: Vec<usize>,
}

/// The sub-scene of `nodes` (see [`Part`]).
fn part(scene: &Scene, measured: &Measured, nodes: &[usize]) -> Part {
    let mut node_index = vec![usize::MAX; scene.nodes.len()];
    for (i, &v) in nodes.iter().enumerate() {
        node_index[v] = i;
    }
    // The groups of these nodes and their ancestors, in scene order.
    let mut keep = vec![false; scene.groups.len()];
    for &v in nodes {
        let mut g = scene.nodes[v].group.filter(|&g| g < scene.groups.len());
        while let Some(x) = g {
            if keep[x] {
                break;
            }
            keep[x] = true;
            g = scene.groups[x].parent.filter(|&p| p < x);
        }
    }
    let groups: Vec<usize> = (0..scene.groups.len()).filter(|&g| keep[g]).collect();
    let mut group_index = vec![usize::MAX; scene.groups.len()];
    for (i, &g) in groups.iter().enumerate() {
        group_index[g] = i;
    }
    let remap_group =
        |g: Option<usize>| g.and_then(|g| group_index.get(g).copied()).filter(|&g| g != usize::MAX);
    let edges: Vec<usize> = (0..scene.edges.len())
        .filter(|&i| node_index.get(scene.edges[i].from).is_some_and(|&v| v != usize::MAX))
        .collect();
    let sub = Scene {
        groups: groups
            .iter()
            .map(|&g| SceneGroup {
                parent: remap_group(scene.groups[g].parent),
                ..scene.groups[g].clone()
            })
            .collect(),
        nodes: nodes
            .iter()
            .map(|&v| {
                let mut node = scene.nodes[v].clone();
                node.group = remap_group(node.group);
                node
            })
            .collect(),
        edges: edges
            .iter()
            .map(|&i| {
                let mut e = scene.edges[i].clone();
                e.from = node_index[e.from];
                e.to = node_index.get(e.to).copied().unwrap_or(usize::MAX);
                e
            })
            .collect(),
        // A part is laid out, never titled: the whole scene's title stays with the whole.
        title: String::new(),
        description: None,
        direction: scene.direction,
        direction_fixed: scene.direction_fixed,
    };
    let sub_measured = Measured {
        nodes: nodes.iter().map(|&v| measured.nodes[v]).collect(),
        edge_labels: edges
            .iter()
            .map(|&i| measured.edge_labels.get(i).copied().flatten())
            .collect(),
        group_titles: groups
            .iter()
            .map(|&g| {
                measured.group_titles.get(g).copied().unwrap_or(Size { width: 0.0, height: 0.0 })
            })
            .collect(),
    };
    Part { scene: sub, measured: sub_measured, groups, edges }
}

/// `scene` laid out part by part and packed in rows (see the module header); `None` when it
/// has fewer than two parts.
pub(super) fn packed(
    engine: &dyn Layout,
    scene: &Scene,
    measured: &Measured,
) -> Option<Positioned> {
    let parts = parts(scene);
    if parts.len() < 2 {
        return None;
    }
    let laid: Vec<(Part, Positioned)> = parts
        .iter()
        .map(|nodes| {
            let p = part(scene, measured, nodes);
            let pos = engine.layout(&p.scene, &p.measured);
            (p, pos)
        })
        .collect();
    let area: f64 = laid.iter().map(|(_, p)| (p.width + PART_GAP) * (p.height + PART_GAP)).sum();
    let widest = laid.iter().map(|(_, p)| p.width).fold(0.0, f64::max);
    let row_width = (area * TARGET_ASPECT).sqrt().max(widest);

    let empty = Rect { x: 0.0, y: 0.0, width: 0.0, height: 0.0 };
    let mut out = Positioned {
        direction: scene.direction,
        junctions: Vec::new(),
        width: 0.0,
        height: 0.0,
        nodes: vec![empty; scene.nodes.len()],
        groups: vec![empty; scene.groups.len()],
        titles: vec![empty; scene.groups.len()],
        edges: vec![EdgePath { points: Vec::new(), label: None }; scene.edges.len()],
    };
    let (mut x, mut y, mut row_height) = (0.0f64, 0.0f64, 0.0f64);
    for ((p, pos), nodes) in laid.iter().zip(&parts) {
        if x > 0.0 && x + pos.width > row_width {
            x = 0.0;
            y += row_height + PART_GAP;
            row_height = 0.0;
        }
        let mv = |r: Rect| Rect { x: r.x + x, y: r.y + y, ..r };
        for (i, &v) in nodes.iter().enumerate() {
            out.nodes[v] = mv(pos.nodes[i]);
        }
        for (i, &g) in p.groups.iter().enumerate() {
            out.groups[g] = mv(pos.groups[i]);
            out.titles[g] = mv(pos.titles[i]);
        }
        for (i, &e) in p.edges.iter().enumerate() {
            out.edges[e] = EdgePath {
                points: pos.edges[i].points.iter().map(|&(a, b)| (a + x, b + y)).collect(),
                label: pos.edges[i].label.map(mv),
            };
        }
        out.junctions.extend(pos.junctions.iter().map(|&(a, b)| (a + x, b + y)));
        out.width = out.width.max(x + pos.width);
        out.height = out.height.max(y + pos.height);
        row_height = row_height.max(pos.height);
        x += pos.width + PART_GAP;
    }
    // Edges no part holds (an end that is not a node): a stub at the origin, as engines do.
    for e in &mut out.edges {
        if e.points.len() < 2 {
            e.points = vec![(0.0, 0.0), (0.0, 0.0)];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::testing::{edge, group, node, scene};
    use crate::vocab::{Kind, Mode};

    #[test]
    fn parts_follow_edges_and_top_level_groups() {
        let mut s = scene(
            vec![group("g", "G", None), group("g.in", "In", Some(0))],
            vec![
                node("a", "A", Kind::Service, None),
                node("b", "B", Kind::Service, None),
                node("c", "C", Kind::Service, Some(0)),
                node("d", "D", Kind::Service, Some(1)),
                node("e", "E", Kind::Service, None),
            ],
            vec![edge(0, 1, Mode::Sync, false)],
        );
        assert_eq!(parts(&s), vec![vec![0, 1], vec![2, 3], vec![4]]);
        s.edges.push(edge(4, 3, Mode::Sync, false));
        assert_eq!(parts(&s), vec![vec![0, 1], vec![2, 3, 4]]);
    }

    #[test]
    fn lonely_boxes_wrap_into_rows_without_overlap() {
        let nodes: Vec<_> = (0..40)
            .map(|i| node(&format!("n{i}"), &format!("Node {i}"), Kind::Service, None))
            .collect();
        let s = scene(vec![], nodes, vec![]);
        let measured = crate::layout::measure::measure(&s);
        let p = packed(&crate::layout::Layered, &s, &measured).expect("forty parts");
        let ratio = p.width / p.height;
        assert!((0.8..=2.5).contains(&ratio), "{} x {}", p.width, p.height);
        for (i, a) in p.nodes.iter().enumerate() {
            for b in &p.nodes[i + 1..] {
                let apart =
                    a.right() <= b.x || b.right() <= a.x || a.bottom() <= b.y || b.bottom() <= a.y;
                assert!(apart, "{a:?} {b:?}");
            }
        }
        // Scene order reads left to right, then down.
        assert!(p.nodes[0].x < p.nodes[1].x);
        assert!(p.nodes[39].y > p.nodes[0].y);
    }
}
