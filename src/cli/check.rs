//! `archmap check`.

use super::args::{CheckArgs, Deny, GlobalArgs, ReportFormat};
use super::{Io, analyse, human, print_human};
use crate::diagnostic::emit::{Emitter, Json};
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
            Json.emit(&analysed.diagnostics, &analysed.loaded.sources, io.stdout)?
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
