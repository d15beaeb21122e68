//! Helpers for the checks' unit tests: YAML in, model or findings out.

use std::path::{Path, PathBuf};

use super::rule::{Rule, RuleContext};
use super::{Config, check};
use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::{self, FileSystem, LoadOptions};
use crate::model::{self, Model};

struct NoFiles;

impl FileSystem for NoFiles {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        Err(format!("{} is not available in unit tests", path.display()))
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(path.to_path_buf())
    }
}

fn load(yaml: &str) -> (Model, Config) {
    let options = LoadOptions::default();
    let loaded = manifest::load("test.yaml", None, yaml.as_bytes().to_vec(), &NoFiles, &options);
    assert!(!loaded.has_fatal(), "test manifest is broken: {:#?}", loaded.diagnostics);
    let (config, diags) = Config::from_rules(&loaded.manifests[0].rules);
    assert!(diags.is_empty(), "test manifest has bad rules: {diags:#?}");
    (model::lower(&loaded.manifests), config)
}

/// The model of a manifest that must load cleanly.
pub(crate) fn model(yaml: &str) -> Model {
    load(yaml).0
}

/// The findings of one rule, run even when it is off by default, with the manifest's parameters.
pub(crate) fn run(rule: &dyn Rule, yaml: &str) -> Vec<Diagnostic> {
    let (model, config) = load(yaml);
    let meta = rule.meta();
    let mut cx = RuleContext::new(meta, Severity::Warn, config.params(meta));
    rule.check(&model, &mut cx);
    cx.into_reported().finish(&model, |_| true)
}

/// The findings of a whole `check` run (all enabled rules, `allow` applied).
pub(crate) fn run_all(yaml: &str) -> Vec<Diagnostic> {
    let (model, config) = load(yaml);
    check(&model, &config)
}

/// The subjects of each finding, joined by spaces.
pub(crate) fn subjects(findings: &[Diagnostic]) -> Vec<String> {
    findings.iter().map(|d| d.subjects.join(" ")).collect()
}
