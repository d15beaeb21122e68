//! Mermaid output (placeholder until implemented).

use super::{RenderOptions, Renderer, Scene};

/// Writes Mermaid.
#[derive(Clone, Copy, Debug, Default)]
pub struct MermaidRenderer;

impl Renderer for MermaidRenderer {
    fn name(&self) -> &'static str {
        "mermaid"
    }

    fn render(&self, _scene: &Scene, _options: &RenderOptions) -> String {
        String::new()
    }
}
