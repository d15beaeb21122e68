//! `archmap serve`: the interactive page on a local address, redrawn on every save.
//!
//! Threads, no async runtime: the command's own thread watches the files and rebuilds the page;
//! one thread accepts HTTP requests (`tiny_http`) and answers each on a thread of its own, which
//! for `/events` (server-sent events) lives as long as the browser listens. The page is the one
//! `render --format html` writes, marked live: on each `drawing` event it fetches `/` again and
//! swaps in the new drawings, keeping the reader's place. A manifest that does not read keeps
//! the last good drawing and shows the problems, located, above it.
//!
//! Only `/` (also `/index.html`) and `/events` are answered, to GET and HEAD; nothing of a
//! request's path reaches the file system. Bound to loopback unless `--host` says otherwise
//! (with a warning); on loopback, requests whose `Host` is not a loopback name are refused, so
//! a web page elsewhere cannot read the drawing through DNS rebinding.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use clap::Args;
use tiny_http::{Header, Method, Request, Response, Server};

use super::args::{DirectionArg, GlobalArgs, ManifestArgs};
use super::page::{PageRequest, finding_info, page};
use super::{Io, analyse, human, print_human, watch};
use crate::error::Error;
use crate::layout::Engine;
use crate::render::RenderOptions;
use crate::render::html::{FindingInfo, Page};
use crate::vocab::Direction;

/// `archmap serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The manifest and rule overrides.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// The address to listen on; anything but loopback (`127.0.0.1`, `::1`, `localhost`) lets other
    /// machines read the drawing.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on (0: any free port).
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Draw check's findings onto the diagrams.
    #[arg(long)]
    pub highlight: bool,
    /// Diagram direction.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Layout engine.
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    pub engine: Engine,
}

/// The page being served and its generation, shared with the HTTP threads.
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    generation: u64,
    html: Arc<String>,
    stop: bool,
}

/// How long an idle event stream waits before a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Runs `archmap serve`.
pub(super) fn run(args: &ServeArgs, global: &GlobalArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let Some(root) = super::manifest_path(&args.manifest, io)? else {
        return Err(Error::Usage("serve needs a manifest file, not standard input".into()));
    };
    let ip: IpAddr = if args.host == "localhost" {
        IpAddr::from([127, 0, 0, 1])
    } else {
        args.host.parse().map_err(|_| {
            Error::Usage(format!("--host takes an IP address (or localhost), not `{}`", args.host))
        })?
    };
    let stop = watch::stop_flag();
    let mut last_good: Option<Page> = None;
    let mut read = watch::files_read(None, &root, &io.cwd);
    // Watching starts before the first drawing, so a save while it is made is not missed.
    let mut watcher = watch::Watcher::new()?;
    watcher.set_files(&read);
    let html = build(args, global, io, &root, &mut last_good, &mut read)?;

    let server = Server::http((ip, args.port))
        .map_err(|e| Error::Usage(format!("cannot listen on {}:{}: {e}", args.host, args.port)))?;
    let server = Arc::new(server);
    let addr = server.server_addr().to_ip().expect("an IP listener");
    let url = if addr.is_ipv6() {
        format!("http://[{}]:{}/", addr.ip(), addr.port())
    } else {
        format!("http://{}:{}/", addr.ip(), addr.port())
    };
    let loopback = ip.is_loopback();
    if !loopback {
        writeln!(
            io.stderr,
            "warning: listening on {ip}, not loopback: anyone who can reach this machine on port \
             {} can read the drawing",
            addr.port()
        )?;
    }
    writeln!(io.stdout, "serving {} at {url}", root.display())?;
    io.stdout.flush()?;

    let shared = Arc::new(Shared {
        state: Mutex::new(State { generation: 0, html: Arc::new(html), stop: false }),
        changed: Condvar::new(),
    });
    let http = {
        let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
        std::thread::spawn(move || accept(&server, &shared, loopback))
    };
    if args.open {
        open_browser(&url, io)?;
    }

    watcher.set_files(&read);
    if !global.quiet {
        writeln!(io.stderr, "watching {} file(s) for changes (Ctrl-C to stop)", watcher.len())?;
    }
    while watcher.wait() {
        let html = build(args, global, io, &root, &mut last_good, &mut read)?;
        watcher.set_files(&read);
        let mut state = shared.state.lock().expect("no thread panics holding the page");
        state.generation += 1;
        state.html = Arc::new(html);
        drop(state);
        shared.changed.notify_all();
    }

    stop.store(true, Ordering::SeqCst);
    shared.state.lock().expect("no thread panics holding the page").stop = true;
    shared.changed.notify_all();
    server.unblock();
    let _ = http.join();
    if !global.quiet {
        writeln!(io.stderr, "stopped")?;
    }
    Ok(0)
}

