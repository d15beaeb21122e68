//! The interactive page in a real browser: Debian's Chromium driven by playwright-core
//! (`tests/browser/run.mjs`). Skips with a message when the harness or Chromium is missing,
//! fails instead when `ARCHMAP_REQUIRE_TOOLS` is set (CI).
//!
//! `ARCHMAP_UPDATE_SCREENSHOTS=1` also writes the README's screenshot,
//! `docs/images/explore.png`; `cargo test --test integration browser_perf -- --ignored
//! --nocapture` measures the 10,000-component page (BENCHMARKS.md).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{root, run_in, temp_with};
use crate::synth::generator::{Params, generate};

/// The browser to drive.
fn chromium() -> PathBuf {
    std::env::var_os("ARCHMAP_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// The harness directory, when it and Chromium are installed.
fn harness() -> Option<PathBuf> {
    let dir = root().join("tests/browser");
    let ready = dir.join("node_modules/playwright-core").is_dir() && chromium().is_file();
    if !ready {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "the browser harness is required (ARCHMAP_REQUIRE_TOOLS is set): apt-get install \
             chromium; npm ci --prefix tests/browser"
        );
        eprintln!(
            "skipping the browser tests: install chromium and run `npm ci --prefix tests/browser`"
        );
        return None;
    }
    Some(dir)
}

/// Runs one mode of the harness and returns its JSON line; fails with its report.
fn drive(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .arg(dir.join("run.mjs"))
        .args(args)
        .env("ARCHMAP_CHROMIUM", chromium())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or("");
    let result: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!("the harness printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    assert!(
        out.status.success() && result["ok"] == true,
        "{}",
        result["error"].as_str().unwrap_or(line)
    );
    result
}

/// Renders `manifest` as HTML in `dir` and returns the page's path.
fn page_of(dir: &Path, manifest: &str) -> PathBuf {
    std::fs::write(dir.join("archmap.yaml"), manifest).unwrap();
    let out = run_in(dir, &["render", "-o", "page.html"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    dir.join("page.html")
}

#[test]
fn browser_explores_every_example() {
    let Some(harness) = harness() else { return };
    let update = std::env::var_os("ARCHMAP_UPDATE_SCREENSHOTS").is_some();
    for name in ["ecommerce.yaml", "ride-hailing.yaml", "banking.yaml"] {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(root().join("examples").join(name)).unwrap();
        let page = page_of(dir.path(), &text);
        let page = page.to_str().unwrap();
        let shot = root().join("docs/images/explore.png");
        let mut args = vec!["explore", page];
        if update && name == "ecommerce.yaml" {
            args.push(shot.to_str().unwrap());
        }
        let result = drive(&harness, &args);
        eprintln!("{name}: {result}");
        assert!(result["clicked"]["dimmed"].as_u64().unwrap() > 0, "{name}: something dims");
    }
}

#[test]
fn browser_runs_no_payload_of_a_hostile_manifest() {
    let Some(harness) = harness() else { return };
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/hostile/html-payloads.yaml")).unwrap();
    let page = page_of(dir.path(), &text);
    let result = drive(&harness, &["hostile", page.to_str().unwrap()]);
    assert!(result["clicks"].as_u64().unwrap() >= 4, "{result}");
}

#[test]
fn browser_follows_serve_through_edit_break_and_fix() {
    let Some(harness) = harness() else { return };
    let example = std::fs::read_to_string(root().join("examples/ecommerce.yaml")).unwrap();
    let dir = temp_with(&[("archmap.yaml", &example)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_archmap"))
        .args(["serve", "--port", "0"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("archmap starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap_or("").to_string();
    let manifest = dir.path().join("archmap.yaml");
    let result =
        std::panic::catch_unwind(|| drive(&harness, &["serve", &url, manifest.to_str().unwrap()]));
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let status = child.wait().expect("archmap exits");
    let result = result.unwrap_or_else(|e| std::panic::resume_unwind(e));
    assert_eq!(status.code(), Some(0), "serve stops cleanly on Ctrl-C");
    assert!(result["error"].as_str().unwrap().contains("archmap.yaml:"), "{result}");
}

/// The 10,000-component page: first paint, frame time while panning, time to select. Not run
/// by default (it takes minutes in a debug build); BENCHMARKS.md records its figures.
#[test]
#[ignore = "a measurement, run by hand: see BENCHMARKS.md"]
fn browser_perf() {
    let Some(harness) = harness() else { return };
    let n = std::env::var("ARCHMAP_PERF_COMPONENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let synth = generate(&Params::new(n, 42));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("archmap.yaml"), &synth.yaml).unwrap();
    if let Some(keep) = std::env::var_os("ARCHMAP_PERF_MANIFEST") {
        std::fs::write(keep, &synth.yaml).unwrap();
    }
    let started = std::time::Instant::now();
    let out = run_in(dir.path(), &["render", "-q", "-o", "page.html"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let render = started.elapsed();
    let size = std::fs::metadata(dir.path().join("page.html")).unwrap().len();
    let page = dir.path().join("page.html");
    let result = drive(&harness, &["perf", page.to_str().unwrap()]);
    eprintln!("{n} components: render {render:?}, {size} bytes, {result}");
}
