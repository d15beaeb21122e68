//! Progress on long work (`render --all-views`), drawn on standard error when it is a terminal
//! and nothing otherwise: CI logs and pipes stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing.
pub(super) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `len` steps of `what`, shown only on a terminal, without `--quiet`, and for
    /// more than one step.
    pub(super) fn new(
        stderr_is_terminal: bool,
        quiet: bool,
        color: bool,
        len: usize,
        what: &str,
    ) -> Self {
        if quiet || !stderr_is_terminal || len < 2 {
            return Progress(None);
        }
        let template = if color {
            "{prefix:>10.cyan.bold} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}"
        } else {
            "{prefix:>10} [{bar:30}] {pos}/{len} {wide_msg}"
        };
        let style =
            ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(what.to_string());
        Progress(Some(bar))
    }

    /// Names the step being worked on.
    pub(super) fn step(&self, name: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(name.to_string());
        }
    }

    /// One step done.
    pub(super) fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Runs `f` (which writes to standard error) with the bar hidden.
    pub(super) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Whether a bar is drawn.
    #[cfg(test)]
    fn shown(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn shown_only_on_a_terminal_without_quiet_for_several_steps() {
        assert!(!Progress::new(false, false, false, 10, "rendering").shown());
        assert!(!Progress::new(true, true, false, 10, "rendering").shown());
        assert!(!Progress::new(true, false, false, 1, "rendering").shown());
        let p = Progress::new(true, false, false, 10, "rendering");
        assert!(p.shown());
        p.step("checkout");
        p.inc();
        assert_eq!(p.suspend(|| 7), 7);
    }
}
