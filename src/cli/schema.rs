//! `archmap schema`: the manifest's JSON Schema.

use super::args::SchemaArgs;
use super::{Io, write_atomic};
use crate::error::Error;
use crate::json_schema;

pub(super) fn run(args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let text = json_schema::to_json();
    let Some(path) = &args.output else {
        io.stdout.write_all(text.as_bytes())?;
        return Ok(0);
    };
    let full = io.cwd.join(path);
    if args.check {
        let reason = match std::fs::read(&full) {
            Ok(old) if old == text.as_bytes() => return Ok(0),
            Ok(_) => "differs from what would be written",
            Err(_) => "is missing",
        };
        writeln!(
            io.stderr,
            "stale: {} {reason}; run `archmap schema -o {0}` to update it",
            path.display()
        )?;
        return Ok(1);
    }
    write_atomic(&full, text.as_bytes())?;
    Ok(0)
}
