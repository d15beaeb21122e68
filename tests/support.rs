//! Runs archmap in-process with isolated streams, a chosen working directory and no colours.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What one run printed and returned.
#[derive(Debug)]
pub struct Output {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `archmap ARGS` in `cwd` with `stdin` as standard input.
pub fn run_in(cwd: &Path, args: &[&str], stdin: &str) -> Output {
    let mut input = stdin.as_bytes();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut io = archmap::cli::Io {
        stdin: &mut input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
        no_color: true,
        cwd: cwd.to_path_buf(),
    };
    let argv: Vec<OsString> =
        std::iter::once("archmap").chain(args.iter().copied()).map(OsString::from).collect();
    let code = archmap::cli::run(argv, &mut io);
    Output {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory holding the given files.
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}
