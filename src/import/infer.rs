//! Guesses from compose data: a component's kind from its image, the hosts an environment
//! variable points at, and a dependency's protocol.
//!
//! Input: strings (image references, variable names and values). Output: guesses with the
//! reason they were made. Invariants: pure functions; a guess is made only on a clear signal
//! (a known image name, an address-like variable name or an address-shaped value), never on
//! free text such as `JAVA_OPTS`.

use crate::vocab::Kind;

/// An image reference split into its parts: `registry/namespace/name:tag@digest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef {
    /// Every path segment before the name (registry and namespaces), lowercase.
    pub path: Vec<String>,
    /// The last path segment, lowercase, without tag or digest.
    pub name: String,
}

/// Splits an image reference.
#[must_use]
pub(crate) fn parse_image(image: &str) -> ImageRef {
    let image = image.trim().to_ascii_lowercase();
    let without_digest = image.split('@').next().unwrap_or("");
    let mut segments: Vec<&str> = without_digest.split('/').collect();
    let last = segments.pop().unwrap_or("");
    // A tag follows the last colon of the last segment (a registry port sits in an earlier one).
    let name = last.split(':').next().unwrap_or("").to_string();
    ImageRef { path: segments.into_iter().map(str::to_string).collect(), name }
}

/// Known images: name (or last `-`-separated word of the name) → kind.
const KNOWN_IMAGES: &[(&str, Kind)] = &[
    ("postgres", Kind::Database),
    ("postgresql", Kind::Database),
    ("postgis", Kind::Database),
    ("timescaledb", Kind::Database),
    ("mysql", Kind::Database),
    ("mariadb", Kind::Database),
    ("percona", Kind::Database),
    ("mongo", Kind::Database),
    ("mongodb", Kind::Database),
    ("cassandra", Kind::Database),
    ("scylla", Kind::Database),
    ("mssql", Kind::Database),
    ("sqlserver", Kind::Database),
    ("azure-sql-edge", Kind::Database),
    ("couchdb", Kind::Database),
    ("couchbase", Kind::Database),
    ("neo4j", Kind::Database),
    ("clickhouse", Kind::Database),
    ("clickhouse-server", Kind::Database),
    ("cockroach", Kind::Database),
    ("influxdb", Kind::Database),
    ("elasticsearch", Kind::Database),
    ("opensearch", Kind::Database),
    ("dynamodb-local", Kind::Database),
    ("redis", Kind::Cache),
    ("redis-stack", Kind::Cache),
    ("valkey", Kind::Cache),
    ("memcached", Kind::Cache),
    ("keydb", Kind::Cache),
    ("dragonfly", Kind::Cache),
    ("rabbitmq", Kind::Queue),
    ("nats", Kind::Queue),
    ("activemq", Kind::Queue),
    ("activemq-artemis", Kind::Queue),
    ("artemis", Kind::Queue),
    ("kafka", Kind::Topic),
    ("cp-kafka", Kind::Topic),
    ("redpanda", Kind::Topic),
    ("pulsar", Kind::Topic),
    ("nginx", Kind::Gateway),
    ("envoy", Kind::Gateway),
    ("traefik", Kind::Gateway),
    ("haproxy", Kind::Gateway),
    ("kong", Kind::Gateway),
    ("caddy", Kind::Gateway),
    ("minio", Kind::Storage),
    ("azurite", Kind::Storage),
    ("openresty", Kind::Gateway),
    ("nginx-proxy", Kind::Gateway),
    ("apisix", Kind::Gateway),
    ("pgvector", Kind::Database),
    ("pgvecto-rs", Kind::Database),
    ("mysql-server", Kind::Database),
];

