//! The one integration test binary (one binary links once; see CONTRIBUTING.md).

// Tests say on standard error why they skip a validator that is not installed.
#![allow(clippy::print_stderr)]

mod support;

mod bounds;
mod browser;
mod checks;
mod ci_formats;
mod cli;
mod conventions;
mod diff;
mod distribution;
mod docs;
mod drift;
mod examples;
mod fixtures;
mod flows;
mod hostile;
mod html;
mod import;
mod import_k8s;
mod layout;
mod props;
mod recipes;
mod reports;
mod safe_svg;
mod scale;
mod schema;
mod signal;
mod synth;
mod view_selection;
mod views;
