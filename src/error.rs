//! Operational errors: what stops a command from running at all (exit 2).

use std::path::PathBuf;

/// Why a command could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum Error {
    /// A file could not be read.
    ///
    /// The reason is part of the message and is not a `source`, so a report says it once.
    #[error("cannot read {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// A file could not be written (said once, as [`Error::Read`]).
    #[error("cannot write {}: {reason}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// Writing to standard output or error failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// No manifest was named and none is in the current directory.
    #[error("no archmap.yaml or archmap.yml in the current directory")]
    #[diagnostic(help(
        "name a manifest (`archmap check path/to/archmap.yaml`), or create one with `archmap init`"
    ))]
    NoManifest,
    /// A baseline file that is not one.
    #[error("{}:{line}:{column}: not a valid archmap baseline: {message}", path.display())]
    #[diagnostic(help(
        "a baseline is the JSON `archmap check --write-baseline FILE` writes (docs/reports.md describes it)"
    ))]
    Baseline {
        /// The file.
        path: PathBuf,
        /// Line, 1-based.
        line: usize,
        /// Column, 1-based.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
}
