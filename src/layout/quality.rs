//! Layout quality metrics, computed from a drawing's geometry alone.
//!
//! Input: a [`Drawing`] — node boxes, the groups each node belongs to (directly or through a
//! subgroup), group frames, edge polylines with their endpoints and arrow tips, label boxes —
//! built from a [`Positioned`] scene ([`Drawing::from_positioned`]), from archmap's
//! `render --format json` ([`Drawing::from_json`]) or from Graphviz's `-Tjson`
//! ([`Drawing::from_graphviz_json`]). Output: a [`Quality`] report: edge crossings (proper
//! intersections between segments of edges that share no endpoint), node overlaps, edges
//! through nodes (a segment entering a box other than its edge's ends), label overlaps (label
//! with label or with a box), edges through group titles, members outside their group frames,
//! non-members inside a group frame, area per node and aspect ratio of the drawing's extent,
//! and what makes edges hard to trace: parallel overlap ([`parallel_overlap`]: the share of
//! edge length running within [`PARALLEL_GAP`] of another edge, nearly parallel), edges through
//! foreign group frames ([`foreign_frame_crossings`]) and arrowheads crowding one box
//! ([`close_arrowheads`]). Invariants: boxes that merely touch do not overlap (a tolerance of
//! half a unit); pure functions; sweeps over sorted x and a grid of segments keep large
//! drawings fast.

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

/// Parallel overlap: how close (in drawing units) a piece of another edge must run.
pub const PARALLEL_GAP: f64 = 3.0;

/// Parallel overlap: the largest angle, in degrees, between two pieces of edge that run
/// together (either way along).
pub const PARALLEL_ANGLE: f64 = 15.0;

/// Parallel overlap: the length at each end of an edge that is left out, where edges meet at a
/// shared port and where the arrowhead is.
pub const PARALLEL_END: f64 = 20.0;

/// Close arrowheads: arrow tips on one box nearer each other than this are counted.
pub const ARROWHEAD_GAP: f64 = 10.0;

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
    /// For each edge, where its arrowhead points when that is not the last point of its
    /// polyline (Graphviz ends a spline at the base of the arrowhead and gives the tip apart).
    /// Missing entries and `None`: the last point.
    pub(crate) heads: Vec<Option<(f64, f64)>>,
}

impl Drawing {
    /// How many boxes the drawing has.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// How many edges the drawing has.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// How many points the edges' polylines have in all.
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.edges.iter().map(|e| e.2.len()).sum()
    }

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
            heads: Vec::new(),
        }
    }

    /// Where edge `e`'s arrowhead points: its given tip, else the last point of its polyline.
    #[must_use]
    pub fn head(&self, e: usize) -> Option<(f64, f64)> {
        self.heads.get(e).copied().flatten().or_else(|| self.edges.get(e)?.2.last().copied())
    }

    /// The route of edge `e` as drawn: its polyline, then its arrowhead's tip when the tip is
    /// given apart and is not the last point.
    fn route(&self, e: usize) -> Vec<(f64, f64)> {
        let mut pts = self.edges[e].2.clone();
        if let (Some(Some(tip)), Some(&last)) = (self.heads.get(e), pts.last())
            && dist(*tip, last) > 1e-6
        {
            pts.push(*tip);
        }
        pts
    }
}

