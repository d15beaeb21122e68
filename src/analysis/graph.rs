//! Graph algorithms shared by checks: strongly connected components and concrete cycles.

use std::collections::VecDeque;

use petgraph::algo::kosaraju_scc;
use petgraph::graph::EdgeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use crate::model::{Dependency, Model, ServiceId};

/// Strongly connected components of more than one component, over the edges `keep` accepts
/// (Kosaraju's, iterative: petgraph's Tarjan recurses once per component of a path and
/// overflowed the stack on a chain of 100,000).
/// Members are sorted by manifest order, components by their first member.
pub(crate) fn cycles_of(model: &Model, keep: impl Fn(&Dependency) -> bool) -> Vec<Vec<ServiceId>> {
    let filtered = EdgeFiltered::from_fn(&model.graph, |e| keep(e.weight()));
    let mut sccs: Vec<Vec<ServiceId>> =
        kosaraju_scc(&filtered).into_iter().filter(|c| c.len() > 1).collect();
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
    // Positions in `members`: the search costs the component's size, not the model's (one
    // allocation per strongly connected component would make 50,000 small cycles quadratic).
    let at = |n: ServiceId| members.binary_search(&n).ok();
    if next == start {
        return vec![first];
    }
    let Some(next_at) = at(next) else { return Vec::new() };
    // BFS from `next` back to `start`; `via[i]` is the edge that reached `members[i]`.
    let mut via: Vec<Option<EdgeIndex<u32>>> = vec![None; members.len()];
    let mut seen = vec![false; members.len()];
    // What this search allocates counts as work too: it must be the component's size.
    crate::work::add(crate::work::Work::CycleSearch, via.len());
    seen[next_at] = true;
    let mut queue = VecDeque::from([next]);
    while let Some(n) = queue.pop_front() {
        let mut out: Vec<_> = model
            .graph
            .edges(n)
            .filter_map(|e| Some((e, at(e.target())?)))
            .filter(|(e, _)| keep(e.weight()))
            .collect();
        crate::work::add(crate::work::Work::CycleSearch, 1 + out.len());
        // Manifest order, so the path found is the same on every run.
        out.sort_by_key(|(e, _)| e.id());
        for (e, t_at) in out {
            let t = e.target();
            if t == start {
                let mut path = vec![e.id()];
                let mut cur = n;
                while cur != next {
                    let i = at(cur).expect("every reached node is a member");
                    let edge = via[i].expect("every reached node but the first has an edge");
                    path.push(edge);
                    cur = model.graph.edge_endpoints(edge).expect("edge exists").0;
                }
                path.push(first);
                path.reverse();
                return path;
            }
            if !seen[t_at] {
                seen[t_at] = true;
                via[t_at] = Some(e.id());
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

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::analysis::testing::model;

    #[test]
    fn a_long_chain_closed_into_a_ring_is_one_cycle_without_recursion() {
        // 30,000 deep: a recursive search needs far more than a test thread's 2 MB of stack.
        let n = 30_000;
        let mut yaml = String::from("version: 1\nname: ring\nservices:\n");
        for i in 0..n {
            writeln!(yaml, "  s{i}: {{ depends_on: [s{}] }}", (i + 1) % n).expect("write");
        }
        let m = model(&yaml);
        let cycles = cycles_of(&m, |_| true);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), n);
        assert!(cycles_of(&m, |_| false).is_empty());
    }
}
