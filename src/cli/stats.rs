//! `archmap stats`: per-component metrics and a system summary.

use std::io::Write;

use serde::Serialize;

use super::args::{GlobalArgs, StatsArgs, StatsFormat, StatsSort};
use super::{Io, analyse, human, print_human};
use crate::analysis::metrics::{self, ComponentMetrics};
use crate::error::Error;
use crate::model::Model;

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    kind: &'static str,
    fan_in: usize,
    fan_out: usize,
    blast_radius: usize,
    transitive_dependents: usize,
    transitive_dependencies: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    betweenness: Option<f64>,
    longest_sync_chain: usize,
}

#[derive(Serialize)]
struct Edges {
    sync: usize,
    #[serde(rename = "async")]
    async_: usize,
    optional: usize,
}

#[derive(Serialize)]
struct SystemSummary<'a> {
    components: usize,
    edges: Edges,
    strongly_connected_components: usize,
    longest_sync_chain: usize,
    articulation_points: Vec<&'a str>,
    /// Set when betweenness was estimated from a sample of sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    betweenness_sampled: Option<Sampled>,
}

/// How betweenness was estimated.
#[derive(Serialize)]
struct Sampled {
    /// Sources the estimate started from.
    sources: usize,
    /// Each estimate is within `epsilon · n · (n − 2)` of the exact value with probability
    /// at least 0.99.
    epsilon: f64,
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    components: Vec<Row<'a>>,
    summary: SystemSummary<'a>,
}

pub(super) fn run(args: &StatsArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let analysed = analyse(&args.manifest, io)?;
    if analysed.fatal() {
        let fatal: Vec<_> = analysed.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
        let emitter = human(global, io.stderr_is_terminal, io.no_color);
        print_human(&fatal, &analysed.loaded, &emitter, io.stderr)?;
        return Ok(2);
    }
    let model = analysed.model.as_ref().expect("a manifest without fatal problems has a model");
    let samples = if args.no_betweenness {
        None
    } else if args.exact_betweenness || model.component_count() <= metrics::EXACT_BETWEENNESS_UP_TO
    {
        Some(usize::MAX)
    } else {
        Some(metrics::BETWEENNESS_SAMPLES)
    };
    let mut report = build(model, samples);
    let sort = args.sort.or(args.top.map(|_| StatsSort::BlastRadius));
    if let Some(key) = sort {
        sort_rows(&mut report.components, key);
    }
    if let Some(n) = args.top {
        report.components.truncate(n);
    }
    match args.format {
        StatsFormat::Json => {
            serde_json::to_writer_pretty(&mut *io.stdout, &report)
                .map_err(crate::diagnostic::emit::json_io)?;
            writeln!(io.stdout)?;
        }
        StatsFormat::Csv => csv(&report, io.stdout)?,
        StatsFormat::Table => table(&report, io.stdout)?,
    }
    Ok(0)
}

/// Largest first by `key`; the sort is stable, so ties stay in manifest order.
fn sort_rows(rows: &mut [Row<'_>], key: StatsSort) {
    let measure = |r: &Row<'_>| -> f64 {
        match key {
            StatsSort::Manifest => 0.0,
            StatsSort::FanIn => r.fan_in as f64,
            StatsSort::FanOut => r.fan_out as f64,
            StatsSort::BlastRadius => r.blast_radius as f64,
            StatsSort::Dependents => r.transitive_dependents as f64,
            StatsSort::Dependencies => r.transitive_dependencies as f64,
            StatsSort::Betweenness => r.betweenness.unwrap_or(0.0),
            StatsSort::SyncChain => r.longest_sync_chain as f64,
        }
    };
    rows.sort_by(|a, b| measure(b).total_cmp(&measure(a)));
}

