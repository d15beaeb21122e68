//! `archmap diff`: fixture pairs with hand-written expectations (`tests/fixtures/diff/<case>/`),
//! report snapshots, the SVG overlay, exit codes, and `REV:PATH` through git.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::safe_svg::assert_safe_svg;
use crate::support::{git, have_tool, root, run_in, temp_with};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/diff"))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "fixture cases went missing: {dirs:?}");
    dirs
}

fn json_diff(dir: &Path, old: &str, new: &str) -> (u8, Value) {
    let out = run_in(dir, &["diff", old, new, "--format", "json", "--exit-code"], "");
    assert!(out.code < 2, "{out:?}");
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout)))
}

fn shown(v: &Value) -> String {
    v.as_str().map_or_else(|| "(none)".to_string(), str::to_string)
}

/// `field=value …` for an added or removed entry, `field=old->new …` for a changed one.
fn fields(entry: &Value) -> String {
    let changed = entry.get("status").is_none_or(|s| s == "changed");
    entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let field = c["field"].as_str().expect("field");
            if changed {
                format!("{field}={}->{}", shown(&c["old"]), shown(&c["new"]))
            } else if c["new"].is_null() {
                format!("{field}={}", shown(&c["old"]))
            } else {
                format!("{field}={}", shown(&c["new"]))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The JSON report as lines in the form of the fixtures' `expected.txt`.
fn lines(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !doc["system"].as_array().expect("system").is_empty() {
        out.push(format!("system: {}", fields(&serde_json::json!({"changes": doc["system"]}))));
    }
    for (key, word) in [("components", "component")] {
        for e in doc[key].as_array().expect(key) {
            out.push(format!("{word} {} {}: {}", shown(&e["status"]), shown(&e["id"]), fields(e)));
        }
    }
    for e in doc["dependencies"].as_array().expect("dependencies") {
        out.push(format!(
            "dependency {} {} -> {}: {}",
            shown(&e["status"]),
            shown(&e["from"]),
            shown(&e["to"]),
            fields(e)
        ));
    }
    for (key, word) in [("groups", "group"), ("views", "view"), ("rules", "rule")] {
        for e in doc[key].as_array().expect(key) {
            out.push(format!("{word} {} {}: {}", shown(&e["status"]), shown(&e["id"]), fields(e)));
        }
    }
    for kind in ["new", "resolved"] {
        for f in doc["findings"][kind].as_array().expect("findings") {
            let subjects: Vec<String> =
                f["subjects"].as_array().expect("subjects").iter().map(shown).collect();
            out.push(format!("finding {kind} {} {}", shown(&f["code"]), subjects.join(" ")));
        }
    }
    out
}

#[test]
fn fixture_pairs_match_their_expectations() {
    for dir in cases() {
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
            .expect("expected.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let (code, doc) = json_diff(&dir, "old.yaml", "new.yaml");
        assert_eq!(lines(&doc), expected, "case {}", dir.display());
        assert_eq!(doc["identical"], expected.is_empty(), "case {}", dir.display());
        assert_eq!(code, u8::from(!expected.is_empty()), "--exit-code, case {}", dir.display());
    }
}

/// Swaps the two sides of a JSON report, as if the diff had been asked the other way round.
fn mirrored(doc: &Value) -> Value {
    let mut m = doc.clone();
    let swap_entry = |e: &mut Value| {
        match e.get("status").and_then(Value::as_str) {
            Some("added") => e["status"] = "removed".into(),
            Some("removed") => e["status"] = "added".into(),
            _ => {}
        }
        for c in e["changes"].as_array_mut().expect("changes") {
            let old = c["old"].take();
            c["old"] = c["new"].take();
            c["new"] = old;
        }
    };
    for key in ["components", "dependencies", "groups", "views", "rules"] {
        for e in m[key].as_array_mut().expect(key) {
            swap_entry(e);
        }
    }
    for c in m["system"].as_array_mut().expect("system") {
        let old = c["old"].take();
        c["old"] = c["new"].take();
        c["new"] = old;
    }
    let new = m["findings"]["new"].take();
    m["findings"]["new"] = m["findings"]["resolved"].take();
    m["findings"]["resolved"] = new;
    // A changed finding changed the other way, in the order of its (new) code and subjects.
    let changed = m["findings"]["changed"].as_array_mut().expect("changed");
    for c in changed.iter_mut() {
        let old = c["old"].take();
        c["old"] = c["new"].take();
        c["new"] = old;
    }
    changed.sort_by_key(|c| (c["new"]["code"].to_string(), c["new"]["subjects"].to_string()));
    let old = m["old"].take();
    m["old"] = m["new"].take();
    m["new"] = old;
    for key in ["components", "dependencies", "groups", "views", "rules"] {
        let s = &mut m["summary"][key];
        let added = s["added"].take();
        s["added"] = s["removed"].take();
        s["removed"] = added;
    }
    let n = m["summary"]["new_findings"].take();
    m["summary"]["new_findings"] = m["summary"]["resolved_findings"].take();
    m["summary"]["resolved_findings"] = n;
    m
}

#[test]
fn swapping_the_sides_mirrors_the_diff() {
    for dir in cases().into_iter().chain([root().join("tests/fixtures/diff/rich")]) {
        let (_, forward) = json_diff(&dir, "old.yaml", "new.yaml");
        let (_, backward) = json_diff(&dir, "new.yaml", "old.yaml");
        assert_eq!(mirrored(&forward), backward, "case {}", dir.display());
    }
}

#[test]
fn no_change_says_so_in_every_format() {
    let dir = root().join("tests/fixtures/diff/no-change");
    let text = run_in(&dir, &["diff", "old.yaml", "new.yaml"], "");
    assert_eq!((text.code, text.stderr.as_str()), (0, ""));
    assert!(text.stdout.ends_with("\nno differences\n"), "{}", text.stdout);
    let md = run_in(&dir, &["diff", "old.yaml", "new.yaml", "--format", "markdown"], "");
    assert!(md.stdout.contains("No architectural changes."), "{}", md.stdout);
    let same = run_in(&dir, &["diff", "new.yaml", "new.yaml", "--exit-code"], "");
    assert_eq!(same.code, 0);
}

fn rich(format: &str) -> String {
    let dir = root().join("tests/fixtures/diff/rich");
    let out = run_in(&dir, &["diff", "old.yaml", "new.yaml", "--format", format], "");
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{}", out.stdout);
    out.stdout
}

#[test]
fn rich_text_report() {
    insta::assert_snapshot!("rich_text", rich("text"));
}

#[test]
fn rich_markdown_report() {
    let md = rich("markdown");
    // Every row of a table has the table's cells: no `|` from a label or description breaks one.
    let mut tables = 0;
    for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
        tables += 1;
        let cells = |line: &str| line.replace("\\|", "").matches('|').count();
        let header = table.lines().next().expect("a header");
        for line in table.lines() {
            assert_eq!(cells(line), cells(header), "{line}");
        }
    }
    assert_eq!(tables, 6, "components, dependencies, groups, views, rules, findings");
    // User text is code (HTML inside a code span is shown, not interpreted) or escaped.
    assert!(md.contains("label: `Pricing <beta>`"), "{md}");
    assert!(md.contains("description: `` Prices \\| discounts & `promos` ``"), "{md}");
    assert!(md.contains("owner: `@acme/payments`"), "mentions stay in code spans: {md}");
    insta::assert_snapshot!("rich_markdown", md);
}

#[test]
fn rich_json_report() {
    let json = rich("json");
    let doc: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["summary"]["components"],
        serde_json::json!({"added": 4, "removed": 1, "changed": 1})
    );
    insta::assert_snapshot!("rich_json", json);
}

#[test]
fn colours_only_when_asked() {
    let dir = root().join("tests/fixtures/diff/rich");
    let plain = run_in(&dir, &["diff", "old.yaml", "new.yaml"], "");
    assert!(!plain.stdout.contains('\x1b'));
    let coloured = run_in(&dir, &["diff", "old.yaml", "new.yaml", "--color", "always"], "");
    assert!(coloured.stdout.contains("\x1b[32m  + events"), "{}", coloured.stdout);
    assert!(coloured.stdout.contains("\x1b[31m  - billing"), "{}", coloured.stdout);
}

// ---------------------------------------------------------------------------------------------
// SVG overlay

fn svg_of(dir: &Path, old: &str, new: &str) -> String {
    let out = run_in(dir, &["diff", old, new, "--format", "svg"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert_safe_svg(&out.stdout);
    out.stdout
}

/// The class attribute of the element with `id`.
fn class_of(doc: &roxmltree::Document<'_>, id: &str) -> String {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element {id}"))
        .attribute("class")
        .unwrap_or_default()
        .to_string()
}

/// Where the first label line of a component's box is drawn.
fn label_position(doc: &roxmltree::Document<'_>, id: &str) -> (String, String) {
    let g = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(&*format!("node-{id}")))
        .unwrap_or_else(|| panic!("no node {id}"));
    let t = g.children().find(|c| c.attribute("class") == Some("label")).expect("label");
    (t.attribute("x").expect("x").to_string(), t.attribute("y").expect("y").to_string())
}

#[test]
fn svg_overlay_marks_every_change() {
    let dir = root().join("tests/fixtures/diff/rich");
    let svg = svg_of(&dir, "old.yaml", "new.yaml");
    let doc = roxmltree::Document::parse(&svg).expect("XML");
    for (id, class) in [
        ("node-payments", "hl-added"),
        ("node-psp", "hl-added"),
        ("node-billing", "hl-removed"),
        ("node-orders", "hl-changed"),
        ("node-web", "hl-unchanged"),
        ("node-orders-db", "hl-unchanged"),
        ("edge-orders-payments", "hl-added"),
        ("edge-orders-billing", "hl-removed"),
        ("edge-billing-orders", "hl-removed"),
        ("edge-web-gateway", "hl-unchanged"),
    ] {
        let classes = class_of(&doc, id);
        assert!(classes.split(' ').any(|c| c == class), "{id}: {classes}");
        let others = ["hl-added", "hl-removed", "hl-changed", "hl-unchanged"];
        assert_eq!(classes.split(' ').filter(|c| others.contains(c)).count(), 1, "{id}: {classes}");
    }
    // The colours: green, red and dashed, amber, faded; removed arrows end in a red head.
    for rule in [
        ".node.hl-added .shape { stroke: #16a34a;",
        ".node.hl-removed .shape { stroke: #dc2626; stroke-width: 3; stroke-dasharray: 7 4; }",
        ".node.hl-changed .shape { stroke: #d97706;",
        ".edge.hl-removed .line { stroke: #dc2626; stroke-width: 2.4; stroke-dasharray: 7 4; }",
        ".node.hl-unchanged, .edge.hl-unchanged { opacity: 0.35; }",
    ] {
        assert!(svg.contains(rule), "missing {rule}");
    }
    let removed_edge = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("edge-orders-billing"))
        .and_then(|g| g.children().find(|c| c.attribute("class") == Some("line")))
        .expect("edge line");
    assert_eq!(removed_edge.attribute("marker-end"), Some("url(#am-arrow-removed)"));
    // The legend names each status once.
    let legend: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("legend-label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(legend, ["added", "removed", "changed", "unchanged"]);
    // Group frames take their status's colour.
    let frame = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|g| g.children().find(|c| c.attribute("class") == Some("frame")))
            .and_then(|r| r.attribute("stroke"))
            .unwrap_or_else(|| panic!("no frame {id}"))
            .to_string()
    };
    assert_eq!(frame("group-payments"), "#16a34a");
    assert_eq!(frame("group-legacy"), "#dc2626");
    assert_eq!(frame("group-edge"), "#64748b");
    // No finding highlights in a diff, and the title says what is compared.
    assert!(!svg.contains("hl-cycle"));
    assert!(
        svg.contains("<title id=\"diagram-title\">Acme Shop — changes old.yaml → new.yaml</title>")
    );
}

