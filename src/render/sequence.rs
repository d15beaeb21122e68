//! The writers of a flow's sequence diagram: SVG (laid out by [`crate::layout::sequence`]) and
//! Mermaid `sequenceDiagram`.
//!
//! Input: a [`Sequence`] and the [`Theme`]. Output: an SVG document or Mermaid text.
//! Invariants: byte-identical for identical input; every user string escaped for its format;
//! heads use the same shapes and colours per kind as the architecture diagram; colours come
//! from [`palette`] through the shared stylesheet.

use std::fmt::Write;

use super::escape::{mermaid_escape, mermaid_id, xml_escape};
use super::svg::{base_style, dark_style, defs, num, shape_path};
use super::{Theme, palette};
use crate::layout::sequence::{LABEL_SIZE, Placed, Text, lay_out};
use crate::scene::sequence::{Item, Sequence};
use crate::vocab::Kind;

/// The rules a sequence diagram adds to the architecture diagram's stylesheet.
fn sequence_style() -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        ".lifeline {{ stroke: {}; stroke-width: 1; stroke-dasharray: 4 4; }}",
        palette::EDGE
    );
    let _ = writeln!(
        o,
        ".bar {{ fill: {}; stroke: {}; stroke-width: 1; }}",
        palette::BACKGROUND,
        palette::EDGE
    );
    let _ = writeln!(
        o,
        ".message .line {{ fill: none; stroke: {}; stroke-width: 1.4; }}",
        palette::EDGE
    );
    o.push_str(concat!(
        ".message.return .line { stroke-dasharray: 5 4; }\n",
        ".message.optional .line { stroke-dasharray: 2 3; }\n",
    ));
    let _ = writeln!(
        o,
        ".message-label {{ font-size: {LABEL_SIZE}px; fill: {}; text-anchor: middle; }}",
        palette::EDGE_LABEL
    );
    let _ = writeln!(
        o,
        ".frame-box {{ fill: none; stroke: {}; stroke-width: 1.2; }}",
        palette::SUBTITLE
    );
    let _ = writeln!(
        o,
        ".frame-tag {{ fill: {}; stroke: {}; stroke-width: 1.2; }}",
        palette::BACKGROUND,
        palette::SUBTITLE
    );
    let _ = writeln!(
        o,
        ".frame-separator {{ stroke: {}; stroke-width: 1; stroke-dasharray: 6 4; }}",
        palette::SUBTITLE
    );
    let _ = writeln!(
        o,
        ".frame-text {{ font-size: {LABEL_SIZE}px; font-weight: 700; fill: {}; }}",
        palette::SUBTITLE
    );
    let _ =
        writeln!(o, ".frame-label {{ font-size: {LABEL_SIZE}px; fill: {}; }}", palette::SUBTITLE);
    let _ = writeln!(o, ".description {{ font-size: 12px; fill: {}; }}", palette::SUBTITLE);
    o
}

/// The dark theme's rules for what only sequence diagrams draw.
fn sequence_dark_style() -> String {
    use palette::dark;
    let mut o = String::new();
    let _ = writeln!(o, ".lifeline, .message .line {{ stroke: {}; }}", dark::EDGE);
    let _ = writeln!(o, ".bar, .frame-tag {{ fill: {}; }}", dark::BACKGROUND);
    let _ = writeln!(o, ".message-label {{ fill: {}; }}", dark::EDGE_LABEL);
    let _ = writeln!(o, ".frame-text, .frame-label, .description {{ fill: {}; }}", dark::SUBTITLE);
    o
}

fn text_in(o: &mut String, class: &str, t: &Text, anchor_middle: bool) {
    let x = if anchor_middle { t.rect.x + t.rect.width / 2.0 } else { t.rect.x + 4.0 };
    let _ = writeln!(
        o,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
        num(x),
        num(t.rect.y + t.rect.height - 4.0),
        xml_escape(&t.text)
    );
}

