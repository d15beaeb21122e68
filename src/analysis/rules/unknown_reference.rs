//! AM001 unknown-reference.

use crate::analysis::registry;
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::manifest::schema::shorten;
use crate::model::{Defect, Model, RefKind};
use crate::source::Span;
use crate::vocab::Level;

fn unknown_reference(
    kind: RefKind,
    name: &str,
    holder: &str,
    span: Span,
    suggestion: Option<&str>,
) -> Diagnostic {
    let name = &shorten(name);
    let (what, holder_what, noun) = match kind {
        RefKind::Dependency => ("depends on", "component", "component"),
        RefKind::Group => ("is in group", "component", "group"),
        RefKind::Parent => ("has parent", "group", "group"),
        RefKind::ViewComponent => ("selects", "view", "component"),
        RefKind::ViewGroup => ("selects group", "view", "group"),
        RefKind::FlowComponent => ("has a step naming", "flow", "component"),
    };
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("define a {noun} `{name}`, or fix the name"),
    };
    finding(format!("{holder_what} `{holder}` {what} `{name}`, which does not exist"))
        .with_label(span, format!("no {noun} is called `{name}`"))
        .with_note("a reference that names nothing leaves a hole in the model: the dependency, membership or view is dropped")
        .with_help(help)
        .with_subjects([holder.to_string()])
}

fn unknown_allow(name: &str, component: &str, span: Span) -> Diagnostic {
    let name = &shorten(name);
    let ids = registry::RULES.iter().map(|r| r.meta().id);
    let help = match did_you_mean(name, ids) {
        Some(s) => format!("did you mean `{s}`? `archmap rules` lists every check"),
        None => "name a check by its id (e.g. `fan-in`) or code (e.g. `AM020`); `archmap rules` lists them".to_string(),
    };
    finding(format!("component `{component}` allows `{name}`, which is not a check"))
        .with_label(span, "not a check id or code")
        .with_note("an `allow` entry that names no check silences nothing")
        .with_help(help)
        .with_subjects([component.to_string()])
}

/// AM001.
pub(crate) struct UnknownReference;

static META: RuleMeta = RuleMeta {
    code: "AM001",
    id: "unknown-reference",
    category: Category::Structure,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "a dependency target, group, parent, view selector, flow step or allow entry that names nothing",
    facts: "the ids written in `depends_on`, `group`, `parent`, view selectors, flow steps and `allow`, and the ids defined",
    docs: r"## What it flags
A name that refers to nothing: a `depends_on` target, a component's `group`, a group's
`parent`, a component id or `group:` selector in a view (`include`, `exclude`, `focus`,
`collapse`), a component named by a flow's step (`from`, `to`), or an `allow` entry that is
not the id or code of a check. The help line suggests the closest existing name.

## Why it matters
The reference is dropped from the model: a dependency that is not drawn or checked, a component
outside its boundary, a view that shows less than intended.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on: [inventroy]
  inventory: {}
```

## How to fix
Correct the name (`inventory`), or define the missing component or group.
",
    params: &[],
};

impl Rule for UnknownReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for defect in &model.defects {
            if let Defect::UnknownReference { kind, name, span, holder, suggestion } = defect {
                cx.report(unknown_reference(*kind, name, holder, *span, suggestion.as_deref()));
            }
        }
        for id in model.components() {
            let c = model.component(id);
            for a in &c.allow {
                // `archmap drift` reads `allow` too: its findings may be named.
                if registry::find(&a.value).is_none() && !crate::drift::codes::names_one(&a.value) {
                    cx.report(unknown_allow(&a.value, &c.id, a.span));
                }
            }
        }
    }
}
