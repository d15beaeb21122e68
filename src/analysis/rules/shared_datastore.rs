//! AM030 shared-datastore.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::{Kind, Level};

fn shared_datastore(
    model: &Model,
    store: ServiceId,
    users: &[ServiceId],
    owners: &[&str],
    groups: &[&str],
) -> Diagnostic {
    let s = model.component(store);
    // A store used across hundreds of teams names the first few: the message stays one line
    // (every user is still a subject and a label).
    let quote = |names: &[&str]| {
        let mut out: Vec<String> =
            names.iter().take(NAMES_SHOWN).map(|n| format!("`{n}`")).collect();
        if names.len() > NAMES_SHOWN {
            out.push(format!("and {} more", names.len() - NAMES_SHOWN));
        }
        out.join(", ")
    };
    let mut by = Vec::new();
    if owners.len() > 1 {
        by.push(format!("{} owners ({})", owners.len(), quote(owners)));
    }
    if groups.len() > 1 {
        by.push(format!("{} groups ({})", groups.len(), quote(groups)));
    }
    let mut d = finding(format!("{} `{}` is shared by components of {}", s.kind, s.id, by.join(" and ")))
        .with_label(s.span, format!("used by {} components", users.len()))
        .with_note("a datastore shared across team or domain boundaries couples its users through its schema: none can change it, scale it or move on its own, and one user's load or bad migration hurts them all")
        .with_help(format!(
            "give each owner its own datastore and share data through an API or events; if `{}` really is one team's, make that team the owner of all its users, or add `allow: [shared-datastore]` to it",
            s.id
        ))
        .with_subjects(std::iter::once(s.id.clone()).chain(users.iter().map(|&u| model.component(u).id.clone())));
    for &u in users {
        let e = model.edge(u, store).expect("users depend on the datastore");
        let c = model.component(u);
        let owner = model.owner(u).map_or_else(String::new, |o| format!("owner `{o}`"));
        let group = c.group.map_or_else(String::new, |g| format!("group `{}`", model.group(g).id));
        let about: Vec<String> = [owner, group].into_iter().filter(|x| !x.is_empty()).collect();
        let about =
            if about.is_empty() { String::new() } else { format!(" ({})", about.join(", ")) };
        d = d.with_label(model.graph[e].span, format!("used by `{}`{about}", c.id));
    }
    d
}

/// How many owners or groups the message names.
const NAMES_SHOWN: usize = 8;

/// AM030.
pub(crate) struct SharedDatastore;

static META: RuleMeta = RuleMeta {
    code: "AM030",
    id: "shared-datastore",
    category: Category::Design,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a database, cache or storage used by components of different owners or groups",
    facts: "`kind` (database, cache, storage), `depends_on`, and the users' `owner` and `group`: only owners and groups that are written count, so users with neither are never \"different\"",
    docs: r"## What it flags
A component of kind `database`, `cache` or `storage` whose direct dependents have more than
one distinct owner, or sit in more than one distinct group. The owner is the effective one
(the component's own `owner`, else the nearest enclosing group's); the group is the innermost
one. Unowned and ungrouped dependents are ignored, so a store used by one team's services and
an unowned script is not flagged. The finding lists the datastore, then its users, and labels
each user's dependency.

Queues and topics are meant to be shared and are not flagged.

## Why it matters
Database-per-service: a datastore shared across team or domain boundaries couples its users
through its schema. None of them can change the schema, scale or move the store on its own, and
one user's heavy query or bad migration hurts them all.

## Example
```yaml
version: 1
name: Shop
services:
  orders: { owner: team-orders, depends_on: [db] }
  billing: { owner: team-billing, depends_on: [db] }
  db: { kind: database, owner: team-orders }
```

## How to fix
Give each owner its own datastore and share data through an API or events. If the store
really belongs to one team, make the ownership match; to accept a shared store, add
`allow: [shared-datastore]` to it.
",
    params: &[],
};

impl Rule for SharedDatastore {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for id in model.components() {
            if !matches!(model.component(id).kind, Kind::Database | Kind::Cache | Kind::Storage) {
                continue;
            }
            let mut users: Vec<ServiceId> =
                model.graph.neighbors_directed(id, petgraph::Direction::Incoming).collect();
            users.sort_unstable();
            let mut owners: Vec<&str> = Vec::new();
            let mut groups: Vec<&str> = Vec::new();
            for &u in &users {
                if let Some(o) = model.owner(u)
                    && !owners.contains(&o)
                {
                    owners.push(o);
                }
                if let Some(g) = model.component(u).group {
                    let g = model.group(g).id.as_str();
                    if !groups.contains(&g) {
                        groups.push(g);
                    }
                }
            }
            if owners.len() > 1 || groups.len() > 1 {
                cx.report(shared_datastore(model, id, &users, &owners, &groups));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    use crate::analysis::testing::{run, subjects};

    #[test]
    fn a_store_of_many_owners_names_the_first_few_and_keeps_every_user() {
        let mut yaml = String::from("version: 1\nname: T\nservices:\n  db: { kind: database }\n");
        for i in 0..12 {
            let _ = writeln!(yaml, "  s{i}: {{ owner: team-{i}, depends_on: [db] }}");
        }
        let found = run(&SharedDatastore, &yaml);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.ends_with("12 owners (`team-0`, `team-1`, `team-2`, `team-3`, `team-4`, `team-5`, `team-6`, `team-7`, and 4 more)"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].subjects.len(), 13, "the store and every user");
        assert_eq!(found[0].labels.len(), 13, "the store and every use");
    }

    #[test]
    fn inherited_owners_count_and_unowned_users_do_not() {
        let yaml = r"
version: 1
name: T
groups:
  shop: { owner: team-shop }
services:
  orders: { group: shop, depends_on: [db] }
  billing: { owner: team-billing, group: shop, depends_on: [db] }
  script: { depends_on: [db] }
  db: { kind: database }
";
        let found = run(&SharedDatastore, yaml);
        assert_eq!(subjects(&found), ["db orders billing script"]);
        assert_eq!(
            found[0].message,
            "database `db` is shared by components of 2 owners (`team-shop`, `team-billing`)"
        );
        assert_eq!(found[0].labels.len(), 4);
        assert_eq!(found[0].labels[1].text, "used by `orders` (owner `team-shop`, group `shop`)");
        assert_eq!(found[0].labels[3].text, "used by `script`");
    }

    #[test]
    fn innermost_groups_differ_even_under_one_parent() {
        let yaml = r"
version: 1
name: T
groups:
  commerce: {}
  cart: { parent: commerce }
  checkout: { parent: commerce }
services:
  a: { group: cart, depends_on: [cache] }
  b: { group: checkout, depends_on: [cache] }
  cache: { kind: cache, group: commerce }
";
        let found = run(&SharedDatastore, yaml);
        assert_eq!(
            found[0].message,
            "cache `cache` is shared by components of 2 groups (`cart`, `checkout`)"
        );
    }

    #[test]
    fn one_owner_or_one_group_or_a_queue_is_fine() {
        let yaml = r"
version: 1
name: T
services:
  a: { owner: x, depends_on: [db, q] }
  b: { owner: x, depends_on: [db, q] }
  c: { owner: y, depends_on: [q] }
  u: { depends_on: [db] }
  db: { kind: database }
  q: { kind: queue }
";
        assert!(run(&SharedDatastore, yaml).is_empty());
    }
}
