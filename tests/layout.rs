//! The native layout's invariants on every example and render fixture, through the real CLI:
//! `render --format json` in every direction, its boxes, frames, routes and labels read back
//! into a [`Drawing`] and assessed by `render::quality`: no overlaps, no edge through a box, no
//! label overlaps, no edge through a group's title, every member inside and every non-member
//! outside its group frames.

use std::collections::BTreeMap;
use std::path::PathBuf;

use archmap::render::layout::Rect;
use archmap::render::quality::{Drawing, quality};

use crate::support::{root, run_in};

fn manifests() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures/render"] {
        for e in std::fs::read_dir(root().join(dir)).expect("directory exists").flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn rect(v: &serde_json::Value) -> Rect {
    let f = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
    Rect { x: f("x"), y: f("y"), width: f("width"), height: f("height") }
}

/// A drawing from the JSON output.
fn drawing(doc: &serde_json::Value) -> Drawing {
    let groups = doc["groups"].as_array().expect("groups");
    let gindex: BTreeMap<&str, usize> =
        groups.iter().enumerate().map(|(i, g)| (g["id"].as_str().expect("id"), i)).collect();
    let nodes = doc["nodes"].as_array().expect("nodes");
    let nindex: BTreeMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n["id"].as_str().expect("id"), i)).collect();
    let node_groups = nodes
        .iter()
        .map(|n| {
            let mut chain = Vec::new();
            let mut g = n["group"].as_str().map(|id| gindex[id]);
            while let Some(x) = g {
                chain.push(x);
                g = groups[x]["parent"].as_str().map(|id| gindex[id]);
            }
            chain
        })
        .collect();
    let edges = doc["edges"].as_array().expect("edges");
    Drawing {
        nodes: nodes.iter().map(rect).collect(),
        node_groups,
        groups: groups.iter().map(rect).collect(),
        edges: edges
            .iter()
            .map(|e| {
                let pts = e["points"]
                    .as_array()
                    .expect("points")
                    .iter()
                    .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
                    .collect();
                (
                    nindex[e["from"].as_str().expect("from")],
                    nindex[e["to"].as_str().expect("to")],
                    pts,
                )
            })
            .collect(),
        labels: edges.iter().filter(|e| !e["label"].is_null()).map(|e| rect(&e["label"])).collect(),
        titles: groups.iter().map(|g| rect(&g["title"])).collect(),
    }
}

#[test]
fn examples_and_fixtures_lay_out_cleanly_in_every_direction() {
    for path in manifests() {
        let p = path.to_str().expect("UTF-8 path");
        for direction in ["TB", "LR", "BT", "RL"] {
            let mut args = vec!["render", "--format", "json", "--direction", direction, p];
            if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("view-")) {
                args.extend(["--view", "collapsed"]);
            }
            let out = run_in(&root(), &args, "");
            if out.code == 2 && out.stdout.is_empty() {
                // Does not load (the examples test reports that); nothing to lay out.
                eprintln!("skipping {p}: {}", out.stderr.lines().next().unwrap_or_default());
                break;
            }
            assert_eq!(out.code, 0, "{p} {direction}: {}", out.stderr);
            let doc: serde_json::Value =
                serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(doc["version"], 1);
            let q = quality(&drawing(&doc));
            assert!(q.is_clean(), "{p} {direction}: {q:?}");
            assert_eq!(q.edges_through_titles, 0, "{p} {direction}: {q:?}");
        }
    }
}

#[test]
fn the_old_engine_stays_selectable() {
    let p = root().join("tests/fixtures/render/grouped.yaml");
    let out = run_in(&root(), &["render", "--engine", "layout-rs", p.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("<svg"));
}

#[test]
fn over_the_node_budget_the_svg_says_so_and_stderr_warns() {
    let p = root().join("tests/fixtures/render/grouped.yaml");
    let out = run_in(&root(), &["render", "--max-nodes", "2", p.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("--max-nodes"), "{}", out.stderr);
    assert!(out.stdout.contains("class=\"budget-note\""));
    assert!(out.stdout.contains("--view"));
    let quiet = run_in(&root(), &["render", p.to_str().unwrap()], "");
    assert!(!quiet.stdout.contains("class=\"budget-note\""));
}

#[test]
fn json_extension_picks_the_json_format() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("tests/fixtures/render/fan-out.yaml");
    let out_path = dir.path().join("x.json");
    let out =
        run_in(&root(), &["render", src.to_str().unwrap(), "-o", out_path.to_str().unwrap()], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(out_path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
}
