//! The words every stage shares: what a component is, how it is called, which way a diagram
//! flows, which way a focus reaches, and how loud a check is.
//!
//! Input: none; output: plain enums with their manifest spellings. Invariant: this module
//! imports nothing from the crate, so the reader, the model, the checks, the scene, the layout
//! and the writers can all speak of a [`Kind`] without depending on each other.

use std::fmt;

/// What a component is; decides its shape and some checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Kind {
    /// A deployable backend service.
    #[default]
    Service,
    /// A web or mobile client.
    Frontend,
    /// An API gateway, load balancer, BFF or ingress.
    Gateway,
    /// A relational or document store.
    Database,
    /// Redis, Memcached.
    Cache,
    /// A message queue.
    Queue,
    /// A pub/sub topic or stream.
    Topic,
    /// Object or file storage.
    Storage,
    /// A serverless function.
    Function,
    /// A batch job, cron or worker without an API.
    Job,
    /// A third-party system outside our control.
    External,
    /// A person or actor.
    User,
}

impl Kind {
    /// Every kind, in the order MANIFEST.md lists them.
    pub const ALL: [Kind; 12] = [
        Kind::Service,
        Kind::Frontend,
        Kind::Gateway,
        Kind::Database,
        Kind::Cache,
        Kind::Queue,
        Kind::Topic,
        Kind::Storage,
        Kind::Function,
        Kind::Job,
        Kind::External,
        Kind::User,
    ];

    /// The name written in manifests.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Frontend => "frontend",
            Kind::Gateway => "gateway",
            Kind::Database => "database",
            Kind::Cache => "cache",
            Kind::Queue => "queue",
            Kind::Topic => "topic",
            Kind::Storage => "storage",
            Kind::Function => "function",
            Kind::Job => "job",
            Kind::External => "external",
            Kind::User => "user",
        }
    }

    /// The kind written as `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Database, cache, queue, topic and storage: things that are used, not users.
    #[must_use]
    pub fn is_passive(self) -> bool {
        matches!(self, Kind::Database | Kind::Cache | Kind::Queue | Kind::Topic | Kind::Storage)
    }

    /// Queue and topic: dependencies on them default to async.
    #[must_use]
    pub fn is_messaging(self) -> bool {
        matches!(self, Kind::Queue | Kind::Topic)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a caller waits for the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// The caller waits.
    Sync,
    /// Fire and forget, through a queue or topic.
    Async,
}

impl Mode {
    /// The name written in manifests.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sync => "sync",
            Mode::Async => "async",
        }
    }
}

/// Diagram direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Top to bottom (default).
    #[default]
    TB,
    /// Left to right.
    LR,
    /// Bottom to top.
    BT,
    /// Right to left.
    RL,
}

impl Direction {
    /// The name written in manifests and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::TB => "TB",
            Direction::LR => "LR",
            Direction::BT => "BT",
            Direction::RL => "RL",
        }
    }

    /// The direction written as `name` (case-insensitive).
    #[must_use]
    pub fn parse(name: &str) -> Option<Direction> {
        [Direction::TB, Direction::LR, Direction::BT, Direction::RL]
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(name))
    }
}

/// Which way a focus reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FocusDirection {
    /// Callers of the focus, transitively.
    Upstream,
    /// What the focus depends on, transitively.
    Downstream,
    /// Both (default).
    #[default]
    Both,
}

impl FocusDirection {
    /// The direction written as `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<FocusDirection> {
        match name {
            "upstream" => Some(FocusDirection::Upstream),
            "downstream" => Some(FocusDirection::Downstream),
            "both" => Some(FocusDirection::Both),
            _ => None,
        }
    }
}

/// A severity setting in `rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// The check does not run.
    Off,
    /// Findings are info.
    Info,
    /// Findings are warnings.
    Warn,
    /// Findings are errors.
    Error,
}

impl Level {
    /// Every level, from quietest to loudest.
    pub const ALL: [Level; 4] = [Level::Off, Level::Info, Level::Warn, Level::Error];

    /// The level written as `name` (its [`as_str`](Level::as_str) name, or `warning` for
    /// `warn`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Level> {
        if name == "warning" {
            return Some(Level::Warn);
        }
        Level::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The name written in manifests and printed by `archmap rules`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip_through_their_names() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), Some(level), "{level:?}");
        }
        let names: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(names, ["off", "info", "warn", "error"]);
        assert_eq!(Level::parse("warning"), Some(Level::Warn), "the long spelling is accepted");
        assert_eq!(Level::parse("loud"), None);
    }
}
