//! AM040 missing-owner.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::{Kind, Level};

fn missing_owner(model: &Model, id: ServiceId) -> Diagnostic {
    let c = model.component(id);
    let help = match c.group {
        Some(g) => format!(
            "add `owner: TEAM` to `{}`, or to its group `{}` so that all its members inherit it",
            c.id,
            model.group(g).id
        ),
        None => format!("add `owner: TEAM` to `{}`", c.id),
    };
    finding(format!("{} `{}` has no owner", c.kind, c.id))
        .with_label(c.span, "neither its own `owner` nor one inherited from a group")
        .with_note("when something breaks or must change, an owner says who to call; unowned components rot")
        .with_help(help)
        .with_subjects([c.id.clone()])
}

/// AM040.
pub(crate) struct MissingOwner;

static META: RuleMeta = RuleMeta {
    code: "AM040",
    id: "missing-owner",
    category: Category::Hygiene,
    default_level: Level::Info,
    since: "0.1.0",
    summary: "a component without an owner, neither its own nor inherited from its group",
    docs: r"## What it flags
A component with no effective owner: no `owner` of its own, and none on its group or any
enclosing group (members inherit the nearest group's `owner`). Components of kind `external`
(a third party owns them) and `user` (people) are exempt.

## Why it matters
When a component breaks, needs a change or shows up in a finding, its owner says who to
talk to. Unowned components are the ones nobody maintains.

## Example
```yaml
version: 1
name: Shop
services:
  orders: { owner: team-orders, depends_on: [legacy-pricing] }
  legacy-pricing: {}
```

## How to fix
Add `owner: TEAM` to the component, or to its group so that every member inherits it.
",
    params: &[],
};

impl Rule for MissingOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for id in model.components() {
            let exempt = matches!(model.component(id).kind, Kind::External | Kind::User);
            if !exempt && model.owner(id).is_none() {
                cx.report(missing_owner(model, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn owners_are_inherited_through_nested_groups() {
        let yaml = r"
version: 1
name: T
groups:
  org: { owner: team-a }
  sub: { parent: org }
  other: {}
services:
  a: { group: sub }
  b: { group: other }
  c: { owner: team-c, group: other }
  bank: { kind: external }
  person: { kind: user }
";
        let found = run(&MissingOwner, yaml);
        assert_eq!(subjects(&found), ["b"]);
        assert!(found[0].help.as_deref().unwrap().contains("its group `other`"));
    }
}
