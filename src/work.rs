//! Work counters for archmap's own tests: how many steps the paths that were once super-linear
//! take on the current thread, so tests can assert near-linear growth by counting work, never by
//! timing it.
//!
//! Input: `add` calls from those paths. Output: per-thread totals. Invariant: counting is
//! compiled only with the `quality` feature (archmap's tests and benches); the tool itself pays
//! nothing for it.

/// A path whose work is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Bytes counted to turn a byte offset into a line and column.
    LineColumn,
    /// `allow` entries looked at to decide whether a finding is silenced.
    AllowMatch,
    /// Steps up the group hierarchy while a scene places its groups.
    GroupWalk,
    /// Bytes produced by compose interpolation.
    Interpolation,
    /// Components and edges visited while finding a concrete cycle in a strongly connected
    /// component.
    CycleSearch,
    /// Steps deciding which components a view's selectors keep, and which selectors match.
    Selection,
}

const KINDS: usize = 6;

#[cfg(feature = "quality")]
thread_local! {
    static COUNTS: [std::cell::Cell<u64>; KINDS] = const {
        [const { std::cell::Cell::new(0) }; KINDS]
    };
}

/// Counts `n` steps of `kind` on this thread.
#[inline]
pub(crate) fn add(kind: Work, n: usize) {
    #[cfg(feature = "quality")]
    COUNTS.with(|c| c[kind as usize].set(c[kind as usize].get() + n as u64));
    #[cfg(not(feature = "quality"))]
    let _ = (kind, n, KINDS);
}

/// The steps of `kind` counted on this thread since the last [`reset`] (always 0 without the
/// `quality` feature).
#[must_use]
pub fn counted(kind: Work) -> u64 {
    #[cfg(feature = "quality")]
    return COUNTS.with(|c| c[kind as usize].get());
    #[cfg(not(feature = "quality"))]
    {
        let _ = kind;
        0
    }
}

/// Sets every counter of this thread back to 0.
pub fn reset() {
    #[cfg(feature = "quality")]
    COUNTS.with(|c| c.iter().for_each(|x| x.set(0)));
}
