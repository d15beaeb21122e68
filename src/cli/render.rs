//! `archmap render`.

use std::path::PathBuf;

use super::args::{GlobalArgs, RenderArgs};
use super::outfile::Row;
use super::page::PageRequest;
use super::progress::Progress;
use super::watch;
use super::{Io, analyse, human, print_human, write_atomic};
use crate::diagnostic::emit::summary_line;
use crate::diagnostic::{Severity, Summary, did_you_mean};
use crate::error::Error;
use crate::model::Model;
use crate::pipeline::Analysis;
use crate::render::{Format, RenderOptions};
use crate::scene::SceneOptions;
use crate::scene::highlight::{Highlight, highlights};
use crate::vocab::Direction;

/// One diagram to produce: its file stem (empty for the single diagram) and scene options.
type Job<'a> = (String, SceneOptions<'a>);

/// One diagram produced: where it goes (`None`: standard output) and its bytes.
type Output = (Option<PathBuf>, Vec<u8>);

/// Runs `archmap render`: analyse, pick the diagrams, render them, then check or write them.
pub(super) fn run(args: &RenderArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    if args.output.is_some() && super::output_path(args.output.as_ref()).is_none() {
        if args.all_views || args.check || args.watch {
            return Err(Error::Usage(
                "--all-views, --check and --watch need a path for -o, not `-` (standard output)"
                    .into(),
            ));
        }
        let to_stdout = RenderArgs { output: None, ..args.clone() };
        return run(&to_stdout, global, io);
    }
    if args.watch {
        return watch(args, global, io);
    }
    render_once(args, global, io, &mut Vec::new())
}

/// `--watch`: renders, then again after every change to the files read, until Ctrl-C. A run
/// that fails (a broken manifest, a file that cannot be read) is reported and waited out; only
/// a usage error on the first run stops.
fn watch(args: &RenderArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let Some(root) = args
        .manifest
        .file
        .clone()
        .or_else(|| super::manifest_path(&args.manifest, io).ok().flatten())
    else {
        return Err(Error::NoManifest);
    };
    if root.as_os_str() == "-" {
        return Err(Error::Usage("--watch needs a manifest file, not standard input".into()));
    }
    watch::stop_flag();
    let mut watcher = watch::Watcher::new()?;
    let mut read = watch::files_read(None, &root, &io.cwd);
    // Watching starts before the first drawing, so a save while it is made is not missed.
    watcher.set_files(&read);
    let mut first = true;
    loop {
        match render_once(args, global, io, &mut read) {
            Ok(_) => {}
            Err(e @ Error::Usage(_)) if first => return Err(e),
            Err(e) => writeln!(io.stderr, "error: {e}")?,
        }
        first = false;
        watcher.set_files(&read);
        if !global.quiet {
            writeln!(
                io.stderr,
                "watching {} file{} for changes (Ctrl-C to stop)",
                watcher.len(),
                if watcher.len() == 1 { "" } else { "s" }
            )?;
        }
        if !watcher.wait() {
            break;
        }
    }
    if !global.quiet {
        writeln!(io.stderr, "stopped")?;
    }
    Ok(0)
}

/// One run of `render`; `read` gets the files the manifest was read from (for `--watch`).
fn render_once(
    args: &RenderArgs,
    global: &GlobalArgs,
    io: &mut Io<'_>,
    read: &mut Vec<PathBuf>,
) -> Result<u8, Error> {
    let format = output_format(args)?;
    let analysed = analyse(&args.manifest, io)?;
    if let Some(root) = &args.manifest.file {
        *read = watch::files_read(Some(&analysed), root, &io.cwd);
    } else if let Ok(Some(root)) = super::manifest_path(&args.manifest, io) {
        *read = watch::files_read(Some(&analysed), &root, &io.cwd);
    }
    if let Some(code) = report_findings(args, global, &analysed, io)? {
        return Ok(code);
    }
    let model = analysed.model.as_ref().expect("a manifest without fatal problems has a model");
    // Findings check already made, drawn onto the diagram: analysis does not run again.
    let marks: Vec<Highlight> =
        if args.highlight { highlights(&analysed.diagnostics) } else { Vec::new() };
    let jobs = jobs(args, model, &marks)?;
    let options = render_options(args, format, io)?;
    let outputs = if let Some(name) = &args.flow {
        let flow = find_flow(model, name)?;
        if format == Format::Html {
            // The page holds every flow drawn over the system; it opens on this one.
            let on_flow = RenderArgs { view: Some(format!("flow-{}", flow.id)), ..args.clone() };
            vec![(args.output.clone(), html_page(&on_flow, &analysed, &options)?)]
        } else if args.overlay {
            let scene = crate::scene::flow::overlay(model, flow, &jobs[0].1);
            vec![(args.output.clone(), super::flows::write_overlay(format, &scene, &options)?)]
        } else {
            vec![(
                args.output.clone(),
                super::flows::write_sequence(format, model, flow, &options)?,
            )]
        }
    } else if format == Format::Html {
        vec![(args.output.clone(), html_page(args, &analysed, &options)?)]
    } else {
        render_all(args, global, format, model, &jobs, &options, io)?
    };

    refuse_overwriting_inputs(&analysed, &outputs, io)?;

    if args.check {
        return check_outputs(&outputs, io);
    }
    write_outputs(args, &outputs, io)?;
    Ok(0)
}

