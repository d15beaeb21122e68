//! The manifest's types, and the reader that fills them from a YAML [`Node`] tree.
//!
//! Every problem is collected (never only the first): unknown fields with a did-you-mean,
//! wrong types, invalid values, missing fields, duplicate keys. A field that is wrong is
//! skipped, so the rest of the file is still read and checked.

use std::fmt;

use crate::diagnostic::{Diagnostic, Severity, did_you_mean};
use crate::manifest::codes;
use crate::manifest::yaml::{Node, Value};
use crate::source::{FileId, Span, Spanned};
use crate::vocab::{Direction, FocusDirection, Kind, Level, Mode};

mod flows;

#[cfg(test)]
pub(crate) use flows::{FLOW_FIELDS, MESSAGE_FIELDS};
pub(crate) use flows::{FlowSpec, MessageSpec, StepSpec, count_messages};

/// The only manifest version archmap knows.
pub(crate) const VERSION: i64 = 1;

/// The longest id accepted (MANIFEST.md).
pub(crate) const MAX_ID_LEN: usize = 128;

/// One manifest file as written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Manifest {
    /// The file it was read from.
    pub file: FileId,
    /// Where the top-level map starts (for findings about the whole file).
    pub span: Span,
    /// `version`.
    pub version: Option<Spanned<i64>>,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `include`: further files, relative to this one.
    pub include: Vec<Spanned<String>>,
    /// `groups`, in file order.
    pub groups: Vec<GroupSpec>,
    /// `services`, in file order.
    pub services: Vec<ServiceSpec>,
    /// `views`, in file order.
    pub views: Vec<ViewSpec>,
    /// `rules`, in file order.
    pub rules: Vec<RuleSpec>,
    /// `flows`, in file order.
    pub flows: Vec<FlowSpec>,
    /// Keys written twice in one map (the first one is kept).
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Top-level keys present in the file (valid or not), for "missing field" checks.
    pub keys: Vec<String>,
}

/// A key written twice in one YAML map.
#[derive(Clone, Debug)]
pub(crate) struct DuplicateKey {
    /// The key.
    pub key: String,
    /// What the map holds, e.g. "service", "field of service `orders`".
    pub what: String,
    /// The kept, first occurrence.
    pub first: Span,
    /// The ignored, later occurrence.
    pub second: Span,
}

/// An entry of `groups`.
#[derive(Clone, Debug)]
pub(crate) struct GroupSpec {
    /// The map key.
    pub id: Spanned<String>,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `parent`: another group's id.
    pub parent: Option<Spanned<String>>,
    /// `color`: `#rgb` or `#rrggbb`.
    pub color: Option<Spanned<String>>,
    /// `owner` (an archmap extension: members without their own owner inherit it).
    pub owner: Option<Spanned<String>>,
}

/// Protocols that default to async mode (MANIFEST.md).
pub(crate) const ASYNC_PROTOCOLS: [&str; 6] = ["amqp", "kafka", "nats", "mqtt", "sqs", "sns"];

/// Protocols that are drawn with a style of their own; any other text is allowed.
pub(crate) const KNOWN_PROTOCOLS: [&str; 18] = [
    "http",
    "https",
    "rest",
    "grpc",
    "graphql",
    "websocket",
    "amqp",
    "kafka",
    "nats",
    "mqtt",
    "sqs",
    "sns",
    "sql",
    "redis",
    "tcp",
    "udp",
    "s3",
    "smtp",
];

/// An entry of `services`.
#[derive(Clone, Debug)]
pub(crate) struct ServiceSpec {
    /// The map key.
    pub id: Spanned<String>,
    /// `kind` (default `service`).
    pub kind: Option<Spanned<Kind>>,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `group`.
    pub group: Option<Spanned<String>>,
    /// `owner`.
    pub owner: Option<Spanned<String>>,
    /// `tech`.
    pub tech: Option<Spanned<String>>,
    /// `tags`.
    pub tags: Vec<Spanned<String>>,
    /// `replicas` (default 1).
    pub replicas: Option<Spanned<u32>>,
    /// `url`.
    pub url: Option<Spanned<String>>,
    /// `depends_on`, in order.
    pub depends_on: Vec<DependencySpec>,
    /// `allow`: rule ids or codes silenced for this component.
    pub allow: Vec<Spanned<String>>,
}

/// An entry of `depends_on`.
#[derive(Clone, Debug)]
pub(crate) struct DependencySpec {
    /// `target` (or the whole short-form entry).
    pub target: Spanned<String>,
    /// `protocol`.
    pub protocol: Option<Spanned<String>>,
    /// `optional` (default false).
    pub optional: bool,
    /// The fields most entries leave out, boxed when one is written: an estate has hundreds of
    /// thousands of entries, and inline they tripled each entry's size.
    pub more: Option<Box<DependencyMore>>,
}

