//! The manifest's JSON Schema (draft 2020-12), for editors and other tools. Beside the pipeline,
//! not in it: it describes the format the reader (stage 1) reads and the `rules` section the
//! checks (stage 3) define, so it imports both.
//!
//! The reader in [`crate::manifest::schema`] works on spanned YAML nodes so that every problem has a
//! line and column; it does not deserialize into these types. The types here describe the same
//! format for `schemars`, with the documentation editors show on hover. They are kept honest by
//! tests: every example and fixture manifest that archmap reads without a reading error
//! validates against the schema, the fields listed here are exactly the fields the reader knows,
//! and the committed `archmap.schema.json` is what `archmap schema` prints.

// Doc comments here are the descriptions editors show: product names stay plain text.
#![allow(clippy::doc_markdown)]

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::analysis::registry;
use crate::analysis::rule::{ParamDefault, ParamKind, ParamMeta};
use crate::vocab::Kind;

/// The pattern every service, group and view id matches (MANIFEST.md, "Identifiers").
pub(crate) const ID_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$";

/// The schema as pretty-printed JSON with a final newline: what `archmap schema` prints and
/// what `archmap.schema.json` holds.
#[must_use]
pub(crate) fn to_json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// The schema as a JSON value.
#[must_use]
pub(crate) fn schema() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut root = generator.into_root_schema_for::<ManifestDoc>();
    root.insert("title".into(), json!("archmap manifest"));
    root.to_value()
}

/// The fields the schema lists for each object, by the reader's name for it: used by tests to
/// keep the schema and the reader in step.
#[cfg(test)]
fn fields() -> BTreeMap<&'static str, Vec<String>> {
    let root = schema();
    let props = |v: &Value| -> Vec<String> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let def = |name: &str| root.pointer(&format!("/$defs/{name}")).map(props).unwrap_or_default();
    BTreeMap::from([
        ("manifest", props(&root)),
        ("group", def("Group")),
        ("service", def("Service")),
        ("dependency", def("Dependency")),
        ("view", def("View")),
        ("flow", def("Flow")),
        ("message", def("FlowMessage")),
    ])
}

/// An archmap manifest, version 1: a system's components, how they are grouped and who depends
/// on whom. Keys starting with `x-` are kept and ignored, anywhere.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct ManifestDoc {
    /// The manifest format version. Only `1` exists.
    #[schemars(schema_with = "version")]
    pub version: i64,
    /// The system's name, used as the diagram title.
    pub name: Text,
    /// What the system is, in a sentence or two.
    pub description: Option<Text>,
    /// Further manifest files, relative to this one; their groups, services and views merge into
    /// one model.
    #[serde(default)]
    #[schemars(schema_with = "string_or_list")]
    pub include: Option<Vec<String>>,
    /// Boundaries: domains, bounded contexts, teams, zones. Keyed by group id.
    #[serde(default)]
    #[schemars(schema_with = "group_map")]
    pub groups: Option<BTreeMap<String, Group>>,
    /// Every component of the system, whatever its kind. Keyed by component id.
    #[schemars(schema_with = "service_map")]
    pub services: BTreeMap<String, Service>,
    /// Named diagrams over a subset of the model. Keyed by view id.
    #[serde(default)]
    #[schemars(schema_with = "view_map")]
    pub views: Option<BTreeMap<String, View>>,
    /// The level of each check, and its parameters. Keyed by rule id (`fan-in`) or code (`AM020`).
    pub rules: Option<Rules>,
    /// Journeys through the system, checked against the dependencies and drawn as sequence
    /// diagrams (`render --flow ID`). Keyed by flow id.
    #[serde(default)]
    #[schemars(schema_with = "flow_map")]
    pub flows: Option<BTreeMap<String, Flow>>,
}

/// A string. YAML numbers and booleans are read as their text; an empty value is as if the
/// field were not written.
#[expect(dead_code, reason = "a description for schemars, never built or read")]
pub(crate) struct Text(pub String);

impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean", "null"] })
    }
}

/// A boundary: a domain, bounded context, team or zone.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct Group {
    /// The name drawn on the group box (default: the id).
    pub label: Option<Text>,
    /// What the group is.
    pub description: Option<Text>,
    /// The enclosing group's id; groups nest, and a parent cycle is an error.
    #[serde(default)]
    #[schemars(schema_with = "id")]
    pub parent: Option<String>,
    /// The group box's colour, `#rgb` or `#rrggbb`.
    #[serde(default)]
    #[schemars(schema_with = "color")]
    pub color: Option<String>,
    /// The owning team; members without an owner of their own inherit it.
    pub owner: Option<Text>,
}