/// Paths a container mounts that say what runs in it: a configuration read by a proxy, the data
/// directory of a database or broker (prefixes of the mount path).
const KNOWN_MOUNTS: &[(&str, Kind)] = &[
    ("/etc/nginx", Kind::Gateway),
    ("/usr/local/openresty/nginx/conf", Kind::Gateway),
    ("/etc/traefik", Kind::Gateway),
    ("/etc/haproxy", Kind::Gateway),
    ("/usr/local/etc/haproxy", Kind::Gateway),
    ("/etc/envoy", Kind::Gateway),
    ("/etc/caddy", Kind::Gateway),
    ("/var/lib/postgresql", Kind::Database),
    ("/bitnami/postgresql", Kind::Database),
    ("/var/lib/mysql", Kind::Database),
    ("/bitnami/mysql", Kind::Database),
    ("/bitnami/mariadb", Kind::Database),
    ("/data/db", Kind::Database),
    ("/bitnami/mongodb", Kind::Database),
    ("/var/opt/mssql", Kind::Database),
    ("/var/lib/clickhouse", Kind::Database),
    ("/usr/share/elasticsearch/data", Kind::Database),
    ("/var/lib/cassandra", Kind::Database),
    ("/var/lib/rabbitmq", Kind::Queue),
    ("/bitnami/rabbitmq", Kind::Queue),
    ("/bitnami/kafka", Kind::Topic),
    ("/bitnami/redis", Kind::Cache),
];

/// The kind a container's mount paths say, with the path.
#[must_use]
pub(crate) fn kind_of_mounts(mounts: &[String]) -> Option<(Kind, &str)> {
    mounts.iter().find_map(|m| {
        let m = m.as_str();
        KNOWN_MOUNTS
            .iter()
            .find(|(p, _)| {
                m.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map(|&(_, k)| (k, m))
    })
}

/// A component's kind and why: from its image when it names a known product, else from the
/// paths it mounts (a proxy's configuration, a database's data), else from its name.
#[must_use]
pub(crate) fn kind_of(
    image: Option<&str>,
    name: &str,
    mounts: &[String],
) -> Option<(Kind, String)> {
    if let Some(img) = image
        && let Some(k) = kind_of_image(&parse_image(img))
    {
        return Some((k, format!("inferred from image {img}")));
    }
    if let Some((k, path)) = kind_of_mounts(mounts) {
        return Some((k, format!("inferred from the mount {path}")));
    }
    let k = kind_of_name(name)?;
    let why = match image {
        Some(img) => format!("inferred from the service name (image {img} is not a known one)"),
        None => "inferred from the service name (no image)".to_string(),
    };
    Some((k, why))
}

/// Words that follow a product's name in image names without changing what it is
/// (`clickhouse-server`, `mongodb-community-server`, `redis-stack-server`).
const NOISE_WORDS: &[&str] = &[
    "server",
    "community",
    "oss",
    "alpine",
    "local",
    "db",
    "unprivileged",
    "ha",
    "slim",
    "bookworm",
    "bullseye",
    "official",
];

/// The kind an image name says, if it names a known product.
#[must_use]
pub(crate) fn kind_of_name(name: &str) -> Option<Kind> {
    let name = name.to_ascii_lowercase();
    let lookup = |n: &str| KNOWN_IMAGES.iter().find(|(k, _)| *k == n).map(|&(_, kind)| kind);
    if let Some(k) = lookup(&name) {
        return Some(k);
    }
    // The product is the last word that is not noise: `piggymetrics-mongodb`, `ts-user-mongo`,
    // `openresty-nginx`. `mongo-express` is not a database: its last word is `express`.
    let words: Vec<&str> = name.split(['-', '_', '.']).filter(|w| !w.is_empty()).collect();
    let last = words.iter().rev().find(|w| !NOISE_WORDS.contains(w))?;
    lookup(last)
}

/// The kind an image reference says, if it names a known product.
#[must_use]
pub(crate) fn kind_of_image(image: &ImageRef) -> Option<Kind> {
    // `mcr.microsoft.com/mssql/server`: the product is the namespace.
    if image.name == "server" && image.path.last().is_some_and(|p| p == "mssql") {
        return Some(Kind::Database);
    }
    kind_of_name(&image.name)
}

/// The image the last stage of a Dockerfile starts from (`FROM [--platform=…] IMAGE [AS
/// name]`), unless it is an earlier stage or a variable.
#[must_use]
pub(crate) fn final_base_image(dockerfile: &str) -> Option<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut last = None;
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("from")) {
            continue;
        }
        let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
        let Some(image) = rest.first() else { continue };
        if let [_, as_kw, name, ..] = rest.as_slice()
            && as_kw.eq_ignore_ascii_case("as")
        {
            stages.push(name.to_ascii_lowercase());
        }
        last = Some((*image).to_string());
    }
    let image = last?;
    (!image.contains('$') && !stages.contains(&image.to_ascii_lowercase())).then_some(image)
}

