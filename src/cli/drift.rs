//! `archmap drift`: the manifest against what runs (a compose project, Kubernetes YAML, or the
//! service dependencies of traces); exit 1 on any difference.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::args::{GlobalArgs, ManifestArgs};
use super::{Io, RealFs, analyse, human, print_human, read_stdin};
use crate::diagnostic::emit::{Emitter, Json};
use crate::diagnostic::sarif::{CatalogEntry, Github, Sarif};
use crate::diagnostic::{Diagnostic, Severity};
use crate::drift::{self, Ignore, Observed};
use crate::error::Error;
use crate::import::{self, ComposeFile};
use crate::manifest::{self, FileSystem};

/// `archmap drift`.
#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    /// The manifest and rule overrides.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// What runs (repeatable): a compose file or directory, Kubernetes YAML (files or
    /// directories), or a JSON service dependency list (`[{"parent","child","callCount"}]`).
    /// Prefix `compose:`, `k8s:` or `calls:` to say which; `-` reads standard input.
    #[arg(long, value_name = "SOURCE", required = true)]
    pub against: Vec<String>,
    /// Skip a component name, or a dependency `A->B` (`*` matches any text; repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub ignore: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DriftFormat::Human)]
    pub format: DriftFormat,
}

/// How `archmap drift` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DriftFormat {
    /// Reports with the manifest excerpt.
    Human,
    /// One JSON document (the shape of `check --format json`).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// A Markdown table, for pull-request comments and job summaries.
    Markdown,
}

/// What a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SourceKind {
    Compose,
    Kubernetes,
    Calls,
}

pub(super) fn run(args: &DriftArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    if args.against.iter().filter(|a| strip(a).1 == "-").count() > 1 {
        return Err(Error::Usage("only one --against may read standard input".into()));
    }
    if args.manifest.file.as_deref().is_some_and(|f| f.as_os_str() == "-")
        && args.against.iter().any(|a| strip(a).1 == "-")
    {
        return Err(Error::Usage("the manifest and an --against source cannot both be `-`".into()));
    }
    let analysed = analyse(&args.manifest, io)?;
    if analysed.fatal() {
        let emitter = human(global, io.stderr_is_terminal, io.no_color);
        let fatal: Vec<Diagnostic> =
            analysed.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
        print_human(&fatal, &analysed.loaded, &emitter, io.stderr)?;
        return Ok(2);
    }
    let Some(model) = analysed.model.as_ref() else { return Ok(2) };
    let mut observed = Vec::new();
    for a in &args.against {
        match observe(a, global, io)? {
            Some(o) => observed.push(o),
            None => return Ok(2),
        }
    }
    let sources = &analysed.loaded.sources;
    let anchor = sources.iter().next().and_then(|(id, f)| {
        let text = f.text();
        let at = if text.starts_with("services:") {
            Some(0)
        } else {
            text.find("\nservices:").map(|i| i + 1)
        };
        at.map(|i| crate::source::Span::new(id, i, i + "services".len()))
    });
    let findings = drift::compare(model, &observed, &Ignore::new(&args.ignore), anchor);
    match args.format {
        DriftFormat::Human => {
            let emitter = human(global, io.stdout_is_terminal, io.no_color);
            print_human(&findings, &analysed.loaded, &emitter, io.stdout)?;
            if findings.is_empty() && !global.quiet {
                let against: Vec<&str> = observed.iter().map(|o| o.source.as_str()).collect();
                writeln!(io.stdout, "no drift: the manifest agrees with {}", against.join(", "))?;
            }
        }
        DriftFormat::Json => Json.emit(&findings, sources, io.stdout)?,
        DriftFormat::Sarif => {
            Sarif { catalog: catalog(), version: env!("CARGO_PKG_VERSION") }
                .emit(&findings, sources, io.stdout)?;
        }
        DriftFormat::Github => Github.emit(&findings, sources, io.stdout)?,
        DriftFormat::Markdown => {
            io.stdout.write_all(drift::markdown(&findings, sources).as_bytes())?;
        }
    }
    Ok(u8::from(!findings.is_empty()))
}

/// `compose:PATH` → (Some(Compose), PATH).
fn strip(a: &str) -> (Option<SourceKind>, &str) {
    for (prefix, kind) in [
        ("compose:", SourceKind::Compose),
        ("k8s:", SourceKind::Kubernetes),
        ("kubernetes:", SourceKind::Kubernetes),
        ("calls:", SourceKind::Calls),
    ] {
        if let Some(rest) = a.strip_prefix(prefix) {
            return (Some(kind), rest);
        }
    }
    (None, a)
}

