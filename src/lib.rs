//! archmap: architecture as code.
//!
//! A YAML manifest describes a system's components and who depends on whom. archmap reads it
//! into a dependency graph, checks it (cycles, bottlenecks, broken references) and renders it
//! as SVG, Graphviz DOT and Mermaid. The pipeline, one stage per module:
//!
//! ```text
//! SourceFile ─parse─▶ Manifest ─lower─▶ Model ─check─▶ Vec<Diagnostic>
//!                                         └──────┬──────────┘
//!                                             scene ─▶ Scene ─▶ dot | mermaid | svg
//! ```

pub mod analysis;
pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod import;
pub mod json_schema;
pub mod layout;
pub mod manifest;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod scene;
pub mod source;
pub mod vocab;
