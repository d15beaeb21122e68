//! AM056 flow-coverage.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::vocab::Level;

fn flow_coverage(model: &Model, from: &str, to: &str, span: crate::source::Span) -> Diagnostic {
    let flows = model.flows().len();
    finding(format!("no flow travels the dependency `{from} -> {to}`"))
        .with_label(span, "not used by any flow")
        .with_note(format!("the manifest asks for every dependency to be documented by a flow, and none of its {flows} flow(s) sends along this one: it is undocumented, or no journey needs it any more"))
        .with_help(format!("add a step `{{ from: {from}, to: {to} }}` to the flow that uses it, remove the dependency if nothing does, or turn this check off"))
        .with_subjects([from.to_string(), to.to_string()])
}

/// AM056.
pub(crate) struct FlowCoverage;

static META: RuleMeta = RuleMeta {
    code: "AM056",
    id: "flow-coverage",
    category: Category::Flows,
    default_level: Level::Off,
    since: "0.1.0",
    summary: "a dependency that no flow travels, when the manifest asks for full coverage",
    facts: "`depends_on` and every flow's steps; off unless the manifest turns it on",
    docs: r"## What it flags
Off by default: turn it on (`rules: { flow-coverage: warn }`) when the flows are meant to
document every dependency. It then flags each dependency that no flow step travels, either
as a call (`from` the dependent, `to` the dependency) or as a delivery (a queue or topic
handing a message to a consumer).

## Why it matters
A dependency no journey uses is undocumented (nobody wrote down why it exists) or dead (no
journey needs it, and it can go). Full coverage keeps the flows and the graph honest with each
other.

## Example
```yaml
version: 1
name: Shop
rules:
  flow-coverage: warn
services:
  web: { kind: frontend, depends_on: [orders, search] }
  orders: {}
  search: {}
flows:
  order:
    steps:
      - { from: web, to: orders }
```

## How to fix
Add the step to the flow that uses the dependency, write a flow for the journey, or remove the
dependency. Silence one component with `allow: [flow-coverage]`.
",
    params: &[],
};

impl Rule for FlowCoverage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        let mut used = vec![false; model.graph.edge_count()];
        for flow in model.flows() {
            for m in flow.messages() {
                if let Some(e) = m.edge() {
                    used[e.index()] = true;
                }
            }
        }
        for id in model.components() {
            for e in model.graph.edges(id) {
                use petgraph::visit::EdgeRef;
                if !used[e.id().index()] {
                    let from = &model.component(id).id;
                    let to = &model.component(e.target()).id;
                    cx.report(flow_coverage(model, from, to, e.weight().span));
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
    fn calls_and_deliveries_cover_their_dependency() {
        let yaml = "version: 1\nname: T\nservices:\n  a: { depends_on: [b, q, c] }\n  b: {}\n  c: {}\n  q: { kind: queue }\n  w: { depends_on: [q] }\nflows:\n  f:\n    steps: [{from: a, to: b}, {from: a, to: q}, {from: q, to: w}]\n";
        assert_eq!(subjects(&run(&FlowCoverage, yaml)), ["a c"]);
    }
}