/// A component: a service, frontend, gateway, database, cache, queue, topic, storage, function,
/// job, external system or user.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct Service {
    /// What the component is; decides its shape and some checks (default: `service`).
    pub kind: Option<KindDoc>,
    /// The name drawn on the node (default: the id).
    pub label: Option<Text>,
    /// What the component does.
    pub description: Option<Text>,
    /// The id of the group it belongs to.
    #[serde(default)]
    #[schemars(schema_with = "id")]
    pub group: Option<String>,
    /// The owning team.
    pub owner: Option<Text>,
    /// Its technology, e.g. `Java / Spring Boot`.
    pub tech: Option<Text>,
    /// Free-form tags, usable in view selectors as `tag:NAME`.
    #[serde(default)]
    #[schemars(schema_with = "string_or_list")]
    pub tags: Option<Vec<String>>,
    /// How many instances run (default 1); used by the single-point-of-failure check.
    #[serde(default)]
    #[schemars(schema_with = "replicas")]
    pub replicas: Option<u32>,
    /// A link for the node in SVG output: http, https, mailto or a relative reference.
    pub url: Option<Text>,
    /// What it calls or uses: component ids (short form) or dependency maps.
    pub depends_on: Option<Vec<DependencyEntry>>,
    /// Rule ids or codes suppressed for this component, and `archmap drift` findings accepted
    /// for it (`unseen-component`, AM300–AM305).
    #[serde(default)]
    #[schemars(schema_with = "string_or_list")]
    pub allow: Option<Vec<String>>,
}

/// One dependency: a component id, or a map with the target and how it is called.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(untagged)]
pub(crate) enum DependencyEntry {
    /// The target's id: a dependency with the default protocol and mode.
    #[schemars(schema_with = "id")]
    Short(String),
    /// A dependency with its details.
    Long(Dependency),
}

/// A dependency with its details.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct Dependency {
    /// The id of the component depended on.
    #[schemars(schema_with = "id")]
    pub target: String,
    /// Free text; http, https, rest, grpc, graphql, websocket, amqp, kafka, nats, mqtt, sqs, sns,
    /// sql, redis, tcp, udp, s3 and smtp are styled.
    #[serde(default)]
    #[schemars(schema_with = "protocol")]
    pub protocol: Option<String>,
    /// Whether the caller waits. Default: `async` when the target is a queue or topic or the
    /// protocol is amqp, kafka, nats, mqtt, sqs or sns; otherwise `sync`.
    pub mode: Option<ModeDoc>,
    /// The edge's label.
    pub label: Option<Text>,
    /// What the dependency is for.
    pub description: Option<Text>,
    /// The caller degrades gracefully without it (default false).
    pub optional: Option<bool>,
    /// What one call costs the caller, in milliseconds; summed over a flow's sync critical
    /// path and compared with its `budget_ms`.
    #[serde(default)]
    #[schemars(schema_with = "millis")]
    pub latency_ms: Option<u32>,
    /// How long the caller waits before giving up, in milliseconds (at least 1).
    #[serde(default)]
    #[schemars(schema_with = "positive_millis")]
    pub timeout_ms: Option<u32>,
}

/// A journey through the system: who sends what to whom, in order.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct Flow {
    /// The sequence diagram's title (default: the id).
    pub title: Option<Text>,
    /// What the journey is.
    pub description: Option<Text>,
    /// The most the flow's sync critical path may take, in milliseconds (at least 1).
    #[serde(default)]
    #[schemars(schema_with = "positive_millis")]
    pub budget_ms: Option<u32>,
    /// The steps, in order: messages, `par` blocks and `loop` blocks.
    pub steps: Vec<FlowStep>,
}

/// One step of a flow: a message, branches that run at the same time, or repeated steps.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(untagged)]
pub(crate) enum FlowStep {
    /// A message from one component to another.
    Message(FlowMessage),
    /// Branches that run at the same time.
    Par(FlowPar),
    /// Steps repeated.
    Loop(FlowLoop),
}

/// A message from one component to another; a dependency must join them.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct FlowMessage {
    /// The sender's id.
    #[schemars(schema_with = "id")]
    pub from: String,
    /// The receiver's id: a component the sender depends on, or a consumer of the queue or
    /// topic that sends.
    #[schemars(schema_with = "id")]
    pub to: String,
    /// What is sent, e.g. `POST /orders`.
    pub label: Option<Text>,
    /// Whether the sender goes on without waiting (default: the dependency's mode).
    #[serde(rename = "async")]
    pub asynchronous: Option<bool>,
    /// The step may not happen (default false).
    pub optional: Option<bool>,
    /// What comes back, drawn as a return message.
    pub returns: Option<Text>,
    /// The dependency's protocol the step uses.
    #[serde(default)]
    #[schemars(schema_with = "protocol")]
    pub protocol: Option<String>,
}

