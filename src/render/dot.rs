//! Graphviz DOT output through `templates/graph.dot`.
//!
//! Input: a [`Scene`]. Output: one `digraph` that Graphviz's `dot` lays out as is, with
//! `newrank=true` (Graphviz 2.43 loses edges on large clustered graphs without it), groups as
//! nested `cluster_` subgraphs, one shape per component kind, and stable SVG element ids
//! (`node-<id>`, `group-<id>`, `edge-<from>-<to>`). Invariants: every id and attribute value is a
//! quoted, escaped DOT string ([`escape::dot_quote`]); statements follow scene order, so
//! output is byte-identical for identical scenes.

use askama::Template;

use super::escape::{self, UniqueIds, filters};
use super::{RenderOptions, Renderer, palette};
use crate::scene::{GroupContents, Scene, SceneEdge, SceneNode, highlight};
use crate::vocab::{Kind, Mode};

/// The font stack for every label; Graphviz picks the first it finds.
const FONT: &str = "Helvetica,Arial,sans-serif";

/// Writes Graphviz DOT.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DotRenderer;

impl Renderer for DotRenderer {
    fn render(&self, scene: &Scene, _options: &RenderOptions) -> String {
        let graph = DotGraph::new(scene);
        // The template has no fallible expressions: filters always succeed and every field is a
        // plain string, so rendering can only fail on a formatter error, which `String` never
        // returns. The text ends with a newline, as every text file should (end-of-file fixers
        // would otherwise change a committed diagram and `render --check` would then fail).
        let mut text = graph.render().expect("rendering DOT into a String cannot fail");
        text.push('\n');
        text
    }
}

