//! Signal over noise on real systems (issue #21): every compose-corpus system, imported as a
//! team adopting archmap would (no `replicas`, no `owner`), and the examples, checked without
//! any `rules:` configuration. The findings that matter stay exactly as they were (cycles,
//! hotspots, deep chains, orphans), warnings stay at most 15 and infos at most 10 per system,
//! and a baseline written and read back accepts everything, while one new sync cycle afterwards
//! fails the run with only that finding reported.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{root, run_in, temp_with};

/// A corpus system (its directory and the compose files it merges), the number of orphans and
/// the cycles, hotspots and deep chains `check` found before issue #21 (`CODE subjects…`).
struct System {
    dir: &'static str,
    files: &'static [&'static str],
    orphans: usize,
    kept: &'static [&'static str],
}

const SYSTEMS: &[System] = &[
    System { dir: "sock-shop", files: &["docker-compose.yml"], orphans: 13, kept: &[] },
    System {
        dir: "dsb-social-network",
        files: &["docker-compose.yml"],
        orphans: 7,
        kept: &["AM020 jaeger-agent"],
    },
    System { dir: "dsb-hotel-reservation", files: &["docker-compose.yml"], orphans: 1, kept: &[] },
    System {
        dir: "dsb-media-microservices",
        files: &["docker-compose.yml"],
        orphans: 33,
        kept: &[],
    },
    System { dir: "train-ticket", files: &["docker-compose.yml"], orphans: 66, kept: &[] },
    System {
        dir: "eshop-on-containers",
        files: &["docker-compose.yml", "docker-compose.override.yml"],
        orphans: 2,
        kept: &["AM021 webstatus"],
    },
    System {
        dir: "spring-petclinic-microservices",
        files: &["docker-compose.yml"],
        orphans: 3,
        kept: &[],
    },
    System {
        dir: "otel-astronomy-shop",
        files: &["docker-compose.yml"],
        orphans: 0,
        kept: &[
            "AM020 flagd",
            "AM020 otel-collector",
            "AM021 checkout",
            "AM021 frontend",
            "AM023 frontend-proxy load-generator frontend checkout cart flagd otel-collector jaeger prometheus",
        ],
    },
    System {
        dir: "otel-astronomy-shop-v3-split",
        files: &["docker-compose.yml", "compose.full.yaml", "compose.observability.yaml"],
        orphans: 0,
        // No `AM011 otel-collector kafka` since #17: the import infers nothing out of Kafka (a
        // topic), whose environment only repeats the shared `.env`.
        kept: &[
            "AM020 flagd",
            "AM020 otel-collector",
            "AM021 checkout",
            "AM021 frontend",
            "AM021 frontend-proxy",
            "AM023 load-generator frontend-proxy frontend checkout cart flagd otel-collector jaeger prometheus",
        ],
    },
    System { dir: "robot-shop", files: &["docker-compose.yml"], orphans: 0, kept: &[] },
    System {
        dir: "eshop-on-dapr",
        files: &["docker-compose.yml", "docker-compose.override.yml"],
        orphans: 4,
        kept: &[],
    },
    System {
        dir: "dapr-hello-docker-compose",
        files: &["docker-compose.yml"],
        orphans: 0,
        kept: &[],
    },
    System { dir: "aks-store-demo", files: &["docker-compose.yml"], orphans: 0, kept: &[] },
    System {
        dir: "aks-store-demo",
        files: &["docker-compose-quickstart.yml"],
        orphans: 0,
        kept: &[],
    },
    System { dir: "teastore", files: &["docker-compose.yml"], orphans: 0, kept: &[] },
    System { dir: "piggymetrics", files: &["docker-compose.yml"], orphans: 5, kept: &[] },
    System {
        dir: "piggymetrics",
        files: &["docker-compose.yml", "docker-compose.dev.yml"],
        orphans: 5,
        kept: &[],
    },
    System { dir: "ftgo", files: &["docker-compose.yml"], orphans: 0, kept: &[] },
];

/// The checks whose findings must survive unchanged.
const KEPT_CODES: &[&str] = &["AM010", "AM011", "AM020", "AM021", "AM023"];

/// The manifest `archmap import compose` writes for a system.
fn imported(s: &System) -> String {
    let mut args = vec!["import", "compose"];
    args.extend_from_slice(s.files);
    let out = run_in(&root().join("tests/fixtures/compose").join(s.dir), &args, "");
    assert_eq!(out.code, 0, "{} {:?}: {}", s.dir, s.files, out.stderr);
    out.stdout
}

