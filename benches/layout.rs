//! Benchmark of the native layout against Graphviz, for speed, memory and drawing quality.
//!
//! For each size it generates a synthetic manifest (`benches/synth`), then: times archmap's
//! whole `render --format svg` in-process (best of a few runs below 3,000 components, one run
//! above), times `dot -Tsvg` on archmap's own `render --format dot` output (killed after the
//! timeout and reported as "timeout"), measures archmap's peak RSS in a child process (this
//! binary again, reading `VmHWM`), and computes `layout::quality` metrics for archmap's layout
//! (from `render --format json`) and for dot's (from `dot -Tjson`: node `pos`/`width`/`height`,
//! cluster `bb` and members, edge splines `_draw_` sampled into polylines, arrow tips from the
//! edges' `pos`, edge and cluster label text from `_ldraw_`), among them the measures of how
//! easily edges are traced (parallel overlap, with and without pairs of edges sharing an end;
//! edges through foreign group frames; arrowheads closer than 10 units on one box) and the
//! drawing's aspect ratio, with the time those tracing measures take on each synthetic drawing.
//! Prints Markdown tables; first the same metrics on every example and render fixture and the
//! imported compose projects, top to bottom and left to right (`--no-examples` skips them,
//! `--examples-only` runs only them).
//!
//! ```text
//! cargo bench --bench layout                       # 100, 1,000, 3,000 and 10,000 components
//! cargo bench --bench layout -- 100 1000           # chosen sizes
//! cargo bench --bench layout -- --timeout 30 3000  # Graphviz time limit in seconds
//! cargo bench --bench layout -- --no-dot 10000     # archmap only
//! cargo bench --bench layout -- --examples-only    # the examples, fixtures and imported compose projects only
//! cargo bench --bench layout -- --examples-only --only ftgo  # those whose path contains "ftgo"
//! cargo bench --bench layout -- --dir DIR          # every .yaml of DIR instead of the examples
//! cargo bench --bench layout -- --measure FILE     # time layout::quality on a saved drawing
//! ```
//!
//! `--measure` (repeatable) reads archmap's `render --format json` or Graphviz's `-Tjson` and
//! prints how long `quality` and each tracing measure take on it, with their values.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The generator's summary fields serve the check bench; this one reads only some.
#![allow(dead_code)]

mod cli;
mod synth;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use archmap::quality::{
    Drawing, Quality, close_arrowheads, extent, foreign_frame_crossings, parallel_overlap, quality,
    weighted_crossings,
};

use synth::{Params, generate};

const SEED: u64 = 42;

