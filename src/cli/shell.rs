//! `archmap completions` and `archmap man`: generated from the command-line definition, so they
//! never go stale.

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, ManArgs};
use super::{Io, write_atomic};
use crate::error::Error;

pub(super) fn completions(args: &CompletionsArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "archmap", &mut out);
    io.stdout.write_all(&out)?;
    Ok(0)
}

/// The man pages: `archmap.1`, then `archmap-COMMAND.1` for each command, as (file name, roff).
pub(crate) fn man_pages() -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let cmd = Cli::command();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut top)?;
    pages.push(("archmap.1".to_string(), top));
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("archmap-{}", sub.get_name());
        let sub = sub.clone().name(name.clone()).bin_name(format!("archmap {}", sub.get_name()));
        let mut page = Vec::new();
        clap_mangen::Man::new(sub).render(&mut page)?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

pub(super) fn man(args: &ManArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let pages = man_pages()?;
    let Some(dir) = &args.output else {
        io.stdout.write_all(&pages[0].1)?;
        return Ok(0);
    };
    let full = io.cwd.join(dir);
    std::fs::create_dir_all(&full).map_err(|source| Error::Write { path: dir.clone(), source })?;
    for (name, page) in &pages {
        write_atomic(&full.join(name), page)?;
    }
    Ok(0)
}
