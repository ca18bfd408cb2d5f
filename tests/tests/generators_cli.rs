//! `yield` outside a generator through the real binary: `gene run` refuses to start the
//! program and renders the error like `gene check` does; `gene check` reports it as G001.

use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin};

fn gene(args: &[&str]) -> Output {
    Command::new(gene_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gene")
}

const PROGRAM: &str = "(println \"started\")\n(fn each [xs]\n  (for x in xs (yield x)))\n";

#[test]
fn run_refuses_a_program_with_yield_outside_a_generator() {
    let dir = TempDir::new("gen-run");
    let file = dir.write("plain.gene", PROGRAM);
    let out = gene(&["run", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing ran");
    assert!(stderr.contains("G001"), "{stderr}");
    assert!(stderr.contains("plain.gene:3:16"), "{stderr}");
    assert!(stderr.contains("`yield` outside a generator"), "{stderr}");
    assert!(
        stderr.contains("(for x in xs (yield x))"),
        "the line is shown: {stderr}"
    );
}

#[test]
fn check_reports_g001_where_the_yield_is() {
    let dir = TempDir::new("gen-check");
    let file = dir.write("plain.gene", PROGRAM);
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let found: Vec<(String, u64, u64, String)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(found, [("G001".to_string(), 3, 16, "error".to_string())]);

    // The same function as a generator is fine, and runs.
    let fixed = dir.write(
        "gen.gene",
        "(fn ^^generator each [xs]\n  (for x in xs (yield x)))\n(for x in (each [1 2]) (println x))\n",
    );
    let out = gene(&["check", fixed.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = gene(&["run", fixed.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n2\n");
}
