//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::layout::Engine;
use crate::render::{Format, Theme};
use crate::vocab::Direction;

/// Architecture as code: check a model of your system for cycles and bottlenecks, and render
/// it as SVG, PNG, Graphviz DOT, Mermaid or an interactive HTML page.
#[derive(Debug, Parser)]
#[command(name = "archmap", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub(crate) struct GlobalArgs {
    /// When to use colours (honours `NO_COLOR`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print only findings and errors, no summaries or progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colours on a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse, validate and report findings.
    Check(CheckArgs),
    /// Write a diagram: SVG, PNG, DOT, Mermaid, JSON or HTML.
    Render(RenderArgs),
    /// Per-component metrics: fan-in, fan-out, blast radius, reach, betweenness, sync chains.
    Stats(StatsArgs),
    /// What changed between two manifests: components, dependencies, groups, findings.
    Diff(DiffArgs),
    /// List every check with its code, id and default level.
    Rules,
    /// Print one check's documentation.
    Explain(ExplainArgs),
    /// Serve the interactive HTML page on a local address and update it on every save.
    Serve(super::serve::ServeArgs),
    /// Write a manifest from another description of the system (docker-compose files,
    /// Kubernetes YAML).
    Import(super::import::ImportArgs),
    /// Compare the manifest with what runs: a compose project, Kubernetes YAML, or traced calls.
    Drift(super::drift::DriftArgs),
    /// Write a commented starter `archmap.yaml`; refuses to overwrite.
    Init(InitArgs),
    /// Print the manifest's JSON Schema (draft 2020-12), for editors and validators.
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print archmap's man page, or write one page per command into a directory.
    Man(ManArgs),
}

/// Options shared by commands that read a manifest.
#[derive(Debug, Args, Clone)]
pub(crate) struct ManifestArgs {
    /// The manifest (default: the nearest archmap.yaml, then archmap.yml, in the current
    /// directory or a parent up to the repository's root; `-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The name reports give the manifest read from standard input (`-`), instead of `<stdin>`:
    /// what an editor or a pre-commit hook piping a file in knows it as.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Follow includes that resolve outside the root manifest's directory.
    #[arg(long)]
    pub allow_outside_includes: bool,
    /// Set a check's level for this run, e.g. `--rule fan-in=off` (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
    /// Refuse manifests with more components than this, across all included files.
    #[arg(long, value_name = "N", default_value_t = crate::manifest::limits::DEFAULT_MAX_COMPONENTS)]
    pub max_components: usize,
    /// Refuse manifests with more `depends_on` entries than this, across all included files.
    #[arg(long, value_name = "N", default_value_t = crate::manifest::limits::DEFAULT_MAX_DEPENDENCIES)]
    pub max_dependencies: usize,
    /// Read at most this many MiB, the manifest and all its includes together (each file is
    /// also bounded at 256 MiB).
    #[arg(long, value_name = "MIB", default_value_t = crate::manifest::DEFAULT_MAX_INPUT_BYTES >> 20)]
    pub max_input_mib: u64,
}

impl ManifestArgs {
    /// `--max-input-mib` in bytes.
    pub(crate) fn max_input_bytes(&self) -> u64 {
        self.max_input_mib.saturating_mul(1 << 20)
    }
}

/// `archmap check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The manifest and rule overrides.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// More manifests, checked in the same run with one report; a quoted glob
    /// (`'services/*/archmap.yaml'`) is expanded by archmap.
    #[arg(value_name = "FILE", trailing_var_arg = false)]
    pub more: Vec<PathBuf>,
    /// Report format (default: from `-o`'s extension, `.json` `.sarif` `.txt`; else human).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Exit 0 even when findings would fail the run (a reading problem still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// With `--format github`: at most this many annotations per level (GitHub shows 10 of
    /// each kind per step); the job summary lists every finding.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_annotations: usize,
    /// Fail (exit 1) on warnings too: `--deny warnings`.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Accept the findings listed in this baseline file: report and fail only on new ones, and
    /// say which entries no longer match.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to a baseline file (then report as `--baseline` would:
    /// nothing new, exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// `--deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Deny {
    /// Warnings fail the run.
    Warnings,
}

