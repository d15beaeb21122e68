//! AM003 self-dependency.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Defect, Model};
use crate::source::Span;
use crate::vocab::Level;

fn self_dependency(id: &str, span: Span) -> Diagnostic {
    finding(format!("component `{id}` depends on itself"))
        .with_label(span, "names its own component")
        .with_note("a component calling itself through its own API is a loop; the edge is left out of the graph")
        .with_help("remove this entry from `depends_on`")
        .with_subjects([id.to_string()])
}

/// AM003.
pub(crate) struct SelfDependency;

static META: RuleMeta = RuleMeta {
    code: "AM003",
    id: "self-dependency",
    category: Category::Structure,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "a component that depends on itself",
    facts: "`depends_on`",
    docs: r"## What it flags
A component whose `depends_on` names the component itself.

## Why it matters
It is almost always a copy-paste slip. Where it is real (a service calling its own API), it is
a loop that amplifies load. The edge is not added to the graph, so cycle checks do not report it
a second time.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on: [orders]
```

## How to fix
Remove the entry, or point it at the component that was meant.
",
    params: &[],
};

impl Rule for SelfDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for defect in &model.defects {
            if let Defect::SelfDependency { component, span } = defect {
                cx.report(self_dependency(&model.component(*component).id, *span));
            }
        }
    }
}
