//! The integration recipes (docs/recipes.md), run for real: the GitHub Actions workflow is
//! validated against GitHub's workflow schema and its archmap commands are run on a repository
//! laid out as it expects; the pre-commit hooks are validated by pre-commit and run; the `MkDocs`
//! site builds with the diagrams archmap renders into it.

use std::process::Command;

use crate::support::{git, have_tool, root, run_in};

/// Splits a shell command line into words (single and double quotes, no expansions), up to a
/// redirection or `||`; returns the words and the file standard output is redirected to.
fn words(line: &str) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    let mut redirect = None;
    if let Some(i) = out.iter().position(|w| w == ">" || w == "||") {
        if out[i] == ">" {
            redirect = out.get(i + 1).cloned();
        }
        out.truncate(i);
    }
    (out, redirect)
}

/// A project as the recipes expect it: `archmap.yaml` (the e-commerce example) with its
/// diagrams committed in docs/architecture, on a `main` branch.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("examples/ecommerce.yaml"), dir.path().join("archmap.yaml")).unwrap();
    let out = run_in(
        dir.path(),
        &["render", "archmap.yaml", "--all-views", "-o", "docs/architecture"],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    dir
}

#[test]
fn github_actions_workflow_is_valid_and_its_archmap_steps_pass() {
    let path = root().join("docs/recipes/github-actions.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let validator = root().join("tests/recipes/node_modules/.bin/action-validator");
    if validator.exists() {
        let out = Command::new(&validator).arg(&path).output().expect("action-validator runs");
        assert!(
            out.status.success(),
            "GitHub's workflow schema rejects the recipe:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "run `npm ci` in tests/recipes"
        );
        eprintln!("skipping the schema check: npm ci in tests/recipes");
    }

    // Every `run:` line that calls archmap, on a project laid out as the workflow expects.
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let steps = workflow["jobs"]["archmap"]["steps"].as_array().unwrap();
    let dir = project();
    let mut ran = Vec::new();
    for step in steps {
        let Some(run) = step["run"].as_str() else { continue };
        if !run.starts_with("archmap ") {
            continue;
        }
        if run.contains(" diff ") && !archmap_has("diff") {
            continue;
        }
        let line = run.replace("${{ github.base_ref }}", "main");
        let (words, redirect) = words(&line);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        if run.contains(" diff ") {
            git(dir.path(), &["init", "-q", "-b", "main"]);
            git(dir.path(), &["add", "-A"]);
            git(dir.path(), &["commit", "-q", "-m", "base"]);
            // What the checkout of a pull request has: the base branch as `origin/main`.
            git(dir.path(), &["update-ref", "refs/remotes/origin/main", "HEAD"]);
        }
        let out = run_in(dir.path(), &args, "");
        assert_eq!(out.code, 0, "`{line}` failed:\n{}{}", out.stdout, out.stderr);
        if let Some(file) = redirect {
            std::fs::write(dir.path().join(file), &out.stdout).unwrap();
        }
        ran.push(args[0].to_string());
    }
    assert!(ran.iter().filter(|c| *c == "check").count() >= 2, "ran {ran:?}");
    assert!(ran.contains(&"render".to_string()), "ran {ran:?}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("archmap.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

fn archmap_has(command: &str) -> bool {
    run_in(&root(), &[command, "--help"], "").code == 0
}

#[test]
fn pre_commit_hooks_are_valid_and_run() {
    let hooks_path = root().join(".pre-commit-hooks.yaml");
    if have_tool("pre-commit", "--version") {
        let out = Command::new("pre-commit")
            .arg("validate-manifest")
            .arg(&hooks_path)
            .output()
            .expect("pre-commit runs");
        assert!(
            out.status.success(),
            "pre-commit rejects .pre-commit-hooks.yaml:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let hooks: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(&hooks_path).unwrap()).unwrap();
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["archmap-check", "archmap-render"]);
    let dir = project();
    for hook in hooks {
        let files = hook["files"].as_str().unwrap();
        assert_eq!(files, r"(^|/)archmap\.ya?ml$");
        let (entry, _) = words(hook["entry"].as_str().unwrap());
        assert_eq!(entry[0], "archmap");
        let mut args: Vec<&str> = entry[1..].iter().map(String::as_str).collect();
        // The arguments the documented configuration adds.
        if hook["id"] == "archmap-render" {
            args.extend(["--all-views", "-o", "docs/architecture"]);
        }
        let out = run_in(dir.path(), &args, "");
        assert_eq!(out.code, 0, "hook {} failed: {}", hook["id"], out.stderr);
    }
    // The render hook fails once the manifest changes without its diagrams.
    let manifest = dir.path().join("archmap.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("name: Acme Shop", "name: Acme Store")).unwrap();
    let out =
        run_in(dir.path(), &["render", "--check", "--all-views", "-o", "docs/architecture"], "");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("stale: docs/architecture/system.svg"), "{}", out.stderr);
}

#[test]
fn mkdocs_site_builds_with_the_rendered_diagrams() {
    if !have_tool("mkdocs", "--version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site-src");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    let recipe = root().join("docs/recipes/mkdocs");
    std::fs::copy(recipe.join("mkdocs.yml"), site.join("mkdocs.yml")).unwrap();
    std::fs::copy(recipe.join("docs/index.md"), site.join("docs/index.md")).unwrap();
    std::fs::copy(root().join("examples/ecommerce.yaml"), site.join("archmap.yaml")).unwrap();
    let out =
        run_in(&site, &["render", "archmap.yaml", "--all-views", "-o", "docs/architecture"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let build = Command::new("mkdocs")
        .args(["build", "--strict", "--site-dir"])
        .arg(dir.path().join("site"))
        .current_dir(&site)
        .output()
        .expect("mkdocs runs");
    assert!(
        build.status.success(),
        "mkdocs build --strict failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(
        html.contains("src=\"architecture/system.svg\""),
        "the page does not embed the diagram"
    );
    let copied = std::fs::read(dir.path().join("site/architecture/checkout.svg")).unwrap();
    assert_eq!(copied, std::fs::read(site.join("docs/architecture/checkout.svg")).unwrap());
}
