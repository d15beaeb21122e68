//! Layout quality metrics, computed from a drawing's geometry alone.
//!
//! Input: a [`Drawing`] — node boxes, the groups each node belongs to (directly or through a
//! subgroup), group frames, edge polylines with their endpoints, label boxes — built from a
//! [`Positioned`] scene ([`Drawing::from_positioned`]) or from another tool's output (the layout
//! bench reads Graphviz's `-Tjson`). Output: a [`Quality`] report: edge crossings (proper
//! intersections between segments of edges that share no endpoint), node overlaps, edges
//! through nodes (a segment entering a box other than its edge's ends), label overlaps (label
//! with label or with a box), edges through group titles, members outside their group frames, non-members inside a group
//! frame, and area per node. Invariants: boxes that merely touch do not overlap (a tolerance of
//! half a unit); pure functions; sweeps over sorted x keep large drawings fast.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use std::collections::BTreeMap;

#[cfg(test)]
use super::Positioned;
use super::Rect;
#[cfg(test)]
use crate::scene::Scene;

/// Tolerance for touching boxes and segments grazing a border.
const EPS: f64 = 0.5;

/// An edge as drawn: source node, target node, polyline.
pub(crate) type DrawnEdge = (usize, usize, Vec<(f64, f64)>);

/// A segment of an edge: edge index, source node, target node, two ends.
type Segment = (usize, usize, usize, (f64, f64), (f64, f64));

/// A drawing to assess.
#[derive(Clone, Debug, Default)]
pub struct Drawing {
    /// Node boxes.
    pub(crate) nodes: Vec<Rect>,
    /// For each node, every group that holds it (directly or through a subgroup).
    pub(crate) node_groups: Vec<Vec<usize>>,
    /// Group frames.
    pub(crate) groups: Vec<Rect>,
    /// Edges: source node, target node, polyline.
    pub(crate) edges: Vec<DrawnEdge>,
    /// Label boxes.
    pub(crate) labels: Vec<Rect>,
    /// Group title boxes (empty when unknown).
    pub(crate) titles: Vec<Rect>,
}

impl Drawing {
    /// The drawing of `scene` laid out as `pos`.
    #[must_use]
    #[cfg(test)]
    pub(crate) fn from_positioned(scene: &Scene, pos: &Positioned) -> Drawing {
        let node_groups = scene
            .nodes
            .iter()
            .map(|n| {
                let mut chain = Vec::new();
                let mut g = n.group;
                while let Some(x) = g {
                    if chain.contains(&x) || x >= scene.groups.len() {
                        break;
                    }
                    chain.push(x);
                    g = scene.groups[x].parent;
                }
                chain
            })
            .collect();
        Drawing {
            nodes: pos.nodes.clone(),
            node_groups,
            groups: pos.groups.clone(),
            edges: scene
                .edges
                .iter()
                .zip(&pos.edges)
                .map(|(e, p)| (e.from, e.to, p.points.clone()))
                .collect(),
            labels: pos.edges.iter().filter_map(|e| e.label).collect(),
            titles: pos.titles.clone(),
        }
    }
}

/// What [`quality`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Quality {
    /// Proper intersections between segments of edges that share no endpoint.
    pub crossings: usize,
    /// Pairs of node boxes that overlap.
    pub node_overlaps: usize,
    /// Segments that enter a box other than their edge's ends.
    pub edges_through_nodes: usize,
    /// Labels overlapping another label or a box.
    pub label_overlaps: usize,
    /// Segments that enter a group's title box.
    pub edges_through_titles: usize,
    /// (node, group) pairs where a member's box is not inside the frame.
    pub members_outside: usize,
    /// (node, group) pairs where a non-member's box overlaps the frame.
    pub non_members_inside: usize,
    /// Bounding-box area of the drawing divided by the number of nodes.
    pub area_per_node: f64,
}

/// A box from a JSON object's `x`, `y`, `width` and `height`.
fn json_rect(v: &serde_json::Value) -> Result<Rect, String> {
    let f = |k: &str| v[k].as_f64().ok_or_else(|| format!("no number `{k}` in {v}"));
    Ok(Rect { x: f("x")?, y: f("y")?, width: f("width")?, height: f("height")? })
}

