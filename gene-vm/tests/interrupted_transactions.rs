//! An interrupt (Ctrl-C in the REPL, the language server's stop) inside `.transaction_async`
//! rolls the transaction back: the session can use the database again, and so can every other
//! connection (here a second VM, as another process would).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gene_vm::{CaptureOutput, RunError, Session, Vm};

fn vm() -> Session {
    Session::new(Vm::new(Box::new(CaptureOutput::new())))
}

fn eval(vm: &mut Session, text: &str) -> String {
    match vm.eval(text) {
        Ok(v) => gene_vm::value::inspect(&v),
        Err(RunError::Uncaught(e)) => format!("error: {}", vm.describe_exception(&e.value)),
        Err(RunError::Syntax { diagnostics, .. }) => format!("syntax: {diagnostics:?}"),
        Err(RunError::Io(m)) => m,
    }
}

/// Sets the VM's interrupt flag once `marker` exists (the Gene code writes it from inside the
/// transaction), as a Ctrl-C handler would from its own thread.
fn interrupt_when(vm: &Vm, marker: &Path) -> std::thread::JoinHandle<bool> {
    let interrupt = vm.interrupt.clone();
    let marker = marker.to_path_buf();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !marker.exists() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        interrupt.store(true, Ordering::SeqCst);
        true
    })
}

#[test]
fn an_interrupted_transaction_is_rolled_back() {
    let dir = std::env::temp_dir().join(format!("gene-interrupted-tx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let db_path = dir.join("data.db").to_string_lossy().replace('\\', "/");
    let marker = dir.join("inside");
    let marker_text = marker.to_string_lossy().replace('\\', "/");

    let mut session = vm();
    let open = format!(r#"(var db (await (gene/db/open_async "{db_path}")))"#);
    eval(&mut session, &open);
    eval(
        &mut session,
        r#"(await (db .exec_async "CREATE TABLE t (v TEXT)"))"#,
    );

    // Inside the transaction: a row written (the connection now holds the write lock), then a
    // computation that only an interrupt ends.
    let interrupter = interrupt_when(&session, &marker);
    let stuck = format!(
        r#"(await (db .transaction_async (fnx ^^async [tx]
             (await (tx .exec_async "INSERT INTO t VALUES ('uncommitted')"))
             (gene/io/write "{marker_text}" "")
             (while true nil))))"#
    );
    let interrupted = eval(&mut session, &stuck);
    assert!(interrupter.join().unwrap_or(false), "never got inside");
    assert!(interrupted.contains("Interrupted"), "{interrupted}");

    // The session goes on with the database: the row was rolled back.
    assert_eq!(
        eval(
            &mut session,
            r#"(await (db .query_async "SELECT count(*) AS n FROM t"))"#
        ),
        "[{^n 0}]"
    );

    // Another connection can write (it would wait 5 s for the lock, then fail, had the
    // transaction stayed open).
    let mut other = vm();
    eval(&mut other, &open);
    assert_eq!(
        eval(
            &mut other,
            r#"(await (db .exec_async "INSERT INTO t VALUES ('other')"))"#
        ),
        "1"
    );
    assert_eq!(
        eval(
            &mut session,
            r#"(await (db .exec_async "INSERT INTO t VALUES ('session')"))"#
        ),
        "1"
    );
    drop(session);
    drop(other);
    let _ = std::fs::remove_dir_all(&dir);
}