/// `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Reports with the YAML excerpt, labels and help.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations), and a job summary table in
    /// `$GITHUB_STEP_SUMMARY`.
    Github,
    /// GitLab Code Quality (a JSON array, for `artifacts:reports:codequality`).
    Gitlab,
    /// JUnit XML test reports: a test suite per manifest, a failing test per error or warning.
    #[allow(clippy::doc_markdown)] // a help text: a product's name, not code
    Junit,
    /// Checkstyle XML, for tools that read linters' reports (Jenkins, reviewdog, Danger).
    Checkstyle,
}

/// `archmap render`.
// Independent on/off switches, as clap flags are.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args, Clone)]
pub(crate) struct RenderArgs {
    /// The manifest and rule overrides.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// Output format (default: from `-o`'s extension, else svg).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Where to write (default and `-`: standard output); with `--all-views`, a directory.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Render one view of the manifest.
    #[arg(long, value_name = "NAME", conflicts_with = "all_views")]
    pub view: Option<String>,
    /// Render the whole system and every view, one file each, into the directory `-o`; with
    /// svg, png or mermaid, every flow's sequence diagram too (`flow-ID.svg`).
    #[arg(long, requires = "output")]
    pub all_views: bool,
    /// Draw one flow of the manifest as a sequence diagram (svg, png or mermaid; html opens the
    /// page on the flow).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["all_views", "view"])]
    pub flow: Option<String>,
    /// With --flow: draw the architecture diagram instead, with the flow's steps numbered on
    /// its dependencies and the rest dimmed (svg, png or dot).
    #[arg(long, requires = "flow")]
    pub overlay: bool,
    /// Diagram direction.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Keep only this component and its neighbourhood (repeatable).
    #[arg(long, value_name = "ID")]
    pub focus: Vec<String>,
    /// With --focus: how many hops to follow.
    #[arg(long, value_name = "N", requires = "focus")]
    pub depth: Option<u32>,
    /// Fail (exit 1) when the file at `-o` differs from what would be written; write nothing.
    #[arg(long, requires = "output")]
    pub check: bool,
    /// Refuse to render when check finds errors.
    #[arg(long)]
    pub strict: bool,
    /// Layout engine for SVG and JSON output.
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    pub engine: Engine,
    /// Above this many components, warn and note in the SVG that a view, a focus or collapsing
    /// groups would read better.
    #[arg(long, value_name = "N", default_value_t = crate::render::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
    /// Draw check's findings onto the diagram: cycles, single points of failure, hotspots,
    /// layer violations, long sync chains.
    #[arg(long)]
    pub highlight: bool,
    /// Draw a legend of the kinds, edge styles and highlights the SVG or PNG uses (with
    /// --highlight, the highlights get a legend anyway).
    #[arg(long)]
    pub legend: bool,
    /// Colours of SVG and PNG output; `auto` follows the reader's light or dark preference
    /// (SVG only; PNG draws `auto` as light).
    #[arg(long, value_enum, default_value_t = Theme::Light)]
    pub theme: Theme,
    /// PNG pixels per SVG unit.
    #[arg(long, value_name = "N", default_value_t = crate::render::png::DEFAULT_SCALE)]
    pub scale: f32,
    /// Keep running: render again, atomically, whenever the manifest or a file it includes
    /// changes, until Ctrl-C.
    #[arg(long, requires = "output", conflicts_with = "check")]
    pub watch: bool,
}

/// `render --format`: the names and help of [`Format`]'s table.
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.help()))
    }
}

/// `render --engine`: the names and help of [`Engine`]'s table.
impl ValueEnum for Engine {
    fn value_variants<'a>() -> &'a [Self] {
        &Engine::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.help()))
    }
}

/// `render --theme` and `diff --theme`.
impl ValueEnum for Theme {
    fn value_variants<'a>() -> &'a [Self] {
        &Theme::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.help()))
    }
}

