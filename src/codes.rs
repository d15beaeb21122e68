//! Every code archmap reports, in one table: the checks (`AM0xx`), the problems reading a
//! manifest (`AM1xx`), the problems importing compose files and Kubernetes YAML (`AM2xx`) and
//! the differences `archmap drift` finds (`AM3xx`).
//!
//! Input: the three lists that define codes, each beside the code that reports them:
//! [`registry::RULES`], [`manifest::codes::PROBLEMS`] and [`import::codes::PROBLEMS`]. Output:
//! [`all`], every code in code order as one [`Code`] view, and [`find`], the one lookup by code
//! or id. Invariants (tested here): every code is `AM` and three digits and appears once, in
//! order; its hundreds digit is its family's; ids are unique kebab-case across all families.
//! Like the pipeline, this module sits beside the stages: it reads their tables and no stage
//! reads it, so the reader need not know the checks, nor the checks the importer.

use crate::analysis::{RuleMeta, registry};
use crate::diagnostic::{self, ProblemMeta};
use crate::{drift, import, manifest};

/// One code, with what its family documents about it.
#[derive(Clone, Copy, Debug)]
pub enum Code {
    /// A check (`AM0xx`): configurable, listed by `archmap rules`.
    Check(&'static RuleMeta),
    /// A problem reading the manifest (`AM1xx`): fatal, not configurable.
    Manifest(&'static ProblemMeta),
    /// A problem of `archmap import` (`AM2xx`).
    Import(&'static ProblemMeta),
    /// A difference `archmap drift` finds (`AM3xx`).
    Drift(&'static ProblemMeta),
}

impl Code {
    /// The code, e.g. `AM010`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Code::Check(m) => m.code,
            Code::Manifest(p) | Code::Import(p) | Code::Drift(p) => p.code,
        }
    }

    /// The kebab-case id, e.g. `sync-cycle`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Code::Check(m) => m.id,
            Code::Manifest(p) | Code::Import(p) | Code::Drift(p) => p.id,
        }
    }
}

/// Every code, in code order: the checks, then the reading problems, then the import problems.
pub(crate) fn all() -> impl Iterator<Item = Code> {
    registry::metas()
        .map(Code::Check)
        .chain(manifest::codes::PROBLEMS.iter().map(Code::Manifest))
        .chain(import::codes::PROBLEMS.iter().map(Code::Import))
        .chain(drift::codes::PROBLEMS.iter().map(Code::Drift))
}

/// The code named `name`: its id, or its code in any case.
#[must_use]
pub(crate) fn find(name: &str) -> Option<Code> {
    all().find(|c| diagnostic::names_code(name, c.code(), c.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_in_order() {
        let codes: Vec<&str> = all().map(Code::code).collect();
        for c in &codes {
            assert!(
                c.len() == 5 && c.starts_with("AM") && c[2..].chars().all(|d| d.is_ascii_digit()),
                "{c}"
            );
        }
        for pair in codes.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{} then {}: codes must be unique and in order",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn the_hundreds_digit_is_the_family() {
        for c in all() {
            let expected = match c {
                Code::Check(_) => "0",
                Code::Manifest(_) => "1",
                Code::Import(_) => "2",
                Code::Drift(_) => "3",
            };
            assert_eq!(&c.code()[2..3], expected, "{}", c.code());
        }
    }

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut ids: Vec<&str> = all().map(Code::id).collect();
        for id in &ids {
            assert!(
                !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert!(!id.starts_with('-') && !id.ends_with('-') && !id.contains("--"), "{id}");
        }
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids must be unique across checks and problems");
    }

    #[test]
    fn every_code_is_documented() {
        for c in all() {
            let (summary, docs) = match c {
                Code::Check(m) => (m.summary, m.docs),
                Code::Manifest(p) | Code::Import(p) | Code::Drift(p) => (p.summary, p.docs),
            };
            assert!(!summary.is_empty() && !docs.is_empty(), "{}", c.code());
        }
    }

    #[test]
    fn find_by_code_in_any_case_or_id() {
        for c in all() {
            for name in [c.code(), &c.code().to_ascii_lowercase(), c.id()] {
                assert_eq!(find(name).map(Code::code), Some(c.code()), "{name}");
            }
        }
        assert!(matches!(find("am010"), Some(Code::Check(m)) if m.id == "sync-cycle"));
        assert!(matches!(find("yaml-syntax"), Some(Code::Manifest(p)) if p.code == "AM100"));
        assert!(
            matches!(find("AM205"), Some(Code::Import(p)) if p.id == "inferred-dependency-dropped")
        );
        assert!(find("SYNC-CYCLE").is_none(), "ids are matched as written");
        assert!(find("AM999").is_none());
    }
}
