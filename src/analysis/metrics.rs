//! Graph metrics of a model: degrees, blast radius, reachability counts, dominators, sync
//! chains, betweenness and a system summary.
//!
//! Input: a [`Model`]. Output: plain numbers per component (indexed by [`ServiceId`]) or per
//! system. Used by the checks AM020–AM024 and by `archmap stats`. Invariants: every function is
//! deterministic (ties are broken by manifest order) and none recurses, so deep graphs cannot
//! overflow the stack.
//!
//! Costs, with V components and E dependencies. What the checks use is near-linear:
//! degrees O(1) each, [`sync_chains`] and [`Dominance::compute`] O(V + E) (dominators are
//! Cooper–Harvey–Kennedy, quadratic only on pathological graphs),
//! [`blast_radius_at_least`] O(limit) per component. The exact reachability counts
//! ([`reach_counts`], [`blast_radii`]) are bit-parallel, O((V + E) · V / 64) word operations
//! and O(V · 512) bytes (about 5 ms at 10,000 components and 25,000 edges). [`betweenness`]
//! is O(V · E) and runs only when asked.

use std::collections::{HashMap, VecDeque};

use petgraph::Direction;
use petgraph::algo::articulation_points::articulation_points;
use petgraph::algo::dominators::simple_fast;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

use crate::model::{Dependency, Model, ServiceId};
use crate::vocab::{Kind, Mode};

/// Whether a component is an *entry*: of kind frontend, gateway or user, or one nothing
/// depends on (RULES.md).
#[must_use]
pub(crate) fn is_entry(model: &Model, id: ServiceId) -> bool {
    matches!(model.component(id).kind, Kind::Frontend | Kind::Gateway | Kind::User)
        || fan_in(model, id) == 0
}

/// [`is_entry`] for every component. O(V + E).
#[must_use]
pub(crate) fn entries(model: &Model) -> Vec<bool> {
    model.components().map(|id| is_entry(model, id)).collect()
}

/// How many distinct components depend on `id` directly, over any edge. O(fan-in).
#[must_use]
pub(crate) fn fan_in(model: &Model, id: ServiceId) -> usize {
    // Lowering drops duplicate and self edges, so in-degree counts distinct components.
    model.graph.neighbors_directed(id, Direction::Incoming).count()
}

/// How many distinct components `id` depends on directly, over any edge. O(fan-out).
#[must_use]
pub(crate) fn fan_out(model: &Model, id: ServiceId) -> usize {
    model.graph.neighbors_directed(id, Direction::Outgoing).count()
}

/// Adjacency lists of the edges a predicate keeps, each list in manifest order.
#[derive(Clone, Debug)]
pub(crate) struct Adjacency {
    /// For each component: `(target, edge)` of its kept dependencies.
    pub out: Vec<Vec<(ServiceId, EdgeIndex<u32>)>>,
    /// For each component: `(source, edge)` of the kept dependencies on it.
    pub inc: Vec<Vec<(ServiceId, EdgeIndex<u32>)>>,
}

impl Adjacency {
    /// The edges of `model` that `keep` accepts. O(V + E).
    #[must_use]
    pub(crate) fn of(model: &Model, keep: impl Fn(&Dependency) -> bool) -> Self {
        let n = model.graph.node_count();
        let mut out = vec![Vec::new(); n];
        let mut inc = vec![Vec::new(); n];
        // Edge indices grow in manifest order (source order, then `depends_on` order).
        for e in model.graph.edge_references() {
            if keep(e.weight()) {
                out[e.source().index()].push((e.target(), e.id()));
                inc[e.target().index()].push((e.source(), e.id()));
            }
        }
        for list in out.iter_mut().chain(inc.iter_mut()) {
            list.sort_by_key(|&(_, e)| e);
        }
        Self { out, inc }
    }

    /// Required sync edges: the sync graph of RULES.md, along which failures travel.
    #[must_use]
    pub(crate) fn sync_graph(model: &Model) -> Self {
        Self::of(model, Dependency::is_required_sync)
    }

