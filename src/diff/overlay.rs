//! Both sides of a [`Diff`] in one diagram (`archmap diff --format svg`).
//!
//! Input: the old and the new [`Model`] and their [`Diff`]. Output: the union [`Model`] and the
//! [`Highlight`]s that mark every component and dependency with its diff status, for
//! [`scene::scene`](crate::scene::scene()) and the SVG renderer. Invariants: the union holds
//! each component, group and dependency once, in id order (not manifest order), taken from the
//! new side when it is there and from the old side otherwise, so the union — and with it the
//! layout — depends only on what the two sides hold, not on which side holds it or how either
//! file is ordered; unchanged parts keep their place whatever else changed around them in the
//! same union. Every component and dependency gets exactly one mark.

use std::collections::BTreeMap;

use super::{Diff, Status};
use crate::model::{Component, Dependency, Group, GroupId, Model};
use crate::scene::highlight::{Highlight, Mark};

/// The union of two models. Group frames take the colour of their status (unchanged ones the
/// default grey): groups carry no classes in a scene, and in the overlay colour means change.
#[must_use]
pub(crate) fn union(
    old: &Model,
    new: &Model,
    diff: &Diff,
    title: String,
    description: Option<String>,
) -> Model {
    let mut model =
        Model { name: title, description, name_span: new.name_span, ..Model::default() };

    // Groups: by id, the new side's definition first.
    let mut groups: BTreeMap<&str, (&Model, &Group)> = BTreeMap::new();
    for (m, g) in old.groups.iter().map(|g| (old, g)).chain(new.groups.iter().map(|g| (new, g))) {
        groups.insert(&g.id, (m, g));
    }
    for (i, (id, (_, g))) in groups.iter().enumerate() {
        let status = diff.groups.iter().find(|e| e.id == *id).map(|e| e.status);
        let color = status.map(|s| mark_of(Some(&s)).color().to_string());
        model.groups.push(Group { parent: None, color, ..(*g).clone() });
        model.group_index.insert((*id).to_string(), GroupId(i));
    }
    // Parents by id. Each side's links form a forest, and a group only in the old side can
    // name only groups of the old side or hang below a new one, so the union is a forest too.
    for (i, (m, g)) in groups.values().enumerate() {
        model.groups[i].parent =
            g.parent.and_then(|p| model.group_index.get(&m.group(p).id).copied());
    }

    // Components, by id.
    let mut components: BTreeMap<&str, (&Model, &Component)> = BTreeMap::new();
    for m in [old, new] {
        for s in m.components() {
            let c = m.component(s);
            components.insert(&c.id, (m, c));
        }
    }
    for (id, (m, c)) in &components {
        let group = c.group.and_then(|g| model.group_index.get(&m.group(g).id).copied());
        let node = model.graph.add_node(Component { group, ..(*c).clone() });
        model.index.insert((*id).to_string(), node);
    }

    // Dependencies, by (from, to).
    let mut edges: BTreeMap<(&str, &str), &Dependency> = BTreeMap::new();
    for m in [old, new] {
        for from in m.components() {
            for (to, d) in m.dependencies(from) {
                edges.insert((&m.component(from).id, &m.component(to).id), d);
            }
        }
    }
    for ((from, to), d) in edges {
        model.graph.add_edge(model.index[from], model.index[to], d.clone());
    }
    model
}

/// The highlight of `m` in `by_mark`, made when missing.
fn slot(by_mark: &mut BTreeMap<Mark, Highlight>, m: Mark) -> &mut Highlight {
    by_mark.entry(m).or_insert_with(|| Highlight { mark: m, nodes: Vec::new(), edges: Vec::new() })
}

/// The mark of a status; `None` is unchanged.
fn mark_of(status: Option<&Status>) -> Mark {
    match status {
        Some(Status::Added) => Mark::Added,
        Some(Status::Removed) => Mark::Removed,
        Some(Status::Changed) => Mark::Changed,
        None => Mark::Unchanged,
    }
}

/// One highlight per status: the components and dependencies of `union` with that status.
#[must_use]
pub(crate) fn marks(union: &Model, diff: &Diff) -> Vec<Highlight> {
    let mark = mark_of;
    let components: BTreeMap<&str, Status> =
        diff.components.iter().map(|e| (e.id.as_str(), e.status)).collect();
    let dependencies: BTreeMap<(&str, &str), Status> =
        diff.dependencies.iter().map(|e| ((e.from.as_str(), e.to.as_str()), e.status)).collect();
    let mut by_mark: BTreeMap<Mark, Highlight> = BTreeMap::new();
    for s in union.components() {
        let id = &union.component(s).id;
        slot(&mut by_mark, mark(components.get(id.as_str()))).nodes.push(id.clone());
    }
    for from in union.components() {
        for (to, _) in union.dependencies(from) {
            let (a, b) = (&union.component(from).id, &union.component(to).id);
            slot(&mut by_mark, mark(dependencies.get(&(a.as_str(), b.as_str()))))
                .edges
                .push((a.clone(), b.clone()));
        }
    }
    by_mark.into_values().collect()
}
