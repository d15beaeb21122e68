//! What the checks say about the example manifests. (Speed is measured by `cargo bench --bench
//! check`, see BENCHMARKS.md, never by timed tests.)

use crate::support::{root, run_in};

/// The example manifests raise no error. The only warnings are single points of failure on
/// external providers: a checkout that cannot work without its one payment provider really
/// does depend on it, and the manifest cannot add replicas to a third party.
#[test]
fn examples_raise_no_errors_and_only_justified_warnings() {
    let dir = root().join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            std::path::Path::new(n).extension().is_some_and(|e| e.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let out = run_in(&dir, &["check", "--format", "json", &name], "");
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["summary"]["error"], 0, "{name}");
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        for f in doc["findings"].as_array().unwrap().iter().filter(|f| f["level"] == "warn") {
            let subject = f["subjects"][0].as_str().unwrap();
            // The component's definition in the example says `kind: external` right below its id.
            let external = text
                .split_once(&format!("\n  {subject}:\n"))
                .is_some_and(|(_, rest)| rest.trim_start().starts_with("kind: external"));
            assert!(f["code"] == "AM022" && external, "{name}: unexpected warning {f}");
        }
    }
}
