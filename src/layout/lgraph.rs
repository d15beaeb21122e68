//! The layered graph every phase of the [`Layered`](super::Layered) engine works on.
//!
//! Input: the nodes' layers, groups and sizes and the group forest ([`LGraph::new`]), then the
//! dummies and links [`layered`](super::layered) adds. Holds: items (scene nodes first, in
//! scene order, then one dummy per rank a long edge crosses) in layers, their neighbours one
//! layer up and down with each segment's weight (how many dependencies its line stands for),
//! and the group forest with the layers each group spans. Invariants: an item's neighbours lie
//! in the adjacent layers; `up_weight` and `down_weight` run parallel to `up` and `down`, every
//! weight at least 1; every item of a group lies within the group's span; `layers` lists every
//! item exactly once.

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
    /// Weight of each segment of `up`, in the same order: the count of the scene edge it
    /// belongs to (merged edges of a collapsed view stand for many dependencies).
    pub(crate) up_weight: Vec<Vec<usize>>,
    /// Weight of each segment of `down`, in the same order.
    pub(crate) down_weight: Vec<Vec<usize>>,
    /// The weight of a dummy's line (both its segments carry it), 0 for a node: the ordering's
    /// inner loops read it from this flat list rather than from the segment lists.
    pub(crate) line: Vec<usize>,
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
    /// Takes each node's layer, group, width and height and each group's parent; gives the
    /// graph of the nodes alone (no links; `layers` and spans wait for [`LGraph::index_layers`]).
    pub(crate) fn new(
        layer: Vec<usize>,
        group: Vec<Option<usize>>,
        width: Vec<f64>,
        height: Vec<f64>,
        group_parent: Vec<Option<usize>>,
    ) -> Self {
        let n = layer.len();
        let ng = group_parent.len();
        let mut group_children = vec![Vec::new(); ng];
        let mut group_roots = Vec::new();
        for (c, p) in group_parent.iter().enumerate() {
            match p {
                Some(p) => group_children[*p].push(c),
                None => group_roots.push(c),
            }
        }
        LGraph {
            layer,
            group,
            width,
            height,
            dummy: vec![false; n],
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            up_weight: vec![Vec::new(); n],
            down_weight: vec![Vec::new(); n],
            line: vec![0; n],
            layers: Vec::new(),
            group_parent,
            group_children,
            group_roots,
            span: vec![None; ng],
        }
    }

    /// Takes a layer, a group and a size; adds a dummy item there and gives its index.
    pub(crate) fn add_dummy(
        &mut self,
        layer: usize,
        group: Option<usize>,
        width: f64,
        height: f64,
    ) -> usize {
        let d = self.layer.len();
        self.layer.push(layer);
        self.group.push(group);
        self.dummy.push(true);
        self.up.push(Vec::new());
        self.down.push(Vec::new());
        self.up_weight.push(Vec::new());
        self.down_weight.push(Vec::new());
        self.line.push(0);
        self.width.push(width);
        self.height.push(height);
        d
    }

    /// Takes a chain of items, each one layer below the one before, and the weight of its
    /// edge (at least 1 is kept); links each to the next with that weight.
    pub(crate) fn link(&mut self, chain: &[usize], weight: usize) {
        let weight = weight.max(1);
        for &d in chain.iter().skip(1).take(chain.len().saturating_sub(2)) {
            if self.dummy[d] {
                self.line[d] = weight;
            }
        }
        for w in chain.windows(2) {
            self.down[w[0]].push(w[1]);
            self.down_weight[w[0]].push(weight);
            self.up[w[1]].push(w[0]);
            self.up_weight[w[1]].push(weight);
        }
    }

    /// Fills `layers` (each layer's items in index order) and each group's span from the items'
    /// layers and groups.
    pub(crate) fn index_layers(&mut self) {
        let layer_count = self.layer.iter().copied().max().map_or(0, |m| m + 1);
        self.layers = vec![Vec::new(); layer_count];
        for v in 0..self.layer.len() {
            self.layers[self.layer[v]].push(v);
        }
        for v in 0..self.layer.len() {
            let mut up = self.group[v];
            while let Some(a) = up {
                let r = self.layer[v];
                self.span[a] = Some(self.span[a].map_or((r, r), |(lo, hi)| (lo.min(r), hi.max(r))));
                up = self.group_parent[a];
            }
        }
    }

    /// Whether group `c` has a block in layer `r`.
    pub(crate) fn active(&self, c: usize, r: usize) -> bool {
        self.span[c].is_some_and(|(a, b)| a <= r && r <= b)
    }
}
