//! The `archmap` binary: everything happens in [`archmap::run`].

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

// Reading a large manifest is mostly small allocations; mimalloc serves them faster than the
// system allocators (glibc's, and musl's in the static release builds).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    // A standard output the process was started without cannot be told apart: the Rust
    // runtime opens /dev/null read-write in its place before `main`, exactly as Python's
    // `subprocess.DEVNULL` does for a caller that discards the output on purpose.
    let stdout: &mut dyn Write = &mut *open;
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
        spent: Vec::new(),
    };
    let code = archmap::run(std::env::args_os().collect(), &mut io);
    // The process ends here: freeing the model and manifests of a large estate node by node
    // took about 6 % of a check's time, and the operating system takes the memory back anyway.
    std::mem::forget(std::mem::take(&mut io.spent));
    // What is still buffered must reach its reader too: a failure there is a failed run (a
    // full disk behind `> file`), except a reader that went away (`| head`), as for any write.
    if let Err(e) = io.stdout.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(io.stderr, "error: cannot write to standard output: {e}");
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}
