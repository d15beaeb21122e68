//! archmap's own layered (Sugiyama-style) layout engine, [`Layered`].
//!
//! Input: a [`Scene`] and [`Measured`] sizes. Output: a [`Positioned`] scene (the invariants of
//! [`super`]). Pipeline, run by [`Layered::layout`] one function per phase and laid out top to
//! bottom internally (for LR/RL box sizes are swapped first and coordinates transposed at the
//! end; BT/RL are mirrored); [`Groups`] holds what the phases read of the group forest:
//! 1. cycle breaking ([`Edges::new`], [`rank::back_edges`]): depth-first back edges are reversed
//!    for layout and their routes reversed again at the end ([`stub_and_orient`]), so
//!    arrowheads point at the real target;
//! 2. ranking ([`Edges::rank_edges`], [`rank::rank`]): network simplex; labelled edges span at
//!    least two ranks so their label gets a slot of its own in a rank between;
//! 3. the layered graph ([`layered_graph`] builds an [`LGraph`]): one item per node, one dummy
//!    per rank an edge crosses (a labelled edge's dummy in the least loaded rank between its
//!    ends is sized like its label, [`label_ranks`]), each dummy in the innermost group holding
//!    both ends; each group spans the ranks of its items;
//! 4. ordering ([`order::order`]): barycenter sweeps that keep every group contiguous; graphs
//!    small enough order more than one ranking and keep the one with the fewest crossings
//!    ([`best_layering`]);
//! 5. x coordinates ([`position::position`]): Brandes–Köpf with group borders, items reaching
//!    far enough right to keep ports clear of titles ([`title_reserves`]);
//! 6. y coordinates ([`bands`], [`frame_depths`]): one band per rank, as tall as its tallest
//!    item, with gaps that leave room for the frames' paddings and titles of groups that start
//!    or end there;
//! 7. boxes and labels ([`item_rect`], [`label_rects`]), group frames ([`frames`]: the padded
//!    extent of their items and child frames), routes ([`routes`], [`route::routes`]), then the
//!    direction transform ([`finish`]).
//!
//! Invariants, by construction: boxes never overlap (separation in each band, bands disjoint);
//! routes never cross a box other than their ends (see [`route`]); labels never overlap boxes or
//! other labels (each has its own slot); a group frame holds exactly its members' boxes (blocks
//! are contiguous in every layer the group spans, and its borders are shared variables across
//! those layers); output is deterministic and the running time is close to linear in the size
//! of the layered graph.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::lgraph::{LGraph, Token};
use super::position::{self, Pads};
use super::route::{self, Bands, PORT_INSET};
use super::{GROUP_PADDING, Layout, Measured, Positioned, Rect, Size, order, rank, title_rect};
use crate::scene::Scene;
use crate::vocab::{Direction, Mode};

/// Gap between layer bands (before room for group frames), top to bottom.
const RANK_SEP_TB: f64 = 40.0;
/// Gap between layer bands, left to right.
const RANK_SEP_LR: f64 = 52.0;
/// Room between a group's title and the first port to its right.
const TITLE_CLEARANCE: f64 = 2.0;
/// Size of a box whose measurement is missing.
const FALLBACK: Size = Size { width: 96.0, height: 40.0 };

/// The layered engine (see the module header).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Layered;

/// The innermost group holding both `a` and `b`.
fn common_group(parent: &[Option<usize>], a: Option<usize>, b: Option<usize>) -> Option<usize> {
    let chain = |mut g: Option<usize>| {
        let mut v = Vec::new();
        while let Some(x) = g {
            v.push(x);
            g = parent[x];
        }
        v
    };
    let ca = chain(a);
    let cb = chain(b);
    ca.into_iter().find(|x| cb.contains(x))
}

/// Whether group `inner` is `outer` or lies inside it.
fn within(parent: &[Option<usize>], inner: Option<usize>, outer: usize) -> bool {
    let mut g = inner;
    while let Some(x) = g {
        if x == outer {
            return true;
        }
        g = parent[x];
    }
    false
}

impl Layout for Layered {
    fn smooth_edges(&self) -> bool {
        true
    }

    fn layout(&self, scene: &Scene, measured: &Measured) -> Positioned {
        lay(scene, measured, false)
    }

    /// One ranking, ordered with a sixteenth of the budget ([`SKETCH_SHARE`]): the shape of
    /// the drawing (its layers' widths hardly depend on the order), for a few milliseconds.
    /// None for a diagram whose first start of the ordering alone would cost more than that
    /// (each box and line is an item or segment at least): its sketch would cost about as much
    /// as its layout.
    fn sketch(&self, scene: &Scene, measured: &Measured) -> Option<Positioned> {
        let least = scene.nodes.len() + scene.edges.len() + 1;
        order::affords(least, order::ORDER_BUDGET / SKETCH_SHARE)
            .then(|| lay(scene, measured, true))
    }
}

/// How much less of the ordering budget a [`Layout::sketch`] spends.
const SKETCH_SHARE: usize = 16;

/// Lays `scene` out (see [`Layered`]); a `sketch` tries one ranking on a fraction of the
/// ordering budget.
fn lay(scene: &Scene, measured: &Measured, sketch: bool) -> Positioned {
    let n = scene.nodes.len();
    let ng = scene.groups.len();
    let dir = scene.direction;
    let horizontal = matches!(dir, Direction::LR | Direction::RL);
    let flip = |s: Size| if horizontal { Size { width: s.height, height: s.width } } else { s };
    let mut groups = Groups::new(scene, measured);

    // 1. Cycle breaking.
    let edges = Edges::new(scene, measured, flip);

    // 2. Ranking.
    let rank_edges = edges.rank_edges();
    // 3. and 4. The layered graph of a ranking, then its order. Optimal rankings are not
    // unique and the order's crossings depend on which one it is, so graphs small enough to
    // afford it lay out more than one, each ordered with an equal share of the budget (a
    // larger one for flat diagrams, see `order::flat_budget`), and keep the one with the
    // fewest crossings (the first on a tie): network simplex started from the sinks and
    // from the sources and, in flat diagrams with labels, the same with dot's lengths
    // (every edge two ranks long, not only the labelled ones). Which one wins varies from
    // graph to graph (a 108-component generated system: 1,796 crossings with the third,
    // 1,945–2,082 with the others).
    let sizes: Vec<Size> =
        (0..n).map(|i| flip(measured.nodes.get(i).copied().unwrap_or(FALLBACK))).collect();
    let (layering, tokens) = best_layering(
        n,
        ng,
        sketch,
        &rank_edges,
        |ranks| layered_graph(ranks, &sizes, &groups, &edges),
        |ranks| align_sink_groups(ranks, &groups, &edges),
    );
    let Layering { g, chains, label_item, bus, direct, trunk } = layering;

    // 5. x.
    groups.pads.reserve = title_reserves(&g, &groups);
    let (x, borders) = position::position(&g, &tokens, &groups.pads);

    // 6. Ports and tracks: where routes go across the flow, which decides how tall each
    // gap between layers must be. (Frames across the flow do not depend on the bands.)
    let labelled = edges.labels.iter().any(Option::is_some);
    let room = trunk_room(&g, &trunk);
    let (bands0, depths0) = bands(&g, &groups, labelled, &[], &room);
    let frames0 = frames(&g, &x, &bands0, &groups, &depths0, &borders);
    let plan = route::plan(&g, &x, &chains, &port_floor(&g, &groups, &frames0), &bus);

    // 7. Bands, each gap as tall as its tracks need.
    let (bands, depths) = bands(&g, &groups, labelled, &plan.tracks, &room);

    // 8. Boxes, routes, labels, frames (layout coordinates).
    let nodes: Vec<Rect> = (0..n).map(|v| item_rect(&g, &x, &bands, v)).collect();
    let mut label_rects = label_rects(&g, &x, &bands, &label_item, &edges.labels);
    let frames = frames(&g, &x, &bands, &groups, &depths, &borders);
    let (mut routes, junctions) = route::draw(&g, &x, &bands, &chains, &plan);
    draw_direct(&direct, &edges, &nodes, &mut routes, &mut label_rects);
    place_trunk_labels(&trunk, &g, &bands, &nodes, &routes, &mut label_rects);
    stub_and_orient(scene, &mut routes, &nodes, &edges.back);
    let mut drawn = finish(dir, nodes, frames, routes, label_rects, &groups.titles, junctions);
    super::fold::entry_chain(scene, &mut drawn, super::MAX_ASPECT);
    super::fold::entry_block(scene, &mut drawn, super::MAX_ASPECT);
    drawn
}

/// The scene's groups as every phase reads them: the forest, title sizes and frame paddings
/// (layout coordinates: across the flow is x), and the direction, which decides the titles'
/// side.
struct Groups {
    /// The scene's direction.
    dir: Direction,
    /// Each group's parent (defensively: only a group before it).
    parent: Vec<Option<usize>>,
    /// Each node's group (defensively: only a group of the scene).
    of_node: Vec<Option<usize>>,
    /// Each group's title size (never negative).
    titles: Vec<Size>,
    /// Paddings across the flow, least widths and (phase 5) title reserves.
    pads: Pads,
    /// Room inside a frame above its first layer (with the title in TB).
    pad_top: Vec<f64>,
    /// Room inside a frame below its last layer (with the title in BT).
    pad_bottom: Vec<f64>,
}

