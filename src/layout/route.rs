//! Layered layout, phase 5: ports, tracks and edge routes.
//!
//! Input: a positioned [`LGraph`] (item centres `x`) and, per edge, its chain of items from the
//! upper end to the lower end (the real node, one dummy per layer in between, the real node).
//! [`plan`] decides everything across the flow before the layers get their heights: each
//! edge's ports, which edges merge into a bus, and the track of every sideways run in each gap
//! ([`tracks`]), which says how tall each gap must be. [`draw`] then gives one polyline per
//! chain, in layout coordinates, from the upper box's bottom border to the lower box's top
//! border: straight down from the port, through each dummy's band at the dummy's x, and in each
//! gap down to the run's track, along it and down again. Sideways runs only lie in the gaps
//! between bands, which hold no boxes, and vertical ones only in a box's own column or a
//! dummy's reserved slot: so a route never crosses a box. Edges leaving (or entering) the same
//! box get distinct ports spread over the whole side, ordered by where they go, at least
//! [`PORT_SPACING`] apart (the layout widens a box that needs it), so arrowheads never meet;
//! a bus takes one port. Tracks keep between the frames that end below a band and those that
//! start above the next, so routes cross title bands only vertically. Invariants: at least two
//! points per route; deterministic.

// Graph algorithms read best with the papers' names: u, v, w for nodes, e, f for edges.
#![allow(clippy::many_single_char_names)]

use super::lgraph::LGraph;
use super::tracks::{self, Run};

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
    /// Room above each band's frames for the labels drawn on bus trunks arriving there (see
    /// `layered::trunk_labels`); tracks keep above it.
    pub(super) room: Vec<f64>,
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

/// A route: the points of a polyline.
pub(super) type Route = Vec<(f64, f64)>;

/// Distance between two tracks, and between a track and the edge of its gap: twice the 3 units
/// within which two lines read as one (12 pixels at the PNG's default scale); a busy gap holds
/// twenty tracks, so each unit here is a column's width in a drawing turned left to right.
pub(super) const TRACK_SEP: f64 = 6.0;

/// How tall a gap holding `tracks` tracks must be, at least.
pub(super) fn gap_for_tracks(tracks: usize) -> f64 {
    (tracks + 1) as f64 * TRACK_SEP
}

/// Where every route goes across the flow, decided before the layers get their heights: the
/// ports, and for every gap between two layers the track of each sideways run.
pub(super) struct Plan {
    /// Per chain, the x of its port on the upper box.
    out_port: Vec<f64>,
    /// Per chain, the x of its port on the lower box.
    in_port: Vec<f64>,
    /// Per chain, per link (item `k` to item `k + 1`), the track of its run in that gap.
    track: Vec<Vec<Option<usize>>>,
    /// Per chain, the bus its last link joins (a run shared with other chains), if any.
    bus: Vec<Option<usize>>,
    /// Per gap (below layer `r`), how many tracks it holds.
    pub(super) tracks: Vec<usize>,
}

/// Whether chain `c` takes a port of its own on its lower box: it joins no bus, or it stands
/// for its bus.
fn own_arrival(bus: &[Option<usize>], c: usize) -> bool {
    bus[c].is_none_or(|b| b == c)
}

/// Chains whose last links merge into one port: per item, the chains arriving from above
/// grouped by `key`, where a group has at least [`BUS_MIN`] chains. Returns, per chain, the
/// index of its bus (the first chain of the group) or `None`.
pub(super) fn buses<K: PartialEq>(
    g: &LGraph,
    chains: &[Vec<usize>],
    key: &[K],
) -> Vec<Option<usize>> {
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); g.layer.len()];
    for (c, chain) in chains.iter().enumerate() {
        if chain.len() >= 2 {
            into[chain[chain.len() - 1]].push(c);
        }
    }
    let mut bus = vec![None; chains.len()];
    for cs in &into {
        // Groups of alike chains, each named by its first chain.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &c in cs {
            match groups.iter_mut().find(|m| key[m[0]] == key[c]) {
                Some(m) => m.push(c),
                None => groups.push(vec![c]),
            }
        }
        for members in groups.iter().filter(|m| m.len() >= BUS_MIN) {
            for &c in members {
                bus[c] = Some(members[0]);
            }
        }
    }
    bus
}

/// Edges into one box of one style that are drawn merged into a bus, at least.
pub(super) const BUS_MIN: usize = 5;

