//! Standalone SVG output, laid out by archmap.
//!
//! Input: a [`Scene`]. Output: one self-contained SVG document (no scripts, external fonts,
//! images or stylesheets) with a `<title>`, a `<desc>`, the diagram title drawn at the top,
//! group frames, one shape per component kind, arrows with arrowheads and labelled edges.
//! Boxes are measured with [`text`] and placed by a [`Layout`] (by default the native layered
//! engine; see [`RenderOptions`]). Above the node budget a note under the title suggests a
//! view, a focus or collapsing. Highlighted findings (`hl-*` classes) are coloured by CSS
//! with arrowheads of their colour; a legend under the drawing lists the highlights used (and,
//! when asked, the kinds and edge styles used); the dark and auto themes add CSS rules (auto
//! inside `@media (prefers-color-scheme: dark)`, which also works for an SVG shown as `<img>`).
//! Invariants: every user string is escaped with [`escape::xml_escape`]; links are emitted only
//! for URLs that pass [`escape::is_safe_url`]; element ids are `node-<id>`, `group-<id>` and
//! `edge-<from>-<to>` (made unique within the document); numbers are written with at most two
//! decimals, so output is byte-identical for identical scenes.

use std::fmt::Write as _;

use super::escape::{self, UniqueIds};
use super::{RenderOptions, Renderer, Theme, palette};
use crate::layout::measure::{
    BOLD_FACTOR, BoxText, EDGE_SIZE, GROUP_SIZE, LABEL_SIZE, MAX_GROUP_TITLE, SUB_SIZE, first_line,
    lines_height, shape_insets,
};
use crate::layout::text::{self, FONT_FAMILY, LINE_HEIGHT};
use crate::layout::{EdgePath, Layout, Positioned, Rect, Size};
use crate::scene::highlight::{self, Mark};
use crate::scene::{Scene, SceneEdge, SceneNode};
use crate::vocab::{Direction, Kind, Mode};

/// Font size of the over-budget note.
const NOTE_SIZE: f64 = 12.0;
/// Font size of the diagram title (drawn bold).
const TITLE_SIZE: f64 = 18.0;
/// Ascent of Liberation Sans, in ems, to place baselines.
const ASCENT: f64 = 0.905;
/// Descent of Liberation Sans, in ems.
const DESCENT: f64 = 0.212;
/// Space around the drawing.
const MARGIN: f64 = 16.0;

/// Writes a standalone SVG document.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SvgRenderer;

impl Renderer for SvgRenderer {
    fn render(&self, scene: &Scene, options: &RenderOptions) -> String {
        render_with_options(scene, options)
    }
}

/// A number with at most two decimals, trailing zeros trimmed, never `-0`.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    // Whole and half numbers, most coordinates of a drawing, without the exact decimal
    // formatting (a large drawing has millions): the same text as below.
    let twice = v * 2.0;
    if twice.fract() == 0.0 && v.abs() < 1e15 {
        let whole = v.abs().trunc() as i64;
        let sign = if v < 0.0 { "-" } else { "" };
        return if v.fract() == 0.0 {
            if whole == 0 { "0".to_string() } else { format!("{sign}{whole}") }
        } else {
            format!("{sign}{whole}.5")
        };
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// Renders `scene` with the engine and node budget of `options`.
#[must_use]
pub(crate) fn render_with_options(scene: &Scene, options: &RenderOptions) -> String {
    render_document(
        scene,
        options.layout(),
        budget_note(scene, options.max_nodes),
        options.theme,
        options.legend,
    )
}

/// The note drawn under the title when `scene` has more boxes than `max_nodes`.
#[must_use]
pub(crate) fn budget_note(scene: &Scene, max_nodes: usize) -> Option<String> {
    (scene.nodes.len() > max_nodes).then(|| {
        format!(
            "Large diagram: {} components (over the budget of {max_nodes}). For a readable \
             picture render a view (--view NAME), a neighbourhood (--focus ID --depth 1), or a \
             view that collapses groups.",
            scene.nodes.len()
        )
    })
}

/// Where the layout's origin sits in the document: below the margin, the title and the note.
fn origin(scene: &Scene, note: Option<&str>) -> (f64, f64) {
    let title_h = if scene.title.trim().is_empty() { 0.0 } else { TITLE_SIZE * LINE_HEIGHT + 12.0 };
    let note_h = if note.is_some() { NOTE_SIZE * LINE_HEIGHT + 10.0 } else { 0.0 };
    (MARGIN, MARGIN + title_h + note_h)
}

/// The document's width and height for a layout.
fn document_size(scene: &Scene, pos: &Positioned, note: Option<&str>) -> (f64, f64) {
    document_size_with(scene, pos, note, None)
}

/// The document's width and height for a layout, with room for a legend under the drawing.
fn document_size_with(
    scene: &Scene,
    pos: &Positioned,
    note: Option<&str>,
    legend: Option<&Legend>,
) -> (f64, f64) {
    let title_line = text::truncate(&first_line(&scene.title), TITLE_SIZE, 2000.0);
    let title_w = text::line_width(&title_line, TITLE_SIZE) * BOLD_FACTOR;
    let note_w = note.map_or(0.0, |n| text::line_width(n, NOTE_SIZE));
    let (_, dy) = origin(scene, note);
    let legend_w = legend.map_or(0.0, |l| l.width);
    let legend_h = legend.map_or(0.0, |l| l.height + LEGEND_GAP);
    let width = (pos.width.max(title_w).max(note_w).max(legend_w) + 2.0 * MARGIN).ceil();
    let height = (pos.height + dy + legend_h + MARGIN).ceil();
    (width, height)
}

/// The layout of `scene` by `engine` in the SVG document's user units: every box, frame, label
/// and route moved to where [`render_with`] draws it, and the document's width and height.
#[must_use]
pub(crate) fn document_layout(scene: &Scene, engine: &dyn Layout) -> Positioned {
    let (_, pos) = crate::layout::lay_out(engine, scene);
    let (dx, dy) = origin(scene, None);
    let (width, height) = document_size(scene, &pos, None);
    let mv = |r: Rect| Rect { x: r.x + dx, y: r.y + dy, ..r };
    Positioned {
        direction: pos.direction,
        junctions: pos.junctions.iter().map(|&(x, y)| (x + dx, y + dy)).collect(),
        width,
        height,
        nodes: pos.nodes.iter().copied().map(mv).collect(),
        groups: pos.groups.iter().copied().map(mv).collect(),
        titles: pos.titles.iter().copied().map(mv).collect(),
        edges: pos
            .edges
            .iter()
            .map(|e| EdgePath {
                points: e.points.iter().map(|&(x, y)| (x + dx, y + dy)).collect(),
                label: e.label.map(mv),
            })
            .collect(),
    }
}

fn render_document(
    scene: &Scene,
    engine: &dyn Layout,
    note: Option<String>,
    theme: Theme,
    full_legend: bool,
) -> String {
    let ok = |_: f64, _: f64| Ok(());
    render_document_sized(scene, engine, note, theme, full_legend, &ok)
        .expect("a size accepted by `ok` is written")
}

/// As [`render_with_options`], but asks `fits` about the document's width and height, in
/// user units, once the layout is known and before a byte is written: a picture too large to
/// rasterise is refused without writing an SVG of tens of megabytes first.
pub(crate) fn render_sized(
    scene: &Scene,
    options: &RenderOptions,
    fits: &dyn Fn(f64, f64) -> Result<(), String>,
) -> Result<String, String> {
    let note = budget_note(scene, options.max_nodes);
    render_document_sized(scene, options.layout(), note, options.theme, options.legend, fits)
}

fn render_document_sized(
    scene: &Scene,
    engine: &dyn Layout,
    note: Option<String>,
    theme: Theme,
    full_legend: bool,
    fits: &dyn Fn(f64, f64) -> Result<(), String>,
) -> Result<String, String> {
    let ((texts, edge_labels, _), pos) = crate::layout::lay_out(engine, scene);
    let mut w = Writer::new(scene, &pos, &texts, &edge_labels, note);
    w.smooth = engine.smooth_edges();
    w.theme = theme;
    w.legend = Legend::of(scene, full_legend, pos.width.max(LEGEND_MIN_WIDTH));
    let (width, height) = document_size_with(scene, &pos, w.note.as_deref(), w.legend.as_ref());
    fits(width, height)?;
    Ok(w.finish())
}

/// Builds the document text.
struct Writer<'a> {
    scene: &'a Scene,
    pos: &'a Positioned,
    texts: &'a [BoxText],
    edge_labels: &'a [Option<(Vec<String>, Size)>],
    ids: UniqueIds,
    out: String,
    /// Offset of the layout's origin in the document.
    dx: f64,
    dy: f64,
    /// The over-budget note, if any.
    note: Option<String>,
    /// Draw diagonal route segments as curves along the flow axis.
    smooth: bool,
    /// Colours.
    theme: Theme,
    /// The legend under the drawing, if any.
    legend: Option<Legend>,
}

