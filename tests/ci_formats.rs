//! `check --format gitlab|junit|checkstyle`, SARIF's links and the GitHub job summary, each
//! read by the schema or the consumer CI systems use (validators that are not installed skip,
//! and say so; `scripts/install-test-tools.sh` installs them).

use std::path::Path;

use serde_json::Value;

use crate::support::{root, run_in, run_with_env, temp_with};

/// An error (a sync cycle), warnings and infos, one folded.
const MIX: &str = "version: 1\nname: S\nservices:\n  web: {kind: frontend, depends_on: [db, api]}\n  api: {depends_on: [orders]}\n  orders: {depends_on: [api, db]}\n  db: {kind: database}\n";

/// Whether Python can import `module`; like [`have_tool`], a failure under
/// `ARCHMAP_REQUIRE_TOOLS`.
fn have_python_module(module: &str) -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "the Python module {module} is required (ARCHMAP_REQUIRE_TOOLS is set): run scripts/install-test-tools.sh"
        );
        eprintln!(
            "skipping: the Python module {module} is not installed (scripts/install-test-tools.sh)"
        );
    }
    found
}

fn python(script: &str, dir: &Path) -> String {
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the consumer rejected the report: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn gitlab_code_quality_follows_the_schema_with_stable_unique_fingerprints() {
    let dir = temp_with(&[("archmap.yaml", MIX)]);
    let out = run_in(dir.path(), &["check", "--format", "gitlab"], "");
    assert_eq!(out.code, 1, "{out:?}");
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/ci-formats/gitlab-codequality.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
    let issues = report.as_array().unwrap();
    let severities: Vec<&str> = issues.iter().map(|i| i["severity"].as_str().unwrap()).collect();
    for s in ["major", "minor", "info"] {
        assert!(severities.contains(&s), "no {s} in {severities:?}");
    }
    let cycle = issues.iter().find(|i| i["check_name"] == "AM010 sync-cycle").unwrap();
    assert_eq!(cycle["location"]["path"], "archmap.yaml");
    // GitLab keeps one issue per fingerprint.
    let mut prints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    let n = prints.len();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), n, "fingerprints repeat");
    // A line added above moves every finding, and changes no fingerprint.
    std::fs::write(dir.path().join("archmap.yaml"), format!("# moved\n{MIX}")).unwrap();
    let moved: Value =
        serde_json::from_str(&run_in(dir.path(), &["check", "--format", "gitlab"], "").stdout)
            .unwrap();
    let moved_prints: Vec<&str> =
        moved.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    let mut sorted = moved_prints.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, prints);
    assert_ne!(moved[0]["location"]["lines"]["begin"], report[0]["location"]["lines"]["begin"]);
}

#[test]
fn junit_reads_as_failing_tests_in_junitparser() {
    let dir = temp_with(&[
        ("archmap.yaml", MIX),
        (
            "clean.yaml",
            "version: 1\nname: C\nservices:\n  web: {kind: frontend, owner: t, depends_on: [api]}\n  api: {owner: t}\n",
        ),
    ]);
    let out = run_in(
        dir.path(),
        &["check", "archmap.yaml", "clean.yaml", "--format", "junit", "-o", "r.xml"],
        "",
    );
    assert_eq!(out.code, 1, "{out:?}");
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 2, "{xml}");
    assert_eq!(suites[1].attribute("name"), Some("clean.yaml"));
    assert_eq!(suites[1].attribute("failures"), Some("0"));
    let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
    if !have_python_module("junitparser") {
        return;
    }
    // As CI servers read it: every suite, case and failure.
    let seen = python(
        "from junitparser import JUnitXml, Failure\n\
         xml = JUnitXml.fromfile('r.xml')\n\
         cases = [c for s in xml for c in s]\n\
         failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]\n\
         print(len(list(xml)), len(cases), len(failed), xml.failures, failed[0].name)",
        dir.path(),
    );
    let parts: Vec<&str> = seen.split_whitespace().collect();
    assert_eq!(parts[0], "2", "{seen}");
    let cases = doc.descendants().filter(|n| n.has_tag_name("testcase")).count();
    assert_eq!(parts[1], cases.to_string(), "{seen}");
    assert_eq!(parts[2], failures.to_string(), "{seen}");
    assert_eq!(parts[3], failures.to_string(), "the totals disagree with the cases: {seen}");
    assert!(failures >= 2, "an error and a warning fail: {xml}");
}

