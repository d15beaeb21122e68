//! Every example manifest checks without errors and renders in every format, valid for the
//! real consumers: Graphviz for DOT, a strict XML parser for SVG.

use std::path::PathBuf;

use crate::support::{graphviz, have_tool, root, run_in};

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "at least three examples");
    files
}

#[test]
fn examples_check_without_errors() {
    for path in examples() {
        let out = run_in(&root(), &["check", "--format", "json", path.to_str().unwrap()], "");
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON report");
        assert_eq!(doc["summary"]["error"], 0, "{}: {}", path.display(), out.stdout);
        assert_eq!(out.code, 0, "{}", path.display());
    }
}

#[test]
fn examples_render_in_every_format() {
    let dot_available = have_tool("dot", "-V");
    for path in examples() {
        let p = path.to_str().unwrap();
        let dot = run_in(&root(), &["render", "--format", "dot", p], "");
        assert_eq!(dot.code, 0, "{p}: {}", dot.stderr);
        if dot_available {
            let svg = graphviz(&dot.stdout, "svg");
            assert!(svg.contains("<svg"), "{p}");
        }
        let mermaid = run_in(&root(), &["render", "--format", "mermaid", p], "");
        assert_eq!(mermaid.code, 0, "{p}: {}", mermaid.stderr);
        assert!(mermaid.stdout.contains("flowchart"), "{p}");
        let svg = run_in(&root(), &["render", "--format", "svg", p], "");
        assert_eq!(svg.code, 0, "{p}: {}", svg.stderr);
        let doc = roxmltree::Document::parse(&svg.stdout)
            .unwrap_or_else(|e| panic!("{p}: SVG does not parse: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        // Every component's label is in the picture.
        let m = run_in(&root(), &["render", "--format", "svg", p], "");
        assert_eq!(m.stdout, svg.stdout, "{p}: SVG output is not deterministic");
    }
}

#[test]
fn every_view_of_every_example_renders() {
    for path in examples() {
        let dir = tempfile::tempdir().unwrap();
        let p = path.to_str().unwrap();
        let out_dir = dir.path().to_str().unwrap();
        for format in ["dot", "mermaid", "svg"] {
            let out = run_in(
                &root(),
                &["render", p, "--all-views", "--format", format, "-o", out_dir],
                "",
            );
            assert_eq!(out.code, 0, "{p} {format}: {}", out.stderr);
        }
        let written = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(written >= 3 * 2, "{p}: only {written} files for the system and its views");
    }
}

/// The picture in the README is what the README's own command draws today (`render
/// examples/ecommerce.yaml`, default direction): documentation CI keeps committed diagrams
/// honest with `render --check`, and so do we. Regenerate with
/// `cargo run --release -- render examples/ecommerce.yaml -o docs/images/ecommerce.svg`.
#[test]
fn readme_picture_is_fresh() {
    let out = run_in(
        &root(),
        &["render", "examples/ecommerce.yaml", "-o", "docs/images/ecommerce.svg", "--check", "-q"],
        "",
    );
    assert_eq!(out.code, 0, "docs/images/ecommerce.svg is stale: {}", out.stderr);
}
