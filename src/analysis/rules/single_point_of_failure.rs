//! AM022 single-point-of-failure.

use std::fmt::Write;

use petgraph::Direction;

use super::name_behind;
use crate::analysis::metrics::{self, Adjacency, Dominance};
use crate::analysis::rule::{
    Category, CountParam, Rule, RuleContext, RuleMeta, ShareParam, finding,
};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::{Kind, Level};

/// Above this many components (the default `--max-components`) the exact blast radius is not
/// computed (it is quadratic, if bit-parallel: about a second at 100,000 components); the
/// check then counts up to the threshold and says "at least".
const EXACT_LIMIT: usize = 100_000;

/// What made a component a single point of failure.
struct Why {
    /// The blast radius, and whether it is exact (else a lower bound).
    radius: (usize, bool),
    /// The threshold, when the blast radius reached it.
    threshold: Option<usize>,
    /// The components it immediately dominates and how many it dominates in all, when it is
    /// a cut point between the entries and a non-passive component.
    cut: Option<(Vec<ServiceId>, usize)>,
    /// Whether its `replicas` is written (or it is external); else only a large share of the
    /// system counts, and `share` is the share (0 to 1) that made it one.
    declared: bool,
    /// For an undeclared component: the share of the system the threshold stands for.
    share: Option<f64>,
    /// For an undeclared cut point: the share of what the entries reach that lies behind it.
    cut_share: Option<f64>,
}

fn single_point_of_failure(model: &Model, id: ServiceId, why: &Why) -> Diagnostic {
    let c = model.component(id);
    let radius = match why.radius {
        (r, true) => format!("{r}"),
        (r, false) => format!("at least {r}"),
    };
    // Replicas of a third party are not the model's to count.
    let what = match (c.kind, c.replicas) {
        (Kind::External, _) => "external".to_string(),
        _ if !why.declared => "replicas not declared".to_string(),
        (_, 1) => "1 replica".to_string(),
        (_, n) => format!("{n} replicas"),
    };
    let mut reasons = Vec::new();
    if let Some(t) = why.threshold {
        match why.share {
            Some(share) => reasons.push(format!(
                "its blast radius is {radius} (threshold {t}, {:.0}% of the other components)",
                share * 100.0
            )),
            None => reasons.push(format!("its blast radius is {radius} (threshold {t})")),
        }
    }
    if let Some((_, all)) = &why.cut {
        let share = why
            .cut_share
            .map(|x| format!(" ({:.0}% of what the entries reach)", x * 100.0))
            .unwrap_or_default();
        reasons.push(format!(
            "every required sync path from the entries to {all} component{}{share} passes through it",
            if *all == 1 { "" } else { "s" }
        ));
    }
    let mut message =
        format!("`{}` ({what}) is a single point of failure: {}", c.id, reasons.join(", and "));
    if why.threshold.is_none() {
        let _ = write!(message, " (blast radius {radius})");
    }
    let label = match &why.cut {
        Some((children, all)) => {
            format!("the only way to reach {}", name_behind(model, children, *all))
        }
        None => format!("{radius} components stop working when it fails"),
    };
    finding(message)
        .with_label(c.span, label)
        .with_note("with one instance, a crash, deploy or overload of this component takes down everything that calls it synchronously, directly or through others")
        .with_help(if !why.declared {
            format!(
                "if `{}` runs more than one instance, say so (`replicas: 2` or more) and this finding goes away; otherwise run it redundantly, or decouple its callers: call it asynchronously, or mark the dependency `optional: true` where callers degrade gracefully",
                c.id
            )
        } else if c.kind == Kind::External {
            format!(
                "plan for `{}` failing: a second provider or a failover, a circuit breaker with a fallback, or calls through a queue; mark dependencies `optional: true` where callers degrade gracefully",
                c.id
            )
        } else {
            format!(
                "run `{}` redundantly (`replicas: 2` or more, behind a load balancer or with failover), or decouple its callers: call it asynchronously, or mark the dependency `optional: true` where callers degrade gracefully",
                c.id
            )
        })
        .with_subjects([c.id.clone()])
        .with_impact(why.radius.0.max(why.cut.as_ref().map_or(0, |(_, all)| *all)))
}

