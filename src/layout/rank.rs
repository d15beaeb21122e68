//! Layered layout, phases 1 and 2: cycle breaking and ranking.
//!
//! Input: a directed graph as `n` nodes and edges (`from`, `to`, minimum length, weight).
//! Output: which edges to reverse ([`back_edges`]) so the graph is acyclic, and an integer rank
//! per node ([`rank`]) with `rank[to] - rank[from] >= minlen` for every (acyclic) edge,
//! minimising `Σ weight × (rank[to] - rank[from])` by network simplex (Gansner, Koutsofios,
//! North, Vo: "A technique for drawing directed graphs", 1993), each connected component on its
//! own and normalised to start at rank 0. Invariants: deterministic (ties go to the lower
//! index); iterative throughout (no recursion, so no stack overflow on deep graphs).
//!
//! The start is the longest path to the sinks with single nodes pulled towards their heavier
//! side; the leaving edge is the most negative one (full pricing, ties to the first in the tree
//! list), which together take several times fewer pivots than dot's choices on large graphs.
//! A pivot costs the smaller half of the split tree, not the whole graph: the tree is kept
//! rooted as parents, subtree sizes and a preorder thread (each subtree, and the rest of the
//! tree, is a run of the thread), so the entering-edge search (least slack, ties to the lower
//! index) and the rank shift walk the smaller half, and regrafting the cut-off subtree touches
//! only the tree paths between the ends of the two edges (as in the thread-index
//! implementations of network simplex for flows) instead of renumbering a common ancestor's
//! subtree; cut values change along that path only and the negative ones wait in a heap. A
//! budget on the nodes the pivots walk bounds the running time (graphs of several thousand
//! nodes reach the optimum within it), and stopping early still leaves a feasible ranking.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

/// An edge to rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RankEdge {
    /// Source node.
    pub(crate) from: usize,
    /// Target node.
    pub(crate) to: usize,
    /// Least rank difference.
    pub(crate) minlen: i32,
    /// Weight of the edge's length in the objective.
    pub(crate) weight: i32,
}

/// The edges to reverse to make the graph acyclic: the back edges of a depth-first search that
/// starts from nodes in index order and follows edges in index order. Self-loops are reported
/// as back edges too (callers drop them).
pub(crate) fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(f, _)) in edges.iter().enumerate() {
        out[f].push(i);
    }
    // 0: unvisited, 1: on the stack, 2: finished.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        stack.push((start, 0));
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*next) {
                *next += 1;
                let w = edges[e].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// The edges to reverse so that every edge points from a lower breadth-first level to a higher
/// one (ties: from the lower index). Levels are distances in the undirected graph from the
/// sources (nodes no edge enters, in index order), then from the first unreached node of each
/// part without one. Self-loops are reported as back edges, as [`back_edges`] does.
///
/// A depth-first search on a tangled graph (thousands of nodes, each with edges to random
/// others) runs down one path through most of the graph, so the graph it leaves is as deep as
/// it is large and its edges span thousands of ranks; breadth-first levels differ by at most
/// one along an edge, so the graph this leaves is shallow (only edges within one level chain
/// up, by index) at the price of more reversed edges.
pub(crate) fn shallow_back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut entered = vec![false; n];
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            adjacent[a].push(b);
            adjacent[b].push(a);
            entered[b] = true;
        }
    }
    let mut level = vec![usize::MAX; n];
    let mut queue = VecDeque::new();
    let seeds = (0..n).filter(|&v| !entered[v]).chain(0..n);
    for seed in seeds {
        if level[seed] != usize::MAX {
            continue;
        }
        level[seed] = 0;
        queue.push_back(seed);
        while let Some(v) = queue.pop_front() {
            for &w in &adjacent[v] {
                if level[w] == usize::MAX {
                    level[w] = level[v] + 1;
                    queue.push_back(w);
                }
            }
        }
    }
    edges
        .iter()
        .map(|&(a, b)| a == b || a >= n || b >= n || (level[a], a) > (level[b], b))
        .collect()
}

