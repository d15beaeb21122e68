//! The estate shape: a very large microservice estate rather than one system.
//!
//! Published estates of close to 20,000 services share a shape that the system shape of the
//! parent module does not have: every component has about 11 dependencies, a handful of
//! platform services (identity, configuration, feature flags, logging…) are called by most of
//! the estate (fan-in in the thousands), the rest of the fan-in is heavy-tailed (at 20,000
//! components: median 1, 99th percentile about 120, the top tier called by nobody), and teams
//! own flat groups of about 50 components that call across the whole estate. [`generate`] writes such a manifest, deterministically:
//!
//! - components are numbered in a topological order and split into tiers; a component depends
//!   only on the platform and on lower tiers, so the dependency graph is acyclic apart from
//!   the cycles injected on purpose (as in the system shape, each one is exactly one AM010 or
//!   AM011) and sync chains are a few hops deep;
//! - the first [`PLATFORM`] components are platform services, each called by a share of the
//!   estate that falls from about 3/4 to about 1/10;
//! - the other dependencies pick their target with weight `1 / (rank + 10)` for a random
//!   rank per component (a Zipf-like tail), among the components of lower tiers;
//! - about 1 in 6 components is a datastore, topic or queue (no dependencies of its own);
//! - groups are teams of about 50 members drawn at random across the order, so collapsed
//!   groups are connected in both directions, as in a real estate;
//! - about 40 % of components name an owner (the rest inherit none), so the missing-owner
//!   check fires on most of the estate, as it does on real inventories.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{Params, Rng, Synth};

/// How many platform services with very high fan-in.
const PLATFORM: usize = 8;
/// The share (per mille) of the estate calling each platform service.
const PLATFORM_SHARE: [usize; PLATFORM] = [750, 520, 380, 260, 180, 130, 100, 90];
/// Dependencies per component besides the platform ones (mean), and the group size.
const DEPS: usize = 11;
const GROUP_SIZE: usize = 50;
/// Where each tier starts, in per cent of the component order: a component depends only on
/// the platform and on components of lower tiers.
const TIERS: [usize; 6] = [0, 5, 25, 45, 65, 85];

const WORDS: &[&str] = &[
    "account",
    "billing",
    "cart",
    "catalog",
    "checkout",
    "claims",
    "content",
    "delivery",
    "device",
    "document",
    "feed",
    "fleet",
    "geo",
    "identity",
    "inventory",
    "invoice",
    "ledger",
    "listing",
    "loyalty",
    "match",
    "media",
    "message",
    "offer",
    "order",
    "partner",
    "payment",
    "payout",
    "pricing",
    "profile",
    "quote",
    "rating",
    "refund",
    "rider",
    "route",
    "search",
    "session",
    "shipment",
    "store",
    "tax",
    "ticket",
    "trip",
    "user",
    "voucher",
    "wallet",
];
const ROLES: &[&str] =
    &["api", "svc", "worker", "reader", "writer", "sync", "gateway", "engine", "indexer", "job"];
const PLATFORM_NAMES: [&str; PLATFORM] = [
    "platform-auth",
    "platform-config",
    "platform-feature-flags",
    "platform-logging",
    "platform-metrics",
    "platform-secrets",
    "platform-tracing",
    "platform-rate-limit",
];

const TECH: &[&str] =
    &["Go", "Java / Spring Boot", "Kotlin", "Node.js", "Python", "Rust", ".NET", "Scala"];
const PROTOCOLS: &[&str] = &["grpc", "http", "rest", "grpc", "graphql"];

/// `orders-api-12` → `Orders Api 12`.
fn title(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Service,
    Database,
    Topic,
    Queue,
    Cache,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Database => "database",
            Kind::Topic => "topic",
            Kind::Queue => "queue",
            Kind::Cache => "cache",
        }
    }

    fn passive(self) -> bool {
        self != Kind::Service
    }
}

