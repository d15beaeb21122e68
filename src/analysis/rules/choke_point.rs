//! AM024 choke-point.

use super::name_behind;
use crate::analysis::metrics::{self, Adjacency, Dominance};
use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, ShareParam, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::Level;

fn choke_point(
    model: &Model,
    id: ServiceId,
    dominated: usize,
    behind: usize,
    children: &[ServiceId],
) -> Diagnostic {
    let c = model.component(id);
    let share = dominated as f64 / behind as f64;
    finding(format!(
        "{:.0}% of the components the entries reach can only be reached through `{}` ({dominated} of {behind})",
        share * 100.0,
        c.id
    ))
    .with_label(c.span, format!("every path from the entries to {} passes here", name_behind(model, children, dominated)))
    .with_note("a choke point carries all traffic to what lies behind it: it limits throughput, its failure cuts the system in two, and changes to it are risky")
    .with_help(format!(
        "make sure `{}` is redundant and sized for the traffic; if the dependency structure is accidental, give the components behind it a second way in, or split it; or raise `min_share` for this check",
        c.id
    ))
    .with_subjects([c.id.clone()])
    .with_impact(dominated)
}

/// AM024.
pub(crate) struct ChokePoint;

/// The `min_share` parameter.
const MIN_SHARE: ShareParam = ShareParam {
    name: "min_share",
    default: 0.5,
    doc: "the share of reachable components (0 to 1) that must lie behind the component",
};

static META: RuleMeta = RuleMeta {
    code: "AM024",
    id: "choke-point",
    category: Category::Resilience,
    default_level: Level::Info,
    since: "0.1.0",
    summary: "a non-entry component through which at least `min_share` of what the entries reach must pass",
    facts: "`depends_on` (every dependency, whatever its mode) and `kind` (which components are entries)",
    docs: r"## What it flags
A component that is not an entry, through which at least `min_share` of the system must be
reached. Add a virtual root that depends on every entry (a frontend, gateway or user, or a
component nothing depends on) and follow every dependency, sync or async, required or
optional. Component X *dominates* Y when every path from the root to Y passes through X. Then

    share(X) = (components other than X that X dominates)
             / (non-entry components the root reaches, other than X)

and X is flagged when the share is at least `min_share` and X dominates at least one
component. The message states the share as a percentage. One dominator computation serves
all components, so the check is near-linear.

## Why it matters
Everything behind a choke point is reached only through it: it carries all of their traffic,
limits throughput, and when it fails the system is cut in two. Choke points are sometimes by
design (an internal gateway), but then they deserve the redundancy and capacity of one.

## Example
```yaml
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [bff] }
  bff: { depends_on: [orders, catalog] }
  orders: {}
  catalog: {}
```

## How to fix
Make the component redundant and size it for the traffic it carries. If the structure is
accidental, give the components behind it another way in, or split it by responsibility.
Raise `min_share` to flag only larger choke points, or add `allow: [choke-point]` to the
component.
",
    params: &[MIN_SHARE.meta()],
};

impl Rule for ChokePoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let min_share = cx.share(MIN_SHARE);
        let entry = metrics::entries(model);
        let dominance = Dominance::compute(&Adjacency::of(model, |_| true), &entry);
        let dominated = dominance.dominated(|_| true);
        let reachable = model
            .components()
            .filter(|c| dominance.reachable[c.index()] && !entry[c.index()])
            .count();
        for id in model.components() {
            let i = id.index();
            if entry[i] || !dominance.reachable[i] || dominated[i] == 0 {
                continue;
            }
            let behind = reachable - 1;
            if dominated[i] as f64 >= min_share * behind as f64 {
                cx.report(choke_point(model, id, dominated[i], behind, dominance.children(id)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn share_of_non_entry_components() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [bff, search] }
  bff: { depends_on: [orders] }
  orders: { depends_on: [db, { target: events, mode: async }] }
  db: { kind: database }
  events: { kind: topic }
  search: {}
";
        let found = run(&ChokePoint, yaml);
        // Non-entry, reachable: bff, orders, db, events, search (5).
        // bff dominates orders, db, events: 3 of 4. orders: db, events: 2 of 4.
        assert_eq!(subjects(&found), ["bff", "orders"]);
        assert_eq!(
            found[0].message,
            "75% of the components the entries reach can only be reached through `bff` (3 of 4)"
        );
        assert_eq!(
            found[1].message,
            "50% of the components the entries reach can only be reached through `orders` (2 of 4)"
        );
        let yaml = yaml.replace("name: T", "name: T\nrules:\n  choke-point: { min_share: 0.6 }");
        assert_eq!(subjects(&run(&ChokePoint, &yaml)), ["bff"]);
    }

    #[test]
    fn entries_and_components_with_a_second_way_in_are_not_choke_points() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [gw] }
  gw: { kind: gateway, depends_on: [a] }
  a: { depends_on: [b] }
  b: {}
  cron: { kind: job, depends_on: [{ target: b, optional: true }] }
";
        // gw is an entry, so is cron (nothing depends on it); b is reached from a and cron.
        assert!(run(&ChokePoint, yaml).is_empty());
    }
}
