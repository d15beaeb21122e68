//! PNG output: the SVG rasterised in-process with resvg.
//!
//! Input: an SVG document written by [`svg`] and a scale ([`PngRenderer`] writes it from a
//! scene). Output: PNG bytes.
//! Invariants: text is drawn with Liberation Sans (Regular and Bold) embedded in the binary,
//! and no system font is ever loaded, so a picture is byte-identical on every machine; the
//! picture is `scale` times the SVG's width and height, rounded up.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::{BinaryRenderer, RenderOptions, Renderer, Theme, svg};
use crate::layout::measure::{Lines, measure_all};
use crate::scene::Scene;

/// Default for [`RenderOptions::scale`]: PNG pixels per SVG unit.
pub(crate) const DEFAULT_SCALE: f32 = 2.0;

/// Writes the SVG as a PNG picture.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PngRenderer;

impl BinaryRenderer for PngRenderer {
    fn source(&self) -> &'static dyn Renderer {
        &svg::SvgRenderer
    }

    fn render(&self, scene: &Scene, options: &RenderOptions) -> Result<Vec<u8>, String> {
        // A picture cannot follow the reader's preference: PNG draws `auto` as light.
        let theme = if options.theme == Theme::Auto { Theme::Light } else { options.theme };
        let options = RenderOptions { theme, ..options.clone() };
        // Refused before the layout when the boxes alone cannot fit: a layout of thousands of
        // boxes takes seconds, and its picture would be refused anyway.
        if options.scale.is_finite() && options.scale > 0.0 {
            let area = least_area(scene);
            let side = f64::from(MAX_SIDE);
            if area * f64::from(options.scale).powi(2) > side * side {
                return Err(format!(
                    "the picture cannot fit in {MAX_SIDE}×{MAX_SIDE} pixels at --scale {}: its \
                     {} boxes alone cover {:.0} square units; --scale {} at most could fit, or \
                     render a view, a focus or collapsed groups",
                    options.scale,
                    scene.nodes.len(),
                    area,
                    fitting_scale(area.sqrt(), area.sqrt()),
                ));
            }
        }
        // Otherwise decided once the layout is known, before the SVG is written and parsed
        // again (a 40 MB SVG takes resvg longer to read than the layout took).
        let scale = options.scale;
        let fits = |width: f64, height: f64| {
            // As `pixmap` computes it, from the f32 size usvg reads.
            let (w, h) = ((width as f32 * scale).ceil(), (height as f32 * scale).ceil());
            if w > MAX_SIDE as f32 || h > MAX_SIDE as f32 {
                return Err(too_big(f64::from(w), f64::from(h), width, height));
            }
            Ok(())
        };
        let svg = if scale.is_finite() && scale > 0.0 {
            svg::render_sized(scene, &options, &fits)?
        } else {
            self.source().render(scene, &options)
        };
        rasterise(&svg, scale)
    }
}

/// The least area, in square SVG units, any drawing of `scene` covers: its boxes alone, as
/// measured with either line width (a drawing also has gaps, lines and frames).
fn least_area(scene: &Scene) -> f64 {
    let area = |lines| -> f64 {
        measure_all(scene, lines, scene.direction).2.nodes.iter().map(|s| s.width * s.height).sum()
    };
    area(Lines::Wide).min(area(Lines::Narrow))
}

/// The largest scale, rounded down to hundredths, at which a picture of `width` × `height`
/// SVG units fits in [`MAX_SIDE`] pixels on a side.
fn fitting_scale(width: f64, height: f64) -> String {
    let fit = f64::from(MAX_SIDE) / width.max(height).max(1.0);
    format!("{:.2}", (fit * 100.0).floor() / 100.0)
}

/// The error for a picture of `pixels_w` × `pixels_h` from a drawing of `width` × `height`
/// SVG units.
fn too_big(pixels_w: f64, pixels_h: f64, width: f64, height: f64) -> String {
    format!(
        "the picture would be {pixels_w}×{pixels_h} pixels, over {MAX_SIDE} on a side; --scale {} \
         fits, or render a view",
        fitting_scale(width, height)
    )
}