#[allow(clippy::too_many_lines, reason = "benchmark driver: options, runs, report")]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("--peak-child") {
        return peak_child(Path::new(&args[1]));
    }
    let mut sizes = Vec::new();
    let mut timeout = 120u64;
    let mut use_dot = true;
    let mut examples = true;
    let mut only: Option<String> = None;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut measure = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--timeout" => timeout = it.next().and_then(|t| t.parse().ok()).unwrap_or(120),
            "--no-dot" => use_dot = false,
            "--no-examples" => examples = false,
            "--examples-only" => sizes.push(0),
            "--only" => only = it.next().cloned(),
            "--measure" => measure.extend(it.next().cloned()),
            "--dir" => {
                dir = it.next().map(std::path::PathBuf::from);
                sizes.push(0);
            }
            n => {
                let Ok(n) = n.parse::<usize>() else {
                    eprintln!("unknown argument {n}");
                    return ExitCode::from(2);
                };
                sizes.push(n);
            }
        }
    }
    if !measure.is_empty() {
        return measure_files(&measure);
    }
    if sizes.is_empty() {
        sizes = vec![100, 1000, 3000, 10000];
    }
    if examples && use_dot {
        print_examples(timeout, only.as_deref(), dir.as_deref());
    }
    sizes.retain(|&n| n > 0);
    if sizes.is_empty() {
        return ExitCode::SUCCESS;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut speed = Vec::new();
    let mut qual = Vec::new();
    for &n in &sizes {
        let s = generate(&Params::new(n, SEED));
        let path = dir.path().join(format!("synth-{n}.yaml"));
        std::fs::write(&path, &s.yaml).expect("write the manifest");
        let file = path.to_str().expect("UTF-8 path");
        let runs = if n < 3000 { 3 } else { 1 };
        eprintln!("N = {n}: archmap render --format svg ({runs} runs)");
        let mut ours = Duration::MAX;
        for _ in 0..runs {
            let t = Instant::now();
            run_cli(dir.path(), &["render", "--format", "svg", "--max-nodes", "1000000", file]);
            ours = ours.min(t.elapsed());
        }
        let json = run_cli(dir.path(), &["render", "--format", "json", file]);
        let our_d = drawing_from_json(&json);
        let our_q = quality(&our_d);
        let our_t = tracing_time(&our_d);
        let dot_text = run_cli(dir.path(), &["render", "--format", "dot", file]);
        eprintln!("N = {n}: peak memory");
        let peak = peak_memory(&path);
        let (dot_time, dot_q) = if use_dot {
            eprintln!("N = {n}: dot -Tsvg (timeout {timeout} s)");
            let t = Instant::now();
            let svg = run_dot(&dot_text, "-Tsvg", timeout);
            let dt = t.elapsed();
            let q = svg.as_ref().and_then(|_| {
                eprintln!("N = {n}: dot -Tjson");
                run_dot(&dot_text, "-Tjson", timeout).and_then(|j| Drawing::from_graphviz_json(&j))
            });
            (svg.map(|_| dt), q.map(|d| (quality(&d), tracing_time(&d))))
        } else {
            (None, None)
        };
        eprintln!(
            "N = {n}: tracing measures on archmap's drawing ({} edges, {} points) {:.3} s",
            our_d.edge_count(),
            our_d.point_count(),
            our_t.as_secs_f64()
        );
        speed.push((n, s.edges, ours, dot_time, use_dot, peak));
        qual.push((n, (our_q, our_t), dot_q));
    }
    println!("### Speed (seed {SEED}; Graphviz timeout {timeout} s)\n");
    println!(
        "| components | dependencies | archmap render svg | dot -Tsvg | ratio | archmap peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for (n, e, ours, dot, tried, peak) in &speed {
        let dot_s = match dot {
            Some(d) => format!("{:.2} s", d.as_secs_f64()),
            None if *tried => "timeout".into(),
            None => "not run".into(),
        };
        let ratio = match dot {
            Some(d) => {
                let r = d.as_secs_f64() / ours.as_secs_f64();
                // Below 10, one decimal: a ratio under 1 (dot faster) must not read "0×".
                if r < 10.0 { format!("{r:.1}×") } else { format!("{r:.0}×") }
            }
            None if *tried => format!("> {:.0}×", timeout as f64 / ours.as_secs_f64()),
            None => "–".into(),
        };
        let peak = peak.map_or("–".into(), |p| format!("{:.0} MiB", p as f64 / 1_048_576.0));
        println!("| {n} | {e} | {:.3} s | {dot_s} | {ratio} | {peak} |", ours.as_secs_f64());
    }
    println!("\n### Quality (layout::quality; archmap / dot)\n");
    println!(
        "| components | crossings | node overlaps | edges through nodes | label overlaps | members outside | non-members inside | area per node | {TRACING_HEADER} | tracing measures time |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|{TRACING_ALIGN}---:|");
    for (n, (ours, our_t), dot) in &qual {
        let pair = |f: &dyn Fn(&Quality) -> String| {
            format!("{} / {}", f(ours), dot.as_ref().map_or("–".into(), |d| f(&d.0)))
        };
        let time = |t: &Duration| format!("{:.3} s", t.as_secs_f64());
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
            pair(&|q| q.crossings.to_string()),
            pair(&|q| q.node_overlaps.to_string()),
            pair(&|q| q.edges_through_nodes.to_string()),
            pair(&|q| q.label_overlaps.to_string()),
            pair(&|q| q.members_outside.to_string()),
            pair(&|q| q.non_members_inside.to_string()),
            pair(&|q| format!("{:.0}", q.area_per_node)),
            tracing_cells(ours, dot.as_ref().map(|d| &d.0)),
            time(our_t),
            dot.as_ref().map_or("–".into(), |d| time(&d.1)),
        );
    }
    ExitCode::SUCCESS
}

/// Headers of the columns [`tracing_cells`] fills.
const TRACING_HEADER: &str = "parallel overlap | parallel overlap, no shared end | through foreign frames | aspect ratio | close arrowheads";
/// Their alignment row.
const TRACING_ALIGN: &str = "---:|---:|---:|---:|---:|";

/// The tracing measures of archmap's drawing and dot's, as Markdown cells (archmap / dot):
/// parallel overlap in percent of the edges' core length (both variants), edges through
/// foreign group frames, aspect ratio, arrowheads closer than 10 units on one box.
fn tracing_cells(ours: &Quality, dot: Option<&Quality>) -> String {
    let pair =
        |f: &dyn Fn(&Quality) -> String| format!("{} / {}", f(ours), dot.map_or("–".into(), f));
    [
        pair(&|q| format!("{:.1} %", 100.0 * q.parallel_overlap)),
        pair(&|q| format!("{:.1} %", 100.0 * q.parallel_overlap_disjoint)),
        pair(&|q| q.foreign_frames.to_string()),
        pair(&|q| format!("{:.2}", q.aspect_ratio)),
        pair(&|q| q.close_arrowheads.to_string()),
    ]
    .join(" | ")
}

