//! Synthetic archmap manifests for benchmarks and tests: deterministic, valid, realistic in shape.
//!
//! [`generate`] writes the YAML text of a system of `components` components, the same bytes for
//! the same [`Params`] on every run (its own xorshift PRNG seeded through splitmix64, integer
//! arithmetic only, no hash-map iteration). The shape:
//!
//! - a few users → frontends → gateways (kind `gateway`) → services in 3–5 layers; service
//!   dependencies only point to lower layers, so the sync graph is acyclic apart from what is
//!   injected on purpose;
//! - Zipf-like fan-in: every service has a popularity rank and callers pick targets with weight
//!   `1 / (rank + 10)`, so a few services become hotspots;
//! - a database for most services, a few shared caches, queues, topics (async, default protocols
//!   amqp and kafka), object storage, batch jobs and third-party externals;
//! - domains with subdomains (nested groups), one owning team per domain, tags, replicas;
//! - about 2.5 dependencies per component, in both the short (`- id`) and the map form;
//! - `cycles` injected sync cycles and `async_cycles` cycles closed by an async back-edge (an
//!   event sent through a topic or queue, drawn as a direct async dependency). The members of an
//!   injected cycle depend on nothing else but datastores, topics, queues and externals, so
//!   every injected cycle is exactly one strongly connected component: `archmap check` reports
//!   one AM010 per sync cycle and one AM011 per async one.

mod estate;

use std::collections::HashSet;
use std::fmt::Write as _;

/// What to generate.
#[derive(Clone, Debug)]
pub(crate) struct Params {
    /// How many components (entries of `services`); below about 20 a floor of one of each
    /// kind applies.
    pub(crate) components: usize,
    /// The PRNG seed.
    pub(crate) seed: u64,
    /// Whether to write `groups` (domains and subdomains) and put components in them.
    pub(crate) groups: bool,
    /// How many sync cycles to inject (each reported as one AM010).
    pub(crate) cycles: usize,
    /// How many cycles closed by an async back-edge to inject (each reported as one AM011).
    pub(crate) async_cycles: usize,
    /// The estate shape (`estate.rs`: ~11 dependencies per component, platform services
    /// called by most of the estate, flat teams of ~50) instead of the system shape.
    pub(crate) estate: bool,
}

impl Params {
    /// `components` components from `seed`, with groups, 3 sync cycles and 2 async ones.
    pub(crate) fn new(components: usize, seed: u64) -> Params {
        Params { components, seed, groups: true, cycles: 3, async_cycles: 2, estate: false }
    }
}

/// A generated manifest and what it contains.
#[derive(Clone, Debug)]
pub(crate) struct Synth {
    /// The manifest's YAML text.
    pub(crate) yaml: String,
    /// Components written.
    pub(crate) components: usize,
    /// Dependencies written.
    pub(crate) edges: usize,
    /// Sync cycles injected (fewer than asked when the system is too small to hold them).
    pub(crate) sync_cycles: usize,
    /// Async cycles injected.
    pub(crate) async_cycles: usize,
}

/// xorshift64* seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64, so that nearby seeds give unrelated streams; xorshift needs a non-zero state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

/// Weighted sampling over a list, weight `1 / (rank + 10)` for a random rank per item.
struct Zipf {
    /// `pre[i]`: the total weight of items before `i`.
    pre: Vec<u64>,
}

impl Zipf {
    fn new(n: usize, rng: &mut Rng) -> Zipf {
        let mut ranks: Vec<u64> = (0..n as u64).collect();
        rng.shuffle(&mut ranks);
        let mut pre = Vec::with_capacity(n + 1);
        pre.push(0);
        for r in ranks {
            pre.push(pre.last().copied().unwrap_or(0) + 1_000_000 / (r + 10));
        }
        Zipf { pre }
    }

    /// An index in `from..n`, by weight; `None` when the range is empty.
    fn sample(&self, rng: &mut Rng, from: usize) -> Option<usize> {
        let n = self.pre.len() - 1;
        if from >= n {
            return None;
        }
        let total = self.pre[n] - self.pre[from];
        let u = self.pre[from] + rng.below(total as usize) as u64;
        // The last index whose prefix is <= u.
        Some(self.pre.partition_point(|&p| p <= u) - 1)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Frontend,
    Gateway,
    Service,
    Database,
    Cache,
    Queue,
    Topic,
    Storage,
    Job,
    External,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Frontend => "frontend",
            Kind::Gateway => "gateway",
            Kind::Service => "service",
            Kind::Database => "database",
            Kind::Cache => "cache",
            Kind::Queue => "queue",
            Kind::Topic => "topic",
            Kind::Storage => "storage",
            Kind::Job => "job",
            Kind::External => "external",
        }
    }
}

