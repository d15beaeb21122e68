//! Importers: other descriptions of a system → an archmap manifest (YAML text).
//!
//! Input: docker-compose files (their texts, read by the caller), a [`FileSystem`] for the
//! files they name (`.env`, `env_file`, `extends: file:`), the process environment and the
//! profiles to enable. Output: an [`Outcome`]: the manifest text, warnings and errors as
//! [`Diagnostic`]s over the [`Sources`] read, and counts. Invariants: no I/O but through the
//! `FileSystem`; the manifest is byte-identical for identical input; it parses with archmap's
//! own reader and has no error-level findings (declared dependency cycles are refused as
//! docker compose refuses them; an inferred dependency that would close a sync cycle is left
//! out with a comment and a warning); with a fatal problem there is no manifest.

pub(crate) mod compose;
pub(crate) mod infer;
pub(crate) mod interpolate;
pub(crate) mod kubernetes;

pub use kubernetes::{KubeRequest, import as kubernetes};
pub(crate) mod write;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::manifest::FileSystem;
use crate::manifest::yaml::{Node, Value};
use crate::source::{FileId, Sources, Span};
use crate::vocab::{Kind, Mode};
use compose::{Reader, Service, get, merge_services, scalar_string};

/// The longest name or label written (the manifest allows 1,000 characters).
const MAX_TEXT: usize = 200;

/// Codes of import problems: (code, id).
pub(crate) mod codes {
    use crate::diagnostic::ProblemMeta;

    /// A compose file that is not well-formed YAML or not UTF-8.
    pub(crate) const SYNTAX: (&str, &str) = ("AM200", "compose-syntax");
    /// A compose file of the wrong shape: `services` not a map, a field of the wrong type, a
    /// key written twice.
    pub(crate) const SCHEMA: (&str, &str) = ("AM201", "compose-schema");
    /// A variable that cannot be interpolated: required and missing, or a malformed `$`.
    pub(crate) const INTERPOLATION: (&str, &str) = ("AM202", "compose-interpolation");
    /// A reference to a service that is not there, an `extends` cycle, a `depends_on` cycle.
    pub(crate) const REFERENCE: (&str, &str) = ("AM203", "compose-reference");
    /// A file named by the compose files that cannot be read.
    pub(crate) const FILE: (&str, &str) = ("AM204", "compose-file");
    /// An inferred dependency left out of the manifest.
    pub(crate) const DROPPED: (&str, &str) = ("AM205", "inferred-dependency-dropped");

    /// A Kubernetes YAML file that is not well-formed YAML or not UTF-8, or nothing to import.
    pub(crate) const KUBE_SYNTAX: (&str, &str) = ("AM206", "kubernetes-syntax");
    /// A Kubernetes object of the wrong shape, or defined twice; no workload in the input.
    pub(crate) const KUBE_SCHEMA: (&str, &str) = ("AM207", "kubernetes-schema");
    /// A `ConfigMap` or Service that objects name but the input does not define.
    pub(crate) const KUBE_REFERENCE: (&str, &str) = ("AM208", "kubernetes-reference");

    /// Every import problem, sorted by code; the docs say what to do.
    pub(crate) const PROBLEMS: &[ProblemMeta] = &[
        ProblemMeta {
            code: SYNTAX.0,
            id: SYNTAX.1,
            summary: "A compose file is not well-formed YAML, or not UTF-8.",
            docs: "Fix the YAML at the reported line and column; `docker compose config` reads the same files and shows the same problem.",
        },
        ProblemMeta {
            code: SCHEMA.0,
            id: SCHEMA.1,
            summary: "A compose file has the wrong shape: not a map, `services` not a map, a field of the wrong type, a key written twice. A bad `.env` line is a warning.",
            docs: "Compare the field with the Compose specification; the message names the field and the type expected.",
        },
        ProblemMeta {
            code: INTERPOLATION.0,
            id: INTERPOLATION.1,
            summary: "A variable cannot be interpolated. `${VAR:?message}` or `${VAR?message}` without the variable, or a malformed `$`, is an error in fields archmap reads (image, environment, links, depends_on…) and a warning elsewhere; an unset variable reads as an empty string, with a warning.",
            docs: "Set the variable in the environment, in `.env` beside the first compose file, or with `--env-file`; write `$$` for a literal `$`.",
        },
        ProblemMeta {
            code: REFERENCE.0,
            id: REFERENCE.1,
            summary: "A reference that cannot be followed: an `extends` cycle or missing target, or a cycle of `depends_on`/`links` (errors, as docker compose refuses them); a dependency on an unknown service or one left out by profiles (a warning; the edge is left out).",
            docs: "Fix the service name, or enable the profile the warning names with `--profile` (or `--all-profiles`).",
        },
        ProblemMeta {
            code: FILE.0,
            id: FILE.1,
            summary: "A file the compose files name cannot be read, or resolves outside the project directory: an `--env-file`, an `extends` or `include` file (errors), an `env_file` (a warning).",
            docs: "Check the path: `env_file` paths are relative to the first compose file's directory, `extends: file:` and `include` to the naming file. Files outside the first compose file's directory are read only with `--allow-outside-includes`.",
        },
        ProblemMeta {
            code: DROPPED.0,
            id: DROPPED.1,
            summary: "A dependency inferred from an environment variable was left out because it would close a sync cycle, which `archmap check` reports as an error. The manifest keeps a `# not added` comment where it would have been.",
            docs: "If the dependency is real, add it by hand and make one edge of the cycle async or optional; otherwise nothing to do.",
        },
        ProblemMeta {
            code: KUBE_SYNTAX.0,
            id: KUBE_SYNTAX.1,
            summary: "A Kubernetes YAML file (or one document of a stream) is not well-formed YAML, or not UTF-8.",
            docs: "Fix the YAML at the reported line and column; `kubectl apply --dry-run=client -f FILE` reads the same files.",
        },
        ProblemMeta {
            code: KUBE_SCHEMA.0,
            id: KUBE_SCHEMA.1,
            summary: "A Kubernetes document that is not an object (a warning; skipped), an object defined twice (a warning; the first is kept), or input without any workload (an error).",
            docs: "Name the files or directories that hold the Deployments, StatefulSets, DaemonSets, Jobs, CronJobs or Pods, or pipe `helm template` or `kustomize build` into `archmap import kubernetes -`.",
        },
        ProblemMeta {
            code: KUBE_REFERENCE.0,
            id: KUBE_REFERENCE.1,
            summary: "An object names a ConfigMap or a Service that the input does not define (a warning): the ConfigMap's values are not read, the route's backend is left out.",
            docs: "Add the file that defines it to the import, or import the whole rendered output of kustomize or Helm.",
        },
    ];
}

