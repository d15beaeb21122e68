//! Layered layout, phase 4: horizontal coordinates (Brandes–Köpf, extended to group frames).
//!
//! Input: the ordered layers as [`Token`] sequences and the item widths of a [`LGraph`], plus
//! per-group frame paddings. Output: the x of every item's centre. Method: Brandes & Köpf,
//! "Fast and simple horizontal coordinate assignment" (2001): mark type-1 conflicts (segments
//! crossing an inner segment between two dummies), align each item with a median neighbour
//! into vertical blocks in four directions (up/down × left/right), compact each alignment
//! as far left as the separation constraints allow, move the four results onto the narrowest and
//! take each item's average median (falling back to the mean where that breaks a separation). Groups add a left and a right border variable each, shared by every
//! layer: consecutive tokens of a layer give difference constraints (`x[b] - x[a] >= gap`), so
//! every layer keeps its group blocks apart and inside their parents. Items align only with
//! items of the same innermost group and the same slot between child groups, which keeps the
//! constraint graph acyclic. Invariants: separations hold in every layer (the average of
//! feasible solutions is feasible); long edges whose dummies align stay straight; deterministic.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use std::collections::HashSet;

use super::lgraph::{LGraph, Token};

/// Room between two boxes side by side.
pub(super) const NODE_SEP: f64 = 18.0;
/// Room between two long-edge dummies side by side (lines running along a layer, and labels
/// stacked in a channel between groups): a little more than [`super::route::TRACK_SEP`], since
/// a dummy's own width is that of its line.
const DUMMY_SEP: f64 = 7.0;
/// Room between a box and a dummy.
pub(super) const MIXED_SEP: f64 = 14.0;
/// Room between a group frame and whatever is next to it.
pub(super) const GROUP_SEP: f64 = 12.0;

/// Frame paddings, per group: the left and right side in layout coordinates.
pub(super) struct Pads {
    /// Padding between the left border and the content.
    pub(super) left: Vec<f64>,
    /// Padding between the content and the right border.
    pub(super) right: Vec<f64>,
    /// Least distance between the left and the right border (room for the title).
    pub(super) min_width: Vec<f64>,
    /// Extra constraints `x[item] - left border of group >= gap`, as `(group, item, gap)`:
    /// they keep a group's title clear of the items whose routes cross its title band.
    pub(super) reserve: Vec<(usize, usize, f64)>,
}

/// A token as the compaction sees it: the opening side (left in this direction) or closing
/// side of a group, or an item.
#[derive(Clone, Copy)]
enum Side {
    Item(usize),
    Open(usize),
    Close(usize),
}