struct Dep {
    target: usize,
    protocol: Option<&'static str>,
    mode: Option<&'static str>,
    label: Option<String>,
    optional: bool,
}

impl Dep {
    fn to(target: usize) -> Dep {
        Dep { target, protocol: None, mode: None, label: None, optional: false }
    }

    fn protocol(mut self, p: &'static str) -> Dep {
        self.protocol = Some(p);
        self
    }

    fn label(mut self, l: String) -> Dep {
        self.label = Some(l);
        self
    }

    fn short(&self) -> bool {
        self.protocol.is_none() && self.mode.is_none() && self.label.is_none() && !self.optional
    }
}

struct Node {
    id: String,
    kind: Kind,
    label: String,
    group: Option<usize>,
    owner: Option<String>,
    tech: Option<&'static str>,
    tags: Vec<&'static str>,
    replicas: usize,
    description: Option<String>,
    /// Services: 0 is the top layer.
    layer: usize,
    /// A member of an injected cycle: depends on no other service outside its cycle.
    reserved: bool,
    deps: Vec<Dep>,
}

struct Group {
    id: String,
    label: String,
    parent: Option<usize>,
    owner: Option<String>,
    color: Option<&'static str>,
    description: Option<String>,
}

const DOMAINS: &[&str] = &[
    "orders",
    "payments",
    "catalog",
    "inventory",
    "shipping",
    "customers",
    "identity",
    "pricing",
    "search",
    "reviews",
    "marketing",
    "loyalty",
    "billing",
    "fraud",
    "analytics",
    "support",
    "notifications",
    "content",
    "media",
    "partners",
    "returns",
    "tax",
    "ledger",
    "risk",
    "compliance",
    "logistics",
    "warehouse",
    "recommendations",
    "subscriptions",
    "accounts",
    "onboarding",
    "messaging",
    "scheduling",
    "reporting",
    "pricing-engine",
    "merchandising",
    "checkout",
    "promotions",
    "insurance",
    "lending",
];
const SUBDOMAINS: &[&str] = &[
    "core",
    "api",
    "read-model",
    "admin",
    "sync",
    "rules",
    "reporting",
    "workflow",
    "ingest",
    "export",
    "events",
    "query",
];
const NOUNS: &[&str] = &[
    "service",
    "api",
    "worker",
    "manager",
    "engine",
    "registry",
    "resolver",
    "gateway-adapter",
    "processor",
    "store",
    "scheduler",
    "validator",
    "aggregator",
    "projector",
    "router",
    "indexer",
];
const SERVICE_TECH: &[&str] = &[
    "Go",
    "Java / Spring Boot",
    "Kotlin / Ktor",
    "Node.js / NestJS",
    "Python / FastAPI",
    "Rust / axum",
    ".NET 8",
    "Scala / Akka",
];
const DB_TECH: &[&str] = &["PostgreSQL", "MySQL", "MongoDB", "DynamoDB", "Cassandra", "PostgreSQL"];
const COLORS: &[&str] =
    &["#3b82f6", "#22c55e", "#f59e0b", "#ef4444", "#8b5cf6", "#0ea5e9", "#14b8a6", "#ec4899"];
const EXTERNALS: &[&str] = &[
    "stripe",
    "adyen",
    "twilio",
    "sendgrid",
    "google-maps",
    "salesforce",
    "zendesk",
    "segment",
    "okta",
    "avalara",
    "fedex",
    "ups",
    "dhl",
    "paypal",
    "experian",
    "docusign",
];

/// Writes a manifest for `params`.
pub(crate) fn generate(params: &Params) -> Synth {
    if params.estate {
        return estate::generate(params);
    }
    let mut g = Gen::new(params);
    g.nodes_and_groups();
    g.inject_cycles();
    g.structural_edges();
    g.random_edges();
    Synth {
        yaml: g.yaml(),
        components: g.nodes.len(),
        edges: g.edge_count,
        sync_cycles: g.sync_cycles,
        async_cycles: g.async_cycles,
    }
}

