//! `archmap render`.

use std::path::{Path, PathBuf};

use super::args::{GlobalArgs, RenderArgs};
use super::progress::Progress;
use super::{Io, analyse, human, print_human, write_atomic};
use crate::diagnostic::emit::summary_line;
use crate::diagnostic::{Severity, Summary, did_you_mean};
use crate::error::Error;
use crate::pipeline::Analysis;
use crate::render::{Format, RenderOptions};
use crate::scene::SceneOptions;
use crate::scene::highlight::{Highlight, highlights};
use crate::vocab::Direction;

pub(super) fn run(args: &RenderArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let format = output_format(args);
    let analysed = analyse(&args.manifest, io)?;
    let emitter = human(global, io.stderr_is_terminal, io.no_color);
    if analysed.fatal() {
        let fatal: Vec<_> = analysed.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
        print_human(&fatal, &analysed.loaded, &emitter, io.stderr)?;
        return Ok(2);
    }
    let model = analysed.model.as_ref().expect("a manifest without fatal problems has a model");
    let summary = Summary::of(&analysed.diagnostics);
    if args.strict && summary.error > 0 {
        let errors: Vec<_> = analysed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        print_human(&errors, &analysed.loaded, &emitter, io.stderr)?;
        writeln!(
            io.stderr,
            "error: not rendering (--strict): check found {}",
            summary_line(&summary)
        )?;
        return Ok(1);
    }
    if !global.quiet && summary.error + summary.warn > 0 {
        writeln!(
            io.stderr,
            "warning: check found {}; run `archmap check` for details",
            summary_line(&summary)
        )?;
    }
    let direction = args.direction.map(Direction::from);
    let mut focus = Vec::new();
    for f in &args.focus {
        match model.find(f) {
            Some(id) => focus.push(id),
            None => {
                return Err(Error::Usage(unknown(
                    f,
                    "component",
                    model.index.keys().map(String::as_str),
                )));
            }
        }
    }
    // Findings check already made, drawn onto the diagram: analysis does not run again.
    let marks: Vec<Highlight> =
        if args.highlight { highlights(&analysed.diagnostics) } else { Vec::new() };
    let base = SceneOptions {
        view: None,
        direction,
        focus,
        depth: args.depth,
        focus_direction: None,
        highlights: &marks,
    };

    // Every diagram to produce: (file stem, scene options).
    let mut jobs: Vec<(String, SceneOptions<'_>)> = Vec::new();
    if args.all_views {
        if model.views.iter().any(|v| v.id == "system") {
            return Err(Error::Usage(
                "a view is called `system`, the name of the whole-system file of --all-views; rename the view".into(),
            ));
        }
        jobs.push(("system".into(), base.clone()));
        for v in &model.views {
            jobs.push((v.id.clone(), SceneOptions { view: Some(v), ..base.clone() }));
        }
    } else if let Some(name) = &args.view {
        let Some(v) = model.views.iter().find(|v| &v.id == name) else {
            let msg = if model.views.is_empty() {
                format!("no view is called `{name}`: the manifest defines no views")
            } else {
                unknown(name, "view", model.views.iter().map(|v| v.id.as_str()))
            };
            return Err(Error::Usage(msg));
        };
        jobs.push((v.id.clone(), SceneOptions { view: Some(v), ..base.clone() }));
    } else {
        jobs.push((String::new(), base.clone()));
    }

    let render_options = RenderOptions {
        engine: args.engine,
        max_nodes: args.max_nodes,
        theme: args.theme,
        legend: args.legend,
        scale: args.scale,
    };
    if format.is_binary() && args.output.is_none() && io.stdout_is_terminal {
        return Err(Error::Usage(format!(
            "not writing a {} to the terminal: name a file with -o, or redirect standard output",
            format.as_str().to_ascii_uppercase()
        )));
    }
    if format == Format::Png && !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(Error::Usage(format!("--scale must be a positive number, not {}", args.scale)));
    }
    let mut outputs: Vec<(Option<PathBuf>, Vec<u8>)> = Vec::with_capacity(jobs.len());
    let progress = Progress::new(
        io.stderr_is_terminal,
        global.quiet,
        super::color(global.color, io.stderr_is_terminal, io.no_color),
        jobs.len(),
        "rendering",
    );
    for (stem, options) in &jobs {
        progress.step(stem);
        let scene = crate::scene::scene(model, options);
        if format.is_laid_out() && scene.nodes.len() > args.max_nodes && !global.quiet {
            let what =
                if stem.is_empty() { "the diagram".to_string() } else { format!("`{stem}`") };
            progress.suspend(|| {
                writeln!(
                    io.stderr,
                    "warning: {what} has {} components, over the budget of {} (--max-nodes); it \
                     will be hard to read: render a view (--view), a neighbourhood (--focus ID \
                     --depth 1) or a view that collapses groups",
                    scene.nodes.len(),
                    args.max_nodes
                )
            })?;
        }
        let bytes = format.write(&scene, &render_options).map_err(Error::Usage)?;
        let path = if args.all_views {
            args.output.as_ref().map(|dir| dir.join(format!("{stem}.{}", format.extension())))
        } else {
            args.output.clone()
        };
        outputs.push((path, bytes));
        progress.inc();
    }
    drop(progress);

    refuse_overwriting_inputs(&analysed, &outputs, io)?;

    if args.check {
        let mut stale = 0;
        for (path, text) in &outputs {
            let path = path.as_ref().expect("--check requires -o");
            let full = io.cwd.join(path);
            let reason = match std::fs::read(&full) {
                Ok(old) if old == *text => continue,
                Ok(_) => "differs from what would be written",
                Err(_) => "is missing",
            };
            stale += 1;
            writeln!(
                io.stderr,
                "stale: {} {reason}; run the same command without --check to update it",
                path.display()
            )?;
        }
        return Ok(u8::from(stale > 0));
    }

    if args.all_views
        && let Some(dir) = &args.output
    {
        let full = io.cwd.join(dir);
        std::fs::create_dir_all(&full)
            .map_err(|source| Error::Write { path: dir.clone(), source })?;
    }
    for (path, text) in &outputs {
        match path {
            Some(p) => write_atomic(&io.cwd.join(p), text)?,
            None => io.stdout.write_all(text)?,
        }
    }
    Ok(0)
}

