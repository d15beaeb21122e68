//! `archmap import compose`: the corpus of real compose files (every system imports into a
//! manifest that checks without errors, and its declared edges equal those computed here from
//! the raw YAML), hand-checked facts on a few systems, snapshots, and malformed input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{Output, root, run_in, run_with_env, temp_with};

/// Every corpus system and the files it merges, as SOURCES.md describes them.
const SYSTEMS: &[(&str, &[&str])] = &[
    ("sock-shop", &["docker-compose.yml"]),
    ("dsb-social-network", &["docker-compose.yml"]),
    ("dsb-hotel-reservation", &["docker-compose.yml"]),
    ("dsb-media-microservices", &["docker-compose.yml"]),
    ("train-ticket", &["docker-compose.yml"]),
    ("eshop-on-containers", &["docker-compose.yml", "docker-compose.override.yml"]),
    ("spring-petclinic-microservices", &["docker-compose.yml"]),
    ("otel-astronomy-shop", &["docker-compose.yml"]),
    (
        "otel-astronomy-shop-v3-split",
        &["docker-compose.yml", "compose.full.yaml", "compose.observability.yaml"],
    ),
    ("robot-shop", &["docker-compose.yml"]),
    ("eshop-on-dapr", &["docker-compose.yml", "docker-compose.override.yml"]),
    ("dapr-hello-docker-compose", &["docker-compose.yml"]),
    ("aks-store-demo", &["docker-compose.yml"]),
    ("aks-store-demo", &["docker-compose-quickstart.yml"]),
    ("teastore", &["docker-compose.yml"]),
    ("piggymetrics", &["docker-compose.yml"]),
    ("piggymetrics", &["docker-compose.yml", "docker-compose.dev.yml"]),
    ("ftgo", &["docker-compose.yml"]),
];

fn corpus(dir: &str) -> PathBuf {
    root().join("tests/fixtures/compose").join(dir)
}

/// `archmap import compose FILES` in a corpus directory (empty environment).
fn import(dir: &str, files: &[&str]) -> Output {
    let mut args = vec!["import", "compose"];
    args.extend_from_slice(files);
    run_in(&corpus(dir), &args, "")
}

/// Runs archmap with an environment.
fn run_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run_with_env(cwd, args, "", env)
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (component, target, x-source) of every dependency in a manifest.
fn edges(manifest: &str) -> Vec<(String, String, String)> {
    let doc = yaml(manifest);
    let mut out = Vec::new();
    for (id, svc) in doc["services"].as_object().expect("services") {
        for d in svc["depends_on"].as_array().map(Vec::as_slice).unwrap_or_default() {
            out.push((
                id.clone(),
                d["target"].as_str().expect("long form").to_string(),
                d["x-source"].as_str().expect("x-source").to_string(),
            ));
        }
    }
    out
}

fn pairs(edges: &[(String, String, String)], sources: &[&str]) -> BTreeSet<(String, String)> {
    edges
        .iter()
        .filter(|(_, _, s)| sources.contains(&s.as_str()))
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect()
}

