//! Size limits on what a manifest describes, checked once every file has been read.
//!
//! Input: the manifests of one run (root first) and the [`Limits`] in force. Output: AM106
//! `limit-exceeded` diagnostics, fatal, each pointing at the first value over a limit.
//! Invariant: the limits bound the work of later stages (lowering, checks, layout) on input
//! from untrusted pull requests; the defaults are generous enough for a 50 MB manifest.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Span, Spanned};

use super::Manifest;
use super::codes;

/// Default for [`Limits::max_components`].
pub(crate) const DEFAULT_MAX_COMPONENTS: usize = 100_000;
/// Default for [`Limits::max_dependencies`].
pub(crate) const DEFAULT_MAX_DEPENDENCIES: usize = 1_000_000;
/// Default for [`Limits::max_label_chars`].
pub(crate) const DEFAULT_MAX_LABEL_CHARS: usize = 1_000;
/// Default for [`Limits::max_description_chars`].
pub(crate) const DEFAULT_MAX_DESCRIPTION_CHARS: usize = 10_000;
/// The deepest nesting of groups through `parent`: a frame inside 32 frames is already
/// unreadable, and every stage after this one walks a group's ancestors (a chain of 20,000
/// nested groups took 1.7 GB in `check` and 14–17 s in every renderer).
pub(crate) const MAX_GROUP_DEPTH: usize = 32;
/// The most views across all files: each view is a selection over every component (in `check`
/// too, AM043), so views times components is the work.
pub(crate) const MAX_VIEWS: usize = 1_000;
/// The most flows across all files: each is checked and may be drawn.
pub(crate) const MAX_FLOWS: usize = 1_000;
/// The most messages across all flows: each is walked a few times by the flow checks.
pub(crate) const MAX_FLOW_MESSAGES: usize = 100_000;
/// At most this many over-long texts are reported one by one; the last report counts the rest.
const MAX_TEXT_REPORTS: usize = 50;

/// How much one run reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Components across all files (`--max-components`).
    pub max_components: usize,
    /// `depends_on` entries across all files (`--max-dependencies`).
    pub max_dependencies: usize,
    /// Characters in a short text: `name`, `label`, a view's `title`, `tech`, `owner`, a
    /// dependency's `protocol`, each `tags` and `allow` entry.
    pub max_label_chars: usize,
    /// Characters in a `description`.
    pub max_description_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_components: DEFAULT_MAX_COMPONENTS,
            max_dependencies: DEFAULT_MAX_DEPENDENCIES,
            max_label_chars: DEFAULT_MAX_LABEL_CHARS,
            max_description_chars: DEFAULT_MAX_DESCRIPTION_CHARS,
        }
    }
}

fn exceeded(span: Span, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(codes::LIMIT.0, codes::LIMIT.1, Severity::Error, message)
        .with_label(span, label)
        .with_help(help)
        .fatal()
}

/// Reports every limit `manifests` exceed into `out`.
pub(crate) fn check(manifests: &[Manifest], limits: &Limits, out: &mut Vec<Diagnostic>) {
    let mut components = 0usize;
    let mut dependencies = 0usize;
    let mut views = 0usize;
    let mut flows = 0usize;
    let mut messages = 0usize;
    let mut texts = TextReports { limits, out: Vec::new(), over: 0 };
    for m in manifests {
        texts.label(m.name.as_ref(), "name");
        texts.description(m.description.as_ref());
        for g in &m.groups {
            texts.label(g.label.as_ref(), "label");
            texts.label(g.owner.as_ref(), "owner");
            texts.description(g.description.as_ref());
        }
        for v in &m.views {
            views += 1;
            if views == MAX_VIEWS + 1 {
                out.push(exceeded(
                    v.id.span,
                    format!("more than {MAX_VIEWS} views"),
                    "the first view over the limit",
                    "each view is drawn and checked over every component: keep the views people read, and use `render --focus` for the rest",
                ));
            }
            texts.label(v.title.as_ref(), "title");
            texts.description(v.description.as_ref());
        }
        for s in &m.services {
            components += 1;
            if components == limits.max_components + 1 {
                out.push(exceeded(
                    s.id.span,
                    format!("more than {} components", limits.max_components),
                    "the first component over the limit",
                    "split the system into several manifests, or raise the limit with --max-components",
                ));
            }
            texts.label(s.label.as_ref(), "label");
            texts.label(s.tech.as_ref(), "tech");
            texts.label(s.owner.as_ref(), "owner");
            for t in &s.tags {
                texts.label(Some(t), "tag");
            }
            for a in &s.allow {
                texts.label(Some(a), "allow");
            }
            texts.description(s.description.as_ref());
            for d in &s.depends_on {
                dependencies += 1;
                if dependencies == limits.max_dependencies + 1 {
                    out.push(exceeded(
                        d.target.span,
                        format!("more than {} dependencies", limits.max_dependencies),
                        "the first dependency over the limit",
                        "split the system into several manifests, or raise the limit with --max-dependencies",
                    ));
                }
                texts.label(d.more().label.as_ref(), "label");
                texts.label(d.protocol.as_ref(), "protocol");
                texts.description(d.more().description.as_ref());
            }
        }
    }
    for f in manifests.iter().flat_map(|m| &m.flows) {
        flows += 1;
        if flows == MAX_FLOWS + 1 {
            out.push(exceeded(
                f.id.span,
                format!("more than {MAX_FLOWS} flows"),
                "the first flow over the limit",
                "keep the journeys people read; split the system into several manifests",
            ));
        }
        let before = messages;
        messages += super::schema::count_messages(&f.steps);
        if before <= MAX_FLOW_MESSAGES && messages > MAX_FLOW_MESSAGES {
            out.push(exceeded(
                f.id.span,
                format!("more than {MAX_FLOW_MESSAGES} flow steps"),
                "the flow that goes over the limit",
                "a flow documents a journey, not a trace: keep its steps to the ones a reader follows",
            ));
        }
        texts.label(f.title.as_ref(), "title");
        texts.description(f.description.as_ref());
        label_steps(&mut texts, &f.steps);
    }
    texts.finish(out);
    group_depth(manifests, out);
}

