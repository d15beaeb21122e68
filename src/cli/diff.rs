//! `archmap diff OLD NEW`.
//!
//! Reads both sides (a file, standard input, or `REV:PATH` through git, whose includes are read
//! at the same revision), analyses each as `check` does, compares them with [`crate::diff`] and
//! writes text, JSON, Markdown or an SVG overlay. Exit codes: 0; 1 with `--exit-code` when the
//! sides differ; 2 when either side cannot be read, parsed or lowered.

use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use super::args::{DiffArgs, DiffFormat, GlobalArgs, ManifestArgs};
use super::outfile::Row;
use super::{Io, RealFs, analyse_bytes, color, human, print_human, read_stdin, write_atomic};
use crate::diff::{self, Side, overlay, report};
use crate::error::Error;
use crate::manifest::{self, FileSystem};
use crate::pipeline::Analysis;
use crate::render::{self, RenderOptions};
use crate::scene::SceneOptions;
use crate::vocab::Direction;

/// Where one side comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    /// `-`.
    Stdin,
    /// A file on disk.
    File(PathBuf),
    /// `REV:PATH`, read through git.
    Git {
        /// The revision.
        rev: String,
        /// The path, relative to the working directory.
        path: String,
    },
}

/// An argument that names an existing file is a path; else `REV:PATH` when it holds a `:`.
fn origin(arg: &str, cwd: &Path) -> Origin {
    if arg == "-" {
        return Origin::Stdin;
    }
    if cwd.join(arg).exists() {
        return Origin::File(PathBuf::from(arg));
    }
    match arg.split_once(':') {
        // A revision never starts with `-`: refusing it keeps git from reading it as an option.
        Some((rev, path)) if !path.is_empty() && !rev.starts_with('-') => {
            Origin::Git { rev: rev.to_string(), path: path.to_string() }
        }
        _ => Origin::File(PathBuf::from(arg)),
    }
}

pub(super) fn run(args: &DiffArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let manifest_args = ManifestArgs {
        file: None,
        stdin_filename: None,
        allow_outside_includes: args.allow_outside_includes,
        rules: args.rules.clone(),
        max_components: manifest::limits::DEFAULT_MAX_COMPONENTS,
        max_dependencies: manifest::limits::DEFAULT_MAX_DEPENDENCIES,
        max_input_mib: args.max_input_mib,
    };
    let format = super::outfile::pick(
        args.format,
        args.output.as_deref(),
        DiffFormat::Text,
        &[
            Row { format: DiffFormat::Text, name: "text", infer: &["txt"], accept: &["txt"] },
            Row { format: DiffFormat::Json, name: "json", infer: &["json"], accept: &["json"] },
            Row {
                format: DiffFormat::Markdown,
                name: "markdown",
                infer: &["md", "markdown"],
                accept: &["md", "markdown"],
            },
            Row { format: DiffFormat::Svg, name: "svg", infer: &["svg"], accept: &["svg"] },
        ],
    )?;
    let (old_origin, new_origin) = (origin(&args.old, &io.cwd), origin(&args.new, &io.cwd));
    if old_origin == Origin::Stdin && new_origin == Origin::Stdin {
        return Err(Error::Usage("only one side of a diff can be read from standard input".into()));
    }
    let old = read_side(&args.old, &old_origin, &manifest_args, io)?;
    let new = read_side(&args.new, &new_origin, &manifest_args, io)?;

    // Either side broken: say what is wrong with it, as `check` would, and stop.
    let mut broken = false;
    for (name, side) in [(&args.old, &old), (&args.new, &new)] {
        if side.fatal() {
            broken = true;
            let fatal: Vec<_> = side.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
            let emitter = human(global, io.stderr_is_terminal, io.no_color);
            print_human(&fatal, &side.loaded, &emitter, io.stderr)?;
            writeln!(
                io.stderr,
                "error: cannot compare: {name} has problems that stop it from being read"
            )?;
        }
    }
    if broken {
        return Ok(2);
    }
    let old_model = old.model.as_ref().expect("a manifest without fatal problems has a model");
    let new_model = new.model.as_ref().expect("a manifest without fatal problems has a model");
    let mut d = diff::diff(
        &Side {
            name: &args.old,
            model: old_model,
            findings: &old.diagnostics,
            config: &old.config,
        },
        &Side {
            name: &args.new,
            model: new_model,
            findings: &new.diagnostics,
            config: &new.config,
        },
    );

    if let Some(path) = &args.baseline {
        d.accept(&super::check::read_baseline(path, io)?);
    }

    let text = match format {
        DiffFormat::Text => {
            let paint = super::output_path(args.output.as_ref()).is_none()
                && color(global.color, io.stdout_is_terminal, io.no_color);
            report::text(&d, paint, global.quiet)
        }
        DiffFormat::Json => report::json(&d),
        DiffFormat::Markdown => report::markdown(&d),
        DiffFormat::Svg => {
            let title = format!("{} — changes {} → {}", new_model.name, args.old, args.new);
            let description = Some(report::summary(&d));
            let union = overlay::union(old_model, new_model, &d, title, description);
            let marks = overlay::marks(&union, &d);
            let options = SceneOptions {
                direction: args.direction.map(Direction::from),
                highlights: &marks,
                ..SceneOptions::default()
            };
            let scene = crate::scene::scene(&union, &options);
            let render_options = RenderOptions { theme: args.theme, ..RenderOptions::default() };
            render::renderer(render::Format::Svg).render(&scene, &render_options)
        }
    };

    match super::output_path(args.output.as_ref()) {
        Some(path) => {
            refuse_overwriting_inputs(path, [&old, &new], io)?;
            write_atomic(&io.cwd.join(path), text.as_bytes())?;
        }
        None => io.stdout.write_all(text.as_bytes())?,
    }
    Ok(u8::from(args.exit_code && !d.is_empty()))
}

