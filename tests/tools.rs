//! The last line of `cargo test`: which external validators were missing, so which tests
//! skipped their checks, and the one command that installs them all.
//!
//! Tests that need a validator (Graphviz, the Mermaid parser, the SARIF multitool, Chromium,
//! action-validator, hadolint, pre-commit, `MkDocs`, junitparser, xmlschema…) skip when it is not
//! installed, and a passing test's output is hidden by the test harness. This target has no
//! harness: cargo runs it after the integration tests and shows what it prints. It looks for
//! the same tools the same way the tests do. With `ARCHMAP_REQUIRE_TOOLS` set (CI), a missing
//! tool fails the run.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A validator: its name, what the tests use it for, and whether it is installed.
struct Tool {
    name: &'static str,
    checks: &'static str,
    found: bool,
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn exists(root: &Path, path: &str) -> bool {
    root.join(path).exists()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var_os("ARCHMAP_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    let tools = [
        Tool { name: "Graphviz dot", checks: "DOT output", found: runs("dot", &["-V"]) },
        Tool {
            name: "mermaid (npm, tests/mermaid)",
            checks: "Mermaid output",
            found: exists(&root, "tests/mermaid/node_modules/mermaid"),
        },
        Tool {
            name: "SARIF multitool (npm, tests/sarif)",
            checks: "SARIF reports",
            found: exists(&root, "tests/sarif/node_modules/.bin/sarif-multitool"),
        },
        Tool {
            name: "Chromium and playwright-core (tests/browser)",
            checks: "the HTML page",
            found: chromium.is_file()
                && exists(&root, "tests/browser/node_modules/playwright-core"),
        },
        Tool {
            name: "action-validator (npm, tests/recipes)",
            checks: "action.yml and the workflows",
            found: exists(&root, "tests/recipes/node_modules/.bin/action-validator"),
        },
        Tool {
            name: "hadolint",
            checks: "the Dockerfile",
            found: runs("hadolint", &["--version"]),
        },
        Tool {
            name: "pre-commit",
            checks: "the pre-commit hooks",
            found: runs("pre-commit", &["--version"]),
        },
        Tool { name: "mkdocs", checks: "the MkDocs recipe", found: runs("mkdocs", &["--version"]) },
        Tool {
            name: "junitparser (Python)",
            checks: "JUnit reports",
            found: runs("python3", &["-c", "import junitparser"]),
        },
        Tool {
            name: "xmlschema (Python)",
            checks: "Checkstyle reports",
            found: runs("python3", &["-c", "import xmlschema"]),
        },
        Tool { name: "man", checks: "the man pages", found: runs("man", &["--version"]) },
    ];
    let missing: Vec<&Tool> = tools.iter().filter(|t| !t.found).collect();
    if missing.is_empty() {
        println!("external validators: all {} installed, no test skipped a check", tools.len());
        return;
    }
    let list: Vec<String> = missing.iter().map(|t| format!("{} ({})", t.name, t.checks)).collect();
    let line = format!(
        "external validators: {} of {} missing, their checks skipped: {}; install them all with \
         `bash scripts/install-test-tools.sh`",
        missing.len(),
        tools.len(),
        list.join(", ")
    );
    if std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_some() {
        eprintln!("{line}");
        std::process::exit(1);
    }
    println!("{line}");
}
