//! Layered layout, phase 3: crossing reduction that keeps groups together.
//!
//! Input: a [`LGraph`] whose items (nodes, long-edge dummies, label dummies) sit in layers, each
//! item in at most one group of a group tree. Output: an order of every layer as a sequence of
//! [`Token`]s, where each group active in a layer (its items, its descendants' items, or the
//! layers in between) is one contiguous block `Open(g) … Close(g)`, nested blocks inside their
//! parents, and sibling groups appear in the same relative order in every layer (so frames can
//! be drawn without cutting through each other). Method: an initial order from a depth-first
//! walk, then barycenter sweeps (down and up) that sort each layer hierarchically — the direct
//! items of a block by barycenter, child blocks in a global sibling order re-estimated after
//! every sweep from their members' mean positions — and adjacent transpositions within a block;
//! the order with the fewest crossings (counted exactly, Barth–Jünger–Mutzel) wins.
//! Invariants: deterministic (stable sorts, ties by current position or index).

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use super::layered::{LGraph, Token};

/// Sweeps for graphs of up to a few hundred items; bigger graphs get fewer.
const MAX_SWEEPS: usize = 24;

/// Orders every layer of `g` (see the module header); also rewrites `g.layers` to the item
/// order of the result.
pub(super) fn order(g: &mut LGraph) -> Vec<Vec<Token>> {
    let groups = g.group_parent.len();
    let mut sibling: Vec<usize> = (0..groups).collect();
    let items = g.layer.len();
    let mut key = vec![0.0; items];

    // Initial order: depth-first discovery from items in index order (scene order first).
    let mut seen = vec![false; items];
    let mut counter = 0.0;
    for start in 0..items {
        if seen[start] {
            continue;
        }
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(v) = stack.pop() {
            key[v] = counter;
            counter += 1.0;
            for &w in g.down[v].iter().rev() {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
    }
    let mut scratch = Scratch::new(groups);
    for r in 0..g.layers.len() {
        let tokens = arrange(g, r, &key, &sibling, &mut scratch);
        g.layers[r] = items_of(&tokens);
    }
    update_siblings(g, &mut sibling);

    let mut pos = vec![0usize; items];
    refresh_positions(g, &mut pos);
    let mut best_layers = g.layers.clone();
    let mut best_sibling = sibling.clone();
    let mut best = total_crossings(g, &pos);

    let budget = (4_000_000 / (g.up.iter().map(Vec::len).sum::<usize>() + items + 1)).max(4);
    let sweeps = MAX_SWEEPS.min(budget);
    for sweep in 0..sweeps {
        if best == 0 {
            break;
        }
        let down = sweep % 2 == 0;
        let layers: Vec<usize> = if down {
            (1..g.layers.len()).collect()
        } else {
            (0..g.layers.len().saturating_sub(1)).rev().collect()
        };
        for r in layers {
            let fixed_len = g.layers[if down { r - 1 } else { r + 1 }].len().max(1) as f64;
            let own_len = g.layers[r].len().max(1) as f64;
            for &v in &g.layers[r] {
                let ns = if down { &g.up[v] } else { &g.down[v] };
                key[v] = if ns.is_empty() {
                    (pos[v] as f64 + 0.5) / own_len
                } else {
                    ns.iter().map(|&u| pos[u] as f64 + 0.5).sum::<f64>()
                        / (ns.len() as f64 * fixed_len)
                };
            }
            let tokens = arrange(g, r, &key, &sibling, &mut scratch);
            g.layers[r] = items_of(&tokens);
            for (i, &v) in g.layers[r].iter().enumerate() {
                pos[v] = i;
            }
        }
        transpose(g, &mut pos);
        update_siblings(g, &mut sibling);
        // Re-arranging with the new sibling order keeps blocks consistent across layers.
        for r in 0..g.layers.len() {
            for &v in &g.layers[r] {
                key[v] = pos[v] as f64;
            }
            let tokens = arrange(g, r, &key, &sibling, &mut scratch);
            g.layers[r] = items_of(&tokens);
        }
        refresh_positions(g, &mut pos);
        let c = total_crossings(g, &pos);
        if c < best {
            best = c;
            best_layers.clone_from(&g.layers);
            best_sibling.clone_from(&sibling);
        }
    }
    g.layers = best_layers;
    refresh_positions(g, &mut pos);
    let mut out = Vec::with_capacity(g.layers.len());
    for r in 0..g.layers.len() {
        for &v in &g.layers[r] {
            key[v] = pos[v] as f64;
        }
        out.push(arrange(g, r, &key, &best_sibling, &mut scratch));
    }
    for (r, tokens) in out.iter().enumerate() {
        g.layers[r] = items_of(tokens);
    }
    out
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

/// Reusable per-layer buffers, indexed by group.
struct Scratch {
    direct: Vec<Vec<usize>>,
    sum: Vec<f64>,
    count: Vec<usize>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(groups: usize) -> Scratch {
        Scratch {
            direct: vec![Vec::new(); groups + 1],
            sum: vec![0.0; groups],
            count: vec![0; groups],
            touched: Vec::new(),
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

/// Crossings between two adjacent items `u` (left) and `v` (right) through their neighbours in
/// both adjacent layers.
fn pair_crossings(g: &LGraph, pos: &[usize], u: usize, v: usize) -> (usize, usize) {
    let mut uv = 0;
    let mut vu = 0;
    for side in [&g.up, &g.down] {
        let mut a: Vec<usize> = side[u].iter().map(|&x| pos[x]).collect();
        let mut b: Vec<usize> = side[v].iter().map(|&x| pos[x]).collect();
        a.sort_unstable();
        b.sort_unstable();
        // uv: pairs with a > b; vu: pairs with a < b.
        let mut j = 0;
        for &x in &a {
            while j < b.len() && b[j] < x {
                j += 1;
            }
            uv += j;
        }
        let mut j = 0;
        for &x in &b {
            while j < a.len() && a[j] < x {
                j += 1;
            }
            vu += j;
        }
    }
    (uv, vu)
}

/// Swaps adjacent items of the same block while that removes crossings.
fn transpose(g: &mut LGraph, pos: &mut [usize]) {
    for _ in 0..4 {
        let mut improved = false;
        for r in 0..g.layers.len() {
            for i in 0..g.layers[r].len().saturating_sub(1) {
                let (u, v) = (g.layers[r][i], g.layers[r][i + 1]);
                if g.group[u] != g.group[v] {
                    continue;
                }
                let degree = g.up[u].len() + g.down[u].len() + g.up[v].len() + g.down[v].len();
                if degree > 400 {
                    continue;
                }
                let (uv, vu) = pair_crossings(g, pos, u, v);
                if vu < uv {
                    g.layers[r].swap(i, i + 1);
                    pos[u] = i + 1;
                    pos[v] = i;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Crossings between all pairs of adjacent layers (accumulator tree, O(E log V) per pair).
pub(super) fn total_crossings(g: &LGraph, pos: &[usize]) -> usize {
    let mut total = 0;
    for r in 0..g.layers.len().saturating_sub(1) {
        let len = g.layers[r + 1].len();
        let mut first = 1;
        while first < len.max(1) {
            first *= 2;
        }
        let mut tree = vec![0usize; 2 * first];
        let mut targets: Vec<usize> = Vec::new();
        for &v in &g.layers[r] {
            targets.clear();
            targets.extend(g.down[v].iter().map(|&w| pos[w]));
            targets.sort_unstable();
            for &t in &targets {
                let mut index = t + first;
                tree[index] += 1;
                while index > 1 {
                    if index % 2 == 0 {
                        total += tree[index + 1];
                    }
                    index /= 2;
                    tree[index] += 1;
                }
            }
        }
    }
    total
}
