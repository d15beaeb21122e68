//! Fuzzes `archmap import compose` on one arbitrary compose file: no panic, every diagnostic
//! inside its file, deterministic output, and a manifest (when there is one) that archmap reads
//! without fatal problems and checks without error-level findings.
#![no_main]

use std::path::PathBuf;

use archmap::{ComposeFile, ImportRequest as Request};
use archmap_fuzz::NoFiles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let request = Request {
        files: vec![ComposeFile {
            name: "compose.yaml".into(),
            path: Some(PathBuf::from("compose.yaml")),
            bytes: data.to_vec(),
        }],
        default_name: "fuzz".into(),
        ..Request::default()
    };
    let outcome = archmap::import_compose(&request, &NoFiles);
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
    let again = archmap::import_compose(&request, &NoFiles);
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
