//! Scenes for the unit tests of the scene's readers (layout engines and writers): builders for
//! nodes, edges and groups, and sample scenes that exercise every kind, nesting and hostile text.

use super::{Scene, SceneEdge, SceneGroup, SceneNode};
use crate::vocab::{Direction, Kind, Mode};

/// A node of `kind` with id and label.
pub(crate) fn node(id: &str, label: &str, kind: Kind, group: Option<usize>) -> SceneNode {
    SceneNode {
        id: id.into(),
        label: label.into(),
        kind,
        group,
        description: None,
        tech: None,
        owner: None,
        url: None,
        replicas: 1,
        collapsed: None,
        classes: Vec::new(),
    }
}

/// An edge between node indices.
pub(crate) fn edge(from: usize, to: usize, mode: Mode, optional: bool) -> SceneEdge {
    SceneEdge {
        from,
        to,
        mode,
        protocol: None,
        label: None,
        description: None,
        optional,
        count: 1,
        classes: Vec::new(),
    }
}

/// A group.
pub(crate) fn group(id: &str, label: &str, parent: Option<usize>) -> SceneGroup {
    SceneGroup { id: id.into(), label: label.into(), parent, color: None, description: None }
}

/// A scene with the given parts.
pub(crate) fn scene(
    groups: Vec<SceneGroup>,
    nodes: Vec<SceneNode>,
    edges: Vec<SceneEdge>,
) -> Scene {
    Scene {
        title: "Test system".into(),
        description: Some("A test".into()),
        direction: Direction::TB,
        direction_fixed: true,
        groups,
        nodes,
        edges,
    }
}

/// One node.
pub(crate) fn single() -> Scene {
    scene(vec![], vec![node("api", "API", Kind::Service, None)], vec![])
}

/// Nested groups (edge ⊃ storefront, commerce ⊃ payments) and edges across them.
pub(crate) fn nested() -> Scene {
    let mut g = vec![
        group("edge", "Edge zone", None),
        group("storefront", "Storefront", Some(0)),
        group("commerce", "Commerce", None),
        group("payments", "Payments", Some(2)),
    ];
    g[0].color = Some("#3b82f6".into());
    g[3].color = Some("#f59e0b".into());
    g[3].description = Some("Money".into());
    let mut nodes = vec![
        node("web", "Web shop", Kind::Frontend, Some(1)),
        node("gw", "Gateway", Kind::Gateway, Some(0)),
        node("orders", "Orders", Kind::Service, Some(2)),
        node("pay", "Payments API", Kind::Service, Some(3)),
        node("paydb", "Payments DB", Kind::Database, Some(3)),
        node("stripe", "Stripe", Kind::External, None),
    ];
    nodes[2].tech = Some("Java".into());
    nodes[2].url = Some("https://wiki.example/orders".into());
    let mut e = vec![
        edge(0, 1, Mode::Sync, false),
        edge(1, 2, Mode::Sync, false),
        edge(2, 3, Mode::Sync, false),
        edge(3, 4, Mode::Sync, false),
        edge(3, 5, Mode::Sync, true),
    ];
    e[1].protocol = Some("https".into());
    e[2].label = Some("authorize".into());
    scene(g, nodes, e)
}

/// One node of every kind in a chain, with sync, async and optional edges, a collapsed
/// group box and a merged edge.
pub(crate) fn every_kind() -> Scene {
    let mut nodes: Vec<SceneNode> =
        Kind::ALL.iter().map(|k| node(&format!("{k}-1"), &format!("A {k}"), *k, None)).collect();
    let mut collapsed = node("team.x", "Team X", Kind::Service, None);
    collapsed.collapsed = Some(3);
    collapsed.classes = vec!["collapsed"];
    nodes.push(collapsed);
    let mut edges: Vec<SceneEdge> = (0..nodes.len() - 1)
        .map(|i| {
            let mode = if i % 3 == 1 { Mode::Async } else { Mode::Sync };
            edge(i, i + 1, mode, i % 4 == 2)
        })
        .collect();
    edges[0].count = 3;
    edges[0].protocol = Some("grpc".into());
    let mut s = scene(vec![], nodes, edges);
    s.direction = Direction::LR;
    s
}

/// Labels that try to break out of every format.
pub(crate) const HOSTILE: [&str; 14] = [
    r#"say "hi" \N \G \l \"#,
    "<script>alert(1)</script>",
    "a & b &amp; c &lt;",
    "brackets ] [ } { ) ( |pipe| ",
    "hash # semi ; #quot; #35; %%{init: {}}%%",
    "line one\nline two\r\nthree",
    "tab\there",
    "emoji 🚀👩‍💻 and CJK 日本語",
    "RTL עברית العربية",
    "end",
    "style a:#f00;",
    "`markdown` **bold**",
    "control \u{1}\u{7f}\u{85} chars",
    "'single' quotes",
];

/// Every hostile label on a node, an edge, a group and the title.
pub(crate) fn hostile() -> Scene {
    let groups: Vec<SceneGroup> =
        HOSTILE.iter().enumerate().map(|(i, l)| group(&format!("g{i}"), l, None)).collect();
    let mut nodes: Vec<SceneNode> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut n = node(&format!("n{i}"), l, Kind::ALL[i % 12], Some(i));
            n.description = Some((*l).to_string());
            n.tech = Some((*l).to_string());
            n.url = Some(if i % 2 == 0 {
                "javascript:alert(1)".into()
            } else {
                format!("https://x.example/?a=1&b=\"{i}\"")
            });
            n
        })
        .collect();
    nodes.push(node("big", &"long label ".repeat(1000), Kind::Service, None));
    let edges = (0..HOSTILE.len())
        .map(|i| {
            let mut e = edge(i, (i + 1) % HOSTILE.len(), Mode::Sync, false);
            e.label = Some(HOSTILE[i].to_string());
            e.description = Some(HOSTILE[i].to_string());
            e
        })
        .collect();
    let mut s = scene(groups, nodes, edges);
    s.title = HOSTILE.join(" ");
    s.description = Some(HOSTILE.join("\n"));
    s
}

/// A scene over `ids` (manifest-grammar ids) with `labels` spread over nodes, groups and
/// edges: node `i` has label `labels[i % len]`; every fourth node sits in a group; edges
/// chain the nodes, every other one labelled.
pub(crate) fn arbitrary_scene(
    ids: &std::collections::BTreeSet<String>,
    labels: &[String],
) -> Scene {
    let label = |i: usize| labels[i % labels.len()].clone();
    let groups = vec![group("g", &label(1), None), group("g.inner", &label(2), Some(0))];
    let nodes: Vec<SceneNode> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let grp = match i % 4 {
                0 => Some(1),
                1 => Some(0),
                _ => None,
            };
            let mut n = node(id, &label(i), Kind::ALL[i % 12], grp);
            n.description = Some(label(i + 3));
            n
        })
        .collect();
    let edges = (1..nodes.len())
        .map(|i| {
            let mut e =
                edge(i - 1, i, if i % 3 == 0 { Mode::Async } else { Mode::Sync }, i % 5 == 0);
            if i % 2 == 0 {
                e.label = Some(label(i + 7));
            }
            e
        })
        .collect();
    let mut s = scene(groups, nodes, edges);
    s.title = label(0);
    s
}

/// Every sample scene.
pub(crate) fn samples() -> Vec<Scene> {
    vec![single(), nested(), every_kind(), hostile()]
}
