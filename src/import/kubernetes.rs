//! Kubernetes YAML → components and dependencies, written as a manifest by [`super::write`].
//!
//! Input: the texts of Kubernetes YAML files (multi-document streams, `List` kinds, the output
//! of `helm template` or `kustomize build`). Output: an [`Outcome`] like the compose import's.
//! Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, bare Pod, OpenShift
//! DeploymentConfig) become components; a Service leads to the workloads its selector picks;
//! dependencies come from the values of the containers (init containers too) that name a
//! Service: env values after `$(VAR)` expansion, ConfigMap values (`configMapKeyRef`,
//! `envFrom`), `command` and `args`; Ingresses, Gateway API routes and OpenShift Routes become
//! entry points. Invariants: nothing is invented from port names, prose or command names; an
//! address must resolve to a Service of the input (`svc`, `svc.ns`, `svc.ns.svc`,
//! `svc.ns.svc.cluster.local`, as a URL or `host:port`); deterministic (input order); no edge
//! out of a passive component (database, cache, queue, topic, storage); an inferred edge that
//! would close a sync cycle is left out with a comment and a warning.

#![allow(
    clippy::doc_markdown,
    reason = "Kubernetes kinds (ConfigMap, StatefulSet…) are prose here"
)]

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Component, ComposeFile, Counts, Dep, MAX_TEXT, Outcome, Source, codes, id_for, infer,
    interpolate, is_sync, path_within, write,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::yaml::{self, Node, Value};
use crate::source::{SourceFile, Sources, Span};
use crate::vocab::Kind;

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct KubeRequest {
    /// The files, read in this order (`name`, bytes).
    pub files: Vec<ComposeFile>,
    /// The namespace of objects that name none (`--namespace`); `None`: the one namespace the
    /// other objects name, if they all name the same, else `default`.
    pub namespace: Option<String>,
    /// Group components by this pod label (`--group-by LABEL`); `None`: by namespace, when the
    /// input spans more than one.
    pub group_by: Option<String>,
    /// The system's name.
    pub name: String,
}

/// Workload kinds and where their pod template is.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("ReplicationController", &["spec", "template"]),
    ("DeploymentConfig", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    ("Pod", &[]),
];

/// The most documents read in one import. Each is parsed on its own (about 0.04 ms apiece in a
/// release build), so this bounds the time to about a second.
const MAX_DOCUMENTS: usize = 20_000;

/// One object of the input.
struct Object {
    kind: String,
    name: String,
    namespace: Option<String>,
    node: Node,
}

/// One `data` entry of a ConfigMap: key, value, where the value is.
type ConfigValue = (String, String, Span);

/// A Service: where its name leads.
struct Service {
    name: String,
    namespace: String,
    /// `spec.selector`; empty: none (Endpoints written by hand, or ExternalName).
    selector: Vec<(String, String)>,
    /// `spec.externalName`.
    external: Option<String>,
}

/// A workload: one component.
struct Workload {
    namespace: String,
    /// The pod template's labels.
    labels: Vec<(String, String)>,
    /// The pod spec.
    pod: Option<Node>,
}

/// Imports Kubernetes YAML into a manifest.
#[must_use]
pub fn import(request: &KubeRequest) -> Outcome {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut objects = Vec::new();
    let mut values_left = yaml::MAX_VALUES;
    let mut documents = 0usize;
    for f in &request.files {
        read_file(
            f,
            &mut sources,
            &mut diagnostics,
            &mut objects,
            (&mut values_left, &mut documents),
        );
    }
    if diagnostics.iter().any(|d: &Diagnostic| d.fatal) {
        return finish(sources, diagnostics, None, Counts::default());
    }
    let default_ns = request.namespace.clone().unwrap_or_else(|| {
        let named: BTreeSet<&str> = objects.iter().filter_map(|o| o.namespace.as_deref()).collect();
        if named.len() == 1 {
            named.into_iter().next().unwrap_or("default").to_string()
        } else {
            "default".to_string()
        }
    });
    let mut k = Kube::new(&objects, &default_ns, request, sources, diagnostics);
    if k.components.is_empty() {
        let at = Span::new(crate::source::FileId(0), 0, 0);
        let mut d = Diagnostic::new(
            codes::KUBE_SCHEMA.0,
            codes::KUBE_SCHEMA.1,
            Severity::Error,
            "no workloads to import: no Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod"
                .to_string(),
        )
        .with_help("name the files or directories that hold the workloads, or pipe `helm template` or `kustomize build` into `archmap import kubernetes -`")
        .fatal();
        if k.sources.iter().next().is_some() {
            d = d.with_label(at, "");
        }
        k.diagnostics.push(d);
        return finish(k.sources, k.diagnostics, None, Counts::default());
    }
    k.routes(&objects, request, &default_ns);
    k.containers();
    k.write(request, &default_ns)
}