impl DependencySpec {
    /// The fields most entries leave out (all `None` when the entry writes none).
    pub(crate) fn more(&self) -> &DependencyMore {
        static NONE: DependencyMore = DependencyMore {
            mode: None,
            label: None,
            description: None,
            latency_ms: None,
            timeout_ms: None,
        };
        self.more.as_deref().unwrap_or(&NONE)
    }
}

/// The less common fields of a `depends_on` entry.
#[derive(Clone, Debug, Default)]
pub(crate) struct DependencyMore {
    /// `mode`.
    pub mode: Option<Spanned<Mode>>,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `latency_ms`: what one call costs the caller, in milliseconds.
    pub latency_ms: Option<Spanned<u32>>,
    /// `timeout_ms`: how long the caller waits before giving up, in milliseconds.
    pub timeout_ms: Option<Spanned<u32>>,
}

/// Which components a view or rule parameter picks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Selector {
    /// `*`: everything.
    All,
    /// A component id.
    Id(String),
    /// `group:ID`: the members of a group and of its child groups.
    Group(String),
    /// `tag:TAG`.
    Tag(String),
    /// `kind:KIND`.
    Kind(Kind),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::All => f.write_str("*"),
            Selector::Id(id) => f.write_str(id),
            Selector::Group(g) => write!(f, "group:{g}"),
            Selector::Tag(t) => write!(f, "tag:{t}"),
            Selector::Kind(k) => write!(f, "kind:{k}"),
        }
    }
}

/// `collapse` of a view.
#[derive(Clone, Debug, Default)]
pub(crate) enum Collapse {
    /// Nothing collapsed.
    #[default]
    None,
    /// `all`: every top-level group.
    All,
    /// These groups.
    Groups(Vec<Spanned<String>>),
}

/// An entry of `views`.
#[derive(Clone, Debug)]
pub(crate) struct ViewSpec {
    /// The map key.
    pub id: Spanned<String>,
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `include` (default `["*"]`).
    pub include: Vec<Spanned<Selector>>,
    /// `exclude`.
    pub exclude: Vec<Spanned<Selector>>,
    /// `focus`: component ids.
    pub focus: Vec<Spanned<String>>,
    /// `depth` (default 1).
    pub depth: Option<Spanned<u32>>,
    /// `direction` (default both).
    pub direction: Option<Spanned<FocusDirection>>,
    /// `collapse`.
    pub collapse: Collapse,
    /// `layout`.
    pub layout: Option<Spanned<Direction>>,
}

/// A parameter value of a rule, as written.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list of `{from: SELECTOR, to: SELECTOR}` pairs.
    Forbidden(Vec<(Spanned<Selector>, Spanned<Selector>)>),
    /// Something else (reported by the rule configuration as a wrong type).
    Other(&'static str),
}

/// An entry of `rules`.
#[derive(Clone, Debug)]
pub struct RuleSpec {
    /// The rule's id or code, as written.
    pub id: Spanned<String>,
    /// `level`, or the scalar value.
    pub level: Option<Spanned<Level>>,
    /// Parameters other than `level`.
    pub params: Vec<(Spanned<String>, Spanned<ParamValue>)>,
}

