//! Positions for a sequence diagram: lifelines side by side, one row per message, return and
//! frame border, top to bottom.
//!
//! Input: a [`Sequence`]. Output: a [`Placed`] drawing in SVG units, top-left origin,
//! everything within `0..width × 0..height`. Invariants: columns are spaced so that every
//! message label fits between the lifelines it joins, and every head fits beside its
//! neighbours; each row has a height of its own, so labels, arrows and frame tags never share
//! a row; a frame encloses every row between its opening and its closing and every column
//! they touch, with a wider margin than the frames inside it; deterministic.

use super::Rect;
use super::text::{line_width, truncate};
use crate::scene::sequence::{Item, Sequence};

/// The most rows (messages, returns and frame borders) a drawing holds: a flow documents a
/// journey a reader follows, and the layout's work grows with rows times columns.
pub(crate) const MAX_ROWS: usize = 5_000;
/// The most lifelines a drawing holds.
pub(crate) const MAX_COLUMNS: usize = 300;

/// Font size of a head's label.
pub(crate) const HEAD_SIZE: f64 = 13.0;
/// Font size of message, return and frame labels.
pub(crate) const LABEL_SIZE: f64 = 12.0;
/// Font size of the title.
pub(crate) const TITLE_SIZE: f64 = 18.0;
/// Font size of the description.
pub(crate) const DESCRIPTION_SIZE: f64 = 12.0;
/// Widest head label.
const MAX_HEAD_TEXT: f64 = 200.0;
/// Widest message label.
const MAX_LABEL_TEXT: f64 = 360.0;
/// Widest description line.
const MAX_DESCRIPTION_TEXT: f64 = 900.0;
/// Margin around the drawing.
const PAD: f64 = 20.0;
/// Height of a head.
const HEAD_HEIGHT: f64 = 46.0;
/// Space between neighbouring heads.
const HEAD_GAP: f64 = 28.0;
/// Half the width of an activation bar.
pub(crate) const BAR: f64 = 5.0;
/// Horizontal room a label keeps from the lifelines at its ends.
const LABEL_ROOM: f64 = 24.0;
/// Height of a label's box.
const LABEL_HEIGHT: f64 = 16.0;
/// How far a message to its own sender reaches to the right.
const SELF_REACH: f64 = 34.0;
/// A frame's margin beyond the columns it touches, per frame nested inside it.
const FRAME_STEP: f64 = 10.0;
/// A frame's margin with no frame inside it.
const FRAME_MARGIN: f64 = 18.0;

/// A text and the box it is drawn in (its centre is the text's anchor).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Text {
    /// What is drawn, truncated to fit.
    pub text: String,
    /// The box, with its background.
    pub rect: Rect,
}

/// A message or return arrow.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Arrow {
    /// The item it draws, by index in [`Sequence::items`].
    pub item: usize,
    /// Polyline from the sender to the receiver.
    pub points: Vec<(f64, f64)>,
    /// Its label, if any (with the step number for a message).
    pub label: Option<Text>,
    /// `sync`, `async` or `return`, plus ` optional`.
    pub class: &'static str,
}

/// A `par` or `loop` frame.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Frame {
    /// The outline.
    pub rect: Rect,
    /// The tag in the top-left corner: `par` or `loop`.
    pub tag: Text,
    /// The frame's label, right of the tag.
    pub label: Option<Text>,
    /// Dashed lines between `par` branches: their height and each branch's label.
    pub separators: Vec<(f64, Option<Text>)>,
}

/// The whole drawing.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Placed {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// The title.
    pub title: Text,
    /// The description, if any.
    pub description: Option<Text>,
    /// One head per participant.
    pub heads: Vec<Rect>,
    /// Each head's label.
    pub head_labels: Vec<String>,
    /// Each lifeline: x, top, bottom.
    pub lifelines: Vec<(f64, f64, f64)>,
    /// Activation bars.
    pub bars: Vec<Rect>,
    /// Arrows, in item order.
    pub arrows: Vec<Arrow>,
    /// Frames, in the order they open.
    pub frames: Vec<Frame>,
}

fn one_line(s: &str, size: f64, max: f64) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&flat, size, max)
}