/// `archmap check --format json ARGS…` on `manifest`, in a directory of its own.
fn check(dir: &Path, manifest: &str, args: &[&str]) -> (u8, Value) {
    std::fs::write(dir.join("archmap.yaml"), manifest).unwrap();
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all, "");
    let doc = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, doc)
}

/// Every finding of a report as `CODE subjects…`, a folded finding as its parts.
fn parts(doc: &Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for f in doc[key].as_array().map(Vec::as_slice).unwrap_or_default() {
        let members = f["members"].as_array().filter(|m| !m.is_empty());
        for p in members.map_or_else(|| vec![f], |m| m.iter().collect()) {
            let subjects: Vec<&str> =
                p["subjects"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            out.push(format!("{} {}", p["code"].as_str().unwrap(), subjects.join(" ")));
        }
    }
    out.sort();
    out
}

/// The components of a manifest with no dependency and no dependent, computed from its YAML.
fn unconnected(manifest: &str) -> BTreeSet<String> {
    let doc: Value = serde_saphyr::from_str(manifest).unwrap();
    let services = doc["services"].as_object().unwrap();
    let mut connected = BTreeSet::new();
    for (id, svc) in services {
        for d in svc["depends_on"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let target = d.as_str().or_else(|| d["target"].as_str()).unwrap();
            if target != id && services.contains_key(target) {
                connected.insert(id.clone());
                connected.insert(target.to_string());
            }
        }
    }
    services.keys().filter(|id| !connected.contains(*id)).cloned().collect()
}

fn assert_signal(name: &str, manifest: &str, doc: &Value, orphans: usize, kept: &[&str]) {
    let summary = &doc["summary"];
    assert_eq!(summary["error"], 0, "{name}");
    assert!(summary["warn"].as_u64().unwrap() <= 15, "{name}: {summary}");
    assert!(summary["info"].as_u64().unwrap() <= 10, "{name}: {summary}");
    let found = parts(doc, "findings");
    let important: Vec<&String> = found
        .iter()
        .filter(|f| KEPT_CODES.iter().any(|c| f.starts_with(&format!("{c} "))))
        .collect();
    assert_eq!(important, kept, "{name}: cycles, hotspots and chains are what they were");
    let orphans_found: BTreeSet<String> =
        found.iter().filter_map(|f| f.strip_prefix("AM033 ")).map(str::to_string).collect();
    assert_eq!(orphans_found.len(), orphans, "{name}: orphans");
    assert_eq!(orphans_found, unconnected(manifest), "{name}: exactly the unconnected components");
}

#[test]
fn corpus_systems_keep_their_true_findings_and_lose_the_noise() {
    let dir = tempfile::tempdir().unwrap();
    for s in SYSTEMS {
        let manifest = imported(s);
        let (code, doc) = check(dir.path(), &manifest, &[]);
        let name = format!("{} {:?}", s.dir, s.files);
        assert_eq!(code, 0, "{name}");
        assert_signal(&name, &manifest, &doc, s.orphans, s.kept);
        // Nobody wrote replicas or owners: what is left of single points of failure is what
        // half the system depends on, and the missing owners are one finding.
        let owners = doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "AM040");
        assert!(owners.count() <= 1, "{name}: missing owners are one finding");
    }
}

#[test]
fn examples_keep_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["banking", "ecommerce", "ride-hailing"] {
        let manifest =
            std::fs::read_to_string(root().join("examples").join(format!("{name}.yaml"))).unwrap();
        let (code, doc) = check(dir.path(), &manifest, &[]);
        assert_eq!(code, 0, "{name}");
        assert_signal(name, &manifest, &doc, 0, &[]);
    }
}

/// Adds two owned components that call each other synchronously to a manifest's `services`.
fn with_new_sync_cycle(manifest: &str) -> String {
    let at = manifest.find("\nservices:\n").expect("services") + "\nservices:\n".len();
    let cycle = "  signal-test-a: { owner: team-new, depends_on: [signal-test-b] }\n  signal-test-b: { owner: team-new, depends_on: [signal-test-a] }\n";
    format!("{}{cycle}{}", &manifest[..at], &manifest[at..])
}

