//! One self-contained interactive HTML page: the system and every view, explorable in a browser.
//!
//! Input: a [`Page`]: one [`PageView`] per diagram (each a [`Scene`] drawn by the SVG writer,
//! unchanged), the components' and groups' details, the findings of `check` and, for the live
//! preview of `archmap serve`, the problems that stopped the last reading. Output: an HTML
//! document through `templates/explore.html` with its CSS and JavaScript inline
//! (`templates/explore.css`, `templates/explore.js`) and the data in a JSON island.
//! Invariants: no network access (a Content-Security-Policy meta forbids every source but the
//! page's own script, identified by its SHA-256, and inline styles; the live page may also
//! connect to its own origin); every user string is escaped for where it lands (askama's HTML
//! escaping for the title, the SVG writer's XML escaping inside the drawings, JSON escaping
//! with `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes in the island, so no text can close
//! the `<script>` element or open a comment); links only for URLs that pass
//! [`escape::is_safe_url`]; the drawing of each view is the SVG archmap writes, and the
//! script finds its boxes and lines by their order, which is the scene's; output is
//! byte-identical for identical input.

use std::fmt::Write as _;

use askama::Template;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::escape;
use super::{RenderOptions, Renderer, Theme, palette, svg};
use crate::scene::Scene;
use crate::vocab::Kind;

/// The page's stylesheet.
const CSS: &str = include_str!("../../templates/explore.css");
/// The page's script: no framework, no build step.
const SCRIPT: &str = include_str!("../../templates/explore.js");

/// Writes a page of one diagram (what `Format::write` asks of every format); `archmap render
/// --format html` and `archmap serve` build a [`Page`] of every view with findings instead.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn render(&self, scene: &Scene, options: &RenderOptions) -> String {
        let mut page = Page::new(&scene.title);
        page.details_from(scene, &|_| Vec::new());
        page.views.push(PageView::new("system", scene, options));
        page.render()
    }
}

/// Everything the page shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Page {
    /// The system's name: the document's title.
    pub title: String,
    /// The diagrams, the whole system first.
    pub views: Vec<PageView>,
    /// Every component's details, in manifest order.
    pub components: Vec<ComponentInfo>,
    /// Every group's details, in manifest order.
    pub groups: Vec<GroupInfo>,
    /// The findings of `check`.
    pub findings: Vec<FindingInfo>,
    /// Problems that stopped the last reading (live preview): shown above the last good
    /// drawing.
    pub errors: Vec<FindingInfo>,
    /// Where the page opens, unless its address says otherwise.
    pub initial: Initial,
    /// A live preview: the script listens to `/events` and fetches `/` on every change.
    pub live: bool,
}

/// Where the page opens.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Initial {
    /// The view shown first (`None`: the system).
    pub view: Option<String>,
    /// The component selected first.
    pub component: Option<String>,
    /// Hops to highlight around the selection.
    pub depth: u32,
}

/// One diagram of the page.
#[derive(Clone, Debug)]
pub(crate) struct PageView {
    /// Its id (`system` for the whole system).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The SVG archmap draws, without its XML declaration.
    pub svg: String,
    /// The id of each box, in the scene's (and the SVG's) order.
    pub nodes: Vec<String>,
    /// The boxes that stand for a collapsed group.
    pub collapsed: Vec<usize>,
    /// Each line's ends, as indices into `nodes`, in the scene's order.
    pub edges: Vec<(usize, usize)>,
}

impl PageView {
    /// The view `id` of `scene`, drawn by the SVG writer in the light theme (the page's
    /// stylesheet carries the dark one, so the reader can switch).
    #[must_use]
    pub(crate) fn new(id: &str, scene: &Scene, options: &RenderOptions) -> PageView {
        let options = RenderOptions { theme: Theme::Light, ..options.clone() };
        let svg = svg::render_with_options(scene, &options);
        // The XML declaration means nothing inside HTML (the parser would keep it as a comment).
        let svg = match svg.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>\n").map_or(rest, |(_, s)| s).to_string(),
            None => svg,
        };
        PageView {
            id: id.to_string(),
            title: scene.title.clone(),
            svg,
            nodes: scene.nodes.iter().map(|n| n.id.clone()).collect(),
            collapsed: (0..scene.nodes.len())
                .filter(|&i| scene.nodes[i].collapsed.is_some())
                .collect(),
            edges: scene.edges.iter().map(|e| (e.from, e.to)).collect(),
        }
    }
}