/// One compose file already read by the caller.
#[derive(Clone, Debug)]
pub struct ComposeFile {
    /// The name shown in reports and comments (a path as given, or `<stdin>`).
    pub name: String,
    /// Where it is, relative to the working directory; `None` for standard input.
    pub path: Option<PathBuf>,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The compose files, merged in this order.
    pub files: Vec<ComposeFile>,
    /// `--env-file` paths (relative to the working directory); empty: `.env` beside the first
    /// file, if there is one.
    pub env_files: Vec<PathBuf>,
    /// The process environment: it wins over env files, as in docker compose.
    pub environment: BTreeMap<String, String>,
    /// `--profile` names (`*` enables all).
    pub profiles: Vec<String>,
    /// `--all-profiles`.
    pub all_profiles: bool,
    /// The project's name when the files do not set one (the first file's directory).
    pub default_name: String,
    /// Read files the compose files name (`extends: file:`, `env_file`, `include`) even when
    /// they resolve outside the project directory (`--allow-outside-includes`).
    pub allow_outside: bool,
    /// The most bytes the compose files and the files they name may hold together (`None`:
    /// 256 MiB, `--max-input-mib`).
    pub max_input_bytes: Option<u64>,
}

/// Counts, for summaries and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Components written.
    pub components: usize,
    /// Dependencies from `depends_on` and `links`.
    pub declared: usize,
    /// Dependencies from `network_mode`, `volumes_from` and `external_links`.
    pub implied: usize,
    /// Dependencies inferred from the environment.
    pub inferred: usize,
    /// Inferred dependencies left out (cycles).
    pub dropped: usize,
}

/// What an import produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The manifest; `None` when a fatal problem stopped the import.
    pub manifest: Option<String>,
    /// Every file read.
    pub sources: Sources,
    /// Warnings, and errors (fatal), sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Paths read through the file system besides the compose files.
    pub read: Vec<PathBuf>,
    /// Counts.
    pub(crate) counts: Counts,
}

impl Outcome {
    /// Whether a fatal problem stopped the import.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.fatal)
    }
}

/// Where a dependency comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// `depends_on`.
    DependsOn,
    /// `links`.
    Links,
    /// `network_mode: service:X`.
    NetworkMode,
    /// `volumes_from`.
    VolumesFrom,
    /// `external_links`.
    ExternalLinks,
    /// An environment variable naming the target.
    Environment,
    /// A Kubernetes `ConfigMap` value (`configMapKeyRef`, `envFrom`) naming the target.
    ConfigMap,
    /// A container's `command` or `args` naming the target.
    Arguments,
    /// A Kubernetes Ingress rule routing to the target.
    Ingress,
    /// A Gateway API route (or an `OpenShift` Route) sending traffic to the target.
    Route,
}

impl Source {
    /// The value written as `x-source`.
    #[must_use]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Source::DependsOn => "depends_on",
            Source::Links => "links",
            Source::NetworkMode => "network_mode",
            Source::VolumesFrom => "volumes_from",
            Source::ExternalLinks => "external_links",
            Source::Environment => "environment",
            Source::ConfigMap => "configmap",
            Source::Arguments => "args",
            Source::Ingress => "ingress",
            Source::Route => "route",
        }
    }

    /// Whether the dependency is a guess from a value that names the target (written as
    /// "inferred from …").
    #[must_use]
    pub(crate) fn is_inferred(self) -> bool {
        matches!(self, Source::Environment | Source::ConfigMap | Source::Arguments)
    }
}

/// One dependency to write.
#[derive(Clone, Debug)]
pub(crate) struct Dep {
    pub target: usize,
    pub source: Source,
    /// Why: `condition: service_healthy (file:line)`, `KAFKA_ADDR=kafka:9092 (file:line)`.
    pub why: String,
    pub protocol: Option<(String, String)>,
    pub optional: bool,
}

/// One component to write.
#[derive(Clone, Debug)]
pub(crate) struct Component {
    pub id: String,
    /// The compose name when the id had to differ.
    pub label: Option<String>,
    pub kind: Kind,
    pub kind_why: Option<String>,
    pub image: Option<String>,
    pub replicas: Option<(i64, &'static str)>,
    pub deps: Vec<Dep>,
    /// Comments written above the component.
    pub notes: Vec<String>,
    /// The group it belongs to (a Kubernetes namespace or label value).
    pub group: Option<String>,
}

/// Imports compose files into a manifest.
#[must_use]
pub fn compose(request: &Request, fs: &dyn FileSystem) -> Outcome {
    let mut pre = Sources::new();
    let mut diagnostics = Vec::new();
    let mut read = Vec::new();
    let confine = if request.allow_outside {
        None
    } else {
        // Where nothing can be resolved (no such directory), nothing can be read either.
        Some(fs.canonicalize(&project_dir(request).join(".")).unwrap_or_default())
    };
    let mut budget = compose::MAX_INTERPOLATED_TOTAL;
    let given: u64 = request.files.iter().map(|f| f.bytes.len() as u64).sum();
    let mut input_left = request
        .max_input_bytes
        .unwrap_or(crate::manifest::DEFAULT_MAX_INPUT_BYTES)
        .saturating_sub(given);
    let vars = variables(
        request,
        (fs, confine.as_deref()),
        &mut pre,
        &mut diagnostics,
        &mut read,
        (&mut budget, &mut input_left),
    );
    let lookup = |name: &str| vars.get(name).cloned();
    let mut reader = Reader::new(fs, &lookup);
    reader.interpolation_left = budget;
    reader.input_left = input_left;
    reader.confine = confine;
    // The env files come first in the sources, so their spans stay valid.
    for (_, f) in pre.iter() {
        reader.sources.add(crate::source::SourceFile::new(f.name(), f.text()));
    }
    reader.diagnostics = diagnostics;
    reader.read = read;

    let mut project: IndexMap<String, Service> = IndexMap::new();
    let mut name = None;
    let mut file_names = Vec::new();
    let mut first = None;
    for f in &request.files {
        file_names.push(f.name.clone());
        let Some(id) = reader.add_source(&f.name, f.bytes.clone()) else { continue };
        first.get_or_insert(id);
        let path = f.path.clone().unwrap_or_else(|| PathBuf::from("<stdin>"));
        let mut chain = vec![reader.file_key(&path)];
        let Some((n, services)) = reader.read_project_file(id, &path, &mut chain) else {
            continue;
        };
        if n.is_some() {
            name = n;
        }
        merge_services(&mut project, services);
    }
    if reader.failed() {
        finish(reader, None, Counts::default())
    } else {
        let at = Span::new(first.unwrap_or_default(), 0, 0);
        build(request, reader, &project, (name, at), &file_names, &vars)
    }
}

fn finish(reader: Reader<'_>, manifest: Option<String>, counts: Counts) -> Outcome {
    let mut diagnostics = reader.diagnostics;
    crate::diagnostic::sort(&mut diagnostics);
    let failed = diagnostics.iter().any(|d| d.fatal);
    Outcome {
        manifest: if failed { None } else { manifest },
        sources: reader.sources,
        diagnostics,
        read: reader.read,
        counts,
    }
}

/// The variables compose files are interpolated with: env files, then the process
/// environment over them.
fn variables(
    request: &Request,
    (fs, confine): (&dyn FileSystem, Option<&Path>),
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    read: &mut Vec<PathBuf>,
    (budget, input_left): (&mut usize, &mut u64),
) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let explicit = !request.env_files.is_empty();
    let paths: Vec<PathBuf> =
        if explicit { request.env_files.clone() } else { vec![project_dir(request).join(".env")] };
    for path in paths {
        // `--env-file` names a file on the command line; `.env` is found in the project.
        let bytes = match compose::read_confined(
            fs,
            if explicit { None } else { confine },
            &path,
            *input_left,
        ) {
            Ok(b) => {
                *input_left -= b.len() as u64;
                b
            }
            Err(reason) => {
                if explicit || reason.contains("outside") {
                    let id = sources.add(crate::source::SourceFile::new(
                        crate::manifest::display_path(&path),
                        "",
                    ));
                    diagnostics.push(
                        Diagnostic::new(
                            codes::FILE.0,
                            codes::FILE.1,
                            Severity::Error,
                            format!(
                                "cannot read env file `{}`: {reason}",
                                crate::manifest::display_path(&path)
                            ),
                        )
                        .with_label(Span::new(id, 0, 0), "")
                        .fatal(),
                    );
                }
                continue;
            }
        };
        read.push(path.clone());
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let id = sources.add(crate::source::SourceFile::new(
            crate::manifest::display_path(&path),
            text.clone(),
        ));
        read_env_text(id, &text, &request.environment, &mut vars, diagnostics, budget);
    }
    for (k, v) in &request.environment {
        vars.insert(k.clone(), v.clone());
    }
    vars
}

