//! `gene test`: tests written in Gene (passing, failing, skipped, timing out, async), golden
//! pairs, discovery, `--filter`, `--fail-fast`, `--update`, the human, JSON and JUnit outputs,
//! the exit statuses, and the project's conformance corpus run as golden tests (the same files
//! the Rust harness in `conformance.rs` runs).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin, workspace_root};

fn gene_test(dir: &Path, args: &[&str]) -> Output {
    Command::new(gene_bin())
        .arg("test")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gene test")
}

/// Stdout with the durations of slow tests (` (0.12s)`, which depend on the machine's load)
/// taken off the test lines.
fn stdout(o: &Output) -> String {
    let text = String::from_utf8_lossy(&o.stdout);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let kept = match body.rfind(" (") {
            Some(i) if body.starts_with("test ") && body.ends_with("s)") => &body[..i],
            _ => body,
        };
        out.push_str(kept);
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The JSON events of `--format json`.
fn events(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

/// (name, status) of each test event.
fn statuses(events: &[serde_json::Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e["event"] == "test")
        .map(|e| {
            (
                e["name"].as_str().unwrap_or("").to_string(),
                e["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const MIXED: &str = r#"(fn add [a b] (a + b))
(println "top level")
(test "adds" (assert_eq (add 1 2) 3))
(describe "group"
  (test "compares arrays" (println "printed by the test")
    (assert_eq [1 2 3] [1 5 3] "arrays")))
(test ^skip true "later" (throw "never runs"))
(test "awaits" (var v (await (gene/sleep_async 5))) (assert_eq (await (async 7)) 7))
(test ^timeout 100 "too slow" (await (gene/sleep_async 5000)))
"#;

#[test]
fn a_file_of_tests_reports_each_test_and_the_failures() {
    let dir = TempDir::new("gene-test-mixed");
    dir.write("mixed_test.gene", MIXED);
    let out = gene_test(dir.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("test mixed_test.gene > adds ... ok\n"),
        "{text}"
    );
    assert!(
        text.contains("test mixed_test.gene > group > compares arrays ... FAILED\n"),
        "{text}"
    );
    assert!(
        text.contains("test mixed_test.gene > later ... skipped\n"),
        "{text}"
    );
    assert!(
        text.contains("test mixed_test.gene > awaits ... ok\n"),
        "{text}"
    );
    assert!(
        text.contains("test mixed_test.gene > too slow ... FAILED\n"),
        "{text}"
    );
    // A slow test shows its duration.
    let raw = String::from_utf8_lossy(&out.stdout);
    assert!(
        raw.contains("test mixed_test.gene > too slow ... FAILED ("),
        "{raw}"
    );
    // The failure: the assertion's message with the diff, the source line with a caret, and
    // what the test printed.
    let failure = text
        .split("---- mixed_test.gene > group > compares arrays ----\n")
        .nth(1)
        .expect("the failure's report");
    assert!(failure.starts_with("Error: AssertionError: assert_eq failed: arrays\n  actual:   [1 2 3]\n  expected: [1 5 3]\n  diff (- expected, + actual):\n      1\n    - 5\n    + 2\n      3\n  --> mixed_test.gene:6:5\n"), "{failure}");
    assert!(
        failure.contains("6 |     (assert_eq [1 2 3] [1 5 3] \"arrays\")))\n  |     ^^^^"),
        "{failure}"
    );
    assert!(
        failure.contains("--- stdout\nprinted by the test\n"),
        "{failure}"
    );
    assert!(text.contains("timed out after 100 ms"), "{text}");
    // The top level ran once, and its output is no test's.
    assert!(!text.contains("top level"), "{text}");
    assert!(
        text.ends_with("\n2 passed, 2 failed, 1 skipped\n"),
        "{text}"
    );
}

#[test]
fn json_output_has_an_event_per_test_and_a_summary() {
    let dir = TempDir::new("gene-test-json");
    dir.write("mixed_test.gene", MIXED);
    let out = gene_test(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let events = events(&out);
    assert_eq!(
        statuses(&events),
        [
            ("adds", "passed"),
            ("group > compares arrays", "failed"),
            ("later", "skipped"),
            ("awaits", "passed"),
            ("too slow", "failed"),
        ]
        .map(|(n, s)| (n.to_string(), s.to_string()))
    );
    let failed = &events[1];
    assert_eq!(failed["file"], "mixed_test.gene");
    assert_eq!(
        (failed["line"].as_u64(), failed["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .starts_with("AssertionError: assert_eq failed: arrays")
    );
    assert!(failed["durationMs"].is_u64());
    // A timeout is reported at the test form.
    assert_eq!(
        (events[4]["line"].as_u64(), events[4]["column"].as_u64()),
        (Some(9), Some(1))
    );
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(
        (
            summary["passed"].as_u64(),
            summary["failed"].as_u64(),
            summary["skipped"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
}

#[test]
fn junit_output_is_one_document_with_a_suite_per_file() {
    let dir = TempDir::new("gene-test-junit");
    dir.write("mixed_test.gene", MIXED);
    let out = gene_test(dir.path(), &["--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gene test\" tests=\"5\" failures=\"2\" skipped=\"1\""), "{xml}");
    assert!(
        xml.contains(
            "<testsuite name=\"mixed_test.gene\" tests=\"5\" failures=\"2\" skipped=\"1\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"group &gt; compares arrays\" classname=\"mixed_test.gene\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"AssertionError: assert_eq failed: arrays"),
        "{xml}"
    );
    assert!(xml.contains("<skipped/>"), "{xml}");
    assert!(xml.trim_end().ends_with("</testsuites>"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 5);
}

#[test]
fn all_passing_exits_0_and_filter_selects_by_full_name() {
    let dir = TempDir::new("gene-test-pass");
    dir.write(
        "a_test.gene",
        "(describe \"math\" (test \"adds\" (assert_eq (1 + 1) 2)) (test \"subtracts\" (assert_eq (3 - 1) 2)))\n(test \"other\" (throw \"fails\"))\n",
    );
    let out = gene_test(dir.path(), &["--filter", "math >"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "test a_test.gene > math > adds ... ok\ntest a_test.gene > math > subtracts ... ok\n\n2 passed, 0 failed\n"
    );
    let none = gene_test(dir.path(), &["--filter", "no such test"]);
    assert_eq!(none.status.code(), Some(5), "{}", stdout(&none));
}

#[test]
fn no_tests_found_exits_5() {
    let dir = TempDir::new("gene-test-empty");
    dir.write("plain.gene", "(println 1)\n");
    // Hidden folders, target and node_modules are not searched.
    for skipped in [".git", "target", "node_modules"] {
        std::fs::create_dir_all(dir.path().join(skipped)).unwrap();
        dir.write(&format!("{skipped}/x_test.gene"), "(test \"t\" 1)\n");
    }
    let out = gene_test(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    assert!(
        stdout(&out).ends_with("no tests found\n\n0 passed, 0 failed\n"),
        "{}",
        stdout(&out)
    );
    let missing = gene_test(dir.path(), &["nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let dir = TempDir::new("gene-test-fail-fast");
    dir.write(
        "f_test.gene",
        "(test \"one\" 1)\n(test \"two\" (assert_eq 1 2))\n(test \"three\" 3)\n",
    );
    let out = gene_test(
        dir.path(),
        &["--fail-fast", "--jobs", "1", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        statuses(&events(&out)),
        [("one", "passed"), ("two", "failed")].map(|(n, s)| (n.to_string(), s.to_string()))
    );
}

#[test]
fn a_file_whose_top_level_fails_is_one_failure() {
    let dir = TempDir::new("gene-test-broken");
    dir.write(
        "broken_test.gene",
        "(test \"never declared\" 1)\n(undefined_thing)\n",
    );
    dir.write("syntax_test.gene", "(test \"x\" (\n");
    let out = gene_test(dir.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("test broken_test.gene > (top level) ... FAILED"),
        "{text}"
    );
    assert!(
        text.contains("test syntax_test.gene > (top level) ... FAILED"),
        "{text}"
    );
    assert!(text.contains("undefined_thing"), "{text}");
}

#[test]
fn golden_pairs_pass_on_a_match_and_show_a_diff_otherwise() {
    let dir = TempDir::new("gene-test-golden");
    dir.write("good.gene", "(println \"a\")\n(println $args)\n");
    dir.write("good.out", "a\n[x y]\n");
    dir.write("good.args", "x y\n");
    dir.write("bad.gene", "(println \"one\")\n(println \"two\")\n");
    dir.write("bad.out", "one\n2\n");
    dir.write("dies.gene", "(throw (new ValueError \"oops\"))\n");
    dir.write("dies.out", "");
    dir.write("dies.err", "ValueError: oops");
    dir.write("dies.status", "1\n");
    let out = gene_test(dir.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("test good.gene ... ok\n"), "{text}");
    assert!(text.contains("test dies.gene ... ok\n"), "{text}");
    assert!(text.contains("test bad.gene ... FAILED\n"), "{text}");
    assert!(text.contains("---- bad.gene ----\nstdout differs from the expected output\n  diff (- bad.out, + stdout):\n      one\n    - 2\n    + two\n"), "{text}");
    assert!(text.ends_with("\n2 passed, 1 failed\n"), "{text}");
    // --update rewrites the failing test's .out after showing the diff; then it passes.
    let updated = gene_test(dir.path(), &["--update", "bad.gene"]);
    assert!(stdout(&updated).contains("+ two"), "{}", stdout(&updated));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.out")).unwrap(),
        "one\ntwo\n"
    );
    let again = gene_test(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn a_golden_program_that_never_ends_is_killed_at_the_timeout() {
    let dir = TempDir::new("gene-test-golden-loop");
    dir.write(
        "forever.gene",
        "(println \"started\")\n(while true (var x 1))\n",
    );
    dir.write("forever.out", "started\n");
    dir.write("quick.gene", "(println \"done\")\n");
    dir.write("quick.out", "done\n");
    // The run ends at all only if the child was killed: its pipes stay open while it lives.
    let out = gene_test(dir.path(), &["--timeout", "300"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("test forever.gene ... FAILED"), "{text}");
    assert!(text.contains("test quick.gene ... ok"), "{text}");
    assert!(
        text.contains("---- forever.gene ----\ntimed out after 300 ms (the program was killed)\n"),
        "{text}"
    );
    assert!(text.ends_with("\n1 passed, 1 failed\n"), "{text}");
    let help = Command::new(gene_bin())
        .args(["test", "--help"])
        .output()
        .expect("gene test --help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--timeout <MS>"), "{help}");
    assert!(help.contains("[default: 10000]"), "{help}");
}

#[test]
fn files_run_in_parallel_each_in_a_fresh_vm() {
    let dir = TempDir::new("gene-test-parallel");
    // Each file sees only its own top level: a variable of one file is unknown in the other.
    dir.write(
        "a_test.gene",
        "(var shared 1)\n(test \"a\" (assert_eq shared 1))\n",
    );
    dir.write(
        "b_test.gene",
        "(test \"b\" (assert_eq (try shared catch * \"unbound\") \"unbound\"))\n",
    );
    let out = gene_test(dir.path(), &["--jobs", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("\n2 passed, 0 failed\n"));
}

/// `gene test tests/conformance` passes, and runs exactly the programs the Rust harness runs.
#[test]
fn the_conformance_corpus_passes_under_gene_test() {
    let corpus = workspace_root().join("tests/conformance");
    let work = TempDir::new("gene-test-conformance");
    gene_tests::copy_tree(&corpus, work.path());
    // A debug build on a loaded machine runs the slowest programs for seconds: the default
    // 10 s limit is not what this test is about.
    let out = gene_test(
        work.path(),
        &[
            "--format",
            "json",
            "--jobs",
            "2",
            "--timeout",
            "120000",
            ".",
        ],
    );
    let events = events(&out);
    let failed: Vec<_> = events.iter().filter(|e| e["status"] == "failed").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(out.status.code(), Some(0));
    let ran: BTreeSet<String> = events
        .iter()
        .filter(|e| e["event"] == "test")
        .map(|e| e["file"].as_str().unwrap_or("").to_string())
        .collect();
    let harness: BTreeSet<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ran, harness);
}

/// `examples/` has a small library with its tests, and they pass.
#[test]
fn the_example_library_passes_its_tests() {
    let out = gene_test(workspace_root(), &["--format", "json", "examples"]);
    let events = events(&out);
    assert_eq!(out.status.code(), Some(0), "{events:#?}");
    assert!(
        events
            .iter()
            .filter(|e| e["event"] == "test")
            .all(|e| e["file"] == "examples/text_stats_test.gene" && e["status"] == "passed"),
        "{events:#?}"
    );
    assert!(events.len() >= 8, "{events:#?}");
}
