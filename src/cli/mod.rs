//! The command line: parses arguments, reads files, runs the stages, writes output.
//!
//! This is the only module that does I/O. Standard streams come in through [`Io`], so tests
//! can run commands in-process. Exit codes: 0 success, 1 the command found what it looks for
//! (error findings, a stale `--check` file), 2 it could not run.

pub(crate) mod args;
mod check;
mod diff;
mod drift;
mod flows;
mod import;
mod init;
mod outfile;
mod page;
mod progress;
mod render;
mod schema;
mod serve;
mod shell;
mod stats;
mod watch;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use crate::analysis::{RuleMeta, registry};
use crate::codes::{self, Code};
use crate::diagnostic::emit::{Emitter, Human};
use crate::diagnostic::{self, Diagnostic, ProblemMeta};
use crate::error::Error;
use crate::manifest::{self, FileSystem, LoadOptions, Loaded};
use crate::pipeline::{self, Analysis};
use crate::vocab::Level;
use args::{Cli, ColorChoice, Command, ManifestArgs};

/// The process's standard streams and environment, handed in so tests can run in-process.
pub struct Io<'a> {
    /// Standard input.
    pub stdin: &'a mut dyn Read,
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Whether standard output is a terminal.
    pub stdout_is_terminal: bool,
    /// Whether standard error is a terminal.
    pub stderr_is_terminal: bool,
    /// Whether `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// The directory relative paths are resolved against.
    pub cwd: PathBuf,
    /// The process environment (`import compose` interpolates with it).
    pub env: std::collections::BTreeMap<String, String>,
    /// Large structures a run is finished with (a checked manifest's model and manifests),
    /// handed back rather than freed piece by piece: a caller that is about to exit may leave
    /// them to the operating system (the `archmap` binary does); any other simply drops them.
    pub spent: Vec<Box<dyn std::any::Any>>,
}

/// Runs archmap with `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>, io: &mut Io<'_>) -> u8 {
    let mut cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = if io.stderr_is_terminal && !io.no_color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let out: &mut dyn Write = if e.use_stderr() { io.stderr } else { io.stdout };
            let _ = out.write_all(text.as_bytes());
            return code;
        }
    };
    cli.global.color = color_from_env(cli.global.color, io);
    match dispatch(&cli, io) {
        Ok(code) => code,
        // The reader went away (`archmap check | head`): not an error, as in ripgrep.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(mut err) => {
            // Files are opened at `cwd.join(name)`: say them as the user named them.
            if let Error::Read { path, .. } | Error::Write { path, .. } = &mut err
                && let Ok(relative) = path.strip_prefix(&io.cwd)
            {
                *path = relative.to_path_buf();
            }
            let handler =
                diagnostic::wrap::whole_words(miette::GraphicalReportHandler::new_themed(
                    if color(cli.global.color, io.stderr_is_terminal, io.no_color) {
                        miette::GraphicalTheme::unicode()
                    } else {
                        miette::GraphicalTheme::unicode_nocolor()
                    },
                ));
            let mut text = String::new();
            if handler.render_report(&mut text, &err).is_err() {
                text = format!("error: {err}\n");
            }
            let _ = writeln!(io.stderr, "{}", text.trim_end());
            2
        }
    }
}

fn dispatch(cli: &Cli, io: &mut Io<'_>) -> Result<u8, Error> {
    match &cli.command {
        Command::Check(a) => check::run(a, &cli.global, io),
        Command::Render(a) => render::run(a, &cli.global, io),
        Command::Stats(a) => stats::run(a, &cli.global, io),
        Command::Rules => rules(io),
        Command::Explain(a) => explain(&a.rule, io),
        Command::Init(a) => init::run(a, &cli.global, io),
        Command::Schema(a) => schema::run(a, io),
        Command::Completions(a) => shell::completions(a, io),
        Command::Man(a) => shell::man(a, io),
        Command::Diff(a) => diff::run(a, &cli.global, io),
        Command::Import(a) => import::run(a, &cli.global, io),
        Command::Serve(a) => serve::run(a, &cli.global, io),
        Command::Drift(a) => drift::run(a, &cli.global, io),
    }
}

