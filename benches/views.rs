//! Benchmark of `render --all-views` against rendering the whole system once.
//!
//! Generates a synthetic manifest (`benches/synth`, 1,000 components by default), adds views
//! to the ones it has (one per top-level domain group, a collapsed overview and a few focus views), then
//! times in-process: `render` of the whole system to SVG, and `render --all-views` (the whole
//! system plus every view), interleaved, best of 7. The goal: every view together stays within 2× the time of the
//! whole system alone. Prints a Markdown table.
//!
//! ```text
//! cargo bench --bench views            # 1,000 components
//! cargo bench --bench views -- 3000    # chosen sizes
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The generator's summary fields serve the check bench; this one reads only some.
#![allow(dead_code)]

mod cli;
mod synth;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use synth::{Params, generate};

const SEED: u64 = 42;

/// Top-level groups (no `parent:`) and the first component ids of the generated YAML.
fn ids(yaml: &str) -> (Vec<String>, Vec<String>) {
    let mut groups: Vec<(String, bool)> = Vec::new();
    let mut services = Vec::new();
    let mut section = "";
    for line in yaml.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            section = line.trim_end_matches(':');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let key = line.trim().trim_end_matches(':');
        match (section, indent) {
            ("groups", 2) => groups.push((key.to_string(), true)),
            ("groups", 4) if key.starts_with("parent") => {
                if let Some(g) = groups.last_mut() {
                    g.1 = false;
                }
            }
            ("services", 2) => services.push(key.to_string()),
            _ => {}
        }
    }
    (groups.into_iter().filter(|g| g.1).map(|g| g.0).collect(), services)
}

/// The generated manifest with views added to its `views:` section (or a new one).
fn with_views(yaml: &str) -> (String, usize) {
    let (top, services) = ids(yaml);
    let mut views = String::new();
    let mut count = 0;
    for g in &top {
        let _ =
            writeln!(views, "  domain-{g}:\n    title: Domain {g}\n    include: [\"group:{g}\"]");
        count += 1;
    }
    let _ = writeln!(views, "  overview:\n    title: Overview\n    collapse: [{}]", top.join(", "));
    count += 1;
    let step = (services.len() / 4).max(1);
    for s in services.iter().step_by(step).take(4) {
        let _ =
            writeln!(views, "  around-{s}:\n    title: Around {s}\n    focus: [{s}]\n    depth: 2");
        count += 1;
    }
    // The generator may write views of its own: a second `views:` key would not add to them.
    let out = match yaml.find("\nviews:\n") {
        Some(at) => {
            let at = at + "\nviews:\n".len();
            count += yaml[at..]
                .lines()
                .take_while(|l| l.is_empty() || l.starts_with(' '))
                .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
                .count();
            format!("{}{views}{}", &yaml[..at], &yaml[at..])
        }
        None => format!("{yaml}\nviews:\n{views}"),
    };
    (out, count)
}

/// Runs archmap in-process in `dir`; panics unless it exits 0. Returns how long it took.
fn run(dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let (code, _) = cli::run(dir, args);
    let took = start.elapsed();
    assert_eq!(code, 0, "archmap {args:?} found errors");
    took
}

fn main() -> ExitCode {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1000];
    }
    println!("| components | views | whole system | all views (with the system) | ratio |");
    println!("|---:|---:|---:|---:|---:|");
    let mut over = false;
    for n in sizes {
        let s = generate(&Params::new(n, SEED));
        let (yaml, views) = with_views(&s.yaml);
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("archmap.yaml"), yaml).expect("write the manifest");
        let max = n.to_string();
        let common = ["render", "archmap.yaml", "-q", "--max-nodes", &max];
        // Interleaved, best of each: the fairest comparison on a shared, noisy machine.
        let runs = if n > 2000 { 1 } else { 7 };
        let (mut whole, mut all) = (Duration::MAX, Duration::MAX);
        if let Some(keep) = std::env::var_os("ARCHMAP_BENCH_KEEP") {
            std::fs::copy(dir.path().join("archmap.yaml"), keep).expect("copy the manifest");
        }
        for _ in 0..runs {
            whole = whole.min(run(dir.path(), &[&common[..], &["-o", "system.svg"]].concat()));
            all = all.min(run(dir.path(), &[&common[..], &["--all-views", "-o", "out"]].concat()));
        }
        let ratio = all.as_secs_f64() / whole.as_secs_f64();
        over |= ratio > 2.0;
        println!(
            "| {} | {views} | {:.2} s | {:.2} s | {ratio:.2}× |",
            s.components,
            whole.as_secs_f64(),
            all.as_secs_f64()
        );
    }
    if over {
        eprintln!("all views took more than twice the whole system");
    }
    ExitCode::SUCCESS
}
