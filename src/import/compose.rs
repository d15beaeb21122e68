//! Reading compose files into one project, the way `docker compose -f a -f b` does.
//!
//! Input: the compose files' texts, a [`FileSystem`] for `extends: file:` targets, and the
//! variables to interpolate with. Output: a [`Project`]: every service in order of first
//! appearance, each a merged, normalised [`Node`] map (environment and `depends_on` as maps,
//! `env_file`, `links`, `profiles` as lists), with `extends` applied. Invariants: spans point at
//! the YAML that gave each value (the file that last set it); every problem is a
//! [`Diagnostic`], fatal when docker compose would refuse the file; never panics.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::codes;
use super::interpolate::{self, InterpolateError, interpolate_within};
use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::FileSystem;
use crate::manifest::yaml::{self, Node, Value};
use crate::source::{FileId, SourceFile, Sources, Span};

/// The deepest chain of `extends`.
const MAX_EXTENDS_DEPTH: usize = 32;

/// One service after merging and `extends`.
#[derive(Clone, Debug)]
pub(crate) struct Service {
    /// The service's name.
    pub name: String,
    /// Where the name is first written.
    pub span: Span,
    /// Its normalised definition: always a map.
    pub body: Node,
}

/// The services of one file, by name, in file order.
pub(crate) type Services = IndexMap<String, Service>;

/// A file's top-level `name` (interpolated, with its place) and its services.
pub(crate) type FileContents = (Option<(String, Span)>, Services);

/// State shared while reading: sources, findings, variables.
pub(crate) struct Reader<'a> {
    /// Every file read.
    pub sources: Sources,
    /// Problems found so far.
    pub diagnostics: Vec<Diagnostic>,
    /// Files read through the file system (extends targets, env files).
    pub read: Vec<PathBuf>,
    fs: &'a dyn FileSystem,
    vars: &'a dyn Fn(&str) -> Option<String>,
    warned_unset: BTreeSet<String>,
    /// Files loaded for `extends: file:`, by path: their services, extends not yet applied.
    extends_files: Vec<(PathBuf, Option<(FileId, Services)>)>,
    /// Bytes interpolation may still produce in this import ([`MAX_INTERPOLATED_TOTAL`]).
    pub interpolation_left: usize,
    /// The project directory (canonical) that files named by the compose files must resolve
    /// into; `None` with `--allow-outside-includes`.
    pub confine: Option<PathBuf>,
    /// The top-level `include` entries of the file read last.
    includes: Vec<(String, Span)>,
    /// YAML values the import may still read ([`yaml::MAX_VALUES`]).
    values_left: usize,
    /// Bytes the import may still read, compose files included.
    pub input_left: u64,
    /// Files read through `include` so far.
    included: usize,
}

/// The deepest chain of compose `include`s.
const MAX_INCLUDE_DEPTH: usize = 16;
/// The most files compose `include`s may read in one import.
const MAX_INCLUDES: usize = 256;

/// The most bytes interpolation produces in one import (64 MiB), `.env` values included: a
/// 100 KB variable read by 30,000 services would otherwise make 3 GB.
pub(crate) const MAX_INTERPOLATED_TOTAL: usize = 64 << 20;

/// Fields of a service whose interpolation problems stop the import (archmap reads them);
/// elsewhere a problem is a warning (docker compose would refuse the file, archmap does not
/// need the value).
const READ_FIELDS: &[&str] = &[
    "image",
    "container_name",
    "hostname",
    "environment",
    "env_file",
    "depends_on",
    "links",
    "external_links",
    "network_mode",
    "volumes_from",
    "profiles",
    "extends",
    "deploy",
    "scale",
    "networks",
];

