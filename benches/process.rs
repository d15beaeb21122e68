//! Whole-process benchmark: times the `archmap` binary as a user runs it, output to a file.
//!
//! It writes two synthetic manifests (`benches/synth`): an estate (the estate shape, 20,000
//! components, ~11 dependencies each, fan-in up to ~14,000, teams of ~50) and a system (the
//! system shape, 10,000 components), then runs each command several times in a fresh process
//! with standard output redirected to a file, and reports per command the **median (minimum)
//! wall time**, the CPU time (user + system) of the fastest run, and the **peak RSS** (the
//! child's `ru_maxrss`, read by a wrapper process: this binary again, so that each figure is
//! one command's own). A run over the time or memory budget is killed and reported as such.
//!
//! ```text
//! cargo build --release && cargo bench --bench process
//! cargo bench --bench process -- --bin path/to/archmap --runs 5 --estate 20000 --system 10000
//! cargo bench --bench process -- --only estate      # or: system, examples
//! cargo bench --bench process -- --keep DIR         # keep the manifests in DIR
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod synth;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};

use synth::{Params, generate};

struct Options {
    bin: PathBuf,
    runs: usize,
    estate: usize,
    system: usize,
    seed: u64,
    timeout: Duration,
    max_rss_mib: u64,
    only: Option<String>,
    keep: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        bin: std::env::var_os("ARCHMAP_BIN")
            .map_or_else(|| PathBuf::from("target/release/archmap"), PathBuf::from),
        runs: 3,
        estate: 20_000,
        system: 10_000,
        seed: 42,
        timeout: Duration::from_secs(60),
        max_rss_mib: 4096,
        only: None,
        keep: None,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let number = |s: Option<String>, what: &str| -> Result<usize, String> {
        let s = s.ok_or_else(|| format!("{what} takes a number"))?;
        s.replace(['_', ','], "").parse().map_err(|_| format!("{what}: `{s}` is not a number"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bin" => o.bin = PathBuf::from(args.next().ok_or("--bin takes a path")?),
            "--runs" => o.runs = number(args.next(), "--runs")?.max(1),
            "--estate" => o.estate = number(args.next(), "--estate")?,
            "--system" => o.system = number(args.next(), "--system")?,
            "--seed" => o.seed = number(args.next(), "--seed")? as u64,
            "--timeout" => {
                o.timeout = Duration::from_secs(number(args.next(), "--timeout")? as u64);
            }
            "--max-rss-mib" => o.max_rss_mib = number(args.next(), "--max-rss-mib")? as u64,
            "--keep" => {
                o.keep = Some(PathBuf::from(args.next().ok_or("--keep takes a directory")?));
            }
            "--only" => {
                o.only = Some(args.next().ok_or("--only takes estate, system or examples")?);
            }
            _ => {
                return Err(format!(
                    "unknown argument `{a}`; usage: process [--bin PATH] [--runs N] [--estate N] \
                     [--system N] [--seed S] [--timeout S] [--max-rss-mib M] [--only SET] [--keep DIR]"
                ));
            }
        }
    }
    Ok(o)
}

/// One measured run.
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kib: u64,
    code: Option<i32>,
    killed: Option<&'static str>,
}

/// The wrapper: `process --wrap OUT TIMEOUT_S MAX_KIB -- BIN ARGS…`. Runs the command with
/// standard output to OUT, polls it against the budgets, and prints
/// `wall_ns cpu_ns peak_kib code killed` for its parent.
fn wrap(args: &[String]) -> ExitCode {
    let (out, timeout, max_kib) = (&args[0], &args[1], &args[2]);
    let timeout = Duration::from_secs(timeout.parse().unwrap_or(60));
    let max_kib: u64 = max_kib.parse().unwrap_or(u64::MAX);
    let cmd = &args[4..];
    let stdout = File::create(out).expect("the output file can be created");
    let start = Instant::now();
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let status_path = format!("/proc/{}/status", child.id());
    let mut killed = "-";
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        let rss = std::fs::read_to_string(&status_path).ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        });
        if start.elapsed() > timeout {
            killed = "time";
        } else if rss.is_some_and(|r| r > max_kib) {
            killed = "memory";
        }
        if killed != "-" {
            let _ = child.kill();
            break child.wait().expect("the killed child can be waited for");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let tv = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    let cpu = tv(usage.user_time()) + tv(usage.system_time());
    println!(
        "{} {} {} {} {killed}",
        wall.as_nanos(),
        cpu.as_nanos(),
        usage.max_rss(),
        status.code().map_or_else(|| "-".to_string(), |c| c.to_string())
    );
    ExitCode::SUCCESS
}

