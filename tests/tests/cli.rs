//! The `gene` command line: parse, check (human and JSON), errors for bad paths, version, help.

use std::process::{Command, Output};

use gene_tests::{TempDir, gene_bin, workspace_root};

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

/// The syntax errors (codes `E...`) among `gene check --format json` results.
fn syntax_errors(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    json.as_array()
        .expect("an array")
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with('E')))
        .collect()
}

#[test]
fn syntax_tour_parses_without_errors() {
    let path = workspace_root().join("tests/fixtures/syntax-tour.gene");
    let out = gene(&["check", "--format", "json", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(syntax_errors(&json), Vec::<&serde_json::Value>::new());
}

#[test]
fn examples_have_no_syntax_errors() {
    let dir = workspace_root().join("examples");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected a few examples, found {files:?}");
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let out = gene(&args);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

/// `examples/fizzbuzz.gene` runs under `gene run` and prints FizzBuzz up to its argument.
#[test]
fn fizzbuzz_example_runs() {
    let path = workspace_root().join("examples/fizzbuzz.gene");
    let out = gene(&["run", "--no-progress", path.to_str().unwrap(), "30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected: String = (1..=30)
        .map(|i| match (i % 3, i % 5) {
            (0, 0) => "FizzBuzz\n".to_string(),
            (0, _) => "Fizz\n".to_string(),
            (_, 0) => "Buzz\n".to_string(),
            _ => format!("{i}\n"),
        })
        .collect();
    assert_eq!(stdout(&out), expected);
    let bad = gene(&["run", "--no-progress", path.to_str().unwrap(), "x"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("ArgumentError"), "{}", stderr(&bad));
}

/// Without `gene/math/seed`, each run draws other random numbers (the generator is seeded from
/// the operating system); with it, every run draws the same.
#[test]
fn random_numbers_differ_between_runs_unless_seeded() {
    let dir = TempDir::new("cli-random");
    let unseeded = dir.write(
        "unseeded.gene",
        "(println (gene/math/random) (gene/math/random_int 0 1000000000))",
    );
    let seeded = dir.write(
        "seeded.gene",
        "(gene/math/seed 7)\n(println (gene/math/random))",
    );
    let run = |path: &std::path::Path| {
        let out = gene(&["run", "--no-progress", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert_ne!(run(&unseeded), run(&unseeded));
    assert_eq!(run(&seeded), run(&seeded));
}

const BROKEN: &str =
    "(fn f [x]\n  (println x)\n\n(var m {^a 1 ^a 2})\n(g 3px)\n]\n(h 'ab')\n\"open";

#[test]
fn json_reports_each_syntax_error_at_its_line() {
    let dir = TempDir::new("cli-json");
    let file = dir.write("broken.gene", BROKEN);
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let items = syntax_errors(&json);
    let got: Vec<(String, u64, u64)> = items
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("E001", 1, 1),  // `(fn f [x]` is never closed
        ("E009", 4, 14), // repeated key ^a
        ("E005", 5, 4),  // 3px
        ("E002", 6, 1),  // `]` closes nothing
        ("E007", 7, 4),  // 'ab'
        ("E003", 8, 1),  // unterminated string
    ];
    let expected: Vec<(String, u64, u64)> = expected
        .iter()
        .map(|(c, l, col)| (c.to_string(), *l, *col))
        .collect();
    assert_eq!(got, expected, "{json:#}");
    for d in &items {
        for key in ["file", "end_line", "end_column", "severity", "message"] {
            assert!(!d[key].is_null(), "missing {key} in {d}");
        }
        assert_eq!(d["severity"], "error");
    }
}

#[test]
fn human_output_shows_location_code_and_underlined_source() {
    let dir = TempDir::new("cli-human");
    let file = dir.write("broken.gene", "(println \"hi\"\n(var x 1)\n");
    let out = gene(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("E001"), "{text}");
    assert!(text.contains("broken.gene:1:1"), "{text}");
    assert!(text.contains("unclosed `(`"), "{text}");
    assert!(
        text.contains("(println \"hi\""),
        "the source line is shown: {text}"
    );
    assert!(text.contains("Found 1 error"), "{text}");
}

#[test]
fn clean_file_exits_zero() {
    let dir = TempDir::new("cli-clean");
    let file = dir.write("ok.gene", "(println (1 + 2))\n");
    let out = gene(&["check", file.to_str().unwrap()]);
    assert!(out.status.success());
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn invalid_utf8_is_reported_not_fatal() {
    let dir = TempDir::new("cli-utf8");
    let file = dir.write("bytes.gene", b"(println \"a\xffb\")\n(x\n");
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = syntax_errors(&json)
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["E013", "E001"]);
}

#[test]
fn multi_byte_names_are_reported_on_whole_characters() {
    let dir = TempDir::new("cli-multibyte");
    let file = dir.write("name.gene", "\\é/\n");
    let out = gene(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("N001"), "{}", stdout(&out));
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    // The path's head as written, `\é`: columns 1 to 3 (exclusive), in characters.
    assert_eq!(
        (&json[0]["code"], &json[0]["column"], &json[0]["end_column"]),
        (&"N001".into(), &1.into(), &3.into()),
        "{json:#}"
    );
}

#[test]
fn missing_file_and_directory_get_clear_errors() {
    let out = gene(&["check", "definitely-missing.gene"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read `definitely-missing.gene`: no such file"),
        "{}",
        stderr(&out)
    );
    let dir = TempDir::new("cli-dir");
    let out = gene(&["parse", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}

#[test]
fn parse_prints_tree_sexpr_and_debug() {
    let dir = TempDir::new("cli-parse");
    let file = dir.write("p.gene", "(f ^a^b 1 #@g x) # note\n");
    let path = file.to_str().unwrap();
    let tree = gene(&["parse", path]);
    assert!(tree.status.success());
    assert!(
        stdout(&tree).contains("PROP_KEY 3..7 \"^a^b\""),
        "{}",
        stdout(&tree)
    );
    assert!(
        !stdout(&tree).contains("LINE_COMMENT"),
        "the outline leaves trivia out"
    );
    let sexpr = gene(&["parse", "--format", "sexpr", path]);
    assert_eq!(stdout(&sexpr), "(f ^a {^b 1} (g x))\n");
    let debug = gene(&["parse", "--format", "debug", path]);
    assert!(
        stdout(&debug).contains("LINE_COMMENT@"),
        "{}",
        stdout(&debug)
    );
}

#[test]
fn version_help_and_explain() {
    let out = gene(&["--version"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("gene "), "{}", stdout(&out));
    let out = gene(&["help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("check"), "{}", stdout(&out));
    let out = gene(&["check", "--explain", "E010"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("properties-in-wrong-place"),
        "{}",
        stdout(&out)
    );
    let out = gene(&["check", "--explain", "E019"]);
    assert!(stdout(&out).contains("unknown-escape"), "{}", stdout(&out));
    let out = gene(&["check", "--explain", "Z999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("E001-E019"), "{}", stderr(&out));
    let out = gene(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lint_rules_run_with_fixes_and_config() {
    let dir = TempDir::new("cli-lint");
    let file = dir.write(
        "jobs.gene",
        "(fn ^^async job [ms] (await (gene/sleep_async ms)) ms)\n(job 10)\n(println (await (job 5)))\n",
    );
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "warnings do not fail the check: {}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("A001".to_string(), 2)]);
    assert_eq!(json[0]["severity"], "warning");

    let out = gene(&["check", file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("[A001] warning: the future returned by `job` is never awaited"),
        "{}",
        stdout(&out)
    );

    // gene.toml next to the file turns the rule off.
    dir.write("gene.toml", "[lint]\nallow = [\"floating-future\"]\n");
    let out = gene(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!([])
    );
    dir.write("gene.toml", "[lint]\nallow = [\"A999\"]\n");
    let out = gene(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule `A999`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rules_table_and_rule_explanations() {
    let out = gene(&["rules"]);
    assert!(out.status.success());
    let table = stdout(&out);
    for code in ["A001", "A007", "A013", "N001", "N003"] {
        assert!(table.contains(code), "{code} missing from:\n{table}");
    }
    let out = gene(&["check", "--explain", "A001"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("floating-future")
            && text.contains("## Why it matters")
            && text.contains("```gene"),
        "{text}"
    );
}