/// `--format html`: one page with the system and every view; `--view` is the view it opens on,
/// `--focus` (the first) the component selected, `--depth` the hops highlighted around it.
fn html_page(
    args: &RenderArgs,
    analysed: &Analysis,
    options: &RenderOptions,
) -> Result<Vec<u8>, Error> {
    if args.all_views {
        return Err(Error::Usage(
            "an HTML page holds the system and every view already: drop --all-views and name one \
             file with -o FILE.html"
                .into(),
        ));
    }
    let request = PageRequest {
        view: args.view.clone(),
        focus: args.focus.first().cloned(),
        depth: args.depth,
        direction: args.direction.map(Direction::from),
        highlight: args.highlight,
    };
    Ok(super::page::page(analysed, &request, options)?.render().into_bytes())
}

/// Prints what stops rendering (fatal problems; errors with `--strict`) and returns its exit
/// code, or warns about the findings and returns `None`.
fn report_findings(
    args: &RenderArgs,
    global: &GlobalArgs,
    analysed: &Analysis,
    io: &mut Io<'_>,
) -> Result<Option<u8>, Error> {
    let emitter = human(global, io.stderr_is_terminal, io.no_color);
    if analysed.fatal() {
        let fatal: Vec<_> = analysed.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
        print_human(&fatal, &analysed.loaded, &emitter, io.stderr)?;
        return Ok(Some(2));
    }
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
        return Ok(Some(1));
    }
    if !global.quiet && summary.error + summary.warn > 0 {
        writeln!(
            io.stderr,
            "warning: check found {}; run `archmap check` for details",
            summary_line(&summary)
        )?;
    }
    Ok(None)
}

/// Every diagram to produce: the whole system, one view, or the system and every view.
fn jobs<'a>(
    args: &RenderArgs,
    model: &'a Model,
    marks: &'a [Highlight],
) -> Result<Vec<Job<'a>>, Error> {
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
    let base = SceneOptions {
        view: None,
        direction: args.direction.map(Direction::from),
        focus,
        depth: args.depth,
        focus_direction: None,
        highlights: marks,
    };

    let mut jobs: Vec<Job<'a>> = Vec::new();
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
        jobs.push((v.id.clone(), SceneOptions { view: Some(v), ..base }));
    } else {
        jobs.push((String::new(), base));
    }
    Ok(jobs)
}

/// The rendering options the flags ask for, refusing a binary format on a terminal and a bad
/// `--scale`.
fn render_options(args: &RenderArgs, format: Format, io: &Io<'_>) -> Result<RenderOptions, Error> {
    if format.is_binary() && args.output.is_none() && io.stdout_is_terminal {
        return Err(Error::Usage(format!(
            "not writing a {} to the terminal: name a file with -o, or redirect standard output",
            format.as_str().to_ascii_uppercase()
        )));
    }
    if format == Format::Png && !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(Error::Usage(format!("--scale must be a positive number, not {}", args.scale)));
    }
    Ok(RenderOptions {
        engine: args.engine,
        max_nodes: args.max_nodes,
        theme: args.theme,
        legend: args.legend,
        scale: args.scale,
    })
}