/// The protocol a database, cache or broker image speaks.
#[must_use]
pub(crate) fn protocol_of_image(image: &ImageRef) -> Option<&'static str> {
    if image.name == "server" && image.path.last().is_some_and(|p| p == "mssql") {
        return Some("sql");
    }
    let name = image.name.as_str();
    let words: Vec<&str> = name.split(['-', '_', '.']).collect();
    let has = |w: &str| name == w || words.last() == Some(&w);
    if [
        "postgres",
        "postgresql",
        "postgis",
        "timescaledb",
        "mysql",
        "mariadb",
        "percona",
        "azure-sql-edge",
        "cockroach",
    ]
    .iter()
    .any(|w| has(w))
    {
        Some("sql")
    } else if ["redis", "valkey", "keydb", "dragonfly"].iter().any(|w| has(w)) {
        Some("redis")
    } else if has("rabbitmq") {
        Some("amqp")
    } else if ["kafka", "redpanda"].iter().any(|w| has(w)) {
        Some("kafka")
    } else if has("nats") {
        Some("nats")
    } else {
        None
    }
}

/// Last words of variable names that hold an address: `DB_HOST`, `ORDERS_URL`,
/// `identityUrl`, `EventBusConnection`, `KAFKA_BOOTSTRAP_SERVERS`.
const ADDRESS_WORDS: &[&str] = &[
    "host",
    "hostname",
    "hosts",
    "addr",
    "address",
    "url",
    "urls",
    "uri",
    "server",
    "servers",
    "endpoint",
    "connection",
    "dsn",
    "broker",
    "brokers",
    // libpq's and MySQL clients' own variables.
    "pghost",
];

/// Last words of variables that hold command-line flags or free text: never read as addresses.
const FREE_TEXT_WORDS: &[&str] = &["opts", "options", "args", "flags", "command", "cmd"];

/// The words of a variable name: split at `_`, `-`, `.` and lower-to-upper case changes.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Words a variable's name uses for a product of each passive kind (`REDIS`, `MONGO`, `DB`).
fn kind_words(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Database => &[
            "db",
            "database",
            "sql",
            "mysql",
            "postgres",
            "postgresql",
            "pg",
            "mongo",
            "mongodb",
            "mariadb",
        ],
        Kind::Cache => &["redis", "cache", "memcached", "valkey"],
        Kind::Queue => &["queue", "mq", "amqp", "rabbit", "rabbitmq", "nats", "broker"],
        Kind::Topic => &["kafka", "broker", "topic", "stream"],
        Kind::Storage => &["s3", "minio", "storage", "bucket"],
        _ => &[],
    }
}

/// Whether a variable whose value is a bare host name (`REDIS=azure-vote-back`) names what
/// the host runs: one of its words is a word of the target's image name, or a word for the
/// target's (passive) kind.
#[must_use]
pub(crate) fn names_product(var: &str, kind: Kind, image: Option<&str>) -> bool {
    let words = name_words(var);
    let image_words: Vec<String> = image
        .map(|i| parse_image(i).name.split(['-', '_', '.']).map(str::to_string).collect())
        .unwrap_or_default();
    words.iter().any(|w| {
        kind_words(kind).contains(&w.as_str())
            || (kind.is_passive()
                && image_words.iter().any(|i| i == w && !NOISE_WORDS.contains(&i.as_str())))
    })
}

/// Whether a variable's name says it holds an address.
#[must_use]
pub(crate) fn is_address_name(name: &str) -> bool {
    let words = name_words(name);
    match words.as_slice() {
        [.., a, b] if a == "connection" && b == "string" => true,
        [.., last] => ADDRESS_WORDS.contains(&last.as_str()),
        [] => false,
    }
}

