//! AM032 layer-violation.

use crate::analysis::rule::{Category, ForbiddenParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::manifest::Selector;
use crate::model::select::SelectorSet;
use crate::model::{Dependency, Model, ServiceId};
use crate::source::Spanned;
use crate::vocab::{Kind, Level};

const HELP: &str = "call a service that owns the data instead (a backend or backend-for-frontend), or, if this edge is intended, change the `forbidden` list of this check or add `allow: [layer-violation]` to the caller";

fn default_violation(
    model: &Model,
    from: ServiceId,
    to: ServiceId,
    dep: &Dependency,
) -> Diagnostic {
    let (a, b) = (model.component(from), model.component(to));
    finding(format!("{} `{}` depends directly on {} `{}`", a.kind, a.id, b.kind, b.id))
        .with_label(dep.span, format!("{} straight to {}", a.kind, b.kind))
        .with_note("clients and users should reach data through a service that owns it: a direct connection bypasses authorisation and validation, exposes credentials, and ties the client to the schema")
        .with_help(HELP)
        .with_subjects([a.id.clone(), b.id.clone()])
}

fn configured_violation(
    model: &Model,
    from: ServiceId,
    to: ServiceId,
    dep: &Dependency,
    rule: &(Spanned<Selector>, Spanned<Selector>),
) -> Diagnostic {
    let (a, b) = (model.component(from), model.component(to));
    finding(format!(
        "`{}` depends directly on `{}`, which is forbidden (from `{}` to `{}`)",
        a.id, b.id, rule.0.value, rule.1.value
    ))
    .with_label(dep.span, "forbidden dependency")
    .with_label(rule.0.span, "forbidden by this entry")
    .with_note("the manifest's `forbidden` list says which layers or boundaries may not be crossed directly")
    .with_help(HELP)
    .with_subjects([a.id.clone(), b.id.clone()])
}

/// AM032.
pub(crate) struct LayerViolation;

/// The `forbidden` parameter.
const FORBIDDEN: ForbiddenParam = ForbiddenParam {
    name: "forbidden",
    default: "frontend or user to database, cache or storage",
    doc: "a list of `{from: SELECTOR, to: SELECTOR}` pairs of forbidden direct dependencies",
};

static META: RuleMeta = RuleMeta {
    code: "AM032",
    id: "layer-violation",
    category: Category::Design,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a forbidden direct dependency; by default a frontend or user straight to a database, cache or storage",
    facts: "`kind` and `depends_on` (or what the `forbidden` selectors name)",
    docs: r#"## What it flags
A direct dependency that crosses a forbidden boundary; the dependency is labelled where it is
written. By default a component of kind `frontend` or `user` may not depend directly on one of
kind `database`, `cache` or `storage`. The parameter `forbidden` replaces that default with
your own list of `{from: SELECTOR, to: SELECTOR}` pairs (selectors as in views: an id,
`group:ID`, `tag:TAG`, `kind:KIND` or `*`); a dependency is flagged when its source matches a
pair's `from` and its target the same pair's `to`. One finding per dependency, naming the
first pair that forbids it.

## Why it matters
Layers and boundaries only help if they hold. A client talking straight to a database
bypasses the service that validates, authorises and owns the data, and ties the client to the
schema; a forbidden edge between domains erodes the boundary the groups draw.

## Example
```yaml
version: 1
name: Shop
services:
  web:
    kind: frontend
    depends_on: [db]
  db: { kind: database }
```

Your own layers:

```yaml
rules:
  layer-violation:
    forbidden:
      - { from: "group:storefront", to: "kind:database" }
      - { from: "tag:public", to: "group:internal" }
```

## How to fix
Route the call through a service that owns the data or the boundary (a backend or
backend-for-frontend). If the edge is intended, adjust `forbidden`, or add
`allow: [layer-violation]` to the caller.
"#,
    params: &[FORBIDDEN.meta()],
};

impl Rule for LayerViolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let forbidden = cx.forbidden(FORBIDDEN);
        // Each selector compiled once: a `group:` selector is a flag lookup up the chain, not a
        // search for the group on every dependency.
        let compiled: Vec<_> = forbidden
            .into_iter()
            .flatten()
            .map(|(f, t)| {
                (
                    SelectorSet::new(model, std::slice::from_ref(f)),
                    SelectorSet::new(model, std::slice::from_ref(t)),
                )
            })
            .collect();
        for from in model.components() {
            for (to, dep) in model.dependencies(from) {
                if let Some(pairs) = forbidden {
                    let rule = pairs.iter().zip(&compiled).find_map(|(pair, (f, t))| {
                        (f.matches(model, from) && t.matches(model, to)).then_some(pair)
                    });
                    if let Some(rule) = rule {
                        cx.report(configured_violation(model, from, to, dep, rule));
                    }
                } else {
                    let client = matches!(model.component(from).kind, Kind::Frontend | Kind::User);
                    let store = matches!(
                        model.component(to).kind,
                        Kind::Database | Kind::Cache | Kind::Storage
                    );
                    if client && store {
                        cx.report(default_violation(model, from, to, dep));
                    }
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
    fn default_pairs() {
        let yaml = r"
version: 1
name: T
services:
  person: { kind: user, depends_on: [blobs, web] }
  web: { kind: frontend, depends_on: [cache, api, { target: q, mode: async }] }
  api: { depends_on: [db] }
  db: { kind: database }
  cache: { kind: cache }
  blobs: { kind: storage }
  q: { kind: queue }
";
        let found = run(&LayerViolation, yaml);
        assert_eq!(subjects(&found), ["person blobs", "web cache"]);
        assert_eq!(found[1].message, "frontend `web` depends directly on cache `cache`");
    }

    #[test]
    fn a_configured_list_replaces_the_default() {
        let yaml = r#"
version: 1
name: T
groups:
  edge: {}
  core: {}
rules:
  layer-violation:
    forbidden:
      - { from: "group:edge", to: "tag:internal" }
      - { from: "*", to: "legacy" }
services:
  web: { kind: frontend, group: edge, depends_on: [db, ledger] }
  ledger: { group: core, tags: [internal], depends_on: [legacy] }
  legacy: {}
  db: { kind: database }
"#;
        let found = run(&LayerViolation, yaml);
        assert_eq!(subjects(&found), ["web ledger", "ledger legacy"]);
        assert_eq!(
            found[0].message,
            "`web` depends directly on `ledger`, which is forbidden (from `group:edge` to `tag:internal`)"
        );
        assert_eq!(found[0].labels.len(), 2);
    }
}