/// Reads and analyses one side.
fn read_side(
    arg: &str,
    origin: &Origin,
    args: &ManifestArgs,
    io: &mut Io<'_>,
) -> Result<Analysis, Error> {
    let read_error = |reason: String| Error::Read {
        path: PathBuf::from(arg),
        reason: std::io::Error::other(reason),
    };
    match origin {
        Origin::Stdin => {
            let bytes = read_stdin(io, args.max_input_bytes())?;
            let fs = RealFs { cwd: io.cwd.clone() };
            analyse_bytes("<stdin>", None, bytes, &fs, args)
        }
        Origin::File(path) => {
            let fs = RealFs { cwd: io.cwd.clone() };
            let bytes = fs.read_at_most(path, args.max_input_bytes()).map_err(read_error)?;
            analyse_bytes(&manifest::display_path(path), Some(path), bytes, &fs, args)
        }
        Origin::Git { rev, path } => {
            let fs = GitFs { cwd: io.cwd.clone(), rev: rev.clone(), program: "git" };
            // Every file of this side is named `REV:path`, includes too: `load` names an
            // include after the directory of the root's path, so that directory carries the
            // revision (`REV:.` for a manifest at the top).
            let rooted = if Path::new(path).parent().is_some_and(|p| !p.as_os_str().is_empty()) {
                format!("{rev}:{path}")
            } else {
                format!("{rev}:./{path}")
            };
            let bytes =
                fs.read_at_most(Path::new(&rooted), args.max_input_bytes()).map_err(read_error)?;
            analyse_bytes(arg, Some(Path::new(&rooted)), bytes, &fs, args)
        }
    }
}

/// Reads files as they are at one git revision: `git cat-file blob REV:./PATH`, run in the
/// working directory. Paths handed in are `REV:`-prefixed and relative to the working
/// directory, or absolute (as [`GitFs::canonicalize`] makes them).
struct GitFs {
    cwd: PathBuf,
    rev: String,
    /// The git program (tests name one that does not exist).
    program: &'static str,
}

impl GitFs {
    /// `path` relative to the working directory, with the `REV:` prefix taken off.
    fn relative(&self, path: &Path) -> PathBuf {
        let s = path.to_string_lossy();
        let rest = s
            .strip_prefix(&format!("{}:", self.rev))
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        let absolute = normalize(&self.cwd.join(rest));
        relative_to(&self.cwd, &absolute)
    }