/// Renders every job in `format`, with a progress bar and a warning for each diagram over the
/// `--max-nodes` budget.
fn render_all(
    args: &RenderArgs,
    global: &GlobalArgs,
    format: Format,
    model: &Model,
    jobs: &[Job<'_>],
    options: &RenderOptions,
    io: &mut Io<'_>,
) -> Result<Vec<Output>, Error> {
    let mut outputs: Vec<Output> = Vec::with_capacity(jobs.len());
    // `--all-views` draws every flow too, in the formats that draw sequences.
    let flows = if args.all_views { super::flows::drawn_flows(format, model)? } else { Vec::new() };
    let progress = Progress::new(
        io.stderr_is_terminal,
        global.quiet,
        super::color(global.color, io.stderr_is_terminal, io.no_color),
        jobs.len() + flows.len(),
        "rendering",
    );
    for (stem, scene_options) in jobs {
        progress.step(stem);
        let scene = crate::scene::scene(model, scene_options);
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
        let bytes = format.write(&scene, options).map_err(Error::Usage)?;
        let path = if args.all_views {
            args.output.as_ref().map(|dir| dir.join(format!("{stem}.{}", format.extension())))
        } else {
            args.output.clone()
        };
        outputs.push((path, bytes));
        progress.inc();
    }
    for (stem, flow) in flows {
        progress.step(&stem);
        let bytes = super::flows::write_sequence(format, model, flow, options)?;
        let path =
            args.output.as_ref().map(|dir| dir.join(format!("{stem}.{}", format.extension())));
        outputs.push((path, bytes));
        progress.inc();
    }
    drop(progress);
    Ok(outputs)
}

/// `--check`: reports every file at `-o` that is missing or differs; exit 1 if any does.
fn check_outputs(outputs: &[Output], io: &mut Io<'_>) -> Result<u8, Error> {
    let mut stale = 0;
    for (path, text) in outputs {
        let path = path.as_ref().expect("--check requires -o");
        let Some(reason) = super::stale_reason(&io.cwd.join(path), text) else {
            continue;
        };
        stale += 1;
        writeln!(
            io.stderr,
            "stale: {} {reason}; run the same command without --check to update it",
            path.display()
        )?;
    }
    Ok(u8::from(stale > 0))
}

/// Writes every output to its file (making the `--all-views` directory) or standard output.
fn write_outputs(args: &RenderArgs, outputs: &[Output], io: &mut Io<'_>) -> Result<(), Error> {
    if args.all_views
        && let Some(dir) = &args.output
    {
        let full = io.cwd.join(dir);
        std::fs::create_dir_all(&full)
            .map_err(|reason| Error::Write { path: dir.clone(), reason })?;
    }
    for (path, text) in outputs {
        match path {
            Some(p) => write_atomic(&io.cwd.join(p), text)?,
            None => io.stdout.write_all(text)?,
        }
    }
    Ok(())
}

/// The format `--format` names, else the one `-o`'s extension asks for, else SVG; an extension
/// archmap does not write, or one naming another format than `--format`, is refused.
fn output_format(args: &RenderArgs) -> Result<Format, Error> {
    if args.all_views {
        return Ok(args.format.unwrap_or(Format::Svg));
    }
    let table: Vec<Row<Format>> = Format::ALL
        .into_iter()
        .map(|f| Row { format: f, name: f.as_str(), infer: f.extensions(), accept: f.extensions() })
        .collect();
    super::outfile::pick(args.format, args.output.as_deref(), Format::Svg, &table)
}

/// The flow `--flow` names.
fn find_flow<'m>(model: &'m Model, name: &str) -> Result<&'m crate::model::Flow, Error> {
    model.find_flow(name).ok_or_else(|| {
        Error::Usage(if model.flows().is_empty() {
            format!("no flow is called `{name}`: the manifest defines no flows")
        } else {
            unknown(name, "flow", model.flows().iter().map(|f| f.id.as_str()))
        })
    })
}

/// "No WHAT is called NAME", with the closest candidate or the first twenty.
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
    outputs: &[Output],
    io: &Io<'_>,
) -> Result<(), Error> {
    for (path, _) in outputs {
        let Some(p) = path else { continue };
        if super::is_an_input(&io.cwd, p, &analysed.loaded.paths) {
            return Err(Error::Usage(format!(
                "refusing to overwrite the manifest {} with a diagram",
                p.display()
            )));
        }
    }
    Ok(())
}