/// Parses one file's tree into a [`Manifest`], adding every problem to `diags`.
///
/// The tree is taken by value: strings are moved out of it into the manifest, not copied.
pub(crate) fn read(file: FileId, mut root: Node, diags: &mut Vec<Diagnostic>) -> Manifest {
    let root = &mut root;
    let mut r = Reader { diags, duplicates: Vec::new() };
    let mut m = Manifest { file, span: root.span, ..Manifest::default() };
    match &root.value {
        Value::Map(_) => {}
        Value::Null => {
            r.diags.push(
                Diagnostic::new(
                    codes::MISSING_FIELD.0,
                    codes::MISSING_FIELD.1,
                    Severity::Error,
                    "the manifest is empty",
                )
                .with_label(root.span, "nothing here")
                .with_help(
                    "start with `version: 1`, a `name` and a `services` map, or run `archmap init`",
                )
                .fatal(),
            );
            return m;
        }
        other => {
            r.wrong_type(
                root.span,
                "the manifest",
                "a map with `version`, `name` and `services`",
                other,
            );
            return m;
        }
    }
    if let Value::Map(entries) = &root.value {
        m.keys = entries
            .iter()
            .filter_map(|(k, _)| if let Value::Str(s) = &k.value { Some(s.clone()) } else { None })
            .collect();
    }
    r.fields(root, "the manifest", TOP_FIELDS, |r, key, value| match key {
        // Quoted versions ("1") are common in docker-compose files; accept them too.
        "version" => match &value.value {
            Value::Str(v) if v.trim().parse::<i64>().is_ok() => {
                m.version = v.trim().parse().ok().map(|v| Spanned::new(v, value.span));
            }
            _ => m.version = r.int(value, "version"),
        },
        "name" => m.name = r.string(value, "name"),
        "description" => m.description = r.string(value, "description"),
        "include" => m.include = r.string_list(value, "include"),
        "groups" => m.groups = r.id_map(value, "group", Reader::group),
        "services" => m.services = r.id_map(value, "service", Reader::service),
        "views" => m.views = r.id_map(value, "view", Reader::view),
        "rules" => m.rules = r.rules(value),
        "flows" => m.flows = r.id_map(value, "flow", Reader::flow),
        _ => unreachable!("fields() only passes known keys"),
    });
    if !m.keys.iter().any(|k| k == "version") {
        r.missing(root.span, "version", "the manifest", "add `version: 1` at the top");
    }
    if let Some(v) = &m.version
        && v.value != VERSION
    {
        r.diags.push(
            Diagnostic::new(
                codes::INVALID_VALUE.0,
                codes::INVALID_VALUE.1,
                Severity::Error,
                format!("unsupported manifest version {}", v.value),
            )
            .with_label(v.span, "archmap knows version 1 only")
            .with_help("set `version: 1`; the versions that exist are: 1")
            .fatal(),
        );
    }
    m.duplicate_keys = r.duplicates;
    m
}

/// Checks required top-level fields of a root manifest (an included file may leave out
/// `name` and `services`).
pub(crate) fn require_root_fields(m: &Manifest, services: usize, diags: &mut Vec<Diagnostic>) {
    let mut r = Reader { diags, duplicates: Vec::new() };
    let has = |k: &str| m.keys.iter().any(|x| x == k);
    if !has("name") {
        r.missing(
            m.span,
            "name",
            "the manifest",
            "add `name: <the system's name>`; it is the diagram title",
        );
    }
    if !has("services") {
        r.missing(
            m.span,
            "services",
            "the manifest",
            "add a `services` map with at least one component",
        );
    } else if services == 0 {
        r.push(
            codes::MISSING_FIELD,
            "the manifest defines no components".into(),
            m.span,
            "`services` is empty",
            Some("add at least one component under `services`".into()),
        );
    }
}

/// The fields of the top-level map.
pub(crate) const TOP_FIELDS: &[&str] =
    &["version", "name", "description", "include", "groups", "services", "views", "rules", "flows"];
/// The fields of a group.
pub(crate) const GROUP_FIELDS: &[&str] = &["label", "description", "parent", "color", "owner"];
/// The fields of a service.
pub(crate) const SERVICE_FIELDS: &[&str] = &[
    "kind",
    "label",
    "description",
    "group",
    "owner",
    "tech",
    "tags",
    "replicas",
    "url",
    "depends_on",
    "allow",
];
/// The fields of a dependency map.
pub(crate) const DEPENDENCY_FIELDS: &[&str] =
    &["target", "protocol", "mode", "label", "description", "optional", "latency_ms", "timeout_ms"];
/// The fields of a view.
pub(crate) const VIEW_FIELDS: &[&str] = &[
    "title",
    "description",
    "include",
    "exclude",
    "focus",
    "depth",
    "direction",
    "collapse",
    "layout",
];

struct Reader<'d> {
    diags: &'d mut Vec<Diagnostic>,
    duplicates: Vec<DuplicateKey>,
}

