//! Stage 2: [`Manifest`]s → [`Model`].
//!
//! Input: the manifests of one run (root first). Output: one [`Model`]: a petgraph graph of
//! components and dependencies, groups as a forest, views with their selectors, and the
//! structural [`Defect`]s found on the way (unknown references, duplicate ids, self and
//! duplicate dependencies, group cycles), which checks AM001–AM005 report. Invariants: every
//! edge's endpoints exist; ids are unique (the first definition wins); the group `parent`
//! links form a forest (a cycle is cut at the link written last); node and group order is
//! manifest order; spans are kept on nodes, edges, groups and views.

pub(crate) mod flow;
pub(crate) mod select;

pub(crate) use flow::{Event, Flow, Message, Route, Step};

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxBuildHasher;

use crate::diagnostic::did_you_mean;
use crate::manifest::schema::ASYNC_PROTOCOLS;
use crate::manifest::{Collapse, Manifest, Selector, ServiceSpec};
use crate::source::{Span, Spanned};
use crate::vocab::{Direction, FocusDirection, Kind, Mode};

/// A component's index in [`Model::graph`].
pub(crate) type ServiceId = NodeIndex<u32>;

/// A group's index in [`Model::groups`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(pub usize);

/// One component of the system (an entry of `services`).
#[derive(Clone, Debug)]
pub struct Component {
    /// The manifest id.
    pub id: String,
    /// Where the id is written.
    pub span: Span,
    /// What it is.
    pub kind: Kind,
    /// Where `kind` is written, if it is.
    pub kind_span: Option<Span>,
    /// Display label (defaults to the id).
    pub label: String,
    /// `description`.
    pub description: Option<String>,
    /// The group it belongs to.
    pub group: Option<GroupId>,
    /// Its own `owner`.
    pub owner: Option<String>,
    /// `tech`.
    pub tech: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `replicas` (default 1).
    pub replicas: u32,
    /// Whether `replicas` is written: checks that need the count (AM022) do not read the
    /// default 1 as a fact.
    pub replicas_declared: bool,
    /// `url`.
    pub url: Option<Spanned<String>>,
    /// `allow`: rule ids or codes silenced for this component.
    pub allow: Vec<Spanned<String>>,
}

/// One edge: the source depends on the target.
#[derive(Clone, Debug)]
pub struct Dependency {
    /// Sync or async, after defaults.
    pub mode: Mode,
    /// `protocol`.
    pub protocol: Option<String>,
    /// `label`.
    pub label: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `optional`: the caller degrades gracefully without it.
    pub optional: bool,
    /// Where the target is named in the source's `depends_on`.
    pub span: Span,
    /// `latency_ms`: what one call costs the caller.
    pub latency_ms: Option<u32>,
    /// `timeout_ms`: how long the caller waits, with where it is written.
    pub timeout_ms: Option<Spanned<u32>>,
}

impl Dependency {
    /// Required (not optional) and sync: the edges failures travel along.
    #[must_use]
    pub fn is_required_sync(&self) -> bool {
        !self.optional && self.mode == Mode::Sync
    }
}

/// A boundary: domain, bounded context, team or zone.
#[derive(Clone, Debug)]
pub struct Group {
    /// The manifest id.
    pub id: String,
    /// Where the id is written.
    pub span: Span,
    /// Display label (defaults to the id).
    pub label: String,
    /// `description`.
    pub description: Option<String>,
    /// The enclosing group.
    pub parent: Option<GroupId>,
    /// Where `parent` is written (kept when a cycle cut the link).
    pub parent_span: Option<Span>,
    /// `color`, a CSS hex colour.
    pub color: Option<String>,
    /// `owner`, inherited by members without their own.
    pub owner: Option<String>,
}

/// A named diagram over a subset of the model.
#[derive(Clone, Debug)]
pub struct View {
    /// The manifest id.
    pub(crate) id: String,
    /// Where the id is written.
    pub(crate) span: Span,
    /// Title (defaults to the id).
    pub(crate) title: String,
    /// `description`.
    pub(crate) description: Option<String>,
    /// `include` (default `*`).
    pub(crate) include: Vec<Spanned<Selector>>,
    /// `exclude`.
    pub(crate) exclude: Vec<Spanned<Selector>>,
    /// `focus`, resolved (unknown ids are defects and left out).
    pub(crate) focus: Vec<ServiceId>,
    /// `depth` (default 1).
    pub(crate) depth: u32,
    /// `direction` (default both).
    pub(crate) direction: FocusDirection,
    /// Groups shown as one node each.
    pub(crate) collapse: Vec<GroupId>,
    /// `layout`.
    pub(crate) layout: Option<Direction>,
}

