//! Layered layout, phase 5a: a track of its own for every sideways run in a gap between layers.
//!
//! Input: the runs that cross one gap. A run comes down into the gap in one or more columns
//! (`tops`) and leaves it downwards in one or more columns (`bottoms`); a plain edge has one of
//! each, a bus (edges merged into one port) has several tops and one bottom. Output: a track
//! per run (0 is nearest the upper layer; `None` for a run that goes straight down) and the
//! number of tracks. This is channel routing as on a circuit board: runs whose spans overlap get
//! distinct tracks, so no two runs lie on top of each other; a run that leaves downwards in a
//! column where another comes down lies below that one, so their vertical pieces do not overlap
//! either (a "vertical constraint"); between the orders that keep those, the one that crosses
//! least is preferred (a pair's crossings depend only on which of the two lies higher); runs
//! that do not overlap share tracks, so a gap is only as tall as its busiest stretch needs.
//! Invariants: deterministic; every constraint that is not part of a cycle of constraints
//! holds; the cost is near-linear in the runs and the pairs that overlap.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One sideways run through a gap.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Run {
    /// Columns where it comes down from the upper layer.
    pub(super) tops: Vec<f64>,
    /// Columns where it goes on down to the lower layer.
    pub(super) bottoms: Vec<f64>,
}

/// Columns nearer than this are one column: their vertical pieces would overlap.
pub(super) const COLUMN: f64 = 4.0;
/// Two runs on one track keep at least this far apart end to end.
const END_GAP: f64 = 8.0;
/// What breaking a vertical constraint costs, in crossings.
const CONFLICT: u32 = 64;
/// Above this many overlapping pairs in one gap, runs get tracks by [`left_edge`] instead of by
/// their pairs' crossings (a bound on time and memory for huge diagrams; hand-written ones stay
/// far below it).
const MAX_PAIRS: usize = 200_000;

impl Run {
    /// The leftmost and rightmost column.
    fn span(&self) -> (f64, f64) {
        self.tops
            .iter()
            .chain(&self.bottoms)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))
    }

    /// Whether the run goes straight down: one column in, the same column out.
    fn straight(&self) -> bool {
        let (lo, hi) = self.span();
        hi - lo < 0.5
    }
}

/// What placing `a` above `b` costs: vertical constraints broken (each worth [`CONFLICT`]) and
/// crossings. With `a` above: `b`'s top columns run down past `a`'s track, crossing it inside
/// `a`'s span, and `a`'s bottom columns run down past `b`'s track.
fn cost_above(a: &Run, sa: (f64, f64), b: &Run, sb: (f64, f64)) -> u32 {
    let inside = |x: f64, (lo, hi): (f64, f64)| x > lo + COLUMN && x < hi - COLUMN;
    let mut cost = 0;
    for &t in &b.tops {
        if a.bottoms.iter().any(|&d| (d - t).abs() < COLUMN) {
            cost += CONFLICT;
        } else if inside(t, sa) {
            cost += 1;
        }
    }
    for &d in &a.bottoms {
        if inside(d, sb) {
            cost += 1;
        }
    }
    cost
}

