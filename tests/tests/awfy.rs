//! The are-we-fast-yet ports in `benches/awfy` keep running and verifying their results as the
//! VM changes: each benchmark runs through the suite's harness (`harness.gene`) with the
//! smallest inner iteration count the suite has an expected result for, as `benches/awfy/run.sh`
//! runs it with larger ones. Speed is measured by run.sh, never here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use gene_tests::{gene_bin, workspace_root};

/// Each benchmark with the smallest inner iteration count it verifies (CD, Mandelbrot and NBody
/// take the count as their problem size and know results for a few sizes only). Havlak is left
/// to run.sh: even its smallest size builds a 5213-node graph and searches it for loops 50
/// times, over a minute and a half in a debug build.
const BENCHMARKS: &[(&str, u32)] = &[
    ("Bounce", 1),
    ("CD", 2),
    ("DeltaBlue", 1),
    ("Json", 1),
    ("List", 1),
    ("Mandelbrot", 1),
    ("NBody", 1),
    ("Permute", 1),
    ("Queens", 1),
    ("Richards", 1),
    ("Sieve", 1),
    ("Storage", 1),
    ("Towers", 1),
];

fn awfy_dir() -> PathBuf {
    workspace_root().join("benches").join("awfy")
}

fn run_harness(gene: &Path, name: &str, inner: u32) -> Output {
    Command::new(gene)
        .args(["run", "--no-progress", "harness.gene", name, "1"])
        .arg(inner.to_string())
        .current_dir(awfy_dir())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", gene.display()))
}

/// The failure of one benchmark run, or None when it verified.
fn check(gene: &Path, name: &str, inner: u32) -> Option<String> {
    let out = run_harness(gene, name, inner);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let verified = out.status.success()
        && stdout.contains(&format!("{name}: iterations=1 runtime: "))
        && stdout.contains("Total Runtime: ");
    (!verified).then(|| {
        format!(
            "{name} {inner}: exit status {:?}\n--- stdout\n{stdout}--- stderr\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_port_runs_and_verifies_its_result() {
    let gene = gene_bin();
    let queue = Mutex::new(BENCHMARKS.iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue lock").next();
                    let Some(&(name, inner)) = next else { break };
                    if let Some(failure) = check(&gene, name, inner) {
                        failures.lock().expect("failures lock").push(failure);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("failures lock");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_result_that_does_not_verify_fails_the_run() {
    // Mandelbrot knows no result for size 2: the harness must report it and exit with 1.
    let out = run_harness(&gene_bin(), "Mandelbrot", 2);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("No verification result for 2 found"),
        "{stdout}"
    );
    assert!(
        stderr.contains("Benchmark failed with incorrect result"),
        "{stderr}"
    );
}

#[test]
fn the_harness_explains_its_arguments() {
    let out = Command::new(gene_bin())
        .args(["run", "--no-progress", "harness.gene"])
        .current_dir(awfy_dir())
        .output()
        .expect("gene runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("gene run harness.gene BENCHMARK [NUM_ITERATIONS [INNER_ITERATIONS]]"),
        "{stdout}"
    );
}
