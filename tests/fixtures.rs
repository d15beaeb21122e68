//! Fixture snapshots: every `tests/fixtures/**/*.yaml` is checked, and its report snapshotted
//! as "# Input / # Diagnostics". Rule fixtures also assert their verdict: a `fail-*` file must
//! raise its directory's code, a `pass-*` file must not.

use std::path::Path;

use crate::support::run_in;

fn report(path: &Path) -> (String, String) {
    let dir = path.parent().expect("fixture has a directory");
    let name = path.file_name().expect("fixture has a name").to_str().expect("UTF-8 name");
    let human = run_in(dir, &["check", name], "");
    let json = run_in(dir, &["check", "--format", "json", name], "");
    assert!(human.code <= 2, "exit code {}", human.code);
    assert_eq!(human.code, json.code, "human and JSON runs disagree on the exit code");
    let input = std::fs::read_to_string(path).unwrap_or_else(|_| "<not UTF-8>".into());
    let snapshot =
        format!("# Input\n{input}\n# Exit code\n{}\n\n# Diagnostics\n{}", human.code, human.stdout);
    (snapshot, json.stdout)
}

#[test]
fn manifest_fixtures() {
    insta::glob!("fixtures/manifest/*.yaml", |path| {
        let (snapshot, _) = report(path);
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn rule_fixtures() {
    insta::glob!("fixtures/rules/*/*.yaml", |path| {
        let (snapshot, json) = report(path);
        let dir = path.parent().unwrap().file_name().unwrap().to_str().unwrap();
        let code = &dir[..5];
        let file = path.file_name().unwrap().to_str().unwrap();
        let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON report parses");
        let hits = doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).count();
        if file.starts_with("fail") {
            assert!(hits > 0, "{dir}/{file} should raise {code}:\n{snapshot}");
        } else {
            assert!(file.starts_with("pass"), "rule fixtures are named pass-* or fail-*: {file}");
            assert_eq!(hits, 0, "{dir}/{file} should not raise {code}:\n{snapshot}");
        }
        insta::assert_snapshot!(snapshot);
    });
}

/// Every render fixture in every format, snapshotted; each rendered twice to prove the bytes are
/// identical, and each validated by its consumer where one is installed.
#[test]
fn render_fixtures() {
    let dot_available = crate::support::have_tool("dot", "-V");
    insta::glob!("fixtures/render/*.yaml", |path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let mut args = vec!["render", name];
        if name.starts_with("view-") {
            args.extend(["--view", "collapsed"]);
        }
        for format in ["dot", "mermaid", "svg"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let first = run_in(dir, &a, "");
            assert_eq!(first.code, 0, "{name} {format}: {}", first.stderr);
            let second = run_in(dir, &a, "");
            assert_eq!(first.stdout, second.stdout, "{name} {format}: output differs between runs");
            match format {
                "dot" if dot_available => {
                    crate::support::graphviz(&first.stdout, "svg");
                }
                "svg" => {
                    roxmltree::Document::parse(&first.stdout)
                        .unwrap_or_else(|e| panic!("{name}: SVG does not parse: {e}"));
                }
                _ => {}
            }
            insta::assert_snapshot!(format!("{format}"), first.stdout);
        }
    });
}
