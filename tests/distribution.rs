//! How archmap reaches CI without compiling on every run: the GitHub Action (action.yml), the
//! release workflow that publishes binaries, `cargo binstall` metadata, and the Dockerfile; each
//! checked by the linter its ecosystem uses (action-validator, hadolint), and against the others.

use std::process::Command;

use crate::support::{have_tool, root, run_in, temp_with};

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// action-validator's verdict on a workflow or action file, or `None` when it is not installed.
fn action_validator(path: &str) -> Option<(bool, String)> {
    let validator = root().join("tests/recipes/node_modules/.bin/action-validator");
    if !validator.exists() {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "action-validator is required: run scripts/install-test-tools.sh"
        );
        eprintln!("skipping: action-validator is not installed (scripts/install-test-tools.sh)");
        return None;
    }
    let out =
        Command::new(&validator).arg(root().join(path)).output().expect("action-validator runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some((out.status.success(), text))
}

#[test]
fn the_action_and_the_release_workflow_are_valid() {
    for path in ["action.yml", ".github/workflows/release.yml"] {
        if let Some((ok, text)) = action_validator(path) {
            assert!(ok, "{path} is rejected:\n{text}");
        }
    }
}

#[test]
fn the_action_runs_archmap_with_options_that_exist() {
    let action: serde_json::Value = serde_saphyr::from_str(&read("action.yml")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))),
        "the action uploads SARIF"
    );
    assert!(
        steps.iter().any(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("actions/cache@")))
    );
    let dir = temp_with(&[(
        "archmap.yaml",
        "version: 1\nname: S\nservices:\n  web: {kind: frontend, owner: t, depends_on: [api]}\n  api: {owner: t}\n",
    )]);
    let mut ran = 0;
    for step in steps {
        let Some(script) = step["run"].as_str() else { continue };
        for line in script.lines().map(str::trim).filter(|l| l.starts_with("archmap check")) {
            // As the shell would run it with the inputs' defaults.
            let line = line
                .replace("$MANIFESTS $ARGS", "")
                .replace("\"$file\"", "report.sarif")
                .replace("\"$MAX\"", "10");
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            let out = run_in(dir.path(), &args, "");
            assert_eq!(out.code, 0, "`{line}`: {out:?}");
            ran += 1;
        }
    }
    assert_eq!(ran, 2, "a SARIF run and an annotations run");
    assert!(dir.path().join("report.sarif").exists());
}

#[test]
fn binstall_the_action_and_the_release_agree_on_archive_names() {
    let cargo = read("Cargo.toml");
    let release = read(".github/workflows/release.yml");
    let action = read("action.yml");
    let url = cargo
        .lines()
        .find_map(|l| l.strip_prefix("pkg-url = "))
        .expect("[package.metadata.binstall] pkg-url")
        .trim_matches('"');
    assert!(
        cargo.contains("\nrepository = \"https://"),
        "binstall's {{ repo }} needs a repository"
    );
    // One archive name, three spellings.
    let expand = |template: &str| {
        template
            .replace("{ name }", "archmap")
            .replace("{ version }", "1.2.3")
            .replace("{ target }", "x86_64-unknown-linux-musl")
    };
    assert!(
        expand(url)
            .ends_with("/releases/download/v1.2.3/archmap-v1.2.3-x86_64-unknown-linux-musl.tar.gz"),
        "{url}"
    );
    let written = release
        .lines()
        .find_map(|l| l.trim().strip_prefix("archive="))
        .expect("release names its archive");
    let written = written
        .trim_matches('"')
        .replace("$version", "1.2.3")
        .replace("$TARGET", "x86_64-unknown-linux-musl");
    assert_eq!(written, "archmap-v1.2.3-x86_64-unknown-linux-musl.tar.gz");
    assert!(
        action.contains("/releases/download/v$VERSION/archmap-v$VERSION-$target.tar.gz"),
        "the action downloads another name"
    );
    // Every target the action asks for is one the release builds.
    for target in action
        .lines()
        .filter_map(|l| l.split("target=").nth(1))
        .map(|t| t.trim_end_matches(" ;;").trim())
    {
        if target != "\"\"" && !target.starts_with('$') && !target.is_empty() {
            assert!(
                release.contains(&format!("target: {target}")),
                "the release does not build {target}"
            );
        }
    }
}

#[test]
fn the_dockerfile_passes_hadolint_and_copies_what_the_build_reads() {
    let dockerfile = read("Dockerfile");
    // Every folder the build reads: sources, templates and fonts compiled in, and the files of
    // the targets Cargo.toml declares (cargo refuses a manifest whose targets are missing).
    let cargo = read("Cargo.toml");
    let mut needed: Vec<String> = vec!["src".into(), "templates".into(), "assets".into()];
    for path in cargo.lines().filter_map(|l| l.strip_prefix("path = \"")) {
        needed.push(path.split('/').next().unwrap().to_string());
    }
    for dir in needed {
        assert!(
            dockerfile.contains(&format!("COPY {dir} ./{dir}")),
            "the Dockerfile does not copy {dir}/"
        );
    }
    assert!(dockerfile.contains("FROM scratch"), "a static binary on an empty image");
    assert!(dockerfile.contains("--locked"));
    if !have_tool("hadolint", "--version") {
        return;
    }
    let out =
        Command::new("hadolint").arg(root().join("Dockerfile")).output().expect("hadolint runs");
    assert!(
        out.status.success(),
        "hadolint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