impl<'a> Reader<'a> {
    /// A reader over `fs`, interpolating with `vars`.
    pub(crate) fn new(fs: &'a dyn FileSystem, vars: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            sources: Sources::new(),
            diagnostics: Vec::new(),
            read: Vec::new(),
            fs,
            vars,
            warned_unset: BTreeSet::new(),
            extends_files: Vec::new(),
            interpolation_left: MAX_INTERPOLATED_TOTAL,
            confine: None,
            includes: Vec::new(),
            included: 0,
            values_left: yaml::MAX_VALUES,
            input_left: crate::manifest::DEFAULT_MAX_INPUT_BYTES,
        }
    }

    /// Reads a file a compose file names (`extends: file:`, `env_file`), refusing one that
    /// resolves outside the project directory; records it as read.
    pub(crate) fn read_named(&mut self, path: &Path) -> Result<Vec<u8>, String> {
        let bytes = read_confined(self.fs, self.confine.as_deref(), path, self.input_left)?;
        self.input_left -= bytes.len() as u64;
        self.read.push(path.to_path_buf());
        Ok(bytes)
    }

    /// `path` with links and `..` resolved where the file system can, as written otherwise: the
    /// key that makes `a/../b.yaml` and `b.yaml` one file.
    pub(crate) fn file_key(&self, path: &Path) -> String {
        self.fs.canonicalize(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
    }

    /// Whether a fatal problem was found.
    #[must_use]
    pub(crate) fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.fatal)
    }

    pub(crate) fn error(&mut self, code: (&'static str, &'static str), span: Span, msg: String) {
        self.push(code, Severity::Error, span, msg, None);
    }

    pub(crate) fn warn(&mut self, code: (&'static str, &'static str), span: Span, msg: String) {
        self.push(code, Severity::Warn, span, msg, None);
    }

    pub(crate) fn push(
        &mut self,
        code: (&'static str, &'static str),
        severity: Severity,
        span: Span,
        msg: String,
        help: Option<String>,
    ) {
        let mut d =
            Diagnostic::new(code.0, code.1, severity, msg).with_label(span, "").with_help_opt(help);
        if severity == Severity::Error {
            d = d.fatal();
        }
        self.diagnostics.push(d);
    }

    /// Adds a file's text to the sources; `None` (reported) when it is not UTF-8.
    pub(crate) fn add_source(&mut self, name: &str, bytes: Vec<u8>) -> Option<FileId> {
        match String::from_utf8(bytes) {
            Ok(text) => Some(self.sources.add(SourceFile::new(name, text))),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.sources.add(SourceFile::new(name, text));
                self.error(
                    codes::SYNTAX,
                    Span::new(id, at, at + 1),
                    "the file is not valid UTF-8".into(),
                );
                None
            }
        }
    }

    /// Parses and normalises one compose file: its services (extends not applied) and name.
    pub(crate) fn read_file(&mut self, file: FileId) -> Option<FileContents> {
        let tree = match yaml::parse(file, self.sources.get(file), &mut self.values_left) {
            Ok(t) => t,
            Err(e) => {
                self.error(codes::SYNTAX, e.span, format!("invalid YAML: {}", e.message));
                return None;
            }
        };
        let entries = match tree.value {
            Value::Null => Vec::new(),
            Value::Map(entries) => entries,
            other => {
                self.error(
                    codes::SCHEMA,
                    tree.span,
                    format!(
                        "a compose file is a map of top-level keys, found {}",
                        other.describe()
                    ),
                );
                return None;
            }
        };
        self.check_duplicates(&entries, "the file");
        let mut name = None;
        let mut services = IndexMap::new();
        for (k, v) in entries {
            let Value::Str(key) = &k.value else { continue };
            match key.as_str() {
                "name" => {
                    if let Some(s) = scalar_string(&v.value) {
                        let s = self.interpolate_str(&s, v.span, true);
                        name = Some((s, v.span));
                    }
                }
                "include" => self.include_entries(v),
                "services" => match v.value {
                    Value::Null => {}
                    Value::Map(list) => {
                        self.check_duplicates(&list, "`services`");
                        for (sk, sv) in list {
                            let Some(sname) = scalar_string(&sk.value) else {
                                self.error(
                                    codes::SCHEMA,
                                    sk.span,
                                    format!(
                                        "a service name must be a string, found {}",
                                        sk.value.describe()
                                    ),
                                );
                                continue;
                            };
                            if services.contains_key(&sname) {
                                continue;
                            }
                            let body = self.service_body(&sname, sv);
                            services.insert(
                                sname.clone(),
                                Service { name: sname, span: sk.span, body },
                            );
                        }
                    }
                    other => {
                        self.error(
                            codes::SCHEMA,
                            v.span,
                            format!("`services` must be a map of service names to definitions, found {}", other.describe()),
                        );
                    }
                },
                _ => {}
            }
        }
        Some((name, services))
    }

    /// Records the paths of a top-level `include` (short form, or maps with `path`).
    fn include_entries(&mut self, v: Node) {
        let Value::Seq(items) = v.value else {
            self.error(codes::SCHEMA, v.span, "`include` must be a list of paths".into());
            return;
        };
        for item in items {
            match &item.value {
                Value::Str(p) => self.includes.push((p.clone(), item.span)),
                Value::Map(_) => match get(&item, "path").map(|n| (&n.value, n.span)) {
                    Some((Value::Str(p), span)) => self.includes.push((p.clone(), span)),
                    Some((Value::Seq(paths), _)) => {
                        for p in paths {
                            if let Value::Str(s) = &p.value {
                                self.includes.push((s.clone(), p.span));
                            }
                        }
                    }
                    _ => self.error(
                        codes::SCHEMA,
                        item.span,
                        "an `include` entry needs a `path`".into(),
                    ),
                },
                other => self.error(
                    codes::SCHEMA,
                    item.span,
                    format!("an `include` entry is a path or a map, found {}", other.describe()),
                ),
            }
        }
        let mut includes = std::mem::take(&mut self.includes);
        for (p, span) in &mut includes {
            *p = self.interpolate_str(p, *span, true);
        }
        self.includes = includes;
    }

    /// Reads one compose file already added as `file` (at `path`): its services with
    /// `extends` applied, after the services of the files it includes (each read the same way,
    /// inside the project directory; a service defined twice is an error, as in docker
    /// compose). `chain` holds the keys of the files that led here.
    pub(crate) fn read_project_file(
        &mut self,
        file: FileId,
        path: &Path,
        chain: &mut Vec<String>,
    ) -> Option<FileContents> {
        let (name, mut services) = self.read_file(file)?;
        let includes = std::mem::take(&mut self.includes);
        self.apply_extends(&mut services, path);
        if includes.is_empty() {
            return Some((name, services));
        }
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut merged: Services = IndexMap::new();
        for (inc, span) in includes {
            if chain.len() > MAX_INCLUDE_DEPTH {
                self.error(
                    codes::REFERENCE,
                    span,
                    format!("`include`s nest deeper than {MAX_INCLUDE_DEPTH} files"),
                );
                continue;
            }
            let inc_path = dir.join(&inc);
            let key = self.file_key(&inc_path);
            if chain.contains(&key) {
                self.error(
                    codes::REFERENCE,
                    span,
                    format!("`include` cycle: `{}` is already being read", truncate_path(&inc)),
                );
                continue;
            }
            self.included += 1;
            if self.included > MAX_INCLUDES {
                self.error(
                    codes::REFERENCE,
                    span,
                    format!("more than {MAX_INCLUDES} files read through `include`"),
                );
                break;
            }
            let bytes = match self.read_named(&inc_path) {
                Ok(b) => b,
                Err(reason) => {
                    self.error(
                        codes::FILE,
                        span,
                        format!("cannot read `{}` for `include`: {reason}", truncate_path(&inc)),
                    );
                    continue;
                }
            };
            let Some(child) = self.add_source(&crate::manifest::display_path(&inc_path), bytes)
            else {
                continue;
            };
            chain.push(key);
            let contents = self.read_project_file(child, &inc_path, chain);
            chain.pop();
            let Some((_, found)) = contents else { continue };
            for (k, v) in found {
                if let Some(own) = services.get(&k).or_else(|| merged.get(&k)) {
                    let at = own.span;
                    self.error(
                        codes::SCHEMA,
                        at,
                        format!(
                            "service `{k}` is defined here and in the included `{}`",
                            truncate_path(&inc)
                        ),
                    );
                } else {
                    merged.insert(k, v);
                }
            }
        }
        merged.extend(services);
        Some((name, merged))
    }

    /// Reports keys written twice in one map (YAML forbids it; docker compose refuses it).
    fn check_duplicates(&mut self, entries: &[(Node, Node)], what: &str) {
        // Looked up, not searched: a map of 50,000 services is read once.
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        let mut found = Vec::new();
        for (k, _) in entries {
            if let Value::Str(s) = &k.value {
                if let Some(first) = seen.get(s.as_str()) {
                    found.push((s.clone(), k.span, *first));
                } else {
                    seen.insert(s, k.span);
                }
            }
        }
        for (name, span, first) in found {
            let (line, _) = (self.sources.get(first.file).line_col(first.start).line, 0);
            self.error(
                codes::SCHEMA,
                span,
                format!("`{name}` is defined twice in {what} (first on line {line})"),
            );
        }
    }

    /// Interpolates and normalises one service definition.
    fn service_body(&mut self, service: &str, node: Node) -> Node {
        let span = node.span;
        let entries = match node.value {
            Value::Null => Vec::new(),
            Value::Map(entries) => entries,
            other => {
                self.error(
                    codes::SCHEMA,
                    span,
                    format!("service `{service}` must be a map, found {}", other.describe()),
                );
                return Node { value: Value::Map(Vec::new()), span };
            }
        };
        self.check_duplicates(&entries, &format!("service `{service}`"));
        let mut out = Vec::new();
        for (k, v) in entries {
            let Value::Str(key) = &k.value else { continue };
            if key.starts_with("x-") {
                continue;
            }
            let strict = READ_FIELDS.contains(&key.as_str());
            let v = self.interpolate_node(v, strict, 0);
            let v = self.normalise(service, key, v);
            out.push((k, v));
        }
        Node { value: Value::Map(out), span }
    }

    /// Interpolates every string in a tree (not keys, as docker compose does).
    fn interpolate_node(&mut self, node: Node, strict: bool, depth: usize) -> Node {
        let span = node.span;
        let value = match node.value {
            Value::Str(s) => Value::Str(self.interpolate_str(&s, span, strict)),
            Value::Seq(items) if depth < yaml::MAX_DEPTH => Value::Seq(
                items.into_iter().map(|n| self.interpolate_node(n, strict, depth + 1)).collect(),
            ),
            Value::Map(entries) if depth < yaml::MAX_DEPTH => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, self.interpolate_node(v, strict, depth + 1)))
                    .collect(),
            ),
            other => other,
        };
        Node { value, span }
    }

    /// Interpolates one string; problems are reported at `span`.
    pub(crate) fn interpolate_str(&mut self, s: &str, span: Span, strict: bool) -> String {
        if !s.contains('$') {
            return s.to_string();
        }
        if self.interpolation_left == 0 {
            // Over the budget already, and reported: the import fails anyway.
            return String::new();
        }
        let limit = interpolate::MAX_INTERPOLATED.min(self.interpolation_left);
        match interpolate_within(s, self.vars, limit) {
            Ok(r) => {
                self.interpolation_left -= r.text.len();
                for name in r.unset {
                    if self.warned_unset.insert(name.clone()) {
                        self.push(
                            codes::INTERPOLATION,
                            Severity::Warn,
                            span,
                            format!("variable `{name}` is not set; it reads as an empty string"),
                            Some("set it in the environment, in `.env` beside the first compose file, or with --env-file".into()),
                        );
                    }
                }
                r.text
            }
            Err(InterpolateError::TooLarge(_)) => {
                self.push(
                    codes::INTERPOLATION,
                    Severity::Error,
                    span,
                    too_large(limit, self.interpolation_left),
                    Some(TOO_LARGE_HELP.into()),
                );
                if limit == self.interpolation_left {
                    self.interpolation_left = 0;
                }
                String::new()
            }
            Err(e) => {
                let help = match &e {
                    InterpolateError::Required { .. } => {
                        "set the variable in the environment, in `.env`, or with --env-file"
                    }
                    InterpolateError::Invalid(_) | InterpolateError::TooLarge(_) => {
                        "write `$$` for a literal `$`"
                    }
                };
                if strict {
                    self.push(
                        codes::INTERPOLATION,
                        Severity::Error,
                        span,
                        e.to_string(),
                        Some(help.into()),
                    );
                } else {
                    self.push(
                        codes::INTERPOLATION,
                        Severity::Warn,
                        span,
                        format!(
                            "{e} (in a field archmap does not read; docker compose would refuse it)"
                        ),
                        Some(help.into()),
                    );
                }
                String::new()
            }
        }
    }

    /// Brings a field to the one form merging works on ("merges apply to the expanded form").
    #[allow(clippy::too_many_lines, reason = "one match arm per compose field (a table)")]
    fn normalise(&mut self, service: &str, key: &str, v: Node) -> Node {
        let span = v.span;
        match key {
            "environment" => match v.value {
                Value::Null => Node { value: Value::Map(Vec::new()), span },
                Value::Seq(items) => {
                    let mut out = Vec::new();
                    for item in items {
                        let Some(s) = scalar_string(&item.value) else {
                            self.bad(service, key, &item, "a `KEY=VALUE` string");
                            continue;
                        };
                        let (k, val) = match s.split_once('=') {
                            Some((k, val)) => (k.to_string(), Value::Str(val.to_string())),
                            None => (s.clone(), Value::Null),
                        };
                        out.push((
                            Node { value: Value::Str(k), span: item.span },
                            Node { value: val, span: item.span },
                        ));
                    }
                    Node { value: Value::Map(out), span }
                }
                Value::Map(entries) => {
                    let mut out = Vec::new();
                    for (k, val) in entries {
                        let value = match &val.value {
                            Value::Null => Value::Null,
                            other => {
                                if let Some(s) = scalar_string(other) {
                                    Value::Str(s)
                                } else {
                                    self.bad(service, key, &val, "a string, number or boolean");
                                    continue;
                                }
                            }
                        };
                        let kname = scalar_string(&k.value).unwrap_or_default();
                        out.push((
                            Node { value: Value::Str(kname), span: k.span },
                            Node { value, span: val.span },
                        ));
                    }
                    Node { value: Value::Map(out), span }
                }
                other => {
                    self.bad(service, key, &Node { value: other, span }, "a list or a map");
                    Node { value: Value::Map(Vec::new()), span }
                }
            },
            "depends_on" => match v.value {
                Value::Null => Node { value: Value::Map(Vec::new()), span },
                Value::Seq(items) => {
                    let mut out = Vec::new();
                    for item in items {
                        if let Value::Str(s) = &item.value {
                            out.push((
                                Node { value: Value::Str(s.clone()), span: item.span },
                                Node { value: Value::Null, span: item.span },
                            ));
                        } else {
                            self.bad(service, key, &item, "a service name");
                        }
                    }
                    Node { value: Value::Map(out), span }
                }
                Value::Map(entries) => {
                    let mut out = Vec::new();
                    for (k, val) in entries {
                        if !matches!(k.value, Value::Str(_)) {
                            self.bad(service, key, &k, "a service name");
                            continue;
                        }
                        if !matches!(val.value, Value::Map(_) | Value::Null) {
                            self.bad(
                                service,
                                key,
                                &val,
                                "a map with `condition`, `required`, `restart`",
                            );
                            continue;
                        }
                        out.push((k, val));
                    }
                    Node { value: Value::Map(out), span }
                }
                other => {
                    self.bad(service, key, &Node { value: other, span }, "a list or a map");
                    Node { value: Value::Map(Vec::new()), span }
                }
            },
            "links" | "external_links" | "profiles" | "volumes_from" => match v.value {
                Value::Null => Node { value: Value::Seq(Vec::new()), span },
                Value::Seq(items) => {
                    let mut out = Vec::new();
                    for item in items {
                        if let Some(s) = scalar_string(&item.value) {
                            out.push(Node { value: Value::Str(s), span: item.span });
                        } else {
                            self.bad(service, key, &item, "a string");
                        }
                    }
                    Node { value: Value::Seq(out), span }
                }
                other => {
                    self.bad(service, key, &Node { value: other, span }, "a list of strings");
                    Node { value: Value::Seq(Vec::new()), span }
                }
            },
            "env_file" => match v.value {
                Value::Str(s) => {
                    Node { value: Value::Seq(vec![Node { value: Value::Str(s), span }]), span }
                }
                Value::Seq(items) => {
                    let items = items
                        .into_iter()
                        .filter(|i| {
                            let ok = matches!(i.value, Value::Str(_) | Value::Map(_));
                            if !ok {
                                self.bad(service, key, i, "a path or a map with `path`");
                            }
                            ok
                        })
                        .collect();
                    Node { value: Value::Seq(items), span }
                }
                Value::Null => Node { value: Value::Seq(Vec::new()), span },
                other => {
                    self.bad(service, key, &Node { value: other, span }, "a path or a list");
                    Node { value: Value::Seq(Vec::new()), span }
                }
            },
            "extends" => match v.value {
                Value::Str(s) => Node {
                    value: Value::Map(vec![(
                        Node { value: Value::Str("service".into()), span },
                        Node { value: Value::Str(s), span },
                    )]),
                    span,
                },
                Value::Map(entries) => {
                    if !entries
                        .iter()
                        .any(|(k, v)| key_is(k, "service") && matches!(v.value, Value::Str(_)))
                    {
                        self.bad(
                            service,
                            key,
                            &Node { value: Value::Map(entries.clone()), span },
                            "a map with `service`",
                        );
                    }
                    Node { value: Value::Map(entries), span }
                }
                other => {
                    self.bad(
                        service,
                        key,
                        &Node { value: other, span },
                        "a service name or a map with `service` and `file`",
                    );
                    Node { value: Value::Null, span }
                }
            },
            "image" | "container_name" | "hostname" | "network_mode" => {
                if let Some(s) = scalar_string(&v.value) {
                    Node { value: Value::Str(s), span }
                } else {
                    if !matches!(v.value, Value::Null) {
                        self.bad(service, key, &v, "a string");
                    }
                    Node { value: Value::Null, span }
                }
            }
            _ => v,
        }
    }

    fn bad(&mut self, service: &str, key: &str, node: &Node, expected: &str) {
        self.error(
            codes::SCHEMA,
            node.span,
            format!(
                "`{key}` of service `{service}`: expected {expected}, found {}",
                node.value.describe()
            ),
        );
    }

    /// Applies `extends` to every service of the file at `file`.
    pub(crate) fn apply_extends(&mut self, services: &mut IndexMap<String, Service>, file: &Path) {
        let names: Vec<String> = services.keys().cloned().collect();
        for name in names {
            let mut chain = Vec::new();
            if let Some(resolved) = self.resolve(services, file, &name, &mut chain)
                && let Some(s) = services.get_mut(&name)
            {
                s.body = resolved;
            }
        }
    }

    /// The body of `name` in `services` with its `extends` chain merged in.
    fn resolve(
        &mut self,
        services: &IndexMap<String, Service>,
        file_path: &Path,
        name: &str,
        chain: &mut Vec<(String, String)>,
    ) -> Option<Node> {
        let dir = file_path.parent().unwrap_or(Path::new(""));
        let service = services.get(name)?;
        let Some(ext) = get(&service.body, "extends") else {
            return Some(service.body.clone());
        };
        let ext = ext.clone();
        let target = get(&ext, "service").and_then(|n| scalar_string(&n.value))?;
        let target_span = get(&ext, "service").map_or(ext.span, |n| n.span);
        let file = get(&ext, "file").and_then(|n| scalar_string(&n.value));
        let here = (self.file_key(file_path), name.to_string());
        chain.push(here);
        if chain.len() > MAX_EXTENDS_DEPTH {
            self.error(
                codes::REFERENCE,
                ext.span,
                format!("`extends` chains deeper than {MAX_EXTENDS_DEPTH} services"),
            );
            return None;
        }
        let base = if let Some(file) = file {
            let path = dir.join(&file);
            let key = (self.file_key(&path), target.clone());
            if chain.iter().any(|c| c.0 == key.0 && c.1 == key.1) {
                self.cycle(&ext, chain, &target);
                return None;
            }
            let (_, mut other) = self.load_extends_file(&path, ext.span)?;
            if !other.contains_key(&target) {
                self.error(
                    codes::REFERENCE,
                    target_span,
                    format!("`extends` names service `{target}`, which `{file}` does not define"),
                );
                return None;
            }
            let r = self.resolve(&other, &path, &target, chain);
            other.clear();
            r?
        } else {
            let key = self.file_key(file_path);
            if chain.iter().any(|c| c.0 == key && c.1 == target) {
                self.cycle(&ext, chain, &target);
                return None;
            }
            if !services.contains_key(&target) {
                self.error(
                    codes::REFERENCE,
                    target_span,
                    format!("`extends` names service `{target}`, which this file does not define"),
                );
                return None;
            }
            self.resolve(services, file_path, &target, chain)?
        };
        chain.pop();
        let mut local = service.body.clone();
        if let Value::Map(entries) = &mut local.value {
            entries.retain(|(k, _)| !key_is(k, "extends"));
        }
        let mut base = base;
        if let Value::Map(entries) = &mut base.value {
            entries.retain(|(k, _)| !key_is(k, "extends"));
        }
        Some(merge(base, local, 0))
    }

    fn cycle(&mut self, ext: &Node, chain: &[(String, String)], target: &str) {
        let path: Vec<&str> = chain.iter().map(|c| c.1.as_str()).collect();
        self.error(
            codes::REFERENCE,
            ext.span,
            format!("`extends` cycle: {} → {target}", path.join(" → ")),
        );
    }

    /// Reads, interpolates and normalises a file named by `extends: file:` (once per path).
    fn load_extends_file(
        &mut self,
        path: &Path,
        at: Span,
    ) -> Option<(FileId, IndexMap<String, Service>)> {
        let key = PathBuf::from(self.file_key(path));
        if let Some((_, cached)) = self.extends_files.iter().find(|(p, _)| *p == key) {
            return cached.clone();
        }
        let loaded = match self.read_named(path) {
            Ok(bytes) => {
                let name = crate::manifest::display_path(path);
                self.add_source(&name, bytes).and_then(|id| {
                    let contents = self.read_file(id);
                    // An `extends` file lends services; its own includes are not followed.
                    self.includes.clear();
                    contents.map(|(_, services)| (id, services))
                })
            }
            Err(reason) => {
                self.error(
                    codes::FILE,
                    at,
                    format!(
                        "cannot read `{}` for `extends`: {reason}",
                        crate::manifest::display_path(path)
                    ),
                );
                None
            }
        };
        self.extends_files.push((key, loaded.clone()));
        loaded
    }
}

