//! Stage 4: [`Model`](crate::model::Model) → [`Scene`] → diagram text.
//!
//! Input: a model, rendering options and (for highlights) findings. Output: the text of a
//! DOT, Mermaid or SVG diagram, or the positioned scene as JSON. Invariants: renderers read only the [`Scene`], never the
//! manifest; output is byte-identical for identical input; every user string is escaped for
//! the target format.

pub(crate) mod dot;
pub(crate) mod escape;
pub(crate) mod json;
pub(crate) mod mermaid;
pub(crate) mod png;
pub(crate) mod svg;

use crate::layout;
use crate::scene::Scene;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Scalable Vector Graphics, laid out by archmap.
    Svg,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// The positioned scene as JSON.
    Json,
    /// The SVG rasterised to PNG ([`png`]); binary, so not a [`Renderer`].
    Png,
}

impl Format {
    /// The name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Json => "json",
            Format::Png => "png",
        }
    }

    /// The format an output path's extension asks for: `.svg`, `.dot`/`.gv`, `.mmd`/`.mermaid`,
    /// `.json`, `.png`.
    #[must_use]
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "dot" | "gv" => Some(Format::Dot),
            "mmd" | "mermaid" => Some(Format::Mermaid),
            "json" => Some(Format::Json),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// Which layout engine positions the SVG.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// archmap's own layered engine ([`layout::Layered`]).
    #[default]
    Native,
    /// The layout-rs crate ([`layout::LayoutRs`]): slow, no clusters.
    LayoutRs,
}

/// Default for [`RenderOptions::max_nodes`].
pub(crate) const DEFAULT_MAX_NODES: usize = 400;

/// How to draw, beyond what the scene holds.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// The layout engine for SVG and JSON.
    pub engine: Engine,
    /// Above this many boxes the SVG carries a note suggesting a view, a focus or collapsing.
    pub max_nodes: usize,
    /// SVG colours.
    pub theme: Theme,
    /// Draw a legend of the kinds, edge styles and highlights the SVG uses.
    pub legend: bool,
}

/// SVG colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on white.
    #[default]
    Light,
    /// Light text on a dark background.
    Dark,
    /// Light, switching to dark with CSS `@media (prefers-color-scheme: dark)`.
    Auto,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            engine: Engine::Native,
            max_nodes: DEFAULT_MAX_NODES,
            theme: Theme::Light,
            legend: false,
        }
    }
}

impl RenderOptions {
    /// The layout engine to use.
    #[must_use]
    pub fn layout(&self) -> &'static dyn layout::Layout {
        match self.engine {
            Engine::Native => &layout::Layered,
            Engine::LayoutRs => &layout::LayoutRs,
        }
    }
}

/// One output format. Adding a format means one new file and one new [`Format`] arm.
pub(crate) trait Renderer {
    /// The diagram's text.
    fn render(&self, scene: &Scene, options: &RenderOptions) -> String;
}

/// The renderer for `format`.
#[must_use]
pub(crate) fn renderer(format: Format) -> &'static dyn Renderer {
    match format {
        Format::Dot => &dot::DotRenderer,
        Format::Mermaid => &mermaid::MermaidRenderer,
        Format::Json => &json::JsonRenderer,
        // PNG is the SVG, rasterised by the caller with [`png::rasterise`].
        Format::Svg | Format::Png => &svg::SvgRenderer,
    }
}