impl<'a> Writer<'a> {
    fn new(
        scene: &'a Scene,
        pos: &'a Positioned,
        texts: &'a [BoxText],
        edge_labels: &'a [Option<(Vec<String>, Size)>],
        note: Option<String>,
    ) -> Writer<'a> {
        let (dx, dy) = origin(scene, note.as_deref());
        Writer {
            scene,
            pos,
            texts,
            edge_labels,
            ids: UniqueIds::new(),
            out: String::new(),
            dx,
            dy,
            note,
            smooth: false,
            theme: Theme::Light,
            legend: None,
        }
    }

    /// Moves a layout rectangle into document coordinates.
    fn place(&self, r: Rect) -> Rect {
        Rect { x: r.x + self.dx, y: r.y + self.dy, ..r }
    }

    fn finish(mut self) -> String {
        let scene = self.scene;
        let title_line = text::truncate(&first_line(&scene.title), TITLE_SIZE, 2000.0);
        let (width, height) =
            document_size_with(scene, self.pos, self.note.as_deref(), self.legend.as_ref());
        let (w, h) = (num(width), num(height));

        let o = &mut self.out;
        o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-labelledby=\"diagram-title\">"
        );
        let _ =
            writeln!(o, "<title id=\"diagram-title\">{}</title>", escape::xml_escape(&scene.title));
        if let Some(d) = &scene.description {
            let _ = writeln!(o, "<desc>{}</desc>", escape::xml_escape(d));
        }
        o.push_str(&stylesheet(scene, self.theme, self.legend.is_some()));
        o.push_str(&defs());
        o.push_str(&highlight_markers(scene));
        let _ = writeln!(
            o,
            "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\"/>"
        );
        if !title_line.trim().is_empty() {
            let _ = writeln!(
                o,
                "<text class=\"diagram-title\" x=\"{}\" y=\"{}\">{}</text>",
                num(MARGIN),
                num(MARGIN + TITLE_SIZE * ASCENT),
                escape::xml_escape(&title_line)
            );
        }

        if let Some(note) = &self.note {
            let title_h =
                if scene.title.trim().is_empty() { 0.0 } else { TITLE_SIZE * LINE_HEIGHT + 12.0 };
            let _ = writeln!(
                o,
                "<text class=\"budget-note\" x=\"{}\" y=\"{}\">{}</text>",
                num(MARGIN),
                num(MARGIN + title_h + NOTE_SIZE * ASCENT),
                escape::xml_escape(note)
            );
        }

        for g in 0..scene.groups.len() {
            self.group(g);
        }
        for i in 0..scene.edges.len() {
            self.edge(i);
        }
        self.junctions();
        for i in 0..scene.nodes.len() {
            self.node(i);
        }
        if let Some(legend) = &self.legend {
            let y = self.dy + self.pos.height + LEGEND_GAP;
            legend.draw(&mut self.out, MARGIN, y);
        }
        self.out.push_str("</svg>\n");
        self.out
    }

    fn group(&mut self, g: usize) {
        let group = &self.scene.groups[g];
        let r = self.place(self.pos.groups[g]);
        if r.width <= 0.0 || r.height <= 0.0 {
            return;
        }
        let color = palette::group(group.color.as_deref());
        let id = self.ids.allocate(escape::xml_id("group-", &group.id));
        let label = text::truncate(
            &first_line(&group.label),
            GROUP_SIZE * BOLD_FACTOR,
            (r.width - 16.0).clamp(0.0, MAX_GROUP_TITLE),
        );
        let o = &mut self.out;
        let _ = writeln!(o, "<g id=\"{id}\" class=\"group\">");
        let mut tip = group.label.clone();
        if let Some(d) = &group.description {
            tip.push('\n');
            tip.push_str(d);
        }
        let _ = writeln!(o, "<title>{}</title>", escape::xml_escape(&tip));
        let _ = writeln!(
            o,
            "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\" \
             fill=\"{}\" stroke=\"{}\"/>",
            num(r.x),
            num(r.y),
            num(r.width),
            num(r.height),
            escape::hex_color(palette::group_fill(color)),
            escape::hex_color(color)
        );
        let _ = writeln!(
            o,
            "<text class=\"group-label\" x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>",
            num(r.x + 8.0),
            num(r.y + 4.0 + GROUP_SIZE * ASCENT + 2.0),
            escape::hex_color(palette::group_title(color)),
            escape::xml_escape(&label)
        );
        o.push_str("</g>\n");
    }

    // Geometry reads best as x, y, w, h, r.
    #[allow(clippy::many_single_char_names)]
    fn node(&mut self, i: usize) {
        let node = &self.scene.nodes[i];
        let r = self.place(self.pos.nodes[i]);
        let id_prefix = if node.collapsed.is_some() { "node-group-" } else { "node-" };
        let id = self.ids.allocate(escape::xml_id(id_prefix, &node.id));
        let mut class = format!("node kind-{}", node.kind.as_str());
        for c in &node.classes {
            class.push(' ');
            class.push_str(&escape::xml_id("", c));
        }
        let link = node
            .url
            .as_deref()
            .filter(|u| escape::is_safe_url(u))
            .map(|u| escape::xml_escape(u.trim()));
        let o = &mut self.out;
        if let Some(href) = &link {
            let _ = writeln!(o, "<a href=\"{href}\" xlink:href=\"{href}\" target=\"_top\">");
        }
        let _ = writeln!(o, "<g id=\"{id}\" class=\"{class}\">");
        let _ = writeln!(o, "<title>{}</title>", escape::xml_escape(&node_tooltip(node)));
        let shape = shape_path(node.kind, r);
        if node.replicas > 1 || node.collapsed.is_some() {
            let _ = writeln!(o, "<g class=\"stack\" transform=\"translate(4 -4)\">{shape}</g>");
        }
        o.push_str(&shape);
        o.push('\n');

        let t = &self.texts[i];
        let (_, top, bottom) = shape_insets(node.kind, r.height);
        let text_h = lines_height(t.label.len(), LABEL_SIZE) + lines_height(t.sub.len(), SUB_SIZE);
        let cx = r.x + r.width / 2.0;
        let mut y = r.y + top + (r.height - top - bottom - text_h) / 2.0;
        write_lines(o, "label", cx, &mut y, &t.label, LABEL_SIZE);
        write_lines(o, "sub", cx, &mut y, &t.sub, SUB_SIZE);
        o.push_str("</g>\n");
        if link.is_some() {
            o.push_str("</a>\n");
        }
    }

    /// A dot where each edge joins a bus, so merged lines read as joined, not crossing.
    fn junctions(&mut self) {
        if self.pos.junctions.is_empty() {
            return;
        }
        let o = &mut self.out;
        o.push_str("<g class=\"junctions\">\n");
        for &(x, y) in &self.pos.junctions {
            let _ = writeln!(
                o,
                "<circle class=\"junction\" cx=\"{}\" cy=\"{}\" r=\"3\"/>",
                num(x + self.dx),
                num(y + self.dy)
            );
        }
        o.push_str("</g>\n");
    }

    // Geometry reads best as x, y, w, h, r.
    #[allow(clippy::many_single_char_names)]
    fn edge(&mut self, i: usize) {
        let edge = &self.scene.edges[i];
        let from = &self.scene.nodes[edge.from];
        let to = &self.scene.nodes[edge.to];
        let id = self.ids.allocate(escape::xml_id("edge-", &format!("{}-{}", from.id, to.id)));
        let mut class = format!("edge {}", edge.mode.as_str());
        if edge.optional {
            class.push_str(" optional");
        }
        if let Some(weight) = weight_class(edge.count) {
            class.push(' ');
            class.push_str(weight);
        }
        for c in &edge.classes {
            class.push(' ');
            class.push_str(&escape::xml_id("", c));
        }
        let EdgePath { points, label } = &self.pos.edges[i];
        let (dx, dy) = (self.dx, self.dy);
        let o = &mut self.out;
        let _ = writeln!(o, "<g id=\"{id}\" class=\"{class}\">");
        let _ = writeln!(o, "<title>{}</title>", escape::xml_escape(&edge_tooltip(edge, from, to)));
        let vertical = matches!(self.pos.direction, Direction::TB | Direction::BT);
        let d = path_data(points, dx, dy, self.smooth, vertical);
        // Highlighted arrows get a head in their colour, sized as for a plain arrow.
        let marker =
            match (highlight::strongest(&edge.classes).filter(|m| m.on_edges()), edge.optional) {
                (Some(m), false) => format!("am-arrow-{}", m.name()),
                (Some(m), true) => format!("am-arrow-open-{}", m.name()),
                (None, false) => "am-arrow".to_string(),
                (None, true) => "am-arrow-open".to_string(),
            };
        let _ = writeln!(o, "<path class=\"line\" d=\"{d}\" marker-end=\"url(#{marker})\"/>");
        if let (Some(rect), Some((lines, _))) = (label, &self.edge_labels[i]) {
            let r = Rect { x: rect.x + dx, y: rect.y + dy, ..*rect };
            let _ = writeln!(
                o,
                "<rect class=\"edge-label-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
                num(r.x),
                num(r.y),
                num(r.width),
                num(r.height)
            );
            let mut y = r.y + 2.0;
            write_lines(o, "edge-label", r.x + r.width / 2.0, &mut y, lines, EDGE_SIZE);
        }
        o.push_str("</g>\n");
    }
}

