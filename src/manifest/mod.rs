//! Stage 1: text → [`Manifest`].
//!
//! Input: the root manifest's path and a [`FileSystem`] to read it and its includes through.
//! Output: one [`Manifest`] per file (root first, then includes depth-first in the order
//! written, each file once), every file's text in [`Sources`], and every syntax and schema
//! problem as a [`Diagnostic`]. Invariants: no meaning is checked here beyond the schema (ids
//! resolve in `model`); this stage reads files only through the `FileSystem` it is handed.

pub(crate) mod limits;
pub(crate) mod schema;
pub(crate) mod yaml;

use std::path::{Path, PathBuf};

pub use limits::Limits;
pub(crate) use schema::{Collapse, Manifest, ParamValue, RuleSpec, Selector, ServiceSpec};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceFile, Sources, Span};

/// Codes of problems that stop a manifest from being read: (code, id). They are not checks
/// and cannot be configured; `archmap explain` documents them.
pub(crate) mod codes {
    use crate::diagnostic::ProblemMeta;

    /// Not well-formed YAML, not UTF-8, or over a size bound.
    pub(crate) const YAML_SYNTAX: (&str, &str) = ("AM100", "yaml-syntax");
    /// A key archmap does not know.
    pub(crate) const UNKNOWN_FIELD: (&str, &str) = ("AM101", "unknown-field");
    /// A value of the wrong type.
    pub(crate) const WRONG_TYPE: (&str, &str) = ("AM102", "wrong-type");
    /// A value of the right type that is not allowed: a bad id, kind, colour, version…
    pub(crate) const INVALID_VALUE: (&str, &str) = ("AM103", "invalid-value");
    /// A required field is missing.
    pub(crate) const MISSING_FIELD: (&str, &str) = ("AM104", "missing-field");
    /// An include that cannot be followed: missing, a directory, a cycle, outside the tree.
    pub(crate) const INCLUDE: (&str, &str) = ("AM105", "bad-include");
    /// More components or dependencies than allowed, or an over-long label or description.
    pub(crate) const LIMIT: (&str, &str) = ("AM106", "limit-exceeded");

    /// Every reading problem, sorted by code.
    pub(crate) const PROBLEMS: &[ProblemMeta] = &[
        ProblemMeta {
            code: YAML_SYNTAX.0,
            id: YAML_SYNTAX.1,
            summary: "the file is not well-formed YAML, not UTF-8, or over a size bound",
            docs: "The manifest could not be read as YAML: a syntax error (an unclosed bracket, a tab used for indentation, a `key: value` where none is allowed), bytes that are not UTF-8, nesting deeper than 64 levels, or aliases that expand to too much data. Fix the YAML at the marked place.",
        },
        ProblemMeta {
            code: UNKNOWN_FIELD.0,
            id: UNKNOWN_FIELD.1,
            summary: "a field or rule archmap does not know",
            docs: "A key that is not part of the manifest format, or a rule id or parameter that does not exist. The help line suggests the closest known name. Keys starting with `x-` are kept and ignored: use them for your own tools.",
        },
        ProblemMeta {
            code: WRONG_TYPE.0,
            id: WRONG_TYPE.1,
            summary: "a value of the wrong type",
            docs: "A value that is not of the type the format expects there: a list where a map belongs, a string for `replicas`, `yes` for a boolean (archmap reads YAML 1.2: only `true` and `false` are booleans).",
        },
        ProblemMeta {
            code: INVALID_VALUE.0,
            id: INVALID_VALUE.1,
            summary: "a value of the right type that is not allowed",
            docs: "An unknown kind, mode, level, layout or selector; an id outside `[A-Za-z0-9][A-Za-z0-9_.-]*` or longer than 128 characters; a colour that is not `#rgb` or `#rrggbb`; a manifest version other than 1; a number out of range. The help line lists what is allowed.",
        },
        ProblemMeta {
            code: MISSING_FIELD.0,
            id: MISSING_FIELD.1,
            summary: "a required field is missing",
            docs: "The root manifest needs `version`, `name` and at least one component under `services`; an included file needs `version`; a long-form dependency needs `target`.",
        },
        ProblemMeta {
            code: INCLUDE.0,
            id: INCLUDE.1,
            summary: "an include that cannot be followed",
            docs: "An `include` entry naming a missing file, a directory or a device; a cycle of includes; a chain deeper than 16 files or more than 256 files in all; or a file outside the root manifest's directory tree (after resolving `..` and symbolic links) without `--allow-outside-includes`.",
        },
        ProblemMeta {
            code: LIMIT.0,
            id: LIMIT.1,
            summary: "the manifest describes more than archmap reads in one run",
            docs: "More than 100,000 components or 1,000,000 dependencies across all files (raise with `--max-components` and `--max-dependencies`), a `name`, `label`, view `title`, `tech`, `owner`, dependency `protocol`, tag or `allow` entry longer than 1,000 characters, a `description` longer than 10,000, groups nested more than 32 deep through `parent`, or more than 1,000 views. The limits bound the work a manifest from an untrusted pull request can cause. Split a larger system into several manifests; move long text to the component's `url`.",
        },
    ];
}

