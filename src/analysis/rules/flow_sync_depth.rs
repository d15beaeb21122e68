//! AM053 flow-sync-depth.

use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::analysis::rules::flow_reentrant_call::chain_names;
use crate::diagnostic::Diagnostic;
use crate::model::{Event, Flow, Message, Model};
use crate::vocab::Level;

fn flow_sync_depth(model: &Model, flow: &Flow, chain: &[&Message], max: u64) -> Diagnostic {
    let names = chain_names(model, chain);
    let mut d = finding(format!(
        "flow `{}` nests {} sync calls (more than {max}): {}",
        flow.id,
        chain.len(),
        names.join(" -> ")
    ))
    .with_note("every caller in the chain waits for the one below: latencies add up, timeouts must nest, and the slowest component at the bottom holds every caller above it")
    .with_help("make a step asynchronous, answer from a cache or a copy closer to the caller, or merge components that always call each other; or raise `max` for this check")
    .with_subjects(std::iter::once(flow.id.clone()).chain(names.iter().cloned()));
    for m in chain.iter().rev() {
        d = d.with_label(
            m.span,
            format!(
                "step {}: `{}` calls `{}`",
                m.number,
                model.component(m.from).id,
                model.component(m.to).id
            ),
        );
    }
    d
}

/// AM053.
pub(crate) struct FlowSyncDepth;

/// The `max` parameter.
const MAX: CountParam = CountParam {
    name: "max",
    default: 5,
    doc: "the most sync calls a flow may nest (the same default as sync-chain-depth)",
};

static META: RuleMeta = RuleMeta {
    code: "AM053",
    id: "flow-sync-depth",
    category: Category::Flows,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a flow that nests more than `max` sync calls",
    facts: "the order of each flow's steps and whether each is sync (the step's `async`, else the dependency's mode)",
    docs: r"## What it flags
A flow in which more than `max` sync calls are open at once: a caller waits for a callee that
waits for another, and so on. Calls nest as AM052 describes. One finding per flow, for the
first deepest chain; every call of the chain is labelled.

sync-chain-depth (AM023) measures the longest sync path the dependencies allow; this check
measures the journeys the flows document, which are what users wait for.

## Why it matters
Every caller in the chain waits: latencies add up, each timeout must be longer than the sum of
those below it, retries multiply, and the slowest component at the bottom stalls everyone above.

## Example
With `max: 2`:

```yaml
version: 1
name: Shop
rules:
  flow-sync-depth: { max: 2 }
services:
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, depends_on: [orders] }
  orders: { depends_on: [pricing] }
  pricing: {}
flows:
  order:
    steps:
      - { from: web, to: gateway }
      - { from: gateway, to: orders }
      - { from: orders, to: pricing }
```

## How to fix
Make a step asynchronous, answer from a cache or a copy of the data closer to the caller, or
merge components that always call each other. Raise `max` if the latency budget allows it.
",
    params: &[MAX.meta()],
};

impl Rule for FlowSyncDepth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let max = cx.count(MAX);
        for flow in model.flows() {
            let deepest = flow.events().into_iter().fold(
                None,
                |best: Option<(usize, &Message)>, e| match e {
                    Event::Send { message, depth, .. } if best.is_none_or(|(d, _)| depth > d) => {
                        Some((depth, message))
                    }
                    _ => best,
                },
            );
            if let Some((depth, m)) = deepest
                && depth as u64 > max
            {
                let callers = flow.callers();
                cx.report(flow_sync_depth(model, flow, &Flow::chain(&callers, m), max));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn the_first_deepest_chain_is_reported() {
        let yaml = "version: 1\nname: T\nrules:\n  flow-sync-depth: { max: 2 }\nservices:\n  a: { depends_on: [b, x] }\n  b: { depends_on: [c] }\n  c: { depends_on: [d] }\n  d: {}\n  x: { depends_on: [d] }\nflows:\n  f:\n    steps:\n      - {from: a, to: x}\n      - {from: x, to: d}\n      - {from: a, to: b}\n      - {from: b, to: c}\n      - {from: c, to: d}\n";
        let found = run(&FlowSyncDepth, yaml);
        assert_eq!(subjects(&found), ["f a b c d"]);
        assert_eq!(found[0].labels.len(), 3);
        assert!(run(&FlowSyncDepth, &yaml.replace("max: 2", "max: 3")).is_empty());
        let async_step = yaml.replace("{from: b, to: c}", "{from: b, to: c, async: true}");
        assert!(run(&FlowSyncDepth, &async_step).is_empty());
    }
}
