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
    if !refit_frames(scene, &chain.groups, drawn, &mut folded) || !chain.stays_clear(scene, &folded)
    {
        return;
    }
    normalise(&mut folded);
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

/// Draws the frames of `groups` again, innermost first, each with the margins it had around its
/// contents in `before`; false if one has nothing in it.
fn refit_frames(scene: &Scene, groups: &[usize], before: &Positioned, d: &mut Positioned) -> bool {
    let contents = scene.group_contents();
    let mut order = groups.to_vec();
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
        d.titles[c] = title_rect(&frame, Size { width: title, height: before.titles[c].height });
    }
    true
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

/// Gap between two rows of an entry block (a top-to-bottom drawing's gap between layers); the
/// tallest label between them adds its height, each further jog a track.
const ROW_GAP: f64 = 40.0;
/// Gap between two boxes side by side in a row of an entry block.
const ROW_SEP: f64 = 18.0;
/// Distance between two runs (as between two tracks of a gap).
const RUN_SEP: f64 = 8.0;
/// Room between the lowest run under an entry block and what lies below it.
const RUN_CLEAR: f64 = 16.0;
/// Drawings with more boxes than this are not searched for an entry block (hand-written
/// systems have far fewer; each cut tried costs a pass over the whole drawing).
const BLOCK_MAX_NODES: usize = 400;
/// Most lines an entry block may send out: they all come down one side of the column below it,
/// and a wider fan is hard to follow there.
const MAX_RUNS: usize = 8;
/// Two parallel lines nearer than this lie on top of each other.
const NEAR: f64 = 3.0;

/// Takes the scene and its left-to-right drawing; folds its *entry block* when it has one and
/// the drawing is smaller for it and no longer out of shape than `max_aspect` (or than before).
///
/// The entry block is the boxes of the drawing's first columns (users, the apps they use)
/// when nothing else lies in those columns, no line comes into them from elsewhere, their
/// lines among themselves go one column on, and their lines out leave from their last column
/// into the gap before the next. The block is drawn top to bottom instead, above the next
/// column: its first column becomes the top row, each line among its boxes runs down to the
/// next row, and each line out runs down from its box, sideways on a run of its own to a track
/// of its own in the gap, and down that track to where its labelled (or last sideways) stretch
/// begins, on as before from there. The columns let go are closed.
pub(crate) fn entry_block(scene: &Scene, drawn: &mut Positioned, max_aspect: f64) {
    let n = scene.nodes.len();
    if drawn.direction != Direction::LR
        || scene.direction_fixed
        || drawn.nodes.len() != n
        || n > BLOCK_MAX_NODES
        || drawn.edges.len() != scene.edges.len()
        || scene.edges.iter().any(|e| e.from >= n || e.to >= n)
    {
        return;
    }
    // Cuts: the left side of every box and frame.
    let mut lefts: Vec<f64> = drawn
        .nodes
        .iter()
        .chain(drawn.groups.iter().filter(|r| !is_empty(r)))
        .map(|r| r.x)
        .collect();
    lefts.sort_by(f64::total_cmp);
    lefts.dedup_by(|a, b| (*a - *b).abs() < EPS);
    let mut best: Option<Positioned> = None;
    for &cut in lefts.iter().skip(1) {
        let Some(folded) = fold_block(scene, drawn, cut) else { continue };
        let current = best.as_ref().unwrap_or(drawn);
        if folded.width * folded.height < current.width * current.height
            && aspect(&folded) <= aspect(drawn).max(max_aspect)
        {
            best = Some(folded);
        }
    }
    if let Some(b) = best {
        *drawn = b;
    }
}

/// How far out of square a drawing is (1 or more).
fn aspect(d: &Positioned) -> f64 {
    let (w, h) = (d.width.max(1.0), d.height.max(1.0));
    (w / h).max(h / w)
}

