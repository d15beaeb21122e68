//! What every fuzz target shares: the pipeline of `archmap::cli` (read → lower → check →
//! scene → render) over one in-memory manifest, and the invariants outputs must keep.
//!
//! Input: arbitrary bytes, read as the root manifest `archmap.yaml`; includes read from an
//! empty file system (they fail as missing, which is itself a path worth fuzzing).
//! Invariants asserted, beyond "no panic": every diagnostic's primary location lies inside its
//! file; a model is built only from a manifest without fatal problems; renders are
//! deterministic; SVG parses as XML and carries nothing active or external.

use std::path::{Path, PathBuf};

use archmap::vocab::Level;
use archmap::{Config, FileSystem, Format, LoadOptions, Loaded, Model, RenderOptions, SceneOptions};

/// A file system holding no file but the root: every include (or `.env`, `env_file`,
/// `extends` target) is missing.
pub struct NoFiles;

impl FileSystem for NoFiles {
    fn read(&self, _path: &Path) -> Result<Vec<u8>, String> {
        Err("no such file".into())
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(Path::new("/fuzz").join(path))
    }
}

/// Stage 1 on `data`; asserts that every diagnostic points inside its file.
#[must_use]
pub fn load(data: &[u8]) -> Loaded {
    let loaded = archmap::load(
        "archmap.yaml",
        Some(Path::new("archmap.yaml")),
        data.to_vec(),
        &NoFiles,
        &LoadOptions::default(),
    );
    for d in &loaded.diagnostics {
        for label in &d.labels {
            let file = loaded.sources.get(label.span.file);
            let len = file.text().len();
            assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "{} points outside its file ({}..{} of {len} bytes)",
                d.code,
                label.span.start,
                label.span.end
            );
        }
    }
    loaded
}

/// Stages 1 and 2; `None` when the manifest has fatal problems (nothing is rendered then).
#[must_use]
pub fn model(data: &[u8]) -> Option<(Loaded, Model)> {
    let loaded = load(data);
    let model = archmap::lower(&loaded);
    if loaded.has_fatal() || loaded.is_empty() {
        return None;
    }
    Some((loaded, model))
}

/// A configuration with every check on (as warnings, so `off` defaults run too), and the
/// manifest's own parameters.
#[must_use]
pub fn all_checks(loaded: &Loaded) -> Config {
    let (mut config, _) = archmap::config(loaded);
    for meta in archmap::rules() {
        config.set_level(meta.id, Level::Warn).expect("every registered id is settable");
    }
    config
}

/// Renders the whole system and every view in `format`, twice each; asserts determinism and
/// returns the texts.
#[must_use]
pub fn render_all(model: &Model, format: Format) -> Vec<String> {
    // Findings drawn onto the diagram too (`render --highlight`), so marks are fuzzed as well.
    let findings = archmap::check(model, &Config::default());
    let marks = archmap::highlights(&findings);
    let plain = SceneOptions::default();
    let base = SceneOptions { highlights: &marks, ..SceneOptions::default() };
    let mut jobs = vec![plain, base.clone()];
    jobs.extend(model.views().iter().map(|v| SceneOptions { view: Some(v), ..base.clone() }));
    let options = RenderOptions::default();
    let mut out = Vec::new();
    for job in &jobs {
        let scene = archmap::scene(model, job);
        assert_eq!(scene, archmap::scene(model, job), "the scene is deterministic");
        let text = archmap::render(&scene, format, &options);
        let again = archmap::render(&scene, format, &options);
        assert_eq!(text, again, "{} output is deterministic", format.as_str());
        out.push(text);
    }
    out
}

#[path = "../../tests/safe_svg.rs"]
mod safe_svg;

/// Asserts that an SVG document is well-formed XML with nothing active or external in it (the
/// test suite's own rules, `tests/safe_svg.rs`).
pub use safe_svg::assert_safe_svg;

/// Runs every check on a model; asserts determinism and that every finding points inside
/// its file.
pub fn check(loaded: &Loaded, model: &Model) {
    let config = all_checks(loaded);
    let findings = archmap::check(model, &config);
    assert_eq!(findings, archmap::check(model, &config), "checks are deterministic");
    for d in &findings {
        for label in &d.labels {
            let len = loaded.sources.get(label.span.file).text().len();
            assert!(label.span.end <= len, "{} points outside its file", d.code);
        }
    }
}
