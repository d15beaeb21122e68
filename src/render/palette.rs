//! Every colour the writers paint with, in one place.
//!
//! Input: what is drawn (a component kind, a group's `color`, a highlight [`Mark`]). Output:
//! CSS hex colours. DOT and Mermaid use the light colours; the SVG uses them too and, for its
//! dark and auto themes, the [`dark`] ones. Invariants: a colour is written here once and read
//! by every writer that draws the thing it colours; where writers draw the same thing
//! differently, each value is kept and named for what it colours, so output does not change.
//!
//! Highlight colours are the exception: they stay with [`Mark::color`] in `scene::highlight`,
//! because `diff`'s overlay colours group frames with them and the scene stage cannot read
//! this one; [`mark`] is how writers read them.

use super::escape;
use crate::scene::highlight::Mark;
use crate::vocab::Kind;

/// A shape's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paint {
    /// Inside the shape.
    pub fill: &'static str,
    /// The outline (in the SVG also the shape's details, drawn in `currentColor`).
    pub stroke: &'static str,
}

/// A kind's box in the light theme.
#[must_use]
pub(crate) const fn kind(kind: Kind) -> Paint {
    let (fill, stroke) = match kind {
        Kind::Service => ("#dbeafe", "#1d4ed8"),
        Kind::Frontend => ("#e0e7ff", "#4338ca"),
        Kind::Gateway => ("#ede9fe", "#6d28d9"),
        Kind::Database => ("#dcfce7", "#15803d"),
        Kind::Cache => ("#f0fdf4", "#16a34a"),
        Kind::Queue => ("#fef3c7", "#b45309"),
        Kind::Topic => ("#ffedd5", "#c2410c"),
        Kind::Storage => ("#ccfbf1", "#0f766e"),
        Kind::Function => ("#fce7f3", "#be185d"),
        Kind::Job => ("#f1f5f9", "#475569"),
        Kind::External => ("#f3f4f6", "#6b7280"),
        Kind::User => ("#fef9c3", "#a16207"),
    };
    Paint { fill, stroke }
}

/// Whether a kind's outline is dashed (each writer has its own dash pattern).
#[must_use]
pub(crate) const fn kind_dashed(kind: Kind) -> bool {
    matches!(kind, Kind::Cache | Kind::Job | Kind::External)
}

/// The label colour Mermaid gives a kind's box: [`TEXT`], muted for external systems. The SVG
/// draws every box's label in [`TEXT`], external ones included.
#[must_use]
pub(crate) const fn kind_label_mermaid(kind: Kind) -> &'static str {
    match kind {
        Kind::External => EXTERNAL_LABEL_MERMAID,
        _ => TEXT,
    }
}

/// The muted label colour of external systems in Mermaid.
pub(crate) const EXTERNAL_LABEL_MERMAID: &str = "#374151";

/// The page behind the drawing; also what covers a line under an edge label and fills open
/// arrowheads.
pub(crate) const BACKGROUND: &str = "#ffffff";
/// The diagram title and box labels.
pub(crate) const TEXT: &str = "#0f172a";
/// A box's second line (tech, replicas).
pub(crate) const SUBTITLE: &str = "#475569";
/// The over-budget note under the title.
pub(crate) const NOTE: &str = "#b45309";
/// Dependency lines and their arrowheads.
pub(crate) const EDGE: &str = "#475569";
/// Text on dependency lines.
pub(crate) const EDGE_LABEL: &str = "#334155";
/// The SVG legend's words.
pub(crate) const LEGEND_LABEL: &str = "#334155";
/// The frame of DOT's findings legend.
pub(crate) const LEGEND_FRAME_DOT: &str = "#94a3b8";

/// The frame of a group without a `color`.
pub(crate) const GROUP: (u8, u8, u8) = (0x64, 0x74, 0x8b);

/// A group's frame colour: its `color` when that is a hex colour, else [`GROUP`].
#[must_use]
pub(crate) fn group(color: Option<&str>) -> (u8, u8, u8) {
    color.and_then(escape::parse_hex_color).unwrap_or(GROUP)
}