/// What the side panel says of a component.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ComponentInfo {
    /// The manifest id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// Its kind.
    pub kind: &'static str,
    /// `tech`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tech: Option<String>,
    /// Owner (own or inherited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `url`, when it is safe to link to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `replicas`.
    pub replicas: u32,
    /// `tags`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Its group's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// What the side panel says of a group (shown for a collapsed group's box).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct GroupInfo {
    /// The manifest id.
    pub id: String,
    /// Display label.
    pub label: String,
    /// The enclosing group's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A finding or reading problem, located.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FindingInfo {
    /// `AM010`.
    pub code: String,
    /// `sync-cycle`.
    pub id: String,
    /// `error`, `warning`, `info`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// `FILE:LINE:COLUMN` of the primary place, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The components (or groups) it is about.
    pub subjects: Vec<String>,
}

/// The JSON island.
#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    live: bool,
    initial: &'a Initial,
    views: Vec<ViewData<'a>>,
    components: &'a [ComponentInfo],
    groups: &'a [GroupInfo],
    findings: &'a [FindingInfo],
    errors: &'a [FindingInfo],
}

/// A view in the JSON island (its drawing is in a `<template>`).
#[derive(Serialize)]
struct ViewData<'a> {
    id: &'a str,
    title: &'a str,
    nodes: &'a [String],
    collapsed: &'a [usize],
    edges: &'a [(usize, usize)],
}

/// The template's data.
#[derive(Template)]
#[template(path = "explore.html")]
struct ExploreTemplate<'a> {
    title: &'a str,
    csp: String,
    css: String,
    script: &'a str,
    data: String,
    views: Vec<(usize, &'a str)>,
    legend: String,
}

impl Page {
    /// An empty page titled `title`.
    #[must_use]
    pub(crate) fn new(title: &str) -> Page {
        Page {
            title: title.to_string(),
            initial: Initial { depth: 1, ..Initial::default() },
            ..Page::default()
        }
    }

    /// Fills the components' and groups' details from the whole system's scene; `tags` gives a
    /// component's tags (the scene does not carry them).
    pub(crate) fn details_from(&mut self, scene: &Scene, tags: &dyn Fn(&str) -> Vec<String>) {
        self.components = scene
            .nodes
            .iter()
            .filter(|n| n.collapsed.is_none())
            .map(|n| ComponentInfo {
                id: n.id.clone(),
                label: n.label.clone(),
                kind: n.kind.as_str(),
                tech: n.tech.clone(),
                owner: n.owner.clone(),
                description: n.description.clone(),
                url: n.url.as_deref().filter(|u| escape::is_safe_url(u)).map(|u| u.trim().into()),
                replicas: n.replicas,
                tags: tags(&n.id),
                group: n.group.map(|g| scene.groups[g].id.clone()),
            })
            .collect();
        self.groups = scene
            .groups
            .iter()
            .map(|g| GroupInfo {
                id: g.id.clone(),
                label: g.label.clone(),
                parent: g.parent.map(|p| scene.groups[p].id.clone()),
                description: g.description.clone(),
            })
            .collect();
    }

    /// The HTML document.
    #[must_use]
    pub(crate) fn render(&self) -> String {
        let data = Data {
            title: &self.title,
            live: self.live,
            initial: &self.initial,
            views: self
                .views
                .iter()
                .map(|v| ViewData {
                    id: &v.id,
                    title: &v.title,
                    nodes: &v.nodes,
                    collapsed: &v.collapsed,
                    edges: &v.edges,
                })
                .collect(),
            components: &self.components,
            groups: &self.groups,
            findings: &self.findings,
            errors: &self.errors,
        };
        let json = serde_json::to_string(&data).expect("the page's data serialises");
        let connect = if self.live { "'self'" } else { "'none'" };
        let csp = format!(
            "default-src 'none'; script-src '{}'; style-src 'unsafe-inline'; img-src data:; \
             connect-src {connect}; base-uri 'none'; form-action 'none'",
            script_hash(SCRIPT)
        );
        let template = ExploreTemplate {
            title: &self.title,
            csp,
            css: stylesheet(),
            script: SCRIPT,
            data: json_island(&json),
            views: self.views.iter().map(|v| v.svg.as_str()).enumerate().collect(),
            legend: legend(&self.components),
        };
        template.render().expect("the page's template has no fallible expressions")
    }
}

