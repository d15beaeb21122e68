//! Svg output (placeholder until implemented).

use super::{RenderOptions, Renderer, Scene};

/// Writes Svg.
#[derive(Clone, Copy, Debug, Default)]
pub struct SvgRenderer;

impl Renderer for SvgRenderer {
    fn name(&self) -> &'static str {
        "svg"
    }

    fn render(&self, _scene: &Scene, _options: &RenderOptions) -> String {
        String::new()
    }
}
