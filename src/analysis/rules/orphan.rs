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

/// Many orphans at once: the dependencies are not written yet, which one finding says.
fn orphans(model: &Model, members: &[Diagnostic]) -> Diagnostic {
    let n = members.len();
    let total = model.graph.node_count();
    let first = members[0].primary_span().expect("an orphan finding points at its component");
    finding(format!(
        "{n} of {total} components have no dependencies and nothing depends on them: the dependencies are not written yet"
    ))
    .with_label(first, format!("connected to nothing, like {} other{}", n - 1, if n == 2 { "" } else { "s" }))
    .with_note("with most components unconnected, every check that follows dependencies (cycles, single points of failure, hotspots, chains) sees too little to find anything")
    .with_help("write each component's `depends_on` (`archmap import compose` infers some from compose files); once most components are connected, archmap reports each one still unconnected")
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
    facts: "`depends_on`; when more than half of the components have no dependency at all, the dependencies are not written yet rather than missing here and there, and one finding lists every orphan",
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

When more than half of the components are orphans, the manifest has not written its
dependencies yet (a first draft, or an import from files that do not show them): one finding
says so, with the count, and lists every orphan as its subjects. Once most components are
connected, each orphan is a finding of its own again.
",
    params: &[],
};

impl Rule for Orphan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let mut found = 0;
        for id in model.components() {
            if metrics::fan_in(model, id) == 0 && metrics::fan_out(model, id) == 0 {
                cx.report(orphan(model, id));
                found += 1;
            }
        }
        // More than half unconnected: not a forgotten dependency here and there, but
        // dependencies nobody has written yet.
        if 2 * found > model.graph.node_count() {
            cx.roll_up(orphans);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, run_all, subjects};

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

    #[test]
    fn mostly_unconnected_is_one_finding_listing_every_orphan() {
        let yaml = r"
version: 1
name: T
services:
  a: { depends_on: [b] }
  b: {}
  c: {}
  d: {}
  e: {}
";
        let found = run(&Orphan, yaml);
        assert_eq!(subjects(&found), ["c d e"]);
        assert_eq!(found[0].members.len(), 3);
        assert_eq!(
            found[0].message,
            "3 of 5 components have no dependencies and nothing depends on them: the dependencies are not written yet"
        );
        // `allow` takes its component out before the findings are folded.
        let allowed = yaml.replace("  c: {}", "  c: { allow: [orphan] }");
        let found: Vec<_> = run_all(&allowed).into_iter().filter(|d| d.code == META.code).collect();
        assert_eq!(subjects(&found), ["d e"]);
        assert_eq!(found[0].members.len(), 2);
        // Half or fewer: one finding each.
        let yaml = yaml.replace("  c: {}", "  c: { depends_on: [d] }");
        assert_eq!(subjects(&run(&Orphan, &yaml)), ["e"]);
    }
}
