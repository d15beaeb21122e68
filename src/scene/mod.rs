//! The format-neutral picture: which boxes, groups and arrows a diagram shows.
//!
//! Input: a [`Model`] and [`SceneOptions`] (a view, a focus, a direction). Output: a
//! [`Scene`] that every renderer draws. Invariants: ordering is manifest order (groups,
//! nodes, then edges by source and target order), so output is deterministic; every edge's
//! endpoints are nodes of the scene; every node's group and every group's parent are groups of
//! the scene; no group of the scene is empty.

use std::collections::BTreeMap;

pub(crate) mod flow;
pub(crate) mod highlight;
pub(crate) mod sequence;
#[cfg(test)]
pub(crate) mod testing;

use crate::model::select::select_with;
use crate::model::{GroupId, Model, ServiceId, View};
use crate::vocab::{Direction, FocusDirection, Kind, Mode};
use highlight::Highlight;

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct SceneOptions<'a> {
    /// Restrict to a view of the model.
    pub view: Option<&'a View>,
    /// Overrides the view's (or the default) direction.
    pub direction: Option<Direction>,
    /// Keep only these components and their neighbourhood (overrides the view's focus).
    pub focus: Vec<ServiceId>,
    /// With `focus`: hops to follow (default 1).
    pub depth: Option<u32>,
    /// With `focus`: which way to follow edges.
    pub focus_direction: Option<FocusDirection>,
    /// Findings to draw onto the diagram, as node and edge classes.
    pub highlights: &'a [Highlight],
}

/// A diagram, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Diagram title: the system's name, or the view's title.
    pub title: String,
    /// The system's or view's description.
    pub description: Option<String>,
    /// Which way dependencies point.
    pub direction: Direction,
    /// Whether the direction was asked for (`--direction`, a view's `layout`); when not, the
    /// SVG may turn left to right to keep its shape (`crate::layout::lay_out`).
    pub direction_fixed: bool,
    /// Groups, parents before children, otherwise in manifest order.
    pub groups: Vec<SceneGroup>,
    /// Boxes, in manifest order.
    pub nodes: Vec<SceneNode>,
    /// Arrows, in manifest order of their source, then target.
    pub edges: Vec<SceneEdge>,
}

impl Scene {
    /// Each group's direct member nodes and its child groups, in scene order, by group index:
    /// writers that nest groups read them instead of scanning every node and group for each
    /// group (20,000 groups over 100,000 nodes took seconds).
    #[must_use]
    pub fn group_contents(&self) -> GroupContents {
        let mut members = vec![Vec::new(); self.groups.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(g) = node.group {
                members[g].push(i);
            }
        }
        let mut children = vec![Vec::new(); self.groups.len()];
        for (child, group) in self.groups.iter().enumerate() {
            if let Some(p) = group.parent.filter(|&p| p != child) {
                children[p].push(child);
            }
        }
        GroupContents { members, children }
    }
}

/// What [`Scene::group_contents`] gives: indices by group index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupContents {
    /// Each group's direct member nodes (indices into [`Scene::nodes`]).
    pub members: Vec<Vec<usize>>,
    /// Each group's child groups (indices into [`Scene::groups`]).
    pub children: Vec<Vec<usize>>,
}

/// A group drawn as a labelled frame around its members.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneGroup {
    /// The manifest id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Index of the enclosing group in [`Scene::groups`].
    pub parent: Option<usize>,
    /// Frame colour, a CSS hex colour.
    pub color: Option<String>,
    /// `description`.
    pub description: Option<String>,
}

/// A box.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneNode {
    /// The manifest id (of the component, or of the group when collapsed).
    pub id: String,
    /// Display label.
    pub label: String,
    /// What it is; decides the shape. A collapsed group is drawn as a `service` box.
    pub kind: Kind,
    /// Index of its group in [`Scene::groups`].
    pub group: Option<usize>,
    /// `description`.
    pub description: Option<String>,
    /// `tech`.
    pub tech: Option<String>,
    /// Owner (own or inherited).
    pub owner: Option<String>,
    /// `url`: the box is a link.
    pub url: Option<String>,
    /// `replicas`.
    pub replicas: u32,
    /// When this box stands for a collapsed group: how many components it holds.
    pub collapsed: Option<usize>,
    /// Extra style classes (highlights), sorted.
    pub classes: Vec<&'static str>,
}

/// An arrow from a component to one it depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneEdge {
    /// Index of the source in [`Scene::nodes`].
    pub from: usize,
    /// Index of the target in [`Scene::nodes`].
    pub to: usize,
    /// Sync or async (merged edges: sync if any is).
    pub mode: Mode,
    /// `protocol` (merged edges: kept when all agree).
    pub protocol: Option<String>,
    /// `label` (merged edges: none).
    pub label: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `optional` (merged edges: when all are).
    pub optional: bool,
    /// How many dependencies this arrow stands for (more than 1 after collapsing).
    pub count: usize,
    /// Extra style classes (highlights), sorted.
    pub classes: Vec<&'static str>,
}