/// What an unknown reference was meant to name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum RefKind {
    /// A `depends_on` target.
    Dependency,
    /// A component's `group`.
    Group,
    /// A group's `parent`.
    Parent,
    /// A component id in a view's selector or focus.
    ViewComponent,
    /// A group in a view's selector or collapse.
    ViewGroup,
    /// A component named by a flow's step.
    FlowComponent,
}

/// A structural problem found while lowering; checks AM001–AM005 report them.
#[derive(Clone, Debug)]
pub(crate) enum Defect {
    /// A reference that names nothing.
    UnknownReference {
        /// What the reference should name.
        kind: RefKind,
        /// The name written.
        name: String,
        /// Where.
        span: Span,
        /// Who holds the reference (component, group or view id).
        holder: String,
        /// The closest existing id.
        suggestion: Option<String>,
    },
    /// An id (or any YAML key) defined twice.
    DuplicateId {
        /// What kind of thing, e.g. "service".
        what: String,
        /// The id.
        id: String,
        /// The kept definition.
        first: Span,
        /// The ignored one.
        second: Span,
    },
    /// A component that depends on itself (the edge is left out of the graph).
    SelfDependency {
        /// The component.
        component: ServiceId,
        /// Where it names itself.
        span: Span,
    },
    /// The same target twice in one `depends_on` (the second is left out of the graph).
    DuplicateDependency {
        /// The component.
        component: ServiceId,
        /// The target.
        target: ServiceId,
        /// The kept entry.
        first: Span,
        /// The ignored one.
        second: Span,
    },
    /// A cycle of group `parent` links, in link order (the last link was cut).
    GroupCycle {
        /// The groups, each the parent of the one before.
        groups: Vec<GroupId>,
    },
}

/// The system as a graph.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// The system's name (the diagram title).
    pub(crate) name: String,
    /// Where the name is written (the root file's start when it is not).
    pub(crate) name_span: Span,
    /// The system's description.
    pub(crate) description: Option<String>,
    /// Components and dependencies, in manifest order.
    pub(crate) graph: DiGraph<Component, Dependency, u32>,
    /// Component ids in manifest order.
    pub(crate) index: IdIndex<ServiceId>,
    /// Groups in manifest order.
    pub(crate) groups: Vec<Group>,
    /// Group ids in manifest order.
    pub(crate) group_index: IdIndex<GroupId>,
    /// Views in manifest order.
    pub(crate) views: Vec<View>,
    /// Flows in manifest order.
    pub(crate) flows: Vec<Flow>,
    /// Structural problems found while lowering.
    pub(crate) defects: Vec<Defect>,
}

impl Model {
    /// How many components the model holds.
    #[must_use]
    pub fn component_count(&self) -> usize {
        self.graph.node_count()
    }

    /// How many dependencies the model holds.
    #[must_use]
    pub fn dependency_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The manifest's views, in manifest order.
    #[must_use]
    pub fn views(&self) -> &[View] {
        &self.views
    }

    /// The manifest's flows, in manifest order.
    #[must_use]
    pub fn flows(&self) -> &[Flow] {
        &self.flows
    }