    /// Number of components.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Strongly connected components, sinks first (reverse topological order); members in
    /// manifest order. O(V + E), iterative.
    #[must_use]
    pub(crate) fn sccs(&self) -> Vec<Vec<ServiceId>> {
        let mut g: DiGraph<(), (), u32> = DiGraph::with_capacity(self.len(), 0);
        for _ in 0..self.len() {
            g.add_node(());
        }
        for (s, targets) in self.out.iter().enumerate() {
            for &(t, _) in targets {
                g.add_edge(NodeIndex::new(s), t, ());
            }
        }
        let mut sccs = kosaraju_scc(&g);
        for c in &mut sccs {
            c.sort_unstable();
        }
        sccs
    }
}

/// For every component, how many *other* components reach it (`Direction::Incoming`: its
/// ancestors) or it reaches (`Direction::Outgoing`: its descendants) over `adj`.
///
/// Exact, bit-parallel over the condensation: O((V + E) · V / 64) word operations in chunks
/// of 4,096 columns, O(V · 512) bytes.
#[must_use]
pub(crate) fn reach_counts(adj: &Adjacency, direction: Direction) -> Vec<usize> {
    const WORDS: usize = 64;
    let n = adj.len();
    let sccs = adj.sccs();
    // Process so that the SCCs whose sets flow into one come before it.
    let order: Vec<&Vec<ServiceId>> = match direction {
        Direction::Incoming => sccs.iter().rev().collect(),
        Direction::Outgoing => sccs.iter().collect(),
    };
    let mut pos = vec![0usize; n];
    for (p, members) in order.iter().enumerate() {
        for m in *members {
            pos[m.index()] = p;
        }
    }
    let feeders = match direction {
        Direction::Incoming => &adj.inc,
        Direction::Outgoing => &adj.out,
    };
    let mut counts = vec![0usize; n];
    let mut bits = vec![0u64; order.len() * WORDS];
    for lo in (0..n).step_by(WORDS * 64) {
        bits.fill(0);
        for (p, members) in order.iter().enumerate() {
            let (done, rest) = bits.split_at_mut(p * WORDS);
            let row = &mut rest[..WORDS];
            for m in *members {
                let i = m.index();
                if (lo..lo + WORDS * 64).contains(&i) {
                    let b = i - lo;
                    row[b / 64] |= 1 << (b % 64);
                }
                for &(f, _) in &feeders[i] {
                    let q = pos[f.index()];
                    if q != p {
                        let from = &done[q * WORDS..(q + 1) * WORDS];
                        for (r, w) in row.iter_mut().zip(from) {
                            *r |= w;
                        }
                    }
                }
            }
            let ones: usize = row.iter().map(|w| w.count_ones() as usize).sum();
            for m in *members {
                counts[m.index()] += ones;
            }
        }
    }
    // Each set holds the component itself.
    for c in &mut counts {
        *c = c.saturating_sub(1);
    }
    counts
}

/// The *blast radius* of every component: how many other components have a required sync
/// path to it. Exact; see [`reach_counts`] for the cost.
#[must_use]
pub(crate) fn blast_radii(model: &Model) -> Vec<usize> {
    reach_counts(&Adjacency::sync_graph(model), Direction::Incoming)
}

/// How many components [`blast_radius_at_least`] keeps in a list before it uses a set.
const SHORT_LIST: usize = 256;

/// The blast radius of `id` over `sync` (see [`Adjacency::sync_graph`]), counted up to
/// `limit`: returns `min(blast radius, limit)`. A reverse BFS that stops once `limit`
/// components are found: O(limit) time (and the edges into them) whatever the graph's size.
#[must_use]
pub(crate) fn blast_radius_at_least(sync: &Adjacency, id: ServiceId, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    // Few components are visited, so a short list beats a V-sized bitmap; past a few hundred
    // (a limit that is a share of a large system) the list's scans would make the search
    // quadratic in the limit, so a set takes over at `SHORT_LIST`.
    let mut seen = vec![id];
    let mut set: Option<std::collections::HashSet<ServiceId>> = None;
    let mut queue = VecDeque::from([id]);
    while let Some(x) = queue.pop_front() {
        for &(p, _) in &sync.inc[x.index()] {
            let new = match &mut set {
                Some(set) => set.insert(p),
                None if seen.contains(&p) => false,
                None => {
                    if seen.len() == SHORT_LIST {
                        set = Some(seen.iter().copied().chain([p]).collect());
                    }
                    true
                }
            };
            if new {
                seen.push(p);
                if seen.len() > limit {
                    return limit;
                }
                queue.push_back(p);
            }
        }
    }
    seen.len() - 1
}