impl Groups {
    /// Takes the scene and its measurements; gives the groups with their paddings.
    fn new(scene: &Scene, measured: &Measured) -> Self {
        let ng = scene.groups.len();
        let dir = scene.direction;
        let horizontal = matches!(dir, Direction::LR | Direction::RL);
        // Groups, defensively: a parent must come before its child.
        let parent: Vec<Option<usize>> =
            scene.groups.iter().enumerate().map(|(i, g)| g.parent.filter(|&p| p < i)).collect();
        let of_node: Vec<Option<usize>> =
            scene.nodes.iter().map(|nd| nd.group.filter(|&g| g < ng)).collect();
        let titles: Vec<Size> = (0..ng)
            .map(|g| {
                let t = measured
                    .group_titles
                    .get(g)
                    .copied()
                    .unwrap_or(Size { width: 0.0, height: 0.0 });
                Size { width: t.width.max(0.0), height: t.height.max(0.0) }
            })
            .collect();
        let mut pads = Pads {
            left: vec![GROUP_PADDING; ng],
            right: vec![GROUP_PADDING; ng],
            min_width: vec![0.0; ng],
            reserve: Vec::new(),
        };
        let mut pad_top = vec![GROUP_PADDING; ng];
        let mut pad_bottom = vec![GROUP_PADDING; ng];
        for g in 0..ng {
            match dir {
                Direction::TB => pad_top[g] += titles[g].height,
                Direction::BT => pad_bottom[g] += titles[g].height,
                Direction::LR | Direction::RL => pads.left[g] += titles[g].height,
            }
            if !horizontal {
                pads.min_width[g] = titles[g].width;
            }
        }
        Groups { dir, parent, of_node, titles, pads, pad_top, pad_bottom }
    }
}

/// The scene's edges as the layout sees them (phase 1).
struct Edges {
    /// Whether an edge can be laid out (both ends exist and differ).
    valid: Vec<bool>,
    /// Whether an edge was reversed to break a cycle.
    back: Vec<bool>,
    /// Each edge's ends, reversed for back edges; `(0, 0)` for an edge that is not valid.
    oriented: Vec<(usize, usize)>,
    /// Each edge's label size (layout coordinates), if it has a label.
    labels: Vec<Option<Size>>,
    /// Each edge's label text, if it has a label.
    texts: Vec<Option<String>>,
    /// Each edge's look: only edges that look alike merge into a bus.
    look: Vec<Look>,
    /// Each edge's weight in the ordering: how many dependencies it stands for (at least 1).
    weight: Vec<usize>,
}

impl Edges {
    /// Takes the scene, its measurements and the flip into layout coordinates; gives the edges
    /// with depth-first back edges reversed.
    fn new(scene: &Scene, measured: &Measured, flip: impl Fn(Size) -> Size) -> Self {
        let n = scene.nodes.len();
        let valid: Vec<bool> =
            scene.edges.iter().map(|e| e.from < n && e.to < n && e.from != e.to).collect();
        let pairs: Vec<(usize, usize)> = scene
            .edges
            .iter()
            .zip(&valid)
            .map(|(e, &ok)| if ok { (e.from, e.to) } else { (0, 0) })
            .collect();
        let labels: Vec<Option<Size>> = (0..scene.edges.len())
            .map(|i| measured.edge_labels.get(i).copied().flatten().map(&flip))
            .collect();
        let orient = |back: &[bool]| -> Vec<(usize, usize)> {
            pairs.iter().zip(back).map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) }).collect()
        };
        let mut back = rank::back_edges(n, &pairs);
        let mut oriented = orient(&back);
        // A tangled graph whose depth-first orientation would be drawn with more bends than
        // its size allows is oriented by breadth-first levels instead (see
        // `rank::shallow_back_edges`), if that crosses fewer ranks.
        let span = |oriented: &[(usize, usize)]| {
            let edges = rank_edges(oriented, &valid, &labels);
            rank::longest_path_span(n, &edges)
        };
        if back.iter().any(|&b| b) {
            let deep = span(&oriented);
            if deep > span_limit(n, pairs.len()) {
                let shallow = rank::shallow_back_edges(n, &pairs);
                let other = orient(&shallow);
                if span(&other) < deep {
                    (back, oriented) = (shallow, other);
                }
            }
        }
        let look = scene
            .edges
            .iter()
            .zip(&back)
            .map(|(e, &reversed)| Look {
                mode: e.mode,
                optional: e.optional,
                reversed,
                classes: e.classes.clone(),
            })
            .collect();
        let texts = scene.edges.iter().map(crate::scene::SceneEdge::display_label).collect();
        let weight = scene.edges.iter().map(|e| e.count.max(1)).collect();
        Edges { valid, back, oriented, labels, texts, look, weight }
    }

    /// Gives the valid edges for ranking: a labelled one spans at least two ranks.
    fn rank_edges(&self) -> Vec<rank::RankEdge> {
        rank_edges(&self.oriented, &self.valid, &self.labels)
    }
}

/// Takes the edges' oriented ends, validity and label sizes; gives the valid edges for ranking
/// (a labelled one spans at least two ranks).
fn rank_edges(
    oriented: &[(usize, usize)],
    valid: &[bool],
    labels: &[Option<Size>],
) -> Vec<rank::RankEdge> {
    oriented
        .iter()
        .zip(valid)
        .zip(labels)
        .filter(|((_, ok), _)| **ok)
        .map(|((&(from, to), _), label)| rank::RankEdge {
            from,
            to,
            minlen: if label.is_some() { 2 } else { 1 },
            weight: 1,
        })
        .collect()
}

/// Ranks crossed by edges (dummies), per node and edge, beyond which a graph's depth-first
/// orientation counts as tangled (see [`Edges::new`]). Drawn systems stay far below it: the
/// examples and the compose corpus cross under two ranks per node and edge, as do generated
/// systems of 1,000 and 10,000 components; 4,000 nodes with edges to two random others, 262.
/// The same bound caps the ranks any drawing's edges cross (see [`direct_edges`]): 371
/// collapsed groups with 72,000 edges between them took 26 s and 750 MB at 16 per item, 3.8 s
/// and 390 MB at 4.
const MAX_SPAN_PER_ITEM: u64 = 4;
/// Crossed ranks below which no graph counts as tangled.
const MIN_SPAN_LIMIT: u64 = 100_000;

/// What decides how an edge is drawn (and, for a reversed edge, which end has the arrowhead).
#[derive(PartialEq)]
struct Look {
    mode: Mode,
    optional: bool,
    reversed: bool,
    classes: Vec<&'static str>,
}

/// A layered graph of one ranking, with what later phases need of each scene edge.
struct Layering {
    /// The layered graph.
    g: LGraph,
    /// Each edge's items from its (oriented) source to its target; empty if it is not valid.
    chains: Vec<Vec<usize>>,
    /// Each edge's label item (the dummy sized like its label), if it has one.
    label_item: Vec<Option<usize>>,
    /// Each edge's bus (see [`route::buses`]), if its last link merges into one.
    bus: Vec<Option<usize>>,
    /// Whether an edge is drawn straight, without items (see [`direct_edges`]).
    direct: Vec<bool>,
    /// The buses whose members' one label is drawn once, on the trunk: the bus (its first
    /// edge), its target and the label's size (see [`trunk_labels`]).
    trunk: Vec<(usize, usize, Size)>,
}