/// Adds the variables of one env file to `vars`, interpolating values with the process
/// environment and the variables defined before.
fn read_env_text(
    file: FileId,
    text: &str,
    environment: &BTreeMap<String, String>,
    vars: &mut BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
    budget: &mut usize,
) {
    let (lines, errors) = interpolate::parse_env_file(text);
    for e in errors {
        diagnostics.push(
            Diagnostic::new(
                codes::SCHEMA.0,
                codes::SCHEMA.1,
                Severity::Warn,
                format!("{}; line skipped", e.message),
            )
            .with_label(Span::new(file, e.offset, e.offset + e.len), ""),
        );
    }
    for line in lines {
        let value = match line.value {
            None => environment.get(&line.key).cloned(),
            Some(v) if line.interpolate && v.contains('$') => {
                if *budget == 0 {
                    continue;
                }
                let lookup = |n: &str| environment.get(n).or_else(|| vars.get(n)).cloned();
                let limit = interpolate::MAX_INTERPOLATED.min(*budget);
                match interpolate::interpolate_within(&v, &lookup, limit) {
                    Ok(r) => {
                        *budget -= r.text.len();
                        Some(r.text)
                    }
                    Err(interpolate::InterpolateError::TooLarge(_)) => {
                        diagnostics.push(
                            Diagnostic::new(
                                codes::INTERPOLATION.0,
                                codes::INTERPOLATION.1,
                                Severity::Error,
                                format!("`{}`: {}", line.key, compose::too_large(limit, *budget)),
                            )
                            .with_label(
                                Span::new(file, line.offset, line.offset + line.key.len()),
                                "",
                            )
                            .with_help(compose::TOO_LARGE_HELP)
                            .fatal(),
                        );
                        if limit == *budget {
                            *budget = 0;
                        }
                        None
                    }
                    Err(e) => {
                        diagnostics.push(
                            Diagnostic::new(
                                codes::INTERPOLATION.0,
                                codes::INTERPOLATION.1,
                                Severity::Warn,
                                format!("{e}; `{}` left unset", line.key),
                            )
                            .with_label(
                                Span::new(file, line.offset, line.offset + line.key.len()),
                                "",
                            ),
                        );
                        None
                    }
                }
            }
            Some(v) => Some(v),
        };
        if let Some(v) = value {
            vars.insert(line.key, v);
        }
    }
}

/// `file:line` of a span, for comments.
fn place(sources: &Sources, span: Span) -> String {
    let f = sources.get(span.file);
    format!("{}:{}", f.name(), f.line_col(span.start).line)
}

/// A valid archmap id for a compose name (ids are `[A-Za-z0-9][A-Za-z0-9_.-]*`, 128 at most).
fn id_for(name: &str, taken: &BTreeSet<String>) -> String {
    let mut id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '-' })
        .take(120)
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        id.insert(0, 's');
    }
    let base = id.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Turns the merged project into components and dependencies, then writes the manifest.
fn build(
    request: &Request,
    mut reader: Reader<'_>,
    project: &IndexMap<String, Service>,
    (name, at): (Option<(String, Span)>, Span),
    files: &[String],
    vars: &BTreeMap<String, String>,
) -> Outcome {
    // Profiles, as docker compose applies them.
    let profiles = Profiles::new(request, vars);
    let kept: Vec<&Service> = project.values().filter(|s| profiles.keep(s)).collect();
    let dropped: BTreeMap<&str, Vec<String>> = project
        .values()
        .filter(|s| !profiles.keep(s))
        .map(|s| (s.name.as_str(), profiles_of(s)))
        .collect();
    if kept.is_empty() {
        no_services(&mut reader, &dropped, at);
        return finish(reader, None, Counts::default());
    }

    // Components, then the host names each service answers to.
    let mut import = Import::new(reader, kept, dropped);
    import.kinds_from_dockerfiles(&project_dir(request));
    let hosts = import.hosts();

    // Declared dependencies.
    import.declared();
    import.one_shots();

    // docker compose refuses a cycle of declared dependencies; so does the import.
    if let Some(cycle) = declared_cycle(&import.components) {
        import.refuse_cycle(&cycle);
        return finish(import.reader, None, import.counts);
    }

    // Protocols of declared dependencies, from the target's image.
    let images = import.declared_protocols();

    // Inferred dependencies, from environment variables.
    import.inferred(request, vars, &hosts, &images);

    import.write_manifest(request, vars, name, &profiles, files)
}

/// The profiles enabled, as docker compose applies them.
struct Profiles {
    /// `--profile` names, else `COMPOSE_PROFILES`.
    active: Vec<String>,
    /// `--all-profiles`, or `*` among the names.
    all: bool,
}

impl Profiles {
    /// Takes the request and the variables (the environment over `.env`, where docker
    /// compose reads `COMPOSE_PROFILES` too); gives the profiles it enables.
    fn new(request: &Request, vars: &BTreeMap<String, String>) -> Self {
        let mut active: Vec<String> = request.profiles.clone();
        if active.is_empty()
            && let Some(p) = vars.get("COMPOSE_PROFILES")
        {
            active = p.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        let all = request.all_profiles || active.iter().any(|p| p == "*");
        Profiles { active, all }
    }

    /// Whether a service is kept: it has no profiles, or one of them is enabled.
    fn keep(&self, s: &Service) -> bool {
        let p = profiles_of(s);
        p.is_empty() || self.all || p.iter().any(|x| self.active.contains(x))
    }

    /// The manifest header's note on the profiles.
    fn note(&self) -> String {
        if self.all {
            "all profiles".to_string()
        } else if self.active.is_empty() {
            "no profiles".to_string()
        } else {
            format!("profiles {}", self.active.join(", "))
        }
    }
}

/// A service's `profiles`.
fn profiles_of(s: &Service) -> Vec<String> {
    match get(&s.body, "profiles").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(|i| scalar_string(&i.value)).collect(),
        _ => Vec::new(),
    }
}

