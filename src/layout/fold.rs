//! Folding an entry chain: a left-to-right drawing that starts with a chain of single boxes
//! (user → frontend → gateway) spends one column of the drawing's full height on each of them.
//! [`entry_chain`] stacks the chain above its last box instead, flowing down into it, and
//! closes the columns it leaves empty.

use super::{Positioned, Rect, Size, bounds, title_rect};
use crate::scene::Scene;
use crate::vocab::Direction;

/// Gap between two stacked boxes of the chain (a top-to-bottom drawing's gap between layers);
/// an edge label adds its height.
const STACK_GAP: f64 = 40.0;

/// Tolerance of the geometric tests.
const EPS: f64 = 0.5;

/// Takes the scene and its left-to-right drawing; folds the drawing's entry chain when there
/// is one, the drawing is smaller for it and no longer out of shape than `max_aspect` (or than
/// before).
///
/// The entry chain is a path `s0 → s1 → … → head` where `s0` has no other edge, each later
/// box one edge in (from the one before) and, but for the head, one edge out, and the head two
/// or more; its boxes share their group (or have none), and every group holding one holds only
/// boxes of the chain; and everything else in the drawing lies right of the head. The boxes
/// before the head are stacked above it, centred on it, with their edges drawn straight down
/// and labels on them (as top to bottom).
pub(crate) fn entry_chain(scene: &Scene, drawn: &mut Positioned, max_aspect: f64) {
    if drawn.direction != Direction::LR
        || scene.direction_fixed
        || drawn.nodes.len() != scene.nodes.len()
    {
        return;
    }
    let Some(chain) = Chain::find(scene, drawn) else { return };
    let mut folded = drawn.clone();
    chain.stack(&mut folded);
    if !chain.refit_frames(scene, drawn, &mut folded) || !chain.stays_clear(scene, &folded) {
        return;
    }
    normalise(&mut folded);
    let aspect = |d: &Positioned| {
        let (w, h) = (d.width.max(1.0), d.height.max(1.0));
        (w / h).max(h / w)
    };
    if folded.width * folded.height < drawn.width * drawn.height
        && aspect(&folded) <= aspect(drawn).max(max_aspect)
    {
        *drawn = folded;
    }
}

/// An entry chain found in a drawing ([`entry_chain`]).
struct Chain {
    /// Its boxes, source first, head last.
    boxes: Vec<usize>,
    /// Its edges: `edges[k]` from `boxes[k]` to `boxes[k + 1]`.
    edges: Vec<usize>,
    /// The groups around it, holding nothing else.
    groups: Vec<usize>,
    /// The groups holding the head.
    head_groups: Vec<usize>,
    /// The head's box.
    head: Rect,
}

impl Chain {
    /// The drawing's entry chain, if it has one whose columns hold nothing else.
    fn find(scene: &Scene, drawn: &Positioned) -> Option<Self> {
        let (boxes, edges) = find_chain(scene)?;
        // One group around the whole chain (or none): frames between stacked boxes would need
        // their own room.
        if boxes.iter().any(|&v| scene.nodes[v].group != scene.nodes[boxes[0]].group) {
            return None;
        }
        let groups = chain_groups(scene, &boxes)?;
        let last = *boxes.last()?;
        let chain = Self {
            head_groups: ancestors(scene, last),
            head: drawn.nodes[last],
            boxes,
            edges,
            groups,
        };
        // Everything else lies right of the head: the columns left of it hold only the chain.
        let right = chain.head.right() - EPS;
        let others_right =
            drawn.nodes.iter().enumerate().all(|(v, r)| chain.boxes.contains(&v) || r.x >= right)
                && drawn
                    .groups
                    .iter()
                    .enumerate()
                    .all(|(c, r)| chain.groups.contains(&c) || is_empty(r) || r.x >= right)
                && drawn.edges.iter().enumerate().all(|(i, e)| {
                    chain.edges.contains(&i)
                        || (e.points.iter().all(|q| q.0 >= right)
                            && e.label.is_none_or(|l| l.x >= right))
                });
        others_right.then_some(chain)
    }

