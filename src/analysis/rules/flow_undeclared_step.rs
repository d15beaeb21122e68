//! AM050 flow-undeclared-step.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Flow, Message, Model, Route};
use crate::vocab::Level;

/// The most dependencies of a sender the help line looks through.
const MAX_LOOKED_AT: usize = 1_000;

fn flow_undeclared_step(model: &Model, degree: &[usize], flow: &Flow, m: &Message) -> Diagnostic {
    let from = &model.component(m.from).id;
    let to = &model.component(m.to).id;
    // The suggestions look through the sender's dependencies when it has a readable number
    // of them: the work stays bounded on a hub with 100,000.
    let readable = degree[m.from.index()] <= MAX_LOOKED_AT;
    let deps: Vec<&str> = if readable {
        model.dependencies(m.from).map(|(t, _)| model.component(t).id.as_str()).collect()
    } else {
        Vec::new()
    };
    let via: Vec<&str> = if readable {
        model
            .dependencies(m.from)
            .filter(|(x, _)| degree[x.index()] <= MAX_LOOKED_AT)
            .filter(|(x, _)| model.edge(*x, m.to).is_some())
            .map(|(x, _)| model.component(x).id.as_str())
            .collect()
    } else {
        Vec::new()
    };
    let help = if degree[m.to.index()] <= MAX_LOOKED_AT && model.edge(m.to, m.from).is_some() {
        format!(
            "`{to}` depends on `{from}`, not the other way round: swap `from` and `to`, or declare the dependency `{from} -> {to}`"
        )
    } else if let Some(close) = did_you_mean(to, deps.iter().copied()) {
        format!("did you mean `to: {close}`? `{from}` depends on `{close}`")
    } else if let Some(x) = via.first() {
        format!(
            "`{from}` reaches `{to}` through `{x}`: split the step into `{from} -> {x}` and `{x} -> {to}`, or add `{to}` to the `depends_on` of `{from}`"
        )
    } else {
        format!(
            "add `{to}` to the `depends_on` of `{from}`, or send the step through the components that do connect them"
        )
    };
    finding(format!(
        "flow `{}` step {}: `{from}` sends to `{to}`, but no dependency joins them",
        flow.id, m.number
    ))
    .with_label(m.to_span, format!("`{from}` does not depend on `{to}`"))
    .with_label(m.from_span, "the sender")
    .with_note("a flow documents a journey the declared architecture must allow: a step without a dependency is either a missing dependency (the graph, its checks and its diagrams are wrong) or a journey that cannot happen")
    .with_help(help)
    .with_subjects([flow.id.clone(), from.clone(), to.clone()])
}

/// AM050.
pub(crate) struct FlowUndeclaredStep;

static META: RuleMeta = RuleMeta {
    code: "AM050",
    id: "flow-undeclared-step",
    category: Category::Flows,
    default_level: Level::Error,
    since: "0.1.0",
    summary: "a flow step between two components that no dependency joins",
    facts: "each flow step's `from` and `to`, and `depends_on`; a step from a queue or topic to a component that depends on it is a delivery and is allowed",
    docs: r"## What it flags
A step of a flow (`from: A, to: B`) where `A` does not depend on `B`. Two cases need no
dependency `A -> B`: a queue or topic handing a message to a consumer that depends on it (a
*delivery*: `from: order-events, to: fulfilment` when `fulfilment` depends on `order-events`),
and a step from a component to itself (internal work). The help line says what was probably
meant: the dependency written the other way round, a dependency of `A` with a similar name, or
a component between the two that both ends are joined to.

## Why it matters
A flow is a journey the architecture must allow. A step with no dependency behind it means the
manifest is missing a dependency (so the diagram, the cycle checks and the blast radius are
wrong), or the documented journey cannot happen as written.

## Example
```yaml
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, depends_on: [orders] }
  orders: {}
flows:
  checkout:
    steps:
      - { from: web, to: orders, label: POST /orders }
```

## How to fix
Declare the dependency (`depends_on` of the sender), fix the step's ends, or split the step
through the component that carries it (`web -> gateway`, `gateway -> orders`).
",
    params: &[],
};

impl Rule for FlowUndeclaredStep {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        if model.flows().is_empty() {
            return;
        }
        // Each component's number of dependencies, counted once.
        let mut degree = vec![0usize; model.component_count()];
        for e in model.graph.edge_indices() {
            if let Some((a, _)) = model.graph.edge_endpoints(e) {
                degree[a.index()] += 1;
            }
        }
        for flow in model.flows() {
            for m in flow.messages() {
                if m.route == Route::Undeclared {
                    cx.report(flow_undeclared_step(model, &degree, flow, m));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::run;

    const BASE: &str = r"
version: 1
name: T
services:
  web: { depends_on: [gateway] }
  gateway: { depends_on: [orders, payments] }
  orders: {}
  payments: {}
  bus: { kind: topic }
  worker: { depends_on: [bus] }
flows:
  f:
    steps:
";

    fn help(step: &str) -> Vec<String> {
        let found = run(&FlowUndeclaredStep, &format!("{BASE}      - {step}\n"));
        found.iter().map(|d| d.help.clone().unwrap_or_default()).collect()
    }

    #[test]
    fn declared_deliveries_and_internal_steps_pass() {
        for step in [
            "{ from: web, to: gateway }",
            "{ from: bus, to: worker }",
            "{ from: orders, to: orders }",
        ] {
            assert!(help(step).is_empty(), "{step}");
        }
    }

    #[test]
    fn the_help_says_what_was_meant() {
        assert!(help("{ from: gateway, to: web }")[0].contains("swap `from` and `to`"));
        assert!(help("{ from: web, to: orders }")[0].contains("through `gateway`"));
        assert!(help("{ from: worker, to: orders }")[0].contains("add `orders`"));
        // A consumer does not deliver to its topic's other consumers.
        assert_eq!(help("{ from: worker, to: bus }").len(), 0);
        assert_eq!(help("{ from: orders, to: bus }").len(), 1);
    }
}