/// The centre x of every item, and the left and right border of every group (the average of
/// the four alignments, like the items).
pub(super) fn position(
    g: &LGraph,
    layers: &[Vec<Token>],
    pads: &Pads,
) -> (Vec<f64>, Vec<(f64, f64)>) {
    let n = g.layer.len();
    let groups = g.group_parent.len();
    if n == 0 {
        return (Vec::new(), vec![(0.0, 0.0); groups]);
    }
    let conflicts = type1_conflicts(g);
    let slots = slots(g, layers);
    let mut results: Vec<(Vec<f64>, bool)> = Vec::with_capacity(4);
    // Items first, then each group's left and right border.
    for (down, left) in [(true, true), (true, false), (false, true), (false, false)] {
        let (root, _) = align(g, layers, &conflicts, &slots, down, left);
        let x = compact(g, layers, pads, &root, left)
            .or_else(|| compact(g, layers, pads, &(0..n).collect::<Vec<_>>(), left))
            .unwrap_or_else(|| vec![0.0; n + 2 * groups]);
        results.push((x, left));
    }
    // Move every result onto the narrowest one, then average.
    let extent = |x: &[f64]| {
        let lo = (0..n).map(|v| x[v] - g.width[v] / 2.0).fold(f64::INFINITY, f64::min);
        let hi = (0..n).map(|v| x[v] + g.width[v] / 2.0).fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let extents: Vec<(f64, f64)> = results.iter().map(|(x, _)| extent(x)).collect();
    let narrowest = (0..4)
        .min_by(|&a, &b| (extents[a].1 - extents[a].0).total_cmp(&(extents[b].1 - extents[b].0)))
        .unwrap_or(0);
    let (lo, hi) = extents[narrowest];
    let shifted: Vec<Vec<f64>> = results
        .iter()
        .zip(&extents)
        .map(|((x, left), (elo, ehi))| {
            let shift = if *left { lo - elo } else { hi - ehi };
            x.iter().map(|xv| xv + shift).collect()
        })
        .collect();
    // Balance as Brandes and Köpf do: the average of the two median candidates of each item,
    // which keeps long edges straighter and the drawing narrower than the mean of all four;
    // it is not always feasible with groups, so fall back to the mean (always feasible).
    let mut out: Vec<f64> = (0..n + 2 * groups)
        .map(|i| {
            let mut c = [shifted[0][i], shifted[1][i], shifted[2][i], shifted[3][i]];
            c.sort_by(f64::total_cmp);
            f64::midpoint(c[1], c[2])
        })
        .collect();
    if !feasible(g, layers, pads, &out) {
        out =
            (0..n + 2 * groups).map(|i| shifted.iter().map(|x| x[i]).sum::<f64>() / 4.0).collect();
    }
    let borders = (0..groups).map(|c| (out[n + 2 * c], out[n + 2 * c + 1])).collect();
    out.truncate(n);
    (out, borders)
}

/// Whether `x` (items, then each group's left and right border) keeps every separation.
fn feasible(g: &LGraph, layers: &[Vec<Token>], pads: &Pads, x: &[f64]) -> bool {
    const TOL: f64 = 1e-6;
    let n = g.layer.len();
    let pos = |t: Token| match t {
        Token::Item(v) => x[v],
        Token::Open(c) => x[n + 2 * c],
        Token::Close(c) => x[n + 2 * c + 1],
    };
    for tokens in layers {
        for pair in tokens.windows(2) {
            let gap = match (pair[0], pair[1]) {
                (Token::Item(u), Token::Item(v)) => {
                    let sep = match (g.dummy[u], g.dummy[v]) {
                        (true, true) => DUMMY_SEP,
                        (false, false) => NODE_SEP,
                        _ => MIXED_SEP,
                    };
                    f64::midpoint(g.width[u], g.width[v]) + sep
                }
                (Token::Item(u), Token::Open(_)) => g.width[u] / 2.0 + GROUP_SEP,
                (Token::Open(c), Token::Item(v)) => pads.left[c] + g.width[v] / 2.0,
                (Token::Open(c), Token::Open(d)) => pads.left[c].max(pads.left[d]),
                (Token::Close(c), Token::Close(d)) => pads.right[c].max(pads.right[d]),
                (Token::Item(u), Token::Close(c)) => g.width[u] / 2.0 + pads.right[c],
                (Token::Close(_), Token::Item(v)) => GROUP_SEP + g.width[v] / 2.0,
                (Token::Close(_), Token::Open(_)) => GROUP_SEP,
                (Token::Open(_), Token::Close(_)) => 0.0,
            };
            if pos(pair[1]) - pos(pair[0]) < gap - TOL {
                return false;
            }
        }
    }
    let spans_ok = pads.min_width.iter().enumerate().all(|(c, &w)| {
        g.span[c].is_none() || w <= 0.0 || x[n + 2 * c + 1] - x[n + 2 * c] >= w - TOL
    });
    spans_ok && pads.reserve.iter().all(|&(c, v, gap)| x[v] - x[n + 2 * c] >= gap - TOL)
}

/// Type-1 conflicts: a segment between a non-dummy and anything that crosses a segment between
/// two dummies. Pairs are `(upper, lower)`.
fn type1_conflicts(g: &LGraph) -> HashSet<(usize, usize)> {
    let mut marked = HashSet::new();
    let mut pos = vec![0usize; g.layer.len()];
    for layer in &g.layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
    for r in 0..g.layers.len().saturating_sub(1) {
        let upper_len = g.layers[r].len();
        let lower = &g.layers[r + 1];
        let mut k0 = 0usize;
        let mut scan = 0usize;
        for (l1, &v) in lower.iter().enumerate() {
            let inner =
                if g.dummy[v] { g.up[v].iter().copied().find(|&u| g.dummy[u]) } else { None };
            if l1 + 1 == lower.len() || inner.is_some() {
                let k1 = inner.map_or(upper_len.saturating_sub(1), |u| pos[u]);
                while scan <= l1 {
                    let w = lower[scan];
                    for &u in &g.up[w] {
                        let k = pos[u];
                        let is_inner = g.dummy[u] && g.dummy[w];
                        if (k < k0 || k > k1) && !is_inner {
                            marked.insert((u, w));
                        }
                    }
                    scan += 1;
                }
                k0 = k1;
            }
        }
    }
    marked
}

/// For each item: which gap between its block's child groups it sits in (1 + the sibling index
/// of the last child group closed before it, or 0), so alignments never jump over a group.
fn slots(g: &LGraph, layers: &[Vec<Token>]) -> Vec<usize> {
    let mut slot = vec![0usize; g.layer.len()];
    for tokens in layers {
        // (group, last closed child + 1); the bottom entry stands for the top level.
        let mut stack: Vec<usize> = vec![0];
        let index_in_parent = |c: usize| -> usize {
            let kids = match g.group_parent[c] {
                Some(p) => &g.group_children[p],
                None => &g.group_roots,
            };
            kids.iter().position(|&k| k == c).unwrap_or(0)
        };
        for t in tokens {
            match *t {
                Token::Item(v) => slot[v] = *stack.last().unwrap_or(&0),
                Token::Open(_) => stack.push(0),
                Token::Close(c) => {
                    stack.pop();
                    let i = index_in_parent(c);
                    if let Some(top) = stack.last_mut() {
                        *top = i + 1;
                    }
                }
            }
        }
    }
    slot
}

/// Vertical alignment in one of four directions: the root of every item's block, and the next
/// item in its block (cyclic).
fn align(
    g: &LGraph,
    layers: &[Vec<Token>],
    conflicts: &HashSet<(usize, usize)>,
    slots: &[usize],
    down: bool,
    left: bool,
) -> (Vec<usize>, Vec<usize>) {
    let n = g.layer.len();
    let mut root: Vec<usize> = (0..n).collect();
    let mut next: Vec<usize> = (0..n).collect();
    // Position of each item in its layer, in this direction's left-to-right order.
    let mut pos = vec![0usize; n];
    for layer in &g.layers {
        let len = layer.len();
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = if left { i } else { len - 1 - i };
        }
    }
    let order: Vec<usize> =
        if down { (0..layers.len()).collect() } else { (0..layers.len()).rev().collect() };
    for &r in order.iter().skip(1) {
        let mut items: Vec<usize> = g.layers[r].clone();
        if !left {
            items.reverse();
        }
        let mut last: Option<usize> = None;
        for v in items {
            let mut ns: Vec<usize> = if down { g.up[v].clone() } else { g.down[v].clone() };
            if ns.is_empty() {
                continue;
            }
            ns.sort_by_key(|&u| pos[u]);
            ns.dedup();
            let d = ns.len();
            let medians = if d % 2 == 1 { vec![(d - 1) / 2] } else { vec![d / 2 - 1, d / 2] };
            for m in medians {
                if next[v] != v {
                    break;
                }
                let u = ns[m];
                let key = if down { (u, v) } else { (v, u) };
                if conflicts.contains(&key)
                    || last.is_some_and(|l| l >= pos[u])
                    || g.group[u] != g.group[v]
                    || slots[u] != slots[v]
                {
                    continue;
                }
                // Append v below u, the bottom of its block (everything left of `last` is
                // taken, so u has nothing below it yet).
                let r0 = root[u];
                next[u] = v;
                next[v] = r0;
                root[v] = r0;
                last = Some(pos[u]);
            }
        }
    }
    (root, next)
}

