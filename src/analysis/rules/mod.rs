//! One file per check: diagnostic constructors, the rule, its metadata and docs, its tests.

pub mod async_cycle;
pub mod duplicate_dependency;
pub mod duplicate_id;
pub mod group_cycle;
pub mod self_dependency;
pub mod sync_cycle;
pub mod unknown_reference;
