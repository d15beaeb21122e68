//! `render --format html`, `render --watch` and `serve` without a browser: the page's contract
//! (self-contained, deterministic, escaped), the flags' rules, and the live commands driven as a
//! user drives them (a real process, a real file edit, Ctrl-C).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{root, run_in, temp_with};

/// The JSON island of a page.
fn island(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/json\" id=\"am-data\">").expect("an island");
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).expect("the island is JSON")
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).expect("example")
}

#[test]
fn the_page_holds_every_view_and_finding_and_is_deterministic() {
    let dir = temp_with(&[("archmap.yaml", &example("ecommerce.yaml"))]);
    let out = run_in(dir.path(), &["render", "-o", "system.html"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(dir.path().join("system.html")).unwrap();
    let again = run_in(dir.path(), &["render", "--format", "html"], "");
    assert_eq!(again.stdout, html, "byte-identical for identical input");

    let data = island(&html);
    let views = data["views"].as_array().unwrap();
    assert_eq!(views[0]["id"], "system");
    assert!(views.iter().any(|v| v["id"] == "checkout"), "every view of the manifest");
    assert_eq!(html.matches("<template id=\"am-view-").count(), views.len());
    assert_eq!(html.matches("<svg xmlns=").count(), views.len(), "one drawing per view");
    let check = run_in(dir.path(), &["check", "--format", "json"], "");
    let findings: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(
        data["findings"].as_array().unwrap().len(),
        findings["findings"].as_array().unwrap().len(),
        "every finding of check"
    );
    let orders = data["components"].as_array().unwrap().iter().find(|c| c["id"] == "order-service");
    let orders = orders.expect("order-service");
    assert_eq!(orders["owner"], "team-orders");
    assert_eq!(orders["replicas"], 3);
    assert_eq!(orders["tags"][0], "tier-1");

    // Self-contained: no address the browser would fetch (the SVG namespace is a name, not a
    // request), and a policy that forbids fetching anyway.
    let without_ns =
        html.replace("http://www.w3.org/2000/svg", "").replace("http://www.w3.org/1999/xlink", "");
    for needle in ["src=", "@import", "url(http", "<link", "https://cdn", "<iframe", "<object"] {
        assert!(!without_ns.contains(needle), "the page fetches something: {needle}");
    }
    assert!(html.contains("content=\"default-src &#39;none&#39;; script-src &#39;sha256-"));
    assert!(html.contains("connect-src &#39;none&#39;"));
    assert_eq!(html.matches("<script").count(), 2, "the data island and the page's script");
}

#[test]
fn hostile_text_stays_text() {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/hostile/html-payloads.yaml")).unwrap();
    let dir = temp_with(&[("archmap.yaml", &text)]);
    let out = run_in(dir.path(), &["render", "--format", "html"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = out.stdout;
    assert_eq!(html.matches("<script").count(), 2, "no payload opens a script element");
    for needle in ["<img", "<svg onload", "<!--", "</title><script"] {
        assert!(!html.contains(needle), "{needle} reached the page as markup");
    }
    let start = html.find("id=\"am-data\">").unwrap();
    let body = &html[start + "id=\"am-data\">".len()..];
    let body = &body[..body.find("</script>").unwrap()];
    assert!(!body.contains('<') && !body.contains('>') && !body.contains('&'));
    let data = island(&html);
    assert_eq!(data["components"][0]["label"], "<script>window.__pwned='label'</script>");
    assert!(data["title"].as_str().unwrap().starts_with("</title><script>"));
}

#[test]
fn html_flags_say_what_they_cannot_do() {
    let dir = temp_with(&[("archmap.yaml", &example("ecommerce.yaml"))]);
    let out = run_in(dir.path(), &["render", "--format", "html", "--all-views", "-o", "d"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("holds the system and every view already"), "{}", out.stderr);
    let out = run_in(dir.path(), &["render", "--format", "html", "--view", "nope"], "");
    assert_eq!(out.code, 2);
    let out = run_in(dir.path(), &["render", "--watch"], "");
    assert_eq!(out.code, 2, "--watch needs -o");
    assert!(out.stderr.contains("--output"), "{}", out.stderr);
    let out = run_in(dir.path(), &["serve", "-", "--port", "0"], "version: 1\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not standard input"), "{}", out.stderr);
    let out = run_in(dir.path(), &["serve", "--host", "example.com", "--port", "0"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--host takes an IP address"), "{}", out.stderr);

    // --view, --focus and --depth set where the page opens.
    let out = run_in(
        dir.path(),
        &[
            "render",
            "--format",
            "html",
            "--view",
            "checkout",
            "--focus",
            "order-service",
            "--depth",
            "2",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let data = island(&out.stdout);
    assert_eq!(data["initial"]["view"], "checkout");
    assert_eq!(data["initial"]["component"], "order-service");
    assert_eq!(data["initial"]["depth"], 2);
}

/// A running archmap process, stopped with SIGINT (Ctrl-C) when dropped if still running.
struct Running {
    child: Child,
    /// Standard error so far, read by a thread as it comes.
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(dir: &Path, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_archmap"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("archmap starts");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (pipe, sink) = (child.stderr.take().unwrap(), std::sync::Arc::clone(&stderr));
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Running { child, stderr, reader: Some(reader) }
    }

    /// Standard error so far.
    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends Ctrl-C and returns the exit code and standard error.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = self.child.wait().expect("archmap exits");
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        (status.code(), self.stderr())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Waits until `done` holds, failing after a generous deadline (a hung watcher, not a slow
/// machine, is what it catches).
fn wait_for(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn render_watch_redraws_on_every_save_and_stops_on_ctrl_c() {
    let dir = temp_with(&[("archmap.yaml", "version: 1\nname: W\nservices:\n  a: {}\n")]);
    let out = dir.path().join("out.svg");
    let running = Running::start(dir.path(), &["render", "--watch", "-o", "out.svg"]);
    assert!(wait_for(|| out.exists()), "the first drawing: {:?}", running.interrupt());
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(first.contains("id=\"node-a\""));
    // An editor's save: a new file renamed over the old one (while this test polls the output
    // beside it, as a docs server would).
    let tmp = dir.path().join(".archmap.yaml.swp");
    std::fs::write(&tmp, "version: 1\nname: W\nservices:\n  a: {}\n  b: {}\n").unwrap();
    std::fs::rename(&tmp, dir.path().join("archmap.yaml")).unwrap();
    let second = || std::fs::read_to_string(&out).is_ok_and(|s| s.contains("id=\"node-b\""));
    assert!(wait_for(second), "the second drawing: {:?}", running.interrupt());
    // A broken save is reported, located, and leaves the last drawing in place.
    std::fs::write(dir.path().join("archmap.yaml"), "version: 1\nservices: [\n").unwrap();
    let reported = || running.stderr().contains("archmap.yaml:2:");
    assert!(wait_for(reported), "the broken save: {}", running.stderr());
    let (code, err) = running.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("watching 1 file for changes"), "{err}");
    assert!(err.trim_end().ends_with("stopped"), "{err}");
    assert!(std::fs::read_to_string(&out).unwrap().contains("id=\"node-b\""));
}

/// One HTTP/1.0 request to the server: status line and body.
fn get(addr: &str, path: &str, host: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.lines().next().unwrap_or("").to_string();
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    (status, body)
}

#[test]
fn serve_answers_only_its_page_and_events() {
    let dir = temp_with(&[("archmap.yaml", &example("banking.yaml"))]);
    let mut running = Running::start(dir.path(), &["serve", "--port", "0"]);
    let mut line = String::new();
    BufReader::new(running.child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();

    let (status, body) = get(&addr, "/", &addr);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"live\":true"));
    assert!(body.contains("connect-src &#39;self&#39;"));
    for path in ["/archmap.yaml", "/../archmap.yaml", "/..%2farchmap.yaml", "//etc/passwd", "/x"] {
        let (status, _) = get(&addr, path, &addr);
        assert!(status.contains("404"), "{path}: {status}");
    }
    let (status, _) = get(&addr, "/", "attacker.example");
    assert!(status.contains("403"), "DNS rebinding: {status}");
    let (status, _) = get(&addr, "/", "localhost:1");
    assert!(status.contains("200"), "{status}");

    let (code, err) = running.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.trim_end().ends_with("stopped"), "{err}");
}

#[test]
fn serve_starts_on_a_broken_manifest_and_draws_once_it_is_fixed() {
    let dir = temp_with(&[("archmap.yaml", "version: 1\nname: B\nservices: [\n")]);
    let mut running = Running::start(dir.path(), &["serve", "--port", "0"]);
    let mut line = String::new();
    BufReader::new(running.child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit(' ').next().unwrap().trim_start_matches("http://");
    let addr = addr.trim_end_matches('/').to_string();

    let (_, body) = get(&addr, "/", &addr);
    let data = island(&body);
    assert_eq!(data["views"].as_array().unwrap().len(), 0, "nothing to draw yet");
    let error = &data["errors"][0];
    assert_eq!(error["code"], "AM100");
    assert!(error["location"].as_str().unwrap().starts_with("archmap.yaml:3:"), "{error}");

    std::fs::write(dir.path().join("archmap.yaml"), "version: 1\nname: B\nservices:\n  a: {}\n")
        .unwrap();
    assert!(wait_for(|| running.stderr().contains("drawn: 1 component")), "{}", running.stderr());
    let (_, body) = get(&addr, "/", &addr);
    let data = island(&body);
    assert_eq!(data["errors"].as_array().unwrap().len(), 0);
    assert_eq!(data["views"][0]["nodes"][0], "a");
    let (code, err) = running.interrupt();
    assert_eq!(code, Some(0), "{err}");
}