/// Dominators from a virtual root that points at every entry.
///
/// X *dominates* Y when every path from the root (from any entry) to Y passes through X.
#[derive(Clone, Debug)]
pub(crate) struct Dominance {
    /// Immediate dominator of each component; `None` for entries (dominated by the root
    /// only) and for components no entry reaches.
    pub idom: Vec<Option<ServiceId>>,
    /// Whether some entry reaches the component.
    pub reachable: Vec<bool>,
    /// Components in a preorder of the dominator tree (parents before children).
    preorder: Vec<ServiceId>,
    /// The components each one immediately dominates, in manifest order.
    children: Vec<Vec<ServiceId>>,
}

impl Dominance {
    /// Dominators over the edges `adj` holds, with the components `entry` marks as the
    /// virtual root's successors. O(V + E) on architecture-shaped graphs (petgraph's
    /// `simple_fast`).
    #[must_use]
    pub(crate) fn compute(adj: &Adjacency, entry: &[bool]) -> Self {
        let n = adj.len();
        let mut g: DiGraph<(), (), u32> = DiGraph::with_capacity(n + 1, 0);
        for _ in 0..=n {
            g.add_node(());
        }
        let root = NodeIndex::new(n);
        for (i, &is_entry) in entry.iter().enumerate() {
            if is_entry {
                g.add_edge(root, NodeIndex::new(i), ());
            }
        }
        for (s, targets) in adj.out.iter().enumerate() {
            for &(t, _) in targets {
                g.add_edge(NodeIndex::new(s), t, ());
            }
        }
        let doms = simple_fast(&g, root);
        let mut idom = vec![None; n];
        let mut reachable = vec![false; n];
        let mut children: Vec<Vec<ServiceId>> = vec![Vec::new(); n + 1];
        for i in 0..n {
            if let Some(d) = doms.immediate_dominator(NodeIndex::new(i)) {
                reachable[i] = true;
                children[d.index()].push(NodeIndex::new(i));
                if d != root {
                    idom[i] = Some(d);
                }
            }
        }
        let mut preorder = Vec::with_capacity(n);
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            if x != root {
                preorder.push(x);
            }
            stack.extend(children[x.index()].iter().rev());
        }
        children.truncate(n);
        Self { idom, reachable, preorder, children }
    }

    /// For each component, how many components *other than itself* it dominates and `count`
    /// accepts. O(V).
    #[must_use]
    pub(crate) fn dominated(&self, count: impl Fn(ServiceId) -> bool) -> Vec<usize> {
        let mut below = vec![0usize; self.idom.len()];
        for &x in self.preorder.iter().rev() {
            if let Some(d) = self.idom[x.index()] {
                below[d.index()] += below[x.index()] + usize::from(count(x));
            }
        }
        below
    }

    /// The components `id` immediately dominates, in manifest order.
    #[must_use]
    pub(crate) fn children(&self, id: ServiceId) -> &[ServiceId] {
        &self.children[id.index()]
    }
}

/// Longest chains of sync calls (mode sync, optional or not), in hops (edges).
///
/// Cycles are AM010's and AM011's business: each strongly connected component of the sync
/// calls is condensed to one stop, which leaves a DAG whose longest paths take linear time.
/// A chain that enters a cycle at one member and leaves from another walks between them by
/// the shortest route when it is shown ([`SyncChains::chain_from`]), so a chain shown can be
/// longer than its condensed length.
#[derive(Clone, Debug)]
pub(crate) struct SyncChains {
    /// Longest condensed chain starting at each component.
    pub from: Vec<usize>,
    /// Longest condensed chain ending at each component.
    pub to: Vec<usize>,
    /// Whether each component has an incoming sync edge (including edges in cycles).
    pub called: Vec<bool>,
    /// The strongly connected component of each component.
    scc_of: Vec<usize>,
    /// Per strongly connected component: the edge leaving it on a longest chain (the
    /// earliest in manifest order among equally long ones).
    exit: Vec<Option<EdgeIndex<u32>>>,
    /// The sync edges.
    adj: Adjacency,
}