/// The sequence diagram as a standalone SVG document.
#[must_use]
#[allow(
    clippy::too_many_lines,
    reason = "the document's layers in drawing order, one after the other"
)]
pub(crate) fn svg(seq: &Sequence, theme: Theme) -> String {
    let p: Placed = lay_out(seq);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" class=\"sequence\">",
        xml_escape(&seq.title),
        w = num(p.width),
        h = num(p.height)
    );
    let _ = writeln!(o, "<title>{}</title>", xml_escape(&seq.title));
    let mut style = base_style();
    style.push_str(&sequence_style());
    match theme {
        Theme::Light => {}
        Theme::Dark => {
            style.push_str(&dark_style());
            style.push_str(&sequence_dark_style());
        }
        Theme::Auto => {
            style.push_str("@media (prefers-color-scheme: dark) {\n");
            style.push_str(&dark_style());
            style.push_str(&sequence_dark_style());
            style.push_str("}\n");
        }
    }
    style.push_str("</style>\n");
    o.push_str(&style);
    o.push_str(&defs());
    let _ = writeln!(
        o,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>",
        num(p.width),
        num(p.height)
    );
    let _ = writeln!(
        o,
        "<text class=\"diagram-title\" x=\"{}\" y=\"{}\">{}</text>",
        num(p.title.rect.x),
        num(p.title.rect.y + 18.0),
        xml_escape(&p.title.text)
    );
    if let Some(d) = &p.description {
        let _ = writeln!(
            o,
            "<text class=\"description\" x=\"{}\" y=\"{}\">{}</text>",
            num(d.rect.x),
            num(d.rect.y + 13.0),
            xml_escape(&d.text)
        );
    }
    // Frame outlines first, so that lifelines and arrows are drawn over them; their tags and
    // labels last, over the lifelines.
    for f in &p.frames {
        let r = f.rect;
        let _ = writeln!(
            o,
            "<rect class=\"frame-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            num(r.x),
            num(r.y),
            num(r.width),
            num(r.height)
        );
        for (y, _) in &f.separators {
            let _ = writeln!(
                o,
                "<path class=\"frame-separator\" d=\"M{} {} H{}\"/>",
                num(r.x),
                num(*y),
                num(r.right())
            );
        }
    }
    for (i, &(x, top, bottom)) in p.lifelines.iter().enumerate() {
        let _ = writeln!(
            o,
            "<path class=\"lifeline\" data-id=\"{}\" d=\"M{} {} V{}\"/>",
            xml_escape(&seq.participants[i].id),
            num(x),
            num(top),
            num(bottom)
        );
    }
    for (i, head) in p.heads.iter().enumerate() {
        let part = &seq.participants[i];
        let _ = writeln!(
            o,
            "<g class=\"node head kind-{}\" data-id=\"{}\"><title>{} ({})</title>",
            part.kind,
            xml_escape(&part.id),
            xml_escape(&part.id),
            part.kind
        );
        o.push_str(&shape_path(part.kind, *head));
        let (cx, cy) = head.center();
        let dy = if part.kind == Kind::Frontend { 10.0 } else { 5.0 };
        let _ = writeln!(
            o,
            "\n<text class=\"label\" x=\"{}\" y=\"{}\">{}</text>\n</g>",
            num(cx),
            num(cy + dy),
            xml_escape(&p.head_labels[i])
        );
    }
    for b in &p.bars {
        let _ = writeln!(
            o,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            num(b.x),
            num(b.y),
            num(b.width),
            num(b.height)
        );
    }
    for a in &p.arrows {
        let marker = if a.class.starts_with("sync") { "am-arrow" } else { "am-arrow-open" };
        let mut d = String::new();
        for (k, (x, y)) in a.points.iter().enumerate() {
            let _ = write!(d, "{}{} {} ", if k == 0 { "M" } else { "L" }, num(*x), num(*y));
        }
        let _ = writeln!(
            o,
            "<g class=\"message {}\"><path class=\"line\" d=\"{}\" marker-end=\"url(#{marker})\"/>",
            a.class,
            d.trim_end()
        );
        if let Some(l) = &a.label {
            label_box(&mut o, l);
            text_in(&mut o, "message-label", l, true);
        }
        o.push_str("</g>\n");
    }
    for f in &p.frames {
        o.push_str("<g class=\"frame\">\n");
        let t = f.tag.rect;
        let _ = writeln!(
            o,
            "<path class=\"frame-tag\" d=\"M{} {} H{} V{} L{} {} H{} Z\"/>",
            num(t.x),
            num(t.y),
            num(t.right()),
            num(t.bottom() - 5.0),
            num(t.right() - 5.0),
            num(t.bottom()),
            num(t.x)
        );
        text_in(&mut o, "frame-text", &f.tag, false);
        for l in f.label.iter().chain(f.separators.iter().filter_map(|(_, l)| l.as_ref())) {
            label_box(&mut o, l);
            text_in(&mut o, "frame-label", l, false);
        }
        o.push_str("</g>\n");
    }
    o.push_str("</svg>\n");
    o
}

