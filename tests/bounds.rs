//! Resource bounds: every family of hostile input is answered with a clear message or a correct
//! result, no file is read or written that should not be, and the paths that were once
//! super-linear grow linearly. Growth is measured by counting work (`archmap::work`, counted
//! on the calling thread), never by timing.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;

use archmap::work::{self, Work};

use crate::safe_svg::head;
use crate::support::{Output, run_in, run_os, temp_with};

/// A manifest whose groups form `chains` chains of `depth` nested groups, one component in the
/// innermost group of each chain.
fn nested_groups(chains: usize, depth: usize) -> String {
    let mut groups = String::from("groups:\n");
    let mut services = String::from("services:\n");
    for c in 0..chains {
        for d in 0..depth {
            if d == 0 {
                let _ = writeln!(groups, "  c{c}g0: {{}}");
            } else {
                let _ = writeln!(groups, "  c{c}g{d}: {{parent: c{c}g{}}}", d - 1);
            }
        }
        let next =
            if c + 1 < chains { format!(", depends_on: [s{}]", c + 1) } else { String::new() };
        let _ = writeln!(services, "  s{c}: {{group: c{c}g{}{next}}}", depth - 1);
    }
    format!("version: 1\nname: S\n{groups}{services}")
}

/// Runs `args` in `dir` on this thread and returns the output and the work counted of `kind`.
fn counting(dir: &Path, args: &[&str], kind: Work) -> (Output, u64) {
    work::reset();
    let out = run_in(dir, args, "");
    (out, work::counted(kind))
}

/// Asserts that doubling the input (`small` → `large`) at most doubles the work, with slack for
/// what does not grow.
fn assert_linear(what: &str, small: u64, large: u64) {
    assert!(small > 0, "{what}: no work counted (is the quality feature on?)");
    assert!(
        large <= small * 2 + small / 5 + 1_000,
        "{what}: work grew from {small} to {large} when the input doubled"
    );
}

#[test]
fn nested_groups_stop_at_32_levels_with_a_located_error() {
    let dir = temp_with(&[("archmap.yaml", &nested_groups(1, 5_000))]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2, "{}", head(&out.stdout));
    assert!(out.stdout.contains("AM106 limit-exceeded"), "{}", head(&out.stdout));
    assert!(out.stdout.contains("groups nest deeper than 32 levels"), "{}", head(&out.stdout));
    assert!(out.stdout.contains("[archmap.yaml:36:"), "{}", head(&out.stdout));
    for format in ["dot", "mermaid", "svg"] {
        let out = run_in(dir.path(), &["render", "--format", format, "-o", "out"], "");
        assert_eq!(out.code, 2, "{format}");
        assert!(!dir.path().join("out").exists(), "{format}: a refused render wrote a file");
    }
    // At the limit, every renderer draws.
    let dir = temp_with(&[("archmap.yaml", &nested_groups(2, 32))]);
    for format in ["dot", "mermaid", "svg"] {
        let out = run_in(dir.path(), &["render", "--format", format], "");
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
    }
}

#[test]
fn placing_groups_is_linear_in_groups() {
    let small = temp_with(&[("archmap.yaml", &nested_groups(40, 32))]);
    let large = temp_with(&[("archmap.yaml", &nested_groups(80, 32))]);
    let (a, small_work) = counting(small.path(), &["render", "--format", "dot"], Work::GroupWalk);
    let (b, large_work) = counting(large.path(), &["render", "--format", "dot"], Work::GroupWalk);
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    assert_linear("scene groups", small_work, large_work);
    // Each group is walked to at most twice: once to mark it used, once to place it.
    assert!(large_work <= 2 * 80 * 32, "{large_work}");
}

/// `n` allow entries on one line, none naming a check: one finding each, all about `a`.
fn many_allows(n: usize) -> String {
    let allows: Vec<String> = (0..n).map(|i| format!("no-such-check-{i}")).collect();
    format!("version: 1\nname: S\nservices:\n  a: {{allow: [{}]}}\n", allows.join(", "))
}

