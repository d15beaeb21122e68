//! Drift: the declared model against what runs.
//!
//! Input: an analysed [`Model`] (the manifest) and one or more [`Observed`] systems: a compose
//! project or Kubernetes YAML (through the importers, whose manifest text [`observed_manifest`]
//! reads back), or the service dependencies of traces (Jaeger's and OpenTelemetry's
//! `[{"parent", "child", "callCount"}]`, read by [`observed_calls`]). Output: findings
//! (AM300–AM305) located in the manifest where there is a place: components and dependencies
//! that run but are not declared, declared ones not seen, kind and replica differences.
//! Invariants: deterministic (manifest order, then observed order); a finding a component's
//! `allow` names, or an `--ignore` pattern matches, is not reported; nothing is read here (the
//! command line reads the sources).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::yaml::{self, Node, Value};
use crate::model::{Model, ServiceId};
use crate::source::{SourceFile, Span};
use crate::vocab::Kind;

/// Codes of drift findings: (code, id).
pub(crate) mod codes {
    use crate::diagnostic::ProblemMeta;

    pub(crate) const UNDECLARED_COMPONENT: (&str, &str) = ("AM300", "undeclared-component");
    pub(crate) const UNDECLARED_DEPENDENCY: (&str, &str) = ("AM301", "undeclared-dependency");
    pub(crate) const UNSEEN_COMPONENT: (&str, &str) = ("AM302", "unseen-component");
    pub(crate) const UNSEEN_DEPENDENCY: (&str, &str) = ("AM303", "unseen-dependency");
    pub(crate) const KIND_DIFFERS: (&str, &str) = ("AM304", "kind-differs");
    pub(crate) const REPLICAS_DIFFER: (&str, &str) = ("AM305", "replicas-differ");

    /// Every drift finding, sorted by code.
    pub(crate) const PROBLEMS: &[ProblemMeta] = &[
        ProblemMeta {
            code: UNDECLARED_COMPONENT.0,
            id: UNDECLARED_COMPONENT.1,
            summary: "A component runs (in the compose project, the Kubernetes YAML or the traces) but the manifest does not declare it.",
            docs: "Add it to `services`, or pass `--ignore NAME` for something the drawing leaves out on purpose (a load generator, a collector).",
        },
        ProblemMeta {
            code: UNDECLARED_DEPENDENCY.0,
            id: UNDECLARED_DEPENDENCY.1,
            summary: "One declared component calls (or is configured to call) another, and the manifest has no such dependency.",
            docs: "Add the dependency to the caller's `depends_on`, or write `allow: [undeclared-dependency]` on the caller (or `--ignore A->B`) when it is known and not worth drawing.",
        },
        ProblemMeta {
            code: UNSEEN_COMPONENT.0,
            id: UNSEEN_COMPONENT.1,
            summary: "A declared component does not appear in what was observed.",
            docs: "Remove it if it is gone; otherwise write `allow: [unseen-component]` on it (not deployed yet, outside the cluster, not traced), or `--ignore ID`.",
        },
        ProblemMeta {
            code: UNSEEN_DEPENDENCY.0,
            id: UNSEEN_DEPENDENCY.1,
            summary: "A declared dependency between two observed components was not observed: no call in the traces, no reference in the configuration.",
            docs: "Remove it if it is gone; otherwise write `allow: [unseen-dependency]` on the caller, or `--ignore A->B`. Static sources only see addresses in configuration, not in code.",
        },
        ProblemMeta {
            code: KIND_DIFFERS.0,
            id: KIND_DIFFERS.1,
            summary: "The manifest's `kind` differs from the kind the running image says (a database declared as a service, say).",
            docs: "Fix the `kind`, or write `allow: [kind-differs]` on the component when the declared kind is right.",
        },
        ProblemMeta {
            code: REPLICAS_DIFFER.0,
            id: REPLICAS_DIFFER.1,
            summary: "The manifest's `replicas` differ from the replicas deployed (`spec.replicas`, `deploy.replicas`).",
            docs: "Update `replicas`, or write `allow: [replicas-differ]` on the component when the number changes (autoscaling).",
        },
    ];

