//! Watching the manifest and its includes (`render --watch`, `serve`), and stopping on Ctrl-C.
//!
//! Editors save by writing a new file and renaming it over the old one, so the directories that
//! hold the files are watched, not the files, and events are matched by path. A burst of events
//! (one save is often several) counts as one change: after the first, the watcher waits until
//! the files have been quiet for [`QUIET`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::Error;
use crate::pipeline::Analysis;

/// How long the files must be quiet before a change is acted on.
const QUIET: Duration = Duration::from_millis(150);
/// How often a wait looks at the stop flag.
const TICK: Duration = Duration::from_millis(200);

/// Set by Ctrl-C (SIGINT) and SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);
/// Whether the handler is installed (once per process).
static HANDLER: OnceLock<bool> = OnceLock::new();

/// The stop flag, with the signal handler installed on first use.
pub(super) fn stop_flag() -> &'static AtomicBool {
    HANDLER.get_or_init(|| ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst)).is_ok());
    &STOP
}

/// Whether Ctrl-C was pressed.
pub(super) fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Watches a set of files through their directories.
pub(super) struct Watcher {
    inner: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Watcher {
    /// A watcher of nothing yet.
    pub(super) fn new() -> Result<Watcher, Error> {
        let (tx, events) = channel();
        let inner = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .map_err(|e| Error::Usage(format!("cannot watch files: {e}")))?;
        Ok(Watcher { inner, events, dirs: Vec::new(), files: Vec::new() })
    }

    /// Watches exactly `files` (absolute), through their directories.
    pub(super) fn set_files(&mut self, files: &[PathBuf]) {
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut watched = Vec::new();
        for f in files {
            let Some(dir) = f.parent() else { continue };
            // Event paths name the directory as the watcher resolved it.
            let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            if let Some(name) = f.file_name() {
                watched.push(dir.join(name));
            }
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        for d in &self.dirs {
            if !dirs.contains(d) {
                let _ = self.inner.unwatch(d);
            }
        }
        for d in &dirs {
            if !self.dirs.contains(d) {
                let _ = self.inner.watch(d, RecursiveMode::NonRecursive);
            }
        }
        self.dirs = dirs;
        self.files = watched;
    }

    /// How many files are watched.
    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether an event touches a watched file.
    fn touches(&self, event: &notify::Result<notify::Event>) -> bool {
        let Ok(e) = event else { return true };
        !matches!(e.kind, EventKind::Access(_)) && e.paths.iter().any(|p| self.files.contains(p))
    }

    /// Waits until a watched file changes (and the burst is over): `true`; or until Ctrl-C:
    /// `false`.
    pub(super) fn wait(&self) -> bool {
        loop {
            if stopped() {
                return false;
            }
            match self.events.recv_timeout(TICK) {
                Ok(e) if self.touches(&e) => break,
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
        // The rest of the burst: until the watched files are quiet. Other events (a reader
        // polling the output beside the manifest) neither end nor extend it.
        let mut quiet_until = Instant::now() + QUIET;
        loop {
            let left = quiet_until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.events.recv_timeout(left) {
                Ok(e) if self.touches(&e) => quiet_until = Instant::now() + QUIET,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
        !stopped()
    }
}

/// The files a run read (the manifest and its includes), absolute; the root `path` when the
/// run read nothing.
pub(super) fn files_read(analysed: Option<&Analysis>, root: &Path, cwd: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = analysed
        .map(|a| a.loaded.sources.iter().map(|(_, f)| cwd.join(f.name())).collect())
        .unwrap_or_default();
    let root = cwd.join(root);
    if !files.contains(&root) {
        files.insert(0, root);
    }
    files
}