/// Takes the services profiles left out; reports that there is nothing to import.
fn no_services(reader: &mut Reader<'_>, dropped: &BTreeMap<&str, Vec<String>>, at: Span) {
    let help = if dropped.is_empty() {
        "add services to the compose file, or name the compose files that define them".into()
    } else {
        format!(
            "every service is left out by profiles ({}); enable some with --profile or --all-profiles",
            dropped.keys().copied().collect::<Vec<_>>().join(", ")
        )
    };
    reader.push(
        codes::SCHEMA,
        Severity::Error,
        at,
        "no services to import: a manifest needs at least one component".into(),
        Some(help),
    );
}

/// What the phases of [`build`] share: the services kept, the components made of them so far
/// and the reader collecting problems.
struct Import<'p, 'r> {
    /// Sources read and problems found.
    reader: Reader<'r>,
    /// The services the profiles keep, in project order: service `i` is component `i`.
    kept: Vec<&'p Service>,
    /// Services the profiles leave out, with their profiles.
    dropped: BTreeMap<&'p str, Vec<String>>,
    /// Each kept service's index, by compose name.
    index: BTreeMap<&'p str, usize>,
    /// Ids given so far.
    taken: BTreeSet<String>,
    /// The kept services' components, then (after the declared dependencies) external ones.
    components: Vec<Component>,
    /// Counts, for the outcome.
    counts: Counts,
}