/// Takes the rank edges, the layered graph of a ranking (`build`) and the ranking with its
/// groups of sinks in one column (`align`, see [`align_sink_groups`]); gives the layering that
/// scores best among the rankings tried, and its order. The score is the order's crossings
/// plus [`FRAME_COST`] for each line through the frame of a group that holds neither of its
/// ends (the first on a tie).
fn best_layering(
    n: usize,
    ng: usize,
    sketch: bool,
    rank_edges: &[rank::RankEdge],
    build: impl Fn(&[i32]) -> Layering,
    align: impl Fn(&[i32]) -> Vec<i32>,
) -> (Layering, Vec<Vec<Token>>) {
    let primary = rank::rank(n, rank_edges, rank::Start::Sinks);
    let mut layered = vec![build(&primary)];
    let mut lengths = vec![rank_edges.to_vec()];
    if ng == 0 && rank_edges.iter().any(|e| e.minlen > 1) {
        lengths.push(rank_edges.iter().map(|e| rank::RankEdge { minlen: 2, ..*e }).collect());
    }
    let items = order::size_of(&layered[0].g);
    if !sketch && order::affords(items, order::RANKINGS_BUDGET / (2 * lengths.len())) {
        let mut seen = vec![primary];
        for (i, edges) in lengths.iter().enumerate() {
            for start in [rank::Start::Sinks, rank::Start::Sources] {
                if i == 0 && start == rank::Start::Sinks {
                    continue;
                }
                let ranks = rank::rank(n, edges, start);
                if !seen.contains(&ranks) {
                    layered.push(build(&ranks));
                    seen.push(ranks);
                }
            }
        }
        // Each ranking again with its groups of sinks in one column, where that moves any.
        if ng > 0 {
            for k in 0..seen.len() {
                let aligned = align(&seen[k]);
                if !seen.contains(&aligned) {
                    layered.push(build(&aligned));
                    seen.push(aligned);
                }
            }
        }
    }
    let budget =
        if layered.len() > 1 && ng == 0 { order::flat_budget(items) } else { order::ORDER_BUDGET };
    let share = budget / layered.len() / if sketch { SKETCH_SHARE } else { 1 };
    let ordered = |mut layering: Layering| {
        let tokens = order::order(&mut layering.g, share);
        let mut score = order::crossings(&layering.g);
        if ng > 0 {
            score += FRAME_COST * order::frame_crossings_of(&layering.g, &tokens);
        }
        (score, layering, tokens)
    };
    // The rankings are ordered independently, so on as many threads as there are cores, each
    // taking the next ranking not yet taken (each ordering is deterministic, and the choice
    // below goes in ranking order: the same result as one by one). A thread that cannot be
    // started leaves its share to the others.
    let count = layered.len();
    let todo: Vec<Mutex<Option<Layering>>> =
        layered.into_iter().map(|l| Mutex::new(Some(l))).collect();
    let next = AtomicUsize::new(0);
    // Takes rankings until none is left; gives each one ordered, with its index.
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = todo.get(i) else { break out };
            if let Some(layering) = slot.lock().ok().and_then(|mut l| l.take()) {
                out.push((i, ordered(layering)));
            }
        }
    };
    let helpers = std::thread::available_parallelism().map_or(1, usize::from).min(count) - 1;
    let mut results: Vec<(usize, Ordered)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers)
            .filter_map(|_| {
                std::thread::Builder::new().stack_size(ORDER_STACK).spawn_scoped(scope, work).ok()
            })
            .collect();
        let mut results = work();
        for h in handles {
            results.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        results
    });
    results.sort_unstable_by_key(|&(i, _)| i);
    let mut chosen = None;
    for (_, (score, layering, tokens)) in results {
        if chosen.as_ref().is_none_or(|c: &(usize, _, _)| score < c.0) {
            chosen = Some((score, layering, tokens));
        }
    }
    let Some((_, layering, tokens)) = chosen else { unreachable!("one ranking at least") };
    (layering, tokens)
}

/// A ranking ordered: its score (crossings and lines through foreign frames), the layered
/// graph in its order, and each layer's tokens.
type Ordered = (usize, Layering, Vec<Vec<Token>>);

/// Stack of a thread ordering some of several rankings (small diagrams only: only those try
/// several), as much as the main thread has.
const ORDER_STACK: usize = 8 << 20;

/// What a line through the frame of a group that holds neither of its ends costs when
/// [`best_layering`] chooses a ranking, in crossings: it misleads a reader about what the line
/// belongs to, where a crossing only asks to be followed.
const FRAME_COST: usize = 2;

/// Takes a ranking, the groups and the edges; gives the ranking with the members of every
/// group that holds only sinks (boxes no edge leaves, and no groups) moved to the group's last
/// rank, so that a group of databases or third parties stands in one column instead of
/// spanning the columns between its members, where lines running past it would cross its
/// frame. Only groups whose members lie in the last two columns of boxes they span move: a box
/// moved across a column of other boxes drags its lines across that column too. Moving a sink
/// later keeps every edge into it feasible.
fn align_sink_groups(ranks: &[i32], groups: &Groups, edges: &Edges) -> Vec<i32> {
    let mut ranks = ranks.to_vec();
    let ng = groups.parent.len();
    let mut eligible = vec![true; ng];
    let mut last = vec![i32::MIN; ng];
    for p in groups.parent.iter().flatten() {
        eligible[*p] = false;
    }
    for (i, &(a, _)) in edges.oriented.iter().enumerate() {
        if edges.valid[i]
            && let Some(c) = groups.of_node[a]
        {
            eligible[c] = false;
        }
    }
    for (v, c) in groups.of_node.iter().enumerate() {
        if let Some(c) = *c {
            last[c] = last[c].max(ranks[v]);
        }
    }
    // Ranks holding a box, to tell whether a member would move across a column of boxes.
    let mut occupied: Vec<i32> = ranks.clone();
    occupied.sort_unstable();
    occupied.dedup();
    let between = |a: i32, b: i32| {
        let lo = occupied.partition_point(|&r| r <= a);
        let hi = occupied.partition_point(|&r| r < b);
        hi.saturating_sub(lo)
    };
    for (v, c) in groups.of_node.iter().enumerate() {
        if let Some(c) = *c
            && between(ranks[v], last[c]) > 0
        {
            eligible[c] = false;
        }
    }
    for (v, c) in groups.of_node.iter().enumerate() {
        if let Some(c) = *c
            && eligible[c]
        {
            ranks[v] = last[c];
        }
    }
    ranks
}

/// Takes a ranking, the nodes' sizes, the groups and the edges; gives the layered graph:
/// one item per node, one dummy per rank an edge crosses, each box as wide as its ports need.
fn layered_graph(ranks: &[i32], sizes: &[Size], groups: &Groups, edges: &Edges) -> Layering {
    let n = sizes.len();
    let mut g = LGraph::new(
        ranks.iter().map(|&r| r.max(0) as usize).collect(),
        groups.of_node.clone(),
        sizes.iter().map(|s| s.width.max(1.0)).collect(),
        sizes.iter().map(|s| s.height.max(1.0)).collect(),
        groups.parent.clone(),
    );
    let label_rank = label_ranks(&g, edges);
    let mut chains: Vec<Vec<usize>> = vec![Vec::new(); edges.oriented.len()];
    let mut label_item: Vec<Option<usize>> = vec![None; edges.oriented.len()];
    let direct = direct_edges(&g.layer, edges);
    let (trunk, on_trunk) = trunk_labels(&g, edges, &direct);
    for (i, &(a, b)) in edges.oriented.iter().enumerate() {
        if !edges.valid[i] || direct[i] {
            continue;
        }
        let (ra, rb) = (g.layer[a], g.layer[b]);
        let owner = common_group(&groups.parent, groups.of_node[a], groups.of_node[b]);
        let mut chain = vec![a];
        let mid = label_rank[i];
        for r in ra + 1..rb {
            let d = match edges.labels[i].filter(|_| !on_trunk[i]) {
                Some(s) if r == mid => {
                    let d = g.add_dummy(r, owner, s.width, s.height);
                    label_item[i] = Some(d);
                    d
                }
                _ => g.add_dummy(r, owner, 0.0, 0.0),
            };
            chain.push(d);
        }
        chain.push(b);
        g.link(&chain, edges.weight[i]);
        chains[i] = chain;
    }
    // A box with many edges on one side grows across the flow so its ports keep apart; edges
    // that merge into a bus take one port.
    let bus = route::buses(&g, &chains, &edges.look);
    let ends = route::port_counts(&g, &chains, &bus);
    for (v, &(top, bottom)) in ends.iter().enumerate().take(n) {
        g.width[v] = g.width[v].max(route::width_for_ports(top.max(bottom)));
    }
    g.index_layers();
    Layering { g, chains, label_item, bus, direct, trunk }
}

/// Room between the tracks and the frames above each layer, for the trunk labels arriving
/// there: the tallest label and [`TRUNK_LABEL_GAP`] above and below it.
fn trunk_room(g: &LGraph, trunk: &[(usize, usize, Size)]) -> Vec<f64> {
    let mut room = vec![0.0f64; g.layers.len()];
    for &(_, t, size) in trunk {
        let r = g.layer[t];
        room[r] = room[r].max(size.height + 2.0 * TRUNK_LABEL_GAP);
    }
    room
}

/// Room above and below a label drawn on a bus's trunk.
const TRUNK_LABEL_GAP: f64 = 4.0;
/// Room between a bus's trunk and its label (half an arrowhead and a little more).
const TRUNK_LABEL_SIDE: f64 = 8.0;

/// Takes the graph of the nodes, the edges and which are drawn straight; gives the buses whose
/// label is drawn once, on the trunk (the bus's first edge, its target and the label's size),
/// and per edge whether its label goes there instead of beside its own line. A bus qualifies
/// when every one of its edges carries the same label (every `sql` edge into a database), it
/// is the only way into its box from above (no other line arrives beside the trunk), and the
/// label fits over the box beside the trunk (clear of other boxes' lines).
/// Buses are grouped as [`route::buses`] groups them.
fn trunk_labels(
    g: &LGraph,
    edges: &Edges,
    direct: &[bool],
) -> (Vec<(usize, usize, Size)>, Vec<bool>) {
    let mut on_trunk = vec![false; edges.oriented.len()];
    let mut trunk = Vec::new();
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); g.layer.len()];
    for (i, &(_, b)) in edges.oriented.iter().enumerate() {
        if edges.valid[i] && !direct[i] {
            into[b].push(i);
        }
    }
    for (t, arriving) in into.iter().enumerate() {
        let Some(&first) = arriving.first() else { continue };
        let alike = arriving.iter().all(|&i| edges.look[i] == edges.look[first]);
        let text = &edges.texts[first];
        let same = arriving.iter().all(|&i| edges.texts[i] == *text);
        let Some(size) = edges.labels[first] else { continue };
        if arriving.len() < route::BUS_MIN
            || !alike
            || !same
            || size.width + TRUNK_LABEL_SIDE > g.width[t] / 2.0 + position::NODE_SEP / 2.0
        {
            continue;
        }
        for &i in arriving {
            on_trunk[i] = true;
        }
        trunk.push((first, t, size));
    }
    (trunk, on_trunk)
}

