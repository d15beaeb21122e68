//! Property tests over generated manifests: random ids from the grammar, every kind, nested
//! groups, dependencies with random modes and `optional`, views with random selectors, and
//! hostile strings in every free-text field. Whatever is generated, archmap exits 0, 1 or 2,
//! every finding points inside its file, outputs are deterministic, and every diagram is valid
//! for its format (SVG as XML with nothing active, DOT through Graphviz, Mermaid through the
//! mermaid parser when the harness is installed).

use std::fmt::Write as _;
use std::path::Path;

use archmap::vocab::Level;
use archmap::{Format, RenderOptions, SceneOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

use crate::safe_svg::assert_safe_svg;
use crate::support::{NoFs, graphviz, have_tool, root, run_in};

const KINDS: &[&str] = &[
    "service", "frontend", "gateway", "database", "cache", "queue", "topic", "storage", "function",
    "job", "external", "user",
];

/// Strings meant to break an escaper, a parser or a viewer.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "\" onload=\"alert(1)",
    "javascript:alert(1)",
    "]]><!--",
    "&amp; &lt; &#x3c; &",
    "-->|x| click a call alert()",
    "subgraph end classDef style",
    "{}[]()<>\"'`|;#%\\",
    "line\nbreak\r\nand\ttab",
    "Ünïcödé 日本語 🚀 עברית",
    "\\N \\G \\l \\\\",
    "@import url(http://evil.example/)",
    "%%{init: {}}%%",
    "   ",
    "",
];

/// An id from the grammar `[A-Za-z0-9][A-Za-z0-9_.-]*`, short so that collisions (duplicate
/// ids, references that resolve) happen.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-e]".prop_map(String::from),
        "[A-Za-z0-9][A-Za-z0-9_.-]{0,6}".prop_map(String::from),
    ]
}

/// Free text: hostile snippets, random printable text, or both.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(HOSTILE).prop_map(String::from),
        "[ -~]{0,20}".prop_map(String::from),
        (prop::sample::select(HOSTILE), "[ -~\u{a0}-\u{24f}]{0,10}")
            .prop_map(|(h, t)| format!("{t}{h}{t}")),
    ]
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset).
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

#[derive(Clone, Debug)]
struct Dep {
    target: String,
    mode: Option<&'static str>,
    optional: bool,
    label: Option<String>,
    protocol: Option<String>,
    short: bool,
}

#[derive(Clone, Debug)]
struct Comp {
    id: String,
    kind: Option<&'static str>,
    label: Option<String>,
    description: Option<String>,
    tech: Option<String>,
    url: Option<String>,
    group: Option<String>,
    replicas: Option<u32>,
    deps: Vec<Dep>,
}

#[derive(Clone, Debug)]
struct Grp {
    id: String,
    parent: Option<String>,
    label: Option<String>,
}

#[derive(Clone, Debug)]
struct ViewGen {
    id: String,
    include: Vec<String>,
    exclude: Vec<String>,
    focus: Vec<String>,
    depth: Option<u32>,
    direction: Option<&'static str>,
    collapse: Option<Vec<String>>,
    layout: Option<&'static str>,
}

fn dep() -> impl Strategy<Value = Dep> {
    (
        id(),
        prop::option::of(prop::sample::select(&["sync", "async"][..])),
        any::<bool>(),
        prop::option::of(text()),
        prop::option::of(prop_oneof![
            prop::sample::select(&["http", "grpc", "kafka", "sql", "amqp"][..])
                .prop_map(String::from),
            text()
        ]),
        any::<bool>(),
    )
        .prop_map(|(target, mode, optional, label, protocol, short)| Dep {
            target,
            mode,
            optional,
            label,
            protocol,
            short,
        })
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z]{1,8}\\.example/[ -~]{0,12}".prop_map(String::from),
        "[a-z]{1,6}/[a-z]{1,6}\\.html".prop_map(String::from),
        Just("mailto:team@example.com".to_string()),
        Just("javascript:alert(1)".to_string()),
        text(),
    ]
}

