//! The writers: [`Scene`] (laid out by [`crate::layout`] where the format positions things) →
//! diagram text or bytes.
//!
//! Input: a scene and [`RenderOptions`]. Output: the text of a DOT, Mermaid or SVG diagram, the
//! positioned scene as JSON, or a PNG picture. Invariants: writers read only the [`Scene`] and
//! the layout's [`Positioned`](crate::layout::Positioned), never the model or the manifest;
//! output is byte-identical for identical input; every user string is escaped for the target
//! format; every colour comes from [`palette`].

pub(crate) mod dot;
pub(crate) mod escape;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod mermaid;
pub(crate) mod palette;
pub(crate) mod png;
pub(crate) mod sequence;
pub(crate) mod svg;

use crate::layout::{Engine, Layout};
use crate::scene::Scene;

/// An output format. A new format is one file in this folder (its `Renderer`, or its
/// `BinaryRenderer` for bytes), one variant, one entry in `Format::ALL` and one arm in
/// `Format::spec`; the command line reads names, extensions and help from here.
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
    /// The SVG rasterised to PNG (`png`).
    Png,
    /// One self-contained interactive HTML page (`html`).
    Html,
}

/// How a format's output is made.
#[derive(Clone, Copy)]
pub(crate) enum Writer {
    /// Text, from a [`Renderer`].
    Text(&'static dyn Renderer),
    /// Bytes, from a [`BinaryRenderer`].
    Binary(&'static dyn BinaryRenderer),
}

/// What archmap knows about a [`Format`]: one row of the table.
struct FormatSpec {
    /// The name on the command line.
    name: &'static str,
    /// The file extensions that ask for it, the one `--all-views` writes first.
    extensions: &'static [&'static str],
    /// The command line's help for it.
    help: &'static str,
    /// Its writer.
    writer: Writer,
    /// Whether a layout engine positions it, so `--engine` and `--max-nodes` apply.
    laid_out: bool,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub(crate) const ALL: [Format; 6] =
        [Format::Svg, Format::Dot, Format::Mermaid, Format::Json, Format::Png, Format::Html];

    /// The table: one arm per format.
    const fn spec(self) -> FormatSpec {
        match self {
            Format::Svg => FormatSpec {
                name: "svg",
                extensions: &["svg"],
                help: "SVG, laid out by archmap",
                writer: Writer::Text(&svg::SvgRenderer),
                laid_out: true,
            },
            Format::Dot => FormatSpec {
                name: "dot",
                extensions: &["dot", "gv"],
                help: "Graphviz DOT",
                writer: Writer::Text(&dot::DotRenderer),
                laid_out: false,
            },
            Format::Mermaid => FormatSpec {
                name: "mermaid",
                extensions: &["mmd", "mermaid"],
                help: "Mermaid flowchart",
                writer: Writer::Text(&mermaid::MermaidRenderer),
                laid_out: false,
            },
            Format::Json => FormatSpec {
                name: "json",
                extensions: &["json"],
                help: "The positioned scene as JSON: boxes, frames, routes and labels in SVG units",
                writer: Writer::Text(&json::JsonRenderer),
                laid_out: true,
            },
            Format::Png => FormatSpec {
                name: "png",
                extensions: &["png"],
                help: "A PNG picture of the SVG, rasterised with an embedded font",
                writer: Writer::Binary(&png::PngRenderer),
                laid_out: true,
            },
            Format::Html => FormatSpec {
                name: "html",
                extensions: &["html", "htm"],
                help: "One self-contained interactive HTML page: the system and every view, with \
                       pan, zoom, search, neighbourhoods and findings",
                writer: Writer::Text(&html::HtmlRenderer),
                laid_out: true,
            },
        }
    }

    /// The name used on the command line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// One line for `--help`.
    #[must_use]
    pub(crate) const fn help(self) -> &'static str {
        self.spec().help
    }