impl<'p, 'r> Import<'p, 'r> {
    /// Takes the reader and the services profiles keep and leave out; gives one component per
    /// kept service (id, kind, image, replicas), without dependencies yet.
    fn new(
        reader: Reader<'r>,
        kept: Vec<&'p Service>,
        dropped: BTreeMap<&'p str, Vec<String>>,
    ) -> Self {
        let mut taken = BTreeSet::new();
        let mut components: Vec<Component> = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, &s) in kept.iter().enumerate() {
            let id = id_for(&s.name, &taken);
            taken.insert(id.clone());
            index.insert(s.name.as_str(), i);
            let image = get(&s.body, "image")
                .and_then(|n| scalar_string(&n.value))
                .filter(|s| !s.is_empty());
            let mounts = volume_targets(&s.body);
            let (kind, kind_why) = match infer::kind_of(image.as_deref(), &s.name, &mounts) {
                Some((k, why)) => (k, Some(why)),
                None => (Kind::Service, None),
            };
            let replicas = replicas_of(&s.body);
            components.push(Component {
                label: (id != s.name).then(|| interpolate::truncate(&s.name, MAX_TEXT)),
                id,
                kind,
                kind_why,
                image,
                replicas,
                deps: Vec::new(),
                notes: Vec::new(),
                group: None,
            });
        }
        Import { reader, kept, dropped, index, taken, components, counts: Counts::default() }
    }

    /// Takes the project directory; for each service built from a Dockerfile whose kind is
    /// still unknown, reads the image its last stage starts `FROM` (an nginx-based proxy, a
    /// Postgres-based database).
    fn kinds_from_dockerfiles(&mut self, project_dir: &Path) {
        for i in 0..self.kept.len() {
            if self.components[i].kind != Kind::Service || self.components[i].kind_why.is_some() {
                continue;
            }
            let Some(build) = get(&self.kept[i].body, "build") else { continue };
            let (context, dockerfile) = match &build.value {
                Value::Str(c) => (c.clone(), "Dockerfile".to_string()),
                Value::Map(_) => (
                    get(build, "context")
                        .and_then(|n| scalar_string(&n.value))
                        .unwrap_or_else(|| ".".into()),
                    get(build, "dockerfile")
                        .and_then(|n| scalar_string(&n.value))
                        .unwrap_or_else(|| "Dockerfile".into()),
                ),
                _ => continue,
            };
            if context.contains("://") || context.starts_with("git@") {
                continue;
            }
            let path = project_dir.join(&context).join(&dockerfile);
            let Ok(bytes) = self.reader.read_named(&path) else { continue };
            let text = String::from_utf8_lossy(&bytes);
            let Some(base) = infer::final_base_image(&text) else { continue };
            if let Some(k) = infer::kind_of_image(&infer::parse_image(&base)) {
                self.components[i].kind = k;
                self.components[i].kind_why = Some(format!(
                    "inferred from the image its Dockerfile starts FROM: {}",
                    interpolate::truncate(&base, MAX_TEXT)
                ));
            }
        }
    }

    /// Gives the host names each service answers to: its name, `container_name`, `hostname`,
    /// network aliases, and link aliases (the first service to claim a name keeps it).
    fn hosts(&self) -> BTreeMap<String, usize> {
        let mut hosts: BTreeMap<String, usize> = BTreeMap::new();
        for (i, s) in self.kept.iter().enumerate() {
            hosts.entry(s.name.clone()).or_insert(i);
        }
        for (i, s) in self.kept.iter().enumerate() {
            for key in ["container_name", "hostname"] {
                if let Some(h) = get(&s.body, key).and_then(|n| scalar_string(&n.value)) {
                    hosts.entry(h).or_insert(i);
                }
            }
            if let Some(Value::Map(nets)) = get(&s.body, "networks").map(|n| &n.value) {
                for (_, net) in nets {
                    if let Some(Value::Seq(aliases)) = get(net, "aliases").map(|n| &n.value) {
                        for a in aliases {
                            if let Some(a) = scalar_string(&a.value) {
                                hosts.entry(a).or_insert(i);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Seq(links)) = get(&s.body, "links").map(|n| &n.value) {
                for l in links {
                    if let Some((svc, alias)) =
                        scalar_string(&l.value).as_deref().and_then(|l| l.split_once(':'))
                        && let Some(&t) = self.index.get(svc)
                    {
                        hosts.entry(alias.to_string()).or_insert(t);
                    }
                }
            }
        }
        hosts
    }

    /// Sets each kept service's declared dependencies (`depends_on`, `links`, `network_mode`,
    /// `volumes_from`, `external_links`) and appends a component per external container.
    fn declared(&mut self) {
        let mut externals = Externals::default();
        for i in 0..self.kept.len() {
            let s = self.kept[i];
            let mut deps: Vec<Dep> = Vec::new();
            self.depends_on(i, s, &mut deps);
            self.links(i, s, &mut deps);
            self.network_mode(i, s, &mut deps);
            self.volumes_from(i, s, &mut deps);
            self.external_links(s, &mut deps, &mut externals);
            self.components[i].deps = deps;
        }
        self.components.extend(externals.components);
    }

    /// Gives kind `job` to services others wait for to finish (`depends_on` with `condition:
    /// service_completed_successfully`: a migration or set-up container), when nothing else
    /// told their kind: start-up ordering, not a service called at run time.
    fn one_shots(&mut self) {
        let mut waited: BTreeSet<usize> = BTreeSet::new();
        for c in &self.components {
            for d in &c.deps {
                if d.source == Source::DependsOn
                    && d.why.starts_with("condition service_completed_successfully")
                {
                    waited.insert(d.target);
                }
            }
        }
        for t in waited {
            let c = &mut self.components[t];
            if c.kind == Kind::Service && c.kind_why.is_none() {
                c.kind = Kind::Job;
                c.kind_why = Some(
                    "others wait for it to complete (condition service_completed_successfully)"
                        .into(),
                );
            }
        }
    }

    /// Takes service `i`; adds its `depends_on` entries to `deps`.
    fn depends_on(&mut self, i: usize, s: &Service, deps: &mut Vec<Dep>) {
        let Some(Value::Map(entries)) = get(&s.body, "depends_on").map(|n| &n.value) else {
            return;
        };
        for (k, v) in entries {
            let Value::Str(target) = &k.value else { continue };
            let Some(&t) = self.index.get(target.as_str()) else {
                missing_target(
                    &mut self.reader,
                    &s.name,
                    target,
                    k.span,
                    "depends_on",
                    &self.dropped,
                );
                continue;
            };
            if t == i {
                self.reader.warn(
                    codes::REFERENCE,
                    k.span,
                    format!("service `{}` depends on itself; left out", s.name),
                );
                continue;
            }
            let condition = get(v, "condition").and_then(|n| scalar_string(&n.value));
            let optional = matches!(get(v, "required").map(|n| &n.value), Some(Value::Bool(false)));
            let mut why = String::new();
            if let Some(c) = condition {
                let _ = write!(why, "condition {c}, ");
            }
            if optional {
                why.push_str("required: false, ");
            }
            why.push_str(&place(&self.reader.sources, k.span));
            push_dep(
                deps,
                Dep { target: t, source: Source::DependsOn, why, protocol: None, optional },
            );
        }
    }

    /// Takes service `i`; adds its `links` to `deps`.
    fn links(&mut self, i: usize, s: &Service, deps: &mut Vec<Dep>) {
        let Some(Value::Seq(links)) = get(&s.body, "links").map(|n| &n.value) else { return };
        for l in links {
            let Some(text) = scalar_string(&l.value) else { continue };
            let target = text.split(':').next().unwrap_or_default();
            let Some(&t) = self.index.get(target) else {
                missing_target(&mut self.reader, &s.name, target, l.span, "links", &self.dropped);
                continue;
            };
            if t == i {
                continue;
            }
            let why = format!("{text} ({})", place(&self.reader.sources, l.span));
            push_dep(
                deps,
                Dep { target: t, source: Source::Links, why, protocol: None, optional: false },
            );
        }
    }

    /// Takes service `i`; adds the service whose network namespace it shares to `deps`.
    fn network_mode(&mut self, i: usize, s: &Service, deps: &mut Vec<Dep>) {
        let Some(n) = get(&s.body, "network_mode") else { return };
        let Some(mode) = scalar_string(&n.value) else { return };
        let Some(target) = mode.strip_prefix("service:") else { return };
        match self.index.get(target) {
            Some(&t) if t != i => {
                let why = format!(
                    "shares the network namespace of `{target}` (a sidecar; {})",
                    place(&self.reader.sources, n.span)
                );
                push_dep(
                    deps,
                    Dep {
                        target: t,
                        source: Source::NetworkMode,
                        why,
                        protocol: None,
                        optional: false,
                    },
                );
            }
            Some(_) => {}
            None => {
                missing_target(
                    &mut self.reader,
                    &s.name,
                    target,
                    n.span,
                    "network_mode",
                    &self.dropped,
                );
            }
        }
    }

    /// Takes service `i`; adds the services of its `volumes_from` to `deps`.
    fn volumes_from(&mut self, i: usize, s: &Service, deps: &mut Vec<Dep>) {
        let Some(Value::Seq(items)) = get(&s.body, "volumes_from").map(|n| &n.value) else {
            return;
        };
        for item in items {
            let Some(text) = scalar_string(&item.value) else { continue };
            if text.starts_with("container:") {
                continue;
            }
            let target = text.split(':').next().unwrap_or_default();
            match self.index.get(target) {
                Some(&t) if t != i => {
                    let why = format!("{text} ({})", place(&self.reader.sources, item.span));
                    push_dep(
                        deps,
                        Dep {
                            target: t,
                            source: Source::VolumesFrom,
                            why,
                            protocol: None,
                            optional: false,
                        },
                    );
                }
                Some(_) => {}
                None => missing_target(
                    &mut self.reader,
                    &s.name,
                    target,
                    item.span,
                    "volumes_from",
                    &self.dropped,
                ),
            }
        }
    }

    /// Takes a service; adds its `external_links` to `deps`, each container a component of
    /// `externals` (one per container name).
    fn external_links(&mut self, s: &Service, deps: &mut Vec<Dep>, externals: &mut Externals) {
        let Some(Value::Seq(items)) = get(&s.body, "external_links").map(|n| &n.value) else {
            return;
        };
        for item in items {
            let Some(text) = scalar_string(&item.value) else { continue };
            let container = text.split(':').next().unwrap_or_default().to_string();
            if container.is_empty() {
                continue;
            }
            let existing = externals.names.iter().position(|n| *n == container);
            let e = if let Some(e) = existing {
                e
            } else {
                let id = id_for(&container, &self.taken);
                self.taken.insert(id.clone());
                externals.components.push(Component {
                    label: (id != container).then(|| interpolate::truncate(&container, MAX_TEXT)),
                    id,
                    kind: Kind::External,
                    kind_why: Some("a container outside this project (external_links)".into()),
                    image: None,
                    replicas: None,
                    deps: Vec::new(),
                    notes: Vec::new(),
                    group: None,
                });
                externals.names.push(container.clone());
                externals.components.len() - 1
            };
            let why = format!("{text} ({})", place(&self.reader.sources, item.span));
            // Externals are numbered after the services.
            push_dep(
                deps,
                Dep {
                    target: self.kept.len() + e,
                    source: Source::ExternalLinks,
                    why,
                    protocol: None,
                    optional: false,
                },
            );
        }
    }

    /// Takes a cycle of declared dependencies (component indexes); reports it as an error.
    fn refuse_cycle(&mut self, cycle: &[usize]) {
        let names: Vec<&str> = cycle.iter().map(|&i| self.kept[i].name.as_str()).collect();
        let span = self.kept[cycle[0]].span;
        self.reader.push(
            codes::REFERENCE,
            Severity::Error,
            span,
            format!("dependency cycle: {} → {}", names.join(" → "), names[0]),
            Some("docker compose refuses cycles of depends_on, links, network_mode and volumes_from; remove one".into()),
        );
    }

    /// Sets the protocol of each declared dependency whose target's image tells it; gives each
    /// component's image, parsed.
    fn declared_protocols(&mut self) -> Vec<Option<infer::ImageRef>> {
        let images: Vec<Option<infer::ImageRef>> =
            self.components.iter().map(|c| c.image.as_deref().map(infer::parse_image)).collect();
        for c in &mut self.components {
            for d in &mut c.deps {
                if let Some(p) = images[d.target].as_ref().and_then(infer::protocol_of_image) {
                    d.protocol = Some((
                        p.to_string(),
                        format!("guessed from the image {}", components_image(&images, d.target)),
                    ));
                }
            }
        }
        images
    }

    /// Gives each component's required sync dependencies: the graph in which an inferred
    /// dependency must not close a cycle.
    fn sync_graph(&self) -> Vec<Vec<usize>> {
        let components = &self.components;
        let mut sync: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
        for (i, c) in components.iter().enumerate() {
            for d in &c.deps {
                if !d.optional && is_sync(components, d) {
                    sync[i].push(d.target);
                }
            }
        }
        sync
    }

    /// Takes the variables, the host names and the components' images; adds the dependencies
    /// each kept service's environment names, except those that would close a sync cycle.
    fn inferred(
        &mut self,
        request: &Request,
        vars: &BTreeMap<String, String>,
        hosts: &BTreeMap<String, usize>,
        images: &[Option<infer::ImageRef>],
    ) {
        let project_dir = project_dir(request);
        let mut sync = self.sync_graph();
        let mut search_left = MAX_CYCLE_SEARCH;
        for i in 0..self.kept.len() {
            // A database, cache, queue, topic or storage is used, not a user: its environment
            // (often a shared `.env`) says nothing about what it calls.
            if self.components[i].kind.is_passive() {
                continue;
            }
            let s = self.kept[i];
            let env = environment_of(&mut self.reader, s, vars, &project_dir);
            for (var, value, span) in &env {
                let (var, value, span) = (var.clone(), value.clone(), *span);
                for mut host in infer::hosts_in(&var, &value) {
                    // `DB_HOST=db` next to `DB_PORT=3306`: the port tells the protocol.
                    if host.port.is_none()
                        && host.scheme.is_none()
                        && let Some((prefix, _)) = var.rsplit_once('_')
                    {
                        let port_var = format!("{prefix}_PORT");
                        host.port = env
                            .iter()
                            .find(|(k, _, _)| *k == port_var)
                            .and_then(|(_, v, _)| v.trim().parse().ok());
                    }
                    let Some(&t) = hosts
                        .get(&host.host)
                        .or_else(|| hosts.get(&host.host.to_ascii_lowercase()))
                    else {
                        continue;
                    };
                    if t == i {
                        continue;
                    }
                    let shown = format!("{var}={}", write::mask(&value));
                    let guess = infer::protocol_of(&host);
                    if let Some(existing) =
                        self.components[i].deps.iter_mut().find(|d| d.target == t)
                    {
                        if existing.source != Source::Environment
                            && existing.protocol.is_none()
                            && let Some((p, from)) = guess
                        {
                            existing.protocol =
                                Some((p.to_string(), format!("guessed from {from} in {shown}")));
                        }
                        continue;
                    }
                    let why = format!("{shown} ({})", place(&self.reader.sources, span));
                    let protocol = guess
                        .map(|(p, from)| (p.to_string(), format!("guessed from {from}")))
                        .or_else(|| {
                            images[t].as_ref().and_then(infer::protocol_of_image).map(|p| {
                                (
                                    p.to_string(),
                                    format!(
                                        "guessed from the image {}",
                                        components_image(images, t)
                                    ),
                                )
                            })
                        });
                    let dep = Dep {
                        target: t,
                        source: Source::Environment,
                        why,
                        protocol,
                        optional: false,
                    };
                    if is_sync(&self.components, &dep) {
                        if search_left == 0 {
                            // Past the budget nothing more can be shown acyclic: left out.
                            self.counts.dropped += 1;
                            continue;
                        }
                        match path_within(&sync, t, i, &mut search_left) {
                            Ok(Some(path)) => {
                                self.drop_inferred(i, &dep, &path, span);
                                continue;
                            }
                            Ok(None) => {}
                            Err(()) => {
                                self.counts.dropped += 1;
                                self.reader.push(
                                    codes::DROPPED,
                                    Severity::Warn,
                                    span,
                                    format!(
                                        "inferred dependencies from here on are left out: checking each for a sync cycle took more than {} steps in all",
                                        crate::manifest::group_digits(MAX_CYCLE_SEARCH)
                                    ),
                                    Some("declare the dependencies that matter with `depends_on`, or import fewer services at a time".into()),
                                );
                                continue;
                            }
                        }
                        sync[i].push(t);
                    }
                    self.components[i].deps.push(dep);
                }
            }
        }
    }

    /// Takes an inferred dependency of component `i` and the sync path from its target back to
    /// `i`; leaves it out with a note in the manifest and a warning.
    fn drop_inferred(&mut self, i: usize, dep: &Dep, path: &[usize], span: Span) {
        let message = note_dropped(&mut self.components, i, dep, path);
        self.reader.push(codes::DROPPED, Severity::Warn, span, message, Some(DROPPED_HELP.into()));
        self.counts.dropped += 1;
    }

    /// Takes the request, the files' project name, the profiles and the file names; counts the
    /// components and dependencies and gives the outcome with the manifest written.
    fn write_manifest(
        mut self,
        request: &Request,
        vars: &BTreeMap<String, String>,
        name: Option<(String, Span)>,
        profiles: &Profiles,
        files: &[String],
    ) -> Outcome {
        for c in &self.components {
            for d in &c.deps {
                match d.source {
                    Source::DependsOn | Source::Links => self.counts.declared += 1,
                    Source::Environment => self.counts.inferred += 1,
                    _ => self.counts.implied += 1,
                }
            }
        }
        self.counts.components = self.components.len();
        // docker compose's order: COMPOSE_PROJECT_NAME (the environment, then `.env`), the
        // top-level `name`, the directory.
        let project_name = vars
            .get("COMPOSE_PROJECT_NAME")
            .cloned()
            .or_else(|| name.map(|(n, _)| n))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| request.default_name.clone());
        let project_name = interpolate::truncate(&project_name, MAX_TEXT);
        let active_note = profiles.note();
        let dropped_names: Vec<String> = self.dropped.keys().map(|s| (*s).to_string()).collect();
        let text = write::manifest(
            &write::Header {
                command: "import compose",
                name: &project_name,
                files,
                profiles: &active_note,
                left_out: &dropped_names,
                legend: write::COMPOSE_LEGEND,
                groups: &[],
            },
            &self.components,
        );
        finish(self.reader, Some(text), self.counts)
    }
}

/// Containers named by `external_links`, outside the project: a component for each.
#[derive(Default)]
struct Externals {
    /// Their components, in the order first named.
    components: Vec<Component>,
    /// Their container names, in the same order.
    names: Vec<String>,
}

/// Adds a dependency unless its target is already there (one entry per target); a second
/// declaration of the same target is mentioned in the first one's comment.
fn push_dep(deps: &mut Vec<Dep>, dep: Dep) {
    if let Some(d) = deps.iter_mut().find(|d| d.target == dep.target) {
        if d.source != dep.source {
            let _ = write!(d.why, "; also {}: {}", dep.source.as_str(), dep.why);
        }
    } else {
        deps.push(dep);
    }
}

fn missing_target(
    reader: &mut Reader<'_>,
    service: &str,
    target: &str,
    span: Span,
    field: &str,
    dropped: &BTreeMap<&str, Vec<String>>,
) {
    if let Some(profiles) = dropped.get(target) {
        reader.push(
            codes::REFERENCE,
            Severity::Warn,
            span,
            format!(
                "`{service}` {field} `{target}`, which is left out by profiles; dependency left out"
            ),
            Some(format!(
                "enable it with --profile {} (or --all-profiles)",
                profiles.join(" --profile ")
            )),
        );
    } else {
        reader.push(
            codes::REFERENCE,
            Severity::Warn,
            span,
            format!(
                "`{service}` {field} `{target}`, which no compose file defines; dependency left out"
            ),
            Some("check the service name, or add the compose file that defines it".into()),
        );
    }
}

/// An image's name for comments: `registry/namespace/name`, without tag.
fn components_image(images: &[Option<infer::ImageRef>], i: usize) -> String {
    images[i].as_ref().map_or_else(String::new, |r| {
        let mut parts = r.path.clone();
        parts.push(r.name.clone());
        parts.join("/")
    })
}

/// The container paths of a service's `volumes` (short `src:target[:mode]` or long form).
fn volume_targets(body: &Node) -> Vec<String> {
    let Some(Value::Seq(items)) = get(body, "volumes").map(|n| &n.value) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|v| match &v.value {
            Value::Str(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.as_slice() {
                    [target] | [_, target] | [_, target, _] => Some((*target).to_string()),
                    _ => None,
                }
            }
            Value::Map(_) => get(v, "target").and_then(|t| scalar_string(&t.value)),
            _ => None,
        })
        .collect()
}

/// `deploy.replicas`, else `scale`, when at least 1.
fn replicas_of(body: &Node) -> Option<(i64, &'static str)> {
    let from_deploy =
        get(body, "deploy").and_then(|d| get(d, "replicas")).and_then(|n| int_of(&n.value));
    // The manifest takes 1 ..= u32::MAX.
    let valid = |r: &i64| (1..=i64::from(u32::MAX)).contains(r);
    if let Some(r) = from_deploy.filter(valid) {
        return Some((r, "deploy.replicas"));
    }
    get(body, "scale").and_then(|n| int_of(&n.value)).filter(valid).map(|r| (r, "scale"))
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether a dependency is sync by the manifest's default rule.
fn is_sync(components: &[Component], d: &Dep) -> bool {
    let protocol = d.protocol.as_ref().map(|(p, _)| p.as_str());
    crate::model::default_mode(components[d.target].kind, protocol) == Mode::Sync
}

/// A path `from` → … → `to` in `graph` (breadth first), if there is one.
/// The most steps (components and edges visited) spent, in one import, checking whether
/// inferred dependencies would close a sync cycle: each check walks the graph, so 20,000
/// services each inferring one dependency on the previous would otherwise be quadratic.
const MAX_CYCLE_SEARCH: usize = 20_000_000;

/// [`path_between`], spending at most `left` steps (visited components and edges) in all;
/// `Err` when they run out before an answer.
fn path_within(
    graph: &[Vec<usize>],
    from: usize,
    to: usize,
    left: &mut usize,
) -> Result<Option<Vec<usize>>, ()> {
    // Only what the walk reaches is touched: a map, not a vector the size of the graph.
    let mut parent: std::collections::HashMap<usize, usize> =
        std::collections::HashMap::from([(from, from)]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        *left = left.checked_sub(1 + graph[n].len()).ok_or(())?;
        if n == to {
            let mut path = vec![n];
            let mut cur = n;
            while cur != from {
                cur = parent[&cur];
                path.push(cur);
            }
            path.reverse();
            return Ok(Some(path));
        }
        for &m in &graph[n] {
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(m) {
                e.insert(n);
                queue.push_back(m);
            }
        }
    }
    Ok(None)
}

fn path_between(graph: &[Vec<usize>], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut parent = vec![usize::MAX; graph.len()];
    let mut queue = VecDeque::from([from]);
    parent[from] = from;
    while let Some(n) = queue.pop_front() {
        if n == to {
            let mut path = vec![n];
            let mut cur = n;
            while cur != from {
                cur = parent[cur];
                path.push(cur);
            }
            path.reverse();
            return Some(path);
        }
        for &m in &graph[n] {
            if parent[m] == usize::MAX {
                parent[m] = n;
                queue.push_back(m);
            }
        }
    }
    None
}

/// A cycle of declared dependencies, as component indexes, if there is one.
fn declared_cycle(components: &[Component]) -> Option<Vec<usize>> {
    let graph: Vec<Vec<usize>> =
        components.iter().map(|c| c.deps.iter().map(|d| d.target).collect()).collect();
    // A path back from an edge's target exists exactly when both ends share a strongly connected
    // component: one linear pass finds those, so the search below runs once, not per edge (a
    // chain of 50,000 services was quadratic).
    let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(graph.len(), 0);
    let nodes: Vec<_> = (0..graph.len()).map(|_| g.add_node(())).collect();
    for (i, targets) in graph.iter().enumerate() {
        for &t in targets {
            g.add_edge(nodes[i], nodes[t], ());
        }
    }
    let mut scc = vec![usize::MAX; graph.len()];
    for (k, members) in petgraph::algo::kosaraju_scc(&g).into_iter().enumerate() {
        for m in members {
            scc[m.index()] = k;
        }
    }
    for (i, c) in components.iter().enumerate() {
        for d in &c.deps {
            if scc[d.target] != scc[i] {
                continue;
            }
            if let Some(path) = path_between(&graph, d.target, i) {
                let mut cycle = vec![i];
                cycle.extend(path.into_iter().take_while(|&n| n != i));
                return Some(cycle);
            }
        }
    }
    None
}

/// A service's environment: its `env_file`s first, then `environment` over them; entries
/// without a value take it from the variables (the environment and `.env`), as docker compose
/// does. Each with the span it came from.
fn environment_of(
    reader: &mut Reader<'_>,
    s: &Service,
    vars: &BTreeMap<String, String>,
    project_dir: &Path,
) -> Vec<(String, String, Span)> {
    let mut env: IndexMap<String, (String, Span)> = IndexMap::new();
    if let Some(Value::Seq(files)) = get(&s.body, "env_file").map(|n| &n.value) {
        for f in files {
            let (path, required) = match &f.value {
                Value::Str(p) => (p.clone(), true),
                Value::Map(_) => (
                    get(f, "path").and_then(|n| scalar_string(&n.value)).unwrap_or_default(),
                    !matches!(get(f, "required").map(|n| &n.value), Some(Value::Bool(false))),
                ),
                _ => continue,
            };
            if path.is_empty() {
                continue;
            }
            // Relative paths resolve against the project directory (the first file's), as
            // docker compose resolves them for every file it merges.
            let dir = project_dir.to_path_buf();
            let full = dir.join(&path);
            match reader_fs_read(reader, &full) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let id = reader.sources.add(crate::source::SourceFile::new(
                        crate::manifest::display_path(&full),
                        text.clone(),
                    ));
                    let mut file_vars = BTreeMap::new();
                    let mut diags = Vec::new();
                    let mut budget = reader.interpolation_left;
                    read_env_text(id, &text, vars, &mut file_vars, &mut diags, &mut budget);
                    reader.interpolation_left = budget;
                    reader.diagnostics.extend(diags);
                    let (lines, _) = interpolate::parse_env_file(&text);
                    for line in lines {
                        if let Some(v) = file_vars.get(&line.key) {
                            env.insert(
                                line.key.clone(),
                                (
                                    v.clone(),
                                    Span::new(id, line.offset, line.offset + line.key.len()),
                                ),
                            );
                        }
                    }
                }
                Err(reason) => {
                    if required {
                        reader.warn(
                            codes::FILE,
                            f.span,
                            format!("cannot read env_file `{path}` of `{}`: {reason}; its variables are not used for inference", s.name),
                        );
                    }
                }
            }
        }
    }
    if let Some(Value::Map(entries)) = get(&s.body, "environment").map(|n| &n.value) {
        for (k, v) in entries {
            let Value::Str(key) = &k.value else { continue };
            let value = match &v.value {
                Value::Str(s) => Some(s.clone()),
                _ => vars.get(key).cloned(),
            };
            if let Some(value) = value {
                env.insert(key.clone(), (value, v.span));
            } else {
                env.shift_remove(key);
            }
        }
    }
    env.into_iter().map(|(k, (v, span))| (k, v, span)).collect()
}

