//! AM043 empty-view.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::manifest::Selector;
use crate::model::select::{SelectorCounts, select};
use crate::model::{Model, View};
use crate::vocab::Level;

fn empty_view(model: &Model, view: &View, counts: &SelectorCounts<'_>) -> Diagnostic {
    let mut d = finding(format!("view `{}` selects no component", view.id))
        .with_label(view.span, "this view would draw an empty diagram")
        .with_note("rendering it produces an empty picture; its selectors probably name ids, groups, tags or kinds that do not match anything (any more)")
        .with_help("fix `include`, `exclude` and `focus` so that they keep at least one component, or remove the view")
        .with_subjects([view.id.clone()]);
    let matching = |s: &Selector| counts.count(model, s);
    // A defaulted `include` is not written anywhere: its span is the view's.
    for s in view.include.iter().filter(|s| s.span != view.span) {
        if matching(&s.value) == 0 {
            d = d.with_label(s.span, "matches no component");
        }
    }
    for s in &view.exclude {
        match matching(&s.value) {
            0 => {}
            1 => d = d.with_label(s.span, "removes 1 component"),
            n => d = d.with_label(s.span, format!("removes {n} components")),
        }
    }
    d
}

fn dead_selector(
    view: &View,
    selector: &crate::source::Spanned<Selector>,
    exclude: bool,
) -> Diagnostic {
    let field = if exclude { "exclude" } else { "include" };
    finding(format!("selector `{}` in the `{field}` of view `{}` matches no component", selector.value, view.id))
        .with_label(selector.span, "matches no component")
        .with_note("a selector that matches nothing does nothing; it is usually a renamed tag, an empty group or a kind the system does not have (any more)")
        .with_help(format!("fix the selector or remove it from `{field}`"))
        .with_subjects([view.id.clone()])
}

/// Whether AM001 already reports this selector (an id or group that does not exist).
fn unknown(model: &Model, s: &Selector) -> bool {
    match s {
        Selector::Id(id) => model.find(id).is_none(),
        Selector::Group(g) => model.find_group(g).is_none(),
        Selector::All | Selector::Tag(_) | Selector::Kind(_) => false,
    }
}

/// AM043.
pub(crate) struct EmptyView;

static META: RuleMeta = RuleMeta {
    code: "AM043",
    id: "empty-view",
    category: Category::Hygiene,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a view that selects no component, or a view selector that matches no component",
    facts: "views' selectors and the components they name",
    docs: r#"## What it flags
A view whose `include`, `exclude` and `focus` together keep no component: the same selection
`archmap render --view` uses, so the view would draw an empty diagram. In a view that does
draw something, each selector of `include` or `exclude` that matches no component at all
(`tag:pci` when no component has the tag, `kind:queue` in a system without queues, a group with
no members) is reported on its own. Selectors naming an id or group that does not exist are
AM001's.

## Why it matters
An empty view usually means its selectors no longer match the model: a renamed group or tag,
a kind written for the wrong components, or an `exclude` that removes everything.

## Example
```yaml
version: 1
name: Shop
services:
  orders: {}
views:
  data:
    include: ["kind:database"]
```

## How to fix
Fix the selectors so that they keep at least one component, or remove the view.
"#,
    params: &[],
};

impl Rule for EmptyView {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        // Counted once: a view of 100,000 selectors costs a lookup per selector.
        let counts = SelectorCounts::new(model);
        for view in &model.views {
            if !select(model, view).contains(&true) {
                cx.report(empty_view(model, view, &counts));
                continue;
            }
            let written = view.include.iter().filter(|s| s.span != view.span).map(|s| (s, false));
            for (s, exclude) in written.chain(view.exclude.iter().map(|s| (s, true))) {
                let dead = !matches!(s.value, Selector::All)
                    && !unknown(model, &s.value)
                    && counts.count(model, &s.value) == 0;
                if dead {
                    cx.report(dead_selector(view, s, exclude));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn include_exclude_and_focus_all_narrow() {
        let yaml = r#"
version: 1
name: T
groups:
  g: {}
services:
  a: { group: g, depends_on: [b] }
  b: { kind: database }
  c: {}
views:
  all: {}
  dbs: { include: ["kind:database"] }
  nothing: { include: ["kind:cache"] }
  everything-excluded: { include: ["group:g"], exclude: ["*"] }
  focus-outside: { include: ["c"], focus: [a] }
  focus-inside: { include: ["group:g", "b"], focus: [b] }
"#;
        assert_eq!(
            subjects(&run(&EmptyView, yaml)),
            ["nothing", "everything-excluded", "focus-outside"]
        );
    }
}
