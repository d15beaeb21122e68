//! A flow as a sequence diagram, format-neutral.
//!
//! Input: the model and one of its flows. Output: a [`Sequence`]: the participants in the
//! order they first take part, and the flow read as messages, returns and frames
//! ([`crate::model::Event`]). Invariants: every message and return names participants by index;
//! each sync call is followed, later, by exactly one return of the same number; frames open
//! and close in nested order; deterministic (manifest and step order only).

use crate::model::{Event, Flow, Model, ServiceId};
use crate::vocab::Kind;

/// One lifeline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Participant {
    /// The component id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its kind, which decides the head's shape.
    pub kind: Kind,
}

/// One row of a sequence diagram, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// A message.
    Message {
        /// Its step number.
        number: usize,
        /// Sender (participant index).
        from: usize,
        /// Receiver (participant index).
        to: usize,
        /// What is sent (may be empty).
        label: String,
        /// Fire and forget (an open arrow); else a sync call that opens an activation.
        is_async: bool,
        /// The step may not happen.
        optional: bool,
    },
    /// A sync call answers: its activation ends, and a return arrow is drawn when the step says
    /// what comes back.
    Return {
        /// The number of the call that answers.
        number: usize,
        /// The callee.
        from: usize,
        /// The caller.
        to: usize,
        /// The step's `returns`.
        label: Option<String>,
    },
    /// A `par` or `loop` frame opens.
    Open {
        /// True for `par`.
        par: bool,
        /// The frame's label.
        label: Option<String>,
    },
    /// The next branch of a `par` frame.
    Branch(Option<String>),
    /// The innermost frame closes.
    Close,
}

/// A flow ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sequence {
    /// The flow's title.
    pub title: String,
    /// The flow's description.
    pub description: Option<String>,
    /// Lifelines, in the order they first take part.
    pub participants: Vec<Participant>,
    /// Rows, in order.
    pub items: Vec<Item>,
}

/// The sequence of `flow`.
#[must_use]
pub(crate) fn sequence(model: &Model, flow: &Flow) -> Sequence {
    let mut order: Vec<ServiceId> = Vec::new();
    // Looked up, never iterated.
    let mut places: std::collections::HashMap<ServiceId, usize> = std::collections::HashMap::new();
    let mut index = |id: ServiceId, order: &mut Vec<ServiceId>| {
        *places.entry(id).or_insert_with(|| {
            order.push(id);
            order.len() - 1
        })
    };
    let mut items = Vec::new();
    for e in flow.events() {
        items.push(match e {
            Event::Send { message: m, .. } => {
                let from = index(m.from, &mut order);
                let to = index(m.to, &mut order);
                Item::Message {
                    number: m.number,
                    from,
                    to,
                    label: m.label.clone().unwrap_or_default(),
                    is_async: m.is_async || m.from == m.to,
                    optional: m.optional,
                }
            }
            Event::Return(m) => Item::Return {
                number: m.number,
                from: index(m.to, &mut order),
                to: index(m.from, &mut order),
                label: m.returns.clone(),
            },
            // A `par` frame shows its own label and its first branch's, as the next branches
            // show theirs.
            Event::Open { par, label, first } => Item::Open {
                par,
                label: match (label, first) {
                    (Some(l), Some(f)) => Some(format!("{l}: {f}")),
                    (l, f) => l.or(f).map(str::to_string),
                },
            },
            Event::Branch(label) => Item::Branch(label.map(str::to_string)),
            Event::Close => Item::Close,
        });
    }
    let participants = order
        .iter()
        .map(|&id| {
            let c = model.component(id);
            Participant { id: c.id.clone(), label: c.label.clone(), kind: c.kind }
        })
        .collect();
    Sequence {
        title: flow.title.clone(),
        description: flow.description.clone(),
        participants,
        items,
    }
}
