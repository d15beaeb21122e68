//! AM004 duplicate-dependency.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Defect, Model};
use crate::source::Span;
use crate::vocab::Level;

fn duplicate_dependency(from: &str, to: &str, first: Span, second: Span) -> Diagnostic {
    finding(format!("component `{from}` lists `{to}` twice in `depends_on`"))
        .with_label(second, "listed again here; this entry is ignored")
        .with_label(first, "first listed here")
        .with_note(
            "one dependency is one edge; the second entry's protocol, mode and label are ignored",
        )
        .with_help("remove one entry, merging their attributes")
        .with_subjects([from.to_string(), to.to_string()])
}

/// AM004.
pub(crate) struct DuplicateDependency;

static META: RuleMeta = RuleMeta {
    code: "AM004",
    id: "duplicate-dependency",
    category: Category::Structure,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "the same target twice in one `depends_on`",
    facts: "`depends_on` as written",
    docs: r"## What it flags
A `depends_on` list that names the same target twice, in either form.

## Why it matters
archmap draws one edge per pair of components and keeps the first entry; the attributes of the
second (protocol, mode, label) are silently lost otherwise.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on:
      - payments
      - target: payments
        protocol: grpc
  payments: {}
```

## How to fix
Keep one entry and merge the attributes into it.
",
    params: &[],
};

impl Rule for DuplicateDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for defect in &model.defects {
            if let Defect::DuplicateDependency { component, target, first, second } = defect {
                let from = &model.component(*component).id;
                let to = &model.component(*target).id;
                cx.report(duplicate_dependency(from, to, *first, *second));
            }
        }
    }
}
