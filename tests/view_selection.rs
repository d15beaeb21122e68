//! Views select exactly the components their selectors define: hand-checked expectations on the
//! positioned scene (`render --format json`), for include and exclude selectors, nested groups,
//! focus in each direction and depth, and collapsed groups with merged edges.

use crate::support::{run_in, temp_with};

/// A small system (arrows are dependencies):
///
/// ```text
/// web -> api -> orders -> orders-db
///          \         \-> pay -> psp (external)
///           \-> users -> users-db
/// orders -> bus (topic), mailer -> bus
/// ```
/// Groups: shop > (ordering: orders, orders-db; money: pay), people: users, users-db.
const SYSTEM: &str = r#"version: 1
name: Views
groups:
  shop: {}
  ordering: { parent: shop }
  money: { parent: shop }
  people: {}
services:
  web: { kind: frontend, tags: [public], depends_on: [api] }
  api: { kind: gateway, tags: [public], depends_on: [orders, users] }
  orders: { group: ordering, depends_on: [orders-db, pay, bus] }
  orders-db: { kind: database, group: ordering }
  pay: { group: money, tags: [pci], depends_on: [{ target: psp, protocol: https }] }
  psp: { kind: external }
  users: { group: people, depends_on: [users-db] }
  users-db: { kind: database, group: people }
  bus: { kind: topic }
  mailer: { depends_on: [bus] }
views:
  shop-only: { include: ["group:shop"] }
  no-data: { exclude: ["kind:database", "kind:external"] }
  public-and-pci: { include: ["tag:public", "tag:pci"] }
  around-orders: { focus: [orders] }
  callers-of-pay: { focus: [pay], direction: upstream, depth: 3 }
  behind-api: { focus: [api], direction: downstream, depth: 2 }
  collapsed: { collapse: [shop, people] }
  collapsed-inner: { collapse: [ordering], include: ["group:shop", api] }
"#;

struct Picture {
    nodes: Vec<String>,
    edges: Vec<(String, String, Option<String>)>,
}

fn view(name: &str) -> Picture {
    let dir = temp_with(&[("archmap.yaml", SYSTEM)]);
    let out = run_in(dir.path(), &["render", "--format", "json", "--view", name, "-q"], "");
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut nodes: Vec<String> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    nodes.sort();
    let mut edges: Vec<(String, String, Option<String>)> = doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
                e["label"]["text"].as_str().map(str::to_string),
            )
        })
        .collect();
    edges.sort();
    Picture { nodes, edges }
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| (*s).to_string()).collect();
    v.sort();
    v
}

#[test]
fn group_selectors_include_nested_groups() {
    assert_eq!(view("shop-only").nodes, sorted(&["orders", "orders-db", "pay"]));
}

#[test]
fn exclude_applies_after_include() {
    assert_eq!(
        view("no-data").nodes,
        sorted(&["web", "api", "orders", "pay", "users", "bus", "mailer"])
    );
}

#[test]
fn tag_selectors_union() {
    let p = view("public-and-pci");
    assert_eq!(p.nodes, sorted(&["web", "api", "pay"]));
    // Only edges between kept components survive.
    assert_eq!(p.edges, vec![("web".into(), "api".into(), None)]);
}

#[test]
fn focus_defaults_to_one_hop_both_ways() {
    assert_eq!(view("around-orders").nodes, sorted(&["orders", "api", "orders-db", "pay", "bus"]));
}

#[test]
fn focus_upstream_follows_callers_only() {
    // pay <- orders <- api <- web: three hops up; nothing downstream (psp) is kept.
    assert_eq!(view("callers-of-pay").nodes, sorted(&["pay", "orders", "api", "web"]));
}

#[test]
fn focus_downstream_follows_dependencies_to_the_depth() {
    // api -> orders, users (1 hop) -> orders-db, pay, bus, users-db (2 hops); psp is 3 hops.
    assert_eq!(
        view("behind-api").nodes,
        sorted(&["api", "orders", "users", "orders-db", "pay", "bus", "users-db"])
    );
}

#[test]
fn collapsed_groups_merge_their_edges_with_a_count() {
    let p = view("collapsed");
    assert_eq!(p.nodes, sorted(&["web", "api", "shop", "people", "psp", "bus", "mailer"]));
    let edges: Vec<(&str, &str, Option<&str>)> =
        p.edges.iter().map(|(a, b, l)| (a.as_str(), b.as_str(), l.as_deref())).collect();
    assert_eq!(
        edges,
        vec![
            ("api", "people", None),
            ("api", "shop", None),
            ("mailer", "bus", None),
            // orders -> bus, one edge.
            ("shop", "bus", None),
            // pay -> psp keeps its protocol.
            ("shop", "psp", Some("https")),
            ("web", "api", None),
        ]
    );
}

#[test]
fn collapsing_an_inner_group_keeps_the_outer_frame() {
    let p = view("collapsed-inner");
    assert_eq!(p.nodes, sorted(&["api", "ordering", "pay"]));
    let edges: Vec<(&str, &str, Option<&str>)> =
        p.edges.iter().map(|(a, b, l)| (a.as_str(), b.as_str(), l.as_deref())).collect();
    assert_eq!(edges, vec![("api", "ordering", None), ("ordering", "pay", None)]);
    // The collapsed box and `pay` stay inside the `shop` frame, `money` frames `pay`.
    let dir = temp_with(&[("archmap.yaml", SYSTEM)]);
    let out =
        run_in(dir.path(), &["render", "--format", "json", "--view", "collapsed-inner", "-q"], "");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let groups: Vec<(&str, Option<&str>)> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g["parent"].as_str()))
        .collect();
    assert_eq!(groups, vec![("shop", None), ("money", Some("shop"))]);
    let group_of = |id: &str| {
        doc["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap()["group"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(group_of("ordering").as_deref(), Some("shop"));
    assert_eq!(group_of("pay").as_deref(), Some("money"));
    assert_eq!(group_of("api"), None);
}

#[test]
fn merged_edges_show_their_count() {
    let m = "version: 1\nname: M\ngroups:\n  core: {}\nservices:\n  api: { depends_on: [a, b, c] }\n  a: { group: core }\n  b: { group: core }\n  c: { group: core }\nviews:\n  v: { collapse: [core] }\n";
    let dir = temp_with(&[("archmap.yaml", m)]);
    let out = run_in(dir.path(), &["render", "--format", "json", "--view", "v", "-q"], "");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let edges = doc["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["label"]["text"], "×3");
}