    /// Stacks the boxes before the head above it, centred on it, their edges straight down.
    fn stack(&self, d: &mut Positioned) {
        let cx = self.head.x + self.head.width / 2.0;
        let mut above = self.head.y;
        for k in (0..self.boxes.len() - 1).rev() {
            let (v, e) = (self.boxes[k], self.edges[k]);
            let label = d.edges[e].label.map(|l| Size { width: l.width, height: l.height });
            let gap = STACK_GAP + label.map_or(0.0, |l| l.height);
            let r = d.nodes[v];
            let moved = Rect { x: cx - r.width / 2.0, y: above - gap - r.height, ..r };
            d.nodes[v] = moved;
            d.edges[e].points = vec![(cx, moved.bottom()), (cx, above)];
            d.edges[e].label = label.map(|l| Rect {
                x: cx - l.width / 2.0,
                y: moved.bottom() + (gap - l.height) / 2.0,
                width: l.width,
                height: l.height,
            });
            above = moved.y;
        }
    }

    /// Draws the frames around the chain again, innermost first, each with the margins it had
    /// around its contents in `before`; false if one has nothing in it.
    fn refit_frames(&self, scene: &Scene, before: &Positioned, d: &mut Positioned) -> bool {
        let contents = scene.group_contents();
        let mut order = self.groups.clone();
        order.sort_by_key(|&c| std::cmp::Reverse(depth(scene, c)));
        for c in order {
            let (members, children) = (&contents.members[c], &contents.children[c]);
            let old = contents_box(&before.nodes, &before.groups, members, children);
            let new = contents_box(&d.nodes, &d.groups, members, children);
            let (Some(old), Some(new)) = (old, new) else { return false };
            let f = before.groups[c];
            let (left, top) = (old.x - f.x, old.y - f.y);
            let (right, bottom) = (f.right() - old.right(), f.bottom() - old.bottom());
            let mut frame = Rect {
                x: new.x - left,
                y: new.y - top,
                width: new.width + left + right,
                height: new.height + top + bottom,
            };
            // The title keeps its width; the frame widens leftwards, into the columns let go.
            let title = before.titles[c].width;
            if frame.width < title {
                frame.x -= title - frame.width;
                frame.width = title;
            }
            d.groups[c] = frame;
            d.titles[c] =
                title_rect(&frame, Size { width: title, height: before.titles[c].height });
        }
        true
    }

    /// Whether the moved boxes, labels and frames stay clear of everything else (but the
    /// head's own lines, which leave through its frames).
    fn stays_clear(&self, scene: &Scene, d: &Positioned) -> bool {
        let head = self.boxes[self.boxes.len() - 1];
        let moved: Vec<(Rect, bool)> = self.boxes[..self.boxes.len() - 1]
            .iter()
            .map(|&v| (d.nodes[v], false))
            .chain(self.edges.iter().filter_map(|&e| d.edges[e].label).map(|l| (l, false)))
            .chain(self.groups.iter().map(|&c| (d.groups[c], self.head_groups.contains(&c))))
            .collect();
        moved.iter().all(|(m, holds_head)| {
            d.nodes.iter().enumerate().all(|(v, r)| self.boxes.contains(&v) || !overlaps(m, r))
                && d.groups
                    .iter()
                    .enumerate()
                    .all(|(c, r)| self.groups.contains(&c) || is_empty(r) || !overlaps(m, r))
                && d.edges.iter().enumerate().all(|(i, e)| {
                    self.edges.contains(&i)
                        || (e.label.is_none_or(|l| !overlaps(m, &l))
                            && ((*holds_head && scene.edges[i].from == head)
                                || !e.points.windows(2).any(|s| crosses(s[0], s[1], m))))
                })
        })
    }
}

/// The entry chain's boxes (source first, head last) and its edges (`edges[k]` from `boxes[k]`
/// to `boxes[k + 1]`), if the scene has one of two boxes or more whose head has two lines out
/// or more.
fn find_chain(scene: &Scene) -> Option<(Vec<usize>, Vec<usize>)> {
    let n = scene.nodes.len();
    let mut ins = vec![Vec::new(); n];
    let mut outs = vec![Vec::new(); n];
    for (i, e) in scene.edges.iter().enumerate() {
        if e.from >= n || e.to >= n {
            return None;
        }
        outs[e.from].push(i);
        ins[e.to].push(i);
    }
    'start: for s in 0..n {
        if !ins[s].is_empty() || outs[s].len() != 1 {
            continue;
        }
        let (mut boxes, mut edges) = (vec![s], Vec::new());
        let mut cur = s;
        loop {
            let e = outs[cur][0];
            let next = scene.edges[e].to;
            if boxes.contains(&next) || ins[next].len() != 1 {
                continue 'start;
            }
            boxes.push(next);
            edges.push(e);
            cur = next;
            let onward = outs[cur].len() == 1 && {
                let t = scene.edges[outs[cur][0]].to;
                ins[t].len() == 1 && !boxes.contains(&t)
            };
            if !onward {
                break;
            }
        }
        // The head spreads out: a chain that only ends is a top-to-bottom drawing already.
        if outs[cur].len() < 2 {
            continue;
        }
        return Some((boxes, edges));
    }
    None
}

