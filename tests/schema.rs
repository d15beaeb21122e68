//! The JSON Schema (`archmap schema`, `archmap.schema.json`): in sync, valid draft 2020-12, and
//! in agreement with the reader on every example and fixture.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{root, run_in, temp_with};

fn schema() -> Value {
    serde_json::from_str(&archmap::json_schema()).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema compiles")
}

/// Every `.yaml` file under `dir`, sorted.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The file as JSON, or `None` when it is not YAML a generic reader accepts (syntax errors,
/// non-UTF-8, duplicate keys, alias bombs: reading problems the schema has no say in).
fn as_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_saphyr::from_str::<Value>(&text).ok()
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn committed_schema_is_what_archmap_schema_prints() {
    let committed = std::fs::read_to_string(root().join("archmap.schema.json"))
        .expect("archmap.schema.json is committed");
    let out = run_in(&root(), &["schema"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        committed == out.stdout,
        "archmap.schema.json is stale: run `cargo run -- schema -o archmap.schema.json` and commit it"
    );
    let check = run_in(&root(), &["schema", "-o", "archmap.schema.json", "--check"], "");
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn schema_check_reports_a_stale_file() {
    let dir = temp_with(&[("s.json", "{}\n")]);
    let out = run_in(dir.path(), &["schema", "-o", "s.json", "--check"], "");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("stale: s.json differs"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("s.json")).unwrap(), "{}\n");
    let written = run_in(dir.path(), &["schema", "-o", "s.json"], "");
    assert_eq!(written.code, 0);
    let text = std::fs::read_to_string(dir.path().join("s.json")).unwrap();
    assert_eq!(text, archmap::json_schema());
}

#[test]
fn schema_is_valid_draft_2020_12() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("the schema does not validate against its meta-schema: {e}");
    }
}

#[test]
fn schema_lists_every_rule_and_parameter() {
    let schema = schema();
    let rules = &schema["$defs"]["Rules"]["properties"];
    for meta in archmap::rules() {
        for key in [meta.id, meta.code] {
            assert_eq!(
                rules[key]["$ref"],
                format!("#/$defs/rule-{}", meta.id),
                "rules.{key} is missing from the schema"
            );
        }
        let params = &schema["$defs"][format!("rule-{}", meta.id)]["anyOf"][1]["properties"];
        for p in meta.params {
            assert!(params.get(p.name).is_some(), "{}: parameter {} missing", meta.id, p.name);
        }
    }
}

#[test]
fn schema_levels_are_the_readers_levels() {
    let schema = schema();
    let names: Vec<&str> = schema["$defs"]["Level"]["oneOf"]
        .as_array()
        .expect("Level is a oneOf")
        .iter()
        .map(|v| v["const"].as_str().expect("a const name"))
        .collect();
    let levels: Vec<&str> = archmap::vocab::Level::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(names, levels);
}

/// Every example and fixture manifest archmap reads without a reading error validates; the
/// schema never rejects what archmap accepts.
#[test]
fn every_readable_example_and_fixture_validates() {
    let validator = validator();
    let mut files = Vec::new();
    yaml_files(&root().join("examples"), &mut files);
    yaml_files(&root().join("tests/fixtures"), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        let out = run_in(&root(), &["check", "--format", "json", &rel], "");
        if out.code == 2 {
            continue; // a reading problem: see the negative test below
        }
        // Duplicate keys are findings for archmap but errors for a generic YAML reader.
        let Some(value) = as_json(path) else {
            assert!(out.stdout.contains("\"AM002\""), "{rel}: archmap reads it, serde does not");
            continue;
        };
        let errs = errors(&validator, &value);
        if !errs.is_empty() {
            failures.push(format!("{rel}:\n  {}", errs.join("\n  ")));
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} manifests checked");
    assert!(failures.is_empty(), "valid manifests the schema rejects:\n{}", failures.join("\n"));
}

/// The fixtures written to fail reading for a reason a schema can express fail it.
#[test]
fn schema_rejects_what_the_reader_rejects() {
    let validator = validator();
    for name in [
        "unknown-fields",
        "wrong-types",
        "invalid-values",
        "bad-version",
        "missing-fields",
        "empty-services",
        "not-a-map",
    ] {
        let path = root().join(format!("tests/fixtures/manifest/{name}.yaml"));
        let out = run_in(&root(), &["check", path.to_str().unwrap()], "");
        assert_eq!(out.code, 2, "{name} is meant to be unreadable");
        let value = as_json(&path).unwrap_or_else(|| panic!("{name}: not plain YAML"));
        assert!(!validator.is_valid(&value), "the schema accepts {name}.yaml");
    }
    // One mistake of each kind, alone, in an otherwise valid manifest.
    let base = "version: 1\nname: x\nservices:\n  a:\n    depends_on: [b]\n  b: {}\n";
    assert!(validator.is_valid(&as_yaml(base)));
    for (what, text) in [
        ("unknown field", "version: 1\nname: x\nservices:\n  a: { knd: database }\n"),
        ("unknown kind", "version: 1\nname: x\nservices:\n  a: { kind: databse }\n"),
        ("bad id", "version: 1\nname: x\nservices:\n  -a: {}\n"),
        ("replicas 0", "version: 1\nname: x\nservices:\n  a: { replicas: 0 }\n"),
        (
            "bad mode",
            "version: 1\nname: x\nservices:\n  a: { depends_on: [{ target: b, mode: later }] }\n  b: {}\n",
        ),
        ("bad colour", "version: 1\nname: x\ngroups:\n  g: { color: blue }\nservices:\n  a: {}\n"),
        (
            "bad layout",
            "version: 1\nname: x\nservices:\n  a: {}\nviews:\n  v: { layout: diagonal }\n",
        ),
        ("unknown rule", "version: 1\nname: x\nservices:\n  a: {}\nrules:\n  fan-inn: warn\n"),
        (
            "unknown parameter",
            "version: 1\nname: x\nservices:\n  a: {}\nrules:\n  fan-in: { level: warn, maxx: 3 }\n",
        ),
        ("bad level", "version: 1\nname: x\nservices:\n  a: {}\nrules:\n  fan-in: loud\n"),
        ("version 2", "version: 2\nname: x\nservices:\n  a: {}\n"),
        ("no services", "version: 1\nname: x\nservices: {}\n"),
    ] {
        let out = run_in(&root(), &["check", "-"], text);
        assert_eq!(out.code, 2, "archmap accepts the {what}: {}", out.stderr);
        assert!(!validator.is_valid(&as_yaml(text)), "the schema accepts the {what}");
    }
    // `x-` keys are kept everywhere, as archmap keeps them.
    let ext = "version: 1\nname: x\nx-top: 1\nservices:\n  a: { x-team: t, depends_on: [{ target: b, x-why: y }] }\n  b: {}\nrules:\n  x-mine: 1\n";
    assert_eq!(run_in(&root(), &["check", "-"], ext).code, 0);
    assert!(validator.is_valid(&as_yaml(ext)), "{:?}", errors(&validator, &as_yaml(ext)));
}

fn as_yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("plain YAML")
}

