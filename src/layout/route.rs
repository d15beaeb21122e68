//! Layered layout, phase 5: edge routes and label boxes.
//!
//! Input: a positioned [`LGraph`] (item centres `x`, layer bands `top`/`height`) and, per edge,
//! its chain of items from the upper end to the lower end (the real node, one dummy per layer
//! in between, the real node). Output: one polyline per chain, in layout coordinates, from the
//! upper box's bottom border to the lower box's top border. Shape: straight down from a port on
//! the upper box to the bottom of its layer band, then for each dummy straight down through its
//! band at the dummy's x, then into a port on the lower box's top. Diagonal segments only run
//! in the gaps between bands, which hold no boxes, and vertical ones only run through a box's
//! own column or a dummy's reserved slot: so a route never crosses a box. Edges leaving (or
//! entering) the same box get distinct ports spread over the whole side, ordered by where they go,
//! at least [`PORT_SPACING`] apart (the layout widens a box that needs it), so arrowheads never
//! meet. Diagonals keep between the frames that end below a band and those that start above the
//! next, so routes cross title bands only vertically. Invariants: at least two points per route;
//! deterministic.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use super::lgraph::LGraph;

/// Where layer bands are.
pub(super) struct Bands {
    /// Top of each layer's band.
    pub(super) top: Vec<f64>,
    /// Height of each layer's band.
    pub(super) height: Vec<f64>,
    /// Room above each band for the frames (and titles) of groups starting there.
    pub(super) extra_top: Vec<f64>,
    /// Room below each band for the frames of groups ending there.
    pub(super) extra_bottom: Vec<f64>,
}

impl Bands {
    /// The top and bottom of item `v`'s box (a dummy's "box" is its whole band).
    pub(super) fn item_span(&self, g: &LGraph, v: usize) -> (f64, f64) {
        let r = g.layer[v];
        if g.dummy[v] {
            return (self.top[r], self.top[r] + self.height[r]);
        }
        let top = self.top[r] + (self.height[r] - g.height[v]) / 2.0;
        (top, top + g.height[v])
    }
}

/// Distance between a box's corner and its outermost port.
pub(super) const PORT_INSET: f64 = 8.0;
/// Least distance between two ports on the same side of a box (an arrowhead is 8 wide).
pub(super) const PORT_SPACING: f64 = 12.0;

/// How wide a box with `k` ports on one side must be so they keep [`PORT_SPACING`].
pub(super) fn width_for_ports(k: usize) -> f64 {
    k as f64 * PORT_SPACING + 2.0 * PORT_INSET
}

/// Spreads `k` ports over the side of a box of width `w` centred on `cx`, right of `floor`: the
/// side less [`PORT_INSET`] at each end (and left of `floor`) is cut into `k` equal slots and
/// each port takes a slot's middle.
fn ports(cx: f64, w: f64, k: usize, floor: f64) -> Vec<f64> {
    let hi = cx + (w / 2.0 - PORT_INSET).max(0.0);
    let lo = (cx - (w / 2.0 - PORT_INSET).max(0.0)).max(floor).min(hi);
    if k == 1 && lo <= cx {
        return vec![cx];
    }
    let step = (hi - lo) / k as f64;
    (0..k).map(|i| lo + step * (i as f64 + 0.5)).collect()
}

/// One route per chain (see the module header); chains shorter than two items get no points.
/// `floor` holds, per item, the least x of its top-side and of its bottom-side ports.
pub(super) fn routes(
    g: &LGraph,
    x: &[f64],
    bands: &Bands,
    chains: &[Vec<usize>],
    floor: &[(f64, f64)],
) -> Vec<Vec<(f64, f64)>> {
    let n = g.layer.len();
    // Ports: per item, the chains leaving downwards and arriving from above.
    let mut out_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, chain) in chains.iter().enumerate() {
        if chain.len() >= 2 {
            out_of[chain[0]].push(c);
            into[chain[chain.len() - 1]].push(c);
        }
    }
    let mut out_port = vec![0.0; chains.len()];
    let mut in_port = vec![0.0; chains.len()];
    for v in 0..n {
        if !out_of[v].is_empty() {
            let mut cs = out_of[v].clone();
            cs.sort_by(|&a, &b| x[chains[a][1]].total_cmp(&x[chains[b][1]]).then(a.cmp(&b)));
            for (c, p) in cs.iter().zip(ports(x[v], g.width[v], cs.len(), floor[v].1)) {
                out_port[*c] = p;
            }
        }
        if !into[v].is_empty() {
            let mut cs = into[v].clone();
            let before = |c: usize| chains[c][chains[c].len() - 2];
            cs.sort_by(|&a, &b| x[before(a)].total_cmp(&x[before(b)]).then(a.cmp(&b)));
            for (c, p) in cs.iter().zip(ports(x[v], g.width[v], cs.len(), floor[v].0)) {
                in_port[*c] = p;
            }
        }
    }
    chains
        .iter()
        .enumerate()
        .map(|(c, chain)| {
            if chain.len() < 2 {
                return Vec::new();
            }
            let band_bottom = |v: usize| bands.top[g.layer[v]] + bands.height[g.layer[v]];
            let band_top = |v: usize| bands.top[g.layer[v]];
            // Past the frames that end below a band, and before those starting above one.
            let below = |v: usize| band_bottom(v) + bands.extra_bottom[g.layer[v]];
            let above = |v: usize| band_top(v) - bands.extra_top[g.layer[v]];
            let first = chain[0];
            let last = chain[chain.len() - 1];
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(2 * chain.len());
            pts.push((out_port[c], bands.item_span(g, first).1));
            pts.push((out_port[c], band_bottom(first)));
            pts.push((out_port[c], below(first)));
            for &d in &chain[1..chain.len() - 1] {
                pts.push((x[d], above(d)));
                pts.push((x[d], band_top(d)));
                pts.push((x[d], band_bottom(d)));
                pts.push((x[d], below(d)));
            }
            pts.push((in_port[c], above(last)));
            pts.push((in_port[c], band_top(last)));
            pts.push((in_port[c], bands.item_span(g, last).0));
            pts.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
            // Drop points in the middle of straight runs.
            let mut clean: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
            for p in pts {
                if clean.len() >= 2 {
                    let a = clean[clean.len() - 2];
                    let b = clean[clean.len() - 1];
                    let vertical = (a.0 - b.0).abs() < 1e-9 && (b.0 - p.0).abs() < 1e-9;
                    if vertical {
                        clean.pop();
                    }
                }
                clean.push(p);
            }
            if clean.len() < 2 {
                let p = clean.first().copied().unwrap_or((x[first], 0.0));
                clean = vec![p, p];
            }
            clean
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_spread_over_the_side() {
        let none = f64::NEG_INFINITY;
        assert_eq!(ports(50.0, 100.0, 1, none), vec![50.0]);
        let p = ports(50.0, 100.0, 3, none);
        assert_eq!(p, vec![22.0, 50.0, 78.0]);
        // A box as wide as `width_for_ports` asks keeps the spacing, inside the insets.
        let w = width_for_ports(7);
        let p = ports(0.0, w, 7, none);
        assert!(p.windows(2).all(|q| q[1] - q[0] >= PORT_SPACING - 1e-9), "{p:?}");
        assert!(p.iter().all(|&x| x.abs() <= w / 2.0 - PORT_INSET));
        // A floor moves the ports right of it.
        assert_eq!(ports(50.0, 100.0, 1, 60.0), vec![76.0]);
        assert_eq!(ports(50.0, 100.0, 2, 60.0), vec![68.0, 84.0]);
    }
}
