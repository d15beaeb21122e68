//! AM021 fan-out.

use super::name_some;
use crate::analysis::metrics;
use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn fan_out(model: &Model, id: ServiceId, dependencies: &[ServiceId], max: u64) -> Diagnostic {
    let c = model.component(id);
    finding(format!("`{}` depends directly on {} components (more than {max})", c.id, dependencies.len()))
        .with_label(c.span, format!("depends on {}", name_some(model, dependencies, 5)))
        .with_note("a component that needs many others is fragile (it fails when any of them does) and knows too much: it is hard to change, test and run on its own")
        .with_help(format!(
            "check whether `{}` does too much: split it, put an aggregating service or gateway between it and its dependencies, or react to events instead of calling; or raise `max` for this check",
            c.id
        ))
        .with_subjects([c.id.clone()])
        .with_impact(dependencies.len())
}

/// AM021.
pub(crate) struct FanOut;

/// The `max` parameter.
const MAX: CountParam =
    CountParam { name: "max", default: 8, doc: "the most direct dependencies allowed" };

static META: RuleMeta = RuleMeta {
    code: "AM021",
    id: "fan-out",
    category: Category::Resilience,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a component that depends directly on more than `max` components",
    facts: "`depends_on` only: direct dependencies of any mode",
    docs: r"## What it flags
A component that depends directly on more than `max` distinct components, over any dependency
(sync or async, required or optional). The finding sits on the component and names its
dependencies.

## Why it matters
Every dependency is a way to fail and a reason to change. A component that talks to many
others is only as available as all of them together, tends to orchestrate logic that belongs
elsewhere, and is hard to test or run on its own.

## Example
With `max: 2`:

```yaml
version: 1
name: Shop
rules:
  fan-out: { max: 2 }
services:
  checkout: { depends_on: [cart, pricing, payments] }
  cart: {}
  pricing: {}
  payments: {}
```

## How to fix
Split the component by responsibility, group related calls behind one service (a facade or
backend-for-frontend), or let it react to events instead of calling each dependency. Raise
`max` when a wide fan-out is by design (an API gateway, say), or add `allow: [fan-out]` to the
component.
",
    params: &[MAX.meta()],
};

impl Rule for FanOut {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let max = cx.count(MAX);
        for id in model.components() {
            if metrics::fan_out(model, id) as u64 > max {
                let dependencies: Vec<ServiceId> = model.dependencies(id).map(|(t, _)| t).collect();
                cx.report(fan_out(model, id, &dependencies, max));
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
    fn counts_every_kind_of_edge_in_manifest_order() {
        let yaml = r"
version: 1
name: T
rules:
  fan-out: { max: 2 }
services:
  hub: { depends_on: [c, { target: a, mode: async }, { target: b, optional: true }] }
  ok: { depends_on: [a, b] }
  a: {}
  b: {}
  c: {}
";
        let found = run(&FanOut, yaml);
        assert_eq!(subjects(&found), ["hub"]);
        assert_eq!(found[0].message, "`hub` depends directly on 3 components (more than 2)");
        assert_eq!(found[0].labels[0].text, "depends on `c`, `a`, `b`");
    }

    #[test]
    fn default_max_is_eight() {
        let mut yaml = String::from("version: 1\nname: T\nservices:\n  hub:\n    depends_on: [");
        let names: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
        yaml.push_str(&names.join(", "));
        yaml.push_str("]\n");
        for n in &names {
            writeln!(yaml, "  {n}: {{}}").unwrap();
        }
        assert!(run(&FanOut, &yaml).is_empty());
        let yaml = yaml.replace("s7]", "s7, s8]") + "  s8: {}\n";
        assert_eq!(run(&FanOut, &yaml).len(), 1);
    }
}