#[test]
fn allow_matching_and_columns_are_linear_in_entries() {
    let small = temp_with(&[("archmap.yaml", &many_allows(3_000))]);
    let large = temp_with(&[("archmap.yaml", &many_allows(6_000))]);
    let args = ["check", "--format", "json"];
    let (a, small_allow) = counting(small.path(), &args, Work::AllowMatch);
    let (b, large_allow) = counting(large.path(), &args, Work::AllowMatch);
    assert_eq!((a.code, b.code), (1, 1));
    assert_eq!(b.stdout.matches("which is not a check").count(), 6_000);
    assert_linear("allow matching", small_allow, large_allow);
    // All the labels stand on one line: columns must not be counted from its start each time.
    let (_, small_cols) = counting(small.path(), &args, Work::LineColumn);
    let (_, large_cols) = counting(large.path(), &args, Work::LineColumn);
    assert_linear("line and column", small_cols, large_cols);
}

/// A chain of `n` components, each a finding (no owner) on a line of its own.
fn chain(n: usize) -> String {
    let mut text = String::from("version: 1\nname: S\nservices:\n");
    for i in 0..n {
        let next = if i + 1 < n { format!("depends_on: [c{}]", i + 1) } else { String::new() };
        let _ = writeln!(text, "  c{i}: {{{next}}}");
    }
    text
}

#[test]
fn columns_of_findings_on_a_chain_are_linear() {
    let small = temp_with(&[("archmap.yaml", &chain(1_000))]);
    let large = temp_with(&[("archmap.yaml", &chain(2_000))]);
    let args = ["check", "--format", "json", "--rule", "sync-chain-depth=off"];
    let (_, small_cols) = counting(small.path(), &args, Work::LineColumn);
    let (_, large_cols) = counting(large.path(), &args, Work::LineColumn);
    assert_linear("line and column on a chain", small_cols, large_cols);
}