#[test]
fn a_baseline_accepts_everything_then_fails_on_one_new_cycle_only() {
    let mut manifests: Vec<(String, String)> =
        SYSTEMS.iter().map(|s| (format!("{} {:?}", s.dir, s.files), imported(s))).collect();
    for name in ["banking", "ecommerce", "ride-hailing"] {
        let path = root().join("examples").join(format!("{name}.yaml"));
        manifests.push((name.to_string(), std::fs::read_to_string(path).unwrap()));
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, manifest) in &manifests {
        let (code, written) = check(dir.path(), manifest, &["--write-baseline", "baseline.json"]);
        assert_eq!(code, 0, "{name}");
        assert_eq!(written["findings"], Value::Array(Vec::new()), "{name}");
        // Read back: everything accepted, nothing stale, even with warnings denied.
        let (code, doc) =
            check(dir.path(), manifest, &["--baseline", "baseline.json", "--deny", "warnings"]);
        assert_eq!(code, 0, "{name}: {doc}");
        assert_eq!(doc["findings"], Value::Array(Vec::new()), "{name}");
        assert_eq!(doc["baseline"]["stale"], Value::Array(Vec::new()), "{name}");
        let before = parts(&written, "baselined");
        assert_eq!(parts(&doc, "baselined"), before, "{name}");
        assert_eq!(doc["baseline"]["baselined"], before.len(), "{name}");
        // One new sync cycle: exit 1, and it is the only finding reported.
        let (code, doc) =
            check(dir.path(), &with_new_sync_cycle(manifest), &["--baseline", "baseline.json"]);
        assert_eq!(code, 1, "{name}: {doc}");
        assert_eq!(parts(&doc, "findings"), ["AM010 signal-test-a signal-test-b"], "{name}");
    }
}

