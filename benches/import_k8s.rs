//! Benchmark of `archmap import kubernetes` through the library: the largest real file of the
//! corpus (the OpenTelemetry demo, 620 KiB, one stream of 84 objects) and synthetic streams of
//! N Deployments, each behind a Service and naming the next one's Service in an env URL, in a
//! `ConfigMap` value and in its `args` (a stream of 3·N documents). Median and minimum of several
//! runs; printed as a Markdown table.
//!
//! ```text
//! cargo bench --bench import_k8s                 # 1,000 and 5,000 workloads
//! cargo bench --bench import_k8s -- 2000         # chosen sizes
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use archmap::{ComposeFile, KubeRequest, import_kubernetes};

/// A stream of `n` workloads.
fn stream(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let next = (i + 1) % n;
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}}}\nspec: {{selector: {{app: w-{i}}}}}\n\
             ---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg-{i}}}\ndata: {{NEXT_ADDR: \"svc-{next}:8080\"}}\n\
             ---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w-{i}}}\nspec:\n  replicas: 2\n  template:\n    metadata: {{labels: {{app: w-{i}}}}}\n    spec:\n      containers:\n      - name: c\n        image: acme/w:{i}\n        env:\n        - {{name: NEXT_URL, value: \"http://svc-{next}.default.svc.cluster.local\"}}\n        - name: FROM_MAP\n          valueFrom: {{configMapKeyRef: {{name: cfg-{i}, key: NEXT_ADDR}}}}\n        args: [\"--next=svc-{next}:9000\"]\n"
        );
    }
    s
}

fn time(bytes: &[u8]) -> (Duration, Duration, usize) {
    let request = KubeRequest {
        files: vec![ComposeFile { name: "bench.yaml".into(), path: None, bytes: bytes.to_vec() }],
        name: "bench".into(),
        ..KubeRequest::default()
    };
    let mut runs = Vec::new();
    let mut len = 0;
    let start = Instant::now();
    while runs.len() < 3 || (start.elapsed() < Duration::from_secs(3) && runs.len() < 50) {
        let t = Instant::now();
        let out = import_kubernetes(&request);
        runs.push(t.elapsed());
        len = out.manifest.as_ref().map_or(0, String::len);
        assert!(!out.failed(), "{:?}", out.diagnostics);
    }
    runs.sort();
    (runs[runs.len() / 2], runs[0], len)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![1_000, 5_000] } else { sizes };
    println!("| input | bytes | median | min | manifest bytes |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let otel = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/k8s/otel-astronomy-shop/opentelemetry-demo.yaml"),
    )
    .expect("the corpus file");
    let (median, min, len) = time(&otel);
    println!("| otel-astronomy-shop (real) | {} | {median:.2?} | {min:.2?} | {len} |", otel.len());
    for n in sizes {
        let text = stream(n);
        let (median, min, len) = time(text.as_bytes());
        println!(
            "| {n} workloads (synthetic) | {} | {median:.2?} | {min:.2?} | {len} |",
            text.len()
        );
    }
}