#[test]
fn svg_overlay_keeps_unchanged_components_in_place() {
    // One union, laid out once: which side a part comes from, and the order of either file,
    // do not move what did not change.
    let old = "version: 1\nname: S\nservices:\n  web: {kind: frontend, owner: o, depends_on: [api, legacy]}\n  api: {owner: o, depends_on: [db]}\n  legacy: {owner: o, depends_on: [db]}\n  db: {kind: database, owner: o}\n";
    let new = "version: 1\nname: S\nservices:\n  db: {kind: database, owner: p}\n  api: {owner: o, depends_on: [db, cache]}\n  web: {kind: frontend, owner: o, depends_on: [api]}\n  cache: {kind: cache, owner: o}\n";
    let dir = temp_with(&[("old.yaml", old), ("new.yaml", new)]);
    let forward = svg_of(dir.path(), "old.yaml", "new.yaml");
    let backward = svg_of(dir.path(), "new.yaml", "old.yaml");
    let (f, b) = (
        roxmltree::Document::parse(&forward).expect("XML"),
        roxmltree::Document::parse(&backward).expect("XML"),
    );
    for id in ["web", "api", "db", "legacy", "cache"] {
        assert_eq!(label_position(&f, id), label_position(&b, id), "{id} moved");
    }
    assert!(class_of(&f, "node-cache").contains("hl-added"));
    assert!(class_of(&b, "node-cache").contains("hl-removed"));
    assert!(class_of(&f, "node-db").contains("hl-changed"));
    assert!(class_of(&f, "node-web").contains("hl-unchanged"));
}

