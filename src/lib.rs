//! archmap: architecture as code.
//!
//! A YAML manifest describes a system's components and who depends on whom. archmap reads it
//! into a dependency graph, checks it (cycles, bottlenecks, broken references) and renders it
//! as SVG, Graphviz DOT and Mermaid. The pipeline, one stage per module:
//!
//! ```text
//! SourceFile ─parse─▶ Manifest ─lower─▶ Model ─check─▶ Vec<Diagnostic>
//!                                         └──────┬──────────┘
//!                                             scene ─▶ Scene ─layout─▶ Positioned ─▶ svg | png | json
//!                                                        └──────────────────────────▶ dot | mermaid
//! ```

mod analysis;
mod baseline;
mod cli;
mod codes;
mod diagnostic;
mod diff;
mod drift;
mod error;
mod import;
mod json_schema;
mod layout;
mod manifest;
mod model;
mod pipeline;
mod render;
mod scene;
mod source;
pub mod vocab;
pub mod work;

pub use analysis::{Category, Config, ParamDefault, ParamKind, ParamMeta, RuleMeta};
pub use cli::{Io, run};
pub use codes::Code;
pub use diagnostic::{Diagnostic, Label, ProblemMeta, Severity};
pub use import::{
    ComposeFile, KubeRequest, Outcome as Imported, Request as ImportRequest,
    compose as import_compose, kubernetes as import_kubernetes,
};
pub use layout::Engine;
pub use manifest::{FileSystem, Limits, LoadOptions, Loaded, load};
pub use model::{Model, View};
pub use pipeline::{Analysis, Options, analyse, check, config, lower};
pub use render::{Format, RenderOptions, Theme};
pub use scene::highlight::{Highlight, highlights};
pub use scene::{Scene, SceneOptions, scene};
pub use source::{FileId, SourceFile, Sources, Span};

/// The text of `scene` in `format`, drawn with `options` (PNG, a binary format, is the SVG
/// that `archmap render --format png` rasterises).
#[must_use]
pub fn render(scene: &Scene, format: Format, options: &RenderOptions) -> String {
    render::renderer(format).render(scene, options)
}

/// Every code archmap reports, in code order: the checks (`AM0xx`), the problems reading a
/// manifest (`AM1xx`) and the problems of `archmap import` (`AM2xx`).
pub fn codes() -> impl Iterator<Item = Code> {
    codes::all()
}

/// Every check archmap has, sorted by code.
pub fn rules() -> impl Iterator<Item = &'static RuleMeta> {
    analysis::registry::metas()
}

/// The manifest format's JSON Schema (draft 2020-12), as `archmap schema` prints it.
#[must_use]
pub fn json_schema() -> String {
    json_schema::to_json()
}

#[cfg(feature = "quality")]
pub use layout::quality;
