//! The one integration test binary (one binary links once; see CONTRIBUTING.md).

mod support;

mod checks;
mod cli;
mod docs;
mod examples;
mod fixtures;
