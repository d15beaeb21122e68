//! The one integration test binary (one binary links once; see CONTRIBUTING.md).

// Tests say on standard error why they skip a validator that is not installed.
#![allow(clippy::print_stderr)]

mod support;

mod bounds;
mod browser;
mod checks;
mod cli;
mod diff;
mod docs;
mod examples;
mod fixtures;
mod flows;
mod hostile;
mod html;
mod import;
mod layout;
mod props;
mod recipes;
mod reports;
mod safe_svg;
mod schema;
mod signal;
mod synth;
mod view_selection;
mod views;