/// The most files one manifest may pull in through `include`.
pub(crate) const MAX_INCLUDES: usize = 256;
/// The deepest chain of includes.
pub(crate) const MAX_INCLUDE_DEPTH: usize = 16;
/// The largest manifest file read, in bytes.
pub(crate) const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;
/// Default for [`LoadOptions::max_input_bytes`]: every file of one run together.
pub(crate) const DEFAULT_MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// How stage 1 reads files: the CLI hands in the real file system, tests an in-memory one.
pub trait FileSystem {
    /// The bytes of the file at `path`, or an error message ("no such file", "is a directory").
    fn read(&self, path: &Path) -> Result<Vec<u8>, String>;
    /// `path` with `..` and symbolic links resolved, or an error message.
    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String>;
    /// The bytes of the file at `path` if it holds at most `max` bytes; an implementation that
    /// can tell the size first refuses a larger file without reading it.
    fn read_at_most(&self, path: &Path, max: u64) -> Result<Vec<u8>, String> {
        let bytes = self.read(path)?;
        if bytes.len() as u64 > max {
            return Err(over_budget(max));
        }
        Ok(bytes)
    }
}

/// Why a file over what is left of the input budget (`max` bytes) is not read.
#[must_use]
pub(crate) fn over_budget(max: u64) -> String {
    if max >= MAX_FILE_SIZE {
        format!("it is larger than {} MiB", MAX_FILE_SIZE >> 20)
    } else {
        format!(
            "it would take the files of this run over their budget: {max} bytes are left (raise it with --max-input-mib)"
        )
    }
}

/// What to read.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Follow includes that resolve outside the root manifest's directory.
    pub allow_outside_includes: bool,
    /// How many components and dependencies, and how long texts, may be read.
    pub limits: Limits,
    /// The most bytes the root manifest and its includes may hold together
    /// (`--max-input-mib`).
    pub max_input_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            allow_outside_includes: false,
            limits: Limits::default(),
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

/// Everything stage 1 produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The text of every file read.
    pub sources: Sources,
    /// One manifest per file, root first.
    pub(crate) manifests: Vec<Manifest>,
    /// Syntax, schema and include problems (all fatal).
    pub diagnostics: Vec<Diagnostic>,
    /// The paths the files were read from, as handed to the [`FileSystem`] (the root's as given,
    /// includes resolved): what an output must never replace. Names in [`Sources`] are for
    /// reading, not for finding the file again.
    pub paths: Vec<PathBuf>,
}

impl Loaded {
    /// True when a problem stops the model from being built.
    #[must_use]
    pub fn has_fatal(&self) -> bool {
        self.diagnostics.iter().any(|d| d.fatal)
    }

    /// True when no manifest could be read at all (an empty file, or not YAML).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.manifests.is_empty()
    }
}