impl SyncChains {
    /// Longest condensed hops through `id`: the longest chain ending there plus the longest
    /// starting there.
    #[must_use]
    pub(crate) fn through(&self, id: ServiceId) -> usize {
        self.to[id.index()] + self.from[id.index()]
    }

    /// The longest condensed chain in the system, in hops.
    #[must_use]
    pub(crate) fn longest(&self) -> usize {
        self.from.iter().copied().max().unwrap_or(0)
    }

    /// The edges of a longest chain starting at `start`, in path order, walking through each
    /// cycle on the way by the shortest route. O(V + E).
    #[must_use]
    pub(crate) fn chain_from(&self, model: &Model, start: ServiceId) -> Vec<EdgeIndex<u32>> {
        let mut path = Vec::new();
        let mut cur = start;
        while let Some(e) = self.exit[self.scc_of[cur.index()]] {
            let (u, x) = model.graph.edge_endpoints(e).expect("chain edges exist");
            if u != cur {
                path.extend(self.inside(cur, u));
            }
            path.push(e);
            cur = x;
        }
        path
    }

    /// A shortest path from `a` to `b` inside their strongly connected component, preferring
    /// edges written first.
    fn inside(&self, a: ServiceId, b: ServiceId) -> Vec<EdgeIndex<u32>> {
        let scc = self.scc_of[a.index()];
        // Keyed lookups only (never iterated), so the map's order cannot reach the output.
        let mut via: HashMap<ServiceId, (ServiceId, EdgeIndex<u32>)> = HashMap::new();
        let mut queue = VecDeque::from([a]);
        while let Some(x) = queue.pop_front() {
            if x == b {
                break;
            }
            for &(y, e) in &self.adj.out[x.index()] {
                if self.scc_of[y.index()] == scc && y != a && !via.contains_key(&y) {
                    via.insert(y, (x, e));
                    queue.push_back(y);
                }
            }
        }
        let mut path = Vec::new();
        let mut cur = b;
        while cur != a {
            let (prev, e) = via[&cur];
            path.push(e);
            cur = prev;
        }
        path.reverse();
        path
    }
}

/// Longest sync chains from and to every component. O(V + E).
#[must_use]
pub(crate) fn sync_chains(model: &Model) -> SyncChains {
    let adj = Adjacency::of(model, |d| d.mode == Mode::Sync);
    let n = adj.len();
    let sccs = adj.sccs();
    let mut scc_of = vec![0usize; n];
    for (i, members) in sccs.iter().enumerate() {
        for m in members {
            scc_of[m.index()] = i;
        }
    }
    let mut best = vec![0usize; sccs.len()];
    let mut exit: Vec<Option<EdgeIndex<u32>>> = vec![None; sccs.len()];
    // Sinks first: every edge leaving a component points at one already done.
    for (i, members) in sccs.iter().enumerate() {
        for &u in members {
            for &(w, e) in &adj.out[u.index()] {
                let j = scc_of[w.index()];
                if j == i {
                    continue;
                }
                let len = best[j] + 1;
                let better = match exit[i] {
                    None => true,
                    Some(old) => len > best[i] || (len == best[i] && e < old),
                };
                if better {
                    best[i] = len;
                    exit[i] = Some(e);
                }
            }
        }
    }
    let mut into = vec![0usize; sccs.len()];
    for (i, members) in sccs.iter().enumerate().rev() {
        for &u in members {
            for &(w, _) in &adj.out[u.index()] {
                let j = scc_of[w.index()];
                if j != i {
                    into[j] = into[j].max(into[i] + 1);
                }
            }
        }
    }
    SyncChains {
        from: (0..n).map(|v| best[scc_of[v]]).collect(),
        to: (0..n).map(|v| into[scc_of[v]]).collect(),
        called: adj.inc.iter().map(|l| !l.is_empty()).collect(),
        scc_of,
        exit,
        adj,
    }
}