/// What a source holds, by its name and first bytes: JSON is a call list; YAML with
/// `apiVersion`/`kind` is Kubernetes, with `services` compose; a directory holding a compose
/// file is a compose project, any other directory Kubernetes YAML.
fn detect(path: &str, bytes: Option<&[u8]>, is_dir: bool, cwd: &Path) -> SourceKind {
    if is_dir {
        let compose = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
        return if compose.iter().any(|f| cwd.join(path).join(f).is_file()) {
            SourceKind::Compose
        } else {
            SourceKind::Kubernetes
        };
    }
    let text = bytes.map(String::from_utf8_lossy).unwrap_or_default();
    let trimmed = text.trim_start();
    let json = Path::new(path).extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json || trimmed.starts_with('[') || trimmed.starts_with('{') {
        return SourceKind::Calls;
    }
    let k8s = text.lines().any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:"));
    if k8s { SourceKind::Kubernetes } else { SourceKind::Compose }
}

/// Reads one `--against` source; `None` when it could not be imported (its problems printed).
fn observe(a: &str, global: &GlobalArgs, io: &mut Io<'_>) -> Result<Option<Observed>, Error> {
    let (given, path) = strip(a);
    let fs = RealFs { cwd: io.cwd.clone() };
    let is_dir = path != "-" && io.cwd.join(path).is_dir();
    let bytes = if path == "-" {
        Some(read_stdin(io, manifest::MAX_FILE_SIZE)?)
    } else if is_dir {
        None
    } else {
        Some(fs.read_at_most(Path::new(path), manifest::MAX_FILE_SIZE).map_err(|reason| {
            Error::Read { path: PathBuf::from(path), reason: std::io::Error::other(reason) }
        })?)
    };
    let kind = given.unwrap_or_else(|| detect(path, bytes.as_deref(), is_dir, &io.cwd));
    let name = if path == "-" { "<stdin>".to_string() } else { path.to_string() };
    let outcome = match kind {
        SourceKind::Calls => {
            let text = String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned();
            return drift::observed_calls(&name, &text)
                .map(Some)
                .map_err(|message| Error::Usage(format!("--against {a}: {message}")));
        }
        SourceKind::Compose => {
            let files = if is_dir {
                let dir = io.cwd.join(path);
                let found =
                    ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
                        .iter()
                        .find(|f| dir.join(f).is_file())
                        .map(|f| PathBuf::from(path).join(f));
                let Some(f) = found else {
                    return Err(Error::Usage(format!(
                        "--against {a}: no compose file in the directory"
                    )));
                };
                let b = fs.read_at_most(&f, manifest::MAX_FILE_SIZE).map_err(|reason| {
                    Error::Read { path: f.clone(), reason: std::io::Error::other(reason) }
                })?;
                vec![ComposeFile { name: manifest::display_path(&f), path: Some(f), bytes: b }]
            } else {
                let p = (path != "-").then(|| PathBuf::from(path));
                vec![ComposeFile { name: name.clone(), path: p, bytes: bytes.unwrap_or_default() }]
            };
            let request = import::Request {
                files,
                environment: io.env.clone(),
                default_name: "observed".into(),
                ..import::Request::default()
            };
            import::compose(&request, &fs)
        }
        SourceKind::Kubernetes => {
            let mut files = Vec::new();
            if is_dir {
                let mut found = Vec::new();
                super::import::yaml_files(&io.cwd.join(path), Path::new(path), &mut found, 0)
                    .map_err(|reason| Error::Read { path: PathBuf::from(path), reason })?;
                found.sort();
                for f in found {
                    let b = fs.read_at_most(&f, manifest::MAX_FILE_SIZE).map_err(|reason| {
                        Error::Read { path: f.clone(), reason: std::io::Error::other(reason) }
                    })?;
                    files.push(ComposeFile {
                        name: manifest::display_path(&f),
                        path: Some(f),
                        bytes: b,
                    });
                }
            } else {
                files.push(ComposeFile {
                    name: name.clone(),
                    path: None,
                    bytes: bytes.unwrap_or_default(),
                });
            }
            import::kubernetes(&import::KubeRequest {
                files,
                name: "observed".into(),
                ..import::KubeRequest::default()
            })
        }
    };
    let errors: Vec<Diagnostic> =
        outcome.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    let Some(text) = outcome.manifest else {
        let mut emitter = human(global, io.stderr_is_terminal, io.no_color);
        emitter.summary = false;
        emitter.emit(&errors, &outcome.sources, io.stderr)?;
        return Ok(None);
    };
    drift::observed_manifest(&name, &text)
        .map(Some)
        .map_err(|message| Error::Usage(format!("--against {a}: {message}")))
}

/// Every drift code, for SARIF.
fn catalog() -> Vec<CatalogEntry> {
    drift::codes::PROBLEMS
        .iter()
        .map(|p| CatalogEntry {
            code: p.code,
            id: p.id,
            summary: p.summary,
            docs: p.docs,
            default: Some(Severity::Warn),
            category: "drift",
        })
        .collect()
}
