//! Two models → what changed between them ([`Diff`]).
//!
//! Input: the old and the new side, each a lowered [`Model`], the findings `check` produced for
//! it and its rule [`Config`]. Output: one [`Diff`]: the system's name and description,
//! components, dependencies (keyed by `from → to`), groups, views and rule settings that were
//! added, removed or changed (each change as `field: old → new`), and the findings that are new
//! in the new side or resolved since the old one. [`report`] writes it as text, JSON or
//! Markdown; [`overlay`] draws both models in one diagram.
//!
//! Invariants: the comparison is semantic: it reads lowered models, so manifest order, YAML
//! formatting, includes and defaults written out or left implicit make no difference; tags and
//! `allow` entries compare as sets. Findings match by code and subjects (a cycle's subjects up
//! to rotation; subjects whose order carries no meaning as a set), never by position. Every list
//! is sorted by id, so output is deterministic.

pub(crate) mod changed;
pub(crate) mod flows;
pub(crate) mod overlay;
pub(crate) mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Config, registry, rule::Param};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::model::{GroupId, Model, ServiceId, View};
use crate::vocab::{Direction, FocusDirection};

/// The version of the JSON document [`report::json`] writes.
pub(crate) const JSON_VERSION: u32 = 1;

/// One side of a comparison.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Side<'a> {
    /// What the user named: a path, `-` or `REV:PATH`.
    pub name: &'a str,
    /// The lowered model.
    pub model: &'a Model,
    /// What `check` found in it (no fatal problems).
    pub findings: &'a [Diagnostic],
    /// Its rule levels and parameters.
    pub config: &'a Config,
}

/// Whether an entry was added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Only in the new side.
    Added,
    /// Only in the old side.
    Removed,
    /// In both, with different attributes.
    Changed,
}

/// One attribute that differs; `None` is "not set" (or "not there" for added and removed
/// entries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct FieldChange {
    /// The attribute, as the manifest spells it (`owner`, `protocol`, `tags`…).
    pub field: &'static str,
    /// The old value.
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
}

/// A component, group, view or rule that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    /// Its id.
    pub id: String,
    /// What happened to it.
    pub status: Status,
    /// Changed attributes; for an added or removed entry, every attribute that is set, except
    /// those that hold their default (a label equal to the id, one replica, not optional).
    pub changes: Vec<FieldChange>,
}

/// A dependency that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct EdgeEntry {
    /// The component that depends.
    pub from: String,
    /// The component depended on.
    pub to: String,
    /// What happened to it.
    pub status: Status,
    /// As for [`Entry::changes`].
    pub changes: Vec<FieldChange>,
}

/// A finding of `check` that appears on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// `AM010`.
    pub code: &'static str,
    /// `sync-cycle`.
    pub id: &'static str,
    /// Its level on the side it appears on.
    pub level: Severity,
    /// What it says.
    pub message: String,
    /// The ids it concerns.
    pub subjects: Vec<String>,
}

/// What changed between two manifests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Diff {
    /// The old side's name (path, `-`, `REV:PATH`).
    pub old: String,
    /// The new side's name.
    pub new: String,
    /// The system's `name` and `description`.
    pub system: Vec<FieldChange>,
    /// Components, by id.
    pub components: Vec<Entry>,
    /// Dependencies, by source then target id.
    pub dependencies: Vec<EdgeEntry>,
    /// Groups, by id.
    pub groups: Vec<Entry>,
    /// Views, by id.
    pub views: Vec<Entry>,
    /// Checks whose level or parameters changed, by id.
    pub rules: Vec<Entry>,
    /// Flows, by id; a changed flow lists each step that differs.
    pub flows: Vec<Entry>,
    /// Findings in the new side that the old one did not have, by code then subjects.
    pub new_findings: Vec<Finding>,
    /// Findings of the old side that the new one no longer has.
    pub resolved_findings: Vec<Finding>,
    /// Findings on both sides about the same component that say something else (a fan-in of
    /// 11 that became 12).
    pub changed_findings: Vec<changed::ChangedFinding>,
    /// New findings left out because a baseline accepts them (`diff --baseline`).
    #[serde(skip)]
    pub baselined_findings: usize,
}

impl Diff {
    /// True when the two sides mean the same.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.system.is_empty()
            && self.components.is_empty()
            && self.dependencies.is_empty()
            && self.groups.is_empty()
            && self.views.is_empty()
            && self.rules.is_empty()
            && self.flows.is_empty()
            && self.new_findings.is_empty()
            && self.resolved_findings.is_empty()
            && self.changed_findings.is_empty()
    }
}