/// A message's label: its number, then its text.
fn message_text(number: usize, label: &str) -> String {
    let label = one_line(label, LABEL_SIZE, MAX_LABEL_TEXT);
    if label.is_empty() { format!("{number}") } else { format!("{number}. {label}") }
}

/// How deep frames nest in `items`.
fn frame_depth(items: &[Item]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for item in items {
        match item {
            Item::Open { .. } => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Item::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Open activation bars: (call number, participant, level, top).
type Active = Vec<(usize, usize, usize, f64)>;
/// Open frames: (frame index, top, left and right of what they hold so far).
type OpenFrames = Vec<(usize, f64, f64, f64)>;

/// How far from the lifeline a message leaves or reaches participant `p`: the edge of its
/// innermost activation bar, on the side facing the other end.
fn bar_edge(active: &Active, p: usize) -> f64 {
    let level = active.iter().filter(|a| a.1 == p).count();
    if level == 0 { 0.0 } else { BAR + (level - 1) as f64 * BAR }
}

/// Frames hold what is drawn inside them, with a margin.
fn touch(open: &mut OpenFrames, left: f64, right: f64) {
    for f in open.iter_mut() {
        f.2 = f.2.min(left - FRAME_MARGIN);
        f.3 = f.3.max(right + FRAME_MARGIN);
    }
}

fn label_text(text: String, x: f64, y: f64) -> Text {
    let w = line_width(&text, LABEL_SIZE) + 8.0;
    Text { text, rect: Rect { x, y, width: w, height: LABEL_HEIGHT } }
}

/// Lays out `seq`.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one pass over the rows, kept in one place")]
#[allow(clippy::many_single_char_names, reason = "x and y are the drawing's axes")]
pub(crate) fn lay_out(seq: &Sequence) -> Placed {
    let n = seq.participants.len().max(1);
    let head_labels: Vec<String> =
        seq.participants.iter().map(|p| one_line(&p.label, HEAD_SIZE, MAX_HEAD_TEXT)).collect();
    let mut head_w: Vec<f64> = head_labels
        .iter()
        .zip(&seq.participants)
        .map(|(l, p)| {
            let sides = super::measure::shape_insets(p.kind, HEAD_HEIGHT).0;
            (line_width(l, HEAD_SIZE) + 28.0 + sides).max(96.0)
        })
        .collect();
    head_w.resize(n, 96.0);

    // Columns: heads side by side, then pushed apart until every label fits.
    let mut x = vec![0.0; n];
    for i in 1..n {
        x[i] = x[i - 1] + head_w[i - 1] / 2.0 + HEAD_GAP + head_w[i] / 2.0;
    }
    let widen = |x: &mut Vec<f64>, left: usize, right: usize, need: f64| {
        let have = x[right] - x[left];
        if have < need {
            for xi in x.iter_mut().skip(right) {
                *xi += need - have;
            }
        }
    };
    // Room needed to the right of each column by messages to self.
    let mut self_room = vec![0.0_f64; n];
    for item in &seq.items {
        let (a, b, text) = match item {
            Item::Message { number, from, to, label, .. } => {
                (*from, *to, message_text(*number, label))
            }
            Item::Return { from, to, label: Some(l), .. } => {
                (*from, *to, one_line(l, LABEL_SIZE, MAX_LABEL_TEXT))
            }
            _ => continue,
        };
        let w = line_width(&text, LABEL_SIZE) + 8.0;
        if a == b {
            self_room[a] = self_room[a].max(SELF_REACH + 8.0 + w + 2.0 * BAR + 8.0);
        } else {
            widen(&mut x, a.min(b), a.max(b), w + 2.0 * LABEL_ROOM);
        }
    }
    for i in 0..n - 1 {
        widen(&mut x, i, i + 1, self_room[i] + head_w[i + 1] / 2.0);
    }

    // Frames need room on the left: the deepest nesting decides where the first column goes.
    let depth = frame_depth(&seq.items) as f64;
    let frames_left =
        if depth > 0.0 { FRAME_MARGIN + FRAME_STEP * (depth - 1.0) + 2.0 * BAR } else { 0.0 };
    let left = PAD + (head_w[0] / 2.0).max(frames_left);
    for xi in &mut x {
        *xi += left;
    }

    // Title and description.
    let title_text = one_line(&seq.title, TITLE_SIZE, MAX_DESCRIPTION_TEXT);
    let mut y = PAD;
    let title = Text {
        rect: Rect { x: PAD, y, width: line_width(&title_text, TITLE_SIZE), height: 24.0 },
        text: title_text,
    };
    y += 28.0;
    let description = seq.description.as_deref().map(|d| {
        let text = one_line(d, DESCRIPTION_SIZE, MAX_DESCRIPTION_TEXT);
        let t = Text {
            rect: Rect { x: PAD, y, width: line_width(&text, DESCRIPTION_SIZE), height: 18.0 },
            text,
        };
        y += 20.0;
        t
    });
    y += 10.0;
    let heads: Vec<Rect> = (0..seq.participants.len())
        .map(|i| Rect { x: x[i] - head_w[i] / 2.0, y, width: head_w[i], height: HEAD_HEIGHT })
        .collect();
    let lifeline_top = y + HEAD_HEIGHT;
    y = lifeline_top + 18.0;

    // Rows.
    let mut arrows = Vec::new();
    let mut bars = Vec::new();
    let mut active: Active = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut open_frames: OpenFrames = Vec::new();
    let mut right_edge = x[n - 1] + head_w[n - 1] / 2.0;
    for (index, item) in seq.items.iter().enumerate() {
        match item {
            Item::Message { number, from, to, label, is_async, optional } => {
                let text = message_text(*number, label);
                let class = match (is_async, optional) {
                    (false, false) => "sync",
                    (false, true) => "sync optional",
                    (true, false) => "async",
                    (true, true) => "async optional",
                };
                if from == to {
                    let x0 = x[*from] + bar_edge(&active, *from);
                    let label = label_text(text, x0 + SELF_REACH + 8.0, y + 8.0);
                    let right = label.rect.right();
                    arrows.push(Arrow {
                        item: index,
                        points: vec![
                            (x0, y + 6.0),
                            (x0 + SELF_REACH, y + 6.0),
                            (x0 + SELF_REACH, y + 30.0),
                            (x0, y + 30.0),
                        ],
                        label: Some(label),
                        class,
                    });
                    right_edge = right_edge.max(right);
                    touch(&mut open_frames, x[*from] - BAR, right);
                    y += 44.0;
                } else {
                    let dir = if to > from { 1.0 } else { -1.0 };
                    let arrow_y = y + LABEL_HEIGHT + 6.0;
                    let x0 = x[*from] + dir * bar_edge(&active, *from);
                    if !is_async {
                        let level = active.iter().filter(|a| a.1 == *to).count();
                        active.push((*number, *to, level, arrow_y));
                    }
                    let x1 = x[*to] - dir * bar_edge(&active, *to);
                    let mid = f64::midpoint(x[*from], x[*to]);
                    let mut label = label_text(text, 0.0, y);
                    label.rect.x = mid - label.rect.width / 2.0;
                    let (lo, hi) = (x[*from].min(x[*to]), x[*from].max(x[*to]));
                    touch(&mut open_frames, lo - 2.0 * BAR, hi + 2.0 * BAR);
                    arrows.push(Arrow {
                        item: index,
                        points: vec![(x0, arrow_y), (x1, arrow_y)],
                        label: Some(label),
                        class,
                    });
                    y = arrow_y + 14.0;
                }
            }
            Item::Return { number, from, to, label } => {
                let Some(pos) = active.iter().rposition(|a| a.0 == *number) else { continue };
                let (_, p, level, top) = active.remove(pos);
                let bar_x = x[p] - BAR + level as f64 * BAR;
                if let Some(l) = label {
                    let arrow_y = y + LABEL_HEIGHT + 6.0;
                    let dir = if to > from { 1.0 } else { -1.0 };
                    let x0 = x[*from] + dir * (BAR + level as f64 * BAR);
                    let x1 = x[*to] - dir * bar_edge(&active, *to);
                    let mid = f64::midpoint(x[*from], x[*to]);
                    let mut text = label_text(one_line(l, LABEL_SIZE, MAX_LABEL_TEXT), 0.0, y);
                    text.rect.x = mid - text.rect.width / 2.0;
                    arrows.push(Arrow {
                        item: index,
                        points: vec![(x0, arrow_y), (x1, arrow_y)],
                        label: Some(text),
                        class: "return",
                    });
                    bars.push(Rect { x: bar_x, y: top, width: 2.0 * BAR, height: arrow_y - top });
                    let (lo, hi) = (x[*from].min(x[*to]), x[*from].max(x[*to]));
                    touch(&mut open_frames, lo - 2.0 * BAR, hi + 2.0 * BAR);
                    y = arrow_y + 14.0;
                } else {
                    let bottom = y.max(top + 12.0);
                    bars.push(Rect { x: bar_x, y: top, width: 2.0 * BAR, height: bottom - top });
                    y = bottom + 4.0;
                }
            }
            Item::Open { par, label } => {
                let tag_text = if *par { "par" } else { "loop" };
                let tag_w = line_width(tag_text, LABEL_SIZE) + 14.0;
                frames.push(Frame {
                    rect: Rect { x: 0.0, y, width: 0.0, height: 0.0 },
                    tag: Text {
                        text: tag_text.into(),
                        rect: Rect { x: 0.0, y, width: tag_w, height: 18.0 },
                    },
                    label: label.as_deref().map(|l| {
                        label_text(
                            format!("[{}]", one_line(l, LABEL_SIZE, MAX_LABEL_TEXT)),
                            tag_w + 6.0,
                            y + 1.0,
                        )
                    }),
                    separators: Vec::new(),
                });
                open_frames.push((frames.len() - 1, y, f64::INFINITY, f64::NEG_INFINITY));
                y += 28.0;
            }
            Item::Branch(label) => {
                if let Some(&(f, ..)) = open_frames.last() {
                    y += 4.0;
                    let text = label.as_deref().map(|l| {
                        label_text(
                            format!("[{}]", one_line(l, LABEL_SIZE, MAX_LABEL_TEXT)),
                            0.0,
                            y + 4.0,
                        )
                    });
                    frames[f].separators.push((y, text));
                    y += 26.0;
                }
            }
            Item::Close => {
                let Some((f, top, lo, hi)) = open_frames.pop() else { continue };
                y += 6.0;
                let (mut left, mut right) = if lo.is_finite() {
                    (lo, hi)
                } else {
                    // An empty frame: over the first column.
                    (x[0] - FRAME_MARGIN - BAR, x[0] + FRAME_MARGIN + BAR)
                };
                // Room for the tag and the label on the top row, and each branch's label.
                let head_room = frames[f].tag.rect.width
                    + frames[f].label.as_ref().map_or(0.0, |l| l.rect.width + 6.0)
                    + 8.0;
                let widest_separator = frames[f]
                    .separators
                    .iter()
                    .filter_map(|(_, t)| t.as_ref().map(|t| t.rect.width + 16.0))
                    .fold(0.0, f64::max);
                left = left.max(PAD / 2.0);
                right = right.max(left + head_room.max(widest_separator));
                let frame = &mut frames[f];
                frame.rect = Rect { x: left, y: top, width: right - left, height: y - top };
                frame.tag.rect.x = left;
                if let Some(l) = &mut frame.label {
                    l.rect.x += left;
                }
                for t in frame.separators.iter_mut().filter_map(|(_, t)| t.as_mut()) {
                    t.rect.x = left + 8.0;
                }
                right_edge = right_edge.max(right);
                // The enclosing frames hold this one, a step further out.
                for o in &mut open_frames {
                    o.2 = o.2.min(left - FRAME_STEP);
                    o.3 = o.3.max(right + FRAME_STEP);
                }
                y += 10.0;
            }
        }
    }
    // Calls still open at the end: their bars run to the end.
    for (_, p, level, top) in active {
        let bar_x = x[p] - BAR + level as f64 * BAR;
        bars.push(Rect { x: bar_x, y: top, width: 2.0 * BAR, height: (y - top).max(12.0) });
    }
    y += 10.0;
    let lifelines = (0..seq.participants.len()).map(|i| (x[i], lifeline_top, y)).collect();
    let width = (right_edge + PAD)
        .max(title.rect.right() + PAD)
        .max(description.as_ref().map_or(0.0, |d| d.rect.right() + PAD));
    Placed {
        width,
        height: y + PAD,
        title,
        description,
        heads,
        head_labels,
        lifelines,
        bars,
        arrows,
        frames,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;
    use crate::analysis::testing::model;
    use crate::scene::sequence::sequence;

    /// Whether two rectangles share more than an edge.
    fn overlap(a: &Rect, b: &Rect) -> bool {
        const EPS: f64 = 1e-6;
        a.x < b.right() - EPS
            && b.x < a.right() - EPS
            && a.y < b.bottom() - EPS
            && b.y < a.bottom() - EPS
    }

    /// Whether a horizontal or vertical segment passes through a rectangle's inside.
    fn crosses(r: &Rect, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> bool {
        const EPS: f64 = 1e-6;
        let seg =
            Rect { x: x0.min(x1), y: y0.min(y1), width: (x1 - x0).abs(), height: (y1 - y0).abs() };
        seg.x < r.right() - EPS
            && r.x < seg.right() + EPS
            && seg.y < r.bottom() - EPS
            && r.y < seg.bottom() + EPS
    }

    /// Every promise of the module, checked on one drawing; panics with what broke.
    fn assert_quality(seq: &Sequence, p: &Placed) {
        let mut texts: Vec<(String, Rect)> = vec![("title".into(), p.title.rect)];
        texts.extend(p.description.iter().map(|d| ("description".to_string(), d.rect)));
        texts.extend(p.heads.iter().enumerate().map(|(i, h)| (format!("head {i}"), *h)));
        for a in &p.arrows {
            texts.extend(a.label.iter().map(|l| (format!("label of item {}", a.item), l.rect)));
        }
        for (i, f) in p.frames.iter().enumerate() {
            texts.push((format!("tag of frame {i}"), f.tag.rect));
            texts.extend(f.label.iter().map(|l| (format!("label of frame {i}"), l.rect)));
            for (_, l) in &f.separators {
                texts.extend(l.iter().map(|l| (format!("branch label of frame {i}"), l.rect)));
            }
        }
        // Texts: inside the drawing, never on each other.
        for (i, (a, ra)) in texts.iter().enumerate() {
            assert!(
                ra.x >= 0.0 && ra.y >= 0.0 && ra.right() <= p.width && ra.bottom() <= p.height,
                "{a} outside the drawing"
            );
            for (b, rb) in &texts[i + 1..] {
                assert!(!overlap(ra, rb), "{a} overlaps {b}: {ra:?} {rb:?}");
            }
        }
        // No arrow runs through a text, nor through a frame's tag or labels.
        for a in &p.arrows {
            for w in a.points.windows(2) {
                for (name, r) in &texts {
                    assert!(!crosses(r, w[0], w[1]), "item {} runs through {name}", a.item);
                }
            }
        }
        // Frames nest or stand apart, hold their tags and labels, and hold what happens inside.
        let mut spans = Vec::new();
        let mut open = Vec::new();
        for (i, item) in seq.items.iter().enumerate() {
            match item {
                Item::Open { .. } => open.push(i),
                Item::Close => {
                    let start = open.pop().expect("frames close in order");
                    spans.push((start, i));
                }
                _ => {}
            }
        }
        spans.sort_unstable();
        assert_eq!(spans.len(), p.frames.len());
        for (k, f) in p.frames.iter().enumerate() {
            assert!(f.rect.contains(&f.tag.rect), "frame {k} tag");
            for l in f.label.iter().chain(f.separators.iter().filter_map(|(_, l)| l.as_ref())) {
                assert!(f.rect.contains(&l.rect), "frame {k} label outside");
            }
            for (j, g) in p.frames.iter().enumerate().skip(k + 1) {
                let nested = f.rect.contains(&g.rect) || g.rect.contains(&f.rect);
                assert!(nested || !overlap(&f.rect, &g.rect), "frames {k} and {j} cross");
                if nested {
                    assert!(f.rect != g.rect, "frames {k} and {j} coincide");
                }
            }
            let (start, end) = spans[k];
            for a in p.arrows.iter().filter(|a| a.item > start && a.item < end) {
                for &(x, y) in &a.points {
                    let dot = Rect { x, y, width: 0.0, height: 0.0 };
                    assert!(f.rect.contains(&dot), "item {} leaves frame {k}", a.item);
                }
                if let Some(l) = &a.label {
                    assert!(f.rect.contains(&l.rect), "label of item {} leaves frame {k}", a.item);
                }
            }
        }
        for b in &p.bars {
            assert!(b.height > 0.0 && b.bottom() <= p.height);
        }
    }

    /// A small deterministic generator of random numbers (no dependency needed).
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    const NAMES: [&str; 6] = ["web", "gateway", "orders", "payments", "db", "events"];

    fn steps(r: &mut Lcg, depth: usize, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for _ in 0..=r.below(4) {
            match r.below(9) {
                0 if depth < 3 => {
                    let _ = writeln!(out, "{pad}- par:");
                    for b in 0..=r.below(2) + 1 {
                        let _ = writeln!(out, "{pad}    - label: branch {b} with a longer name");
                        let _ = writeln!(out, "{pad}      steps:");
                        steps(r, depth + 1, out, indent + 8);
                    }
                    let _ = writeln!(out, "{pad}  label: at once");
                }
                1 if depth < 3 => {
                    let _ = writeln!(out, "{pad}- loop: for each of the many items");
                    let _ = writeln!(out, "{pad}  steps:");
                    steps(r, depth + 1, out, indent + 4);
                }
                _ => {
                    let from = NAMES[r.below(6) as usize];
                    let to = NAMES[r.below(6) as usize];
                    let label = "x".repeat(r.below(40) as usize);
                    let returns = if r.below(2) == 0 { ", returns: an answer" } else { "" };
                    let asynchronous = if r.below(4) == 0 { ", async: true" } else { "" };
                    let _ = writeln!(
                        out,
                        "{pad}- {{ from: {from}, to: {to}, label: '{label}'{returns}{asynchronous} }}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_flows_keep_every_promise() {
        let mut r = Lcg(7);
        let (mut frames, mut arrows) = (0, 0);
        for case in 0..300 {
            let mut yaml = String::from(
                "version: 1\nname: T\nservices:\n  web: { kind: frontend, label: The web shop front end }\n  gateway: { kind: gateway }\n  orders: {}\n  payments: { kind: external }\n  db: { kind: database }\n  events: { kind: topic }\nflows:\n  f:\n    title: A flow\n    description: What happens\n    steps:\n",
            );
            steps(&mut r, 0, &mut yaml, 6);
            let m = model(&yaml);
            let seq = sequence(&m, &m.flows()[0]);
            let placed = lay_out(&seq);
            let result = std::panic::catch_unwind(|| assert_quality(&seq, &placed));
            assert!(result.is_ok(), "case {case}:\n{yaml}");
            assert_eq!(placed, lay_out(&seq), "deterministic");
            frames += placed.frames.len();
            arrows += placed.arrows.len();
        }
        // The generator exercises what it should.
        assert!(frames > 200 && arrows > 1000, "{frames} frames, {arrows} arrows");
    }

    #[test]
    fn long_labels_are_cut_and_columns_make_room() {
        let yaml = format!(
            "version: 1\nname: T\nservices:\n  a: {{ depends_on: [b] }}\n  b: {{}}\nflows:\n  f:\n    steps:\n      - {{ from: a, to: b, label: '{}' }}\n",
            "word ".repeat(150)
        );
        let m = model(&yaml);
        let seq = sequence(&m, &m.flows()[0]);
        let p = lay_out(&seq);
        let label = p.arrows[0].label.as_ref().unwrap();
        assert!(label.text.ends_with('…'));
        assert!(p.lifelines[1].0 - p.lifelines[0].0 >= label.rect.width);
        assert_quality(&seq, &p);
    }
}
