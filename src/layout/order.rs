//! Layered layout, phase 3: crossing reduction that keeps groups together.
//!
//! Input: a [`LGraph`] whose items (nodes, long-edge dummies, label dummies) sit in layers, each
//! item in at most one group of a group tree. Output: an order of every layer as a sequence of
//! [`Token`]s, where each group active in a layer (its items, its descendants' items, or the
//! layers in between) is one contiguous block `Open(g) … Close(g)`, nested blocks inside their
//! parents, and sibling groups appear in the same relative order in every layer (so frames can
//! be drawn without cutting through each other). Method: an initial order from a walk, then
//! median (or barycenter) sweeps (down and up) that sort each layer hierarchically — the direct
//! items of a block by their key, child blocks in a global sibling order re-estimated after
//! every sweep from their members' mean positions — each followed by adjacent transpositions
//! within a block until they remove no more crossings (ties swapped too every other pair of
//! sweeps, as dot does); the order with the fewest crossings (counted exactly,
//! Barth–Jünger–Mutzel) wins, and a start's sweeps stop after eight that remove under 0.5 % of
//! the crossings (dot's rule). Then two local searches on the exact count, which the sweeps'
//! averages often miss: sifting moves each item to the place within its block (among the
//! block's items and child blocks) with the fewest crossings on both sides; the sibling search
//! moves each group to every other place among its siblings (in every layer at once), lets the
//! items settle with two sweeps (and sifting, on small graphs) and keeps a move that removes
//! crossings. More starts run, and the best is kept, while a budget of work lasts (see
//! [`ORDER_BUDGET`]; the first start always runs, so large graphs take one and pay nothing
//! more): sixteen walks (depth or breadth first, in index order or reversed, along edges
//! downwards or upwards, each with medians or barycenters; a walk giving the same initial order
//! as an earlier one is skipped), then random orders (seeded by the start's number), which reach
//! good orders the walks miss. In graphs without groups later starts also move each item
//! together with a leaf (a neighbour with no other edge), and the best order each item
//! together with any neighbour, to the pair of places with the fewest crossings (which sifting
//! one item at a time cannot reach: a service and its own database past a hub); one count per
//! pair, then each step of either item changes the count by the crossings between it and the
//! item it passes. The sibling search runs from the best order.
//! Weights: every segment carries its edge's count (a collapsed view's merged line stands for
//! many dependencies); medians and barycenters count each neighbour's place as often as its
//! weight, and two crossing segments count the product of their weights wherever crossings
//! decide (so with every weight 1 nothing differs from counting lines). A layer pair with more
//! than [`DENSE_PAIR`] segments of different weights keeps only its heaviest for everything
//! but the sweeps ([`reduce_dense_pairs`]).
//! Invariants: deterministic (stable sorts, ties
//! by current position or index, budgets counted in work units rather than time).

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use super::lgraph::{LGraph, Token};

/// Sweeps for graphs of up to a few hundred items; bigger graphs get fewer.
const MAX_SWEEPS: usize = 24;
/// A start's sweeps stop after this many in a row that did not remove more than
/// [`CONVERGENCE`] of the crossings (dot's rule): later sweeps alternate between two orders or
/// win a tenth of a percent each.
const MIN_QUIT: usize = 8;
/// See [`MIN_QUIT`].
const CONVERGENCE: f64 = 0.995;
/// Starts from walks (see [`WALKS`]).
const STARTS: usize = 16;
/// The walks of the starts, in the order they run (see [`initial_keys`]), each with medians
/// or barycenters: medians first (they end with fewer crossings on most of the examples and
/// generated graphs), breadth-first walks from the last item first (the best single start on
/// them, with dot's alternation of tie swaps). Walks that lay a graph out in the same initial
/// order as an earlier one with the same key are skipped (depth- and breadth-first walks often
/// agree).
const WALKS: [(usize, bool); STARTS] = [
    (3, true),
    (2, true),
    (6, true),
    (7, true),
    (0, true),
    (1, true),
    (4, true),
    (5, true),
    (0, false),
    (1, false),
    (2, false),
    (3, false),
    (4, false),
    (5, false),
    (6, false),
    (7, false),
];

/// Orders every layer of `g` (see the module header); also rewrites `g.layers` to the item
/// order of the result.
#[allow(clippy::too_many_lines, reason = "all starts share one work budget and buffers")]
pub(super) fn order(g: &mut LGraph, budget: usize) -> Vec<Vec<Token>> {
    let groups = g.group_parent.len();
    let items = g.layer.len();
    let mut key = vec![0.0; items];

    let mut scratch = Scratch::new(groups);
    // Dense layer pairs of unequal weights keep only their heaviest segments for the rest of
    // the ordering; the sweeps still place every item by all its segments.
    scratch.pull = reduce_dense_pairs(g, DENSE_PAIR);
    let mut pos = vec![0usize; items];
    let mut idx = vec![0usize; items];
    let size = size_of(g);
    let sweeps = MAX_SWEEPS.min((4_000_000 / size).max(4));
    let transpose_work = if affords(size, budget) { TRANSPOSE_WORK } else { LARGE_TRANSPOSE_WORK };
    // Starts run while they have spent under three quarters of the budget (the first always
    // runs); the final pair moves may spend the rest.
    let start_budget = budget / 4 * 3;
    // What the starts have cost so far.
    let mut spent = 0;
    // Initial orders tried (with the median flag), so that walks reaching the same order run once.
    let mut tried: Vec<(bool, Vec<Vec<usize>>)> = Vec::new();
    // The best start's result (the earliest on a tie).
    let mut best: Option<(usize, Vec<Vec<usize>>, Vec<usize>)> = None;
    for start in 0..STARTS + RANDOM_STARTS {
        if start > 0 && spent >= start_budget {
            break;
        }
        let median = if let Some(&(walk, median)) = WALKS.get(start) {
            initial_keys(g, walk, &mut key);
            median
        } else {
            random_keys(start, &mut key);
            start % 2 == 1
        };
        let mut sibling: Vec<usize> = (0..groups).collect();
        for r in 0..g.layers.len() {
            let tokens = arrange(g, r, &key, &sibling, &mut scratch);
            g.layers[r] = items_of(&tokens);
        }
        update_siblings(g, &mut sibling);
        refresh_positions(g, &mut pos);
        if start < STARTS {
            if tried.iter().any(|(m, l)| *m == median && *l == g.layers) {
                continue;
            }
            tried.push((median, g.layers.clone()));
        }
        let mut here_layers = g.layers.clone();
        let mut here_sibling = sibling.clone();
        let mut here = total_crossings(g, &pos);
        let mut trying = 0;
        let mut swept = 0;
        // Transposition work (see [`transpose`]).
        let mut tw = 0;
        for s in 0..sweeps {
            if here == 0 || trying >= MIN_QUIT {
                break;
            }
            trying += 1;
            swept += 1;
            // Transpositions swap ties too every other pair of sweeps (dot's rule).
            let mode = Mode { down: s % 2 == 0, median, reverse: s % 4 >= 2, transpose_work };
            tw += sweep(g, &mut pos, &mut key, &sibling, &mut scratch, mode);
            update_siblings(g, &mut sibling);
            // Re-arranging with the new sibling order keeps blocks consistent across layers.
            rearrange(g, &mut pos, &mut key, &sibling, &mut scratch);
            let c = total_crossings(g, &pos);
            if c < here {
                if (c as f64) < CONVERGENCE * here as f64 {
                    trying = 0;
                }
                here = c;
                here_layers.clone_from(&g.layers);
                here_sibling.clone_from(&sibling);
            }
        }
        g.layers = here_layers;
        refresh_positions(g, &mut pos);
        // Local search on the exact count: single items (whole groups below).
        let mut work = SIFT_WORK;
        sift(g, &mut pos, &mut idx, &mut work, SIFT_ROUNDS);
        let mut cost =
            SWEEP_COST * size * swept + TRANSPOSE_COST * tw + SIFT_COST * (SIFT_WORK - work);
        if start > 0 {
            let mut work = PAIR_WORK;
            while sift_pairs(g, &mut pos, &mut work, true) {
                sift(g, &mut pos, &mut idx, &mut work, SIFT_ROUNDS);
            }
            cost += PAIR_COST * (PAIR_WORK - work);
        }
        spent += cost;
        let c = total_crossings(g, &pos);
        if best.as_ref().is_none_or(|b| c < b.0) {
            best = Some((c, g.layers.clone(), here_sibling));
        }
        if c == 0 {
            break;
        }
    }
    // The sibling search from the best order.
    let mut s = State { pos, key, scratch, idx };
    let mut sibling: Vec<usize> = (0..groups).collect();
    if let Some((_, layers, sib)) = best {
        g.layers = layers;
        sibling = sib;
        refresh_positions(g, &mut s.pos);
        search_siblings(g, &mut s, &mut sibling, size);
    }
    refresh_positions(g, &mut s.pos);
    // Graphs without groups: every item with every neighbour, from the best order, with what
    // is left of the budget.
    {
        let mut work = FINAL_PAIR_WORK.min(budget.saturating_sub(spent) / PAIR_COST);
        while sift_pairs(g, &mut s.pos, &mut work, false) {
            sift(g, &mut s.pos, &mut s.idx, &mut work, SIFT_ROUNDS);
        }
    }
    let State { pos, mut key, mut scratch, .. } = s;
    if let Some(links) = scratch.pull.take() {
        links.restore(g);
    }
    let mut out = Vec::with_capacity(g.layers.len());
    for r in 0..g.layers.len() {
        for &v in &g.layers[r] {
            key[v] = pos[v] as f64;
        }
        out.push(arrange(g, r, &key, &sibling, &mut scratch));
    }
    for (r, tokens) in out.iter().enumerate() {
        g.layers[r] = items_of(tokens);
    }
    out
}