/// Attributes as (field, value) in a fixed order; `None` when not set.
type Fields = Vec<(&'static str, Option<String>)>;

/// Compares two sides.
#[must_use]
pub(crate) fn diff(old: &Side<'_>, new: &Side<'_>) -> Diff {
    let system = changes(&system_fields(old.model), &system_fields(new.model));
    let components = entries(
        &keyed(old.model.components().map(|s| component_key(old.model, s))),
        &keyed(new.model.components().map(|s| component_key(new.model, s))),
    );
    let dependencies = entries(&dependency_map(old.model), &dependency_map(new.model))
        .into_iter()
        .map(|e| {
            let (from, to) = e.id.split_once('\n').expect("dependency keys hold a newline");
            EdgeEntry { from: from.into(), to: to.into(), status: e.status, changes: e.changes }
        })
        .collect();
    let groups = entries(
        &keyed((0..old.model.groups.len()).map(|g| group_key(old.model, GroupId(g)))),
        &keyed((0..new.model.groups.len()).map(|g| group_key(new.model, GroupId(g)))),
    );
    let views = entries(
        &keyed(old.model.views.iter().map(|v| view_key(old.model, v))),
        &keyed(new.model.views.iter().map(|v| view_key(new.model, v))),
    );
    let rules = entries(&rule_map(old.config), &rule_map(new.config))
        .into_iter()
        // Every check exists on both sides: only changed settings are news.
        .filter(|e| e.status == Status::Changed)
        .collect();
    let (mut new_findings, mut resolved_findings) = findings(old.findings, new.findings);
    let mut changed_findings = changed::reworded(old.findings, new.findings);
    changed_findings.extend(changed::pair(&mut new_findings, &mut resolved_findings));
    changed_findings
        .sort_by(|a, b| (a.new.code, &a.new.subjects).cmp(&(b.new.code, &b.new.subjects)));
    Diff {
        old: old.name.to_string(),
        new: new.name.to_string(),
        system,
        components,
        dependencies,
        groups,
        views,
        rules,
        flows: flows::entries(old.model, new.model),
        new_findings,
        resolved_findings,
        changed_findings,
        baselined_findings: 0,
    }
}

impl Diff {
    /// Leaves out of the new findings those a baseline accepts, counting them.
    pub(crate) fn accept(&mut self, entries: &[crate::baseline::Entry]) {
        let mut matcher = crate::baseline::Matcher::new(entries);
        let before = self.new_findings.len();
        self.new_findings.retain(|f| !matcher.take(f.code, &f.subjects, &f.message));
        self.baselined_findings = before - self.new_findings.len();
    }
}

fn keyed(items: impl Iterator<Item = (String, Fields)>) -> BTreeMap<String, Fields> {
    items.collect()
}

/// The fields that differ, in field order.
fn changes(old: &Fields, new: &Fields) -> Vec<FieldChange> {
    old.iter()
        .zip(new)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| FieldChange { field, old: a.clone(), new: b.clone() })
        .collect()
}

