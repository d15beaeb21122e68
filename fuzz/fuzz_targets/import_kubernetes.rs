//! Fuzzes `archmap import kubernetes` on one arbitrary YAML stream: no panic, every diagnostic
//! inside its file, deterministic output, and a manifest (when there is one) that archmap reads
//! without fatal problems and checks without error-level findings.
#![no_main]

use archmap::{ComposeFile, KubeRequest};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let request = KubeRequest {
        files: vec![ComposeFile { name: "k8s.yaml".into(), path: None, bytes: data.to_vec() }],
        name: "fuzz".into(),
        ..KubeRequest::default()
    };
    let outcome = archmap::import_kubernetes(&request);
    for d in &outcome.diagnostics {
        for label in &d.labels {
            let len = outcome.sources.get(label.span.file).text().len();
            assert!(
                label.span.start <= label.span.end && label.span.end <= len,
                "{} points outside its file",
                d.code
            );
        }
    }
    let again = archmap::import_kubernetes(&request);
    assert_eq!(outcome.manifest, again.manifest, "the import is deterministic");
    assert_eq!(outcome.failed(), outcome.manifest.is_none());
    if let Some(text) = outcome.manifest {
        let (loaded, model) = archmap_fuzz::model(text.as_bytes())
            .unwrap_or_else(|| panic!("the imported manifest does not read cleanly:\n{text}"));
        let findings = archmap::check(&model, &archmap::Config::default());
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.severity == archmap::Severity::Error)
            .map(|f| (f.code, f.message.clone()))
            .collect();
        assert!(errors.is_empty(), "error findings {errors:?} in:\n{text}");
        drop(loaded);
    }
});