/// One host an environment value points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostRef {
    /// The host name, as written.
    pub host: String,
    /// The URL scheme, lowercase, when the value is a URL (`http`, `jdbc:mysql`).
    pub scheme: Option<String>,
    /// The port, when one is written.
    pub port: Option<u16>,
}

/// The hosts an environment variable points at, in order. Empty when neither the name nor the
/// value looks like an address.
#[must_use]
pub(crate) fn hosts_in(name: &str, value: &str) -> Vec<HostRef> {
    let words = name_words(name);
    if words.last().is_some_and(|w| FREE_TEXT_WORDS.contains(&w.as_str())) {
        return Vec::new();
    }
    let value = value.trim();
    // A .NET or libpq style `Key=Value;Key=Value` connection string (its keys may hold spaces:
    // `User Id`, `Data Source`).
    if (value.contains('=') && value.contains(';'))
        || value.to_ascii_lowercase().starts_with("host=")
        || value.to_ascii_lowercase().starts_with("server=")
    {
        return connection_string_hosts(value);
    }
    if value.is_empty() || value.chars().any(char::is_whitespace) {
        return Vec::new();
    }
    let address_name = is_address_name(name);
    let mut out = Vec::new();
    for item in value.split(',') {
        if let Some(h) = url_host(item) {
            out.push(h);
        } else if let Some(h) = host_port(item) {
            out.push(h);
        } else if address_name && is_hostname(item) {
            out.push(HostRef { host: item.to_string(), scheme: None, port: None });
        }
    }
    out
}

/// `scheme://[user[:password]@]host[:port][/…]`, also `jdbc:mysql://…` and several hosts
/// after one scheme (`mongodb://a:27017,b:27017/db` is split by the caller at commas).
fn url_host(item: &str) -> Option<HostRef> {
    let (scheme, rest) = item.split_once("://")?;
    if scheme.is_empty()
        || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | ':'))
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = split_port(authority);
    if !is_hostname(host) {
        return None;
    }
    Some(HostRef { host: host.to_string(), scheme: Some(scheme.to_ascii_lowercase()), port })
}

/// `host:port` with a numeric port, or a bare host after a URL scheme's list.
fn host_port(item: &str) -> Option<HostRef> {
    // The second host of `mongodb://a:27017,b:27018/db` carries the path.
    let item = item.split(['/', '?']).next().unwrap_or(item);
    let (host, port) = item.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    // `1@kafka:9093` (Kafka quorum voters): the host follows the `@`.
    let host = host.rsplit('@').next().unwrap_or(host);
    is_hostname(host).then(|| HostRef { host: host.to_string(), scheme: None, port: Some(port) })
}

fn split_port(authority: &str) -> (&str, Option<u16>) {
    match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, p.parse().ok())
        }
        _ => (authority, None),
    }
}

fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Hosts of `Server=sqldata;Database=…` or `Host=db;Username=…`.
fn connection_string_hosts(value: &str) -> Vec<HostRef> {
    let mut out = Vec::new();
    for part in value.split(';') {
        let Some((k, v)) = part.split_once('=') else { continue };
        let k = k.trim().to_ascii_lowercase();
        if !matches!(
            k.as_str(),
            "server" | "host" | "hostname" | "data source" | "address" | "addr" | "endpoint"
        ) {
            continue;
        }
        let v = v.trim();
        let v = v.strip_prefix("tcp:").unwrap_or(v);
        for item in v.split(',') {
            let (host, port) = split_port(item.trim());
            if is_hostname(host) {
                out.push(HostRef { host: host.to_string(), scheme: None, port });
            }
        }
        // `Server=host,1433`: the port follows the comma.
        if let [h, p] = v.split(',').collect::<Vec<_>>().as_slice()
            && p.trim().parse::<u16>().is_ok()
        {
            out.retain(|r| r.host != *p.trim());
            if let Some(r) = out.iter_mut().find(|r| r.host == h.trim()) {
                r.port = p.trim().parse().ok();
            }
        }
    }
    out
}

