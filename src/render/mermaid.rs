//! Mermaid flowchart output through `templates/graph.mmd`.
//!
//! Input: a [`Scene`]. Output: a `flowchart` with a front-matter title, groups as nested
//! `subgraph`s, one classic (GitHub-supported) shape per component kind, `-->` for sync and
//! `-.->` for async dependencies, optional dependencies drawn dotted through `linkStyle`, and
//! one `classDef` per kind. Invariants: ids come from [`escape::mermaid_id`] (injective, never a
//! keyword), every label from [`escape::mermaid_quote`], the title is a YAML double-quoted
//! string, links pass [`escape::is_safe_url`]; statements follow scene order.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use askama::Template;

use super::escape::{self, filters};
use super::{RenderOptions, Renderer, palette};
use crate::scene::highlight::{self, Mark};
use crate::scene::{GroupContents, Scene, SceneNode};
use crate::vocab::{Kind, Mode};

/// Writes a Mermaid flowchart.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MermaidRenderer;

impl Renderer for MermaidRenderer {
    fn render(&self, scene: &Scene, _options: &RenderOptions) -> String {
        // Every field is a plain string and the filters never fail, so only a formatter error
        // could stop rendering, and `String` never returns one. The text ends with a newline, as
        // every text file should (end-of-file fixers would otherwise change a committed diagram).
        let mut text =
            MermaidGraph::new(scene).render().expect("rendering Mermaid into a String cannot fail");
        text.push('\n');
        text
    }
}

/// One statement of the nested subgraph structure, in output order.
enum Item {
    /// `subgraph id ["label"]`.
    Open { indent: String, id: String, label: String },
    /// A node with its shape brackets.
    Node { indent: String, id: String, open: &'static str, label: String, close: &'static str },
    /// `end`.
    Close { indent: String },
}

/// A link statement.
struct MermaidEdge {
    from: String,
    to: String,
    arrow: &'static str,
    label: Option<String>,
}

/// The template's data.
#[derive(Template)]
#[template(path = "graph.mmd", escape = "none")]
struct MermaidGraph {
    title: String,
    direction: &'static str,
    items: Vec<Item>,
    edges: Vec<MermaidEdge>,
    links: Vec<(String, String)>,
    class_defs: Vec<(&'static str, String)>,
    /// Class name → comma-separated node ids, in first-use order of kinds, then extra classes.
    classes: Vec<(String, String)>,
    /// Comma-separated indices of optional links, for `linkStyle`.
    optional_edges: String,
    /// `linkStyle` lines for highlighted links: comma-separated indices and their style.
    link_styles: Vec<(String, String)>,
}

impl MermaidGraph {
    #[allow(clippy::too_many_lines, reason = "fills the template's fields one after another")]
    fn new(scene: &Scene) -> MermaidGraph {
        let ids: Vec<String> = scene.nodes.iter().map(node_id).collect();
        let mut items = Vec::new();
        for (i, node) in scene.nodes.iter().enumerate() {
            if node.group.is_none() {
                items.push(node_item(node, &ids[i], 1));
            }
        }
        let contents = scene.group_contents();
        for (g, group) in scene.groups.iter().enumerate() {
            if group.parent.is_none() {
                push_group(scene, (g, &contents), 1, &ids, &mut items);
            }
        }

        let edges = scene
            .edges
            .iter()
            .map(|e| MermaidEdge {
                from: ids[e.from].clone(),
                to: ids[e.to].clone(),
                arrow: match e.mode {
                    Mode::Sync => "-->",
                    Mode::Async => "-.->",
                },
                label: e.display_label(),
            })
            .collect();
        // Highlighted links get one `linkStyle` per style (a later `linkStyle` of a link replaces
        // an earlier one, so an optional highlighted link keeps its dots in its own style).
        let mut link_styles: Vec<(String, String)> = Vec::new();
        for (i, e) in scene.edges.iter().enumerate() {
            let Some(mark) = highlight::strongest(&e.classes) else { continue };
            let mut style = format!("stroke:{},stroke-width:2.5px", palette::mark(mark));
            if e.optional {
                style.push_str(",stroke-dasharray:2 3");
            }
            match link_styles.iter_mut().find(|(_, s)| *s == style) {
                Some((indices, _)) => {
                    let _ = write!(indices, ",{i}");
                }
                None => link_styles.push((i.to_string(), style)),
            }
        }
        let optional_edges = scene
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.optional && highlight::strongest(&e.classes).is_none())
            .map(|(i, _)| i.to_string())
            .collect::<Vec<_>>()
            .join(",");

