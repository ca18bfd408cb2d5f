//! `gene check --fix`, `--unsafe-fixes`, `--diff`, `--format github` and `--format sarif`.

use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin};

fn gene(args: &[&str]) -> Output {
    Command::new(gene_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gene")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file with two safe fixes (A009: a redundant `async`; A003: `await` of a plain value) and
/// one unsafe one (N004: a misspelt builtin).
const PROGRAM: &str = "\
(fn ^^async main []
  (await (async (gene/sleep_async 1)))
  (await 5)
  (gene/io/reed \"x\"))
";

#[test]
fn fix_applies_the_safe_fixes_reports_them_and_checks_again() {
    let dir = TempDir::new("check-fix");
    let file = dir.write("p.gene", PROGRAM);
    let out = gene(&["check", "--fix", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text,
        "(fn ^^async main []\n  (await (gene/sleep_async 1))\n  5\n  (gene/io/reed \"x\"))\n"
    );
    let report = stdout(&out);
    assert!(report.contains("Fixed 2 problems in"), "{report}");
    assert!(
        report.contains(":2:10 [A009]") && report.contains(":3:3 [A003]"),
        "{report}"
    );
    // The re-check reports what is left: the unsafe fix was not applied.
    assert!(
        report.contains("[N004] warning") && !report.contains("[A009] hint"),
        "{report}"
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = gene(&["check", "--fix", "--unsafe-fixes", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("gene/io/reed"), "{text}");
    assert!(stdout(&out).contains("[N004]"), "{}", stdout(&out));
}

#[test]
fn diff_shows_the_edits_without_writing() {
    let dir = TempDir::new("check-diff");
    let file = dir.write("p.gene", PROGRAM);
    let out = gene(&["check", "--diff", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "changes to show");
    let diff = stdout(&out);
    assert!(
        diff.contains("\n-  (await 5)\n") && diff.contains("\n+  5\n") && diff.contains("+++ "),
        "{diff}"
    );
    assert!(
        !diff.contains("gene/io/read \""),
        "unsafe fixes are left out: {diff}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), PROGRAM);

    let clean = dir.write("clean.gene", "(println 1)\n");
    let out = gene(&["check", "--diff", clean.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_file_with_syntax_errors_is_never_written() {
    let dir = TempDir::new("check-fix-syntax");
    let broken = "(fn ^^async main []\n  (await 5)\n  (println \"x\"\n";
    let file = dir.write("p.gene", broken);
    let out = gene(&["check", "--fix", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    assert!(
        stderr(&out).contains("has syntax errors"),
        "{}",
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(1), "the syntax error is reported");
}

#[test]
fn github_annotations_and_sarif() {
    let dir = TempDir::new("check-formats");
    let file = dir.write("p.gene", PROGRAM);
    let out = gene(&["check", "--format", "github", file.to_str().unwrap()]);
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[1].starts_with("::warning file=")
            && lines[1]
                .contains(",line=3,col=3,endLine=3,endColumn=12,title=A003 await-non-future::"),
        "{lines:?}"
    );
    assert!(
        lines[0].starts_with("::notice "),
        "A009 is a hint: {lines:?}"
    );

    let out = gene(&["check", "--format", "sarif", file.to_str().unwrap()]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A009", "A003", "N004"]);
    let region = &results[2]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(4), Some(4))
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = results[2]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["name"], "unknown-builtin");
}
