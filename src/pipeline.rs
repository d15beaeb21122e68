//! The pipeline as one call: read → lower → check.
//!
//! Input: the root manifest's bytes (already read by the caller, who names them), the
//! [`FileSystem`] its includes are read through, and [`Options`]. Output: an [`Analysis`]: the
//! files read, the model (when the manifest could be lowered) and every diagnostic, sorted.
//! Invariants: no I/O but through the file system handed in; reading problems are fatal and,
//! next to them, only structural findings are kept; over a limit nothing is lowered or checked.
//! The command line, `diff`, the fuzz targets, the benches and the tests all analyse through
//! [`analyse`], so they see what a user sees.

use std::path::Path;

use crate::analysis::{self, Category, Config, registry};
use crate::diagnostic::{self, Diagnostic};
use crate::manifest::{self, FileSystem, LoadOptions, Loaded};
use crate::model::{self, Model};
use crate::vocab::Level;

/// How to analyse.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// What may be read: includes outside the root's directory, size limits.
    pub load: LoadOptions,
    /// Check levels set for this run (`--rule ID=LEVEL`), applied after the manifest's `rules`.
    pub levels: Vec<(String, Level)>,
}

/// A manifest read, lowered and checked.
#[derive(Debug)]
pub struct Analysis {
    /// Every file read, and the manifests they hold.
    pub loaded: Loaded,
    /// The model, unless reading stopped before lowering (a limit exceeded, nothing readable).
    pub model: Option<Model>,
    /// The levels and parameters the checks ran with.
    pub config: Config,
    /// Fatal reading problems and findings, sorted by file, position and code.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether reading failed: nothing should be drawn, and the run exits 2.
    #[must_use]
    pub fn fatal(&self) -> bool {
        self.diagnostics.iter().any(|d| d.fatal)
    }
}

/// Stage 2 alone: the model of what `load` read (without fatal problems, a complete one).
#[must_use]
pub fn lower(loaded: &Loaded) -> Model {
    model::lower(&loaded.manifests)
}

/// Stage 3 alone: every enabled check's findings on `model`, sorted.
#[must_use]
pub fn check(model: &Model, config: &Config) -> Vec<Diagnostic> {
    analysis::check(model, config)
}

/// The check levels and parameters of the root manifest's `rules` section, and the problems
/// found in it (fatal).
#[must_use]
pub fn config(loaded: &Loaded) -> (Config, Vec<Diagnostic>) {
    Config::from_rules(loaded.manifests.first().map_or(&[][..], |m| &m.rules[..]))
}

/// Reads the root manifest `bytes` (named `name`, at `path` when it is a file) and its
/// includes through `fs`, lowers and checks it. Fails only when `options.levels` names a check
/// that does not exist (the message says which, with a suggestion).
pub fn analyse(
    name: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
    fs: &dyn FileSystem,
    options: &Options,
) -> Result<Analysis, String> {
    let mut loaded = manifest::load(name, path, bytes, fs, &options.load);
    // Over a limit, lowering and checking are exactly the work the limit exists to refuse.
    let over_limits = loaded.over_limits();
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);

    let Some(root) = loaded.manifests.first().filter(|_| !over_limits) else {
        diagnostic::sort(&mut diagnostics);
        return Ok(Analysis { loaded, model: None, config: Config::default(), diagnostics });
    };
    let services: usize = loaded.manifests.iter().map(|m| m.services.len()).sum();
    // A file that is not even a map has had its say already.
    if !root.keys.is_empty() || services > 0 {
        manifest::schema::require_root_fields(root, services, &mut diagnostics);
    }
    let (mut config, config_diags) = config(&loaded);
    diagnostics.extend(config_diags);
    for (id, level) in &options.levels {
        config.set_level(id, *level)?;
    }

    let model = lower(&loaded);
    let fatal = diagnostics.iter().any(|d| d.fatal);
    let findings = check(&model, &config);
    // With a broken manifest, only structural findings are trustworthy: the rest of the model
    // may be missing what the broken fields would have said.
    diagnostics.extend(findings.into_iter().filter(|d| {
        !fatal
            || registry::find(d.code).is_some_and(|r| {
                matches!(r.meta().category, Category::Structure | Category::Cycles)
            })
    }));
    diagnostic::sort(&mut diagnostics);
    Ok(Analysis { loaded, model: Some(model), config, diagnostics })
}
