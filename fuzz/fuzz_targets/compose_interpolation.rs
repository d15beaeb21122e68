//! Fuzzes compose interpolation with a `.env` file: the input is the `.env` text, a line
//! `#---`, then the compose file (without that line, the whole input is the compose file and
//! there is no `.env`). Beyond "no panic": every diagnostic inside its file, a deterministic
//! outcome, and output within the interpolation budget. CI runs it under a lower memory limit
//! than the other targets (`-rss_limit_mb=1024`, `.ci/run`): variables that reference each
//! other many times over must stop at the budget instead of growing exponentially.
#![no_main]

use std::path::{Path, PathBuf};

use archmap::{ComposeFile, FileSystem, ImportRequest as Request};

/// A project holding one `.env`.
struct EnvOnly(Vec<u8>);

impl FileSystem for EnvOnly {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        if path.file_name().is_some_and(|n| n == ".env") {
            Ok(self.0.clone())
        } else {
            Err("no such file".into())
        }
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf, String> {
        Ok(Path::new("/fuzz").join(path))
    }
}

/// The most a manifest may grow over its input: every interpolated byte within the import's
/// 64 MiB budget, and the comments archmap writes around each component.
const SLACK: usize = 64 << 20;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let marker = b"\n#---\n";
    let (env, compose) = match data.windows(marker.len()).position(|w| w == marker) {
        Some(at) => (&data[..at], &data[at + marker.len()..]),
        None => (&[][..], data),
    };
    let request = Request {
        files: vec![ComposeFile {
            name: "compose.yaml".into(),
            path: Some(PathBuf::from("compose.yaml")),
            bytes: compose.to_vec(),
        }],
        default_name: "fuzz".into(),
        ..Request::default()
    };
    let fs = EnvOnly(env.to_vec());
    let outcome = archmap::import_compose(&request, &fs);
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
    if let Some(text) = &outcome.manifest {
        assert!(text.len() <= 64 * data.len() + SLACK, "a {}-byte manifest", text.len());
    }
    let again = archmap::import_compose(&request, &fs);
    assert_eq!(outcome.manifest, again.manifest, "the import is deterministic");
    assert_eq!(outcome.diagnostics, again.diagnostics, "the import is deterministic");
});