#[test]
fn svg_overlay_is_deterministic_and_written_atomically() {
    let dir = temp_with(&[]);
    let fixtures = root().join("tests/fixtures/diff/rich");
    let out_path = dir.path().join("diff.svg");
    let args = [
        "diff",
        "old.yaml",
        "new.yaml",
        "--format",
        "svg",
        "--direction",
        "LR",
        "--theme",
        "dark",
        "-o",
        out_path.to_str().expect("UTF-8 path"),
    ];
    let first = run_in(&fixtures, &args, "");
    assert_eq!((first.code, first.stdout.as_str()), (0, ""), "{first:?}");
    let written = std::fs::read_to_string(&out_path).expect("written");
    assert_safe_svg(&written);
    assert_eq!(run_in(&fixtures, &args, "").code, 0);
    assert_eq!(std::fs::read_to_string(&out_path).expect("written"), written);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

// ---------------------------------------------------------------------------------------------
// Exit codes and errors

const A: &str = "version: 1\nname: S\nservices:\n  web: {kind: frontend, owner: o, depends_on: [api]}\n  api: {owner: o}\n";
const B: &str = "version: 1\nname: S\nservices:\n  web: {kind: frontend, owner: o, depends_on: [api]}\n  api: {owner: o, tech: Rust}\n";

#[test]
fn exit_code_is_opt_in() {
    let dir = temp_with(&[("a.yaml", A), ("b.yaml", B)]);
    assert_eq!(run_in(dir.path(), &["diff", "a.yaml", "b.yaml"], "").code, 0);
    assert_eq!(run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "--exit-code"], "").code, 1);
    assert_eq!(run_in(dir.path(), &["diff", "a.yaml", "a.yaml", "--exit-code"], "").code, 0);
}