/// Reads the root manifest (already read by the caller, named `name`, at `path` if it is a
/// file) and everything it includes.
pub fn load(
    name: &str,
    path: Option<&Path>,
    bytes: Vec<u8>,
    fs: &dyn FileSystem,
    options: &LoadOptions,
) -> Loaded {
    let mut loaded = Loaded::default();
    let root_dir = path
        .and_then(|p| fs.canonicalize(p).ok())
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| fs.canonicalize(Path::new(".")).unwrap_or_default());
    let canonical_root = path.and_then(|p| fs.canonicalize(p).ok());
    loaded.paths.extend(path.map(Path::to_path_buf));
    let mut values_left = yaml::MAX_VALUES;
    let mut input_left = options.max_input_bytes.saturating_sub(bytes.len() as u64);
    let root_id = add_file(&mut loaded, name, bytes, &mut values_left);
    let Some(root_id) = root_id else {
        return loaded;
    };
    let mut walker = Walker {
        fs,
        options,
        root_dir,
        seen: canonical_root.iter().cloned().collect(),
        count: 0,
        values_left,
        input_left: &mut input_left,
    };
    let base = path.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    walker.visit(&mut loaded, root_id, &base, &mut canonical_root.into_iter().collect());
    limits::check(&loaded.manifests, &options.limits, &mut loaded.diagnostics);
    loaded
}

impl Loaded {
    /// True when a limit was exceeded: the model would be too large to lower and check.
    #[must_use]
    pub(crate) fn over_limits(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code == codes::LIMIT.0)
    }
}

/// Parses one file already read; used for the root and for every include.
fn add_file(
    loaded: &mut Loaded,
    name: &str,
    bytes: Vec<u8>,
    values_left: &mut usize,
) -> Option<FileId> {
    let (text, bad_utf8) = match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    let file = loaded.sources.add(SourceFile::new(name, text));
    if let Some(at) = bad_utf8 {
        loaded.diagnostics.push(
            Diagnostic::new(
                codes::YAML_SYNTAX.0,
                codes::YAML_SYNTAX.1,
                Severity::Error,
                "the file is not valid UTF-8",
            )
            .with_label(
                Span::new(file, at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                "invalid byte sequence here",
            )
            .with_help("save the manifest as UTF-8 text")
            .fatal(),
        );
        return None;
    }
    let tree = match yaml::parse(file, loaded.sources.get(file), values_left) {
        Ok(tree) => tree,
        Err(err) => {
            let (message, help) = explain_yaml_error(&err.message);
            loaded.diagnostics.push(
                Diagnostic::new(
                    codes::YAML_SYNTAX.0,
                    codes::YAML_SYNTAX.1,
                    Severity::Error,
                    message,
                )
                .with_label(err.span, "here")
                .with_help(help)
                .fatal(),
            );
            return None;
        }
    };
    let manifest = schema::read(file, tree, &mut loaded.diagnostics);
    loaded.manifests.push(manifest);
    Some(file)
}

struct Walker<'a> {
    fs: &'a dyn FileSystem,
    options: &'a LoadOptions,
    root_dir: PathBuf,
    seen: Vec<PathBuf>,
    count: usize,
    /// YAML values the run may still read ([`yaml::MAX_VALUES`]).
    values_left: usize,
    /// Bytes the run may still read ([`LoadOptions::max_input_bytes`]).
    input_left: &'a mut u64,
}