/// Checks the texts of every step of a flow.
fn label_steps(texts: &mut TextReports<'_>, steps: &[super::schema::StepSpec]) {
    use super::schema::StepSpec;
    for s in steps {
        match s {
            StepSpec::Message(m) => {
                texts.label(m.label.as_ref(), "label");
                texts.label(m.returns.as_ref(), "returns");
                texts.label(m.protocol.as_ref(), "protocol");
            }
            StepSpec::Par { label, branches, .. } => {
                texts.label(label.as_ref(), "label");
                for (l, b) in branches {
                    texts.label(l.as_ref(), "label");
                    label_steps(texts, b);
                }
            }
            StepSpec::Loop { label, steps, .. } => {
                texts.label(label.as_ref(), "loop");
                label_steps(texts, steps);
            }
        }
    }
}

/// Reports the first group nested deeper than [`MAX_GROUP_DEPTH`]. Linear: each group's depth
/// is worked out once, from its parent's. Unknown parents and cycles are the model's to report.
fn group_depth(manifests: &[Manifest], out: &mut Vec<Diagnostic>) {
    let mut index: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut groups = Vec::new();
    for g in manifests.iter().flat_map(|m| &m.groups) {
        // The first definition wins, as in the model.
        if !index.contains_key(g.id.value.as_str()) {
            index.insert(&g.id.value, groups.len());
            groups.push(g);
        }
    }
    let parent = |i: usize| -> Option<usize> {
        groups[i].parent.as_ref().and_then(|p| index.get(p.value.as_str()).copied())
    };
    // 0: not yet known. Each group joins one walk, after which its depth is known.
    let mut depth = vec![0usize; groups.len()];
    let mut on_path = vec![false; groups.len()];
    for start in 0..groups.len() {
        let mut path = Vec::new();
        let mut g = Some(start);
        let mut base = 0;
        while let Some(cur) = g {
            if depth[cur] > 0 {
                base = depth[cur];
                break;
            }
            // A cycle of parents (the model reports it): counted from where it closes.
            if on_path[cur] {
                break;
            }
            on_path[cur] = true;
            path.push(cur);
            g = parent(cur);
        }
        for (k, &p) in path.iter().rev().enumerate() {
            depth[p] = base + k + 1;
            on_path[p] = false;
        }
        if depth[start] > MAX_GROUP_DEPTH {
            let g = groups[start];
            let span = g.parent.as_ref().map_or(g.id.span, |p| p.span);
            out.push(exceeded(
                span,
                format!("groups nest deeper than {MAX_GROUP_DEPTH} levels"),
                "the group that goes too deep",
                "flatten the group hierarchy: a frame inside more than 32 frames cannot be read",
            ));
            return;
        }
    }
}

/// Over-long texts, reported up to [`MAX_TEXT_REPORTS`] times.
struct TextReports<'a> {
    limits: &'a Limits,
    out: Vec<Diagnostic>,
    over: usize,
}

