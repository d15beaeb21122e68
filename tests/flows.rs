//! Flows from the command line: `render --flow` as SVG, PNG and Mermaid (validated by the real
//! mermaid parser), `--overlay` (DOT validated by Graphviz), `--all-views`, and the flows of the
//! examples.

use crate::support::{have_tool, root, run_in, temp_with};

const SHOP: &str = r#"version: 1
name: Shop
services:
  customer: { kind: user, depends_on: [web] }
  web: { kind: frontend, depends_on: [gateway] }
  gateway: { kind: gateway, depends_on: [orders, auth, cdn] }
  auth: {}
  cdn: { kind: external }
  orders: { depends_on: [db, payments, order-events] }
  db: { kind: database, label: "Orders <DB> & \"co\"" }
  payments: {}
  order-events: { kind: topic }
  fulfilment: { depends_on: [order-events] }
flows:
  checkout:
    title: "Checkout: pay # now"
    description: A customer pays.
    steps:
      - { from: customer, to: web, label: "clicks <Pay>" }
      - { from: web, to: gateway, label: "POST /checkout; {json}", returns: 201 }
      - { from: gateway, to: auth, label: verify, returns: ok }
      - { from: gateway, to: orders, label: create order }
      - { from: orders, to: orders, label: validate }
      - par:
          - [{ from: orders, to: payments, label: charge, returns: "paid: yes" }]
          - { label: "end", steps: [{ from: orders, to: db, label: save, optional: true }] }
        label: at once
      - loop: "end"
        steps: [{ from: orders, to: db, label: INSERT line }]
      - { from: orders, to: order-events, label: OrderPlaced }
      - { from: order-events, to: fulfilment, label: OrderPlaced }
"#;

#[test]
fn a_flow_renders_as_svg_png_and_mermaid_deterministically() {
    let dir = temp_with(&[("shop.yaml", SHOP)]);
    let svg = run_in(dir.path(), &["render", "shop.yaml", "--flow", "checkout", "-q"], "");
    assert_eq!(svg.code, 0, "{}", svg.stderr);
    let again = run_in(dir.path(), &["render", "shop.yaml", "--flow", "checkout", "-q"], "");
    assert_eq!(svg.stdout, again.stdout, "deterministic");
    let doc = roxmltree::Document::parse(&svg.stdout).expect("the SVG parses");
    let texts: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for expected in ["1. clicks <Pay>", "Orders <DB> & \"co\"", "paid: yes", "par", "loop", "[end]"]
    {
        assert!(texts.contains(&expected), "{expected} not drawn: {texts:?}");
    }
    // Every participant gets a head and a lifeline, sync calls an activation.
    let count = |class: &str| {
        doc.descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == class)))
            .count()
    };
    assert_eq!(count("head"), 10 - 1, "every component but the unused cdn");
    assert_eq!(count("lifeline"), 9);
    assert_eq!(count("async"), 3, "validate, OrderPlaced twice");
    assert_eq!(count("return"), 3);
    assert!(count("bar") >= 6);
    assert!(!svg.stdout.contains("<script"));

    let png =
        run_in(dir.path(), &["render", "shop.yaml", "--flow", "checkout", "-o", "c.png", "-q"], "");
    assert_eq!(png.code, 0, "{}", png.stderr);
    let bytes = std::fs::read(dir.path().join("c.png")).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");

    let mmd = run_in(
        dir.path(),
        &["render", "shop.yaml", "--flow", "checkout", "--format", "mermaid", "-q"],
        "",
    );
    assert_eq!(mmd.code, 0, "{}", mmd.stderr);
    assert!(mmd.stdout.starts_with("sequenceDiagram\n"));
    assert!(mmd.stdout.contains("actor p_customer as customer"));
    assert!(mmd.stdout.contains("p_web->>+p_gateway: 2. POST /checkout#59; #123;json#125;"));
    assert!(mmd.stdout.contains("p_orders-)p_order_hevents: 9. OrderPlaced"));
    assert!(mmd.stdout.contains("    par at once\n"));
    assert!(mmd.stdout.contains("    and end\n"));
    crate::props::validate_mermaid(&[mmd.stdout]);
}

