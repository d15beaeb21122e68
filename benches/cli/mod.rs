//! Runs `archmap` in-process for the benches, with its output kept in memory.

use std::ffi::OsString;
use std::path::Path;

/// `archmap ARGS` in `cwd` with empty standard input; returns the exit code and standard
/// output. Panics when archmap could not run (exit 2): a bench must not time an error.
pub(crate) fn run(cwd: &Path, args: &[&str]) -> (u8, Vec<u8>) {
    let mut stdin: &[u8] = &[];
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut io = archmap::Io {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
        no_color: true,
        cwd: cwd.to_path_buf(),
        env: std::collections::BTreeMap::new(),
        spent: Vec::new(),
    };
    let command_line: Vec<OsString> =
        std::iter::once("archmap").chain(args.iter().copied()).map(OsString::from).collect();
    let code = archmap::run(command_line, &mut io);
    assert!(
        code != 2,
        "archmap {} could not run: {}",
        args.join(" "),
        String::from_utf8_lossy(&stderr)
    );
    (code, stdout)
}