/// A path from a compose file, cut for messages.
fn truncate_path(p: &str) -> String {
    super::interpolate::truncate(p, 200)
}

/// Reads `path` through `fs`; with a `root`, only when it resolves (links and `..` followed)
/// inside it, and then the resolved file, so the check and the read see the same file.
pub(crate) fn read_confined(
    fs: &dyn FileSystem,
    root: Option<&Path>,
    path: &Path,
    max: u64,
) -> Result<Vec<u8>, String> {
    let Some(root) = root else { return fs.read_at_most(path, max) };
    let canonical = fs.canonicalize(path)?;
    if !canonical.starts_with(root) {
        return Err(
            "it resolves outside the project directory (pass --allow-outside-includes to read it)"
                .into(),
        );
    }
    fs.read_at_most(&canonical, max)
}

/// What to do about an interpolation over its budget.
pub(crate) const TOO_LARGE_HELP: &str = "variables that repeat other variables multiply in size: define each value once, without nesting it many times over";

/// The message for an interpolation stopped at `limit` bytes, `left` being what the whole
/// import could still produce.
pub(crate) fn too_large(limit: usize, left: usize) -> String {
    if limit < interpolate::MAX_INTERPOLATED && limit == left {
        format!(
            "interpolation produces more than {} MiB in all (the budget of one import)",
            MAX_INTERPOLATED_TOTAL >> 20
        )
    } else {
        format!(
            "this value expands to more than {} MiB (the most one value may hold)",
            interpolate::MAX_INTERPOLATED >> 20
        )
    }
}

