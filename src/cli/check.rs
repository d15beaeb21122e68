//! `archmap check`.

use std::path::Path;

use super::args::{CheckArgs, Deny, GlobalArgs, ReportFormat};
use super::{Io, analyse, human, print_human, write_atomic};
use crate::baseline::{self, BaselineReport};
use crate::codes::{self, Code};
use crate::diagnostic::emit::{Emitter, Json};
use crate::diagnostic::sarif::{CatalogEntry, Github, Sarif};
use crate::diagnostic::{Severity, Summary};
use crate::error::Error;
use crate::manifest;

pub(super) fn run(args: &CheckArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let analysed = analyse(&args.manifest, io)?;
    // A baseline is read, or written, before anything is printed: a bad one stops the run.
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(path), _) => Some((path, read_baseline(path, io)?)),
        (None, Some(path)) if !analysed.fatal() => {
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
    let sources = &analysed.loaded.sources;
    match args.format {
        ReportFormat::Human => {
            let emitter = human(global, io.stdout_is_terminal, io.no_color);
            print_human(&shown, &analysed.loaded, &emitter, io.stdout)?;
            if shown.is_empty() && !global.quiet {
                let model = analysed.model.as_ref();
                let (n, e) = model.map_or((0, 0), |m| (m.graph.node_count(), m.graph.edge_count()));
                let what = if report.is_some() { "no new findings" } else { "no findings" };
                writeln!(io.stdout, "ok: {n} components, {e} dependencies, {what}")?;
            }
            if let Some(r) = &report
                && !global.quiet
            {
                write!(io.stdout, "{}", r.text())?;
            }
        }
        ReportFormat::Json => {
            let with = report.as_ref().map(|r| (r, &accepted[..]));
            Json::emit_with(&shown, with, sources, io.stdout)?;
        }
        ReportFormat::Sarif => {
            let sarif = Sarif { catalog: catalog(), version: env!("CARGO_PKG_VERSION") };
            let with = report.as_ref().map(|r| (r, &accepted[..]));
            sarif.emit_with(&shown, with, sources, io.stdout)?;
        }
        ReportFormat::Github => {
            Github.emit(&shown, sources, io.stdout)?;
            if let Some(r) = &report {
                Github::notice(&r.text(), io.stdout)?;
            }
        }
    }
    if analysed.fatal() {
        return Ok(2);
    }
    let summary = Summary::of(&shown);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let failed = summary.error > 0 || (deny_warnings && summary.warn > 0);
    Ok(u8::from(failed))
}

/// Reads and parses a baseline file (exit 2 when it is missing or is not one).
pub(super) fn read_baseline(path: &Path, io: &Io<'_>) -> Result<Vec<baseline::Entry>, Error> {
    let full = io.cwd.join(path);
    let read_error = |source| Error::Read { path: path.to_path_buf(), source };
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
