//! What the drawing's text takes: every box's wrapped lines and size, every edge label's lines
//! and size, every group title's size.
//!
//! Input: a [`Scene`]. Output: [`Measured`] for the layout engines, and the wrapped lines the
//! SVG writer draws ([`Measurements`]). Invariants: sizes are whole units and never smaller
//! than the text drawn in them (widths from [`text`], Liberation Sans); the same scene gives the
//! same sizes, so every writer and every engine agrees on them.

use super::text::{self, LINE_HEIGHT};
use super::{Measured, Size};
use crate::scene::{Scene, SceneEdge, SceneNode};
use crate::vocab::{Direction, Kind};

/// Font size of box labels.
pub(crate) const LABEL_SIZE: f64 = 13.0;

/// Font size of the second line in a box (technology, collapsed count).
pub(crate) const SUB_SIZE: f64 = 11.0;

/// Font size of edge labels.
pub(crate) const EDGE_SIZE: f64 = 11.0;

/// Font size of group titles (drawn bold: measured a little wider).
pub(crate) const GROUP_SIZE: f64 = 12.0;

/// How much wider bold text runs than regular, for measuring.
pub(crate) const BOLD_FACTOR: f64 = 1.08;

/// Horizontal padding inside a box.
const PAD_X: f64 = 12.0;

/// Vertical padding inside a box.
const PAD_Y: f64 = 7.0;

/// Narrowest box.
const MIN_WIDTH: f64 = 96.0;

/// Lowest box.
const MIN_HEIGHT: f64 = 40.0;

/// Widest line of an edge label before it wraps, in a drawing flowing top to bottom (labels sit
/// in slots between boxes, so narrow ones keep the drawing narrow).
const EDGE_LABEL_LINE: f64 = 120.0;

/// Widest line of an edge label before it wraps, in a drawing flowing left to right: there the
/// labels stand in columns between the columns of boxes, and the widest label of a column sets
/// its width, so a label takes two short lines rather than one long one.
const EDGE_LABEL_LINE_ACROSS: f64 = 84.0;

/// Widest line of text in a box before it wraps.
pub(crate) const MAX_LINE: f64 = 260.0;

/// Most lines a box shows; the last one ends in `…` when text was cut.
pub(crate) const MAX_LINES: usize = 4;

/// The lines drawn in one box.
pub(crate) struct BoxText {
    /// The label's lines.
    pub(crate) label: Vec<String>,
    /// The subtitle's lines.
    pub(crate) sub: Vec<String>,
}

/// Splits `s` into lines no wider than `max` at `size`: at newlines, then greedily at spaces,
/// cutting words that are wider than a line on their own (after a separator of names, paths
/// and image references — `/`, `-`, `:`, `.`, `_`, `@` — if that keeps at least half of the
/// line); at most `max_lines`, the last one ending in `…` when text was left out. Linear in the
/// text's length: widths are added up once, and wrapping stops once a line too many is made.
pub(crate) fn wrap(s: &str, size: f64, max: f64, max_lines: usize) -> Vec<String> {
    let s = text::normalize_newlines(s);
    let space = text::char_width_em(' ') * size;
    let mut lines: Vec<String> = Vec::new();
    'text: for paragraph in s.split('\n') {
        let mut line = String::new();
        let mut width = 0.0;
        for word in paragraph.split(' ') {
            if lines.len() > max_lines {
                break 'text;
            }
            let w = text::line_width(word, size);
            if line.is_empty() {
                line.push_str(word);
                width = w;
            } else if width + space + w <= max {
                line.push(' ');
                line.push_str(word);
                width += space + w;
            } else {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
                width = w;
            }
            // A word wider than a line on its own: cut it into pieces.
            while width > max {
                if lines.len() > max_lines {
                    break 'text;
                }
                let (cut, head) = cut_point(&line, size, max);
                let tail = line.split_off(cut);
                lines.push(std::mem::replace(&mut line, tail));
                width -= head;
            }
        }
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let cut = text::truncate(&format!("{last}…"), size, max);
            *last = if cut.ends_with("……") {
                cut.trim_end_matches('…').to_string() + "…"
            } else {
                cut
            };
        }
    }
    lines
}