impl Drawing {
    /// The drawing of archmap's positioned scene (`render --format json`, version 1). Strict:
    /// an error names the first missing or dangling field.
    ///
    /// # Errors
    /// When a field the format requires is missing, or an edge or group names an unknown id.
    pub fn from_json(doc: &serde_json::Value) -> Result<Drawing, String> {
        let list = |k: &str| doc[k].as_array().ok_or_else(|| format!("no array `{k}`"));
        let (groups, nodes, edges) = (list("groups")?, list("nodes")?, list("edges")?);
        let index = |items: &[serde_json::Value]| -> Result<BTreeMap<String, usize>, String> {
            items
                .iter()
                .enumerate()
                .map(|(i, x)| Ok((x["id"].as_str().ok_or("an item without `id`")?.to_string(), i)))
                .collect()
        };
        let (gindex, nindex) = (index(groups)?, index(nodes)?);
        let lookup = |ix: &BTreeMap<String, usize>,
                      v: &serde_json::Value|
         -> Result<Option<usize>, String> {
            match v.as_str() {
                None => Ok(None),
                Some(id) => ix.get(id).copied().map(Some).ok_or_else(|| format!("unknown id {id}")),
            }
        };
        let mut node_groups = Vec::with_capacity(nodes.len());
        for n in nodes {
            let mut chain = Vec::new();
            let mut g = lookup(&gindex, &n["group"])?;
            while let Some(x) = g {
                if chain.contains(&x) {
                    return Err(format!("group {x} is its own ancestor"));
                }
                chain.push(x);
                g = lookup(&gindex, &groups[x]["parent"])?;
            }
            node_groups.push(chain);
        }
        let mut drawn = Vec::with_capacity(edges.len());
        let mut labels = Vec::new();
        for e in edges {
            let points = e["points"].as_array().ok_or_else(|| format!("no points in {e}"))?;
            let pts = points
                .iter()
                .map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("a point that is not [x, y] in {e}"))?;
            let end = |k: &str| lookup(&nindex, &e[k])?.ok_or_else(|| format!("no `{k}` in {e}"));
            drawn.push((end("from")?, end("to")?, pts));
            if !e["label"].is_null() {
                labels.push(json_rect(&e["label"])?);
            }
        }
        Ok(Drawing {
            nodes: nodes.iter().map(json_rect).collect::<Result<_, _>>()?,
            node_groups,
            groups: groups.iter().map(json_rect).collect::<Result<_, _>>()?,
            edges: drawn,
            labels,
            titles: groups.iter().map(|g| json_rect(&g["title"])).collect::<Result<_, _>>()?,
        })
    }

    /// The drawing of Graphviz's `dot -Tjson` output (points, y up; node sizes in inches):
    /// nodes from `pos`, `width` and `height`, clusters from `bb` (their titles from the text
    /// operations of `_ldraw_`), edges from the Bézier pieces of `_draw_` sampled at eight
    /// points each, edge labels from `_ldraw_`. `None` when the text is not such a document.
    #[must_use]
    pub fn from_graphviz_json(text: &str) -> Option<Drawing> {
        let doc: serde_json::Value = serde_json::from_str(text).ok()?;
        let objects = doc["objects"].as_array()?;
        let pair = |s: &str| -> Option<(f64, f64)> {
            let mut it = s.split(',').map(|x| x.trim().parse::<f64>());
            Some((it.next()?.ok()?, it.next()?.ok()?))
        };
        let mut node_of: BTreeMap<u64, usize> = BTreeMap::new();
        let mut nodes = Vec::new();
        let mut clusters: Vec<(Rect, Vec<u64>)> = Vec::new();
        let mut titles = Vec::new();
        for o in objects {
            let gvid = o["_gvid"].as_u64()?;
            if let Some(bb) = o["bb"].as_str() {
                let v: Vec<f64> = bb.split(',').filter_map(|x| x.parse().ok()).collect();
                if v.len() == 4 && o["name"].as_str().is_some_and(|n| n.starts_with("cluster")) {
                    let members: Vec<u64> = o["nodes"]
                        .as_array()
                        .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
                        .unwrap_or_default();
                    clusters.push((
                        Rect { x: v[0], y: v[1], width: v[2] - v[0], height: v[3] - v[1] },
                        members,
                    ));
                    titles.extend(text_box(&o["_ldraw_"]));
                }
            } else if let Some(pos) = o["pos"].as_str() {
                let (x, y) = pair(pos)?;
                let w = o["width"].as_str()?.parse::<f64>().ok()? * 72.0;
                let h = o["height"].as_str()?.parse::<f64>().ok()? * 72.0;
                node_of.insert(gvid, nodes.len());
                nodes.push(Rect { x: x - w / 2.0, y: y - h / 2.0, width: w, height: h });
            }
        }
        let mut node_groups = vec![Vec::new(); nodes.len()];
        for (c, (_, members)) in clusters.iter().enumerate() {
            for m in members {
                if let Some(&n) = node_of.get(m) {
                    node_groups[n].push(c);
                }
            }
        }
        let mut edges = Vec::new();
        let mut labels = Vec::new();
        for e in doc["edges"].as_array().map(Vec::as_slice).unwrap_or_default() {
            labels.extend(text_box(&e["_ldraw_"]));
            let from = node_of.get(&e["tail"].as_u64()?).copied()?;
            let to = node_of.get(&e["head"].as_u64()?).copied()?;
            let mut pts = Vec::new();
            for op in e["_draw_"].as_array().map(Vec::as_slice).unwrap_or_default() {
                if op["op"].as_str() != Some("b") {
                    continue;
                }
                let ctrl: Vec<(f64, f64)> = op["points"]
                    .as_array()
                    .map(|a| {
                        a.iter().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).collect()
                    })
                    .unwrap_or_default();
                let Some(&first) = ctrl.first() else { continue };
                // Sample each cubic piece.
                pts.push(first);
                for k in (0..ctrl.len().saturating_sub(3)).step_by(3) {
                    let (p0, p1, p2, p3) = (ctrl[k], ctrl[k + 1], ctrl[k + 2], ctrl[k + 3]);
                    for s in 1..=8 {
                        let t = f64::from(s) / 8.0;
                        let u = 1.0 - t;
                        let b = |a: f64, b: f64, c: f64, d: f64| {
                            u * u * u * a
                                + 3.0 * u * u * t * b
                                + 3.0 * u * t * t * c
                                + t * t * t * d
                        };
                        pts.push((b(p0.0, p1.0, p2.0, p3.0), b(p0.1, p1.1, p2.1, p3.1)));
                    }
                }
            }
            if pts.len() >= 2 {
                edges.push((from, to, pts));
            }
        }
        Some(Drawing {
            nodes,
            node_groups,
            groups: clusters.into_iter().map(|(r, _)| r).collect(),
            edges,
            labels,
            titles,
        })
    }
}