    /// Runs `git ARGS` in the working directory; its output, or why it failed.
    fn git(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let out = Command::new(self.program)
            .args(args)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "git is not installed (or not on PATH); REV:PATH needs it".to_string()
                }
                _ => format!("cannot run git: {e}"),
            })?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("git failed");
        Err(line.trim().trim_start_matches("fatal: ").to_string())
    }
}

impl FileSystem for GitFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        self.read_at_most(path, manifest::MAX_FILE_SIZE)
    }

    /// The object's type and size are asked first: a blob over `max` is never read.
    fn read_at_most(&self, path: &Path, max: u64) -> Result<Vec<u8>, String> {
        let max = max.min(manifest::MAX_FILE_SIZE);
        let rel = self.relative(path);
        let object = format!("{}:./{}", self.rev, rel.to_string_lossy().replace('\\', "/"));
        let kind = self.git(&["cat-file", "-t", &object])?;
        match String::from_utf8_lossy(&kind).trim() {
            "blob" => {}
            "tree" => return Err("it is a directory".into()),
            other => return Err(format!("it is a git {other}, not a file")),
        }
        let size = self.git(&["cat-file", "-s", &object])?;
        let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(u64::MAX);
        if size > max {
            return Err(manifest::over_budget(max));
        }
        let bytes = self.git(&["cat-file", "blob", &object])?;
        if bytes.len() as u64 > max {
            return Err(manifest::over_budget(max));
        }
        Ok(bytes)
    }

    /// Lexical: a revision has no symbolic links to follow that git would not show as files.
    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(normalize(&self.cwd.join(self.relative(path))))
    }
}

/// `path` with `.` and `..` resolved lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `target` relative to `base` (both absolute and normalised).
fn relative_to(base: &Path, target: &Path) -> PathBuf {
    let (b, t): (Vec<_>, Vec<_>) = (base.components().collect(), target.components().collect());
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

/// An output path that is one of the manifest files read would destroy an input.
fn refuse_overwriting_inputs(
    output: &Path,
    sides: [&Analysis; 2],
    io: &Io<'_>,
) -> Result<(), Error> {
    for side in sides {
        if super::is_an_input(&io.cwd, output, &side.loaded.paths) {
            return Err(Error::Usage(format!(
                "refusing to overwrite the manifest {} with the diff",
                output.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_name_files_first_then_revisions() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a:b.yaml"), "").expect("write");
        let cwd = dir.path();
        assert_eq!(origin("-", cwd), Origin::Stdin);
        assert_eq!(origin("a:b.yaml", cwd), Origin::File("a:b.yaml".into()));
        assert_eq!(
            origin("HEAD~1:arch.yaml", cwd),
            Origin::Git { rev: "HEAD~1".into(), path: "arch.yaml".into() }
        );
        assert_eq!(origin("missing.yaml", cwd), Origin::File("missing.yaml".into()));
        assert_eq!(origin("HEAD:", cwd), Origin::File("HEAD:".into()));
        assert_eq!(origin("--upload-pack=x:y", cwd), Origin::File("--upload-pack=x:y".into()));
    }

    #[test]
    fn a_missing_git_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fs = GitFs {
            cwd: dir.path().to_path_buf(),
            rev: "HEAD".into(),
            program: "archmap-test-no-such-git",
        };
        let err = fs.read(Path::new("HEAD:./arch.yaml")).expect_err("no git");
        assert_eq!(err, "git is not installed (or not on PATH); REV:PATH needs it");
    }

    #[test]
    fn paths_resolve_lexically() {
        assert_eq!(normalize(Path::new("/r/a/./b/../c.yaml")), PathBuf::from("/r/a/c.yaml"));
        assert_eq!(relative_to(Path::new("/r/a"), Path::new("/r/a/x/y")), PathBuf::from("x/y"));
        assert_eq!(relative_to(Path::new("/r/a"), Path::new("/r/b/y")), PathBuf::from("../b/y"));
        let fs = GitFs { cwd: PathBuf::from("/w"), rev: "main".into(), program: "git" };
        assert_eq!(fs.relative(Path::new("main:./sub/../x.yaml")), PathBuf::from("x.yaml"));
        assert_eq!(fs.relative(Path::new("main:dir/x.yaml")), PathBuf::from("dir/x.yaml"));
    }
}