/// AM022.
pub(crate) struct SinglePointOfFailure;

/// The `min_blast_radius` parameter.
const MIN_BLAST_RADIUS: CountParam = CountParam {
    name: "min_blast_radius",
    default: 5,
    doc: "the smallest blast radius that makes a single-instance component (`replicas: 1` written, or external) a single point of failure",
};

/// The `min_share` parameter.
const MIN_SHARE: ShareParam = ShareParam {
    name: "min_share",
    default: 0.5,
    doc: "for a component whose `replicas` is not written: the share of the other components (0 to 1) its failure must take down, or of what the entries reach that must lie behind it",
};

static META: RuleMeta = RuleMeta {
    code: "AM022",
    id: "single-point-of-failure",
    category: Category::Resilience,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a single-instance component whose failure takes down many others, or that the entries must pass through; without `replicas` written, only one that a large share of the system depends on",
    facts: "`depends_on` with its mode and `optional` (failures travel along required sync dependencies), `kind` (entries, passive and external components) and `replicas`; a `replicas` not written is unknown, not 1, so only a component a large share of the system depends on is flagged",
    docs: r"## What it flags
A component, of any kind except `user` and `frontend`, that is not declared redundant
(`replicas` 2 or more) and whose failure takes down much of the system. The *blast radius* of a
component is the number of other components with a path of required sync dependencies to it
(dependencies that are neither `optional: true` nor async): they stop working when it fails.
A *cut point* is a component that, in the graph of required sync dependencies, lies on every
path from the entries (a frontend, gateway or user, or a component nothing depends on) to some
other component: it *dominates* that component. Passive components (database, cache, queue,
topic, storage) do not count as lying behind a cut point, so a service that merely fronts its
own database is not one; components nothing depends on are not cut points, except gateways.

What is flagged depends on what the manifest says about the component's replicas:

- **`replicas: 1` written, or kind `external`**: flagged when its blast radius is at least
  `min_blast_radius`, or when it is a cut point. An external system counts as one instance
  whatever it runs inside: its outage is one outage for you (write `replicas: 2` on it when
  you have a second provider or a failover).
- **`replicas` not written**: archmap does not read the default 1 as a fact; nobody said the
  component runs once. It is flagged only when it is a single point of failure by the shape of
  the system alone: its blast radius is at least `min_share` of the other components (and at
  least `min_blast_radius`), or at least `min_share` of the components the entries reach lie
  behind it as a cut point (what every entry must pass through). With the defaults, that is a
  component half the system stops without.

The message states the blast radius, which criterion fired, and whether `replicas` was
written.

## Why it matters
With one instance, a crash, a deploy or an overload of this component takes down everything
that calls it synchronously, directly or through others: one failure becomes an outage.

## Example
```yaml
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, replicas: 1, depends_on: [orders, catalog] }
  orders: { replicas: 3 }
  catalog: { replicas: 3 }
```

## How to fix
Run the component redundantly (`replicas: 2` or more, behind a load balancer or with
failover), and say so in the manifest. Otherwise decouple its callers: call it asynchronously
through a queue or topic, or mark the dependency `optional: true` where the caller really
degrades gracefully. Raise `min_blast_radius` or `min_share` to flag only larger outages.
",
    params: &[MIN_BLAST_RADIUS.meta(), MIN_SHARE.meta()],
};

