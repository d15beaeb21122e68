//! AM051 flow-step-mismatch.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Flow, Message, Model, Route};
use crate::vocab::{Level, Mode};

fn mode_mismatch(model: &Model, flow: &Flow, m: &Message, written: bool) -> Option<Diagnostic> {
    let from = &model.component(m.from).id;
    let to = &model.component(m.to).id;
    let (declared, dep_span) = match m.route {
        Route::Call(e) => (model.graph[e].mode, model.graph[e].span),
        Route::Delivery(e) => (Mode::Async, model.graph[e].span),
        Route::Internal | Route::Undeclared => return None,
    };
    let step_mode = if written { Mode::Async } else { Mode::Sync };
    if step_mode == declared {
        return None;
    }
    let (step_mode, declared) = (step_mode.as_str(), declared.as_str());
    let span = m.asynchronous.as_ref().map_or(m.span, |a| a.span);
    let what = if matches!(m.route, Route::Delivery(_)) {
        format!("a delivery from `{from}` is async by nature")
    } else {
        format!("the dependency `{from} -> {to}` is {declared}")
    };
    Some(
        finding(format!(
            "flow `{}` step {}: `{from} -> {to}` is written {step_mode}, but {what}",
            flow.id, m.number
        ))
        .with_label(span, format!("the step says {step_mode}"))
        .with_label(dep_span, format!("the dependency is {declared}"))
        .with_note("sync and async decide who waits for whom: the checks on cycles, chains and blast radius follow the dependency, so a flow that says otherwise describes another system")
        .with_help("fix the step's `async`, or the dependency's `mode` (or its `protocol` or the target's `kind`, which set the default mode)")
        .with_subjects([flow.id.clone(), from.clone(), to.clone()]),
    )
}

fn protocol_mismatch(model: &Model, flow: &Flow, m: &Message) -> Option<Diagnostic> {
    let written = m.protocol.as_ref()?;
    let e = m.edge()?;
    let dep = &model.graph[e];
    let declared = dep.protocol.as_deref()?;
    if declared.eq_ignore_ascii_case(&written.value) {
        return None;
    }
    let from = &model.component(m.from).id;
    let to = &model.component(m.to).id;
    Some(
        finding(format!(
            "flow `{}` step {}: `{from} -> {to}` uses `{}`, but the dependency's protocol is `{declared}`",
            flow.id, m.number, written.value
        ))
        .with_label(written.span, "the step's protocol")
        .with_label(dep.span, format!("declared with protocol `{declared}`"))
        .with_note("a step names the protocol of the dependency it travels; two protocols between the same components are two dependencies, or one of them is out of date")
        .with_help("make the step's `protocol` match the dependency's, or leave it out to use the dependency's")
        .with_subjects([flow.id.clone(), from.clone(), to.clone()]),
    )
}

/// AM051.
pub(crate) struct FlowStepMismatch;

static META: RuleMeta = RuleMeta {
    code: "AM051",
    id: "flow-step-mismatch",
    category: Category::Flows,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a flow step whose `async` or `protocol` contradicts the dependency it travels",
    facts: "each step's `async` and `protocol` where written, and the dependency's mode (from `mode`, the target's `kind` and `protocol`) and `protocol`; a step that writes neither is never flagged, nor one whose dependency declares no protocol",
    docs: r"## What it flags
A flow step that says `async: true` over a sync dependency, `async: false` over an async one
(or over a delivery from a queue or topic, which is async by nature), or names a `protocol`
other than the one its dependency declares (compared without regard to case).

## Why it matters
Whether a caller waits decides how failures and latency travel: the cycle, chain and blast
radius checks follow the dependency. A flow that contradicts it documents a different system
than the one checked.

## Example
```yaml
version: 1
name: Shop
services:
  orders: { depends_on: [{ target: payments, protocol: grpc }] }
  payments: {}
flows:
  pay:
    steps:
      - { from: orders, to: payments, async: true, protocol: http }
```

## How to fix
Correct the step, or the dependency when the flow is right (`mode: async`, the protocol).
Leave `async` and `protocol` out of a step to take the dependency's.
",
    params: &[],
};

impl Rule for FlowStepMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for flow in model.flows() {
            for m in flow.messages() {
                if let Some(a) = &m.asynchronous
                    && let Some(d) = mode_mismatch(model, flow, m, a.value)
                {
                    cx.report(d);
                }
                if let Some(d) = protocol_mismatch(model, flow, m) {
                    cx.report(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::run;

    fn messages(steps: &str) -> Vec<String> {
        let yaml = format!(
            "version: 1\nname: T\nservices:\n  a: {{ depends_on: [{{ target: b, protocol: gRPC }}, q] }}\n  b: {{}}\n  q: {{ kind: queue }}\n  w: {{ depends_on: [q] }}\nflows:\n  f:\n    steps: {steps}\n"
        );
        run(&FlowStepMismatch, &yaml).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn only_written_contradictions_are_flagged() {
        assert!(messages("[{from: a, to: b}, {from: a, to: q}, {from: q, to: w}]").is_empty());
        assert!(
            messages(
                "[{from: a, to: b, async: false, protocol: grpc}, {from: a, to: q, async: true}]"
            )
            .is_empty()
        );
        assert_eq!(
            messages(
                "[{from: a, to: b, async: true, protocol: http}, {from: q, to: w, async: false}]"
            ),
            [
                "flow `f` step 1: `a -> b` is written async, but the dependency `a -> b` is sync",
                "flow `f` step 1: `a -> b` uses `http`, but the dependency's protocol is `gRPC`",
                "flow `f` step 2: `q -> w` is written sync, but a delivery from `q` is async by nature",
            ]
        );
    }
}