/// How many ports each item needs on its top and bottom side: one per chain, a bus counting
/// once.
pub(super) fn port_counts(
    g: &LGraph,
    chains: &[Vec<usize>],
    bus: &[Option<usize>],
) -> Vec<(usize, usize)> {
    let mut ends = vec![(0usize, 0usize); g.layer.len()];
    for (c, chain) in chains.iter().enumerate() {
        if chain.len() >= 2 {
            ends[chain[0]].1 += 1;
            if own_arrival(bus, c) {
                ends[chain[chain.len() - 1]].0 += 1;
            }
        }
    }
    ends
}

/// Ports and tracks (see [`Plan`]). `floor` holds, per item, the least x of its top-side and
/// of its bottom-side ports; `bus` comes from [`buses`].
pub(super) fn plan(
    g: &LGraph,
    x: &[f64],
    chains: &[Vec<usize>],
    floor: &[(f64, f64)],
    bus: &[Option<usize>],
) -> Plan {
    let n = g.layer.len();
    let mut out_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Arriving slots: a chain, or a bus standing for all its chains.
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, chain) in chains.iter().enumerate() {
        if chain.len() >= 2 {
            out_of[chain[0]].push(c);
            if own_arrival(bus, c) {
                into[chain[chain.len() - 1]].push(c);
            }
        }
    }
    let before = |c: usize| chains[c][chains[c].len() - 2];
    // A bus arrives where its chains come from, on average.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); chains.len()];
    for (c, b) in bus.iter().enumerate() {
        if let Some(b) = b {
            members[*b].push(c);
        }
    }
    let from_x = |c: usize| {
        if members[c].is_empty() {
            x[before(c)]
        } else {
            members[c].iter().map(|&m| x[before(m)]).sum::<f64>() / members[c].len() as f64
        }
    };
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
            cs.sort_by(|&a, &b| from_x(a).total_cmp(&from_x(b)).then(a.cmp(&b)));
            for (c, p) in cs.iter().zip(ports(x[v], g.width[v], cs.len(), floor[v].0)) {
                in_port[*c] = p;
            }
        }
    }
    for (c, b) in bus.iter().enumerate() {
        if let Some(b) = b {
            in_port[c] = in_port[*b];
        }
    }

    // The runs of every gap: one per link, one per bus.
    let layers = g.layers.len();
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); layers];
    let mut run_of: Vec<Vec<Option<(usize, usize)>>> =
        chains.iter().map(|ch| vec![None; ch.len().saturating_sub(1)]).collect();
    let mut bus_run: Vec<Option<usize>> = vec![None; chains.len()];
    let ports = Ports { out_port: &out_port, in_port: &in_port };
    for (c, chain) in chains.iter().enumerate() {
        let m = chain.len();
        for k in 0..m.saturating_sub(1) {
            let r = g.layer[chain[k]];
            let (top, bottom) = ports.columns(x, chain, c, k);
            if k + 2 == m
                && let Some(b) = bus[c]
            {
                let i = *bus_run[b].get_or_insert_with(|| {
                    runs[r].push(Run { tops: Vec::new(), bottoms: vec![bottom] });
                    runs[r].len() - 1
                });
                runs[r][i].tops.push(top);
                run_of[c][k] = Some((r, i));
                continue;
            }
            runs[r].push(Run { tops: vec![top], bottoms: vec![bottom] });
            run_of[c][k] = Some((r, runs[r].len() - 1));
        }
    }
    let mut tracks = vec![0; layers];
    let mut assigned: Vec<Vec<Option<usize>>> = Vec::with_capacity(layers);
    for (r, gap) in runs.iter().enumerate() {
        let (t, count) = tracks::assign(gap);
        tracks[r] = count;
        assigned.push(t);
    }
    let track = run_of
        .iter()
        .map(|links| links.iter().map(|l| l.and_then(|(r, i)| assigned[r][i])).collect())
        .collect();
    Plan { out_port, in_port, track, bus: bus.to_vec(), tracks }
}

/// Where each chain leaves its upper box and enters its lower one.
struct Ports<'a> {
    out_port: &'a [f64],
    in_port: &'a [f64],
}

impl Ports<'_> {
    /// The columns of chain `c`'s link `k` (item `k` to item `k + 1`): where it comes down into
    /// the gap (the upper port, or the dummy's x) and where it goes on down (the lower port, or
    /// the next dummy's x).
    fn columns(&self, x: &[f64], chain: &[usize], c: usize, k: usize) -> (f64, f64) {
        let top = if k == 0 { self.out_port[c] } else { x[chain[k]] };
        let bottom = if k + 2 == chain.len() { self.in_port[c] } else { x[chain[k + 1]] };
        (top, bottom)
    }
}

