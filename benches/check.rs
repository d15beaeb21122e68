//! Benchmark of `archmap check` on synthetic manifests (see `benches/synth`).
//!
//! For each size it times, with a warm-up and several iterations (median and minimum):
//! stages 1–2 (parse and lower, together and each alone), stage 3 (every check enabled by
//! default, through the library API) and the whole `archmap check`
//! command in-process (human and JSON reports, the manifest read from a temporary file). Peak
//! memory of one full check is measured in a child process (this binary again) that reads its
//! own `VmHWM` from `/proc/self/status`. The result is printed as a Markdown table.
//!
//! ```text
//! cargo bench --bench check                      # 100, 1,000 and 10,000 components
//! cargo bench --bench check -- 100 1000          # chosen sizes
//! cargo bench --bench check -- --seed 7 --cycles 5 --async-cycles 1 --no-groups 1000
//! cargo bench --bench check -- --emit 10000 big.yaml   # only write a manifest
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod synth;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use archmap::{FileSystem, LoadOptions};

use synth::{Params, generate};

/// The seed used unless `--seed` says otherwise.
const DEFAULT_SEED: u64 = 42;
/// Time spent measuring one stage at one size, beyond the warm-up.
const BUDGET: Duration = Duration::from_secs(3);
const MIN_ITERS: usize = 7;
const MAX_ITERS: usize = 200;

/// Hands stage 1 the manifest already in memory; it has no includes to read.
struct MemFs;

impl FileSystem for MemFs {
    fn read(&self, _path: &Path) -> Result<Vec<u8>, String> {
        Err("no such file".into())
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(path.to_path_buf())
    }
}

struct Options {
    sizes: Vec<usize>,
    seed: u64,
    groups: bool,
    estate: bool,
    cycles: Option<usize>,
    async_cycles: Option<usize>,
    emit: Option<(usize, PathBuf)>,
    peak_child: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        sizes: Vec::new(),
        seed: DEFAULT_SEED,
        groups: true,
        estate: false,
        cycles: None,
        async_cycles: None,
        emit: None,
        peak_child: None,
    };
    // `cargo bench` passes `--bench`; a harness-less bench ignores it.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let number = |s: Option<String>, what: &str| -> Result<usize, String> {
        let s = s.ok_or_else(|| format!("{what} takes a number"))?;
        s.replace(['_', ','], "").parse().map_err(|_| format!("{what}: `{s}` is not a number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => o.seed = number(args.next(), "--seed")? as u64,
            "--no-groups" => o.groups = false,
            "--estate" => o.estate = true,
            "--cycles" => o.cycles = Some(number(args.next(), "--cycles")?),
            "--async-cycles" => o.async_cycles = Some(number(args.next(), "--async-cycles")?),
            "--emit" => {
                let n = number(args.next(), "--emit")?;
                let path = args.next().ok_or("--emit takes N and PATH")?;
                o.emit = Some((n, PathBuf::from(path)));
            }
            "--peak-child" => {
                o.peak_child = Some(PathBuf::from(args.next().ok_or("--peak-child takes a path")?));
            }
            "-h" | "--help" => {
                return Err("usage: check [--seed S] [--cycles C] [--async-cycles C] [--no-groups] [--estate] [N...] | --emit N PATH".into());
            }
            _ => o.sizes.push(number(Some(a), "a size")?),
        }
    }
    if o.sizes.is_empty() {
        o.sizes = vec![100, 1_000, 10_000];
    }
    Ok(o)
}

impl Options {
    fn params(&self, components: usize) -> Params {
        let mut p = Params::new(components, self.seed);
        p.groups = self.groups;
        p.estate = self.estate;
        if let Some(c) = self.cycles {
            p.cycles = c;
        }
        if let Some(c) = self.async_cycles {
            p.async_cycles = c;
        }
        p
    }
}

