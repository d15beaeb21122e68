//! Emitters: human, JSON.
