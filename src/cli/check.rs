//! `archmap check`.

use std::any::Any;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::args::{CheckArgs, Deny, GlobalArgs, ReportFormat};
use super::outfile::Row;
use super::{Io, analyse_at, human, write_atomic};
use crate::baseline::{self, BaselineReport};
use crate::codes::{self, Code};
use crate::diagnostic::emit::{Emitter, Json};
use crate::diagnostic::sarif::{CatalogEntry, Github, Sarif};
use crate::diagnostic::{Diagnostic, Severity, Summary, ci, step_summary};
use crate::error::Error;
use crate::manifest;
use crate::pipeline::Analysis;
use crate::source::{FileId, SourceFile, Sources};

pub(super) fn run(args: &CheckArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let format = report_format(args)?;
    let mut runs = Vec::new();
    for input in inputs(args, io)? {
        runs.push(analyse_at(input.as_deref(), &args.manifest, io)?);
    }
    let analysed = Checked::merge(runs, &mut io.spent);
    // A baseline is read, or written, before anything is printed: a bad one stops the run.
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(path), _) => Some((path, read_baseline(path, io)?)),
        (None, Some(path)) if !analysed.fatal => {
            let text = baseline::write(&analysed.diagnostics);
            write_atomic(&io.cwd.join(path), text.as_bytes())?;
            let entries = baseline::parse(&text).expect("a baseline written reads back");
            if !global.quiet {
                let n: usize = entries.iter().map(|e| e.count).sum();
                writeln!(
                    io.stderr,
                    "wrote baseline {}: {n} finding{} accepted",
                    path.display(),
                    if n == 1 { "" } else { "s" }
                )?;
            }
            Some((path, entries))
        }
        (None, _) => None,
    };
    let (shown, accepted, report) = match baseline {
        Some((path, entries)) => {
            let applied = baseline::apply(analysed.diagnostics.clone(), &entries);
            let report = BaselineReport::new(path.display().to_string(), &applied);
            (applied.new, applied.baselined, Some(report))
        }
        None => (analysed.diagnostics.clone(), Vec::new(), None),
    };
    let file = super::output_path(args.output.as_ref()).cloned();
    let mut buffer = Vec::new();
    let report = Report { shown: &shown, accepted: &accepted, baseline: report.as_ref() };
    emit(args, global, format, &analysed, &report, file.is_some().then_some(&mut buffer), io)?;
    if let Some(path) = &file {
        if super::is_an_input(&io.cwd, path, &analysed.paths) {
            return Err(Error::Usage(format!(
                "refusing to overwrite the manifest {} with a report",
                path.display()
            )));
        }
        write_atomic(&io.cwd.join(path), &buffer)?;
    }
    if analysed.fatal {
        return Ok(2);
    }
    let summary = Summary::of(&shown);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let failed = summary.error > 0 || (deny_warnings && summary.warn > 0);
    Ok(u8::from(failed && !args.exit_zero))
}

/// What a run reports: the findings shown, those a baseline accepted, and the baseline's report.
struct Report<'a> {
    shown: &'a [Diagnostic],
    accepted: &'a [Diagnostic],
    baseline: Option<&'a BaselineReport>,
}