/// `--color auto` as the environment settles it, as most command-line tools do: `NO_COLOR`
/// (non-empty) turns colours off; else `FORCE_COLOR` (non-empty, not `0` or `false`) or
/// `CLICOLOR_FORCE` (non-empty, not `0`) turns them on even off a terminal (CI logs that show
/// colours); else `CLICOLOR=0` turns them off. `--color always` and `--color never` win over all.
fn color_from_env(choice: ColorChoice, io: &Io<'_>) -> ColorChoice {
    if choice != ColorChoice::Auto || io.no_color {
        return choice;
    }
    let var = |name: &str| io.env.get(name).map(String::as_str).filter(|v| !v.is_empty());
    if var("NO_COLOR").is_some() {
        return ColorChoice::Never;
    }
    let force = var("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false")
        || var("CLICOLOR_FORCE").is_some_and(|v| v != "0");
    if force {
        return ColorChoice::Always;
    }
    if var("CLICOLOR") == Some("0") {
        return ColorChoice::Never;
    }
    ColorChoice::Auto
}

/// Whether to colour a stream.
fn color(choice: ColorChoice, is_terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color,
    }
}

/// A human emitter for a stream.
fn human(global: &args::GlobalArgs, is_terminal: bool, no_color: bool) -> Human {
    Human {
        color: color(global.color, is_terminal, no_color),
        width: 100,
        summary: !global.quiet,
        groups: std::collections::HashMap::new(),
    }
}

/// Reads files from disk: regular files only, bounded in size.
struct RealFs {
    cwd: PathBuf,
}

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        self.read_at_most(path, manifest::MAX_FILE_SIZE)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        std::fs::canonicalize(self.cwd.join(path)).map_err(|e| io_reason(&e))
    }

    /// The type and size are checked before a byte is read, and no more than `max` bytes are
    /// read even when the file grows meanwhile.
    fn read_at_most(&self, path: &Path, max: u64) -> Result<Vec<u8>, String> {
        let max = max.min(manifest::MAX_FILE_SIZE);
        let path = self.cwd.join(path);
        let meta = std::fs::metadata(&path).map_err(|e| io_reason(&e))?;
        if meta.is_dir() {
            return Err("it is a directory".into());
        }
        if !meta.is_file() {
            return Err("it is not a regular file".into());
        }
        if meta.len() > max {
            return Err(manifest::over_budget(max));
        }
        let file = std::fs::File::open(&path).map_err(|e| io_reason(&e))?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err("it is not a regular file".into());
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(max + 1).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
        if bytes.len() as u64 > max {
            return Err(manifest::over_budget(max));
        }
        Ok(bytes)
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            // "Too many levels of symbolic links (os error 40)" → without the errno.
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// The manifest path the user named, or the one [`discover`] finds.
fn manifest_path(args: &ManifestArgs, io: &Io<'_>) -> Result<Option<PathBuf>, Error> {
    match &args.file {
        Some(p) if p.as_os_str() == "-" => Ok(None),
        Some(p) => Ok(Some(p.clone())),
        None => discover(&io.cwd).map(Some).ok_or(Error::NoManifest),
    }
}

/// The nearest `archmap.yaml` (then `archmap.yml`), as ruff and hadolint find their
/// configuration: in `cwd`, else in each parent up to the root of the repository `cwd` is in
/// (the first directory holding `.git`). Outside a repository only `cwd` is looked in: a
/// manifest in a home directory is not a project's. The path is relative to `cwd`
/// (`../../archmap.yaml`), as reports show it.
fn discover(cwd: &Path) -> Option<PathBuf> {
    let ancestors: Vec<&Path> = cwd.ancestors().collect();
    let root = ancestors.iter().position(|d| d.join(".git").exists()).unwrap_or(0);
    for (up, dir) in ancestors[..=root].iter().enumerate() {
        for name in ["archmap.yaml", "archmap.yml"] {
            if dir.join(name).is_file() {
                let mut path: PathBuf = std::iter::repeat_n("..", up).collect();
                path.push(name);
                return Some(path);
            }
        }
    }
    None
}

/// Reads standard input, bounded like a file: `archmap check - < /dev/zero` must stop, not fill
/// memory.
fn read_stdin(io: &mut Io<'_>, max: u64) -> Result<Vec<u8>, Error> {
    let max = max.min(manifest::MAX_FILE_SIZE);
    let mut bytes = Vec::new();
    io.stdin
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|reason| Error::Read { path: "<stdin>".into(), reason })?;
    if bytes.len() as u64 > max {
        return Err(Error::Read {
            path: "<stdin>".into(),
            reason: std::io::Error::other(manifest::over_budget(max)),
        });
    }
    Ok(bytes)
}