#[allow(clippy::too_many_lines, reason = "benchmark driver: options, runs, report")]
fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &o.peak_child {
        return peak_child(path);
    }
    if let Some((n, path)) = &o.emit {
        let s = generate(&o.params(*n));
        if let Err(e) = std::fs::write(path, &s.yaml) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "wrote {}: {} components, {} dependencies, {} sync and {} async cycles injected, {} KiB",
            path.display(),
            s.components,
            s.edges,
            s.sync_cycles,
            s.async_cycles,
            s.yaml.len() / 1024
        );
        return ExitCode::SUCCESS;
    }

    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for &n in &o.sizes {
        eprintln!("N = {n}: generating");
        let s = generate(&o.params(n));
        let path = dir.path().join(format!("synth-{n}.yaml"));
        std::fs::write(&path, &s.yaml).expect("write the manifest");
        let bytes = s.yaml.as_bytes().to_vec();
        let name = path.display().to_string();
        let options = LoadOptions::default();

        eprintln!("N = {n}: parse + lower");
        let stages_1_2 = measure(|| {
            let loaded = archmap::load(&name, Some(&path), bytes.clone(), &MemFs, &options);
            archmap::lower(&loaded)
        });
        let parse = measure(|| archmap::load(&name, Some(&path), bytes.clone(), &MemFs, &options));
        let loaded = archmap::load(&name, Some(&path), bytes.clone(), &MemFs, &options);
        assert!(
            !loaded.has_fatal(),
            "the synthetic manifest does not parse: {:?}",
            loaded.diagnostics.first()
        );
        let lower = measure(|| archmap::lower(&loaded));
        let (config, _) = archmap::config(&loaded);
        let model = archmap::lower(&loaded);
        eprintln!("N = {n}: checks");
        let checks = measure(|| archmap::check(&model, &config));
        let findings = archmap::check(&model, &config);
        let mut codes: Vec<(&str, usize)> = Vec::new();
        for d in &findings {
            match codes.iter_mut().find(|(c, _)| *c == d.code) {
                Some((_, k)) => *k += 1,
                None => codes.push((d.code, 1)),
            }
        }
        codes.sort_unstable();
        let codes: Vec<String> = codes.iter().map(|(c, k)| format!("{c} ×{k}")).collect();
        notes.push(format!(
            "- {}: {} components, {} dependencies, findings: {}",
            thousands(n),
            thousands(model.component_count()),
            thousands(model.dependency_count()),
            if codes.is_empty() { "none".to_string() } else { codes.join(", ") }
        ));

        eprintln!("N = {n}: archmap check");
        let file = path.to_str().expect("a UTF-8 temporary path");
        let human = measure(|| run_cli(dir.path(), &["check", file]));
        let json = measure(|| run_cli(dir.path(), &["check", "--format", "json", file]));
        eprintln!("N = {n}: peak memory");
        let peak = peak_memory(&path);

        rows.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            thousands(n),
            thousands(s.edges),
            thousands(s.yaml.len() / 1024),
            stages_1_2,
            parse,
            lower,
            checks,
            human,
            json,
            peak.map_or_else(
                |e| format!("n/a ({e})"),
                |(base, peak)| format!("{:.1} ({:.1})", mib(peak), mib(base))
            ),
        ));
    }

    println!(
        "| components | dependencies | YAML KiB | parse + lower ms | parse ms | lower ms | checks ms | `archmap check` ms | `check --format json` ms | peak RSS MiB (at start) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!("{r}");
    }
    println!();
    println!(
        "Times: median (minimum) of at least {MIN_ITERS} runs after a warm-up. Seed {}.",
        o.seed
    );
    println!("Rules: {}.", enabled_rules());
    for n in &notes {
        println!("{n}");
    }
    ExitCode::SUCCESS
}

/// Median and minimum of one measurement.
struct Stats {
    median: Duration,
    min: Duration,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        // Three significant digits or so: 1.23, 12.3, 123.
        let digits = |v: f64| 2 - usize::from(v >= 10.0) - usize::from(v >= 100.0);
        let (m, n) = (ms(self.median), ms(self.min));
        write!(f, "{m:.0$} ({n:.1$})", digits(m), digits(n))
    }
}

/// Runs `f` once to warm up, then as often as fits in [`BUDGET`], within the iteration bounds.
fn measure<R>(mut f: impl FnMut() -> R) -> Stats {
    let start = Instant::now();
    black_box(f());
    let first = start.elapsed().max(Duration::from_micros(1));
    let iters =
        (BUDGET.as_nanos() / first.as_nanos()).clamp(MIN_ITERS as u128, MAX_ITERS as u128) as usize;
    let mut samples: Vec<Duration> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    samples.sort_unstable();
    Stats { median: samples[samples.len() / 2], min: samples[0] }
}

/// `archmap ARGS` in-process, output to memory; returns the exit code.
fn run_cli(cwd: &Path, args: &[&str]) -> u8 {
    let (code, stdout) = cli::run(cwd, args);
    black_box(stdout.len());
    code
}

/// Peak and starting resident set (bytes) of a child that runs one `archmap check` of `path`.
fn peak_memory(path: &Path) -> Result<(u64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out =
        Command::new(exe).arg("--peak-child").arg(path).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace().map(str::parse::<u64>);
    match (it.next(), it.next()) {
        (Some(Ok(base)), Some(Ok(peak))) => Ok((base, peak)),
        _ => Err(format!("child said {:?}", String::from_utf8_lossy(&out.stderr).trim())),
    }
}

/// In the child: one full check, then the starting and peak `VmHWM` in bytes on stdout.
fn peak_child(path: &Path) -> ExitCode {
    let Some(base) = vm_hwm() else {
        eprintln!("no VmHWM in /proc/self/status");
        return ExitCode::from(2);
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    run_cli(dir, &["check", path.to_str().expect("a UTF-8 path")]);
    let Some(peak) = vm_hwm() else {
        return ExitCode::from(2);
    };
    println!("{base} {peak}");
    ExitCode::SUCCESS
}

/// The process's peak resident set size in bytes, from `/proc/self/status` (Linux).
fn vm_hwm() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

/// `10000` → `10,000`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The checks enabled by default, by code.
fn enabled_rules() -> String {
    let codes: Vec<String> = archmap::rules()
        .filter(|m| m.default_level != archmap::vocab::Level::Off)
        .map(|m| format!("{} {}", m.code, m.id))
        .collect();
    codes.join(", ")
}