/// Radius of the rounded corners of routes.
const CORNER: f64 = 5.0;

/// SVG path data for a route moved by `dx`, `dy`. With `smooth`, a diagonal segment becomes a
/// cubic curve whose ends run along the flow axis (`vertical`: top to bottom or back), which
/// stays inside the segment's bounding box, and a right-angled corner is rounded (a quarter
/// turn of at most [`CORNER`], never more than half of either side, so it stays on its track).
fn path_data(points: &[(f64, f64)], dx: f64, dy: f64, smooth: bool, vertical: bool) -> String {
    let mut d = String::new();
    let at = |k: usize| (points[k].0 + dx, points[k].1 + dy);
    let straight =
        |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 0.01 || (a.1 - b.1).abs() < 0.01;
    // Where the previous corner's curve ended: the next segment starts there.
    let mut from: Option<(f64, f64)> = None;
    for (k, &(x, y)) in points.iter().enumerate() {
        let (x, y) = (x + dx, y + dy);
        if k == 0 {
            let _ = write!(d, "M{} {}", num(x), num(y));
            continue;
        }
        let (px, py) = from.take().unwrap_or(at(k - 1));
        if smooth && k + 1 < points.len() {
            let (nx, ny) = at(k + 1);
            let (into, onto) = ((x - px, y - py), (nx - x, ny - y));
            let (len_in, len_out) = (into.0.hypot(into.1), onto.0.hypot(onto.1));
            let turns = straight((px, py), (x, y))
                && straight((x, y), (nx, ny))
                && (into.0 * onto.1 - into.1 * onto.0).abs() > 0.01;
            if turns && len_in > 0.01 && len_out > 0.01 {
                let r = CORNER.min(len_in / 2.0).min(len_out / 2.0);
                let (ax, ay) = (x - into.0 / len_in * r, y - into.1 / len_in * r);
                let (bx, by) = (x + onto.0 / len_out * r, y + onto.1 / len_out * r);
                let _ = write!(
                    d,
                    " L{} {} Q{} {} {} {}",
                    num(ax),
                    num(ay),
                    num(x),
                    num(y),
                    num(bx),
                    num(by)
                );
                from = Some((bx, by));
                continue;
            }
        }
        let diagonal = (x - px).abs() > 0.01 && (y - py).abs() > 0.01;
        if smooth && diagonal {
            let (c1, c2) = if vertical {
                let my = f64::midpoint(py, y);
                ((px, my), (x, my))
            } else {
                let mx = f64::midpoint(px, x);
                ((mx, py), (mx, y))
            };
            let _ = write!(
                d,
                " C{} {} {} {} {} {}",
                num(c1.0),
                num(c1.1),
                num(c2.0),
                num(c2.1),
                num(x),
                num(y)
            );
        } else {
            let _ = write!(d, " L{} {}", num(x), num(y));
        }
    }
    d
}

