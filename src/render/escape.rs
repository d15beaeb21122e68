//! Escaping of user strings for each output format.