    /// The extension of the files it writes (`mmd` for Mermaid).
    #[must_use]
    pub(crate) const fn extension(self) -> &'static str {
        self.spec().extensions[0]
    }

    /// Every extension that asks for it, the one it writes first.
    #[must_use]
    pub(crate) const fn extensions(self) -> &'static [&'static str] {
        self.spec().extensions
    }

    /// Its writer.
    #[must_use]
    pub(crate) const fn writer(self) -> Writer {
        self.spec().writer
    }

    /// Whether its output is bytes rather than text.
    #[must_use]
    pub(crate) const fn is_binary(self) -> bool {
        matches!(self.spec().writer, Writer::Binary(_))
    }

    /// Whether a layout engine positions it, so `--engine` and `--max-nodes` apply.
    #[must_use]
    pub(crate) const fn is_laid_out(self) -> bool {
        self.spec().laid_out
    }

    /// The format an output path's extension asks for (any of [`Format::extensions`], in any
    /// case).
    #[must_use]
    #[cfg(test)]
    pub(crate) fn from_extension(ext: &str) -> Option<Format> {
        let ext = ext.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.extensions().contains(&ext.as_str()))
    }

    /// The diagram of `scene` in this format.
    ///
    /// # Errors
    ///
    /// A binary format's message when it cannot be made (a PNG too large, a bad scale).
    pub(crate) fn write(self, scene: &Scene, options: &RenderOptions) -> Result<Vec<u8>, String> {
        match self.writer() {
            Writer::Text(r) => Ok(r.render(scene, options).into_bytes()),
            Writer::Binary(r) => r.render(scene, options),
        }
    }
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
    /// PNG pixels per SVG unit.
    pub scale: f32,
}

/// SVG colours (`palette` holds them).
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

impl Theme {
    /// Every theme, in the order `--help` lists them.
    pub(crate) const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::Auto];

    /// The name used on the command line.
    #[must_use]
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    /// One line for `--help`.
    #[must_use]
    pub(crate) const fn help(self) -> &'static str {
        match self {
            Theme::Light => "Dark text on white",
            Theme::Dark => "Light text on a dark background",
            Theme::Auto => {
                "Light or dark following the reader's preference (`prefers-color-scheme`)"
            }
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            engine: Engine::Native,
            max_nodes: DEFAULT_MAX_NODES,
            theme: Theme::Light,
            legend: false,
            scale: png::DEFAULT_SCALE,
        }
    }
}

impl RenderOptions {
    /// The layout engine to use.
    #[must_use]
    pub(crate) fn layout(&self) -> &'static dyn Layout {
        self.engine.layout()
    }
}

/// A text output format.
pub(crate) trait Renderer {
    /// The diagram's text.
    fn render(&self, scene: &Scene, options: &RenderOptions) -> String;
}

/// A binary output format, made from a text one.
pub(crate) trait BinaryRenderer {
    /// The renderer of the text it is made from (PNG: the SVG's).
    fn source(&self) -> &'static dyn Renderer;
    /// The diagram's bytes.
    ///
    /// # Errors
    ///
    /// A message when the bytes cannot be made.
    fn render(&self, scene: &Scene, options: &RenderOptions) -> Result<Vec<u8>, String>;
}

/// The text renderer for `format`; for a binary format, the renderer of the text it is made
/// from (PNG: SVG).
#[must_use]
pub(crate) fn renderer(format: Format) -> &'static dyn Renderer {
    match format.writer() {
        Writer::Text(r) => r,
        Writer::Binary(r) => r.source(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Format::ALL.len());
        for f in Format::ALL {
            for ext in f.extensions() {
                assert_eq!(Format::from_extension(ext), Some(f));
                assert_eq!(Format::from_extension(&ext.to_ascii_uppercase()), Some(f));
            }
            assert_eq!(f.extension(), f.extensions()[0]);
        }
        assert_eq!(Format::from_extension("mermaid"), Some(Format::Mermaid));
        assert_eq!(Format::Mermaid.extension(), "mmd");
        assert_eq!(Format::from_extension("txt"), None);
        assert!(Format::Png.is_binary() && !Format::Svg.is_binary());
    }
}
