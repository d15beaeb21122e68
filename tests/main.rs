//! The one integration test binary (one binary links once; see CONTRIBUTING.md).

mod support;

mod cli;
mod examples;
mod fixtures;
mod reports;