/// Liberation Sans Regular (SIL Open Font License 1.1, see `assets/fonts/LICENSE`).
const REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold.
const BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// The family every SVG names first, and the only one the database holds.
pub(crate) const FONT: &str = "Liberation Sans";

/// Largest picture side in pixels.
pub(crate) const MAX_SIDE: u32 = 16_384;

/// The font database: only the embedded fonts, every generic family mapped to them.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family(FONT);
        db.set_serif_family(FONT);
        db.set_monospace_family(FONT);
        db.set_cursive_family(FONT);
        db.set_fantasy_family(FONT);
        Arc::new(db)
    })
    .clone()
}

/// Rasterises `svg` at `scale` pixels per SVG unit and encodes it as PNG.
///
/// # Errors
/// When the SVG does not parse, the scale is not positive, or the picture would be larger than
/// [`MAX_SIDE`] pixels on a side.
pub(crate) fn rasterise(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let pixmap = pixmap(svg, scale)?;
    pixmap.encode_png().map_err(|e| format!("cannot encode the PNG: {e}"))
}

/// Rasterises `svg` at `scale` into a pixmap (premultiplied RGBA).
///
/// # Errors
/// As [`rasterise`].
pub(crate) fn pixmap(svg: &str, scale: f32) -> Result<tiny_skia::Pixmap, String> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(format!("--scale must be a positive number, not {scale}"));
    }
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: FONT.to_string(),
        resources_dir: None,
        ..usvg::Options::default()
    };
    let tree =
        usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot read the SVG: {e}"))?;
    let size = tree.size();
    let width = (size.width() * scale).ceil();
    let height = (size.height() * scale).ceil();
    if width > MAX_SIDE as f32 || height > MAX_SIDE as f32 {
        return Err(too_big(
            f64::from(width),
            f64::from(height),
            f64::from(size.width()),
            f64::from(size.height()),
        ));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width as u32, height as u32)
        .ok_or_else(|| "the picture is empty".to_string())?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\" \
        viewBox=\"0 0 40 20\"><rect width=\"40\" height=\"20\" fill=\"#ffffff\"/>\
        <text x=\"2\" y=\"15\" style=\"font-family: 'Liberation Sans'; font-size: 14px\">Ab</text></svg>";

    #[test]
    fn size_follows_the_scale_and_text_is_drawn() {
        let p = pixmap(SVG, 2.0).unwrap();
        assert_eq!((p.width(), p.height()), (80, 40));
        // Some pixel is dark: the text was drawn with the embedded font.
        assert!(p.pixels().iter().any(|c| c.red() < 100));
    }

    #[test]
    fn output_is_a_decodable_deterministic_png() {
        let a = rasterise(SVG, 1.0).unwrap();
        assert_eq!(a, rasterise(SVG, 1.0).unwrap());
        let back = tiny_skia::Pixmap::decode_png(&a).unwrap();
        assert_eq!((back.width(), back.height()), (40, 20));
    }

    #[test]
    fn bad_scales_and_documents_are_refused() {
        assert!(rasterise(SVG, 0.0).is_err());
        assert!(rasterise(SVG, f32::NAN).is_err());
        assert!(rasterise("not svg", 1.0).is_err());
        // 40 × 409.6 = 16,384: the scale said to fit is the largest that does.
        let too_big = rasterise(SVG, 1000.0).unwrap_err();
        assert!(too_big.contains("40000×20000 pixels"), "{too_big}");
        assert!(too_big.contains("--scale 409.60 fits"), "{too_big}");
    }

    #[test]
    fn the_font_database_holds_only_the_embedded_fonts() {
        let db = fonts();
        assert_eq!(db.len(), 2);
        assert!(db.faces().all(|f| f.families.iter().any(|(n, _)| n == FONT)));
    }
}