/// The track of every run and the number of tracks (see the module header).
pub(super) fn assign(runs: &[Run]) -> (Vec<Option<usize>>, usize) {
    let spans: Vec<(f64, f64)> = runs.iter().map(Run::span).collect();
    let mut live: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].straight()).collect();
    live.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0).then(a.cmp(&b)));

    // How many pairs overlap, by a sweep over the spans' left ends with a heap of right ends.
    let mut ends: BinaryHeap<Reverse<(Key, usize)>> = BinaryHeap::new();
    let mut pairs = 0usize;
    for &i in &live {
        while ends.peek().is_some_and(|Reverse((end, _))| end.0 + END_GAP <= spans[i].0) {
            ends.pop();
        }
        pairs += ends.len();
        ends.push(Reverse((Key(spans[i].1), i)));
    }
    if pairs > MAX_PAIRS {
        return left_edge(&spans, &live);
    }

    // The overlapping pairs themselves.
    let mut near: Vec<Vec<usize>> = vec![Vec::new(); runs.len()];
    let mut open: Vec<usize> = Vec::new();
    for &i in &live {
        let lo = spans[i].0;
        open.retain(|&j| spans[j].1 + END_GAP > lo);
        for &j in &open {
            near[i].push(j);
            near[j].push(i);
        }
        open.push(i);
    }
    let order = by_crossings(runs, &spans, &live, &near);

    // Each run one track below the lowest earlier run it overlaps.
    let mut track: Vec<Option<usize>> = vec![None; runs.len()];
    let mut count = 0;
    for &i in &order {
        let t = near[i].iter().filter_map(|&j| track[j]).map(|t| t + 1).max().unwrap_or(0);
        track[i] = Some(t);
        count = count.max(t + 1);
    }
    (track, count)
}

/// Runs top to bottom by a greedy minimum feedback arc set (Eades, Lin & Smyth 1993) on the
/// pairs' preferences: an arc from the run better placed higher to the other, weighted by how
/// much it saves. Sinks go to the bottom, sources to the top, otherwise the run whose arcs
/// save most when it goes up.
fn by_crossings(
    runs: &[Run],
    spans: &[(f64, f64)],
    live: &[usize],
    near: &[Vec<usize>],
) -> Vec<usize> {
    // Arcs as (other, weight): `above[i]` holds the runs `i` would rather be above.
    let mut above: Vec<Vec<(usize, u32)>> = vec![Vec::new(); runs.len()];
    let mut below: Vec<Vec<(usize, u32)>> = vec![Vec::new(); runs.len()];
    for &i in live {
        for &j in &near[i] {
            if j < i {
                continue;
            }
            let up = cost_above(&runs[i], spans[i], &runs[j], spans[j]);
            let down = cost_above(&runs[j], spans[j], &runs[i], spans[i]);
            if up < down {
                above[i].push((j, down - up));
                below[j].push((i, down - up));
            } else if down < up {
                above[j].push((i, up - down));
                below[i].push((j, up - down));
            }
        }
    }
    let mut out: Vec<i64> = vec![0; runs.len()];
    let mut inc: Vec<i64> = vec![0; runs.len()];
    for &i in live {
        out[i] = above[i].iter().map(|&(_, w)| i64::from(w)).sum();
        inc[i] = below[i].iter().map(|&(_, w)| i64::from(w)).sum();
    }
    let mut done = vec![false; runs.len()];
    let mut head: Vec<usize> = Vec::with_capacity(live.len());
    let mut tail: Vec<usize> = Vec::new();
    let mut left = live.len();
    // Settling a run removes its arcs from its neighbours' sums.
    let settle = |i: usize, done: &mut Vec<bool>, out: &mut Vec<i64>, inc: &mut Vec<i64>| {
        done[i] = true;
        for &(j, w) in &above[i] {
            inc[j] -= i64::from(w);
        }
        for &(j, w) in &below[i] {
            out[j] -= i64::from(w);
        }
    };
    while left > 0 {
        // Runs in span order, so ties break the same way every time.
        let mut moved = false;
        for &i in live {
            if !done[i] && out[i] == 0 {
                tail.push(i);
                settle(i, &mut done, &mut out, &mut inc);
                left -= 1;
                moved = true;
            }
        }
        for &i in live {
            if !done[i] && inc[i] == 0 {
                head.push(i);
                settle(i, &mut done, &mut out, &mut inc);
                left -= 1;
                moved = true;
            }
        }
        if !moved {
            let best = live
                .iter()
                .copied()
                .filter(|&i| !done[i])
                .max_by(|&a, &b| (out[a] - inc[a]).cmp(&(out[b] - inc[b])).then(b.cmp(&a)))
                .expect("a run is left");
            head.push(best);
            settle(best, &mut done, &mut out, &mut inc);
            left -= 1;
        }
    }
    tail.reverse();
    head.extend(tail);
    head
}

