//! AM011 async-cycle.

use petgraph::graph::EdgeIndex;
use petgraph::visit::EdgeRef;

use crate::analysis::graph::{cycle_through, cycles_of};
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta};
use crate::analysis::rules::sync_cycle::{cycle_finding, in_sync_graph, sync_cycles};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn async_cycle(model: &Model, path: &[EdgeIndex<u32>], scc_size: usize) -> Diagnostic {
    cycle_finding(model, path, scc_size)
        .with_note("the cycle closes only through async or optional dependencies: no deadlock, but events can ping-pong without end and the members cannot evolve independently")
        .with_help("make sure every message in the loop has a stop condition, or break the loop by moving the reaction into one component")
}

/// AM011.
pub(crate) struct AsyncCycle;

static META: RuleMeta = RuleMeta {
    code: "AM011",
    id: "async-cycle",
    category: Category::Cycles,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a cycle that needs at least one async (or optional) dependency to close",
    facts: "`depends_on` and each dependency's mode (from `mode`, the target's `kind` and `protocol`)",
    docs: r"## What it flags
A cycle of dependencies that is not a sync cycle (AM010): at least one of its dependencies is
async or `optional: true`. There is one finding per strongly connected component of the whole
dependency graph that is not already one sync cycle; it shows a concrete cycle through an async
or optional dependency, starting at the member written first, and labels every dependency of it.

## Why it matters
An async loop cannot deadlock, but an event that triggers a reaction that triggers the event
again can ping-pong forever, and the members are coupled both ways: neither can change its
messages without the other.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on:
      - target: billing
        protocol: amqp
  billing:
    depends_on:
      - target: orders
        protocol: amqp
```

## How to fix
Give every message in the loop a stop condition (idempotent handlers, no re-publishing of the
same fact), or move the reaction into one component. To accept a known loop, add
`allow: [async-cycle]` to one of its members.
",
    params: &[],
};

impl Rule for AsyncCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let sync: Vec<Vec<_>> = sync_cycles(model).into_iter().map(|(m, _)| m).collect();
        // Each component's sync cycle, looked up: with 50,000 small cycles, searching the list
        // for every component made this check quadratic.
        let mut sync_index: Vec<Option<usize>> = vec![None; model.graph.node_count()];
        for (i, s) in sync.iter().enumerate() {
            for m in s {
                sync_index[m.index()] = Some(i);
            }
        }
        let sync_of = |n: ServiceId| sync_index[n.index()];
        for members in cycles_of(model, |_| true) {
            if sync_of(members[0]).is_some_and(|i| sync[i] == members) {
                // Exactly one sync cycle: AM010 reports it.
                continue;
            }
            // The first edge (in manifest order) inside the component that is not in the sync
            // graph, or that joins two different sync components: a cycle through it needs it.
            let mut candidates: Vec<_> = members
                .iter()
                .flat_map(|&m| model.graph.edges(m))
                .filter(|e| members.binary_search(&e.target()).is_ok())
                .filter(|e| {
                    !in_sync_graph(e.weight())
                        || sync_of(e.source()) != sync_of(e.target())
                        || sync_of(e.source()).is_none()
                })
                .map(|e| e.id())
                .collect();
            candidates.sort();
            let path = candidates
                .iter()
                .map(|&e| cycle_through(model, &members, e, |_| true))
                .find(|p| !p.is_empty());
            if let Some(path) = path {
                // Start the path at its member written first.
                let rotated = rotate_to_first(model, &path);
                cx.report(async_cycle(model, &rotated, members.len()));
            }
        }
    }
}

fn rotate_to_first(model: &Model, path: &[EdgeIndex<u32>]) -> Vec<EdgeIndex<u32>> {
    let start = path
        .iter()
        .enumerate()
        .min_by_key(|(_, e)| model.graph.edge_endpoints(**e).map(|(a, _)| a))
        .map_or(0, |(i, _)| i);
    path[start..].iter().chain(&path[..start]).copied().collect()
}