/// A scalar as a string (numbers and booleans spelled out); `None` for null, lists and maps.
#[must_use]
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a map key is the string `name`.
#[must_use]
pub(crate) fn key_is(k: &Node, name: &str) -> bool {
    matches!(&k.value, Value::Str(s) if s == name)
}

/// The value under `key` in a map node.
#[must_use]
pub(crate) fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| key_is(k, key)).map(|(_, v)| v),
        _ => None,
    }
}

/// Keys whose lists are replaced, not appended, when files merge (shell commands).
const REPLACED_LISTS: &[&str] = &["command", "entrypoint", "test"];
/// Keys whose lists hold unique values.
const UNIQUE_LISTS: &[&str] = &["links", "external_links", "profiles", "volumes_from", "env_file"];

/// Merges `over` onto `base` as docker compose merges files: maps merge key by key, lists
/// append (shell commands are replaced; links and profiles stay unique), anything else is
/// replaced.
#[must_use]
pub(crate) fn merge(base: Node, over: Node, depth: usize) -> Node {
    merge_keyed(base, over, "", depth)
}

fn merge_keyed(base: Node, over: Node, key: &str, depth: usize) -> Node {
    if depth > yaml::MAX_DEPTH {
        return over;
    }
    match (base.value, over.value) {
        (Value::Map(mut b), Value::Map(o)) => {
            for (k, v) in o {
                if let Some(i) = b.iter().position(|(bk, _)| bk.value == k.value) {
                    let (bk, bv) = b.remove(i);
                    let name = match &bk.value {
                        Value::Str(s) => s.clone(),
                        _ => String::new(),
                    };
                    let merged = merge_keyed(bv, v, &name, depth + 1);
                    b.insert(i, (bk, merged));
                } else {
                    b.push((k, v));
                }
            }
            Node { value: Value::Map(b), span: base.span }
        }
        (Value::Seq(mut b), Value::Seq(o)) if !REPLACED_LISTS.contains(&key) => {
            if UNIQUE_LISTS.contains(&key) {
                for item in o {
                    if !b.iter().any(|x| x.value == item.value) {
                        b.push(item);
                    }
                }
            } else {
                b.extend(o);
            }
            Node { value: Value::Seq(b), span: base.span }
        }
        (_, value) => Node { value, span: over.span },
    }
}