        let links = scene
            .nodes
            .iter()
            .zip(&ids)
            .filter_map(|(n, id)| {
                let url = n.url.as_deref().filter(|u| escape::is_safe_url(u))?;
                Some((id.clone(), encode_url(url)))
            })
            .collect();

        // Kinds in the order Kind::ALL lists them, then highlight classes by name.
        let mut by_kind: BTreeMap<Kind, Vec<&str>> = BTreeMap::new();
        let mut by_class: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (n, id) in scene.nodes.iter().zip(&ids) {
            by_kind.entry(n.kind).or_default().push(id);
            for class in &n.classes {
                let name = Mark::from_class(class)
                    .map_or_else(|| class_name(class), |m| mermaid_class(m).to_string());
                by_class.entry(name).or_default().push(id);
            }
        }
        let mut class_defs: Vec<(&'static str, String)> = Vec::new();
        let mut classes: Vec<(String, String)> = Vec::new();
        for kind in Kind::ALL {
            if let Some(members) = by_kind.get(&kind) {
                class_defs.push((kind_class(kind), kind_style(kind)));
                classes.push((kind_class(kind).to_string(), members.join(",")));
            }
        }
        if by_class.contains_key("collapsed") {
            class_defs.push(("collapsed", "stroke-width:3px".into()));
        }
        // Highlights, least serious first: with two classes on a node, the later `classDef` wins.
        let marks = highlight::used(scene);
        for m in marks.iter().rev() {
            class_defs.push((mermaid_class(*m), mark_style(*m)));
        }
        if !marks.is_empty() {
            items.push(Item::Open {
                indent: "  ".into(),
                id: "legend_findings".into(),
                label: "Findings".into(),
            });
            for m in &marks {
                items.push(Item::Node {
                    indent: "    ".into(),
                    id: format!("legend_{}", mermaid_class(*m)),
                    open: "(",
                    label: m.legend().into(),
                    close: ")",
                });
                by_class.entry(mermaid_class(*m).to_string()).or_default();
            }
            items.push(Item::Close { indent: "  ".into() });
        }
        let legend_ids: Vec<String> =
            marks.iter().map(|m| format!("legend_{}", mermaid_class(*m))).collect();
        for (name, mut members) in by_class {
            if let Some(k) = marks.iter().position(|m| mermaid_class(*m) == name) {
                members.push(&legend_ids[k]);
            }
            classes.push((name, members.join(",")));
        }

        MermaidGraph {
            title: yaml_string(&scene.title),
            direction: scene.direction.as_str(),
            items,
            edges,
            links,
            class_defs,
            classes,
            optional_edges,
            link_styles,
        }
    }
}

/// The Mermaid id of a node: `n_` + the sanitised manifest id, or `c_` + the group id for a
/// collapsed group's box, so the two can never meet.
fn node_id(node: &SceneNode) -> String {
    let prefix = if node.collapsed.is_some() { "c_" } else { "n_" };
    escape::mermaid_id(prefix, &node.id)
}

/// Appends group `g`, its direct member nodes and its child groups.
fn push_group(
    scene: &Scene,
    (g, contents): (usize, &GroupContents),
    depth: usize,
    ids: &[String],
    items: &mut Vec<Item>,
) {
    let group = &scene.groups[g];
    let indent = "  ".repeat(depth);
    items.push(Item::Open {
        indent: indent.clone(),
        id: escape::mermaid_id("g_", &group.id),
        label: group.label.clone(),
    });
    for &i in &contents.members[g] {
        items.push(node_item(&scene.nodes[i], &ids[i], depth + 1));
    }
    for &child in &contents.children[g] {
        push_group(scene, (child, contents), depth + 1, ids, items);
    }
    items.push(Item::Close { indent });
}

/// A node statement: the label with its subtitle on a second line, in the kind's brackets.
fn node_item(node: &SceneNode, id: &str, depth: usize) -> Item {
    let (open, close) = kind_shape(node.kind);
    let mut label = node.label.clone();
    if let Some(sub) = node.subtitle() {
        label.push('\n');
        label.push_str(&sub);
    }
    Item::Node { indent: "  ".repeat(depth), id: id.to_string(), open, label, close }
}

/// The brackets of a kind's shape, in the classic syntax GitHub renders.
fn kind_shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Service => ("(", ")"),
        Kind::Frontend => ("[/", "\\]"),
        Kind::Gateway => ("{{", "}}"),
        Kind::Database | Kind::Cache => ("[(", ")]"),
        Kind::Queue => ("[/", "/]"),
        Kind::Topic => ("[\\", "\\]"),
        Kind::Storage => ("([", "])"),
        Kind::Function => ("[[", "]]"),
        Kind::Job | Kind::External => ("[", "]"),
        Kind::User => ("((", "))"),
    }
}