/// Writes `lines` centred on `cx`, starting at `y` (top of the first line box), and advances
/// `y` past them.
fn write_lines(o: &mut String, class: &str, cx: f64, y: &mut f64, lines: &[String], size: f64) {
    let line_h = size * LINE_HEIGHT;
    let baseline = (line_h - (ASCENT + DESCENT) * size) / 2.0 + ASCENT * size;
    for line in lines {
        let _ = writeln!(
            o,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
            num(cx),
            num(*y + baseline),
            escape::xml_escape(line)
        );
        *y += line_h;
    }
}

/// A node's hover text: label, kind, description, tech, owner, replicas.
fn node_tooltip(node: &SceneNode) -> String {
    let mut lines = vec![node.label.clone()];
    match node.collapsed {
        Some(n) => lines.push(format!("group of {n} component{}", if n == 1 { "" } else { "s" })),
        None => lines.push(format!("kind: {}", node.kind.as_str())),
    }
    if let Some(d) = &node.description {
        lines.push(d.clone());
    }
    if let Some(t) = &node.tech {
        lines.push(format!("tech: {t}"));
    }
    if let Some(o) = &node.owner {
        lines.push(format!("owner: {o}"));
    }
    if node.replicas > 1 {
        lines.push(format!("replicas: {}", node.replicas));
    }
    lines.join("\n")
}

/// An edge's hover text: endpoints and mode, protocol, label, description.
fn edge_tooltip(edge: &SceneEdge, from: &SceneNode, to: &SceneNode) -> String {
    let mut lines = vec![format!(
        "{} → {} ({}{})",
        from.label,
        to.label,
        match edge.mode {
            Mode::Sync => "sync",
            Mode::Async => "async",
        },
        if edge.optional { ", optional" } else { "" }
    )];
    if let Some(p) = &edge.protocol {
        lines.push(format!("protocol: {p}"));
    }
    if let Some(l) = &edge.label {
        lines.push(l.clone());
    }
    if let Some(d) = &edge.description {
        lines.push(d.clone());
    }
    if edge.count > 1 {
        lines.push(format!("{} dependencies", edge.count));
    }
    lines.join("\n")
}

/// The outline of a kind's shape filling `r`, as SVG elements of class `shape`.
// Geometry reads best as x, y, w, h.
#[allow(clippy::many_single_char_names)]
#[allow(clippy::too_many_lines, reason = "one match arm per kind's shape (a table)")]
pub(crate) fn shape_path(kind: Kind, r: Rect) -> String {
    let (x, y, w, h) = (r.x, r.y, r.width, r.height);
    let (x1, y1) = (x + w, y + h);
    let n = num;
    match kind {
        Kind::Service => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\"/>",
            n(x),
            n(y),
            n(w),
            n(h)
        ),
        Kind::Job | Kind::External => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
            n(x),
            n(y),
            n(w),
            n(h)
        ),
        Kind::Frontend => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>\
             <path class=\"detail\" d=\"M{} {} H{}\"/>\
             <circle class=\"detail\" cx=\"{}\" cy=\"{}\" r=\"2\"/>\
             <circle class=\"detail\" cx=\"{}\" cy=\"{}\" r=\"2\"/>",
            n(x),
            n(y),
            n(w),
            n(h),
            n(x),
            n(y + 12.0),
            n(x1),
            n(x + 8.0),
            n(y + 6.0),
            n(x + 15.0),
            n(y + 6.0)
        ),
        Kind::Gateway => {
            let i = (h / 2.0).min(18.0);
            format!(
                "<path class=\"shape\" d=\"M{} {} H{} L{} {} L{} {} H{} L{} {} Z\"/>",
                n(x + i),
                n(y),
                n(x1 - i),
                n(x1),
                n(y + h / 2.0),
                n(x1 - i),
                n(y1),
                n(x + i),
                n(x),
                n(y + h / 2.0)
            )
        }
        Kind::Database | Kind::Cache => {
            let ry = (h / 6.0).min(9.0);
            let rx = w / 2.0;
            format!(
                "<path class=\"shape\" d=\"M{} {} A{} {} 0 0 1 {} {} V{} A{} {} 0 0 1 {} {} Z\"/>\
                 <path class=\"detail\" d=\"M{} {} A{} {} 0 0 0 {} {}\"/>",
                n(x),
                n(y + ry),
                n(rx),
                n(ry),
                n(x1),
                n(y + ry),
                n(y1 - ry),
                n(rx),
                n(ry),
                n(x),
                n(y1 - ry),
                n(x),
                n(y + ry),
                n(rx),
                n(ry),
                n(x1),
                n(y + ry)
            )
        }
        Kind::Queue => {
            let rx = 10.0_f64.min(w / 4.0);
            let ry = h / 2.0;
            format!(
                "<path class=\"shape\" d=\"M{} {} H{} A{} {} 0 0 1 {} {} H{} A{} {} 0 0 1 {} {} Z\"/>\
                 <path class=\"detail\" d=\"M{} {} A{} {} 0 0 0 {} {}\"/>",
                n(x + rx),
                n(y),
                n(x1 - rx),
                n(rx),
                n(ry),
                n(x1 - rx),
                n(y1),
                n(x + rx),
                n(rx),
                n(ry),
                n(x + rx),
                n(y),
                n(x1 - rx),
                n(y),
                n(rx),
                n(ry),
                n(x1 - rx),
                n(y1)
            )
        }
        Kind::Topic => {
            let s = 14.0_f64.min(w / 4.0);
            format!(
                "<path class=\"shape\" d=\"M{} {} H{} L{} {} H{} Z\"/>",
                n(x + s),
                n(y),
                n(x1),
                n(x1 - s),
                n(y1),
                n(x)
            )
        }
        Kind::Storage => {
            let tab = (w * 0.35).min(44.0);
            format!(
                "<path class=\"shape\" d=\"M{} {} H{} L{} {} H{} V{} H{} Z\"/>",
                n(x),
                n(y),
                n(x + tab),
                n(x + tab + 7.0),
                n(y + 7.0),
                n(x1),
                n(y1),
                n(x)
            )
        }
        Kind::Function => {
            let c = 12.0_f64.min(h / 3.0);
            format!(
                "<path class=\"shape\" d=\"M{} {} H{} L{} {} V{} H{} Z\"/>\
                 <path class=\"detail\" d=\"M{} {} V{} H{}\"/>",
                n(x),
                n(y),
                n(x1 - c),
                n(x1),
                n(y + c),
                n(y1),
                n(x),
                n(x1 - c),
                n(y),
                n(y + c),
                n(x1)
            )
        }
        Kind::User => format!(
            "<ellipse class=\"shape\" cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"/>",
            n(x + w / 2.0),
            n(y + h / 2.0),
            n(w / 2.0),
            n(h / 2.0)
        ),
    }
}