/// Takes each node's layer and the edges; gives the edges drawn as straight lines without
/// bends, because following the layers would take more bends (dummies) than the graph's size
/// allows: the longest edges first (ties: the later edge), until the rest fit in
/// [`span_limit`]. None in any drawable system; a chain of a thousand services that one more
/// service calls every member of needs half a million bends otherwise.
fn direct_edges(layer: &[usize], edges: &Edges) -> Vec<bool> {
    let span = |i: usize| {
        let (a, b) = edges.oriented[i];
        if edges.valid[i] { layer[b].saturating_sub(layer[a] + 1) as u64 } else { 0 }
    };
    let mut direct = vec![false; edges.oriented.len()];
    let mut total: u64 = (0..edges.oriented.len()).map(span).sum();
    let limit = span_limit(layer.len(), edges.oriented.len());
    if total <= limit {
        return direct;
    }
    let mut longest: Vec<usize> = (0..edges.oriented.len()).collect();
    longest.sort_by_key(|&i| (std::cmp::Reverse(span(i)), std::cmp::Reverse(i)));
    for i in longest {
        if total <= limit {
            break;
        }
        total -= span(i);
        direct[i] = true;
    }
    direct
}

/// The most ranks a graph of `nodes` and `edges` may have its edges cross (see
/// [`MAX_SPAN_PER_ITEM`]).
fn span_limit(nodes: usize, edges: usize) -> u64 {
    (MAX_SPAN_PER_ITEM * (nodes + edges) as u64).max(MIN_SPAN_LIMIT)
}

/// Draws each direct edge (see [`direct_edges`]) as one straight line from the middle of its
/// source's bottom to the middle of its target's top, its label at the line's middle.
fn draw_direct(
    direct: &[bool],
    edges: &Edges,
    nodes: &[Rect],
    routes: &mut [Vec<(f64, f64)>],
    labels: &mut [Option<Rect>],
) {
    for (i, _) in direct.iter().enumerate().filter(|(_, d)| **d) {
        let (a, b) = edges.oriented[i];
        let (Some(from), Some(to)) = (nodes.get(a), nodes.get(b)) else { continue };
        let (p, q) = ((from.center().0, from.bottom()), (to.center().0, to.y));
        routes[i] = vec![p, q];
        if let Some(s) = edges.labels[i] {
            let (mx, my) = (f64::midpoint(p.0, q.0), f64::midpoint(p.1, q.1));
            labels[i] = Some(Rect {
                x: mx - s.width / 2.0,
                y: my - s.height / 2.0,
                width: s.width,
                height: s.height,
            });
        }
    }
}

/// Places each trunk label (see [`trunk_labels`]) in the room above its box: beside the
/// trunk, which enters the box where the bus's first route ends, right of it or left where the
/// box ends first (reaching at most half the room between boxes past the box's side), clear
/// of the arrowhead and of the member lines that run down the trunk.
fn place_trunk_labels(
    trunk: &[(usize, usize, Size)],
    g: &LGraph,
    bands: &Bands,
    nodes: &[Rect],
    routes: &[Vec<(f64, f64)>],
    labels: &mut [Option<Rect>],
) {
    let reach = position::NODE_SEP / 2.0;
    for &(c, t, size) in trunk {
        let Some(&(port, _)) = routes[c].last() else { continue };
        let r = g.layer[t];
        let room_top = bands.top[r] - bands.extra_top[r] - bands.room[r];
        let right = port + TRUNK_LABEL_SIDE;
        let x = if right + size.width <= nodes[t].right() + reach {
            right
        } else {
            (port - TRUNK_LABEL_SIDE - size.width).max(nodes[t].x - reach)
        };
        labels[c] = Some(Rect {
            x,
            y: room_top + (bands.room[r] - size.height) / 2.0,
            width: size.width,
            height: size.height,
        });
    }
}

/// Takes the graph of the nodes and the edges; gives the rank of each label's dummy
/// (`usize::MAX` for none): the rank between its ends whose boxes and labels are narrowest so
/// far (nearest the middle on a tie), so labels of parallel long edges spread over the ranks
/// instead of all lining up in one.
fn label_ranks(g: &LGraph, edges: &Edges) -> Vec<usize> {
    let rank_count = g.layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut load = vec![0.0f64; rank_count];
    for v in 0..g.layer.len() {
        load[g.layer[v]] += g.width[v] + position::NODE_SEP;
    }
    let mut label_rank: Vec<usize> = vec![usize::MAX; edges.oriented.len()];
    for (i, &(a, b)) in edges.oriented.iter().enumerate() {
        let Some(size) = edges.labels[i].filter(|_| edges.valid[i]) else { continue };
        let (ra, rb) = (g.layer[a], g.layer[b]);
        let mid = ra + (rb.saturating_sub(ra)) / 2;
        let best = (ra + 1..rb).min_by(|&p, &q| {
            load[p].total_cmp(&load[q]).then(p.abs_diff(mid).cmp(&q.abs_diff(mid))).then(p.cmp(&q))
        });
        if let Some(r) = best {
            load[r] += size.width + position::MIXED_SEP;
            label_rank[i] = r;
        }
    }
    label_rank
}

/// Takes the ordered graph and the groups; gives the title reserves ([`Pads::reserve`]). A
/// title sits in the band above its frame's first layer (TB; below the last for BT), which
/// routes into (out of) that layer's members cross: the ports on that side of those members
/// keep to the right of the title, so each member reaches far enough right to hold them there.
fn title_reserves(g: &LGraph, groups: &Groups) -> Vec<(usize, usize, f64)> {
    let dir = groups.dir;
    let mut reserve = Vec::new();
    if matches!(dir, Direction::LR | Direction::RL) {
        return reserve;
    }
    for c in 0..groups.parent.len() {
        let Some((lo, hi)) = g.span[c] else { continue };
        let r = if dir == Direction::TB { lo } else { hi };
        for &v in &g.layers[r] {
            let k = if dir == Direction::TB { g.up[v].len() } else { g.down[v].len() };
            if k > 0 && within(&groups.parent, g.group[v], c) {
                let ports = TITLE_CLEARANCE + k as f64 * route::PORT_SPACING + PORT_INSET;
                reserve.push((c, v, groups.titles[c].width + ports - g.width[v] / 2.0));
            }
        }
    }
    reserve
}

/// How far each group's frame reaches above the band of its first layer and below its last.
struct Depths {
    /// Above the first layer's band.
    top: Vec<f64>,
    /// Below the last layer's band.
    bottom: Vec<f64>,
}

/// Takes the ordered graph, the groups, whether any edge has a label and how many tracks each
/// gap holds (none known: empty); gives one band per layer, as tall as its tallest item, with
/// gaps that leave room for the frames starting or ending there and for the tracks, and each
/// frame's depths.
fn bands(
    g: &LGraph,
    groups: &Groups,
    labelled: bool,
    tracks: &[usize],
    room: &[f64],
) -> (Bands, Depths) {
    let layer_count = g.layers.len();
    let band_height: Vec<f64> =
        g.layers.iter().map(|l| l.iter().map(|&v| g.height[v]).fold(0.0, f64::max)).collect();
    let depths = frame_depths(g, groups, &band_height);
    let mut extra_top = vec![0.0f64; layer_count];
    let mut extra_bottom = vec![0.0f64; layer_count];
    for c in 0..groups.parent.len() {
        if let Some((lo, hi)) = g.span[c] {
            extra_top[lo] = extra_top[lo].max(depths.top[c]);
            extra_bottom[hi] = extra_bottom[hi].max(depths.bottom[c]);
        }
    }
    // Labelled edges span two ranks, so with labels every gap is halved (as dot does).
    let horizontal = matches!(groups.dir, Direction::LR | Direction::RL);
    let rank_sep =
        if horizontal { RANK_SEP_LR } else { RANK_SEP_TB } / if labelled { 2.0 } else { 1.0 };
    let mut bands = Bands {
        top: vec![0.0; layer_count],
        height: band_height,
        extra_top: extra_top.clone(),
        extra_bottom: extra_bottom.clone(),
        room: (0..layer_count).map(|r| room.get(r).copied().unwrap_or(0.0)).collect(),
    };
    let mut cursor = 0.0;
    for r in 0..layer_count {
        cursor += bands.room[r] + extra_top[r];
        bands.top[r] = cursor;
        let gap = route::gap_for_tracks(tracks.get(r).copied().unwrap_or(0));
        cursor += bands.height[r] + extra_bottom[r] + rank_sep.max(gap);
    }
    (bands, depths)
}