#[test]
fn long_texts_that_are_drawn_are_limited() {
    let m = format!(
        "version: 1\nname: S\nservices:\n  a:\n    tags: [{}]\n    depends_on:\n      - target: b\n        protocol: {}\n  b: {{}}\n",
        "t".repeat(2_000),
        "p".repeat(160_000)
    );
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["render", "-o", "out.svg"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("this `protocol` is longer than 1000 characters"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("this `tag` is longer than 1000 characters"), "{}", out.stderr);
    // The over-long line is named, not printed.
    assert!(out.stderr.len() < 4_000, "{}", out.stderr.len());
    assert!(!dir.path().join("out.svg").exists());
}

#[test]
fn context_lines_are_held_to_the_excerpt_width() {
    let comment = format!("#{}", "c".repeat(1_000_000));
    let m = format!("version: 1\nname: S\nservices:\n  a:\n{comment}\n    kind: nonsense\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.len() < 4_000, "a {}-byte report", out.stdout.len());
    assert!(out.stdout.contains("archmap.yaml:6:11"), "{}", out.stdout);
    // A missing key beside a long line: the same.
    let m = format!("version: 1\n{comment}\nservices: {{a: {{}}}}\n");
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.len() < 4_000, "a {}-byte report", out.stdout.len());
}

#[test]
fn includes_share_one_input_budget() {
    let pad = format!("version: 1\n#{}\n", "c".repeat(700_000));
    let root = "version: 1\nname: S\ninclude: [a.yaml, b.yaml]\nservices: {s: {}}\n";
    let dir = temp_with(&[("archmap.yaml", root), ("a.yaml", &pad), ("b.yaml", &pad)]);
    assert_eq!(run_in(dir.path(), &["check", "--max-input-mib", "2"], "").code, 0);
    let out = run_in(dir.path(), &["check", "--max-input-mib", "1"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("AM105"), "{}", out.stdout);
    assert!(out.stdout.contains("their budget"), "{}", out.stdout);
    assert!(out.stdout.contains("--max-input-mib"), "{}", out.stdout);
    // The root itself is held to it too.
    let out = run_in(dir.path(), &["check", "a.yaml", "--max-input-mib", "0"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("their budget"), "{}", out.stderr);
}

#[test]
fn one_anchor_merged_into_thousands_of_components_is_no_bomb() {
    let mut m = String::from(
        "version: 1\nname: S\nx-defaults: &defaults\n  owner: team\n  tech: Go\n  replicas: 2\n  tags: [a, b]\nservices:\n",
    );
    for i in 0..8_000 {
        let _ = writeln!(m, "  s{i}:\n    <<: *defaults");
    }
    let dir = temp_with(&[("archmap.yaml", &m)]);
    let out = run_in(dir.path(), &["check", "--format", "json", "--rule", "orphan=off"], "");
    assert_eq!(out.code, 0, "{}", head(&out.stdout));
}

// --- compose -------------------------------------------------------------------------------

#[test]
fn interpolation_that_multiplies_stops_at_the_value_budget() {
    let mut env = String::from("V0=xxxxxxxxxx\n");
    for i in 1..10 {
        let _ = writeln!(env, "V{i}={}", format!("${{V{}}}", i - 1).repeat(10));
    }
    let dir =
        temp_with(&[("compose.yaml", "services:\n  web:\n    image: \"$V9\"\n"), (".env", &env)]);
    work::reset();
    let out = run_in(dir.path(), &["import", "compose", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("AM202"), "{}", out.stderr);
    assert!(out.stderr.contains("expands to more than 1 MiB"), "{}", out.stderr);
    assert!(out.stderr.len() < 10_000, "{}", out.stderr.len());
    assert!(!dir.path().join("archmap.yaml").exists());
    // Nothing past the budget was built: a few MiB of copying, not 10 GB.
    assert!(work::counted(Work::Interpolation) < 8 << 20, "{}", work::counted(Work::Interpolation));
}

#[test]
fn a_large_variable_read_by_many_services_stops_at_the_import_budget() {
    let env = format!("BIG={}\n", "b".repeat(100_000));
    let mut compose = String::from("services:\n");
    for i in 0..700 {
        let _ = writeln!(compose, "  s{i}:\n    image: \"$BIG\"");
    }
    let dir = temp_with(&[("compose.yaml", &compose), (".env", &env)]);
    work::reset();
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 2, "{}", head(&out.stderr));
    assert!(out.stderr.contains("more than 64 MiB in all"), "{}", head(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(work::counted(Work::Interpolation) <= 65 << 20);
}

#[test]
fn interpolation_errors_quote_little_of_the_value() {
    let compose = format!("services:\n  web:\n    image: \"${{{}\"\n", "x".repeat(100_000));
    let dir = temp_with(&[("compose.yaml", &compose)]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("AM202"), "{}", head(&out.stderr));
    assert!(out.stderr.len() < 5_000, "{}", out.stderr.len());
}

#[test]
fn files_named_by_compose_files_stay_in_the_project() {
    let outer = tempfile::tempdir().expect("temp dir");
    let secret = "SECRET_TOKEN=hunter2\n";
    std::fs::write(outer.path().join("secret.yaml"), secret).expect("write");
    let proj = outer.path().join("proj");
    std::fs::create_dir(&proj).expect("mkdir");
    let cases = [
        "services:\n  web:\n    extends: {file: ../secret.yaml, service: x}\n",
        "services:\n  web:\n    image: nginx\n    env_file: [../secret.yaml]\n",
        "include: [../secret.yaml]\nservices:\n  web: {image: nginx}\n",
    ];
    for compose in cases {
        std::fs::write(proj.join("compose.yaml"), compose).expect("write");
        let out = run_in(&proj, &["import", "compose"], "");
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains("resolves outside"), "{compose}: {all}");
        assert!(!all.contains("hunter2"), "{compose}: the file outside was echoed: {all}");
    }
    // The same opt-out as manifests' includes.
    std::fs::write(outer.path().join("base.yaml"), "services:\n  x: {image: redis}\n").expect("w");
    std::fs::write(
        proj.join("compose.yaml"),
        "services:\n  web:\n    extends: {file: ../base.yaml, service: x}\n",
    )
    .expect("write");
    assert_eq!(run_in(&proj, &["import", "compose"], "").code, 2);
    let out = run_in(&proj, &["import", "compose", "--allow-outside-includes"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    #[cfg(unix)]
    {
        // A link inside the project to a file outside it is outside.
        std::os::unix::fs::symlink(outer.path().join("secret.yaml"), proj.join("link.yaml"))
            .expect("symlink");
        std::fs::write(
            proj.join("compose.yaml"),
            "services:\n  web:\n    extends: {file: link.yaml, service: x}\n",
        )
        .expect("write");
        let out = run_in(&proj, &["import", "compose"], "");
        assert!(out.stderr.contains("resolves outside"), "{}", out.stderr);
    }
}

#[test]
fn an_extends_loop_across_files_is_a_cycle() {
    let dir = temp_with(&[
        ("compose.yaml", "services:\n  a:\n    extends: {file: sub/b.yaml, service: b}\n"),
        ("sub/b.yaml", "services:\n  b:\n    extends: {file: ../compose.yaml, service: a}\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("`extends` cycle"), "{}", out.stderr);
    assert!(!out.stderr.contains("deeper than"), "{}", out.stderr);
}

#[test]
fn compose_includes_are_followed_and_never_overwritten() {
    let dir = temp_with(&[
        (
            "compose.yaml",
            "include: [other.yaml]\nservices:\n  web: {image: nginx, depends_on: [api]}\n",
        ),
        ("other.yaml", "services:\n  api: {image: python}\n"),
    ]);
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("  api:"), "{}", out.stdout);
    assert!(out.stdout.contains("depends_on"), "{}", out.stdout);
    let out = run_in(dir.path(), &["import", "compose", "-o", "other.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is one of the inputs"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other.yaml")).expect("read"),
        "services:\n  api: {image: python}\n"
    );
    // A service defined in both is an error, as in docker compose.
    std::fs::write(dir.path().join("other.yaml"), "services:\n  web: {image: python}\n")
        .expect("write");
    let out = run_in(dir.path(), &["import", "compose"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("defined here and in the included"), "{}", out.stderr);
}

// --- what is written -------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn the_overwrite_guard_compares_files_not_names() {
    use std::os::unix::ffi::OsStringExt;
    let text = "version: 1\nname: S\nservices:\n  a: {}\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let names = [OsString::from("my\\arch.yaml"), OsString::from_vec(b"arch\xff.yaml".to_vec())];
    for name in names {
        std::fs::write(dir.path().join(&name), text).expect("write");
        let os = |s: &str| OsString::from(s);
        let render =
            [os("render"), name.clone(), os("--format"), os("dot"), os("-o"), name.clone()];
        let out = run_os(dir.path(), &render);
        assert_eq!(out.code, 2, "{name:?}: {}", out.stderr);
        assert!(out.stderr.contains("refusing to overwrite"), "{name:?}: {}", out.stderr);
        let diff = [os("diff"), name.clone(), name.clone(), os("-o"), name.clone()];
        let out = run_os(dir.path(), &diff);
        assert_eq!(out.code, 2, "{name:?}: {}", out.stderr);
        assert_eq!(std::fs::read_to_string(dir.path().join(&name)).expect("read"), text);
    }
    // An included file with a backslash in its name.
    let dir = temp_with(&[
        ("archmap.yaml", "version: 1\nname: S\ninclude: [\"in\\\\c.yaml\"]\nservices: {a: {}}\n"),
        ("in\\c.yaml", "version: 1\nservices: {b: {}}\n"),
    ]);
    let out = run_in(dir.path(), &["render", "--format", "dot", "-o", "in\\c.yaml"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("refusing to overwrite"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn check_targets_are_never_read_past_what_would_be_written() {
    let dir = temp_with(&[("archmap.yaml", "version: 1\nname: S\nservices:\n  a: {}\n")]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("arch.svg")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("schema.json")).expect("symlink");
    let out = run_in(dir.path(), &["render", "--check", "-o", "arch.svg"], "");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is not a regular file"), "{}", out.stderr);
    let out = run_in(dir.path(), &["schema", "--check", "-o", "schema.json"], "");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let made = std::process::Command::new("mkfifo").arg(dir.path().join("fifo.svg")).status();
    if made.is_ok_and(|s| s.success()) {
        // Opening a FIFO with no writer would wait for ever.
        let out = run_in(dir.path(), &["render", "--check", "-o", "fifo.svg"], "");
        assert_eq!(out.code, 1, "{}", out.stderr);
    }
}

#[test]
fn dash_is_standard_output() {
    let dir = temp_with(&[("archmap.yaml", "version: 1\nname: S\nservices:\n  a: {}\n")]);
    let out = run_in(dir.path(), &["render", "--format", "dot", "-o", "-"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("digraph"), "{}", head(&out.stdout));
    let out = run_in(dir.path(), &["schema", "-o", "-"], "");
    assert!(out.stdout.contains("\"$schema\""));
    let out = run_in(dir.path(), &["diff", "archmap.yaml", "archmap.yaml", "-o", "-"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!dir.path().join("-").exists(), "a file named `-` was written");
    let out = run_in(dir.path(), &["render", "--check", "-o", "-"], "");
    assert_eq!(out.code, 2);
}

#[test]
fn control_characters_in_file_names_are_escaped_in_annotations() {
    let dir = temp_with(&[("a\u{1b}[31m\u{7}.yaml", "version: 1\nname: S\nservices:\n  a: {}\n")]);
    let out = run_in(dir.path(), &["check", "a\u{1b}[31m\u{7}.yaml", "--format", "github"], "");
    assert!(out.stdout.contains("file=a%1B[31m%07.yaml"), "{}", out.stdout);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
}

#[test]
fn a_git_blob_over_the_budget_is_refused_before_it_is_read() {
    let git = |dir: &Path, args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
    };
    let big = format!("version: 1\nname: S\n#{}\nservices: {{a: {{}}}}\n", "c".repeat(2 << 20));
    let dir = temp_with(&[("big.yaml", &big)]);
    if !git(dir.path(), &["init", "-q"]).is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: git is not available");
        return;
    }
    git(dir.path(), &["add", "big.yaml"]).expect("git add");
    git(dir.path(), &["commit", "-q", "-m", "big"]).expect("git commit");
    let out =
        run_in(dir.path(), &["diff", "HEAD:big.yaml", "big.yaml", "--max-input-mib", "1"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("over their budget"), "{}", out.stderr);
    let out =
        run_in(dir.path(), &["diff", "HEAD:big.yaml", "big.yaml", "--max-input-mib", "3"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `n` components, each depending on two others chosen by a fixed pseudo-random sequence: a
/// tangle of cycles.
fn tangled(n: usize) -> String {
    let mut text = String::from("version: 1\nname: S\nservices:\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    for i in 0..n {
        let (a, b) = (next(), next());
        let _ = writeln!(text, "  c{i}: {{depends_on: [c{a}, c{b}]}}");
    }
    text
}

/// `n` pairs of components that call each other: `n` small cycles.
fn pairs(n: usize) -> String {
    let mut text = String::from("version: 1\nname: S\nservices:\n");
    for i in 0..n {
        let _ = writeln!(text, "  a{i}: {{depends_on: [b{i}]}}\n  b{i}: {{depends_on: [a{i}]}}");
    }
    text
}

#[test]
fn finding_cycles_is_linear_in_the_graph() {
    // The layout of such graphs is measured with the layout's own tests; here, the checks.
    let args = ["check", "--format", "json"];
    for (what, make) in [("tangled", tangled as fn(usize) -> String), ("pairs", pairs)] {
        let small = temp_with(&[("archmap.yaml", &make(1_000))]);
        let large = temp_with(&[("archmap.yaml", &make(2_000))]);
        let (a, small_work) = counting(small.path(), &args, Work::CycleSearch);
        let (b, large_work) = counting(large.path(), &args, Work::CycleSearch);
        assert_eq!((a.code, b.code), (1, 1), "{what}: the cycles are errors");
        assert!(b.stdout.contains("AM010"), "{what}");
        assert_linear(what, small_work, large_work);
    }
}

/// `n` components, each with a tag of its own, and views that include and exclude all `n` tags.
fn selected(n: usize) -> String {
    let mut text = String::from("version: 1\nname: S\nservices:\n");
    for i in 0..n {
        let _ = writeln!(text, "  c{i}: {{tags: [t{i}], depends_on: [c{}]}}", (i + 1) % n);
    }
    let tags: Vec<String> = (0..n).map(|i| format!("tag:t{i}")).collect();
    let _ =
        write!(text, "views:\n  v: {{include: [{0}]}}\n  w: {{exclude: [{0}]}}\n", tags.join(", "));
    text
}

#[test]
fn selecting_is_linear_in_selectors_and_components() {
    let small = temp_with(&[("archmap.yaml", &selected(2_000))]);
    let large = temp_with(&[("archmap.yaml", &selected(4_000))]);
    for args in [&["check", "--format", "json"][..], &["render", "--view", "v", "--format", "dot"]]
    {
        let (a, small_work) = counting(small.path(), args, Work::Selection);
        let (b, large_work) = counting(large.path(), args, Work::Selection);
        assert!(matches!((a.code, b.code), (0 | 1, 0 | 1)), "{}", b.stderr);
        assert_linear(&args.join(" "), small_work, large_work);
    }
}

#[test]
fn forbidden_layer_pairs_are_bounded() {
    let pairs = |n: usize| -> String {
        let p: Vec<String> =
            (0..n).map(|i| format!("{{from: \"tag:a{i}\", to: \"tag:b{i}\"}}")).collect();
        format!(
            "version: 1\nname: S\nservices:\n  a: {{depends_on: [b], tags: [a255]}}\n  b: {{tags: [b255]}}\nrules:\n  layer-violation: {{level: error, forbidden: [{}]}}\n",
            p.join(", ")
        )
    };
    let dir = temp_with(&[("archmap.yaml", &pairs(256))]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("AM032"), "{}", out.stdout);
    let dir = temp_with(&[("archmap.yaml", &pairs(257))]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.contains("found 257"), "{}", out.stdout);
    assert!(out.stdout.contains("at most 256"), "{}", out.stdout);
}

#[test]
fn cycle_checks_of_inferred_dependencies_share_one_budget() {
    // Each service's environment names the one before: every inferred dependency is checked for
    // a sync cycle by walking the chain so far, quadratic without a budget.
    let mut compose = String::from("services:\n  s0: {image: myapp}\n");
    for i in 1..8_000 {
        let _ = writeln!(
            compose,
            "  s{i}:\n    image: myapp\n    environment: {{PREV_URL: \"http://s{}:8080\"}}",
            i - 1
        );
    }
    let dir = temp_with(&[("compose.yaml", &compose)]);
    let out = run_in(dir.path(), &["import", "compose", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 0, "{}", head(&out.stderr));
    assert!(
        out.stderr.contains("inferred dependencies from here on are left out"),
        "{}",
        head(&out.stderr)
    );
    // What was written still checks without errors.
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert!(matches!(out.code, 0 | 1), "{}", head(&out.stdout));
    assert!(!out.stdout.contains("\"level\": \"error\""), "{}", head(&out.stdout));
    assert_eq!(out.code, 0, "no error findings");
}

#[test]
fn views_are_limited_to_a_thousand() {
    let views = |n: usize| -> String {
        let mut t = String::from("version: 1\nname: S\nservices:\n  a: {}\nviews:\n");
        for i in 0..n {
            let _ = writeln!(t, "  v{i}: {{include: [a]}}");
        }
        t
    };
    let dir = temp_with(&[("archmap.yaml", &views(1_000))]);
    assert_eq!(run_in(dir.path(), &["check", "--format", "json"], "").code, 0);
    let dir = temp_with(&[("archmap.yaml", &views(1_001))]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("more than 1000 views"), "{}", head(&out.stdout));
    assert!(out.stdout.contains("archmap.yaml:1006:3"), "{}", head(&out.stdout));
}
