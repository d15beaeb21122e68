//! Flows compared: added, removed and changed flows, and within a changed flow each step
//! added, removed or changed, the two lists of steps aligned on what the steps say.
//!
//! Input: the two models. Output: one [`Entry`] per flow that differs, sorted by id. An added
//! or removed flow lists its title, description, budget and number of steps; a changed one its
//! changed attributes and one `step` change per position whose step differs (old text → new
//! text; a step only on one side has no text on the other). A step reads
//! `3. orders -> payments: charge (async, optional, returns receipt, grpc)`, prefixed by the
//! blocks it is in (`par at once / branch 2: `, `loop for each line: `).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Entry, FieldChange, Status};
use crate::model::{Flow, Model, Step};

/// A flow's attributes and its steps as text.
struct FlowText {
    fields: Vec<(&'static str, Option<String>)>,
    /// Each step as shown, and as compared (without its number).
    steps: Vec<(String, String)>,
}

/// Above this many pairs of steps, steps are compared by position (the alignment is
/// quadratic).
const MAX_ALIGNED_PAIRS: usize = 4_000_000;

/// The step changes between two lists: pairs of (old, new) texts, `None` on the side without.
fn align(
    old: &[(String, String)],
    new: &[(String, String)],
) -> Vec<(Option<String>, Option<String>)> {
    let (rows, cols) = (old.len(), new.len());
    let mut out = Vec::new();
    if rows.saturating_mul(cols) > MAX_ALIGNED_PAIRS {
        for i in 0..rows.max(cols) {
            let (a, b) = (old.get(i), new.get(i));
            if a.map(|x| &x.0) != b.map(|x| &x.0) {
                out.push((a.map(|x| x.0.clone()), b.map(|x| x.0.clone())));
            }
        }
        return out;
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; cols + 1]; rows + 1];
    for i in (0..rows).rev() {
        for j in (0..cols).rev() {
            lcs[i][j] = if old[i].1 == new[j].1 {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut removed: Vec<String> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let flush = |removed: &mut Vec<String>, added: &mut Vec<String>, out: &mut Vec<_>| {
        let k = removed.len().max(added.len());
        for x in 0..k {
            out.push((removed.get(x).cloned(), added.get(x).cloned()));
        }
        removed.clear();
        added.clear();
    };
    while i < rows || j < cols {
        if i < rows && j < cols && old[i].1 == new[j].1 {
            flush(&mut removed, &mut added, &mut out);
            i += 1;
            j += 1;
        } else if j < cols && (i == rows || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(new[j].0.clone());
            j += 1;
        } else {
            removed.push(old[i].0.clone());
            i += 1;
        }
    }
    flush(&mut removed, &mut added, &mut out);
    out
}

fn describe(model: &Model, steps: &[Step], context: &str, out: &mut Vec<(String, String)>) {
    for s in steps {
        match s {
            Step::Message(m) => {
                let mut extras = Vec::new();
                if m.asynchronous.is_some() || m.is_async {
                    extras.push(if m.is_async { "async".to_string() } else { "sync".to_string() });
                }
                if m.optional {
                    extras.push("optional".into());
                }
                if let Some(r) = &m.returns {
                    extras.push(format!("returns {r}"));
                }
                if let Some(p) = &m.protocol {
                    extras.push(p.value.clone());
                }
                let mut text =
                    format!("{} -> {}", model.component(m.from).id, model.component(m.to).id);
                if let Some(l) = &m.label {
                    text.push_str(": ");
                    text.push_str(l);
                }
                if !extras.is_empty() {
                    let _ = write!(text, " ({})", extras.join(", "));
                }
                out.push((format!("{context}{}. {text}", m.number), format!("{context}{text}")));
            }
            Step::Par { label, branches, .. } => {
                for (i, (_, b)) in branches.iter().enumerate() {
                    let name = label.as_deref().map_or_else(String::new, |l| format!(" {l}"));
                    describe(model, b, &format!("{context}par{name} / branch {}: ", i + 1), out);
                }
            }
            Step::Loop { label, steps, .. } => {
                let name = label.as_deref().map_or_else(String::new, |l| format!(" {l}"));
                describe(model, steps, &format!("{context}loop{name}: "), out);
            }
        }
    }
}

fn flow_text(model: &Model, f: &Flow) -> FlowText {
    let mut steps = Vec::new();
    describe(model, &f.steps, "", &mut steps);
    FlowText {
        fields: vec![
            ("title", (f.title != f.id).then(|| f.title.clone())),
            ("description", f.description.clone()),
            ("budget_ms", f.budget_ms.as_ref().map(|b| b.value.to_string())),
        ],
        steps,
    }
}

fn all(model: &Model) -> BTreeMap<String, FlowText> {
    model.flows().iter().map(|f| (f.id.clone(), flow_text(model, f))).collect()
}

fn whole(t: &FlowText, added: bool) -> Vec<FieldChange> {
    let mut out: Vec<FieldChange> = t
        .fields
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(field, v)| {
            let (old, new) = if added { (None, v.clone()) } else { (v.clone(), None) };
            FieldChange { field, old, new }
        })
        .collect();
    let n = Some(format!("{} step{}", t.steps.len(), if t.steps.len() == 1 { "" } else { "s" }));
    let (old, new) = if added { (None, n) } else { (n, None) };
    out.push(FieldChange { field: "steps", old, new });
    out
}

/// The flows that differ between `old` and `new`, sorted by id.
#[must_use]
pub(crate) fn entries(old: &Model, new: &Model) -> Vec<Entry> {
    let (old, new) = (all(old), all(new));
    let mut out = Vec::new();
    for (id, o) in &old {
        let Some(n) = new.get(id) else {
            out.push(Entry { id: id.clone(), status: Status::Removed, changes: whole(o, false) });
            continue;
        };
        let mut changes: Vec<FieldChange> = o
            .fields
            .iter()
            .zip(&n.fields)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| FieldChange { field: a.0, old: a.1.clone(), new: b.1.clone() })
            .collect();
        for (a, b) in align(&o.steps, &n.steps) {
            changes.push(FieldChange { field: "step", old: a, new: b });
        }
        if !changes.is_empty() {
            out.push(Entry { id: id.clone(), status: Status::Changed, changes });
        }
    }
    for (id, n) in &new {
        if !old.contains_key(id) {
            out.push(Entry { id: id.clone(), status: Status::Added, changes: whole(n, true) });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::model;

    const BASE: &str =
        "version: 1\nname: T\nservices:\n  a: { depends_on: [b, c] }\n  b: {}\n  c: {}\nflows:\n";

    #[test]
    fn flows_and_steps_are_compared() {
        let old = model(&format!(
            "{BASE}  f:\n    steps: [{{from: a, to: b, label: go}}, {{from: a, to: c}}]\n  gone:\n    title: Gone\n    steps: [{{from: a, to: b}}]\n  same:\n    steps: [{{from: a, to: b}}]\n"
        ));
        let new = model(&format!(
            "{BASE}  f:\n    budget_ms: 100\n    steps:\n      - {{from: a, to: b, label: go, returns: ok}}\n      - par: [[{{from: a, to: c}}]]\n        label: both\n      - {{from: a, to: b}}\n  same:\n    steps: [{{from: a, to: b}}]\n  new: {{ steps: [] }}\n"
        ));
        let e = entries(&old, &new);
        let ids: Vec<(&str, Status)> = e.iter().map(|e| (e.id.as_str(), e.status)).collect();
        assert_eq!(
            ids,
            [("f", Status::Changed), ("gone", Status::Removed), ("new", Status::Added)]
        );
        let f: Vec<(&str, Option<&str>, Option<&str>)> =
            e[0].changes.iter().map(|c| (c.field, c.old.as_deref(), c.new.as_deref())).collect();
        assert_eq!(
            f,
            [
                ("budget_ms", None, Some("100")),
                ("step", Some("1. a -> b: go"), Some("1. a -> b: go (returns ok)")),
                ("step", Some("2. a -> c"), Some("par both / branch 1: 2. a -> c")),
                ("step", None, Some("3. a -> b")),
            ]
        );
        assert_eq!(e[1].changes.len(), 2, "title and step count: {:?}", e[1].changes);
        assert!(entries(&old, &old).is_empty());
    }

    #[test]
    fn an_inserted_step_is_one_change() {
        let steps = |list: &str| {
            list.split(' ').map(|t| (format!("n. {t}"), t.to_string())).collect::<Vec<_>>()
        };
        let changes = align(&steps("a b c d"), &steps("a x b c e"));
        assert_eq!(
            changes,
            [(None, Some("n. x".into())), (Some("n. d".into()), Some("n. e".into()))]
        );
        assert!(align(&steps("a b"), &steps("a b")).is_empty());
    }
}
