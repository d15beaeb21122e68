//! The positioned scene as JSON (`render --format json`).
//!
//! Input: a [`Scene`] and [`RenderOptions`] (the layout engine). Output: one JSON document,
//! `{"version":1,"width","height","nodes":[{"id","x","y","width","height","group"}],
//! "groups":[{"id","x","y","width","height","title":{"x","y","width","height"},"parent"}],"edges":[{"from","to","points":[[x,y],…],
//! "label":{"text","x","y","width","height"}|null}]}`; with `render --highlight`, marked nodes
//! and edges also carry `"highlight":["cycle",…]` (names of [`Mark`]s). Invariants: coordinates are the SVG
//! document's user units (the SVG renderer would draw exactly these boxes), `x`/`y` is a box's
//! top-left corner, numbers have at most two decimals; `group`/`parent`/`from`/`to` are manifest
//! ids (`null` when there is none); arrays are in scene order, so output is deterministic.

use serde_json::{Value, json};

use super::{RenderOptions, Renderer, svg};
use crate::layout::Rect;
use crate::scene::Scene;
use crate::scene::highlight::Mark;

/// Writes the positioned scene as JSON.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct JsonRenderer;

/// `v` rounded to two decimals (never `-0`).
fn num(v: f64) -> Value {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 || !r.is_finite() { 0.0 } else { r };
    json!(r)
}

fn rect(r: &Rect) -> [(&'static str, Value); 4] {
    [("x", num(r.x)), ("y", num(r.y)), ("width", num(r.width)), ("height", num(r.height))]
}

/// Adds `"highlight": ["cycle", …]` when `classes` hold highlights (`render --highlight`).
fn insert_highlights(m: &mut serde_json::Map<String, Value>, classes: &[&str]) {
    let marks: Vec<&str> =
        classes.iter().filter_map(|c| Mark::from_class(c)).map(Mark::name).collect();
    if !marks.is_empty() {
        m.insert("highlight".into(), json!(marks));
    }
}

impl Renderer for JsonRenderer {
    fn render(&self, scene: &Scene, options: &RenderOptions) -> String {
        let pos = svg::document_layout(scene, options.layout());
        let nodes: Vec<Value> = scene
            .nodes
            .iter()
            .zip(&pos.nodes)
            .map(|(n, r)| {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), json!(n.id));
                for (k, v) in rect(r) {
                    m.insert(k.into(), v);
                }
                let group = n.group.and_then(|g| scene.groups.get(g)).map(|g| g.id.clone());
                m.insert("group".into(), json!(group));
                insert_highlights(&mut m, &n.classes);
                Value::Object(m)
            })
            .collect();
        let groups: Vec<Value> = scene
            .groups
            .iter()
            .zip(&pos.groups)
            .zip(&pos.titles)
            .map(|((g, r), t)| {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), json!(g.id));
                for (k, v) in rect(r) {
                    m.insert(k.into(), v);
                }
                let title = rect(t).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                m.insert("title".into(), Value::Object(title));
                let parent = g.parent.and_then(|p| scene.groups.get(p)).map(|p| p.id.clone());
                m.insert("parent".into(), json!(parent));
                Value::Object(m)
            })
            .collect();
        let edges: Vec<Value> = scene
            .edges
            .iter()
            .zip(&pos.edges)
            .map(|(e, path)| {
                let points: Vec<Value> =
                    path.points.iter().map(|&(x, y)| json!([num(x), num(y)])).collect();
                let label = match (e.display_label(), &path.label) {
                    (Some(text), Some(r)) => {
                        let mut m = serde_json::Map::new();
                        m.insert("text".into(), json!(text));
                        for (k, v) in rect(r) {
                            m.insert(k.into(), v);
                        }
                        Value::Object(m)
                    }
                    _ => Value::Null,
                };
                let mut m = serde_json::Map::new();
                m.insert("from".into(), json!(scene.nodes.get(e.from).map(|n| n.id.clone())));
                m.insert("to".into(), json!(scene.nodes.get(e.to).map(|n| n.id.clone())));
                m.insert("points".into(), json!(points));
                m.insert("label".into(), label);
                insert_highlights(&mut m, &e.classes);
                Value::Object(m)
            })
            .collect();
        let doc = json!({
            "version": 1,
            "width": num(pos.width),
            "height": num(pos.height),
            "nodes": nodes,
            "groups": groups,
            "edges": edges,
            "direction": pos.direction.as_str(),
            "junctions": pos.junctions.iter().map(|&(x, y)| json!([num(x), num(y)])).collect::<Vec<_>>(),
        });
        let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::testing::{every_kind, nested};

    #[test]
    fn boxes_routes_and_labels_are_in_document_units() {
        let s = nested();
        let text = JsonRenderer.render(&s, &RenderOptions::default());
        let doc: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["nodes"].as_array().map(Vec::len), Some(s.nodes.len()));
        assert_eq!(doc["groups"].as_array().map(Vec::len), Some(s.groups.len()));
        assert_eq!(doc["edges"].as_array().map(Vec::len), Some(s.edges.len()));
        let w = doc["width"].as_f64().expect("width");
        for n in doc["nodes"].as_array().expect("nodes") {
            let x = n["x"].as_f64().expect("x");
            assert!(x >= 0.0 && x + n["width"].as_f64().expect("w") <= w + 0.01);
        }
        for e in doc["edges"].as_array().expect("edges") {
            assert!(e["points"].as_array().expect("points").len() >= 2);
        }
        // Groups name their parent by id.
        let inner =
            doc["groups"].as_array().expect("groups").iter().find(|g| !g["parent"].is_null());
        assert!(inner.is_some());
    }

    #[test]
    fn output_is_deterministic() {
        let s = every_kind();
        let o = RenderOptions::default();
        assert_eq!(JsonRenderer.render(&s, &o), JsonRenderer.render(&s, &o));
    }
}
