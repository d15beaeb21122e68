//! `archmap init`: a commented starter manifest that checks clean.

use std::path::Path;

use super::args::{GlobalArgs, InitArgs};
use super::{Io, temp_beside};
use crate::error::Error;

/// The starter manifest; `{name}` is replaced by the system's name.
const STARTER: &str = include_str!("../../templates/init.yaml");

/// The starter manifest for a system called `name`.
#[must_use]
pub(crate) fn starter(name: &str) -> String {
    STARTER.replace("{name}", &crate::import::write::scalar(name))
}

pub(super) fn run(args: &InitArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let name = match &args.name {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        Some(_) => return Err(Error::Usage("`--name` is empty".into())),
        None => default_name(&io.cwd),
    };
    super::outfile::only(Some(&args.path), "manifest", &["yaml", "yml"])?;
    let text = starter(&name);
    if args.path.as_os_str() == "-" {
        io.stdout.write_all(text.as_bytes())?;
        return Ok(0);
    }
    let path = io.cwd.join(&args.path);
    if path.exists() || path.is_symlink() {
        return Err(Error::Usage(format!(
            "{} already exists; archmap init never overwrites a file (choose another path, or remove it first)",
            args.path.display()
        )));
    }
    write_new(&path, text.as_bytes())
        .map_err(|reason| Error::Write { path: args.path.clone(), reason })?;
    if !global.quiet {
        writeln!(
            io.stderr,
            "wrote {}; try `archmap check {0}` and `archmap render {0} -o architecture.svg`",
            args.path.display()
        )?;
    }
    Ok(0)
}

/// Writes a new file atomically without ever replacing one: a temporary file in the same
/// directory, then a link that fails if the name was taken meanwhile.
fn write_new(path: &Path, text: &[u8]) -> std::io::Result<()> {
    temp_beside(path, text)?.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// The current directory's name, or "My System".
fn default_name(cwd: &Path) -> String {
    cwd.file_name()
        .and_then(|n| n.to_str())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| "My System".to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use crate::import::write::scalar;

    #[test]
    fn names_are_quoted_when_yaml_would_read_them_differently() {
        assert_eq!(scalar("Acme Shop"), "Acme Shop");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("42"), "\"42\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("#1 \"shop\""), "\"#1 \\\"shop\\\"\"");
        assert_eq!(scalar("Café"), "\"Café\"");
    }
}
