//! The layered graph every phase of the [`Layered`](super::Layered) engine works on.
//!
//! Input: none (built by [`layered`](super::layered)). Holds: items (scene nodes first, in
//! scene order, then one dummy per rank a long edge crosses) in layers, their neighbours one
//! layer up and down, and the group forest with the layers each group spans. Invariants: an
//! item's neighbours lie in the adjacent layers; every item of a group lies within the group's
//! span; `layers` lists every item exactly once.

/// A layer's order as nested blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// An item.
    Item(usize),
    /// The start of a group's block.
    Open(usize),
    /// The end of a group's block.
    Close(usize),
}

/// The layered graph: items (scene nodes first, in scene order, then dummies) in layers.
pub(crate) struct LGraph {
    /// Each item's layer.
    pub(crate) layer: Vec<usize>,
    /// Each item's innermost group.
    pub(crate) group: Vec<Option<usize>>,
    /// Width of each item's slot (a dummy without a label: 0).
    pub(crate) width: Vec<f64>,
    /// Height of each item.
    pub(crate) height: Vec<f64>,
    /// Whether an item is a dummy (a point on a long edge, maybe holding its label).
    pub(crate) dummy: Vec<bool>,
    /// Neighbours in the layer above, one entry per segment.
    pub(crate) up: Vec<Vec<usize>>,
    /// Neighbours in the layer below, one entry per segment.
    pub(crate) down: Vec<Vec<usize>>,
    /// Items of each layer, in order.
    pub(crate) layers: Vec<Vec<usize>>,
    /// Each group's parent.
    pub(crate) group_parent: Vec<Option<usize>>,
    /// Each group's children, in scene order.
    pub(crate) group_children: Vec<Vec<usize>>,
    /// Groups without a parent, in scene order.
    pub(crate) group_roots: Vec<usize>,
    /// First and last layer of each group's items (its own and its descendants').
    pub(crate) span: Vec<Option<(usize, usize)>>,
}

impl LGraph {
    /// Whether group `c` has a block in layer `r`.
    pub(crate) fn active(&self, c: usize, r: usize) -> bool {
        self.span[c].is_some_and(|(a, b)| a <= r && r <= b)
    }
}