fn reader_fs_read(reader: &mut Reader<'_>, path: &Path) -> Result<Vec<u8>, String> {
    reader.read_named(path)
}

/// The project directory: the first compose file's directory (relative paths in the project
/// resolve against it, as in docker compose); empty for standard input.
fn project_dir(request: &Request) -> PathBuf {
    request
        .files
        .first()
        .and_then(|f| f.path.as_ref())
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// What to do about an inferred dependency left out because it would close a sync cycle.
pub(super) const DROPPED_HELP: &str =
    "if the dependency is real, add it by hand and make one edge of the cycle async or optional";

/// Takes the components, an inferred dependency of component `i` and the sync path from its
/// target back to `i`; notes in `i`'s entry of the manifest why the dependency is left out,
/// and gives the warning's message (importers of every kind say it the same way).
pub(super) fn note_dropped(
    components: &mut [Component],
    i: usize,
    dep: &Dep,
    path: &[usize],
) -> String {
    let t = dep.target;
    let names: Vec<&str> = path.iter().map(|&n| components[n].id.as_str()).collect();
    let cycle = format!("{} → {}", names.join(" → "), components[t].id);
    let note = format!(
        "not added (it would close the sync cycle {cycle}): {} inferred from {}",
        components[t].id, dep.why
    );
    components[i].notes.push(note);
    format!(
        "inferred dependency `{}` → `{}` left out: it would close the sync cycle {cycle}",
        components[i].id, components[t].id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(id_for("orders", &taken), "orders");
        assert_eq!(id_for("_private", &taken), "s_private");
        assert_eq!(id_for("web app", &taken), "web-app");
        taken.insert("web-app".to_string());
        assert_eq!(id_for("web app", &taken), "web-app-2");
        assert_eq!(id_for(&"x".repeat(300), &taken).len(), 120);
    }

    #[test]
    fn paths_and_cycles() {
        let graph = vec![vec![1], vec![2], vec![], vec![0]];
        assert_eq!(path_between(&graph, 0, 2), Some(vec![0, 1, 2]));
        assert_eq!(path_between(&graph, 2, 0), None);
        assert_eq!(path_between(&graph, 3, 3), Some(vec![3]));
        let mut left = 100;
        assert_eq!(path_within(&graph, 0, 2, &mut left), Ok(Some(vec![0, 1, 2])));
        assert!(left < 100);
        let mut left = 1;
        assert_eq!(path_within(&graph, 0, 2, &mut left), Err(()));
        let component = |deps: &[usize]| Component {
            id: String::new(),
            label: None,
            kind: Kind::Service,
            kind_why: None,
            image: None,
            replicas: None,
            deps: deps
                .iter()
                .map(|&t| Dep {
                    target: t,
                    source: Source::DependsOn,
                    why: String::new(),
                    protocol: None,
                    optional: false,
                })
                .collect(),
            notes: Vec::new(),
            group: None,
        };
        assert_eq!(declared_cycle(&[component(&[1]), component(&[2]), component(&[])]), None);
        assert_eq!(
            declared_cycle(&[component(&[1]), component(&[2]), component(&[0])]),
            Some(vec![0, 1, 2])
        );
    }

    #[test]
    fn env_files_interpolate_in_order_and_the_environment_wins() {
        let mut sources = Sources::new();
        let text = "HOST=db\nPORT=5432\nADDR=${HOST}:${PORT}\nLATER=${UNDEFINED_YET:-x}\nFROM_ENV\nOVER=file\nBAD=${\n";
        let id = sources.add(crate::source::SourceFile::new(".env", text));
        let environment = BTreeMap::from([
            ("PORT".to_string(), "6543".to_string()),
            ("FROM_ENV".to_string(), "yes".to_string()),
        ]);
        let mut vars = BTreeMap::new();
        let mut diagnostics = Vec::new();
        let mut budget = compose::MAX_INTERPOLATED_TOTAL;
        read_env_text(id, text, &environment, &mut vars, &mut diagnostics, &mut budget);
        // Inside the file, the process environment already answers `${PORT}`.
        assert_eq!(vars["ADDR"], "db:6543");
        assert_eq!(vars["LATER"], "x");
        assert_eq!(vars["FROM_ENV"], "yes");
        assert!(!vars.contains_key("BAD"));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, codes::INTERPOLATION.0);
    }

    #[test]
    fn dependency_modes_follow_the_manifest_default() {
        let mut c = vec![
            Component {
                id: "a".into(),
                label: None,
                kind: Kind::Service,
                kind_why: None,
                image: None,
                replicas: None,
                deps: Vec::new(),
                notes: Vec::new(),
                group: None,
            };
            2
        ];
        c[1].kind = Kind::Topic;
        let dep = |t: usize, p: Option<&str>| Dep {
            target: t,
            source: Source::Environment,
            why: String::new(),
            protocol: p.map(|p| (p.to_string(), String::new())),
            optional: false,
        };
        assert!(is_sync(&c, &dep(0, None)));
        assert!(is_sync(&c, &dep(0, Some("http"))));
        assert!(!is_sync(&c, &dep(0, Some("amqp"))));
        assert!(!is_sync(&c, &dep(1, None)));
    }
}