/// `--direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DirectionArg {
    /// Top to bottom.
    #[value(name = "TB", alias = "tb")]
    Tb,
    /// Left to right.
    #[value(name = "LR", alias = "lr")]
    Lr,
    /// Bottom to top.
    #[value(name = "BT", alias = "bt")]
    Bt,
    /// Right to left.
    #[value(name = "RL", alias = "rl")]
    Rl,
}

impl From<DirectionArg> for Direction {
    fn from(d: DirectionArg) -> Direction {
        match d {
            DirectionArg::Tb => Direction::TB,
            DirectionArg::Lr => Direction::LR,
            DirectionArg::Bt => Direction::BT,
            DirectionArg::Rl => Direction::RL,
        }
    }
}

/// `archmap stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// The manifest and rule overrides.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
    /// Leave out betweenness centrality (Brandes, O(components × dependencies): about a second
    /// at 10,000 components).
    #[arg(long)]
    pub no_betweenness: bool,
    /// Compute betweenness exactly even above 4,096 components (by default it is estimated
    /// there from 2,048 sources: see docs/reports.md).
    #[arg(long, conflicts_with = "no_betweenness")]
    pub exact_betweenness: bool,
    /// Order the components by this measure, largest first (ties in manifest order).
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<StatsSort>,
    /// Show only the first N components (with --sort, or by blast radius).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

/// `stats --sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsSort {
    /// Manifest order.
    Manifest,
    /// Components depending on it directly.
    FanIn,
    /// Components it depends on directly.
    FanOut,
    /// Components with a required sync path to it.
    BlastRadius,
    /// Components with any path to it.
    Dependents,
    /// Components it has any path to.
    Dependencies,
    /// Betweenness centrality.
    Betweenness,
    /// The longest sync chain through it.
    SyncChain,
}

/// `stats --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    /// An aligned table and a summary.
    Table,
    /// One JSON document.
    Json,
    /// Comma-separated values, one row per component.
    Csv,
}

/// `archmap diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old manifest: a path, `-` for standard input, or `REV:PATH` read through git.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new manifest, as OLD.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output format (default: from `-o`'s extension, `.txt` `.json` `.md` `.svg`; else text).
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Where to write (default and `-`: standard output).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the manifests differ.
    #[arg(long)]
    pub exit_code: bool,
    /// Direction of the SVG overlay.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Colours of the SVG overlay.
    #[arg(long, value_enum, default_value_t = Theme::Light)]
    pub theme: Theme,
    /// Set a check's level on both sides, e.g. `--rule fan-in=off` (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
    /// Follow includes that resolve outside each root manifest's directory.
    #[arg(long)]
    pub allow_outside_includes: bool,
    /// Leave out of the new findings those this baseline file accepts (as `check --baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Read at most this many MiB on each side, the manifest and all its includes together.
    #[arg(long, value_name = "MIB", default_value_t = crate::manifest::DEFAULT_MAX_INPUT_BYTES >> 20)]
    pub max_input_mib: u64,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// For a terminal.
    Text,
    /// One JSON document (schema in docs/diff.md).
    Json,
    /// A pull-request comment.
    Markdown,
    /// Both manifests in one diagram, coloured by change.
    Svg,
}

/// `archmap explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A check's code (AM010) or id (sync-cycle).
    #[arg(value_name = "CODE-or-ID")]
    pub rule: String,
}

/// `archmap init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write the starter manifest; `-` prints it.
    #[arg(value_name = "PATH", default_value = "archmap.yaml")]
    pub path: PathBuf,
    /// The system's name (default: the directory's name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// `archmap schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write the schema to this file instead of standard output (`-`: standard output).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) when the file at `-o` differs from what would be written, instead of writing.
    #[arg(long, requires = "output")]
    pub check: bool,
}

/// `archmap completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `archmap man`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write `archmap.1` and one `archmap-COMMAND.1` per command into this directory.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}
