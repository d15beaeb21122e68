//! `archmap import compose` and `archmap import kubernetes`: read compose files or Kubernetes
//! YAML, write a manifest.

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
    /// A manifest from Kubernetes YAML (files, directories, or `helm template`/`kustomize
    /// build` output on standard input).
    #[command(alias = "k8s")]
    Kubernetes(KubeArgs),
}

/// `archmap import kubernetes`.
#[derive(Debug, Args)]
pub(crate) struct KubeArgs {
    /// Files and directories of Kubernetes YAML (directories are read recursively: every
    /// `.yaml`, `.yml` and `.json` file, in name order); `-` reads standard input.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Where to write the manifest (default and `-`: standard output); never one of the inputs.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The namespace of objects that name none (like `kubectl apply -n`; default: the one
    /// namespace the other objects name, else `default`).
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Group components by this pod label (e.g. `app.kubernetes.io/part-of`) instead of by
    /// namespace.
    #[arg(long, value_name = "LABEL")]
    pub group_by: Option<String>,
    /// The system's name (default: the first path's directory name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Read at most this many MiB in all.
    #[arg(long, value_name = "MIB", default_value_t = manifest::DEFAULT_MAX_INPUT_BYTES >> 20)]
    pub max_input_mib: u64,
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
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
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

/// `COMPOSE_FILE` (with `COMPOSE_PATH_SEPARATOR`, default `:`) from the environment, else from
/// the `--env-file`s or the `.env` of the working directory, as docker compose reads it when no
/// file is named.
fn compose_file_variable(args: &ComposeArgs, io: &Io<'_>) -> Option<Vec<PathBuf>> {
    let mut vars: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let env_files: Vec<PathBuf> =
        if args.env_file.is_empty() { vec![PathBuf::from(".env")] } else { args.env_file.clone() };
    for f in env_files {
        let Ok(bytes) = RealFs { cwd: io.cwd.clone() }.read_at_most(&f, manifest::MAX_FILE_SIZE)
        else {
            continue;
        };
        let (lines, _) =
            crate::import::interpolate::parse_env_file(&String::from_utf8_lossy(&bytes));
        for line in lines {
            if let Some(v) = line.value {
                vars.insert(line.key, v);
            }
        }
    }
    for (k, v) in &io.env {
        vars.insert(k.clone(), v.clone());
    }
    let files = vars.get("COMPOSE_FILE").filter(|f| !f.trim().is_empty())?;
    let sep =
        vars.get("COMPOSE_PATH_SEPARATOR").filter(|s| !s.is_empty()).map_or(":", String::as_str);
    Some(
        files
            .split(sep)
            .filter(|f| !f.trim().is_empty())
            .map(|f| PathBuf::from(f.trim()))
            .collect(),
    )
}

/// Compose files docker compose looks for, in its order of preference.
const DEFAULT_FILES: [&str; 4] =
    ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

pub(super) fn run(args: &ImportArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    match &args.source {
        ImportSource::Compose(args) => compose(args, global, io),
        ImportSource::Kubernetes(args) => kubernetes(args, global, io),
    }
}

/// Refuses to replace an existing output file without `--force`, as `init` never replaces one.
fn refuse_overwrite(io: &Io<'_>, output: Option<&PathBuf>, force: bool) -> Result<(), Error> {
    let Some(out) = super::output_path(output) else { return Ok(()) };
    let path = io.cwd.join(out);
    let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() || m.is_symlink());
    if regular && !force {
        return Err(Error::Usage(format!(
            "{} already exists; archmap import does not replace it without --force (a hand-edited manifest would be lost)",
            out.display()
        )));
    }
    Ok(())
}