    /// The flow called `name`.
    #[must_use]
    pub fn find_flow(&self, name: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == name)
    }

    /// The component with index `id`.
    #[must_use]
    pub fn component(&self, id: ServiceId) -> &Component {
        &self.graph[id]
    }

    /// The component called `name`.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<ServiceId> {
        self.index.get(name).copied()
    }

    /// The group with index `id`.
    #[must_use]
    pub fn group(&self, id: GroupId) -> &Group {
        &self.groups[id.0]
    }

    /// The group called `name`.
    #[must_use]
    pub fn find_group(&self, name: &str) -> Option<GroupId> {
        self.group_index.get(name).copied()
    }

    /// All components in manifest order.
    pub fn components(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.graph.node_indices()
    }

    /// The dependency edge from `from` to `to`, if any.
    #[must_use]
    pub fn edge(&self, from: ServiceId, to: ServiceId) -> Option<EdgeIndex<u32>> {
        self.graph.find_edge(from, to)
    }

    /// The owner of a component: its own, else the nearest group's that has one.
    #[must_use]
    pub fn owner(&self, id: ServiceId) -> Option<&str> {
        let c = self.component(id);
        if let Some(o) = &c.owner {
            return Some(o);
        }
        let mut g = c.group;
        while let Some(gid) = g {
            let group = self.group(gid);
            if let Some(o) = &group.owner {
                return Some(o);
            }
            g = group.parent;
        }
        None
    }

    /// `group` and its ancestors, innermost first.
    #[must_use]
    pub fn group_chain(&self, group: GroupId) -> Vec<GroupId> {
        let mut chain = vec![group];
        let mut g = self.group(group).parent;
        while let Some(p) = g {
            chain.push(p);
            g = self.group(p).parent;
        }
        chain
    }

    /// Whether the component is in `group` or one of its descendants.
    #[must_use]
    pub fn in_group(&self, id: ServiceId, group: GroupId) -> bool {
        self.component(id).group.is_some_and(|g| self.group_chain(g).contains(&group))
    }

    /// Whether a component matches a selector.
    #[must_use]
    pub fn matches(&self, id: ServiceId, selector: &Selector) -> bool {
        let c = self.component(id);
        match selector {
            Selector::All => true,
            Selector::Id(name) => c.id == *name,
            Selector::Group(name) => self.find_group(name).is_some_and(|g| self.in_group(id, g)),
            Selector::Tag(tag) => c.tags.iter().any(|t| t == tag),
            Selector::Kind(kind) => c.kind == *kind,
        }
    }

    /// Dependencies of `id` (outgoing edges), in manifest order.
    pub fn dependencies(
        &self,
        id: ServiceId,
    ) -> impl Iterator<Item = (ServiceId, &Dependency)> + '_ {
        let mut edges: Vec<_> =
            self.graph.edges(id).map(|e| (e.id(), e.target(), e.weight())).collect();
        edges.sort_by_key(|(e, _, _)| *e);
        edges.into_iter().map(|(_, t, w)| (t, w))
    }
}

/// An index by id, in insertion order. Hashed with `FxHash`: fixed (no random seed, so runs are
/// alike) and fast on short ids; iteration follows insertion, never the hash.
pub(crate) type IdIndex<V> = IndexMap<String, V, FxBuildHasher>;

/// Builds the model from the manifests of one run (root first).
#[must_use]
pub(crate) fn lower(manifests: &[Manifest]) -> Model {
    let mut model = Model::default();
    let Some(root) = manifests.first() else {
        return model;
    };
    model.name = root.name.as_ref().map_or_else(String::new, |n| n.value.clone());
    model.name_span = root.name.as_ref().map_or(root.span, |n| n.span);
    model.description = root.description.as_ref().map(|d| d.value.clone());

    for m in manifests {
        for dup in &m.duplicate_keys {
            model.defects.push(Defect::DuplicateId {
                what: dup.what.clone(),
                id: dup.key.clone(),
                first: dup.first,
                second: dup.second,
            });
        }
    }

    // Groups first, so components can point at them.
    let group_ids = lower_groups(&mut model, manifests);

    // Components. The graph and the index are sized once: grown by doubling, the edge list
    // (large entries) was copied over and over on a big estate.
    let services = manifests.iter().map(|m| m.services.len()).sum();
    model.graph.reserve_nodes(services);
    model.index.reserve(services);
    let specs = lower_components(&mut model, manifests, &group_ids);

    // Dependencies, once every component is known.
    let dependencies = specs.iter().map(|(_, s)| s.depends_on.len()).sum();
    model.graph.reserve_exact_edges(dependencies);
    let ids: Vec<String> = model.index.keys().cloned().collect();
    lower_dependencies(&mut model, &specs, &ids);

    // Views.
    lower_views(&mut model, manifests, &ids, &group_ids);

    // Flows, over the finished graph.
    flow::lower_flows(&mut model, manifests, &ids);
    model
}

/// Takes the manifests' groups; adds the first of each id to the model, resolves their
/// `parent` links, cuts cycles, and gives the group ids in model order.
fn lower_groups(model: &mut Model, manifests: &[Manifest]) -> Vec<String> {
    let mut group_parents: Vec<Option<Spanned<String>>> = Vec::new();
    let mut group_spans: IdIndex<Span> = IdIndex::default();
    for g in manifests.iter().flat_map(|m| &m.groups) {
        if let Some(first) = group_spans.get(&g.id.value) {
            model.defects.push(duplicate("group", &g.id, *first));
            continue;
        }
        group_spans.insert(g.id.value.clone(), g.id.span);
        model.groups.push(Group {
            id: g.id.value.clone(),
            span: g.id.span,
            label: g.label.as_ref().map_or_else(|| g.id.value.clone(), |l| l.value.clone()),
            description: g.description.as_ref().map(|d| d.value.clone()),
            parent: None,
            parent_span: g.parent.as_ref().map(|p| p.span),
            color: g.color.as_ref().map(|c| c.value.clone()),
            owner: g.owner.as_ref().map(|o| o.value.clone()),
        });
        model.group_index.insert(g.id.value.clone(), GroupId(model.groups.len() - 1));
        group_parents.push(g.parent.clone());
    }
    let group_ids: Vec<String> = model.groups.iter().map(|g| g.id.clone()).collect();
    for (i, parent) in group_parents.iter().enumerate() {
        let Some(p) = parent else { continue };
        match model.group_index.get(&p.value) {
            Some(&pi) => model.groups[i].parent = Some(pi),
            None => model.defects.push(unknown(RefKind::Parent, p, &group_ids[i], &group_ids)),
        }
    }
    cut_group_cycles(model, &group_parents);
    group_ids
}