/// The drawing with the boxes left of `cut` folded into an entry block ([`entry_block`]), if
/// they form one and the folded drawing keeps every box, label and line clear.
#[allow(clippy::too_many_lines, reason = "one geometric construction, checked as a whole")]
fn fold_block(scene: &Scene, drawn: &Positioned, cut: f64) -> Option<Positioned> {
    let n = scene.nodes.len();
    let inside: Vec<bool> = drawn.nodes.iter().map(|r| r.right() < cut - EPS).collect();
    let count = inside.iter().filter(|&&b| b).count();
    if count == 0 || count == n {
        return None;
    }
    // Nothing else left of the cut: boxes, frames without a block box, other lines, buses.
    if drawn.nodes.iter().zip(&inside).any(|(r, &b)| !b && r.x < cut - EPS)
        || drawn.junctions.iter().any(|q| q.0 < cut - EPS)
    {
        return None;
    }
    let ng = scene.groups.len();
    let mut block_groups = vec![false; ng];
    for v in (0..n).filter(|&v| inside[v]) {
        for c in ancestors(scene, v) {
            block_groups[c] = true;
        }
    }
    if drawn
        .groups
        .iter()
        .enumerate()
        .any(|(c, r)| c < ng && !block_groups[c] && !is_empty(r) && r.x < cut - EPS)
    {
        return None;
    }
    // The block's columns, by centre.
    let mut centres: Vec<f64> =
        (0..n).filter(|&v| inside[v]).map(|v| drawn.nodes[v].center().0).collect();
    centres.sort_by(f64::total_cmp);
    centres.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    let col = |v: usize| {
        let c = drawn.nodes[v].center().0;
        centres.iter().position(|&x| (x - c).abs() < 1.0).unwrap_or(usize::MAX)
    };
    let last = centres.len() - 1;
    let gap_left = (0..n)
        .filter(|&v| inside[v])
        .map(|v| drawn.nodes[v].right())
        .fold(f64::NEG_INFINITY, f64::max);
    let mut internal = Vec::new();
    let mut out = Vec::new();
    for (i, e) in scene.edges.iter().enumerate() {
        let pts = &drawn.edges[i].points;
        if !inside[e.from] {
            if inside[e.to]
                || pts.iter().any(|q| q.0 < cut - EPS)
                || drawn.edges[i].label.is_some_and(|l| l.x < cut - EPS)
            {
                return None;
            }
            continue;
        }
        if inside[e.to] {
            if col(e.to) != col(e.from) + 1 {
                return None;
            }
            internal.push(i);
            continue;
        }
        // Out of the block: from its last column, sideways into the gap; what it does from
        // its labelled stretch on (or, unlabelled, from its last sideways stretch in the gap)
        // is kept.
        let src = drawn.nodes[e.from];
        if col(e.from) != last || pts.len() < 3 || (pts[0].0 - src.right()).abs() > EPS {
            return None;
        }
        let j = kept_from(&drawn.edges[i], cut)?;
        if pts[j + 1].0 < gap_left - EPS {
            return None;
        }
        out.push((i, j));
    }
    if out.is_empty() || out.len() > MAX_RUNS {
        return None;
    }

    // Rows: the block's first column on top; in a row, boxes in their order up the column (the
    // block turned a quarter clockwise, so its lines out keep their order).
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); centres.len()];
    for v in (0..n).filter(|&v| inside[v]) {
        rows[col(v)].push(v);
    }
    for row in &mut rows {
        row.sort_by(|&a, &b| drawn.nodes[b].y.total_cmp(&drawn.nodes[a].y).then(a.cmp(&b)));
    }
    let row_of: Vec<usize> = (0..n).map(|v| if inside[v] { col(v) } else { usize::MAX }).collect();
    // The column right of the cut: the block stands above it.
    let band = (0..n)
        .filter(|&v| !inside[v])
        .map(|v| drawn.nodes[v].right())
        .fold(f64::INFINITY, f64::min);
    let right = (0..n)
        .filter(|&v| !inside[v] && drawn.nodes[v].x < band)
        .flat_map(|v| {
            std::iter::once(drawn.nodes[v].right()).chain(
                ancestors(scene, v)
                    .into_iter()
                    .filter(|&c| !block_groups[c])
                    .map(|c| drawn.groups[c].right()),
            )
        })
        .fold(f64::NEG_INFINITY, f64::max);
    if !right.is_finite() {
        return None;
    }
    let block = Block { inside, groups: block_groups, rows, row_of, internal, out, right };
    let mut best: Option<Positioned> = None;
    for flush_left in [true, false] {
        if let Some(d) = block.place(scene, drawn, flush_left)
            && best.as_ref().is_none_or(|b| d.width * d.height < b.width * b.height)
        {
            best = Some(d);
        }
    }
    best
}

/// The index of the first point of an edge leaving an entry block that stays where it is: the
/// start of its labelled stretch when that lies left of `cut` (in the gap), else the start of
/// its last sideways stretch that begins left of `cut`.
fn kept_from(e: &super::EdgePath, cut: f64) -> Option<usize> {
    let pts = &e.points;
    let sideways = |k: usize| (pts[k].1 - pts[k + 1].1).abs() < EPS;
    match e.label.filter(|l| l.center().0 < cut) {
        Some(l) => {
            let (cx, cy) = l.center();
            (0..pts.len() - 1).find(|&k| {
                sideways(k)
                    && (pts[k].1 - cy).abs() < l.height / 2.0 + EPS
                    && pts[k].0.min(pts[k + 1].0) <= cx
                    && pts[k].0.max(pts[k + 1].0) >= cx
            })
        }
        None => (0..pts.len() - 1).rev().find(|&k| sideways(k) && pts[k].0 < cut - EPS),
    }
}