/// Random starts at most, after the [`STARTS`] walks.
const RANDOM_STARTS: usize = 128;
/// The work one ordering may spend (the first start runs whatever it costs, the others only
/// while this lasts), in about a nanosecond each of this machine's release build (a budget in work, not time, so the result does not
/// depend on the machine): a start costs [`SWEEP_COST`] per item and segment swept,
/// [`TRANSPOSE_COST`] per unit of transposition work, [`SIFT_COST`] per unit of sifting work
/// and [`PAIR_COST`] per unit of pair-move work (fitted by least squares to the measured time
/// of 2,091 starts on the examples, the imported compose projects and generated systems).
/// Starts run while they have spent under three quarters of it, the final pair moves may
/// spend the rest. The layout divides it between the rankings it tries; flat diagrams get
/// more (see [`flat_budget`]).
pub(super) const ORDER_BUDGET: usize = 30_000_000;
/// What one start costs per item and segment, about (sweeps, transpositions and sifting).
const START_ESTIMATE: usize = 8_000;
/// See [`ORDER_BUDGET`].
const SWEEP_COST: usize = 150;
/// See [`ORDER_BUDGET`].
const TRANSPOSE_COST: usize = 4;
/// See [`ORDER_BUDGET`].
const SIFT_COST: usize = 8;
/// See [`ORDER_BUDGET`].
const PAIR_COST: usize = 3;
/// Budget per item and segment for flat diagrams that try several rankings (see
/// [`flat_budget`]).
const FLAT_BUDGET_PER_ITEM: usize = 80_000;
/// The most [`flat_budget`] gives.
const FLAT_BUDGET_MAX: usize = 120_000_000;
/// The budget for trying several rankings: only graphs of which every ranking can expect more
/// than one start try them (about 3,000 items and segments for four rankings, 6,000 for two;
/// a thousand synthetic components are about 25,000), so large graphs pay nothing.
pub(super) const RANKINGS_BUDGET: usize = 100_000_000;

/// The budget of a flat diagram (no groups) of `size` (see [`size_of`]) that tries several
/// rankings: [`ORDER_BUDGET`], or [`FLAT_BUDGET_PER_ITEM`] per item and segment up to
/// [`FLAT_BUDGET_MAX`] if that is more. Flat diagrams of 50 to 150 components are where
/// dot's single ordering is hardest to beat (grouped ones reach half of dot's crossings with
/// one start): with 30 ms one in eight of the generated ones ended above dot, with this none
/// (120 ms at most, where dot takes 60–160 ms).
pub(super) fn flat_budget(size: usize) -> usize {
    ORDER_BUDGET.max(FLAT_BUDGET_PER_ITEM.saturating_mul(size)).min(FLAT_BUDGET_MAX)
}

/// Keys of a random initial order, the same for the same `seed`: sixteen walks reach only a
/// few of the good orders of small graphs, random ones many more.
fn random_keys(seed: usize, key: &mut [f64]) {
    // xorshift64*, seeded by the start's number.
    let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for k in key.iter_mut() {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        *k = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64;
    }
}

/// Keys of an initial order: discovery order of a walk from every item in turn. `variant`'s
/// bits: 1, breadth first (else depth first); 2, items in reverse index order (else in index
/// order, scene order first); 4, along edges upwards (else downwards). Variant 0 is the
/// classic start.
fn initial_keys(g: &LGraph, variant: usize, key: &mut [f64]) {
    let (breadth, reverse, upwards) = (variant & 1 != 0, variant & 2 != 0, variant & 4 != 0);
    let items = g.layer.len();
    let mut seen = vec![false; items];
    let mut counter = 0.0;
    let mut queue = std::collections::VecDeque::new();
    for i in 0..items {
        let start = if reverse { items - 1 - i } else { i };
        if seen[start] {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        while let Some(v) = if breadth { queue.pop_front() } else { queue.pop_back() } {
            key[v] = counter;
            counter += 1.0;
            let next = if upwards { &g.up[v] } else { &g.down[v] };
            if breadth {
                for &w in next {
                    if !seen[w] {
                        seen[w] = true;
                        queue.push_back(w);
                    }
                }
            } else {
                for &w in next.iter().rev() {
                    if !seen[w] {
                        seen[w] = true;
                        queue.push_back(w);
                    }
                }
            }
        }
    }
}

/// Gansner's weighted median of positions `p`, sorted, each with its segment's weight (not
/// empty): the median of the list in which each position appears as often as its weight says
/// (a line standing for 50 dependencies pulls like 50 lines), found without writing that list
/// out. With every weight 1 it is Gansner's median of `p`.
fn weighted_median(p: &[(f64, usize)]) -> f64 {
    let total: usize = p.iter().map(|&(_, w)| w).sum();
    // The `k`th entry of the expanded list.
    let at = |k: usize| -> f64 {
        let mut seen = 0;
        for &(x, w) in p {
            seen += w;
            if k < seen {
                return x;
            }
        }
        p[p.len() - 1].0
    };
    let m = total / 2;
    if total % 2 == 1 {
        at(m)
    } else if total == 2 {
        f64::midpoint(at(0), at(1))
    } else {
        let (first, last) = (p[0].0, p[p.len() - 1].0);
        let (below, above) = (at(m - 1), at(m));
        let left = below - first;
        let right = last - above;
        if left + right > 0.0 {
            (below * right + above * left) / (left + right)
        } else {
            f64::midpoint(below, above)
        }
    }
}

/// How a sweep goes.
#[derive(Clone, Copy)]
struct Mode {
    /// Layer by layer downwards (else upwards).
    down: bool,
    /// Weighted medians of the neighbours' positions (else barycenters).
    median: bool,
    /// Transpositions swap ties too.
    reverse: bool,
    /// Transposition work allowed per item (see [`transpose`]).
    transpose_work: usize,
}

/// One barycenter (or median) sweep (down or up) with the sibling order fixed, then transpositions.
fn sweep(
    g: &mut LGraph,
    pos: &mut [usize],
    key: &mut [f64],
    sibling: &[usize],
    scratch: &mut Scratch,
    mode: Mode,
) -> usize {
    let Mode { down, median, reverse, transpose_work } = mode;
    let mut buf: Vec<(f64, usize)> = Vec::new();
    // Every segment pulls, the light ones of dense layer pairs too (see [`reduce_dense_pairs`]).
    let pull = scratch.pull.take();
    let layers: Vec<usize> = if down {
        (1..g.layers.len()).collect()
    } else {
        (0..g.layers.len().saturating_sub(1)).rev().collect()
    };
    for r in layers {
        let fixed_len = g.layers[if down { r - 1 } else { r + 1 }].len().max(1) as f64;
        let own_len = g.layers[r].len().max(1) as f64;
        let links = pull.as_ref().map_or((&g.up, &g.down, &g.up_weight, &g.down_weight), |l| {
            (&l.up, &l.down, &l.up_weight, &l.down_weight)
        });
        for &v in &g.layers[r] {
            let (ns, ws) =
                if down { (&links.0[v], &links.2[v]) } else { (&links.1[v], &links.3[v]) };
            key[v] = if ns.is_empty() {
                (pos[v] as f64 + 0.5) / own_len
            } else if let [u] = ns[..] {
                // One neighbour (every dummy): its place, whatever the weight.
                (pos[u] as f64 + 0.5) / fixed_len
            } else if median {
                buf.clear();
                buf.extend(
                    ns.iter().zip(ws).map(|(&u, &w)| ((pos[u] as f64 + 0.5) / fixed_len, w)),
                );
                buf.sort_by(|a, b| a.0.total_cmp(&b.0));
                weighted_median(&buf)
            } else {
                // Weights multiply exactly: with every weight 1 this is the plain barycenter.
                let sum: f64 =
                    ns.iter().zip(ws).map(|(&u, &w)| (pos[u] as f64 + 0.5) * w as f64).sum();
                let mass: usize = ws.iter().sum();
                sum / (mass as f64 * fixed_len)
            };
        }
        let tokens = arrange(g, r, key, sibling, scratch);
        g.layers[r] = items_of(&tokens);
        for (i, &v) in g.layers[r].iter().enumerate() {
            pos[v] = i;
        }
    }
    scratch.pull = pull;
    transpose(g, pos, reverse, transpose_work)
}

/// Every layer re-arranged in `sibling` order, keeping the items' relative order.
fn rearrange(
    g: &mut LGraph,
    pos: &mut [usize],
    key: &mut [f64],
    sibling: &[usize],
    scratch: &mut Scratch,
) {
    for r in 0..g.layers.len() {
        for &v in &g.layers[r] {
            key[v] = pos[v] as f64;
        }
        let tokens = arrange(g, r, key, sibling, scratch);
        g.layers[r] = items_of(&tokens);
    }
    refresh_positions(g, pos);
}

/// Sifting rounds over all layers, down and up, while they remove crossings (at most `rounds`,
/// and as far as `work` lasts).
fn sift(g: &mut LGraph, pos: &mut [usize], idx: &mut [usize], work: &mut usize, rounds: usize) {
    // Neighbour positions of a layer's items, reused from layer to layer.
    let mut sides = Vec::new();
    for _ in 0..rounds {
        let mut improved = false;
        for r in 0..g.layers.len() {
            improved |= sift_layer(g, pos, r, idx, work, &mut sides);
        }
        for r in (0..g.layers.len()).rev() {
            improved |= sift_layer(g, pos, r, idx, work, &mut sides);
        }
        if !improved || *work == 0 {
            break;
        }
    }
}

/// Lays the layers out in a new sibling order and lets the items settle (two sweeps, then
/// sifting if `sifted`); leaves the best order seen in `g.layers` and returns its crossings.
fn settle(
    g: &mut LGraph,
    s: &mut State,
    sibling: &[usize],
    sifted: bool,
    work: &mut usize,
) -> usize {
    rearrange(g, &mut s.pos, &mut s.key, sibling, &mut s.scratch);
    let mut best = total_crossings(g, &s.pos);
    let mut best_layers = g.layers.clone();
    for down in [true, false] {
        let mode = Mode { down, median: false, reverse: false, transpose_work: TRANSPOSE_WORK };
        sweep(g, &mut s.pos, &mut s.key, sibling, &mut s.scratch, mode);
        let c = total_crossings(g, &s.pos);
        if c < best {
            best = c;
            best_layers.clone_from(&g.layers);
        }
    }
    g.layers = best_layers;
    refresh_positions(g, &mut s.pos);
    if sifted {
        sift(g, &mut s.pos, &mut s.idx, work, 1);
        best = total_crossings(g, &s.pos);
    }
    best
}

/// The items of a token sequence, in order.
fn items_of(tokens: &[Token]) -> Vec<usize> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Item(v) => Some(*v),
            _ => None,
        })
        .collect()
}