struct Gen<'p> {
    p: &'p Params,
    rng: Rng,
    nodes: Vec<Node>,
    groups: Vec<Group>,
    layers: usize,
    /// Services sorted by layer; `layer_start[l]` is where layer `l` begins.
    services: Vec<usize>,
    layer_start: Vec<usize>,
    service_zipf: Zipf,
    of_kind: Vec<(Kind, Vec<usize>)>,
    /// Each service's own database, if it has one.
    own_db: Vec<Option<usize>>,
    edges: HashSet<(usize, usize)>,
    edge_count: usize,
    called: Vec<bool>,
    sync_cycles: usize,
    async_cycles: usize,
}

impl<'p> Gen<'p> {
    fn new(p: &'p Params) -> Gen<'p> {
        Gen {
            p,
            rng: Rng::new(p.seed),
            nodes: Vec::new(),
            groups: Vec::new(),
            layers: 0,
            services: Vec::new(),
            layer_start: Vec::new(),
            service_zipf: Zipf { pre: vec![0] },
            of_kind: Vec::new(),
            own_db: Vec::new(),
            edges: HashSet::new(),
            edge_count: 0,
            called: Vec::new(),
            sync_cycles: 0,
            async_cycles: 0,
        }
    }

    fn kind(&self, kind: Kind) -> &[usize] {
        self.of_kind.iter().find(|(k, _)| *k == kind).map_or(&[], |(_, v)| v)
    }

    fn add_group(&mut self, id: String, label: String, parent: Option<usize>) -> Option<usize> {
        if !self.p.groups {
            return None;
        }
        self.groups.push(Group { id, label, parent, owner: None, color: None, description: None });
        Some(self.groups.len() - 1)
    }

    fn node(&mut self, id: String, kind: Kind, label: String, group: Option<usize>) -> usize {
        self.nodes.push(Node {
            id,
            kind,
            label,
            group,
            owner: None,
            tech: None,
            tags: Vec::new(),
            replicas: 1,
            description: None,
            layer: 0,
            reserved: false,
            deps: Vec::new(),
        });
        self.nodes.len() - 1
    }

    /// Decides the counts, creates every component and group, in manifest order.
    #[allow(clippy::too_many_lines, reason = "the generator's recipe, read top to bottom")]
    fn nodes_and_groups(&mut self) {
        let n = self.p.components.max(1);
        let frac = |per: usize, min: usize| (n / per).max(min);
        let users = frac(200, 1);
        let frontends = frac(100, 1);
        let gateways = frac(100, 1);
        let externals = frac(100, 1);
        let caches = frac(100, 1);
        let topics = frac(50, 1);
        let queues = frac(50, 1);
        let storage = frac(200, 1);
        let jobs = frac(100, 1);
        let fixed =
            users + frontends + gateways + externals + caches + topics + queues + storage + jobs;
        // The rest: services, and a database for most of them (5 services : 3 databases).
        let rest = n.saturating_sub(fixed).max(2);
        let service_count = (rest * 5).div_ceil(8);
        let db_count = rest - service_count;
        self.layers = (3 + self.rng.below(3)).min(service_count).max(1);

        // Channels: users, frontends, gateways.
        let channels = self.add_group("channels".into(), "Channels".into(), None);
        if let Some(c) = channels {
            self.groups[c].color = Some("#0ea5e9");
            self.groups[c].owner = Some("team-web".into());
            self.groups[c].description = Some("How customers and staff reach the system.".into());
        }
        let edge = self.add_group("edge".into(), "Edge and API gateways".into(), channels);
        if let Some(e) = edge {
            self.groups[e].owner = Some("team-platform".into());
        }
        let personas = ["customer", "merchant", "support-agent", "partner", "admin"];
        for i in 0..users {
            let persona = personas[i % personas.len()];
            let id = format!("{persona}-{}", i / personas.len() + 1);
            self.node(
                id,
                Kind::User,
                format!("{} {}", title(persona), i / personas.len() + 1),
                None,
            );
        }
        let apps = ["web-app", "ios-app", "android-app", "admin-console", "partner-portal"];
        let app_labels = ["Web App", "iOS App", "Android App", "Admin Console", "Partner Portal"];
        let app_tech = ["React", "Swift", "Kotlin", "Vue", "Next.js"];
        for i in 0..frontends {
            let a = i % apps.len();
            let id = format!("{}-{}", apps[a], i / apps.len() + 1);
            let label = format!("{} {}", app_labels[a], i / apps.len() + 1);
            let k = self.node(id, Kind::Frontend, label, channels);
            self.nodes[k].tech = Some(app_tech[a]);
            self.nodes[k].tags = vec!["public"];
        }
        let gw_tech = ["Envoy", "Kong", "NGINX", "GraphQL BFF"];
        for i in 0..gateways {
            let k = self.node(
                format!("api-gateway-{}", i + 1),
                Kind::Gateway,
                format!("API Gateway {}", i + 1),
                edge,
            );
            self.nodes[k].tech = Some(self.rng.pick(&gw_tech));
            self.nodes[k].replicas = self.rng.range(2, 4);
            self.nodes[k].tags = vec!["public", "tier-1"];
        }

        // Domains and subdomains: services, each followed by its database.
        let domains = (service_count / 60).max(2).min(service_count);
        let mut domain_services = vec![service_count / domains; domains];
        for d in domain_services.iter_mut().take(service_count % domains) {
            *d += 1;
        }
        let mut has_db: Vec<bool> = (0..service_count).map(|i| i < db_count).collect();
        self.rng.shuffle(&mut has_db);
        let mut s = 0;
        for (d, &count) in domain_services.iter().enumerate() {
            let base = DOMAINS[d % DOMAINS.len()];
            let name = if d < DOMAINS.len() {
                base.to_string()
            } else {
                format!("{base}-{}", d / DOMAINS.len() + 1)
            };
            let owner = format!("team-{name}");
            let dg = self.add_group(name.clone(), title(&name), None);
            if let Some(dg) = dg {
                self.groups[dg].owner = Some(owner.clone());
                self.groups[dg].color = Some(COLORS[d % COLORS.len()]);
                self.groups[dg].description =
                    Some(format!("The {} domain.", title(&name).to_lowercase()));
            }
            let subs = self.rng.range(2, 4).min(count.max(1));
            let mut sub_names: Vec<&str> = SUBDOMAINS.to_vec();
            self.rng.shuffle(&mut sub_names);
            let sub_groups: Vec<Option<usize>> = sub_names[..subs]
                .iter()
                .map(|sub| {
                    self.add_group(
                        format!("{name}-{sub}"),
                        format!("{} {}", title(&name), title(sub)),
                        dg,
                    )
                })
                .collect();
            for i in 0..count {
                let group = sub_groups[i % subs];
                let noun = self.rng.pick(NOUNS);
                let id = format!("{name}-{noun}-{}", s + 1);
                let k = self.node(
                    id.clone(),
                    Kind::Service,
                    format!("{} {} {}", title(&name), title(noun), s + 1),
                    group,
                );
                let layer = self.layer_for();
                let tech = self.rng.pick(SERVICE_TECH);
                let tier = self.rng.pick(&["tier-1", "tier-2", "tier-2", "tier-3"]);
                let n = &mut self.nodes[k];
                n.layer = layer;
                n.tech = Some(tech);
                n.tags.push(tier);
                // Most services name their owner; the rest inherit it from the domain's group.
                if !self.p.groups || self.rng.chance(80) {
                    self.nodes[k].owner = Some(owner.clone());
                }
                if self.rng.chance(60) {
                    self.nodes[k].replicas = self.rng.range(2, 6);
                }
                if self.rng.chance(10) {
                    self.nodes[k].tags.push(self.rng.pick(&["pii", "pci", "gdpr"]));
                }
                if self.rng.chance(30) {
                    self.nodes[k].description = Some(format!(
                        "Owns {} {} for the {name} domain.",
                        noun.replace('-', " "),
                        s + 1
                    ));
                }
                let db = if has_db[s] {
                    let tech = self.rng.pick(DB_TECH);
                    let db = self.node(
                        format!("{id}-db"),
                        Kind::Database,
                        format!("{} DB", self.nodes[k].label),
                        group,
                    );
                    let replicas = if self.rng.chance(30) { self.rng.range(2, 3) } else { 1 };
                    let n = &mut self.nodes[db];
                    n.tech = Some(tech);
                    n.owner = Some(owner.clone());
                    n.replicas = replicas;
                    Some(db)
                } else {
                    None
                };
                self.own_db.push(db);
                s += 1;
            }
        }

        let jobs_group = self.add_group("batch".into(), "Batch jobs".into(), None);
        for i in 0..jobs {
            let k = self.node(
                format!("nightly-job-{}", i + 1),
                Kind::Job,
                format!("Nightly Job {}", i + 1),
                jobs_group,
            );
            self.nodes[k].tech = Some("Python");
            self.nodes[k].owner = Some("team-data".into());
        }

        // Platform: shared caches, messaging, storage.
        let platform = self.add_group("platform".into(), "Platform".into(), None);
        if let Some(p) = platform {
            self.groups[p].owner = Some("team-platform".into());
            self.groups[p].color = Some("#64748b");
        }
        let data = self.add_group("platform-data".into(), "Shared data".into(), platform);
        let messaging = self.add_group("platform-messaging".into(), "Messaging".into(), platform);
        let platform_nodes = [
            (caches, Kind::Cache, "cache", data, &["Redis", "Memcached"][..]),
            (topics, Kind::Topic, "events", messaging, &["Kafka"][..]),
            (queues, Kind::Queue, "queue", messaging, &["RabbitMQ", "SQS"][..]),
            (storage, Kind::Storage, "bucket", data, &["S3", "GCS"][..]),
        ];
        for (count, kind, suffix, group, tech) in platform_nodes {
            for i in 0..count {
                let domain = DOMAINS[i % DOMAINS.len()];
                let id = format!("{domain}-{suffix}-{}", i + 1);
                let k = self.node(
                    id,
                    kind,
                    format!("{} {} {}", title(domain), title(suffix), i + 1),
                    group,
                );
                let tech = self.rng.pick(tech);
                let replicas = self.rng.range(1, 3);
                let n = &mut self.nodes[k];
                n.tech = Some(tech);
                n.owner = Some("team-platform".into());
                n.replicas = replicas;
            }
        }
        for i in 0..externals {
            let base = EXTERNALS[i % EXTERNALS.len()];
            let id = if i < EXTERNALS.len() {
                base.to_string()
            } else {
                format!("{base}-{}", i / EXTERNALS.len() + 1)
            };
            let label = title(&id);
            let k = self.node(id, Kind::External, label, None);
            self.nodes[k].description = Some("Third-party API.".into());
        }

        // Indexes.
        let kinds = [
            Kind::User,
            Kind::Frontend,
            Kind::Gateway,
            Kind::Service,
            Kind::Database,
            Kind::Cache,
            Kind::Queue,
            Kind::Topic,
            Kind::Storage,
            Kind::Job,
            Kind::External,
        ];
        self.of_kind = kinds
            .iter()
            .map(|&k| (k, (0..self.nodes.len()).filter(|&i| self.nodes[i].kind == k).collect()))
            .collect();
        let mut services = self.kind(Kind::Service).to_vec();
        services.sort_by_key(|&i| self.nodes[i].layer);
        self.layer_start = (0..=self.layers)
            .map(|l| services.partition_point(|&i| self.nodes[i].layer < l))
            .collect();
        self.service_zipf = Zipf::new(services.len(), &mut self.rng);
        self.services = services;
        self.called = vec![false; self.nodes.len()];
    }

    /// A random layer: the top one thinner than the others.
    fn layer_for(&mut self) -> usize {
        let total = 2 + 3 * (self.layers - 1);
        let r = self.rng.below(total);
        if r < 2 { 0 } else { 1 + (r - 2) / 3 }
    }

    fn add(&mut self, from: usize, dep: Dep) -> bool {
        let to = dep.target;
        if from == to || !self.edges.insert((from, to)) {
            return false;
        }
        self.called[to] = true;
        self.nodes[from].deps.push(dep);
        self.edge_count += 1;
        true
    }

    /// A service-to-service dependency in one of the usual forms.
    fn service_dep(&mut self, to: usize) -> Dep {
        let dep = Dep::to(to);
        let mut dep = match self.rng.below(20) {
            0..=7 => dep,
            8..=13 => dep.protocol("grpc"),
            14..=16 => dep.protocol("http"),
            17..=18 => dep.protocol("rest"),
            _ => dep.protocol("graphql"),
        };
        if dep.protocol.is_some() && self.rng.chance(15) {
            dep.optional = true;
        }
        if dep.protocol.is_some() && self.rng.chance(20) {
            let verb = self.rng.pick(&[
                "reads",
                "validates",
                "reserves",
                "looks up",
                "notifies",
                "quotes",
            ]);
            dep.label = Some(verb.to_string());
        }
        dep
    }

    /// Unreserved services of `layer`.
    fn free_in_layer(&self, layer: usize) -> Vec<usize> {
        self.services[self.layer_start[layer]..self.layer_start[layer + 1]]
            .iter()
            .copied()
            .filter(|&i| !self.nodes[i].reserved)
            .collect()
    }

    /// Chains of services in consecutive layers closed by a back-edge: sync ones first.
    fn inject_cycles(&mut self) {
        let wanted = self.p.cycles + self.p.async_cycles;
        for c in 0..wanted {
            let is_sync = c < self.p.cycles;
            let max_len = self.layers.min(4);
            if max_len < 2 {
                break;
            }
            let len = self.rng.range(2, max_len);
            let top = self.rng.below(self.layers - len + 1);
            let mut chain = Vec::new();
            for layer in top..top + len {
                let free = self.free_in_layer(layer);
                if free.len() < 2 {
                    // Keep at least one ordinary service per layer.
                    break;
                }
                chain.push(self.rng.pick(&free));
            }
            if chain.len() < len {
                continue;
            }
            for &m in &chain {
                self.nodes[m].reserved = true;
            }
            for w in chain.windows(2) {
                let dep = Dep::to(w[1]);
                let dep = if self.rng.chance(50) { dep.protocol("grpc") } else { dep };
                self.add(w[0], dep);
            }
            let (last, first) = (chain[len - 1], chain[0]);
            if is_sync {
                let dep = Dep::to(first).protocol("http").label("callback".into());
                self.add(last, dep);
                self.sync_cycles += 1;
            } else {
                let topics = self.kind(Kind::Topic).to_vec();
                let via = self.rng.pick(&topics);
                let protocol = if self.rng.chance(50) { "kafka" } else { "amqp" };
                let dep = Dep::to(first)
                    .protocol(protocol)
                    .label(format!("events via {}", self.nodes[via].id));
                self.add(last, dep);
                self.async_cycles += 1;
            }
        }
    }

    /// A random service in a layer above `layer` that may call other services.
    fn caller_above(&mut self, layer: usize) -> Option<usize> {
        let above: Vec<usize> = self.services[..self.layer_start[layer]]
            .iter()
            .copied()
            .filter(|&i| !self.nodes[i].reserved)
            .collect();
        (!above.is_empty()).then(|| self.rng.pick(&above))
    }

    fn any_service(&mut self) -> usize {
        self.rng.pick(&self.services)
    }

    /// Users → frontends → gateways → top services, own databases, and at least one user of
    /// every component that would otherwise be an orphan.
    fn structural_edges(&mut self) {
        let users = self.kind(Kind::User).to_vec();
        let frontends = self.kind(Kind::Frontend).to_vec();
        let gateways = self.kind(Kind::Gateway).to_vec();
        for (i, &u) in users.iter().enumerate() {
            self.add(u, Dep::to(frontends[i % frontends.len()]));
            if self.rng.chance(40) {
                let f = self.rng.pick(&frontends);
                self.add(u, Dep::to(f).protocol("https"));
            }
        }
        for &f in &frontends {
            for _ in 0..self.rng.range(1, 2) {
                let g = self.rng.pick(&gateways);
                let protocol = self.rng.pick(&["https", "https", "graphql", "websocket"]);
                self.add(f, Dep::to(g).protocol(protocol));
            }
        }
        // Every top-layer service behind a gateway, plus a few deeper ones.
        let top: Vec<usize> = self.services[..self.layer_start[1]].to_vec();
        for (i, &s) in top.iter().enumerate() {
            let g = gateways[i % gateways.len()];
            let dep = self.service_dep(s);
            self.add(g, dep);
        }
        for &g in &gateways {
            for _ in 0..self.rng.range(1, 3) {
                if let Some(k) = self.service_zipf.sample(&mut self.rng, 0) {
                    let dep = Dep::to(self.services[k])
                        .protocol(self.rng.pick(&["http", "grpc", "rest"]));
                    self.add(g, dep);
                }
            }
        }
        // Own databases.
        let all_services = self.kind(Kind::Service).to_vec();
        for (i, &s) in all_services.iter().enumerate() {
            if let Some(db) = self.own_db[i] {
                let dep =
                    if self.rng.chance(50) { Dep::to(db) } else { Dep::to(db).protocol("sql") };
                self.add(s, dep);
            }
        }
        // Services nothing calls yet get a caller from a layer above.
        for k in self.layer_start[1]..self.services.len() {
            let s = self.services[k];
            if !self.called[s]
                && let Some(c) = self.caller_above(self.nodes[s].layer)
            {
                let dep = self.service_dep(s);
                self.add(c, dep);
            }
        }
        // Messaging: a producer and a consumer per topic and queue.
        for kind in [Kind::Topic, Kind::Queue] {
            for t in self.kind(kind).to_vec() {
                let producer = self.any_service();
                let dep = self.messaging_dep(t, true);
                self.add(producer, dep);
                let consumer = self.any_service();
                let dep = self.messaging_dep(t, false);
                self.add(consumer, dep);
            }
        }
        // Jobs consume a queue and call a service.
        let queues = self.kind(Kind::Queue).to_vec();
        for j in self.kind(Kind::Job).to_vec() {
            let q = self.rng.pick(&queues);
            self.add(j, Dep::to(q).protocol("amqp").label("consumes".into()));
            let s = self.any_service();
            self.add(j, Dep::to(s).protocol("http"));
        }
        // One user at least for every cache, bucket and external.
        for kind in [Kind::Cache, Kind::Storage, Kind::External] {
            for t in self.kind(kind).to_vec() {
                let s = self.any_service();
                let dep = self.passive_dep(t, kind);
                self.add(s, dep);
            }
        }
    }

    fn messaging_dep(&mut self, to: usize, produce: bool) -> Dep {
        let topic = self.nodes[to].kind == Kind::Topic;
        let dep = Dep::to(to);
        let mut dep = match (topic, self.rng.below(4)) {
            // Short form: async by the target's kind.
            (_, 0) => dep,
            (true, 1) => dep.protocol("sns"),
            (true, _) => dep.protocol("kafka"),
            (false, 1) => dep.protocol("sqs"),
            (false, _) => dep.protocol("amqp"),
        };
        if dep.protocol.is_some() {
            dep.label = Some(if produce { "publishes" } else { "consumes" }.into());
        }
        dep
    }

    fn passive_dep(&mut self, to: usize, kind: Kind) -> Dep {
        let dep = Dep::to(to);
        match kind {
            Kind::Cache if self.rng.chance(70) => dep.protocol("redis"),
            Kind::Storage => dep.protocol("s3"),
            Kind::External => {
                let mut dep = dep.protocol("https");
                if self.rng.chance(30) {
                    dep.optional = true;
                } else if self.rng.chance(15) {
                    // A webhook registration: fire and forget.
                    dep.mode = Some("async");
                    dep.label = Some("webhook".into());
                }
                dep
            }
            _ => dep,
        }
    }

    /// Fills the edge budget (2.5 per component) with service dependencies.
    fn random_edges(&mut self) {
        let target = self.nodes.len() * 5 / 2;
        let mut attempts = 0;
        while self.edge_count < target && attempts < 50 * target {
            attempts += 1;
            let from = self.any_service();
            let node = &self.nodes[from];
            let (layer, reserved) = (node.layer, node.reserved);
            let roll = self.rng.below(100);
            let dep = if roll < 55 && !reserved && layer + 1 < self.layers {
                let Some(k) = self.service_zipf.sample(&mut self.rng, self.layer_start[layer + 1])
                else {
                    continue;
                };
                self.service_dep(self.services[k])
            } else if roll < 67 {
                let t = self.zipf_of(Kind::Cache);
                self.passive_dep(t, Kind::Cache)
            } else if roll < 80 {
                let t = self.zipf_of(Kind::Topic);
                let produce = self.rng.chance(50);
                self.messaging_dep(t, produce)
            } else if roll < 90 {
                let t = self.zipf_of(Kind::Queue);
                let produce = self.rng.chance(50);
                self.messaging_dep(t, produce)
            } else if roll < 96 {
                let t = self.zipf_of(Kind::External);
                self.passive_dep(t, Kind::External)
            } else {
                let t = self.zipf_of(Kind::Storage);
                self.passive_dep(t, Kind::Storage)
            };
            self.add(from, dep);
        }
    }

    /// A component of `kind`, the first ones more popular than the rest.
    fn zipf_of(&mut self, kind: Kind) -> usize {
        let n = self.kind(kind).len();
        // Weight 1 / (i + 2): the square of a uniform draw leans the same way, cheaply.
        let a = self.rng.below(n);
        let b = self.rng.below(n);
        self.kind(kind)[a.min(b)]
    }

    #[allow(clippy::too_many_lines, reason = "writes the manifest field by field")]
    fn yaml(&self) -> String {
        let p = self.p;
        let mut out = String::with_capacity(self.nodes.len() * 260);
        let _ = writeln!(
            out,
            "# Synthetic architecture generated by archmap's benchmark suite (benches/synth)."
        );
        let _ = writeln!(
            out,
            "# {} components, {} dependencies, seed {}, {} injected sync cycles, {} async ones.",
            self.nodes.len(),
            self.edge_count,
            p.seed,
            self.sync_cycles,
            self.async_cycles
        );
        let _ = writeln!(out, "version: 1");
        let _ = writeln!(out, "name: Synthetic {} components seed {}", self.nodes.len(), p.seed);
        let _ =
            writeln!(out, "description: A generated system with {} service layers.", self.layers);
        let _ = writeln!(
            out,
            "x-generator:\n  tool: archmap benches/synth\n  seed: {}\n  components: {}",
            p.seed, p.components
        );
        if !self.groups.is_empty() {
            let _ = writeln!(out, "\ngroups:");
            for g in &self.groups {
                let _ = writeln!(out, "  {}:\n    label: {}", g.id, g.label);
                if let Some(d) = &g.description {
                    let _ = writeln!(out, "    description: {d}");
                }
                if let Some(parent) = g.parent {
                    let _ = writeln!(out, "    parent: {}", self.groups[parent].id);
                }
                if let Some(o) = &g.owner {
                    let _ = writeln!(out, "    owner: {o}");
                }
                if let Some(c) = g.color {
                    let _ = writeln!(out, "    color: \"{c}\"");
                }
            }
        }
        let _ = writeln!(out, "\nservices:");
        for n in &self.nodes {
            let _ = writeln!(out, "  {}:", n.id);
            // `kind: service` is the default; leave it out on some services, as people do.
            if n.kind != Kind::Service || n.layer % 2 == 0 {
                let _ = writeln!(out, "    kind: {}", n.kind.as_str());
            }
            let _ = writeln!(out, "    label: {}", n.label);
            if let Some(d) = &n.description {
                let _ = writeln!(out, "    description: {d}");
            }
            if let Some(g) = n.group {
                let _ = writeln!(out, "    group: {}", self.groups[g].id);
            }
            if let Some(o) = &n.owner {
                let _ = writeln!(out, "    owner: {o}");
            }
            if let Some(t) = n.tech {
                let _ = writeln!(out, "    tech: {t}");
            }
            if !n.tags.is_empty() {
                let _ = writeln!(out, "    tags: [{}]", n.tags.join(", "));
            }
            if n.replicas > 1 {
                let _ = writeln!(out, "    replicas: {}", n.replicas);
            }
            if n.deps.is_empty() {
                continue;
            }
            if n.deps.iter().all(Dep::short) {
                let ids: Vec<&str> =
                    n.deps.iter().map(|d| self.nodes[d.target].id.as_str()).collect();
                let _ = writeln!(out, "    depends_on: [{}]", ids.join(", "));
                continue;
            }
            let _ = writeln!(out, "    depends_on:");
            for d in &n.deps {
                let target = &self.nodes[d.target].id;
                if d.short() {
                    let _ = writeln!(out, "      - {target}");
                    continue;
                }
                let _ = writeln!(out, "      - target: {target}");
                if let Some(p) = d.protocol {
                    let _ = writeln!(out, "        protocol: {p}");
                }
                if let Some(m) = d.mode {
                    let _ = writeln!(out, "        mode: {m}");
                }
                if let Some(l) = &d.label {
                    let _ = writeln!(out, "        label: {l}");
                }
                if d.optional {
                    let _ = writeln!(out, "        optional: true");
                }
            }
        }
        let _ = writeln!(out, "\nviews:\n  edge:\n    title: Users, apps and gateways");
        let _ = writeln!(
            out,
            "    include: [\"kind:user\", \"kind:frontend\", \"kind:gateway\"]\n    layout: LR"
        );
        if p.groups {
            let _ = writeln!(
                out,
                "  domains:\n    title: Domains\n    exclude: [\"kind:external\", \"kind:user\"]\n    collapse: all"
            );
        }
        out
    }
}

/// `orders-api` → `Orders Api`.
fn title(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}