/// An entry block found by [`fold_block`], ready to be placed.
struct Block {
    /// Which boxes are in it.
    inside: Vec<bool>,
    /// Which groups hold one of its boxes.
    groups: Vec<bool>,
    /// Its rows, top first, each left to right.
    rows: Vec<Vec<usize>>,
    /// Each box's row (`usize::MAX` outside the block).
    row_of: Vec<usize>,
    /// Its lines among its boxes.
    internal: Vec<usize>,
    /// Its lines out, each with the index of its first point kept ([`kept_from`]).
    out: Vec<(usize, usize)>,
    /// The right side of the column it stands above.
    right: f64,
}

impl Block {
    /// The drawing with the block placed above the column right of the cut: flush with the
    /// tracks its lines come down on (`flush_left`) or with the column's right side.
    #[allow(
        clippy::too_many_lines,
        clippy::many_single_char_names,
        reason = "one geometric construction, checked as a whole"
    )]
    fn place(&self, scene: &Scene, drawn: &Positioned, flush_left: bool) -> Option<Positioned> {
        let n = scene.nodes.len();
        let ng = scene.groups.len();
        let inside = &self.inside;
        let rows = &self.rows;
        let last = rows.len() - 1;
        let mut d = drawn.clone();
        let row_width = |row: &[usize]| {
            row.iter().map(|&v| drawn.nodes[v].width).sum::<f64>()
                + ROW_SEP * (row.len().saturating_sub(1)) as f64
        };
        let row_height =
            |row: &[usize]| row.iter().map(|&v| drawn.nodes[v].height).fold(0.0, f64::max);
        // The tracks the lines out come down on, left of everything they keep (the top run's
        // leftmost).
        let anchor = self
            .out
            .iter()
            .map(|&(i, j)| {
                let e = &drawn.edges[i];
                e.label.map_or(e.points[j].0, |l| l.x.min(e.points[j].0))
            })
            .fold(f64::INFINITY, f64::min)
            - RUN_SEP;
        let r = self.out.len();
        let track = |k: usize| anchor - RUN_SEP * (r - 1 - k) as f64;
        let widest = rows.iter().map(|row| row_width(row)).fold(0.0, f64::max);
        let centre = if flush_left {
            track(0) + widest / 2.0
        } else {
            self.right - row_width(&rows[last]) / 2.0
        };
        // Rows at a provisional height (top at 0), moved down once the runs are known.
        let mut gaps = vec![0.0; rows.len()];
        let mut jogs = vec![0usize; rows.len()];
        for &i in &self.internal {
            let row = self.row_of[scene.edges[i].from];
            gaps[row] = f64::max(gaps[row], drawn.edges[i].label.map_or(0.0, |l| l.height));
            jogs[row] += 1;
        }
        let mut top = 0.0;
        let mut row_top = vec![0.0; rows.len()];
        for (k, row) in rows.iter().enumerate() {
            row_top[k] = top;
            let h = row_height(row);
            let mut x = centre - row_width(row) / 2.0;
            for &v in row {
                let b = drawn.nodes[v];
                d.nodes[v] = Rect { x, y: top + (h - b.height) / 2.0, ..b };
                x += b.width + ROW_SEP;
            }
            top += h + ROW_GAP + gaps[k] + RUN_SEP * jogs[k].saturating_sub(1) as f64;
        }
        let block_bottom = row_top[last] + row_height(&rows[last]);
        // Ports along a box's bottom (lines out, by where they go) and top (lines in).
        let spread = |r: &Rect, k: usize, m: usize| r.x + r.width * (k + 1) as f64 / (m + 1) as f64;
        let mut port_out = vec![0.0; scene.edges.len()];
        let mut port_in = vec![0.0; scene.edges.len()];
        let outs: Vec<usize> = self.out.iter().map(|&(i, _)| i).collect();
        for v in (0..n).filter(|&v| inside[v]) {
            let mut leaving: Vec<usize> = self
                .internal
                .iter()
                .chain(&outs)
                .copied()
                .filter(|&i| scene.edges[i].from == v)
                .collect();
            let goal = |i: usize| {
                let to = scene.edges[i].to;
                if inside[to] { d.nodes[to].center().0 } else { f64::NEG_INFINITY }
            };
            // Lines out first (their tracks lie left), the one going deepest leftmost: it
            // turns towards its target below the others and crosses none of them.
            let depth = |i: usize| {
                self.out.iter().find(|o| o.0 == i).map_or(0.0, |o| drawn.edges[i].points[o.1].1)
            };
            leaving.sort_by(|&a, &b| {
                goal(a).total_cmp(&goal(b)).then_with(|| depth(b).total_cmp(&depth(a)))
            });
            for (k, &i) in leaving.iter().enumerate() {
                port_out[i] = spread(&d.nodes[v], k, leaving.len());
            }
            let mut coming: Vec<usize> =
                self.internal.iter().copied().filter(|&i| scene.edges[i].to == v).collect();
            coming.sort_by(|&a, &b| {
                let (fa, fb) = (scene.edges[a].from, scene.edges[b].from);
                d.nodes[fa].center().0.total_cmp(&d.nodes[fb].center().0).then(a.cmp(&b))
            });
            for (k, &i) in coming.iter().enumerate() {
                port_in[i] = spread(&d.nodes[v], k, coming.len());
            }
        }
        // Lines among the block's boxes: down from the source, the label on that stretch, a
        // jog of its own in the lower part of the gap, down into the target.
        let mut jog_index = vec![0usize; rows.len()];
        for &i in &self.internal {
            let e = &scene.edges[i];
            let row = self.row_of[e.from];
            let (s, t) = (d.nodes[e.from], d.nodes[e.to]);
            let row_bottom = row_top[row] + row_height(&rows[row]);
            let (sx, tx) = (port_out[i], port_in[i]);
            let label = drawn.edges[i].label;
            let lh = label.map_or(0.0, |l| l.height);
            let jog = row_bottom + ROW_GAP / 2.0 + gaps[row] + RUN_SEP * jog_index[row] as f64;
            jog_index[row] += 1;
            d.edges[i].points = if (sx - tx).abs() < EPS {
                vec![(sx, s.bottom()), (tx, t.y)]
            } else {
                vec![(sx, s.bottom()), (sx, jog), (tx, jog), (tx, t.y)]
            };
            d.edges[i].label = label.map(|l| Rect {
                x: sx - l.width / 2.0,
                y: s.bottom() + (jog - s.bottom() - lh) / 2.0,
                ..l
            });
        }
        // Lines out: runs under the block, the leftmost port's on top and on the leftmost track.
        let mut runs = self.out.clone();
        runs.sort_by(|a, b| port_out[a.0].total_cmp(&port_out[b.0]).then(a.0.cmp(&b.0)));
        let first_run = block_bottom + ROW_GAP / 2.0;
        let runs_bottom = first_run + RUN_SEP * r.saturating_sub(1) as f64;
        // What the block must stay above: everything else between the tracks and its right.
        let x_lo =
            (0..n).filter(|&v| inside[v]).map(|v| d.nodes[v].x).fold(track(0), f64::min) - NEAR;
        let x_hi =
            (0..n).filter(|&v| inside[v]).map(|v| d.nodes[v].right()).fold(self.right, f64::max)
                + NEAR;
        let in_band = |a: f64, b: f64| a.min(b) <= x_hi && a.max(b) >= x_lo;
        let mut floor = f64::INFINITY;
        for (v, rect) in drawn.nodes.iter().enumerate() {
            if !inside[v] && in_band(rect.x, rect.right()) {
                floor = floor.min(rect.y);
            }
        }
        for (c, rect) in drawn.groups.iter().enumerate() {
            if !self.groups[c] && !is_empty(rect) && in_band(rect.x, rect.right()) {
                floor = floor.min(rect.y);
            }
        }
        for (i, e) in drawn.edges.iter().enumerate() {
            if self.internal.contains(&i) {
                continue;
            }
            let from = self.out.iter().find(|o| o.0 == i).map_or(0, |o| o.1);
            for q in e.points[from..].windows(2) {
                if in_band(q[0].0, q[1].0) {
                    floor = floor.min(q[0].1.min(q[1].1));
                }
            }
            if let Some(l) = e.label.filter(|l| in_band(l.x, l.right())) {
                floor = floor.min(l.y);
            }
        }
        if !floor.is_finite() {
            return None;
        }
        let shift = floor - RUN_CLEAR - runs_bottom;
        for v in (0..n).filter(|&v| inside[v]) {
            d.nodes[v].y += shift;
        }
        for &i in &self.internal {
            for q in &mut d.edges[i].points {
                q.1 += shift;
            }
            if let Some(l) = &mut d.edges[i].label {
                l.y += shift;
            }
        }
        for (k, &(i, j)) in runs.iter().enumerate() {
            let src = d.nodes[scene.edges[i].from];
            let old = &drawn.edges[i].points;
            let (p, y, x) = (port_out[i], first_run + RUN_SEP * k as f64 + shift, track(k));
            let mut points = vec![(p, src.bottom()), (p, y), (x, y), (x, old[j].1)];
            points.extend_from_slice(&old[j + 1..]);
            points.dedup_by(|a, b| (a.0 - b.0).abs() < EPS && (a.1 - b.1).abs() < EPS);
            d.edges[i].points = points;
        }
        let groups: Vec<usize> = (0..ng).filter(|&c| self.groups[c]).collect();
        if !refit_frames(scene, &groups, drawn, &mut d) {
            return None;
        }
        let moved: Vec<usize> = self.internal.iter().chain(&outs).copied().collect();
        if !block_clear(scene, &d, inside, &groups, &moved) {
            return None;
        }
        normalise(&mut d);
        Some(d)
    }
}