/// Branches that run at the same time.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct FlowPar {
    /// The branches: each a list of steps, or a map with a `label` and `steps`.
    pub par: Vec<FlowBranch>,
    /// The block's label.
    pub label: Option<Text>,
}

/// One branch of a `par` block.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(untagged)]
pub(crate) enum FlowBranch {
    /// The branch's steps.
    Steps(Vec<FlowStep>),
    /// A labelled branch.
    Labelled(FlowLabelledBranch),
}

/// A labelled branch of a `par` block.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct FlowLabelledBranch {
    /// The branch's label.
    pub label: Option<Text>,
    /// The branch's steps.
    pub steps: Vec<FlowStep>,
}

/// Steps repeated.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct FlowLoop {
    /// What is repeated, e.g. `for each item`.
    #[serde(rename = "loop")]
    pub repeat: Text,
    /// The repeated steps.
    pub steps: Vec<FlowStep>,
}

/// A named diagram over a subset of the model.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(deny_unknown_fields)]
#[schemars(extend("patternProperties" = { "^x-": true }))]
pub(crate) struct View {
    /// The diagram's title (default: the id).
    pub title: Option<Text>,
    /// What the view shows.
    pub description: Option<Text>,
    /// What to keep (default `["*"]`).
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub include: Option<Vec<String>>,
    /// What to drop, applied after `include`.
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub exclude: Option<Vec<String>>,
    /// Keep these components and their neighbourhood only.
    #[serde(default)]
    #[schemars(schema_with = "id_list")]
    pub focus: Option<Vec<String>>,
    /// With `focus`: how many hops (default 1).
    #[serde(default)]
    #[schemars(schema_with = "depth")]
    pub depth: Option<u32>,
    /// With `focus`: which way to reach (default `both`).
    pub direction: Option<FocusDoc>,
    /// Groups drawn as one node each: a list of group ids, or `all`.
    #[serde(default)]
    #[schemars(schema_with = "collapse")]
    pub collapse: Option<Vec<String>>,
    /// The diagram's direction (default `TB`).
    pub layout: Option<DirectionDoc>,
}

/// What a component is.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Kind")]
pub(crate) enum KindDoc {
    /// A deployable backend service (the default). Drawn as a rounded box.
    Service,
    /// A web or mobile client, a UI. Drawn as a window.
    Frontend,
    /// An API gateway, load balancer, BFF or ingress. Drawn as a hexagon.
    Gateway,
    /// A relational or document store. Passive. Drawn as a cylinder.
    Database,
    /// Redis, Memcached. Passive. Drawn as a lighter cylinder.
    Cache,
    /// A message queue (RabbitMQ, SQS). Passive; dependencies on it default to async.
    Queue,
    /// A pub/sub topic or stream (Kafka, SNS). Passive; dependencies on it default to async.
    Topic,
    /// Object or file storage (S3, GCS). Passive. Drawn as a folder.
    Storage,
    /// A serverless function.
    Function,
    /// A batch job, cron or worker without an API.
    Job,
    /// A third-party system outside our control.
    External,
    /// A person or actor.
    User,
}

/// Whether the caller waits for the answer.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Mode")]
pub(crate) enum ModeDoc {
    /// The caller waits.
    Sync,
    /// Fire and forget, through a queue or topic.
    Async,
}

/// Which way a focus reaches.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "FocusDirection")]
pub(crate) enum FocusDoc {
    /// Callers of the focus, transitively.
    Upstream,
    /// What the focus depends on, transitively.
    Downstream,
    /// Both.
    Both,
}

/// A diagram direction.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[schemars(rename = "Direction")]
pub(crate) enum DirectionDoc {
    /// Top to bottom.
    TB,
    /// Left to right.
    LR,
    /// Bottom to top.
    BT,
    /// Right to left.
    RL,
}

/// A check's level.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a description for schemars' derive, never built or read")]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Level")]
pub(crate) enum LevelDoc {
    /// The check does not run.
    Off,
    /// Findings are info.
    Info,
    /// Findings are warnings.
    Warn,
    /// Findings are errors: `archmap check` exits 1.
    Error,
}

/// The `rules` section: one entry per check, named by its id or code. Generated from the
/// registry of checks, so every check and parameter is listed.
pub(crate) struct Rules;