fn output_format(args: &RenderArgs) -> Format {
    if let Some(f) = args.format {
        return f;
    }
    if args.all_views {
        return Format::Svg;
    }
    let ext = args.output.as_deref().and_then(Path::extension).and_then(|e| e.to_str());
    ext.and_then(Format::from_extension).unwrap_or(Format::Svg)
}

fn unknown<'a>(
    name: &str,
    what: &str,
    candidates: impl Iterator<Item = &'a str> + Clone,
) -> String {
    if let Some(s) = did_you_mean(name, candidates.clone()) {
        format!("no {what} is called `{name}`; did you mean `{s}`?")
    } else {
        let all: Vec<&str> = candidates.take(20).collect();
        format!("no {what} is called `{name}`; known: {}", all.join(", "))
    }
}

/// An output path that is one of the manifest files read would destroy the input.
fn refuse_overwriting_inputs(
    analysed: &Analysis,
    outputs: &[(Option<PathBuf>, Vec<u8>)],
    io: &Io<'_>,
) -> Result<(), Error> {
    let inputs: Vec<PathBuf> = analysed
        .loaded
        .sources
        .iter()
        .filter_map(|(_, f)| std::fs::canonicalize(io.cwd.join(f.name())).ok())
        .collect();
    for (path, _) in outputs {
        let Some(p) = path else { continue };
        if let Ok(c) = std::fs::canonicalize(io.cwd.join(p))
            && inputs.contains(&c)
        {
            return Err(Error::Usage(format!(
                "refusing to overwrite the manifest {} with a diagram",
                p.display()
            )));
        }
    }
    Ok(())
}