/// Entries added, removed or changed between two keyed maps, sorted by key.
fn entries(old: &BTreeMap<String, Fields>, new: &BTreeMap<String, Fields>) -> Vec<Entry> {
    let mut out = Vec::new();
    let set = |id: &str, fields: &Fields, added: bool| -> Vec<FieldChange> {
        fields
            .iter()
            .filter_map(|(field, v)| {
                let v = v.clone()?;
                if is_default(id, field, &v) {
                    return None;
                }
                Some(if added {
                    FieldChange { field, old: None, new: Some(v) }
                } else {
                    FieldChange { field, old: Some(v), new: None }
                })
            })
            .collect()
    };
    for (id, o) in old {
        match new.get(id) {
            None => out.push(Entry {
                id: id.clone(),
                status: Status::Removed,
                changes: set(id, o, false),
            }),
            Some(n) => {
                let c = changes(o, n);
                if !c.is_empty() {
                    out.push(Entry { id: id.clone(), status: Status::Changed, changes: c });
                }
            }
        }
    }
    for (id, n) in new {
        if !old.contains_key(id) {
            out.push(Entry { id: id.clone(), status: Status::Added, changes: set(id, n, true) });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Whether an attribute of an added or removed entry holds the value it has when not written:
/// such attributes are left out of the entry.
fn is_default(id: &str, field: &str, value: &str) -> bool {
    match field {
        "label" | "title" => value == id,
        "replicas" => value == "1",
        "optional" => value == "false",
        _ => false,
    }
}

fn opt(s: Option<&String>) -> Option<String> {
    s.cloned()
}

/// A list as one value, `None` when empty.
fn list<I: IntoIterator<Item = String>>(items: I, sorted: bool) -> Option<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    if sorted {
        v.sort();
        v.dedup();
    }
    (!v.is_empty()).then(|| v.join(", "))
}

fn system_fields(m: &Model) -> Fields {
    vec![("name", Some(m.name.clone())), ("description", opt(m.description.as_ref()))]
}

fn component_key(m: &Model, s: ServiceId) -> (String, Fields) {
    let c = m.component(s);
    let fields = vec![
        ("kind", Some(c.kind.as_str().to_string())),
        ("label", Some(c.label.clone())),
        ("description", opt(c.description.as_ref())),
        ("group", c.group.map(|g| m.group(g).id.clone())),
        ("owner", opt(c.owner.as_ref())),
        ("tech", opt(c.tech.as_ref())),
        ("tags", list(c.tags.iter().cloned(), true)),
        ("replicas", Some(c.replicas.to_string())),
        ("url", c.url.as_ref().map(|u| u.value.clone())),
        ("allow", list(c.allow.iter().map(|a| a.value.clone()), true)),
    ];
    (c.id.clone(), fields)
}

/// Dependencies keyed `from\nto` (a newline cannot occur in an id).
fn dependency_map(m: &Model) -> BTreeMap<String, Fields> {
    let mut out = BTreeMap::new();
    for from in m.components() {
        for (to, d) in m.dependencies(from) {
            let key = format!("{}\n{}", m.component(from).id, m.component(to).id);
            let fields = vec![
                ("mode", Some(d.mode.as_str().to_string())),
                ("protocol", opt(d.protocol.as_ref())),
                ("label", opt(d.label.as_ref())),
                ("description", opt(d.description.as_ref())),
                ("optional", Some(d.optional.to_string())),
                ("latency_ms", d.latency_ms.map(|l| l.to_string())),
                ("timeout_ms", d.timeout_ms.as_ref().map(|t| t.value.to_string())),
            ];
            out.insert(key, fields);
        }
    }
    out
}

fn group_key(m: &Model, g: GroupId) -> (String, Fields) {
    let group = m.group(g);
    let fields = vec![
        ("label", Some(group.label.clone())),
        ("description", opt(group.description.as_ref())),
        ("parent", group.parent.map(|p| m.group(p).id.clone())),
        ("color", group.color.as_ref().map(|c| c.to_ascii_lowercase())),
        ("owner", opt(group.owner.as_ref())),
    ];
    (group.id.clone(), fields)
}

fn view_key(m: &Model, v: &View) -> (String, Fields) {
    let direction = match v.direction {
        FocusDirection::Upstream => "upstream",
        FocusDirection::Downstream => "downstream",
        FocusDirection::Both => "both",
    };
    let fields = vec![
        ("title", Some(v.title.clone())),
        ("description", opt(v.description.as_ref())),
        ("include", list(v.include.iter().map(|s| s.value.to_string()), true)),
        ("exclude", list(v.exclude.iter().map(|s| s.value.to_string()), true)),
        ("focus", list(v.focus.iter().map(|&s| m.component(s).id.clone()), true)),
        ("depth", (!v.focus.is_empty()).then(|| v.depth.to_string())),
        ("direction", (!v.focus.is_empty()).then(|| direction.to_string())),
        ("collapse", list(v.collapse.iter().map(|&g| m.group(g).id.clone()), true)),
        ("layout", v.layout.map(|d: Direction| d.as_str().to_string())),
    ];
    (v.id.clone(), fields)
}

/// Every check's effective level and parameters.
fn rule_map(config: &Config) -> BTreeMap<String, Fields> {
    let mut out = BTreeMap::new();
    for meta in registry::metas() {
        let set = config.params(meta);
        let mut fields: Fields = vec![("level", Some(config.level(meta).as_str().to_string()))];
        for p in meta.params {
            let value = set.and_then(|s| s.get(p.name)).map_or_else(
                || p.default.to_string(),
                |v| match v {
                    Param::Count(n) => n.to_string(),
                    Param::Share(x) => x.to_string(),
                    Param::Forbidden(pairs) => pairs
                        .iter()
                        .map(|(a, b)| format!("{} -> {}", a.value, b.value))
                        .collect::<Vec<_>>()
                        .join(", "),
                },
            );
            fields.push((p.name, Some(value)));
        }
        out.insert(meta.id.to_string(), fields);
    }
    out
}

/// What identifies a finding across two runs: its code and subjects (or, without subjects,
/// its message).
pub(crate) type FindingKey = (&'static str, Vec<String>, String);

pub(crate) fn finding_key(d: &Diagnostic) -> FindingKey {
    let (subjects, message) = diagnostic::identity(d.code, &d.subjects, &d.message);
    (d.code, subjects, message)
}

pub(crate) fn to_finding(d: &Diagnostic) -> Finding {
    Finding {
        code: d.code,
        id: d.id,
        level: d.severity,
        message: d.message.clone(),
        subjects: d.subjects.clone(),
    }
}

/// (new, resolved): findings of `new` without a match in `old`, and the other way round.
/// Matching counts: two equal findings on one side and one on the other leave one over.
fn findings(old: &[Diagnostic], new: &[Diagnostic]) -> (Vec<Finding>, Vec<Finding>) {
    let group = |ds: &[Diagnostic]| {
        let mut map: BTreeMap<FindingKey, Vec<Finding>> = BTreeMap::new();
        // A folded finding (no owner anywhere, most components unconnected) compares part by
        // part: one component more or less is one finding new or resolved.
        for d in ds.iter().filter(|d| !d.fatal).flat_map(Diagnostic::parts) {
            map.entry(finding_key(d)).or_default().push(to_finding(d));
        }
        map
    };
    let (old, new) = (group(old), group(new));
    let extra = |a: &BTreeMap<FindingKey, Vec<Finding>>, b: &BTreeMap<FindingKey, Vec<Finding>>| {
        let mut out = Vec::new();
        for (key, found) in a {
            let matched = b.get(key).map_or(0, Vec::len);
            out.extend(found.iter().skip(matched).cloned());
        }
        out
    };
    (extra(&new, &old), extra(&old, &new))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(code: &'static str, subjects: &[&str]) -> Diagnostic {
        Diagnostic::new(code, "x", Severity::Error, format!("{code} {subjects:?}"))
            .with_subjects(subjects.iter().copied())
    }

    #[test]
    fn cycles_match_up_to_rotation() {
        let (n, r) = findings(&[diag("AM010", &["b", "a"])], &[diag("AM010", &["a", "b"])]);
        assert!(n.is_empty() && r.is_empty());
        // A chain is a path: reversed, it is another finding.
        let (n, r) = findings(&[diag("AM023", &["b", "a"])], &[diag("AM023", &["a", "b"])]);
        assert_eq!((n.len(), r.len()), (1, 1));
    }

    #[test]
    fn findings_match_by_count() {
        let (n, r) = findings(
            &[diag("AM033", &["x"])],
            &[diag("AM033", &["x"]), diag("AM033", &["x"]), diag("AM020", &["y"])],
        );
        assert_eq!(n.iter().map(|f| f.code).collect::<Vec<_>>(), ["AM020", "AM033"]);
        assert!(r.is_empty());
        let (n, r) =
            findings(&[diag("AM030", &["db", "b", "a"])], &[diag("AM030", &["db", "a", "b"])]);
        assert!(n.is_empty() && r.is_empty());
        let (n, _) =
            findings(&[diag("AM030", &["a", "db", "b"])], &[diag("AM030", &["db", "a", "b"])]);
        assert_eq!(n.len(), 1, "the first subject is the datastore: not interchangeable");
    }

    #[test]
    fn entries_are_sorted_and_carry_the_set_fields() {
        let f = |v: &str| -> Fields { vec![("kind", Some(v.into())), ("owner", None)] };
        let old: BTreeMap<String, Fields> =
            [("b".to_string(), f("service")), ("c".to_string(), f("job"))].into();
        let new: BTreeMap<String, Fields> =
            [("a".to_string(), f("database")), ("b".to_string(), f("queue"))].into();
        let e = entries(&old, &new);
        let ids: Vec<(&str, Status)> = e.iter().map(|e| (e.id.as_str(), e.status)).collect();
        assert_eq!(ids, [("a", Status::Added), ("b", Status::Changed), ("c", Status::Removed)]);
        assert_eq!(
            e[1].changes,
            [FieldChange { field: "kind", old: Some("service".into()), new: Some("queue".into()) }]
        );
        assert_eq!(e[0].changes.len(), 1, "unset fields are left out of an added entry");
    }
}
