//! AM022 single-point-of-failure.

use std::fmt::Write;

use petgraph::Direction;

use super::name_behind;
use crate::analysis::metrics::{self, Adjacency, Dominance};
use crate::analysis::rule::{Category, CountParam, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Model, ServiceId};
use crate::vocab::{Kind, Level};

/// Above this many components the exact blast radius is not computed (it is quadratic, if
/// bit-parallel); the check then counts up to the threshold and says "at least".
const EXACT_LIMIT: usize = 50_000;

/// What made a component a single point of failure.
struct Why {
    /// The blast radius, and whether it is exact (else a lower bound).
    radius: (usize, bool),
    /// The threshold, when the blast radius reached it.
    threshold: Option<usize>,
    /// The components it immediately dominates and how many it dominates in all, when it is
    /// a cut point between the entries and a non-passive component.
    cut: Option<(Vec<ServiceId>, usize)>,
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
        (_, 1) => "1 replica".to_string(),
        (_, n) => format!("{n} replicas"),
    };
    let mut reasons = Vec::new();
    if let Some(t) = why.threshold {
        reasons.push(format!("its blast radius is {radius} (threshold {t})"));
    }
    if let Some((_, all)) = &why.cut {
        reasons.push(format!(
            "every required sync path from the entries to {all} component{} passes through it",
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
        .with_help(if c.kind == Kind::External {
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
}

/// AM022.
pub(crate) struct SinglePointOfFailure;

/// The `min_blast_radius` parameter.
const MIN_BLAST_RADIUS: CountParam = CountParam {
    name: "min_blast_radius",
    default: 5,
    doc: "the smallest blast radius that makes a single-instance component a single point of failure",
};

static META: RuleMeta = RuleMeta {
    code: "AM022",
    id: "single-point-of-failure",
    category: Category::Resilience,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a component with fewer than 2 replicas whose failure takes down many others, or that all entries must pass through",
    docs: r"## What it flags
A component with `replicas` below 2, of any kind except `user` and `frontend`, when either:

- its *blast radius* is at least `min_blast_radius`. The blast radius is the number of other
  components with a path of required sync dependencies to it (dependencies that are neither
  `optional: true` nor async): they stop working when it fails. Or
- it is a *cut point between the entries and the components behind them*: add a virtual root
  that depends on every entry (a frontend, gateway or user, or a component nothing depends
  on); in the graph of required sync dependencies, every path from that root to some other,
  non-passive component passes through it (it *dominates* that component). Passive components
  (database, cache, queue, topic, storage) do not count here, so a service that merely fronts
  its own database is not flagged, while a gateway that all services hang behind is.
  Components that nothing depends on are not cut points either, except gateways: a worker or
  job that alone calls its own helpers takes nothing down but itself.

The message states the blast radius and which of the two criteria fired. External components
are included on purpose: one payment provider that checkout cannot work without is a real
single point of failure, even if its `replicas` is not yours to change.

## Why it matters
With one instance, a crash, a deploy or an overload of this component takes down everything
that calls it synchronously, directly or through others: one failure becomes an outage.

## Example
```yaml
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, depends_on: [orders, catalog] }
  orders: { replicas: 3 }
  catalog: { replicas: 3 }
```

## How to fix
Run the component redundantly (`replicas: 2` or more, behind a load balancer or with
failover), and say so in the manifest. Otherwise decouple its callers: call it asynchronously
through a queue or topic, or mark the dependency `optional: true` where the caller really
degrades gracefully. Raise `min_blast_radius` to flag only larger outages.
",
    params: &[MIN_BLAST_RADIUS.meta()],
};

impl Rule for SinglePointOfFailure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let min = usize::try_from(cx.count(MIN_BLAST_RADIUS)).unwrap_or(usize::MAX);
        let sync = Adjacency::sync_graph(model);
        let exact =
            (sync.len() <= EXACT_LIMIT).then(|| metrics::reach_counts(&sync, Direction::Incoming));
        let dominance = Dominance::compute(&sync, &metrics::entries(model));
        let active = dominance.dominated(|c| !model.component(c).kind.is_passive());
        let all = dominance.dominated(|_| true);
        for id in model.components() {
            let c = model.component(id);
            if c.replicas >= 2 || matches!(c.kind, Kind::User | Kind::Frontend) {
                continue;
            }
            let radius = if let Some(r) = &exact {
                (r[id.index()], true)
            } else {
                // Below the limit the bounded count is exact.
                let r = metrics::blast_radius_at_least(&sync, id, min);
                (r, r < min)
            };
            let why = Why {
                radius,
                threshold: (radius.0 >= min).then_some(min),
                // A component nothing depends on takes only itself down, except a gateway:
                // traffic from outside the model enters there.
                cut: (active[id.index()] > 0
                    && (c.kind == Kind::Gateway || metrics::fan_in(model, id) > 0))
                    .then(|| (dominance.children(id).to_vec(), all[id.index()])),
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
  gw: { kind: gateway, depends_on: [orders] }
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
  auth: {}
";
        let found = run(&SinglePointOfFailure, yaml);
        // a, b and e (through a): 3; c and d do not count. e is the only way into a, but
        // nothing depends on e.
        assert_eq!(subjects(&found), ["auth"]);
        assert_eq!(
            found[0].message,
            "`auth` (1 replica) is a single point of failure: its blast radius is 3 (threshold 3)"
        );
        let yaml = yaml.replace("auth: {}", "auth: { replicas: 2 }");
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
  api: { depends_on: [worker] }
  worker: {}
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
}
