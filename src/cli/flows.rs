//! `render --flow`: a flow's sequence diagram, its overlay on the architecture diagram, and
//! every flow for `--all-views`.

use crate::error::Error;
use crate::layout::sequence::{MAX_COLUMNS, MAX_ROWS};
use crate::model::{Flow, Model};
use crate::render::{Format, RenderOptions, png, sequence};
use crate::scene::Scene;
use crate::scene::sequence::sequence as sequence_of;

/// The sequence diagram of `flow` in `format`: SVG, PNG or Mermaid; DOT and JSON draw the
/// overlay instead (they have no sequence diagrams).
pub(super) fn write_sequence(
    format: Format,
    model: &Model,
    flow: &Flow,
    options: &RenderOptions,
) -> Result<Vec<u8>, Error> {
    let seq = sequence_of(model, flow);
    let drawn = matches!(format, Format::Svg | Format::Png | Format::Mermaid);
    if drawn && (seq.items.len() > MAX_ROWS || seq.participants.len() > MAX_COLUMNS) {
        return Err(Error::Usage(format!(
            "flow `{}` has {} rows over {} components: a sequence diagram holds at most {MAX_ROWS} \
             rows (messages, returns and frame borders) and {MAX_COLUMNS} components; split the \
             flow, or draw it over the architecture with --overlay",
            flow.id,
            seq.items.len(),
            seq.participants.len()
        )));
    }
    match format {
        Format::Svg => Ok(sequence::svg(&seq, options.theme).into_bytes()),
        Format::Png => {
            png::rasterise(&sequence::svg(&seq, crate::render::Theme::Light), options.scale)
                .map_err(Error::Usage)
        }
        Format::Mermaid => Ok(sequence::mermaid(&seq).into_bytes()),
        Format::Dot | Format::Json => {
            let scene =
                crate::scene::flow::overlay(model, flow, &crate::scene::SceneOptions::default());
            write_overlay(format, &scene, options)
        }
        // `render` draws the page itself (it holds every flow); nothing else asks for it.
        Format::Html => {
            Err(Error::Usage("a flow in HTML is a view of the page: use -o FILE.html".into()))
        }
    }
}

/// The architecture diagram with a flow drawn over it.
pub(super) fn write_overlay(
    format: Format,
    scene: &Scene,
    options: &RenderOptions,
) -> Result<Vec<u8>, Error> {
    format.write(scene, options).map_err(Error::Usage)
}

/// `--all-views`: the flows to draw as `flow-ID` files, for the formats that draw sequences
/// (svg, png, mermaid); none for the others.
pub(super) fn drawn_flows(format: Format, model: &Model) -> Result<Vec<(String, &Flow)>, Error> {
    if !matches!(format, Format::Svg | Format::Png | Format::Mermaid) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for flow in model.flows() {
        let name = format!("flow-{}", flow.id);
        if model.views().iter().any(|v| v.id == name) {
            return Err(Error::Usage(format!(
                "a view is called `{name}`, the name of flow `{}`'s file of --all-views; rename the view",
                flow.id
            )));
        }
        out.push((name, flow));
    }
    Ok(out)
}