fn refresh_positions(g: &LGraph, pos: &mut [usize]) {
    for layer in &g.layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
}

/// Reusable per-layer buffers, indexed by group, and the segments the sweeps pull by.
struct Scratch {
    direct: Vec<Vec<usize>>,
    sum: Vec<f64>,
    count: Vec<usize>,
    touched: Vec<usize>,
    /// Every segment, where dense layer pairs left the graph with only their heaviest ones
    /// (see [`reduce_dense_pairs`]): the sweeps place items by all of them.
    pull: Option<Links>,
}

impl Scratch {
    fn new(groups: usize) -> Scratch {
        Scratch {
            direct: vec![Vec::new(); groups + 1],
            sum: vec![0.0; groups],
            count: vec![0; groups],
            touched: Vec::new(),
            pull: None,
        }
    }
}

/// One layer as nested blocks: each block's direct items sorted by `key`, merged with its active
/// child groups taken in `sibling` order (each placed by its members' mean key).
fn arrange(g: &LGraph, r: usize, key: &[f64], sibling: &[usize], s: &mut Scratch) -> Vec<Token> {
    let groups = g.group_parent.len();
    for &t in &s.touched {
        s.direct[t].clear();
        if t < groups {
            s.sum[t] = 0.0;
            s.count[t] = 0;
        }
    }
    s.touched.clear();
    s.direct[groups].clear();
    s.touched.push(groups);
    for &v in &g.layers[r] {
        let slot = g.group[v].unwrap_or(groups);
        s.direct[slot].push(v);
        s.touched.push(slot);
        let mut up = g.group[v];
        while let Some(a) = up {
            s.sum[a] += key[v];
            s.count[a] += 1;
            s.touched.push(a);
            up = g.group_parent[a];
        }
    }
    let mut out = Vec::with_capacity(g.layers[r].len() + 4);
    // Explicit stack instead of recursion: (block, merged children, next).
    let children = |block: Option<usize>, s: &Scratch| -> Vec<Entry> {
        let mut items: Vec<usize> = s.direct[block.unwrap_or(groups)].clone();
        items.sort_by(|&a, &b| key[a].total_cmp(&key[b]));
        let kids: &[usize] = match block {
            Some(b) => &g.group_children[b],
            None => &g.group_roots,
        };
        let mut active: Vec<usize> = kids.iter().copied().filter(|&c| g.active(c, r)).collect();
        active.sort_by_key(|&c| sibling[c]);
        let mut merged = Vec::with_capacity(items.len() + active.len());
        let (mut i, mut j) = (0, 0);
        let mut last = f64::NEG_INFINITY;
        while i < items.len() || j < active.len() {
            let group_key = active
                .get(j)
                .map(|&c| if s.count[c] > 0 { s.sum[c] / s.count[c] as f64 } else { last });
            let take_item = match (items.get(i), group_key) {
                (Some(&v), Some(k)) => key[v] < k,
                (Some(_), None) => true,
                _ => false,
            };
            if take_item {
                merged.push(Entry::Item(items[i]));
                last = key[items[i]];
                i += 1;
            } else {
                merged.push(Entry::Group(active[j]));
                last = group_key.unwrap_or(last);
                j += 1;
            }
        }
        merged
    };
    let mut stack: Vec<(Option<usize>, Vec<Entry>, usize)> = vec![(None, children(None, s), 0)];
    while let Some(top) = stack.last_mut() {
        if top.2 < top.1.len() {
            let e = top.1[top.2];
            top.2 += 1;
            match e {
                Entry::Item(v) => out.push(Token::Item(v)),
                Entry::Group(c) => {
                    out.push(Token::Open(c));
                    let kids = children(Some(c), s);
                    stack.push((Some(c), kids, 0));
                }
            }
        } else {
            if let Some(b) = top.0 {
                out.push(Token::Close(b));
            }
            stack.pop();
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Entry {
    Item(usize),
    Group(usize),
}

/// Re-estimates the global order of sibling groups from their members' mean relative position.
fn update_siblings(g: &LGraph, sibling: &mut [usize]) {
    let groups = g.group_parent.len();
    if groups == 0 {
        return;
    }
    let mut sum = vec![0.0; groups];
    let mut count = vec![0usize; groups];
    for layer in &g.layers {
        let len = layer.len().max(1) as f64;
        for (i, &v) in layer.iter().enumerate() {
            let mut up = g.group[v];
            while let Some(a) = up {
                sum[a] += (i as f64 + 0.5) / len;
                count[a] += 1;
                up = g.group_parent[a];
            }
        }
    }
    let mean = |c: usize| if count[c] > 0 { sum[c] / count[c] as f64 } else { 0.5 };
    let mut reorder = |kids: &[usize]| {
        let mut k: Vec<usize> = kids.to_vec();
        k.sort_by(|&a, &b| mean(a).total_cmp(&mean(b)).then(sibling[a].cmp(&sibling[b])));
        let mut slots: Vec<usize> = kids.iter().map(|&c| sibling[c]).collect();
        slots.sort_unstable();
        for (c, s) in k.into_iter().zip(slots) {
            sibling[c] = s;
        }
    };
    reorder(&g.group_roots);
    for b in 0..groups {
        reorder(&g.group_children[b]);
    }
}

/// Segments a layer pair keeps for the crossing-based steps of the ordering when its segments
/// differ in weight (see [`reduce_dense_pairs`]).
pub(super) const DENSE_PAIR: usize = 1_024;

/// The segments of a layered graph, with their weights.
pub(super) struct Links {
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    up_weight: Vec<Vec<usize>>,
    down_weight: Vec<Vec<usize>>,
}

impl Links {
    /// Puts these segments back into `g`.
    fn restore(self, g: &mut LGraph) {
        g.up = self.up;
        g.down = self.down;
        g.up_weight = self.up_weight;
        g.down_weight = self.down_weight;
    }
}

/// Reduces every dense layer pair of `g` to its heaviest segments: a pair with more than
/// `keep` segments that are not all of one weight keeps its `keep` heaviest (ties: the one
/// first in item order), the others leave `g`'s links. Crossing counts, transpositions,
/// sifting, pair moves and the sibling search then weigh only the lines that stand for many
/// dependencies, and what they cost in such a pair is bounded by `keep`, not by the pair's
/// segments; the sweeps still place every item by all its segments (the light ones
/// follow the barycenter of theirs). Returns every segment, to restore afterwards, if any pair
/// was reduced. Pairs of equal weights (every drawing without merged edges) are left as they are.
pub(super) fn reduce_dense_pairs(g: &mut LGraph, keep: usize) -> Option<Links> {
    let mut full: Option<Links> = None;
    for r in 0..g.layers.len().saturating_sub(1) {
        let mut segments: Vec<(usize, usize, usize)> = Vec::new();
        for &v in &g.layers[r] {
            for (k, &w) in g.down_weight[v].iter().enumerate() {
                segments.push((v, k, w));
            }
        }
        let light = segments.iter().map(|s| s.2).min().unwrap_or(0);
        let heavy = segments.iter().map(|s| s.2).max().unwrap_or(0);
        if segments.len() <= keep || light == heavy {
            continue;
        }
        if full.is_none() {
            full = Some(Links {
                up: g.up.clone(),
                down: g.down.clone(),
                up_weight: g.up_weight.clone(),
                down_weight: g.down_weight.clone(),
            });
        }
        // Stable: equal weights keep item order.
        segments.sort_by_key(|s| std::cmp::Reverse(s.2));
        segments.truncate(keep);
        segments.sort_unstable_by_key(|s| (s.0, s.1));
        for &v in &g.layers[r] {
            g.down[v].clear();
            g.down_weight[v].clear();
        }
        for &w in &g.layers[r + 1] {
            g.up[w].clear();
            g.up_weight[w].clear();
        }
        let links = full.as_ref().expect("set above");
        for (v, k, m) in segments {
            let w = links.down[v][k];
            g.down[v].push(w);
            g.down_weight[v].push(m);
            g.up[w].push(v);
            g.up_weight[w].push(m);
        }
    }
    full
}

/// Weighted crossings (see [`crossings_below`]) between two adjacent items `u` (left) and `v`
/// (right) through their neighbours in both adjacent layers, as (`u` left of `v`, `v` left of
/// `u`); `buf` holds sorted positions with their weights.
fn pair_crossings(
    g: &LGraph,
    pos: &[usize],
    u: usize,
    v: usize,
    buf: &mut Sides,
) -> (usize, usize) {
    let mut uv = 0;
    let mut vu = 0;
    for (side, weight) in [(&g.up, &g.up_weight), (&g.down, &g.down_weight)] {
        let (su, sv) = (&side[u], &side[v]);
        // Long-edge dummies have one neighbour a side: no sorting needed.
        if su.len() <= 1 && sv.len() <= 1 {
            if let (Some(&a), Some(&b)) = (su.first(), sv.first()) {
                let one = |x: usize| if g.line[x] > 0 { g.line[x] } else { weight[x][0] };
                let w = one(u) * one(v);
                uv += if pos[a] > pos[b] { w } else { 0 };
                vu += if pos[a] < pos[b] { w } else { 0 };
            }
            continue;
        }
        let (a, b) = (&mut buf.0, &mut buf.1);
        a.clear();
        a.extend(su.iter().zip(&weight[u]).map(|(&x, &w)| (pos[x], w)));
        b.clear();
        b.extend(sv.iter().zip(&weight[v]).map(|(&x, &w)| (pos[x], w)));
        a.sort_unstable();
        b.sort_unstable();
        // uv: pairs with a > b; vu: pairs with a < b.
        uv += weighted_pairs_above(a, b);
        vu += weighted_pairs_above(b, a);
    }
    (uv, vu)
}

/// Sorted neighbour positions of an item, each with its segment's weight, above and below.
type Sides = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// The sum of `wx * wy` over the pairs of `(x, wx)` of `xs` and `(y, wy)` of `ys` with
/// `x > y` (both sorted by position): crossings weighted by the product of the two lines'
/// weights, in one pass.
fn weighted_pairs_above(xs: &[(usize, usize)], ys: &[(usize, usize)]) -> usize {
    let mut total = 0;
    let mut j = 0;
    let mut mass = 0;
    for &(x, wx) in xs {
        while j < ys.len() && ys[j].0 < x {
            mass += ys[j].1;
            j += 1;
        }
        total += wx * mass;
    }
    total
}

/// Swaps adjacent items of the same block while that removes crossings, until a pass removes
/// none or the work (neighbours compared) passes `work_per_item` per item; returns the work.
/// A pass looks only at layers that changed, or whose neighbour layers changed, since it last
/// looked at them: elsewhere it would find what it found then.
fn transpose(g: &mut LGraph, pos: &mut [usize], reverse: bool, work_per_item: usize) -> usize {
    // Four passes at most used to leave many improving swaps undone: to the end, one start
    // draws 5 % fewer crossings on the generated flat systems.
    let mut work = 0;
    let layers = g.layers.len();
    let mut buf = (Vec::new(), Vec::new());
    let mut changed = vec![true; layers];
    let mut now = vec![false; layers];
    loop {
        let mut improved = false;
        now.fill(false);
        for r in 0..layers {
            let near = changed[r]
                || (r > 0 && (changed[r - 1] || now[r - 1]))
                || changed.get(r + 1).copied().unwrap_or(false);
            if !near {
                continue;
            }
            for i in 0..g.layers[r].len().saturating_sub(1) {
                let (u, v) = (g.layers[r][i], g.layers[r][i + 1]);
                if g.group[u] != g.group[v] {
                    continue;
                }
                let degree = g.up[u].len() + g.down[u].len() + g.up[v].len() + g.down[v].len();
                if degree > 400 {
                    continue;
                }
                work += degree + 2;
                let (uv, vu) = pair_crossings(g, pos, u, v, &mut buf);
                if vu < uv || (reverse && vu == uv && uv > 0) {
                    g.layers[r].swap(i, i + 1);
                    pos[u] = i + 1;
                    pos[v] = i;
                    improved |= vu < uv;
                    now[r] = true;
                }
            }
        }
        if !improved || work > work_per_item * g.layer.len() {
            break;
        }
        std::mem::swap(&mut changed, &mut now);
    }
    work
}

/// Work per item for [`transpose`] in graphs that can afford more than one start: enough to
/// finish on small and medium graphs (on 10,000 synthetic components running to the end took
/// ten times longer than the whole layout).
const TRANSPOSE_WORK: usize = 128;
/// Work per item for [`transpose`] in graphs that take one start: 1,000 synthetic components
/// lay out in 0.13 s instead of 0.17 s and 10,000 in 1.7 s instead of 2.4 s, for crossings
/// within 0.2 % either way.
const LARGE_TRANSPOSE_WORK: usize = 16;

/// Whether a graph of `size` (see [`size_of`]) can expect more than one start from a budget of
/// `budget`.
pub(super) fn affords(size: usize, budget: usize) -> bool {
    START_ESTIMATE * size < budget
}

/// Items and segments of `g`, plus one: the unit of the ordering's budgets.
pub(super) fn size_of(g: &LGraph) -> usize {
    g.up.iter().map(Vec::len).sum::<usize>() + g.layer.len() + 1
}

/// Crossings of `g` in its current layer order.
pub(super) fn crossings(g: &LGraph) -> usize {
    let mut pos = vec![0; g.layer.len()];
    refresh_positions(g, &mut pos);
    total_crossings(g, &pos)
}

/// Crossings between all pairs of adjacent layers (accumulator tree, O(E log V) per pair).
pub(super) fn total_crossings(g: &LGraph, pos: &[usize]) -> usize {
    (0..g.layers.len().saturating_sub(1)).map(|r| crossings_below(g, pos, r)).sum()
}

/// Weighted crossings between layer `r` and layer `r + 1`: each pair of crossing segments
/// counts the product of their weights (two lines standing for 50 and 3 dependencies cross
/// 150 times), so with every weight 1 this is the number of crossings. An accumulator tree
/// (Barth–Jünger–Mutzel) holding weights instead of counts.
fn crossings_below(g: &LGraph, pos: &[usize], r: usize) -> usize {
    let mut total = 0;
    let len = g.layers[r + 1].len();
    let mut first = 1;
    while first < len.max(1) {
        first *= 2;
    }
    let mut tree = vec![0usize; 2 * first];
    let mut targets: Vec<(usize, usize)> = Vec::new();
    for &v in &g.layers[r] {
        targets.clear();
        if g.line[v] > 0 {
            // A dummy: one segment of its line's weight (none if a dense pair took it).
            targets.extend(g.down[v].iter().map(|&w| (pos[w], g.line[v])));
        } else {
            targets.extend(g.down[v].iter().zip(&g.down_weight[v]).map(|(&w, &m)| (pos[w], m)));
            targets.sort_unstable();
        }
        for &(t, m) in &targets {
            let mut index = t + first;
            tree[index] += m;
            while index > 1 {
                if index % 2 == 0 {
                    total += m * tree[index + 1];
                }
                index /= 2;
                tree[index] += m;
            }
        }
    }
    total
}

/// Work allowed for moving items with their leaves, per start, in segments counted (each
/// about a nanosecond).
const PAIR_WORK: usize = 4_000_000;
/// Work allowed for moving items with any neighbour, once, on the best order.
const FINAL_PAIR_WORK: usize = 16_000_000;

/// In a graph without groups, moves each item together with a neighbour (only a leaf, an item
/// whose only edge goes to it, if `leaves_only`) to the pair of places with the fewest
/// crossings, if that is fewer than where they are: a service and its own database, say,
/// which sifting one item at a time cannot move past a hub. Returns whether anything moved.
#[allow(clippy::too_many_lines, reason = "one tuned loop over shared spread positions")]
fn sift_pairs(g: &mut LGraph, pos: &mut [usize], work: &mut usize, leaves_only: bool) -> bool {
    if !g.group_parent.is_empty() {
        return false;
    }
    let mut moved = false;
    let mut sides: Vec<Sides> = Vec::new();
    for r in 0..g.layers.len() {
        for v in g.layers[r].clone() {
            let partners: Vec<usize> = g.up[v]
                .iter()
                .chain(&g.down[v])
                .copied()
                .filter(|&w| !leaves_only || g.up[w].len() + g.down[w].len() == 1)
                .collect();
            for w in partners {
                let rw = g.layer[w];
                // The layer pairs whose crossings the move changes.
                let top = r.min(rw).saturating_sub(1);
                let bottom = (r.max(rw) + 1).min(g.layers.len() - 1);
                let local = |g: &LGraph, pos: &[usize]| -> usize {
                    (top..bottom).map(|q| crossings_below(g, pos, q)).sum()
                };
                // Counting costs the layers' widths, paid even when there is nothing to gain:
                // layers thousands of items wide (long edges past a chain) would otherwise take
                // minutes of counts that find no crossings.
                let probe: usize =
                    (top..bottom).map(|q| g.layers[q].len() + g.layers[q + 1].len()).sum();
                if *work < probe {
                    *work = 0;
                    return moved;
                }
                *work -= probe;
                let current = local(g, pos);
                if current == 0 {
                    continue;
                }
                let (n, m) = (g.layers[r].len(), g.layers[rw].len());
                let segments: usize = (top..bottom)
                    .map(|q| g.layers[q].iter().map(|&x| g.down[x].len()).sum::<usize>())
                    .sum();
                let layer_edges: usize =
                    g.layers[r].iter().map(|&x| g.up[x].len() + g.down[x].len()).sum();
                let own = g.up[v].len() + g.down[v].len();
                let cost = m * (segments + layer_edges + n * own + 1);
                if *work < cost {
                    *work = 0;
                    return moved;
                }
                *work -= cost;
                let (pv, pw) = (pos[v], pos[w]);
                let mut best = (current, pv, pw);
                let mut lv = g.layers[r].clone();
                lv.remove(pv);
                let mut lw = g.layers[rw].clone();
                lw.remove(pw);
                // The count with both first in their layers, then w moved right one item at a
                // time and, for each place of w, v moved right one item at a time: a swap
                // changes only the crossings between the two swapped items' edges. Positions
                // in the two layers are spread out (2i + 2 for the others, odd for v and w) so
                // that only the sides naming v or w change as they move.
                g.layers[rw].clone_from(&lw);
                g.layers[rw].insert(0, w);
                g.layers[r].clone_from(&lv);
                g.layers[r].insert(0, v);
                for layer in [r, rw] {
                    for (i, &x) in g.layers[layer].iter().enumerate() {
                        pos[x] = i;
                    }
                }
                let mut base = local(g, pos);
                for (i, &x) in lv.iter().enumerate() {
                    pos[x] = 2 * i + 2;
                }
                for (i, &x) in lw.iter().enumerate() {
                    pos[x] = 2 * i + 2;
                }
                pos[v] = 1;
                pos[w] = 1;
                sides.resize_with(lv.len() + lw.len() + 2, Default::default);
                let (v_sides, rest) = sides.split_at_mut(1);
                let (w_sides, rest) = rest.split_at_mut(1);
                let (row_sides, other_sides) = rest.split_at_mut(lv.len());
                fill_sides(g, pos, w, &mut w_sides[0]);
                for (&x, b) in lw.iter().zip(other_sides.iter_mut()) {
                    fill_sides(g, pos, x, b);
                }
                for (&x, b) in lv.iter().zip(row_sides.iter_mut()) {
                    fill_sides(g, pos, x, b);
                }
                // The items of v's layer (besides v) next to w: their sides change with w.
                let near_w: Vec<usize> = (0..lv.len())
                    .filter(|&k| g.up[lv[k]].contains(&w) || g.down[lv[k]].contains(&w))
                    .collect();
                for q in 0..m {
                    if q > 0 {
                        let b = &other_sides[q - 1];
                        base = base + crossings_left_of(b, &w_sides[0])
                            - crossings_left_of(&w_sides[0], b);
                        pos[w] = 2 * q + 1;
                        for &k in &near_w {
                            fill_sides(g, pos, lv[k], &mut row_sides[k]);
                        }
                    }
                    let mut run = base;
                    if run < best.0 {
                        best = (run, 0, q);
                    }
                    fill_sides(g, pos, v, &mut v_sides[0]);
                    let a = &v_sides[0];
                    for (k, b) in row_sides.iter().enumerate() {
                        run = run + crossings_left_of(b, a) - crossings_left_of(a, b);
                        if run < best.0 {
                            best = (run, k + 1, q);
                        }
                    }
                }
                let (c, p, q) = best;
                g.layers[r] = lv;
                g.layers[r].insert(p, v);
                g.layers[rw] = lw;
                g.layers[rw].insert(q, w);
                for layer in [r, rw] {
                    for (i, &x) in g.layers[layer].iter().enumerate() {
                        pos[x] = i;
                    }
                }
                moved |= c < current;
            }
        }
    }
    moved
}

/// Fills `out` with the sorted positions of `v`'s neighbours above and below, with weights.
fn fill_sides(g: &LGraph, pos: &[usize], v: usize, out: &mut Sides) {
    for (side, weight, buf) in
        [(&g.up[v], &g.up_weight[v], &mut out.0), (&g.down[v], &g.down_weight[v], &mut out.1)]
    {
        buf.clear();
        buf.extend(side.iter().zip(weight).map(|(&x, &w)| (pos[x], w)));
        buf.sort_unstable();
    }
}

/// Work allowed for sifting, in neighbour positions compared (about 10 ns each), so large
/// graphs stay fast.
const SIFT_WORK: usize = 1_000_000;
/// Sifting rounds at most.
const SIFT_ROUNDS: usize = 8;
/// Work allowed for the sibling search, in the same unit; one candidate costs
/// [`CANDIDATE_COST`] per item and segment, plus its sifting. The search runs only when four
/// rounds of every candidate fit (hand-written diagrams; generated ones with a hundred
/// components already exceed it).
const GROUP_WORK: usize = 3_000_000;
/// What one candidate of the sibling search costs per item and segment (re-arranging, two
/// sweeps and three crossing counts, against sifting's cost per neighbour compared).
const CANDIDATE_COST: usize = 64;
/// Layered graphs up to this size (items and segments) sift every candidate of the sibling
/// search before judging it; bigger ones judge it after two sweeps.
const SIFT_CANDIDATES: usize = 1_000;

/// Buffers of the ordering, indexed by item.
struct State {
    pos: Vec<usize>,
    key: Vec<f64>,
    scratch: Scratch,
    idx: Vec<usize>,
}

/// Sibling search: moves each group to every other place among its siblings, lets the items
/// settle, and keeps the first move that lowers the cost (crossings, and lines through the
/// frames of groups that hold neither of their ends, see [`frame_crossings`]); rounds until
/// none does.
fn search_siblings(g: &mut LGraph, s: &mut State, sibling: &mut Vec<usize>, size: usize) {
    let groups = g.group_parent.len();
    let candidates: usize = std::iter::once(&g.group_roots)
        .chain(&g.group_children)
        .map(|k| k.len() * k.len().saturating_sub(1))
        .sum();
    let per_candidate = CANDIDATE_COST * size;
    if candidates == 0 || candidates.saturating_mul(per_candidate) > GROUP_WORK / 2 {
        return;
    }
    let mut work = GROUP_WORK;
    let cost = |g: &LGraph, pos: &[usize], sibling: &[usize], scratch: &mut Scratch| {
        total_crossings(g, pos) + FRAME_WEIGHT * frame_crossings(g, pos, sibling, scratch)
    };
    let mut best = cost(g, &s.pos, sibling, &mut s.scratch);
    let parents: Vec<Option<usize>> = std::iter::once(None).chain((0..groups).map(Some)).collect();
    for _ in 0..MAX_ROUNDS {
        let mut improved = false;
        for &parent in &parents {
            let kids: &[usize] = match parent {
                Some(p) => &g.group_children[p],
                None => &g.group_roots,
            };
            let mut kids = kids.to_vec();
            for c in kids.clone() {
                if best == 0 || work < per_candidate {
                    return;
                }
                kids.sort_by_key(|&k| sibling[k]);
                let from = kids.iter().position(|&k| k == c).unwrap_or(0);
                let mut slots: Vec<usize> = kids.iter().map(|&k| sibling[k]).collect();
                slots.sort_unstable();
                for to in 0..kids.len() {
                    if to == from || work < per_candidate {
                        continue;
                    }
                    work -= per_candidate;
                    let mut moved = kids.clone();
                    let x = moved.remove(from);
                    moved.insert(to, x);
                    let mut cand = sibling.clone();
                    for (&k, &slot) in moved.iter().zip(&slots) {
                        cand[k] = slot;
                    }
                    let saved = g.layers.clone();
                    settle(g, s, &cand, size <= SIFT_CANDIDATES, &mut work);
                    let c = cost(g, &s.pos, &cand, &mut s.scratch);
                    if c < best {
                        sift(g, &mut s.pos, &mut s.idx, &mut work, SIFT_ROUNDS);
                        best = cost(g, &s.pos, &cand, &mut s.scratch);
                        *sibling = cand;
                        improved = true;
                        break;
                    }
                    g.layers = saved;
                    refresh_positions(g, &mut s.pos);
                }
            }
        }
        if !improved {
            return;
        }
    }
}

/// What a line through the frame of a group that holds neither of its ends costs the sibling
/// search, in crossings.
const FRAME_WEIGHT: usize = 1;

/// Lines through foreign frames, as the order shows them: the weight of the (segment, group) pairs
/// where the group's frame spans the gap between the segment's layers, neither of the
/// segment's items lies in the group, and the segment's ends lie on opposite sides of the
/// group's block (the line runs sideways across the frame in that gap). Blocks are placed as
/// [`arrange`] places them for the final order, an empty one (a group spanning a layer it has
/// no items in) included.
fn frame_crossings(g: &LGraph, pos: &[usize], sibling: &[usize], s: &mut Scratch) -> usize {
    let groups = g.group_parent.len();
    let key: Vec<f64> = pos.iter().map(|&p| p as f64).collect();
    let place = |r: usize, at: &mut [usize]| {
        let mut open = vec![usize::MAX; groups];
        for (i, t) in arrange(g, r, &key, sibling, s).into_iter().enumerate() {
            match t {
                Token::Item(v) => at[v] = i,
                Token::Open(c) => open[c] = i,
                Token::Close(_) => {}
            }
        }
        open
    };
    frames_crossed(g, g.layers.len(), place, true)
}

/// Lines through foreign frames over the first `layers` layers, the blocks of layer `r` placed
/// by `place(r, at)` (which writes each item's place in the layer into `at` and gives each
/// group's opening place, `usize::MAX` where it has none); each line counts its weight when
/// `weighted`, else 1.
fn frames_crossed(
    g: &LGraph,
    layers: usize,
    mut place: impl FnMut(usize, &mut [usize]) -> Vec<usize>,
    weighted: bool,
) -> usize {
    let groups = g.group_parent.len();
    if groups == 0 || layers < 2 {
        return 0;
    }
    // Each item's place in its layer's tokens, and each group's in a layer's.
    let mut at = vec![0usize; g.layer.len()];
    let mut total = 0;
    let mut here = place(0, &mut at);
    for r in 0..layers - 1 {
        let below = place(r + 1, &mut at);
        let spanning: Vec<usize> = (0..groups)
            .filter(|&c| here[c] != usize::MAX && below[c] != usize::MAX)
            .filter(|&c| g.span[c].is_some_and(|(lo, hi)| lo <= r && r < hi))
            .collect();
        for &v in &g.layers[r] {
            for (&w, &m) in g.down[v].iter().zip(&g.down_weight[v]) {
                for &c in &spanning {
                    if inside(g, g.group[v], Some(c)) || inside(g, g.group[w], Some(c)) {
                        continue;
                    }
                    if (at[v] < here[c]) != (at[w] < below[c]) {
                        total += if weighted { m } else { 1 };
                    }
                }
            }
        }
        here = below;
    }
    total
}

/// Rounds of the sibling search at most.
const MAX_ROUNDS: usize = 4;

/// Lines through foreign frames in a finished order (`tokens`, as [`order`] gives them):
/// counted as [`frame_crossings`] counts them, from the blocks the tokens place.
pub(super) fn frame_crossings_of(g: &LGraph, tokens: &[Vec<Token>]) -> usize {
    let groups = g.group_parent.len();
    let place = |r: usize, at: &mut [usize]| {
        let mut open = vec![usize::MAX; groups];
        for (i, t) in tokens[r].iter().enumerate() {
            match *t {
                Token::Item(v) if v < at.len() => at[v] = i,
                Token::Open(c) if c < groups => open[c] = i,
                _ => {}
            }
        }
        open
    };
    frames_crossed(g, tokens.len().min(g.layers.len()), place, false)
}

/// Whether an item of group `inner` lies inside block `outer` (`None`: the whole layer).
fn inside(g: &LGraph, inner: Option<usize>, outer: Option<usize>) -> bool {
    let Some(outer) = outer else { return true };
    let mut up = inner;
    while let Some(x) = up {
        if x == outer {
            return true;
        }
        up = g.group_parent[x];
    }
    false
}

/// Weighted crossings between the edges of `a` and `b` when `a` is left of `b`, from their
/// sorted neighbour positions on both sides.
fn crossings_left_of(a: &Sides, b: &Sides) -> usize {
    weighted_pairs_above(&a.0, &b.0) + weighted_pairs_above(&a.1, &b.1)
}

/// Sifting in layer `r`: each item in turn moves to the place within its block (between the
/// block's other items and child blocks) with the fewest crossings on both sides, if that is
/// fewer than where it is. Returns whether anything moved.
#[allow(clippy::too_many_lines, reason = "one tuned loop over shared side buffers")]
fn sift_layer(
    g: &mut LGraph,
    pos: &mut [usize],
    r: usize,
    idx: &mut [usize],
    work: &mut usize,
    nb: &mut Vec<Sides>,
) -> bool {
    if *work == 0 {
        return false;
    }
    let snapshot = g.layers[r].clone();
    if nb.len() < snapshot.len() {
        nb.resize_with(snapshot.len(), Default::default);
    }
    for (i, &v) in snapshot.iter().enumerate() {
        fill_sides(g, pos, v, &mut nb[i]);
        idx[v] = i;
    }
    let mut units: Vec<(usize, usize)> = Vec::new();
    let mut delta: Vec<isize> = Vec::new();
    let mut moved = false;
    for &v in &snapshot {
        if nb[idx[v]].0.is_empty() && nb[idx[v]].1.is_empty() {
            continue;
        }
        let layer = &g.layers[r];
        let block = g.group[v];
        let here = pos[v];
        let mut lo = here;
        while lo > 0 && inside(g, g.group[layer[lo - 1]], block) {
            lo -= 1;
        }
        let mut hi = here + 1;
        while hi < layer.len() && inside(g, g.group[layer[hi]], block) {
            hi += 1;
        }
        // Units of the block at its own level: (start, end) ranges of the layer, without v.
        let unit_of = |w: usize| -> Option<usize> {
            // None for a direct item, else the child block holding it.
            let mut c = g.group[w];
            while let Some(x) = c {
                if g.group_parent[x] == block {
                    return Some(x);
                }
                c = g.group_parent[x];
            }
            None
        };
        units.clear();
        let mut k0 = 0;
        let mut i = lo;
        while i < hi {
            if i == here {
                k0 = units.len();
                i += 1;
                continue;
            }
            let u = if g.group[layer[i]] == block { None } else { unit_of(layer[i]) };
            let mut j = i + 1;
            if u.is_some() {
                while j < hi && j != here && unit_of(layer[j]) == u && g.group[layer[j]] != block {
                    j += 1;
                }
            }
            units.push((i, j));
            i = j;
        }
        if units.is_empty() {
            continue;
        }
        let a = &nb[idx[v]];
        let own = a.0.len() + a.1.len();
        let cost: usize =
            (lo..hi).map(|i| own + nb[idx[layer[i]]].0.len() + nb[idx[layer[i]]].1.len()).sum();
        if *work < cost {
            *work = 0;
            return moved;
        }
        *work -= cost;
        // cost(k): v before unit k. cost(0) = every unit right of v.
        let mut c = 0usize;
        delta.clear();
        for &(s, e) in &units {
            let mut d = 0isize;
            for &w in &layer[s..e] {
                let b = &nb[idx[w]];
                let right = crossings_left_of(a, b);
                let left = crossings_left_of(b, a);
                c += right;
                d += left as isize - right as isize;
            }
            delta.push(d);
        }
        let mut best = (c as isize, 0usize);
        let mut run = c as isize;
        let mut current = if k0 == 0 { run } else { isize::MAX };
        for (k, d) in delta.iter().enumerate() {
            run += d;
            if k + 1 == k0 {
                current = run;
            }
            if run < best.0 {
                best = (run, k + 1);
            }
        }
        if best.0 >= current {
            continue;
        }
        let k = best.1;
        let layer = &mut g.layers[r];
        layer.remove(here);
        let target = if k == units.len() { units[k - 1].1 } else { units[k].0 };
        let target = if target > here { target - 1 } else { target };
        layer.insert(target, v);
        for (i, &w) in layer.iter().enumerate() {
            pos[w] = i;
        }
        moved = true;
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layered graph: `layers` lists items (numbered from 0) per layer, in order; `edges` go
    /// from a layer to the next; `group` is each item's group; `parent` each group's parent.
    fn lgraph(
        layers: &[&[usize]],
        edges: &[(usize, usize)],
        group: Vec<Option<usize>>,
        parent: Vec<Option<usize>>,
    ) -> LGraph {
        let n = group.len();
        let mut layer = vec![0; n];
        for (r, l) in layers.iter().enumerate() {
            for &v in *l {
                layer[v] = r;
            }
        }
        let mut up = vec![Vec::new(); n];
        let mut down = vec![Vec::new(); n];
        for &(a, b) in edges {
            down[a].push(b);
            up[b].push(a);
        }
        let up_weight = up.iter().map(|u: &Vec<usize>| vec![1; u.len()]).collect();
        let down_weight = down.iter().map(|d: &Vec<usize>| vec![1; d.len()]).collect();
        let mut children = vec![Vec::new(); parent.len()];
        let mut roots = Vec::new();
        for (c, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p].push(c),
                None => roots.push(c),
            }
        }
        let mut span: Vec<Option<(usize, usize)>> = vec![None; parent.len()];
        for v in 0..n {
            let mut up_group = group[v];
            while let Some(a) = up_group {
                let r = layer[v];
                span[a] = Some(span[a].map_or((r, r), |(lo, hi)| (lo.min(r), hi.max(r))));
                up_group = parent[a];
            }
        }
        LGraph {
            layer,
            group,
            width: vec![10.0; n],
            height: vec![10.0; n],
            dummy: vec![false; n],
            up,
            down,
            up_weight,
            down_weight,
            line: vec![0; n],
            layers: layers.iter().map(|l| l.to_vec()).collect(),
            group_parent: parent,
            group_children: children,
            group_roots: roots,
            span,
        }
    }

    fn positions(g: &LGraph) -> Vec<usize> {
        let mut pos = vec![0; g.layer.len()];
        refresh_positions(g, &mut pos);
        pos
    }

    /// Sets the weight of every segment from `a` to `b`.
    fn weigh(g: &mut LGraph, a: usize, b: usize, weight: usize) {
        for (k, &w) in g.down[a].iter().enumerate() {
            if w == b {
                g.down_weight[a][k] = weight;
            }
        }
        for (k, &u) in g.up[b].iter().enumerate() {
            if u == a {
                g.up_weight[b][k] = weight;
            }
        }
    }

    /// Box `b` shares a line of weight 50 with `h` and three lines of weight 1 with `l`; hub
    /// `m` between them holds four boxes below, so `b` lies at one end of its layer, below `h`
    /// or below `l`, and its lines to the other cross the hub's.
    fn heavy_and_light() -> (LGraph, [usize; 3]) {
        let (h, m, l, b) = (0, 1, 2, 3);
        let c = [4, 5, 6, 7];
        let mut edges = vec![(h, b), (l, b), (l, b), (l, b), (h, c[0]), (l, c[3])];
        edges.extend(c.iter().map(|&x| (m, x)));
        let g = lgraph(&[&[h, m, l], &[b, 4, 5, 6, 7]], &edges, vec![None; 8], vec![]);
        (g, [h, l, b])
    }

    /// Whether `b` lies nearer to `x` than to `y` across the layers (centres of their places,
    /// each as a share of its layer).
    fn nearer(g: &LGraph, b: usize, x: usize, y: usize) -> bool {
        let pos = positions(g);
        let at = |v: usize| (pos[v] as f64 + 0.5) / g.layers[g.layer[v]].len() as f64;
        (at(b) - at(x)).abs() < (at(b) - at(y)).abs()
    }

    #[test]
    fn a_heavy_line_outweighs_several_light_ones() {
        // Counted one per line, b goes beside l; weighted, beside h, although its three lines
        // to l then cross the hub's, and the weighted crossings are fewer than the first
        // order's.
        let (mut light, [h, l, b]) = heavy_and_light();
        order(&mut light, ORDER_BUDGET);
        assert!(nearer(&light, b, l, h), "{:?}", light.layers);
        assert_eq!(crossings(&light), 2);
        let (mut heavy, _) = heavy_and_light();
        weigh(&mut heavy, h, b, 50);
        order(&mut heavy, ORDER_BUDGET);
        assert!(nearer(&heavy, b, h, l), "{:?}", heavy.layers);
        let weighted = crossings(&heavy);
        heavy.layers.clone_from(&light.layers);
        assert!(weighted < crossings(&heavy), "{weighted} {}", crossings(&heavy));
    }

    #[test]
    fn weighted_medians_and_crossings_match_repeated_lines() {
        // A line of weight 3 pulls and crosses like three lines (bit for bit).
        let same = |a: &[(f64, usize)], b: &[(f64, usize)]| {
            assert_eq!(weighted_median(a).to_bits(), weighted_median(b).to_bits(), "{a:?} {b:?}");
        };
        same(&[(0.1, 1), (0.5, 3)], &[(0.1, 1), (0.5, 1), (0.5, 1), (0.5, 1)]);
        same(&[(0.1, 1), (0.5, 2), (0.9, 1)], &[(0.1, 1), (0.5, 1), (0.5, 1), (0.9, 1)]);
        same(
            &[(0.2, 2), (0.3, 1), (0.9, 3)],
            &[(0.2, 1), (0.2, 1), (0.3, 1), (0.9, 1), (0.9, 1), (0.9, 1)],
        );
        assert_eq!(weighted_median(&[(0.1, 1), (0.5, 3)]).to_bits(), 0.5f64.to_bits());
        let mut g = lgraph(&[&[0, 1], &[2, 3]], &[(0, 3), (1, 2)], vec![None; 4], vec![]);
        assert_eq!(crossings(&g), 1);
        weigh(&mut g, 0, 3, 7);
        weigh(&mut g, 1, 2, 3);
        assert_eq!(crossings(&g), 21);
        let pos = positions(&g);
        let mut buf = (Vec::new(), Vec::new());
        assert_eq!(pair_crossings(&g, &pos, 2, 3, &mut buf), (21, 0));
    }

    #[test]
    fn a_dense_layer_pair_orders_by_its_heaviest_lines_within_its_budget() {
        // 100 boxes above 100 below, each linked to 40 below: 4,000 segments, 40 of weight 9.
        let top: Vec<usize> = (0..100).collect();
        let bottom: Vec<usize> = (100..200).collect();
        let edges: Vec<(usize, usize)> = (0..100)
            .flat_map(|v| (0..40).map(move |k| (v, 100 + (v * 7 + k * 13) % 100)))
            .collect();
        let mut g = lgraph(&[&top, &bottom], &edges, vec![None; 200], vec![]);
        for v in 0..40 {
            weigh(&mut g, v, 100 + (v * 7 + 39 * 13) % 100, 9);
        }
        let all = size_of(&g);
        let full = reduce_dense_pairs(&mut g, DENSE_PAIR).expect("the pair is dense");
        // The 40 heavy segments are kept, with the first light ones in item order.
        let kept: usize = g.down.iter().map(Vec::len).sum();
        assert_eq!(kept, DENSE_PAIR);
        assert_eq!(g.down_weight.iter().flatten().filter(|&&w| w == 9).count(), 40);
        assert!(size_of(&g) < all / 3);
        // Sifting the reduced pair costs what its kept segments cost: each item compares its
        // neighbours with every other item's in its layer, once per round and direction.
        let mut pos = positions(&g);
        let mut idx = vec![0; 200];
        let mut work = usize::MAX;
        sift(&mut g, &mut pos, &mut idx, &mut work, 1);
        let spent = usize::MAX - work;
        assert!(spent <= 2 * 2 * 100 * 2 * DENSE_PAIR, "{spent}");
        full.restore(&mut g);
        assert_eq!(size_of(&g), all);
        // All weights equal: nothing to choose by, the pair is left alone.
        let mut g = lgraph(&[&top, &bottom], &edges, vec![None; 200], vec![]);
        assert!(reduce_dense_pairs(&mut g, DENSE_PAIR).is_none());
        assert_eq!(size_of(&g), all);
    }

    #[test]
    fn random_starts_are_reproducible_and_differ_by_seed() {
        let (mut a, mut b, mut c) = (vec![0.0; 64], vec![0.0; 64], vec![0.0; 64]);
        random_keys(20, &mut a);
        random_keys(20, &mut b);
        random_keys(21, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A permutation's worth of distinct keys.
        let mut sorted = a.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        assert_eq!(sorted.len(), a.len());
    }

    #[test]
    fn sifting_moves_an_item_to_its_best_place() {
        // a b c over x y z with a -> z, b -> x, c -> y: z belongs first.
        let mut g =
            lgraph(&[&[0, 1, 2], &[3, 4, 5]], &[(0, 5), (1, 3), (2, 4)], vec![None; 6], vec![]);
        let mut pos = positions(&g);
        assert_eq!(total_crossings(&g, &pos), 2);
        let mut idx = vec![0; 6];
        let mut work = SIFT_WORK;
        sift(&mut g, &mut pos, &mut idx, &mut work, SIFT_ROUNDS);
        assert_eq!(total_crossings(&g, &pos), 0);
        assert!(work < SIFT_WORK);
    }

    #[test]
    fn pair_moves_pay_for_counting_even_where_nothing_crosses() {
        // Two layers of 1,000 items, each linked straight down: no crossings anywhere, so no
        // move is worth making, but every pair counted costs the layers' widths.
        let top: Vec<usize> = (0..1_000).collect();
        let bottom: Vec<usize> = (1_000..2_000).collect();
        let edges: Vec<(usize, usize)> = (0..1_000).map(|v| (v, v + 1_000)).collect();
        let mut g = lgraph(&[&top, &bottom], &edges, vec![None; 2_000], vec![]);
        let mut pos = positions(&g);
        let mut work = 100_000;
        assert!(!sift_pairs(&mut g, &mut pos, &mut work, false));
        // 2,000 items, each counting both layers (2,000 items) for its partner: 4 million
        // without a budget.
        assert_eq!(work, 0);
    }

    #[test]
    fn pair_moves_take_a_node_and_its_leaf_past_a_hub() {
        // Services 0, 1, 2 each with a database (5, 6, 7) and an edge to hub 8, which services
        // 3 and 4 also use: 0 1 2 3 4 / 5 6 7 8 has three crossings, which no single item
        // moving removes, but service 2 and its database moving together past the hub do.
        let mut g = lgraph(
            &[&[0, 1, 2, 3, 4], &[5, 6, 7, 8]],
            &[(0, 5), (0, 8), (1, 6), (1, 8), (2, 7), (2, 8), (3, 8), (4, 8)],
            vec![None; 9],
            vec![],
        );
        let mut pos = positions(&g);
        assert_eq!(total_crossings(&g, &pos), 3);
        let mut idx = vec![0; 9];
        let mut work = SIFT_WORK;
        sift(&mut g, &mut pos, &mut idx, &mut work, SIFT_ROUNDS);
        assert_eq!(total_crossings(&g, &pos), 3);
        let mut work = PAIR_WORK;
        assert!(sift_pairs(&mut g, &mut pos, &mut work, true));
        assert_eq!(total_crossings(&g, &pos), 1);
        assert!(work < PAIR_WORK);
    }

    #[test]
    fn sifting_keeps_items_in_their_block() {
        // x and y are in group 0, z outside: z may not move between x and y.
        let mut g = lgraph(
            &[&[0, 1, 2], &[3, 4, 5]],
            &[(0, 5), (1, 3), (2, 4)],
            vec![None, None, None, Some(0), Some(0), None],
            vec![None],
        );
        let mut pos = positions(&g);
        let mut idx = vec![0; 6];
        let mut work = SIFT_WORK;
        sift(&mut g, &mut pos, &mut idx, &mut work, SIFT_ROUNDS);
        let at = |v: usize| g.layers[1].iter().position(|&w| w == v).expect("in layer 1");
        assert_eq!(at(3).abs_diff(at(4)), 1, "{:?}", g.layers[1]);
    }

    #[test]
    fn frame_crossings_count_lines_across_a_foreign_block() {
        // Group 0 holds x0 (layer 0) and x1 (layer 1); a -> b passes from above the group's
        // block to below it, across its frame, unless b moves above it too.
        let (a, x0, x1, b) = (0, 1, 2, 3);
        let mut g = lgraph(
            &[&[a, x0], &[x1, b]],
            &[(a, b), (x0, x1)],
            vec![None, Some(0), Some(0), None],
            vec![None],
        );
        let sibling = vec![0];
        let mut scratch = Scratch::new(1);
        let pos = positions(&g);
        assert_eq!(frame_crossings(&g, &pos, &sibling, &mut scratch), 1);
        g.layers[1] = vec![b, x1];
        let pos = positions(&g);
        assert_eq!(frame_crossings(&g, &pos, &sibling, &mut scratch), 0);
        // The group's own line never counts.
        assert_eq!(total_crossings(&g, &pos), 0);
    }

    #[test]
    fn sibling_search_swaps_groups_that_cross() {
        // Groups 0 = {x}, 1 = {y} in that order under a and b, with a -> y and b -> x; a and b
        // sit in group 2 and 3, so only moving a group removes the crossing.
        let mut g = lgraph(
            &[&[0, 1], &[2, 3]],
            &[(0, 3), (1, 2)],
            vec![Some(2), Some(3), Some(0), Some(1)],
            vec![None, None, None, None],
        );
        let pos = positions(&g);
        assert_eq!(total_crossings(&g, &pos), 1);
        let mut sibling = vec![2, 3, 0, 1];
        let mut s = State { pos, key: vec![0.0; 4], scratch: Scratch::new(4), idx: vec![0; 4] };
        search_siblings(&mut g, &mut s, &mut sibling, 8);
        assert_eq!(total_crossings(&g, &s.pos), 0);
        // Still one consistent order: the groups of each layer follow the sibling order.
        for layer in &g.layers {
            let ranks: Vec<usize> =
                layer.iter().map(|&v| sibling[g.group[v].expect("grouped")]).collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
        }
    }
}