/// Leftmost placement of the blocks given by `root` under the separation constraints of every
/// layer; `None` if the constraints have a cycle (they never should).
fn compact(
    g: &LGraph,
    layers: &[Vec<Token>],
    pads: &Pads,
    root: &[usize],
    left: bool,
) -> Option<Vec<f64>> {
    let n = g.layer.len();
    let groups = g.group_parent.len();
    // Variables: block roots (ids < n), then the left and right border of each group.
    let vars = n + 2 * groups;
    let mut succ: Vec<Vec<(usize, f64)>> = vec![Vec::new(); vars];
    let mut indeg = vec![0usize; vars];
    let pad_open = |c: usize| if left { pads.left[c] } else { pads.right[c] };
    let pad_close = |c: usize| if left { pads.right[c] } else { pads.left[c] };
    for tokens in layers {
        let sides: Vec<Side> = if left {
            tokens
                .iter()
                .map(|t| match *t {
                    Token::Item(v) => Side::Item(v),
                    Token::Open(c) => Side::Open(c),
                    Token::Close(c) => Side::Close(c),
                })
                .collect()
        } else {
            tokens
                .iter()
                .rev()
                .map(|t| match *t {
                    Token::Item(v) => Side::Item(v),
                    Token::Open(c) => Side::Close(c),
                    Token::Close(c) => Side::Open(c),
                })
                .collect()
        };
        let var = |s: Side| match s {
            Side::Item(v) => root[v],
            // In the mirrored direction the opening side is the right border.
            Side::Open(c) => n + 2 * c + usize::from(!left),
            Side::Close(c) => n + 2 * c + usize::from(left),
        };
        for pair in sides.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let gap = match (a, b) {
                (Side::Item(u), Side::Item(v)) => {
                    let sep = match (g.dummy[u], g.dummy[v]) {
                        (true, true) => DUMMY_SEP,
                        (false, false) => NODE_SEP,
                        _ => MIXED_SEP,
                    };
                    f64::midpoint(g.width[u], g.width[v]) + sep
                }
                (Side::Item(u), Side::Open(_)) => g.width[u] / 2.0 + GROUP_SEP,
                (Side::Open(c), Side::Item(v)) => pad_open(c) + g.width[v] / 2.0,
                (Side::Open(c), Side::Open(_)) => pad_open(c),
                (Side::Close(c), Side::Close(_)) => pad_close(c),
                (Side::Item(u), Side::Close(c)) => g.width[u] / 2.0 + pad_close(c),
                (Side::Close(_), Side::Item(v)) => GROUP_SEP + g.width[v] / 2.0,
                (Side::Close(_), Side::Open(_)) => GROUP_SEP,
                (Side::Open(_), Side::Close(_)) => 0.0,
            };
            let (va, vb) = (var(a), var(b));
            if va == vb {
                return None;
            }
            succ[va].push((vb, gap));
            indeg[vb] += 1;
        }
    }
    // Title room. Each of these is implied in direction by a path of the layer constraints
    // (the left border comes before every member, and before the right border), so no cycle.
    let mut extra = |a: usize, b: usize, gap: f64| {
        let (a, b) = if left { (a, b) } else { (b, a) };
        succ[a].push((b, gap));
        indeg[b] += 1;
    };
    for (c, &w) in pads.min_width.iter().enumerate() {
        if w > 0.0 && g.span[c].is_some() {
            extra(n + 2 * c, n + 2 * c + 1, w);
        }
    }
    for &(c, v, gap) in &pads.reserve {
        extra(n + 2 * c, root[v], gap);
    }
    let mut x = vec![0.0; vars];
    let mut queue: Vec<usize> = (0..vars).filter(|&v| indeg[v] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &(w, gap) in &succ[v] {
            if x[w] < x[v] + gap {
                x[w] = x[v] + gap;
            }
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    if queue.len() < vars {
        return None;
    }
    let sign = if left { 1.0 } else { -1.0 };
    let items = (0..n).map(|v| sign * x[root[v]]);
    // In the mirrored direction the variables of a group's two borders keep their meaning.
    let borders = (n..vars).map(|b| sign * x[b]);
    Some(items.chain(borders).collect())
}