/// One route per chain along `plan` (chains shorter than two items get no points), and the
/// junctions where a chain joins a bus. Shape: straight down from the port on the upper box,
/// through each dummy's band at the dummy's x, and in each gap down to the run's track,
/// along it, and down again; into the port on the lower box.
pub(super) fn draw(
    g: &LGraph,
    x: &[f64],
    bands: &Bands,
    chains: &[Vec<usize>],
    plan: &Plan,
) -> (Vec<Route>, Vec<(f64, f64)>) {
    let band_bottom = |v: usize| bands.top[g.layer[v]] + bands.height[g.layer[v]];
    let band_top = |v: usize| bands.top[g.layer[v]];
    // Past the frames that end below a band, and before those starting above one.
    let below = |v: usize| band_bottom(v) + bands.extra_bottom[g.layer[v]];
    let above = |v: usize| band_top(v) - bands.extra_top[g.layer[v]];
    let track_y = |upper: usize, lower: usize, t: usize| {
        let (a, b) = (below(upper), above(lower) - bands.room[g.layer[lower]]);
        let tracks = plan.tracks[g.layer[upper]];
        a + (b - a) * (t + 1) as f64 / (tracks + 1) as f64
    };
    let ports = Ports { out_port: &plan.out_port, in_port: &plan.in_port };
    // Per bus: its track's y and the columns that meet it.
    let mut meets: Vec<(usize, f64, Vec<f64>)> = Vec::new();
    let routes = chains
        .iter()
        .enumerate()
        .map(|(c, chain)| {
            let m = chain.len();
            if m < 2 {
                return Vec::new();
            }
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(4 * m);
            pts.push((plan.out_port[c], bands.item_span(g, chain[0]).1));
            for k in 0..m - 1 {
                let (u, w) = (chain[k], chain[k + 1]);
                let (top, bottom) = ports.columns(x, chain, c, k);
                if k > 0 {
                    pts.push((top, band_top(u)));
                }
                pts.push((top, band_bottom(u)));
                pts.push((top, below(u)));
                if let Some(t) = plan.track[c][k] {
                    let y = track_y(u, w, t);
                    pts.push((top, y));
                    pts.push((bottom, y));
                    if k + 2 == m
                        && let Some(b) = plan.bus[c]
                    {
                        match meets.iter_mut().find(|(id, _, _)| *id == b) {
                            Some((_, _, cols)) => cols.push(top),
                            None => meets.push((b, y, vec![top, bottom])),
                        }
                    }
                }
                pts.push((bottom, above(w)));
            }
            let last = chain[m - 1];
            pts.push((plan.in_port[c], band_top(last)));
            pts.push((plan.in_port[c], bands.item_span(g, last).0));
            simplify(pts, (x[chain[0]], 0.0))
        })
        .collect();
    // A dot wherever a column meets a bus between its two ends (at the ends the line turns).
    let mut junctions: Vec<(f64, f64)> = Vec::new();
    for (_, y, cols) in &meets {
        let lo = cols.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = cols.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        junctions.extend(cols.iter().filter(|&&x| x > lo + 0.5 && x < hi - 0.5).map(|&x| (x, *y)));
    }
    junctions.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    junctions.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
    (routes, junctions)
}

/// `pts` without repeated points and without points in the middle of straight runs (vertical
/// or horizontal); two points at least (`fallback` twice when there are none).
fn simplify(mut pts: Vec<(f64, f64)>, fallback: (f64, f64)) -> Vec<(f64, f64)> {
    pts.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
    let mut clean: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for p in pts {
        if clean.len() >= 2 {
            let a = clean[clean.len() - 2];
            let b = clean[clean.len() - 1];
            let vertical = (a.0 - b.0).abs() < 1e-9 && (b.0 - p.0).abs() < 1e-9;
            let horizontal = (a.1 - b.1).abs() < 1e-9 && (b.1 - p.1).abs() < 1e-9;
            if vertical || horizontal {
                clean.pop();
            }
        }
        clean.push(p);
    }
    if clean.len() < 2 {
        let p = clean.first().copied().unwrap_or(fallback);
        clean = vec![p, p];
    }
    clean
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
