//! AM042 empty-group.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{GroupId, Model};
use crate::vocab::Level;

fn empty_group(model: &Model, group: GroupId) -> Diagnostic {
    let g = model.group(group);
    finding(format!("group `{}` has no components and no child groups", g.id))
        .with_label(g.span, "nothing is in this group")
        .with_note("an empty group draws nothing and checks nothing: it is usually a typo in a component's `group` or a leftover")
        .with_help(format!("put components in it with `group: {}`, or remove it", g.id))
        .with_subjects([g.id.clone()])
}

/// AM042.
pub(crate) struct EmptyGroup;

static META: RuleMeta = RuleMeta {
    code: "AM042",
    id: "empty-group",
    category: Category::Hygiene,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a group with no components and no child groups",
    facts: "groups, their `parent` and their members",
    docs: r"## What it flags
A group that no component names as its `group` and no group names as its `parent`.

## Why it matters
An empty group is drawn nowhere and bounds nothing. It is usually a leftover, or the other
half of a typo in some component's `group` (which AM001 then reports).

## Example
```yaml
version: 1
name: Shop
groups:
  payments: {}
services:
  orders: {}
```

## How to fix
Put components in the group (`group: payments`), or remove it.
",
    params: &[],
};

impl Rule for EmptyGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let mut used = vec![false; model.groups.len()];
        for id in model.components() {
            if let Some(g) = model.component(id).group {
                used[g.0] = true;
            }
        }
        for g in &model.groups {
            if let Some(p) = g.parent {
                used[p.0] = true;
            }
        }
        for (i, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
            cx.report(empty_group(model, GroupId(i)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn a_parent_of_an_empty_child_is_not_empty_itself() {
        let yaml = r"
version: 1
name: T
groups:
  outer: {}
  inner: { parent: outer }
  full: {}
services:
  a: { group: full }
";
        assert_eq!(subjects(&run(&EmptyGroup, yaml)), ["inner"]);
    }
}