/// Reads and checks the manifest and makes the live page: a new drawing, or the last good one
/// with the problems that stopped this reading. Reports problems on standard error.
fn build(
    args: &ServeArgs,
    global: &GlobalArgs,
    io: &mut Io<'_>,
    root: &std::path::Path,
    last_good: &mut Option<Page>,
    read: &mut Vec<PathBuf>,
) -> Result<String, Error> {
    let errors: Vec<FindingInfo> = match analyse(&args.manifest, io) {
        Ok(analysed) => {
            *read = watch::files_read(Some(&analysed), root, &io.cwd);
            if analysed.fatal() {
                let fatal: Vec<_> =
                    analysed.diagnostics.iter().filter(|d| d.fatal).cloned().collect();
                let emitter = human(global, io.stderr_is_terminal, io.no_color);
                print_human(&fatal, &analysed.loaded, &emitter, io.stderr)?;
                fatal.iter().map(|d| finding_info(d, &analysed.loaded.sources)).collect()
            } else {
                let options = RenderOptions { engine: args.engine, ..RenderOptions::default() };
                let request = PageRequest {
                    direction: args.direction.map(Direction::from),
                    highlight: args.highlight,
                    ..PageRequest::default()
                };
                let mut p = page(&analysed, &request, &options)?;
                p.live = true;
                let html = p.render();
                if !global.quiet {
                    let found = analysed.diagnostics.len();
                    writeln!(
                        io.stderr,
                        "drawn: {} component(s), {found} finding(s)",
                        p.components.len()
                    )?;
                }
                *last_good = Some(p);
                return Ok(html);
            }
        }
        Err(e @ Error::Usage(_)) => return Err(e),
        Err(e) => {
            writeln!(io.stderr, "error: {e}")?;
            vec![FindingInfo {
                code: "read".into(),
                id: "read".into(),
                severity: "error".into(),
                message: e.to_string(),
                location: Some(root.display().to_string()),
                help: None,
                subjects: Vec::new(),
            }]
        }
    };
    let mut p = last_good.clone().unwrap_or_else(|| Page::new(&root.display().to_string()));
    p.errors = errors;
    p.live = true;
    Ok(p.render())
}

/// Accepts requests until the server is unblocked, answering each on its own thread.
fn accept(server: &Server, shared: &Arc<Shared>, loopback: bool) {
    loop {
        match server.recv_timeout(Duration::from_millis(250)) {
            Ok(Some(request)) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || answer(request, &shared, loopback));
            }
            Ok(None) => {
                if shared.state.lock().map_or(true, |s| s.stop) || watch::stopped() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// Answers one request: the page, the event stream, or 404.
fn answer(request: Request, shared: &Shared, loopback: bool) {
    if loopback && !host_is_loopback(&request) {
        let _ = request.respond(Response::from_string("forbidden host\n").with_status_code(403));
        return;
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(
            Response::from_string("method not allowed\n")
                .with_status_code(405)
                .with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let path = request.url().split(['?', '#']).next().unwrap_or("").to_string();
    match path.as_str() {
        "/" | "/index.html" => {
            let html = shared.state.lock().map(|s| Arc::clone(&s.html)).unwrap_or_default();
            let response = Response::from_data(html.as_bytes().to_vec())
                .with_header(header("Content-Type", "text/html; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store"))
                .with_header(header("X-Content-Type-Options", "nosniff"))
                .with_header(header("Referrer-Policy", "no-referrer"))
                .with_header(header("X-Frame-Options", "DENY"))
                .with_header(header("Content-Security-Policy", "frame-ancestors 'none'"));
            let _ = request.respond(response);
        }
        "/events" => events(request, shared),
        _ => {
            let _ = request.respond(
                Response::from_string("not found\n")
                    .with_status_code(404)
                    .with_header(header("Content-Type", "text/plain; charset=utf-8")),
            );
        }
    }
}

/// Whether the request names a loopback host (`localhost`, `127.0.0.1`, `[::1]`, any port).
fn host_is_loopback(request: &Request) -> bool {
    let Some(h) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return false;
    };
    let host = h.value.as_str();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Server-sent events: `hello` with the current generation, then `drawing` on every change,
/// a keep-alive comment when idle; ends when the browser goes or the server stops.
fn events(request: Request, shared: &Shared) {
    let mut out = request.into_writer();
    let Ok(mut seen) = shared.state.lock().map(|s| s.generation) else { return };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n\r\nretry: 1000\n\nevent: hello\ndata: {seen}\n\n"
    );
    if out.write_all(head.as_bytes()).and_then(|()| out.flush()).is_err() {
        return;
    }
    loop {
        let message = {
            let Ok(state) = shared.state.lock() else { return };
            let Ok((state, _)) = shared
                .changed
                .wait_timeout_while(state, KEEP_ALIVE, |s| s.generation == seen && !s.stop)
            else {
                return;
            };
            if state.stop {
                return;
            }
            if state.generation == seen {
                ": keep-alive\n\n".to_string()
            } else {
                seen = state.generation;
                format!("event: drawing\ndata: {seen}\n\n")
            }
        };
        if out.write_all(message.as_bytes()).and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

/// `--open`: the platform's opener, without waiting for it.
fn open_browser(url: &str, io: &mut Io<'_>) -> Result<(), Error> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command.arg(url).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    if let Err(e) = command.stderr(std::process::Stdio::null()).spawn() {
        writeln!(io.stderr, "warning: could not open a browser ({e}); open {url} yourself")?;
    }
    Ok(())
}
