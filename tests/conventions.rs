//! What a newcomer and a CI job expect of a command-line tool (issue #18): text files that end
//! with a newline, `-o` names that choose or refuse a format, one clear message per problem,
//! man pages without dangling references, and the conventions of the ecosystem.

use crate::support::{root, run_in, temp_with};

const OK: &str = "version: 1\nname: Shop\nservices:\n  web:\n    kind: frontend\n    owner: team\n    depends_on: [api]\n  api:\n    owner: team\n";

#[test]
fn dot_and_mermaid_files_end_with_one_newline() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    for (name, last) in [("d.dot", "}\n"), ("d.gv", "}\n"), ("d.mmd", "\n"), ("d.mermaid", "\n")] {
        let out = run_in(dir.path(), &["render", "-q", "-o", name], "");
        assert_eq!(out.code, 0, "{out:?}");
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(
            text.ends_with(last) && !text.ends_with("\n\n"),
            "{name} ends {:?}",
            &text[text.len() - 5..]
        );
        // What an end-of-file fixer would leave is what was written: --check stays clean.
        let out = run_in(dir.path(), &["render", "-q", "-o", name, "--check"], "");
        assert_eq!(out.code, 0, "{out:?}");
    }
    let stdout = run_in(dir.path(), &["render", "-q", "--format", "mermaid"], "").stdout;
    assert!(stdout.ends_with('\n') && !stdout.ends_with("\n\n"), "{stdout:?}");
}

#[test]
fn render_refuses_an_extension_it_does_not_write() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    for name in ["x.pdf", "x.jpg", "x.txt"] {
        let out = run_in(dir.path(), &["render", "-o", name], "");
        assert_eq!(out.code, 2, "{name}: {out:?}");
        assert!(out.stderr.contains("does not write"), "{}", out.stderr);
        assert!(out.stderr.contains(".svg") && out.stderr.contains(".png"), "{}", out.stderr);
        assert!(!dir.path().join(name).exists(), "{name} was written");
    }
    // A name that says one format while --format asks for another.
    let out = run_in(dir.path(), &["render", "--format", "dot", "-o", "x.svg"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`--format dot`"), "{}", out.stderr);
    assert!(!dir.path().join("x.svg").exists());
    // Named explicitly, an unknown extension is the user's choice.
    let out = run_in(dir.path(), &["render", "-q", "--format", "mermaid", "-o", "x.txt"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(std::fs::read_to_string(dir.path().join("x.txt")).unwrap().contains("flowchart"));
    // PNG and HTML by extension.
    assert_eq!(run_in(dir.path(), &["render", "-q", "-o", "x.png"], "").code, 0);
    let png = std::fs::read(dir.path().join("x.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

#[test]
fn diff_writes_the_format_its_output_names() {
    let dir =
        temp_with(&[("a.yaml", OK), ("b.yaml", &OK.replace("owner: team\n", "owner: other\n"))]);
    for (name, starts) in
        [("d.svg", "<?xml"), ("d.json", "{"), ("d.md", "### Architecture diff"), ("d.txt", "")]
    {
        let out = run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "-q", "-o", name], "");
        assert_eq!(out.code, 0, "{name}: {out:?}");
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.starts_with(starts), "{name}: {}", &text[..40.min(text.len())]);
        if name == "d.txt" {
            assert!(
                !text.starts_with('{') && !text.starts_with('<') && text.contains("owner"),
                "{text}"
            );
        }
    }
    let out = run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "-o", "d.pdf"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("does not write `.pdf`"), "{}", out.stderr);
    assert!(!dir.path().join("d.pdf").exists());
}

#[test]
fn a_missing_directory_is_named_once_without_temporary_files() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    let out = run_in(dir.path(), &["render", "-q", "-o", "no/such/dir/x.svg"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("cannot write no/such/dir/x.svg: its directory does not exist"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(".archmap-") && !out.stderr.contains(".tmp"), "{}", out.stderr);
    assert_eq!(out.stderr.matches("x.svg").count(), 1, "{}", out.stderr);
}

#[test]
fn a_missing_input_says_its_cause_once() {
    let dir = temp_with(&[]);
    let out = run_in(dir.path(), &["check", "nope.yaml"], "");
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.matches("no such file").count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("cannot read nope.yaml: no such file"), "{}", out.stderr);
}

#[test]
fn a_dependency_written_as_a_string_is_offered_as_a_list() {
    let text = "version: 1\nname: S\nservices:\n  api:\n    depends_on: db\n  web:\n    depends_on: api, db\n  db: {}\n";
    let dir = temp_with(&[("archmap.yaml", text)]);
    let out = run_in(dir.path(), &["check"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stdout.contains("`depends_on: [db]`"), "{}", out.stdout);
    assert!(out.stdout.contains("`depends_on: [api, db]`"), "{}", out.stdout);
}

#[test]
fn long_messages_wrap_between_names_never_inside_one() {
    // A shared datastore's message is long and full of hyphenated ids.
    let text = "version: 1\nname: S\nservices:\n  checkout-frontend-service:\n    owner: team-storefront-web\n    depends_on: [orders-primary-database]\n  billing-backend-service:\n    owner: team-finance-platform\n    depends_on: [orders-primary-database]\n  orders-primary-database:\n    kind: database\n";
    let dir = temp_with(&[("archmap.yaml", text)]);
    let out = run_in(dir.path(), &["check", "--rule", "shared-datastore=error"], "");
    assert!(out.stdout.contains("shared-datastore"), "{}", out.stdout);
    for line in out.stdout.lines() {
        let line = line.trim_end();
        // A line never ends inside a `name`: backticks pair up on every line.
        assert_eq!(line.matches('`').count() % 2, 0, "a name is cut at: {line}");
        assert!(!line.ends_with('-'), "a word is cut at a hyphen: {line}");
    }
}

#[test]
fn help_names_every_output_format() {
    let out = run_in(&root(), &["--help"], "");
    for word in ["SVG", "PNG", "DOT", "Mermaid", "HTML"] {
        assert!(out.stdout.contains(word), "--help omits {word}:\n{}", out.stdout);
    }
}

#[test]
fn every_man_page_has_an_exit_status_and_every_reference_a_page() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["man", "-o", "man"], "").code, 0);
    let names: Vec<String> = std::fs::read_dir(dir.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"archmap-import-compose.1".to_string()), "{names:?}");
    for name in &names {
        let text = std::fs::read_to_string(dir.path().join("man").join(name)).unwrap();
        assert!(text.contains(".SH \"EXIT STATUS\""), "{name} has no EXIT STATUS");
        for word in text.split(|c: char| c.is_whitespace()) {
            if let Some(page) = word.strip_suffix("(1)").filter(|w| w.starts_with("archmap")) {
                let file = format!("{}.1", page.replace("\\-", "-"));
                assert!(names.contains(&file), "{name} refers to {page}(1), never written");
            }
        }
    }
}
