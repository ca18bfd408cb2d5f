//! A database statement nobody waits for any more does not keep the program alive: a long query
//! that an `await ^timeout` gave up on is interrupted when the program ends. A statement that
//! nothing ever awaited still runs to its end (its effect is wanted).

use std::sync::mpsc;
use std::time::Duration;

use gene_vm::{CaptureOutput, RunError, Vm};

/// A program that has not ended after this long hangs.
const HANG: Duration = Duration::from_secs(60);

/// Runs `program` on its own thread; its output (with the uncaught error, if any), or None
/// when it did not end in time.
fn run(program: String) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = CaptureOutput::new();
        let mut vm = Vm::new(Box::new(out.clone()));
        let result = vm.run_source("main.gene", program);
        let mut text = out.stdout_text();
        if let Err(RunError::Uncaught(e)) = result {
            text.push_str(&format!("uncaught: {}\n", vm.describe_exception(&e.value)));
        }
        let _ = tx.send(text);
    });
    rx.recv_timeout(HANG).ok()
}

/// Counts forever: the query never ends by itself.
const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                       SELECT count(*) FROM c";

#[test]
fn a_query_given_up_on_does_not_keep_the_program_alive() {
    let program = format!(
        r#"
(var db (await (gene/db/open_async ":memory:")))
(var q (db .query_async "{ENDLESS}"))
(println (try (await ^timeout 100 q) catch TimeoutError "gave up"))
(println "end")
"#
    );
    let output = run(program).expect("the program ended");
    assert_eq!(output, "gave up\nend\n");
}

#[test]
fn a_statement_nobody_awaited_still_runs() {
    let dir = std::env::temp_dir().join(format!("gene-abandoned-db-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("notes.db");
    let path_text = path.to_string_lossy().replace('\\', "/");
    let writer = format!(
        r#"
(var db (await (gene/db/open_async "{path_text}")))
(await (db .exec_async "CREATE TABLE notes (body TEXT)"))
(db .exec_async "INSERT INTO notes VALUES ('left running')")
(println "end")
"#
    );
    let reader = format!(
        r#"
(var db (await (gene/db/open_async "{path_text}")))
(println (await (db .query_async "SELECT body FROM notes")))
"#
    );
    assert_eq!(run(writer).expect("the writer ended"), "end\n");
    assert_eq!(
        run(reader).expect("the reader ended"),
        "[{^body left running}]\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