/// The box around the text of an xdot label (`T` operations, sized by the last `F`), in dot's
/// y-up coordinates.
fn text_box(ops: &serde_json::Value) -> Option<Rect> {
    let mut size = 14.0;
    let mut out: Option<Rect> = None;
    for op in ops.as_array()? {
        match op["op"].as_str() {
            Some("F") => size = op["size"].as_f64().unwrap_or(size),
            Some("T") => {
                let (x, y) = (op["pt"][0].as_f64()?, op["pt"][1].as_f64()?);
                let w = op["width"].as_f64()?;
                let left = match op["align"].as_str() {
                    Some("l") => x,
                    Some("r") => x - w,
                    _ => x - w / 2.0,
                };
                let r = Rect { x: left, y: y - 0.21 * size, width: w, height: 1.11 * size };
                out = Some(out.map_or(r, |o: Rect| {
                    let (x0, y0) = (o.x.min(r.x), o.y.min(r.y));
                    Rect {
                        x: x0,
                        y: y0,
                        width: o.right().max(r.right()) - x0,
                        height: o.bottom().max(r.bottom()) - y0,
                    }
                }));
            }
            _ => {}
        }
    }
    out
}

impl Quality {
    /// Whether the hard invariants hold: no overlaps, no edges through nodes, no label
    /// overlaps, every member inside and every non-member outside its groups.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.node_overlaps == 0
            && self.edges_through_nodes == 0
            && self.label_overlaps == 0
            && self.members_outside == 0
            && self.non_members_inside == 0
    }
}

