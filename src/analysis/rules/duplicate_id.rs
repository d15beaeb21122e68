//! AM002 duplicate-id.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Defect, Model};
use crate::source::Span;
use crate::vocab::Level;

fn duplicate_id(what: &str, id: &str, first: Span, second: Span) -> Diagnostic {
    let is_field = what.starts_with("field") || what.starts_with("parameter");
    let message = if is_field {
        format!("`{id}` is written twice as a {what}")
    } else {
        format!("{what} `{id}` is defined twice")
    };
    finding(message)
        .with_label(second, "defined again here; this one is ignored")
        .with_label(first, "first defined here; this one is kept")
        .with_note("YAML forbids duplicate keys, and many tools silently keep the last one; archmap keeps the first and reports the second")
        .with_help(if is_field { "remove one of the two" } else { "rename one of them, or merge the two definitions" })
        .with_subjects([id.to_string()])
}

/// AM002.
pub(crate) struct DuplicateId;

static META: RuleMeta = RuleMeta {
    code: "AM002",
    id: "duplicate-id",
    category: Category::Structure,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "an id defined twice: a duplicate YAML key, or the same id in two included files",
    facts: "the ids defined in every included file, and the YAML keys as written",
    docs: r"## What it flags
A key written twice in the same YAML map (two services called `orders`, or `kind` twice in one
service), or the same service, group or view id defined in two files merged through `include`.
Both places are shown.

## Why it matters
YAML forbids duplicate keys, yet most parsers silently keep the last one, so one definition
vanishes without a word. archmap keeps the first definition and reports the second.

## Example
```yaml
version: 1
name: Shop
services:
  orders: {}
  orders:
    kind: database
```

## How to fix
Rename one of the two, or merge them into one definition.
",
    params: &[],
};

impl Rule for DuplicateId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for defect in &model.defects {
            if let Defect::DuplicateId { what, id, first, second } = defect {
                cx.report(duplicate_id(what, id, *first, *second));
            }
        }
    }
}
