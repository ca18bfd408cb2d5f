//! `gene disasm FILE` as a process: the listing on stdout, problems on stderr, the exit status.

use std::path::PathBuf;
use std::process::Command;

fn gene() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gene"))
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gene-disasm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let file = dir.join(name);
    std::fs::write(&file, text).ok();
    file
}

#[test]
fn gene_disasm_lists_every_function_under_its_source_lines() {
    let file = write(
        "add.gene",
        "(fn add [a b]\n  (a + b))\n(println (add 1 2))\n",
    );
    let out = gene().arg("disasm").arg(&file).output().expect("gene runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    let listing = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "(Module, 0 slots)",
        "    1 | (fn add [a b]",
        "MakeClosure(0)           <add>",
        "    3 | (println (add 1 2))",
        "LoadCallee(0)            add",
        "> add (Function, direct call, 2 slots, params [a b])",
        "    2 |   (a + b))",
        // Both operands are locals: one fused op names them.
        "AddLocals(0, 1)          a b",
    ] {
        assert!(
            listing.contains(expected),
            "{expected:?} missing in:\n{listing}"
        );
    }
}

#[test]
fn gene_disasm_reports_syntax_errors_and_missing_files() {
    let file = write("bad.gene", "(println 1\n");
    let out = gene().arg("disasm").arg(&file).output().expect("gene runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("E0"),
        "{out:?}"
    );

    let missing = gene()
        .arg("disasm")
        .arg("no/such/file.gene")
        .output()
        .expect("gene runs");
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file"));
}