/// Merges the services of a later file onto the project's.
pub(crate) fn merge_services(
    project: &mut IndexMap<String, Service>,
    later: IndexMap<String, Service>,
) {
    for (name, s) in later {
        if let Some(existing) = project.get_mut(&name) {
            let base =
                std::mem::replace(&mut existing.body, Node { value: Value::Null, span: s.span });
            existing.body = merge(base, s.body, 0);
        } else {
            project.insert(name, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piggymetrics_dollar_variables_come_from_dot_env() {
        struct Disk(PathBuf);
        impl FileSystem for Disk {
            fn read(&self, p: &Path) -> Result<Vec<u8>, String> {
                std::fs::read(self.0.join(p)).map_err(|e| e.to_string())
            }
            fn canonicalize(&self, p: &Path) -> Result<PathBuf, String> {
                Ok(self.0.join(p))
            }
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/piggymetrics");
        let env = std::fs::read_to_string(dir.join(".env")).unwrap();
        let vars: std::collections::BTreeMap<String, String> = env
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |n: &str| vars.get(n).cloned();
        let fs = Disk(dir.clone());
        let mut reader = Reader::new(&fs, &lookup);
        let text = std::fs::read(dir.join("docker-compose.yml")).unwrap();
        let id = reader.add_source("docker-compose.yml", text).unwrap();
        let (_, services) = reader.read_file(id).unwrap();
        assert!(reader.diagnostics.is_empty(), "{:?}", reader.diagnostics);
        let env = get(&services["auth-service"].body, "environment").unwrap();
        let value = |k: &str| get(env, k).map(|n| n.value.clone());
        assert_eq!(value("CONFIG_SERVICE_PASSWORD"), Some(Value::Str("password".into())));
        assert_eq!(value("MONGODB_PASSWORD"), Some(Value::Str("password".into())));
    }

    struct NoFs;
    impl FileSystem for NoFs {
        fn read(&self, _: &Path) -> Result<Vec<u8>, String> {
            Err("no such file".into())
        }
        fn canonicalize(&self, p: &Path) -> Result<PathBuf, String> {
            Ok(p.to_path_buf())
        }
    }

    fn no_vars(_: &str) -> Option<String> {
        None
    }

    fn read(texts: &[&str]) -> (IndexMap<String, Service>, Vec<Diagnostic>) {
        let mut r = Reader::new(&NoFs, &no_vars);
        let mut all = IndexMap::new();
        for (i, t) in texts.iter().enumerate() {
            let id = r.add_source(&format!("f{i}.yaml"), t.as_bytes().to_vec()).unwrap();
            if let Some((_, mut s)) = r.read_file(id) {
                r.apply_extends(&mut s, Path::new(&format!("f{i}.yaml")));
                merge_services(&mut all, s);
            }
        }
        (all, r.diagnostics)
    }

    /// A compact rendering of a node for assertions.
    fn show(n: &Node) -> String {
        match &n.value {
            Value::Null => "~".into(),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => {
                format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(","))
            }
            Value::Map(e) => format!(
                "{{{}}}",
                e.iter()
                    .map(|(k, v)| format!("{}:{}", show(k), show(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => format!("{other:?}"),
        }
    }

    fn field(s: &IndexMap<String, Service>, svc: &str, key: &str) -> String {
        get(&s[svc].body, key).map(show).unwrap_or_default()
    }

    #[test]
    fn later_files_override_scalars_and_merge_maps_and_lists() {
        let (s, d) = read(&[
            "services:\n  a:\n    image: one\n    environment: [X=1, Y=2]\n    depends_on: [b]\n    links: [b]\n    command: [run, one]\n  b: {}\n",
            "services:\n  a:\n    image: two\n    environment: {Y: 3, Z: true}\n    depends_on:\n      c: {condition: service_healthy}\n    links: [b, c]\n    command: [run, two]\n  c:\n    image: redis\n",
        ]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(field(&s, "a", "image"), "two");
        assert_eq!(field(&s, "a", "environment"), "{X:1,Y:3,Z:true}");
        assert_eq!(field(&s, "a", "depends_on"), "{b:~,c:{condition:service_healthy}}");
        assert_eq!(field(&s, "a", "links"), "[b,c]");
        assert_eq!(field(&s, "a", "command"), "[run,two]");
    }

    #[test]
    fn merge_keys_and_anchors_work() {
        let (s, d) = read(&[
            "x-common: &common\n  image: base\n  environment: {A: '1'}\nservices:\n  a:\n    <<: *common\n    image: own\n  b:\n    <<: *common\n",
        ]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(field(&s, "a", "image"), "own");
        assert_eq!(field(&s, "b", "image"), "base");
        assert_eq!(field(&s, "b", "environment"), "{A:1}");
    }

    #[test]
    fn extends_in_the_same_file_merges_and_chains() {
        let (s, d) = read(&[
            "services:\n  base:\n    image: b\n    environment: [A=1]\n    depends_on: [db]\n  mid:\n    extends: base\n    environment: [B=2]\n  top:\n    extends: {service: mid}\n    image: t\n  db: {}\n",
        ]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(field(&s, "top", "image"), "t");
        assert_eq!(field(&s, "top", "environment"), "{A:1,B:2}");
        // As current docker compose does (2.32.1 briefly dropped it), depends_on is inherited.
        assert_eq!(field(&s, "top", "depends_on"), "{db:~}");
        assert_eq!(field(&s, "top", "extends"), "");
    }

    #[test]
    fn extends_cycles_and_unknown_targets_are_errors() {
        let (_, d) = read(&["services:\n  a: {extends: b}\n  b: {extends: a}\n"]);
        assert!(d.iter().any(|d| d.message.contains("`extends` cycle")), "{d:?}");
        let (_, d) = read(&["services:\n  a: {extends: nowhere}\n"]);
        assert!(d.iter().any(|d| d.message.contains("`nowhere`")), "{d:?}");
        let (_, d) = read(&["services:\n  a: {extends: {service: x, file: other.yaml}}\n"]);
        assert!(d.iter().any(|d| d.message.contains("cannot read `other.yaml`")), "{d:?}");
    }

    #[test]
    fn shapes_are_checked() {
        let (_, d) = read(&["services: [a, b]\n"]);
        assert!(d[0].message.contains("`services` must be a map"), "{d:?}");
        let (_, d) = read(&["services:\n  a: 3\n"]);
        assert!(d[0].message.contains("service `a` must be a map"), "{d:?}");
        let (_, d) = read(&["services:\n  a: {depends_on: 3}\n"]);
        assert!(d[0].message.contains("`depends_on` of service `a`"), "{d:?}");
        let (_, d) = read(&["services:\n  a: {}\n  a: {}\n"]);
        assert!(d[0].message.contains("defined twice"), "{d:?}");
        let (_, d) = read(&["- a\n"]);
        assert!(d[0].message.contains("map of top-level keys"), "{d:?}");
    }
}