    /// Whether `name` is the id or code of a drift finding (a component may `allow` one).
    #[must_use]
    pub(crate) fn names_one(name: &str) -> bool {
        PROBLEMS.iter().any(|p| crate::diagnostic::names_code(name, p.code, p.id))
    }
}

/// One component observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ObservedComponent {
    /// Its name where it runs (service, workload, traced service).
    pub name: String,
    /// The kind the source is sure of (an importer's `kind:` with a reason); `None`: unknown.
    pub kind: Option<Kind>,
    /// Replicas written in the source.
    pub replicas: Option<u32>,
}

/// One system observed: components, and calls between them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Observed {
    /// Where it came from, for messages: `compose.yaml`, `k8s/`, `traces.json`.
    pub source: String,
    pub components: Vec<ObservedComponent>,
    /// (caller, callee, how it was seen) as indexes into `components`.
    pub calls: Vec<(usize, usize, String)>,
}

impl Observed {
    fn index_of(&mut self, index: &mut BTreeMap<String, usize>, name: &str) -> usize {
        if let Some(&i) = index.get(name) {
            return i;
        }
        self.components.push(ObservedComponent {
            name: name.to_string(),
            kind: None,
            replicas: None,
        });
        index.insert(name.to_string(), self.components.len() - 1);
        self.components.len() - 1
    }
}

/// Reads back a manifest an importer wrote (its names, explicit kinds, replicas and
/// dependencies with their `x-source`).
pub(crate) fn observed_manifest(source: &str, text: &str) -> Result<Observed, String> {
    let file = SourceFile::new(source, text);
    let mut left = yaml::MAX_VALUES;
    let root = yaml::parse(crate::source::FileId(0), &file, &mut left).map_err(|e| e.message)?;
    let get = crate::import::compose::get;
    let scalar = |n: Option<&Node>| n.and_then(|n| crate::import::compose::scalar_string(&n.value));
    let mut observed = Observed { source: source.to_string(), ..Observed::default() };
    let Some(Node { value: Value::Map(services), .. }) = get(&root, "services") else {
        return Ok(observed);
    };
    // Ids first (dependencies name ids), then the names shown.
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for (k, v) in services {
        let Some(id) = crate::import::compose::scalar_string(&k.value) else { continue };
        let name = scalar(get(v, "label")).unwrap_or_else(|| id.clone());
        let kind = scalar(get(v, "kind")).and_then(|k| Kind::parse(&k));
        let replicas = match get(v, "replicas").map(|n| &n.value) {
            Some(Value::Int(n)) => u32::try_from(*n).ok(),
            _ => None,
        };
        by_id.insert(id, observed.components.len());
        observed.components.push(ObservedComponent { name, kind, replicas });
    }
    for (k, v) in services {
        let Some(id) = crate::import::compose::scalar_string(&k.value) else { continue };
        let Some(&from) = by_id.get(&id) else { continue };
        let Some(Node { value: Value::Seq(deps), .. }) = get(v, "depends_on") else { continue };
        for d in deps {
            let target = scalar(get(d, "target")).or_else(|| scalar(Some(d)));
            let Some(&to) = target.as_ref().and_then(|t| by_id.get(t)) else { continue };
            let how = scalar(get(d, "x-source")).unwrap_or_else(|| "declared".into());
            observed.calls.push((from, to, how));
        }
    }
    Ok(observed)
}