/// Times `quality` and each tracing measure on saved drawings (archmap's JSON or dot's).
fn measure_files(files: &[String]) -> ExitCode {
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            eprintln!("cannot read {file}");
            return ExitCode::from(2);
        };
        let d = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .filter(|v| v.get("version").is_some())
            .and_then(|v| Drawing::from_json(&v).ok())
            .or_else(|| Drawing::from_graphviz_json(&text));
        let Some(d) = d else {
            eprintln!("{file}: neither archmap's JSON nor dot's");
            return ExitCode::from(2);
        };
        let points = d.point_count();
        println!("{file}: {} nodes, {} edges, {points} points", d.node_count(), d.edge_count());
        // Merged edges of a collapsed view end their label with their count ("×24").
        let weights: Vec<usize> = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("edges").and_then(|e| e.as_array()).cloned())
            .unwrap_or_default()
            .iter()
            .map(|e| {
                e.pointer("/label/text")
                    .and_then(|t| t.as_str())
                    .and_then(|t| t.rsplit('×').next().filter(|_| t.contains('×')))
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(1)
            })
            .collect();
        if weights.iter().any(|&w| w > 1) && weights.len() == d.edge_count() {
            let t = Instant::now();
            let c = weighted_crossings(&d, &weights);
            println!(
                "  weighted crossings {c} (edges weighted by their count, {} in all) in {:.3} s",
                weights.iter().sum::<usize>(),
                t.elapsed().as_secs_f64()
            );
        }
        let t = Instant::now();
        let share = parallel_overlap(&d);
        let t_share = t.elapsed();
        let t = Instant::now();
        let frames = foreign_frame_crossings(&d);
        let t_frames = t.elapsed();
        let t = Instant::now();
        let heads = close_arrowheads(&d);
        let t_heads = t.elapsed();
        println!(
            "  parallel overlap {:.2} % ({:.2} % no shared end) in {:.3} s; through foreign frames {frames} in {:.3} s; close arrowheads {heads} in {:.3} s",
            100.0 * share.0,
            100.0 * share.1,
            t_share.as_secs_f64(),
            t_frames.as_secs_f64(),
            t_heads.as_secs_f64()
        );
        let t = Instant::now();
        let q = quality(&d);
        println!("  quality (all measures) in {:.3} s: {q:?}", t.elapsed().as_secs_f64());
    }
    ExitCode::SUCCESS
}

/// How long the tracing measures (parallel overlap, foreign frames, close arrowheads) take on
/// `d`, all three once.
fn tracing_time(d: &Drawing) -> Duration {
    let t = Instant::now();
    std::hint::black_box(parallel_overlap(std::hint::black_box(d)));
    std::hint::black_box(foreign_frame_crossings(d));
    std::hint::black_box(close_arrowheads(d));
    t.elapsed()
}

/// The `.yaml` files of a directory, sorted.
fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("directory exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// The examples and render fixtures, as (file, extra arguments).
fn example_manifests() -> Vec<(std::path::PathBuf, Vec<&'static str>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["examples", "tests/fixtures/render"]
        .iter()
        .flat_map(|dir| yaml_files(&root.join(dir)))
        .map(|p| {
            let view = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("view-"));
            (p, if view { vec!["--view", "collapsed"] } else { Vec::new() })
        })
        .collect()
}

/// Real systems not designed for archmap: every docker-compose project of the importer's
/// corpus (`tests/fixtures/compose`), imported with its default files (the base and its
/// override) into `dir` as `compose-NAME.yaml`.
fn imported_manifests(dir: &Path) -> Vec<(std::path::PathBuf, Vec<&'static str>)> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose");
    let mut projects: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the compose corpus is there")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let mut out = Vec::new();
    for project in projects {
        let name = project.file_name().expect("a name").to_string_lossy().into_owned();
        let target = dir.join(format!("compose-{name}.yaml"));
        let target_arg = target.to_str().expect("UTF-8 path").to_string();
        let (code, _) = cli::run(&project, &["import", "compose", "-o", &target_arg]);
        if code == 0 {
            out.push((target, Vec::new()));
        }
    }
    out
}

