//! AM020 fan-in.

use super::name_some;
use crate::analysis::metrics;
use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn fan_in(model: &Model, id: ServiceId, dependents: &[ServiceId], max: u64) -> Diagnostic {
    let c = model.component(id);
    finding(format!("{} components depend directly on `{}` (more than {max})", dependents.len(), c.id))
        .with_label(c.span, format!("depended on by {}", name_some(model, dependents, 5)))
        .with_note("a component many others call is a hotspot: every change to its interface, every slowdown and every outage reaches all of them at once")
        .with_help(format!(
            "check that `{}` has the capacity, redundancy and stable interface its callers need; split it by responsibility, put a cache in front of it, or let callers consume its data through events; or raise `max` for this check",
            c.id
        ))
        .with_subjects([c.id.clone()])
        .with_impact(dependents.len())
}

/// AM020.
pub(crate) struct FanIn;

/// The `max` parameter.
const MAX: CountParam =
    CountParam { name: "max", default: 10, doc: "the most direct dependents allowed" };

static META: RuleMeta = RuleMeta {
    code: "AM020",
    id: "fan-in",
    category: Category::Resilience,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a component that more than `max` components depend on directly (a hotspot)",
    facts: "`depends_on` only: direct dependents over any dependency, whatever its mode",
    docs: r"## What it flags
A component that more than `max` distinct components depend on directly, over any dependency
(sync or async, required or optional). The finding sits on the component and names its
dependents.

## Why it matters
A component with many direct callers is a hotspot. Its load is the sum of theirs, an outage or
slowdown reaches all of them at once, and every change to its interface must be coordinated
with every caller.

## Example
With `max: 2`:

```yaml
version: 1
name: Shop
rules:
  fan-in: { max: 2 }
services:
  orders: { depends_on: [auth] }
  payments: { depends_on: [auth] }
  search: { depends_on: [auth] }
  auth: {}
```

## How to fix
Make sure the component can carry the load (`replicas`, caching, rate limits) and keep its
interface stable. If it does too many things, split it by responsibility; if callers only
read its data, let them consume events or a replica instead. Raise `max` when a wide fan-in is
by design (an identity provider, say), or add `allow: [fan-in]` to the component.
",
    params: &[MAX.meta()],
};

impl Rule for FanIn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let max = cx.count(MAX);
        for id in model.components() {
            if metrics::fan_in(model, id) as u64 > max {
                let mut dependents: Vec<ServiceId> =
                    model.graph.neighbors_directed(id, petgraph::Direction::Incoming).collect();
                dependents.sort_unstable();
                cx.report(fan_in(model, id, &dependents, max));
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
    fn counts_distinct_dependents_over_any_edge() {
        let yaml = r"
version: 1
name: T
rules:
  fan-in: { max: 2 }
services:
  a: { depends_on: [hub] }
  b: { depends_on: [{ target: hub, mode: async }] }
  c: { depends_on: [{ target: hub, optional: true }] }
  hub: {}
  d: { depends_on: [e] }
  e: {}
";
        let found = run(&FanIn, yaml);
        assert_eq!(subjects(&found), ["hub"]);
        assert_eq!(found[0].message, "3 components depend directly on `hub` (more than 2)");
        assert_eq!(found[0].labels[0].text, "depended on by `a`, `b`, `c`");
    }

    #[test]
    fn exactly_max_is_fine_and_duplicates_count_once() {
        let yaml = r"
version: 1
name: T
rules:
  fan-in: { max: 2 }
services:
  a: { depends_on: [hub, hub] }
  b: { depends_on: [hub] }
  hub: {}
";
        assert!(run(&FanIn, yaml).is_empty());
    }

    #[test]
    fn long_lists_are_shortened() {
        let mut yaml = String::from("version: 1\nname: T\nservices:\n  hub: {}\n");
        for i in 0..12 {
            writeln!(yaml, "  s{i:02}: {{ depends_on: [hub] }}").unwrap();
        }
        let found = run(&FanIn, &yaml);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].labels[0].text.ends_with("`s04`, and 7 more"),
            "{}",
            found[0].labels[0].text
        );
    }
}