/// Where to cut `line`, wider than `max`: after the last character that fits (one at least),
/// or after the last separator before it if that keeps at least half of `max`. Gives the byte
/// index and the width of the part before it.
fn cut_point(line: &str, size: f64, max: f64) -> (usize, f64) {
    let mut width = 0.0;
    let mut cut = (0, 0.0);
    let mut separator = None;
    for (i, c) in line.char_indices() {
        let w = text::char_width_em(c) * size;
        if width + w > max && i > 0 {
            break;
        }
        width += w;
        cut = (i + c.len_utf8(), width);
        if matches!(c, '/' | '-' | ':' | '.' | '_' | '@') {
            separator = Some(cut);
        }
    }
    match separator {
        Some(at) if at.0 < cut.0 && at.1 >= max / 2.0 => at,
        _ => cut,
    }
}

/// Extra room a kind's shape needs around its text: `(left + right, top, bottom)`.
pub(crate) fn shape_insets(kind: Kind, height: f64) -> (f64, f64, f64) {
    match kind {
        Kind::Gateway => (2.0 * (height / 2.0).min(18.0), 0.0, 0.0),
        Kind::Database | Kind::Cache => (0.0, 14.0, 4.0),
        Kind::Queue | Kind::Topic => (28.0, 0.0, 0.0),
        Kind::Storage | Kind::Function => (8.0, 8.0, 0.0),
        Kind::Frontend => (0.0, 10.0, 0.0),
        Kind::User => (36.0, 4.0, 4.0),
        Kind::Service | Kind::Job | Kind::External => (0.0, 0.0, 0.0),
    }
}

/// Height of `n` lines at `size`.
pub(crate) fn lines_height(n: usize, size: f64) -> f64 {
    n as f64 * size * LINE_HEIGHT
}

/// The widest of `lines` at `size`.
fn widest(lines: &[String], size: f64) -> f64 {
    lines.iter().map(|l| text::line_width(l, size)).fold(0.0, f64::max)
}

/// How wide a box's lines may be: [`Lines::Wide`] normally, [`Lines::Narrow`] for a drawing
/// that comes out too wide (see [`crate::layout::lay_out`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lines {
    /// Lines up to [`MAX_LINE`]; a subtitle takes two at most.
    Wide,
    /// Lines up to [`NARROW_LINE`]; a subtitle takes three at most, so a long image name or
    /// technology is wrapped, not cut.
    Narrow,
}

/// Widest line in a box measured [`Lines::Narrow`].
const NARROW_LINE: f64 = 170.0;

/// The text and size of a box.
fn measure_node(node: &SceneNode, lines: Lines) -> (BoxText, Size) {
    let (max, sub_lines) = match lines {
        Lines::Wide => (MAX_LINE, 2),
        Lines::Narrow => (NARROW_LINE, 3),
    };
    let label = wrap(&node.label, LABEL_SIZE, max, MAX_LINES);
    let sub = node.subtitle().map(|s| wrap(&s, SUB_SIZE, max, sub_lines)).unwrap_or_default();
    let text_w = widest(&label, LABEL_SIZE).max(widest(&sub, SUB_SIZE));
    let text_h = lines_height(label.len(), LABEL_SIZE) + lines_height(sub.len(), SUB_SIZE);
    let base_h = (text_h + 2.0 * PAD_Y).max(MIN_HEIGHT);
    let (extra_w, top, bottom) = shape_insets(node.kind, base_h);
    let size = Size {
        width: (text_w + 2.0 * PAD_X + extra_w).max(MIN_WIDTH).ceil(),
        height: (base_h + top + bottom).ceil(),
    };
    (BoxText { label, sub }, size)
}

/// Edge label lines and their background size, in a drawing flowing in `direction`.
fn measure_edge_label(edge: &SceneEdge, direction: Direction) -> Option<(Vec<String>, Size)> {
    let label = edge.display_label()?;
    let max = match direction {
        Direction::TB | Direction::BT => EDGE_LABEL_LINE,
        Direction::LR | Direction::RL => EDGE_LABEL_LINE_ACROSS,
    };
    let lines = wrap(&label, EDGE_SIZE, max, 3);
    let size = Size {
        width: (widest(&lines, EDGE_SIZE) + 8.0).ceil(),
        height: (lines_height(lines.len(), EDGE_SIZE) + 4.0).ceil(),
    };
    Some((lines, size))
}