/// The `depends_on` and `links` edges of compose files, computed from the raw YAML: the union
/// over the files, as docker compose merges these lists and maps.
fn declared_in(dir: &str, files: &[&str]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(corpus(dir).join(f)).unwrap();
        let doc = yaml(&text);
        let Some(services) = doc["services"].as_object() else { continue };
        for (name, svc) in services {
            match &svc["depends_on"] {
                serde_json::Value::Array(items) => {
                    for t in items {
                        out.insert((name.clone(), t.as_str().unwrap().to_string()));
                    }
                }
                serde_json::Value::Object(map) => {
                    for t in map.keys() {
                        out.insert((name.clone(), t.clone()));
                    }
                }
                _ => {}
            }
            for l in svc["links"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let t = l.as_str().unwrap().split(':').next().unwrap();
                out.insert((name.clone(), t.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_corpus_system_imports_checks_clean_and_keeps_declared_edges_exactly() {
    for (dir, files) in SYSTEMS {
        let out = import(dir, files);
        assert_eq!(out.code, 0, "{dir} {files:?}: {}", out.stderr);
        // archmap reads its own output and finds no error.
        let checked = run_in(&corpus(dir), &["check", "-", "--format", "json"], &out.stdout);
        assert_eq!(checked.code, 0, "{dir}: {}\n{}", checked.stdout, out.stdout);
        let report: serde_json::Value = serde_json::from_str(&checked.stdout).unwrap();
        assert_eq!(report["summary"]["error"], 0, "{dir}");
        // Declared edges: exactly those of the compose files.
        let got = edges(&out.stdout);
        assert_eq!(
            pairs(&got, &["depends_on", "links"]),
            declared_in(dir, files),
            "{dir} {files:?}"
        );
        // Every other edge is labelled as implied or inferred, never twice to one target.
        for (a, b, s) in &got {
            assert!(
                [
                    "depends_on",
                    "links",
                    "network_mode",
                    "volumes_from",
                    "external_links",
                    "environment"
                ]
                .contains(&s.as_str()),
                "{dir}: {a} → {b} from {s}"
            );
        }
        let unique: BTreeSet<_> = got.iter().map(|(a, b, _)| (a, b)).collect();
        assert_eq!(unique.len(), got.len(), "{dir}: one dependency per target");
        // Every compose service is a component, in compose order.
        let doc = yaml(&out.stdout);
        assert_eq!(doc["version"], 1);
        assert!(!doc["services"].as_object().unwrap().is_empty());
        // Byte-identical output for identical input.
        assert_eq!(import(dir, files).stdout, out.stdout, "{dir}: deterministic");
    }
}

#[test]
fn spring_petclinic_depends_on_edges_by_hand() {
    let out = import("spring-petclinic-microservices", &["docker-compose.yml"]);
    let got = pairs(&edges(&out.stdout), &["depends_on"]);
    let mut want = BTreeSet::from([("discovery-server".to_string(), "config-server".to_string())]);
    for s in [
        "customers-service",
        "visits-service",
        "vets-service",
        "genai-service",
        "api-gateway",
        "admin-server",
    ] {
        want.insert((s.into(), "config-server".into()));
        want.insert((s.into(), "discovery-server".into()));
    }
    assert_eq!(got, want);
    assert!(
        out.stdout
            .contains("x-source: depends_on  # condition service_healthy, docker-compose.yml:30\n")
    );
    // Three unset ${OPENAI…} variables, each reported once with its place.
    assert!(
        out.stderr.contains("docker-compose.yml:85:9: variable `OPENAI_API_KEY` is not set"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.matches("is not set").count(), 3, "{}", out.stderr);
}

#[test]
fn eshop_on_containers_url_inferred_edges_by_hand() {
    let out = import("eshop-on-containers", &["docker-compose.yml", "docker-compose.override.yml"]);
    let got = pairs(&edges(&out.stdout), &["environment"]);
    let mut want: BTreeSet<(String, String)> = [
        ("ordering-api", "identity-api"),
        ("webhooks-api", "rabbitmq"),
        ("webhooks-api", "identity-api"),
        ("mobileshoppingagg", "payment-api"),
        ("webshoppingagg", "payment-api"),
        ("webspa", "identity-api"),
        ("webmvc", "identity-api"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect();
    for t in [
        "webmvc",
        "webspa",
        "webshoppingagg",
        "mobileshoppingagg",
        "ordering-api",
        "basket-api",
        "catalog-api",
        "identity-api",
        "payment-api",
        "ordering-signalrhub",
        "ordering-backgroundtasks",
    ] {
        want.insert(("webstatus".into(), t.into()));
    }
    assert_eq!(got, want);
    // The evidence is in the comment, and the edge's protocol comes from the URL.
    assert!(
        out.stdout.contains(
            "      - target: identity-api\n        protocol: http  # guessed from URL scheme http\n        x-source: environment  # inferred from identityUrl=http://identity-api (docker-compose.override.yml:109)\n"
        ),
        "{}",
        out.stdout
    );
    // A bare service name under an address-like variable name, towards a queue.
    assert!(
        out.stdout.contains("x-source: environment  # inferred from EventBusConnection=rabbitmq")
    );
    // Connection strings name hosts, and their passwords never reach the manifest.
    assert!(!out.stdout.contains("Pass@word"), "{}", out.stdout);
    // Kinds from images; the SQL Server image is recognised through its namespace.
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["sqldata"]["kind"], "database");
    assert_eq!(doc["services"]["basketdata"]["kind"], "cache");
    assert_eq!(doc["services"]["rabbitmq"]["kind"], "queue");
    assert_eq!(doc["services"]["webshoppingapigw"]["kind"], "gateway");
    // ${REGISTRY:-eshop} and friends took their defaults.
    assert_eq!(doc["services"]["basket-api"]["tech"], "eshop/basket.api:linux-latest");
}

#[test]
fn piggymetrics_dollar_variables_come_from_dot_env() {
    // The .env beside the file answers every `$VAR`; without it
    // (an empty --env-file) each is reported once; the environment wins over both.
    let out = import("piggymetrics", &["docker-compose.yml"]);
    assert!(!out.stderr.contains("is not set"), "{}", out.stderr);
    let tmp = temp_with(&[("empty.env", "")]);
    let empty = tmp.path().join("empty.env");
    let out =
        import("piggymetrics", &["docker-compose.yml", "--env-file", empty.to_str().unwrap()]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stderr.matches("is not set").count(), 5, "{}", out.stderr);
    assert!(out.stderr.contains("variable `CONFIG_SERVICE_PASSWORD` is not set"), "{}", out.stderr);
}

#[test]
fn otel_astronomy_shop_kinds_of_known_images() {
    let out = import("otel-astronomy-shop", &["docker-compose.yml"]);
    let doc = yaml(&out.stdout);
    let kind = |s: &str| doc["services"][s]["kind"].as_str().unwrap_or("service").to_string();
    assert_eq!(kind("postgresql"), "database");
    assert_eq!(kind("valkey-cart"), "cache");
    assert_eq!(kind("opensearch"), "database");
    // The demo's Kafka is the project's own image: its name decides.
    assert_eq!(kind("kafka"), "topic");
    assert!(out.stdout.contains("kind: topic  # inferred from the service name (image ghcr.io/open-telemetry/demo:latest-kafka is not a known one)"));
    for s in
        ["frontend-proxy", "flagd", "jaeger", "otel-collector", "prometheus", "grafana", "cart"]
    {
        assert_eq!(kind(s), "service", "{s}");
    }
    assert!(
        out.stdout.contains("kind: database  # inferred from image postgres:17.6\n"),
        "{}",
        out.stdout
    );
    // Variables listed without a value (`- KAFKA_ADDR`) take it from .env, and .env values
    // interpolate each other (KAFKA_ADDR=${KAFKA_HOST}:${KAFKA_PORT}).
    assert!(
        out.stdout.contains("inferred from FLAGD_HOST=flagd (docker-compose.yml:223)"),
        "{}",
        out.stdout
    );
    // Edges towards the topic are async by the manifest's default: no AM010 from them.
    let e = edges(&out.stdout);
    assert!(e.contains(&("checkout".into(), "kafka".into(), "depends_on".into())));
    // The inferred edges that would close sync cycles are left out, with a comment and a warning.
    assert!(out.stdout.contains("# not added (it would close the sync cycle"), "{}", out.stdout);
    assert!(
        out.stderr.contains("warning[AM205 inferred-dependency-dropped]: docker-compose.yml:"),
        "{}",
        out.stderr
    );
}

#[test]
fn sidecars_record_the_network_namespace_they_share() {
    let out = import("dapr-hello-docker-compose", &["docker-compose.yml"]);
    assert!(out.stdout.contains(
        "  nodeapp-dapr:\n    tech: daprio/daprd:edge  # image\n    depends_on:\n      - target: nodeapp\n        x-source: depends_on  # docker-compose.yml:26; also network_mode: shares the network namespace of `nodeapp` (a sidecar; docker-compose.yml:27)\n"
    ), "{}", out.stdout);
    // Without a depends_on, network_mode alone makes the dependency.
    let dir = temp_with(&[(
        "compose.yaml",
        "services:\n  app: {image: app}\n  app-dapr:\n    image: daprio/daprd\n    network_mode: service:app\n",
    )]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(edges(&out.stdout), [("app-dapr".into(), "app".into(), "network_mode".into())]);
}

#[test]
fn snapshots_of_three_systems() {
    for (dir, files) in [
        ("spring-petclinic-microservices", &["docker-compose.yml"][..]),
        ("teastore", &["docker-compose.yml"][..]),
        ("eshop-on-dapr", &["docker-compose.yml", "docker-compose.override.yml"][..]),
    ] {
        let out = import(dir, files);
        insta::assert_snapshot!(format!("import_compose_{dir}"), out.stdout);
    }
}

// ---- behaviour on small inputs ----

fn import_text(compose: &str) -> Output {
    let dir = temp_with(&[("compose.yaml", compose)]);
    run_in(dir.path(), &["import", "compose"], "")
}

#[test]
fn yaml_syntax_errors_exit_2_with_a_place() {
    let out = import_text("services:\n  a:\n    image: [x, y\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("AM200 compose-syntax"), "{}", out.stderr);
    assert!(out.stderr.contains("compose.yaml:"), "{}", out.stderr);
}

#[test]
fn services_must_be_a_map() {
    let out = import_text("services:\n  - a\n  - b\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`services` must be a map"), "{}", out.stderr);
    assert!(out.stderr.contains("[compose.yaml:2:3]"), "{}", out.stderr);
}

#[test]
fn depends_on_an_unknown_service_warns_and_drops_the_edge() {
    let out = import_text("services:\n  a:\n    depends_on:\n      - ghost\n      - b\n  b: {}\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning[AM203 compose-reference]: compose.yaml:4:9: `a` depends_on `ghost`, which no compose file defines; dependency left out"),
        "{}",
        out.stderr
    );
    assert_eq!(edges(&out.stdout), [("a".into(), "b".into(), "depends_on".into())]);
}

#[test]
fn extends_cycles_exit_2() {
    let out = import_text("services:\n  a: {extends: b}\n  b: {extends: {service: a}}\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`extends` cycle: a → b → a"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn required_variables_missing_exit_2_where_archmap_reads_them() {
    let out =
        import_text("services:\n  a:\n    image: \"${IMAGE:?set IMAGE to the registry path}\"\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("required variable `IMAGE` is missing a value: set IMAGE to"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("[compose.yaml:3:12]"), "{}", out.stderr);
    // In a field archmap does not read, the same problem is a warning.
    let out = import_text("services:\n  a:\n    command: \"${CMD:?}\"\n");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("docker compose would refuse it"), "{}", out.stderr);
    // And the process environment answers it.
    let dir = temp_with(&[("compose.yaml", "services:\n  a:\n    image: \"${IMAGE:?}\"\n")]);
    let out = run_env(dir.path(), &["import", "compose"], &[("IMAGE", "postgres:16")]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("kind: database  # inferred from image postgres:16"));
}

#[test]
fn malformed_dollar_is_an_error_in_read_fields() {
    let out =
        import_text("services:\n  a:\n    environment:\n      DB_URL: \"postgres://u:p$@db\"\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("invalid interpolation"), "{}", out.stderr);
}

#[test]
fn output_file_is_atomic_and_never_an_input() {
    let dir = temp_with(&[("compose.yaml", "services:\n  a: {image: redis}\n"), (".env", "X=1\n")]);
    let out = run_in(dir.path(), &["import", "compose", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap();
    assert!(written.contains("kind: cache"));
    assert_eq!(run_in(dir.path(), &["check"], "").code, 0);
    for input in ["compose.yaml", ".env"] {
        let out = run_in(dir.path(), &["import", "compose", "-o", input], "");
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stderr.contains("is one of the inputs"), "{}", out.stderr);
    }
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), "X=1\n");
    // A failing import writes nothing.
    std::fs::write(dir.path().join("bad.yaml"), "services: [").unwrap();
    let out = run_in(dir.path(), &["import", "compose", "bad.yaml", "-o", "new.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(!dir.path().join("new.yaml").exists());
}

#[test]
fn default_files_and_override_are_found_and_merged() {
    let dir = temp_with(&[
        ("docker-compose.yml", "services:\n  web: {image: nginx}\n  api: {image: api}\n"),
        ("docker-compose.override.yml", "services:\n  web:\n    depends_on: [api]\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("# Imported by `archmap import compose` from docker-compose.yml, docker-compose.override.yml"));
    assert_eq!(edges(&out.stdout), [("web".into(), "api".into(), "depends_on".into())]);
    let empty = temp_with(&[]);
    let out = run_in(empty.path(), &["import", "compose"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no compose.yaml"), "{}", out.stderr);
}

#[test]
fn stdin_and_multiple_files_with_dash_f() {
    let dir = temp_with(&[
        ("a.yaml", "services:\n  x: {image: x}\n"),
        ("b.yaml", "services:\n  x:\n    links: [\"y:alias\"]\n  y: {image: y}\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose", "-f", "a.yaml", "-f", "b.yaml"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(edges(&out.stdout), [("x".into(), "y".into(), "links".into())]);
    let out = run_in(dir.path(), &["import", "compose", "-"], "services:\n  s: {image: mongo}\n");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("kind: database"));
    let out = run_in(dir.path(), &["import", "compose", "-", "a.yaml"], "");
    assert_eq!(out.code, 2);
}

#[test]
fn process_environment_wins_over_dot_env() {
    let files = [
        (
            "compose.yaml",
            "services:\n  app:\n    environment:\n      DB_HOST: ${DB}\n  one: {image: postgres}\n  two: {image: mysql}\n",
        ),
        (".env", "DB=one\n"),
        ("other.env", "DB=two\n"),
    ];
    let dir = temp_with(&files);
    let target = |out: &Output| edges(&out.stdout)[0].1.clone();
    assert_eq!(target(&run_env(dir.path(), &["import", "compose"], &[])), "one");
    assert_eq!(target(&run_env(dir.path(), &["import", "compose"], &[("DB", "two")])), "two");
    let out = run_env(dir.path(), &["import", "compose", "--env-file", "other.env"], &[]);
    assert_eq!(target(&out), "two");
    let out = run_env(dir.path(), &["import", "compose", "--env-file", "missing.env"], &[]);
    assert_eq!(out.code, 2);
}

#[test]
fn profiles_leave_services_out_unless_enabled() {
    let compose = "services:\n  app:\n    depends_on: [db, debug]\n  db: {image: postgres}\n  debug:\n    image: busybox\n    profiles: [debug]\n";
    let dir = temp_with(&[("compose.yaml", compose)]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = yaml(&out.stdout);
    assert!(doc["services"]["debug"].is_null());
    assert_eq!(edges(&out.stdout), [("app".into(), "db".into(), "depends_on".into())]);
    assert!(
        out.stderr.contains("`app` depends_on `debug`, which is left out by profiles"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--profile debug"), "{}", out.stderr);
    assert!(out.stdout.contains("# Left out by profiles: debug."), "{}", out.stdout);
    for args in [&["--profile", "debug"][..], &["--all-profiles"][..], &["--profile", "*"][..]] {
        let mut a = vec!["import", "compose"];
        a.extend_from_slice(args);
        let out = run_in(dir.path(), &a, "");
        assert_eq!(edges(&out.stdout).len(), 2, "{args:?}: {}", out.stdout);
    }
    let out = run_env(dir.path(), &["import", "compose"], &[("COMPOSE_PROFILES", "debug")]);
    assert_eq!(edges(&out.stdout).len(), 2);
}

#[test]
fn extends_from_another_file() {
    let dir = temp_with(&[
        (
            "common/base.yaml",
            "services:\n  web:\n    image: nginx\n    environment: [API_URL=http://api:8080]\n",
        ),
        (
            "compose.yaml",
            "services:\n  front:\n    extends: {file: common/base.yaml, service: web}\n  api: {image: api}\n",
        ),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["front"]["kind"], "gateway");
    assert_eq!(edges(&out.stdout), [("front".into(), "api".into(), "environment".into())]);
    assert!(out.stdout.contains("protocol: http  # guessed from URL scheme http"));
}

#[test]
fn inferred_edges_that_close_sync_cycles_are_dropped() {
    let out = import_text(
        "services:\n  a:\n    environment: [B_URL=http://b]\n  b:\n    environment: [A_URL=http://a]\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(edges(&out.stdout), [("a".into(), "b".into(), "environment".into())]);
    assert!(out.stdout.contains("  # not added (it would close the sync cycle a → b → a): a inferred from A_URL=http://a (compose.yaml:5)\n  b: {}\n"), "{}", out.stdout);
    assert!(
        out.stderr.contains("compose.yaml:5:19: inferred dependency `b` → `a` left out"),
        "{}",
        out.stderr
    );
    let dir = temp_with(&[]);
    assert_eq!(run_in(dir.path(), &["check", "-"], &out.stdout).code, 0);
    // Towards a queue the edge is async; out of a queue nothing is inferred (a passive kind).
    let out = import_text(
        "services:\n  a:\n    environment: [MQ_HOST=mq]\n  mq:\n    image: rabbitmq\n    environment: [A_URL=http://a]\n",
    );
    assert_eq!(edges(&out.stdout), [("a".into(), "mq".into(), "environment".into())]);
}

#[test]
fn declared_cycles_are_refused_like_docker_compose() {
    let out = import_text("services:\n  a: {depends_on: [b]}\n  b: {links: [a]}\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("dependency cycle: a → b → a"), "{}", out.stderr);
}

#[test]
fn environment_false_positives_make_no_edges() {
    let out = import_text(
        "services:\n  app:\n    environment:\n      JAVA_OPTS: -Dcfg.url=http://cfg:8888 -Xmx1g\n      PAYMENT_URL: https://api.stripe.com/v1\n      OTEL_SERVICE_NAME: cfg\n      GREETING: cfg\n      SELF_URL: http://app\n  cfg: {}\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(edges(&out.stdout).is_empty(), "{}", out.stdout);
}

#[test]
fn external_links_become_external_components() {
    let out =
        import_text("services:\n  app:\n    external_links: [legacy_db_1:db, \"legacy_db_1\"]\n");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["legacy_db_1"]["kind"], "external");
    assert_eq!(edges(&out.stdout), [("app".into(), "legacy_db_1".into(), "external_links".into())]);
}

#[test]
fn anchors_merge_keys_and_x_fields() {
    let out = import_text(
        "x-svc: &svc\n  image: redis\n  environment: {API_HOST: api}\nservices:\n  cache:\n    <<: *svc\n  worker:\n    <<: *svc\n    image: worker\n  api: {image: api, x-note: ignored}\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["cache"]["kind"], "cache");
    assert_eq!(doc["services"]["worker"]["tech"], "worker");
    // The worker's API_HOST makes an edge; the cache's (the same anchor) does not: nothing is
    // inferred out of a cache.
    assert_eq!(
        pairs(&edges(&out.stdout), &["environment"]),
        BTreeSet::from([("worker".to_string(), "api".to_string())])
    );
    assert!(doc["services"]["x-svc"].is_null());
}

#[test]
fn hosts_resolve_by_container_name_hostname_and_aliases() {
    let out = import_text(
        "services:\n  app:\n    environment:\n      PGHOST: pg\n      CACHE_URL: redis://cache-host:6379\n      SEARCH_ADDR: search:9200\n      Q: amqp://mq-alias\n    links: [\"mq:mq-alias\"]\n  db: {image: postgres, container_name: pg}\n  cache: {image: redis, hostname: cache-host}\n  es:\n    image: elasticsearch:8\n    networks:\n      back: {aliases: [search]}\n  mq: {image: rabbitmq}\n  worker:\n    volumes_from: [\"app:ro\", \"container:other\"]\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let e = edges(&out.stdout);
    let got: Vec<(&str, &str, &str)> =
        e.iter().map(|(a, b, s)| (a.as_str(), b.as_str(), s.as_str())).collect();
    assert_eq!(
        got,
        [
            ("app", "mq", "links"),
            ("app", "db", "environment"),
            ("app", "cache", "environment"),
            ("app", "es", "environment"),
            ("worker", "app", "volumes_from"),
        ]
    );
    assert!(
        out.stdout.contains("protocol: redis  # guessed from URL scheme redis\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn env_files_of_services_are_read_from_the_project_directory() {
    let dir = temp_with(&[
        (
            "deploy/compose.yaml",
            "services:\n  app:\n    env_file: [app.env, {path: missing.env, required: false}]\n  db: {image: mysql}\n",
        ),
        ("deploy/app.env", "# database\nDB_HOST=db\nDB_PORT=3306\n"),
        ("deploy/override.yaml", "services:\n  app:\n    env_file: [nowhere.env]\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose", "deploy/compose.yaml"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.lines().filter(|l| l.starts_with("warning")).count() == 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("protocol: sql  # guessed from port 3306\n        x-source: environment  # inferred from DB_HOST=db (deploy/app.env:2)\n"),
        "{}",
        out.stdout
    );
    // A required env_file that cannot be read is a warning (its variables are not used).
    let out = run_in(
        dir.path(),
        &["import", "compose", "deploy/compose.yaml", "-f", "deploy/override.yaml"],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("cannot read env_file `nowhere.env`"), "{}", out.stderr);
    // -o refuses an env_file too.
    let out = run_in(
        dir.path(),
        &["import", "compose", "deploy/compose.yaml", "-o", "deploy/app.env"],
        "",
    );
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn names_that_are_not_ids_get_a_label_and_projects_a_name() {
    let dir = temp_with(&[(
        "compose.yaml",
        "name: shop\nservices:\n  _private:\n    image: x\n  \"web app\":\n    depends_on: [_private]\n  \"true\": {image: y}\n",
    )]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["name"], "shop");
    assert_eq!(doc["services"]["s_private"]["label"], "_private");
    assert_eq!(doc["services"]["web-app"]["label"], "web app");
    assert!(doc["services"]["true"].is_object(), "{}", out.stdout);
    assert_eq!(edges(&out.stdout), [("web-app".into(), "s_private".into(), "depends_on".into())]);
    assert_eq!(run_in(dir.path(), &["check", "-"], &out.stdout).code, 0);
    let out = run_env(dir.path(), &["import", "compose"], &[("COMPOSE_PROJECT_NAME", "from-env")]);
    assert_eq!(yaml(&out.stdout)["name"], "from-env");
}

#[test]
fn replicas_come_from_deploy_or_scale() {
    let out = import_text(
        "services:\n  a: {image: x, deploy: {replicas: 3}}\n  b: {image: y, scale: 2}\n  c: {image: z, deploy: {replicas: 0}}\n",
    );
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["a"]["replicas"], 3);
    assert_eq!(doc["services"]["b"]["replicas"], 2);
    assert!(doc["services"]["c"]["replicas"].is_null());
}

#[test]
fn nothing_to_import_is_an_error() {
    for text in ["services: {}\n", "", "name: x\n"] {
        let out = import_text(text);
        assert_eq!(out.code, 2, "{text:?}: {out:?}");
        assert!(out.stderr.contains("no services to import"), "{}", out.stderr);
    }
    let out = import_text("services:\n  dbg: {image: x, profiles: [debug]}\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("left out by profiles (dbg)"), "{}", out.stderr);
}

#[test]
fn hostile_names_and_numbers_still_make_a_clean_manifest() {
    // Plain YAML keys stop at 1,024 characters; values do not.
    let long = "n".repeat(900);
    let huge = "h".repeat(3000);
    let compose = format!(
        "name: {huge}\nservices:\n  {long}:\n    image: x\n    deploy: {{replicas: 99999999999}}\n    external_links: [\"{huge}\", \"{huge}:a\"]\n  \"caf\u{e9} #1\":\n    depends_on: [{long}]\n    environment: {{NOTE: \"line\\nbreak # not a comment\"}}\n"
    );
    let out = import_text(&compose);
    assert_eq!(out.code, 0, "{out:?}");
    let dir = temp_with(&[]);
    let checked = run_in(dir.path(), &["check", "-", "--format", "json"], &out.stdout);
    assert_eq!(checked.code, 0, "{}\n{}", checked.stdout, out.stdout);
    let doc = yaml(&out.stdout);
    let services = doc["services"].as_object().unwrap();
    assert_eq!(services.len(), 3, "{}", out.stdout);
    assert!(services.values().all(|s| s["replicas"].is_null()));
}

#[test]
fn import_problems_are_am2xx() {
    use archmap::Code;
    let codes: Vec<&str> =
        archmap::codes().filter(|c| matches!(c, Code::Import(_))).map(Code::code).collect();
    assert_eq!(
        codes,
        ["AM200", "AM201", "AM202", "AM203", "AM204", "AM205", "AM206", "AM207", "AM208"]
    );
}

// ---- issue 17: a faithful import ----

#[test]
fn many_aliases_on_few_anchors_import_and_check() {
    use std::fmt::Write as _;
    // Sentry self-hosted's shape: 142 aliases of 10 anchors, each service depending on the
    // previous one; every edge comes through.
    let mut compose = String::from("x-a: &a {image: busybox, restart: always}\n");
    for i in 0..9 {
        let _ = writeln!(compose, "x-b{i}: &b{i} {{restart: always}}");
    }
    compose.push_str("services:\n  s0:\n    <<: *a\n");
    for i in 1..142 {
        let _ = writeln!(compose, "  s{i}:\n    <<: *a\n    depends_on: [s{}]", i - 1);
    }
    let out = import_text(&compose);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(pairs(&edges(&out.stdout), &["depends_on"]).len(), 141);
    // A manifest whose 101 services share one anchor reads too.
    let mut manifest = String::from("version: 1\nname: x\nx-d: &d {owner: team}\nservices:\n");
    for i in 0..101 {
        let _ = writeln!(manifest, "  s{i}:\n    <<: *d");
    }
    let dir = temp_with(&[]);
    let out = run_in(dir.path(), &["check", "-", "--format", "json"], &manifest);
    assert_ne!(out.code, 2, "{}{}", out.stdout, out.stderr);
}

#[test]
fn top_level_include_brings_in_services_and_their_edges() {
    let dir = temp_with(&[
        (
            "docker-compose.yml",
            "include:\n  - ./docker-compose-base.yml\nservices:\n  ragflow:\n    image: infiniflow/ragflow\n    depends_on:\n      mysql: {condition: service_healthy}\n",
        ),
        (
            "docker-compose-base.yml",
            "services:\n  mysql: {image: mysql:8}\n  minio: {image: quay.io/minio/minio}\n",
        ),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    let ids: BTreeSet<&str> =
        doc["services"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(ids, BTreeSet::from(["mysql", "minio", "ragflow"]));
    assert_eq!(edges(&out.stdout), [("ragflow".into(), "mysql".into(), "depends_on".into())]);
}

#[test]
fn compose_variables_come_from_dot_env_and_the_environment() {
    let dir = temp_with(&[
        (
            "docker-compose.yml",
            "services:\n  web: {image: web}\n  debug: {image: dbg, profiles: [debug]}\n",
        ),
        ("extra.yml", "services:\n  web:\n    depends_on: [api]\n  api: {image: api}\n"),
        (
            ".env",
            "COMPOSE_PROFILES=debug\nCOMPOSE_PROJECT_NAME=from-dotenv\nCOMPOSE_FILE=docker-compose.yml:extra.yml\n",
        ),
    ]);
    let out = run_env(dir.path(), &["import", "compose"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    assert_eq!(doc["name"], "from-dotenv");
    assert!(doc["services"]["debug"].is_object(), "COMPOSE_PROFILES from .env");
    assert_eq!(edges(&out.stdout), [("web".into(), "api".into(), "depends_on".into())]);
    // The environment wins over .env.
    let out = run_env(
        dir.path(),
        &["import", "compose"],
        &[
            ("COMPOSE_PROFILES", ""),
            ("COMPOSE_PROJECT_NAME", "from-env"),
            ("COMPOSE_FILE", "docker-compose.yml"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    assert_eq!(doc["name"], "from-env");
    assert!(doc["services"]["debug"].is_null());
    assert!(doc["services"]["api"].is_null(), "COMPOSE_FILE from the environment");
    // Files named on the command line win over COMPOSE_FILE.
    let out = run_env(dir.path(), &["import", "compose", "extra.yml"], &[]);
    assert!(yaml(&out.stdout)["services"]["debug"].is_null());
}

#[test]
fn nothing_is_inferred_out_of_passive_components_from_a_shared_env_file() {
    let dir = temp_with(&[
        (
            "compose.yaml",
            "services:\n  app: {image: acme/app, env_file: shared.env}\n  db: {image: postgres:16, env_file: shared.env}\n  cache: {image: redis, env_file: shared.env}\n  api: {image: acme/api}\n",
        ),
        ("shared.env", "DB_HOST=db\nREDIS_URL=redis://cache:6379\nAPI_URL=http://api:8080\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        pairs(&edges(&out.stdout), &["environment"]),
        BTreeSet::from([
            ("app".to_string(), "api".to_string()),
            ("app".to_string(), "cache".to_string()),
            ("app".to_string(), "db".to_string()),
        ])
    );
    let checked = run_in(dir.path(), &["check", "-", "--format", "json"], &out.stdout);
    assert!(!checked.stdout.contains("AM031"), "{}", checked.stdout);
}

#[test]
fn proxies_and_databases_are_recognised_by_base_image_and_mounts() {
    let dir = temp_with(&[
        (
            "compose.yaml",
            "services:\n  web:\n    build: ./web\n  proxy:\n    image: jitsi/web\n    volumes: [\"./nginx.conf:/etc/nginx/conf.d/default.conf:ro\"]\n  vectors: {image: ankane/pgvector}\n  store:\n    build: {context: db, dockerfile: Containerfile}\n  pg:\n    image: acme/pg\n    volumes: [{type: volume, source: data, target: /var/lib/postgresql/data}]\n  app: {build: app}\n",
        ),
        (
            "web/Dockerfile",
            "FROM node:20 AS build\nRUN npm ci\nFROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n",
        ),
        ("db/Containerfile", "FROM postgres:16\n"),
        ("app/Dockerfile", "FROM python:3.12\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    let kind = |id: &str| doc["services"][id]["kind"].as_str().unwrap_or("service").to_string();
    assert_eq!(kind("web"), "gateway");
    assert!(
        out.stdout
            .contains("inferred from the image its Dockerfile starts FROM: nginx:1.27-alpine")
    );
    assert_eq!(kind("proxy"), "gateway");
    assert_eq!(kind("vectors"), "database");
    assert_eq!(kind("store"), "database");
    assert_eq!(kind("pg"), "database");
    assert_eq!(kind("app"), "service");
}

#[test]
fn output_is_never_overwritten_without_force() {
    let dir = temp_with(&[
        ("compose.yaml", "services:\n  a: {image: redis}\n"),
        ("archmap.yaml", "# hand-edited\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("already exists") && out.stderr.contains("--force"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap(),
        "# hand-edited\n"
    );
    let out = run_in(dir.path(), &["import", "compose", "-o", "archmap.yaml", "--force"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap().contains("kind: cache")
    );
}

#[test]
fn services_others_wait_to_complete_are_jobs() {
    let out = import_text(
        "services:\n  migrate: {image: acme/app}\n  app:\n    image: acme/app\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n      db: {condition: service_healthy}\n  db: {image: acme/db}\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["migrate"]["kind"], "job");
    assert!(doc["services"]["db"]["kind"].is_null(), "only one-shots become jobs");
    assert_eq!(pairs(&edges(&out.stdout), &["depends_on"]).len(), 2, "every declared edge is kept");
}
