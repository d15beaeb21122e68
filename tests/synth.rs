//! The synthetic manifests the benchmarks use (`benches/synth`): valid, sized as asked,
//! deterministic, and with exactly the cycles injected.

#[path = "../benches/synth/mod.rs"]
pub(crate) mod generator;

use std::path::Path;

use crate::support::{NoFs, run_in, temp_with};
use generator::{Params, generate};

/// How many findings of each code `archmap check --format json` reports.
fn codes(json: &str) -> Vec<(String, usize)> {
    let doc: serde_json::Value =
        serde_json::from_str(json).expect("check --format json prints JSON");
    let mut out: Vec<(String, usize)> = Vec::new();
    for f in doc["findings"].as_array().expect("a findings array") {
        let code = f["code"].as_str().expect("a code").to_string();
        match out.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => out.push((code, 1)),
        }
    }
    out
}

fn count(codes: &[(String, usize)], code: &str) -> usize {
    codes.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
}

#[test]
fn synthetic_manifests_are_valid_sized_deterministic_and_have_the_cycles_injected() {
    const N: usize = 300;
    let mut texts = Vec::new();
    for seed in [1, 2] {
        let params = Params::new(N, seed);
        let synth = generate(&params);
        assert_eq!(
            synth.yaml,
            generate(&params).yaml,
            "seed {seed}: the same seed gives the same bytes"
        );
        assert_eq!(
            synth.sync_cycles, params.cycles,
            "seed {seed}: every sync cycle asked for fits"
        );
        assert_eq!(
            synth.async_cycles, params.async_cycles,
            "seed {seed}: every async cycle asked for fits"
        );

        let loaded = archmap::load(
            "archmap.yaml",
            Some(Path::new("archmap.yaml")),
            synth.yaml.clone().into_bytes(),
            &NoFs,
            &archmap::LoadOptions::default(),
        );
        assert!(!loaded.has_fatal(), "seed {seed}: {:#?}", loaded.diagnostics);
        let model = archmap::lower(&loaded);
        let (nodes, edges) = (model.component_count(), model.dependency_count());
        assert_eq!(
            (nodes, edges),
            (synth.components, synth.edges),
            "seed {seed}: the model holds what was written"
        );
        assert!(nodes.abs_diff(N) <= N / 10, "seed {seed}: {nodes} components, asked for {N}");
        let wanted_edges = N * 5 / 2;
        assert!(
            edges.abs_diff(wanted_edges) <= wanted_edges / 10,
            "seed {seed}: {edges} dependencies, wanted ~{wanted_edges}"
        );

        let dir = temp_with(&[("archmap.yaml", &synth.yaml)]);
        let out = run_in(dir.path(), &["check", "--format", "json"], "");
        assert_ne!(out.code, 2, "seed {seed}: the manifest is broken: {}", out.stderr);
        let codes = codes(&out.stdout);
        assert_eq!(count(&codes, "AM001"), 0, "seed {seed}: unknown references: {codes:?}");
        assert_eq!(count(&codes, "AM002"), 0, "seed {seed}: duplicate ids: {codes:?}");
        assert_eq!(
            count(&codes, "AM010"),
            synth.sync_cycles,
            "seed {seed}: one AM010 per sync cycle: {codes:?}"
        );
        assert_eq!(
            count(&codes, "AM011"),
            synth.async_cycles,
            "seed {seed}: one AM011 per async cycle: {codes:?}"
        );
        texts.push(synth.yaml);
    }
    assert_ne!(texts[0], texts[1], "different seeds give different systems");
}

#[test]
fn synthetic_manifests_without_groups_or_cycles_are_clean_of_structural_findings() {
    let params = Params { groups: false, cycles: 0, async_cycles: 0, ..Params::new(300, 3) };
    let synth = generate(&params);
    assert!(!synth.yaml.contains("\ngroups:"), "no groups asked for");
    let dir = temp_with(&[("archmap.yaml", &synth.yaml)]);
    let out = run_in(dir.path(), &["check", "--format", "json"], "");
    assert_ne!(out.code, 2, "{}", out.stderr);
    let codes = codes(&out.stdout);
    for code in ["AM001", "AM002", "AM003", "AM004", "AM005", "AM010", "AM011"] {
        assert_eq!(count(&codes, code), 0, "{code}: {codes:?}");
    }
}
