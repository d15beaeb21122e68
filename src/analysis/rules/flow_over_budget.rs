//! AM054 flow-over-budget.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Event, Flow, Message, Model, Step};
use crate::vocab::Level;

/// The sync critical path of some steps: its cost, its calls, and how many of them have no
/// `latency_ms`.
#[derive(Default)]
struct Path<'f> {
    ms: u64,
    calls: Vec<&'f Message>,
    unknown: usize,
}

fn critical<'f>(model: &Model, steps: &'f [Step], first_thread: &[bool]) -> Path<'f> {
    let mut p = Path::default();
    for s in steps {
        let part = match s {
            Step::Message(m) => {
                let mut one = Path::default();
                if let Some(e) = m.edge()
                    && !m.is_async
                    && first_thread[m.number - 1]
                {
                    one.calls.push(m);
                    match model.graph[e].latency_ms {
                        Some(ms) => one.ms = u64::from(ms),
                        None => one.unknown = 1,
                    }
                }
                one
            }
            Step::Par { branches, .. } => branches
                .iter()
                .map(|(_, b)| critical(model, b, first_thread))
                .fold(Path::default(), |best, b| if b.ms > best.ms { b } else { best }),
            Step::Loop { steps, .. } => critical(model, steps, first_thread),
        };
        p.ms += part.ms;
        p.unknown += part.unknown;
        p.calls.extend(part.calls);
    }
    p
}

fn flow_over_budget(
    model: &Model,
    flow: &Flow,
    path: &Path<'_>,
    budget: u32,
    span: crate::source::Span,
) -> Diagnostic {
    let hops: Vec<String> = path
        .calls
        .iter()
        .filter_map(|m| {
            let ms = model.graph[m.edge()?].latency_ms?;
            Some(format!("{} -> {} {ms} ms", model.component(m.from).id, model.component(m.to).id))
        })
        .collect();
    let mut d = finding(format!(
        "flow `{}` takes at least {} ms on its sync critical path, over its budget of {budget} ms: {}",
        flow.id,
        path.ms,
        hops.join(", ")
    ))
    .with_label(span, format!("{budget} ms"))
    .with_note(if path.unknown > 0 {
        format!("the sum counts the `latency_ms` of the dependencies the flow waits on (the longest branch of each `par`, each `loop` once); {} sync call(s) on the path have no `latency_ms` and count as 0, so the real figure is higher", path.unknown)
    } else {
        "the sum counts the `latency_ms` of the dependencies the flow waits on (the longest branch of each `par`, each `loop` once)".to_string()
    })
    .with_help("make a step asynchronous, run independent calls in a `par` block, cache, or raise `budget_ms` if the users can wait")
    .with_subjects(std::iter::once(flow.id.clone()).chain(path.calls.iter().map(|m| model.component(m.to).id.clone())));
    for m in &path.calls {
        if let Some(e) = m.edge()
            && let Some(ms) = model.graph[e].latency_ms
        {
            d = d.with_label(model.graph[e].span, format!("step {}: {ms} ms", m.number));
        }
    }
    d
}

/// AM054.
pub(crate) struct FlowOverBudget;

static META: RuleMeta = RuleMeta {
    code: "AM054",
    id: "flow-over-budget",
    category: Category::Flows,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a flow whose sync critical path adds up to more than its `budget_ms`",
    facts: "each flow's `budget_ms` and the `latency_ms` of the dependencies its sync steps travel; a flow without `budget_ms`, or whose path has no `latency_ms` at all, is not judged; a call without `latency_ms` counts as 0 and the finding says how many did",
    docs: r"## What it flags
A flow with a `budget_ms` whose sync critical path takes longer. The path is the sync calls of
the flow's first thread (the ones its first sender ends up waiting for; what consumers of a
queue or topic do later is not on it); each call costs its dependency's `latency_ms` (what the
call adds on its own: the network and the callee's own work, not the calls the callee makes in
turn, which are steps of their own). A `par` block costs its longest branch, a `loop` one pass.
Calls without `latency_ms` count as 0: the finding says how many there were.

## Why it matters
A budget that the documented journey cannot meet fails in production first, as timeouts and
retries. Summing the path when the manifest changes shows the problem in review.

## Example
```yaml
version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [{ target: orders, latency_ms: 50 }] }
  orders: { depends_on: [{ target: payments, latency_ms: 400 }, { target: stock, latency_ms: 300 }] }
  payments: {}
  stock: {}
flows:
  checkout:
    budget_ms: 500
    steps:
      - { from: web, to: orders }
      - { from: orders, to: payments }
      - { from: orders, to: stock }
```

## How to fix
Run independent calls in a `par` block (here the path would be 50 + 400 = 450 ms), make a step
asynchronous, cache, or raise the budget.
",
    params: &[],
};

impl Rule for FlowOverBudget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for flow in model.flows() {
            let Some(budget) = &flow.budget_ms else { continue };
            let mut first_thread = vec![false; flow.messages().len()];
            for e in flow.events() {
                if let Event::Send { message, thread, .. } = e {
                    first_thread[message.number - 1] = thread == 0;
                }
            }
            let path = critical(model, &flow.steps, &first_thread);
            if path.calls.len() > path.unknown && path.ms > u64::from(budget.value) {
                cx.report(flow_over_budget(model, flow, &path, budget.value, budget.span));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::run;

    const BASE: &str = "version: 1\nname: T\nservices:\n  w: { depends_on: [{ target: o, latency_ms: 50 }] }\n  o: { depends_on: [{ target: p, latency_ms: 400 }, { target: s, latency_ms: 300 }, q, n] }\n  p: {}\n  s: {}\n  n: {}\n  q: { kind: queue }\n  c: { depends_on: [{ target: p, latency_ms: 900 }, q] }\nflows:\n  f:\n    budget_ms: 500\n    steps:\n      - {from: w, to: o}\n";

    fn messages(rest: &str) -> Vec<String> {
        run(&FlowOverBudget, &format!("{BASE}{rest}")).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn sequential_calls_add_up_and_par_takes_the_longest_branch() {
        assert_eq!(
            messages("      - {from: o, to: p}\n      - {from: o, to: s}\n"),
            [
                "flow `f` takes at least 750 ms on its sync critical path, over its budget of 500 ms: w -> o 50 ms, o -> p 400 ms, o -> s 300 ms"
            ]
        );
        assert!(messages("      - par: [[{from: o, to: p}], [{from: o, to: s}]]\n").is_empty());
    }

    #[test]
    fn async_work_and_unknown_latencies_are_not_counted() {
        // The consumer's 900 ms is after the queue: not on the path.
        assert!(
            messages(
                "      - {from: o, to: q}\n      - {from: q, to: c}\n      - {from: c, to: p}\n"
            )
            .is_empty()
        );
        let found = run(
            &FlowOverBudget,
            &format!(
                "{BASE}      - {{from: o, to: n}}\n      - {{from: o, to: p}}\n      - {{from: o, to: s}}\n"
            ),
        );
        assert!(found[0].note.as_deref().unwrap().contains("1 sync call(s)"));
    }
}
