//! Runs archmap in-process with isolated streams, a chosen working directory and no colours.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What one run printed and returned.
#[derive(Debug)]
pub(crate) struct Output {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `archmap ARGS` in `cwd` with `stdin` as standard input.
pub(crate) fn run_in(cwd: &Path, args: &[&str], stdin: &str) -> Output {
    run_with_env(cwd, args, stdin, &[])
}

/// Runs `archmap ARGS` in `cwd` with `stdin` as standard input and `env` as the environment.
pub(crate) fn run_with_env(cwd: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let (code, stdout, stderr) = run_raw(cwd, &args, stdin, env);
    Output {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `archmap ARGS` in `cwd`, with arguments that need not be UTF-8 (output that is not
/// UTF-8 is read lossily).
pub(crate) fn run_os(cwd: &Path, args: &[OsString]) -> Output {
    let (code, stdout, stderr) = run_raw(cwd, args, "", &[]);
    Output {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `archmap ARGS` in `cwd`; gives the exit code and what it wrote to each stream.
fn run_raw(
    cwd: &Path,
    args: &[OsString],
    stdin: &str,
    env: &[(&str, &str)],
) -> (u8, Vec<u8>, Vec<u8>) {
    let mut input = stdin.as_bytes();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut io = archmap::Io {
        stdin: &mut input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
        no_color: true,
        cwd: cwd.to_path_buf(),
        env: env.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
        spent: Vec::new(),
    };
    let command_line: Vec<OsString> =
        std::iter::once(OsString::from("archmap")).chain(args.iter().cloned()).collect();
    let code = archmap::run(command_line, &mut io);
    (code, stdout, stderr)
}

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary directory holding the given files.
pub(crate) fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
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

/// Whether an external validator is installed. Without it the calling test skips, unless
/// `ARCHMAP_REQUIRE_TOOLS` is set (CI sets it), where a missing tool is a failure.
pub(crate) fn have_tool(program: &str, version_arg: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg(version_arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("ARCHMAP_REQUIRE_TOOLS").is_none(),
            "{program} is required (ARCHMAP_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("skipping: {program} is not installed");
    }
    found
}

/// Runs Graphviz `dot -T<format>` on `dot_text`; returns dot's output, or panics with its
/// complaint.
pub(crate) fn graphviz(dot_text: &str, format: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot runs");
    child.stdin.take().expect("stdin").write_all(dot_text.as_bytes()).expect("write to dot");
    let out = child.wait_with_output().expect("dot finishes");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dot rejected the diagram: {stderr}\n{dot_text}");
    assert!(!stderr.contains("Error") && !stderr.contains("Warning"), "dot complained: {stderr}");
    String::from_utf8(out.stdout).expect("dot writes UTF-8")
}

/// Stage 1 with the manifest in memory: there are no includes to read.
pub(crate) struct NoFs;

impl archmap::FileSystem for NoFs {
    fn read(&self, _path: &Path) -> Result<Vec<u8>, String> {
        Err("no such file".into())
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(path.to_path_buf())
    }
}

/// Runs git in `dir` with a fixed identity and neither system nor user configuration, so
/// commits work the same on a fresh machine and on a developer's.
pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "archmap tests")
        .env("GIT_AUTHOR_EMAIL", "tests@archmap.invalid")
        .env("GIT_COMMITTER_NAME", "archmap tests")
        .env("GIT_COMMITTER_EMAIL", "tests@archmap.invalid")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}
