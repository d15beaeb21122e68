//! Command-line behaviour: exit codes, messages, files written.