/// Writes an estate of `params.components` components.
#[allow(clippy::too_many_lines, reason = "the estate's recipe, read top to bottom")]
pub(crate) fn generate(params: &Params) -> Synth {
    let n = params.components.max(PLATFORM + 10);
    let mut rng = Rng::new(params.seed);
    let kinds: Vec<Kind> = (0..n)
        .map(|i| {
            if i < PLATFORM {
                return Kind::Service;
            }
            match rng.below(100) {
                0..=9 => Kind::Database,
                10..=12 => Kind::Topic,
                13..=14 => Kind::Queue,
                15 => Kind::Cache,
                _ => Kind::Service,
            }
        })
        .collect();
    let ids: Vec<String> = (0..n)
        .map(|i| {
            if i < PLATFORM {
                return PLATFORM_NAMES[i].to_string();
            }
            let w = WORDS[rng.below(WORDS.len())];
            match kinds[i] {
                Kind::Service => format!("{w}-{}-{i}", ROLES[rng.below(ROLES.len())]),
                k => format!("{w}-{}-{i}", k.as_str()),
            }
        })
        .collect();
    // Zipf-like weights by a random rank, as prefix sums in component order.
    let mut ranks: Vec<u64> = (0..n as u64).collect();
    rng.shuffle(&mut ranks);
    let mut pre = Vec::with_capacity(n + 1);
    pre.push(0u64);
    for (i, r) in ranks.iter().enumerate() {
        // Platform services are drawn separately, so the tail never picks them.
        let w = if i < PLATFORM { 0 } else { 1_000_000 / (r + 10) };
        pre.push(pre[i] + w);
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
    for from in PLATFORM..n {
        if kinds[from].passive() {
            continue;
        }
        for (p, share) in PLATFORM_SHARE.iter().enumerate() {
            if rng.below(1000) < *share {
                deps[from].push(p);
            }
        }
        let want = rng.range(DEPS / 2, DEPS + DEPS / 2);
        // Only components of a lower tier: the deepest sync chain is bounded, as in a
        // layered estate.
        let tier = TIERS.iter().rposition(|&t| from * 100 >= t * n).unwrap_or(0);
        let total = pre[(TIERS[tier] * n / 100).max(PLATFORM)];
        for _ in 0..want {
            if total == 0 {
                break;
            }
            let u = rng.below(total as usize) as u64;
            let to = pre.partition_point(|&x| x <= u) - 1;
            if to != from && !deps[from].contains(&to) {
                deps[from].push(to);
            }
        }
    }
    // Injected cycles: two services `lo` < `hi`; `lo` loses its own dependencies and every
    // caller but `hi`, then depends back on `hi`, so each cycle is exactly one strongly
    // connected component {lo, hi} (sync cycles first, then async ones).
    let services: Vec<usize> = (PLATFORM..n).filter(|&i| kinds[i] == Kind::Service).collect();
    let mut cycle_edges: Vec<(usize, usize, bool)> = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    for c in 0..params.cycles + params.async_cycles {
        let a = services[rng.below(services.len())];
        let b = services[rng.below(services.len())];
        let (lo, hi) = (a.min(b), a.max(b));
        if lo == hi || used.contains(&lo) || used.contains(&hi) {
            continue;
        }
        used.insert(lo);
        used.insert(hi);
        deps[lo].clear();
        for (from, d) in deps.iter_mut().enumerate() {
            if from != hi {
                d.retain(|&t| t != lo);
            }
        }
        if !deps[hi].contains(&lo) {
            deps[hi].push(lo);
        }
        cycle_edges.push((lo, hi, c < params.cycles));
    }
    let sync_cycles = cycle_edges.iter().filter(|c| c.2).count();
    let async_cycles = cycle_edges.len() - sync_cycles;
    let edges = deps.iter().map(Vec::len).sum::<usize>() + cycle_edges.len();
    for d in &mut deps {
        d.sort_unstable();
    }

    let groups = n.div_ceil(GROUP_SIZE);
    let mut member_group: Vec<usize> = (0..n).map(|i| i % groups).collect();
    rng.shuffle(&mut member_group);

    let mut out = String::with_capacity(n * 700);
    let _ = writeln!(
        out,
        "# Synthetic estate generated by archmap's benchmark suite (benches/synth, estate shape)."
    );
    let _ = writeln!(out, "# {n} components, {edges} dependencies, seed {}.", params.seed);
    let _ = writeln!(out, "version: 1\nname: Synthetic estate {n} components seed {}", params.seed);
    if params.groups {
        let _ = writeln!(out, "\ngroups:");
        for g in 0..groups {
            let _ = writeln!(out, "  team-{g}:\n    label: Team {g}");
            if g % 3 == 0 {
                let _ = writeln!(out, "    owner: owners-{g}");
            }
        }
    }
    let _ = writeln!(out, "\nservices:");
    for i in 0..n {
        let _ = writeln!(out, "  {}:", ids[i]);
        if kinds[i] != Kind::Service {
            let _ = writeln!(out, "    kind: {}", kinds[i].as_str());
        }
        let _ = writeln!(out, "    label: {}", title(&ids[i]));
        let _ = writeln!(out, "    tech: {}", TECH[(i * 13) % TECH.len()]);
        if params.groups && i >= PLATFORM {
            let _ = writeln!(out, "    group: team-{}", member_group[i]);
        }
        if i < PLATFORM || (i * 7) % 10 < 4 {
            let _ = writeln!(out, "    owner: team-owner-{}", member_group[i] % 97);
        }
        if i < PLATFORM || i % 4 == 0 {
            let _ = writeln!(out, "    replicas: {}", 2 + i % 3);
        }
        let back: Vec<&(usize, usize, bool)> =
            cycle_edges.iter().filter(|&&(lo, _, _)| lo == i).collect();
        if deps[i].is_empty() && back.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    depends_on:");
        for (k, &t) in deps[i].iter().enumerate() {
            // About one dependency in four in the map form, with a protocol.
            if (i + k) % 4 == 0 && kinds[t] == Kind::Service {
                let protocol = PROTOCOLS[(i + 3 * k) % PROTOCOLS.len()];
                let _ = writeln!(out, "      - target: {}\n        protocol: {protocol}", ids[t]);
            } else {
                let _ = writeln!(out, "      - {}", ids[t]);
            }
        }
        for &&(_, hi, sync) in &back {
            if sync {
                let _ = writeln!(out, "      - target: {}\n        label: callback", ids[hi]);
            } else {
                let _ = writeln!(
                    out,
                    "      - target: {}\n        mode: async\n        label: events",
                    ids[hi]
                );
            }
        }
    }
    if params.groups {
        let _ = writeln!(out, "\nviews:\n  overview:\n    title: Teams\n    collapse: all");
    }
    Synth { yaml: out, components: n, edges, sync_cycles, async_cycles }
}
