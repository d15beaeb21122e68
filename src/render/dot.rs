//! Dot output (placeholder until implemented).

use super::{RenderOptions, Renderer, Scene};

/// Writes Dot.
#[derive(Clone, Copy, Debug, Default)]
pub struct DotRenderer;

impl Renderer for DotRenderer {
    fn name(&self) -> &'static str {
        "dot"
    }

    fn render(&self, _scene: &Scene, _options: &RenderOptions) -> String {
        String::new()
    }
}