fn kubernetes(args: &KubeArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let fs = RealFs { cwd: io.cwd.clone() };
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err(Error::Usage("`-` (standard input) must be the only path".into()));
    }
    let mut left = args.max_input_mib.saturating_mul(1 << 20);
    let mut files = Vec::new();
    let mut read_paths = Vec::new();
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let bytes = read_stdin(io, left)?;
            left -= bytes.len() as u64;
            files.push(ComposeFile { name: "<stdin>".into(), path: None, bytes });
            continue;
        }
        let full = io.cwd.join(p);
        let listed = if full.is_dir() {
            let mut found = Vec::new();
            yaml_files(&full, p, &mut found, 0)
                .map_err(|reason| Error::Read { path: p.clone(), reason })?;
            found.sort();
            found
        } else {
            vec![p.clone()]
        };
        for f in listed {
            let bytes = fs.read_at_most(&f, left).map_err(|reason| Error::Read {
                path: f.clone(),
                reason: std::io::Error::other(reason),
            })?;
            left -= bytes.len() as u64;
            files.push(ComposeFile {
                name: manifest::display_path(&f),
                path: Some(f.clone()),
                bytes,
            });
            read_paths.push(f);
        }
    }
    let name = args.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        let first = args.paths.first().filter(|p| p.as_os_str() != "-");
        let dir = match first {
            Some(p) if io.cwd.join(p).is_dir() => fs.canonicalize(p).ok(),
            Some(p) => fs.canonicalize(p).ok().and_then(|c| c.parent().map(Path::to_path_buf)),
            None => fs.canonicalize(Path::new(".")).ok(),
        };
        dir.as_deref()
            .and_then(Path::file_name)
            .map_or_else(|| "kubernetes".to_string(), |n| n.to_string_lossy().into_owned())
    });
    let request = import::KubeRequest {
        files,
        namespace: args.namespace.clone(),
        group_by: args.group_by.clone(),
        name,
    };
    let outcome = import::kubernetes(&request);
    print(&outcome.diagnostics, &outcome.sources, global, io)?;
    let Some(text) = outcome.manifest else {
        return Ok(2);
    };
    write_output(io, args.output.as_ref(), args.force, &read_paths, &text)?;
    if !global.quiet {
        let c = outcome.counts;
        let warnings = outcome.diagnostics.iter().filter(|d| d.severity == Severity::Warn).count();
        writeln!(
            io.stderr,
            "imported {} components: {} routed and {} inferred dependencies ({} inferred left out), {} warning{}",
            c.components,
            c.declared,
            c.inferred,
            c.dropped,
            warnings,
            if warnings == 1 { "" } else { "s" }
        )?;
    }
    Ok(0)
}

/// The YAML and JSON files under `dir` (shown as under `shown`), recursively, at most 32
/// levels deep; hidden entries are skipped.
pub(super) fn yaml_files(
    dir: &Path,
    shown: &Path,
    out: &mut Vec<PathBuf>,
    depth: usize,
) -> std::io::Result<()> {
    if depth > 32 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() {
            yaml_files(&e.path(), &shown.join(&name), out, depth + 1)?;
        } else if ty.is_file() && [".yaml", ".yml", ".json"].iter().any(|x| name_str.ends_with(x)) {
            out.push(shown.join(&name));
        }
    }
    Ok(())
}

/// Writes the manifest to `-o` (atomically; never over an input, never over an existing file
/// without `--force`) or standard output.
fn write_output(
    io: &mut Io<'_>,
    output: Option<&PathBuf>,
    force: bool,
    inputs: &[PathBuf],
    text: &str,
) -> Result<(), Error> {
    if let Some(out) = super::output_path(output) {
        if super::is_an_input(&io.cwd, out, inputs) {
            return Err(Error::Usage(format!(
                "-o {} is one of the inputs; choose another output path",
                out.display()
            )));
        }
        refuse_overwrite(io, output, force)?;
        write_atomic(&io.cwd.join(out), text.as_bytes())?;
    } else {
        io.stdout.write_all(text.as_bytes())?;
    }
    Ok(())
}

fn compose(args: &ComposeArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    super::outfile::only(args.output.as_deref(), "manifest", &["yaml", "yml"])?;
    let fs = RealFs { cwd: io.cwd.clone() };
    let mut paths: Vec<PathBuf> = args.files.iter().chain(&args.file).cloned().collect();
    if paths.is_empty() {
        paths = match compose_file_variable(args, io) {
            Some(files) => files,
            None => default_files(&io.cwd)?,
        };
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
    let inputs: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .chain(&args.env_file)
        .chain(&outcome.read)
        .cloned()
        .collect();
    write_output(io, args.output.as_ref(), args.force, &inputs, &text)?;
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