impl Reader<'_> {
    fn push(
        &mut self,
        code: (&'static str, &'static str),
        message: String,
        span: Span,
        label: &str,
        help: Option<String>,
    ) {
        self.diags.push(
            Diagnostic::new(code.0, code.1, Severity::Error, message)
                .with_label(span, label)
                .with_help_opt(help)
                .fatal(),
        );
    }

    fn wrong_type(&mut self, span: Span, what: &str, expected: &str, found: &Value) {
        self.push(
            codes::WRONG_TYPE,
            format!("{what} must be {expected}, found {}", found.describe()),
            span,
            &format!("expected {expected}"),
            None,
        );
    }

    fn missing(&mut self, span: Span, field: &str, what: &str, help: &str) {
        self.push(
            codes::MISSING_FIELD,
            format!("{what} has no `{field}`"),
            Span::new(span.file, span.start, span.start),
            &format!("`{field}` is required here"),
            Some(help.to_string()),
        );
    }

    /// Walks a map's entries: reports non-string keys, unknown keys (skipping `x-` ones) and
    /// duplicates, and hands each known key to `f`.
    fn fields<F>(&mut self, node: &mut Node, what: &str, allowed: &[&str], mut f: F)
    where
        F: FnMut(&mut Self, &str, &mut Node),
    {
        let Value::Map(entries) = &mut node.value else {
            return;
        };
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for (key, value) in entries.iter_mut() {
            let key: &Node = key;
            let Some(name) = self.key_name(key, what) else {
                continue;
            };
            if name.starts_with("x-") {
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                self.duplicates.push(DuplicateKey {
                    key: name.to_string(),
                    what: format!("field of {what}"),
                    first: *first,
                    second: key.span,
                });
                continue;
            }
            seen.push((name, key.span));
            if allowed.contains(&name) {
                f(self, name, value);
            } else {
                let help = match did_you_mean(name, allowed.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? (keys starting with `x-` are kept for your own tools)"
                    ),
                    None => format!(
                        "known fields of {what}: {}; keys starting with `x-` are kept for your own tools",
                        allowed.join(", ")
                    ),
                };
                self.push(
                    codes::UNKNOWN_FIELD,
                    format!("unknown field `{}` in {what}", shorten(name)),
                    key.span,
                    "not a field archmap knows",
                    Some(help),
                );
            }
        }
    }

    fn key_name<'n>(&mut self, key: &'n Node, what: &str) -> Option<&'n str> {
        match &key.value {
            Value::Str(s) => Some(s.as_str()),
            other => {
                self.wrong_type(key.span, &format!("a key of {what}"), "a string", other);
                None
            }
        }
    }

    /// Reads a map whose keys are ids (services, groups, views), reporting invalid and
    /// duplicate ids; `f` reads each entry.
    fn id_map<T, F>(&mut self, node: &mut Node, what: &str, mut f: F) -> Vec<T>
    where
        F: FnMut(&mut Self, Spanned<String>, &mut Node) -> T,
    {
        let entries = match &mut node.value {
            Value::Map(entries) => entries,
            Value::Null => return Vec::new(),
            other => {
                self.wrong_type(
                    node.span,
                    &format!("`{what}s`"),
                    &format!("a map of {what} ids to {what}s"),
                    other,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        // Only looked up, never iterated: a hash map keeps 10,000 ids linear.
        let mut seen: rustc_hash::FxHashMap<String, Span> = rustc_hash::FxHashMap::default();
        for (key, value) in entries.iter_mut() {
            let Some(id) = self.id_key(key, what) else {
                continue;
            };
            if let Some(first) = seen.get(&id) {
                self.duplicates.push(DuplicateKey {
                    key: id,
                    what: what.to_string(),
                    first: *first,
                    second: key.span,
                });
                continue;
            }
            seen.insert(id.clone(), key.span);
            out.push(f(self, Spanned::new(id, key.span), value));
        }
        out
    }

    /// An id used as a map key; ints and other scalars are taken as written.
    fn id_key(&mut self, key: &mut Node, what: &str) -> Option<String> {
        let id = match &mut key.value {
            Value::Str(s) => std::mem::take(s),
            Value::Int(i) => i.to_string(),
            other => {
                self.wrong_type(key.span, &format!("a {what} id"), "a string", other);
                return None;
            }
        };
        self.check_id(&id, key.span, what).then_some(id)
    }

    fn check_id(&mut self, id: &str, span: Span, what: &str) -> bool {
        if let Some(problem) = id_problem(id) {
            self.push(
                codes::INVALID_VALUE,
                format!("invalid {what} id `{}`: {problem}", shorten(id)),
                span,
                "not a valid id",
                Some(format!(
                    "ids start with a letter or digit, continue with letters, digits, `_`, `.` or `-`, and have at most {MAX_ID_LEN} characters"
                )),
            );
            return false;
        }
        true
    }

    /// A free-text field; numbers and booleans are taken as written.
    fn string(&mut self, node: &mut Node, field: &str) -> Option<Spanned<String>> {
        match &mut node.value {
            Value::Str(s) => Some(Spanned::new(std::mem::take(s), node.span)),
            Value::Int(i) => Some(Spanned::new(i.to_string(), node.span)),
            Value::Float(f) => Some(Spanned::new(f.to_string(), node.span)),
            Value::Bool(b) => Some(Spanned::new(b.to_string(), node.span)),
            Value::Null => None,
            other => {
                self.wrong_type(node.span, &format!("`{field}`"), "a string", other);
                None
            }
        }
    }

    fn string_list(&mut self, node: &mut Node, field: &str) -> Vec<Spanned<String>> {
        match &mut node.value {
            Value::Seq(items) => {
                items.iter_mut().filter_map(|item| self.string(item, field)).collect()
            }
            Value::Null => Vec::new(),
            Value::Str(_) => self.string(node, field).into_iter().collect(),
            other => {
                self.wrong_type(node.span, &format!("`{field}`"), "a list of strings", other);
                Vec::new()
            }
        }
    }

    fn int(&mut self, node: &Node, field: &str) -> Option<Spanned<i64>> {
        match &node.value {
            Value::Int(i) => Some(Spanned::new(*i, node.span)),
            other => {
                self.wrong_type(node.span, &format!("`{field}`"), "an integer", other);
                None
            }
        }
    }

    fn bool(&mut self, node: &Node, field: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(node.span, &format!("`{field}`"), "`true` or `false`", other);
                None
            }
        }
    }

    fn positive(&mut self, node: &Node, field: &str, min: i64) -> Option<Spanned<u32>> {
        let v = self.int(node, field)?;
        if v.value < min || v.value > i64::from(u32::MAX) {
            self.push(
                codes::INVALID_VALUE,
                format!("`{field}` must be a whole number of at least {min}, found {}", v.value),
                v.span,
                "out of range",
                None,
            );
            return None;
        }
        Some(v.map(|x| x as u32))
    }

    /// A string field whose value must be one of `choices`.
    fn choice<T>(
        &mut self,
        node: &mut Node,
        field: &str,
        choices: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let s = self.string(node, field)?;
        if let Some(v) = parse(&s.value) {
            return Some(Spanned::new(v, s.span));
        }
        let help = match did_you_mean(&s.value, choices.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? one of: {}", choices.join(", ")),
            None => format!("one of: {}", choices.join(", ")),
        };
        self.push(
            codes::INVALID_VALUE,
            format!("unknown {field} `{}`", shorten(&s.value)),
            s.span,
            &format!("not a {field}"),
            Some(help),
        );
        None
    }

    fn group(&mut self, id: Spanned<String>, node: &mut Node) -> GroupSpec {
        let mut g = GroupSpec {
            id,
            label: None,
            description: None,
            parent: None,
            color: None,
            owner: None,
        };
        let what = format!("group `{}`", g.id.value);
        if !self.expect_map_or_null(node, &what) {
            return g;
        }
        self.fields(node, &what, GROUP_FIELDS, |r, key, value| match key {
            "label" => g.label = r.string(value, key),
            "description" => g.description = r.string(value, key),
            "parent" => g.parent = r.string(value, key),
            "owner" => g.owner = r.string(value, key),
            "color" => {
                g.color = r.string(value, key).filter(|c| {
                    let ok = is_hex_color(&c.value);
                    if !ok {
                        r.push(
                            codes::INVALID_VALUE,
                            format!("invalid colour `{}`", shorten(&c.value)),
                            c.span,
                            "not a CSS hex colour",
                            Some("write `#rgb` or `#rrggbb`, e.g. \"#3b82f6\" (quoted: `#` starts a YAML comment)".into()),
                        );
                    }
                    ok
                });
            }
            _ => unreachable!("fields() only passes known keys"),
        });
        g
    }

    fn expect_map_or_null(&mut self, node: &Node, what: &str) -> bool {
        match &node.value {
            Value::Map(_) => true,
            Value::Null => false,
            other => {
                self.wrong_type(node.span, what, "a map of fields", other);
                false
            }
        }
    }

    fn service(&mut self, id: Spanned<String>, node: &mut Node) -> ServiceSpec {
        let mut s = ServiceSpec {
            id,
            kind: None,
            label: None,
            description: None,
            group: None,
            owner: None,
            tech: None,
            tags: Vec::new(),
            replicas: None,
            url: None,
            depends_on: Vec::new(),
            allow: Vec::new(),
        };
        let what = format!("service `{}`", s.id.value);
        if !self.expect_map_or_null(node, &what) {
            return s;
        }
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        self.fields(node, &what, SERVICE_FIELDS, |r, key, value| match key {
            "kind" => s.kind = r.choice(value, "kind", &kinds, Kind::parse),
            "label" => s.label = r.string(value, key),
            "description" => s.description = r.string(value, key),
            "group" => s.group = r.string(value, key),
            "owner" => s.owner = r.string(value, key),
            "tech" => s.tech = r.string(value, key),
            "tags" => s.tags = r.string_list(value, key),
            "replicas" => s.replicas = r.positive(value, key, 1),
            "url" => {
                s.url = r.string(value, key).filter(|u| match url_problem(&u.value) {
                    None => true,
                    Some(problem) => {
                        r.push(
                            codes::INVALID_VALUE,
                            format!("unsafe or invalid url `{}`: {problem}", shorten(&u.value)),
                            u.span,
                            "not an allowed link",
                            Some(
                                "links may be http:, https: or mailto: URLs, or relative paths"
                                    .into(),
                            ),
                        );
                        false
                    }
                });
            }
            "allow" => s.allow = r.string_list(value, key),
            "depends_on" => s.depends_on = r.dependencies(value, &what),
            _ => unreachable!("fields() only passes known keys"),
        });
        s
    }

    fn dependencies(&mut self, node: &mut Node, what: &str) -> Vec<DependencySpec> {
        let items = match &mut node.value {
            Value::Seq(items) => items,
            Value::Null => return Vec::new(),
            Value::Str(one) => {
                let what = format!("`depends_on` of {what}");
                let list = one.split(',').map(str::trim).filter(|s| !s.is_empty());
                let list = list.collect::<Vec<_>>().join(", ");
                self.push(
                    codes::WRONG_TYPE,
                    format!("{what} must be a list of ids or dependency maps, found a string"),
                    node.span,
                    "expected a list of ids or dependency maps",
                    Some(format!("write a list, even of one: `depends_on: [{list}]`")),
                );
                return Vec::new();
            }
            other => {
                self.wrong_type(
                    node.span,
                    &format!("`depends_on` of {what}"),
                    "a list of ids or dependency maps",
                    other,
                );
                return Vec::new();
            }
        };
        // Sized up front: a dependency map is large, and growing the list one doubling at a
        // time moved each one several times.
        let mut out = Vec::with_capacity(items.len());
        out.extend(items.iter_mut().filter_map(|item| self.dependency(item, what)));
        out
    }

    fn dependency(&mut self, node: &mut Node, what: &str) -> Option<DependencySpec> {
        let mut d = DependencySpec {
            target: Spanned::new(String::new(), node.span),
            protocol: None,
            optional: false,
            more: None,
        };
        match &node.value {
            Value::Str(_) | Value::Int(_) => {
                d.target = self.string(node, "target")?;
                return Some(d);
            }
            Value::Map(_) => {}
            other => {
                self.wrong_type(
                    node.span,
                    &format!("an entry of `depends_on` of {what}"),
                    "an id or a map with `target`",
                    other,
                );
                return None;
            }
        }
        let mut target = None;
        let mut more = DependencyMore::default();
        let dep_what = format!("a dependency of {what}");
        self.fields(node, &dep_what, DEPENDENCY_FIELDS, |r, key, value| match key {
            "target" => target = r.string(value, key),
            "protocol" => d.protocol = r.string(value, key),
            "mode" => {
                more.mode = r.choice(value, "mode", &["sync", "async"], |m| match m {
                    "sync" => Some(Mode::Sync),
                    "async" => Some(Mode::Async),
                    _ => None,
                });
            }
            "label" => more.label = r.string(value, key),
            "description" => more.description = r.string(value, key),
            "optional" => d.optional = r.bool(value, key).unwrap_or(false),
            "latency_ms" => more.latency_ms = r.positive(value, key, 0),
            "timeout_ms" => more.timeout_ms = r.positive(value, key, 1),
            _ => unreachable!("fields() only passes known keys"),
        });
        let DependencyMore { mode, label, description, latency_ms, timeout_ms } = &more;
        if mode.is_some()
            || label.is_some()
            || description.is_some()
            || latency_ms.is_some()
            || timeout_ms.is_some()
        {
            d.more = Some(Box::new(more));
        }
        if let Some(t) = target {
            d.target = t;
            Some(d)
        } else {
            self.missing(
                node.span,
                "target",
                &dep_what,
                "name the component depended on: `target: <id>`",
            );
            None
        }
    }

    fn selectors(&mut self, node: &mut Node, field: &str) -> Vec<Spanned<Selector>> {
        self.string_list(node, field).into_iter().filter_map(|s| self.selector(&s)).collect()
    }

    fn selector(&mut self, s: &Spanned<String>) -> Option<Spanned<Selector>> {
        match parse_selector(&s.value) {
            Ok(sel) => Some(Spanned::new(sel, s.span)),
            Err(help) => {
                self.push(
                    codes::INVALID_VALUE,
                    format!("invalid selector `{}`", shorten(&s.value)),
                    s.span,
                    "not a selector",
                    Some(help),
                );
                None
            }
        }
    }

    fn view(&mut self, id: Spanned<String>, node: &mut Node) -> ViewSpec {
        let mut v = ViewSpec {
            id,
            title: None,
            description: None,
            include: Vec::new(),
            exclude: Vec::new(),
            focus: Vec::new(),
            depth: None,
            direction: None,
            collapse: Collapse::None,
            layout: None,
        };
        let what = format!("view `{}`", v.id.value);
        if !self.expect_map_or_null(node, &what) {
            return v;
        }
        self.fields(node, &what, VIEW_FIELDS, |r, key, value| match key {
            "title" => v.title = r.string(value, key),
            "description" => v.description = r.string(value, key),
            "include" => v.include = r.selectors(value, key),
            "exclude" => v.exclude = r.selectors(value, key),
            "focus" => v.focus = r.string_list(value, key),
            "depth" => v.depth = r.positive(value, key, 0),
            "direction" => {
                v.direction = r.choice(
                    value,
                    "direction",
                    &["upstream", "downstream", "both"],
                    FocusDirection::parse,
                );
            }
            "layout" => {
                v.layout = r.choice(value, "layout", &["TB", "LR", "BT", "RL"], Direction::parse);
            }
            "collapse" => {
                v.collapse = match &value.value {
                    Value::Str(s) if s == "all" => Collapse::All,
                    _ => Collapse::Groups(r.string_list(value, key)),
                };
            }
            _ => unreachable!("fields() only passes known keys"),
        });
        v
    }

    fn rules(&mut self, node: &mut Node) -> Vec<RuleSpec> {
        let entries = match &mut node.value {
            Value::Map(entries) => entries,
            Value::Null => return Vec::new(),
            other => {
                self.wrong_type(node.span, "`rules`", "a map of rule ids to levels", other);
                return Vec::new();
            }
        };
        let levels = Level::ALL.map(Level::as_str);
        let mut out: Vec<RuleSpec> = Vec::new();
        for (key, value) in entries.iter_mut() {
            let key: &Node = key;
            let Some(name) = self.key_name(key, "`rules`") else {
                continue;
            };
            if name.starts_with("x-") {
                continue;
            }
            if let Some(first) = out.iter().find(|r| r.id.value == name) {
                self.duplicates.push(DuplicateKey {
                    key: name.to_string(),
                    what: "rule".into(),
                    first: first.id.span,
                    second: key.span,
                });
                continue;
            }
            let mut spec = RuleSpec {
                id: Spanned::new(name.to_string(), key.span),
                level: None,
                params: Vec::new(),
            };
            match &mut value.value {
                Value::Str(_) => spec.level = self.choice(value, "level", &levels, Level::parse),
                Value::Map(params) => {
                    let mut seen: Vec<(&str, Span)> = Vec::new();
                    for (pk, pv) in params.iter_mut() {
                        let pk: &Node = pk;
                        let Some(pname) = self.key_name(pk, &format!("rule `{name}`")) else {
                            continue;
                        };
                        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == pname) {
                            self.duplicates.push(DuplicateKey {
                                key: pname.to_string(),
                                what: format!("parameter of rule `{name}`"),
                                first: *first,
                                second: pk.span,
                            });
                            continue;
                        }
                        seen.push((pname, pk.span));
                        if pname == "level" {
                            spec.level = self.choice(pv, "level", &levels, Level::parse);
                        } else {
                            let param = self.param(pv);
                            spec.params.push((
                                Spanned::new(pname.to_string(), pk.span),
                                Spanned::new(param, pv.span),
                            ));
                        }
                    }
                }
                other => self.wrong_type(
                    value.span,
                    &format!("rule `{name}`"),
                    "a level or a map with `level`",
                    other,
                ),
            }
            out.push(spec);
        }
        out
    }

    fn param(&mut self, node: &mut Node) -> ParamValue {
        match &mut node.value {
            Value::Int(i) => ParamValue::Int(*i),
            Value::Float(f) => ParamValue::Float(*f),
            Value::Str(s) => ParamValue::Str(std::mem::take(s)),
            Value::Seq(items) => {
                let mut pairs = Vec::new();
                for item in items.iter_mut() {
                    let mut from = None;
                    let mut to = None;
                    if !matches!(item.value, Value::Map(_)) {
                        self.wrong_type(
                            item.span,
                            "an entry of `forbidden`",
                            "a map with `from` and `to`",
                            &item.value,
                        );
                        continue;
                    }
                    self.fields(
                        item,
                        "an entry of `forbidden`",
                        &["from", "to"],
                        |r, key, value| {
                            let sel = r.string(value, key).and_then(|s| r.selector(&s));
                            if key == "from" {
                                from = sel;
                            } else {
                                to = sel;
                            }
                        },
                    );
                    match (from, to) {
                        (Some(f), Some(t)) => pairs.push((f, t)),
                        (None, _) => self.missing(
                            item.span,
                            "from",
                            "an entry of `forbidden`",
                            "add `from: SELECTOR`",
                        ),
                        (_, None) => self.missing(
                            item.span,
                            "to",
                            "an entry of `forbidden`",
                            "add `to: SELECTOR`",
                        ),
                    }
                }
                ParamValue::Forbidden(pairs)
            }
            other => ParamValue::Other(other.describe()),
        }
    }
}