/// The class of a kind.
fn kind_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Service => "kind-service",
        Kind::Frontend => "kind-frontend",
        Kind::Gateway => "kind-gateway",
        Kind::Database => "kind-database",
        Kind::Cache => "kind-cache",
        Kind::Queue => "kind-queue",
        Kind::Topic => "kind-topic",
        Kind::Storage => "kind-storage",
        Kind::Function => "kind-function",
        Kind::Job => "kind-job",
        Kind::External => "kind-external",
        Kind::User => "kind-user",
    }
}

/// The `classDef` style of a kind, in the [`palette`]'s colours.
fn kind_style(kind: Kind) -> String {
    let paint = palette::kind(kind);
    let dash = if palette::kind_dashed(kind) { ",stroke-dasharray:4 3" } else { "" };
    format!(
        "fill:{},stroke:{},color:{}{dash}",
        paint.fill,
        paint.stroke,
        palette::kind_label_mermaid(kind)
    )
}

/// The Mermaid class of a highlight (`hl_cycle`: no hyphen, which Mermaid's grammar may not
/// accept in every version).
fn mermaid_class(mark: Mark) -> &'static str {
    match mark {
        Mark::Cycle => "hl_cycle",
        Mark::Layer => "hl_layer",
        Mark::Spof => "hl_spof",
        Mark::Hotspot => "hl_hotspot",
        Mark::Chain => "hl_chain",
        Mark::Finding => "hl_finding",
        Mark::Added => "hl_added",
        Mark::Removed => "hl_removed",
        Mark::Changed => "hl_changed",
        Mark::Unchanged => "hl_unchanged",
        Mark::Flow => "hl_flow",
        Mark::Dimmed => "hl_dimmed",
    }
}

/// The `classDef` style of a highlight: an outline in the mark's colour, thinner and dashed
/// for other findings and removed parts; unchanged parts faded.
fn mark_style(mark: Mark) -> String {
    let color = palette::mark(mark);
    match mark {
        Mark::Finding => format!("stroke:{color},stroke-width:2px,stroke-dasharray:3 2"),
        Mark::Removed => format!("stroke:{color},stroke-width:2px,stroke-dasharray:6 4"),
        Mark::Unchanged | Mark::Dimmed => "opacity:0.5".into(),
        Mark::Cycle
        | Mark::Layer
        | Mark::Spof
        | Mark::Changed
        | Mark::Hotspot
        | Mark::Chain
        | Mark::Flow
        | Mark::Added => format!("stroke:{color},stroke-width:3px"),
    }
}

/// A highlight class name reduced to `[A-Za-z0-9_-]`, as Mermaid's `class` statement needs.
fn class_name(class: &str) -> String {
    class
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}

/// A YAML double-quoted string (also valid JSON) for the front matter: only printable text is
/// written as is; `"`, `\`, controls, line and paragraph separators, the BOM and the characters
/// Mermaid's preprocessor reacts to (`< > % #`) become escapes.
fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in escape::normalize_newlines(s).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '<' | '>' | '%' | '#' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
                || matches!(c, '\u{FFFE}' | '\u{FFFF}') =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A URL for a `click … href "…"` statement: characters that would end the string or that
