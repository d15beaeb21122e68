//! AM044 unused-allow.

use crate::analysis::registry;
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::source::Spanned;
use crate::vocab::Level;

/// This check's code; the driver runs it after every other check.
pub(crate) const CODE: &str = "AM044";

fn unused_allow(
    model: &Model,
    id: ServiceId,
    entry: &Spanned<String>,
    check: &RuleMeta,
) -> Diagnostic {
    let c = model.component(id);
    finding(format!("`allow: {}` on `{}` silenced nothing", entry.value, c.id))
        .with_label(entry.span, format!("no `{}` finding about `{}` in this run", check.id, c.id))
        .with_note("an exception that no longer applies hides the next real finding of that check on this component")
        .with_help(format!("remove `{}` from the `allow` list of `{}`", entry.value, c.id))
        .with_subjects([c.id.clone()])
}

/// AM044.
pub(crate) struct UnusedAllow;

static META: RuleMeta = RuleMeta {
    code: CODE,
    id: "unused-allow",
    category: Category::Hygiene,
    default_level: Level::Info,
    since: "0.1.0",
    summary: "an `allow` entry on a component that silenced nothing",
    facts: "`allow` entries and what the other checks found in this run",
    docs: r"## What it flags
An entry of a component's `allow` list that silenced no finding in this run: the check it
names ran and reported nothing about this component. An entry counts as used when it matches
a finding about its component, even if another component's `allow` matches the same finding
too. This check runs after every other check. Entries are not reported when

- they name no check at all (AM001 reports those),
- the check they name did not run (it is `off`), since nothing can be said then,
- they name `unused-allow` itself.

## Why it matters
Exceptions outlive their reasons. An `allow` that no longer applies hides the next real
finding of that check on the component, the one you would want to see.

## Example
```yaml
version: 1
name: Shop
services:
  orders:
    depends_on: [db]
    allow: [fan-in]
  db: { kind: database }
```

## How to fix
Remove the entry. If the finding it was written for comes back, so can the entry.
",
    params: &[],
};

impl Rule for UnusedAllow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        // Without the driver's record there is nothing to judge.
        let Some(usage) = cx.allow_usage() else {
            return;
        };
        for id in model.components() {
            for (i, entry) in model.component(id).allow.iter().enumerate() {
                let Some(rule) = registry::find(&entry.value) else {
                    continue;
                };
                let meta = rule.meta();
                if meta.code == CODE || !usage.ran.contains(&meta.code) || usage.used[id.index()][i]
                {
                    continue;
                }
                cx.report(unused_allow(model, id, entry, meta));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::testing::{run_all, subjects};

    #[test]
    fn used_unknown_off_and_self_entries_are_not_reported() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [db], allow: [layer-violation, fan-in, AM041, nope] }
  db: { kind: database, allow: [AM032, orphan, FAN-OUT] }
  job: { kind: job, depends_on: [db], allow: [unused-allow] }
";
        let found = run_all(yaml);
        let unused: Vec<_> = found.iter().filter(|d| d.code == "AM044").collect();
        // web: layer-violation silenced the edge finding (and so did db's AM032: both count);
        // fan-in found nothing; AM041 is off; unused-allow is never reported; nope is AM001.
        // db: orphan found nothing; FAN-OUT is not a code (codes ignore case, ids do not).
        let messages: Vec<&str> = unused.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`allow: fan-in` on `web` silenced nothing",
                "`allow: orphan` on `db` silenced nothing"
            ]
        );
        assert!(found.iter().any(|d| d.code == "AM001" && d.message.contains("FAN-OUT")));
        assert_eq!(subjects(&unused.into_iter().cloned().collect::<Vec<_>>()), ["web", "db"]);
    }

    #[test]
    fn an_allow_for_unused_allow_silences_its_findings() {
        let yaml = r"
version: 1
name: T
services:
  a: { depends_on: [b], allow: [orphan, unused-allow] }
  b: {}
";
        assert!(!run_all(yaml).iter().any(|d| d.code == "AM044"));
    }
}