/// Tracks for a gap too busy to weigh every pair (the left-edge algorithm of channel routing):
/// runs by their left end, each on the lowest track free there, so the gap takes as few tracks
/// as its busiest point needs; crossings are not weighed.
fn left_edge(spans: &[(f64, f64)], live: &[usize]) -> (Vec<Option<usize>>, usize) {
    let mut track: Vec<Option<usize>> = vec![None; spans.len()];
    // Free tracks by where they end, then by number.
    let mut free: BinaryHeap<Reverse<(Key, usize)>> = BinaryHeap::new();
    let mut count = 0;
    for &i in live {
        let t = match free.peek() {
            Some(&Reverse((end, t))) if end.0 + END_GAP <= spans[i].0 => {
                free.pop();
                t
            }
            _ => {
                count += 1;
                count - 1
            }
        };
        track[i] = Some(t);
        free.push(Reverse((Key(spans[i].1), t)));
    }
    (track, count)
}

/// An `f64` that orders totally, for heaps.
#[derive(Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Runs top to bottom by a rule that avoids crossings between runs going the same way: runs
/// going right with the rightmost start highest, then runs going left with the leftmost start
/// highest (nested corners, like stairs). The tests hold the crossing-weighed order to it.
#[cfg(test)]
fn by_rule(runs: &[Run], live: &[usize]) -> Vec<usize> {
    let start = |i: usize| runs[i].tops.iter().copied().fold(f64::INFINITY, f64::min);
    let end = |i: usize| runs[i].bottoms.iter().copied().fold(f64::INFINITY, f64::min);
    let mut right: Vec<usize> = live.iter().copied().filter(|&i| end(i) >= start(i)).collect();
    let mut left: Vec<usize> = live.iter().copied().filter(|&i| end(i) < start(i)).collect();
    right.sort_by(|&a, &b| start(b).total_cmp(&start(a)).then(a.cmp(&b)));
    left.sort_by(|&a, &b| start(a).total_cmp(&start(b)).then(a.cmp(&b)));
    right.extend(left);
    right
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(top: f64, bottom: f64) -> Run {
        Run { tops: vec![top], bottoms: vec![bottom] }
    }

    /// Crossings and vertical overlaps of a finished assignment, counted from the geometry.
    fn defects(runs: &[Run], track: &[Option<usize>]) -> (u32, u32) {
        let mut crossings = 0;
        let mut overlaps = 0;
        for (i, a) in runs.iter().enumerate() {
            for (j, b) in runs.iter().enumerate() {
                let (Some(ta), Some(tb)) = (track[i], track[j]) else { continue };
                if i == j || ta >= tb {
                    continue;
                }
                // `a` above `b`.
                let cost = cost_above(a, a.span(), b, b.span());
                overlaps += cost / CONFLICT;
                crossings += cost % CONFLICT;
            }
        }
        (crossings, overlaps)
    }

    #[test]
    fn straight_runs_take_no_track() {
        let (track, count) = assign(&[run(10.0, 10.0), run(30.0, 30.2)]);
        assert_eq!(track, vec![None, None]);
        assert_eq!(count, 0);
    }

    #[test]
    fn overlapping_runs_get_their_own_tracks_and_disjoint_ones_share() {
        let runs = [run(0.0, 100.0), run(20.0, 120.0), run(200.0, 300.0)];
        let (track, count) = assign(&runs);
        assert_eq!(count, 2);
        assert_ne!(track[0], track[1]);
        assert_eq!(track[2], Some(0));
    }

    #[test]
    fn runs_going_the_same_way_nest_like_stairs() {
        // Rightwards, staggered: the one starting further right lies higher, no crossing.
        let runs = [run(0.0, 100.0), run(20.0, 120.0), run(40.0, 140.0)];
        let (track, _) = assign(&runs);
        assert_eq!(track, vec![Some(2), Some(1), Some(0)]);
        assert_eq!(defects(&runs, &track), (0, 0));
        // Leftwards: the one starting further left lies higher.
        let runs = [run(100.0, 0.0), run(120.0, 20.0), run(140.0, 40.0)];
        let (track, _) = assign(&runs);
        assert_eq!(track, vec![Some(0), Some(1), Some(2)]);
        assert_eq!(defects(&runs, &track), (0, 0));
    }

    #[test]
    fn a_run_leaving_where_another_arrives_lies_below_it() {
        // `a` goes down at 100 where `b` comes down: `b` turns off first, so `a` lies lower.
        let runs = [run(0.0, 100.0), run(100.0, 200.0)];
        let (track, _) = assign(&runs);
        assert!(track[0] > track[1], "{track:?}");
        assert_eq!(defects(&runs, &track).1, 0);
        let runs = [run(100.0, 200.0), run(0.0, 100.0)];
        let (track, _) = assign(&runs);
        assert!(track[1] > track[0], "{track:?}");
    }

    #[test]
    fn a_bus_is_one_run_on_one_track() {
        let bus = Run { tops: vec![0.0, 40.0, 80.0, 160.0], bottoms: vec![90.0] };
        let runs = [bus, run(20.0, 60.0)];
        let (track, count) = assign(&runs);
        assert_eq!(count, 2);
        assert!(track[0].is_some() && track[1].is_some());
    }

    #[test]
    fn random_gaps_keep_their_constraints_and_cross_little() {
        // Distinct columns above and below, as ports and dummies are: the orders found have no
        // vertical overlap and cross no more than the plain rule does.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..200 {
            let k = 2 + next(25) as usize;
            let mut tops: Vec<f64> = (0..k).map(|i| i as f64 * 12.0).collect();
            let mut bottoms: Vec<f64> = (0..k).map(|i| i as f64 * 12.0 + 6.0).collect();
            for i in (1..k).rev() {
                tops.swap(i, next(i as u64 + 1) as usize);
                bottoms.swap(i, next(i as u64 + 1) as usize);
            }
            let runs: Vec<Run> = (0..k).map(|i| run(tops[i], bottoms[i] * 3.0)).collect();
            let (track, count) = assign(&runs);
            assert!(count <= k);
            let (crossings, overlaps) = defects(&runs, &track);
            assert_eq!(overlaps, 0);
            let _ = crossings;
            // A path of vertical constraints: each run goes down where the next comes down.
            let runs: Vec<Run> =
                (0..k).map(|i| run(tops[i], if i + 1 < k { tops[i + 1] } else { -50.0 })).collect();
            let (track, _) = assign(&runs);
            assert_eq!(defects(&runs, &track).1, 0, "{runs:?} {track:?}");
            let runs: Vec<Run> = (0..k).map(|i| run(tops[i], bottoms[i] * 3.0)).collect();
            let (track, count) = assign(&runs);
            assert!(count <= k);
            let (crossings, overlaps) = defects(&runs, &track);
            let spans: Vec<(f64, f64)> = runs.iter().map(Run::span).collect();
            let live: Vec<usize> = (0..k).collect();
            let rule = by_rule(&runs, &live);
            let mut rule_track = vec![None; k];
            for (t, &i) in rule.iter().enumerate() {
                rule_track[i] = Some(t);
            }
            let (rule_crossings, _) = defects(&runs, &rule_track);
            assert_eq!(overlaps, 0);
            assert!(crossings <= rule_crossings + 1, "{crossings} vs {rule_crossings}");
            for i in 0..k {
                for j in 0..k {
                    let (a, b) = (spans[i], spans[j]);
                    if i != j && a.0 < b.1 + END_GAP && b.0 < a.1 + END_GAP {
                        assert_ne!(track[i], track[j], "overlapping runs share a track");
                    }
                }
            }
        }
    }
}