impl Walker<'_> {
    /// Follows the includes of the manifest read from `file`, whose directory is `dir`;
    /// `chain` holds the canonical paths of the files that led here (for cycles).
    fn visit(&mut self, loaded: &mut Loaded, file: FileId, dir: &Path, chain: &mut Vec<PathBuf>) {
        let Some(manifest) = loaded.manifests.iter().find(|m| m.file == file) else {
            return;
        };
        let includes = manifest.include.clone();
        for inc in includes {
            let fail = |loaded: &mut Loaded, message: String, help: &str| {
                loaded.diagnostics.push(
                    Diagnostic::new(codes::INCLUDE.0, codes::INCLUDE.1, Severity::Error, message)
                        .with_label(inc.span, "this include")
                        .with_help(help)
                        .fatal(),
                );
            };
            if chain.len() > MAX_INCLUDE_DEPTH {
                fail(
                    loaded,
                    format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
                    "flatten the include chain",
                );
                continue;
            }
            let path = dir.join(&inc.value);
            let canonical = match self.fs.canonicalize(&path) {
                Ok(c) => c,
                Err(e) => {
                    fail(
                        loaded,
                        format!("cannot include `{}`: {e}", inc.value),
                        "include paths are relative to the including file",
                    );
                    continue;
                }
            };
            if !self.options.allow_outside_includes && !canonical.starts_with(&self.root_dir) {
                fail(
                    loaded,
                    format!(
                        "include `{}` resolves outside the root manifest's directory",
                        inc.value
                    ),
                    "move the file under the root manifest's directory, or pass --allow-outside-includes",
                );
                continue;
            }
            if chain.contains(&canonical) {
                fail(
                    loaded,
                    format!(
                        "include cycle: `{}` is already being included on this path",
                        inc.value
                    ),
                    "remove one include of the cycle",
                );
                continue;
            }
            if self.seen.contains(&canonical) {
                // Already merged through another path (a diamond): merging it again would only
                // duplicate every id.
                continue;
            }
            self.count += 1;
            if self.count > MAX_INCLUDES {
                fail(
                    loaded,
                    format!("more than {MAX_INCLUDES} included files"),
                    "merge some of the included files",
                );
                return;
            }
            let bytes = match self.fs.read_at_most(&canonical, *self.input_left) {
                Ok(b) => b,
                Err(e) => {
                    let help = if e.contains("budget") || e.contains("larger than") {
                        "keep bulk data out of the manifests, or raise the budget with --max-input-mib"
                    } else {
                        "include paths are relative to the including file"
                    };
                    fail(loaded, format!("cannot include `{}`: {e}", inc.value), help);
                    continue;
                }
            };
            self.seen.push(canonical.clone());
            loaded.paths.push(canonical.clone());
            let name = display_path(&path);
            *self.input_left -= bytes.len() as u64;
            let Some(child) = add_file(loaded, &name, bytes, &mut self.values_left) else {
                continue;
            };
            let child_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            chain.push(canonical);
            self.visit(loaded, child, &child_dir, chain);
            chain.pop();
        }
    }
}

/// A YAML crate message turned into archmap's words, with advice.
fn explain_yaml_error(raw: &str) -> (String, String) {
    let lower = raw.to_ascii_lowercase();
    // The scanner's own guard on flow collections (`[[[[…`) speaks of recursion.
    if (lower.contains("depth") && lower.contains("budget")) || lower.contains("recursion limit") {
        return (
            format!("the document nests deeper than {} levels", yaml::MAX_DEPTH),
            "a manifest needs about six levels; flatten the nested lists or maps".into(),
        );
    }
    if lower.contains("alias") || lower.contains("anchor") {
        return (
            "aliases expand to too much data (an \"alias bomb\")".into(),
            format!(
                "aliases may replay at most {} YAML events in all; write the repeated values out, or use fewer nested aliases",
                yaml::MAX_ALIAS_EVENTS
            ),
        );
    }
    if raw.contains(yaml::VALUES_MESSAGE) {
        return (
            format!(
                "the manifest and its includes hold more than {} YAML values",
                group_digits(yaml::MAX_VALUES)
            ),
            "archmap reads at most that many values (keys, scalars, lists, maps, and aliases each time they are used) in one run, which bounds its memory; keep bulk data out of the manifest, or split the system into several manifests".into(),
        );
    }
    if lower.contains("budget") {
        return (
            format!("the document is too large to read ({raw})"),
            "split the manifest into several files with `include`".into(),
        );
    }
    let help = if lower.contains("mapping values are not allowed") {
        "a `key: value` is not allowed here: check the indentation; YAML also limits a plain key to 1024 characters (archmap ids to 128)"
    } else if lower.contains("tab") {
        "YAML indents with spaces, never tabs: replace the tab with spaces"
    } else {
        "fix the YAML syntax at the marked place"
    };
    (format!("invalid YAML: {raw}"), help.into())
}

/// `n` with thousands separators: 4,000,000.
pub(crate) fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A path as shown in reports: as written, with `/` separators.
#[must_use]
pub(crate) fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
