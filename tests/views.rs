//! `render --highlight`, `--theme`, `--legend` and `--format png`: findings drawn in every
//! format, light and dark SVGs, and pictures rasterised with the embedded font.

use resvg::tiny_skia::Pixmap;

use crate::support::{graphviz, have_tool, root, run_in, temp_with};

/// A cycle (orders ↔ billing), a layer violation (web → cache) and a single point of failure.
const SHOP: &str = "version: 1
name: Shop
services:
  web: { kind: frontend, depends_on: [api, cache] }
  api: { kind: gateway, depends_on: [orders] }
  orders: { depends_on: [billing, db] }
  billing: { depends_on: [orders] }
  db: { kind: database }
  cache: { kind: cache }
";

/// Runs `archmap render archmap.yaml ARGS` on SHOP and returns standard output.
fn render(args: &[&str]) -> String {
    let dir = temp_with(&[("archmap.yaml", SHOP)]);
    let mut all = vec!["render", "archmap.yaml", "-q"];
    all.extend_from_slice(args);
    let out = run_in(dir.path(), &all, "");
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
}

/// The `class` attribute of the element with `id`.
fn class_of(doc: &roxmltree::Document<'_>, id: &str) -> String {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .and_then(|n| n.attribute("class"))
        .unwrap_or_else(|| panic!("no element {id}"))
        .to_string()
}

