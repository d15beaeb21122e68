//! AM010 sync-cycle.

use std::fmt::Write as _;

use petgraph::graph::EdgeIndex;
use petgraph::visit::EdgeRef;

use crate::analysis::graph::{cycle_members, cycle_through, cycles_of};
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Dependency, Model, ServiceId};
use crate::vocab::Level;

/// A cycle finding: the path `a -> b -> c -> a`, a label on every edge, subjects in path order.
pub(crate) fn cycle_finding(model: &Model, path: &[EdgeIndex<u32>], scc_size: usize) -> Diagnostic {
    let any_async = path.iter().any(|e| model.graph[*e].mode == crate::vocab::Mode::Async);
    let all_required_sync = path.iter().all(|e| model.graph[*e].is_required_sync());
    let kind = if all_required_sync {
        "sync cycle"
    } else if any_async {
        "async cycle"
    } else {
        "cycle closed by an optional sync dependency"
    };
    let members = cycle_members(model, path);
    let mut names: Vec<&str> = members.iter().map(|m| model.component(*m).id.as_str()).collect();
    names.push(names[0]);
    let shown = names.join(" -> ");
    let mut message = format!("{kind}: {shown}");
    if scc_size > members.len() {
        let _ = write!(message, " ({scc_size} components are caught in cycles with each other)");
    }
    let mut d =
        finding(message).with_subjects(members.iter().map(|m| model.component(*m).id.clone()));
    for e in path {
        let (a, b) = model.graph.edge_endpoints(*e).expect("cycle edges exist");
        let dep = &model.graph[*e];
        let how = match (dep.mode, dep.optional) {
            (crate::vocab::Mode::Sync, false) => "sync",
            (crate::vocab::Mode::Sync, true) => "optional sync",
            (crate::vocab::Mode::Async, _) => "async",
        };
        d = d.with_label(
            dep.span,
            format!("`{}` depends on `{}` ({how})", model.component(a).id, model.component(b).id),
        );
    }
    d
}

fn sync_cycle(model: &Model, path: &[EdgeIndex<u32>], scc_size: usize) -> Diagnostic {
    cycle_finding(model, path, scc_size)
        .with_note("each call waits on the next, so the cycle can deadlock, and one slow or failing member stalls them all (cascading failure)")
        .with_help("break the cycle: make one call async (through a queue or topic), mark it `optional: true` if the caller degrades gracefully, or move the shared logic into a component both can call")
}

/// The sync graph's edges: required and sync.
pub(crate) fn in_sync_graph(d: &Dependency) -> bool {
    d.is_required_sync()
}

/// Strongly connected components of the sync graph, each with a concrete cycle.
pub(crate) fn sync_cycles(model: &Model) -> Vec<(Vec<ServiceId>, Vec<EdgeIndex<u32>>)> {
    cycles_of(model, in_sync_graph)
        .into_iter()
        .map(|members| {
            let start = members[0];
            let mut out: Vec<_> = model
                .graph
                .edges(start)
                .filter(|e| in_sync_graph(e.weight()) && members.binary_search(&e.target()).is_ok())
                .map(|e| e.id())
                .collect();
            out.sort();
            let path = out
                .iter()
                .map(|&e| cycle_through(model, &members, e, in_sync_graph))
                .find(|p| !p.is_empty())
                .unwrap_or_default();
            (members, path)
        })
        .collect()
}

/// AM010.
pub(crate) struct SyncCycle;

static META: RuleMeta = RuleMeta {
    code: "AM010",
    id: "sync-cycle",
    category: Category::Cycles,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "a cycle of required sync dependencies (deadlock and cascading-failure risk)",
    facts: "`depends_on` and each dependency's mode: sync unless `mode` says otherwise, the target's `kind` is queue or topic, or its `protocol` is a messaging one",
    docs: r"## What it flags
A cycle in the *sync graph*: components that call each other, directly or through others, over
required (not `optional: true`) sync dependencies. There is one finding per strongly connected
component of the sync graph; it shows one concrete cycle `a -> b -> c -> a`, starting at the
member written first in the manifest, and labels every dependency of that cycle where it is
written. When more components are tangled together than the cycle shown, the message says how
many.

## Why it matters
Every call in a sync cycle waits on the next one. Under load the cycle can deadlock (thread
pools exhausted waiting on each other), and when one member slows down or fails, all of them do:
the cycle is one failure domain, and none of its members can be deployed or scaled on its own.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on: [payments]
  payments:
    depends_on: [orders]
```

## How to fix
Break the cycle at its weakest link: make one call asynchronous (publish an event to a queue or
topic instead), mark it `optional: true` if the caller really degrades gracefully without it
(the cycle is then reported as AM011 instead), or move the logic both sides need into a third
component. To accept a known cycle, add `allow: [sync-cycle]` to one of its members.
",
    params: &[],
};

impl Rule for SyncCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for (members, path) in sync_cycles(model) {
            if !path.is_empty() {
                cx.report(sync_cycle(model, &path, members.len()));
            }
        }
    }
}