/// Reads a service dependency list: Jaeger's `/api/dependencies` answer (a list, or an object
/// whose `data` is the list) or OpenTelemetry's service graph export, entries
/// `{"parent": A, "child": B, "callCount": N}`. A call of a service to itself is left out.
pub(crate) fn observed_calls(source: &str, text: &str) -> Result<Observed, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let list = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => match map.get("data") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err("expected a list of {\"parent\", \"child\", \"callCount\"}, or an object whose `data` is one".into()),
        },
        _ => return Err("expected a list of {\"parent\", \"child\", \"callCount\"}".into()),
    };
    let mut observed = Observed { source: source.to_string(), ..Observed::default() };
    let mut index = BTreeMap::new();
    for (n, item) in list.iter().enumerate() {
        let field = |k: &str| item.get(k).and_then(serde_json::Value::as_str);
        let (Some(parent), Some(child)) = (field("parent"), field("child")) else {
            return Err(format!("entry {}: `parent` and `child` must be strings", n + 1));
        };
        if parent.is_empty() || child.is_empty() {
            return Err(format!("entry {}: an empty service name", n + 1));
        }
        let calls = item.get("callCount").and_then(serde_json::Value::as_u64);
        let a = observed.index_of(&mut index, parent);
        let b = observed.index_of(&mut index, child);
        if a == b {
            continue;
        }
        let how = match calls {
            Some(c) => format!("{c} call{}", if c == 1 { "" } else { "s" }),
            None => "traced".into(),
        };
        observed.calls.push((a, b, how));
    }
    Ok(observed)
}

/// What `--ignore` takes: a component name, or `A->B` for a dependency; `*` matches any run
/// of characters.
#[derive(Clone, Debug)]
pub(crate) struct Ignore(Vec<String>);

impl Ignore {
    #[must_use]
    pub(crate) fn new(patterns: &[String]) -> Self {
        Ignore(patterns.to_vec())
    }

    fn component(&self, name: &str) -> bool {
        self.0.iter().filter(|p| !p.contains("->")).any(|p| glob(p, name))
    }

    fn dependency(&self, from: &str, to: &str) -> bool {
        self.0.iter().any(|p| match p.split_once("->") {
            Some((a, b)) => glob(a.trim(), from) && glob(b.trim(), to),
            None => glob(p, from) || glob(p, to),
        })
    }
}

/// `*` matches any run of characters; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    true
}