#[test]
fn checkstyle_validates_against_the_checkstyle_format() {
    let dir = temp_with(&[("archmap.yaml", MIX)]);
    let out = run_in(dir.path(), &["check", "--format", "checkstyle", "-o", "cs.xml"], "");
    assert_eq!(out.code, 1, "{out:?}");
    let xml = std::fs::read_to_string(dir.path().join("cs.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let errors: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("error")).collect();
    let severities: Vec<&str> = errors.iter().filter_map(|e| e.attribute("severity")).collect();
    assert!(severities.contains(&"error") && severities.contains(&"warning"), "{xml}");
    assert!(
        errors.iter().any(|e| e.attribute("source") == Some("archmap.AM010.sync-cycle")),
        "{xml}"
    );
    if !have_python_module("xmlschema") {
        return;
    }
    let xsd = root().join("tests/ci-formats/checkstyle.xsd");
    let seen = python(
        &format!(
            "import xmlschema\nxmlschema.XMLSchema({:?}).validate('cs.xml')\nprint('valid')",
            xsd.display().to_string()
        ),
        dir.path(),
    );
    assert_eq!(seen.trim(), "valid");
}

#[test]
fn sarif_rules_link_their_docs_and_name_the_run() {
    let dir = temp_with(&[("archmap.yaml", MIX)]);
    let out = run_in(dir.path(), &["check", "--format", "sarif"], "");
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "archmap/");
    assert!(run["tool"]["driver"]["fullName"].as_str().unwrap().starts_with("archmap "));
    let rules = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let reference = std::fs::read_to_string(root().join("docs/manifest-reference.md")).unwrap();
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(uri.starts_with("https://"), "{uri}");
        let (page, anchor) = uri.rsplit_once('#').unwrap();
        let doc = if page.ends_with("/docs/rules.md") { &rules } else { &reference };
        assert!(
            page.ends_with("/docs/rules.md") || page.ends_with("/docs/manifest-reference.md"),
            "{uri}"
        );
        // GitHub's anchor of a heading `## AM010 sync-cycle` is `am010-sync-cycle`.
        let found = doc.lines().filter(|l| l.starts_with('#')).any(|l| {
            l.trim_start_matches('#').trim().to_ascii_lowercase().replace(' ', "-") == anchor
        });
        assert!(found, "{uri}: no heading for #{anchor}");
    }
}

#[test]
fn github_annotations_are_capped_and_the_summary_lists_every_finding() {
    // Twelve frontends reading a database directly: more warnings than GitHub shows.
    let mut text =
        String::from("version: 1\nname: S\nservices:\n  db: {kind: database, owner: t}\n");
    text.extend(
        (0..12).map(|i| format!("  fe{i}: {{kind: frontend, owner: t, depends_on: [db]}}\n")),
    );
    let dir = temp_with(&[("archmap.yaml", &text)]);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let env = [("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())];
    let out = run_with_env(dir.path(), &["check", "--format", "github"], "", &env);
    let warnings = out.stdout.lines().filter(|l| l.starts_with("::warning ")).count();
    assert_eq!(warnings, 10, "{}", out.stdout);
    assert!(out.stdout.contains("more findings not annotated"), "{}", out.stdout);
    let table = std::fs::read_to_string(&summary).unwrap();
    assert!(table.starts_with("earlier step\n### archmap check"), "appended: {table}");
    for i in 0..12 {
        assert!(table.contains(&format!("\\`fe{i}\\`")), "fe{i} missing from\n{table}");
    }
    let out = run_with_env(
        dir.path(),
        &["check", "--format", "github", "--max-annotations", "3"],
        "",
        &env,
    );
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("::warning ")).count(), 3);
    // A summary that cannot be written is said, and the verdict stands.
    let dir_path = dir.path().to_str().unwrap();
    let out = run_with_env(
        dir.path(),
        &["check", "--format", "github"],
        "",
        &[("GITHUB_STEP_SUMMARY", dir_path)],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("warning: no job summary"), "{}", out.stderr);
}

#[test]
fn an_xml_report_name_needs_the_format_named() {
    let dir = temp_with(&[("archmap.yaml", MIX)]);
    let out = run_in(dir.path(), &["check", "-o", "r.xml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`--format junit` or `--format checkstyle`"), "{}", out.stderr);
    assert!(!dir.path().join("r.xml").exists());
}
