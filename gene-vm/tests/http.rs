//! The HTTP client against a real server: every `tests/http/programs/NAME.gene` runs in process
//! with a fresh test server (`http/server.rs`) on 127.0.0.1, its base URL as `($args .get 0)`
//! and a URL where nothing listens as `($args .get 1)`. The output, with those URLs written as
//! `BASE` and `CLOSED`, must equal `NAME.out`. All programs run; failures are reported together.
//! `UPDATE_HTTP_EXPECT=1` rewrites the `.out` files from the actual output (review the diff).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gene_vm::{Output, RunError, Vm};

#[path = "http/server.rs"]
mod server;

/// A program that has not ended after this long has hung (a request that never settles).
const HANG: Duration = Duration::from_secs(60);

/// Output the test thread can read while the program still runs (to show where it hung).
#[derive(Clone, Default)]
struct SharedOutput(Arc<Mutex<String>>);

impl SharedOutput {
    fn text(&self) -> String {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Output for SharedOutput {
    fn out(&mut self, text: &str) {
        if let Ok(mut s) = self.0.lock() {
            s.push_str(text);
        }
    }

    fn err(&mut self, text: &str) {
        self.out(text);
    }
}

struct Urls {
    base: String,
    closed: String,
}

impl Urls {
    /// The output with the URLs written as `BASE` and `CLOSED` (the closed one first: both
    /// start with "http://127.0.0.1:").
    fn normalize(&self, text: &str) -> String {
        text.replace(&self.closed, "CLOSED")
            .replace(&self.base, "BASE")
    }
}

fn run_program(path: &Path, urls: &Urls, output: SharedOutput) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut vm = Vm::new(Box::new(output.clone()));
    vm.set_args(vec![urls.base.clone(), urls.closed.clone()]);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let report = match vm.run_source(&name, text) {
        Ok(_) => String::new(),
        Err(RunError::Uncaught(exc)) => format!(
            "uncaught: {}\n",
            gene_vm::report::render_uncaught(&vm, &exc)
        ),
        Err(RunError::Syntax { diagnostics, .. }) => diagnostics
            .iter()
            .map(|d| format!("syntax error: {}\n", d.message))
            .collect(),
        Err(RunError::Io(m)) => m,
    };
    SharedOutput::out(&mut output.clone(), &report);
}

#[test]
fn http_programs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http/programs");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/http/programs exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "no programs in {}", dir.display());
    let mut failures = Vec::new();
    for path in &programs {
        let expected = std::fs::read_to_string(path.with_extension("out"))
            .unwrap_or_else(|_| panic!("{} has no .out file", path.display()));
        let server = server::TestServer::start();
        let urls = Arc::new(Urls {
            base: server.base.clone(),
            closed: server::closed_base(),
        });
        let output = SharedOutput::default();
        // The VM runs on its own thread so that a hang fails this program, not the whole run.
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let (program, thread_urls, thread_output) = (path.clone(), urls.clone(), output.clone());
        std::thread::spawn(move || {
            run_program(&program, &thread_urls, thread_output);
            let _ = done_tx.send(());
        });
        let finished = done_rx.recv_timeout(HANG).is_ok();
        let actual = urls.normalize(&output.text());
        if !finished {
            failures.push(format!(
                "{}: did not finish within {} s; its output so far:\n{actual}",
                path.display(),
                HANG.as_secs()
            ));
        } else if std::env::var_os("UPDATE_HTTP_EXPECT").is_some() {
            std::fs::write(path.with_extension("out"), &actual).expect("write the .out file");
        } else if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A program that ends early stops its requests: the server sees the connection of a request
/// it never answered closed. Interrupted (Ctrl-C in the REPL, "stop" in the language server)
/// or failed with an uncaught error, the VM aborts what is pending.
#[test]
fn a_program_that_ends_early_aborts_its_requests() {
    let server = server::TestServer::start();
    let base = server.base.clone();
    let program = std::thread::spawn(move || {
        let mut vm = Vm::new(Box::new(SharedOutput::default()));
        vm.set_args(vec![base.clone()]);
        let interrupt = vm.interrupt.clone();
        // Interrupt the program once the server has its request.
        let watcher_base = base.clone();
        let watcher = std::thread::spawn(move || {
            let seen = server::get(&watcher_base, "/hanging/1");
            interrupt.store(true, std::sync::atomic::Ordering::SeqCst);
            seen
        });
        let waits = r##"(await (gene/http/get_async #"#{($args .get 0)}/hang"))"##;
        let interrupted = vm.run_source("waits.gene", waits.to_string());
        let seen = watcher.join().unwrap_or_default();
        let interrupted = match interrupted {
            Err(RunError::Uncaught(e)) => vm.describe_exception(&e.value),
            _ => "not interrupted".to_string(),
        };
        // The same VM, another program: one that throws while its request is in flight.
        let throws = r##"
            (var pending (gene/http/get_async #"#{($args .get 0)}/hang"))
            (await (gene/http/get_async #"#{($args .get 0)}/hanging/2"))
            (throw "the program fails")"##;
        let failed = match vm.run_source("throws.gene", throws.to_string()) {
            Err(RunError::Uncaught(e)) => vm.describe_exception(&e.value),
            _ => "did not fail".to_string(),
        };
        (seen, interrupted, failed)
    });
    let (seen, interrupted, failed) = program.join().expect("the program thread");
    assert_eq!(seen, "hanging 1");
    assert_eq!(interrupted, "Interrupted: interrupted");
    assert_eq!(failed, "Gene exception: \"the program fails\"");
    assert_eq!(server::get(&server.base, "/dropped/2"), "dropped 2");
}