/// Parses a selector: `*`, an id, `group:ID`, `tag:TAG` or `kind:KIND`.
pub(crate) fn parse_selector(text: &str) -> Result<Selector, String> {
    if text == "*" {
        return Ok(Selector::All);
    }
    if let Some((prefix, rest)) = text.split_once(':') {
        return match prefix {
            "group" if id_problem(rest).is_none() => Ok(Selector::Group(rest.to_string())),
            "tag" if !rest.is_empty() => Ok(Selector::Tag(rest.to_string())),
            "kind" => Kind::parse(rest).map(Selector::Kind).ok_or_else(|| {
                let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                match did_you_mean(rest, kinds.iter().copied()) {
                    Some(k) => format!("did you mean `kind:{k}`?"),
                    None => format!("kinds are: {}", kinds.join(", ")),
                }
            }),
            _ => Err("selectors are `*`, an id, `group:ID`, `tag:TAG` or `kind:KIND`".into()),
        };
    }
    match id_problem(text) {
        None => Ok(Selector::Id(text.to_string())),
        Some(_) => Err("selectors are `*`, an id, `group:ID`, `tag:TAG` or `kind:KIND`".into()),
    }
}

/// Why `id` is not a valid id, or `None` when it is.
#[must_use]
pub(crate) fn id_problem(id: &str) -> Option<&'static str> {
    let mut chars = id.chars();
    match chars.next() {
        None => return Some("it is empty"),
        Some(c) if !c.is_ascii_alphanumeric() => {
            return Some("it must start with a letter or digit");
        }
        Some(_) => {}
    }
    if id.len() > MAX_ID_LEN {
        return Some("it is longer than 128 characters");
    }
    if chars.any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))) {
        return Some("it may contain only letters, digits, `_`, `.` and `-`");
    }
    None
}

