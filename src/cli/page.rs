//! The interactive HTML page of an analysed manifest, for `render --format html` and `serve`.

use super::Error;
use crate::diagnostic::Diagnostic;
use crate::pipeline::Analysis;
use crate::render::RenderOptions;
use crate::render::html::{FindingInfo, Page, PageView};
use crate::scene::SceneOptions;
use crate::scene::highlight::{Highlight, highlights};
use crate::source::Sources;
use crate::vocab::Direction;

/// What the page shows first and how it is drawn, beyond the render options.
#[derive(Clone, Debug, Default)]
pub(super) struct PageRequest {
    /// The view shown first.
    pub view: Option<String>,
    /// The component selected first.
    pub focus: Option<String>,
    /// Hops highlighted around the selection.
    pub depth: Option<u32>,
    /// Every diagram's direction.
    pub direction: Option<Direction>,
    /// Draw the findings onto the diagrams.
    pub highlight: bool,
}

/// The page of `analysed` (which must have a model: not fatal): the system and every view,
/// the components' details and every finding.
/// The page's view id of each flow (`flow-ID`), leaving out a flow whose id a view already
/// takes.
pub(super) fn flow_views(
    model: &crate::model::Model,
) -> impl Iterator<Item = (String, &crate::model::Flow)> {
    model
        .flows()
        .iter()
        .map(|f| (format!("flow-{}", f.id), f))
        .filter(|(id, _)| !model.views.iter().any(|v| &v.id == id))
}

pub(super) fn page(
    analysed: &Analysis,
    request: &PageRequest,
    options: &RenderOptions,
) -> Result<Page, Error> {
    let model = analysed.model.as_ref().expect("a manifest without fatal problems has a model");
    if let Some(v) = &request.view
        && !model.views.iter().any(|w| &w.id == v)
        && !flow_views(model).any(|(id, _)| &id == v)
    {
        return Err(Error::Usage(format!("no view is called `{v}`")));
    }
    if let Some(f) = &request.focus
        && model.find(f).is_none()
    {
        return Err(Error::Usage(format!("no component is called `{f}`")));
    }
    let marks: Vec<Highlight> =
        if request.highlight { highlights(&analysed.diagnostics) } else { Vec::new() };
    let base = SceneOptions {
        view: None,
        direction: request.direction,
        focus: Vec::new(),
        depth: None,
        focus_direction: None,
        highlights: &marks,
    };
    let system = crate::scene::scene(model, &base);
    let mut page = Page::new(&system.title);
    page.details_from(&system, &|id| {
        model.find(id).map(|c| model.component(c).tags.clone()).unwrap_or_default()
    });
    page.views.push(PageView::new("system", &system, options));
    for v in &model.views {
        let scene = crate::scene::scene(model, &SceneOptions { view: Some(v), ..base.clone() });
        page.views.push(PageView::new(&v.id, &scene, options));
    }
    // Each flow as a view of its own: the system with the flow's steps numbered on it.
    for (id, flow) in flow_views(model) {
        let scene = crate::scene::flow::overlay(model, flow, &base);
        page.views.push(PageView::new(&id, &scene, options));
    }
    page.findings = analysed
        .diagnostics
        .iter()
        .filter(|d| !d.fatal)
        .map(|d| finding_info(d, &analysed.loaded.sources))
        .collect();
    page.initial.view.clone_from(&request.view);
    page.initial.component.clone_from(&request.focus);
    page.initial.depth = request.depth.unwrap_or(1);
    Ok(page)
}

/// A finding for the page, located at its primary label as `FILE:LINE:COLUMN`.
pub(super) fn finding_info(d: &Diagnostic, sources: &Sources) -> FindingInfo {
    let location = d.labels.first().map(|l| {
        let (start, _) = sources.range(l.span);
        format!("{}:{}:{}", sources.get(l.span.file).name(), start.line, start.column)
    });
    FindingInfo {
        code: d.code.to_string(),
        id: d.id.to_string(),
        severity: d.severity.as_str().to_string(),
        message: d.message.clone(),
        location,
        help: d.help.clone(),
        subjects: d.subjects.clone(),
    }
}
