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

use super::Scene;
use super::layout::{Positioned, Rect};

/// Tolerance for touching boxes and segments grazing a border.
const EPS: f64 = 0.5;

/// An edge as drawn: source node, target node, polyline.
pub type DrawnEdge = (usize, usize, Vec<(f64, f64)>);

/// A segment of an edge: edge index, source node, target node, two ends.
type Segment = (usize, usize, usize, (f64, f64), (f64, f64));

/// A drawing to assess.
#[derive(Clone, Debug, Default)]
pub struct Drawing {
    /// Node boxes.
    pub nodes: Vec<Rect>,
    /// For each node, every group that holds it (directly or through a subgroup).
    pub node_groups: Vec<Vec<usize>>,
    /// Group frames.
    pub groups: Vec<Rect>,
    /// Edges: source node, target node, polyline.
    pub edges: Vec<DrawnEdge>,
    /// Label boxes.
    pub labels: Vec<Rect>,
    /// Group title boxes (empty when unknown).
    pub titles: Vec<Rect>,
}

impl Drawing {
    /// The drawing of `scene` laid out as `pos`.
    #[must_use]
    pub fn from_positioned(scene: &Scene, pos: &Positioned) -> Drawing {
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