fn finish(
    sources: Sources,
    mut diagnostics: Vec<Diagnostic>,
    manifest: Option<String>,
    counts: Counts,
) -> Outcome {
    crate::diagnostic::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(|d| d.fatal);
    Outcome {
        manifest: if failed { None } else { manifest },
        sources,
        diagnostics,
        read: Vec::new(),
        counts,
    }
}

/// The byte ranges of the documents of a YAML stream: split at `---` lines, ended by `...`.
pub(crate) fn documents(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker =
            |m: &str| bare == m || bare.strip_prefix(m).is_some_and(|r| r.starts_with([' ', '\t']));
        if marker("---") || marker("...") {
            out.push((start, offset));
            start = offset + line.len();
        }
        offset += line.len();
    }
    out.push((start, text.len()));
    out.retain(|&(s, e)| {
        text[s..e].lines().any(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
    });
    out
}

/// Reads one file: each document parsed on its own (a source of its own, padded with the
/// newlines before it so that lines match the file's), its objects (and `List` items) added.
fn read_file(
    f: &ComposeFile,
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    objects: &mut Vec<Object>,
    (values_left, count): (&mut usize, &mut usize),
) {
    let text = match std::str::from_utf8(&f.bytes) {
        Ok(t) => t,
        Err(e) => {
            let id = sources.add(SourceFile::new(&f.name, ""));
            diagnostics.push(
                Diagnostic::new(
                    codes::KUBE_SYNTAX.0,
                    codes::KUBE_SYNTAX.1,
                    Severity::Error,
                    format!("not UTF-8 (byte {})", e.valid_up_to()),
                )
                .with_label(Span::new(id, 0, 0), "")
                .fatal(),
            );
            return;
        }
    };
    let whole = sources.add(SourceFile::new(&f.name, text));
    for (start, end) in documents(text) {
        *count += 1;
        if *count > MAX_DOCUMENTS {
            diagnostics.push(
                Diagnostic::new(
                    codes::KUBE_SYNTAX.0,
                    codes::KUBE_SYNTAX.1,
                    Severity::Error,
                    format!("more than {MAX_DOCUMENTS} YAML documents in one import"),
                )
                .with_label(Span::new(whole, start, start), "")
                .fatal(),
            );
            return;
        }
        // Each document is parsed alone (the reader takes one document), then its places are
        // moved to where it stands in the file: linear in the file, however many documents.
        let doc = SourceFile::new(&f.name, &text[start..end]);
        let node = match yaml::parse(whole, &doc, values_left) {
            Ok(mut n) => {
                shift(&mut n, start);
                n
            }
            Err(e) => {
                diagnostics.push(
                    Diagnostic::new(
                        codes::KUBE_SYNTAX.0,
                        codes::KUBE_SYNTAX.1,
                        Severity::Error,
                        format!("invalid YAML: {}", e.message),
                    )
                    .with_label(Span::new(whole, e.span.start + start, e.span.end + start), "")
                    .fatal(),
                );
                continue;
            }
        };
        add_object(node, objects, diagnostics, 0);
    }
}

/// Moves every place in a tree `by` bytes on.
fn shift(node: &mut Node, by: usize) {
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Map(entries) => {
            for (k, v) in entries {
                shift(k, by);
                shift(v, by);
            }
        }
        _ => {}
    }
}

