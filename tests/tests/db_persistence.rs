//! SQLite data outlives the process that wrote it: one `gene run` writes a database file
//! (committed transactions, a rolled-back one, autocommit statements) and exits without closing
//! it; a second process opens the file and reads back exactly what was committed.

use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin};

fn run(dir: &TempDir, program: &str) -> Output {
    Command::new(gene_bin())
        .arg("run")
        .arg(program)
        .current_dir(dir.path())
        .output()
        .expect("run gene")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const WRITER: &str = r#"
(var db (await (gene/db/open_async "notes.db")))
(await (db .exec_async "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, data BLOB)"))
(await (db .transaction_async (fnx ^^async [tx]
  (await (tx .exec_async "INSERT INTO notes (body, data) VALUES (?, ?)" ["first" (gene/bytes [1 2 255])]))
  (await (tx .exec_async "INSERT INTO notes (body) VALUES (:body)" {^body "second"})))))
(try
  (await (db .transaction_async (fnx ^^async [tx]
    (await (tx .exec_async "INSERT INTO notes (body) VALUES ('rolled back')"))
    (throw "abandon"))))
catch *
  (println "rolled back:" $ex))
(await (db .exec_async "INSERT INTO notes (body) VALUES ('autocommit')"))
(println "written")
"#;

const READER: &str = r#"
(var db (await (gene/db/open_async "notes.db")))
(for row in (await (db .query_async "SELECT id, body, data FROM notes ORDER BY id"))
  (println row))
(await (db .close_async))
"#;

#[test]
fn committed_data_survives_the_process_that_wrote_it() {
    let dir = TempDir::new("db-persistence");
    dir.write("writer.gene", WRITER);
    dir.write("reader.gene", READER);

    let written = run(&dir, "writer.gene");
    assert!(
        written.status.success(),
        "the writer failed: {}",
        text(&written.stderr)
    );
    assert_eq!(text(&written.stdout), "rolled back: abandon\nwritten\n");
    assert!(dir.path().join("notes.db").is_file());

    let read = run(&dir, "reader.gene");
    assert!(
        read.status.success(),
        "the reader failed: {}",
        text(&read.stderr)
    );
    assert_eq!(
        text(&read.stdout),
        "{^id 1 ^body first ^data <Bytes 01 02 ff>}\n\
         {^id 2 ^body second ^data nil}\n\
         {^id 3 ^body autocommit ^data nil}\n"
    );
}

#[test]
fn a_second_process_waits_for_the_first_ones_write_lock() {
    // The first process holds a write transaction open for a while; a second one writing the
    // same file meanwhile waits for the lock (the busy timeout) instead of failing with
    // "database is locked", and then sees what the first committed.
    use std::io::BufRead;

    let dir = TempDir::new("db-locking");
    dir.write(
        "setup.gene",
        r#"(var db (await (gene/db/open_async "shared.db")))
(await (db .exec_async "CREATE TABLE t (n INTEGER)"))
(await (db .close_async))"#,
    );
    dir.write(
        "slow_writer.gene",
        r#"(var db (await (gene/db/open_async "shared.db")))
(await (db .transaction_async (fnx ^^async [tx]
  (await (tx .exec_async "INSERT INTO t VALUES (1)"))
  (println "locked")
  (await (gene/sleep_async 300))
  (await (tx .exec_async "INSERT INTO t VALUES (2)")))))
(println "committed")"#,
    );
    dir.write(
        "writer2.gene",
        r#"(var db (await (gene/db/open_async "shared.db")))
(await (db .exec_async "INSERT INTO t VALUES (3)"))
(println (await (db .query_async "SELECT group_concat(n) AS ns FROM t")))"#,
    );
    assert!(run(&dir, "setup.gene").status.success());
    let mut slow = Command::new(gene_bin())
        .args(["run", "slow_writer.gene"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the slow writer");
    // The slow writer's output is flushed while it sleeps, with its write lock held.
    let mut lines = std::io::BufReader::new(slow.stdout.take().expect("piped stdout")).lines();
    let first = lines.next().and_then(Result::ok);
    assert_eq!(first.as_deref(), Some("locked"));

    let second = run(&dir, "writer2.gene");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = slow.wait().expect("the slow writer ends");
    assert!(status.success());
    assert_eq!(rest, ["committed"]);
    assert!(
        second.status.success(),
        "the second writer failed: {}",
        text(&second.stderr)
    );
    assert_eq!(text(&second.stdout), "[{^ns 1,2,3}]\n");
}