/// The background behind a label, so that lines under it do not cross its text.
fn label_box(o: &mut String, t: &Text) {
    let r = t.rect;
    let _ = writeln!(
        o,
        "<rect class=\"edge-label-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
        num(r.x),
        num(r.y),
        num(r.width),
        num(r.height)
    );
}

/// The sequence diagram as Mermaid `sequenceDiagram` text.
#[must_use]
pub(crate) fn mermaid(seq: &Sequence) -> String {
    let mut o = String::from("sequenceDiagram\n");
    let _ = writeln!(o, "    title {}", mermaid_escape(&one_line(&seq.title)));
    let ids: Vec<String> = seq.participants.iter().map(|p| mermaid_id("p_", &p.id)).collect();
    for (p, id) in seq.participants.iter().zip(&ids) {
        let keyword = if p.kind == Kind::User { "actor" } else { "participant" };
        let _ = writeln!(o, "    {keyword} {id} as {}", mermaid_escape(&one_line(&p.label)));
    }
    let mut depth = 1;
    for item in &seq.items {
        let indent = "    ".repeat(depth);
        match item {
            Item::Message { number, from, to, label, is_async, optional } => {
                let arrow = if *is_async { "-)" } else { "->>" };
                let arrow = if *optional && !is_async { "-->>" } else { arrow };
                let arrow = if *optional && *is_async { "--)" } else { arrow };
                let activate = if *is_async || from == to { "" } else { "+" };
                let text = one_line(label);
                let text =
                    if text.is_empty() { format!("{number}") } else { format!("{number}. {text}") };
                let _ = writeln!(
                    o,
                    "{indent}{}{arrow}{activate}{}: {}",
                    ids[*from],
                    ids[*to],
                    text_or_space(&text)
                );
            }
            Item::Return { from, to, label: Some(label), .. } => {
                let _ = writeln!(
                    o,
                    "{indent}{}-->>-{}: {}",
                    ids[*from],
                    ids[*to],
                    text_or_space(label)
                );
            }
            Item::Return { from, label: None, .. } => {
                let _ = writeln!(o, "{indent}deactivate {}", ids[*from]);
            }
            Item::Open { par, label } => {
                let _ = writeln!(
                    o,
                    "{indent}{} {}",
                    if *par { "par" } else { "loop" },
                    text_or_space(label.as_deref().unwrap_or(""))
                );
                depth += 1;
            }
            Item::Branch(label) => {
                let outer = "    ".repeat(depth - 1);
                let _ = writeln!(o, "{outer}and {}", text_or_space(label.as_deref().unwrap_or("")));
            }
            Item::Close => {
                depth = depth.saturating_sub(1).max(1);
                let _ = writeln!(o, "{}end", "    ".repeat(depth));
            }
        }
    }
    o
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message text: escaped, on one line; a lone space when empty (Mermaid needs text after `:`).
fn text_or_space(s: &str) -> String {
    let t = mermaid_escape(&one_line(s));
    if t.is_empty() { " ".into() } else { t }
}