impl TextReports<'_> {
    fn label(&mut self, text: Option<&Spanned<String>>, field: &str) {
        self.text(
            text,
            field,
            self.limits.max_label_chars,
            "shorten it; longer text belongs in `description`",
        );
    }

    fn description(&mut self, text: Option<&Spanned<String>>) {
        self.text(
            text,
            "description",
            self.limits.max_description_chars,
            "shorten it; link to longer documentation with the component's `url`",
        );
    }

    fn text(&mut self, text: Option<&Spanned<String>>, field: &str, max: usize, help: &str) {
        let Some(text) = text else { return };
        // No more bytes than the limit means no more characters: most texts stop here. Past
        // that, counting stops just past the limit: a 100 MB string costs no more than a short one.
        if text.value.len() <= max || text.value.chars().nth(max).is_none() {
            return;
        }
        self.over += 1;
        if self.out.len() < MAX_TEXT_REPORTS {
            self.out.push(exceeded(
                text.span,
                format!("this `{field}` is longer than {max} characters"),
                "too long",
                help,
            ));
        }
    }

    fn finish(self, out: &mut Vec<Diagnostic>) {
        let shown = self.out.len();
        out.extend(self.out);
        if self.over > shown
            && let Some(last) = out.last_mut()
        {
            let more = self.over - shown;
            *last = last.clone().with_note(format!(
                "{more} more text{} over a limit {} not reported",
                if more == 1 { "" } else { "s" },
                if more == 1 { "is" } else { "are" }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::manifest::{FileSystem, LoadOptions, load};

    struct NoFiles;

    impl FileSystem for NoFiles {
        fn read(&self, _path: &Path) -> Result<Vec<u8>, String> {
            Err("no such file".into())
        }

        fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
            Ok(path.to_path_buf())
        }
    }

    fn limit_codes(text: &str, limits: Limits) -> Vec<String> {
        let options = LoadOptions { limits, ..LoadOptions::default() };
        let loaded = load("a.yaml", None, text.as_bytes().to_vec(), &NoFiles, &options);
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.code == codes::LIMIT.0)
            .map(|d| d.message.clone())
            .collect()
    }

    const THREE: &str = "version: 1\nname: S\nservices:\n  a: {depends_on: [b, c]}\n  b: {depends_on: [c]}\n  c: {label: cee, description: a longer text}\n";

    #[test]
    fn counts_are_limits_not_budgets() {
        let at = Limits { max_components: 3, max_dependencies: 3, ..Limits::default() };
        assert!(limit_codes(THREE, at).is_empty());
        let under = Limits { max_components: 2, max_dependencies: 2, ..Limits::default() };
        assert_eq!(
            limit_codes(THREE, under),
            ["more than 2 dependencies", "more than 2 components"]
        );
    }

    #[test]
    fn groups_nest_at_most_the_limit() {
        use std::fmt::Write as _;
        let chain = |n: usize| {
            let mut t = String::from("version: 1\nname: S\ngroups:\n  g0: {}\n");
            for i in 1..n {
                let _ = writeln!(t, "  g{i}: {{parent: g{}}}", i - 1);
            }
            let _ = write!(t, "services:\n  a: {{group: g{}}}\n", n - 1);
            t
        };
        assert!(limit_codes(&chain(MAX_GROUP_DEPTH), Limits::default()).is_empty());
        assert_eq!(
            limit_codes(&chain(MAX_GROUP_DEPTH + 1), Limits::default()),
            ["groups nest deeper than 32 levels"]
        );
        // Parents written after their children, and a cycle, are walked once each.
        let reversed = "version: 1\nname: S\ngroups:\n  a: {parent: b}\n  b: {parent: c}\n  c: {}\n  x: {parent: y}\n  y: {parent: x}\nservices:\n  s: {group: a}\n";
        assert!(limit_codes(reversed, Limits::default()).is_empty());
    }

    #[test]
    fn texts_are_counted_in_characters() {
        let limits = Limits { max_label_chars: 3, max_description_chars: 14, ..Limits::default() };
        assert!(limit_codes(THREE, limits).is_empty(), "at the limit is within it");
        let tight = Limits { max_label_chars: 2, max_description_chars: 12, ..Limits::default() };
        assert_eq!(
            limit_codes(THREE, tight),
            [
                "this `label` is longer than 2 characters",
                "this `description` is longer than 12 characters"
            ]
        );
        let accents = "version: 1\nname: ééé\nservices: {a: {}}\n";
        let three = Limits { max_label_chars: 3, ..Limits::default() };
        assert!(limit_codes(accents, three).is_empty(), "three characters, six bytes");
    }
}
