//! AM034 cross-group-coupling.

use petgraph::visit::EdgeRef;

use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{GroupId, Model};
use crate::vocab::Level;

fn cross_group_coupling(model: &Model, group: GroupId, others: &[GroupId], max: u64) -> Diagnostic {
    let g = model.group(group);
    let names: Vec<String> = others.iter().map(|&o| format!("`{}`", model.group(o).id)).collect();
    finding(format!("the components of group `{}` depend on {} other groups (more than {max})", g.id, others.len()))
        .with_label(g.span, format!("depends on {}", names.join(", ")))
        .with_note("a boundary whose members reach into many other boundaries does not encapsulate much: changes ripple across teams or domains, and the group cannot be understood, tested or deployed on its own")
        .with_help(format!(
            "check whether the group `{}` is drawn right: move components to where their dependencies live, merge closely coupled groups, or depend on fewer groups through a facade or events; or raise `max` for this check",
            g.id
        ))
        .with_subjects([g.id.clone()])
}

/// AM034.
pub(crate) struct CrossGroupCoupling;

/// The `max` parameter.
const MAX: CountParam =
    CountParam { name: "max", default: 3, doc: "the most other groups a group may depend on" };

static META: RuleMeta = RuleMeta {
    code: "AM034",
    id: "cross-group-coupling",
    category: Category::Design,
    default_level: Level::Info,
    since: "0.1.0",
    summary: "a group whose components depend on components in more than `max` other groups",
    facts: "`group` and `depends_on`; components without a group are not counted",
    docs: r"## What it flags
A group whose components, including those of its nested groups, depend directly on
components in more than `max` other groups. Each target counts with its innermost group,
and only when that group lies outside the group's own subtree: dependencies between a group's
own children are internal to it, and ungrouped targets are not counted. The finding sits on
the group's id and names the groups it depends on.

## Why it matters
Groups draw boundaries: domains, bounded contexts, teams. A group that reaches into many
others encapsulates little. Changes ripple across the boundaries, ownership blurs, and the
group cannot be understood, tested or deployed on its own.

## Example
With `max: 1`:

```yaml
version: 1
name: Shop
rules:
  cross-group-coupling: { max: 1 }
groups:
  checkout: {}
  catalog: {}
  billing: {}
services:
  cart: { group: checkout, depends_on: [products, invoices] }
  products: { group: catalog }
  invoices: { group: billing }
```

## How to fix
Check the boundary: move components to the group their dependencies live in, merge groups
that always change together, or let the group talk to fewer others through a facade or
events. Raise `max` where a wide reach is by design (an edge or integration layer).
",
    params: &[MAX.meta()],
};

impl Rule for CrossGroupCoupling {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let max = cx.count(MAX);
        let chains: Vec<Vec<GroupId>> =
            (0..model.groups.len()).map(|g| model.group_chain(GroupId(g))).collect();
        let mut reaches: Vec<Vec<GroupId>> = vec![Vec::new(); model.groups.len()];
        for e in model.graph.edge_references() {
            let (Some(from), Some(to)) =
                (model.component(e.source()).group, model.component(e.target()).group)
            else {
                continue;
            };
            // Every group holding the source reaches the target's group, unless it holds it too.
            for &holder in &chains[from.0] {
                if !chains[to.0].contains(&holder) {
                    reaches[holder.0].push(to);
                }
            }
        }
        for (g, mut others) in reaches.into_iter().enumerate() {
            others.sort_unstable();
            others.dedup();
            if others.len() as u64 > max {
                cx.report(cross_group_coupling(model, GroupId(g), &others, max));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    const NESTED: &str = r"
version: 1
name: T
rules:
  cross-group-coupling: { max: 1 }
groups:
  commerce: {}
  cart: { parent: commerce }
  checkout: { parent: commerce }
  catalog: {}
  billing: {}
services:
  basket: { group: cart, depends_on: [pay, products] }
  pay: { group: checkout, depends_on: [invoices, products, loose] }
  products: { group: catalog }
  invoices: { group: billing }
  loose: {}
";

    #[test]
    fn nested_groups_count_for_their_parents_but_internal_edges_do_not() {
        let found = run(&CrossGroupCoupling, NESTED);
        // commerce: catalog, billing (cart -> checkout is internal). cart: checkout, catalog.
        // checkout: billing, catalog. The ungrouped `loose` never counts.
        assert_eq!(subjects(&found), ["commerce", "cart", "checkout"]);
        assert_eq!(
            found[0].message,
            "the components of group `commerce` depend on 2 other groups (more than 1)"
        );
        assert_eq!(found[1].labels[0].text, "depends on `checkout`, `catalog`");
    }

    #[test]
    fn default_max_is_three() {
        assert!(run(&CrossGroupCoupling, &NESTED.replace("{ max: 1 }", "info")).is_empty());
    }
}