fn comp(groups: Vec<String>) -> impl Strategy<Value = Comp> {
    let group = if groups.is_empty() {
        Just(None).boxed()
    } else {
        prop::option::of(prop_oneof![prop::sample::select(groups), id()]).boxed()
    };
    (
        id(),
        prop::option::of(prop::sample::select(KINDS)),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::weighted(0.3, url()),
        group,
        prop::option::of(0u32..4),
        prop::collection::vec(dep(), 0..4),
    )
        .prop_map(|(id, kind, label, description, tech, url, group, replicas, deps)| Comp {
            id,
            kind,
            label,
            description,
            tech,
            url,
            group,
            replicas,
            deps,
        })
}

fn selector() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        id(),
        id().prop_map(|g| format!("group:{g}")),
        "[a-z]{1,4}".prop_map(|t| format!("tag:{t}")),
        prop::sample::select(KINDS).prop_map(|k| format!("kind:{k}")),
    ]
}

fn view() -> impl Strategy<Value = ViewGen> {
    (
        id(),
        prop::collection::vec(selector(), 0..3),
        prop::collection::vec(selector(), 0..2),
        prop::collection::vec(id(), 0..2),
        prop::option::of(0u32..4),
        prop::option::of(prop::sample::select(&["upstream", "downstream", "both"][..])),
        prop::option::of(prop_oneof![
            Just(vec!["all".to_string()]),
            prop::collection::vec(id(), 0..3)
        ]),
        prop::option::of(prop::sample::select(&["TB", "LR", "BT", "RL"][..])),
    )
        .prop_map(|(id, include, exclude, focus, depth, direction, collapse, layout)| {
            ViewGen { id, include, exclude, focus, depth, direction, collapse, layout }
        })
}

/// A whole manifest as YAML text: valid-ish, so that most cases get past reading.
fn manifest_text() -> impl Strategy<Value = String> {
    prop::collection::vec((id(), prop::option::of(id()), prop::option::of(text())), 0..4)
        .prop_map(|gs| {
            gs.into_iter().map(|(id, parent, label)| Grp { id, parent, label }).collect::<Vec<_>>()
        })
        .prop_flat_map(|groups| {
            let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
            (
                Just(groups),
                prop::collection::vec(comp(ids), 1..8),
                prop::collection::vec(view(), 0..3),
                text(),
                prop::option::of(text()),
            )
        })
        .prop_map(|(groups, comps, views, name, description)| {
            write_manifest(&groups, &comps, &views, &name, description.as_deref())
        })
}

