//! Benchmark of flows: `archmap check` on a manifest whose flows hold N steps in all, against
//! the same manifest without flows (the difference is what the flow checks and lowering cost),
//! and `render --flow` of one flow of N steps (reading, checking, the sequence layout and the
//! SVG), in-process, median and minimum of several runs. Printed as a Markdown table.
//!
//! ```text
//! cargo bench --bench flows                 # 100, 1,000 and 10,000 steps (drawn up to 1,000:
//!                                           # a drawing holds at most 300 lifelines)
//! cargo bench --bench flows -- 500 4000     # chosen sizes
//! ```
#![allow(clippy::print_stdout)]

mod cli;

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Time spent measuring one command at one size, beyond the warm-up.
const BUDGET: Duration = Duration::from_secs(3);
const MIN_ITERS: usize = 5;
const MAX_ITERS: usize = 100;
/// The largest flow drawn.
const DRAWN: usize = 1_000;

/// A system of `n / 4 + 8` components in a layered mesh, and (with `flows`) one flow of `n`
/// steps: calls that nest four deep and answer, a `par` block every 20 steps, a `loop` every 50.
fn manifest(n: usize, flows: bool) -> String {
    let width = n / 4 + 8;
    let mut y = String::from("version: 1\nname: Flows bench\nservices:\n");
    for i in 0..width {
        let deps: Vec<String> = (1..=4).map(|k| format!("c{}", (i + k) % width)).collect();
        let _ = writeln!(y, "  c{i}: {{ depends_on: [{}] }}", deps.join(", "));
    }
    if !flows {
        return y;
    }
    y.push_str("flows:\n  journey:\n    title: A long journey\n    steps:\n");
    let mut written = 0;
    let mut at = 0usize;
    while written < n {
        let a = at % width;
        if written % 50 == 49 {
            let _ = writeln!(
                y,
                "      - loop: again\n        steps: [{{ from: c{a}, to: c{}, returns: ok }}]",
                (a + 1) % width
            );
        } else if written % 20 == 19 {
            let _ = writeln!(
                y,
                "      - par: [[{{ from: c{a}, to: c{} }}], [{{ from: c{a}, to: c{} }}]]",
                (a + 1) % width,
                (a + 2) % width
            );
            written += 1;
        } else {
            let _ = writeln!(
                y,
                "      - {{ from: c{a}, to: c{}, label: step {written}, returns: done }}",
                (a + 1) % width
            );
        }
        written += 1;
        at = if written % 4 == 0 { at + 5 } else { at + 1 };
    }
    y
}

/// Median and minimum time of `archmap ARGS` in `dir`.
fn time(dir: &Path, args: &[&str]) -> (Duration, Duration) {
    let (code, out) = cli::run(dir, args);
    assert!(code <= 1, "{args:?} failed: {}", String::from_utf8_lossy(&out));
    let mut runs = Vec::new();
    let start = Instant::now();
    while runs.len() < MIN_ITERS || (start.elapsed() < BUDGET && runs.len() < MAX_ITERS) {
        let t = Instant::now();
        std::hint::black_box(cli::run(dir, args));
        runs.push(t.elapsed());
    }
    runs.sort_unstable();
    (runs[runs.len() / 2], runs[0])
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![100, 1_000, 10_000] } else { sizes };
    println!(
        "| steps | components | check without flows | check with flows | render --flow (SVG) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("plain.yaml"), manifest(n, false)).expect("write");
        std::fs::write(dir.path().join("flows.yaml"), manifest(n, true)).expect("write");
        let plain = time(dir.path(), &["check", "-q", "--format", "json", "plain.yaml"]);
        let with = time(dir.path(), &["check", "-q", "--format", "json", "flows.yaml"]);
        // A sequence diagram holds at most 300 lifelines (a quarter of the steps here).
        let render = if n <= DRAWN {
            let r = time(dir.path(), &["render", "-q", "flows.yaml", "--flow", "journey"]);
            format!("{} ms (min {})", ms(r.0), ms(r.1))
        } else {
            "over the drawing's limit".into()
        };
        println!(
            "| {n} | {} | {} ms (min {}) | {} ms (min {}) | {render} |",
            n / 4 + 8,
            ms(plain.0),
            ms(plain.1),
            ms(with.0),
            ms(with.1),
        );
    }
}
