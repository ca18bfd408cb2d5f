//! `gene run` and `gene eval` as processes: what a user sees on the terminal.

use std::process::Command;

fn gene() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gene"))
}

#[test]
fn gene_run_reports_uncaught_errors_with_source_and_trace() {
    let dir = std::env::temp_dir().join(format!("gene-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join("boom.gene");
    std::fs::write(
        &file,
        "(println \"start\")\n(fn f [x] (x + \"s\"))\n(f 1)\n",
    )
    .ok();
    let out = gene().arg("run").arg(&file).output().expect("gene runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "start\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Error: TypeError: + needs numbers, got Int and String"),
        "{err}"
    );
    assert!(err.contains("2 | (fn f [x] (x + \"s\"))"), "{err}");
    assert!(err.contains("^^^^^^^^^"), "{err}");
    assert!(err.contains("at f ("), "{err}");
    assert!(err.contains("boom.gene:3:1"), "{err}");
}

#[test]
fn gene_run_passes_arguments_and_rejects_syntax_errors() {
    let dir = std::env::temp_dir().join(format!("gene-args-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join("args.gene");
    std::fs::write(&file, "(println $args)\n").ok();
    let out = gene()
        .arg("run")
        .arg(&file)
        .args(["a", "--b"])
        .output()
        .expect("gene runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[a --b]\n");
    let bad = dir.join("bad.gene");
    std::fs::write(&bad, "(println \"never\")\n(println 1\n").ok();
    let out = gene().arg("run").arg(&bad).output().expect("gene runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("E00"));
}

#[test]
fn gene_eval_prints_the_value() {
    let out = gene()
        .args(["eval", "(var x [1 \"a\"]) x"])
        .output()
        .expect("gene runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[1 \"a\"]\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn gene_run_takes_a_preemption_interval() {
    let dir = std::env::temp_dir().join(format!("gene-preempt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join("turns.gene");
    // Two spinning tasks. Each iteration makes one call (`.get`) and one backward jump, so with
    // a checkpoint every 100 of them the first task lets the second run after 50 iterations.
    std::fs::write(
        &file,
        "(var seen {^a 0 ^b 0})\n\
         (fn ^^async spin [me other]\n\
           (var first_seen nil)\n\
           (var i 0)\n\
           (while (i < 1000)\n\
             (i += 1)\n\
             ($set seen me i)\n\
             (if ((first_seen == nil) && ((seen .get other) > 0)) (first_seen = i)))\n\
           first_seen)\n\
         (println (await (spin \"a\" \"b\") (spin \"b\" \"a\")))\n",
    )
    .ok();
    let out = gene()
        .args(["run", "--preempt-interval", "100"])
        .arg(&file)
        .output()
        .expect("gene runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[51 1]\n");
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn gene_run_exits_1_for_a_failure_nobody_observed() {
    let dir = std::env::temp_dir().join(format!("gene-unobserved-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join("lost.gene");
    std::fs::write(
        &file,
        "(fn ^^async fetch [] (await (gene/sleep_async 1)) (throw \"timeout\"))\n(fetch)\n(println \"done\")\n",
    )
    .ok();
    let out = gene().arg("run").arg(&file).output().expect("gene runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Error: Gene exception: \"timeout\""), "{err}");
    assert!(err.contains("lost.gene:2:1 (in"), "{err}");
    assert!(
        err.contains("at fetch (") && err.contains("lost.gene:1:"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
