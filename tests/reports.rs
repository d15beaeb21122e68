//! Report formats: the JSON shape, SARIF validated by Microsoft's SARIF multitool (schema and
//! GitHub ingestion rules), GitHub workflow commands.

use std::path::Path;

use crate::support::{root, run_in, temp_with};

const CYCLES: &str = "version: 1
name: Shop
include: [more/payments.yaml]
services:
  orders:
    depends_on: [payments]
  catalog:
    depends_on: [{target: pricing, protocol: amqp}, inventroy]
  pricing:
    depends_on: [catalog]
";
/// CYCLES has no owners; these tests are about the report shapes, not about ownership.
const NO_OWNERS: [&str; 2] = ["--rule", "missing-owner=off"];
const PAYMENTS: &str = "version: 1
services:
  payments:
    depends_on: [orders]
";

#[test]
fn json_report_has_the_documented_shape() {
    let dir = temp_with(&[("archmap.yaml", CYCLES), ("more/payments.yaml", PAYMENTS)]);
    let out = run_in(dir.path(), &["check", "--format", "json", NO_OWNERS[0], NO_OWNERS[1]], "");
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    for f in findings {
        for key in [
            "code",
            "id",
            "level",
            "message",
            "subjects",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "related",
            "help",
        ] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
    }
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    // Sorted by file and position: the cycle's first edge (line 6), then on line 8 the async
    // loop's first edge (column 27) before the unknown reference (column 53).
    assert_eq!(codes, ["AM010", "AM011", "AM001"], "{}", out.stdout);
    assert_eq!(doc["summary"], serde_json::json!({"error": 2, "warn": 1, "info": 0}));
    let unknown = &findings[2];
    assert_eq!((unknown["line"].as_u64(), unknown["column"].as_u64()), (Some(8), Some(53)));
    assert_eq!((unknown["end_line"].as_u64(), unknown["end_column"].as_u64()), (Some(8), Some(62)));
    assert_eq!(unknown["subjects"], serde_json::json!(["catalog"]));
    assert_eq!(unknown["help"], "define a component `inventroy`, or fix the name");
    let cycle = &findings[0];
    assert_eq!(cycle["subjects"], serde_json::json!(["orders", "payments"]));
    assert_eq!(cycle["related"][0]["file"], "more/payments.yaml");
    assert_eq!(cycle["related"][0]["line"], 4);
}

pub(crate) fn multitool(sarif: &Path, kind: Option<&str>) -> String {
    let tool = root().join("tests/sarif/node_modules/.bin/sarif-multitool");
    let mut cmd = std::process::Command::new(tool);
    cmd.arg("validate").arg(sarif);
    if let Some(k) = kind {
        cmd.arg("--rule-kind").arg(k);
    }
    let out = cmd.output().expect("sarif-multitool runs");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn sarif_validates_against_the_schema_and_github_rules() {
    let tool = root().join("tests/sarif/node_modules/.bin/sarif-multitool");
    if !tool.exists() {
        assert!(std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(), "run `npm ci` in tests/sarif");
        eprintln!("skipping: the SARIF multitool is not installed (npm ci in tests/sarif)");
        return;
    }
    let bad = "version: 1\nname: S\nservices:\n  a: {kind: nope}\n";
    // A baseline accepting the async cycle and the (folded) missing owners: the report has new
    // and suppressed results, and a notification for the entry that matches nothing.
    let baseline = r#"{"version": 1, "findings": [
        {"code": "AM011", "subjects": ["catalog", "pricing"]},
        {"code": "AM040", "subjects": ["orders"]},
        {"code": "AM040", "subjects": ["catalog"]},
        {"code": "AM040", "subjects": ["pricing"]},
        {"code": "AM040", "subjects": ["payments"]},
        {"code": "AM022", "subjects": ["gone"]}
    ]}"#;
    let dir = temp_with(&[
        ("archmap.yaml", CYCLES),
        ("more/payments.yaml", PAYMENTS),
        ("bad.yaml", bad),
        ("baseline.json", baseline),
    ]);
    for (manifest, expected_code, extra) in [
        ("archmap.yaml", 1, &[][..]),
        ("bad.yaml", 2, &[][..]),
        ("archmap.yaml", 1, &["--baseline", "baseline.json"][..]),
    ] {
        let mut args = vec!["check", "--format", "sarif", manifest];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args, "");
        assert_eq!(out.code, expected_code);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            let loc = &r["locations"][0]["physicalLocation"];
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{r}");
            assert!(loc["artifactLocation"]["uri"].is_string(), "{r}");
        }
        if !extra.is_empty() {
            let states: Vec<&str> =
                results.iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
            assert_eq!(states.iter().filter(|s| **s == "unchanged").count(), 2, "{states:?}");
            let notes = &doc["runs"][0]["invocations"][0]["toolExecutionNotifications"];
            assert_eq!(notes.as_array().unwrap().len(), 2, "{notes}");
        }
        let path = dir.path().join(format!("{manifest}{}.sarif", extra.len()));
        std::fs::write(&path, &out.stdout).unwrap();
        for kind in [None, Some("Gh")] {
            let report = multitool(&path, kind);
            assert!(report.contains("Analysis completed successfully"), "{report}");
            assert!(
                !report.contains(": error "),
                "SARIF ({kind:?}) has errors:\n{report}\n{}",
                out.stdout
            );
        }
    }
}

#[test]
fn github_annotations_point_at_the_yaml() {
    let dir = temp_with(&[("archmap.yaml", CYCLES), ("more/payments.yaml", PAYMENTS)]);
    let out = run_in(dir.path(), &["check", "--format", "github", NO_OWNERS[0], NO_OWNERS[1]], "");
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].starts_with("::error file=archmap.yaml,line=6,col=18,"), "{}", lines[0]);
    assert!(
        lines[0]
            .contains(",title=AM010 sync-cycle::sync cycle: orders -> payments -> orders%0Ahelp: "),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::warning file=archmap.yaml,line=8,col=27,"), "{}", lines[1]);
    assert!(lines[2].starts_with("::error file=archmap.yaml,line=8,col=53,endLine=8,endColumn=62,title=AM001 unknown-reference::"), "{}", lines[2]);
}