#[test]
fn a_broken_manifest_exits_2_naming_the_file() {
    let broken = "version: 1\nname: S\nservices:\n  web: {kind: frontnd, depends_on: [api]\n";
    let dir = temp_with(&[("a.yaml", A), ("broken.yaml", broken)]);
    let out = run_in(dir.path(), &["diff", "a.yaml", "broken.yaml", "--exit-code"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("broken.yaml:4:"), "{}", out.stderr);
    assert!(out.stderr.contains("AM100"), "{}", out.stderr);
    assert!(out.stderr.contains("cannot compare: broken.yaml"), "{}", out.stderr);
    let schema = "version: 1\nname: S\nservices:\n  web: {kind: frontnd}\n";
    let dir = temp_with(&[("a.yaml", A), ("bad.yaml", schema)]);
    let out = run_in(dir.path(), &["diff", "bad.yaml", "a.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.yaml:4:") && out.stderr.contains("AM103"), "{}", out.stderr);
}

#[test]
fn unreadable_sides_and_usage_errors_exit_2() {
    let dir = temp_with(&[("a.yaml", A)]);
    let out = run_in(dir.path(), &["diff", "a.yaml", "missing.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("missing.yaml") && out.stderr.contains("no such file"),
        "{}",
        out.stderr
    );
    assert_eq!(run_in(dir.path(), &["diff", "-", "-"], A).code, 2);
    assert_eq!(run_in(dir.path(), &["diff", "a.yaml"], "").code, 2);
    assert_eq!(run_in(dir.path(), &["diff", "a.yaml", "a.yaml", "--format", "png"], "").code, 2);
}

#[test]
fn standard_input_is_one_side() {
    let dir = temp_with(&[("a.yaml", A)]);
    let out = run_in(dir.path(), &["diff", "a.yaml", "-", "--format", "json"], B);
    assert_eq!(out.code, 0, "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(lines(&doc), ["component changed api: tech=(none)->Rust"]);
    assert_eq!(doc["new"], "-");
}

#[test]
fn output_never_replaces_an_input() {
    let dir = temp_with(&[("a.yaml", A), ("b.yaml", B)]);
    let out =
        run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "--format", "text", "-o", "b.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("refusing to overwrite"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("b.yaml")).expect("read"), B);
    let out =
        run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "--format", "markdown", "-o", "d.md"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let md = std::fs::read_to_string(dir.path().join("d.md")).expect("written");
    assert!(md.contains("| 🟡 changed | `api` | tech: *none* → `Rust` |"), "{md}");
}

// ---------------------------------------------------------------------------------------------
// REV:PATH through git

/// A repository whose first commit holds `old` and second `new` (path, text) files.
fn repo(old: &[(&str, &str)], new: &[(&str, &str)]) -> Option<tempfile::TempDir> {
    if !have_tool("git", "--version") {
        return None;
    }
    let dir = temp_with(old);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-gpg-sign", "-m", "old"]);
    for (name, text) in new {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-gpg-sign", "-m", "new"]);
    Some(dir)
}

#[test]
fn git_revision_against_the_working_tree() {
    let Some(dir) = repo(&[("arch.yaml", A)], &[("arch.yaml", B)]) else { return };
    let out = run_in(
        dir.path(),
        &["diff", "HEAD~1:arch.yaml", "arch.yaml", "--format", "json", "--exit-code"],
        "",
    );
    assert_eq!(out.code, 1, "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(lines(&doc), ["component changed api: tech=(none)->Rust"]);
    assert_eq!(doc["old"], "HEAD~1:arch.yaml");
    // Two revisions; the same one twice.
    let out =
        run_in(dir.path(), &["diff", "HEAD~1:arch.yaml", "HEAD:arch.yaml", "--exit-code"], "");
    assert_eq!(out.code, 1, "{out:?}");
    let out = run_in(dir.path(), &["diff", "HEAD:arch.yaml", "arch.yaml", "--exit-code"], "");
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn git_includes_are_read_at_the_same_revision() {
    let root_file = "version: 1\nname: S\ninclude: [parts/pay.yaml]\nservices:\n  web: {kind: frontend, owner: o, depends_on: [pay]}\n";
    let pay_old = "version: 1\nservices:\n  pay: {owner: o, replicas: 2}\n";
    let pay_new = "version: 1\nservices:\n  pay: {owner: o, replicas: 2, depends_on: [web]}\n";
    let Some(dir) = repo(
        &[("sub/arch.yaml", root_file), ("sub/parts/pay.yaml", pay_old)],
        &[("sub/parts/pay.yaml", pay_new)],
    ) else {
        return;
    };
    let out = run_in(
        dir.path(),
        &["diff", "HEAD~1:sub/arch.yaml", "sub/arch.yaml", "--format", "json"],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        lines(&doc),
        ["dependency added pay -> web: mode=sync", "finding new AM010 web pay"],
        "{}",
        out.stdout
    );
    // The top of the repository, an include at the old revision, run from there.
    let top = repo(
        &[("arch.yaml", root_file), ("parts/pay.yaml", pay_old)],
        &[("parts/pay.yaml", pay_new)],
    )
    .expect("git is there");
    let out =
        run_in(top.path(), &["diff", "HEAD~1:arch.yaml", "HEAD:arch.yaml", "--format", "json"], "");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(lines(&doc).len(), 2, "{}", out.stdout);
}

#[test]
fn git_errors_exit_2_and_name_the_revision() {
    let broken = "version: 1\nname: S\nservices:\n  web: {kind: frontnd}\n";
    let Some(dir) = repo(&[("arch.yaml", broken), ("dir/x.yaml", A)], &[("arch.yaml", A)]) else {
        return;
    };
    let out = run_in(dir.path(), &["diff", "nope:arch.yaml", "arch.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nope:arch.yaml"), "{}", out.stderr);
    let out = run_in(dir.path(), &["diff", "HEAD:missing.yaml", "arch.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("HEAD:missing.yaml") && out.stderr.contains("does not exist"),
        "{}",
        out.stderr
    );
    let out = run_in(dir.path(), &["diff", "HEAD:dir", "arch.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("directory"), "{}", out.stderr);
    // A manifest that was broken at that revision: its problems, named REV:PATH.
    let out = run_in(dir.path(), &["diff", "HEAD~1:arch.yaml", "arch.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("HEAD~1:arch.yaml:4:") && out.stderr.contains("AM103"),
        "{}",
        out.stderr
    );
    // Outside a repository.
    let plain = temp_with(&[("arch.yaml", A)]);
    let out = run_in(plain.path(), &["diff", "HEAD:arch.yaml", "arch.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not a git repository"), "{}", out.stderr);
}

#[test]
fn a_cycle_reported_from_another_start_is_the_same_finding() {
    // Manifest order decides where check starts the cycle's path; the diff must not care.
    let a = "version: 1\nname: S\nservices:\n  web: {kind: frontend, owner: o, depends_on: [x]}\n  x: {owner: o, depends_on: [y]}\n  y: {owner: o, depends_on: [z]}\n  z: {owner: o, depends_on: [x]}\n";
    let b = "version: 1\nname: S\nservices:\n  z: {owner: o, depends_on: [x]}\n  y: {owner: o, depends_on: [z]}\n  x: {owner: o, depends_on: [y]}\n  web: {kind: frontend, owner: o, depends_on: [x]}\n";
    let dir = temp_with(&[("a.yaml", a), ("b.yaml", b)]);
    let check = |f: &str| run_in(dir.path(), &["check", f, "--format", "json"], "").stdout;
    let subjects = |f: &str| {
        let doc: Value = serde_json::from_str(&check(f)).expect("JSON");
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == "AM010")
            .expect("a cycle")["subjects"]
            .clone()
    };
    assert_ne!(subjects("a.yaml"), subjects("b.yaml"), "the test needs paths that start elsewhere");
    let out = run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "--exit-code"], "");
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn every_example_equals_itself() {
    // A manifest against itself: no difference, and an overlay with everything unchanged.
    let mut files: Vec<PathBuf> = ["examples", "tests/fixtures/render"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).expect("directory"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    for file in files {
        let (dir, name) = (file.parent().expect("dir"), file.file_name().expect("name"));
        let name = name.to_str().expect("UTF-8");
        let out = run_in(dir, &["diff", name, name, "--exit-code"], "");
        assert_eq!(out.code, 0, "{name}: {}", out.stdout);
        let svg = svg_of(dir, name, name);
        for class in ["hl-added", "hl-removed", "hl-changed"] {
            assert!(!svg.contains(&format!("class=\"node kind-service {class}")), "{name}");
            assert!(!svg.contains(&format!(" {class}\"")), "{name}: {class}");
        }
    }
}