/// Space between the drawing and the legend.
const LEGEND_GAP: f64 = 14.0;
/// The legend wraps at the drawing's width, but not narrower than this.
const LEGEND_MIN_WIDTH: f64 = 360.0;
/// Font size of legend entries.
const LEGEND_SIZE: f64 = 11.0;
/// Width and height of a legend swatch.
const SWATCH: (f64, f64) = (26.0, 14.0);
/// Height of one legend row.
const LEGEND_ROW: f64 = 22.0;

/// What one legend entry shows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Swatch {
    /// A box of a kind.
    Kind(Kind),
    /// The box of a collapsed group.
    Collapsed,
    /// An arrow of a mode, optional or not.
    Edge(Mode, bool),
    /// A highlight.
    Mark(Mark),
}

/// The legend under the drawing: one entry per kind, edge style and highlight the scene uses.
#[derive(Clone, Debug, PartialEq)]
struct Legend {
    /// Entries with their offset from the legend's top-left corner.
    entries: Vec<(f64, f64, Swatch, String)>,
    width: f64,
    height: f64,
}

impl Legend {
    /// The legend of `scene`: with `full`, kinds and edge styles too, else highlights only;
    /// `None` when there is nothing to explain. Rows wrap at `max_width`.
    fn of(scene: &Scene, full: bool, max_width: f64) -> Option<Legend> {
        let mut items: Vec<(Swatch, String)> = Vec::new();
        if full {
            for kind in Kind::ALL {
                if scene.nodes.iter().any(|n| n.kind == kind && n.collapsed.is_none()) {
                    items.push((Swatch::Kind(kind), kind.as_str().to_string()));
                }
            }
            if scene.nodes.iter().any(|n| n.collapsed.is_some()) {
                items.push((Swatch::Collapsed, "collapsed group".to_string()));
            }
            for (mode, optional, text) in [
                (Mode::Sync, false, "sync call"),
                (Mode::Async, false, "async message"),
                (Mode::Sync, true, "optional sync call"),
                (Mode::Async, true, "optional async message"),
            ] {
                if scene.edges.iter().any(|e| e.mode == mode && e.optional == optional) {
                    items.push((Swatch::Edge(mode, optional), text.to_string()));
                }
            }
        }
        for mark in Mark::ALL {
            let used = scene.nodes.iter().any(|n| n.classes.contains(&mark.class()))
                || scene.edges.iter().any(|e| e.classes.contains(&mark.class()));
            if used {
                items.push((Swatch::Mark(mark), mark.legend().to_string()));
            }
        }
        if items.is_empty() {
            return None;
        }
        let mut entries = Vec::with_capacity(items.len());
        let (mut x, mut y, mut width) = (0.0_f64, 0.0_f64, 0.0_f64);
        for (swatch, label) in items {
            let w = SWATCH.0 + 6.0 + text::line_width(&label, LEGEND_SIZE);
            if x > 0.0 && x + w > max_width {
                x = 0.0;
                y += LEGEND_ROW;
            }
            entries.push((x, y, swatch, label));
            width = width.max(x + w);
            x += w + 18.0;
        }
        Some(Legend { entries, width, height: y + LEGEND_ROW })
    }

    /// Draws the legend with its top-left corner at (`x0`, `y0`).
    // Geometry reads best as x, y, r.
    #[allow(clippy::many_single_char_names)]
    fn draw(&self, o: &mut String, x0: f64, y0: f64) {
        o.push_str("<g class=\"legend\">\n");
        for (dx, dy, swatch, label) in &self.entries {
            let (x, y) = (x0 + dx, y0 + dy);
            let r = Rect {
                x,
                y: y + (LEGEND_ROW - SWATCH.1) / 2.0 - 2.0,
                width: SWATCH.0,
                height: SWATCH.1,
            };
            let mid = r.y + r.height / 2.0;
            let line = |class: &str| {
                format!(
                    "<g class=\"{class}\"><path class=\"line\" d=\"M{} {} H{}\"/></g>",
                    num(r.x),
                    num(mid),
                    num(r.x + r.width)
                )
            };
            let item = match swatch {
                Swatch::Kind(k) => {
                    format!("<g class=\"node kind-{}\">{}</g>", k.as_str(), shape_path(*k, r))
                }
                Swatch::Collapsed => format!(
                    "<g class=\"node kind-service collapsed\">{}</g>",
                    shape_path(Kind::Service, r)
                ),
                Swatch::Edge(mode, optional) => line(&format!(
                    "edge {}{}",
                    mode.as_str(),
                    if *optional { " optional" } else { "" }
                )),
                Swatch::Mark(m @ (Mark::Chain | Mark::Layer)) => {
                    line(&format!("edge sync {}", m.class()))
                }
                Swatch::Mark(m) => format!(
                    "<g class=\"node kind-service {}\">{}</g>",
                    m.class(),
                    shape_path(Kind::Service, r)
                ),
            };
            let _ = writeln!(o, "{item}");
            let _ = writeln!(
                o,
                "<text class=\"legend-label\" x=\"{}\" y=\"{}\">{}</text>",
                num(r.x + r.width + 6.0),
                num(mid + LEGEND_SIZE * (ASCENT - DESCENT) / 2.0),
                escape::xml_escape(label)
            );
        }
        o.push_str("</g>\n");
    }
}

/// The stylesheet for `scene` in `theme`: the base rules, highlight rules when the scene has
/// highlights, a legend rule when it has a legend, dark rules for the dark and auto themes.
fn stylesheet(scene: &Scene, theme: Theme, legend: bool) -> String {
    let marks: Vec<Mark> = scene
        .nodes
        .iter()
        .flat_map(|n| &n.classes)
        .chain(scene.edges.iter().flat_map(|e| &e.classes))
        .filter_map(|c| Mark::from_class(c))
        .collect();
    let mut out = base_style();
    // Before the highlights, so that a highlighted line keeps its highlight's width.
    if scene.edges.iter().any(|e| weight_class(e.count).is_some()) {
        out.push_str(WEIGHT_STYLE);
    }
    if marks.iter().any(|m| !m.is_diff() && !m.is_flow()) {
        out.push_str(&highlight_style());
    }
    if marks.iter().any(|m| m.is_diff()) {
        out.push_str(&diff_style());
    }
    if marks.iter().any(|m| m.is_flow()) {
        out.push_str(&flow_style());
    }
    if legend {
        let _ =
            writeln!(out, ".legend-label {{ font-size: 11px; fill: {}; }}", palette::LEGEND_LABEL);
    }
    match theme {
        Theme::Light => {}
        Theme::Dark => out.push_str(&dark_style()),
        Theme::Auto => {
            out.push_str("@media (prefers-color-scheme: dark) {\n");
            out.push_str(&dark_style());
            out.push_str("}\n");
        }
    }
    out.push_str("</style>\n");
    out
}