/// Takes an acyclic graph (edges whose ends are equal are ignored); gives the number of ranks
/// its edges cross (the dummies of a layered drawing) when every node sits as high as its
/// longest path from a source puts it — at least what [`rank`] leaves, which minimises the
/// total length. Linear time.
pub(crate) fn longest_path_span(n: usize, edges: &[RankEdge]) -> u64 {
    let mut out: Vec<Vec<(usize, i32)>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for e in edges.iter().filter(|e| e.from != e.to && e.from < n && e.to < n) {
        out[e.from].push((e.to, e.minlen));
        indegree[e.to] += 1;
    }
    let mut rank = vec![0i64; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &(w, minlen) in &out[v] {
            rank[w] = rank[w].max(rank[v] + i64::from(minlen));
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    edges
        .iter()
        .filter(|e| e.from != e.to && e.from < n && e.to < n)
        .map(|e| u64::try_from(rank[e.to] - rank[e.from] - 1).unwrap_or(0))
        .sum()
}

/// Optimal ranks for an acyclic graph (see the module header). Edges whose ends are equal are
/// ignored.
pub(crate) fn rank(n: usize, edges: &[RankEdge], start: Start) -> Vec<i32> {
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let edges: Vec<RankEdge> = edges.iter().copied().filter(|e| e.from != e.to).collect();
    // Connected components (undirected), by union-find with path halving.
    let mut parent: Vec<usize> = (0..n).collect();
    for e in &edges {
        let (a, b) = (find(&mut parent, e.from), find(&mut parent, e.to));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut local = vec![0usize; n];
    for v in 0..n {
        let root = find(&mut parent, v);
        if component[root] == usize::MAX {
            component[root] = members.len();
            members.push(Vec::new());
        }
        let c = component[root];
        component[v] = c;
        local[v] = members[c].len();
        members[c].push(v);
    }
    let mut comp_edges: Vec<Vec<RankEdge>> = vec![Vec::new(); members.len()];
    for e in &edges {
        comp_edges[component[e.from]].push(RankEdge { from: local[e.from], to: local[e.to], ..*e });
    }
    let mut ranks = vec![0; n];
    for (nodes, es) in members.iter().zip(comp_edges) {
        let r = Simplex::new(nodes.len(), es).solve(start);
        for (&v, rv) in nodes.iter().zip(r) {
            ranks[v] = rv;
        }
    }
    ranks
}

/// Where network simplex starts, which decides which of several optimal rankings it ends in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// Every node as low as it can go (longest paths measured from the sinks), then single
    /// nodes pulled towards their heavier side: about half the pivots of [`Start::Sources`] on
    /// the synthetic graphs.
    Sinks,
    /// Every node as high as it can go (longest paths from the sources), as dot starts: nodes
    /// that could sit anywhere between their neighbours tend to end high rather than low.
    Sources,
}

/// No node or edge: the root's parent and parent edge.
const NONE: usize = usize::MAX;

/// An edge seen from one end.
#[derive(Clone, Copy, Default)]
struct Arc {
    edge: u32,
    other: u32,
    minlen: i32,
}

/// Edge lists per node in one flat array (compressed sparse rows), each in edge index order,
/// with what the entering-edge search needs of each edge, so that it reads no edge record.
struct Adjacency {
    start: Vec<usize>,
    items: Vec<Arc>,
}

impl Adjacency {
    /// The items `0..m` grouped by the node `item(i)` gives with each.
    fn new(n: usize, m: usize, item: impl Fn(usize) -> (usize, Arc)) -> Adjacency {
        let mut start = vec![0; n + 1];
        for i in 0..m {
            start[item(i).0 + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut items = vec![Arc::default(); m];
        for i in 0..m {
            let (v, arc) = item(i);
            items[fill[v]] = arc;
            fill[v] += 1;
        }
        Adjacency { start, items }
    }

    fn of(&self, v: usize) -> &[Arc] {
        &self.items[self.start[v]..self.start[v + 1]]
    }

    /// The edges at `v`.
    fn edges(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        self.of(v).iter().map(|a| a.edge as usize)
    }
}

/// Network simplex over one connected acyclic graph.
struct Simplex {
    n: usize,
    e: Vec<RankEdge>,
    out: Adjacency,
    inn: Adjacency,
    rank: Vec<i32>,
    in_tree: Vec<bool>,
    cut: Vec<i64>,
    /// The tree edges, in a list that pivots update in place (the entering edge takes the
    /// leaving edge's place).
    tree: Vec<usize>,
    /// Position of a tree edge in `tree`.
    tree_index: Vec<usize>,
    /// The tree, rooted at node 0: each node's parent and the tree edge to it (`NONE` at the
    /// root).
    parent: Vec<usize>,
    pred: Vec<usize>,
    /// The next and the previous node in a preorder of the tree (the last node's next is the
    /// root): the subtree of `v` is the `size[v]` nodes from `v` to `last[v]` along `thread`,
    /// and the rest of the tree is the nodes from `thread[last[v]]` round to `v`.
    thread: Vec<usize>,
    rev_thread: Vec<usize>,
    size: Vec<usize>,
    last: Vec<usize>,
    /// The leaving-edge candidates: (cut value, position in `tree`) of every tree edge with a
    /// negative cut value, and stale entries (skipped when they come up: the cut value at that
    /// position has changed since).
    heap: BinaryHeap<Reverse<(i64, usize)>>,
    /// Scratch of the pivot: the half of the split tree that [`Simplex::enter_edge`] walked
    /// (the subtree below the leaving edge when `side_inside`, else the rest), its nodes
    /// marked with `stamp` in `mark`.
    side: Vec<usize>,
    side_inside: bool,
    mark: Vec<u32>,
    stamp: u32,
    /// Scratch of [`Simplex::reroot`].
    stem: Vec<usize>,
    segments: Vec<(usize, usize)>,
    /// Nodes the pivots have walked (halves searched, tree paths climbed): what the budget
    /// counts.
    work: usize,
}

/// The nodes the pivots of one component may walk: about 0.2–0.3 s of ranking on the synthetic
/// graphs of 10,000 and 20,000 components, where it stops them; 3,000 components reach the
/// optimum within a ninth of it and 5,000 within three fifths.
const PIVOT_WORK: usize = 10_000_000;

impl Simplex {
    fn new(n: usize, e: Vec<RankEdge>) -> Simplex {
        let m = e.len();
        let arc = |i: usize, other: usize| Arc {
            edge: i as u32,
            other: other as u32,
            minlen: e[i].minlen,
        };
        let out = Adjacency::new(n, m, |i| (e[i].from, arc(i, e[i].to)));
        let inn = Adjacency::new(n, m, |i| (e[i].to, arc(i, e[i].from)));
        Simplex {
            n,
            e,
            out,
            inn,
            rank: vec![0; n],
            in_tree: vec![false; m],
            cut: vec![0; m],
            tree: Vec::with_capacity(n.saturating_sub(1)),
            tree_index: vec![NONE; m],
            parent: vec![NONE; n],
            pred: vec![NONE; n],
            thread: vec![0; n],
            rev_thread: vec![0; n],
            size: vec![1; n],
            last: vec![0; n],
            heap: BinaryHeap::new(),
            side: Vec::new(),
            side_inside: true,
            mark: vec![0; n],
            stamp: 0,
            stem: Vec::new(),
            segments: Vec::new(),
            work: 0,
        }
    }

    fn slack(&self, e: usize) -> i32 {
        let x = &self.e[e];
        self.rank[x.to] - self.rank[x.from] - x.minlen
    }

    fn solve(mut self, start: Start) -> Vec<i32> {
        self.optimise(start);
        self.normalised()
    }

    /// Ranks the graph; `true` when the ranking is optimal (every tree edge's cut value is
    /// non-negative), `false` when the graph is not connected or the pivot budget ran out.
    fn optimise(&mut self, start: Start) -> bool {
        if self.n <= 1 {
            return true;
        }
        self.init_rank(start);
        if !self.feasible_tree() {
            // Not connected or not acyclic: keep the longest-path ranking.
            return false;
        }
        self.init_cut_values();
        // Pivots cost no renumbering, but most are degenerate and the synthetic graphs need
        // more of them as they grow (0.5 per node at 3,000 components, 1.5 at 10,000), each
        // walking a fifth to two fifths of the graph: a budget on the nodes walked lets graphs of
        // several thousand nodes reach the optimum and stops larger ones early with a feasible
        // ranking, in about the same time whatever their size. The pivot cap only matters on
        // small graphs.
        let max_pivots = 40 * self.n + 1000;
        let mut pivots = 0;
        while let Some(leave) = self.leave_edge() {
            if pivots >= max_pivots || self.work >= PIVOT_WORK {
                return false;
            }
            let Some(enter) = self.enter_edge(leave) else {
                return false;
            };
            self.update(leave, enter);
            pivots += 1;
        }
        true
    }

    fn normalised(&self) -> Vec<i32> {
        let min = self.rank.iter().copied().min().unwrap_or(0);
        self.rank.iter().map(|r| r - min).collect()
    }

    /// The starting ranks of `start`: longest paths measured from the sinks (every node as low
    /// as it can go), then single nodes moved towards their heavier side ([`Simplex::pull`]);
    /// or longest paths from the sources (every node as high as it can go), as dot starts. On
    /// the synthetic graphs the first needs about half the pivots of the second.
    fn init_rank(&mut self, start: Start) {
        let from_sources = start == Start::Sources;
        // A node is ranked once every edge on the side the walk comes from is done.
        let (behind, ahead) =
            if from_sources { (&self.inn, &self.out) } else { (&self.out, &self.inn) };
        let mut waiting: Vec<usize> = (0..self.n).map(|v| behind.of(v).len()).collect();
        let mut queue: Vec<usize> = (0..self.n).filter(|&v| waiting[v] == 0).collect();
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            for a in ahead.of(v) {
                let w = a.other as usize;
                self.rank[w] = if from_sources {
                    self.rank[w].max(self.rank[v] + a.minlen)
                } else {
                    self.rank[w].min(self.rank[v] - a.minlen)
                };
                waiting[w] -= 1;
                if waiting[w] == 0 {
                    queue.push(w);
                }
            }
        }
        if !from_sources {
            self.pull();
        }
    }

    /// Moves each node as far as it can go towards the side whose edges weigh more (down when
    /// its out-edges outweigh its in-edges, up in the opposite case), which shortens the
    /// ranking, until no single node can move that way; a node that moves puts its neighbours
    /// back on the queue. Every move lowers the total length, so it ends; ranks stay feasible.
    fn pull(&mut self) {
        let mut queued = vec![true; self.n];
        let mut queue: VecDeque<usize> = (0..self.n).collect();
        while let Some(v) = queue.pop_front() {
            queued[v] = false;
            let weight = |edges: &Adjacency| -> i64 {
                edges.edges(v).map(|e| i64::from(self.e[e].weight)).sum()
            };
            let (inw, outw) = (weight(&self.inn), weight(&self.out));
            let to = match outw.cmp(&inw) {
                Ordering::Greater => {
                    self.out.edges(v).map(|e| self.rank[self.e[e].to] - self.e[e].minlen).min()
                }
                Ordering::Less => {
                    self.inn.edges(v).map(|e| self.rank[self.e[e].from] + self.e[e].minlen).max()
                }
                Ordering::Equal => None,
            };
            let Some(to) = to.filter(|&r| r != self.rank[v]) else {
                continue;
            };
            self.rank[v] = to;
            for a in self.out.of(v).iter().chain(self.inn.of(v)) {
                let w = a.other as usize;
                if !queued[w] {
                    queued[w] = true;
                    queue.push_back(w);
                }
            }
        }
    }

    fn add_tree_edge(&mut self, e: usize) {
        self.in_tree[e] = true;
        self.tree_index[e] = self.tree.len();
        self.tree.push(e);
    }

    /// Grows a spanning tree of tight edges, shifting the tree's ranks to make the closest
    /// incident edge tight when it gets stuck. `false` when the graph is not connected.
    ///
    /// The shifts add up in one offset (a member's rank is its stored rank plus `shift`), and
    /// the edges between the tree and the rest wait in two heaps, those out of the tree keyed
    /// by their slack plus the offset and those into it by their slack less the offset (keys
    /// that shifts leave alone): getting stuck costs a heap look-up, not a pass over the tree.
    fn feasible_tree(&mut self) -> bool {
        let mut mark = vec![false; self.n];
        let mut members: Vec<usize> = vec![0];
        mark[0] = true;
        let mut stack = vec![0usize];
        let mut shift = 0i32;
        let mut leaving: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
        let mut entering: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
        loop {
            // Grow along tight edges from everything on the stack.
            while let Some(v) = stack.pop() {
                let (outs, ins) = (self.out.of(v).len(), self.inn.of(v).len());
                for k in 0..outs + ins {
                    let a = if k < outs { self.out.of(v)[k] } else { self.inn.of(v)[k - outs] };
                    let (e, w) = (a.edge as usize, a.other as usize);
                    if mark[w] {
                        continue;
                    }
                    // The slack as if the tree had not moved (`rank[v]` is stored without the
                    // shift).
                    let span = i64::from(self.rank[w]) - i64::from(self.rank[v]);
                    let key = if k < outs { span } else { -span } - i64::from(a.minlen);
                    let room =
                        if k < outs { key - i64::from(shift) } else { key + i64::from(shift) };
                    if room == 0 {
                        mark[w] = true;
                        self.rank[w] -= shift;
                        members.push(w);
                        self.add_tree_edge(e);
                        stack.push(w);
                    } else if k < outs {
                        leaving.push(Reverse((key, e)));
                    } else {
                        entering.push(Reverse((key, e)));
                    }
                }
            }
            if members.len() == self.n {
                break;
            }
            // The non-tree edge with the least slack between the tree and the rest (edges
            // whose ends have both joined since are dropped on the way).
            let mut best: Option<(i64, usize)> = None;
            for (heap, sign) in [(&mut leaving, -1), (&mut entering, 1)] {
                while let Some(&Reverse((key, e))) = heap.peek() {
                    if mark[self.e[e].from] && mark[self.e[e].to] {
                        heap.pop();
                        continue;
                    }
                    let s = key + sign * i64::from(shift);
                    if best.is_none_or(|b| (s, e) < b) {
                        best = Some((s, e));
                    }
                    break;
                }
            }
            let Some((s, e)) = best else {
                break;
            };
            let s = s as i32;
            shift += if mark[self.e[e].to] { -s } else { s };
            let w = if mark[self.e[e].from] { self.e[e].to } else { self.e[e].from };
            mark[w] = true;
            self.rank[w] -= shift;
            members.push(w);
            self.add_tree_edge(e);
            stack.push(w);
        }
        for &v in &members {
            self.rank[v] += shift;
        }
        members.len() == self.n
    }

    /// Roots the tree at node 0 (parents, preorder thread, subtree sizes and ends), computes
    /// every cut value from the leaves up and collects the negative ones.
    fn init_cut_values(&mut self) {
        let m = self.tree.len();
        // Every tree edge at both of its ends: item `i < m` at the tail of `tree[i]`, item
        // `m + i` at its head.
        let end = |i: usize| {
            let x = &self.e[self.tree[i % m]];
            if i < m { x.from } else { x.to }
        };
        let adjacency = Adjacency::new(self.n, 2 * m, |i| {
            (end(i), Arc { edge: i as u32, other: end((i + m) % (2 * m)) as u32, minlen: 0 })
        });
        let mut order = Vec::with_capacity(self.n);
        let mut stack = vec![0usize];
        self.parent[0] = NONE;
        self.pred[0] = NONE;
        while let Some(v) = stack.pop() {
            order.push(v);
            for a in adjacency.of(v).iter().rev() {
                let (f, w) = (self.tree[a.edge as usize % m], a.other as usize);
                if f != self.pred[v] {
                    self.parent[w] = v;
                    self.pred[w] = f;
                    stack.push(w);
                }
            }
        }
        debug_assert_eq!(order.len(), self.n);
        let mut pos = vec![0; self.n];
        for (i, &v) in order.iter().enumerate() {
            pos[v] = i;
            let next = order[(i + 1) % self.n];
            self.thread[v] = next;
            self.rev_thread[next] = v;
            self.size[v] = 1;
        }
        for &v in order.iter().rev() {
            if self.parent[v] != NONE {
                self.size[self.parent[v]] += self.size[v];
            }
        }
        for &v in &order {
            self.last[v] = order[pos[v] + self.size[v] - 1];
        }
        // Children come after their parents in a preorder.
        for &v in order.iter().rev() {
            if self.pred[v] != NONE {
                self.cut[self.pred[v]] = self.x_cutval(self.pred[v], &pos);
            }
        }
        self.rebuild_heap();
    }

    fn rebuild_heap(&mut self) {
        self.heap.clear();
        for (i, &f) in self.tree.iter().enumerate() {
            if self.cut[f] < 0 {
                self.heap.push(Reverse((self.cut[f], i)));
            }
        }
    }

    /// The cut value of tree edge `f`, from the cut values of the tree edges below it; `pos`
    /// is each node's place in the preorder.
    fn x_cutval(&self, f: usize, pos: &[usize]) -> i64 {
        let (t, h) = (self.e[f].from, self.e[f].to);
        let (v, dir) = if self.pred[t] == f { (t, true) } else { (h, false) };
        let mut sum = 0i64;
        for e in self.out.edges(v).chain(self.inn.edges(v)) {
            sum += self.x_val(e, v, dir, pos);
        }
        sum
    }

    fn x_val(&self, e: usize, v: usize, dir: bool, pos: &[usize]) -> i64 {
        let x = &self.e[e];
        let other = if x.from == v { x.to } else { x.from };
        let outside = !(pos[v] <= pos[other] && pos[other] < pos[v] + self.size[v]);
        let mut rv = if outside {
            i64::from(x.weight)
        } else {
            let c = if self.in_tree[e] { self.cut[e] } else { 0 };
            c - i64::from(x.weight)
        };
        let mut d: i32 = if dir {
            if x.to == v { 1 } else { -1 }
        } else if x.from == v {
            1
        } else {
            -1
        };
        if outside {
            d = -d;
        }
        if d < 0 {
            rv = -rv;
        }
        rv
    }

    /// The tree edge with the most negative cut value (the first in `tree` on ties): full
    /// pricing, read off the heap. It needs several times fewer pivots than dot's partial
    /// search (the first 30 negative edges): most pivots are degenerate, and the steepest edge
    /// wastes fewer of them.
    fn leave_edge(&mut self) -> Option<usize> {
        while let Some(&Reverse((c, i))) = self.heap.peek() {
            let f = self.tree[i];
            if self.cut[f] == c {
                return Some(f);
            }
            self.heap.pop();
        }
        None
    }

    /// The non-tree edge with the least slack that reconnects the two halves of the tree split
    /// at `leave`, going the right way. Looks from whichever half is smaller (the subtree below
    /// `leave` or the rest, each a run of the thread); both see the same edges. Leaves that
    /// half in `side`, marked.
    fn enter_edge(&mut self, leave: usize) -> Option<usize> {
        let (t, h) = (self.e[leave].from, self.e[leave].to);
        // The root of the subtree below `leave`.
        let (v, outsearch) = if self.pred[t] == leave { (t, false) } else { (h, true) };
        let inside = self.size[v] <= self.n / 2;
        let (start, count) = if inside {
            (v, self.size[v])
        } else {
            (self.thread[self.last[v]], self.n - self.size[v])
        };
        self.work += count;
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.fill(0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let mut side = std::mem::take(&mut self.side);
        side.clear();
        let mut u = start;
        for _ in 0..count {
            self.mark[u] = stamp;
            side.push(u);
            u = self.thread[u];
        }
        // From inside: edges leaving (entering) the subtree; from outside, the same edges seen
        // from their other end. None is a tree edge: the only tree edge between the halves is
        // `leave`, which goes the other way.
        let forward = outsearch == inside;
        // The least (slack, edge) as one number, without a branch per edge: slacks of the
        // candidates are never negative.
        let sign = if forward { 1 } else { -1 };
        let mut best = u64::MAX;
        for &u in &side {
            let rank = self.rank[u];
            for a in if forward { self.out.of(u) } else { self.inn.of(u) } {
                let other = a.other as usize;
                let s = sign * (self.rank[other] - rank) - a.minlen;
                let key = (u64::from(s as u32) << 32) | u64::from(a.edge);
                // All ones unless the edge crosses the split.
                let inward = u64::from(self.mark[other] == stamp).wrapping_neg();
                best = best.min(key | inward);
            }
        }
        self.side = side;
        self.side_inside = inside;
        let best = (best != u64::MAX).then_some((best & u64::from(u32::MAX)) as usize);
        debug_assert!(best.is_none_or(|e| !self.in_tree[e]));
        best
    }

    /// Exchanges `leave` (just priced by [`Simplex::enter_edge`]) for `enter`: moves one half
    /// so `enter` is tight, updates the cut values along the tree path between `enter`'s ends,
    /// and regrafts the subtree below `leave` at `enter`.
    fn update(&mut self, leave: usize, enter: usize) {
        let (t, h) = (self.e[leave].from, self.e[leave].to);
        let sub = if self.pred[t] == leave { t } else { h };
        let delta = self.slack(enter);
        if delta > 0 {
            // Move the subtree below `leave` towards the other half, or that half towards it
            // (ranks are normalised at the end).
            let below = if sub == t { -delta } else { delta };
            let shift = if self.side_inside { below } else { -below };
            for &v in &self.side {
                self.rank[v] += shift;
            }
        }
        let cutvalue = self.cut[leave];
        let (a, b) = (self.e[enter].from, self.e[enter].to);
        let join = self.join(a, b);
        self.path_update(a, join, cutvalue, true, leave);
        self.path_update(b, join, cutvalue, false, leave);
        self.cut[enter] = -cutvalue;
        self.cut[leave] = 0;
        // Exchange the tree edges.
        let idx = self.tree_index[leave];
        self.tree[idx] = enter;
        self.tree_index[enter] = idx;
        self.tree_index[leave] = NONE;
        self.in_tree[leave] = false;
        self.in_tree[enter] = true;
        let below = (self.mark[a] == self.stamp) == self.side_inside;
        let (end, attach) = if below { (a, b) } else { (b, a) };
        self.reroot(sub, end, attach, enter, join);
        if self.heap.len() > 4 * self.n {
            self.rebuild_heap();
        }
    }

    /// The lowest common ancestor of `a` and `b`: the smaller subtree cannot hold the other
    /// node, so its root climbs.
    fn join(&mut self, mut a: usize, mut b: usize) -> usize {
        while a != b {
            self.work += 1;
            if self.size[a] < self.size[b] {
                a = self.parent[a];
            } else {
                b = self.parent[b];
            }
        }
        a
    }

    /// Adds (`dir`) or subtracts `cutvalue` to the cut values along the tree path from `v` up
    /// to `stop`, and offers the negative ones to the heap.
    fn path_update(&mut self, mut v: usize, stop: usize, cutvalue: i64, dir: bool, leave: usize) {
        while v != stop {
            let f = self.pred[v];
            let d = if v == self.e[f].from { dir } else { !dir };
            if d {
                self.cut[f] += cutvalue;
            } else {
                self.cut[f] -= cutvalue;
            }
            if self.cut[f] < 0 && f != leave {
                self.heap.push(Reverse((self.cut[f], self.tree_index[f])));
            }
            v = self.parent[v];
        }
    }

    /// Cuts the subtree at `sub` off its parent, roots it at `end` (the parent links along the
    /// stem from `end` up to `sub` turn round) and hangs it below `attach` by `edge`, as
    /// `attach`'s first child; `join` is the lowest common ancestor of `sub`'s old parent and
    /// `attach`. Costs the length of the stem and of the paths up to `join`, not the size of
    /// any subtree.
    fn reroot(&mut self, sub: usize, end: usize, attach: usize, edge: usize, join: usize) {
        let old_parent = self.parent[sub];
        let moved = self.size[sub];
        let old_last = self.last[sub];
        let (before, after) = (self.rev_thread[sub], self.thread[old_last]);
        // The new preorder of the subtree as runs of the old thread: the old subtree of `end`,
        // then each stem node above it with the rest of its old subtree (the nodes before the
        // part already placed, then those after it).
        self.stem.clear();
        self.segments.clear();
        self.stem.push(end);
        self.segments.push((end, self.last[end]));
        let mut below = end;
        while below != sub {
            let s = self.parent[below];
            self.stem.push(s);
            self.segments.push((s, self.rev_thread[below]));
            if self.last[below] != self.last[s] {
                self.segments.push((self.thread[self.last[below]], self.last[s]));
            }
            below = s;
        }
        let new_last = self.segments[self.segments.len() - 1].1;
        // Unlink the subtree, chain the runs, and link it in after `attach`.
        self.thread[before] = after;
        self.rev_thread[after] = before;
        for k in 1..self.segments.len() {
            let (p, q) = (self.segments[k - 1].1, self.segments[k].0);
            self.thread[p] = q;
            self.rev_thread[q] = p;
        }
        let next = self.thread[attach];
        self.thread[attach] = end;
        self.rev_thread[end] = attach;
        self.thread[new_last] = next;
        self.rev_thread[next] = new_last;
        // The stem, top down (each step reads the old values of the node below): a stem node's
        // new subtree is the moved one less its old child's.
        for k in (1..self.stem.len()).rev() {
            let (s, child) = (self.stem[k], self.stem[k - 1]);
            self.parent[s] = child;
            self.pred[s] = self.pred[child];
            self.size[s] = moved - self.size[child];
            self.last[s] = new_last;
        }
        self.parent[end] = attach;
        self.pred[end] = edge;
        self.size[end] = moved;
        self.last[end] = new_last;
        // Sizes and ends above: the old parent's ancestors below `join` lose the subtree,
        // `attach`'s gain it; a subtree that ended with it now ends before it (or with it again,
        // when it goes back where it was), one that ended at `attach` ends with it.
        let mut y = old_parent;
        while y != join {
            self.size[y] -= moved;
            y = self.parent[y];
        }
        let mut y = attach;
        while y != join {
            self.size[y] += moved;
            y = self.parent[y];
        }
        let replacement = if before == attach { new_last } else { before };
        let mut y = old_parent;
        while y != NONE && self.last[y] == old_last {
            self.last[y] = replacement;
            y = self.parent[y];
        }
        let mut y = attach;
        while y != NONE && self.last[y] == attach {
            self.last[y] = new_last;
            y = self.parent[y];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(from: usize, to: usize) -> RankEdge {
        RankEdge { from, to, minlen: 1, weight: 1 }
    }

    fn cost(r: &[i32], edges: &[RankEdge]) -> i64 {
        edges.iter().map(|x| i64::from(x.weight) * i64::from(r[x.to] - r[x.from])).sum()
    }

    fn feasible(r: &[i32], edges: &[RankEdge]) -> bool {
        edges.iter().all(|x| r[x.to] - r[x.from] >= x.minlen)
    }

    #[test]
    fn shallow_back_edges_leave_a_shallow_dag() {
        // Two cycles; every node of the part is entered, so levels start at its first node.
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (4, 4)];
        let back = shallow_back_edges(5, &edges);
        // Levels: 0 → 0; 1, 2 → 1; 3 → 2 (4 alone, its self-loop reported). Within level 1,
        // 1 → 2 by index.
        assert_eq!(back, vec![false, false, true, false, true, true]);
        let oriented: Vec<RankEdge> = edges
            .iter()
            .zip(&back)
            .filter(|&(&(a, b), _)| a != b)
            .map(|(&(a, b), &r)| if r { e(b, a) } else { e(a, b) })
            .collect();
        // Acyclic: ranking gives every edge a positive length.
        let r = rank(5, &oriented, Start::Sinks);
        assert!(oriented.iter().all(|x| r[x.to] > r[x.from]));
        // 0 → 2 and 1 → 3 cross one rank each (0, 1, 2, 3 on ranks 0 to 3).
        assert_eq!(longest_path_span(5, &oriented), 2);
    }

    #[test]
    fn back_edges_break_every_cycle_and_keep_a_dag() {
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 1)];
        let back = back_edges(4, &edges);
        assert_eq!(back, vec![false, false, true, false, true]);
        let none = back_edges(3, &[(0, 1), (1, 2), (0, 2)]);
        assert!(none.iter().all(|b| !b));
    }

    #[test]
    fn a_short_cut_pulls_the_source_down() {
        // a -> b -> c -> d and x -> d: longest path puts x at 0; optimal puts x at 2.
        let edges = [e(0, 1), e(1, 2), e(2, 3), e(4, 3)];
        let r = rank(5, &edges, Start::Sinks);
        assert_eq!(r, vec![0, 1, 2, 3, 2]);
    }

    #[test]
    fn gansner_example_is_optimal() {
        // The graph of figure 2-1 in the dot paper: a..h, optimal total length 10.
        let (a, b, c, d, e_, f, g, h) = (0, 1, 2, 3, 4, 5, 6, 7);
        let edges =
            [e(a, b), e(b, c), e(c, d), e(d, h), e(a, e_), e(a, f), e(e_, g), e(f, g), e(g, h)];
        let r = rank(8, &edges, Start::Sinks);
        assert!(feasible(&r, &edges));
        assert_eq!(cost(&r, &edges), 10);
    }

    #[test]
    fn minimum_lengths_and_weights_are_honoured() {
        let edges = [
            RankEdge { from: 0, to: 1, minlen: 2, weight: 1 },
            RankEdge { from: 1, to: 2, minlen: 1, weight: 5 },
            RankEdge { from: 0, to: 2, minlen: 1, weight: 1 },
        ];
        let r = rank(3, &edges, Start::Sinks);
        assert!(feasible(&r, &edges));
        assert_eq!(r, vec![0, 2, 3]);
    }

    #[test]
    fn components_and_lonely_nodes_start_at_zero() {
        let edges = [e(0, 1), e(3, 2)];
        assert_eq!(rank(5, &edges, Start::Sinks), vec![0, 1, 1, 0, 0]);
        assert!(rank(0, &[], Start::Sinks).is_empty());
    }

    /// A connected DAG on `n` nodes from the generator state `seed`: each node has an edge from
    /// one of the `near` nodes before it (which keeps it connected) and up to `extra - 1` more
    /// from any earlier node; a quarter of the edges have minimum length 2, weights are 1 to
    /// `weights`. `shape` is (`extra`, `near`, `weights`).
    fn random_dag(seed: &mut u64, n: usize, shape: (u64, u64, u64)) -> Vec<RankEdge> {
        let (extra, near, weights) = shape;
        let mut next = |m: u64| {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (*seed >> 33) % m
        };
        let mut edges = Vec::new();
        for v in 1..n {
            for k in 0..=next(extra) {
                let span = if k == 0 { near } else { v as u64 };
                let u = v - 1 - usize::try_from(next(span.min(v as u64))).unwrap();
                edges.push(RankEdge {
                    from: u,
                    to: v,
                    minlen: if next(4) == 0 { 2 } else { 1 },
                    weight: i32::try_from(1 + next(weights)).unwrap(),
                });
            }
        }
        edges
    }

    #[test]
    fn the_start_decides_where_a_free_node_ends() {
        // a → b → c → d and a → x → d: x can sit at rank 1 or 2 at the same cost.
        let edges = [e(0, 1), e(1, 2), e(2, 3), e(0, 4), e(4, 3)];
        assert_eq!(rank(5, &edges, Start::Sources), vec![0, 1, 2, 3, 1]);
        assert_eq!(rank(5, &edges, Start::Sinks), vec![0, 1, 2, 3, 2]);
    }

    #[test]
    fn generated_graphs_end_optimal_with_exact_cut_values() {
        // Connected DAGs of a few hundred nodes, with mixed minimum lengths and weights: the
        // final tree is tight and spans the graph, and its cut values (updated incrementally
        // along the pivots) equal fresh ones and are all non-negative, which certifies the
        // optimum (the dot paper, section 2.3).
        let mut seed = 11u64;
        for case in 0..24usize {
            let n = 100 + 25 * case;
            let edges = random_dag(&mut seed, n, (4, 8, 3));
            // Both starts, alternately: each ends in an optimum, of the same cost.
            let start = if case % 2 == 0 { Start::Sinks } else { Start::Sources };
            let mut s = Simplex::new(n, edges.clone());
            assert!(s.optimise(start), "case {case}");
            assert!(feasible(&s.rank, &edges));
            assert_eq!(s.tree.len(), n - 1);
            assert!(s.tree.iter().all(|&f| s.slack(f) == 0));
            let incremental = s.cut.clone();
            s.init_cut_values();
            for &f in &s.tree {
                assert_eq!(incremental[f], s.cut[f], "case {case}, edge {f}");
                assert!(s.cut[f] >= 0, "case {case}, edge {f}");
            }
            assert_eq!(rank(n, &edges, start), s.normalised());
            let other = if case % 2 == 0 { Start::Sources } else { Start::Sinks };
            let r = rank(n, &edges, other);
            assert!(feasible(&r, &edges));
            assert_eq!(cost(&r, &edges), cost(&s.rank, &edges), "case {case}");
        }
    }

    /// Checks the rooted tree against its definition (the thread is a preorder, sizes and ends
    /// match it, parents and parent edges are tree edges) and the cut values against fresh
    /// ones.
    fn check_tree(s: &mut Simplex) {
        let n = s.n;
        let mut order = vec![0];
        while order.len() <= n && s.thread[order[order.len() - 1]] != 0 {
            order.push(s.thread[order[order.len() - 1]]);
        }
        assert_eq!(order.len(), n, "the thread visits every node once");
        let mut pos = vec![NONE; n];
        for (i, &v) in order.iter().enumerate() {
            assert_eq!(pos[v], NONE);
            pos[v] = i;
            assert_eq!(s.rev_thread[s.thread[v]], v);
        }
        let mut sizes = vec![1; n];
        for &v in order.iter().rev().take(n - 1) {
            let (p, f) = (s.parent[v], s.pred[v]);
            assert!(s.in_tree[f] && s.tree[s.tree_index[f]] == f);
            let x = &s.e[f];
            assert!((x.from, x.to) == (v, p) || (x.from, x.to) == (p, v));
            assert!(pos[p] < pos[v] && pos[v] + s.size[v] <= pos[p] + s.size[p]);
            sizes[p] += sizes[v];
        }
        assert_eq!(s.parent[0], NONE);
        assert_eq!(sizes, s.size);
        for v in 0..n {
            assert_eq!(s.last[v], order[pos[v] + s.size[v] - 1]);
        }
        for &v in order.iter().rev().take(n - 1) {
            let f = s.pred[v];
            assert_eq!(s.x_cutval(f, &pos), s.cut[f]);
        }
        assert!(s.tree.iter().all(|&f| s.slack(f) == 0));
    }

    #[test]
    fn pivots_keep_the_tree_and_pick_the_steepest_edge() {
        // Pivot by pivot on random connected DAGs: the heap gives the edge a full scan of the
        // tree would (most negative cut value, first in `tree` on ties), and the regrafted tree
        // and the incremental cut values match fresh ones.
        let mut seed = 5u64;
        let mut pivots = 0;
        for case in 0..60usize {
            let n = 2 + 5 * case;
            let edges = random_dag(&mut seed, n, (3, 4, 4));
            let mut s = Simplex::new(n, edges.clone());
            s.init_rank(Start::Sinks);
            assert!(s.feasible_tree());
            s.init_cut_values();
            check_tree(&mut s);
            loop {
                let scan = s
                    .tree
                    .iter()
                    .enumerate()
                    .filter(|&(_, &f)| s.cut[f] < 0)
                    .min_by_key(|&(i, &f)| (s.cut[f], i))
                    .map(|(_, &f)| f);
                let leave = s.leave_edge();
                assert_eq!(leave, scan, "case {case}");
                let Some(leave) = leave else { break };
                let enter = s.enter_edge(leave).unwrap();
                s.update(leave, enter);
                check_tree(&mut s);
                pivots += 1;
            }
            assert!(feasible(&s.rank, &edges));
            assert_eq!(rank(n, &edges, Start::Sinks), s.normalised());
        }
        assert!(pivots > 800, "{pivots}");
    }

    #[test]
    fn matches_brute_force_on_small_graphs() {
        // Every DAG over 5 nodes from a fixed seed sequence: network simplex is optimal.
        let mut seed = 7u64;
        for _ in 0..200 {
            let mut edges = Vec::new();
            for i in 0..5 {
                for j in i + 1..5 {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    if (seed >> 33).is_multiple_of(3) {
                        edges.push(e(i, j));
                    }
                }
            }
            let r = rank(5, &edges, Start::Sinks);
            assert!(feasible(&r, &edges));
            let from_sources = rank(5, &edges, Start::Sources);
            assert!(feasible(&from_sources, &edges));
            assert_eq!(cost(&from_sources, &edges), cost(&r, &edges), "{edges:?}");
            // Brute force over ranks 0..5 for each node.
            let mut best = i64::MAX;
            let mut x = [0i32; 5];
            for code in 0..5i32.pow(5) {
                let mut c = code;
                for v in &mut x {
                    *v = c % 5;
                    c /= 5;
                }
                if feasible(&x, &edges) {
                    best = best.min(cost(&x, &edges));
                }
            }
            assert_eq!(cost(&r, &edges), best, "{edges:?}");
        }
    }
}