impl SceneEdge {
    /// The text drawn on the arrow: the label, else the protocol; with a count when merged.
    #[must_use]
    pub fn display_label(&self) -> Option<String> {
        let base = self.label.clone().or_else(|| self.protocol.clone());
        match (base, self.count) {
            (b, 0 | 1) => b,
            (Some(b), n) => Some(format!("{b} ×{n}")),
            (None, n) => Some(format!("×{n}")),
        }
    }
}

impl SceneNode {
    /// The second line drawn in a box: the technology, or what a collapsed group holds.
    #[must_use]
    pub fn subtitle(&self) -> Option<String> {
        match self.collapsed {
            Some(n) => Some(format!("{n} component{}", if n == 1 { "" } else { "s" })),
            None => self.tech.clone(),
        }
    }
}

/// Builds the scene for the whole model or one view of it.
#[must_use]
pub fn scene(model: &Model, options: &SceneOptions<'_>) -> Scene {
    let view = options.view;

    // 1. Which components are kept.
    let focus: &[ServiceId] =
        if options.focus.is_empty() { view.map_or(&[], |v| &v.focus) } else { &options.focus };
    let depth = options.depth.or(view.map(|v| v.depth)).unwrap_or(1);
    let direction = options.focus_direction.or(view.map(|v| v.direction)).unwrap_or_default();
    let keep = select_with(model, view, focus, depth, direction);

    // 2. and 3. Boxes, collapsed groups folded into one each.
    let collapsed: Vec<GroupId> = view.map_or_else(Vec::new, |v| v.collapse.clone());
    let mut boxes = scene_nodes(model, &keep, &collapsed);

    // 4. Groups.
    let groups = scene_groups(model, &mut boxes);

    // 5. Edges.
    let mut merged = scene_edges(model, &boxes.node_of);

    // 6. Highlights.
    mark_highlights(model, options.highlights, &mut boxes, &mut merged);

    let fixed = options.direction.or(view.and_then(|v| v.layout));
    let (title, description) = match view {
        Some(v) => (v.title.clone(), v.description.clone()),
        None => (model.name.clone(), model.description.clone()),
    };
    Scene {
        title,
        description,
        direction: fixed.unwrap_or_default(),
        direction_fixed: fixed.is_some(),
        groups,
        nodes: boxes.nodes,
        edges: merged.into_values().collect(),
    }
}

/// The scene's boxes and where each component and collapsed group went.
struct Boxes {
    /// The boxes, in manifest order.
    nodes: Vec<SceneNode>,
    /// Each component's box, if it is kept (indexed by component).
    node_of: Vec<Option<usize>>,
    /// Each collapsed group's box.
    group_node: BTreeMap<GroupId, usize>,
    /// The group each box sits in (before re-indexing to scene groups).
    node_group: Vec<Option<GroupId>>,
}

/// Takes a component; gives the outermost of the `collapsed` groups holding it, if any.
fn collapsed_of(model: &Model, collapsed: &[GroupId], id: ServiceId) -> Option<GroupId> {
    let g = model.component(id).group?;
    model.group_chain(g).into_iter().rev().find(|g| collapsed.contains(g))
}

/// Takes the kept components and the collapsed groups; gives the boxes in manifest order, a
/// collapsed group's where its first kept member would be.
fn scene_nodes(model: &Model, keep: &[bool], collapsed: &[GroupId]) -> Boxes {
    let mut boxes = Boxes {
        nodes: Vec::new(),
        node_of: vec![None; model.graph.node_count()],
        group_node: BTreeMap::new(),
        node_group: Vec::new(),
    };
    let Boxes { nodes, node_of, group_node, node_group } = &mut boxes;
    for id in model.components().filter(|id| keep[id.index()]) {
        if let Some(g) = collapsed_of(model, collapsed, id) {
            let idx = *group_node.entry(g).or_insert_with(|| {
                let group = model.group(g);
                nodes.push(SceneNode {
                    id: group.id.clone(),
                    label: group.label.clone(),
                    kind: Kind::Service,
                    group: None,
                    description: group.description.clone(),
                    tech: None,
                    owner: group.owner.clone(),
                    url: None,
                    replicas: 1,
                    collapsed: Some(0),
                    classes: vec!["collapsed"],
                });
                node_group.push(group.parent);
                nodes.len() - 1
            });
            if let Some(c) = nodes[idx].collapsed.as_mut() {
                *c += 1;
            }
            node_of[id.index()] = Some(idx);
            continue;
        }
        let c = model.component(id);
        nodes.push(SceneNode {
            id: c.id.clone(),
            label: c.label.clone(),
            kind: c.kind,
            group: None,
            description: c.description.clone(),
            tech: c.tech.clone(),
            owner: model.owner(id).map(str::to_string),
            url: c.url.as_ref().map(|u| u.value.clone()),
            replicas: c.replicas,
            collapsed: None,
            classes: Vec::new(),
        });
        node_group.push(c.group);
        node_of[id.index()] = Some(nodes.len() - 1);
    }
    boxes
}