#[test]
fn baselines_survive_moving_yaml_around() {
    // The same system with its components in reverse order and its ids' lines moved: every
    // finding is still accepted, because entries match by code and subjects, never by line.
    let manifest = imported(&SYSTEMS[7]);
    let dir = tempfile::tempdir().unwrap();
    let (_, _) = check(dir.path(), &manifest, &["--write-baseline", "baseline.json"]);
    let at = manifest.find("\nservices:\n").unwrap() + "\nservices:\n".len();
    let (head, body) = manifest.split_at(at);
    let mut blocks: Vec<String> = Vec::new();
    for line in body.lines() {
        if line.starts_with("  ") && !line.starts_with("   ") && !line.starts_with("  #") {
            blocks.push(String::new());
        }
        if let Some(b) = blocks.last_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    assert!(blocks.len() > 20);
    blocks.reverse();
    let moved = format!("{head}\n\n{}", blocks.concat());
    let (code, doc) =
        check(dir.path(), &moved, &["--baseline", "baseline.json", "--deny", "warnings"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["findings"], Value::Array(Vec::new()));
    assert_eq!(doc["baseline"]["stale"], Value::Array(Vec::new()));
}

#[test]
fn fixed_findings_are_reported_as_stale_entries() {
    let yaml = "version: 1\nname: T\nservices:\n  a: { owner: t, depends_on: [b] }\n  b: { owner: t, depends_on: [a] }\n  c: { owner: t }\n";
    let dir = temp_with(&[("archmap.yaml", yaml)]);
    let out = run_in(dir.path(), &["check", "--write-baseline", "bl.json"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("wrote baseline bl.json: 2 findings accepted"), "{}", out.stderr);
    // The cycle is broken: its entry matches nothing any more, and the report says so.
    let fixed = yaml.replace("  b: { owner: t, depends_on: [a] }", "  b: { owner: t }");
    std::fs::write(dir.path().join("archmap.yaml"), fixed).unwrap();
    let out = run_in(dir.path(), &["check", "--baseline", "bl.json"], "");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("baseline bl.json: 1 finding accepted; 1 entry no longer matches anything"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  AM010 sync-cycle [a, b]: sync cycle: a -> b -> a"),
        "{}",
        out.stdout
    );
}

#[test]
fn missing_and_malformed_baselines_stop_the_run() {
    let yaml = "version: 1\nname: T\nservices:\n  a: {}\n";
    let dir = temp_with(&[
        ("archmap.yaml", yaml),
        (
            "bad.json",
            "{\n  \"version\": 1,\n  \"findings\": [\n    { \"code\": \"AM033\", \"subjects\": \"a\" }\n  ]\n}\n",
        ),
        ("future.json", "{\"version\": 2, \"findings\": []}"),
    ]);
    let out = run_in(dir.path(), &["check", "--baseline", "missing.json"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read missing.json: no such file"), "{}", out.stderr);
    let out = run_in(dir.path(), &["check", "--baseline", "bad.json"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bad.json:4:"),
        "the error names file, line and column: {}",
        out.stderr
    );
    assert!(out.stderr.contains("not a valid archmap baseline"), "{}", out.stderr);
    let out = run_in(dir.path(), &["check", "--baseline", "future.json"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("baseline version 2"), "{}", out.stderr);
    // Both at once is a usage error; a manifest that does not parse writes no baseline.
    let out =
        run_in(dir.path(), &["check", "--baseline", "a.json", "--write-baseline", "b.json"], "");
    assert_eq!(out.code, 2);
    std::fs::write(dir.path().join("archmap.yaml"), "version: 1\nname: [\n").unwrap();
    let out = run_in(dir.path(), &["check", "--write-baseline", "c.json"], "");
    assert_eq!(out.code, 2);
    assert!(!dir.path().join("c.json").exists());
}

#[test]
fn baselines_work_in_every_format_and_with_diff() {
    let old = "version: 1\nname: T\nservices:\n  a: { owner: t, depends_on: [b] }\n  b: { owner: t, depends_on: [a] }\n";
    let new = format!(
        "{old}  c: {{ owner: t, depends_on: [d] }}\n  d: {{ owner: t, depends_on: [c] }}\n"
    );
    let dir = temp_with(&[("old.yaml", old), ("new.yaml", &new)]);
    let out = run_in(dir.path(), &["check", "old.yaml", "--write-baseline", "bl.json", "-q"], "");
    assert_eq!(out.code, 0);
    // SARIF: the new cycle is new; the accepted one is suppressed and unchanged.
    let out = run_in(
        dir.path(),
        &["check", "new.yaml", "--baseline", "bl.json", "--format", "sarif"],
        "",
    );
    assert_eq!(out.code, 1);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let states: Vec<(&str, bool)> = results
        .iter()
        .map(|r| (r["baselineState"].as_str().unwrap(), r.get("suppressions").is_some()))
        .collect();
    assert_eq!(states, [("new", false), ("unchanged", true)]);
    // GitHub: one annotation, and a notice about the baseline.
    let out = run_in(
        dir.path(),
        &["check", "new.yaml", "--baseline", "bl.json", "--format", "github"],
        "",
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.matches("::error ").count(), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("::notice title=archmap baseline::baseline bl.json: 1 finding accepted")
    );
    // Human: only the new cycle.
    let out = run_in(dir.path(), &["check", "new.yaml", "--baseline", "bl.json"], "");
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("sync cycle: c -> d -> c") && !out.stdout.contains("a -> b"));
    // diff: a new finding the baseline accepts is not new.
    let out = run_in(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json", "--baseline", "bl.json"],
        "",
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["new_findings"], 1, "{doc}");
    let bl = r#"{"version": 1, "findings": [{"code": "AM010", "subjects": ["c", "d"]}]}"#;
    std::fs::write(dir.path().join("cd.json"), bl).unwrap();
    let out = run_in(
        dir.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json", "--baseline", "cd.json"],
        "",
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["new_findings"], 0, "{doc}");
    assert_eq!(doc["summary"]["baselined_findings"], 1, "{doc}");
}

#[test]
fn written_baselines_validate_against_the_documented_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/baseline.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let dir = tempfile::tempdir().unwrap();
    for s in &SYSTEMS[..8] {
        let (_, _) = check(dir.path(), &imported(s), &["--write-baseline", "baseline.json"]);
        let text = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", s.dir);
    }
    // What archmap refuses to read, the schema refuses too.
    for bad in [
        r#"{"version": 2, "findings": []}"#,
        r#"{"version": 1, "findings": [], "extra": 1}"#,
        r#"{"version": 1, "findings": [{"code": "AM010", "subjects": ["a"], "count": 0}]}"#,
        r#"{"version": 1, "findings": [{"code": "AM010"}]}"#,
    ] {
        let doc: Value = serde_json::from_str(bad).unwrap();
        assert!(!validator.is_valid(&doc), "the schema accepts {bad}");
        std::fs::write(dir.path().join("bad.json"), bad).unwrap();
        let out = run_in(dir.path(), &["check", "--baseline", "bad.json"], "");
        assert_eq!(out.code, 2, "archmap reads {bad}");
    }
}