/// Takes the manifests' services; adds the first of each id to the graph (in its group, if
/// that is known) and gives each node with the spec it came from.
fn lower_components<'m>(
    model: &mut Model,
    manifests: &'m [Manifest],
    group_ids: &[String],
) -> Vec<(ServiceId, &'m ServiceSpec)> {
    let mut specs = Vec::new();
    for s in manifests.iter().flat_map(|m| &m.services) {
        if let Some(&first) = model.index.get(&s.id.value) {
            model.defects.push(duplicate("service", &s.id, model.graph[first].span));
            continue;
        }
        let group = s.group.as_ref().and_then(|g| {
            let found = model.find_group(&g.value);
            if found.is_none() {
                model.defects.push(unknown(RefKind::Group, g, &s.id.value, group_ids));
            }
            found
        });
        let node = model.graph.add_node(Component {
            id: s.id.value.clone(),
            span: s.id.span,
            kind: s.kind.as_ref().map_or(Kind::Service, |k| k.value),
            kind_span: s.kind.as_ref().map(|k| k.span),
            label: s.label.as_ref().map_or_else(|| s.id.value.clone(), |l| l.value.clone()),
            description: s.description.as_ref().map(|d| d.value.clone()),
            group,
            owner: s.owner.as_ref().map(|o| o.value.clone()),
            tech: s.tech.as_ref().map(|t| t.value.clone()),
            tags: s.tags.iter().map(|t| t.value.clone()).collect(),
            replicas: s.replicas.as_ref().map_or(1, |r| r.value),
            replicas_declared: s.replicas.is_some(),
            url: s.url.clone(),
            allow: s.allow.clone(),
        });
        model.index.insert(s.id.value.clone(), node);
        specs.push((node, s));
    }
    specs
}

/// Takes each node with its spec and the component ids; adds an edge per `depends_on` entry
/// (with its default mode), leaving out unknown targets, self and duplicate dependencies.
fn lower_dependencies(model: &mut Model, specs: &[(ServiceId, &ServiceSpec)], ids: &[String]) {
    for &(node, s) in specs {
        let mut seen: Vec<(ServiceId, Span)> = Vec::new();
        for d in &s.depends_on {
            let Some(target) = model.find(&d.target.value) else {
                model.defects.push(unknown(RefKind::Dependency, &d.target, &s.id.value, ids));
                continue;
            };
            if target == node {
                model.defects.push(Defect::SelfDependency { component: node, span: d.target.span });
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(t, _)| *t == target) {
                model.defects.push(Defect::DuplicateDependency {
                    component: node,
                    target,
                    first: *first,
                    second: d.target.span,
                });
                continue;
            }
            seen.push((target, d.target.span));
            let protocol = d.protocol.as_ref().map(|p| p.value.clone());
            let extra = d.more();
            let mode = extra.mode.as_ref().map_or_else(
                || default_mode(model.graph[target].kind, protocol.as_deref()),
                |m| m.value,
            );
            model.graph.add_edge(
                node,
                target,
                Dependency {
                    mode,
                    protocol,
                    label: extra.label.as_ref().map(|l| l.value.clone()),
                    description: extra.description.as_ref().map(|l| l.value.clone()),
                    optional: d.optional,
                    span: d.target.span,
                    latency_ms: extra.latency_ms.as_ref().map(|l| l.value),
                    timeout_ms: extra.timeout_ms.clone(),
                },
            );
        }
    }
}