impl Rule for SinglePointOfFailure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let min = usize::try_from(cx.count(MIN_BLAST_RADIUS)).unwrap_or(usize::MAX);
        let min_share = cx.share(MIN_SHARE);
        let sync = Adjacency::sync_graph(model);
        let n = sync.len();
        // An undeclared component must take down this many others: `min_share` of them, and
        // never fewer than `min_blast_radius`.
        let large = min.max((min_share * n.saturating_sub(1) as f64).ceil() as usize);
        let exact = (n <= EXACT_LIMIT).then(|| metrics::reach_counts(&sync, Direction::Incoming));
        let entry = metrics::entries(model);
        let dominance = Dominance::compute(&sync, &entry);
        let active = dominance.dominated(|c| !model.component(c).kind.is_passive());
        let all = dominance.dominated(|_| true);
        let reached = model
            .components()
            .filter(|c| dominance.reachable[c.index()] && !entry[c.index()])
            .count();
        for id in model.components() {
            let c = model.component(id);
            if c.replicas >= 2 || matches!(c.kind, Kind::User | Kind::Frontend) {
                continue;
            }
            let declared = c.replicas_declared || c.kind == Kind::External;
            let threshold = if declared { min } else { large };
            let radius = if let Some(r) = &exact {
                (r[id.index()], true)
            } else {
                // Below the limit the bounded count is exact.
                let r = metrics::blast_radius_at_least(&sync, id, threshold);
                (r, r < threshold)
            };
            // A component nothing depends on takes only itself down, except a gateway:
            // traffic from outside the model enters there.
            let cut_point = active[id.index()] > 0
                && (c.kind == Kind::Gateway || metrics::fan_in(model, id) > 0);
            // Undeclared: only a cut point with a large share of the system behind it.
            // What the entries reach, other than the component itself.
            let counted = dominance.reachable[id.index()] && !entry[id.index()];
            let behind = (reached - usize::from(counted)).max(1);
            let cut_share = all[id.index()] as f64 / behind as f64;
            let cut_point = cut_point && (declared || cut_share >= min_share);
            let why = Why {
                radius,
                threshold: (radius.0 >= threshold).then_some(threshold),
                cut: cut_point.then(|| (dominance.children(id).to_vec(), all[id.index()])),
                declared,
                share: (!declared && large > min).then_some(min_share),
                cut_share: (!declared).then_some(cut_share),
            };
            if why.threshold.is_some() || why.cut.is_some() {
                cx.report(single_point_of_failure(model, id, &why));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    #[test]
    fn a_gateway_everything_hangs_behind_is_a_cut_point() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [gw] }
  gw: { kind: gateway, replicas: 1, depends_on: [orders] }
  orders: { replicas: 2, depends_on: [db] }
  db: { kind: database }
";
        let found = run(&SinglePointOfFailure, yaml);
        // orders fronts only its own database: not flagged (and it has 2 replicas anyway).
        assert_eq!(subjects(&found), ["gw"]);
        assert_eq!(
            found[0].message,
            "`gw` (1 replica) is a single point of failure: every required sync path from the entries to 2 components passes through it (blast radius 1)"
        );
        assert_eq!(found[0].labels[0].text, "the only way to reach `orders` and 1 more behind it");
    }

    #[test]
    fn a_service_fronting_only_its_own_database_is_not_flagged() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [orders] }
  orders: { depends_on: [db, cache] }
  db: { kind: database }
  cache: { kind: cache }