fn run_once(o: &Options, out: &Path, args: &[String]) -> Run {
    let me = std::env::current_exe().expect("the bench knows its path");
    let output = Command::new(me)
        .arg("--wrap")
        .arg(out)
        .arg(o.timeout.as_secs().to_string())
        .arg((o.max_rss_mib * 1024).to_string())
        .arg("--")
        .arg(&o.bin)
        .args(args)
        .output()
        .expect("the wrapper runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let f: Vec<&str> = text.split_whitespace().collect();
    assert!(f.len() == 5, "the wrapper failed: {text} {}", String::from_utf8_lossy(&output.stderr));
    Run {
        wall: Duration::from_nanos(f[0].parse().unwrap_or(0)),
        cpu: Duration::from_nanos(f[1].parse().unwrap_or(0)),
        peak_kib: f[2].parse().unwrap_or(0),
        code: f[3].parse().ok(),
        killed: match f[4] {
            "time" => Some("time"),
            "memory" => Some("memory"),
            _ => None,
        },
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 { format!("{ms:.0}") } else { format!("{ms:.1}") }
}

fn measure(o: &Options, dir: &Path, name: &str, args: &[String]) {
    let out = dir.join("out");
    let mut runs: Vec<Run> = Vec::new();
    for _ in 0..o.runs {
        let r = run_once(o, &out, args);
        let stop = r.killed.is_some();
        runs.push(r);
        if stop {
            break;
        }
    }
    let bytes = std::fs::metadata(&out).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&out);
    let peak = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0);
    if let Some(r) = runs.iter().find(|r| r.killed.is_some()) {
        println!(
            "| {name} | killed ({}) after {} | — | {:.0} | — | — |",
            r.killed.unwrap_or("?"),
            ms(r.wall),
            peak as f64 / 1024.0
        );
        return;
    }
    runs.sort_by_key(|r| r.wall);
    let median = runs[runs.len() / 2].wall;
    let fastest = &runs[0];
    println!(
        "| {name} | {} ({}) | {} | {:.0} | {} | {} |",
        ms(median),
        ms(fastest.wall),
        ms(fastest.cpu),
        peak as f64 / 1024.0,
        fastest.code.map_or_else(|| "signal".to_string(), |c| c.to_string()),
        bytes
    );
}

fn header(what: &str) {
    println!("\n{what}\n");
    println!(
        "| command | wall ms median (min) | CPU ms (min run) | peak RSS MiB | exit | output bytes |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_string()).collect()
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().is_some_and(|a| a == "--wrap") {
        return wrap(&raw[1..]);
    }
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !o.bin.is_file() {
        eprintln!(
            "no archmap binary at {} (cargo build --release, or --bin PATH)",
            o.bin.display()
        );
        return ExitCode::from(2);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let want = |set: &str| o.only.as_deref().is_none_or(|s| s == set);
    let file = |p: &Path| p.to_string_lossy().into_owned();
    println!("binary: {}, {} runs per command, seed {}", o.bin.display(), o.runs, o.seed);

    if want("estate") {
        let mut p = Params::new(o.estate, o.seed);
        p.estate = true;
        let synth = generate(&p);
        let path = o.keep.as_deref().unwrap_or(dir.path()).join("estate.yaml");
        std::fs::write(&path, &synth.yaml).expect("the manifest can be written");
        let m = file(&path);
        header(&format!(
            "Estate: {} components, {} dependencies ({} + {} injected cycles), {:.1} MB",
            synth.components,
            synth.edges,
            synth.sync_cycles,
            synth.async_cycles,
            synth.yaml.len() as f64 / 1e6
        ));
        let svg = file(&dir.path().join("overview.svg"));
        let dot = file(&dir.path().join("overview.dot"));
        for args in [
            vec!["check", "--format", "json", &m],
            vec!["check", &m],
            vec!["check", "--format", "sarif", &m],
            vec!["stats", "--top", "20", &m],
            vec!["stats", &m],
            vec!["render", "--view", "overview", "--format", "dot", "-o", &dot, &m],
            vec!["render", "--view", "overview", "-o", &svg, &m],
        ] {
            let name = args.join(" ").replace(&m, "estate.yaml").replace(&svg, "overview.svg");
            let name = name.replace(&dot, "overview.dot");
            measure(&o, dir.path(), &name, &strings(&args));
        }
        if o.keep.is_none() {
            let _ = std::fs::remove_file(&path);
        }
    }
    if want("system") {
        let synth = generate(&Params::new(o.system, o.seed));
        let path = o.keep.as_deref().unwrap_or(dir.path()).join("system.yaml");
        std::fs::write(&path, &synth.yaml).expect("the manifest can be written");
        let m = file(&path);
        header(&format!(
            "System: {} components, {} dependencies ({} + {} injected cycles), {:.1} MB",
            synth.components,
            synth.edges,
            synth.sync_cycles,
            synth.async_cycles,
            synth.yaml.len() as f64 / 1e6
        ));
        let svg = file(&dir.path().join("system.svg"));
        for args in [
            vec!["check", &m],
            vec!["check", "--format", "json", &m],
            vec!["check", "--format", "sarif", &m],
            vec!["check", "--format", "github", &m],
            vec!["stats", &m],
            vec!["render", "-o", &svg, &m],
        ] {
            let name = args.join(" ").replace(&m, "system.yaml").replace(&svg, "system.svg");
            measure(&o, dir.path(), &name, &strings(&args));
        }
        if o.keep.is_none() {
            let _ = std::fs::remove_file(&path);
        }
    }
    if want("examples") {
        header("Examples");
        let svg = file(&dir.path().join("example.svg"));
        let mut examples: Vec<PathBuf> = std::fs::read_dir("examples")
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        examples.sort();
        for e in examples.iter().filter(|p| p.extension().is_some_and(|x| x == "yaml")) {
            let m = file(e);
            measure(&o, dir.path(), &format!("check {m}"), &strings(&["check", &m]));
            measure(&o, dir.path(), &format!("render {m}"), &strings(&["render", "-o", &svg, &m]));
        }
    }
    ExitCode::SUCCESS
}