impl JsonSchema for Rules {
    fn schema_name() -> Cow<'static, str> {
        "Rules".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let level = generator.subschema_for::<LevelDoc>().to_value();
        let mut properties = Map::new();
        for meta in registry::metas() {
            let mut params = Map::new();
            params.insert("level".into(), level.clone());
            for p in meta.params {
                params.insert(p.name.into(), param(p));
            }
            let def = format!("rule-{}", meta.id);
            generator.definitions_mut().insert(
                def.clone(),
                json!({
                    "description": format!("{} ({}): {}", meta.id, meta.code, meta.summary),
                    "anyOf": [
                        level,
                        {
                            "type": "object",
                            "properties": params,
                            "patternProperties": { "^x-": true },
                            "additionalProperties": false,
                        },
                    ],
                }),
            );
            let reference = json!({ "$ref": format!("#/$defs/{def}") });
            properties.insert(meta.id.into(), reference.clone());
            properties.insert(meta.code.into(), reference);
        }
        json_schema!({
            "type": ["object", "null"],
            "properties": properties,
            "patternProperties": { "^x-": true },
            "additionalProperties": false,
        })
    }
}

/// One rule parameter's schema, with its documentation and default.
fn param(p: &ParamMeta) -> Value {
    let mut schema = match p.kind() {
        ParamKind::Count => json!({ "type": "integer", "minimum": 0 }),
        ParamKind::Share => json!({ "type": "number", "minimum": 0, "maximum": 1 }),
        ParamKind::Forbidden => json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": { "from": selector_schema(), "to": selector_schema() },
                "required": ["from", "to"],
                "additionalProperties": false,
            },
        }),
    };
    let obj = schema.as_object_mut().expect("built as an object");
    obj.insert("description".into(), json!(p.doc));
    match p.default {
        ParamDefault::Count(n) => {
            obj.insert("default".into(), json!(n));
        }
        ParamDefault::Share(x) => {
            obj.insert("default".into(), json!(x));
        }
        // The built-in pairs are not a list one could write.
        ParamDefault::Forbidden(_) => {}
    }
    schema
}

fn selector_schema() -> Value {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    json!({
        "type": "string",
        "description": "`*`, a component id, `group:ID`, `tag:TAG` or `kind:KIND`",
        "pattern": format!(
            "^(\\*|group:.+|tag:.+|kind:({})|[A-Za-z0-9][A-Za-z0-9_.-]*)$",
            kinds.join("|")
        ),
    })
}

fn version(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "const": 1 })
}

fn id(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "pattern": ID_PATTERN })
}

fn id_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string", "pattern": ID_PATTERN },
            { "type": "array", "items": { "type": "string", "pattern": ID_PATTERN } },
            { "type": "null" },
        ]
    })
}

fn string_or_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": ["string", "number", "boolean"] } },
            { "type": "null" },
        ]
    })
}

fn selectors(_: &mut SchemaGenerator) -> Schema {
    let one = selector_schema();
    json_schema!({ "anyOf": [one, { "type": "array", "items": one }, { "type": "null" }] })
}

fn collapse(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "const": "all" },
            { "type": "string", "pattern": ID_PATTERN },
            { "type": "array", "items": { "type": "string", "pattern": ID_PATTERN } },
            { "type": "null" },
        ]
    })
}

fn color(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "pattern": "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$" })
}

fn protocol(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "examples": crate::manifest::schema::KNOWN_PROTOCOLS,
    })
}

fn replicas(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "minimum": 1, "maximum": u32::MAX })
}

fn millis(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "minimum": 0, "maximum": u32::MAX })
}

fn positive_millis(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "minimum": 1, "maximum": u32::MAX })
}

fn depth(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "minimum": 0, "maximum": u32::MAX })
}

fn entry_map(entry: &Schema) -> Schema {
    json_schema!({
        "type": ["object", "null"],
        "propertyNames": { "pattern": ID_PATTERN },
        "additionalProperties": { "anyOf": [entry, { "type": "null" }] },
    })
}

fn group_map(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<Group>();
    entry_map(&entry)
}

fn service_map(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<Service>();
    let mut schema = entry_map(&entry);
    schema.insert("type".into(), json!("object"));
    schema.insert("minProperties".into(), json!(1));
    schema
}

fn view_map(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<View>();
    entry_map(&entry)
}

fn flow_map(generator: &mut SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<Flow>();
    entry_map(&entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::schema as reader;

    #[test]
    fn schema_fields_are_the_readers_fields() {
        let fields = fields();
        let sorted = |list: &[&str]| {
            let mut v: Vec<String> = list.iter().map(|s| (*s).to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(fields["manifest"], sorted(reader::TOP_FIELDS));
        assert_eq!(fields["group"], sorted(reader::GROUP_FIELDS));
        assert_eq!(fields["service"], sorted(reader::SERVICE_FIELDS));
        assert_eq!(fields["dependency"], sorted(reader::DEPENDENCY_FIELDS));
        assert_eq!(fields["view"], sorted(reader::VIEW_FIELDS));
        assert_eq!(fields["flow"], sorted(reader::FLOW_FIELDS));
        assert_eq!(fields["message"], sorted(reader::MESSAGE_FIELDS));
    }
}
