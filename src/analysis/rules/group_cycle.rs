//! AM005 group-cycle.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Defect, GroupId, Model};
use crate::vocab::Level;

fn group_cycle(model: &Model, groups: &[GroupId]) -> Diagnostic {
    let names: Vec<&str> = groups.iter().map(|g| model.group(*g).id.as_str()).collect();
    let mut path = names.join(" -> ");
    path.push_str(" -> ");
    path.push_str(names[0]);
    let mut d = finding(format!("groups form a parent cycle: {path}"))
        .with_note("groups nest as a tree; a cycle of `parent` links has no outermost group, so the last link was ignored")
        .with_help("remove the `parent` of one group in the cycle")
        .with_subjects(names.iter().map(|s| (*s).to_string()));
    for (i, g) in groups.iter().enumerate() {
        let group = model.group(*g);
        let parent = names[(i + 1) % names.len()];
        if let Some(span) = group.parent_span {
            d = d.with_label(span, format!("`{}` is inside `{parent}`", group.id));
        }
    }
    d
}

/// AM005.
pub(crate) struct GroupCycle;

static META: RuleMeta = RuleMeta {
    code: "AM005",
    id: "group-cycle",
    category: Category::Structure,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "a cycle of group `parent` links",
    facts: "the groups' `parent`",
    docs: r"## What it flags
Groups whose `parent` links go round in a circle: `a` inside `b`, `b` inside `a`. The finding
lists the cycle and labels every `parent` link in it.

## Why it matters
Groups nest as a tree; a cycle has no outermost group and cannot be drawn. archmap ignores the
link written last so that it can still draw the rest.

## Example
```yaml
version: 1
name: Shop
groups:
  edge: { parent: core }
  core: { parent: edge }
services:
  web: { group: edge }
```

## How to fix
Remove the `parent` of one group in the cycle.
",
    params: &[],
};

impl Rule for GroupCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for defect in &model.defects {
            if let Defect::GroupCycle { groups } = defect {
                cx.report(group_cycle(model, groups));
            }
        }
    }
}
