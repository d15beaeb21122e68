//! Which components a view keeps: `include`, then `exclude`, then the `focus` neighbourhood.
//!
//! Input: a [`Model`] and a view (or the parts a caller overrides). Output: one flag per
//! component, indexed by [`ServiceId`]. Used by the scene builder and by check AM043, so a
//! view that the check calls empty draws nothing.

use std::collections::VecDeque;

use super::{Model, ServiceId, View};
use crate::vocab::FocusDirection;

/// The components `view` keeps, with its own focus, depth and direction.
#[must_use]
pub(crate) fn select(model: &Model, view: &View) -> Vec<bool> {
    select_with(model, Some(view), &view.focus, view.depth, view.direction)
}

/// The components kept by `view`'s `include` and `exclude` (all when there is no view),
/// narrowed to the neighbourhood of `focus` when it is not empty.
#[must_use]
pub(crate) fn select_with(
    model: &Model,
    view: Option<&View>,
    focus: &[ServiceId],
    depth: u32,
    direction: FocusDirection,
) -> Vec<bool> {
    let mut keep = vec![true; model.graph.node_count()];
    if let Some(v) = view {
        for id in model.components() {
            let included = v.include.iter().any(|s| model.matches(id, &s.value));
            let excluded = v.exclude.iter().any(|s| model.matches(id, &s.value));
            keep[id.index()] = included && !excluded;
        }
    }
    if !focus.is_empty() {
        let near = neighbourhood(model, focus, depth, direction);
        for (k, near) in keep.iter_mut().zip(near) {
            *k &= near;
        }
    }
    keep
}

/// Components within `depth` hops of `focus`, following dependencies (downstream), callers
/// (upstream) or both, each direction on its own.
#[must_use]
pub(crate) fn neighbourhood(
    model: &Model,
    focus: &[ServiceId],
    depth: u32,
    direction: FocusDirection,
) -> Vec<bool> {
    let mut near = vec![false; model.graph.node_count()];
    let walk = |near: &mut Vec<bool>, dir: petgraph::Direction| {
        let mut dist = vec![u32::MAX; model.graph.node_count()];
        let mut queue = VecDeque::new();
        for &f in focus {
            dist[f.index()] = 0;
            queue.push_back(f);
        }
        while let Some(x) = queue.pop_front() {
            near[x.index()] = true;
            if dist[x.index()] == depth {
                continue;
            }
            for y in model.graph.neighbors_directed(x, dir) {
                if dist[y.index()] == u32::MAX {
                    dist[y.index()] = dist[x.index()] + 1;
                    queue.push_back(y);
                }
            }
        }
    };
    if matches!(direction, FocusDirection::Downstream | FocusDirection::Both) {
        walk(&mut near, petgraph::Direction::Outgoing);
    }
    if matches!(direction, FocusDirection::Upstream | FocusDirection::Both) {
        walk(&mut near, petgraph::Direction::Incoming);
    }
    near
}