/// Adds an object, or the items of a `List`.
fn add_object(
    node: Node,
    objects: &mut Vec<Object>,
    diagnostics: &mut Vec<Diagnostic>,
    depth: usize,
) {
    match &node.value {
        Value::Null => return,
        Value::Map(_) => {}
        other => {
            diagnostics.push(
                Diagnostic::new(
                    codes::KUBE_SCHEMA.0,
                    codes::KUBE_SCHEMA.1,
                    Severity::Warn,
                    format!("a Kubernetes object is a map, found {}; skipped", other.describe()),
                )
                .with_label(node.span, ""),
            );
            return;
        }
    }
    let kind = text_at(&node, &["kind"]).unwrap_or_default();
    if kind.ends_with("List") && depth < 4 {
        if let Some(Node { value: Value::Seq(items), .. }) = at(&node, &["items"]) {
            for item in items.clone() {
                add_object(item, objects, diagnostics, depth + 1);
            }
        }
        return;
    }
    let name = text_at(&node, &["metadata", "name"]).unwrap_or_default();
    if kind.is_empty() || name.is_empty() {
        return;
    }
    let namespace = text_at(&node, &["metadata", "namespace"]).filter(|n| !n.is_empty());
    objects.push(Object { kind, name, namespace, node });
}

/// The node at a path of map keys.
fn at<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    let mut cur = node;
    for key in path {
        cur = super::compose::get(cur, key)?;
    }
    Some(cur)
}

/// A scalar at a path, as text.
fn text_at(node: &Node, path: &[&str]) -> Option<String> {
    at(node, path).and_then(|n| super::compose::scalar_string(&n.value))
}

/// The string entries of a map at a path.
fn pairs_at(node: &Node, path: &[&str]) -> Vec<(String, String)> {
    match at(node, path).map(|n| &n.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    super::compose::scalar_string(&k.value)?,
                    super::compose::scalar_string(&v.value)?,
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn seq_at<'n>(node: &'n Node, path: &[&str]) -> &'n [Node] {
    match at(node, path).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// What the phases share.
struct Kube<'o> {
    sources: Sources,
    diagnostics: Vec<Diagnostic>,
    /// Workloads, component `i` is workload `i` (entry points and externals come after).
    workloads: Vec<Workload>,
    components: Vec<Component>,
    taken: BTreeSet<String>,
    services: Vec<Service>,
    /// Services by (namespace, name).
    service_index: BTreeMap<(String, String), usize>,
    /// ConfigMaps by (namespace, name): their `data`, with spans.
    config_maps: BTreeMap<(String, String), Vec<ConfigValue>>,
    /// Externals made for ExternalName Services, by Service index.
    externals: BTreeMap<usize, usize>,
    /// Namespaces that appear.
    namespaces: BTreeSet<String>,
    /// Workloads by (namespace, pod label, value), for selectors.
    by_label: BTreeMap<(String, String, String), Vec<usize>>,
    /// What each Service selects, once computed.
    selected_cache: BTreeMap<usize, Vec<usize>>,
    counts: Counts,
    _objects: std::marker::PhantomData<&'o ()>,
}

impl<'o> Kube<'o> {
    /// Takes the objects; gives one component per workload and the Services and ConfigMaps.
    fn new(
        objects: &'o [Object],
        default_ns: &str,
        request: &KubeRequest,
        sources: Sources,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let mut k = Kube {
            sources,
            diagnostics,
            workloads: Vec::new(),
            components: Vec::new(),
            taken: BTreeSet::new(),
            services: Vec::new(),
            service_index: BTreeMap::new(),
            config_maps: BTreeMap::new(),
            externals: BTreeMap::new(),
            namespaces: BTreeSet::new(),
            by_label: BTreeMap::new(),
            selected_cache: BTreeMap::new(),
            counts: Counts::default(),
            _objects: std::marker::PhantomData,
        };
        let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
        for o in objects {
            let ns = o.namespace.clone().unwrap_or_else(|| default_ns.to_string());
            if !seen.insert((o.kind.clone(), ns.clone(), o.name.clone())) {
                k.diagnostics.push(
                    Diagnostic::new(
                        codes::KUBE_SCHEMA.0,
                        codes::KUBE_SCHEMA.1,
                        Severity::Warn,
                        format!("{} `{}` in namespace `{ns}` is defined again; the first definition is kept", o.kind, o.name),
                    )
                    .with_label(o.node.span, ""),
                );
                continue;
            }
            match o.kind.as_str() {
                "Service" => {
                    let selector = pairs_at(&o.node, &["spec", "selector"]);
                    let external = text_at(&o.node, &["spec", "externalName"]).filter(|_| {
                        text_at(&o.node, &["spec", "type"]).as_deref() == Some("ExternalName")
                    });
                    k.service_index.insert((ns.clone(), o.name.clone()), k.services.len());
                    k.services.push(Service {
                        name: o.name.clone(),
                        namespace: ns,
                        selector,
                        external,
                    });
                }
                "ConfigMap" => {
                    let mut data = Vec::new();
                    if let Some(Value::Map(entries)) = at(&o.node, &["data"]).map(|n| &n.value) {
                        for (key, v) in entries {
                            if let (Some(name), Some(value)) = (
                                super::compose::scalar_string(&key.value),
                                super::compose::scalar_string(&v.value),
                            ) {
                                data.push((name, value, v.span));
                            }
                        }
                    }
                    k.config_maps.insert((ns, o.name.clone()), data);
                }
                kind => {
                    let Some((_, path)) = WORKLOADS.iter().find(|(w, _)| *w == kind) else {
                        continue;
                    };
                    let template = if path.is_empty() { Some(&o.node) } else { at(&o.node, path) };
                    let labels =
                        template.map(|t| pairs_at(t, &["metadata", "labels"])).unwrap_or_default();
                    let pod = template.and_then(|t| at(t, &["spec"])).cloned();
                    k.add_workload(o, ns, labels, pod, request);
                }
            }
        }
        k
    }

