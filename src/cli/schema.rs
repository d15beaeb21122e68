//! `archmap schema`: the manifest's JSON Schema.

use super::args::SchemaArgs;
use super::{Io, write_atomic};
use crate::error::Error;
use crate::json_schema;

pub(super) fn run(args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    super::outfile::only(args.output.as_deref(), "JSON Schema", &["json"])?;
    let text = json_schema::to_json();
    let Some(path) = super::output_path(args.output.as_ref()) else {
        if args.check {
            return Err(Error::Usage("--check needs a path for -o, not `-`".into()));
        }
        io.stdout.write_all(text.as_bytes())?;
        return Ok(0);
    };
    let full = io.cwd.join(path);
    if args.check {
        let Some(reason) = super::stale_reason(&full, text.as_bytes()) else {
            return Ok(0);
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