/// Betweenness centrality (Brandes) over all dependencies, directed and unweighted: for each
/// component, the number of shortest paths between other pairs that pass through it (each
/// pair's paths sharing one unit). Not normalised. O(V · E) time, O(V + E) memory: run it only
/// when asked (`archmap stats`), never from a check.
#[cfg(test)]
#[must_use]
pub(crate) fn betweenness(model: &Model) -> Vec<f64> {
    let adj = Adjacency::of(model, |_| true);
    let sources: Vec<usize> = (0..adj.len()).collect();
    brandes(&adj, &sources)
}

/// Up to this many components, `stats` computes betweenness exactly; above, it estimates it
/// from [`BETWEENNESS_SAMPLES`] sources.
pub(crate) const EXACT_BETWEENNESS_UP_TO: usize = 4_096;
/// How many sources a sampled betweenness starts from.
pub(crate) const BETWEENNESS_SAMPLES: usize = 2_048;

/// Betweenness estimated from `samples` sources chosen by a fixed seed (Brandes and Pich,
/// 2007): each source's dependencies are summed and scaled by `components / samples`, an
/// unbiased estimate. One source adds at most `n − 2` to a component, so by Hoeffding's
/// inequality each estimate is within `ε · n · (n − 2)` of the exact value with probability
/// at least `1 − 2·exp(−2 · samples · ε²)`: for 2,048 sources, ε = 3.6 % at 99 %. The same
/// model always gives the same numbers. With `samples ≥ components`, exact.
#[must_use]
pub(crate) fn betweenness_sampled(model: &Model, samples: usize) -> Vec<f64> {
    let adj = Adjacency::of(model, |_| true);
    let n = adj.len();
    if samples >= n {
        return brandes(&adj, &(0..n).collect::<Vec<_>>());
    }
    // A partial Fisher–Yates shuffle with splitmix64 from a fixed seed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..samples {
        let j = i + ((u128::from(next()) * (n - i) as u128) >> 64) as usize;
        all.swap(i, j);
    }
    let mut sources = all[..samples].to_vec();
    // Summed in index order, so the floating-point result does not depend on the draw order.
    sources.sort_unstable();
    let scale = n as f64 / samples as f64;
    brandes(&adj, &sources).into_iter().map(|b| b * scale).collect()
}

/// The error bound of [`betweenness_sampled`] at 99 %: ε such that `2·exp(−2kε²) = 0.01`.
#[must_use]
pub(crate) fn sampled_betweenness_epsilon(samples: usize) -> f64 {
    ((2.0f64 / 0.01).ln() / (2.0 * samples as f64)).sqrt()
}