    /// Adds workload `o`'s component.
    fn add_workload(
        &mut self,
        o: &Object,
        ns: String,
        labels: Vec<(String, String)>,
        pod: Option<Node>,
        request: &KubeRequest,
    ) {
        let id = id_for(&o.name, &self.taken);
        self.taken.insert(id.clone());
        let containers: Vec<&Node> =
            pod.as_ref().map(|p| seq_at(p, &["containers"]).iter().collect()).unwrap_or_default();
        let image =
            containers.first().and_then(|c| text_at(c, &["image"])).filter(|s| !s.is_empty());
        let mounts: Vec<String> = containers
            .first()
            .map(|c| {
                seq_at(c, &["volumeMounts"])
                    .iter()
                    .filter_map(|m| text_at(m, &["mountPath"]))
                    .collect()
            })
            .unwrap_or_default();
        let (kind, kind_why) = if matches!(o.kind.as_str(), "Job" | "CronJob") {
            (Kind::Job, Some(format!("a {}", o.kind)))
        } else {
            infer::kind_of(image.as_deref(), &o.name, &mounts)
                .map_or((Kind::Service, None), |(k, why)| (k, Some(why)))
        };
        let replicas = match at(&o.node, &["spec", "replicas"]).map(|n| &n.value) {
            Some(Value::Int(r)) if (1..=i64::from(u32::MAX)).contains(r) => {
                Some((*r, "spec.replicas"))
            }
            _ => None,
        };
        let group = match &request.group_by {
            Some(label) => labels.iter().find(|(k, _)| k == label).map(|(_, v)| v.clone()),
            None => Some(ns.clone()),
        };
        self.namespaces.insert(ns.clone());
        let mut notes = Vec::new();
        let place = super::place(&self.sources, o.node.span);
        notes.push(format!("{} {} ({place})", o.kind, o.name));
        self.components.push(Component {
            label: (id != o.name).then(|| interpolate::truncate(&o.name, MAX_TEXT)),
            id,
            kind,
            kind_why,
            image,
            replicas,
            deps: Vec::new(),
            notes,
            group,
        });
        let w = self.workloads.len();
        for (k, v) in &labels {
            self.by_label.entry((ns.clone(), k.clone(), v.clone())).or_default().push(w);
        }
        self.workloads.push(Workload { namespace: ns, labels, pod });
    }

