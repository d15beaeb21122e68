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

/// The man pages: `archmap.1`, then `archmap-COMMAND.1` for each command and
/// `archmap-COMMAND-SUBCOMMAND.1` for each of its own (`archmap-import-compose.1`), as (file name,
/// roff). Every page a page refers to is among them, and every page has an EXIT STATUS section.
pub(crate) fn man_pages() -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    // `help` as a subcommand is a command-line convenience; `--help` is on every page already,
    // and a page per `help` would be a page about nothing.
    let cmd = disable_help_subcommands(Cli::command());
    let mut pages = Vec::new();
    man_page("archmap", "archmap", &cmd, &mut pages)?;
    Ok(pages)
}

/// `cmd` and its subcommands, each without a `help` subcommand.
fn disable_help_subcommands(cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let mut cmd = cmd.disable_help_subcommand(true);
    for name in names {
        cmd = cmd.mut_subcommand(name, disable_help_subcommands);
    }
    cmd
}

/// The page of `cmd`, named `name` (`archmap-import`) and invoked as `bin` (`archmap import`),
/// then its subcommands' pages.
fn man_page(
    name: &str,
    bin: &str,
    cmd: &clap::Command,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), std::io::Error> {
    let page_cmd = cmd.clone().name(name.to_string()).bin_name(bin.to_string());
    let mut page = Vec::new();
    clap_mangen::Man::new(page_cmd).render(&mut page)?;
    pages.push((format!("{name}.1"), with_exit_status(page)));
    for sub in cmd.get_subcommands() {
        let sub_name = format!("{name}-{}", sub.get_name());
        man_page(&sub_name, &format!("{bin} {}", sub.get_name()), sub, pages)?;
    }
    Ok(())
}

/// The EXIT STATUS section every archmap command shares, in roff.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success: the command did what it was asked and found nothing that fails the run.
.TP
\fB1\fR
The command ran and found what it exists to find: findings of error level (or warnings with
\fB\-\-deny warnings\fR), a stale file with \fB\-\-check\fR, differences with
\fBdiff \-\-exit\-code\fR. \fB\-\-exit\-zero\fR turns this into 0.
.TP
\fB2\fR
The command could not run: a usage error, a file that cannot be read or written, a manifest that
cannot be read.
"#;

/// `page` with [`EXIT_STATUS`] before its VERSION section (or at its end).
fn with_exit_status(page: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    let text = match text.find("\n.SH VERSION") {
        Some(at) => format!("{}\n{}{}", &text[..at], EXIT_STATUS.trim_end(), &text[at..]),
        None => format!("{text}{EXIT_STATUS}"),
    };
    text.into_bytes()
}

pub(super) fn man(args: &ManArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let pages = man_pages()?;
    let Some(dir) = &args.output else {
        io.stdout.write_all(&pages[0].1)?;
        return Ok(0);
    };
    let full = io.cwd.join(dir);
    std::fs::create_dir_all(&full).map_err(|reason| Error::Write { path: dir.clone(), reason })?;
    for (name, page) in &pages {
        write_atomic(&full.join(name), page)?;
    }
    Ok(0)
}
