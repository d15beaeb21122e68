//! A flow drawn over the architecture diagram (`render --flow ID --overlay`).
//!
//! Input: the model, one flow and the scene options. Output: the usual [`Scene`], in which the
//! dependencies the flow travels carry its step numbers as their label and the `hl-flow` class,
//! the components it passes through `hl-flow`, and everything else `hl-dimmed`. Invariants: the
//! drawing's boxes and arrows are those of the same scene without the overlay (only labels and
//! classes change); classes stay sorted; deterministic.

use super::highlight::Mark;
use super::{Scene, SceneOptions, scene};
use crate::model::{Flow, Model};

/// The scene of `options` with `flow` drawn over it.
#[must_use]
pub(crate) fn overlay(model: &Model, flow: &Flow, options: &SceneOptions<'_>) -> Scene {
    let mut scene = scene(model, options);
    let node_of = |scene: &Scene, id: &str| scene.nodes.iter().position(|n| n.id == id);
    let mut in_flow = vec![false; scene.nodes.len()];
    let mut numbers: Vec<Vec<usize>> = vec![Vec::new(); scene.edges.len()];
    for m in flow.messages() {
        for c in [m.from, m.to] {
            if let Some(i) = node_of(&scene, &model.component(c).id) {
                in_flow[i] = true;
            }
        }
        let Some(e) = m.edge() else { continue };
        let (a, b) = model.graph.edge_endpoints(e).expect("a flow's dependency exists");
        let (Some(a), Some(b)) =
            (node_of(&scene, &model.component(a).id), node_of(&scene, &model.component(b).id))
        else {
            continue;
        };
        if let Some(k) = scene.edges.iter().position(|x| x.from == a && x.to == b) {
            numbers[k].push(m.number);
        }
    }
    for (node, used) in scene.nodes.iter_mut().zip(&in_flow) {
        node.classes.push(if *used { Mark::Flow.class() } else { Mark::Dimmed.class() });
        node.classes.sort_unstable();
        node.classes.dedup();
    }
    for (edge, nums) in scene.edges.iter_mut().zip(&numbers) {
        if nums.is_empty() {
            edge.classes.push(Mark::Dimmed.class());
        } else {
            edge.classes.push(Mark::Flow.class());
            let list: Vec<String> = nums.iter().map(ToString::to_string).collect();
            edge.label = Some(list.join(", "));
        }
        edge.classes.sort_unstable();
        edge.classes.dedup();
    }
    scene.title = format!("{}: {}", scene.title, flow.title);
    scene
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::model;
    use crate::scene::SceneOptions;

    #[test]
    fn steps_are_numbered_on_their_dependencies_and_the_rest_is_dimmed() {
        let m = model(
            "version: 1\nname: T\nservices:\n  web: { depends_on: [api, cdn] }\n  api: { depends_on: [db, q] }\n  db: { kind: database }\n  cdn: {}\n  q: { kind: queue }\n  w: { depends_on: [q] }\nflows:\n  f:\n    title: F\n    steps: [{from: web, to: api}, {from: api, to: db}, {from: web, to: api}, {from: api, to: q}, {from: q, to: w}]\n",
        );
        let plain = crate::scene::scene(&m, &SceneOptions::default());
        let s = overlay(&m, &m.flows()[0], &SceneOptions::default());
        assert_eq!(s.nodes.len(), plain.nodes.len());
        assert_eq!(s.edges.len(), plain.edges.len());
        assert_eq!(s.title, "T: F");
        let label = |from: &str, to: &str| {
            let e = s
                .edges
                .iter()
                .find(|e| s.nodes[e.from].id == from && s.nodes[e.to].id == to)
                .unwrap();
            (e.label.clone(), e.classes.clone())
        };
        assert_eq!(label("web", "api"), (Some("1, 3".into()), vec!["hl-flow"]));
        assert_eq!(label("w", "q"), (Some("5".into()), vec!["hl-flow"]));
        assert_eq!(label("web", "cdn").1, vec!["hl-dimmed"]);
        let cdn = s.nodes.iter().find(|n| n.id == "cdn").unwrap();
        assert_eq!(cdn.classes, ["hl-dimmed"]);
    }
}