/// A protocol guessed from a URL scheme or a well-known port, with what it was guessed from.
#[must_use]
pub(crate) fn protocol_of(host: &HostRef) -> Option<(&'static str, String)> {
    if let Some(scheme) = &host.scheme {
        let last = scheme.rsplit(':').next().unwrap_or(scheme);
        let p = match last {
            "http" => Some("http"),
            "https" => Some("https"),
            "grpc" | "grpcs" => Some("grpc"),
            "ws" | "wss" => Some("websocket"),
            "amqp" | "amqps" => Some("amqp"),
            "kafka" => Some("kafka"),
            "redis" | "rediss" => Some("redis"),
            "nats" => Some("nats"),
            "mqtt" | "mqtts" => Some("mqtt"),
            "postgres" | "postgresql" | "mysql" | "mariadb" | "sqlserver" | "oracle" => Some("sql"),
            "tcp" => Some("tcp"),
            "udp" => Some("udp"),
            "smtp" => Some("smtp"),
            "s3" => Some("s3"),
            _ => None,
        };
        if let Some(p) = p {
            return Some((p, format!("URL scheme {scheme}")));
        }
    }
    let port = host.port?;
    let p = match port {
        80 | 8080 => "http",
        443 => "https",
        5432 | 3306 | 1433 => "sql",
        6379 => "redis",
        5672 => "amqp",
        9092 | 29092 => "kafka",
        4222 => "nats",
        1883 => "mqtt",
        4317 | 50051 => "grpc",
        _ => return None,
    };
    Some((p, format!("port {port}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(image: &str) -> Option<Kind> {
        kind_of_image(&parse_image(image))
    }

    #[test]
    fn images_split_into_path_and_name() {
        let i = parse_image("registry.example.com:5000/team/Postgres:15-alpine@sha256:abc");
        assert_eq!(i.path, ["registry.example.com:5000", "team"]);
        assert_eq!(i.name, "postgres");
        assert_eq!(parse_image("redis").name, "redis");
        assert_eq!(parse_image("").name, "");
    }

    #[test]
    fn kinds_of_known_images() {
        assert_eq!(kind("postgres:15"), Some(Kind::Database));
        assert_eq!(kind("mysql"), Some(Kind::Database));
        assert_eq!(kind("bitnami/mariadb:11"), Some(Kind::Database));
        assert_eq!(kind("mongo"), Some(Kind::Database));
        assert_eq!(kind("sqshq/piggymetrics-mongodb"), Some(Kind::Database));
        assert_eq!(kind("cassandra:4"), Some(Kind::Database));
        assert_eq!(kind("mcr.microsoft.com/mssql/server:2019-latest"), Some(Kind::Database));
        assert_eq!(kind("mcr.microsoft.com/azure-sql-edge"), Some(Kind::Database));
        assert_eq!(kind("opensearchproject/opensearch:3"), Some(Kind::Database));
        assert_eq!(kind("clickhouse/clickhouse-server"), Some(Kind::Database));
        assert_eq!(kind("redis:alpine"), Some(Kind::Cache));
        assert_eq!(kind("valkey/valkey:9.0.1-alpine3.23"), Some(Kind::Cache));
        assert_eq!(kind("memcached:1.6"), Some(Kind::Cache));
        assert_eq!(kind("rabbitmq:3-management-alpine"), Some(Kind::Queue));
        assert_eq!(kind("nats:2"), Some(Kind::Queue));
        assert_eq!(kind("apache/activemq-artemis"), Some(Kind::Queue));
        assert_eq!(kind("confluentinc/cp-kafka:7"), Some(Kind::Topic));
        assert_eq!(kind("eventuateio/eventuate-kafka:1"), Some(Kind::Topic));
        assert_eq!(kind("redpandadata/redpanda"), Some(Kind::Topic));
        assert_eq!(kind("nginx:1.25"), Some(Kind::Gateway));
        assert_eq!(kind("envoyproxy/envoy:v1.11.1"), Some(Kind::Gateway));
        assert_eq!(kind("traefik:v3"), Some(Kind::Gateway));
        assert_eq!(kind("haproxy"), Some(Kind::Gateway));
        assert_eq!(kind("minio/minio"), Some(Kind::Storage));
        // Proxies built on nginx, and database images named after their base.
        assert_eq!(kind("nginxinc/nginx-unprivileged:1.27"), Some(Kind::Gateway));
        assert_eq!(kind("openresty/openresty:alpine"), Some(Kind::Gateway));
        assert_eq!(kind("jwilder/nginx-proxy"), Some(Kind::Gateway));
        assert_eq!(kind("timescale/timescaledb-ha:pg16"), Some(Kind::Database));
        assert_eq!(kind("pgvector/pgvector:pg16"), Some(Kind::Database));
        assert_eq!(kind("ankane/pgvector"), Some(Kind::Database));
        assert_eq!(kind("mysql/mysql-server:8.0"), Some(Kind::Database));
    }

    #[test]
    fn dockerfiles_tell_their_base_image() {
        assert_eq!(
            final_base_image(
                "FROM node:20 AS build\nRUN x\nFROM --platform=linux/amd64 nginx:1.27-alpine\nCOPY --from=build /a /b\n"
            ),
            Some("nginx:1.27-alpine".into())
        );
        assert_eq!(final_base_image("from postgres:16\n"), Some("postgres:16".into()));
        assert_eq!(final_base_image("FROM a AS base\nFROM base\n"), None);
        assert_eq!(final_base_image("ARG V\nFROM ${V}\n"), None);
        assert_eq!(final_base_image("RUN x\n"), None);
    }

    #[test]
    fn mounts_tell_proxies_and_databases() {
        let m = |paths: &[&str]| -> Option<Kind> {
            let v: Vec<String> = paths.iter().map(|s| (*s).to_string()).collect();
            kind_of_mounts(&v).map(|(k, _)| k)
        };
        assert_eq!(m(&["/etc/nginx/conf.d/default.conf"]), Some(Kind::Gateway));
        assert_eq!(m(&["/etc/nginx"]), Some(Kind::Gateway));
        assert_eq!(m(&["/etc/nginxfoo"]), None);
        assert_eq!(m(&["/app", "/var/lib/postgresql/data"]), Some(Kind::Database));
        assert_eq!(m(&["/data"]), None);
        // The image wins over mounts, mounts over the name.
        let v = vec!["/var/lib/mysql".to_string()];
        assert_eq!(kind_of(Some("redis"), "x", &v).map(|k| k.0), Some(Kind::Cache));
        assert_eq!(kind_of(Some("acme/app"), "x-redis", &v).map(|k| k.0), Some(Kind::Database));
        assert_eq!(kind_of(Some("acme/app"), "x-redis", &[]).map(|k| k.0), Some(Kind::Cache));
    }

    #[test]
    fn unknown_and_lookalike_images_are_services() {
        assert_eq!(kind("mongo-express"), None);
        assert_eq!(kind("redis-exporter"), None);
        assert_eq!(kind("oliver006/redis_exporter"), None);
        assert_eq!(kind("openzipkin/zipkin"), None);
        assert_eq!(kind("ghcr.io/open-telemetry/demo:latest-kafka"), None);
        assert_eq!(kind("daprio/daprd:edge"), None);
        assert_eq!(kind("datalust/seq"), None);
        assert_eq!(kind("postgres-backup"), None);
    }

    #[test]
    fn address_names() {
        for n in [
            "DB_HOST",
            "ORDER_QUEUE_HOSTNAME",
            "KAFKA_ADDR",
            "ORDERS_URL",
            "MONGO_URI",
            "CONFIG_SERVER",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "identityUrl",
            "EventBusConnection",
            "ConnectionString",
            "DB_CONNECTION_STRING",
            "KAFKA_BOOTSTRAP_SERVERS",
        ] {
            assert!(is_address_name(n), "{n}");
        }
        for n in ["JAVA_OPTS", "HOST_NAME", "OTEL_SERVICE_NAME", "URL_PREFIX", "CURL", "HOSTPORT"] {
            assert!(!is_address_name(n), "{n}");
        }
    }

    fn hosts(name: &str, value: &str) -> Vec<(String, Option<u16>)> {
        hosts_in(name, value).into_iter().map(|h| (h.host, h.port)).collect()
    }

    #[test]
    fn hosts_from_values() {
        assert_eq!(hosts("ORDERS_URL", "http://orders:8080"), [("orders".into(), Some(8080))]);
        assert_eq!(hosts("X", "postgres://user:pw@db:5432/x"), [("db".into(), Some(5432))]);
        assert_eq!(hosts("X", "redis://cache"), [("cache".into(), None)]);
        assert_eq!(
            hosts("X", "mongodb://a:27017,b:27018/db"),
            [("a".into(), Some(27017)), ("b".into(), Some(27018))]
        );
        assert_eq!(hosts("X", "amqp://guest:guest@rabbitmq"), [("rabbitmq".into(), None)]);
        assert_eq!(
            hosts("SPRING_DATASOURCE_URL", "jdbc:mysql://mysql/ftgo"),
            [("mysql".into(), None)]
        );
        assert_eq!(hosts("KAFKA_ADDR", "kafka:9092"), [("kafka".into(), Some(9092))]);
        assert_eq!(hosts("ANYTHING", "kafka:9092"), [("kafka".into(), Some(9092))]);
        assert_eq!(hosts("DB_HOST", "db"), [("db".into(), None)]);
        assert_eq!(
            hosts("ConnectionString", "Server=sqldata;Database=x;User Id=sa;Password=p"),
            [("sqldata".into(), None)]
        );
        assert_eq!(
            hosts("C", "Host=postgresql;Username=u;Password=p;Database=d"),
            [("postgresql".into(), None)]
        );
        assert_eq!(hosts("C", "Server=tcp:sql,1433;Database=d"), [("sql".into(), Some(1433))]);
        assert_eq!(hosts("V", "1@kafka:9093"), [("kafka".into(), Some(9093))]);
    }

    #[test]
    fn no_hosts_from_free_text() {
        assert!(hosts("JAVA_OPTS", "-Xmx128m").is_empty());
        assert!(hosts("JAVA_OPTS", "-Dconfig.uri=http://config:8888").is_empty());
        assert!(hosts("_JAVA_OPTIONS", "http://config:8888").is_empty());
        assert!(hosts("KAFKA_HEAP_OPTS", "-Xmx400m -Xms400m").is_empty());
        // A bare word is an address only under an address-like name.
        assert!(hosts("OTEL_SERVICE_NAME", "cart").is_empty());
        assert!(hosts("HOST_NAME", "persistence").is_empty());
        assert!(hosts("MAP", "LC:PLAINTEXT,LX:PLAINTEXT").is_empty());
        assert!(hosts("GREETING", "hello world").is_empty());
        assert!(hosts("DB_HOST", "").is_empty());
    }

    #[test]
    fn protocols() {
        let p = |name: &str, value: &str| {
            hosts_in(name, value).first().and_then(protocol_of).map(|(p, _)| p)
        };
        assert_eq!(p("U", "http://a"), Some("http"));
        assert_eq!(p("U", "https://a"), Some("https"));
        assert_eq!(p("U", "jdbc:postgresql://db/x"), Some("sql"));
        assert_eq!(p("U", "amqp://mq"), Some("amqp"));
        assert_eq!(p("A", "db:5432"), Some("sql"));
        assert_eq!(p("A", "cache:6379"), Some("redis"));
        assert_eq!(p("A", "payment:50051"), Some("grpc"));
        assert_eq!(p("A", "thing:1234"), None);
        assert_eq!(protocol_of_image(&parse_image("postgres:15")), Some("sql"));
        assert_eq!(protocol_of_image(&parse_image("mcr.microsoft.com/mssql/server")), Some("sql"));
        assert_eq!(protocol_of_image(&parse_image("valkey/valkey")), Some("redis"));
        assert_eq!(protocol_of_image(&parse_image("rabbitmq:3")), Some("amqp"));
        assert_eq!(protocol_of_image(&parse_image("mongo")), None);
    }
}
