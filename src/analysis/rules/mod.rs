//! One file per check: diagnostic constructors, the rule, its metadata and docs, its tests.

pub(crate) mod async_cycle;
pub(crate) mod choke_point;
pub(crate) mod cross_group_coupling;
pub(crate) mod duplicate_dependency;
pub(crate) mod duplicate_id;
pub(crate) mod empty_group;
pub(crate) mod empty_view;
pub(crate) mod fan_in;
pub(crate) mod fan_out;
pub(crate) mod flow_coverage;
pub(crate) mod flow_over_budget;
pub(crate) mod flow_reentrant_call;
pub(crate) mod flow_step_mismatch;
pub(crate) mod flow_sync_depth;
pub(crate) mod flow_undeclared_step;
pub(crate) mod group_cycle;
pub(crate) mod layer_violation;
pub(crate) mod missing_description;
pub(crate) mod missing_owner;
pub(crate) mod orphan;
pub(crate) mod passive_dependency;
pub(crate) mod self_dependency;
pub(crate) mod shared_datastore;
pub(crate) mod single_point_of_failure;
pub(crate) mod sync_chain_depth;
pub(crate) mod sync_cycle;
pub(crate) mod timeout_inversion;
pub(crate) mod unknown_reference;
pub(crate) mod unused_allow;

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