/// A name folded for matching: lowercase, letters and digits only.
fn fold(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Finds the declared component an observed name means: its id, its label, or either folded
/// (`Order Service`, `order-service`, `orderservice`); the first in manifest order wins.
struct Names {
    labels: BTreeMap<String, ServiceId>,
    folded: BTreeMap<String, ServiceId>,
}

impl Names {
    fn new(model: &Model) -> Self {
        let mut labels = BTreeMap::new();
        let mut folded = BTreeMap::new();
        for id in model.components() {
            let c = model.component(id);
            labels.entry(c.label.clone()).or_insert(id);
            for f in [fold(&c.id), fold(&c.label)] {
                if !f.is_empty() {
                    folded.entry(f).or_insert(id);
                }
            }
        }
        Names { labels, folded }
    }

    fn find(&self, model: &Model, name: &str) -> Option<ServiceId> {
        model
            .find(name)
            .or_else(|| self.labels.get(name).copied())
            .or_else(|| self.folded.get(&fold(name)).copied())
    }
}

/// Compares the model with what was observed; gives the findings not allowed or ignored, in
/// manifest order. `anchor` (the root manifest's `services:` key) is where an undeclared
/// component would be added.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one pass per kind of finding, in report order")]
pub(crate) fn compare(
    model: &Model,
    observed: &[Observed],
    ignore: &Ignore,
    anchor: Option<Span>,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let sources: Vec<&str> = observed.iter().map(|o| o.source.as_str()).collect();
    let from = sources.join(", ");
    // Every observed component mapped to a declared one (or not).
    let mut seen: BTreeSet<ServiceId> = BTreeSet::new();
    let mut undeclared: Vec<(String, Vec<String>)> = Vec::new();
    let mut undeclared_at: BTreeMap<String, usize> = BTreeMap::new();
    let names = Names::new(model);
    let mut observed_edges: BTreeMap<(ServiceId, ServiceId), String> = BTreeMap::new();
    let mut kinds: BTreeMap<ServiceId, (Kind, String)> = BTreeMap::new();
    let mut replicas: BTreeMap<ServiceId, (u32, String)> = BTreeMap::new();
    for o in observed {
        let map: Vec<Option<ServiceId>> =
            o.components.iter().map(|c| names.find(model, &c.name)).collect();
        for (c, m) in o.components.iter().zip(&map) {
            match m {
                Some(id) => {
                    seen.insert(*id);
                    if let Some(k) = c.kind {
                        kinds.entry(*id).or_insert((k, o.source.clone()));
                    }
                    if let Some(r) = c.replicas {
                        replicas.entry(*id).or_insert((r, o.source.clone()));
                    }
                }
                None => {
                    if !undeclared_at.contains_key(&c.name) {
                        undeclared_at.insert(c.name.clone(), undeclared.len());
                        undeclared.push((c.name.clone(), Vec::new()));
                    }
                }
            }
        }
        for (a, b, how) in &o.calls {
            match (map[*a], map[*b]) {
                (Some(x), Some(y)) if x != y => {
                    observed_edges
                        .entry((x, y))
                        .or_insert_with(|| format!("{how} in {}", o.source));
                }
                (Some(_), Some(_)) => {}
                _ => {
                    let (an, bn) = (&o.components[*a].name, &o.components[*b].name);
                    let edge = format!("{an} → {bn}");
                    let who = if map[*a].is_none() { an } else { bn };
                    // The first eleven are kept: ten are shown, an eleventh says there are more.
                    if let Some(&u) = undeclared_at.get(who.as_str())
                        && undeclared[u].1.len() < 11
                        && !undeclared[u].1.contains(&edge)
                    {
                        undeclared[u].1.push(edge);
                    }
                }
            }
        }
    }
    let allowed = |id: ServiceId, code: (&str, &str)| {
        model
            .component(id)
            .allow
            .iter()
            .any(|a| crate::diagnostic::names_code(&a.value, code.0, code.1))
    };
    for id in model.components() {
        let c = model.component(id);
        if !seen.contains(&id) {
            if !allowed(id, codes::UNSEEN_COMPONENT) && !ignore.component(&c.id) {
                out.push(
                    Diagnostic::new(
                        codes::UNSEEN_COMPONENT.0,
                        codes::UNSEEN_COMPONENT.1,
                        Severity::Warn,
                        format!("`{}` is declared but not seen in {from}", c.id),
                    )
                    .with_label(c.span, "declared here")
                    .with_help(format!(
                        "remove it if it is gone, or add `allow: [unseen-component]` to `{}`",
                        c.id
                    ))
                    .with_subjects([c.id.clone()]),
                );
            }
            continue;
        }
        if let Some((k, src)) = kinds.get(&id)
            && *k != c.kind
            && !allowed(id, codes::KIND_DIFFERS)
            && !ignore.component(&c.id)
        {
            out.push(
                Diagnostic::new(
                    codes::KIND_DIFFERS.0,
                    codes::KIND_DIFFERS.1,
                    Severity::Warn,
                    format!(
                        "`{}` is declared as {} but runs as a {} ({src})",
                        c.id,
                        c.kind.as_str(),
                        k.as_str()
                    ),
                )
                .with_label(c.kind_span.unwrap_or(c.span), format!("{} in {src}", k.as_str()))
                .with_help(format!("write `kind: {}`, or add `allow: [kind-differs]`", k.as_str()))
                .with_subjects([c.id.clone()]),
            );
        }
        if let Some((r, src)) = replicas.get(&id)
            && *r != c.replicas
            && !allowed(id, codes::REPLICAS_DIFFER)
            && !ignore.component(&c.id)
        {
            out.push(
                Diagnostic::new(
                    codes::REPLICAS_DIFFER.0,
                    codes::REPLICAS_DIFFER.1,
                    Severity::Warn,
                    format!(
                        "`{}` declares {} replica{} but {src} runs {r}",
                        c.id,
                        c.replicas,
                        if c.replicas == 1 { "" } else { "s" }
                    ),
                )
                .with_label(c.span, format!("{r} in {src}"))
                .with_help(format!("write `replicas: {r}`, or add `allow: [replicas-differ]`"))
                .with_subjects([c.id.clone()]),
            );
        }
        // Declared dependencies not observed, between observed components.
        for (t, dep) in model.dependencies(id) {
            let target = model.component(t);
            if !seen.contains(&t) || observed_edges.contains_key(&(id, t)) {
                continue;
            }
            if allowed(id, codes::UNSEEN_DEPENDENCY) || ignore.dependency(&c.id, &target.id) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    codes::UNSEEN_DEPENDENCY.0,
                    codes::UNSEEN_DEPENDENCY.1,
                    Severity::Warn,
                    format!("`{}` → `{}` is declared but not seen in {from}", c.id, target.id),
                )
                .with_label(dep.span, "declared here")
                .with_help(format!(
                    "remove it if it is gone, or add `allow: [unseen-dependency]` to `{}`",
                    c.id
                ))
                .with_subjects([c.id.clone(), target.id.clone()]),
            );
        }
        // Observed dependencies not declared.
        for ((a, b), how) in observed_edges.range((id, ServiceId::new(0))..=(id, ServiceId::end()))
        {
            debug_assert_eq!(*a, id);
            if model.edge(*a, *b).is_some() {
                continue;
            }
            let target = model.component(*b);
            if allowed(id, codes::UNDECLARED_DEPENDENCY) || ignore.dependency(&c.id, &target.id) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    codes::UNDECLARED_DEPENDENCY.0,
                    codes::UNDECLARED_DEPENDENCY.1,
                    Severity::Warn,
                    format!("`{}` → `{}` runs ({how}) but is not declared", c.id, target.id),
                )
                .with_label(c.span, format!("add `{}` to its depends_on", target.id))
                .with_help(format!(
                    "declare it, or add `allow: [undeclared-dependency]` to `{}`",
                    c.id
                ))
                .with_subjects([c.id.clone(), target.id.clone()]),
            );
        }
    }
    for (name, edges) in undeclared {
        if ignore.component(&name) {
            continue;
        }
        let mut d = Diagnostic::new(
            codes::UNDECLARED_COMPONENT.0,
            codes::UNDECLARED_COMPONENT.1,
            Severity::Warn,
            format!("`{name}` runs in {from} but is not declared"),
        )
        .with_help(format!("add `{name}` to services, or pass `--ignore {name}`"))
        .with_subjects([name.clone()]);
        if let Some(at) = anchor {
            d = d.with_label(at, format!("`{name}` is not among these"));
        }
        if !edges.is_empty() {
            let shown: Vec<&str> = edges.iter().take(10).map(String::as_str).collect();
            let more = if edges.len() > 10 { " and more".to_string() } else { String::new() };
            d = d.with_note(format!("seen: {}{more}", shown.join(", ")));
        }
        out.push(d);
    }
    out
}

