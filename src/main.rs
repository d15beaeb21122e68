//! The `archmap` binary: everything happens in [`archmap::run`].

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Standard output when the process was started without one (`archmap render >&-`): the Rust
/// runtime opens `/dev/null` in its place, so a diagram would vanish with exit 0. Every write
/// fails instead, and the command exits 2 saying so.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("standard output is closed"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether descriptor 1 is the `/dev/null` the Rust runtime opens (read-write) for a standard
/// stream the process was started without; a shell's `> /dev/null` opens it write-only.
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    use std::os::unix::fs::MetadataExt;
    let is_null = |m: std::fs::Metadata| m.rdev();
    let (Ok(out), Ok(null)) =
        (std::fs::metadata("/proc/self/fd/1"), std::fs::metadata("/dev/null"))
    else {
        return false;
    };
    if out.file_type().is_file() || is_null(out) != is_null(null) {
        return false;
    }
    // `flags:\t0100002`: octal, the access mode in the low two bits (2: read-write).
    std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
        info.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .is_some_and(|flags| flags & 3 == 2)
    })
}

#[cfg(not(target_os = "linux"))]
fn stdout_was_closed() -> bool {
    false
}

fn main() -> ExitCode {
    let mut stdin = std::io::stdin().lock();
    let stdout_is_terminal = std::io::stdout().is_terminal();
    // A terminal gets each line as it is written; a pipe or a file gets large writes: the
    // standard line buffering made a 400 MB JSON report ten million write calls.
    let mut open: Box<dyn Write> = if stdout_is_terminal {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))
    };
    let mut closed = Closed;
    let stdout_open = !stdout_was_closed();
    let stdout: &mut dyn Write = if stdout_open { &mut *open } else { &mut closed };
    let mut stderr = std::io::stderr().lock();
    let mut io = archmap::Io {
        stdout_is_terminal,
        stderr_is_terminal: std::io::stderr().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        cwd: std::env::current_dir().unwrap_or_default(),
        env: std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect(),
        stdin: &mut stdin,
        stdout,
        stderr: &mut stderr,
    };
    let code = archmap::run(std::env::args_os().collect(), &mut io);
    // What is still buffered must reach its reader too: a failure there is a failed run (a
    // full disk behind `> file`), except a reader that went away (`| head`), as for any write.
    if let Err(e) = io.stdout.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && code == 0
    {
        let _ = writeln!(io.stderr, "error: cannot write to standard output: {e}");
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}
