//! AM031 passive-dependency.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn passive_dependency(model: &Model, id: ServiceId) -> Diagnostic {
    let c = model.component(id);
    let targets: Vec<ServiceId> = model.dependencies(id).map(|(t, _)| t).collect();
    let mut d = finding(format!(
        "{} `{}` depends on {} component{}",
        c.kind,
        c.id,
        targets.len(),
        if targets.len() == 1 { "" } else { "s" }
    ))
    .with_note("databases, caches, queues, topics and storage are passive: others use them, they call no one. A dependency written on one is usually an arrow drawn the wrong way, or a replica or backup relation")
    .with_help(format!(
        "if a component uses `{}`, move the dependency to that component's `depends_on`; if this is a replica or backup link, keep it and add `allow: [passive-dependency]` to `{}`",
        c.id, c.id
    ))
    .with_subjects([c.id.clone()]);
    for (t, dep) in model.dependencies(id) {
        d = d.with_label(dep.span, format!("`{}` depends on `{}`", c.id, model.component(t).id));
    }
    d
}

/// AM031.
pub(crate) struct PassiveDependency;

static META: RuleMeta = RuleMeta {
    code: "AM031",
    id: "passive-dependency",
    category: Category::Design,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a database, cache, queue, topic or storage that itself has `depends_on`",
    facts: "`kind` and `depends_on`",
    docs: r#"## What it flags
A passive component (kind `database`, `cache`, `queue`, `topic` or `storage`) with
dependencies of its own. Each dependency is labelled where it is written.

## Why it matters
Passive components are used by others and call no one. A dependency on one is most often an
arrow drawn the wrong way round (`db: {depends_on: [orders]}` meant "orders uses db"), which
turns every check that follows dependencies upside down: blast radius, chains, choke points.

## Example
```yaml
version: 1
name: Shop
services:
  orders: {}
  db:
    kind: database
    depends_on: [orders]
```

## How to fix
Move the dependency to the component that uses the store (`orders: {depends_on: [db]}`). When
it is a real relation, such as a read replica on its primary, keep it and add
`allow: [passive-dependency]` to the store.
"#,
    params: &[],
};

impl Rule for PassiveDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for id in model.components() {
            if model.component(id).kind.is_passive() && model.dependencies(id).next().is_some() {
                cx.report(passive_dependency(model, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn every_passive_kind_and_every_edge() {
        let yaml = r"
version: 1
name: T
services:
  primary: { kind: database }
  replica: { kind: database, depends_on: [primary, { target: bus, mode: async }] }
  bus: { kind: topic, depends_on: [svc] }
  svc: { depends_on: [primary] }
  blobs: { kind: storage }
";
        let found = run(&PassiveDependency, yaml);
        assert_eq!(subjects(&found), ["replica", "bus"]);
        assert_eq!(found[0].message, "database `replica` depends on 2 components");
        assert_eq!(found[0].labels.len(), 2);
        assert_eq!(found[1].labels[0].text, "`bus` depends on `svc`");
    }
}