/// A Markdown report: a table of findings, for pull-request comments and job summaries.
#[must_use]
pub(crate) fn markdown(findings: &[Diagnostic], sources: &crate::source::Sources) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("## archmap drift\n\n");
    if findings.is_empty() {
        out.push_str("No drift: the manifest and what runs agree.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{} difference{}:\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    out.push_str("| code | what | where |\n| --- | --- | --- |\n");
    for d in findings {
        let at = d.primary_span().map_or_else(
            || "—".to_string(),
            |s: Span| {
                let f = sources.get(s.file);
                format!("`{}:{}`", md(f.name()), f.line_col(s.start).line)
            },
        );
        let _ = writeln!(out, "| {} {} | {} | {at} |", d.code, d.id, md(&d.message));
    }
    out
}

/// Text safe in a Markdown table cell.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("load*", "loadgenerator"));
        assert!(glob("*-db", "orders-db"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("a*c", "abd"));
        assert!(glob("x", "x") && !glob("x", "xy"));
        let i = Ignore::new(&["frontend->*".into(), "otel-*".into()]);
        assert!(i.dependency("frontend", "ad"));
        assert!(i.component("otel-collector"));
        assert!(!i.component("frontend"));
    }

    #[test]
    fn calls_read_jaeger_lists_and_objects() {
        let o = observed_calls("t.json", r#"{"data":[{"parent":"a","child":"b","callCount":3},{"parent":"a","child":"a","callCount":1}]}"#).unwrap();
        assert_eq!(o.components.len(), 2);
        assert_eq!(o.calls, [(0, 1, "3 calls".to_string())]);
        assert!(observed_calls("t.json", "[{\"parent\": 1}]").is_err());
        assert!(observed_calls("t.json", "{").is_err());
    }
}
