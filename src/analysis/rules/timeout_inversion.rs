//! AM055 timeout-inversion.

use petgraph::graph::EdgeIndex;

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Event, Flow, Message, Model};
use crate::vocab::Level;

fn timeout_inversion(
    model: &Model,
    flow: &Flow,
    outer: &Message,
    inner: &Message,
) -> Option<Diagnostic> {
    let (oe, ie) = (outer.edge()?, inner.edge()?);
    let (ot, it) = (model.graph[oe].timeout_ms.as_ref()?, model.graph[ie].timeout_ms.as_ref()?);
    if ot.value > it.value {
        return None;
    }
    let caller = &model.component(outer.from).id;
    let middle = &model.component(outer.to).id;
    let target = &model.component(inner.to).id;
    Some(
        finding(format!(
            "`{caller}` gives up on `{middle}` after {} ms, but `{middle}` waits up to {} ms for `{target}` (flow `{}` steps {} and {})",
            ot.value, it.value, flow.id, outer.number, inner.number
        ))
        .with_label(ot.span, format!("`{caller}` waits {} ms", ot.value))
        .with_label(it.span, format!("`{middle}` waits {} ms", it.value))
        .with_note("when the outer timeout is not longer than the inner one, the caller gives up (and usually retries) while the work below still runs: every retry adds load to a component that is already slow, a classic cause of retry storms")
        .with_help(format!("make the timeout of `{caller} -> {middle}` longer than that of `{middle} -> {target}` plus `{middle}`'s own work, or shorten the inner one"))
        .with_subjects([caller.clone(), middle.clone(), target.clone()]),
    )
}

/// AM055.
pub(crate) struct TimeoutInversion;

static META: RuleMeta = RuleMeta {
    code: "AM055",
    id: "timeout-inversion",
    category: Category::Flows,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a sync call in a flow whose timeout is not longer than the timeout of a call it waits on",
    facts: "the `timeout_ms` of the dependencies that a flow's nested sync calls travel; a pair is judged only when both are written",
    docs: r"## What it flags
Two nested sync calls of a flow, `a -> b` and, inside it, `b -> c`, where `a` waits no longer
for `b` (`timeout_ms` of the dependency `a -> b`) than `b` waits for `c`: the timeouts should
shrink downstream, and here the one downstream is as long or longer. Each pair of dependencies
is reported once, for the first flow that nests them.

## Why it matters
The caller gives up first, and usually retries, while the work it asked for is still running
below: each retry adds load to a component that is already slow. Inverted timeouts are a
classic cause of retry storms and cascading failures.

## Example
```yaml
version: 1
name: Shop
services:
  gateway: { kind: gateway, depends_on: [{ target: orders, timeout_ms: 1000 }] }
  orders: { depends_on: [{ target: payments, timeout_ms: 3000 }] }
  payments: {}
flows:
  checkout:
    steps:
      - { from: gateway, to: orders }
      - { from: orders, to: payments }
```

## How to fix
Make each timeout longer than the ones below it plus the component's own work (here
`gateway -> orders` above 3000 ms), or shorten the inner one; budget the retries too.
",
    params: &[],
};

impl Rule for TimeoutInversion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        // Looked up, never iterated.
        let mut seen: std::collections::HashSet<(EdgeIndex<u32>, EdgeIndex<u32>)> =
            std::collections::HashSet::new();
        for flow in model.flows() {
            for e in flow.events() {
                let Event::Send { message, caller: Some(outer), depth, .. } = e else { continue };
                if depth == 0 {
                    continue;
                }
                let (Some(oe), Some(ie)) = (outer.edge(), message.edge()) else { continue };
                if seen.contains(&(oe, ie)) {
                    continue;
                }
                if let Some(d) = timeout_inversion(model, flow, outer, message) {
                    seen.insert((oe, ie));
                    cx.report(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn inner_timeouts_must_be_shorter() {
        let yaml = "version: 1\nname: T\nservices:\n  g: { depends_on: [{ target: o, timeout_ms: 1000 }] }\n  o: { depends_on: [{ target: p, timeout_ms: 1000 }, { target: q, timeout_ms: 5000 }] }\n  p: {}\n  q: {}\nflows:\n  f:\n    steps: [{from: g, to: o}, {from: o, to: p}, {from: o, to: p}]\n  h:\n    steps: [{from: g, to: o}, {from: o, to: p}, {from: o, to: q, async: true}]\n";
        let found = run(&TimeoutInversion, yaml);
        assert_eq!(subjects(&found), ["g o p"]);
        let fixed = yaml.replace("target: o, timeout_ms: 1000", "target: o, timeout_ms: 1500");
        assert!(run(&TimeoutInversion, &fixed).is_empty());
    }
}