#[test]
fn init_writes_a_starter_that_checks_clean_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["init", "--name", "Acme: Shop"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap();
    assert!(text.contains("name: \"Acme: Shop\""), "{text}");
    let check = run_in(dir.path(), &["check", "--deny", "warnings"], "");
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("no findings"), "{}", check.stdout);
    assert_eq!(errors(&validator(), &as_yaml(&text)), Vec::<String>::new());
    // It renders, with its view.
    let render = run_in(dir.path(), &["render", "--all-views", "-o", "out"], "");
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert!(dir.path().join("out/ordering.svg").is_file());

    // Never overwrites: the file is untouched and the run fails as "could not run".
    std::fs::write(dir.path().join("archmap.yaml"), "mine\n").unwrap();
    let again = run_in(dir.path(), &["init"], "");
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap(), "mine\n");

    // Named after the directory by default; `-` prints instead of writing.
    let printed = run_in(dir.path(), &["init", "-"], "");
    assert_eq!(printed.code, 0);
    let dir_name = dir.path().file_name().unwrap().to_str().unwrap();
    assert!(
        printed.stdout.contains(&format!("name: {dir_name}\n"))
            || printed.stdout.contains(&format!("name: \"{dir_name}\""))
    );
}

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run_in(&root(), &["completions", shell], "");
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for command in
            ["check", "render", "stats", "rules", "explain", "init", "schema", "completions"]
        {
            assert!(out.stdout.contains(command), "{shell} completion lacks `{command}`");
        }
        assert!(out.stdout.contains("--all-views"), "{shell} completion lacks render's options");
    }
    let bad = run_in(&root(), &["completions", "tcsh"], "");
    assert_eq!(bad.code, 2);
}

#[test]
fn bash_completion_script_is_valid_bash() {
    if !crate::support::have_tool("bash", "--version") {
        return;
    }
    let out = run_in(&root(), &["completions", "bash"], "");
    let dir = temp_with(&[("archmap.bash", &out.stdout)]);
    let status = std::process::Command::new("bash")
        .args(["-n", "archmap.bash"])
        .current_dir(dir.path())
        .status()
        .expect("bash runs");
    assert!(status.success(), "bash -n rejects the completion script");
}

#[test]
fn man_pages_cover_every_command() {
    let out = run_in(&root(), &["man"], "");
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with(".ie"), "not roff: {}", &out.stdout[..40.min(out.stdout.len())]);
    assert!(out.stdout.contains(".TH archmap 1"), "{}", &out.stdout[..200]);
    let dir = tempfile::tempdir().unwrap();
    let written = run_in(dir.path(), &["man", "-o", "man"], "");
    assert_eq!(written.code, 0, "{}", written.stderr);
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for command in [
        "check",
        "render",
        "serve",
        "stats",
        "rules",
        "explain",
        "init",
        "schema",
        "completions",
        "man",
    ] {
        let page = format!("archmap-{command}.1");
        assert!(names.contains(&page), "no {page} in {names:?}");
        let text = std::fs::read_to_string(dir.path().join("man").join(&page)).unwrap();
        assert!(text.contains(&format!(".TH archmap-{command} 1")), "{page}");
    }
    let render = std::fs::read_to_string(dir.path().join("man/archmap-render.1")).unwrap();
    assert!(render.contains("all\\-views"), "render's page lacks its options");
    // `man` itself can format it, where installed.
    if crate::support::have_tool("man", "--version") {
        let status = std::process::Command::new("man")
            .args(["-l", "--warnings", "-Tutf8", "man/archmap-render.1"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("man runs");
        assert!(status.success());
    }
}
