//! Positions for the SVG renderer: where each box, group frame and arrow goes.
//!
//! Input: a [`Scene`] and the measured size of every box, edge label and group title
//! ([`Measured`]). Output: a [`Positioned`] scene in SVG units, top-left origin, everything
//! within `0..width × 0..height`. Invariants: one rectangle per scene node and group and one
//! path per scene edge, in scene order; every group's rectangle contains its members' and its
//! child groups' rectangles plus room for its title; edge paths start on the source box's
//! border and end on the target box's border; output is deterministic.
//!
//! Two engines sit behind the [`Layout`] trait: [`Layered`], archmap's own layered
//! (Sugiyama-style) engine and the default, in `layered.rs` with one module per phase
//! (`rank.rs`, `order.rs`, `position.rs`, `route.rs`); and [`LayoutRs`] over the layout-rs
//! crate (`layout_rs.rs`), kept selectable with `--engine layout-rs`. [`Engine`] lists them
//! with their command-line names and help, so a new engine is a change in this folder only.

mod fold;
mod layered;
mod layout_rs;
mod lgraph;
pub(crate) mod measure;
mod order;
mod pack;
mod position;
#[cfg(feature = "quality")]
pub mod quality;
mod rank;
mod route;
pub(crate) mod sequence;
pub(crate) mod text;
mod tracks;

pub(crate) use layered::Layered;
pub(crate) use layout_rs::LayoutRs;

use crate::scene::Scene;
use crate::vocab::Direction;

/// A width and a height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Size {
    /// Width.
    pub(crate) width: f64,
    /// Height.
    pub(crate) height: f64,
}

/// An axis-aligned rectangle; `x`, `y` is the top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    /// Left edge.
    pub(crate) x: f64,
    /// Top edge.
    pub(crate) y: f64,
    /// Width.
    pub(crate) width: f64,
    /// Height.
    pub(crate) height: f64,
}

impl Rect {
    /// The centre point.
    #[must_use]
    pub(crate) fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// The right edge.
    #[must_use]
    pub(crate) fn right(&self) -> f64 {
        self.x + self.width
    }

    /// The bottom edge.
    #[must_use]
    pub(crate) fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// Whether `other` lies inside this rectangle (edges may touch).
    #[must_use]
    #[cfg(test)]
    pub(crate) fn contains(&self, other: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }

    /// The point where the segment from the centre towards `toward` leaves the rectangle; the
    /// centre itself when `toward` is the centre.
    #[must_use]
    pub(crate) fn border_point(&self, toward: (f64, f64)) -> (f64, f64) {
        let (cx, cy) = self.center();
        let (dx, dy) = (toward.0 - cx, toward.1 - cy);
        if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
            return (cx, cy);
        }
        let sx = if dx.abs() < 1e-9 { f64::INFINITY } else { (self.width / 2.0) / dx.abs() };
        let sy = if dy.abs() < 1e-9 { f64::INFINITY } else { (self.height / 2.0) / dy.abs() };
        let s = sx.min(sy);
        (cx + dx * s, cy + dy * s)
    }
}

/// What the renderer measured before layout.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Measured {
    /// Size of each scene node's box, in scene order.
    pub(crate) nodes: Vec<Size>,
    /// Size of each scene edge's label, if it has one, in scene order.
    pub(crate) edge_labels: Vec<Option<Size>>,
    /// Size of each group's title, in scene order: the width of its text plus room on both
    /// sides, and the height of the band at the top of the frame that holds it.
    pub(crate) group_titles: Vec<Size>,
}

/// An arrow's route.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EdgePath {
    /// Polyline from the source's border to the target's border, at least two points.
    pub(crate) points: Vec<(f64, f64)>,
    /// Where the label goes, if the edge has one.
    pub(crate) label: Option<Rect>,
}

/// A laid-out scene.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Positioned {
    /// The direction the drawing flows in (the scene's, unless [`lay_out`] turned it).
    pub(crate) direction: Direction,
    /// Points where an edge joins a bus (edges merged into one port), drawn as dots.
    pub(crate) junctions: Vec<(f64, f64)>,
    /// Width of the drawing.
    pub(crate) width: f64,
    /// Height of the drawing.
    pub(crate) height: f64,
    /// One box per scene node.
    pub(crate) nodes: Vec<Rect>,
    /// One frame per scene group.
    pub(crate) groups: Vec<Rect>,
    /// One title box per scene group: the top-left corner of its frame that the title's text
    /// takes ([`title_rect`]).
    pub(crate) titles: Vec<Rect>,
    /// One route per scene edge.
    pub(crate) edges: Vec<EdgePath>,
}