/// Whether the folded block's boxes, frames, labels and lines keep clear of everything else:
/// no box or label overlaps another, no frame takes in a box or frame that is not its own, no
/// moved line passes through a box other than its ends or a label other than its own, and no
/// moved line lies on top of another line.
fn block_clear(
    scene: &Scene,
    d: &Positioned,
    inside: &[bool],
    groups: &[usize],
    moved: &[usize],
) -> bool {
    let n = scene.nodes.len();
    let holds = |c: usize, v: usize| ancestors(scene, v).contains(&c);
    let within = |outer: usize, inner: usize| {
        let mut g = Some(inner);
        let mut steps = 0;
        while let Some(x) = g.filter(|&x| x < scene.groups.len() && steps <= scene.groups.len()) {
            if x == outer {
                return true;
            }
            g = scene.groups[x].parent;
            steps += 1;
        }
        false
    };
    for v in (0..n).filter(|&v| inside[v]) {
        let r = d.nodes[v];
        if (0..n).any(|w| w != v && overlaps(&r, &d.nodes[w])) {
            return false;
        }
        if d.groups.iter().enumerate().any(|(c, f)| !is_empty(f) && !holds(c, v) && overlaps(&r, f))
        {
            return false;
        }
    }
    for &c in groups {
        let f = d.groups[c];
        if (0..n).any(|v| !holds(c, v) && overlaps(&f, &d.nodes[v])) {
            return false;
        }
        if d.groups.iter().enumerate().any(|(k, g)| {
            k != c && !is_empty(g) && !within(c, k) && !within(k, c) && overlaps(&f, g)
        }) {
            return false;
        }
    }
    let labels: Vec<(usize, Rect)> =
        d.edges.iter().enumerate().filter_map(|(i, e)| e.label.map(|l| (i, l))).collect();
    for &(i, l) in &labels {
        if (0..n).any(|v| overlaps(&l, &d.nodes[v]))
            || labels.iter().any(|&(k, m)| k != i && overlaps(&l, &m))
        {
            return false;
        }
    }
    for &i in moved {
        let e = &scene.edges[i];
        let pts = &d.edges[i].points;
        for s in pts.windows(2) {
            if (0..n).any(|v| v != e.from && v != e.to && crosses(s[0], s[1], &d.nodes[v]))
                || labels.iter().any(|&(k, l)| k != i && crosses(s[0], s[1], &l))
            {
                return false;
            }
            for (k, other) in d.edges.iter().enumerate() {
                if k != i && other.points.windows(2).any(|t| lie_together(s[0], s[1], t[0], t[1])) {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether two axis-parallel segments run along each other (parallel, nearer than [`NEAR`],
/// sharing more than a point).
fn lie_together(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let overlap = |p: f64, q: f64, r: f64, s: f64| p.max(q).min(r.max(s)) - p.min(q).max(r.min(s));
    let vertical = |p: (f64, f64), q: (f64, f64)| (p.0 - q.0).abs() < EPS;
    let horizontal = |p: (f64, f64), q: (f64, f64)| (p.1 - q.1).abs() < EPS;
    (vertical(a, b)
        && vertical(c, d)
        && (a.0 - c.0).abs() < NEAR
        && overlap(a.1, b.1, c.1, d.1) > 1.0)
        || (horizontal(a, b)
            && horizontal(c, d)
            && (a.1 - c.1).abs() < NEAR
            && overlap(a.0, b.0, c.0, d.0) > 1.0)
}