/// Dependencies a merged arrow (a collapsed view's) stands for from which it is drawn medium
/// ([`WEIGHT_STYLE`]).
const MEDIUM_WEIGHT: usize = 10;
/// Dependencies from which a merged arrow is drawn thick.
const HEAVY_WEIGHT: usize = 100;

/// The class of an arrow standing for `count` dependencies: thin (none, as every arrow of a
/// view that merges nothing) below [`MEDIUM_WEIGHT`], `weight-medium` below [`HEAVY_WEIGHT`],
/// `weight-heavy` from there.
fn weight_class(count: usize) -> Option<&'static str> {
    match count {
        HEAVY_WEIGHT.. => Some("weight-heavy"),
        MEDIUM_WEIGHT.. => Some("weight-medium"),
        _ => None,
    }
}

/// Line widths of the weight classes (the thin one is `.edge .line`'s 1.4); only in documents
/// that use them.
const WEIGHT_STYLE: &str = concat!(
    ".edge.weight-medium .line { stroke-width: 2.2; }\n",
    ".edge.weight-heavy .line { stroke-width: 3.2; }\n",
);

/// Arrowheads in the colour of each edge highlight the scene uses, in user units so that the
/// thicker highlighted line does not blow them up.
fn highlight_markers(scene: &Scene) -> String {
    let marks: Vec<Mark> = highlight::used(scene).into_iter().filter(|m| m.on_edges()).collect();
    if marks.is_empty() {
        return String::new();
    }
    let mut o = String::from("<defs>\n");
    for m in marks {
        let (name, color) = (m.name(), palette::mark(m));
        let _ = writeln!(
            o,
            "<marker id=\"am-arrow-{name}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerWidth=\"11\" markerHeight=\"11\" markerUnits=\"userSpaceOnUse\" \
             orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 Z\" fill=\"{color}\"/></marker>"
        );
        let _ = writeln!(
            o,
            "<marker id=\"am-arrow-open-{name}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerWidth=\"11\" markerHeight=\"11\" markerUnits=\"userSpaceOnUse\" \
             orient=\"auto-start-reverse\"><path class=\"open\" d=\"M1 1 L9 5 L1 9 Z\" \
             fill=\"{}\" stroke=\"{color}\" stroke-width=\"1.2\"/></marker>",
            palette::BACKGROUND
        );
    }
    o.push_str("</defs>\n");
    o
}

/// Highlighted boxes, least serious first so the most serious mark wins on a shared box:
/// (mark, outline width, dash pattern).
const NODE_HIGHLIGHTS: [(Mark, &str, &str); 5] = [
    (Mark::Finding, "2.5", "3 2"),
    (Mark::Hotspot, "3", "none"),
    (Mark::Spof, "3.5", "none"),
    (Mark::Layer, "3", "none"),
    (Mark::Cycle, "3.5", "none"),
];

/// Highlighted dependencies, least serious first: (mark, line width).
const EDGE_HIGHLIGHTS: [(Mark, &str); 3] =
    [(Mark::Chain, "2.5"), (Mark::Layer, "2.5"), (Mark::Cycle, "2.8")];

/// Highlight rules, least serious first so the most serious mark wins on a shared box.
fn highlight_style() -> String {
    let mut o = String::new();
    for (m, width, dash) in NODE_HIGHLIGHTS {
        let _ = writeln!(
            o,
            ".node.{} .shape {{ stroke: {}; stroke-width: {width}; stroke-dasharray: {dash}; }}",
            m.class(),
            palette::mark(m)
        );
    }
    for (m, width) in EDGE_HIGHLIGHTS {
        let _ = writeln!(
            o,
            ".edge.{} .line {{ stroke: {}; stroke-width: {width}; }}",
            m.class(),
            palette::mark(m)
        );
    }
    o
}

/// Diff statuses (`archmap diff --format svg`): outlines and arrows in the status colour,
/// removed ones dashed, unchanged ones faded; fills stay the kind's, so both themes read.
fn diff_style() -> String {
    let (added, changed, removed) =
        (palette::mark(Mark::Added), palette::mark(Mark::Changed), palette::mark(Mark::Removed));
    let mut o = String::from(".node.hl-unchanged, .edge.hl-unchanged { opacity: 0.35; }\n");
    let _ = writeln!(
        o,
        ".node.hl-added .shape {{ stroke: {added}; stroke-width: 3.5; stroke-dasharray: none; }}"
    );
    let _ = writeln!(
        o,
        ".node.hl-changed .shape {{ stroke: {changed}; stroke-width: 3.5; stroke-dasharray: none; }}"
    );
    let _ = writeln!(
        o,
        ".node.hl-removed .shape {{ stroke: {removed}; stroke-width: 3; stroke-dasharray: 7 4; }}"
    );
    o.push_str(
        ".node.hl-removed .label, .node.hl-removed .sub { text-decoration: line-through; }\n",
    );
    let _ = writeln!(o, ".edge.hl-added .line {{ stroke: {added}; stroke-width: 2.8; }}");
    let _ = writeln!(o, ".edge.hl-changed .line {{ stroke: {changed}; stroke-width: 2.8; }}");
    let _ = writeln!(
        o,
        ".edge.hl-removed .line {{ stroke: {removed}; stroke-width: 2.4; stroke-dasharray: 7 4; }}"
    );
    o
}

/// A flow over the diagram (`render --flow ID --overlay`): its steps in the flow colour with
/// their numbers, the rest faded.
fn flow_style() -> String {
    let flow = palette::mark(Mark::Flow);
    let mut o = String::from(".node.hl-dimmed, .edge.hl-dimmed { opacity: 0.35; }\n");
    let _ = writeln!(
        o,
        ".node.hl-flow .shape {{ stroke: {flow}; stroke-width: 3; stroke-dasharray: none; }}"
    );
    let _ = writeln!(o, ".edge.hl-flow .line {{ stroke: {flow}; stroke-width: 2.8; }}");
    let _ = writeln!(o, ".edge.hl-flow .edge-label {{ fill: {flow}; font-weight: 700; }}");
    o
}

