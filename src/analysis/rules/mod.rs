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

use crate::model::{Model, ServiceId};

/// Names `ids` in manifest order, at most `shown` of them, then "and N more".
pub(crate) fn name_some(model: &Model, ids: &[ServiceId], shown: usize) -> String {
    let mut names: Vec<String> = ids.iter().take(shown).map(|&c| format!("`{}`", model.component(c).id)).collect();
    if ids.len() > shown {
        names.push(format!("and {} more", ids.len() - shown));
    }
    names.join(", ")
}
