//! The GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`): every finding in one Markdown
//! table, since the annotations GitHub shows are capped (10 of each kind per step).

use std::fmt::Write as _;

use super::emit::summary_line;
use super::{Diagnostic, Summary};
use crate::source::Sources;

/// Free text for a table cell: no cell border, line break, HTML or inline markup from it.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The summary: a heading, the counts, then a row per finding (level, check, place, message),
/// and how many annotations were left out (`omitted`).
#[must_use]
pub(crate) fn markdown(diagnostics: &[Diagnostic], sources: &Sources, omitted: usize) -> String {
    let mut o = String::new();
    let summary = Summary::of(diagnostics);
    let _ = writeln!(o, "### archmap check\n");
    if diagnostics.is_empty() {
        let _ = writeln!(o, "No findings.");
        return o;
    }
    let _ = writeln!(o, "**{}**", summary_line(&summary));
    if omitted > 0 {
        let _ = writeln!(
            o,
            "\n{omitted} finding{} shown here had no annotation: GitHub shows at most 10 of each \
             kind per step (`--max-annotations`).",
            if omitted == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(o, "\n| level | check | where | finding |\n| --- | --- | --- | --- |");
    for d in diagnostics {
        let place = d.primary_span().map_or_else(String::new, |span| {
            let (start, _) = sources.range(span);
            format!("{}:{}:{}", sources.get(span.file).name(), start.line, start.column)
        });
        let _ = writeln!(
            o,
            "| {} | {} {} | {} | {} |",
            d.severity.as_str(),
            d.code,
            d.id,
            cell(&place),
            cell(&d.message)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_hold_no_markup() {
        assert_eq!(cell("a|b\n`c` <d>"), "a\\|b \\`c\\` \\<d\\>");
    }
}
