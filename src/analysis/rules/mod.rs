//! One file per check: diagnostic constructors, the rule, its metadata and docs, its tests.

pub mod async_cycle;
pub mod choke_point;
pub mod cross_group_coupling;
pub mod duplicate_dependency;
pub mod duplicate_id;
pub mod empty_group;
pub mod empty_view;
pub mod fan_in;
pub mod fan_out;
pub mod group_cycle;
pub mod layer_violation;
pub mod missing_description;
pub mod missing_owner;
pub mod orphan;
pub mod passive_dependency;
pub mod self_dependency;
pub mod shared_datastore;
pub mod single_point_of_failure;
pub mod sync_chain_depth;
pub mod sync_cycle;
pub mod unknown_reference;
pub mod unused_allow;

use std::fmt::Write;

use crate::model::{Model, ServiceId};

/// Names `ids` in manifest order, at most `shown` of them, then "and N more".
pub(crate) fn name_some(model: &Model, ids: &[ServiceId], shown: usize) -> String {
    let mut names: Vec<String> =
        ids.iter().take(shown).map(|&c| format!("`{}`", model.component(c).id)).collect();
    if ids.len() > shown {
        names.push(format!("and {} more", ids.len() - shown));
    }
    names.join(", ")
}

/// Names the components a component immediately dominates (`children`), and says how many
/// more lie behind them when it dominates `total` in all.
pub(crate) fn name_behind(model: &Model, children: &[ServiceId], total: usize) -> String {
    let mut text = name_some(model, children, 4);
    if total > children.len() {
        let more = total - children.len();
        let them = if children.len() == 1 { "it" } else { "them" };
        let _ = write!(text, " and {more} more behind {them}");
    }
    text
}