/// Mermaid's preprocessor reacts to are percent-encoded.
fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            '"' | '<' | '>' | '`' | '{' | '}' | ';' | '\\' | '|' | '\'' => {
                let _ = write!(out, "%{:02X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;
    use crate::scene::testing::{every_kind, hostile, nested, samples, scene, single};

    fn render(scene: &Scene) -> String {
        MermaidRenderer.render(scene, &RenderOptions::default())
    }

    /// The validator harness, when its `node_modules` are installed.
    fn harness() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid");
        if dir.join("node_modules/mermaid").is_dir() && dir.join("node_modules/jsdom").is_dir() {
            Some(dir.join("validate.mjs"))
        } else {
            assert!(
                std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
                "the Mermaid harness is required (ARCHMAP_REQUIRE_TOOLS is set): npm ci --prefix tests/mermaid"
            );
            #[allow(clippy::print_stderr, reason = "tell why a test checked less")]
            {
                eprintln!(
                    "skipping Mermaid parser check: run `npm ci --prefix tests/mermaid` to enable it"
                );
            }
            None
        }
    }

    /// Writes each diagram to a temporary file and runs the real mermaid parser over all of
    /// them in one `node` process; returns one JSON value per diagram, or `None` when the
    /// harness is not installed.
    pub(crate) fn validate(diagrams: &[String]) -> Option<Vec<serde_json::Value>> {
        let script = harness()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::new("node");
        cmd.arg(&script).arg("--labels");
        for (i, d) in diagrams.iter().enumerate() {
            let path = dir.path().join(format!("d{i}.mmd"));
            std::fs::write(&path, d).expect("write diagram");
            cmd.arg(path);
        }
        let out = cmd.output().expect("node runs");
        let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
        let results: Vec<serde_json::Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON result per line"))
            .collect();
        assert_eq!(
            results.len(),
            diagrams.len(),
            "validator output: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(results)
    }

    /// Whitespace as JavaScript's `String.prototype.trim` sees it.
    fn js_whitespace(c: char) -> bool {
        (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
    }

    /// The text Mermaid shows for `label`: what [`escape::mermaid_escape`] keeps, decoded,
    /// with surrounding whitespace trimmed as Mermaid does (line breaks are `<br>` by then, so
    /// they stay).
    pub(crate) fn expected_shown(label: &str) -> String {
        let mapped: String = escape::normalize_newlines(label)
            .chars()
            .map(|c| match c {
                '\t' => ' ',
                c if c != '\n' && (c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}')) => {
                    '\u{FFFD}'
                }
                c => c,
            })
            .collect();
        mapped.trim_matches(|c: char| js_whitespace(c) && c != '\n').to_string()
    }

    #[test]
    fn single_node_flowchart() {
        let out = render(&single());
        assert_eq!(
            out,
            "---\ntitle: \"Test system\"\n---\nflowchart TB\n  n_api(\"API\")\n  \
             classDef kind-service fill:#dbeafe,stroke:#1d4ed8,color:#0f172a\n  \
             class n_api kind-service\n"
        );
    }

    #[test]
    fn nested_groups_become_nested_subgraphs() {
        let out = render(&nested());
        let edge = out.find("  subgraph g_edge [\"Edge zone\"]").expect("outer");
        let store = out.find("    subgraph g_storefront [\"Storefront\"]").expect("inner");
        let web = out.find("      n_web[/\"Web shop\"\\]").expect("member");
        assert!(edge < store && store < web, "{out}");
        assert!(out.contains("  n_gw -->|\"https\"| n_orders"));
        assert!(
            out.contains("  n_pay -->|\"authorize\"|")
                || out.contains("n_orders -->|\"authorize\"| n_pay")
        );
        assert!(out.contains("click n_orders href \"https://wiki.example/orders\" _top"));
        assert!(out.contains("linkStyle 4 stroke-dasharray:2 3"), "{out}");
        assert!(out.contains("n_orders(\"Orders<br>Java\")"));
    }

    #[test]
    fn every_kind_has_a_shape_and_class() {
        let out = render(&every_kind());
        assert!(out.contains("flowchart LR"));
        for open in ["[(", "{{", "[/", "[\\", "([", "[[", "(("] {
            assert!(out.contains(&format!("_h1{open}\"")), "{open}: {out}");
        }
        for kind in Kind::ALL {
            assert!(out.contains(&format!("classDef kind-{kind} ")), "{kind}");
        }
        assert!(out.contains("c_team_dx(\"Team X<br>3 components\")"));
        assert!(out.contains("class c_team_dx collapsed"));
        assert!(out.contains("-.->"));
        assert!(out.contains("|\"grpc ×3\"|"));
    }

    #[test]
    fn hostile_labels_stay_inside_their_quotes() {
        let out = render(&hostile());
        assert!(!out.contains("<script"));
        assert!(!out.contains("javascript:"));
        assert!(!out.contains("%%{"));
        for line in out.lines().skip(4) {
            // Outside the click URLs, a line holds an even number of quotes.
            if !line.trim_start().starts_with("click ") {
                assert_eq!(line.matches('"').count() % 2, 0, "{line}");
            }
        }
    }

    #[test]
    fn yaml_titles_escape_what_mermaid_reads() {
        assert_eq!(
            yaml_string("a \"b\" \\ <c> %%#"),
            r#""a \"b\" \\ \u003cc\u003e \u0025\u0025\u0023""#
        );
        assert_eq!(yaml_string("x\ny\u{1}"), r#""x\ny\u0001""#);
        let back: String = serde_json::from_str(&yaml_string("é 🚀 \u{2028}")).expect("json");
        assert_eq!(back, "é 🚀 \u{2028}");
    }

    #[test]
    fn mermaid_parser_accepts_samples_and_labels_round_trip() {
        let scenes = samples();
        let diagrams: Vec<String> = scenes.iter().map(render).collect();
        let Some(results) = validate(&diagrams) else {
            return;
        };
        for ((scene, diagram), result) in scenes.iter().zip(&diagrams).zip(&results) {
            assert_eq!(result["ok"], true, "{result}\n{diagram}");
            let labels = &result["labels"];
            for node in &scene.nodes {
                let mut want = node.label.clone();
                if let Some(sub) = node.subtitle() {
                    want = format!("{want}\n{sub}");
                }
                assert_eq!(
                    labels["vertices"][node_id(node)].as_str(),
                    Some(expected_shown(&want).as_str()),
                    "node {}",
                    node.id
                );
            }
            for (edge, got) in scene.edges.iter().zip(labels["edges"].as_array().expect("edges")) {
                let want = edge.display_label().map(|l| expected_shown(&l)).unwrap_or_default();
                assert_eq!(got["text"].as_str(), Some(want.as_str()));
            }
            for group in &scene.groups {
                let sub = labels["subgraphs"]
                    .as_array()
                    .expect("subgraphs")
                    .iter()
                    .find(|s| s["id"] == escape::mermaid_id("g_", &group.id))
                    .expect("subgraph present");
                assert_eq!(sub["title"].as_str(), Some(expected_shown(&group.label).as_str()));
            }
        }
    }

    #[test]
    fn highlights_parse_and_keep_optional_dots() {
        let mut s = nested();
        for n in &mut s.nodes {
            n.classes = vec!["hl-cycle", "hl-spof"];
        }
        for (i, e) in s.edges.iter_mut().enumerate() {
            e.classes = vec![if i % 2 == 0 { "hl-cycle" } else { "hl-chain" }];
            e.optional = i == 0;
        }
        let out = render(&s);
        assert!(out.contains("classDef hl_cycle stroke:#dc2626"), "{out}");
        assert!(out.contains("stroke-width:2.5px,stroke-dasharray:2 3"), "{out}");
        assert!(out.contains("subgraph legend_findings"), "{out}");
        let Some(results) = validate(std::slice::from_ref(&out)) else {
            return;
        };
        assert_eq!(results[0]["ok"], true, "{}\n{out}", results[0]);
    }

    #[test]
    fn mermaid_parser_rejects_broken_input() {
        let Some(results) = validate(&["flowchart TB\n  a[\"x\" --> ".to_string()]) else {
            return;
        };
        assert_eq!(results[0]["ok"], false);
    }

    #[test]
    fn reserved_words_as_ids_parse() {
        let nodes = ["end", "graph", "subgraph", "style", "class", "click", "default", "flowchart"]
            .iter()
            .map(|id| crate::scene::testing::node(id, id, Kind::Service, None))
            .collect();
        let s = scene(vec![], nodes, vec![]);
        let Some(results) = validate(&[render(&s)]) else {
            return;
        };
        assert_eq!(results[0]["ok"], true, "{}", results[0]);
    }

    #[test]
    fn rendering_is_deterministic() {
        for scene in samples() {
            assert_eq!(render(&scene), render(&scene));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 4, ..Default::default() })]

        /// Arbitrary labels on nodes, edges and groups, with ids from the manifest grammar,
        /// parse and come back as Mermaid would show them. One `node` run checks a whole scene.
        #[test]
        fn arbitrary_labels_round_trip(
            ids in proptest::collection::btree_set("[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", 24..40),
            labels in proptest::collection::vec(proptest::prelude::any::<String>(), 40),
        ) {
            let s = crate::scene::testing::arbitrary_scene(&ids, &labels);
            let diagram = render(&s);
            let Some(results) = validate(std::slice::from_ref(&diagram)) else {
                return Ok(());
            };
            let result = &results[0];
            proptest::prop_assert_eq!(&result["ok"], true, "{}\n{}", result, diagram);
            for node in &s.nodes {
                let got = result["labels"]["vertices"][node_id(node)].as_str();
                let want = expected_shown(&node.label);
                proptest::prop_assert_eq!(got, Some(want.as_str()));
            }
            let edges = result["labels"]["edges"].as_array().expect("edges");
            for (edge, got) in s.edges.iter().zip(edges) {
                let want = edge.display_label().map(|l| expected_shown(&l)).unwrap_or_default();
                proptest::prop_assert_eq!(got["text"].as_str(), Some(want.as_str()));
            }
        }
    }
}