#[test]
fn overlay_numbers_the_steps_on_the_architecture_diagram() {
    let dir = temp_with(&[("shop.yaml", SHOP)]);
    let out =
        run_in(dir.path(), &["render", "shop.yaml", "--flow", "checkout", "--overlay", "-q"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = roxmltree::Document::parse(&out.stdout).expect("the SVG parses");
    let flow_edges = doc
        .descendants()
        .filter(|n| {
            n.attribute("class").is_some_and(|c| c.contains("edge") && c.contains("hl-flow"))
        })
        .count();
    let dimmed = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.contains("hl-dimmed")))
        .count();
    assert_eq!(flow_edges, 8, "one arrow per dependency the flow travels");
    assert_eq!(dimmed, 3, "cdn, the dependency on it, and the legend's swatch");
    assert!(out.stdout.contains(">not in the flow</text>"));
    assert!(out.stdout.contains(">7, 8</text>"), "both steps to the database on its one arrow");
    // The plain drawing has the same boxes; the overlay adds a legend of its two marks.
    let plain = run_in(dir.path(), &["render", "shop.yaml", "-q"], "");
    let boxes = |s: &str| s.matches("class=\"node ").count();
    assert_eq!(boxes(&plain.stdout) + 2, boxes(&out.stdout));

    let dot = run_in(
        dir.path(),
        &["render", "shop.yaml", "--flow", "checkout", "--format", "dot", "-q"],
        "",
    );
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    assert!(dot.stdout.contains("\ndigraph \"Shop: Checkout"), "DOT gets the overlay");
    assert!(dot.stdout.contains("#2563eb"), "flow steps in the flow colour");
    if have_tool("dot", "-V") {
        crate::support::graphviz(&dot.stdout, "svg");
    } else {
        eprintln!("skipping Graphviz: `dot` is not installed");
    }
}