/// Dark theme rules: override the light colours (CSS beats the frames' colour attributes).
pub(crate) fn dark_style() -> String {
    use palette::dark;
    let mut o = String::new();
    let _ = writeln!(o, ".background {{ fill: {}; }}", dark::BACKGROUND);
    let _ = writeln!(o, ".diagram-title, .label {{ fill: {}; }}", dark::TEXT);
    let _ = writeln!(o, ".sub, .legend-label {{ fill: {}; }}", dark::SUBTITLE);
    let _ = writeln!(o, ".budget-note {{ fill: {}; }}", dark::NOTE);
    let _ = writeln!(o, ".group .frame {{ fill: {}; }}", dark::GROUP_FILL);
    let _ = writeln!(o, ".group-label {{ fill: {}; }}", dark::GROUP_TITLE);
    for kind in Kind::ALL {
        let p = dark::kind(kind);
        let _ = writeln!(
            o,
            ".kind-{kind} .shape {{ fill: {}; }} .kind-{kind} {{ stroke: {}; color: {}; }}",
            p.fill, p.stroke, p.stroke
        );
    }
    let _ = writeln!(o, ".edge .line {{ stroke: {}; }}", dark::EDGE);
    let _ = writeln!(o, ".junction {{ fill: {}; }}", dark::EDGE);
    for (m, _) in EDGE_HIGHLIGHTS {
        if let Some(color) = dark::mark_edge(m) {
            let _ = writeln!(o, ".edge.{} .line {{ stroke: {color}; }}", m.class());
        }
    }
    let _ = writeln!(o, ".edge-label-bg {{ fill: {}; }}", dark::BACKGROUND);
    let _ = writeln!(o, ".edge-label {{ fill: {}; }}", dark::EDGE_LABEL);
    let _ = writeln!(o, "#am-arrow path {{ fill: {}; }}", dark::EDGE);
    let _ = writeln!(
        o,
        "#am-arrow-open path {{ fill: {}; stroke: {}; }}",
        dark::BACKGROUND,
        dark::EDGE
    );
    let _ = writeln!(o, "marker path.open {{ fill: {}; }}", dark::BACKGROUND);
    o
}

/// The start of the embedded stylesheet (without its closing tag): one class per kind, edge
/// modes, text.
pub(crate) fn base_style() -> String {
    let mut o = String::from("<style>\n");
    let _ = writeln!(o, "text {{ font-family: {FONT_FAMILY}; white-space: pre; }}");
    let _ = writeln!(o, ".background {{ fill: {}; }}", palette::BACKGROUND);
    let _ = writeln!(
        o,
        ".diagram-title {{ font-size: 18px; font-weight: 700; fill: {}; }}",
        palette::TEXT
    );
    let _ = writeln!(o, ".budget-note {{ font-size: 12px; fill: {}; }}", palette::NOTE);
    o.push_str(concat!(
        ".group .frame { stroke-width: 1.5; }\n",
        ".group-label { font-size: 12px; font-weight: 700; }\n",
        ".node .shape, .node .detail { stroke-width: 1.5; }\n",
        ".node .detail { fill: none; }\n",
        ".node circle.detail { fill: currentColor; stroke: none; }\n",
    ));
    let _ =
        writeln!(o, ".label {{ font-size: 13px; fill: {}; text-anchor: middle; }}", palette::TEXT);
    let _ = writeln!(
        o,
        ".sub {{ font-size: 11px; fill: {}; text-anchor: middle; }}",
        palette::SUBTITLE
    );
    o.push_str(".stack .shape, .stack .detail { opacity: 0.55; }\n");
    for kind in Kind::ALL {
        let p = palette::kind(kind);
        let dash = if palette::kind_dashed(kind) { " stroke-dasharray: 5 3;" } else { "" };
        let _ = writeln!(
            o,
            ".kind-{kind} .shape {{ fill: {};{dash} }} .kind-{kind} {{ stroke: {}; color: {}; }}",
            p.fill, p.stroke, p.stroke
        );
    }
    o.push_str(concat!(
        ".node text { stroke: none; }\n",
        ".collapsed .shape { stroke-width: 2.5; }\n"
    ));
    let _ =
        writeln!(o, ".edge .line {{ fill: none; stroke: {}; stroke-width: 1.4; }}", palette::EDGE);
    let _ = writeln!(o, ".junction {{ fill: {}; stroke: none; }}", palette::EDGE);
    o.push_str(concat!(
        ".edge.async .line { stroke-dasharray: 6 4; }\n",
        ".edge.optional .line { stroke-dasharray: 2 3; }\n",
        ".edge.async.optional .line { stroke-dasharray: 6 3 2 3; }\n",
    ));
    let _ = writeln!(
        o,
        ".edge-label-bg {{ fill: {}; fill-opacity: 0.9; stroke: none; }}",
        palette::BACKGROUND
    );
    let _ = writeln!(
        o,
        ".edge-label {{ font-size: 11px; fill: {}; text-anchor: middle; }}",
        palette::EDGE_LABEL
    );
    o.push_str("a .label { text-decoration: underline; }\n");
    o
}