fn write_manifest(
    groups: &[Grp],
    comps: &[Comp],
    views: &[ViewGen],
    name: &str,
    description: Option<&str>,
) -> String {
    let mut y = String::new();
    let w = &mut y;
    let _ = writeln!(w, "version: 1\nname: {}", q(name));
    if let Some(d) = description {
        let _ = writeln!(w, "description: {}", q(d));
    }
    if !groups.is_empty() {
        let _ = writeln!(w, "groups:");
        for g in groups {
            let _ = writeln!(w, "  {}:", q(&g.id));
            if let Some(p) = &g.parent {
                let _ = writeln!(w, "    parent: {}", q(p));
            }
            if let Some(l) = &g.label {
                let _ = writeln!(w, "    label: {}", q(l));
            }
            if g.parent.is_none() && g.label.is_none() {
                let _ = writeln!(w, "    color: \"#abc\"");
            }
        }
    }
    let _ = writeln!(w, "services:");
    for c in comps {
        let _ = writeln!(w, "  {}:", q(&c.id));
        let mut any = false;
        let mut field = |w: &mut String, k: &str, v: Option<String>| {
            if let Some(v) = v {
                any = true;
                let _ = writeln!(w, "    {k}: {v}");
            }
        };
        field(w, "kind", c.kind.map(String::from));
        field(w, "label", c.label.as_deref().map(q));
        field(w, "description", c.description.as_deref().map(q));
        field(w, "tech", c.tech.as_deref().map(q));
        field(w, "url", c.url.as_deref().map(q));
        field(w, "group", c.group.as_deref().map(q));
        field(w, "replicas", c.replicas.map(|r| r.to_string()));
        if !c.deps.is_empty() {
            any = true;
            let _ = writeln!(w, "    depends_on:");
            for d in &c.deps {
                if d.short {
                    let _ = writeln!(w, "      - {}", q(&d.target));
                    continue;
                }
                let _ = writeln!(w, "      - target: {}", q(&d.target));
                if let Some(m) = d.mode {
                    let _ = writeln!(w, "        mode: {m}");
                }
                if d.optional {
                    let _ = writeln!(w, "        optional: true");
                }
                if let Some(l) = &d.label {
                    let _ = writeln!(w, "        label: {}", q(l));
                }
                if let Some(p) = &d.protocol {
                    let _ = writeln!(w, "        protocol: {}", q(p));
                }
            }
        }
        if !any {
            let _ = writeln!(w, "    owner: team");
        }
    }
    if !views.is_empty() {
        let _ = writeln!(w, "views:");
        for v in views {
            let list = |xs: &[String]| xs.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(w, "  {}:", q(&v.id));
            let _ = writeln!(w, "    include: [{}]", list(&v.include));
            let _ = writeln!(w, "    exclude: [{}]", list(&v.exclude));
            if !v.focus.is_empty() {
                let _ = writeln!(w, "    focus: [{}]", list(&v.focus));
            }
            if let Some(d) = v.depth {
                let _ = writeln!(w, "    depth: {d}");
            }
            if let Some(d) = v.direction {
                let _ = writeln!(w, "    direction: {d}");
            }
            match v.collapse.as_deref() {
                Some([all]) if all == "all" => {
                    let _ = writeln!(w, "    collapse: all");
                }
                Some(c) => {
                    let _ = writeln!(w, "    collapse: [{}]", list(c));
                }
                None => {}
            }
            if let Some(l) = v.layout {
                let _ = writeln!(w, "    layout: {l}");
            }
        }
    }
    y
}

/// Everything one generated manifest produced that needs an external validator.
#[derive(Default)]
struct Outputs {
    dot: Vec<String>,
    mermaid: Vec<String>,
}