#[test]
fn svg_marks_cycles_layer_violations_and_single_points_of_failure() {
    let svg = render(&["--highlight"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    for id in ["node-orders", "node-billing", "edge-orders-billing", "edge-billing-orders"] {
        assert!(class_of(&doc, id).split(' ').any(|c| c == "hl-cycle"), "{id}");
    }
    assert!(class_of(&doc, "edge-web-cache").contains("hl-layer"));
    assert!(class_of(&doc, "node-api").contains("hl-spof"));
    assert!(!class_of(&doc, "edge-orders-db").contains("hl-"));
    // Colours come from CSS; highlighted arrows get heads of their colour.
    assert!(svg.contains(".edge.hl-cycle .line { stroke: #dc2626;"));
    assert!(svg.contains("marker-end=\"url(#am-arrow-cycle)\""));
    assert!(doc.descendants().any(|n| n.attribute("id") == Some("am-arrow-cycle")));
    // One legend entry per kind of finding drawn.
    let legend: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("legend-label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(legend, ["dependency cycle", "layer violation", "single point of failure"]);

    // Without --highlight nothing is marked and no legend is drawn.
    let plain = render(&[]);
    assert!(!plain.contains("hl-") && !plain.contains("legend"), "{plain}");
}

#[test]
fn long_sync_chains_mark_their_edges() {
    let yaml = "version: 1\nname: C\nrules:\n  sync-chain-depth: { max: 1 }\nservices:\n  a: { depends_on: [b] }\n  b: { depends_on: [c] }\n  c: {}\n";
    let dir = temp_with(&[("archmap.yaml", yaml)]);
    let out = run_in(dir.path(), &["render", "-q", "--highlight"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    assert!(class_of(&doc, "edge-a-b").contains("hl-chain"));
    assert!(class_of(&doc, "edge-b-c").contains("hl-chain"));
    assert!(!class_of(&doc, "node-a").contains("hl-"));
}

#[test]
fn dot_colours_highlights_and_graphviz_accepts_it() {
    let dot = render(&["--highlight", "--format", "dot"]);
    assert!(dot.contains("color=\"#dc2626\""), "{dot}");
    assert!(dot.contains("penwidth=\"2.5\""), "{dot}");
    assert!(dot.contains("dependency cycle"), "{dot}");
    if have_tool("dot", "-V") {
        let svg = graphviz(&dot, "svg");
        assert!(svg.contains("dependency cycle"));
    }
}

#[test]
fn mermaid_gets_class_defs_and_link_styles() {
    let mmd = render(&["--highlight", "--format", "mermaid"]);
    assert!(mmd.contains("classDef hl_cycle stroke:#dc2626"), "{mmd}");
    assert!(mmd.contains("class n_orders,n_billing,legend_hl_cycle hl_cycle"), "{mmd}");
    assert!(mmd.contains("stroke:#dc2626,stroke-width:2.5px"), "{mmd}");
    assert!(mmd.contains("linkStyle "), "{mmd}");
}

#[test]
fn json_flags_highlighted_nodes_and_edges() {
    let json: serde_json::Value =
        serde_json::from_str(&render(&["--highlight", "--format", "json"])).unwrap();
    let node = |id: &str| json["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap();
    assert_eq!(node("orders")["highlight"], serde_json::json!(["cycle", "spof"]));
    assert_eq!(node("api")["highlight"], serde_json::json!(["spof"]));
    assert!(node("db").get("highlight").is_none());
    let edge = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "web" && e["to"] == "cache")
        .unwrap();
    assert_eq!(edge["highlight"], serde_json::json!(["layer"]));
}

#[test]
fn themes_and_the_full_legend() {
    let light = render(&[]);
    let dark = render(&["--theme", "dark"]);
    let auto = render(&["--theme", "auto"]);
    assert!(!light.contains("#0d1117"));
    assert!(dark.contains(".background { fill: #0d1117; }") && !dark.contains("@media"));
    assert!(auto.contains("@media (prefers-color-scheme: dark) {\n.background { fill: #0d1117; }"));
    for svg in [&light, &dark, &auto] {
        let doc = roxmltree::Document::parse(svg).unwrap();
        // Accessible, self-contained, stable.
        assert_eq!(doc.root_element().attribute("role"), Some("img"));
        assert!(doc.descendants().any(|n| n.has_tag_name("title")));
        assert!(!svg.contains("<script") && !svg.contains("@import") && !svg.contains("<image"));
        assert!(svg.contains("font-family: 'Liberation Sans'"));
    }
    let legend = render(&["--legend"]);
    let doc = roxmltree::Document::parse(&legend).unwrap();
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("legend-label"))
        .filter_map(|n| n.text())
        .collect();
    // Only what the diagram uses: four kinds, one edge style.
    assert_eq!(labels, ["service", "frontend", "gateway", "database", "cache", "sync call"]);
}

/// Renders SHOP to a PNG file and returns its bytes.
fn png(args: &[&str]) -> Vec<u8> {
    let dir = temp_with(&[("archmap.yaml", SHOP)]);
    let mut all = vec!["render", "-q", "-o", "out.png"];
    all.extend_from_slice(args);
    let out = run_in(dir.path(), &all, "");
    assert_eq!(out.code, 0, "{out:?}");
    std::fs::read(dir.path().join("out.png")).unwrap()
}

/// The SVG's width and height.
fn svg_size(svg: &str) -> (f32, f32) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let r = doc.root_element();
    let n = |a: &str| r.attribute(a).unwrap().parse::<f32>().unwrap();
    (n("width"), n("height"))
}

#[test]
fn png_has_the_scaled_size_and_is_reproducible() {
    let (w, h) = svg_size(&render(&[]));
    for (scale, args) in
        [(2.0_f32, vec![]), (1.0, vec!["--scale", "1"]), (1.5, vec!["--scale", "1.5"])]
    {
        let bytes = png(&args);
        assert_eq!(bytes, png(&args), "two runs give the same bytes");
        let p = Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((p.width(), p.height()), ((w * scale).ceil() as u32, (h * scale).ceil() as u32));
    }
}

#[test]
fn png_dark_theme_has_a_dark_background() {
    let light = Pixmap::decode_png(&png(&["--scale", "1"])).unwrap();
    let dark = Pixmap::decode_png(&png(&["--scale", "1", "--theme", "dark"])).unwrap();
    let corner = |p: &Pixmap| p.pixel(1, 1).unwrap();
    assert_eq!(
        (corner(&light).red(), corner(&light).green(), corner(&light).blue()),
        (255, 255, 255)
    );
    let d = corner(&dark);
    assert!(d.red() < 40 && d.green() < 40 && d.blue() < 40, "{d:?}");
}

#[test]
fn bad_scale_is_a_usage_error() {
    let dir = temp_with(&[("archmap.yaml", SHOP)]);
    let out = run_in(dir.path(), &["render", "-q", "-o", "x.png", "--scale", "0"], "");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--scale"), "{}", out.stderr);
    assert!(!dir.path().join("x.png").exists());
}

/// Whether any pixel inside `(x, y, w, h)` (document units at scale 1) differs from `bg`.
fn drawn_inside(p: &Pixmap, rect: (f64, f64, f64, f64), bg: [u8; 3]) -> bool {
    let (x, y, width, height) = rect;
    let (x0, y0) = (x.max(0.0) as u32, y.max(0.0) as u32);
    let (x1, y1) = (((x + width) as u32).min(p.width()), ((y + height) as u32).min(p.height()));
    (y0..y1).any(|yy| {
        (x0..x1).any(|xx| {
            let c = p.pixel(xx, yy).unwrap();
            [c.red(), c.green(), c.blue()] != bg
        })
    })
}

#[test]
fn example_svgs_rasterise_with_every_box_drawn_in_both_themes() {
    for name in ["ecommerce", "banking", "ride-hailing"] {
        let dir = temp_with(&[]);
        let manifest = root().join("examples").join(format!("{name}.yaml"));
        let manifest = manifest.to_str().unwrap();
        let json = run_in(dir.path(), &["render", manifest, "-q", "--format", "json"], "");
        let scene: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        for theme in ["light", "dark"] {
            let png = dir.path().join(format!("{theme}.png"));
            let png_arg = png.to_str().unwrap();
            let args = ["render", manifest, "-q", "--theme", theme, "--scale", "1", "-o", png_arg];
            let out = run_in(dir.path(), &args, "");
            assert_eq!(out.code, 0, "{out:?}");
            let p = Pixmap::decode_png(&std::fs::read(&png).unwrap()).unwrap();
            let bg = p.pixel(1, 1).unwrap();
            let bg = [bg.red(), bg.green(), bg.blue()];
            if theme == "dark" {
                assert!(bg.iter().all(|&c| c < 40), "{name}: dark background is {bg:?}");
            } else {
                assert_eq!(bg, [255, 255, 255], "{name}");
            }
            for node in scene["nodes"].as_array().unwrap() {
                let f = |k: &str| node[k].as_f64().unwrap();
                let rect = (f("x"), f("y"), f("width"), f("height"));
                assert!(drawn_inside(&p, rect, bg), "{name} ({theme}): {} is blank", node["id"]);
            }
        }
    }
}

#[test]
fn all_views_write_pngs() {
    let path = root().join("examples/ecommerce.yaml");
    let dir = temp_with(&[]);
    let out = run_in(
        dir.path(),
        &[
            "render",
            path.to_str().unwrap(),
            "-q",
            "--all-views",
            "--format",
            "png",
            "--scale",
            "1",
            "-o",
            "out",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let system = std::fs::read(dir.path().join("out/system.png")).unwrap();
    assert!(Pixmap::decode_png(&system).is_ok());
    // --check compares bytes.
    let again = run_in(
        dir.path(),
        &[
            "render",
            path.to_str().unwrap(),
            "-q",
            "--all-views",
            "--format",
            "png",
            "--scale",
            "1",
            "-o",
            "out",
            "--check",
        ],
        "",
    );
    assert_eq!(again.code, 0, "{again:?}");
}

#[test]
fn collapsed_groups_carry_their_members_highlights() {
    let yaml = "version: 1
name: G
groups:
  money: {}
services:
  web: { depends_on: [orders] }
  orders: { group: money, depends_on: [billing] }
  billing: { group: money, depends_on: [orders] }
views:
  overview: { title: Overview, collapse: [money] }
";
    let dir = temp_with(&[("archmap.yaml", yaml)]);
    let out = run_in(dir.path(), &["render", "-q", "--highlight", "--view", "overview"], "");
    assert_eq!(out.code, 0, "{out:?}");
    let doc = roxmltree::Document::parse(&out.stdout).unwrap();
    let class = class_of(&doc, "node-group-money");
    assert!(class.contains("collapsed") && class.contains("hl-cycle"), "{class}");
    // The cycle's edges are inside the box; web's arrow into it is not part of the cycle.
    assert!(!class_of(&doc, "edge-web-money").contains("hl-"));
}