/// Attribute list: names are fixed by this module, values are user text or fixed text and are
/// always quoted by the template.
type Attrs = Vec<(&'static str, String)>;

/// One statement of the nested cluster structure, in output order.
enum Item {
    /// `subgraph "cluster_…" {` and its attributes.
    Open { indent: String, name: String, attrs: Attrs },
    /// A node statement.
    Node { indent: String, name: String, attrs: Attrs },
    /// The `}` closing a cluster.
    Close { indent: String },
}

/// An edge statement.
struct DotEdge {
    from: String,
    to: String,
    attrs: Attrs,
}

/// The template's data.
#[derive(Template)]
#[template(path = "graph.dot", escape = "none")]
struct DotGraph {
    comment: &'static str,
    graph_id: String,
    graph_attrs: Attrs,
    node_defaults: Attrs,
    edge_defaults: Attrs,
    items: Vec<Item>,
    edges: Vec<DotEdge>,
}

impl DotGraph {
    fn new(scene: &Scene) -> DotGraph {
        let mut ids = UniqueIds::new();
        let node_names: Vec<String> = scene.nodes.iter().map(node_name).collect();

        let mut graph_attrs: Attrs = vec![
            ("newrank", "true".into()),
            ("compound", "true".into()),
            ("rankdir", scene.direction.as_str().into()),
            ("label", scene.title.clone()),
            ("labelloc", "t".into()),
            ("fontname", FONT.into()),
            ("fontsize", "18".into()),
            ("nodesep", "0.4".into()),
            ("ranksep", "0.6".into()),
        ];
        if let Some(d) = &scene.description {
            graph_attrs.push(("tooltip", d.clone()));
        }

        let mut items = Vec::new();
        // Top level: ungrouped nodes, then top-level groups, each recursively.
        for (i, node) in scene.nodes.iter().enumerate() {
            if node.group.is_none() {
                items.push(node_item(node, &node_names[i], 1, &mut ids));
            }
        }
        let contents = scene.group_contents();
        for (g, group) in scene.groups.iter().enumerate() {
            if group.parent.is_none() {
                push_group(scene, (g, &contents), 1, &node_names, &mut ids, &mut items);
            }
        }

        // A legend of the highlights drawn, as a cluster of boxes in each mark's colour.
        let marks = highlight::used(scene);
        if !marks.is_empty() {
            items.push(Item::Open {
                indent: "  ".into(),
                name: "cluster_legend:highlights".into(),
                attrs: vec![
                    ("label", "Findings".into()),
                    ("style", "dashed".into()),
                    ("color", palette::LEGEND_FRAME_DOT.into()),
                ],
            });
            for m in marks {
                items.push(Item::Node {
                    indent: "    ".into(),
                    name: format!("legend:{}", m.name()),
                    attrs: vec![
                        ("label", m.legend().into()),
                        ("shape", "box".into()),
                        ("style", "rounded".into()),
                        ("color", palette::mark(m).into()),
                        ("penwidth", "3".into()),
                        ("class", format!("legend {}", m.class())),
                    ],
                });
            }
            items.push(Item::Close { indent: "  ".into() });
        }

        let edges = scene
            .edges
            .iter()
            .map(|e| DotEdge {
                from: node_names[e.from].clone(),
                to: node_names[e.to].clone(),
                attrs: edge_attrs(scene, e, &mut ids),
            })
            .collect();

        DotGraph {
            comment: "Generated by archmap. Render with: dot -Tsvg",
            graph_id: scene.title.clone(),
            graph_attrs,
            node_defaults: vec![
                ("fontname", FONT.into()),
                ("fontsize", "12".into()),
                ("margin", "0.2,0.1".into()),
                ("penwidth", "1.2".into()),
            ],
            edge_defaults: vec![
                ("fontname", FONT.into()),
                ("fontsize", "10".into()),
                ("color", palette::EDGE.into()),
                ("fontcolor", palette::EDGE_LABEL.into()),
                ("arrowsize", "0.8".into()),
            ],
            items,
            edges,
        }
    }
}

/// The DOT node name: the manifest id; a collapsed group's box gets `group:` in front, a prefix
/// no manifest id can have, so it never meets a component of the same id.
fn node_name(node: &SceneNode) -> String {
    if node.collapsed.is_some() { format!("group:{}", node.id) } else { node.id.clone() }
}

/// Appends group `g`, its direct member nodes and its child groups.
fn push_group(
    scene: &Scene,
    (g, contents): (usize, &GroupContents),
    depth: usize,
    node_names: &[String],
    ids: &mut UniqueIds,
    items: &mut Vec<Item>,
) {
    let group = &scene.groups[g];
    let indent = "  ".repeat(depth);
    let color = palette::group(group.color.as_deref());
    let mut attrs: Attrs = vec![
        ("id", ids.allocate(escape::xml_id("group-", &group.id))),
        ("label", group.label.clone()),
        ("labeljust", "l".into()),
        ("style", "rounded,filled".into()),
        ("color", escape::hex_color(color)),
        ("fillcolor", escape::hex_color(palette::group_fill(color))),
        ("fontsize", "13".into()),
        ("penwidth", "1.5".into()),
    ];
    if let Some(d) = &group.description {
        attrs.push(("tooltip", d.clone()));
    }
    items.push(Item::Open { indent: indent.clone(), name: format!("cluster_{}", group.id), attrs });
    for &i in &contents.members[g] {
        items.push(node_item(&scene.nodes[i], &node_names[i], depth + 1, ids));
    }
    for &child in &contents.children[g] {
        push_group(scene, (child, contents), depth + 1, node_names, ids, items);
    }
    items.push(Item::Close { indent });
}

/// The Graphviz shape of a kind.
fn kind_shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Service | Kind::Job | Kind::External => "box",
        Kind::Frontend => "tab",
        Kind::Gateway => "hexagon",
        Kind::Database | Kind::Cache => "cylinder",
        Kind::Queue => "cds",
        Kind::Topic => "parallelogram",
        Kind::Storage => "folder",
        Kind::Function => "component",
        Kind::User => "ellipse",
    }
}

/// The Graphviz style of a kind: filled, services rounded, dashed kinds dashed.
fn kind_style(kind: Kind) -> &'static str {
    if kind == Kind::Service {
        "rounded,filled"
    } else if palette::kind_dashed(kind) {
        "dashed,filled"
    } else {
        "filled"
    }
}

/// A node statement.
fn node_item(node: &SceneNode, name: &str, depth: usize, ids: &mut UniqueIds) -> Item {
    let (shape, style) = (kind_shape(node.kind), kind_style(node.kind));
    let paint = palette::kind(node.kind);
    let mut label = node.label.clone();
    if let Some(sub) = node.subtitle() {
        label.push('\n');
        label.push_str(&sub);
    }
    let id_prefix = if node.collapsed.is_some() { "node-group-" } else { "node-" };
    let mut attrs: Attrs = vec![
        ("id", ids.allocate(escape::xml_id(id_prefix, &node.id))),
        ("label", label),
        ("shape", shape.into()),
        ("style", style.into()),
        ("fillcolor", paint.fill.into()),
        ("color", paint.stroke.into()),
    ];
    if node.collapsed.is_some() {
        attrs.push(("peripheries", "2".into()));
    }
    if let Some(mark) = highlight::strongest(&node.classes) {
        attrs.retain(|(k, _)| *k != "color");
        attrs.push(("color", palette::mark(mark).into()));
        attrs.push(("penwidth", "3".into()));
    }
    if let Some(t) = tooltip(node) {
        attrs.push(("tooltip", t));
    }
    if let Some(url) = node.url.as_deref().filter(|u| escape::is_safe_url(u)) {
        attrs.push(("URL", url.to_string()));
        attrs.push(("target", "_top".into()));
    }
    let mut class = vec![format!("kind-{}", node.kind.as_str())];
    class.extend(node.classes.iter().map(|c| (*c).to_string()));
    attrs.push(("class", class.join(" ")));
    Item::Node { indent: "  ".repeat(depth), name: name.to_string(), attrs }
}