/// Every group holding a box of `chain` (and their parents), if each holds nothing else.
fn chain_groups(scene: &Scene, chain: &[usize]) -> Option<Vec<usize>> {
    let ng = scene.groups.len();
    let mut marked = vec![false; ng];
    for &v in chain {
        let mut g = scene.nodes[v].group;
        let mut steps = 0;
        while let Some(c) = g.filter(|&c| c < ng) {
            marked[c] = true;
            g = scene.groups[c].parent.filter(|&p| p != c);
            steps += 1;
            if steps > ng {
                return None;
            }
        }
    }
    // A marked group's every member is in the chain, and its every child group is marked.
    for (v, node) in scene.nodes.iter().enumerate() {
        if node.group.is_some_and(|c| c < ng && marked[c]) && !chain.contains(&v) {
            return None;
        }
    }
    for (c, group) in scene.groups.iter().enumerate() {
        if group.parent.is_some_and(|p| p < ng && marked[p]) && !marked[c] {
            return None;
        }
    }
    Some((0..ng).filter(|&c| marked[c]).collect())
}

/// The groups holding box `v`, innermost first.
fn ancestors(scene: &Scene, v: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut g = scene.nodes[v].group;
    while let Some(c) = g.filter(|&c| c < scene.groups.len() && !out.contains(&c)) {
        out.push(c);
        g = scene.groups[c].parent;
    }
    out
}

/// How many parents group `c` has.
fn depth(scene: &Scene, c: usize) -> usize {
    let mut d = 0;
    let mut g = scene.groups[c].parent;
    while let Some(p) = g.filter(|&p| p < scene.groups.len() && d <= scene.groups.len()) {
        d += 1;
        g = scene.groups[p].parent;
    }
    d
}

/// The smallest box around a group's member boxes and child frames.
fn contents_box(
    nodes: &[Rect],
    groups: &[Rect],
    members: &[usize],
    children: &[usize],
) -> Option<Rect> {
    let rects: Vec<&Rect> = members
        .iter()
        .map(|&v| &nodes[v])
        .chain(children.iter().map(|&c| &groups[c]))
        .filter(|r| !is_empty(r))
        .collect();
    if rects.is_empty() {
        return None;
    }
    let (x0, y0, x1, y1) = bounds(rects.into_iter(), std::iter::empty());
    Some(Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
}

/// A frame that is not drawn (a group with nothing in it).
fn is_empty(r: &Rect) -> bool {
    r.width <= 0.0 && r.height <= 0.0
}

/// Whether two boxes share more than an edge.
fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() - EPS
        && b.x < a.right() - EPS
        && a.y < b.bottom() - EPS
        && b.y < a.bottom() - EPS
}

/// Whether the segment `a`–`b` passes through the inside of `r`.
fn crosses(a: (f64, f64), b: (f64, f64), r: &Rect) -> bool {
    let (x0, y0, x1, y1) = (r.x + EPS, r.y + EPS, r.right() - EPS, r.bottom() - EPS);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    for (p, q) in [(-dx, a.0 - x0), (dx, x1 - a.0), (-dy, a.1 - y0), (dy, y1 - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// Moves the drawing back to the origin and measures it again.
fn normalise(p: &mut Positioned) {
    let frames: Vec<Rect> = p.groups.iter().copied().filter(|r| !is_empty(r)).collect();
    let labels: Vec<Rect> = p.edges.iter().filter_map(|e| e.label).collect();
    let points: Vec<(f64, f64)> = p.edges.iter().flat_map(|e| e.points.iter().copied()).collect();
    let (x0, y0, x1, y1) =
        bounds(p.nodes.iter().chain(&frames).chain(&labels), points.iter().chain(&p.junctions));
    let shift = |r: &mut Rect| {
        r.x -= x0;
        r.y -= y0;
    };
    p.nodes.iter_mut().for_each(shift);
    p.groups.iter_mut().filter(|r| !is_empty(r)).for_each(shift);
    p.titles.iter_mut().filter(|r| !is_empty(r)).for_each(shift);
    for e in &mut p.edges {
        e.points.iter_mut().for_each(|q| *q = (q.0 - x0, q.1 - y0));
        if let Some(l) = &mut e.label {
            shift(l);
        }
    }
    p.junctions.iter_mut().for_each(|q| *q = (q.0 - x0, q.1 - y0));
    p.width = x1 - x0;
    p.height = y1 - y0;
}