/// Quality of archmap's layout and dot's on every example and render fixture (in the default
/// direction, top to bottom and left to right), as a Markdown table.
fn print_examples(timeout: u64, only: Option<&str>, dir: Option<&Path>) {
    println!("### Examples and render fixtures (layout::quality; archmap / dot)\n");
    println!(
        "| manifest | dir | crossings | edges through nodes | label overlaps | edges through titles | width × height | area per node | area ratio | {TRACING_HEADER} |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|{TRACING_ALIGN}");
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    let imported = tempfile::tempdir().expect("a temporary directory");
    let mut manifests = if let Some(d) = dir {
        yaml_files(d).into_iter().map(|p| (p, Vec::new())).collect()
    } else {
        let mut m = example_manifests();
        m.extend(imported_manifests(imported.path()));
        m
    };
    if let Some(only) = only {
        manifests.retain(|(p, _)| p.to_string_lossy().contains(only));
    }
    // `default`: no `--direction`, so archmap may turn a wide drawing (docs/layout.md) while
    // dot, given archmap's DOT, draws top to bottom as it does by default.
    let dirs = ["default", "TB", "LR"];
    let mut totals = [(0usize, 0usize); 3];
    for (path, extra) in manifests {
        let file = path.to_str().expect("UTF-8 path");
        let name = path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
        for (k, dir) in dirs.iter().copied().enumerate() {
            let args = |format: &'static str| {
                let mut a = vec!["render", "--format", format, file];
                if dir != "default" {
                    a.extend(["--direction", dir]);
                }
                a.extend(extra.iter().copied());
                a
            };
            let ours_d = drawing_from_json(&run_cli(cwd, &args("json")));
            let ours = quality(&ours_d);
            let dot_d = run_dot(&run_cli(cwd, &args("dot")), "-Tjson", timeout)
                .and_then(|j| Drawing::from_graphviz_json(&j));
            let dot = dot_d.as_ref().map(quality);
            let size = |d: &Drawing| {
                let (w, h) = extent(d);
                format!("{w:.0} × {h:.0}")
            };
            let pair = |f: &dyn Fn(&Quality) -> String| {
                format!("{} / {}", f(&ours), dot.as_ref().map_or("–".into(), f))
            };
            if let Some(d) = &dot {
                let t = &mut totals[k];
                t.0 += ours.crossings;
                t.1 += d.crossings;
            }
            let ratio = dot
                .filter(|d| d.area_per_node > 0.0)
                .map_or("–".into(), |d| format!("{:.2}", ours.area_per_node / d.area_per_node));
            println!(
                "| {name} | {dir} | {} | {} | {} | {} | {} / {} | {} | {ratio} | {} |",
                pair(&|q| q.crossings.to_string()),
                pair(&|q| q.edges_through_nodes.to_string()),
                pair(&|q| q.label_overlaps.to_string()),
                pair(&|q| q.edges_through_titles.to_string()),
                size(&ours_d),
                dot_d.as_ref().map_or("–".into(), size),
                pair(&|q| format!("{:.0}", q.area_per_node)),
                tracing_cells(&ours, dot.as_ref()),
            );
        }
    }
    println!();
    for (dir, (ours, dot)) in dirs.iter().zip(totals) {
        println!("All of the above, {dir}: {ours} crossings for archmap, {dot} for dot.");
    }
    println!();
}

/// `archmap ARGS` in-process; returns standard output.
fn run_cli(cwd: &Path, args: &[&str]) -> String {
    String::from_utf8(cli::run(cwd, args).1).expect("UTF-8 output")
}

/// `dot FORMAT` on `input`, `None` on failure or after `timeout` seconds.
fn run_dot(input: &str, format: &str, timeout: u64) -> Option<String> {
    let mut child = Command::new("dot")
        .arg(format)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let text = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let _ = writer.join();
            let out = reader.join().ok()?;
            return status.success().then_some(out);
        }
        if start.elapsed() > Duration::from_secs(timeout) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A drawing from archmap's `--format json`.
fn drawing_from_json(text: &str) -> Drawing {
    let doc: serde_json::Value = serde_json::from_str(text).expect("archmap JSON");
    Drawing::from_json(&doc).expect("archmap's JSON scene")
}

/// Peak resident set (bytes) of a child that runs one `archmap render --format svg` of `path`.
fn peak_memory(path: &Path) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe).arg("--peak-child").arg(path).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn peak_child(path: &Path) -> ExitCode {
    let dir = path.parent().unwrap_or(Path::new("."));
    let file = path.to_str().expect("UTF-8 path");
    run_cli(dir, &["render", "--format", "svg", "--max-nodes", "1000000", file]);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse().ok())
        .unwrap_or(0);
    println!("{}", kib * 1024);
    ExitCode::SUCCESS
}