#[test]
fn flows_are_named_and_all_views_writes_them() {
    let dir = temp_with(&[("shop.yaml", SHOP)]);
    let out = run_in(dir.path(), &["render", "shop.yaml", "--flow", "chekout"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("did you mean `checkout`?"), "{}", out.stderr);
    let out = run_in(dir.path(), &["render", "shop.yaml", "--overlay"], "");
    assert_eq!(out.code, 2, "--overlay needs --flow");
    // HTML: the page holds every flow as a view, and opens on the one asked for.
    let out = run_in(
        dir.path(),
        &["render", "shop.yaml", "--flow", "checkout", "-o", "p.html", "-q"],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("p.html")).unwrap();
    assert!(
        html.contains("\"id\":\"flow-checkout\",\"title\":\"Shop: Checkout: pay # now\""),
        "the flow is a view"
    );
    assert_eq!(html.matches("<template id=\"am-view-").count(), 2, "the system and the flow");
    assert!(html.contains("\"view\":\"flow-checkout\""), "the page opens on it");
    assert!(!dir.path().join("out").exists());

    let out = run_in(dir.path(), &["render", "shop.yaml", "--all-views", "-o", "out", "-q"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("out/flow-checkout.svg").is_file());
    assert!(dir.path().join("out/system.svg").is_file());
    let check = run_in(
        dir.path(),
        &["render", "shop.yaml", "--all-views", "-o", "out", "--check", "-q"],
        "",
    );
    assert_eq!(check.code, 0, "{}", check.stderr);
    let out = run_in(
        dir.path(),
        &["render", "shop.yaml", "--all-views", "--format", "mermaid", "-o", "mmd", "-q"],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join("mmd/flow-checkout.mmd")).unwrap();
    assert!(text.starts_with("sequenceDiagram"));
}

/// Every example's flows: checked clean, drawn, and valid Mermaid.
#[test]
fn example_flows_draw() {
    let mut mermaid = Vec::new();
    for example in ["banking", "ecommerce", "ride-hailing"] {
        let path = format!("examples/{example}.yaml");
        let json = run_in(&root(), &["check", &path, "--format", "json"], "");
        let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let flow_findings: Vec<&serde_json::Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"].as_str().unwrap() >= "AM050")
            .collect();
        assert!(flow_findings.is_empty(), "{example}: {flow_findings:?}");
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().to_str().unwrap();
        let run = run_in(
            &root(),
            &["render", &path, "--all-views", "--format", "mermaid", "-o", dir, "-q"],
            "",
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let flows: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("flow-"))
            .collect();
        assert!((2..=3).contains(&flows.len()), "{example}: {} flows", flows.len());
        mermaid.extend(flows.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    crate::props::validate_mermaid(&mermaid);
}

/// The pictures in docs/flows.md are what their commands draw today. Regenerate with
/// `cargo run -- render examples/ecommerce.yaml --flow checkout -o docs/images/flow-checkout.svg`
/// (and the same for the others).
#[test]
fn flow_pictures_are_fresh() {
    for (example, flow, file) in [
        ("ecommerce", "checkout", "docs/images/flow-checkout.svg"),
        ("ecommerce", "fulfil-order", "docs/images/flow-fulfil-order.svg"),
        ("ride-hailing", "request-ride", "docs/images/flow-request-ride.svg"),
    ] {
        let path = format!("examples/{example}.yaml");
        let mut args = vec!["render", &path, "--flow", flow, "-o", file, "--check", "-q"];
        if flow == "fulfil-order" {
            args.insert(4, "--overlay");
        }
        let out = run_in(&root(), &args, "");
        assert_eq!(out.code, 0, "{file} is stale: {}", out.stderr);
    }
}

#[test]
fn diff_reports_flows_and_their_steps() {
    let changed = SHOP
        .replace("label: charge, returns", "label: charge card, returns")
        .replace("      - { from: gateway, to: auth, label: verify, returns: ok }\n", "")
        + "  refund:\n    steps: [{ from: orders, to: payments, label: refund }]\n";
    let dir = temp_with(&[("old.yaml", SHOP), ("new.yaml", &changed)]);
    let out = run_in(dir.path(), &["diff", "old.yaml", "new.yaml"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\nflows\n"), "{}", out.stdout);
    assert!(out.stdout.contains("step: 3. gateway -> auth: verify (returns ok) → (none)"));
    assert!(out.stdout.contains("6. orders -> payments: charge (returns paid: yes) → par at once / branch 1: 5. orders -> payments: charge card"));
    assert!(out.stdout.contains("+ refund"));
    assert!(out.stdout.contains("1 flow added, 1 changed"), "{}", out.stdout);
    let json = run_in(dir.path(), &["diff", "old.yaml", "new.yaml", "--format", "json"], "");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["flows"]["added"], 1);
    assert_eq!(doc["flows"][0]["id"], "checkout");
    assert_eq!(doc["flows"][0]["changes"].as_array().unwrap().len(), 2);
    // Without flow changes the document keeps its old shape.
    let same = run_in(dir.path(), &["diff", "old.yaml", "old.yaml", "--format", "json"], "");
    assert!(!same.stdout.contains("\"flows\""));
}

/// Hostile text in every field a sequence diagram draws: the SVG stays safe, the Mermaid text
/// parses and cannot break out of its line.
#[test]
fn hostile_text_stays_text() {
    let evil =
        r#"</text><script>alert(1)</script> ]]> "quoted" 'single' & end; %% #35; :x -->> y ﬂ°°"#;
    let yaml = format!(
        "version: 1\nname: T\nservices:\n  a: {{ label: {e}, depends_on: [b] }}\n  b: {{ kind: user, label: {e} }}\nflows:\n  f:\n    title: {e}\n    description: {e}\n    steps:\n      - par:\n          - label: {e}\n            steps: [{{ from: a, to: b, label: {e}, returns: {e} }}]\n        label: {e}\n      - loop: {e}\n        steps: [{{ from: a, to: a, label: \"line\\nbreak\\tand tab\" }}]\n",
        e = serde_json::to_string(evil).unwrap()
    );
    let dir = temp_with(&[("evil.yaml", &yaml)]);
    let svg = run_in(dir.path(), &["render", "evil.yaml", "--flow", "f", "-q"], "");
    assert_eq!(svg.code, 0, "{}", svg.stderr);
    crate::safe_svg::assert_safe_svg(&svg.stdout);
    let doc = roxmltree::Document::parse(&svg.stdout).unwrap();
    assert!(doc.descendants().filter_map(|n| n.text()).any(|t| t.contains("<script>alert(1)")));
    let mmd = run_in(
        dir.path(),
        &["render", "evil.yaml", "--flow", "f", "--format", "mermaid", "-q"],
        "",
    );
    assert_eq!(mmd.code, 0, "{}", mmd.stderr);
    assert!(!mmd.stdout.contains("<script"));
    assert_eq!(mmd.stdout.lines().count(), 11, "one line per statement:\n{}", mmd.stdout);
    crate::props::validate_mermaid(&[mmd.stdout]);
}

#[test]
fn included_files_add_flows() {
    let root_yaml = "version: 1\nname: Shop\ninclude: [flows.yaml]\nservices:\n  web: { depends_on: [api] }\n  api: {}\nflows:\n  home:\n    steps: [{ from: web, to: api }]\n";
    let included = "version: 1\nflows:\n  order:\n    steps: [{ from: web, to: api, label: order }]\n  home:\n    steps: [{ from: api, to: web }]\n";
    let dir = temp_with(&[("archmap.yaml", root_yaml), ("flows.yaml", included)]);
    let out = run_in(dir.path(), &["render", "--flow", "order", "--format", "mermaid", "-q"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("p_web->>+p_api: 1. order"));
    let check = run_in(dir.path(), &["check", "--format", "json"], "");
    let doc: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let codes: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"AM002"), "a flow id defined in two files: {codes:?}");
    assert!(!codes.contains(&"AM050"), "the second `home` is left out, not checked: {codes:?}");
}