/// Takes the ordered graph, the groups and each band's height; gives each group's room above
/// its first layer and below its last (its padding, and its children's starting or ending
/// there). Left to right, the title runs along the flow from the frame's start (LR) or end
/// (RL), and ends within the group's first (last) band, which only vertical segments cross.
fn frame_depths(g: &LGraph, groups: &Groups, band_height: &[f64]) -> Depths {
    let ng = groups.parent.len();
    let mut depth_top = vec![0.0f64; ng];
    let mut depth_bottom = vec![0.0f64; ng];
    let mut direct_first = vec![false; ng];
    let mut direct_last = vec![false; ng];
    for v in 0..g.layer.len() {
        if let Some(c) = g.group[v]
            && let Some((lo, hi)) = g.span[c]
        {
            direct_first[c] |= g.layer[v] == lo;
            direct_last[c] |= g.layer[v] == hi;
        }
    }
    for c in (0..ng).rev() {
        let Some((lo, hi)) = g.span[c] else { continue };
        let mut top: f64 = if direct_first[c] { 0.0 } else { f64::NEG_INFINITY };
        let mut bottom: f64 = if direct_last[c] { 0.0 } else { f64::NEG_INFINITY };
        for &k in &g.group_children[c] {
            if let Some((klo, khi)) = g.span[k] {
                if klo == lo {
                    top = top.max(depth_top[k]);
                }
                if khi == hi {
                    bottom = bottom.max(depth_bottom[k]);
                }
            }
        }
        depth_top[c] = groups.pad_top[c] + top.max(0.0);
        depth_bottom[c] = groups.pad_bottom[c] + bottom.max(0.0);
        let title = groups.titles[c];
        match groups.dir {
            Direction::LR => depth_top[c] = depth_top[c].max(title.width - band_height[lo]),
            Direction::RL => {
                depth_bottom[c] = depth_bottom[c].max(title.width - band_height[hi]);
            }
            Direction::TB | Direction::BT => {}
        }
    }
    Depths { top: depth_top, bottom: depth_bottom }
}

/// Takes the laid-out graph and an item; gives its box (a dummy's spans its band).
fn item_rect(g: &LGraph, x: &[f64], bands: &Bands, v: usize) -> Rect {
    let (top, bottom) = bands.item_span(g, v);
    Rect { x: x[v] - g.width[v] / 2.0, y: top, width: g.width[v], height: bottom - top }
}

/// Takes the laid-out graph and each edge's label item and size; gives each label's box,
/// centred on its dummy and in its band.
fn label_rects(
    g: &LGraph,
    x: &[f64],
    bands: &Bands,
    label_item: &[Option<usize>],
    labels: &[Option<Size>],
) -> Vec<Option<Rect>> {
    label_item
        .iter()
        .zip(labels)
        .map(|(item, size)| {
            let (d, s) = ((*item)?, (*size)?);
            let r = g.layer[d];
            Some(Rect {
                x: x[d] - s.width / 2.0,
                y: bands.top[r] + (bands.height[r] - s.height) / 2.0,
                width: s.width,
                height: s.height,
            })
        })
        .collect()
}