";
        assert!(run(&SinglePointOfFailure, yaml).is_empty());
    }

    #[test]
    fn blast_radius_counts_only_required_sync_paths() {
        let yaml = r"
version: 1
name: T
rules:
  single-point-of-failure: { min_blast_radius: 3 }
services:
  a: { depends_on: [auth] }
  b: { depends_on: [auth] }
  c: { depends_on: [{ target: auth, optional: true }] }
  d: { depends_on: [{ target: auth, mode: async }] }
  e: { depends_on: [a] }
  auth: { replicas: 1 }
";
        let found = run(&SinglePointOfFailure, yaml);
        // a, b and e (through a): 3; c and d do not count. e is the only way into a, but
        // nothing depends on e.
        assert_eq!(subjects(&found), ["auth"]);
        assert_eq!(
            found[0].message,
            "`auth` (1 replica) is a single point of failure: its blast radius is 3 (threshold 3)"
        );
        let yaml = yaml.replace("auth: { replicas: 1 }", "auth: { replicas: 2 }");
        assert!(run(&SinglePointOfFailure, &yaml).is_empty());
    }

    #[test]
    fn both_criteria_and_frontends_and_users_are_skipped() {
        let yaml = r"
version: 1
name: T
rules:
  single-point-of-failure: { min_blast_radius: 2 }
services:
  user: { kind: user, depends_on: [web] }
  web: { kind: frontend, depends_on: [api] }
  api: { replicas: 1, depends_on: [worker] }
  worker: { replicas: 1 }
";
        let found = run(&SinglePointOfFailure, yaml);
        // user and web dominate everything behind them but are never flagged; api dominates
        // worker and has blast radius 2; worker has blast radius 3 but dominates nothing.
        assert_eq!(subjects(&found), ["api", "worker"]);
        assert_eq!(
            found[0].message,
            "`api` (1 replica) is a single point of failure: its blast radius is 2 (threshold 2), and every required sync path from the entries to 1 component passes through it"
        );
    }

    #[test]
    fn two_entries_with_separate_paths_make_no_cut_point() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [gw1, gw2] }
  app: { kind: frontend, depends_on: [gw2] }
  gw1: { kind: gateway, depends_on: [orders] }
  gw2: { kind: gateway, depends_on: [orders] }
  orders: { replicas: 2 }
";
        assert!(run(&SinglePointOfFailure, yaml).is_empty());
    }

    #[test]
    fn undeclared_replicas_count_only_when_a_large_share_depends_on_it() {
        // Ten services; `auth` is called by five of them (blast radius 5 of 11 others), `db` by
        // every service through `core` (blast radius 10), and `core` is what every entry
        // passes through to reach `db`.
        let yaml = r"
version: 1
name: T
services:
  s1: { depends_on: [auth, core] }
  s2: { depends_on: [auth, core] }
  s3: { depends_on: [auth, core] }
  s4: { depends_on: [auth, core] }
  s5: { depends_on: [auth, core] }
  s6: { depends_on: [core] }
  s7: { depends_on: [core] }
  s8: { depends_on: [core] }
  s9: { depends_on: [core] }
  s10: { depends_on: [core] }
  core: { depends_on: [db] }
  db: { kind: database }
  auth: {}
";
        let found = run(&SinglePointOfFailure, yaml);
        // Threshold: half of the 12 others, 6. auth (5) is not flagged; core (11) and db (11)
        // are.
        assert_eq!(subjects(&found), ["core", "db"]);
        assert_eq!(
            found[1].message,
            "`db` (replicas not declared) is a single point of failure: its blast radius is 11 (threshold 6, 50% of the other components)"
        );
        assert!(
            found[1]
                .help
                .as_deref()
                .unwrap()
                .starts_with("if `db` runs more than one instance, say so")
        );
        // The same component with `replicas: 1` written is judged by `min_blast_radius`.
        let declared = yaml.replace("  auth: {}", "  auth: { replicas: 1 }");
        assert_eq!(subjects(&run(&SinglePointOfFailure, &declared)), ["core", "db", "auth"]);
        // A lower share flags it undeclared too.
        let lower = yaml
            .replace("name: T", "name: T\nrules:\n  single-point-of-failure: { min_share: 0.4 }");
        assert_eq!(subjects(&run(&SinglePointOfFailure, &lower)), ["core", "db", "auth"]);
    }

    #[test]
    fn an_undeclared_cut_point_needs_a_large_share_behind_it() {
        let yaml = r"
version: 1
name: T
services:
  web: { kind: frontend, depends_on: [gw, search] }
  gw: { kind: gateway, depends_on: [orders, catalog, users] }
  orders: {}
  catalog: {}
  users: {}
  search: { depends_on: [index] }
  index: {}
";
        // gw (an entry) has 3 of the 5 components the entries reach behind it (60%);
        // search has 1 (25%): only gw.
        let found = run(&SinglePointOfFailure, yaml);
        assert_eq!(subjects(&found), ["gw"]);
        assert_eq!(
            found[0].message,
            "`gw` (replicas not declared) is a single point of failure: every required sync path from the entries to 3 components (60% of what the entries reach) passes through it (blast radius 1)"
        );
    }
}
