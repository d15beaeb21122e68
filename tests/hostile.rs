//! Hostile input: whatever the bytes, archmap exits 0, 1 or 2, says what is wrong and where,
//! never hangs, and leaves no partial output; what it renders carries nothing active.
//!
//! Small cases live in `tests/fixtures/hostile/`; large ones are generated here.

use std::path::Path;

use crate::safe_svg::{assert_safe_svg, head};
use crate::support::{Output, root, run_in, temp_with};

/// Writes `bytes` as `archmap.yaml` in a fresh directory.
fn dir_with(bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("archmap.yaml"), bytes).expect("write");
    dir
}

/// Asserts the contract for one hostile manifest `name` in `dir`: `check` exits with one of
/// `codes`, a manifest problem (exit 2) is reported with a location in the file, and
/// `render -o` writes a safe SVG or nothing at all. Returns the check's output.
fn assert_contract(dir: &Path, name: &str, codes: &[u8]) -> Output {
    let check = run_in(dir, &["check", name], "");
    assert!(
        codes.contains(&check.code),
        "{name}: check exited {}, expected one of {codes:?}\n{}{}",
        check.code,
        head(&check.stdout),
        head(&check.stderr)
    );
    if check.code == 2 && check.stderr.is_empty() {
        assert!(
            check.stdout.contains(&format!("[{name}:"))
                || check.stdout.contains(&format!("{name}:")),
            "{name}: a manifest problem without a location:\n{}",
            head(&check.stdout)
        );
    }
    let render = run_in(dir, &["render", name, "-o", "out.svg"], "");
    assert!(matches!(render.code, 0..=2), "{name}: render exited {}", render.code);
    let out = dir.join("out.svg");
    if render.code == 0 {
        let svg = std::fs::read_to_string(&out).expect("render wrote the SVG");
        assert_safe_svg(&svg);
        std::fs::remove_file(&out).expect("remove");
    } else {
        assert!(!out.exists(), "{name}: a failing render wrote {}", out.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{name}: temporary files left behind: {leftovers:?}");
    check
}

fn fixture(name: &str) -> (tempfile::TempDir, Output) {
    let text = std::fs::read(root().join("tests/fixtures/hostile").join(name)).expect("fixture");
    let dir = dir_with(&text);
    let out = assert_contract(dir.path(), "archmap.yaml", &[0, 1, 2]);
    (dir, out)
}

#[test]
fn empty_and_whitespace_files_are_manifest_problems() {
    for text in ["", "\n\n", "   ", "# only a comment\n", "---\n...\n"] {
        let dir = dir_with(text.as_bytes());
        let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
        assert!(out.stdout.contains("AM104"), "{text:?}: {}", out.stdout);
    }
}

#[test]
fn garbage_bytes_are_refused_with_a_location() {
    // A deterministic pseudo-random byte soup (xorshift), once raw and once as valid UTF-8.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let dir = dir_with(&bytes);
    let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
    assert!(out.stdout.contains("AM100"), "{}", head(&out.stdout));
    let text: String = bytes.iter().map(|b| char::from(b' ' + b % 95)).collect();
    let dir = dir_with(text.as_bytes());
    assert_contract(dir.path(), "archmap.yaml", &[2]);
}

#[test]
fn billion_laughs_is_refused() {
    let (_dir, out) = fixture("billion-laughs.yaml");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("alias"), "{}", head(&out.stdout));
}

#[test]
fn deep_nesting_flow_and_block_is_refused() {
    let flow = format!(
        "version: 1\nname: S\nservices:\n  a: {{x-deep: {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut block = String::from("version: 1\nname: S\nservices:\n  a:\n");
    for depth in 2..2_000 {
        block.push_str(&" ".repeat(depth * 2));
        block.push_str("x-k:\n");
    }
    let mut seq = String::from("version: 1\nname: S\nx-list:\n");
    for depth in 1..2_000 {
        seq.push_str(&" ".repeat(depth));
        seq.push_str("-\n");
    }
    for text in [flow, block, seq] {
        let dir = dir_with(text.as_bytes());
        let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
        assert!(out.stdout.contains("deeper than 64"), "{}", head(&out.stdout));
    }
}

#[test]
fn huge_ids_and_labels_are_refused_with_short_reports() {
    let big = "x".repeat(100 * 1024);
    // A 100 KB id as a quoted key reaches archmap's id check; as a label the label limit.
    for text in [
        format!("version: 1\nname: S\nservices:\n  \"{big}\": {{}}\n"),
        format!("version: 1\nname: S\nservices:\n  a: {{label: {big}}}\n"),
        format!("version: 1\nname: {big}\nservices:\n  a: {{}}\n"),
        format!("version: 1\nname: S\nservices:\n  a: {{description: {big}}}\n"),
    ] {
        let dir = dir_with(text.as_bytes());
        let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
        assert!(out.stdout.len() < 10_000, "the report repeats the huge value");
    }
    let text = format!("version: 1\nname: S\nservices:\n  a: {{label: {big}}}\n");
    let dir = dir_with(text.as_bytes());
    let out = run_in(dir.path(), &["check"], "");
    assert!(out.stdout.contains("AM106"), "{}", head(&out.stdout));
    assert!(out.stdout.contains("longer than 1000 characters"), "{}", head(&out.stdout));
    assert!(out.stdout.contains("archmap.yaml:4:"), "{}", head(&out.stdout));
}

#[test]
fn non_utf8_utf16_and_nul_bytes_are_refused() {
    let latin1 = b"version: 1\nname: Caf\xe9\nservices:\n  a: {}\n".to_vec();
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "version: 1\nname: S\nservices:\n  a: {}\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let nul = b"version: 1\nname: S\0\nservices:\n  a: {}\n".to_vec();
    let nul_in_quotes = b"version: 1\nname: \"S\0\"\nservices:\n  a: {}\n".to_vec();
    for (what, bytes, expect) in [
        ("latin-1", latin1, "UTF-8"),
        ("UTF-16 with BOM", utf16, "UTF-8"),
        ("NUL", nul, "AM100"),
        ("quoted NUL", nul_in_quotes, "AM100"),
    ] {
        let dir = dir_with(&bytes);
        let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
        assert!(out.stdout.contains(expect), "{what}: {}", head(&out.stdout));
    }
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let (_dir, out) = fixture("crlf.yaml");
    assert_eq!(out.code, 2);
    // `kind: nope` is on line 8, and the column is not thrown off by the carriage returns.
    assert!(out.stdout.contains("[archmap.yaml:8:11]"), "{}", out.stdout);
    let clean = "version: 1\r\nname: S\r\nservices:\r\n  a:\r\n    depends_on: [b]\r\n  b: {}\r\n";
    let dir = dir_with(clean.as_bytes());
    assert_contract(dir.path(), "archmap.yaml", &[0]);
}

#[test]
fn duplicate_keys_at_every_level_are_each_reported() {
    let (dir, out) = fixture("duplicate-keys.yaml");
    assert!(matches!(out.code, 1 | 2), "{}", out.stdout);
    let json = run_in(dir.path(), &["check", "--format", "json"], "");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let lines: Vec<u64> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "AM002")
        .map(|f| f["line"].as_u64().expect("line"))
        .collect();
    // version, group g, label, mode, component a, include, view v, level, rule fan-in.
    for line in [3, 7, 11, 15, 16, 19, 20, 22, 23] {
        assert!(
            lines.contains(&line),
            "no duplicate reported on line {line}: {lines:?}\n{}",
            json.stdout
        );
    }
}

#[test]
fn script_in_labels_is_drawn_as_text() {
    let (dir, out) = fixture("script-labels.yaml");
    assert!(matches!(out.code, 0 | 1), "{}", out.stdout);
    for format in ["svg", "dot", "mermaid", "json"] {
        let out = run_in(dir.path(), &["render", "--format", format], "");
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        if format == "svg" {
            assert_safe_svg(&out.stdout);
            assert!(out.stdout.contains("&lt;script&gt;"), "the label is shown escaped");
        }
    }
    let out = run_in(dir.path(), &["render", "--view", "v"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_safe_svg(&out.stdout);
}

#[test]
fn javascript_and_data_urls_are_refused() {
    let (_dir, out) = fixture("javascript-url.yaml");
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(out.stdout.matches("AM103").count(), 3, "{}", out.stdout);
}

#[test]
fn links_are_only_the_validated_urls() {
    let m = "version: 1\nname: S\nservices:\n  a: {url: 'https://wiki.example/a?x=1&y=2', depends_on: [b]}\n  b: {url: docs/b.html}\n  c: {url: 'mailto:team@example.com'}\n";
    let dir = temp_with(&[("archmap.yaml", m)]);
    let out = run_in(dir.path(), &["render"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_safe_svg(&out.stdout);
    let doc = roxmltree::Document::parse(&out.stdout).expect("XML");
    // SVG 2 readers take `href`, SVG 1.1 readers `xlink:href`: each link carries both.
    let mut hrefs: Vec<&str> = doc
        .descendants()
        .flat_map(|n| n.attributes().filter(|a| a.name() == "href").map(|a| a.value()))
        .collect();
    hrefs.sort_unstable();
    hrefs.dedup();
    assert_eq!(hrefs, ["docs/b.html", "https://wiki.example/a?x=1&y=2", "mailto:team@example.com"]);
}

#[test]
fn path_traversal_and_absolute_includes_stay_in_the_tree() {
    let root_with =
        |inc: &str| format!("version: 1\nname: S\ninclude: ['{inc}']\nservices:\n  a: {{}}\n");
    for inc in [
        "../../../../../../../../etc/passwd",
        "sub/../../outside.yaml",
        "/etc/passwd",
        "/etc/hostname",
    ] {
        let outer = temp_with(&[
            ("outside.yaml", "version: 1\nservices:\n  o: {}\n"),
            ("proj/sub/x.yaml", "version: 1\nservices:\n  x: {}\n"),
        ]);
        let proj = outer.path().join("proj");
        std::fs::write(proj.join("archmap.yaml"), root_with(inc)).expect("write");
        let out = assert_contract(&proj, "archmap.yaml", &[2]);
        assert!(
            out.stdout.contains("resolves outside") || out.stdout.contains("no such file"),
            "{inc}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("AM105"), "{inc}: {}", out.stdout);
    }
    // `..` that stays inside the tree is fine.
    let dir = temp_with(&[
        ("archmap.yaml", &root_with("sub/../sub/x.yaml")),
        ("sub/x.yaml", "version: 1\nservices:\n  x: {}\n"),
    ]);
    assert_contract(dir.path(), "archmap.yaml", &[0]);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_and_loops_are_refused() {
    let outer = temp_with(&[
        ("secret.yaml", "version: 1\nservices:\n  s: {}\n"),
        ("proj/archmap.yaml", "version: 1\nname: S\ninclude: [link.yaml]\nservices:\n  a: {}\n"),
    ]);
    let proj = outer.path().join("proj");
    std::os::unix::fs::symlink(outer.path().join("secret.yaml"), proj.join("link.yaml"))
        .expect("symlink");
    let out = assert_contract(&proj, "archmap.yaml", &[2]);
    assert!(out.stdout.contains("resolves outside"), "{}", out.stdout);
    assert_eq!(run_in(&proj, &["check", "--allow-outside-includes"], "").code, 0);

    // A loop of two links, and a directory link back to the root.
    let dir = temp_with(&[(
        "archmap.yaml",
        "version: 1\nname: S\ninclude: [a.yaml, up/archmap.yaml]\nservices:\n  a: {}\n",
    )]);
    std::os::unix::fs::symlink("b.yaml", dir.path().join("a.yaml")).expect("symlink");
    std::os::unix::fs::symlink("a.yaml", dir.path().join("b.yaml")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("up")).expect("symlink");
    let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
    assert!(out.stdout.contains("cannot include `a.yaml`"), "{}", out.stdout);
    assert!(out.stdout.contains("include cycle"), "{}", out.stdout);
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_without_reading() {
    let dir = temp_with(&[(
        "archmap.yaml",
        "version: 1\nname: S\ninclude: [/dev/zero, pipe.yaml]\nservices:\n  a: {}\n",
    )]);
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping the FIFO case: mkfifo failed");
        std::fs::write(&fifo, "version: 1\nservices:\n  p: {}\n").expect("write");
    }
    // Nobody writes to the FIFO: reading it would block forever.
    let out = assert_contract(dir.path(), "archmap.yaml", &[2]);
    assert!(out.stdout.contains("resolves outside"), "{}", out.stdout);
    let out = run_in(dir.path(), &["check", "--allow-outside-includes"], "");
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("cannot include `/dev/zero`: it is not a regular file"),
        "{}",
        out.stdout
    );
    if fifo.exists() && !fifo.is_file() {
        assert!(
            out.stdout.contains("cannot include `pipe.yaml`: it is not a regular file"),
            "{}",
            out.stdout
        );
        // As the root manifest too.
        let out = run_in(dir.path(), &["check", "pipe.yaml"], "");
        assert_eq!(out.code, 2);
        assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    }
    let out = run_in(dir.path(), &["check", "/dev/zero"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

#[test]
fn component_and_dependency_limits_are_located_errors() {
    let m = "version: 1\nname: S\nservices:\n  a: {depends_on: [b, c]}\n  b: {depends_on: [c]}\n  c: {}\n";
    let dir = temp_with(&[("archmap.yaml", m)]);
    assert_eq!(
        run_in(dir.path(), &["check", "--max-components", "3", "--max-dependencies", "3"], "").code,
        0
    );
    let out = run_in(dir.path(), &["check", "--max-components", "2"], "");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("AM106 limit-exceeded"), "{}", out.stdout);
    assert!(out.stdout.contains("more than 2 components"), "{}", out.stdout);
    assert!(out.stdout.contains("[archmap.yaml:6:3]"), "{}", out.stdout);
    let out = run_in(dir.path(), &["render", "--max-dependencies", "1", "-o", "x.svg"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("more than 1 dependencies"), "{}", out.stderr);
    assert!(out.stderr.contains("[archmap.yaml:4:23]"), "{}", out.stderr);
    assert!(!dir.path().join("x.svg").exists());
    let out = run_in(dir.path(), &["explain", "AM106"], "");
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--max-components"), "{}", out.stdout);
}

#[test]
fn a_50_mb_manifest_is_read_within_the_limits() {
    // 5,000 components with 10,000-character descriptions: the size bound and the text limit
    // at once, without a graph so large that checks dominate the test's time.
    let description = "lorem ipsum ".repeat(833);
    let mut text = String::with_capacity(52 << 20);
    text.push_str("version: 1\nname: Big\nservices:\n");
    let mut i = 0;
    while text.len() < 50 << 20 {
        use std::fmt::Write;
        let next = if i % 7 == 0 { String::new() } else { format!(", depends_on: [c{}]", i - 1) };
        writeln!(text, "  c{i}: {{description: {description}{next}}}").expect("write");
        i += 1;
    }
    let dir = dir_with(text.as_bytes());
    let out = run_in(dir.path(), &["check", "--format", "json", "--rule", "orphan=off"], "");
    assert!(matches!(out.code, 0 | 1), "{}", head(&out.stdout));
    assert!(!out.stdout.contains("AM1"), "{}", head(&out.stdout));
}

#[test]
fn stdin_is_bounded() {
    let out = run_in(Path::new("."), &["check", "-"], "version: 1\nname: S\nservices:\n  a: {}\n");
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn concurrent_runs_give_identical_bytes() {
    let example = root().join("examples/ecommerce.yaml");
    let path = example.to_str().expect("UTF-8 path").to_string();
    let commands: Vec<Vec<String>> = [
        vec!["check", "--format", "json"],
        vec!["render", "--format", "svg"],
        vec!["render", "--format", "dot"],
        vec!["render", "--format", "mermaid"],
        vec!["render", "--format", "json"],
        vec!["stats", "--format", "json"],
    ]
    .iter()
    .map(|c| c.iter().map(ToString::to_string).chain([path.clone()]).collect())
    .collect();
    let run_all = || -> Vec<String> {
        commands
            .iter()
            .map(|c| {
                let args: Vec<&str> = c.iter().map(String::as_str).collect();
                let out = run_in(&root(), &args, "");
                format!("{}\n{}\n{}", out.code, out.stdout, out.stderr)
            })
            .collect()
    };
    let expected = run_all();
    let results: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(run_all)).collect();
        handles.into_iter().map(|h| h.join().expect("no panic")).collect()
    });
    for got in results {
        for (c, (a, b)) in commands.iter().zip(expected.iter().zip(&got)) {
            assert!(a == b, "`{}` differs between concurrent runs", c.join(" "));
        }
    }
}

#[test]
fn outputs_never_replace_an_input_even_through_a_link() {
    let root_text = "version: 1\nname: S\ninclude: [sub/inc.yaml]\nservices:\n  a: {}\n";
    let inc = "version: 1\nservices:\n  b: {}\n";
    let dir = temp_with(&[("archmap.yaml", root_text), ("sub/inc.yaml", inc)]);
    let mut targets = vec!["archmap.yaml", "sub/inc.yaml", "sub/../archmap.yaml"];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("sub/inc.yaml", dir.path().join("alias.svg")).expect("symlink");
        targets.push("alias.svg");
    }
    for target in targets {
        let out = run_in(dir.path(), &["render", "--format", "svg", "-o", target], "");
        assert_eq!(out.code, 2, "{target}: {}", out.stderr);
        assert!(out.stderr.contains("refusing to overwrite"), "{target}: {}", out.stderr);
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("archmap.yaml")).expect("read"), root_text);
    assert_eq!(std::fs::read_to_string(dir.path().join("sub/inc.yaml")).expect("read"), inc);
}

#[test]
fn fuzz_timeout_alias_bomb_is_refused() {
    let (_dir, out) = fixture("fuzz-timeout-alias-bomb.yaml");
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("at most 50000 YAML events"), "{}", head(&out.stdout));
}

/// A `javascript:` that is not a scheme (after `?`, `/` or `#`) is a harmless relative reference:
/// archmap keeps it as a link and the safety assertion accepts it (found by the property test).
#[test]
fn javascript_text_inside_a_relative_reference_is_not_a_scheme() {
    let manifest = "version: 1\nname: x\nservices:\n  a:\n    url: \"?javascript:alert(1)?\"\n";
    let out = run_in(&root(), &["render", "-"], manifest);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("href=\"?javascript:alert(1)?\""), "{}", head(&out.stdout));
    assert_safe_svg(&out.stdout);
    let bad = "version: 1\nname: x\nservices:\n  a:\n    url: \" JavaScript:alert(1)\"\n";
    assert_eq!(run_in(&root(), &["render", "-"], bad).code, 2);
}

/// `-o` naming something that is not a regular file (a FIFO here; `/dev/null` or `/dev/stdout`
/// on a user's machine) is written in place: the atomic rename used for ordinary files would
/// replace the FIFO (or the device) with a regular file.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_through_it_and_keeps_it() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_with(&[("archmap.yaml", "version: 1\nname: S\nservices:\n  a: {}\n")]);
    let fifo = dir.path().join("out.svg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo failed");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(&fifo).expect("open the FIFO").read_to_string(&mut text).ok();
            text
        })
    };
    let out = run_in(dir.path(), &["render", "-o", "out.svg", "archmap.yaml"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Checked before joining: had the FIFO been replaced, its reader would wait for ever.
    let kind = std::fs::symlink_metadata(&fifo).expect("still there").file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
    let text = reader.join().expect("the reader finishes");
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "{}",
        &text[..text.len().min(80)]
    );
}