/// Widest group title before it is cut with `…`.
pub(crate) const MAX_GROUP_TITLE: f64 = 480.0;

/// Size of a group's title: its text (bold, at most [`MAX_GROUP_TITLE`]) with 8 units on each
/// side, and the height of the band at the top of the frame that holds it.
fn measure_group_title(label: &str) -> Size {
    let text = text::line_width(&first_line(label), GROUP_SIZE * BOLD_FACTOR);
    Size {
        width: (text.min(MAX_GROUP_TITLE) + 16.0).ceil(),
        height: (GROUP_SIZE * LINE_HEIGHT + 8.0).ceil(),
    }
}

/// Every box's text and size, every edge label's lines and size, as the SVG draws them.
pub(crate) type Measurements = (Vec<BoxText>, Vec<Option<(Vec<String>, Size)>>, Measured);

/// Measures `scene`'s boxes with `lines`, and its edge labels for a drawing flowing in
/// `direction` (the scene's own, or the one [`crate::layout::lay_out`] turns it to).
pub(crate) fn measure_all(scene: &Scene, lines: Lines, direction: Direction) -> Measurements {
    let mut texts = Vec::with_capacity(scene.nodes.len());
    let mut sizes = Vec::with_capacity(scene.nodes.len());
    for node in &scene.nodes {
        let (t, s) = measure_node(node, lines);
        texts.push(t);
        sizes.push(s);
    }
    let edge_labels: Vec<Option<(Vec<String>, Size)>> =
        scene.edges.iter().map(|e| measure_edge_label(e, direction)).collect();
    let measured = Measured {
        nodes: sizes,
        edge_labels: edge_labels.iter().map(|l| l.as_ref().map(|(_, s)| *s)).collect(),
        group_titles: scene.groups.iter().map(|g| measure_group_title(&g.label)).collect(),
    };
    (texts, edge_labels, measured)
}

/// The sizes the SVG renderer gives every box, edge label and group title of `scene`.
#[must_use]
#[cfg(test)]
pub(crate) fn measure(scene: &Scene) -> Measured {
    measure_all(scene, Lines::Wide, scene.direction).2
}

/// The first line of `s`.
pub(crate) fn first_line(s: &str) -> String {
    text::normalize_newlines(s).split('\n').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width() {
        let lines = wrap("one two three four five six seven eight nine ten", 13.0, 80.0, 10);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text::line_width(l, 13.0) <= 80.0, "{l}");
        }
        assert_eq!(lines.join(" "), "one two three four five six seven eight nine ten");
        let cut = wrap(&"x".repeat(500), 13.0, 80.0, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
        assert_eq!(wrap("a\nb", 13.0, 80.0, 4), vec!["a", "b"]);
    }

    #[test]
    fn long_names_are_cut_after_a_separator() {
        let image = "ghcr.io/open-telemetry/opentelemetry-collector-releases/collector:0.159.0";
        let lines = wrap(image, 11.0, 170.0, 3);
        assert_eq!(lines.concat(), image);
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with(['/', '-', ':', '.']), "{lines:?}");
            assert!(text::line_width(l, 11.0) <= 170.0 && text::line_width(l, 11.0) >= 85.0);
        }
        // No separator in reach: cut where the line is full.
        let plain = wrap(&"x".repeat(60), 11.0, 170.0, 3);
        assert_eq!(plain.concat(), "x".repeat(60));
        assert!(plain.len() > 1);
    }

    #[test]
    fn a_megabyte_word_wraps_in_linear_time() {
        // Cut into four lines, the last ending in `…`; before, each piece measured the rest of
        // the word again and a 1 MB protocol never finished.
        let long = "a".repeat(1 << 20);
        let lines = wrap(&long, 11.0, 120.0, 4);
        assert_eq!(lines.len(), 4);
        assert!(lines[3].ends_with('…'));
        assert!(lines.iter().all(|l| text::line_width(l, 11.0) <= 120.0 + 1e-9));
    }
}
