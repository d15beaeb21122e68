//! A [`Diff`] written as terminal text, JSON or Markdown.
//!
//! Input: a [`Diff`]. Output: a `String` in one format. Invariants: sections and entries keep
//! the diff's order (sorted by id); user text is made harmless for the target: control
//! characters are shown escaped in text (no terminal escapes from a manifest), JSON is
//! serialised by `serde_json`, and Markdown puts ids and values in code spans (no mentions, HTML
//! or table breaks) and escapes every punctuation character of free text.

use std::fmt::Write as _;

use serde::Serialize;

use super::changed::ChangedFinding;
use super::{Diff, EdgeEntry, Entry, FieldChange, Finding, JSON_VERSION, Status};

/// How many entries of a section were added, removed and changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    /// Added.
    pub added: usize,
    /// Removed.
    pub removed: usize,
    /// Changed.
    pub changed: usize,
}

impl Counts {
    fn of(statuses: impl Iterator<Item = Status>) -> Counts {
        let mut c = Counts::default();
        for s in statuses {
            match s {
                Status::Added => c.added += 1,
                Status::Removed => c.removed += 1,
                Status::Changed => c.changed += 1,
            }
        }
        c
    }

    /// `2 components added, 1 removed`; `None` when nothing happened.
    fn phrase(self, one: &str, many: &str) -> Option<String> {
        let parts: Vec<(usize, &str)> =
            [(self.added, "added"), (self.removed, "removed"), (self.changed, "changed")]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .collect();
        let ((n, first), rest) = parts.split_first()?;
        let noun = if *n == 1 { one } else { many };
        let mut s = format!("{n} {noun} {first}");
        for (n, what) in rest {
            let _ = write!(s, ", {n} {what}");
        }
        Some(s)
    }
}

/// The sections of entries keyed by id, with their titles (singular, plural).
fn sections(diff: &Diff) -> [(&'static str, &'static str, &[Entry]); 5] {
    [
        ("component", "components", &diff.components),
        ("group", "groups", &diff.groups),
        ("view", "views", &diff.views),
        ("rule", "rules", &diff.rules),
        ("flow", "flows", &diff.flows),
    ]
}

fn entry_counts(entries: &[Entry]) -> Counts {
    Counts::of(entries.iter().map(|e| e.status))
}

fn edge_counts(entries: &[EdgeEntry]) -> Counts {
    Counts::of(entries.iter().map(|e| e.status))
}

/// One line saying what changed: `1 component added, 1 changed; 2 dependencies added; 1 new
/// finding`, or `no differences`.
#[must_use]
pub(crate) fn summary(diff: &Diff) -> String {
    let mut parts = Vec::new();
    if !diff.system.is_empty() {
        let fields: Vec<&str> = diff.system.iter().map(|c| c.field).collect();
        parts.push(format!("system {} changed", fields.join(" and ")));
    }
    let [components, groups, views, rules, flows] = sections(diff);
    parts.extend(entry_counts(components.2).phrase("component", "components"));
    parts.extend(edge_counts(&diff.dependencies).phrase("dependency", "dependencies"));
    for (one, many, entries) in [groups, views, flows] {
        parts.extend(entry_counts(entries).phrase(one, many));
    }
    if !rules.2.is_empty() {
        let n = rules.2.len();
        parts.push(format!("{n} rule setting{} changed", if n == 1 { "" } else { "s" }));
    }
    let (n, r) = (diff.new_findings.len(), diff.resolved_findings.len());
    if n > 0 {
        parts.push(format!("{n} new finding{}", if n == 1 { "" } else { "s" }));
    }
    if r > 0 {
        parts.push(format!("{r} finding{} resolved", if r == 1 { "" } else { "s" }));
    }
    let c = diff.changed_findings.len();
    if c > 0 {
        parts.push(format!("{c} finding{} changed", if c == 1 { "" } else { "s" }));
    }
    let b = diff.baselined_findings;
    if b > 0 {
        parts.push(format!(
            "{b} new finding{} accepted by the baseline",
            if b == 1 { "" } else { "s" }
        ));
    }
    if parts.is_empty() { "no differences".to_string() } else { parts.join("; ") }
}

