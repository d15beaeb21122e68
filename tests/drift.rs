//! `archmap drift`: the manifest against a compose project, Kubernetes YAML and traced calls;
//! `allow`, `--ignore`, every format, exit codes.

use crate::support::{Output, root, run_in, temp_with};

const MANIFEST: &str = "\
version: 1
name: Shop
services:
  web:
    kind: frontend
    depends_on: [api, search]
  api:
    replicas: 2
    depends_on: [db]
  db:
    kind: service
  search:
    kind: database
  batch:
    kind: job
";

const COMPOSE: &str = "\
services:
  web: {image: acme/web, depends_on: [api]}
  api:
    image: acme/api
    deploy: {replicas: 3}
    environment: {DB_HOST: db, CACHE_URL: 'redis://cache:6379'}
  db: {image: postgres:16}
  search: {image: acme/search}
  cache: {image: redis:7}
";

const CALLS: &str = r#"[
  {"parent": "web", "child": "api", "callCount": 120},
  {"parent": "api", "child": "db", "callCount": 300},
  {"parent": "api", "child": "payments", "callCount": 4},
  {"parent": "web", "child": "batch", "callCount": 1},
  {"parent": "batch", "child": "db", "callCount": 2}
]"#;

fn codes(out: &Output) -> Vec<(String, Vec<String>)> {
    let doc: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    let mut v: Vec<(String, Vec<String>)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["subjects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pair(code: &str, subjects: &[&str]) -> (String, Vec<String>) {
    (code.to_string(), subjects.iter().map(|s| (*s).to_string()).collect())
}

#[test]
fn against_a_compose_project() {
    let dir = temp_with(&[("archmap.yaml", MANIFEST), ("compose.yaml", COMPOSE)]);
    let out = run_in(dir.path(), &["drift", "--against", "compose.yaml", "--format", "json"], "");
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let mut expected = vec![
        // The cache runs, the manifest does not have it.
        pair("AM300", &["cache"]),
        // web → search is declared; compose shows nothing of it.
        pair("AM303", &["web", "search"]),
        // The batch job is not in compose.
        pair("AM302", &["batch"]),
        // db runs postgres; search runs an unknown image (no kind claimed, no finding).
        pair("AM304", &["db"]),
        pair("AM305", &["api"]),
    ];
    expected.sort();
    assert_eq!(codes(&out), expected, "{}", out.stdout);
    // api → cache is seen, but the cache is undeclared: it is named in the component finding.
    let human = run_in(dir.path(), &["drift", "--against", "compose.yaml"], "");
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("seen: api → cache"), "{}", human.stdout);
    assert!(human.stdout.contains("[archmap.yaml:7:3]"), "{}", human.stdout);
}

#[test]
fn against_kubernetes_yaml() {
    let k8s = root().join("tests/fixtures/k8s/emojivoto");
    let manifest = "version: 1\nname: emojivoto\nservices:\n  web:\n    depends_on: [emoji, voting]\n  emoji: {}\n  voting: {replicas: 2}\n  vote-bot:\n    kind: job\n    depends_on: [web]\n";
    let dir = temp_with(&[("archmap.yaml", manifest)]);
    let against = format!("k8s:{}", k8s.display());
    let out = run_in(dir.path(), &["drift", "--against", &against, "--format", "json"], "");
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // The Deployments have `replicas: 1`; every dependency is in the pods' environment.
    assert_eq!(codes(&out), vec![pair("AM305", &["voting"])]);
    let fixed = manifest.replace("voting: {replicas: 2}", "voting: {}");
    std::fs::write(dir.path().join("archmap.yaml"), fixed).unwrap();
    let out = run_in(dir.path(), &["drift", "--against", &against], "");
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.starts_with("no drift"), "{}", out.stdout);
}

#[test]
fn against_traced_calls_with_allow_and_ignore() {
    let dir = temp_with(&[("archmap.yaml", MANIFEST), ("deps.json", CALLS)]);
    let out = run_in(dir.path(), &["drift", "--against", "deps.json", "--format", "json"], "");
    assert_eq!(out.code, 1);
    let mut expected = vec![
        pair("AM300", &["payments"]),
        pair("AM301", &["web", "batch"]),
        pair("AM301", &["batch", "db"]),
        pair("AM302", &["search"]),
    ];
    expected.sort();
    assert_eq!(codes(&out), expected, "{}", out.stdout);
    // `allow` on the component, by id or code; `--ignore` names and dependencies.
    let allowed = MANIFEST
        .replace(
            "  search:\n    kind: database\n",
            "  search:\n    kind: database\n    allow: [unseen-component]\n",
        )
        .replace("  batch:\n    kind: job\n", "  batch:\n    kind: job\n    allow: [AM301]\n");
    std::fs::write(dir.path().join("archmap.yaml"), &allowed).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "drift",
            "--against",
            "deps.json",
            "--format",
            "json",
            "--ignore",
            "pay*",
            "--ignore",
            "web->batch",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(codes(&out), vec![]);
    // `check` takes drift ids in `allow` (no AM001).
    let checked = run_in(dir.path(), &["check", "--format", "json"], "");
    assert!(!checked.stdout.contains("AM001"), "{}", checked.stdout);
    // A call list in Jaeger's API shape, through standard input.
    let wrapped = format!("{{\"data\": {CALLS}}}");
    let out = run_in(
        dir.path(),
        &["drift", "--against", "calls:-", "--format", "json", "--ignore", "pay*"],
        &wrapped,
    );
    assert_eq!(codes(&out), vec![pair("AM301", &["web", "batch"])], "{}", out.stderr);
}

