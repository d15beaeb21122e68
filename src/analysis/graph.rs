//! Graph algorithms shared by checks: strongly connected components and concrete cycles.

use std::collections::VecDeque;

use petgraph::algo::tarjan_scc;
use petgraph::graph::EdgeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use crate::model::{Dependency, Model, ServiceId};

/// Strongly connected components of more than one component, over the edges `keep` accepts.
/// Members are sorted by manifest order, components by their first member.
pub(crate) fn cycles_of(model: &Model, keep: impl Fn(&Dependency) -> bool) -> Vec<Vec<ServiceId>> {
    let filtered = EdgeFiltered::from_fn(&model.graph, |e| keep(e.weight()));
    let mut sccs: Vec<Vec<ServiceId>> =
        tarjan_scc(&filtered).into_iter().filter(|c| c.len() > 1).collect();
    for c in &mut sccs {
        c.sort();
    }
    sccs.sort();
    sccs
}

/// A shortest cycle through `first` (an edge out of a member, kept by `keep`), staying inside
/// `members` (sorted) and using edges `keep` accepts after the first. Returns the edges in
/// path order, starting with `first`; empty when there is none.
pub(crate) fn cycle_through(
    model: &Model,
    members: &[ServiceId],
    first: EdgeIndex<u32>,
    keep: impl Fn(&Dependency) -> bool,
) -> Vec<EdgeIndex<u32>> {
    let Some((start, next)) = model.graph.edge_endpoints(first) else { return Vec::new() };
    let inside = |n: ServiceId| members.binary_search(&n).is_ok();
    if next == start {
        return vec![first];
    }
    // BFS from `next` back to `start`; `via[n]` is the edge that reached n.
    let mut via: Vec<Option<EdgeIndex<u32>>> = vec![None; model.graph.node_count()];
    let mut seen = vec![false; model.graph.node_count()];
    seen[next.index()] = true;
    let mut queue = VecDeque::from([next]);
    while let Some(n) = queue.pop_front() {
        let mut out: Vec<_> =
            model.graph.edges(n).filter(|e| keep(e.weight()) && inside(e.target())).collect();
        // Manifest order, so the path found is the same on every run.
        out.sort_by_key(EdgeRef::id);
        for e in out {
            let t = e.target();
            if t == start {
                let mut path = vec![e.id()];
                let mut cur = n;
                while cur != next {
                    let edge =
                        via[cur.index()].expect("every reached node but the first has an edge");
                    path.push(edge);
                    cur = model.graph.edge_endpoints(edge).expect("edge exists").0;
                }
                path.push(first);
                path.reverse();
                return path;
            }
            if !seen[t.index()] {
                seen[t.index()] = true;
                via[t.index()] = Some(e.id());
                queue.push_back(t);
            }
        }
    }
    Vec::new()
}

/// The components along a cycle, in path order.
#[must_use]
pub(crate) fn cycle_members(model: &Model, path: &[EdgeIndex<u32>]) -> Vec<ServiceId> {
    path.iter().filter_map(|e| model.graph.edge_endpoints(*e).map(|(a, _)| a)).collect()
}