/// The smallest box around `rects` and `points`, as left, top, right, bottom; all zero when
/// there is nothing.
pub(crate) fn bounds<'a>(
    rects: impl Iterator<Item = &'a Rect>,
    points: impl Iterator<Item = &'a (f64, f64)>,
) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) =
        (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for r in rects {
        (x0, y0, x1, y1) = (x0.min(r.x), y0.min(r.y), x1.max(r.right()), y1.max(r.bottom()));
    }
    for p in points {
        (x0, y0, x1, y1) = (x0.min(p.0), y0.min(p.1), x1.max(p.0), y1.max(p.1));
    }
    if x0.is_finite() { (x0, y0, x1, y1) } else { (0.0, 0.0, 0.0, 0.0) }
}

/// One [`EdgePath`] per route and label, moved by `(-x0, -y0)` (to the drawing's origin).
pub(crate) fn edge_paths(
    routes: Vec<Vec<(f64, f64)>>,
    labels: Vec<Option<Rect>>,
    (x0, y0): (f64, f64),
) -> Vec<EdgePath> {
    routes
        .into_iter()
        .zip(labels)
        .map(|(points, label)| EdgePath {
            points: points.into_iter().map(|(x, y)| (x - x0, y - y0)).collect(),
            label: label.map(|r| Rect { x: r.x - x0, y: r.y - y0, ..r }),
        })
        .collect()
}

/// Where a group's title goes: the top-left corner of `frame`, as wide and high as `title`
/// (clipped to the frame).
#[must_use]
pub(crate) fn title_rect(frame: &Rect, title: Size) -> Rect {
    Rect {
        x: frame.x,
        y: frame.y,
        width: title.width.clamp(0.0, frame.width.max(0.0)),
        height: title.height.clamp(0.0, frame.height.max(0.0)),
    }
}

/// The layout engines `render --engine` offers. A new engine is a module here, one variant, one
/// entry in `Engine::ALL` and one arm in `Engine::spec`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// archmap's own layered engine (`Layered`).
    #[default]
    Native,
    /// The layout-rs crate (`LayoutRs`): slow, no clusters.
    LayoutRs,
}

/// What the command line and the renderers know about an [`Engine`].
struct EngineSpec {
    /// The name on the command line.
    name: &'static str,
    /// The command line's help for it.
    help: &'static str,
    /// The engine itself.
    layout: &'static dyn Layout,
}

impl Engine {
    /// Every engine, in the order `--help` lists them.
    pub(crate) const ALL: [Engine; 2] = [Engine::Native, Engine::LayoutRs];

    /// The table: one arm per engine.
    const fn spec(self) -> EngineSpec {
        match self {
            Engine::Native => EngineSpec {
                name: "native",
                help: "archmap's own layered layout (groups as frames, fast on large systems)",
                layout: &Layered,
            },
            Engine::LayoutRs => EngineSpec {
                name: "layout-rs",
                help: "The layout-rs crate (no group frames of its own, slow beyond a few hundred \
                       components)",
                layout: &LayoutRs,
            },
        }
    }

    /// The name used on the command line (`--engine layout-rs`).
    #[must_use]
    pub(crate) const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// One line for `--help`.
    #[must_use]
    pub(crate) const fn help(self) -> &'static str {
        self.spec().help
    }

    /// The engine that positions the drawing.
    #[must_use]
    pub(crate) const fn layout(self) -> &'static dyn Layout {
        self.spec().layout
    }
}

/// Widest (or tallest) shape a drawing may take, as a ratio of its sides, before [`lay_out`]
/// turns it.
pub(crate) const MAX_ASPECT: f64 = 2.5;

/// How far past [`MAX_ASPECT`] a drawing's [`Layout::sketch`] must be for [`lay_out`] to turn
/// it without laying it out in full first: far enough that the full layout, whose order
/// differs but whose layers are as wide, could not come back within shape.
const SKETCH_MARGIN: f64 = 1.2;

/// How far a drawing is from square: its longer side over its shorter one.
fn aspect(p: &Positioned) -> f64 {
    let (w, h) = (p.width.max(1.0), p.height.max(1.0));
    (w / h).max(h / w)
}