/// What [`quality`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Quality {
    /// Points where segments of edges that share no endpoint properly cross, each point counted
    /// once (to half a unit): lines merged into one bus that another edge crosses cross it once.
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
    /// Longer side of the drawing's extent over its shorter side ([`aspect_ratio`]).
    pub aspect_ratio: f64,
    /// Share (0–1) of edge length running with another edge ([`parallel_overlap`]).
    pub parallel_overlap: f64,
    /// The same share, counting only pairs of edges with no end node in common.
    pub parallel_overlap_disjoint: f64,
    /// (edge, group frame) pairs where the edge's route enters a frame that holds neither of
    /// its ends ([`foreign_frame_crossings`]).
    pub foreign_frames: usize,
    /// Pairs of arrow tips on the same box nearer each other than [`ARROWHEAD_GAP`]
    /// ([`close_arrowheads`]).
    pub close_arrowheads: usize,
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
            heads: Vec::new(),
        })
    }

    /// The drawing of Graphviz's `dot -Tjson` output (points, y up; node sizes in inches):
    /// nodes from `pos`, `width` and `height`, clusters from `bb` (their members, nested
    /// clusters' included, from `nodes`; their titles from the text operations of `_ldraw_`),
    /// edges from the cubic Bézier pieces of `_draw_`, each sampled at eight points evenly
    /// spaced in its parameter (after the piece's first point), arrow tips from the `e,x,y`
    /// entry of the edge's `pos` (the spline stops at the arrowhead's base), edge labels from
    /// `_ldraw_`. `None` when the text is not such a document.
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
        let mut heads = Vec::new();
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
                heads.push(
                    e["pos"]
                        .as_str()
                        .and_then(|p| p.split_whitespace().find_map(|t| t.strip_prefix("e,")))
                        .and_then(pair),
                );
            }
        }
        Some(Drawing {
            nodes,
            node_groups,
            groups: clusters.into_iter().map(|(r, _)| r).collect(),
            edges,
            labels,
            titles,
            heads,
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
/// Where the lines through `a`–`b` and `c`–`d` meet (they are known to cross).
fn crossing_point(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> (f64, f64) {
    let den = (a.0 - b.0) * (c.1 - d.1) - (a.1 - b.1) * (c.0 - d.0);
    if den.abs() < 1e-12 {
        return a;
    }
    let t = ((a.0 - c.0) * (c.1 - d.1) - (a.1 - c.1) * (c.0 - d.0)) / den;
    (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
}

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

/// Every segment of the drawing's edges as (edge, from, to, p, q), sorted by its least x for a
/// sweep from left to right.
fn swept_segments(d: &Drawing) -> Vec<Segment> {
    let mut segs: Vec<Segment> = Vec::new();
    for (e, (from, to, pts)) in d.edges.iter().enumerate() {
        for w in pts.windows(2) {
            segs.push((e, *from, *to, w[0], w[1]));
        }
    }
    segs.sort_by(|a, b| a.3.0.min(a.4.0).total_cmp(&b.3.0.min(b.4.0)));
    segs
}

/// Calls `f` for every pair of crossing segments of two edges that share no endpoint, sweeping
/// `segs` ([`swept_segments`]) from left to right.
fn for_each_crossing(segs: &[Segment], mut f: impl FnMut(&Segment, &Segment)) {
    let min_x = |s: &Segment| s.3.0.min(s.4.0);
    let max_x = |s: &Segment| s.3.0.max(s.4.0);
    let mut active: Vec<usize> = Vec::new();
    for i in 0..segs.len() {
        let s = segs[i];
        active.retain(|&j| max_x(&segs[j]) >= min_x(&s));
        for &j in &active {
            let t = segs[j];
            let shares = s.1 == t.1 || s.1 == t.2 || s.2 == t.1 || s.2 == t.2;
            if s.0 != t.0 && !shares && segments_cross(s.3, s.4, t.3, t.4) {
                f(&s, &t);
            }
        }
        active.push(i);
    }
}

/// Assesses a drawing (see the module header).
#[must_use]
pub fn quality(d: &Drawing) -> Quality {
    let mut q = Quality { node_overlaps: overlapping_pairs(&d.nodes).len(), ..Quality::default() };

    // Crossings are counted where they are drawn: edges merged into one line (a bus) that another
    // edge crosses make one crossing, not one per merged edge.
    let segs = swept_segments(d);
    let min_x = |s: &Segment| s.3.0.min(s.4.0);
    let max_x = |s: &Segment| s.3.0.max(s.4.0);
    let mut points: Vec<(i64, i64)> = Vec::new();
    for_each_crossing(&segs, |s, t| {
        let (x, y) = crossing_point(s.3, s.4, t.3, t.4);
        points.push(((x * 2.0).round() as i64, (y * 2.0).round() as i64));
    });
    points.sort_unstable();
    points.dedup();
    q.crossings = points.len();

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
    q.aspect_ratio = aspect_ratio(d);
    (q.parallel_overlap, q.parallel_overlap_disjoint) = parallel_overlap(d);
    q.foreign_frames = foreign_frame_crossings(d);
    q.close_arrowheads = close_arrowheads(d);
    q
}

/// Crossings weighted by what the lines stand for: every pair of crossing segments of two edges
/// that share no endpoint counts the product of the edges' weights (`weight[e]`, 1 where
/// missing), so a line of 50 dependencies crossing one of 3 counts 150. For the overviews of
/// collapsed views, whose merged edges carry counts; unlike [`Quality::crossings`], a crossing
/// is counted per pair of segments, not per point (a bus's members each count).
#[must_use]
pub fn weighted_crossings(d: &Drawing, weight: &[usize]) -> usize {
    let w = |e: usize| weight.get(e).copied().unwrap_or(1).max(1);
    let mut total = 0;
    for_each_crossing(&swept_segments(d), |s, t| total += w(s.0) * w(t.0));
    total
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

/// The longer side of the drawing's [`extent`] over its shorter side: 1 for a square, 4 for a
/// strip four times as wide as high or as high as wide; 0 when the extent has no area.
#[must_use]
pub fn aspect_ratio(d: &Drawing) -> f64 {
    let (w, h) = extent(d);
    if w > 0.0 && h > 0.0 { (w / h).max(h / w) } else { 0.0 }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    (dx * dx + dy * dy).sqrt()
}

/// A piece of an edge's core for [`parallel_overlap`].
struct Piece {
    edge: usize,
    from: usize,
    to: usize,
    a: (f64, f64),
    b: (f64, f64),
    length: f64,
    /// Direction, in radians: 0 to π (either way along).
    angle: f64,
    /// Angle bucket: the multiple of the bucket width nearest the piece's direction.
    bucket: usize,
}

/// Parallel overlap: how much of the edges' length runs on top of, or right beside, another
/// edge, so that a reader following one line cannot tell which one it is. Returns two shares
/// in 0–1: `(all, disjoint)`.
///
/// Definition. An edge's route is its polyline followed by its arrow tip when the tip is given
/// apart ([`Drawing::heads`]; Graphviz's splines arrive sampled into polylines). Its *core* is
/// the part of the route more than [`PARALLEL_END`] (20) units, measured along the route, from
/// either end (empty for a route of 40 units or less): the ends, where edges fan in at a shared
/// port and the arrowhead sits, are left out on both sides of every comparison. A point `p` of
/// edge `e`'s core, on its core segment `s`, *runs with* edge `f ≠ e` when some segment `t` of
/// `f`'s core lies within [`PARALLEL_GAP`] (3) units of `p` (Euclidean distance from the point
/// to the segment) and the lines of `s` and `t` meet at [`PARALLEL_ANGLE`] (15°) or less
/// (either direction of travel). Then
///
/// * `all` = length of the core points that run with at least one other edge, over the total
///   core length of all edges (a point is counted once however many edges it runs with, so
///   two edges drawn on top of each other give 1, as do three);
/// * `disjoint` = the same, with `f` restricted to edges that share no end node with `e`
///   (edges of one hub still running together near it beyond 20 units count in `all` only).
///
/// Both are 0 when no edge has a core. Computed exactly: the points of `s` within the gap of
/// `t` form one interval (the segment clipped to the capsule around `t`), and each segment's
/// intervals are merged. To find the `t` near each `s`, segments are bucketed by direction
/// (buckets of at least the angle, centred on its multiples, so that a `t` within the angle is
/// in the bucket of `s` or a neighbour), each bucket in a grid turned to its direction: rows 32
/// units across and, per level, cells 32·4^level units along, a segment registered on the
/// level of its length. Each `s` looks at coarse levels first, in a cell at the directions
/// nearest its own first, and no longer at the parts of itself already covered, so the cost
/// follows the segments and the near pairs it takes to cover them, not all pairs: in dense
/// synthetic drawings thousands of long edges run together.
#[must_use]
pub fn parallel_overlap(d: &Drawing) -> (f64, f64) {
    let (pieces, buckets) = core_pieces(d);
    let total: f64 = pieces.iter().map(|p| p.length).sum();
    if pieces.is_empty() || total <= 0.0 {
        return (0.0, 0.0);
    }
    let grid = Grid::new(&pieces, buckets);
    let sin = PARALLEL_ANGLE.to_radians().sin();
    // Candidates are taken in order of direction up to a hair beyond the angle; the exact test
    // on the cross product decides.
    let reach = PARALLEL_ANGLE.to_radians() + 1e-9;
    let mut seen = vec![usize::MAX; pieces.len()];
    let mut found = Found::default();
    let (mut sum_all, mut sum_disjoint) = (0.0, 0.0);
    for (i, s) in pieces.iter().enumerate() {
        found.all.0.clear();
        found.disjoint.0.clear();
        // Every piece within the angle is in this bucket or a neighbour; this one's own first.
        let n = grid.frames.len();
        'frames: for f in [s.bucket, (s.bucket + n - 1) % n, (s.bucket + 1) % n] {
            let frame = &grid.frames[f];
            let (a, b) = (frame.turn(s.a), frame.turn(s.b));
            let rel = frame.relative(s.angle);
            for level in (0..16).rev().filter(|l| frame.levels & (1 << l) != 0) {
                let cell = Grid::cell(level);
                // Stretches of `s` at most one cell long, skipping what is covered already.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let k = ((b.0 - a.0).abs() / cell).ceil().max(1.0) as usize;
                let mut stretch = 0;
                while stretch < k {
                    let u = found.disjoint.next_uncovered(stretch as f64 / k as f64);
                    if u >= 1.0 {
                        break;
                    }
                    // Integer steps: `u · k` may round below the stretch `u` starts.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let first_open = ((u * k as f64) as usize).min(k - 1);
                    stretch = stretch.max(first_open);
                    let (u0, u1) = (stretch as f64 / k as f64, (stretch + 1) as f64 / k as f64);
                    let at = |u: f64| (a.0 + u * (b.0 - a.0), a.1 + u * (b.1 - a.1));
                    let (p, q) = (at(u0), at(u1));
                    let (c0, c1) = (Grid::col(p.0.min(q.0), cell), Grid::col(p.0.max(q.0), cell));
                    let (r0, r1) = (Grid::row(p.1.min(q.1)), Grid::row(p.1.max(q.1)));
                    'cells: for row in r0..=r1 {
                        for col in c0..=c1 {
                            let (angles, members) = grid.members(f, level, col, row);
                            for at in nearest_first(angles, rel, reach) {
                                let j = members[at];
                                if seen[j] != i {
                                    seen[j] = i;
                                    if found.take(s, &pieces[j], sin)
                                        && found.disjoint.covers(u0, u1)
                                    {
                                        break 'cells;
                                    }
                                }
                            }
                        }
                    }
                    stretch += 1;
                }
                if found.disjoint.next_uncovered(0.0) >= 1.0 {
                    break 'frames;
                }
            }
        }
        sum_all += found.all.length() * s.length;
        sum_disjoint += found.disjoint.length() * s.length;
    }
    (sum_all / total, sum_disjoint / total)
}

/// The pieces of every edge's core (see [`parallel_overlap`]), without zero-length ones, and
/// the number of angle buckets: as many as fit in 180°, each at least [`PARALLEL_ANGLE`] wide,
/// so that pieces within the angle are in the same bucket or in neighbouring ones.
fn core_pieces(d: &Drawing) -> (Vec<Piece>, usize) {
    let width = PARALLEL_ANGLE.to_radians();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let buckets = ((std::f64::consts::PI / width).floor() as usize).max(1);
    let mut pieces = Vec::new();
    for (e, &(from, to, _)) in d.edges.iter().enumerate() {
        let route = d.route(e);
        let length: f64 = route.windows(2).map(|w| dist(w[0], w[1])).sum();
        let (lo, hi) = (PARALLEL_END, length - PARALLEL_END);
        if hi <= lo {
            continue;
        }
        let mut at = 0.0;
        for w in route.windows(2) {
            let l = dist(w[0], w[1]);
            let (s0, s1) = (at, at + l);
            at = s1;
            let (c0, c1) = (s0.max(lo), s1.min(hi));
            if l <= 0.0 || c1 - c0 <= 1e-9 {
                continue;
            }
            let point = |s: f64| {
                let u = (s - s0) / l;
                (w[0].0 + u * (w[1].0 - w[0].0), w[0].1 + u * (w[1].1 - w[0].1))
            };
            let angle = (w[1].1 - w[0].1).atan2(w[1].0 - w[0].0).rem_euclid(std::f64::consts::PI);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let bucket =
                ((angle * buckets as f64 / std::f64::consts::PI).round() as usize) % buckets;
            pieces.push(Piece {
                edge: e,
                from,
                to,
                a: point(c0),
                b: point(c1),
                length: c1 - c0,
                angle,
                bucket,
            });
        }
    }
    (pieces, buckets)
}

/// One angle bucket's frame: turned so that the bucket's direction runs along x.
struct Frame {
    /// The bucket's direction, in radians.
    centre: f64,
    cos: f64,
    sin: f64,
    /// Bit `l`: some piece of the bucket is on level `l`.
    levels: u16,
}

impl Frame {
    fn turn(&self, p: (f64, f64)) -> (f64, f64) {
        (p.0 * self.cos + p.1 * self.sin, p.1 * self.cos - p.0 * self.sin)
    }

    /// A direction (0 to π) relative to the frame's, in −π/2 to π/2.
    fn relative(&self, angle: f64) -> f64 {
        use std::f64::consts::{FRAC_PI_2, PI};
        (angle - self.centre + FRAC_PI_2).rem_euclid(PI) - FRAC_PI_2
    }
}

/// A hasher for cell keys, which are already well mixed but for their low bits.
#[derive(Default)]
struct CellHasher(u64);

impl std::hash::Hasher for CellHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n ^ (n >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The pieces bucketed by angle, each bucket in its own frame, in cells of one row across and
/// a level's width along, each piece on the level of its length along its frame.
struct Grid {
    frames: Vec<Frame>,
    /// Cell key → range of `members`.
    cells:
        std::collections::HashMap<u64, (usize, usize), std::hash::BuildHasherDefault<CellHasher>>,
    members: Vec<usize>,
    /// The direction of each of `members` relative to its frame's: within a cell, ascending.
    angles: Vec<f64>,
}

/// Height of a grid row, across its frame's direction.
const ROW: f64 = 32.0;

// A cell key holds the bucket in four bits.
const _: () = assert!(180.0 / PARALLEL_ANGLE < 16.0, "at most 16 angle buckets");

impl Grid {
    /// Width of a cell on `level`, along its frame's direction.
    fn cell(level: usize) -> f64 {
        32.0 * f64::from(1u32 << (2 * level.min(15)))
    }

    /// The column of `x` on a level of cells `cell` wide.
    #[allow(clippy::cast_possible_truncation)]
    fn col(x: f64, cell: f64) -> i64 {
        (x / cell).floor() as i64
    }

    /// The row of `y`.
    #[allow(clippy::cast_possible_truncation)]
    fn row(y: f64) -> i64 {
        (y / ROW).floor() as i64
    }

    /// The key of a cell (coordinates wrap at 2^28: a wrapped key only merges far cells).
    #[allow(clippy::cast_sign_loss)]
    fn key(frame: usize, level: usize, col: i64, row: i64) -> u64 {
        const MASK: u64 = (1 << 28) - 1;
        ((frame as u64) << 60)
            | ((level as u64) << 56)
            | ((col as u64 & MASK) << 28)
            | (row as u64 & MASK)
    }

    fn new(pieces: &[Piece], n: usize) -> Grid {
        let step = std::f64::consts::PI / n as f64;
        let mut frames: Vec<Frame> = (0..n)
            .map(|k| {
                let angle = step * k as f64;
                Frame { centre: angle, cos: angle.cos(), sin: angle.sin(), levels: 0 }
            })
            .collect();
        let mut entries: Vec<(u64, f64, usize)> = Vec::with_capacity(pieces.len() * 4);
        for (i, p) in pieces.iter().enumerate() {
            let frame = &mut frames[p.bucket];
            let (a, b) = (frame.turn(p.a), frame.turn(p.b));
            let along = (b.0 - a.0).abs() + 2.0 * PARALLEL_GAP;
            let level = (0..15).find(|&l| Grid::cell(l) >= along).unwrap_or(15);
            frame.levels |= 1 << level;
            let cell = Grid::cell(level);
            let g = PARALLEL_GAP;
            let (c0, c1) = (Grid::col(a.0.min(b.0) - g, cell), Grid::col(a.0.max(b.0) + g, cell));
            let (r0, r1) = (Grid::row(a.1.min(b.1) - g), Grid::row(a.1.max(b.1) + g));
            for row in r0..=r1 {
                for col in c0..=c1 {
                    entries.push((
                        Grid::key(p.bucket, level, col, row),
                        frame.relative(p.angle),
                        i,
                    ));
                }
            }
        }
        entries
            .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(&y.2)));
        let mut cells = std::collections::HashMap::default();
        let mut start = 0;
        while start < entries.len() {
            let key = entries[start].0;
            let end = start + entries[start..].partition_point(|e| e.0 == key);
            cells.insert(key, (start, end));
            start = end;
        }
        Grid {
            frames,
            cells,
            angles: entries.iter().map(|e| e.1).collect(),
            members: entries.into_iter().map(|e| e.2).collect(),
        }
    }

    /// The directions and pieces registered in a cell, by direction.
    fn members(&self, frame: usize, level: usize, col: i64, row: i64) -> (&[f64], &[usize]) {
        self.cells.get(&Grid::key(frame, level, col, row)).map_or((&[], &[]), |&(start, end)| {
            (&self.angles[start..end], &self.members[start..end])
        })
    }
}

/// Disjoint closed intervals of 0–1, sorted.
#[derive(Default)]
struct Cover(Vec<(f64, f64)>);

impl Cover {
    fn insert(&mut self, lo: f64, hi: f64) {
        let first = self.0.partition_point(|x| x.1 < lo);
        let mut last = first;
        let (mut lo, mut hi) = (lo, hi);
        while last < self.0.len() && self.0[last].0 <= hi {
            lo = lo.min(self.0[last].0);
            hi = hi.max(self.0[last].1);
            last += 1;
        }
        self.0.splice(first..last, [(lo, hi)]);
    }

    /// The first point at or after `u` that no interval holds but as its end.
    fn next_uncovered(&self, u: f64) -> f64 {
        let i = self.0.partition_point(|x| x.1 <= u);
        match self.0.get(i) {
            Some(&(lo, hi)) if lo <= u => hi,
            _ => u,
        }
    }

    /// Whether one interval holds all of `lo`–`hi`.
    fn covers(&self, lo: f64, hi: f64) -> bool {
        let i = self.0.partition_point(|x| x.1 < hi);
        self.0.get(i).is_some_and(|x| x.0 <= lo)
    }

    fn length(&self) -> f64 {
        self.0.iter().map(|x| x.1 - x.0).sum()
    }
}

/// Indices of `angles` (ascending) within `reach` of `rel`, nearest first.
fn nearest_first(angles: &[f64], rel: f64, reach: f64) -> impl Iterator<Item = usize> + '_ {
    let mid = angles.partition_point(|&x| x < rel);
    let (mut left, mut right) = (mid, mid);
    std::iter::from_fn(move || {
        let l = (left > 0 && rel - angles[left - 1] <= reach).then(|| rel - angles[left - 1]);
        let r = (right < angles.len() && angles[right] - rel <= reach).then(|| angles[right] - rel);
        match (l, r) {
            (None, None) => None,
            (Some(dl), Some(dr)) if dl < dr => {
                left -= 1;
                Some(left)
            }
            (Some(_), None) => {
                left -= 1;
                Some(left)
            }
            (_, Some(_)) => {
                right += 1;
                Some(right - 1)
            }
        }
    })
}

/// What one piece `s` has found: the parts of it (parameters 0–1) that run with another edge,
/// and those that run with an edge sharing no end node with its own (within the first).
#[derive(Default)]
struct Found {
    all: Cover,
    disjoint: Cover,
}

impl Found {
    /// Adds what `t` covers of `s` (nothing when they are of one edge, too far apart in
    /// direction, or when all `t` could cover is covered already); whether `disjoint` grew.
    fn take(&mut self, s: &Piece, t: &Piece, sin: f64) -> bool {
        if t.edge == s.edge {
            return false;
        }
        let (ds, dt) = ((s.b.0 - s.a.0, s.b.1 - s.a.1), (t.b.0 - t.a.0, t.b.1 - t.a.1));
        if (ds.0 * dt.1 - ds.1 * dt.0).abs() > sin * s.length * t.length {
            return false;
        }
        let shares = s.from == t.from || s.from == t.to || s.to == t.from || s.to == t.to;
        // Where on `s` `t` can be near: its shadow, widened by the gap.
        let shadow = |p: (f64, f64)| ((p.0 - s.a.0) * ds.0 + (p.1 - s.a.1) * ds.1) / s.length;
        let (h0, h1) = (shadow(t.a), shadow(t.b));
        let lo = ((h0.min(h1) - PARALLEL_GAP) / s.length).max(0.0);
        let hi = ((h0.max(h1) + PARALLEL_GAP) / s.length).min(1.0);
        let cover = if shares { &self.all } else { &self.disjoint };
        if lo >= hi || cover.covers(lo, hi) {
            return false;
        }
        let Some((lo, hi)) = within(s.a, s.b, t.a, t.b, PARALLEL_GAP) else {
            return false;
        };
        self.all.insert(lo, hi);
        if !shares {
            self.disjoint.insert(lo, hi);
        }
        !shares
    }
}

/// The parameters `u` in 0–1 at which `a + u·(b − a)` lies within `r` of the segment `p`–`q`,
/// when there are any beyond a single point: one interval, as the capsule around `p`–`q` is
/// convex (the union of the band beside the segment and the discs at its ends). `a ≠ b`.
fn within(
    a: (f64, f64),
    b: (f64, f64),
    p: (f64, f64),
    q: (f64, f64),
    r: f64,
) -> Option<(f64, f64)> {
    let d = (b.0 - a.0, b.1 - a.1);
    let dd = d.0 * d.0 + d.1 * d.1;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut take = |u0: f64, u1: f64| {
        let (u0, u1) = (u0.max(0.0), u1.min(1.0));
        if u0 < u1 {
            lo = lo.min(u0);
            hi = hi.max(u1);
        }
    };
    // The discs at the ends: |a + u·d − c|² ≤ r².
    for c in [p, q] {
        let f = (a.0 - c.0, a.1 - c.1);
        let half_b = f.0 * d.0 + f.1 * d.1;
        let disc = half_b * half_b - dd * (f.0 * f.0 + f.1 * f.1 - r * r);
        if disc > 0.0 {
            let root = disc.sqrt();
            take((-half_b - root) / dd, (-half_b + root) / dd);
        }
    }
    // The band: 0 ≤ along ≤ |pq| and |across| ≤ r, both linear in u.
    let lt = dist(p, q);
    if lt > 0.0 {
        let e = ((q.0 - p.0) / lt, (q.1 - p.1) / lt);
        let f = (a.0 - p.0, a.1 - p.1);
        let mut u = (0.0f64, 1.0f64);
        for (c0, c1, min, max) in [
            (f.0 * e.0 + f.1 * e.1, d.0 * e.0 + d.1 * e.1, 0.0, lt),
            (f.1 * e.0 - f.0 * e.1, d.1 * e.0 - d.0 * e.1, -r, r),
        ] {
            if c1.abs() < 1e-12 {
                if c0 < min || c0 > max {
                    u = (1.0, 0.0);
                }
            } else {
                let (t0, t1) = ((min - c0) / c1, (max - c0) / c1);
                u = (u.0.max(t0.min(t1)), u.1.min(t0.max(t1)));
            }
        }
        take(u.0, u.1);
    }
    (lo < hi).then_some((lo, hi))
}

/// Edges through foreign group frames: the number of (edge, group) pairs where the group's
/// frame holds neither end of the edge (neither end node is a member, directly or through a
/// subgroup) and the edge's route (polyline and arrow tip, as in [`parallel_overlap`]) passes
/// through the frame's interior, shrunk by the half-unit tolerance — that is, crosses its
/// border on the way in and out. An edge counts once per such frame, however often it enters
/// it; a route that only runs along a frame's border does not count. Frames without area are
/// skipped.
#[must_use]
pub fn foreign_frame_crossings(d: &Drawing) -> usize {
    let frames: Vec<usize> = (0..d.groups.len())
        .filter(|&g| d.groups[g].width > 0.0 && d.groups[g].height > 0.0)
        .collect();
    if frames.is_empty() {
        return 0;
    }
    let holds = |n: usize, g: usize| d.node_groups.get(n).is_some_and(|c| c.contains(&g));
    let mut count = 0;
    for (e, &(from, to, _)) in d.edges.iter().enumerate() {
        let route = d.route(e);
        let (mut x0, mut y0, mut x1, mut y1) =
            (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &(x, y) in &route {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        for &g in &frames {
            let f = &d.groups[g];
            if x1 <= f.x + EPS || x0 >= f.right() - EPS || y1 <= f.y + EPS || y0 >= f.bottom() - EPS
            {
                continue;
            }
            if holds(from, g) || holds(to, g) {
                continue;
            }
            if route.windows(2).any(|w| segment_enters(w[0], w[1], f)) {
                count += 1;
            }
        }
    }
    count
}

/// Close arrowheads: the number of pairs of arrowheads on the same target node whose tips
/// ([`Drawing::head`]) are less than [`ARROWHEAD_GAP`] (10) units apart. Only the target ends
/// count: that is where the arrowheads are. Edges that end at the very same point (within half
/// a unit: merged into one line, as a bus is) draw one arrowhead, counted once.
#[must_use]
pub fn close_arrowheads(d: &Drawing) -> usize {
    let mut tips: Vec<(usize, (f64, f64))> =
        (0..d.edges.len()).filter_map(|e| Some((d.edges[e].1, d.head(e)?))).collect();
    tips.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.0.total_cmp(&b.1.0)).then(a.1.1.total_cmp(&b.1.1)));
    tips.dedup_by(|a, b| a.0 == b.0 && dist(a.1, b.1) < 0.5);
    tips.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.0.total_cmp(&b.1.0)));
    let mut count = 0;
    for (i, &(v, p)) in tips.iter().enumerate() {
        for &(w, q) in &tips[i + 1..] {
            if w != v || q.0 - p.0 >= ARROWHEAD_GAP {
                break;
            }
            if dist(p, q) < ARROWHEAD_GAP {
                count += 1;
            }
        }
    }
    count
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
            heads: Vec::new(),
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
            ..Drawing::default()
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

    /// `n` unit boxes far from every route, no groups, and `edges`.
    fn lines(n: usize, edges: Vec<DrawnEdge>) -> Drawing {
        Drawing {
            nodes: vec![r(-1000.0, -1000.0, 1.0, 1.0); n],
            node_groups: vec![Vec::new(); n],
            edges,
            ..Drawing::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn parallel_edges_two_units_apart_overlap_along_their_cores() {
        // Two 100-unit edges 2 apart: cores x 20–80 on both, all of it within the gap. A third,
        // 140 units long (core 100), far away.
        let d = lines(
            6,
            vec![
                (0, 1, vec![(0.0, 0.0), (100.0, 0.0)]),
                (2, 3, vec![(0.0, 2.0), (100.0, 2.0)]),
                (4, 5, vec![(0.0, 500.0), (140.0, 500.0)]),
            ],
        );
        let (all, disjoint) = parallel_overlap(&d);
        assert!(close(all, 120.0 / 220.0), "{all}");
        assert!(close(disjoint, all));
        let q = quality(&d);
        assert!(close(q.parallel_overlap, all) && close(q.parallel_overlap_disjoint, disjoint));
    }

    #[test]
    fn parallel_overlap_ends_where_the_gap_is_left() {
        // The second edge 30 units further right: its core (x 50–110) ends past the first's
        // (20–80). Within 3 of a segment 2 away, the overlap reaches √5 past the other's end.
        let d = lines(
            4,
            vec![(0, 1, vec![(0.0, 0.0), (100.0, 0.0)]), (2, 3, vec![(30.0, 2.0), (130.0, 2.0)])],
        );
        let (all, _) = parallel_overlap(&d);
        let each = 30.0 + 5f64.sqrt();
        assert!(close(all, 2.0 * each / 120.0), "{all}");
        // Four units apart: nothing.
        let d = lines(
            4,
            vec![(0, 1, vec![(0.0, 0.0), (100.0, 0.0)]), (2, 3, vec![(0.0, 4.0), (100.0, 4.0)])],
        );
        assert_eq!(parallel_overlap(&d), (0.0, 0.0));
    }

    #[test]
    fn crossing_and_steep_edges_do_not_overlap() {
        let d = lines(
            4,
            vec![
                (0, 1, vec![(0.0, 0.0), (100.0, 100.0)]),
                (2, 3, vec![(0.0, 100.0), (100.0, 0.0)]),
            ],
        );
        assert_eq!(parallel_overlap(&d), (0.0, 0.0));
        // 20° apart, crossing in the middle: out of the angle.
        let (dx, dy) = (100.0 * 20f64.to_radians().cos(), 100.0 * 20f64.to_radians().sin());
        let d = lines(
            4,
            vec![
                (0, 1, vec![(0.0, 0.0), (100.0, 0.0)]),
                (2, 3, vec![(50.0 - dx / 2.0, -dy / 2.0), (50.0 + dx / 2.0, dy / 2.0)]),
            ],
        );
        assert_eq!(parallel_overlap(&d), (0.0, 0.0));
        // 10° apart, crossing in the middle: within 3 units only near the crossing.
        let (dx, dy) = (100.0 * 10f64.to_radians().cos(), 100.0 * 10f64.to_radians().sin());
        let d = lines(
            4,
            vec![
                (0, 1, vec![(0.0, 0.0), (100.0, 0.0)]),
                (2, 3, vec![(50.0 - dx / 2.0, -dy / 2.0), (50.0 + dx / 2.0, dy / 2.0)]),
            ],
        );
        // On the first edge: |x − 50|·tan 10° ≤ 3 / cos 10°, i.e. |x − 50| ≤ 3 / sin 10°;
        // the same length on the second, by symmetry.
        let half = 3.0 / 10f64.to_radians().sin();
        let (all, _) = parallel_overlap(&d);
        assert!(close(all, 2.0 * (2.0 * half) / 120.0), "{all}");
    }

    #[test]
    fn directions_either_side_of_the_horizontal_are_neighbours() {
        // 4° and 171° (−9°): 13° apart, crossing at (50, 0); overlap within 3 / sin 13° of the
        // crossing on each.
        let ray = |deg: f64| {
            let (dx, dy) = (50.0 * deg.to_radians().cos(), 50.0 * deg.to_radians().sin());
            vec![(50.0 - dx, -dy), (50.0 + dx, dy)]
        };
        let d = lines(4, vec![(0, 1, ray(4.0)), (2, 3, ray(171.0))]);
        let half = 3.0 / 13f64.to_radians().sin();
        let (all, _) = parallel_overlap(&d);
        assert!(close(all, 2.0 * (2.0 * half) / 120.0), "{all}");
    }

    #[test]
    fn edges_on_top_of_each_other_count_once_and_opposite_ways_too() {
        let d = lines(
            6,
            vec![
                (0, 1, vec![(0.0, 0.0), (100.0, 0.0)]),
                (2, 3, vec![(100.0, 0.0), (0.0, 0.0)]),
                (4, 5, vec![(0.0, 0.0), (50.0, 0.0), (100.0, 0.0)]),
            ],
        );
        assert_eq!(parallel_overlap(&d), (1.0, 1.0));
    }

    #[test]
    fn ends_are_left_out_and_shared_ends_make_the_second_share() {
        // Fan-in: two edges meeting at node 2's port, together only over their last 15 units.
        let d = lines(
            3,
            vec![
                (0, 2, vec![(0.0, 0.0), (85.0, 0.0), (100.0, 0.0)]),
                (1, 2, vec![(0.0, 100.0), (85.0, 1.0), (100.0, 0.0)]),
            ],
        );
        assert_eq!(parallel_overlap(&d), (0.0, 0.0));
        // Two edges of one hub bundled over their cores: counted in the first share only.
        let d = lines(
            3,
            vec![(0, 1, vec![(0.0, 0.0), (100.0, 0.0)]), (0, 2, vec![(0.0, 1.0), (100.0, 1.0)])],
        );
        assert_eq!(parallel_overlap(&d), (1.0, 0.0));
        // Too short to have a core.
        let d = lines(
            4,
            vec![(0, 1, vec![(0.0, 0.0), (40.0, 0.0)]), (2, 3, vec![(0.0, 1.0), (40.0, 1.0)])],
        );
        assert_eq!(parallel_overlap(&d), (0.0, 0.0));
    }

    #[test]
    fn a_given_arrow_tip_lengthens_the_route() {
        // Graphviz stops the spline 10 units short of the tip: the core ends 20 before the tip.
        let mut d = lines(
            4,
            vec![(0, 1, vec![(0.0, 0.0), (90.0, 0.0)]), (2, 3, vec![(0.0, 2.0), (100.0, 2.0)])],
        );
        d.heads = vec![Some((100.0, 0.0)), None];
        assert_eq!(parallel_overlap(&d), (1.0, 1.0));
        assert_eq!(d.head(0), Some((100.0, 0.0)));
        assert_eq!(d.head(1), Some((100.0, 2.0)));
    }

    #[test]
    fn many_long_parallel_edges_measure_fast_and_exactly() {
        // 2,000 horizontal edges 2 units apart, each 1,000 long, in one band: every core point
        // runs with a neighbour.
        let n = 2000;
        let edges = (0..n)
            .map(|i| {
                let y = 2.0 * f64::from(u32::try_from(i).unwrap());
                (2 * i, 2 * i + 1, vec![(0.0, y), (500.0, y), (1000.0, y)])
            })
            .collect();
        let (all, disjoint) = parallel_overlap(&lines(2 * n, edges));
        assert!(close(all, 1.0) && close(disjoint, 1.0), "{all} {disjoint}");
    }

    #[test]
    fn a_long_lone_edge_beside_short_ones_is_walked_to_its_end() {
        // The long edge is looked at in stretches of the short ones' cells, none covered; one
        // short edge, 1 unit away, runs with it over its 60-unit core, and the long one with
        // it over those 60 and √8 more either side (within 3 units of the core's ends).
        let mut edges: Vec<DrawnEdge> = (0..50u32)
            .map(|i| {
                let (x, n) = (977.0 * f64::from(i), 2 * i as usize);
                (n + 2, n + 3, vec![(x, 100.0), (x + 50.0, 100.0)])
            })
            .collect();
        edges.push((0, 1, vec![(0.0, 0.0), (99_997.3, 0.0)]));
        edges.push((102, 103, vec![(500.0, 1.0), (600.0, 1.0)]));
        let (all, _) = parallel_overlap(&lines(104, edges));
        let core = 50.0 * 10.0 + (99_997.3 - 40.0) + 60.0;
        assert!(close(all, (120.0 + 2.0 * 8f64.sqrt()) / core), "{all}");
    }

    #[test]
    fn an_edge_through_an_unrelated_frame_counts_once_per_frame() {
        // Frame 0 holds node 0, frame 1 holds node 2, frame 2 (inside frame 1) holds node 2 too
        // ... and frame 3 holds nobody.
        let d = Drawing {
            nodes: vec![
                r(0.0, 0.0, 10.0, 10.0),
                r(200.0, 0.0, 10.0, 10.0),
                r(300.0, 300.0, 10.0, 10.0),
            ],
            node_groups: vec![vec![0], vec![], vec![2, 1]],
            groups: vec![
                r(-10.0, -10.0, 30.0, 30.0),
                r(250.0, 250.0, 100.0, 100.0),
                r(290.0, 290.0, 30.0, 30.0),
                r(100.0, -50.0, 50.0, 100.0),
            ],
            edges: vec![
                // Out of its own frame 0, through frame 3 (in and out twice), to node 1.
                (
                    0,
                    1,
                    vec![
                        (10.0, 5.0),
                        (120.0, 5.0),
                        (120.0, 60.0),
                        (130.0, 60.0),
                        (130.0, 5.0),
                        (200.0, 5.0),
                    ],
                ),
                // Into frames 1 and 2, which hold its target.
                (1, 2, vec![(205.0, 10.0), (305.0, 300.0)]),
                // Along frame 3's top border, outside: no count.
                (1, 0, vec![(200.0, 0.0), (150.0, -50.0), (100.0, -50.0), (5.0, 0.0)]),
            ],
            ..Drawing::default()
        };
        assert_eq!(foreign_frame_crossings(&d), 1);
        // Through frames 1 and 2, which hold neither end.
        let mut d = d;
        d.edges.push((0, 1, vec![(5.0, 10.0), (300.0, 300.0), (205.0, 10.0)]));
        assert_eq!(foreign_frame_crossings(&d), 3);
        assert_eq!(quality(&d).foreign_frames, 3);
    }

    #[test]
    fn aspect_ratio_and_area_per_node_come_from_the_extent() {
        let d = Drawing {
            nodes: vec![r(0.0, 0.0, 10.0, 10.0), r(190.0, 90.0, 10.0, 10.0)],
            node_groups: vec![Vec::new(); 2],
            ..Drawing::default()
        };
        let q = quality(&d);
        assert!(close(q.aspect_ratio, 2.0) && close(q.area_per_node, 10_000.0));
        let tall = Drawing { nodes: vec![r(0.0, 0.0, 10.0, 40.0)], ..Drawing::default() };
        assert!(close(aspect_ratio(&tall), 4.0));
        assert!(close(aspect_ratio(&Drawing::default()), 0.0));
    }

    #[test]
    fn arrowheads_closer_than_ten_units_on_one_box() {
        let target = r(0.0, 100.0, 100.0, 40.0);
        let d = Drawing {
            nodes: vec![r(0.0, 0.0, 10.0, 10.0), target, r(200.0, 100.0, 10.0, 10.0)],
            node_groups: vec![Vec::new(); 3],
            edges: vec![
                (0, 1, vec![(5.0, 10.0), (10.0, 100.0)]),
                (0, 1, vec![(5.0, 10.0), (16.0, 100.0)]),
                (0, 1, vec![(5.0, 10.0), (40.0, 100.0)]),
                // Into another box, 1 unit from the first tip: not the same box.
                (0, 2, vec![(5.0, 10.0), (11.0, 100.0)]),
                // Leaving node 1 close to the tips: a tail, not an arrowhead.
                (1, 0, vec![(12.0, 100.0), (5.0, 10.0)]),
            ],
            ..Drawing::default()
        };
        assert_eq!(close_arrowheads(&d), 1);
        assert_eq!(quality(&d).close_arrowheads, 1);
        // Merged edges (a bus) end at one point and draw one arrowhead: no pair, but one
        // 6 units away is.
        let mut bus = d.clone();
        bus.edges = (0..4).map(|_| (0, 1, vec![(5.0, 10.0), (50.0, 100.0)])).collect();
        assert_eq!(close_arrowheads(&bus), 0);
        bus.edges.push((0, 1, vec![(5.0, 10.0), (56.0, 100.0)]));
        assert_eq!(close_arrowheads(&bus), 1);
    }

    #[test]
    fn graphviz_json_gives_members_and_arrow_tips() {
        let text = r#"{"objects": [
            {"_gvid": 0, "name": "cluster_g", "bb": "0,0,100,100", "nodes": [1]},
            {"_gvid": 1, "name": "a", "pos": "50,50", "width": "1", "height": "0.5"},
            {"_gvid": 2, "name": "b", "pos": "50,300", "width": "1", "height": "0.5"}],
          "edges": [{"_gvid": 0, "tail": 2, "head": 1, "pos": "e,50,68 50,282 50,200 50,120 50,78",
            "_draw_": [{"op": "b", "points": [[50,282],[50,200],[50,120],[50,78]]}]}]}"#;
        let d = Drawing::from_graphviz_json(text).expect("a drawing");
        assert_eq!(d.node_groups, vec![vec![0], vec![]]);
        assert_eq!(d.edges[0].2.len(), 9);
        assert_eq!(d.edges[0].2.last(), Some(&(50.0, 78.0)));
        assert_eq!(d.head(0), Some((50.0, 68.0)));
        assert_eq!(d.route(0).len(), 10);
    }
}