/// Takes the laid-out graph, the groups, their depths and the borders `position` kept free;
/// gives each group's frame: the padded extent of its items and child frames, wide enough for
/// its title (none for a group without items).
fn frames(
    g: &LGraph,
    x: &[f64],
    bands: &Bands,
    groups: &Groups,
    depths: &Depths,
    borders: &[(f64, f64)],
) -> Vec<Option<Rect>> {
    let ng = groups.parent.len();
    let pads = &groups.pads;
    let mut frames: Vec<Option<Rect>> = vec![None; ng];
    let mut extent: Vec<Option<(f64, f64)>> = vec![None; ng];
    for (v, &xv) in x.iter().enumerate() {
        if let Some(c) = g.group[v] {
            let (lo, hi) = (xv - g.width[v] / 2.0, xv + g.width[v] / 2.0);
            extent[c] = Some(extent[c].map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    let mut reserved: Vec<f64> = vec![f64::INFINITY; ng];
    for &(c, v, gap) in &pads.reserve {
        reserved[c] = reserved[c].min(x[v] - gap);
    }
    for c in (0..ng).rev() {
        let Some((lo, hi)) = g.span[c] else { continue };
        let mut ext = extent[c].map(|(a, b)| (a - pads.left[c], b + pads.right[c]));
        for &k in &g.group_children[c] {
            if let Some(f) = frames[k] {
                let (a, b) = (f.x - pads.left[c], f.right() + pads.right[c]);
                ext = Some(ext.map_or((a, b), |(p, q)| (p.min(a), q.max(b))));
            }
        }
        let Some((mut left, mut right)) = ext else { continue };
        // Room for the title, within the borders the constraints kept free.
        left = left.min(reserved[c]);
        let need = pads.min_width[c];
        if right - left < need {
            right = right.max((left + need).min(borders[c].1));
            left = left.min(right - need);
        }
        let top = bands.top[lo] - depths.top[c];
        let bottom = bands.top[hi] + bands.height[hi] + depths.bottom[c];
        frames[c] = Some(Rect { x: left, y: top, width: right - left, height: bottom - top });
    }
    frames
}

/// Takes the laid-out graph, the groups and their frames; gives, per item, the least x of its
/// top-side and of its bottom-side ports: ports keep right of the titles that reserved room.
fn port_floor(g: &LGraph, groups: &Groups, frames: &[Option<Rect>]) -> Vec<(f64, f64)> {
    // Ports that must keep right of a title: in TB those on the top side, in BT the bottom.
    let mut floor = vec![(f64::NEG_INFINITY, f64::NEG_INFINITY); g.layer.len()];
    for &(c, v, _) in &groups.pads.reserve {
        if let Some(f) = frames[c] {
            let right = f.x + groups.titles[c].width + TITLE_CLEARANCE;
            let side = if groups.dir == Direction::TB { &mut floor[v].0 } else { &mut floor[v].1 };
            *side = side.max(right);
        }
    }
    floor
}

/// Takes the routes, the boxes and which edges were reversed; gives an edge that could not be
/// laid out (self-loops, bad indices) a stub on its box and turns back edges' routes around.
fn stub_and_orient(scene: &Scene, routes: &mut [Vec<(f64, f64)>], nodes: &[Rect], back: &[bool]) {
    for (i, e) in scene.edges.iter().enumerate() {
        if routes[i].len() < 2 {
            let r = nodes.get(e.from).copied().unwrap_or(Rect {
                x: 0.0,
                y: 0.0,
                width: 0.0,
                height: 0.0,
            });
            let (cx, cy) = r.center();
            routes[i] = vec![(cx, r.bottom()), (cx, r.bottom())];
            let _ = cy;
        } else if back[i] {
            routes[i].reverse();
        }
    }
}

/// Turns layout coordinates into the scene's direction and moves the drawing to the origin.
fn finish(
    dir: Direction,
    nodes: Vec<Rect>,
    frames: Vec<Option<Rect>>,
    routes: Vec<Vec<(f64, f64)>>,
    labels: Vec<Option<Rect>>,
    titles: &[Size],
    junctions: Vec<(f64, f64)>,
) -> Positioned {
    // Internal extent along the flow, for mirroring.
    let mut max_y = 0.0f64;
    for r in nodes.iter().chain(frames.iter().flatten()).chain(labels.iter().flatten()) {
        max_y = max_y.max(r.bottom());
    }
    for p in routes.iter().flatten() {
        max_y = max_y.max(p.1);
    }
    let point = |(x, y): (f64, f64)| match dir {
        Direction::TB => (x, y),
        Direction::BT => (x, max_y - y),
        Direction::LR => (y, x),
        Direction::RL => (max_y - y, x),
    };
    let rect = |r: Rect| match dir {
        Direction::TB => r,
        Direction::BT => Rect { y: max_y - r.bottom(), ..r },
        Direction::LR => Rect { x: r.y, y: r.x, width: r.height, height: r.width },
        Direction::RL => Rect { x: max_y - r.bottom(), y: r.x, width: r.height, height: r.width },
    };
    let nodes: Vec<Rect> = nodes.into_iter().map(rect).collect();
    let frames: Vec<Option<Rect>> = frames.into_iter().map(|f| f.map(rect)).collect();
    let labels: Vec<Option<Rect>> = labels.into_iter().map(|l| l.map(rect)).collect();
    let routes: Vec<Vec<(f64, f64)>> =
        routes.into_iter().map(|r| r.into_iter().map(point).collect()).collect();
    let junctions: Vec<(f64, f64)> = junctions.into_iter().map(point).collect();

    let (x0, y0, x1, y1) = super::bounds(
        nodes.iter().chain(frames.iter().flatten()).chain(labels.iter().flatten()),
        routes.iter().flatten(),
    );
    let shift = |r: Rect| Rect { x: r.x - x0, y: r.y - y0, ..r };
    let empty = Rect { x: 0.0, y: 0.0, width: 0.0, height: 0.0 };
    let groups: Vec<Rect> = frames.into_iter().map(|f| f.map_or(empty, shift)).collect();
    Positioned {
        direction: dir,
        junctions: junctions.into_iter().map(|(x, y)| (x - x0, y - y0)).collect(),
        width: x1 - x0,
        height: y1 - y0,
        nodes: nodes.into_iter().map(shift).collect(),
        titles: groups.iter().zip(titles).map(|(f, &t)| title_rect(f, t)).collect(),
        groups,
        edges: super::edge_paths(routes, labels, (x0, y0)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::layout::quality::{Drawing, quality};
    use crate::layout::{measure, text};
    use crate::scene::testing::{edge, every_kind, group, hostile, nested, node, scene, single};
    use crate::vocab::{Kind, Mode};

    const DIRECTIONS: [Direction; 4] = [Direction::TB, Direction::LR, Direction::BT, Direction::RL];

    /// `n` services, each with edges to two pseudo-random others: a tangle of cycles.
    fn tangle(n: usize) -> Scene {
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(seed >> 33).unwrap_or(0) % n
        };
        let nodes = (0..n).map(|i| node(&format!("c{i}"), &format!("c{i}"), Kind::Service, None));
        let edges: Vec<_> = (0..n).flat_map(|i| [(i, next()), (i, next())]).collect::<Vec<_>>();
        scene(
            Vec::new(),
            nodes.collect(),
            edges.into_iter().map(|(a, b)| edge(a, b, Mode::Sync, false)).collect(),
        )
    }

    /// Six services calling one database, each edge labelled `protocol`.
    fn sql_bus(protocols: &[&str]) -> Scene {
        let mut nodes: Vec<_> = (0..protocols.len())
            .map(|i| node(&format!("s{i}"), "service", Kind::Service, None))
            .collect();
        nodes.push(node("db", "Orders DB", Kind::Database, None));
        let db = protocols.len();
        let edges = protocols
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut e = edge(i, db, Mode::Sync, false);
                e.protocol = Some((*p).to_string());
                e
            })
            .collect();
        scene(Vec::new(), nodes, edges)
    }

    #[test]
    fn one_label_shared_by_a_bus_is_drawn_once_beside_its_trunk() {
        for dir in DIRECTIONS {
            let mut s = sql_bus(&["sql"; 6]);
            s.direction = dir;
            let p = check(&s);
            let labels: Vec<Rect> = p.edges.iter().filter_map(|e| e.label).collect();
            assert_eq!(labels.len(), 1, "{dir:?}");
            // Beside the trunk (the last segment every route shares), touching neither it nor a box.
            let trunk = p.edges[0].points[p.edges[0].points.len() - 2..].to_vec();
            let (a, b) = (trunk[0], trunk[1]);
            let l = labels[0];
            let (x0, x1, y0, y1) = (a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1));
            let apart = x1 < l.x || x0 > l.right() || y1 < l.y || y0 > l.bottom();
            assert!(apart, "{dir:?}: {l:?} on the trunk {trunk:?}");
            let clear = |n: &Rect| {
                n.right() <= l.x || n.x >= l.right() || n.bottom() <= l.y || n.y >= l.bottom()
            };
            assert!(p.nodes.iter().all(clear), "{dir:?}");
        }
        // Labels that differ stay on their own lines.
        let p = check(&sql_bus(&["sql", "sql", "sql", "sql", "sql", "jdbc"]));
        assert_eq!(p.edges.iter().filter(|e| e.label.is_some()).count(), 6);
    }

    #[test]
    fn edges_past_a_long_chain_are_drawn_straight_once_bends_exceed_the_limit() {
        // A chain of 600 services, each called by one more: 179,700 ranks crossed in all.
        let n = 600;
        let mut edges: Vec<_> = (0..n - 1).map(|i| edge(i, i + 1, Mode::Sync, false)).collect();
        edges.extend((0..n).map(|i| edge(n, i, Mode::Sync, false)));
        let nodes = (0..=n).map(|i| node(&format!("c{i}"), "c", Kind::Service, None)).collect();
        let s = scene(Vec::new(), nodes, edges);
        let m = measure::measure(&s);
        let e = Edges::new(&s, &m, |x| x);
        let layer = rank::rank(n + 1, &e.rank_edges(), rank::Start::Sinks);
        let layer: Vec<usize> = layer.iter().map(|&r| usize::try_from(r).unwrap_or(0)).collect();
        let direct = direct_edges(&layer, &e);
        // The longest calls go straight; the chain and the short calls keep their layers, and
        // the rest cross no more ranks than the limit.
        let left: u64 = (0..e.oriented.len())
            .filter(|&i| !direct[i])
            .map(|i| (layer[e.oriented[i].1] - layer[e.oriented[i].0] - 1) as u64)
            .sum();
        assert!(left <= MIN_SPAN_LIMIT && left > MIN_SPAN_LIMIT - n as u64, "{left}");
        assert!(direct[..n - 1].iter().all(|&d| !d));
        assert!(direct[n - 1 + n - 1] && !direct[n - 1 + 1]);
        // Drawn systems have none.
        let small = nested();
        let e = Edges::new(&small, &measure::measure(&small), |x| x);
        let layer = rank::rank(small.nodes.len(), &e.rank_edges(), rank::Start::Sinks);
        let layer: Vec<usize> = layer.iter().map(|&r| usize::try_from(r).unwrap_or(0)).collect();
        assert!(direct_edges(&layer, &e).iter().all(|&d| !d));
    }

    #[test]
    fn tangled_cycles_are_drawn_with_bends_in_proportion_to_their_size() {
        // Oriented depth first, 4,000 such services cross 3.1 million ranks (and took 26 s and
        // 1 GB to draw); oriented by levels, 7,177.
        for n in [2_000, 8_000] {
            let s = tangle(n);
            let m = measure::measure(&s);
            let edges = Edges::new(&s, &m, |x| x);
            let size = (n + s.edges.len()) as u64;
            let span = rank::longest_path_span(n, &edges.rank_edges());
            assert!(span <= 2 * size, "{n} services: {span} ranks crossed");
            assert!(edges.back.iter().any(|&b| b));
        }
        // The drawing itself: bends grow with the graph, not with its square.
        let s = tangle(1_000);
        let p = Layered.layout(&s, &measure::measure(&s));
        let bends: usize = p.edges.iter().map(|e| e.points.len()).sum();
        assert!(bends <= 16 * (s.nodes.len() + s.edges.len()), "{bends} bends");
    }

    /// Lays out `s` with the SVG renderer's measurements and checks every invariant.
    fn check(s: &Scene) -> Positioned {
        let m = measure::measure(s);
        let p = Layered.layout(s, &m);
        assert_eq!(p.nodes.len(), s.nodes.len());
        assert_eq!(p.groups.len(), s.groups.len());
        assert_eq!(p.edges.len(), s.edges.len());
        let canvas = Rect { x: -1e-6, y: -1e-6, width: p.width + 2e-6, height: p.height + 2e-6 };
        let horizontal = matches!(s.direction, Direction::LR | Direction::RL);
        for (r, size) in p.nodes.iter().zip(&m.nodes) {
            assert!(canvas.contains(r), "{r:?} outside {canvas:?}");
            // Along the flow a box keeps its size; across it may grow to space its ports.
            let (along, across, m_along, m_across) = if horizontal {
                (r.width, r.height, size.width, size.height)
            } else {
                (r.height, r.width, size.height, size.width)
            };
            assert!((along - m_along).abs() < 1e-6 && across >= m_across - 1e-6, "{r:?} {size:?}");
        }
        for (g, frame) in p.groups.iter().enumerate() {
            if let Some(parent) = s.groups[g].parent {
                assert!(p.groups[parent].contains(frame), "group {g} outside its parent");
            }
        }
        for (e, path) in s.edges.iter().zip(&p.edges) {
            assert!(path.points.len() >= 2);
            let near = |r: &Rect, q: (f64, f64)| {
                let inside = q.0 >= r.x - 1e-6
                    && q.0 <= r.right() + 1e-6
                    && q.1 >= r.y - 1e-6
                    && q.1 <= r.bottom() + 1e-6;
                let on = (q.0 - r.x).abs() < 1e-6
                    || (q.0 - r.right()).abs() < 1e-6
                    || (q.1 - r.y).abs() < 1e-6
                    || (q.1 - r.bottom()).abs() < 1e-6;
                inside && on
            };
            assert!(near(&p.nodes[e.from], path.points[0]), "route starts off its source");
            assert!(near(&p.nodes[e.to], *path.points.last().expect("points")), "route ends off");
            // A label is drawn on its own line, or once for every line of a bus that shares it.
            let shared = || {
                s.edges.iter().zip(&p.edges).any(|(f, q)| {
                    f.to == e.to && f.display_label() == e.display_label() && q.label.is_some()
                })
            };
            assert!(path.label.is_none() || e.display_label().is_some());
            assert!(e.display_label().is_none() || path.label.is_some() || shared());
        }
        let q = quality(&Drawing::from_positioned(s, &p));
        assert!(q.is_clean(), "{q:?}");
        assert_eq!(q.edges_through_titles, 0, "{q:?}");
        for ((frame, t), size) in p.groups.iter().zip(&p.titles).zip(&m.group_titles) {
            if frame.width > 0.0 {
                assert!(frame.contains(t), "title {t:?} outside {frame:?}");
                assert!((t.width - size.width).abs() < 1e-6, "frame narrower than its title");
            }
        }
        p
    }

    #[test]
    fn empty_and_single_scenes() {
        let empty = scene(vec![], vec![], vec![]);
        let p = Layered.layout(&empty, &measure::measure(&empty));
        assert!(p.nodes.is_empty() && p.width.abs() < 1e-9);
        let p = check(&single());
        assert!(p.nodes[0].x.abs() < 1e-9 && p.nodes[0].y.abs() < 1e-9);
    }

    /// One hub calling `n` services, every line labelled `label`; top to bottom, asked for.
    fn hub_row(n: usize, label: Option<&str>) -> Scene {
        let mut nodes = vec![node("hub", "Hub", Kind::Service, None)];
        nodes.extend((0..n).map(|i| node(&format!("t{i}"), "Target", Kind::Service, None)));
        let edges = (1..=n)
            .map(|i| {
                let mut e = edge(0, i, Mode::Sync, false);
                e.label = label.map(Into::into);
                e
            })
            .collect();
        scene(Vec::new(), nodes, edges)
    }

    /// The sketch that lets [`crate::layout::lay_out`] skip a full layout it would turn anyway
    /// never changes the drawing: the same as with no sketch, on a row turned on sight, samples
    /// kept as they are, and one laid out in full after its sketch; none for a large diagram.
    #[test]
    fn sketching_a_drawing_first_changes_nothing_but_time() {
        struct NoSketch;
        impl Layout for NoSketch {
            fn layout(&self, scene: &Scene, measured: &Measured) -> Positioned {
                Layered.layout(scene, measured)
            }
            fn smooth_edges(&self) -> bool {
                true
            }
        }
        let row = |n| hub_row(n, None);
        let mut samples = vec![row(5), row(12), row(40), every_kind(), nested()];
        for s in &mut samples {
            s.direction_fixed = false;
        }
        let mut turned = 0;
        for s in &samples {
            let (m, p) = crate::layout::lay_out(&Layered, s);
            let (m0, p0) = crate::layout::lay_out(&NoSketch, s);
            assert_eq!(p, p0);
            assert_eq!(m.1, m0.1);
            turned += usize::from(p.direction == Direction::LR);
        }
        assert!(turned >= 2, "rows of twelve and forty are turned");
        assert!(Layered.sketch(&row(12), &measure::measure(&row(12))).is_some());
        assert!(Layered.sketch(&row(400), &measure::measure(&row(400))).is_none());
    }

    /// Labels are measured for the direction the drawing flows in: one line top to bottom, two
    /// narrow ones once the drawing is turned left to right, and the drawing places the labels
    /// it was measured with.
    #[test]
    fn labels_wrap_narrower_once_a_drawing_is_turned_left_to_right() {
        let mut s = hub_row(12, Some("consumes new orders"));
        let ((_, fixed, _), p) = crate::layout::lay_out(&Layered, &s);
        assert_eq!(p.direction, Direction::TB);
        assert!(fixed.iter().flatten().all(|(lines, _)| lines.len() == 1), "{fixed:?}");
        s.direction_fixed = false;
        let ((_, turned, _), p) = crate::layout::lay_out(&Layered, &s);
        assert_eq!(p.direction, Direction::LR, "a row of twelve is turned");
        for ((lines, size), e) in turned.iter().flatten().zip(&p.edges) {
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert!(lines.iter().all(|l| text::line_width(l, measure::EDGE_SIZE) <= 84.0));
            let r = e.label.expect("a placed label");
            assert_eq!((r.width, r.height), (size.width, size.height));
        }
    }

    #[test]
    fn samples_are_clean_in_every_direction() {
        for direction in DIRECTIONS {
            for mut s in [nested(), every_kind(), hostile()] {
                s.direction = direction;
                check(&s);
            }
        }
    }

    /// user → web → gateway → six services, each with a database, left to right as the
    /// aspect rule turns it (`direction_fixed` false), or as asked (true).
    fn entry_chain(fixed: bool, extra: bool) -> Scene {
        let mut nodes = vec![
            node("user", "Shopper", Kind::User, Some(0)),
            node("web", "Web shop", Kind::Frontend, Some(0)),
            node("gw", "Gateway", Kind::Gateway, Some(0)),
        ];
        let mut browse = edge(0, 1, Mode::Sync, false);
        browse.label = Some("browses and buys".into());
        let mut edges = vec![browse, edge(1, 2, Mode::Sync, false)];
        for i in 0..6 {
            nodes.push(node(&format!("s{i}"), &format!("Service {i}"), Kind::Service, None));
            nodes.push(node(&format!("d{i}"), &format!("Database {i}"), Kind::Database, None));
            edges.push(edge(2, 3 + 2 * i, Mode::Sync, false));
            edges.push(edge(3 + 2 * i, 4 + 2 * i, Mode::Sync, false));
        }
        if extra {
            edges.push(edge(0, 3, Mode::Sync, false));
        }
        let mut s = scene(vec![group("channels", "Customer channels", None)], nodes, edges);
        s.direction = Direction::LR;
        s.direction_fixed = fixed;
        s
    }

    #[test]
    fn an_entry_chain_is_stacked_above_its_head_when_turned() {
        let folded = check(&entry_chain(false, false));
        let (user, web, gw) = (folded.nodes[0], folded.nodes[1], folded.nodes[2]);
        for r in [user, web] {
            assert!((r.center().0 - gw.center().0).abs() < 1e-6, "{r:?} not above {gw:?}");
        }
        assert!(user.bottom() < web.y && web.bottom() < gw.y);
        // Straight down, the label on its line, the frame around all three.
        assert_eq!(folded.edges[0].points.len(), 2);
        let label = folded.edges[0].label.expect("label");
        assert!(label.y > user.bottom() && label.bottom() < web.y);
        assert!(folded.groups[0].contains(&user) && folded.groups[0].contains(&gw));
        // Narrower and smaller than the same drawing with its columns.
        let columns = check(&entry_chain(true, false));
        assert!(columns.nodes[0].right() < columns.nodes[1].x);
        assert!(folded.width < columns.width - 200.0, "{} {}", folded.width, columns.width);
        assert!(folded.width * folded.height < columns.width * columns.height);
        // A chain whose source has another line is not one, nor one across groups.
        let other = check(&entry_chain(false, true));
        assert!(other.nodes[0].right() < other.nodes[2].x);
        let mut split = entry_chain(false, false);
        split.groups.push(group("edge", "Edge", None));
        split.nodes[2].group = Some(1);
        let split = check(&split);
        assert!(split.nodes[0].right() < split.nodes[2].x);
    }

    #[test]
    fn a_group_of_sinks_stands_in_one_column_when_lines_would_cross_its_frame() {
        // a calls x1 (a third party) and b; b calls x2 (another) and five topics-like sinks
        // t1..t5 that c, d also call: x1 would sit one rank above x2 and the lines into the
        // sinks would run down through the third parties' frame between them.
        let mut nodes = vec![
            node("a", "A", Kind::Service, None),
            node("b", "B", Kind::Service, None),
            node("x1", "X1", Kind::External, Some(0)),
            node("x2", "X2", Kind::External, Some(0)),
        ];
        let mut edges = vec![
            edge(0, 2, Mode::Sync, false),
            edge(0, 1, Mode::Sync, false),
            edge(1, 3, Mode::Sync, false),
        ];
        for k in 0..3 {
            nodes.push(node(&format!("c{k}"), "C", Kind::Service, None));
            edges.push(edge(0, 4 + 2 * k, Mode::Sync, false));
            nodes.push(node(&format!("t{k}"), "T", Kind::Topic, None));
            edges.push(edge(4 + 2 * k, 5 + 2 * k, Mode::Async, false));
            edges.push(edge(1, 5 + 2 * k, Mode::Async, false));
        }
        let s = scene(vec![group("third", "Third parties", None)], nodes, edges);
        let p = check(&s);
        let (x1, x2) = (p.nodes[2], p.nodes[3]);
        assert!((x1.y - x2.y).abs() < 1e-6, "{x1:?} {x2:?} not in one row");
        let q = quality(&Drawing::from_positioned(&s, &p));
        assert_eq!(q.foreign_frames, 0, "{} lines through a foreign frame", q.foreign_frames);
    }

    /// Two users, each with an app, each app calling one of two gateways (labelled lines); the
    /// gateways call six services with a database each. `fixed`: the direction was asked for.
    fn entry_block(fixed: bool) -> Scene {
        let mut nodes = vec![
            node("rider", "Rider", Kind::User, Some(0)),
            node("driver", "Driver", Kind::User, Some(0)),
            node("rider-app", "Rider app", Kind::Frontend, Some(0)),
            node("driver-app", "Driver app", Kind::Frontend, Some(0)),
            node("api", "API gateway", Kind::Gateway, Some(1)),
            node("live", "Live gateway", Kind::Gateway, Some(1)),
        ];
        let mut edges = vec![edge(0, 2, Mode::Sync, false), edge(1, 3, Mode::Sync, false)];
        for (from, to) in [(2, 4), (3, 5), (3, 4)] {
            let mut e = edge(from, to, Mode::Sync, false);
            e.label = Some("https".into());
            edges.push(e);
        }
        for i in 0..6 {
            nodes.push(node(&format!("s{i}"), &format!("Service {i}"), Kind::Service, None));
            nodes.push(node(&format!("d{i}"), &format!("Database {i}"), Kind::Database, None));
            edges.push(edge(4 + i % 2, 6 + 2 * i, Mode::Sync, false));
            edges.push(edge(6 + 2 * i, 7 + 2 * i, Mode::Sync, false));
        }
        let groups = vec![group("apps", "Mobile apps", None), group("edge", "Edge", None)];
        let mut s = scene(groups, nodes, edges);
        s.direction = Direction::LR;
        s.direction_fixed = fixed;
        s
    }

    #[test]
    fn an_entry_block_is_stacked_above_the_column_it_feeds_when_turned() {
        let folded = check(&entry_block(false));
        let n = &folded.nodes;
        // Users on top, their apps below them, both rows above both gateways.
        let (users, apps, gateways) = ([n[0], n[1]], [n[2], n[3]], [n[4], n[5]]);
        for u in users {
            for a in apps {
                assert!(u.bottom() < a.y, "{u:?} not above {a:?}");
                for g in gateways {
                    assert!(a.bottom() < g.y, "{a:?} not above {g:?}");
                }
            }
        }
        // Each app's lines leave its bottom and enter a gateway from the left, as before.
        for (i, e) in folded.edges.iter().enumerate().skip(2).take(3) {
            let (first, last) = (e.points[0], *e.points.last().expect("points"));
            let app = n[[2, 3, 3][i - 2]];
            assert!((first.1 - app.bottom()).abs() < 1e-6, "{i}: {e:?}");
            let gateway = n[[4, 5, 4][i - 2]];
            assert!((last.0 - gateway.x).abs() < 1e-6, "{i}: {e:?}");
        }
        // The apps' frame holds the block, and nothing else lies left of the gateways' frame.
        assert!(folded.groups[0].contains(&n[0]) && folded.groups[0].contains(&n[3]));
        let columns = check(&entry_block(true));
        assert!(columns.nodes[0].right() < columns.nodes[2].x);
        assert!(folded.width < columns.width - 150.0, "{} {}", folded.width, columns.width);
        assert!(folded.width * folded.height < columns.width * columns.height);
        let q = quality(&Drawing::from_positioned(&entry_block(false), &folded));
        assert_eq!(q.crossings, 0, "{} crossings", q.crossings);
    }

    #[test]
    fn direction_decides_the_flow() {
        let mut s = nested();
        for (direction, test) in [
            (Direction::TB, (|a: (f64, f64), b: (f64, f64)| a.1 < b.1) as fn(_, _) -> bool),
            (Direction::BT, |a, b| a.1 > b.1),
            (Direction::LR, |a, b| a.0 < b.0),
            (Direction::RL, |a, b| a.0 > b.0),
        ] {
            s.direction = direction;
            let p = check(&s);
            // web -> gw: the caller comes first along the flow.
            assert!(test(p.nodes[0].center(), p.nodes[1].center()), "{direction:?}");
        }
    }

    #[test]
    fn cycles_keep_their_arrow_direction() {
        let s = scene(
            vec![],
            vec![
                node("a", "A", Kind::Service, None),
                node("b", "B", Kind::Service, None),
                node("c", "C", Kind::Service, None),
            ],
            vec![
                edge(0, 1, Mode::Sync, false),
                edge(1, 2, Mode::Sync, false),
                edge(2, 0, Mode::Sync, false),
            ],
        );
        // `check` asserts every route starts on its source and ends on its target.
        let p = check(&s);
        // The back edge c -> a ends on a's border, a above c.
        assert!(p.nodes[0].y < p.nodes[2].y);
        let end = *p.edges[2].points.last().expect("points");
        assert!((end.1 - p.nodes[0].bottom()).abs() < 1e-6, "arrow into a's bottom");
    }

    #[test]
    fn long_edges_stay_straight() {
        // a -> b -> c -> d -> e and a long edge a -> e: its dummies share one x.
        let nodes: Vec<_> =
            ["a", "b", "c", "d", "e"].iter().map(|id| node(id, id, Kind::Service, None)).collect();
        let mut edges: Vec<_> = (0..4).map(|i| edge(i, i + 1, Mode::Sync, false)).collect();
        edges.push(edge(0, 4, Mode::Sync, false));
        let s = scene(vec![], nodes, edges);
        let p = check(&s);
        let pts = &p.edges[4].points;
        assert!(pts.len() >= 4);
        let inner = &pts[2..pts.len() - 2];
        assert!(inner.iter().all(|q| (q.0 - inner[0].0).abs() < 1e-6), "{pts:?}");
    }

    #[test]
    fn groups_stay_contiguous_with_tangled_edges() {
        // Two nested groups whose members are linked crosswise with outsiders.
        let groups =
            vec![group("g", "G", None), group("g.in", "Inner", Some(0)), group("h", "H", None)];
        let nodes = vec![
            node("a", "A", Kind::Service, Some(0)),
            node("b", "B", Kind::Service, Some(1)),
            node("c", "C", Kind::Service, Some(2)),
            node("d", "D", Kind::Service, None),
            node("e", "E", Kind::Database, Some(1)),
            node("f", "F", Kind::Database, Some(2)),
            node("x", "X", Kind::Service, None),
        ];
        let mut edges = vec![
            edge(3, 0, Mode::Sync, false),
            edge(3, 2, Mode::Sync, false),
            edge(0, 5, Mode::Sync, false),
            edge(2, 4, Mode::Async, false),
            edge(1, 4, Mode::Sync, false),
            edge(2, 1, Mode::Sync, false),
            edge(0, 6, Mode::Sync, false),
            edge(6, 4, Mode::Sync, false),
        ];
        edges[2].label = Some("a label".into());
        edges[5].label = Some("another, longer label".into());
        for direction in DIRECTIONS {
            let mut s = scene(groups.clone(), nodes.clone(), edges.clone());
            s.direction = direction;
            check(&s);
        }
    }

    #[test]
    fn huge_labels_and_lonely_nodes() {
        let big = "a very long label ".repeat(40);
        let mut s = scene(
            vec![group("g", &big, None)],
            vec![
                node("a", &big, Kind::Service, Some(0)),
                node("b", "B", Kind::Service, None),
                node("c", "C", Kind::Service, None),
            ],
            vec![edge(0, 1, Mode::Sync, false)],
        );
        s.edges[0].label = Some(big);
        check(&s);
    }

    /// A random scene: `n` nodes, groups nested at random, random edges (cycles allowed).
    fn random_scene(
        n: usize,
        parents: &[usize],
        members: &[usize],
        edges: &[(usize, usize, bool)],
        direction: usize,
    ) -> Scene {
        let groups: Vec<_> = parents
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                // Group i's parent is one of the groups before it, or none.
                let parent = if i == 0 || p % (i + 1) == i { None } else { Some(p % i) };
                group(&format!("g{i}"), &format!("Group {i}"), parent)
            })
            .collect();
        let nodes: Vec<_> = (0..n)
            .map(|i| {
                let m = members.get(i).copied().unwrap_or(0);
                let grp =
                    if groups.is_empty() || m % 3 == 0 { None } else { Some(m % groups.len()) };
                node(&format!("n{i}"), &format!("Node {i}"), Kind::ALL[i % 12], grp)
            })
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let edges: Vec<_> = edges
            .iter()
            .filter_map(|&(a, b, label)| {
                let (a, b) = (a % n, b % n);
                (a != b && seen.insert((a, b))).then(|| {
                    let mut e = edge(a, b, Mode::Sync, false);
                    if label {
                        e.label = Some(format!("{a}→{b}"));
                    }
                    e
                })
            })
            .collect();
        // Only groups that hold a node (scene invariant), keeping parents.
        let mut s = scene(groups, nodes, edges);
        let mut used = vec![false; s.groups.len()];
        for nd in &s.nodes {
            let mut g = nd.group;
            while let Some(x) = g {
                used[x] = true;
                g = s.groups[x].parent;
            }
        }
        let remap: Vec<Option<usize>> = used
            .iter()
            .scan(0, |k, &u| {
                Some(if u {
                    *k += 1;
                    Some(*k - 1)
                } else {
                    None
                })
            })
            .collect();
        s.groups = s
            .groups
            .iter()
            .zip(&used)
            .filter(|(_, u)| **u)
            .map(|(g, _)| {
                let mut g = g.clone();
                g.parent = g.parent.and_then(|p| remap[p]);
                g
            })
            .collect();
        for nd in &mut s.nodes {
            nd.group = nd.group.and_then(|g| remap[g]);
        }
        s.direction = DIRECTIONS[direction % 4];
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_graphs_with_nested_groups_are_clean(
            n in 1usize..14,
            parents in proptest::collection::vec(0usize..8, 0..5),
            members in proptest::collection::vec(0usize..12, 14),
            edges in proptest::collection::vec((0usize..14, 0usize..14, any::<bool>()), 0..24),
            direction in 0usize..4,
        ) {
            let s = random_scene(n, &parents, &members, &edges, direction);
            check(&s);
            // Deterministic.
            let m = measure::measure(&s);
            prop_assert_eq!(Layered.layout(&s, &m), Layered.layout(&s, &m));
        }
    }
}