fn build(model: &Model, samples: Option<usize>) -> Report<'_> {
    let n = model.component_count();
    let rows = metrics::component_metrics_with(model, samples)
        .into_iter()
        .map(|m: ComponentMetrics| {
            let c = model.component(m.id);
            Row {
                id: &c.id,
                kind: c.kind.as_str(),
                fan_in: m.fan_in,
                fan_out: m.fan_out,
                blast_radius: m.blast_radius,
                transitive_dependents: m.transitive_dependents,
                transitive_dependencies: m.transitive_dependencies,
                // Rounded so that output is the same on every machine.
                betweenness: m.betweenness.map(|b| (b * 1000.0).round() / 1000.0),
                longest_sync_chain: m.longest_sync_chain,
            }
        })
        .collect();
    let s = metrics::summary(model);
    Report {
        version: 1,
        components: rows,
        summary: SystemSummary {
            components: s.components,
            edges: Edges { sync: s.sync_edges, async_: s.async_edges, optional: s.optional_edges },
            strongly_connected_components: s.cycles,
            longest_sync_chain: s.longest_sync_chain,
            articulation_points: s
                .articulation_points
                .iter()
                .map(|&p| model.component(p).id.as_str())
                .collect(),
            betweenness_sampled: samples.filter(|&k| k < n).map(|k| Sampled {
                sources: k,
                epsilon: (metrics::sampled_betweenness_epsilon(k) * 1e4).round() / 1e4,
            }),
        },
    }
}

const HEADERS: [&str; 9] = [
    "component",
    "kind",
    "fan_in",
    "fan_out",
    "blast_radius",
    "transitive_dependents",
    "transitive_dependencies",
    "betweenness",
    "longest_sync_chain",
];

fn cells(r: &Row<'_>) -> [String; 9] {
    [
        r.id.to_string(),
        r.kind.to_string(),
        r.fan_in.to_string(),
        r.fan_out.to_string(),
        r.blast_radius.to_string(),
        r.transitive_dependents.to_string(),
        r.transitive_dependencies.to_string(),
        r.betweenness.map_or_else(String::new, |b| format!("{b:.3}")),
        r.longest_sync_chain.to_string(),
    ]
}

/// RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", HEADERS.join(","))?;
    for r in &report.components {
        let row: Vec<String> = cells(r).iter().map(|c| csv_field(c)).collect();
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

/// How many articulation points the table names.
const POINTS_SHOWN: usize = 20;

fn table(report: &Report<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let titles = [
        "component",
        "kind",
        "fan-in",
        "fan-out",
        "blast",
        "dependents",
        "dependencies",
        "betweenness",
        "sync chain",
    ];
    let rows: Vec<[String; 9]> = report.components.iter().map(cells).collect();
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - c.chars().count();
            if i < 2 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
            s.push_str("  ");
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(&titles.map(String::from)))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    let s = &report.summary;
    writeln!(out)?;
    writeln!(out, "components: {}", s.components)?;
    writeln!(
        out,
        "dependencies: {} sync, {} async ({} optional)",
        s.edges.sync, s.edges.async_, s.edges.optional
    )?;
    writeln!(out, "strongly connected components (cycles): {}", s.strongly_connected_components)?;
    writeln!(out, "longest sync chain: {} hops", s.longest_sync_chain)?;
    // A long chain has thousands: the table names the first few (JSON and CSV have them all).
    let points = match s.articulation_points.len() {
        0 => "none".to_string(),
        n if n > POINTS_SHOWN => format!(
            "{}, and {} more (every one in --format json)",
            s.articulation_points[..POINTS_SHOWN].join(", "),
            n - POINTS_SHOWN
        ),
        _ => s.articulation_points.join(", "),
    };
    writeln!(out, "articulation points of the sync graph: {points}")?;
    if let Some(b) = &s.betweenness_sampled {
        writeln!(
            out,
            "betweenness: estimated from {} of {} sources, each within {:.1} % of n·(n−2) at 99 % \
             (--exact-betweenness computes it exactly)",
            b.sources,
            s.components,
            b.epsilon * 100.0
        )?;
    }
    Ok(())
}
