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

/// No owner anywhere: ownership is not part of the manifest yet, which one finding says.
fn no_owners(_model: &Model, members: &[Diagnostic]) -> Diagnostic {
    let n = members.len();
    let first = members[0].primary_span().expect("a missing-owner finding points at its component");
    finding(format!("no component has an owner: ownership is not written in this manifest ({n} components)"))
        .with_label(first, format!("no `owner` here, nor on the {} other component{} or any group", n - 1, if n == 2 { "" } else { "s" }))
        .with_note("when something breaks or must change, an owner says who to call; unowned components rot")
        .with_help("add `owner: TEAM` to groups (their members inherit it) or to components; once some owners are written, archmap reports each component still without one")
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
    facts: "`owner` on components and groups; when no component or group declares an owner, ownership is not part of the manifest yet, and one finding with the count stands for all components",
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

When no component and no group declares an owner, ownership is simply not part of the
manifest yet: one finding says so, with the count, and lists every component as its subjects.
Once some owners are written, each component still without one is a finding of its own.

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
        // Owners written nowhere: one finding for the manifest, not one per component.
        let written = model.components().any(|id| model.component(id).owner.is_some())
            || model.groups.iter().any(|g| g.owner.is_some());
        if !written {
            cx.roll_up(no_owners);
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

    #[test]
    fn no_owner_anywhere_is_one_finding_with_the_count() {
        let yaml = r"
version: 1
name: T
services:
  a: {}
  b: {}
  c: {}
  bank: { kind: external }
";
        let found = run(&MissingOwner, yaml);
        assert_eq!(subjects(&found), ["a b c"]);
        assert_eq!(
            found[0].message,
            "no component has an owner: ownership is not written in this manifest (3 components)"
        );
        assert_eq!(subjects(&found[0].members), ["a", "b", "c"]);
        // One owner written: each component without one is reported again.
        let yaml = yaml.replace("  a: {}", "  a: { owner: team-a }");
        assert_eq!(subjects(&run(&MissingOwner, &yaml)), ["b", "c"]);
    }
}