/// The inside of a group's frame: its colour, mixed with nine parts white.
#[must_use]
pub(crate) fn group_fill(frame: (u8, u8, u8)) -> (u8, u8, u8) {
    escape::tint(frame, 0.9)
}

/// A group's title in the SVG: a darker shade of its frame.
#[must_use]
pub(crate) fn group_title((r, g, b): (u8, u8, u8)) -> (u8, u8, u8) {
    let d = |c: u8| (f64::from(c) * 0.6).round() as u8;
    (d(r), d(g), d(b))
}

/// A highlight's colour (outline, line and arrowhead), read from [`Mark::color`].
#[must_use]
pub(crate) fn mark(mark: Mark) -> &'static str {
    mark.color()
}

/// The dark theme (SVG only): light text on a dark page.
pub(crate) mod dark {
    use super::Paint;
    use crate::scene::highlight::Mark;
    use crate::vocab::Kind;

    /// A kind's box.
    #[must_use]
    pub(crate) const fn kind(kind: Kind) -> Paint {
        let (fill, stroke) = match kind {
            Kind::Service => ("#172554", "#60a5fa"),
            Kind::Frontend => ("#1e1b4b", "#818cf8"),
            Kind::Gateway => ("#2e1065", "#a78bfa"),
            Kind::Database => ("#052e16", "#4ade80"),
            Kind::Cache => ("#0f2a1a", "#86efac"),
            Kind::Queue => ("#422006", "#fbbf24"),
            Kind::Topic => ("#431407", "#fb923c"),
            Kind::Storage => ("#042f2e", "#2dd4bf"),
            Kind::Function => ("#500724", "#f472b6"),
            Kind::Job => ("#1e293b", "#94a3b8"),
            Kind::External => ("#1f2937", "#9ca3af"),
            Kind::User => ("#422006", "#facc15"),
        };
        Paint { fill, stroke }
    }

    /// A highlighted dependency line, where the light colour would be too dark to read; `None`
    /// keeps the light one.
    #[must_use]
    pub(crate) const fn mark_edge(mark: Mark) -> Option<&'static str> {
        match mark {
            Mark::Chain => Some("#fb923c"),
            Mark::Layer => Some("#c084fc"),
            Mark::Cycle => Some("#f87171"),
            _ => None,
        }
    }

    /// The page behind the drawing, under edge labels and inside open arrowheads.
    pub(crate) const BACKGROUND: &str = "#0d1117";
    /// The diagram title and box labels.
    pub(crate) const TEXT: &str = "#e6edf3";
    /// A box's second line, and the legend's words.
    pub(crate) const SUBTITLE: &str = "#9da7b3";
    /// The over-budget note.
    pub(crate) const NOTE: &str = "#f0b429";
    /// The inside of every group's frame.
    pub(crate) const GROUP_FILL: &str = "#161b22";
    /// Every group's title.
    pub(crate) const GROUP_TITLE: &str = "#c9d1d9";
    /// Dependency lines and their arrowheads.
    pub(crate) const EDGE: &str = "#8b949e";
    /// Text on dependency lines.
    pub(crate) const EDGE_LABEL: &str = "#c9d1d9";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex() {
        let hex = |c: &str| escape::parse_hex_color(c).is_some() && c.len() == 7;
        for k in Kind::ALL {
            for p in [kind(k), dark::kind(k)] {
                assert!(hex(p.fill) && hex(p.stroke), "{k}");
            }
            assert!(hex(kind_label_mermaid(k)));
        }
        for m in Mark::ALL {
            assert!(hex(mark(m)));
            assert!(dark::mark_edge(m).is_none_or(hex));
        }
        assert_eq!(escape::hex_color(group(None)), "#64748b");
        assert_eq!(escape::hex_color(group(Some("red"))), "#64748b");
        assert_eq!(group_title((100, 0, 255)), (60, 0, 153));
    }
}
