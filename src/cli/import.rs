//! `archmap import compose`: reads compose files, writes a manifest.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::args::GlobalArgs;
use super::{Io, RealFs, human, read_stdin, write_atomic};
use crate::diagnostic::emit::Emitter;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::import::{self, ComposeFile, Request};
use crate::manifest::{self, FileSystem};
use crate::source::Sources;

/// `archmap import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// What `archmap import` reads.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportSource {
    /// A manifest from docker-compose files (merged like `docker compose -f a -f b`).
    Compose(ComposeArgs),
}

/// `archmap import compose`.
#[derive(Debug, Args)]
pub(crate) struct ComposeArgs {
    /// Compose files, merged in order (default: compose.yaml, compose.yml, docker-compose.yaml
    /// or docker-compose.yml in the current directory, with its `.override` file); `-` reads
    /// standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// More compose files, merged after the positional ones (repeatable).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// Where to write the manifest (default and `-`: standard output); never one of the inputs.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Read variables from this file instead of the `.env` beside the first compose file
    /// (repeatable; later files win; the process environment wins over all).
    #[arg(long, value_name = "PATH")]
    pub env_file: Vec<PathBuf>,
    /// Enable services of this profile (repeatable; default: `COMPOSE_PROFILES`).
    #[arg(long, value_name = "NAME")]
    pub profile: Vec<String>,
    /// Enable services of every profile.
    #[arg(long)]
    pub all_profiles: bool,
    /// Read files the compose files name (`extends: file:`, `env_file`, `include`, `.env`)
    /// even when they resolve outside the first compose file's directory.
    #[arg(long)]
    pub allow_outside_includes: bool,
    /// Read at most this many MiB: the compose files and every file they name together.
    #[arg(long, value_name = "MIB", default_value_t = manifest::DEFAULT_MAX_INPUT_BYTES >> 20)]
    pub max_input_mib: u64,
}

/// Compose files docker compose looks for, in its order of preference.
const DEFAULT_FILES: [&str; 4] =
    ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

pub(super) fn run(args: &ImportArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let ImportSource::Compose(args) = &args.source;
    compose(args, global, io)
}

fn compose(args: &ComposeArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    super::outfile::only(args.output.as_deref(), "manifest", &["yaml", "yml"])?;
    let fs = RealFs { cwd: io.cwd.clone() };
    let mut paths: Vec<PathBuf> = args.files.iter().chain(&args.file).cloned().collect();
    if paths.is_empty() {
        paths = default_files(&io.cwd)?;
    }
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && paths.len() > 1 {
        return Err(Error::Usage("`-` (standard input) must be the only compose file".into()));
    }
    let mut files = Vec::new();
    // One budget for every compose file together; the import spends what is left on the files
    // they name.
    let budget = args.max_input_mib.saturating_mul(1 << 20);
    let mut left = budget;
    for p in &paths {
        let bytes = if p.as_os_str() == "-" {
            read_stdin(io, left)?
        } else {
            fs.read_at_most(p, left).map_err(|reason| Error::Read {
                path: p.clone(),
                reason: std::io::Error::other(reason),
            })?
        };
        left -= bytes.len() as u64;
        let (name, path) = if p.as_os_str() == "-" {
            ("<stdin>".to_string(), None)
        } else {
            (manifest::display_path(p), Some(p.clone()))
        };
        files.push(ComposeFile { name, path, bytes });
    }
    let first_dir = match paths.first().filter(|p| p.as_os_str() != "-") {
        Some(p) => fs.canonicalize(p).ok().and_then(|c| c.parent().map(Path::to_path_buf)),
        None => fs.canonicalize(Path::new(".")).ok(),
    };
    let default_name = first_dir
        .as_deref()
        .and_then(Path::file_name)
        .map_or_else(|| "compose".to_string(), |n| n.to_string_lossy().into_owned());
    let request = Request {
        files,
        env_files: args.env_file.clone(),
        environment: io.env.clone(),
        profiles: args.profile.clone(),
        all_profiles: args.all_profiles,
        default_name,
        allow_outside: args.allow_outside_includes,
        max_input_bytes: Some(budget),
    };
    let outcome = import::compose(&request, &fs);
    print(&outcome.diagnostics, &outcome.sources, global, io)?;
    let Some(text) = outcome.manifest else {
        return Ok(2);
    };
    if let Some(out) = super::output_path(args.output.as_ref()) {
        let inputs: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .chain(&args.env_file)
            .chain(&outcome.read)
            .cloned()
            .collect();
        if super::is_an_input(&io.cwd, out, &inputs) {
            return Err(Error::Usage(format!(
                "-o {} is one of the inputs; choose another output path",
                out.display()
            )));
        }
        write_atomic(&io.cwd.join(out), text.as_bytes())?;
    } else {
        io.stdout.write_all(text.as_bytes())?;
    }
    if !global.quiet {
        let c = outcome.counts;
        let warnings = outcome.diagnostics.iter().filter(|d| d.severity == Severity::Warn).count();
        writeln!(
            io.stderr,
            "imported {} components: {} declared, {} implied and {} inferred dependencies ({} inferred left out), {} warning{}",
            c.components,
            c.declared,
            c.implied,
            c.inferred,
            c.dropped,
            warnings,
            if warnings == 1 { "" } else { "s" }
        )?;
    }
    Ok(0)
}

/// The compose file docker compose would pick in `cwd`, and its override file.
fn default_files(cwd: &Path) -> Result<Vec<PathBuf>, Error> {
    let Some(base) = DEFAULT_FILES.iter().find(|f| cwd.join(f).is_file()) else {
        return Err(Error::Usage(
            "no compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml in the current directory; name the compose files".into(),
        ));
    };
    let stem = base.rsplit_once('.').map_or(*base, |(s, _)| s);
    let mut files = vec![PathBuf::from(base)];
    if let Some(o) = [format!("{stem}.override.yaml"), format!("{stem}.override.yml")]
        .into_iter()
        .find(|o| cwd.join(o).is_file())
    {
        files.push(PathBuf::from(o));
    }
    Ok(files)
}

/// Warnings one line each (`warning[CODE id]: file:line:column: message`), errors as full
/// reports with the YAML excerpt.
fn print(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    global: &GlobalArgs,
    io: &mut Io<'_>,
) -> Result<(), Error> {
    let errors: Vec<Diagnostic> =
        diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    for d in diagnostics.iter().filter(|d| d.severity != Severity::Error) {
        let at = d.primary_span().map_or_else(String::new, |s| {
            let f = sources.get(s.file);
            let lc = f.line_col(s.start);
            format!("{}:{}:{}: ", f.name(), lc.line, lc.column)
        });
        writeln!(io.stderr, "warning[{} {}]: {at}{}", d.code, d.id, d.message)?;
        if let Some(help) = &d.help {
            writeln!(io.stderr, "  help: {help}")?;
        }
    }
    if !errors.is_empty() {
        let mut emitter = human(global, io.stderr_is_terminal, io.no_color);
        emitter.summary = false;
        emitter.emit(&errors, sources, io.stderr)?;
    }
    Ok(())
}
