//! Command-line behaviour: exit codes, messages, files written, includes.

use crate::support::{root, run_in, temp_with};

const OK: &str = "version: 1\nname: Shop\nservices:\n  web:\n    kind: frontend\n    owner: team\n    depends_on: [api]\n  api:\n    owner: team\n";

/// The first finding of check `code` in a JSON report (other checks may report too).
fn first_of<'a>(doc: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding in {doc}"))
}

#[test]
fn check_clean_manifest_exits_0() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("2 components, 1 dependencies"), "{}", out.stdout);
}

#[test]
fn default_manifest_falls_back_to_yml_then_errors() {
    let dir = temp_with(&[("archmap.yml", OK)]);
    assert_eq!(run_in(dir.path(), &["check"], "").code, 0);
    let empty = temp_with(&[]);
    let out = run_in(empty.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no archmap.yaml or archmap.yml"), "{}", out.stderr);
}

#[test]
fn stdin_is_read_with_dash() {
    let dir = temp_with(&[]);
    let out = run_in(dir.path(), &["check", "-", "--format", "json"], OK);
    assert_eq!(out.code, 0, "{out:?}");
    let cyclic = "version: 1\nname: S\nservices:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n";
    let out = run_in(dir.path(), &["check", "-", "--format", "json"], cyclic);
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(first_of(&doc, "AM010")["file"], "<stdin>");
    assert_eq!(first_of(&doc, "AM010")["subjects"], serde_json::json!(["a", "b"]));
}

#[test]
fn missing_file_and_directory_exit_2() {
    let dir = temp_with(&[("sub/x.txt", "")]);
    let out = run_in(dir.path(), &["check", "nope.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("nope.yaml") && out.stderr.contains("no such file"),
        "{}",
        out.stderr
    );
    let out = run_in(dir.path(), &["check", "sub"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("directory"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    assert_eq!(run_in(dir.path(), &["check", "--format", "xml"], "").code, 2);
    assert_eq!(run_in(dir.path(), &["frobnicate"], "").code, 2);
    let out = run_in(dir.path(), &["check", "--rule", "sync-cycel=off"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `sync-cycle`"), "{}", out.stderr);
    let out = run_in(dir.path(), &["check", "--rule", "sync-cycle"], "");
    assert_eq!(out.code, 2);
    let out = run_in(dir.path(), &["check", "--rule", "sync-cycle=loud"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("levels are off, info, warn, error"), "{}", out.stderr);
}

#[test]
fn rule_levels_change_exit_codes() {
    let cyclic = "version: 1\nname: S\nservices:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n";
    let dir = temp_with(&[("archmap.yaml", cyclic)]);
    assert_eq!(run_in(dir.path(), &["check"], "").code, 1);
    assert_eq!(run_in(dir.path(), &["check", "--rule", "sync-cycle=warn"], "").code, 0);
    assert_eq!(
        run_in(dir.path(), &["check", "--rule", "AM010=warn", "--deny", "warnings"], "").code,
        1
    );
    assert_eq!(
        run_in(dir.path(), &["check", "--rule", "sync-cycle=off", "--deny", "warnings"], "").code,
        0
    );
    let with_rules = format!("{cyclic}rules:\n  sync-cycle: info\n");
    let dir = temp_with(&[("archmap.yaml", &with_rules)]);
    assert_eq!(run_in(dir.path(), &["check", "--deny", "warnings"], "").code, 0);
    // The command line wins over the manifest.
    assert_eq!(run_in(dir.path(), &["check", "--rule", "sync-cycle=error"], "").code, 1);
}

#[test]
fn allow_silences_a_finding_on_its_component() {
    let m = "version: 1\nname: S\nservices:\n  a: {depends_on: [b], allow: [sync-cycle]}\n  b: {depends_on: [a]}\n";
    let dir = temp_with(&[("archmap.yaml", m)]);
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains("AM010"));
}

#[test]
fn huge_ids_get_a_short_message() {
    let id = "x".repeat(100_000);
    // As a key, YAML itself refuses it (plain keys have at most 1024 characters).
    let m = format!("version: 1\nname: S\nservices:\n  {id}: {{}}\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("1024 characters"),
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
    // As a reference, it is an unknown id, quoted shortened.
    let m = format!("version: 1\nname: S\nservices:\n  b: {{depends_on: [{id}]}}\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 1, "{}", &out.stdout[..out.stdout.len().min(2000)]);
    assert!(
        out.stdout.contains("at archmap.yaml:4:"),
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
    assert!(out.stdout.len() < 5_000, "the id is repeated whole in the report");
    // As a quoted key, it reaches archmap's own id check.
    let m = format!("version: 1\nname: S\nservices:\n  ? {id}\n  : {{}}\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("longer than 128"),
        "{}",
        &out.stdout[..out.stdout.len().min(2000)]
    );
    assert!(out.stdout.len() < 5_000, "the id is repeated whole in the report");
}

#[test]
fn includes_merge_and_report_across_files() {
    let root = "version: 1\nname: Shop\ninclude: [payments/archmap.yaml]\nservices:\n  orders:\n    depends_on: [payments]\n";
    let inc = "version: 1\nservices:\n  payments:\n    depends_on: [orders]\n";
    let dir = temp_with(&[("archmap.yaml", root), ("payments/archmap.yaml", inc)]);
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert_eq!(out.code, 1, "{}", out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let f = first_of(&doc, "AM010");
    assert_eq!(f["file"], "archmap.yaml");
    assert_eq!(f["related"][0]["file"], "payments/archmap.yaml");
}

#[test]
fn include_problems_are_clear_errors() {
    let root =
        |inc: &str| format!("version: 1\nname: Shop\ninclude: [{inc}]\nservices:\n  a: {{}}\n");
    // Missing file.
    let dir = temp_with(&[("archmap.yaml", &root("missing.yaml"))]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("cannot include `missing.yaml`: no such file"), "{}", out.stdout);
    // A directory.
    let dir = temp_with(&[("archmap.yaml", &root("sub")), ("sub/x.yaml", "")]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("directory"), "{}", out.stdout);
    // A cycle.
    let b = "version: 1\ninclude: [../archmap.yaml]\nservices:\n  b: {}\n";
    let dir = temp_with(&[("archmap.yaml", &root("sub/b.yaml")), ("sub/b.yaml", b)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("include cycle"), "{}", out.stdout);
    // Outside the root's tree, unless allowed.
    let outer = temp_with(&[
        ("shared.yaml", "version: 1\nservices:\n  s: {}\n"),
        ("proj/archmap.yaml", &root("../shared.yaml")),
    ]);
    let proj = outer.path().join("proj");
    let out = run_in(&proj, &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("resolves outside"), "{}", out.stdout);
    assert_eq!(run_in(&proj, &["check", "--allow-outside-includes"], "").code, 0);
    // Version mismatch.
    let dir = temp_with(&[
        ("archmap.yaml", &root("v2.yaml")),
        ("v2.yaml", "version: 2\nservices:\n  z: {}\n"),
    ]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("v2.yaml"), "{}", out.stdout);
}

#[test]
fn the_same_id_in_two_files_names_both() {
    let root = "version: 1\nname: Shop\ninclude: [b.yaml]\nservices:\n  a: {}\n";
    let dir = temp_with(&[("archmap.yaml", root), ("b.yaml", "version: 1\nservices:\n  a: {}\n")]);
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert_eq!(out.code, 1, "{}", out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let f = first_of(&doc, "AM002");
    let files: Vec<&str> = std::iter::once(f["file"].as_str().unwrap())
        .chain(f["related"].as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()))
        .collect();
    assert!(files.contains(&"archmap.yaml") && files.contains(&"b.yaml"), "{files:?}");
}

#[test]
fn diamond_includes_merge_once() {
    let root =
        "version: 1\nname: Shop\ninclude: [a.yaml, b.yaml]\nservices:\n  r: {depends_on: [d]}\n";
    let a = "version: 1\ninclude: [d.yaml]\nservices:\n  a: {depends_on: [d]}\n";
    let b = "version: 1\ninclude: [d.yaml]\nservices:\n  b: {depends_on: [d]}\n";
    let d = "version: 1\nservices:\n  d: {}\n";
    let dir = temp_with(&[("archmap.yaml", root), ("a.yaml", a), ("b.yaml", b), ("d.yaml", d)]);
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_clear_errors() {
    let dir = temp_with(&[(
        "archmap.yaml",
        "version: 1\nname: S\ninclude: [loop.yaml]\nservices:\n  a: {}\n",
    )]);
    std::os::unix::fs::symlink("loop.yaml", dir.path().join("loop.yaml")).unwrap();
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("cannot include `loop.yaml`"), "{}", out.stdout);
}

#[test]
fn render_writes_atomically_and_never_on_failure() {
    let dir = temp_with(&[
        ("archmap.yaml", OK),
        ("bad.yaml", "version: 1\nname: S\nservices:\n  a: {kind: nope}\n"),
    ]);
    let out = run_in(dir.path(), &["render", "bad.yaml", "-o", "out.svg"], "");
    assert_eq!(out.code, 2);
    assert!(!dir.path().join("out.svg").exists(), "a failing run wrote a file");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    for (name, format) in [("out.dot", "digraph"), ("out.mmd", "flowchart"), ("out.svg", "<svg")] {
        let out = run_in(dir.path(), &["render", "-o", name], "");
        assert_eq!(out.code, 0, "{out:?}");
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.contains(format), "{name} does not look like its format");
    }
}

#[test]
fn render_refuses_to_overwrite_the_manifest() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    let out = run_in(dir.path(), &["render", "--format", "dot", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 2);
    assert_eq!(std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap(), OK);
}

#[test]
fn render_strict_refuses_errors_and_plain_render_warns() {
    let cyclic = "version: 1\nname: S\nservices:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n";
    let dir = temp_with(&[("archmap.yaml", cyclic)]);
    let out = run_in(dir.path(), &["render", "--strict", "-o", "x.dot"], "");
    assert_eq!(out.code, 1);
    assert!(!dir.path().join("x.dot").exists());
    let out = run_in(dir.path(), &["render", "-o", "x.dot"], "");
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("check found 1 error"), "{}", out.stderr);
    assert!(dir.path().join("x.dot").exists());
}

#[test]
fn render_check_gates_staleness() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    let out = run_in(dir.path(), &["render", "-o", "d.mmd", "--check"], "");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("d.mmd is missing"), "{}", out.stderr);
    assert!(!dir.path().join("d.mmd").exists(), "--check must not write");
    assert_eq!(run_in(dir.path(), &["render", "-o", "d.mmd"], "").code, 0);
    assert_eq!(run_in(dir.path(), &["render", "-o", "d.mmd", "--check"], "").code, 0);
    std::fs::write(dir.path().join("d.mmd"), "stale").unwrap();
    let out = run_in(dir.path(), &["render", "-o", "d.mmd", "--check"], "");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("differs"), "{}", out.stderr);
}

#[test]
fn render_views_and_unknown_views() {
    let m = format!("{OK}views:\n  front:\n    include: [web]\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["render", "--format", "dot", "--view", "front"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("web") && !out.stdout.contains("\"api\""), "{}", out.stdout);
    let out = run_in(dir.path(), &["render", "--view", "frnt"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `front`"), "{}", out.stderr);
    let out =
        run_in(dir.path(), &["render", "--all-views", "-o", "diagrams", "--format", "mermaid"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        dir.path().join("diagrams/system.mmd").exists()
            && dir.path().join("diagrams/front.mmd").exists()
    );
}

#[test]
fn rules_and_explain() {
    let dir = temp_with(&[]);
    let out = run_in(dir.path(), &["rules"], "");
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("AM010") && out.stdout.contains("sync-cycle"));
    let out = run_in(dir.path(), &["explain", "AM010"], "");
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("## What it flags"));
    assert_eq!(run_in(dir.path(), &["explain", "sync-cycle"], "").stdout, out.stdout);
    let out = run_in(dir.path(), &["explain", "sync-cylce"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `sync-cycle`"), "{}", out.stderr);
}

#[test]
fn explain_knows_every_code() {
    let dir = temp_with(&[]);
    for c in archmap::codes() {
        let (code, id) = (c.code(), c.id());
        for name in [code, id, &code.to_ascii_lowercase()] {
            let out = run_in(dir.path(), &["explain", name], "");
            assert_eq!(out.code, 0, "explain {name}: {}", out.stderr);
            assert!(out.stdout.starts_with(&format!("# {code} {id}\n")), "{}", out.stdout);
        }
    }
}

#[test]
fn output_is_deterministic() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    for args in [
        &["check", "--format", "json"][..],
        &["render", "--format", "dot"],
        &["render", "--format", "mermaid"],
        &["render"],
    ] {
        let a = run_in(dir.path(), args, "");
        let b = run_in(dir.path(), args, "");
        assert_eq!(a.stdout, b.stdout, "{args:?}");
    }
}

const STATS: &str = "version: 1
name: Stats
services:
  web: { kind: frontend, depends_on: [api] }
  api: { kind: gateway, depends_on: [orders, users] }
  orders:
    depends_on: [orders-db, { target: users, optional: true }, events]
  users: { depends_on: [users-db] }
  orders-db: { kind: database }
  users-db: { kind: database }
  events: { kind: topic }
";

#[test]
fn stats_json_numbers_are_right() {
    let dir = temp_with(&[("archmap.yaml", STATS)]);
    let out = run_in(dir.path(), &["stats", "--format", "json"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let row = |id: &str| {
        doc["components"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone()
    };
    let get = |id: &str, k: &str| row(id)[k].as_u64().unwrap();
    // Hand-checked: see the manifest above.
    assert_eq!((get("users", "fan_in"), get("orders", "fan_out")), (2, 3));
    // Required sync paths only: orders reaches users-db through an optional call.
    assert_eq!(get("users-db", "blast_radius"), 3);
    assert_eq!(get("orders-db", "blast_radius"), 3);
    assert_eq!(get("events", "blast_radius"), 0);
    assert_eq!(get("users-db", "transitive_dependents"), 4);
    assert_eq!(get("web", "transitive_dependencies"), 6);
    assert_eq!(get("orders", "transitive_dependencies"), 4);
    assert_eq!(get("users-db", "longest_sync_chain"), 4);
    assert_eq!(get("orders-db", "longest_sync_chain"), 3);
    // Betweenness: api lies on every path from web to the 5 components behind it.
    assert!(row("api")["betweenness"].as_f64().unwrap() >= 5.0);
    assert_eq!(row("web")["betweenness"].as_f64(), Some(0.0));
    let s = &doc["summary"];
    assert_eq!(s["components"], 7);
    assert_eq!(s["edges"], serde_json::json!({"sync": 6, "async": 1, "optional": 1}));
    assert_eq!(s["strongly_connected_components"], 0);
    assert_eq!(s["longest_sync_chain"], 4);
    assert_eq!(s["articulation_points"], serde_json::json!(["api", "orders", "users"]));
}

#[test]
fn stats_table_and_csv() {
    let dir = temp_with(&[("archmap.yaml", STATS)]);
    let table = run_in(dir.path(), &["stats"], "");
    assert_eq!(table.code, 0);
    assert!(table.stdout.starts_with("component"), "{}", table.stdout);
    assert!(table.stdout.contains("articulation points of the sync graph: api, orders, users"));
    let csv = run_in(dir.path(), &["stats", "--format", "csv", "--no-betweenness"], "");
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0].split(',').count(), 9);
    assert!(lines[1].starts_with("web,frontend,0,1,0,0,6,,"), "{}", lines[1]);
    let broken = temp_with(&[("archmap.yaml", "version: 1\nname: S\nservices: [a]\n")]);
    assert_eq!(run_in(broken.path(), &["stats"], "").code, 2);
}

#[cfg(unix)]
#[test]
fn written_diagrams_are_ordinary_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_with(&[("archmap.yaml", OK)]);
    assert_eq!(run_in(dir.path(), &["render", "-o", "new.svg"], "").code, 0);
    let mode = std::fs::metadata(dir.path().join("new.svg")).unwrap().permissions().mode() & 0o777;
    // 0666 less the umask: readable by others unless the umask says otherwise (never 0600).
    assert_ne!(mode, 0o600, "diagrams must not be private temporary files");
    std::fs::set_permissions(dir.path().join("new.svg"), std::fs::Permissions::from_mode(0o640))
        .unwrap();
    assert_eq!(run_in(dir.path(), &["render", "-o", "new.svg"], "").code, 0);
    let mode = std::fs::metadata(dir.path().join("new.svg")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "replacing a diagram keeps its permissions");
}

/// `render --all-views` shows a progress bar on a terminal (a pseudo-terminal from `script`),
/// and nothing when standard error is a pipe or with `--quiet`.
#[test]
fn progress_is_drawn_on_a_terminal_only() {
    let bin = env!("CARGO_BIN_EXE_archmap");
    let example = root().join("examples/banking.yaml");
    let dir = tempfile::tempdir().unwrap();
    let piped = std::process::Command::new(bin)
        .args(["render", "--all-views", "-o", "piped"])
        .arg(&example)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(piped.status.success());
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("rendering") && !stderr.contains('\u{1b}'), "{stderr}");

    if !crate::support::have_tool("script", "--version") {
        return;
    }
    let under_pty = |extra: &str| {
        let command = format!(
            "{bin} render --all-views --color never {extra} -o tty '{}'",
            example.display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let views = std::fs::read_dir(dir.path().join("piped")).unwrap().count();
    let shown = under_pty("");
    assert!(shown.contains("rendering"), "no progress on a terminal: {shown:?}");
    assert!(shown.contains(&format!("/{views}")), "no step count: {shown:?}");
    let quiet = under_pty("-q");
    assert!(!quiet.contains("rendering"), "progress despite --quiet: {quiet:?}");
}