/// JSON made safe inside `<script type="application/json">`: `<`, `>` and `&` (which only
/// occur inside strings) and the line separators JavaScript once rejected become `\u` escapes,
/// so no string can end the element (`</script>`) or start a comment (`<!--`).
#[must_use]
pub(crate) fn json_island(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The CSP source of an inline script: `sha256-` and the base64 of its SHA-256.
fn script_hash(script: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(script.as_bytes())))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page's stylesheet: its own rules, then the drawings' dark theme scoped to
/// `html.am-dark`, so the reader's choice (or preference) switches the SVGs too.
fn stylesheet() -> String {
    let mut out = String::from(CSS);
    out.push_str(&scope_css(&svg::dark_style(), "html.am-dark "));
    for kind in Kind::ALL {
        let (light, dark) = (palette::kind(kind), palette::dark::kind(kind));
        let k = kind.as_str();
        let _ = writeln!(
            out,
            ".am-sw-{k} {{ background: {}; border-color: {}; }} \
             html.am-dark .am-sw-{k} {{ background: {}; border-color: {}; }}",
            light.fill, light.stroke, dark.fill, dark.stroke
        );
    }
    out
}

/// `css` (plain rules, no at-rules) with `prefix` in front of every selector.
fn scope_css(css: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let selectors: Vec<String> = rest[..open]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{prefix}{s}"))
            .collect();
        let _ = writeln!(out, "{} {}", selectors.join(", "), rest[open..=close].trim());
        rest = &rest[close + 1..];
    }
    out
}

/// The legend: a swatch for each kind the system uses, the line styles, what selection does.
fn legend(components: &[ComponentInfo]) -> String {
    let mut out = String::from("<ul class=\"am-legend-list\">\n");
    for kind in Kind::ALL {
        if components.iter().any(|c| c.kind == kind.as_str()) {
            let k = kind.as_str();
            let _ = writeln!(out, "<li><span class=\"am-sw am-sw-{k}\"></span>{k}</li>");
        }
    }
    for (class, text) in [
        ("am-ln-sync", "sync dependency"),
        ("am-ln-async", "async dependency"),
        ("am-ln-optional", "optional dependency"),
    ] {
        let _ = writeln!(
            out,
            "<li><svg class=\"am-ln {class}\" width=\"28\" height=\"10\" aria-hidden=\"true\">\
             <path d=\"M1 5 H27\"/></svg>{text}</li>"
        );
    }
    out.push_str("</ul>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::testing::*;

    #[test]
    fn json_island_cannot_close_its_element() {
        let s = json_island("{\"a\":\"</script><!--x-->&\u{2028}\"}");
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&') && !s.contains('\u{2028}')
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><!--x-->&\u{2028}");
        let ls = json_island("\"\u{2028}\u{2029}\"");
        assert_eq!(ls, "\"\\u2028\\u2029\"");
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // The CSP hash of an empty script, as browsers compute it.
        assert_eq!(script_hash(""), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn scoping_prefixes_every_selector() {
        let s = scope_css(".a, .b { x: 1; } .c { y: 2; }\n#d path { z: 3; }\n", "html.k ");
        assert_eq!(
            s,
            "html.k .a, html.k .b { x: 1; }\nhtml.k .c { y: 2; }\nhtml.k #d path { z: 3; }\n"
        );
    }

    #[test]
    fn the_page_is_deterministic_and_carries_its_script_hash() {
        let scene = nested();
        let a = HtmlRenderer.render(&scene, &RenderOptions::default());
        let b = HtmlRenderer.render(&scene, &RenderOptions::default());
        assert_eq!(a, b);
        assert!(a.contains(&script_hash(SCRIPT)));
        // askama escapes the quotes of the attribute's value; the browser reads them back.
        assert!(a.contains("default-src &#39;none&#39;"));
        assert!(a.contains("connect-src &#39;none&#39;"));
        assert!(!a.contains("<?xml"));
        assert_eq!(a.matches("<template id=\"am-view-").count(), 1);
    }
}