/// Lays `scene` out with `engine`, keeping its shape within [`MAX_ASPECT`] where it can. A
/// drawing more than that much wider than tall (or taller than wide) is laid out again in other
/// ways and the one nearest square is kept: left to right, when the scene's direction was not
/// asked for and was top to bottom (a system with many groups side by side and few layers reads
/// better sideways); and, while still out of shape, with its unconnected parts set in rows
/// ([`pack`]: a system of many lonely services wraps like a paragraph), in either direction.
/// Deterministic: the same scene gives the same choice.
///
/// A drawing still too wide whose boxes hold long lines (image names, technologies) is
/// then measured again with narrower lines ([`measure::Lines::Narrow`]) and laid out the same
/// way; the narrower drawing is kept if it is nearer square. Edge labels are measured for the
/// direction each drawing flows in (narrower left to right, where they stand in columns). Gives
/// the measurements used with the drawing, for the writer to draw the same lines.
pub(crate) fn lay_out(engine: &dyn Layout, scene: &Scene) -> (measure::Measurements, Positioned) {
    let wide = measure::measure_all(scene, measure::Lines::Wide, scene.direction);
    let first = shaped(engine, scene, wide, measure::Lines::Wide);
    // Narrower boxes make a drawing narrower, whatever its direction; a drawing too tall
    // would only grow taller.
    if aspect(&first.1) <= MAX_ASPECT || first.1.width < first.1.height {
        return first;
    }
    // Boxes measure the same whichever way the drawing flows.
    let narrow = measure::measure_all(scene, measure::Lines::Narrow, scene.direction);
    if narrow.2.nodes == first.0.2.nodes {
        return first;
    }
    let other = shaped(engine, scene, narrow, measure::Lines::Narrow);
    if aspect(&other.1) < aspect(&first.1) { other } else { first }
}

/// [`lay_out`] with `own`, the scene measured with `lines` for its own direction: the scene's
/// direction, then turned, then packed; each drawing with its edge labels measured for its own
/// direction.
fn shaped(
    engine: &dyn Layout,
    scene: &Scene,
    own: measure::Measurements,
    lines: measure::Lines,
) -> (measure::Measurements, Positioned) {
    let turnable = !scene.direction_fixed && scene.direction == Direction::TB;
    // A drawing whose sketch is far out of shape is turned without being laid out in full
    // first, and is laid out in full only if turning does not bring it nearer square.
    let sketch = turnable.then(|| engine.sketch(scene, &own.2)).flatten();
    let skip = sketch.as_ref().is_some_and(|s| aspect(s) > SKETCH_MARGIN * MAX_ASPECT);
    let mut first = (!skip).then(|| engine.layout(scene, &own.2));
    if let Some(first) = first.take_if(|f| aspect(f) <= MAX_ASPECT) {
        return (own, first);
    }
    let turned = turnable.then(|| Scene { direction: Direction::LR, ..scene.clone() });
    let across = turned.as_ref().map(|t| measure::measure_all(t, lines, t.direction));
    let other = turned.as_ref().zip(across.as_ref()).map(|(t, m)| engine.layout(t, &m.2));
    // The best drawing so far, and whether it is the turned one (made with `across`).
    let mut best = match (first, other, sketch) {
        (Some(first), Some(other), _) if aspect(&other) < aspect(&first) => (true, other),
        (Some(first), _, _) => (false, first),
        (None, Some(other), Some(sketch)) if aspect(&other) < aspect(&sketch) => (true, other),
        (None, other, _) => {
            let first = engine.layout(scene, &own.2);
            match other {
                Some(other) if aspect(&other) < aspect(&first) => (true, other),
                _ => (false, first),
            }
        }
    };
    for (is_turned, s, m) in std::iter::once((false, scene, &own))
        .chain(turned.as_ref().zip(across.as_ref()).map(|(t, m)| (true, t, m)))
    {
        if aspect(&best.1) > MAX_ASPECT
            && let Some(other) = pack::packed(engine, s, &m.2)
            && aspect(&other) < aspect(&best.1)
        {
            best = (is_turned, other);
        }
    }
    match (best, across) {
        ((true, p), Some(across)) => (across, p),
        ((_, p), _) => (own, p),
    }
}

/// A layout engine.
pub(crate) trait Layout {
    /// Positions every node, group and edge of `scene`, whose sizes are in `measured`.
    fn layout(&self, scene: &Scene, measured: &Measured) -> Positioned;

    /// A quick layout of `scene` for its shape only (whether [`lay_out`] should turn it), if
    /// the engine can make one for much less than the layout costs; by default none.
    fn sketch(&self, _scene: &Scene, _measured: &Measured) -> Option<Positioned> {
        None
    }

    /// Whether routes are meant to be drawn smooth: right-angled corners rounded, and diagonal
    /// segments as curves whose ends follow the flow axis (inside the same band as the
    /// straight segment).
    fn smooth_edges(&self) -> bool {
        false
    }
}

/// Inner padding of a group frame around its members.
pub(crate) const GROUP_PADDING: f64 = 10.0;