/// Why `url` may not be a component's link, or `None` when it may: only `http`, `https`,
/// `mailto` and relative URLs are allowed (a `javascript:` link in an embedded SVG runs script).
#[must_use]
pub(crate) fn url_problem(url: &str) -> Option<&'static str> {
    if url.trim().is_empty() {
        return Some("it is empty");
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some("it contains spaces or control characters");
    }
    // A scheme is letters, digits, `+`, `-`, `.` before the first `:`, with no `/`, `?` or `#`
    // before it; anything else is a relative reference.
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match scheme_end {
        Some(i) if path_start.is_none_or(|p| i < p) => {
            let scheme = url[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                None
            } else {
                Some("only http, https and mailto links are allowed")
            }
        }
        _ => None,
    }
}

fn is_hex_color(s: &str) -> bool {
    s.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Shortens user text quoted in a message (a 100 KB id must not flood the terminal).
#[must_use]
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        return s.escape_debug().to_string();
    }
    let head: String = s.chars().take(MAX).collect();
    format!("{}…", head.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_grammar() {
        assert_eq!(id_problem("orders"), None);
        assert_eq!(id_problem("a1_b.c-d"), None);
        assert_eq!(id_problem("9lives"), None);
        assert!(id_problem("").is_some());
        assert!(id_problem("-x").is_some());
        assert!(id_problem("a b").is_some());
        assert!(id_problem("é").is_some());
        assert!(id_problem(&"a".repeat(129)).is_some());
        assert_eq!(id_problem(&"a".repeat(128)), None);
    }

    #[test]
    fn selectors_parse() {
        assert_eq!(parse_selector("*"), Ok(Selector::All));
        assert_eq!(parse_selector("orders"), Ok(Selector::Id("orders".into())));
        assert_eq!(parse_selector("group:edge"), Ok(Selector::Group("edge".into())));
        assert_eq!(parse_selector("tag:pci"), Ok(Selector::Tag("pci".into())));
        assert_eq!(parse_selector("kind:database"), Ok(Selector::Kind(Kind::Database)));
        assert!(parse_selector("kind:databse").unwrap_err().contains("kind:database"));
        assert!(parse_selector("team:x").is_err());
        assert!(parse_selector("a b").is_err());
    }

    #[test]
    fn urls_are_web_mail_or_relative() {
        for ok in [
            "https://wiki/orders",
            "http://x",
            "mailto:team@example.com",
            "docs/orders.md",
            "/abs/path",
            "#anchor",
            "?q=1",
            "a/b:c",
        ] {
            assert_eq!(url_problem(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
            "",
            "java\nscript:x",
            "https://a b",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn colours_are_hex() {
        assert!(is_hex_color("#fff"));
        assert!(is_hex_color("#3b82f6"));
        assert!(!is_hex_color("#3b82f"));
        assert!(!is_hex_color("red"));
        assert!(!is_hex_color("#ggg"));
    }
}