/// Brandes' accumulation from each of `sources`.
fn brandes(adj: &Adjacency, sources: &[usize]) -> Vec<f64> {
    let n = adj.len();
    let mut centrality = vec![0.0; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![usize::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for &s in sources {
        sigma.fill(0.0);
        dist.fill(usize::MAX);
        delta.fill(0.0);
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            for &(w, _) in &adj.out[v] {
                let w = w.index();
                if dist[w] == usize::MAX {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        for &w in order.iter().rev() {
            for &(v, _) in &adj.inc[w] {
                let v = v.index();
                if dist[v] != usize::MAX && dist[w] == dist[v] + 1 {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    centrality
}

/// The numbers `archmap stats` shows for one component.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ComponentMetrics {
    /// The component.
    pub id: ServiceId,
    /// Distinct components depending on it directly.
    pub fan_in: usize,
    /// Distinct components it depends on directly.
    pub fan_out: usize,
    /// Components with a required sync path to it.
    pub blast_radius: usize,
    /// Components with any path to it.
    pub transitive_dependents: usize,
    /// Components it has any path to.
    pub transitive_dependencies: usize,
    /// Brandes betweenness, when asked for.
    pub betweenness: Option<f64>,
    /// Hops of the longest sync chain through it.
    pub longest_sync_chain: usize,
}

/// Metrics of every component, in manifest order. O((V + E) · V / 64) for the reachability
/// counts, plus O(V · E) when `with_betweenness`.
#[cfg(test)]
#[must_use]
pub(crate) fn component_metrics(model: &Model, with_betweenness: bool) -> Vec<ComponentMetrics> {
    component_metrics_with(model, with_betweenness.then_some(usize::MAX))
}

/// [`component_metrics`] with betweenness from at most `samples` sources (`None`: none;
/// `usize::MAX`: exact).
#[must_use]
pub(crate) fn component_metrics_with(
    model: &Model,
    samples: Option<usize>,
) -> Vec<ComponentMetrics> {
    let all = Adjacency::of(model, |_| true);
    let radius = blast_radii(model);
    let dependents = reach_counts(&all, Direction::Incoming);
    let dependencies = reach_counts(&all, Direction::Outgoing);
    let between = samples.map(|k| betweenness_sampled(model, k));
    let chains = sync_chains(model);
    model
        .components()
        .map(|id| {
            let i = id.index();
            ComponentMetrics {
                id,
                fan_in: fan_in(model, id),
                fan_out: fan_out(model, id),
                blast_radius: radius[i],
                transitive_dependents: dependents[i],
                transitive_dependencies: dependencies[i],
                betweenness: between.as_ref().map(|b| b[i]),
                longest_sync_chain: chains.through(id),
            }
        })
        .collect()
}

/// System-wide numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Components.
    pub components: usize,
    /// Dependencies of mode sync.
    pub sync_edges: usize,
    /// Dependencies of mode async.
    pub async_edges: usize,
    /// Of all dependencies, those marked optional.
    pub optional_edges: usize,
    /// Strongly connected components of more than one component, over all dependencies.
    pub cycles: usize,
    /// Hops of the longest sync chain (see [`SyncChains`]).
    pub longest_sync_chain: usize,
    /// Articulation points of the sync graph (required sync edges, taken as undirected):
    /// components whose removal splits it. Manifest order.
    pub articulation_points: Vec<ServiceId>,
}

/// The system summary. O(V + E).
#[must_use]
pub(crate) fn summary(model: &Model) -> Summary {
    let deps = || model.graph.edge_weights();
    let all = Adjacency::of(model, |_| true);
    // petgraph's articulation points are only right on an undirected graph.
    let mut undirected: UnGraph<(), (), u32> = UnGraph::with_capacity(model.graph.node_count(), 0);
    for _ in model.components() {
        undirected.add_node(());
    }
    for e in model.graph.edge_references().filter(|e| e.weight().is_required_sync()) {
        undirected.add_edge(e.source(), e.target(), ());
    }
    let mut points: Vec<ServiceId> = articulation_points(&undirected).into_iter().collect();
    points.sort_unstable();
    Summary {
        components: model.graph.node_count(),
        sync_edges: deps().filter(|d| d.mode == Mode::Sync).count(),
        async_edges: deps().filter(|d| d.mode == Mode::Async).count(),
        optional_edges: deps().filter(|d| d.optional).count(),
        cycles: all.sccs().iter().filter(|c| c.len() > 1).count(),
        longest_sync_chain: sync_chains(model).longest(),
        articulation_points: points,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;
    use crate::analysis::testing::model;

    fn id(m: &Model, name: &str) -> ServiceId {
        m.find(name).expect("component exists")
    }

    const SHOP: &str = r"
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [gw] }
  gw: { kind: gateway, depends_on: [orders, search] }
  orders: { depends_on: [db, payments, { target: events, mode: async }] }
  payments: { depends_on: [{ target: bank, optional: true }] }
  search: { depends_on: [orders] }
  db: { kind: database }
  events: { kind: topic }
  bank: { kind: external }
";

    #[test]
    fn degrees_and_entries() {
        let m = model(SHOP);
        assert_eq!(fan_in(&m, id(&m, "orders")), 2);
        assert_eq!(fan_out(&m, id(&m, "orders")), 3);
        let e = entries(&m);
        assert!(e[id(&m, "web").index()] && e[id(&m, "gw").index()]);
        assert!(!e[id(&m, "orders").index()]);
    }

    #[test]
    fn a_large_limit_counts_past_the_short_list() {
        // A diamond ladder of 1,200 components: every one reaches each before it twice.
        use std::fmt::Write as _;
        let mut yaml = String::from("version: 1\nname: ladder\nservices:\n  s0: {}\n");
        for i in 1..1200 {
            let two = if i > 1 { format!(", s{}", i - 2) } else { String::new() };
            writeln!(yaml, "  s{i}: {{ depends_on: [s{}{two}] }}", i - 1).expect("write");
        }
        let m = model(&yaml);
        let sync = Adjacency::sync_graph(&m);
        let exact = blast_radii(&m);
        for c in [id(&m, "s0"), id(&m, "s500"), id(&m, "s1199")] {
            assert_eq!(blast_radius_at_least(&sync, c, 5_000), exact[c.index()]);
            assert_eq!(blast_radius_at_least(&sync, c, 700), exact[c.index()].min(700));
        }
        assert_eq!(exact[id(&m, "s0").index()], 1199);
    }

    #[test]
    fn blast_radius_follows_required_sync_edges_only() {
        let m = model(SHOP);
        let r = blast_radii(&m);
        // db <- orders <- {gw, search}, search <- gw, gw <- web.
        assert_eq!(r[id(&m, "db").index()], 4);
        assert_eq!(r[id(&m, "payments").index()], 4);
        // Reached only over an async edge, or an optional one.
        assert_eq!(r[id(&m, "events").index()], 0);
        assert_eq!(r[id(&m, "bank").index()], 0);
        let sync = Adjacency::sync_graph(&m);
        for c in m.components() {
            assert_eq!(blast_radius_at_least(&sync, c, 100), r[c.index()]);
            assert_eq!(blast_radius_at_least(&sync, c, 2), r[c.index()].min(2));
        }
    }

    #[test]
    fn reach_counts_handle_cycles_and_many_chunks() {
        // A cycle a <-> b feeding a chain longer than one 4,096-bit chunk.
        let n = 5000;
        let mut yaml = String::from(
            "version: 1\nname: Big\nservices:\n  a: { depends_on: [b] }\n  b: { depends_on: [a, c0] }\n",
        );
        for i in 0..n {
            if i + 1 < n {
                writeln!(yaml, "  c{i}: {{ depends_on: [c{}] }}", i + 1).unwrap();
            } else {
                writeln!(yaml, "  c{i}: {{}}").unwrap();
            }
        }
        let m = model(&yaml);
        let all = Adjacency::of(&m, |_| true);
        let up = reach_counts(&all, Direction::Incoming);
        let down = reach_counts(&all, Direction::Outgoing);
        assert_eq!(up[id(&m, "a").index()], 1);
        assert_eq!(down[id(&m, "a").index()], n + 1);
        assert_eq!(up[id(&m, "c0").index()], 2);
        assert_eq!(up[id(&m, &format!("c{}", n - 1)).index()], n + 1);
        assert_eq!(down[id(&m, &format!("c{}", n - 1)).index()], 0);
        let chains = sync_chains(&m);
        // {a, b} -> c0 -> ... -> c4999: the a <-> b cycle is one stop.
        assert_eq!(chains.from[id(&m, "a").index()], n);
        assert_eq!(chains.longest(), n);
        // Shown from a, the chain walks a -> b inside the cycle first.
        assert_eq!(chains.chain_from(&m, id(&m, "a")).len(), n + 1);
    }

    #[test]
    fn dominators_from_entries() {
        let m = model(SHOP);
        let dom = Dominance::compute(&Adjacency::sync_graph(&m), &entries(&m));
        let gw = id(&m, "gw");
        assert_eq!(dom.idom[id(&m, "orders").index()], Some(gw));
        assert_eq!(dom.idom[id(&m, "db").index()], Some(id(&m, "orders")));
        // gw is an entry itself (a gateway): only the virtual root dominates it.
        assert_eq!(dom.idom[id(&m, "gw").index()], None);
        assert!(!dom.reachable[id(&m, "events").index()]);
        let below = dom.dominated(|_| true);
        // gw dominates orders, search, db, payments.
        assert_eq!(below[gw.index()], 4);
        let names: Vec<&str> =
            dom.children(gw).iter().map(|&c| m.component(c).id.as_str()).collect();
        assert_eq!(names, ["orders", "search"]);
    }

    #[test]
    fn sync_chain_ties_go_to_the_earliest_dependency() {
        let m = model(
            r"
version: 1
name: T
services:
  a: { depends_on: [b, c] }
  b: { depends_on: [d] }
  c: { depends_on: [d] }
  d: {}
",
        );
        let chains = sync_chains(&m);
        let path = chains.chain_from(&m, id(&m, "a"));
        let ends: Vec<&str> = path
            .iter()
            .map(|&e| m.component(m.graph.edge_endpoints(e).unwrap().1).id.as_str())
            .collect();
        assert_eq!(ends, ["b", "d"]);
        assert_eq!(chains.through(id(&m, "c")), 2);
        assert_eq!(chains.to[id(&m, "d").index()], 2);
    }

    #[test]
    fn betweenness_on_a_line() {
        let m = model(
            "version: 1\nname: L\nservices:\n  a: { depends_on: [b] }\n  b: { depends_on: [c] }\n  c: {}\n",
        );
        assert_eq!(betweenness(&m), vec![0.0, 1.0, 0.0]);
    }

    #[test]
    fn sampled_betweenness_is_deterministic_exact_at_full_sample_and_within_its_bound() {
        // 600 components: layers of 100, each calling 3 of the next layer (pseudo-random).
        let mut y = String::from("version: 1\nname: S\nservices:\n");
        let mut state: u64 = 7;
        for i in 0..600 {
            let mut deps = Vec::new();
            if i < 500 {
                for _ in 0..3 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    deps.push(format!("c{}", (i / 100 + 1) * 100 + (state % 100) as usize));
                }
            }
            let _ = writeln!(y, "  c{i}: {{ depends_on: [{}] }}", deps.join(", "));
        }
        let m = model(&y);
        let exact = betweenness(&m);
        assert_eq!(betweenness_sampled(&m, 600), exact, "every source: exact");
        let samples = 300;
        let est = betweenness_sampled(&m, samples);
        assert_eq!(est, betweenness_sampled(&m, samples), "the same sample every time");
        assert_ne!(est, exact, "a sample is an estimate");
        let n = exact.len() as f64;
        let bound = sampled_betweenness_epsilon(samples) * n * (n - 2.0);
        let worst = exact.iter().zip(&est).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst <= bound, "worst error {worst} over the bound {bound}");
        let total: f64 = exact.iter().sum();
        let total_est: f64 = est.iter().sum();
        assert!((total - total_est).abs() < 0.2 * total, "{total} vs {total_est}");
    }

    #[test]
    fn summary_counts() {
        let m = model(SHOP);
        let s = summary(&m);
        assert_eq!(s.components, 8);
        assert_eq!((s.sync_edges, s.async_edges, s.optional_edges), (7, 1, 1));
        assert_eq!(s.cycles, 0);
        // web -> gw -> search -> orders -> payments -> bank: optional calls count.
        assert_eq!(s.longest_sync_chain, 5);
        let names: Vec<&str> =
            s.articulation_points.iter().map(|&c| m.component(c).id.as_str()).collect();
        assert_eq!(names, ["gw", "orders"]);
        let metrics = component_metrics(&m, true);
        assert_eq!(metrics[id(&m, "orders").index()].transitive_dependents, 3);
        assert_eq!(metrics[id(&m, "orders").index()].transitive_dependencies, 4);
        assert!(metrics[id(&m, "gw").index()].betweenness.unwrap() > 0.0);
    }
}
