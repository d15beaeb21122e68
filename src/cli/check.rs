//! `archmap check`.

use super::args::{CheckArgs, Deny, GlobalArgs, ReportFormat};
use super::{Io, analyse, human, print_human};
use crate::codes::{self, Code};
use crate::diagnostic::emit::{Emitter, Json};
use crate::diagnostic::sarif::{CatalogEntry, Github, Sarif};
use crate::diagnostic::{Severity, Summary};
use crate::error::Error;

pub(super) fn run(args: &CheckArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let analysed = analyse(&args.manifest, io)?;
    match args.format {
        ReportFormat::Human => {
            let emitter = human(global, io.stdout_is_terminal, io.no_color);
            print_human(&analysed.diagnostics, &analysed.loaded, &emitter, io.stdout)?;
            if analysed.diagnostics.is_empty() && !global.quiet {
                let model = analysed.model.as_ref();
                let (n, e) = model.map_or((0, 0), |m| (m.graph.node_count(), m.graph.edge_count()));
                writeln!(io.stdout, "ok: {n} components, {e} dependencies, no findings")?;
            }
        }
        ReportFormat::Json => {
            Json.emit(&analysed.diagnostics, &analysed.loaded.sources, io.stdout)?;
        }
        ReportFormat::Sarif => {
            let sarif = Sarif { catalog: catalog(), version: env!("CARGO_PKG_VERSION") };
            sarif.emit(&analysed.diagnostics, &analysed.loaded.sources, io.stdout)?;
        }
        ReportFormat::Github => {
            Github.emit(&analysed.diagnostics, &analysed.loaded.sources, io.stdout)?;
        }
    }
    if analysed.fatal() {
        return Ok(2);
    }
    let summary = Summary::of(&analysed.diagnostics);
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let failed = summary.error > 0
        || (deny_warnings && analysed.diagnostics.iter().any(|d| d.severity == Severity::Warn));
    Ok(u8::from(failed))
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
            Code::Import(_) => None,
        })
        .collect()
}