// ---------------------------------------------------------------------------------------------
// Text

/// ANSI styles, or nothing.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn status(&self, status: Status, s: &str) -> String {
        match status {
            Status::Added => self.wrap("32", s),
            Status::Removed => self.wrap("31", s),
            Status::Changed => self.wrap("33", s),
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// A user string safe to print on a terminal: control characters (escape sequences, newlines)
/// shown escaped.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn value(v: Option<&String>) -> String {
    v.map_or_else(|| "(none)".to_string(), |s| plain(s))
}

fn marker(status: Status) -> &'static str {
    match status {
        Status::Added => "+",
        Status::Removed => "-",
        Status::Changed => "~",
    }
}

/// An added or removed entry's attributes on one line, `kind: cache, owner: data`.
fn attributes(changes: &[FieldChange]) -> String {
    changes
        .iter()
        .filter_map(|c| {
            let v = c.new.as_ref().or(c.old.as_ref())?;
            Some(format!("{}: {}", c.field, plain(v)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text_entry(o: &mut String, p: &Paint, key: &str, status: Status, changes: &[FieldChange]) {
    let head = p.status(status, &format!("  {} {}", marker(status), plain(key)));
    if status == Status::Changed {
        let _ = writeln!(o, "{head}");
        for c in changes {
            let _ = writeln!(
                o,
                "      {}: {} → {}",
                c.field,
                p.wrap("31", &value(c.old.as_ref())),
                p.wrap("32", &value(c.new.as_ref()))
            );
        }
    } else {
        let attrs = attributes(changes);
        if attrs.is_empty() {
            let _ = writeln!(o, "{head}");
        } else {
            let _ = writeln!(o, "{head}  {}", p.dim(&attrs));
        }
    }
}

fn text_finding(o: &mut String, p: &Paint, what: &str, f: &Finding) {
    let (status, word) =
        if what == "new" { (Status::Removed, "new     ") } else { (Status::Added, "resolved") };
    let _ = writeln!(
        o,
        "  {} {} {:<5} {}",
        p.status(status, word),
        p.bold(f.code),
        f.level.as_str(),
        plain(&f.message)
    );
}

/// The terminal report: one section per kind of thing that changed, then findings, then the
/// summary line (left out with `quiet`).
#[must_use]
pub(crate) fn text(diff: &Diff, color: bool, quiet: bool) -> String {
    let p = Paint { on: color };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        p.bold(&format!("archmap diff {} → {}", plain(&diff.old), plain(&diff.new)))
    );
    if !diff.system.is_empty() {
        let _ = writeln!(o, "\n{}", p.bold("system"));
        text_entry(&mut o, &p, "system", Status::Changed, &diff.system);
    }
    let [components, groups, views, rules, flows] = sections(diff);
    let section = |o: &mut String, (_, title, entries): (&str, &str, &[Entry])| {
        if entries.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n{}", p.bold(title));
        for e in entries {
            text_entry(o, &p, &e.id, e.status, &e.changes);
        }
    };
    section(&mut o, components);
    if !diff.dependencies.is_empty() {
        let _ = writeln!(o, "\n{}", p.bold("dependencies"));
        for e in &diff.dependencies {
            let key = format!("{} → {}", e.from, e.to);
            text_entry(&mut o, &p, &key, e.status, &e.changes);
        }
    }
    section(&mut o, groups);
    section(&mut o, views);
    section(&mut o, rules);
    section(&mut o, flows);
    if !diff.new_findings.is_empty()
        || !diff.resolved_findings.is_empty()
        || !diff.changed_findings.is_empty()
    {
        let _ = writeln!(o, "\n{}", p.bold("findings"));
        for f in &diff.new_findings {
            text_finding(&mut o, &p, "new", f);
        }
        for f in &diff.resolved_findings {
            text_finding(&mut o, &p, "resolved", f);
        }
        for c in &diff.changed_findings {
            let _ = writeln!(
                o,
                "  {} {} {:<5} {}\n             was: {}",
                p.status(Status::Changed, "changed "),
                p.bold(c.new.code),
                c.new.level.as_str(),
                plain(&c.new.message),
                plain(&c.old.message)
            );
        }
    }
    if !quiet {
        let _ = writeln!(o, "\n{}", summary(diff));
    }
    o
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The JSON document, fields in the order written here (schema in `docs/diff.md`).
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    old: &'a str,
    new: &'a str,
    identical: bool,
    summary: SummaryDoc,
    system: &'a [FieldChange],
    components: &'a [Entry],
    dependencies: &'a [EdgeEntry],
    groups: &'a [Entry],
    views: &'a [Entry],
    rules: &'a [Entry],
    #[serde(skip_serializing_if = "<[Entry]>::is_empty")]
    flows: &'a [Entry],
    findings: FindingsDoc<'a>,
}

#[derive(Serialize)]
struct SummaryDoc {
    components: Counts,
    dependencies: Counts,
    groups: Counts,
    views: Counts,
    rules: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    flows: Option<Counts>,
    new_findings: usize,
    resolved_findings: usize,
    changed_findings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined_findings: Option<usize>,
}

#[derive(Serialize)]
struct FindingsDoc<'a> {
    new: &'a [Finding],
    resolved: &'a [Finding],
    changed: &'a [ChangedFinding],
}

/// The JSON document: `{"version","old","new","identical","summary","system","components",
/// "dependencies","groups","views","rules","findings":{"new","resolved","changed"}}`.
#[must_use]
pub(crate) fn json(diff: &Diff) -> String {
    let doc = Document {
        version: JSON_VERSION,
        old: &diff.old,
        new: &diff.new,
        identical: diff.is_empty(),
        summary: SummaryDoc {
            components: entry_counts(&diff.components),
            dependencies: edge_counts(&diff.dependencies),
            groups: entry_counts(&diff.groups),
            views: entry_counts(&diff.views),
            rules: entry_counts(&diff.rules),
            flows: (!diff.flows.is_empty()).then(|| entry_counts(&diff.flows)),
            new_findings: diff.new_findings.len(),
            resolved_findings: diff.resolved_findings.len(),
            changed_findings: diff.changed_findings.len(),
            baselined_findings: (diff.baselined_findings > 0).then_some(diff.baselined_findings),
        },
        system: &diff.system,
        components: &diff.components,
        dependencies: &diff.dependencies,
        groups: &diff.groups,
        views: &diff.views,
        rules: &diff.rules,
        flows: &diff.flows,
        findings: FindingsDoc {
            new: &diff.new_findings,
            resolved: &diff.resolved_findings,
            changed: &diff.changed_findings,
        },
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("the diff serialises");
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// Free text for a Markdown table cell: inline markup characters backslash-escaped, `&` as an
/// entity, line breaks as spaces, so nothing in it is emphasis, code, a link, a mention, HTML or
/// a cell border. (Block syntax such as `- ` or `1.` means nothing inside a cell.)
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '@' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A value as a Markdown code span fit for a table cell: no markup, HTML or mentions inside;
/// `|` escaped (GFM reads `\|` in a cell as a pipe, code spans included); a fence longer than
/// any run of backticks in the value.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_value(v: Option<&String>) -> String {
    v.map_or_else(|| "*none*".to_string(), |s| code(s))
}

fn md_changes(status: Status, changes: &[FieldChange]) -> String {
    let cells: Vec<String> = changes
        .iter()
        .filter_map(|c| {
            if status == Status::Changed {
                return Some(format!(
                    "{}: {} → {}",
                    c.field,
                    md_value(c.old.as_ref()),
                    md_value(c.new.as_ref())
                ));
            }
            let v = c.new.as_ref().or(c.old.as_ref())?;
            Some(format!("{}: {}", c.field, code(v)))
        })
        .collect();
    cells.join("<br>")
}

fn md_status(status: Status) -> &'static str {
    match status {
        Status::Added => "🟢 added",
        Status::Removed => "🔴 removed",
        Status::Changed => "🟡 changed",
    }
}

/// The PR comment: a heading, a summary line, new and resolved findings with their level
/// (what a reviewer needs first), then a table per kind of change.
#[must_use]
pub(crate) fn markdown(diff: &Diff) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "### Architecture diff: {} → {}\n", code(&diff.old), code(&diff.new));
    if diff.is_empty() {
        let _ = writeln!(o, "No architectural changes.");
        return o;
    }
    let _ = writeln!(o, "**{}**", summary(diff));
    if !diff.new_findings.is_empty()
        || !diff.resolved_findings.is_empty()
        || !diff.changed_findings.is_empty()
    {
        let _ = writeln!(
            o,
            "\n#### Findings\n\n| | level | check | finding |\n| --- | --- | --- | --- |"
        );
        for (word, list) in
            [("🆕 new", &diff.new_findings), ("✅ resolved", &diff.resolved_findings)]
        {
            for f in list {
                let _ = writeln!(
                    o,
                    "| {word} | {} | {} {} | {} |",
                    f.level.as_str(),
                    f.code,
                    f.id,
                    md(&f.message)
                );
            }
        }
        for c in &diff.changed_findings {
            let _ = writeln!(
                o,
                "| 🔁 changed | {} | {} {} | {} (was: {}) |",
                c.new.level.as_str(),
                c.new.code,
                c.new.id,
                md(&c.new.message),
                md(&c.old.message)
            );
        }
    }
    if !diff.system.is_empty() {
        let _ = writeln!(o, "\n#### System\n\n| field | old | new |\n| --- | --- | --- |");
        for c in &diff.system {
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                c.field,
                md_value(c.old.as_ref()),
                md_value(c.new.as_ref())
            );
        }
    }
    let [components, groups, views, rules, flows] = sections(diff);
    let table = |o: &mut String, title: &str, entries: &[Entry]| {
        if entries.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n#### {title}\n\n| | id | details |\n| --- | --- | --- |");
        for e in entries {
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                md_status(e.status),
                code(&e.id),
                md_changes(e.status, &e.changes)
            );
        }
    };
    table(&mut o, "Components", components.2);
    if !diff.dependencies.is_empty() {
        let _ = writeln!(
            o,
            "\n#### Dependencies\n\n| | from | to | details |\n| --- | --- | --- | --- |"
        );
        for e in &diff.dependencies {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md_status(e.status),
                code(&e.from),
                code(&e.to),
                md_changes(e.status, &e.changes)
            );
        }
    }
    table(&mut o, "Groups", groups.2);
    table(&mut o, "Views", views.2);
    table(&mut o, "Rules", rules.2);
    table(&mut o, "Flows", flows.2);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_cannot_break_out() {
        assert_eq!(
            md("a|b *c* <img> @team [x](y) &amp; `z`"),
            "a\\|b \\*c\\* \\<img\\> \\@team \\[x\\](y) &amp;amp; \\`z\\`"
        );
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x `y` z"), "``x `y` z``");
        assert_eq!(code("`"), "`` ` ``");
        assert_eq!(code("line\nbreak"), "`line break`");
    }

    #[test]
    fn terminal_text_shows_control_characters_escaped() {
        assert_eq!(plain("a\x1b[31mred\nb"), "a\\u{1b}[31mred\\nb");
        assert_eq!(plain("日本 ok"), "日本 ok");
    }

    #[test]
    fn counts_read_as_a_phrase() {
        let c = Counts { added: 2, removed: 0, changed: 1 };
        assert_eq!(
            c.phrase("component", "components").as_deref(),
            Some("2 components added, 1 changed")
        );
        assert_eq!(Counts::default().phrase("x", "xs"), None);
    }
}