/// The hover text of a node: description, then tech and owner.
fn tooltip(node: &SceneNode) -> Option<String> {
    let mut lines = Vec::new();
    if let Some(d) = &node.description {
        lines.push(d.clone());
    }
    if let Some(t) = &node.tech {
        lines.push(format!("tech: {t}"));
    }
    if let Some(o) = &node.owner {
        lines.push(format!("owner: {o}"));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Attributes of an edge statement.
fn edge_attrs(scene: &Scene, edge: &SceneEdge, ids: &mut UniqueIds) -> Attrs {
    let from = &scene.nodes[edge.from];
    let to = &scene.nodes[edge.to];
    let mut attrs: Attrs =
        vec![("id", ids.allocate(escape::xml_id("edge-", &format!("{}-{}", from.id, to.id))))];
    if let Some(label) = edge.display_label() {
        attrs.push(("label", label));
    }
    let style = match (edge.mode, edge.optional) {
        (Mode::Async, _) => Some("dashed"),
        (Mode::Sync, true) => Some("dotted"),
        (Mode::Sync, false) => None,
    };
    if let Some(style) = style {
        attrs.push(("style", style.into()));
    }
    if edge.optional {
        attrs.push(("arrowhead", "normalodot".into()));
    }
    if let Some(mark) = highlight::strongest(&edge.classes) {
        attrs.push(("color", palette::mark(mark).into()));
        attrs.push(("penwidth", "2.5".into()));
    }
    let mut tip = vec![format!(
        "{} → {} ({}{})",
        from.label,
        to.label,
        edge.mode.as_str(),
        if edge.optional { ", optional" } else { "" }
    )];
    if let Some(p) = &edge.protocol {
        tip.push(format!("protocol: {p}"));
    }
    if let Some(d) = &edge.description {
        tip.push(d.clone());
    }
    attrs.push(("tooltip", tip.join("\n")));
    let mut class = vec!["edge".to_string(), edge.mode.as_str().to_string()];
    if edge.optional {
        class.push("optional".into());
    }
    class.extend(edge.classes.iter().map(|c| (*c).to_string()));
    attrs.push(("class", class.join(" ")));
    attrs
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    use super::*;
    use crate::render::escape;
    use crate::scene::testing::*;

    /// Runs `dot -Tsvg` on `dot`; `None` when Graphviz is not installed.
    pub(crate) fn run_dot(dot: &str) -> Option<(bool, String, String)> {
        let child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            assert!(
                std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
                "Graphviz `dot` is required (ARCHMAP_REQUIRE_TOOLS is set) but not installed"
            );
            #[allow(clippy::print_stderr, reason = "tell why a test checked less")]
            {
                eprintln!("skipping Graphviz check: `dot` is not installed");
            }
            return None;
        };
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = dot.to_string();
        // Write on another thread so a large output cannot deadlock the pipes.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().expect("dot runs");
        writer.join().expect("writer thread").expect("write to dot");
        Some((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }

    fn render(scene: &Scene) -> String {
        DotRenderer.render(scene, &RenderOptions::default())
    }

    /// Text as Graphviz writes it into SVG: XML-escaped, runs of spaces kept.
    fn in_svg(text: &str) -> String {
        escape::xml_escape(text)
    }

    #[test]
    fn single_node_graph_has_the_basics() {
        let out = render(&single());
        assert!(out.contains("digraph \"Test system\" {"), "{out}");
        assert!(out.contains("newrank=\"true\";"));
        assert!(out.contains("rankdir=\"TB\";"));
        assert!(out.contains("  \"api\" [id=\"node-api\", label=\"API\", shape=\"box\""));
        assert!(out.trim_end().ends_with('}'));
    }

    #[test]
    fn nested_groups_nest_clusters() {
        let out = render(&nested());
        let edge = out.find("subgraph \"cluster_edge\"").expect("edge cluster");
        let store = out.find("    subgraph \"cluster_storefront\"").expect("nested");
        let web = out.find("      \"web\" [").expect("web inside storefront");
        assert!(edge < store && store < web, "{out}");
        assert!(out.contains("color=\"#3b82f6\""));
        assert!(out.contains("fillcolor=\"#ebf3fe\""), "{out}");
        assert!(out.contains("URL=\"https://wiki.example/orders\""));
        assert!(out.contains("label=\"Orders\\nJava\""));
        assert!(out.contains("\"orders\" -> \"pay\" [id=\"edge-orders-pay\", label=\"authorize\""));
        assert!(out.contains("\"gw\" -> \"orders\" [id=\"edge-gw-orders\", label=\"https\""));
    }

    #[test]
    fn kinds_and_edge_modes_are_styled() {
        let out = render(&every_kind());
        for shape in
            ["cylinder", "hexagon", "tab", "cds", "parallelogram", "folder", "component", "ellipse"]
        {
            assert!(out.contains(&format!("shape=\"{shape}\"")), "{shape}");
        }
        assert!(out.contains("rankdir=\"LR\";"));
        assert!(out.contains("style=\"dashed\""));
        assert!(out.contains("style=\"dotted\""));
        assert!(out.contains("arrowhead=\"normalodot\""));
        assert!(out.contains("label=\"grpc ×3\""));
        assert!(out.contains("\"group:team.x\" [id=\"node-group-team.x\""));
        assert!(out.contains("label=\"Team X\\n3 components\""));
    }

    #[test]
    fn hostile_labels_are_escaped() {
        let out = render(&hostile());
        assert!(out.contains(r#"label="say \"hi\" \\N \\G \\l \\""#), "{out}");
        assert!(!out.contains("javascript:"));
        assert!(out.contains("URL=\"https://x.example/?a=1&amp;b=\\\"1\\\"\""));
        // Each line is one statement or attribute: no raw newline inside a string.
        for line in out.lines() {
            let quotes = line.replace("\\\\", "").replace("\\\"", "").matches('"').count();
            assert_eq!(quotes % 2, 0, "unbalanced quotes in {line}");
        }
    }

    #[test]
    fn graphviz_accepts_every_sample() {
        for scene in samples() {
            let out = render(&scene);
            let Some((ok, svg, stderr)) = run_dot(&out) else {
                return;
            };
            assert!(ok, "dot failed: {stderr}\n{out}");
            for node in &scene.nodes {
                for line in node.label.lines() {
                    let visible = line.replace('\t', " ").trim().to_string();
                    if visible.is_empty() || visible.chars().any(char::is_control) {
                        continue;
                    }
                    // Graphviz collapses nothing but may split long lines; check a prefix.
                    let probe: String = visible.chars().take(12).collect();
                    assert!(svg.contains(&in_svg(&probe)), "{probe:?} missing from dot output");
                }
            }
        }
    }

    #[test]
    fn graphviz_keeps_backslash_sequences_literal() {
        let s = scene(vec![], vec![node("a", r"x\Ny\Gz\lw", Kind::Service, None)], vec![]);
        let Some((ok, svg, _)) = run_dot(&render(&s)) else {
            return;
        };
        assert!(ok);
        assert!(svg.contains(r"x\Ny\Gz\lw"), "{svg}");
    }

    #[test]
    fn graphviz_keeps_entities_literal() {
        let s = scene(vec![], vec![node("a", "a &lt; b & c", Kind::Service, None)], vec![]);
        let Some((ok, svg, _)) = run_dot(&render(&s)) else {
            return;
        };
        assert!(ok);
        assert!(svg.contains("a &amp;lt; b &amp; c"), "{svg}");
    }

    #[test]
    fn rendering_is_deterministic() {
        for scene in samples() {
            assert_eq!(render(&scene), render(&scene));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 32, ..Default::default() })]

        /// Arbitrary labels and manifest-grammar ids give DOT that Graphviz accepts, with every
        /// plain label found in its output.
        #[test]
        fn arbitrary_labels_are_accepted_by_graphviz(
            ids in proptest::collection::btree_set("[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", 1..8),
            labels in proptest::collection::vec(proptest::prelude::any::<String>(), 8),
        ) {
            let s = arbitrary_scene(&ids, &labels);
            let out = render(&s);
            let Some((ok, svg, stderr)) = run_dot(&out) else {
                return Ok(());
            };
            proptest::prop_assert!(ok, "dot failed: {}\n{}", stderr, out);
            for node in &s.nodes {
                // Graphviz trims and reflows; check labels made of plain words only.
                let l = &node.label;
                if !l.is_empty() && l.chars().all(char::is_alphanumeric) {
                    proptest::prop_assert!(svg.contains(&in_svg(l)), "{:?} missing", l);
                }
            }
        }
    }
}