/// Reads, lowers and checks the manifest named by `args`.
fn analyse(args: &ManifestArgs, io: &mut Io<'_>) -> Result<Analysis, Error> {
    let path = manifest_path(args, io)?;
    analyse_at(path.as_deref(), args, io)
}

/// Reads, lowers and checks the manifest at `path` (`None`: standard input) with the options
/// of `args`.
fn analyse_at(
    path: Option<&Path>,
    args: &ManifestArgs,
    io: &mut Io<'_>,
) -> Result<Analysis, Error> {
    let fs = RealFs { cwd: io.cwd.clone() };
    let max = args.max_input_bytes();
    let (name, bytes) = match path {
        None => {
            let name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".to_string());
            (name, read_stdin(io, max)?)
        }
        Some(p) => {
            let bytes = fs.read_at_most(p, max).map_err(|reason| Error::Read {
                path: p.to_path_buf(),
                reason: std::io::Error::other(reason),
            })?;
            (manifest::display_path(p), bytes)
        }
    };
    analyse_bytes(&name, path, bytes, &fs, args)
}

/// Reads the includes of a root manifest already read (`name`, at `path` through `fs`), then
/// lowers and checks it with the rule levels of `--rule`.
fn analyse_bytes(
    name: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
    fs: &dyn FileSystem,
    args: &ManifestArgs,
) -> Result<Analysis, Error> {
    let mut levels = Vec::with_capacity(args.rules.len());
    for r in &args.rules {
        let (id, level) = r
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("--rule takes ID=LEVEL, found `{r}`")))?;
        let level = Level::parse(level).ok_or_else(|| {
            let levels = Level::ALL.map(Level::as_str).join(", ");
            Error::Usage(format!("unknown level `{level}` in --rule {r}; levels are {levels}"))
        })?;
        levels.push((id.to_string(), level));
    }
    let options = pipeline::Options {
        load: LoadOptions {
            allow_outside_includes: args.allow_outside_includes,
            limits: manifest::Limits {
                max_components: args.max_components,
                max_dependencies: args.max_dependencies,
                ..manifest::Limits::default()
            },
            max_input_bytes: args.max_input_bytes(),
        },
        levels,
    };
    pipeline::analyse(name, path, bytes, fs, &options).map_err(Error::Usage)
}

/// `archmap rules`.
fn rules(io: &mut Io<'_>) -> Result<u8, Error> {
    writeln!(io.stdout, "{:<7} {:<28} {:<7} {:<11} summary", "code", "id", "level", "category")?;
    for m in registry::metas() {
        let level = m.default_level.as_str();
        writeln!(
            io.stdout,
            "{:<7} {:<28} {:<7} {:<11} {}",
            m.code,
            m.id,
            level,
            m.category.as_str(),
            m.summary
        )?;
    }
    Ok(0)
}

/// `archmap explain`.
fn explain(name: &str, io: &mut Io<'_>) -> Result<u8, Error> {
    let Some(code) = codes::find(name) else {
        let help = diagnostic::did_you_mean(name, registry::metas().map(|m| m.id)).map_or_else(
            || "`archmap rules` lists every check".to_string(),
            |s| format!("did you mean `{s}`?"),
        );
        return Err(Error::Usage(format!("no check is called `{name}`; {help}")));
    };
    match code {
        Code::Check(m) => explain_check(m, io.stdout)?,
        Code::Manifest(p) => explain_problem(p, READING, io.stdout)?,
        Code::Import(p) => explain_problem(p, IMPORTING, io.stdout)?,
        Code::Drift(p) => explain_problem(p, DRIFTING, io.stdout)?,
    }
    Ok(0)
}

/// What `explain` says of every problem reading the manifest.
const READING: &str =
    "A problem reading the manifest: the run stops with exit 2 and nothing is rendered.";

/// What `explain` says of every problem importing compose files.
const IMPORTING: &str = "A problem of `archmap import compose` or `archmap import kubernetes`: errors stop the import with exit 2 and nothing is written; warnings are printed and the import goes on.";

/// What `explain` says of every drift finding.
const DRIFTING: &str = "A difference `archmap drift` finds between the manifest and what runs: the run exits 1. A component's `allow` list may name it, and `--ignore` skips names and dependencies.";