    /// The workloads a Service selects, in input order (the workloads with its selector's
    /// first label, filtered by the others).
    fn selected(&mut self, s: usize) -> Vec<usize> {
        if let Some(found) = self.selected_cache.get(&s) {
            return found.clone();
        }
        let svc = &self.services[s];
        let found: Vec<usize> = match svc.selector.first() {
            None => Vec::new(),
            Some((k, v)) => self
                .by_label
                .get(&(svc.namespace.clone(), k.clone(), v.clone()))
                .map(|ws| {
                    ws.iter()
                        .copied()
                        .filter(|&w| {
                            let labels = &self.workloads[w].labels;
                            svc.selector.iter().all(|sel| labels.iter().any(|l| l == sel))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        self.selected_cache.insert(s, found.clone());
        found
    }

    /// The Service a host name means, seen from namespace `ns`.
    fn service_for(&self, host: &str, ns: &str) -> Option<usize> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        let find = |ns: &str, name: &str| {
            self.service_index.get(&(ns.to_string(), name.to_string())).copied()
        };
        match labels.as_slice() {
            [svc] => find(ns, svc),
            // `svc.ns`, `svc.ns.svc…`, and a StatefulSet pod's own name
            // `pod.svc.ns.svc.cluster.local`.
            [svc, other] | [svc, other, "svc", ..] | [_, svc, other, "svc", ..] => find(other, svc),
            _ => None,
        }
        .or_else(|| match labels.as_slice() {
            [_, svc] => find(ns, svc),
            [_, svc, other] if *other != "svc" => find(other, svc),
            _ => None,
        })
    }

    /// The components a Service leads to: the workloads it selects, or an external component
    /// for an ExternalName Service.
    fn targets_of(&mut self, s: usize) -> Vec<usize> {
        if let Some(ext) = self.services[s].external.clone() {
            if let Some(&c) = self.externals.get(&s) {
                return vec![c];
            }
            let name = self.services[s].name.clone();
            let id = id_for(&name, &self.taken);
            self.taken.insert(id.clone());
            self.components.push(Component {
                label: (id != name).then(|| interpolate::truncate(&name, MAX_TEXT)),
                id,
                kind: Kind::External,
                kind_why: Some(format!(
                    "an ExternalName Service for {}",
                    interpolate::truncate(&ext, MAX_TEXT)
                )),
                image: None,
                replicas: None,
                deps: Vec::new(),
                notes: Vec::new(),
                group: None,
            });
            let c = self.components.len() - 1;
            self.externals.insert(s, c);
            return vec![c];
        }
        self.selected(s)
    }

    /// Ingresses, Gateway API routes and OpenShift Routes: an entry-point component each, with
    /// a dependency on every workload its backends lead to.
    fn routes(&mut self, objects: &[Object], request: &KubeRequest, default_ns: &str) {
        for o in objects {
            let ns = o.namespace.clone();
            let backends: Vec<(String, Span)> = match o.kind.as_str() {
                "Ingress" => ingress_backends(&o.node),
                "HTTPRoute" | "GRPCRoute" | "TCPRoute" | "TLSRoute" | "UDPRoute" => {
                    route_backends(&o.node)
                }
                "Route" => {
                    let mut v = Vec::new();
                    for path in [&["spec", "to"][..]] {
                        if let Some(n) = at(&o.node, path)
                            && text_at(n, &["kind"]).is_none_or(|k| k == "Service")
                            && let Some(name) = text_at(n, &["name"])
                        {
                            v.push((name, n.span));
                        }
                    }
                    for b in seq_at(&o.node, &["spec", "alternateBackends"]) {
                        if let Some(name) = text_at(b, &["name"]) {
                            v.push((name, b.span));
                        }
                    }
                    v
                }
                _ => continue,
            };
            let ns = ns.unwrap_or_else(|| default_ns.to_string());
            let source = if o.kind == "Ingress" { Source::Ingress } else { Source::Route };
            let mut deps: Vec<Dep> = Vec::new();
            let mut routed: BTreeSet<usize> = BTreeSet::new();
            for (backend, span) in backends {
                let Some(&s) = self.service_index.get(&(ns.clone(), backend.clone())) else {
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::KUBE_REFERENCE.0,
                            codes::KUBE_REFERENCE.1,
                            Severity::Warn,
                            format!("{} `{}` routes to Service `{backend}`, which the input does not define; left out", o.kind, o.name),
                        )
                        .with_label(span, ""),
                    );
                    continue;
                };
                let why = format!(
                    "{} {} → Service {backend} ({})",
                    o.kind,
                    o.name,
                    super::place(&self.sources, span)
                );
                for t in self.targets_of(s) {
                    if routed.insert(t) {
                        deps.push(Dep {
                            target: t,
                            source,
                            why: why.clone(),
                            protocol: None,
                            optional: false,
                        });
                    }
                }
            }
            let wanted = o.name.clone();
            let id = if self.taken.contains(&wanted) {
                id_for(&format!("{wanted}-{}", o.kind.to_ascii_lowercase()), &self.taken)
            } else {
                id_for(&wanted, &self.taken)
            };
            self.taken.insert(id.clone());
            self.components.push(Component {
                label: (id != o.name).then(|| interpolate::truncate(&o.name, MAX_TEXT)),
                id,
                kind: Kind::Gateway,
                kind_why: Some(format!("an entry point: {} {}", o.kind, o.name)),
                image: None,
                replicas: None,
                deps,
                notes: Vec::new(),
                // Grouped with the workloads of its namespace (by namespace only).
                group: request.group_by.is_none().then(|| ns.clone()),
            });
        }
    }

    /// The dependencies of each workload, from its containers' values.
    fn containers(&mut self) {
        let mut sync: Vec<Vec<usize>> = vec![Vec::new(); self.components.len()];
        for (i, c) in self.components.iter().enumerate() {
            for d in &c.deps {
                if is_sync(&self.components, d) {
                    sync[i].push(d.target);
                }
            }
        }
        let mut search_left = super::MAX_CYCLE_SEARCH;
        for i in 0..self.workloads.len() {
            if self.components[i].kind.is_passive() {
                continue;
            }
            let Some(pod) = self.workloads[i].pod.clone() else { continue };
            let ns = self.workloads[i].namespace.clone();
            let mut targets: BTreeSet<usize> =
                self.components[i].deps.iter().map(|d| d.target).collect();
            let mut found: Vec<(Source, String, String, Span)> = Vec::new();
            for key in ["initContainers", "containers"] {
                for c in seq_at(&pod, &[key]) {
                    let cname = text_at(c, &["name"]).unwrap_or_default();
                    let init = if key == "initContainers" { " (init container)" } else { "" };
                    let values = self.values_of(c, &ns);
                    for (source, var, value, span) in values {
                        found.push((source, format!("{cname}{init}: {var}"), value, span));
                    }
                }
            }
            for (source, var, value, span) in found {
                let bare_var = var.rsplit(": ").next().unwrap_or(&var).to_string();
                let mut hosts = if source == Source::Arguments {
                    argument_hosts(&value)
                } else {
                    infer::hosts_in(&bare_var, &value)
                };
                // `REDIS=azure-vote-back`: a bare Service name, in a variable named after
                // what that Service runs.
                if hosts.is_empty()
                    && source != Source::Arguments
                    && let Some(s) = self.service_for(value.trim(), &ns)
                    && self.selected(s).into_iter().any(|t| {
                        let c = &self.components[t];
                        infer::names_product(&bare_var, c.kind, c.image.as_deref())
                    })
                {
                    hosts.push(infer::HostRef {
                        host: value.trim().to_string(),
                        scheme: None,
                        port: None,
                    });
                }
                for host in hosts {
                    let Some(s) = self.service_for(&host.host, &ns) else { continue };
                    for t in self.targets_of(s) {
                        if t == i || !targets.insert(t) {
                            continue;
                        }
                        if sync.len() < self.components.len() {
                            sync.resize(self.components.len(), Vec::new());
                        }
                        let shown = format!("{var}={}", write::mask(&value));
                        let why = format!("{shown} ({})", super::place(&self.sources, span));
                        let protocol = infer::protocol_of(&host)
                            .map(|(p, from)| (p.to_string(), format!("guessed from {from}")))
                            .or_else(|| {
                                let img = self.components[t].image.as_deref()?;
                                let p = infer::protocol_of_image(&infer::parse_image(img))?;
                                Some((p.to_string(), format!("guessed from the image {img}")))
                            });
                        let dep = Dep { target: t, source, why, protocol, optional: false };
                        if is_sync(&self.components, &dep) {
                            match path_within(&sync, t, i, &mut search_left) {
                                Ok(Some(path)) => {
                                    self.drop_inferred(i, &dep, &path, span);
                                    continue;
                                }
                                Ok(None) => {}
                                Err(()) => {
                                    self.counts.dropped += 1;
                                    continue;
                                }
                            }
                            sync[i].push(t);
                        }
                        self.components[i].deps.push(dep);
                    }
                }
            }
        }
    }

    /// Takes an inferred dependency of component `i` and the sync path back; leaves it out.
    fn drop_inferred(&mut self, i: usize, dep: &Dep, path: &[usize], span: Span) {
        let message = super::note_dropped(&mut self.components, i, dep, path);
        self.diagnostics.push(
            Diagnostic::new(codes::DROPPED.0, codes::DROPPED.1, Severity::Warn, message)
                .with_label(span, "")
                .with_help(super::DROPPED_HELP),
        );
        self.counts.dropped += 1;
    }

    /// A container's values that may name a Service: env (expanded, ConfigMap values
    /// resolved), `envFrom` ConfigMaps, `command` and `args` (expanded).
    fn values_of(&mut self, c: &Node, ns: &str) -> Vec<(Source, String, String, Span)> {
        let mut out = Vec::new();
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for e in seq_at(c, &["envFrom"]) {
            let Some(name) = text_at(e, &["configMapRef", "name"]) else { continue };
            let prefix = text_at(e, &["prefix"]).unwrap_or_default();
            match self.config_maps.get(&(ns.to_string(), name.clone())) {
                Some(data) => {
                    for (k, v, span) in data {
                        let key = format!("{prefix}{k}");
                        vars.insert(key.clone(), v.clone());
                        out.push((
                            Source::ConfigMap,
                            format!("configMap {name} {key}"),
                            v.clone(),
                            *span,
                        ));
                    }
                }
                None => self.missing_config_map(&name, ns, e.span),
            }
        }
        for e in seq_at(c, &["env"]) {
            let Some(var) = text_at(e, &["name"]) else { continue };
            if let Some(v) = at(e, &["value"]) {
                let raw = super::compose::scalar_string(&v.value).unwrap_or_default();
                let value = expand(&raw, &vars);
                vars.insert(var.clone(), value.clone());
                out.push((Source::Environment, var, value, v.span));
            } else if let Some(r) = at(e, &["valueFrom", "configMapKeyRef"]) {
                let (Some(name), Some(key)) = (text_at(r, &["name"]), text_at(r, &["key"])) else {
                    continue;
                };
                match self.config_maps.get(&(ns.to_string(), name.clone())) {
                    Some(data) => {
                        if let Some((_, v, span)) = data.iter().find(|(k, _, _)| *k == key) {
                            vars.insert(var.clone(), v.clone());
                            out.push((Source::ConfigMap, var, v.clone(), *span));
                        }
                    }
                    None => self.missing_config_map(&name, ns, r.span),
                }
            }
        }
        for key in ["command", "args"] {
            for a in seq_at(c, &[key]) {
                if let Some(raw) = super::compose::scalar_string(&a.value) {
                    out.push((Source::Arguments, key.to_string(), expand(&raw, &vars), a.span));
                }
            }
        }
        out
    }

    fn missing_config_map(&mut self, name: &str, ns: &str, span: Span) {
        self.diagnostics.push(
            Diagnostic::new(
                codes::KUBE_REFERENCE.0,
                codes::KUBE_REFERENCE.1,
                Severity::Warn,
                format!("ConfigMap `{name}` (namespace `{ns}`) is not in the input; its values are not used"),
            )
            .with_label(span, "")
            .with_help("add the file that defines it, or pipe the whole `kustomize build`/`helm template` output"),
        );
    }

    /// Counts and writes the manifest.
    fn write(mut self, request: &KubeRequest, default_ns: &str) -> Outcome {
        let grouped = request.group_by.is_some() || self.namespaces.len() > 1;
        let mut groups: Vec<(String, String)> = Vec::new();
        let mut group_ids: BTreeMap<String, String> = BTreeMap::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for c in &mut self.components {
            let Some(g) = c.group.take() else { continue };
            if !grouped {
                continue;
            }
            let id = group_ids
                .entry(g.clone())
                .or_insert_with(|| {
                    let id = id_for(&g, &taken);
                    taken.insert(id.clone());
                    groups.push((id.clone(), interpolate::truncate(&g, MAX_TEXT)));
                    id
                })
                .clone();
            c.group = Some(id);
        }
        for c in &self.components {
            for d in &c.deps {
                if d.source.is_inferred() {
                    self.counts.inferred += 1;
                } else {
                    self.counts.declared += 1;
                }
            }
        }
        self.counts.components = self.components.len();
        let files: Vec<String> = request.files.iter().map(|f| f.name.clone()).collect();
        let note = format!("objects without a namespace in {default_ns}");
        let text = write::manifest(
            &write::Header {
                command: "import kubernetes",
                name: &interpolate::truncate(&request.name, MAX_TEXT),
                files: &files,
                profiles: &note,
                left_out: &[],
                legend: KUBE_LEGEND,
                groups: &groups,
            },
            &self.components,
        );
        finish(self.sources, self.diagnostics, Some(text), self.counts)
    }
}

/// What each `x-source` of a Kubernetes import means.
const KUBE_LEGEND: &str = "# Kinds and protocols with a comment are guesses: review them. `x-source` on each\n\
     # dependency says where it came from: ingress, route (an Ingress, Gateway API route or\n\
     # OpenShift Route sends traffic to the Service's workloads); environment, configmap, args\n\
     # (inferred from a container's value that names a Service).\n";

/// `$(VAR)` expanded with the variables defined before, as the kubelet does; `$$(VAR)` is a
/// literal `$(VAR)`; an undefined variable stays as written.
fn expand(raw: &str, vars: &BTreeMap<String, String>) -> String {
    if !raw.contains("$(") {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("$$") {
            out.push('$');
            rest = t;
        } else if let Some(t) = tail.strip_prefix("$(")
            && let Some(end) = t.find(')')
        {
            let name = &t[..end];
            match vars.get(name) {
                Some(v) if out.len() + v.len() <= interpolate::MAX_INTERPOLATED => out.push_str(v),
                _ => {
                    out.push_str("$(");
                    out.push_str(name);
                    out.push(')');
                }
            }
            rest = &t[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Hosts in a `command`/`args` item: each word (a shell line is split at spaces, quotes and
/// `;`), as a URL, `host:port`, or the value of `--flag=value` whose flag names an address.
fn argument_hosts(value: &str) -> Vec<infer::HostRef> {
    let mut out = Vec::new();
    for word in value.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '`')) {
        if word.is_empty() {
            continue;
        }
        let (name, v) = match word.split_once('=') {
            Some((flag, v)) if flag.starts_with('-') => (flag.trim_start_matches('-'), v),
            _ => ("", word),
        };
        out.extend(infer::hosts_in(name, v));
    }
    out
}

/// The Services an Ingress sends traffic to (`networking.k8s.io/v1` and the older
/// `serviceName` form), with their places.
fn ingress_backends(node: &Node) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    let mut backend = |b: &Node| {
        let name = text_at(b, &["service", "name"]).or_else(|| text_at(b, &["serviceName"]));
        if let Some(name) = name
            && names.insert(name.clone())
        {
            out.push((name, b.span));
        }
    };
    for path in [&["spec", "defaultBackend"][..], &["spec", "backend"]] {
        if let Some(b) = at(node, path) {
            backend(b);
        }
    }
    for rule in seq_at(node, &["spec", "rules"]) {
        for p in seq_at(rule, &["http", "paths"]) {
            if let Some(b) = at(p, &["backend"]) {
                backend(b);
            }
        }
    }
    out
}

/// The Services a Gateway API route sends traffic to.
fn route_backends(node: &Node) -> Vec<(String, Span)> {
    let mut out: Vec<(String, Span)> = Vec::new();
    let mut names = BTreeSet::new();
    for rule in seq_at(node, &["spec", "rules"]) {
        for b in seq_at(rule, &["backendRefs"]) {
            let is_service = text_at(b, &["kind"]).is_none_or(|k| k == "Service")
                && text_at(b, &["group"]).is_none_or(|g| g.is_empty() || g == "core");
            if is_service
                && let Some(name) = text_at(b, &["name"])
                && names.insert(name.clone())
            {
                out.push((name, b.span));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_markers() {
        let text = "---\na: 1\n---\n# only a comment\n--- # c\nb: 2\n...\n";
        let docs = documents(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(&text[docs[0].0..docs[0].1], "a: 1\n");
        assert_eq!(&text[docs[1].0..docs[1].1], "b: 2\n");
    }

    #[test]
    fn variables_expand_like_the_kubelet() {
        let vars = BTreeMap::from([("HOST".to_string(), "db".to_string())]);
        assert_eq!(expand("postgres://$(HOST):5432", &vars), "postgres://db:5432");
        assert_eq!(expand("$$(HOST) $(NOPE)", &vars), "$(HOST) $(NOPE)");
        assert_eq!(expand("a$b", &vars), "a$b");
    }

    #[test]
    fn arguments_yield_urls_host_ports_and_address_flags() {
        let hosts =
            |v: &str| -> Vec<String> { argument_hosts(v).into_iter().map(|h| h.host).collect() };
        assert_eq!(hosts("--redis=redis:6379"), ["redis"]);
        assert_eq!(hosts("--db-host=mysql"), ["mysql"]);
        assert_eq!(hosts("sh -c 'until nslookup mysql; do sleep 2; done'"), Vec::<String>::new());
        assert_eq!(
            hosts("curl http://orders.shop.svc.cluster.local/x"),
            ["orders.shop.svc.cluster.local"]
        );
        assert_eq!(hosts("-verbose"), Vec::<String>::new());
    }
}