/// The properties of one manifest; pushes DOT and Mermaid texts for batch validation.
fn properties(text: &str, outputs: &mut Outputs) -> Result<(), TestCaseError> {
    // Every check on, as warnings, so the ones off by default run too.
    let every_check = archmap::Options {
        levels: archmap::rules().map(|m| (m.id.to_string(), Level::Warn)).collect(),
        ..archmap::Options::default()
    };
    let analyse = |options: &archmap::Options| {
        let name = "archmap.yaml";
        let bytes = text.as_bytes().to_vec();
        archmap::analyse(name, Some(Path::new(name)), bytes, &NoFs, options)
            .expect("every registered id is settable")
    };
    let all = analyse(&every_check);
    prop_assert_eq!(
        &all.diagnostics,
        &analyse(&every_check).diagnostics,
        "checks are deterministic"
    );
    for d in &all.diagnostics {
        for label in &d.labels {
            let len = all.loaded.sources.get(label.span.file).text().len();
            prop_assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "{} points outside its file",
                d.code
            );
        }
    }

    // The command line agrees: exit 0, 1 or 2, the same bytes twice.
    let check = run_in(&root(), &["check", "-", "--format", "json"], text);
    prop_assert!(check.code <= 2, "check exited {}", check.code);
    let again = run_in(&root(), &["check", "-", "--format", "json"], text);
    prop_assert_eq!(&check.stdout, &again.stdout, "check output is deterministic");
    prop_assert_eq!(check.code == 2, all.fatal(), "exit 2 exactly when reading failed");
    if all.fatal() {
        return Ok(());
    }

    // A baseline written from the findings accepts every one of them when read back, and none
    // of its entries is stale, even with warnings denied.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("archmap.yaml"), text).expect("write manifest");
    let written = run_in(dir.path(), &["check", "--write-baseline", "bl.json", "-q"], "");
    prop_assert_eq!(written.code, 0, "--write-baseline exits 0: {}", written.stderr);
    let read = run_in(
        dir.path(),
        &["check", "--baseline", "bl.json", "--deny", "warnings", "--format", "json"],
        "",
    );
    prop_assert_eq!(read.code, 0, "a baseline accepts what it was written from: {}", read.stdout);
    let doc: serde_json::Value = serde_json::from_str(&read.stdout).expect("JSON report");
    prop_assert_eq!(&doc["findings"], &serde_json::json!([]));
    prop_assert_eq!(&doc["baseline"]["stale"], &serde_json::json!([]));

    // Plain, and with the findings drawn on (`render --highlight`).
    let plain = analyse(&archmap::Options::default());
    let model = plain.model.as_ref().expect("a manifest without fatal problems has a model");
    let marks = archmap::highlights(&plain.diagnostics);
    let base = SceneOptions { highlights: &marks, ..SceneOptions::default() };
    let mut jobs = vec![SceneOptions::default(), base.clone()];
    jobs.extend(model.views().iter().map(|v| SceneOptions { view: Some(v), ..base.clone() }));
    let options = RenderOptions::default();
    for job in &jobs {
        let scene = archmap::scene(model, job);
        for format in [Format::Svg, Format::Dot, Format::Mermaid, Format::Json, Format::Html] {
            let out = archmap::render(&scene, format, &options);
            prop_assert_eq!(
                &out,
                &archmap::render(&scene, format, &options),
                "{} output is deterministic",
                format.as_str()
            );
            match format {
                Format::Svg => assert_safe_svg(&out),
                Format::Dot => outputs.dot.push(out),
                Format::Mermaid => outputs.mermaid.push(out),
                Format::Json => {
                    prop_assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
                }
                // The page's only script elements are its data island and its own script.
                Format::Html => prop_assert_eq!(out.matches("<script").count(), 2),
                Format::Png => unreachable!("not among the text formats iterated above"),
            }
        }
    }
    Ok(())
}

/// Runs the real mermaid parser over `diagrams` in one process, when the harness is installed.
pub(crate) fn validate_mermaid(diagrams: &[String]) {
    let dir = root().join("tests/mermaid");
    if !dir.join("node_modules/mermaid").is_dir() {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "the Mermaid harness is required (ARCHMAP_REQUIRE_TOOLS is set): npm ci --prefix tests/mermaid"
        );
        eprintln!("skipping the Mermaid parser: run `npm ci --prefix tests/mermaid` to enable it");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut cmd = std::process::Command::new("node");
    cmd.arg(dir.join("validate.mjs"));
    for (i, d) in diagrams.iter().enumerate() {
        let path = tmp.path().join(format!("d{i}.mmd"));
        std::fs::write(&path, d).expect("write");
        cmd.arg(path);
    }
    let out = cmd.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(results.len(), diagrams.len(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for (r, d) in results.iter().zip(diagrams) {
        assert_eq!(r["ok"], true, "mermaid rejects a diagram: {r}\n{d}");
    }
}

#[test]
fn generated_manifests_keep_every_promise() {
    let cases =
        std::env::var("ARCHMAP_PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48);
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        // Shrinking replays the CLI many times; a failing case prints its manifest anyway.
        max_shrink_iters: 64,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let outputs = std::cell::RefCell::new(Outputs::default());
    let result = runner.run(&manifest_text(), |text| {
        let mut mine = Outputs::default();
        properties(&text, &mut mine)
            .map_err(|e| TestCaseError::fail(format!("{e}\n---\n{text}")))?;
        let mut all = outputs.borrow_mut();
        all.dot.extend(mine.dot);
        all.mermaid.extend(mine.mermaid);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let outputs = outputs.into_inner();
    assert!(!outputs.dot.is_empty(), "no generated manifest got past reading");
    if have_tool("dot", "-V") {
        for d in &outputs.dot {
            graphviz(d, "svg");
        }
    }
    validate_mermaid(&outputs.mermaid);
}