#[test]
fn markdown_github_and_sarif() {
    let dir = temp_with(&[("archmap.yaml", MANIFEST), ("deps.json", CALLS)]);
    let md = run_in(dir.path(), &["drift", "--against", "deps.json", "--format", "markdown"], "");
    assert_eq!(md.code, 1);
    assert!(md.stdout.starts_with("## archmap drift\n\n4 differences:\n"), "{}", md.stdout);
    assert!(md.stdout.contains("| AM302 unseen-component | `search` is declared but not seen in deps.json | `archmap.yaml:12` |"), "{}", md.stdout);
    let gh = run_in(dir.path(), &["drift", "--against", "deps.json", "--format", "github"], "");
    assert_eq!(
        gh.stdout.lines().filter(|l| l.starts_with("::warning file=archmap.yaml")).count(),
        4,
        "{}",
        gh.stdout
    );
    let sarif = run_in(dir.path(), &["drift", "--against", "deps.json", "--format", "sarif"], "");
    assert_eq!(sarif.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{r}");
    }
    let tool = root().join("tests/sarif/node_modules/.bin/sarif-multitool");
    if !tool.exists() {
        assert!(std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(), "run `npm ci` in tests/sarif");
        eprintln!("skipping: the SARIF multitool is not installed (npm ci in tests/sarif)");
        return;
    }
    let path = dir.path().join("drift.sarif");
    std::fs::write(&path, &sarif.stdout).unwrap();
    for kind in [None, Some("Gh")] {
        let report = crate::reports::multitool(&path, kind);
        assert!(report.contains("Analysis completed successfully"), "{report}");
        assert!(!report.contains(": error "), "SARIF ({kind:?}):\n{report}\n{}", sarif.stdout);
    }
}

#[test]
fn bad_sources_exit_2_and_no_drift_exits_0() {
    let dir = temp_with(&[
        ("archmap.yaml", MANIFEST),
        ("bad.json", "[{\"parent\": 3}]"),
        ("bad.yaml", "services: [\n"),
        ("broken.yaml", "version: 1\nname: x\nservices: {a: {kind: nope}}\n"),
    ]);
    let out = run_in(dir.path(), &["drift", "--against", "bad.json"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("parent"), "{}", out.stderr);
    let out = run_in(dir.path(), &["drift", "--against", "compose:bad.yaml"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("AM200"), "{}", out.stderr);
    let out = run_in(dir.path(), &["drift", "broken.yaml", "--against", "bad.json"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run_in(dir.path(), &["drift"], "");
    assert_eq!(out.code, 2, "--against is required: {}", out.stderr);
    let same = r#"[{"parent":"a","child":"b","callCount":1}]"#;
    let dir = temp_with(&[
        ("archmap.yaml", "version: 1\nname: x\nservices:\n  a: {depends_on: [b]}\n  b: {}\n"),
        ("deps.json", same),
    ]);
    let out = run_in(dir.path(), &["drift", "--against", "deps.json", "--format", "markdown"], "");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("No drift"), "{}", out.stdout);
}

#[test]
fn the_ci_recipe_is_a_valid_workflow_and_its_steps_pass_on_a_project_without_drift() {
    let path = root().join("docs/recipes/drift.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let validator = root().join("tests/recipes/node_modules/.bin/action-validator");
    if validator.exists() {
        let out = std::process::Command::new(&validator)
            .arg(&path)
            .output()
            .expect("action-validator runs");
        assert!(
            out.status.success(),
            "GitHub's workflow schema rejects the recipe:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "run `npm ci` in tests/recipes"
        );
        eprintln!("skipping the schema check: npm ci in tests/recipes");
    }
    // A project whose manifest agrees with its k8s/ directory (emojivoto).
    let manifest = "version: 1\nname: emojivoto\nservices:\n  web:\n    depends_on: [emoji, voting]\n  emoji: {}\n  voting: {}\n  vote-bot:\n    kind: job\n    depends_on: [web]\n";
    let dir = temp_with(&[("archmap.yaml", manifest)]);
    let k8s = root().join("tests/fixtures/k8s/emojivoto");
    std::fs::create_dir(dir.path().join("k8s")).unwrap();
    for e in std::fs::read_dir(&k8s).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join("k8s").join(e.file_name())).unwrap();
    }
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let mut ran = 0;
    for step in workflow["jobs"]["drift"]["steps"].as_array().unwrap() {
        let Some(run) = step["run"].as_str() else { continue };
        if !run.starts_with("archmap ") {
            continue;
        }
        let mut words: Vec<String> = Vec::new();
        for w in run.split_whitespace() {
            if [">", ">>", "||"].contains(&w) {
                break;
            }
            words.push(w.trim_matches('"').to_string());
        }
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let out = run_in(dir.path(), &args, "");
        assert_eq!(out.code, 0, "`{run}`:\n{}{}", out.stdout, out.stderr);
        ran += 1;
    }
    assert_eq!(ran, 3);
}