/// Takes the manifests' views and the component and group ids; adds the first of each id to
/// the model, with its selectors checked and its focus and collapsed groups resolved.
fn lower_views(model: &mut Model, manifests: &[Manifest], ids: &[String], group_ids: &[String]) {
    let mut view_spans: IdIndex<Span> = IdIndex::default();
    for v in manifests.iter().flat_map(|m| &m.views) {
        if let Some(first) = view_spans.get(&v.id.value) {
            model.defects.push(duplicate("view", &v.id, *first));
            continue;
        }
        view_spans.insert(v.id.value.clone(), v.id.span);
        for sel in v.include.iter().chain(&v.exclude) {
            match &sel.value {
                Selector::Id(id) if model.find(id).is_none() => {
                    let name = Spanned::new(id.clone(), sel.span);
                    model.defects.push(unknown(RefKind::ViewComponent, &name, &v.id.value, ids));
                }
                Selector::Group(g) if model.find_group(g).is_none() => {
                    let name = Spanned::new(g.clone(), sel.span);
                    model.defects.push(unknown(RefKind::ViewGroup, &name, &v.id.value, group_ids));
                }
                _ => {}
            }
        }
        let mut focus = Vec::new();
        for f in &v.focus {
            match model.find(&f.value) {
                Some(id) => focus.push(id),
                None => model.defects.push(unknown(RefKind::ViewComponent, f, &v.id.value, ids)),
            }
        }
        let collapse = match &v.collapse {
            Collapse::None => Vec::new(),
            Collapse::All => (0..model.groups.len())
                .filter(|&i| model.groups[i].parent.is_none())
                .map(GroupId)
                .collect(),
            Collapse::Groups(names) => names
                .iter()
                .filter_map(|g| {
                    let found = model.find_group(&g.value);
                    if found.is_none() {
                        model.defects.push(unknown(RefKind::ViewGroup, g, &v.id.value, group_ids));
                    }
                    found
                })
                .collect(),
        };
        model.views.push(View {
            id: v.id.value.clone(),
            span: v.id.span,
            title: v.title.as_ref().map_or_else(|| v.id.value.clone(), |t| t.value.clone()),
            description: v.description.as_ref().map(|d| d.value.clone()),
            include: if v.include.is_empty() {
                vec![Spanned::new(Selector::All, v.id.span)]
            } else {
                v.include.clone()
            },
            exclude: v.exclude.clone(),
            focus,
            depth: v.depth.as_ref().map_or(1, |d| d.value),
            direction: v.direction.as_ref().map_or(FocusDirection::Both, |d| d.value),
            collapse,
            layout: v.layout.as_ref().map(|l| l.value),
        });
    }
}

/// The mode of a dependency that does not say: async towards a queue or topic, or over a
/// messaging protocol; sync otherwise (MANIFEST.md).
#[must_use]
pub(crate) fn default_mode(target: Kind, protocol: Option<&str>) -> Mode {
    let messaging_protocol =
        protocol.is_some_and(|p| ASYNC_PROTOCOLS.contains(&p.to_ascii_lowercase().as_str()));
    if target.is_messaging() || messaging_protocol { Mode::Async } else { Mode::Sync }
}

pub(crate) fn duplicate(what: &str, id: &Spanned<String>, first: Span) -> Defect {
    Defect::DuplicateId { what: what.into(), id: id.value.clone(), first, second: id.span }
}

pub(crate) fn unknown(
    kind: RefKind,
    name: &Spanned<String>,
    holder: &str,
    candidates: &[String],
) -> Defect {
    Defect::UnknownReference {
        kind,
        name: name.value.clone(),
        span: name.span,
        holder: holder.to_string(),
        suggestion: did_you_mean(&name.value, candidates.iter().map(String::as_str))
            .map(str::to_string),
    }
}

/// Finds cycles of `parent` links, records each once, and cuts the link written last so the
/// groups form a forest.
fn cut_group_cycles(model: &mut Model, parents: &[Option<Spanned<String>>]) {
    let n = model.groups.len();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    for start in 0..n {
        let mut path = Vec::new();
        let mut g = Some(start);
        while let Some(cur) = g {
            match state[cur] {
                2 => break,
                1 => {
                    let pos = path
                        .iter()
                        .position(|&p| p == cur)
                        .expect("a node on the path is in the path");
                    let cycle: Vec<usize> = path[pos..].to_vec();
                    // Cut the link written last in the file(s).
                    let cut = *cycle
                        .iter()
                        .max_by_key(|&&c| parents[c].as_ref().map(|p| (p.span.file, p.span.start)))
                        .expect("a cycle has members");
                    model.groups[cut].parent = None;
                    // Report the cycle starting after the cut link, in link order.
                    let at = cycle.iter().position(|&c| c == cut).expect("cut is in the cycle");
                    let ordered: Vec<GroupId> =
                        cycle[at + 1..].iter().chain(&cycle[..=at]).map(|&c| GroupId(c)).collect();
                    model.defects.push(Defect::GroupCycle { groups: ordered });
                    break;
                }
                _ => {}
            }
            state[cur] = 1;
            path.push(cur);
            g = model.groups[cur].parent.map(|p| p.0);
        }
        for p in path {
            state[p] = 2;
        }
    }
}
