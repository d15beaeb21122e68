//! What a safe SVG is, asserted: shared by the test suite and the fuzz targets (which include
//! this file with `#[path]`), so both hold archmap's SVGs to the same rules.

// Public for the fuzz crate, which re-exports `assert_safe_svg`; private in the test binary.
#![allow(unreachable_pub)]

/// The first 2,000 bytes of a report, for assertion messages.
pub fn head(text: &str) -> &str {
    let mut end = text.len().min(2000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Asserts that an SVG document is well-formed XML with nothing active or external in it:
/// no script, no event handlers, no `javascript:`, no external references except the links
/// of components' validated `url`s.
pub fn assert_safe_svg(svg: &str) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("SVG does not parse as XML: {e}\n{}", head(svg)));
    // Text is escaped, so a raw `<script` or `<!ENTITY` can only be markup.
    let lower = svg.to_ascii_lowercase();
    for bad in ["<script", "<!entity", "<!doctype"] {
        assert!(!lower.contains(bad), "SVG holds `{bad}`:\n{}", head(svg));
    }
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let tag = node.tag_name().name();
        assert!(
            !matches!(tag, "script" | "foreignObject" | "iframe" | "embed" | "object" | "image"),
            "SVG holds a <{tag}> element"
        );
        if tag == "style" {
            // CSS must not load anything: no @import, no url() but fragment references.
            let css = node.text().unwrap_or_default().to_ascii_lowercase().replace(' ', "");
            assert!(!css.contains("@import"), "SVG CSS imports a style sheet");
            assert!(
                css.match_indices("url(")
                    .all(|(i, _)| css[i + 4..].trim_start_matches(['"', '\'']).starts_with('#')),
                "SVG CSS loads an external resource"
            );
        }
        for attr in node.attributes() {
            let name = attr.name().to_ascii_lowercase();
            let value = attr.value().to_ascii_lowercase();
            // A link's scheme is checked below: `?javascript:x` is a harmless relative reference.
            assert!(
                name == "href" || !value.contains("javascript:"),
                "SVG attribute `{name}` holds a javascript: URL"
            );
            assert!(
                !value.contains("url(http"),
                "SVG attribute `{name}` loads an external resource"
            );
            assert!(!name.starts_with("on"), "SVG holds an event attribute `{name}`");
            if name == "href" {
                // Only a component's `url` becomes a link, on an <a>.
                assert_eq!(tag, "a", "an href on <{tag}>");
                let value = attr.value().trim_start().to_ascii_lowercase();
                // A scheme stands before the first `:` with no `/`, `?` or `#` before it;
                // anything else is a relative reference, which is harmless.
                let scheme = value
                    .find(':')
                    .filter(|&c| value.find(['/', '?', '#']).is_none_or(|p| c < p))
                    .map(|c| &value[..c]);
                assert!(
                    scheme.is_none_or(|s| matches!(s, "http" | "https" | "mailto")),
                    "an unsafe link {value:?}"
                );
            }
        }
    }
}
