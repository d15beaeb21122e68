//! Which components a view keeps: `include`, then `exclude`, then the `focus` neighbourhood.
//!
//! Input: a [`Model`] and a view (or the parts a caller overrides). Output: one flag per
//! component, indexed by [`ServiceId`]. Used by the scene builder and by check AM043, so a
//! view that the check calls empty draws nothing.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Model, ServiceId, View};
use crate::manifest::Selector;
use crate::source::Spanned;
use crate::vocab::{FocusDirection, Kind};

/// A list of selectors, compiled so that testing a component costs its own tags and the depth
/// of its group, not the length of the list (100,000 selectors by 100,000 components would
/// otherwise be 10^10 tests). Matches exactly what [`Model::matches`] says of some selector.
pub(crate) struct SelectorSet<'a> {
    all: bool,
    ids: HashSet<&'a str>,
    tags: HashSet<&'a str>,
    kinds: Vec<Kind>,
    /// By group index: the group is selected (its members and its child groups' are).
    groups: Vec<bool>,
}

impl<'a> SelectorSet<'a> {
    /// Compiles `selectors` against `model`'s groups.
    pub(crate) fn new(model: &Model, selectors: &'a [Spanned<Selector>]) -> Self {
        let mut set = SelectorSet {
            all: false,
            ids: HashSet::new(),
            tags: HashSet::new(),
            kinds: Vec::new(),
            groups: vec![false; model.groups.len()],
        };
        for s in selectors {
            match &s.value {
                Selector::All => set.all = true,
                Selector::Id(id) => {
                    set.ids.insert(id);
                }
                Selector::Tag(tag) => {
                    set.tags.insert(tag);
                }
                Selector::Kind(kind) => {
                    if !set.kinds.contains(kind) {
                        set.kinds.push(*kind);
                    }
                }
                Selector::Group(name) => {
                    if let Some(g) = model.find_group(name) {
                        set.groups[g.0] = true;
                    }
                }
            }
        }
        set
    }

    /// Whether some selector of the set matches component `id`.
    pub(crate) fn matches(&self, model: &Model, id: ServiceId) -> bool {
        let c = model.component(id);
        if self.all
            || self.ids.contains(c.id.as_str())
            || self.kinds.contains(&c.kind)
            || c.tags.iter().any(|t| self.tags.contains(t.as_str()))
        {
            return true;
        }
        let mut g = c.group;
        while let Some(cur) = g {
            crate::work::add(crate::work::Work::Selection, 1);
            if self.groups[cur.0] {
                return true;
            }
            g = model.group(cur).parent;
        }
        false
    }
}

/// How many components each selector would match, counted once for the whole model, so that
/// judging many selectors costs a lookup each.
pub(crate) struct SelectorCounts<'a> {
    components: usize,
    ids: HashSet<&'a str>,
    tags: HashMap<&'a str, usize>,
    kinds: HashMap<Kind, usize>,
    /// By group index: members of the group and of its child groups.
    groups: Vec<usize>,
}

impl<'a> SelectorCounts<'a> {
    /// Counts over every component of `model`.
    pub(crate) fn new(model: &'a Model) -> Self {
        let mut counts = SelectorCounts {
            components: 0,
            ids: HashSet::new(),
            tags: HashMap::new(),
            kinds: HashMap::new(),
            groups: vec![0; model.groups.len()],
        };
        for id in model.components() {
            let c = model.component(id);
            counts.components += 1;
            counts.ids.insert(&c.id);
            let mut seen: Vec<&str> = Vec::new();
            for t in &c.tags {
                if !seen.contains(&t.as_str()) {
                    seen.push(t);
                    *counts.tags.entry(t).or_default() += 1;
                }
            }
            *counts.kinds.entry(c.kind).or_default() += 1;
            let mut g = c.group;
            while let Some(cur) = g {
                counts.groups[cur.0] += 1;
                g = model.group(cur).parent;
            }
        }
        counts
    }

    /// How many components `selector` matches: what counting [`Model::matches`] over every
    /// component would give.
    pub(crate) fn count(&self, model: &Model, selector: &Selector) -> usize {
        match selector {
            Selector::All => self.components,
            Selector::Id(id) => usize::from(self.ids.contains(id.as_str())),
            Selector::Tag(tag) => self.tags.get(tag.as_str()).copied().unwrap_or(0),
            Selector::Kind(kind) => self.kinds.get(kind).copied().unwrap_or(0),
            Selector::Group(name) => model.find_group(name).map_or(0, |g| self.groups[g.0]),
        }
    }
}

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
        let (include, exclude) =
            (SelectorSet::new(model, &v.include), SelectorSet::new(model, &v.exclude));
        for id in model.components() {
            crate::work::add(crate::work::Work::Selection, 1);
            keep[id.index()] = include.matches(model, id) && !exclude.matches(model, id);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::model;

    #[test]
    fn compiled_selectors_agree_with_matches() {
        let model = model(
            "version: 1\nname: T\ngroups:\n  outer: {}\n  inner: {parent: outer}\nservices:\n  a: {group: inner, tags: [x, x]}\n  b: {kind: database, tags: [y]}\n  c: {group: outer}\n  d: {}\n",
        );
        let selectors = [
            Selector::All,
            Selector::Id("a".into()),
            Selector::Id("zz".into()),
            Selector::Group("outer".into()),
            Selector::Group("inner".into()),
            Selector::Group("nope".into()),
            Selector::Tag("x".into()),
            Selector::Tag("q".into()),
            Selector::Kind(Kind::Database),
            Selector::Kind(Kind::Queue),
        ];
        let counts = SelectorCounts::new(&model);
        for s in &selectors {
            let one = [Spanned::new(s.clone(), crate::source::Span::default())];
            let set = SelectorSet::new(&model, &one);
            let mut matched = 0;
            for id in model.components() {
                assert_eq!(set.matches(&model, id), model.matches(id, s), "{s}");
                matched += usize::from(model.matches(id, s));
            }
            assert_eq!(counts.count(&model, s), matched, "{s}");
        }
    }
}
