//! The rule catalogue in `docs/rules.md` is generated from the registry and must not drift;
//! every rule's documented example must raise that rule.
//!
//! Regenerate the file with `UPDATE_DOCS=1 cargo test docs`.

use std::fmt::Write;

use archmap::{Code, ParamKind, RuleMeta};

use crate::support::{root, run_in, temp_with};

fn kind(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Count => "whole number",
        ParamKind::Share => "share (0 to 1)",
        ParamKind::Forbidden => "list of `{from, to}` selectors",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A rule's docs with its `##` headings one level down, under the rule's own heading.
fn demoted(docs: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in docs.trim_end().lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with("## ") {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn anchor(m: &RuleMeta) -> String {
    format!("{}-{}", m.code.to_ascii_lowercase(), m.id)
}

/// The whole catalogue.
fn rules_md() -> String {
    let mut md = String::from(
        "# Checks\n\n\
         <!-- Generated from the rule registry by `UPDATE_DOCS=1 cargo test docs`: edit the docs in\n\
         src/analysis/rules/ instead. -->\n\n\
         Every check `archmap check` runs, in code order. `archmap explain CODE-OR-ID` prints one\n\
         section; the manifest's `rules:` section, `--rule ID=LEVEL` and a component's `allow:`\n\
         change levels (see the manifest reference).\n\n\
         Each check says which facts of the manifest it relies on (\"Relies on\"). archmap does\n\
         not read what nobody wrote as a fact: a `replicas` not written is unknown, not 1, so\n\
         single-point-of-failure flags only what a large share of the system depends on; owners\n\
         written nowhere are one missing-owner finding with the count, not one per component;\n\
         a manifest whose components are mostly unconnected gets one orphan finding listing\n\
         them. What this changes on real systems is measured in\n\
         [BENCHMARKS.md](../BENCHMARKS.md#signal).\n\n\
         Adopting archmap on an existing system, in three steps\n\
         ([recipes.md](recipes.md#adopting-archmap-on-an-existing-system-in-three-steps) has\n\
         the details):\n\n\
         1. `archmap check`: read the summary at the top (errors, then warnings by how much of\n   \
         the system they put at risk) and fix what is cheap and real.\n\
         2. `archmap check --write-baseline archmap-baseline.json`: accept the rest, and commit\n   \
         the file. Entries match by code and subjects, never by line.\n\
         3. `archmap check --baseline archmap-baseline.json --deny warnings` in CI: it fails only\n   \
         on new findings, and lists the entries that match nothing any more, so the baseline\n   \
         shrinks as things are fixed (write it again).\n\n\
         | code | id | default | finds |\n| --- | --- | --- | --- |\n",
    );
    for m in archmap::rules() {
        writeln!(
            md,
            "| [{}](#{}) | {} | {} | {} |",
            m.code,
            anchor(m),
            m.id,
            m.default_level.as_str(),
            cell(m.summary)
        )
        .unwrap();
    }
    for m in archmap::rules() {
        let mut summary = m.summary.to_string();
        summary[..1].make_ascii_uppercase();
        write!(md, "\n## {} {}\n\n{summary}.\n\n", m.code, m.id).unwrap();
        write!(
            md,
            "Category: {}. Default level: {}. Since: {}.\n\n",
            m.category.as_str(),
            m.default_level.as_str(),
            m.since
        )
        .unwrap();
        writeln!(md, "Relies on: {}.\n", m.facts).unwrap();
        if !m.params.is_empty() {
            md.push_str("| parameter | type | default | meaning |\n| --- | --- | --- | --- |\n");
            for p in m.params {
                writeln!(
                    md,
                    "| `{}` | {} | {} | {} |",
                    p.name,
                    kind(p.kind()),
                    cell(&p.default.to_string()),
                    cell(p.doc)
                )
                .unwrap();
            }
            md.push('\n');
        }
        md.push_str(&demoted(m.docs));
    }
    md
}

#[test]
fn rules_md_is_current() {
    let path = root().join("docs").join("rules.md");
    let expected = rules_md();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/rules.md is out of date with the rule registry; regenerate it with `UPDATE_DOCS=1 cargo test docs` and commit it"
    );
}

/// `docs/import.md` lists every import problem, with its id, in code order, and no other code.
#[test]
fn import_docs_list_every_import_problem() {
    let text = std::fs::read_to_string(root().join("docs").join("import.md")).unwrap();
    let listed: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| l.starts_with("| AM"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1], cells[2])
        })
        .collect();
    let problems: Vec<(&str, &str)> = archmap::codes()
        .filter(|c| matches!(c, Code::Import(_)))
        .map(|c| (c.code(), c.id()))
        .collect();
    assert_eq!(listed, problems);
}

/// The first `yaml` code block after "## Example".
fn example(docs: &str) -> Option<&str> {
    let at = docs.find("## Example")?;
    let rest = &docs[at..];
    let start = rest.find("```yaml\n")? + "```yaml\n".len();
    let len = rest[start..].find("```")?;
    Some(&rest[start..start + len])
}

#[test]
fn every_documented_example_raises_its_rule() {
    let mut failures = Vec::new();
    for m in archmap::rules() {
        let Some(yaml) = example(m.docs) else {
            failures.push(format!("{} {}: no yaml example", m.code, m.id));
            continue;
        };
        let dir = temp_with(&[("archmap.yaml", yaml)]);
        let out = run_in(dir.path(), &["check", "--format", "json"], "");
        let doc: serde_json::Value = match serde_json::from_str(&out.stdout) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{} {}: no JSON report ({e}): {}", m.code, m.id, out.stderr));
                continue;
            }
        };
        let raised =
            doc["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == m.code));
        if !raised {
            failures.push(format!(
                "{} {}: its example does not raise it:\n{}",
                m.code, m.id, out.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
