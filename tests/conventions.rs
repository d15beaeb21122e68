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

#[test]
fn the_nearest_manifest_is_found_up_to_the_repository_root() {
    let dir = temp_with(&[
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/archmap.yaml", OK),
        ("repo/services/api/src/.keep", ""),
        ("repo/nested/archmap.yml", &OK.replace("Shop", "Nested")),
        ("repo/nested/deeper/.keep", ""),
        ("archmap.yaml", "not: a manifest\n"),
    ]);
    let out = run_in(&dir.path().join("repo/services/api/src"), &["check", "--format", "json"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let out = run_in(
        &dir.path().join("repo/services/api/src"),
        &["check", "--rule", "orphan=error", "--format", "github"],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    // The nearest wins, and reports name it relative to where archmap runs.
    let out =
        run_in(&dir.path().join("repo/nested/deeper"), &["render", "--format", "mermaid"], "");
    assert!(out.stdout.contains("Nested"), "{out:?}");
    let broken = OK.replace("depends_on: [api]", "depends_on: [nowhere]");
    std::fs::write(dir.path().join("repo/archmap.yaml"), broken).unwrap();
    let out = run_in(&dir.path().join("repo/services/api/src"), &["check"], "");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("../../../archmap.yaml:"), "{}", out.stdout);
    // The search stops at the repository's root: the file above it is never read.
    std::fs::remove_file(dir.path().join("repo/archmap.yaml")).unwrap();
    let out = run_in(&dir.path().join("repo/services/api/src"), &["check"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no archmap.yaml"), "{}", out.stderr);
}

#[test]
fn several_manifests_and_globs_make_one_report() {
    let cyclic = "version: 1\nname: C\nservices:\n  a: {owner: t, depends_on: [b]}\n  b: {owner: t, depends_on: [a]}\n";
    let dir = temp_with(&[
        ("teams/one/archmap.yaml", OK),
        ("teams/two/archmap.yaml", cyclic),
        ("teams/three/archmap.yaml", OK),
    ]);
    let out = run_in(dir.path(), &["check", "teams/*/archmap.yaml", "--format", "json"], "");
    assert_eq!(out.code, 1, "{out:?}");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    let files: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.contains(&"teams/two/archmap.yaml"), "{files:?}");
    let out =
        run_in(dir.path(), &["check", "teams/one/archmap.yaml", "teams/three/archmap.yaml"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("ok: 4 components, 2 dependencies in 2 manifests"),
        "{}",
        out.stdout
    );
    let out = run_in(dir.path(), &["check", "teams/*/nothing.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no file matches `teams/*/nothing.yaml`"), "{}", out.stderr);
    // Human output places each finding in its own file.
    let out =
        run_in(dir.path(), &["check", "teams/one/archmap.yaml", "teams/two/archmap.yaml"], "");
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("teams/two/archmap.yaml:4:"), "{}", out.stdout);
}

#[test]
fn exit_zero_reports_and_succeeds_but_still_refuses_unreadable_input() {
    let cyclic = "version: 1\nname: C\nservices:\n  a: {owner: t, depends_on: [b]}\n  b: {owner: t, depends_on: [a]}\n";
    let dir = temp_with(&[("archmap.yaml", cyclic), ("bad.yaml", "version: [\n")]);
    let out = run_in(dir.path(), &["check", "--exit-zero"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("AM010"), "{}", out.stdout);
    assert_eq!(run_in(dir.path(), &["check", "bad.yaml", "--exit-zero"], "").code, 2);
}

#[test]
fn check_writes_its_report_to_a_file_in_the_format_the_name_asks_for() {
    let dir = temp_with(&[("archmap.yaml", OK)]);
    let out = run_in(dir.path(), &["check", "-o", "report.sarif"], "");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(run_in(dir.path(), &["check", "-o", "report.json"], "").code, 0);
    let json = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(json.contains("\"findings\""), "{json}");
    assert_eq!(run_in(dir.path(), &["check", "-o", "report.txt"], "").code, 0);
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(text.starts_with("ok: 2 components"), "{text}");
    let out = run_in(dir.path(), &["check", "-o", "report.pdf"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!dir.path().join("report.pdf").exists());
    let out = run_in(dir.path(), &["check", "--format", "json", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap(), OK);
}

#[test]
fn stdin_is_reported_under_the_name_given() {
    let dir = temp_with(&[]);
    let broken = OK.replace("depends_on: [api]", "depends_on: [nowhere]");
    let out =
        run_in(dir.path(), &["check", "-", "--stdin-filename", "services/archmap.yaml"], &broken);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("services/archmap.yaml:7:"), "{}", out.stdout);
    assert!(!out.stdout.contains("<stdin>"), "{}", out.stdout);
    let out = run_in(
        dir.path(),
        &["check", "-", "--format", "github", "--stdin-filename", "a.yaml"],
        &broken,
    );
    assert!(out.stdout.contains("file=a.yaml,"), "{}", out.stdout);
}

#[test]
fn colour_follows_force_color_clicolor_force_and_no_color() {
    let bin = env!("CARGO_BIN_EXE_archmap");
    let dir =
        temp_with(&[("archmap.yaml", &OK.replace("depends_on: [api]", "depends_on: [nowhere]"))]);
    let run = |env: &[(&str, &str)], args: &[&str]| -> String {
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("check").args(args).current_dir(dir.path());
        for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        String::from_utf8(cmd.output().expect("archmap runs").stdout).unwrap()
    };
    let ansi = |s: &str| s.contains('\u{1b}');
    // Standard output is a pipe here: no colours unless forced.
    assert!(!ansi(&run(&[], &[])));
    assert!(ansi(&run(&[("FORCE_COLOR", "1")], &[])));
    assert!(ansi(&run(&[("CLICOLOR_FORCE", "1")], &[])));
    assert!(!ansi(&run(&[("FORCE_COLOR", "0")], &[])));
    assert!(!ansi(&run(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[])));
    assert!(!ansi(&run(&[("FORCE_COLOR", "1")], &["--color", "never"])));
    assert!(ansi(&run(&[("NO_COLOR", "1")], &["--color", "always"])));
}

#[test]
fn diff_reports_a_finding_whose_numbers_changed_as_changed() {
    let mut old = String::from("version: 1\nname: S\nservices:\n  auth: {owner: t}\n");
    old.extend((0..11).map(|i| format!("  c{i}: {{owner: t, depends_on: [auth]}}\n")));
    let new = format!("{old}  c11: {{owner: t, depends_on: [auth]}}\n");
    let dir = temp_with(&[("old.yaml", &old), ("new.yaml", &new)]);
    let out = run_in(dir.path(), &["diff", "old.yaml", "new.yaml", "--format", "json"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let changed = doc["findings"]["changed"].as_array().unwrap();
    let fan_in =
        changed.iter().find(|c| c["new"]["code"] == "AM020").unwrap_or_else(|| panic!("{doc:#}"));
    assert!(fan_in["old"]["message"].as_str().unwrap().contains("11"), "{fan_in}");
    assert!(fan_in["new"]["message"].as_str().unwrap().contains("12"), "{fan_in}");
    let codes = |k: &str| -> Vec<String> {
        doc["findings"][k].as_array().unwrap().iter().map(|f| f["code"].to_string()).collect()
    };
    assert!(!codes("new").contains(&"\"AM020\"".to_string()), "{doc:#}");
    assert!(!codes("resolved").contains(&"\"AM020\"".to_string()), "{doc:#}");
    let text = run_in(dir.path(), &["diff", "old.yaml", "new.yaml"], "").stdout;
    assert!(text.contains("changed  AM020") && text.contains("was:"), "{text}");
}

#[test]
fn commands_writing_one_format_refuse_another_extension() {
    let compose = "services:\n  web:\n    image: nginx\n";
    let dir = temp_with(&[("compose.yaml", compose)]);
    for args in [
        &["import", "compose", "-o", "arch.json"][..],
        &["schema", "-o", "schema.yaml"][..],
        &["init", "arch.txt"][..],
    ] {
        let out = run_in(dir.path(), args, "");
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains("does not write"), "{args:?}: {}", out.stderr);
        let name = args.last().unwrap();
        assert!(!dir.path().join(name).exists(), "{name} was written");
    }
    assert_eq!(run_in(dir.path(), &["import", "compose", "-q", "-o", "arch.yml"], "").code, 0);
    assert_eq!(run_in(dir.path(), &["schema", "-o", "archmap.schema.json"], "").code, 0);
    assert_eq!(run_in(dir.path(), &["init", "-q", "starter.yaml"], "").code, 0);
}