/// A check: summary, category, level, parameters with their defaults, docs.
fn explain_check(m: &RuleMeta, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "# {} {}\n", m.code, m.id)?;
    writeln!(out, "{}\n", m.summary)?;
    writeln!(
        out,
        "Category: {}. Default level: {}. Since: {}.",
        m.category.as_str(),
        m.default_level.as_str(),
        m.since
    )?;
    writeln!(out, "Relies on: {}.", m.facts)?;
    if !m.params.is_empty() {
        writeln!(out, "\nParameters:")?;
        for p in m.params {
            writeln!(out, "- `{}` (default {}): {}", p.name, p.default, p.doc)?;
        }
    }
    writeln!(out, "\n{}", m.docs.trim_end())
}

/// A problem that is not a check: summary, what its family does, docs.
fn explain_problem(p: &ProblemMeta, family: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "# {} {}\n\n{}\n\n{family}\n\n{}", p.code, p.id, p.summary, p.docs)
}

/// Why a `--check` target does not hold what would be written, or `None` when it does. Its
/// type and size are checked before anything is read, and at most one byte more than expected is
/// read: a committed link to `/dev/zero` or a FIFO must neither hang nor fill memory.
fn stale_reason(path: &Path, expected: &[u8]) -> Option<&'static str> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Some("is missing");
    };
    if !meta.is_file() {
        return Some("is not a regular file");
    }
    if meta.len() != expected.len() as u64 {
        return Some("differs from what would be written");
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Some("cannot be read");
    };
    // The file opened may not be the one looked at (a rename in between): look again.
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Some("is not a regular file");
    }
    let mut old = Vec::with_capacity(expected.len());
    if file.take(expected.len() as u64 + 1).read_to_end(&mut old).is_err() {
        return Some("cannot be read");
    }
    (old != expected).then_some("differs from what would be written")
}

/// `-o PATH` as the command should take it: `-o -` is standard output, as `-` is standard
/// input for a manifest (a file named `-` is still `./-`).
fn output_path(output: Option<&PathBuf>) -> Option<&PathBuf> {
    output.filter(|p| p.as_os_str() != "-")
}

/// What makes a file itself, whatever its names: device and inode on Unix, the canonical path
/// elsewhere.
#[cfg(unix)]
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// What makes a file itself, whatever its names: device and inode on Unix, the canonical path
/// elsewhere.
#[cfg(not(unix))]
fn file_identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// Whether writing `output` (relative to `cwd`) would replace one of the files `inputs` were
/// read from. Files are compared, never names: `my\arch.yaml` is one file name on Unix, a
/// name that is not UTF-8 stays itself, and links and `..` lead to the file they name.
fn is_an_input(cwd: &Path, output: &Path, inputs: &[PathBuf]) -> bool {
    let Some(out) = file_identity(&cwd.join(output)) else {
        return false;
    };
    inputs.iter().any(|i| file_identity(&cwd.join(i)).is_some_and(|id| id == out))
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, then a rename.
/// A path that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place:
/// renaming over it would replace the device with a file.
fn write_atomic(path: &Path, text: &[u8]) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        reason: std::io::Error::new(e.kind(), write_reason(path, &e)),
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(err)?;
        f.write_all(text).map_err(err)?;
        return Ok(());
    }
    let tmp = temp_beside(path, text).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Why `path` could not be written, in words about `path` alone: the temporary file written
/// first is an implementation detail its name would only confuse.
fn write_reason(path: &Path, e: &std::io::Error) -> String {
    let parent = path.parent().filter(|d| !d.as_os_str().is_empty());
    match e.kind() {
        std::io::ErrorKind::NotFound if parent.is_some_and(|d| !d.is_dir()) => {
            "its directory does not exist (archmap creates files, not directories)".into()
        }
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => io_reason(&std::io::Error::new(e.kind(), strip_tempfile_path(&e.to_string()))),
    }
}

/// `reason` without the `at path "…"` tempfile appends to its errors.
fn strip_tempfile_path(reason: &str) -> String {
    reason.split(" at path ").next().unwrap_or(reason).to_string()
}

/// `text` in a synced temporary file in `path`'s directory, ready to be renamed to `path`.
fn temp_beside(path: &Path, text: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".archmap-").suffix(".tmp");
    // Temporary files are private (0600) by default; a diagram is an ordinary file. Keep the
    // permissions of the file being replaced, else ask for 0666 and let the umask decide, as
    // any program creating a file does.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    tmp.write_all(text)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Prints `diagnostics` on a stream in human form.
fn print_human(
    diagnostics: &[Diagnostic],
    loaded: &Loaded,
    emitter: &Human,
    out: &mut dyn Write,
) -> Result<(), Error> {
    emitter.emit(diagnostics, &loaded.sources, out)?;
    Ok(())
}
