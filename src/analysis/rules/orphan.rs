//! AM033 orphan.

use crate::analysis::metrics;
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn orphan(model: &Model, id: ServiceId) -> Diagnostic {
    let c = model.component(id);
    finding(format!("`{}` has no dependencies and nothing depends on it", c.id))
        .with_label(c.span, "connected to nothing")
        .with_note("a component with no edges says nothing about the architecture: it is usually a dependency someone forgot to write, or a leftover of something removed")
        .with_help(format!("add the dependencies that connect `{}` to the rest of the system, or remove it", c.id))
        .with_subjects([c.id.clone()])
}

/// AM033.
pub(crate) struct Orphan;

static META: RuleMeta = RuleMeta {
    code: "AM033",
    id: "orphan",
    category: Category::Design,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a component with no dependencies and no dependents",
    docs: r"## What it flags
A component that depends on nothing and that nothing depends on, over any kind of
dependency. Dependencies that name an unknown component or the component itself are not edges
(AM001 and AM003 report them), so they do not connect anything.

## Why it matters
An isolated box in the diagram is almost always a mistake: a dependency nobody wrote down, or
a leftover of a component that was removed. Either way the model no longer matches the
system, and every check that follows dependencies misses it.

## Example
```yaml
version: 1
name: Shop
services:
  orders: { depends_on: [db] }
  db: { kind: database }
  legacy-reports: {}
```

## How to fix
Write down the dependencies that connect the component to the rest of the system, or remove
it. A component that is standalone on purpose can carry `allow: [orphan]`.
",
    params: &[],
};

impl Rule for Orphan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for id in model.components() {
            if metrics::fan_in(model, id) == 0 && metrics::fan_out(model, id) == 0 {
                cx.report(orphan(model, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn async_and_optional_edges_connect_self_edges_do_not() {
        let yaml = r"
version: 1
name: T
services:
  a: { depends_on: [{ target: q, mode: async }] }
  q: { kind: queue }
  b: { depends_on: [{ target: c, optional: true }] }
  c: {}
  lonely: { depends_on: [lonely] }
";
        assert_eq!(subjects(&run(&Orphan, yaml)), ["lonely"]);
    }
}