/// Writes the report in `format` to `buffer` (for `-o`) or standard output, and the GitHub job
/// summary where GitHub asks for one.
fn emit(
    args: &CheckArgs,
    global: &GlobalArgs,
    format: ReportFormat,
    analysed: &Checked,
    r: &Report<'_>,
    buffer: Option<&mut Vec<u8>>,
    io: &mut Io<'_>,
) -> Result<(), Error> {
    let sources = &analysed.sources;
    let (shown, accepted, report) = (r.shown, r.accepted, r.baseline);
    let (is_terminal, no_color) = (io.stdout_is_terminal && buffer.is_none(), io.no_color);
    let step_summary = io.env.get("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()).cloned();
    let out: &mut dyn Write = match buffer {
        Some(b) => b,
        None => &mut *io.stdout,
    };
    match format {
        ReportFormat::Human => {
            let mut emitter = human(global, is_terminal, no_color);
            // Findings that fire on most components are summarised per group.
            emitter.groups.clone_from(&analysed.groups);
            emitter.emit(shown, sources, out)?;
            if shown.is_empty() && !global.quiet {
                let (n, e) = analysed.counts;
                let what = if report.is_some() { "no new findings" } else { "no findings" };
                let files = match analysed.files.len() {
                    1 => String::new(),
                    k => format!(" in {k} manifests"),
                };
                writeln!(out, "ok: {n} components, {e} dependencies{files}, {what}")?;
            }
            if let Some(b) = report
                && !global.quiet
            {
                write!(out, "{}", b.text())?;
            }
        }
        ReportFormat::Json => {
            let with = report.map(|b| (b, accepted));
            Json::emit_with(shown, with, sources, out)?;
        }
        ReportFormat::Sarif => {
            let sarif = Sarif { catalog: catalog(), version: env!("CARGO_PKG_VERSION") };
            let with = report.map(|b| (b, accepted));
            sarif.emit_with(shown, with, sources, out)?;
        }
        ReportFormat::Github => {
            let (annotated, omitted) = capped(shown, args.max_annotations);
            Github.emit(&annotated, sources, out)?;
            if omitted > 0 {
                // A plain log line: one more notice would itself be over GitHub's limit.
                writeln!(
                    out,
                    "archmap: {omitted} more finding{} not annotated (at most {} per level); the \
                     job summary lists them all",
                    if omitted == 1 { "" } else { "s" },
                    args.max_annotations
                )?;
            }
            if let Some(b) = report {
                Github::notice(&b.text(), out)?;
            }
            // The summary is a courtesy: one that cannot be written is said, and the check's
            // verdict stands.
            if let Some(path) = step_summary
                && let Err(e) = append_step_summary(
                    Path::new(&path),
                    &step_summary::markdown(shown, sources, omitted),
                )
            {
                writeln!(io.stderr, "warning: no job summary: {e}")?;
            }
        }
        ReportFormat::Gitlab => ci::gitlab(shown, sources, &analysed.files, out)?,
        ReportFormat::Junit => ci::junit(shown, sources, &analysed.files, out)?,
        ReportFormat::Checkstyle => ci::checkstyle(shown, sources, &analysed.files, out)?,
    }
    Ok(())
}

/// `--format`, else what `-o`'s extension asks for, else human.
fn report_format(args: &CheckArgs) -> Result<ReportFormat, Error> {
    use ReportFormat::{Checkstyle, Github, Gitlab, Human, Json, Junit, Sarif};
    let row = |format, name, infer, accept| Row { format, name, infer, accept };
    super::outfile::pick(
        args.format,
        args.output.as_deref(),
        Human,
        &[
            row(Human, "human", &["txt", "log"], &["txt", "log"]),
            row(Json, "json", &["json"], &["json"]),
            row(Sarif, "sarif", &["sarif"], &["sarif", "json"]),
            row(Github, "github", &[], &["txt", "log"]),
            row(Gitlab, "gitlab", &[], &["json"]),
            row(Junit, "junit", &[], &["xml"]),
            row(Checkstyle, "checkstyle", &[], &["xml"]),
        ],
    )
}

/// The manifests to check: those named (quoted globs expanded, in sorted order), else the one
/// found from the current directory; `None` is standard input.
fn inputs(args: &CheckArgs, io: &Io<'_>) -> Result<Vec<Option<PathBuf>>, Error> {
    let Some(first) = &args.manifest.file else {
        return Ok(vec![super::manifest_path(&args.manifest, io)?]);
    };
    let mut out = Vec::new();
    for p in std::iter::once(first).chain(&args.more) {
        if p.as_os_str() == "-" {
            if out.contains(&None) {
                return Err(Error::Usage("standard input (`-`) can be read only once".into()));
            }
            out.push(None);
            continue;
        }
        let text = p.to_string_lossy();
        let is_glob = text.contains(['*', '?', '[']) && !io.cwd.join(p).exists();
        if !is_glob {
            out.push(Some(p.clone()));
            continue;
        }
        let pattern = io.cwd.join(p);
        let matches = glob::glob(&pattern.to_string_lossy())
            .map_err(|e| Error::Usage(format!("`{text}` is not a valid glob: {}", e.msg)))?;
        let before = out.len();
        for m in matches.flatten() {
            if m.is_file() {
                let relative = m.strip_prefix(&io.cwd).map(Path::to_path_buf).unwrap_or(m);
                out.push(Some(relative));
            }
        }
        if out.len() == before {
            return Err(Error::Usage(format!("no file matches `{text}`")));
        }
    }
    Ok(out)
}

/// The runs of one `check`, as one: their sources in one set, findings in input order.
struct Checked {
    sources: Sources,
    diagnostics: Vec<Diagnostic>,
    fatal: bool,
    /// Components and dependencies, over every manifest.
    counts: (usize, usize),
    /// Each manifest's name, as reports show it.
    files: Vec<String>,
    /// Every file read (what `-o` must never replace).
    paths: Vec<PathBuf>,
    /// Each component's group id, by component id (over every manifest).
    groups: HashMap<String, String>,
}

impl Checked {
    /// Merges the runs' reports; their models and manifests, no longer needed, go to `spent`.
    fn merge(analyses: Vec<Analysis>, spent: &mut Vec<Box<dyn Any>>) -> Checked {
        let fatal = analyses.iter().any(Analysis::fatal);
        let counts = analyses
            .iter()
            .filter_map(|a| a.model.as_ref())
            .fold((0, 0), |(n, e), m| (n + m.graph.node_count(), e + m.graph.edge_count()));
        let files = analyses
            .iter()
            .filter_map(|a| a.loaded.sources.iter().next().map(|(_, f)| f.name().to_string()))
            .collect();
        let paths = analyses.iter().flat_map(|a| a.loaded.paths.iter().cloned()).collect();
        let groups = analyses
            .iter()
            .filter_map(|a| a.model.as_ref())
            .flat_map(|model| {
                model.components().filter_map(|id| {
                    let c = model.component(id);
                    c.group.map(|g| (c.id.clone(), model.group(g).id.clone()))
                })
            })
            .collect();
        let mut analyses = analyses;
        if analyses.len() == 1 {
            let a = analyses.pop().expect("one");
            spent.push(Box::new((a.model, a.loaded.manifests)));
            return Checked {
                sources: a.loaded.sources,
                diagnostics: a.diagnostics,
                fatal,
                counts,
                files,
                paths,
                groups,
            };
        }
        let mut sources = Sources::new();
        let mut diagnostics = Vec::new();
        for a in analyses {
            spent.push(Box::new((a.model, a.loaded.manifests)));
            let offset = sources.iter().count() as u32;
            for (_, f) in a.loaded.sources.iter() {
                sources.add(SourceFile::new(f.name(), f.text()));
            }
            for mut d in a.diagnostics {
                shift(&mut d, offset);
                diagnostics.push(d);
            }
        }
        Checked { sources, diagnostics, fatal, counts, files, paths, groups }
    }
}

/// Moves a finding's places (and its parts') `by` files along, for a merged set of sources.
fn shift(d: &mut Diagnostic, by: u32) {
    for l in &mut d.labels {
        l.span.file = FileId(l.span.file.0 + by);
    }
    for m in &mut d.members {
        shift(m, by);
    }
}

/// The first `max` findings of each level, and how many were left out.
fn capped(diagnostics: &[Diagnostic], max: usize) -> (Vec<Diagnostic>, usize) {
    let mut seen: [usize; 3] = [0; 3];
    let mut kept = Vec::new();
    for d in diagnostics {
        let n = &mut seen[d.severity as usize];
        *n += 1;
        if *n <= max {
            kept.push(d.clone());
        }
    }
    let omitted = diagnostics.len() - kept.len();
    (kept, omitted)
}

/// Appends `text` to the job summary file GitHub names in `$GITHUB_STEP_SUMMARY` (appended, as
/// every step of a job writes to the same file).
fn append_step_summary(path: &Path, text: &str) -> Result<(), Error> {
    let err = |reason| Error::Write { path: path.to_path_buf(), reason };
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
    f.write_all(text.as_bytes()).map_err(err)
}

/// Reads and parses a baseline file (exit 2 when it is missing or is not one).
pub(super) fn read_baseline(path: &Path, io: &Io<'_>) -> Result<Vec<baseline::Entry>, Error> {
    let full = io.cwd.join(path);
    let read_error = |reason| Error::Read { path: path.to_path_buf(), reason };
    let reason = |e: std::io::Error| read_error(std::io::Error::other(super::io_reason(&e)));
    let meta = std::fs::metadata(&full).map_err(reason)?;
    if meta.is_dir() {
        return Err(read_error(std::io::Error::other("it is a directory")));
    }
    if meta.len() > manifest::MAX_FILE_SIZE {
        return Err(read_error(std::io::Error::other(format!(
            "it is larger than {} MiB",
            manifest::MAX_FILE_SIZE >> 20
        ))));
    }
    let bytes = std::fs::read(&full).map_err(reason)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| read_error(std::io::Error::other("it is not UTF-8 text")))?;
    baseline::parse(&text).map_err(|e| Error::Baseline {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    })
}

/// Every code a report may contain: the checks, then the reading problems (import problems
/// are never in a check report).
fn catalog() -> Vec<CatalogEntry> {
    codes::all()
        .filter_map(|code| match code {
            Code::Check(m) => Some(CatalogEntry {
                code: m.code,
                id: m.id,
                summary: m.summary,
                docs: m.docs,
                default: m.default_level.severity(),
                category: m.category.as_str(),
            }),
            Code::Manifest(p) => Some(CatalogEntry {
                code: p.code,
                id: p.id,
                summary: p.summary,
                docs: p.docs,
                default: Some(Severity::Error),
                category: "manifest",
            }),
            Code::Import(_) | Code::Drift(_) => None,
        })
        .collect()
}