/// Whether the interiors of `a` and `b` overlap by more than the tolerance.
fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x < b.right() - EPS
        && b.x < a.right() - EPS
        && a.y < b.bottom() - EPS
        && b.y < a.bottom() - EPS
}

/// Pairs `(i, j)`, `i < j`, of boxes in `rects` that overlap (sweep over x).
fn overlapping_pairs(rects: &[Rect]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..rects.len()).collect();
    order.sort_by(|&a, &b| rects[a].x.total_cmp(&rects[b].x).then(a.cmp(&b)));
    let mut out = Vec::new();
    let mut active: Vec<usize> = Vec::new();
    for &i in &order {
        let r = &rects[i];
        active.retain(|&j| rects[j].right() - EPS > r.x);
        for &j in &active {
            if overlaps(r, &rects[j]) {
                out.push((i.min(j), i.max(j)));
            }
        }
        active.push(i);
    }
    out
}

/// Whether the segment `p`–`q` passes through the interior of `r` (shrunk by the tolerance).
fn segment_enters(p: (f64, f64), q: (f64, f64), r: &Rect) -> bool {
    let (x0, y0, x1, y1) = (r.x + EPS, r.y + EPS, r.right() - EPS, r.bottom() - EPS);
    if x0 >= x1 || y0 >= y1 {
        return false;
    }
    // Liang–Barsky clipping.
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (pk, qk) in [(-dx, p.0 - x0), (dx, x1 - p.0), (-dy, p.1 - y0), (dy, y1 - p.1)] {
        if pk.abs() < 1e-12 {
            if qk <= 0.0 {
                return false;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t1 - t0 > 1e-9
}

/// Whether segments `a`–`b` and `c`–`d` cross properly (not merely touching).
fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    let tol = 1e-9;
    ((d1 > tol && d2 < -tol) || (d1 < -tol && d2 > tol))
        && ((d3 > tol && d4 < -tol) || (d3 < -tol && d4 > tol))
}

/// Assesses a drawing (see the module header).
#[must_use]
pub fn quality(d: &Drawing) -> Quality {
    let mut q = Quality { node_overlaps: overlapping_pairs(&d.nodes).len(), ..Quality::default() };

    // Segments: (edge, from, to, p, q), swept by min x.
    let mut segs: Vec<Segment> = Vec::new();
    for (e, (from, to, pts)) in d.edges.iter().enumerate() {
        for w in pts.windows(2) {
            segs.push((e, *from, *to, w[0], w[1]));
        }
    }
    let min_x = |s: &Segment| s.3.0.min(s.4.0);
    let max_x = |s: &Segment| s.3.0.max(s.4.0);
    segs.sort_by(|a, b| min_x(a).total_cmp(&min_x(b)));
    let mut active: Vec<usize> = Vec::new();
    for i in 0..segs.len() {
        let s = segs[i];
        active.retain(|&j| max_x(&segs[j]) >= min_x(&s));
        for &j in &active {
            let t = segs[j];
            let shares = s.1 == t.1 || s.1 == t.2 || s.2 == t.1 || s.2 == t.2;
            if s.0 != t.0 && !shares && segments_cross(s.3, s.4, t.3, t.4) {
                q.crossings += 1;
            }
        }
        active.push(i);
    }

    // Segments through boxes: boxes sorted by x, each segment checks the boxes in its x range.
    let mut boxes: Vec<usize> = (0..d.nodes.len()).collect();
    boxes.sort_by(|&a, &b| d.nodes[a].x.total_cmp(&d.nodes[b].x));
    let widest = d.nodes.iter().map(|r| r.width).fold(0.0, f64::max);
    let xs: Vec<f64> = boxes.iter().map(|&b| d.nodes[b].x).collect();
    for s in &segs {
        let (lo, hi) = (min_x(s), max_x(s));
        let start = xs.partition_point(|&x| x < lo - widest);
        for &b in &boxes[start..] {
            let r = &d.nodes[b];
            if r.x > hi {
                break;
            }
            if b != s.1 && b != s.2 && segment_enters(s.3, s.4, r) {
                q.edges_through_nodes += 1;
            }
        }
    }

    // Segments through titles (few titles: every pair).
    for t in &d.titles {
        q.edges_through_titles += segs.iter().filter(|s| segment_enters(s.3, s.4, t)).count();
    }

    // Labels against labels and boxes.
    let mut all: Vec<Rect> = d.labels.clone();
    all.extend(d.nodes.iter().copied());
    let labels = d.labels.len();
    q.label_overlaps = overlapping_pairs(&all).iter().filter(|&&(i, _)| i < labels).count();

    // Groups.
    for (n, groups) in d.node_groups.iter().enumerate() {
        for &g in groups {
            if let Some(frame) = d.groups.get(g)
                && let Some(r) = d.nodes.get(n)
            {
                let inside = r.x >= frame.x - EPS
                    && r.y >= frame.y - EPS
                    && r.right() <= frame.right() + EPS
                    && r.bottom() <= frame.bottom() + EPS;
                if !inside {
                    q.members_outside += 1;
                }
            }
        }
    }
    for (g, frame) in d.groups.iter().enumerate() {
        if frame.width <= 0.0 || frame.height <= 0.0 {
            continue;
        }
        for (n, r) in d.nodes.iter().enumerate() {
            let member = d.node_groups.get(n).is_some_and(|c| c.contains(&g));
            if !member && overlaps(frame, r) {
                q.non_members_inside += 1;
            }
        }
    }

    if !d.nodes.is_empty() {
        let (width, height) = extent(d);
        q.area_per_node = width * height / d.nodes.len() as f64;
    }
    q
}

/// Width and height of everything drawn (boxes, group frames, labels); 0 × 0 for nothing.
#[must_use]
pub fn extent(d: &Drawing) -> (f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) =
        (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for r in d.nodes.iter().chain(&d.groups).chain(&d.labels) {
        x0 = x0.min(r.x);
        y0 = y0.min(r.y);
        x1 = x1.max(r.right());
        y1 = y1.max(r.bottom());
    }
    if x0.is_finite() { (x1 - x0, y1 - y0) } else { (0.0, 0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, width: w, height: h }
    }

    #[test]
    fn counts_each_kind_of_problem() {
        let d = Drawing {
            nodes: vec![
                r(0.0, 0.0, 10.0, 10.0),
                r(5.0, 5.0, 10.0, 10.0),
                r(100.0, 0.0, 10.0, 10.0),
            ],
            node_groups: vec![vec![0], vec![], vec![0]],
            groups: vec![r(-5.0, -5.0, 30.0, 30.0)],
            edges: vec![
                // Through node 1.
                (0, 2, vec![(5.0, 10.0), (8.0, 30.0), (105.0, 10.0)]),
            ],
            labels: vec![r(50.0, 50.0, 10.0, 10.0), r(55.0, 55.0, 10.0, 10.0)],
            titles: vec![r(0.0, 20.0, 10.0, 5.0)],
        };
        let q = quality(&d);
        assert_eq!(q.node_overlaps, 1);
        assert_eq!(q.edges_through_nodes, 1);
        assert_eq!(q.label_overlaps, 1);
        assert_eq!(q.edges_through_titles, 1);
        assert_eq!(q.members_outside, 1);
        assert_eq!(q.non_members_inside, 1);
        assert!(!q.is_clean());
    }

    #[test]
    fn crossings_skip_edges_sharing_an_endpoint() {
        let nodes = vec![r(0.0, 0.0, 1.0, 1.0); 5];
        let d = Drawing {
            nodes,
            node_groups: vec![Vec::new(); 5],
            groups: Vec::new(),
            edges: vec![
                (0, 1, vec![(0.0, 0.0), (10.0, 10.0)]),
                (2, 3, vec![(0.0, 10.0), (10.0, 0.0)]),
                (0, 4, vec![(10.0, 0.0), (0.0, 10.0)]),
            ],
            labels: Vec::new(),
            titles: Vec::new(),
        };
        assert_eq!(quality(&d).crossings, 1);
    }

    #[test]
    fn touching_is_not_overlapping() {
        let d = Drawing {
            nodes: vec![r(0.0, 0.0, 10.0, 10.0), r(10.0, 0.0, 10.0, 10.0)],
            node_groups: vec![Vec::new(); 2],
            edges: vec![(0, 1, vec![(10.0, 5.0), (10.0, 5.0)])],
            ..Drawing::default()
        };
        assert!(quality(&d).is_clean());
    }
}