/// Arrowhead markers: filled for required dependencies, open for optional ones.
pub(crate) fn defs() -> String {
    format!(
        "<defs>\n\
         <marker id=\"am-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" \
         markerHeight=\"8\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0 L10 5 L0 10 Z\" fill=\"{edge}\"/></marker>\n\
         <marker id=\"am-arrow-open\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" \
         markerHeight=\"8\" orient=\"auto-start-reverse\">\
         <path d=\"M1 1 L9 5 L1 9 Z\" fill=\"{background}\" stroke=\"{edge}\" stroke-width=\"1.2\"/></marker>\n\
         </defs>\n",
        edge = palette::EDGE,
        background = palette::BACKGROUND
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::testing::{arbitrary_scene, every_kind, hostile, nested, samples, single};

    fn render(scene: &Scene) -> String {
        SvgRenderer.render(scene, &RenderOptions::default())
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid XML: {e}\n{svg}"))
    }

    /// Text of every `<text>` element.
    fn drawn_text(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    }

    /// What XML escaping keeps of `s`.
    fn xml_kept(s: &str) -> String {
        escape::normalize_newlines(s)
            .chars()
            .map(|c| {
                if (c.is_control() && c != '\t' && c != '\n')
                    || matches!(c, '\u{FFFE}' | '\u{FFFF}')
                {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect()
    }

    /// The `<title>` of the element with `id`.
    fn title_of(doc: &roxmltree::Document<'_>, id: &str) -> String {
        let el = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no element {id}"));
        el.children()
            .find(|c| c.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn single_node_document() {
        let out = render(&single());
        let doc = parse(&out);
        let root = doc.root_element();
        assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
        assert!(root.attribute("viewBox").is_some());
        assert!(drawn_text(&doc).contains(&"API".to_string()));
        assert!(drawn_text(&doc).contains(&"Test system".to_string()));
        assert!(out.contains("<desc>A test</desc>"));
        assert!(out.contains("id=\"node-api\" class=\"node kind-service\""));
    }

    #[test]
    fn every_kind_gets_its_class_and_a_shape() {
        let out = render(&every_kind());
        let doc = parse(&out);
        for kind in Kind::ALL {
            let g = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(&*format!("node-{kind}-1")))
                .expect("node group");
            assert!(g.attribute("class").unwrap_or_default().contains(&format!("kind-{kind}")));
            assert!(g.descendants().any(|c| c.attribute("class") == Some("shape")));
            assert!(out.contains(&format!(".kind-{kind} .shape")), "{kind} styled");
        }
        assert!(out.contains("class=\"edge async\""));
        assert!(out.contains("class=\"edge sync optional\""));
        assert!(out.contains("marker-end=\"url(#am-arrow-open)\""));
        assert!(drawn_text(&doc).contains(&"grpc ×3".to_string()));
        assert!(drawn_text(&doc).contains(&"3 components".to_string()));
        assert!(out.contains("id=\"node-group-team.x\""));
    }

    #[test]
    fn groups_are_framed_and_nested() {
        let out = render(&nested());
        let doc = parse(&out);
        let frame = |id: &str| {
            let g = doc.descendants().find(|n| n.attribute("id") == Some(id)).expect(id);
            let r = g.children().find(|c| c.has_tag_name("rect")).expect("frame");
            let v = |a: &str| r.attribute(a).expect(a).parse::<f64>().expect("number");
            Rect { x: v("x"), y: v("y"), width: v("width"), height: v("height") }
        };
        assert!(frame("group-edge").contains(&frame("group-storefront")));
        assert!(frame("group-commerce").contains(&frame("group-payments")));
        assert!(out.contains("stroke=\"#3b82f6\""));
        assert!(out.contains("<a href=\"https://wiki.example/orders\""));
        assert!(title_of(&doc, "group-payments").contains("Money"));
        assert!(title_of(&doc, "node-orders").contains("tech: Java"));
        assert!(title_of(&doc, "edge-gw-orders").contains("protocol: https"));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let scene = hostile();
        let out = render(&scene);
        let doc = parse(&out);
        assert!(!out.contains("<script"));
        assert!(!out.contains("javascript:"));
        assert!(out.contains("href=\"https://x.example/?a=1&amp;b=&quot;1&quot;\""));
        let texts = drawn_text(&doc);
        for label in [
            "<script>alert(1)</script>",
            "a & b &amp; c &lt;",
            "emoji 🚀👩‍💻 and CJK 日本語",
            "RTL עברית العربية",
            "end",
        ] {
            assert!(texts.iter().any(|t| t == label), "{label:?} not drawn: {texts:?}");
        }
        for (i, node) in scene.nodes.iter().enumerate().take(crate::scene::testing::HOSTILE.len()) {
            let title = title_of(&doc, &format!("node-n{i}"));
            assert!(title.starts_with(&xml_kept(&node.label)), "{title:?}");
        }
        // The 10 KB label is wrapped and cut, not drawn in full.
        let big = doc.descendants().find(|n| n.attribute("id") == Some("node-big")).expect("big");
        let lines = big.children().filter(|c| c.has_tag_name("text")).count();
        assert_eq!(lines, crate::layout::measure::MAX_LINES);
    }

    #[test]
    fn numbers_have_at_most_two_decimals() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(1.234_567), "1.23");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        for v in [0.0, -0.0, 0.5, -0.5, 3.0, -3.0, 12.5, -12.5, 1e14, -7.25, 0.125, 333_164.0] {
            let slow = format!("{v:.2}");
            let slow = slow.trim_end_matches('0').trim_end_matches('.');
            let slow = if slow == "-0" { "0" } else { slow };
            assert_eq!(num(v), slow, "{v}");
        }
        let out = render(&nested());
        for token in out.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            if let Some((_, frac)) = token.split_once('.') {
                assert!(
                    frac.len() <= 2 || token.chars().filter(|c| *c == '.').count() > 1,
                    "{token}"
                );
            }
        }
    }

    #[test]
    fn ids_are_unique() {
        for scene in samples() {
            let out = render(&scene);
            let doc = parse(&out);
            let mut ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n);
        }
    }

    #[test]
    fn plain_light_diagrams_keep_the_base_stylesheet() {
        // Without highlights, legend or a dark theme the document is what it always was, so
        // committed diagrams do not change.
        let s = nested();
        assert_eq!(stylesheet(&s, Theme::Light, false), format!("{}</style>\n", base_style()));
        let out = render(&s);
        assert!(!out.contains("legend") && !out.contains("hl-") && !out.contains("@media"));
        let dark = stylesheet(&s, Theme::Dark, false);
        assert!(dark.starts_with(&base_style()));
        assert!(dark.ends_with(&format!("{}</style>\n", dark_style())));
    }

    #[test]
    fn merged_arrows_are_drawn_by_weight_class() {
        let mut s = nested();
        assert!(s.edges.len() >= 3, "the sample has three arrows at least");
        s.edges[0].count = 9;
        s.edges[1].count = 10;
        s.edges[2].count = 250;
        let out = render(&s);
        let doc = parse(&out);
        let classes: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge ")))
            .filter_map(|n| n.attribute("class"))
            .collect();
        let weighed = |w: &str| classes.iter().filter(|c| c.split(' ').any(|x| x == w)).count();
        assert_eq!((weighed("weight-medium"), weighed("weight-heavy")), (1, 1), "{classes:?}");
        assert!(out.contains(".edge.weight-heavy .line { stroke-width: 3.2; }"));
        // Below the medium class nothing changes.
        s.edges[1].count = 2;
        s.edges[2].count = 2;
        assert!(!render(&s).contains("weight-"));
    }

    #[test]
    fn legend_lists_only_what_is_used_and_wraps() {
        let mut s = nested();
        s.nodes[0].classes = vec!["hl-cycle"];
        let only_marks = Legend::of(&s, false, 400.0).unwrap();
        let names: Vec<&str> = only_marks.entries.iter().map(|e| e.3.as_str()).collect();
        assert_eq!(names, ["dependency cycle"]);
        let full = Legend::of(&s, true, 200.0).unwrap();
        assert!(full.entries.iter().any(|e| e.3 == "optional sync call"));
        assert!(!full.entries.iter().any(|e| e.3 == "async message"));
        assert!(full.width <= 200.0 || full.entries.iter().all(|e| e.0 == 0.0));
        assert!(full.height > LEGEND_ROW);
        assert!(Legend::of(&nested(), false, 400.0).is_none());
    }

    #[test]
    fn stylesheet_names_the_measured_font() {
        assert!(base_style().contains(&format!("font-family: {FONT_FAMILY};")));
    }

    #[test]
    fn rendering_is_deterministic() {
        for scene in samples() {
            assert_eq!(render(&scene), render(&scene));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 32, ..Default::default() })]

        /// Arbitrary labels and ids give well-formed XML whose tooltips hold the labels.
        #[test]
        fn arbitrary_labels_give_valid_svg(
            ids in proptest::collection::btree_set("[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", 1..8),
            labels in proptest::collection::vec(proptest::prelude::any::<String>(), 8),
        ) {
            let s = arbitrary_scene(&ids, &labels);
            let out = render(&s);
            let doc = roxmltree::Document::parse(&out);
            proptest::prop_assert!(doc.is_ok(), "{:?}\n{}", doc.err(), out);
            let doc = doc.expect("checked");
            proptest::prop_assert!(!out.contains("<script"));
            for node in &s.nodes {
                let title = title_of(&doc, &format!("node-{}", node.id));
                proptest::prop_assert!(title.starts_with(&xml_kept(&node.label)));
            }
        }
    }
}
