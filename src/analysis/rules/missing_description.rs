//! AM041 missing-description.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn missing_description(model: &Model, id: ServiceId) -> Diagnostic {
    let c = model.component(id);
    finding(format!("{} `{}` has no description", c.kind, c.id))
        .with_label(c.span, "no `description`")
        .with_note("a one-line description tells readers of the diagram and of the findings what the component is for")
        .with_help(format!("add `description: …` to `{}`", c.id))
        .with_subjects([c.id.clone()])
}

/// AM041.
pub(crate) struct MissingDescription;

static META: RuleMeta = RuleMeta {
    code: "AM041",
    id: "missing-description",
    category: Category::Hygiene,
    default_level: Level::Off,
    since: "0.1.0",
    summary: "a component without `description`",
    facts: "`description`",
    docs: r"## What it flags
A component without a `description` (an empty one counts as written). Off by default: turn it
on with `rules: {missing-description: info}` once a model should be fully documented.

## Why it matters
The id and label rarely say what a component is for. Descriptions appear in diagrams'
tooltips and help newcomers read the model.

## Example
```yaml
version: 1
name: Shop
rules:
  missing-description: warn
services:
  orders: {}
```

## How to fix
Add `description: …`, one sentence on what the component does.
",
    params: &[],
};

impl Rule for MissingDescription {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for id in model.components() {
            if model.component(id).description.is_none() {
                cx.report(missing_description(model, id));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, run_all, subjects};

    #[test]
    fn flags_components_without_description_and_is_off_by_default() {
        let yaml = r"
version: 1
name: T
services:
  a: { description: Does things }
  b: {}
";
        assert_eq!(subjects(&run(&MissingDescription, yaml)), ["b"]);
        assert!(!run_all(yaml).iter().any(|d| d.code == "AM041"));
    }
}
