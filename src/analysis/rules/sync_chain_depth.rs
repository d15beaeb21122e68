//! AM023 sync-chain-depth.

use petgraph::graph::EdgeIndex;

use crate::analysis::metrics;
use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::vocab::Level;

fn sync_chain_depth(model: &Model, path: &[EdgeIndex<u32>], max: u64) -> Diagnostic {
    let mut members = Vec::with_capacity(path.len() + 1);
    for (i, &e) in path.iter().enumerate() {
        let (a, b) = model.graph.edge_endpoints(e).expect("chain edges exist");
        if i == 0 {
            members.push(a);
        }
        members.push(b);
    }
    let names: Vec<&str> = members.iter().map(|&m| model.component(m).id.as_str()).collect();
    let mut d = finding(format!("a chain of {} sync calls (more than {max}): {}", path.len(), names.join(" -> ")))
        .with_note("each call in the chain waits for the next: latencies add up, timeouts must nest, and a slow or failing component at the end stalls every caller above it")
        .with_help("shorten the chain: make a step asynchronous (a queue or topic), cache or replicate data closer to the caller, or merge components that always call each other; or raise `max` for this check")
        .with_subjects(names.iter().map(|n| (*n).to_string()));
    for (hop, &e) in path.iter().enumerate() {
        let (a, b) = model.graph.edge_endpoints(e).expect("chain edges exist");
        let dep = &model.graph[e];
        let optional = if dep.optional { ", optional" } else { "" };
        d = d.with_label(
            dep.span,
            format!(
                "hop {}: `{}` calls `{}`{optional}",
                hop + 1,
                model.component(a).id,
                model.component(b).id
            ),
        );
    }
    d
}

/// AM023.
pub(crate) struct SyncChainDepth;

/// The `max` parameter.
const MAX: CountParam =
    CountParam { name: "max", default: 5, doc: "the most sync hops allowed in a chain" };

static META: RuleMeta = RuleMeta {
    code: "AM023",
    id: "sync-chain-depth",
    category: Category::Resilience,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a chain of sync calls longer than `max` hops (latency and timeout amplification)",
    facts: "`depends_on` and each dependency's mode (from `mode`, the target's `kind` and `protocol`)",
    docs: r"## What it flags
A path of sync dependencies longer than `max` hops (edges). Every dependency with mode `sync`
counts, optional or not: an optional call still adds its latency while it works. There is one
finding per *chain start*, a component that no sync dependency points at, whose longest sync
chain is too long; it shows that chain `a -> b -> … -> z`, labels every dependency along it,
and lists its members in path order. When several chains are equally long, the one through the
dependency written first wins.

Cycles are AM010's and AM011's business: each cycle of sync calls counts as one stop when
chains are measured, so the check stays linear and a cycle cannot make a chain endless. A
chain that enters a cycle at one member and leaves from another is shown walking between them
by the shortest route, and its message counts the hops shown. A chain that can only start
inside a cycle is not reported.

## Why it matters
Each call waits for the next one. Latencies add up, timeouts have to nest (the outermost
must be longer than the sum below it), retries multiply, and a slow component at the end of
the chain stalls everyone above it.

## Example
With `max: 2`:

```yaml
version: 1
name: Shop
rules:
  sync-chain-depth: { max: 2 }
services:
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, depends_on: [orders] }
  orders: { depends_on: [pricing] }
  pricing: {}
```

## How to fix
Shorten the chain: make a step asynchronous (publish an event, or put a queue between two
components), cache or replicate the data a caller needs closer to it, or merge components
that always call each other in sequence. Raise `max` if your latency budget allows deeper
chains, or add `allow: [sync-chain-depth]` to the chain's start.
",
    params: &[MAX.meta()],
};

impl Rule for SyncChainDepth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let max = cx.count(MAX);
        let chains = metrics::sync_chains(model);
        for id in model.components() {
            // Chain starts only: a component no sync dependency points at.
            if !chains.called[id.index()] && chains.from[id.index()] as u64 > max {
                cx.report(sync_chain_depth(model, &chains.chain_from(model, id), max));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn one_finding_per_start_with_the_earliest_of_equal_chains() {
        let yaml = r"
version: 1
name: T
rules:
  sync-chain-depth: { max: 2 }
services:
  web: { depends_on: [x, y] }
  app: { depends_on: [y] }
  x: { depends_on: [z] }
  y: { depends_on: [z] }
  z: { depends_on: [{ target: db, optional: true }] }
  db: { kind: database }
";
        let found = run(&SyncChainDepth, yaml);
        assert_eq!(subjects(&found), ["web x z db", "app y z db"]);
        assert_eq!(found[0].message, "a chain of 3 sync calls (more than 2): web -> x -> z -> db");
        assert_eq!(found[0].labels.len(), 3);
        assert_eq!(found[0].labels[2].text, "hop 3: `z` calls `db`, optional");
    }

    #[test]
    fn async_edges_break_chains() {
        let yaml = r"
version: 1
name: T
rules:
  sync-chain-depth: { max: 2 }
services:
  a: { depends_on: [b] }
  b: { depends_on: [{ target: c, mode: async }] }
  c: { depends_on: [d] }
  d: { depends_on: [e] }
  e: {}
";
        assert!(run(&SyncChainDepth, yaml).is_empty());
    }

    #[test]
    fn cycles_are_passed_through_not_gone_round() {
        let yaml = r"
version: 1
name: T
rules:
  sync-chain-depth: { max: 2 }
services:
  a: { depends_on: [b] }
  b: { depends_on: [c] }
  c: { depends_on: [b, d] }
  d: {}
";
        // a -> {b, c} -> d: 2 condensed hops, not more than 2.
        assert!(run(&SyncChainDepth, yaml).is_empty());
        let yaml = yaml.replace("max: 2", "max: 1");
        let found = run(&SyncChainDepth, &yaml);
        // Shown with the walk from b to c inside the cycle.
        assert_eq!(subjects(&found), ["a b c d"]);
        assert_eq!(found[0].message, "a chain of 3 sync calls (more than 1): a -> b -> c -> d");
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        let n = 5_000;
        let mut yaml = String::from("version: 1\nname: T\nservices:\n");
        for i in 0..n {
            writeln!(yaml, "  s{i}: {{ depends_on: [s{}] }}", i + 1).unwrap();
        }
        writeln!(yaml, "  s{n}: {{}}").unwrap();
        let found = run(&SyncChainDepth, &yaml);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].labels.len(), n);
    }
}