/// Takes the boxes; gives the groups that hold one (directly or through a child), parents
/// first, and sets each box's scene group.
fn scene_groups(model: &Model, boxes: &mut Boxes) -> Vec<SceneGroup> {
    // Linear in groups and boxes: a walk up stops at the first group already marked (its
    // ancestors are marked too), and scene indices are looked up, never searched for.
    let mut used = vec![false; model.groups.len()];
    for g in boxes.node_group.iter().flatten() {
        let mut a = Some(*g);
        while let Some(cur) = a.filter(|c| !used[c.0]) {
            crate::work::add(crate::work::Work::GroupWalk, 1);
            used[cur.0] = true;
            a = model.group(cur).parent;
        }
    }
    let mut index: Vec<Option<usize>> = vec![None; model.groups.len()];
    let mut order: Vec<GroupId> = Vec::new();
    for (i, _) in model.groups.iter().enumerate().filter(|(i, _)| used[*i]) {
        // Ancestors first, outermost first: those not placed yet, up to the first placed one.
        let mut pending = Vec::new();
        let mut a = Some(GroupId(i));
        while let Some(cur) = a.filter(|c| index[c.0].is_none()) {
            crate::work::add(crate::work::Work::GroupWalk, 1);
            pending.push(cur);
            a = model.group(cur).parent;
        }
        for cur in pending.into_iter().rev() {
            index[cur.0] = Some(order.len());
            order.push(cur);
        }
    }
    let scene_index = |g: GroupId| index[g.0];
    let groups: Vec<SceneGroup> = order
        .iter()
        .map(|&g| {
            let group = model.group(g);
            SceneGroup {
                id: group.id.clone(),
                label: group.label.clone(),
                parent: group.parent.and_then(scene_index),
                color: group.color.clone(),
                description: group.description.clone(),
            }
        })
        .collect();
    for (node, g) in boxes.nodes.iter_mut().zip(&boxes.node_group) {
        node.group = g.and_then(scene_index);
    }
    groups
}

/// Takes each component's box; gives the arrows by (source box, target box), merged where
/// collapsing made several go the same way.
fn scene_edges(model: &Model, node_of: &[Option<usize>]) -> BTreeMap<(usize, usize), SceneEdge> {
    let mut merged: BTreeMap<(usize, usize), SceneEdge> = BTreeMap::new();
    for from in model.components() {
        let Some(f) = node_of[from.index()] else {
            continue;
        };
        for (to, dep) in model.dependencies(from) {
            let Some(t) = node_of[to.index()] else {
                continue;
            };
            if f == t {
                continue;
            }
            merged
                .entry((f, t))
                .and_modify(|e| {
                    e.count += 1;
                    if dep.mode == Mode::Sync {
                        e.mode = Mode::Sync;
                    }
                    if e.protocol != dep.protocol {
                        e.protocol = None;
                    }
                    e.label = None;
                    e.description = None;
                    e.optional &= dep.optional;
                })
                .or_insert_with(|| SceneEdge {
                    from: f,
                    to: t,
                    mode: dep.mode,
                    protocol: dep.protocol.clone(),
                    label: dep.label.clone(),
                    description: dep.description.clone(),
                    optional: dep.optional,
                    count: 1,
                    classes: Vec::new(),
                });
        }
    }
    merged
}

/// Takes the highlights; adds their classes (sorted, once each) to the boxes and arrows of a
/// finding's components and dependencies, where the scene shows them.
fn mark_highlights(
    model: &Model,
    highlights: &[Highlight],
    boxes: &mut Boxes,
    merged: &mut BTreeMap<(usize, usize), SceneEdge>,
) {
    // A group id names the box of a collapsed group.
    let scene_node = |id: &str| {
        model
            .find(id)
            .and_then(|s| boxes.node_of[s.index()])
            .or_else(|| model.find_group(id).and_then(|g| boxes.group_node.get(&g).copied()))
    };
    for h in highlights {
        let class = h.mark.class();
        for id in &h.nodes {
            if let Some(i) = scene_node(id) {
                boxes.nodes[i].classes.push(class);
            }
        }
        for (a, b) in &h.edges {
            if let (Some(f), Some(t)) = (scene_node(a), scene_node(b))
                && let Some(e) = merged.get_mut(&(f, t))
            {
                e.classes.push(class);
            }
        }
    }
    for node in &mut boxes.nodes {
        node.classes.sort_unstable();
        node.classes.dedup();
    }
    for edge in merged.values_mut() {
        edge.classes.sort_unstable();
        edge.classes.dedup();
    }
}
