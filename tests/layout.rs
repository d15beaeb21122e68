//! The native layout's invariants on every example and render fixture, through the real CLI:
//! `render --format json` in every direction, its boxes, frames, routes and labels read back
//! into a [`Drawing`] and assessed by `layout::quality`: no overlaps, no edge through a box, no
//! label overlaps, no edge through a group's title, every member inside and every non-member
//! outside its group frames.

use std::path::PathBuf;

use archmap::quality::{Drawing, aspect_ratio, close_arrowheads, parallel_overlap, quality};

use crate::support::{graphviz, have_tool, root, run_in};

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

/// A drawing from the JSON output (strict: a missing field fails the test).
fn drawing(doc: &serde_json::Value) -> Drawing {
    Drawing::from_json(doc).unwrap_or_else(|e| panic!("{e}"))
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

/// Every line can be traced: in the default direction, on the examples, the render fixtures and
/// every system of the compose corpus, no edge runs on top of or right beside another it shares
/// no end with (parallel overlap 0), no two arrowheads crowd one box, and the drawing keeps
/// within 2.5:1 unless its direction is fixed (docs/layout.md).
#[test]
fn lines_are_traceable_and_drawings_keep_their_shape() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files = manifests();
    let corpus = root().join("tests/fixtures/compose");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("the compose corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    for project in projects {
        let name = project.file_name().expect("a name").to_string_lossy().into_owned();
        let target = dir.path().join(format!("{name}.yaml"));
        let out =
            run_in(&project, &["import", "compose", "-o", target.to_str().expect("UTF-8")], "");
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        files.push(target);
    }
    for path in files {
        let p = path.to_str().expect("UTF-8 path");
        let name = path.file_name().expect("a name").to_string_lossy().into_owned();
        let mut args = vec!["render", "--format", "json", p];
        let view = name.starts_with("view-");
        if view {
            args.extend(["--view", "collapsed"]);
        }
        let out = run_in(&root(), &args, "");
        assert_eq!(out.code, 0, "{p}: {}", out.stderr);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        let d = drawing(&doc);
        let (_, apart) = parallel_overlap(&d);
        assert!(
            apart < 1e-9,
            "{name}: {:.1} % of the length runs beside another edge",
            apart * 100.0
        );
        assert_eq!(close_arrowheads(&d), 0, "{name}: arrowheads closer than 10 units");
        // A view that fixes its layout keeps it.
        if !view {
            assert!(aspect_ratio(&d) <= 2.5, "{name}: aspect {:.2}", aspect_ratio(&d));
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

/// The hand-written examples, the hardest real systems of the importer's corpus (imported as
/// `archmap import compose` does) and three generated flat systems, in both main directions:
/// archmap's drawing has no more
/// edge crossings than Graphviz dot's drawing of archmap's own DOT output of the same manifest,
/// both counted by `layout::quality` on the drawn routes.
#[test]
fn real_systems_cross_no_more_than_graphviz() {
    if !have_tool("dot", "-V") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut files: Vec<PathBuf> = ["banking", "ecommerce", "ride-hailing"]
        .iter()
        .map(|n| root().join(format!("examples/{n}.yaml")))
        .collect();
    for project in ["ftgo", "otel-astronomy-shop", "eshop-on-containers", "eshop-on-dapr"] {
        let target = dir.path().join(format!("{project}.yaml"));
        let out = run_in(
            &root().join("tests/fixtures/compose").join(project),
            &["import", "compose", "-o", target.to_str().expect("UTF-8 path")],
            "",
        );
        assert_eq!(out.code, 0, "{project}: {}", out.stderr);
        files.push(target);
    }
    // Generated flat systems (no groups) where dot's single ordering is hardest to beat: the
    // benchmark sweep's flat-5 and flat-12 and a 108-component one (`cargo bench --bench check
    // -- --seed S --no-groups --emit N PATH`).
    for (components, seed) in [(32, 5), (60, 12), (108, 211)] {
        let mut params = crate::synth::generator::Params::new(components, seed);
        params.groups = false;
        let target = dir.path().join(format!("flat-{components}-{seed}.yaml"));
        std::fs::write(&target, crate::synth::generator::generate(&params).yaml)
            .expect("a temporary file");
        files.push(target);
    }
    for path in files {
        let p = path.to_str().expect("UTF-8 path");
        for direction in ["TB", "LR"] {
            let json =
                run_in(&root(), &["render", "--format", "json", "--direction", direction, p], "");
            assert_eq!(json.code, 0, "{p}: {}", json.stderr);
            let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
            let ours = quality(&drawing(&doc));
            let dot =
                run_in(&root(), &["render", "--format", "dot", "--direction", direction, p], "");
            assert_eq!(dot.code, 0, "{p}: {}", dot.stderr);
            let theirs = Drawing::from_graphviz_json(&graphviz(&dot.stdout, "json"))
                .expect("dot's JSON drawing");
            let theirs = quality(&theirs);
            assert!(
                ours.crossings <= theirs.crossings,
                "{p} {direction}: archmap draws {} crossings, dot {}",
                ours.crossings,
                theirs.crossings
            );
        }
    }
}
