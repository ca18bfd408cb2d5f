//! The formatter over the whole conformance corpus: formatting is idempotent, keeps every
//! token, and the formatted program prints exactly what the original prints; the same holds
//! with line comments inserted between the tokens (a comment must never swallow the code after
//! it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use gene_syntax::format::format_text;
use gene_syntax::{SyntaxKind, TextRange, TextSize};
use gene_tests::{TempDir, copy_tree, gene_bin};
use proptest::prelude::*;
use proptest::sample::Index;

/// The comment the tests insert; the leading space keeps it from joining the token before it
/// (`x#` would be a symbol).
const COMMENT: &str = " # inserted\n";

/// Runs `text` as `gene run` does, with a copy of the corpus as its working directory (programs
/// that read and write files find theirs there, and nothing is written into the repository):
/// its stdout, and whether it ended with status 0.
fn run(text: String) -> (String, bool) {
    static WORK: OnceLock<TempDir> = OnceLock::new();
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let work = WORK.get_or_init(|| {
        let work = TempDir::new("format-conformance");
        copy_tree(&corpus_dir(), work.path());
        work
    });
    let name = format!("formatted_{}.gene", RUNS.fetch_add(1, Ordering::Relaxed));
    let file = work.write(&name, text);
    let output = Command::new(gene_bin())
        .args(["run", "--no-progress", &name, "first", "second"])
        .current_dir(work.path())
        .output();
    let _ = std::fs::remove_file(file);
    match output {
        Ok(out) => (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.success(),
        ),
        Err(e) => (format!("cannot run gene: {e}"), false),
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
}

/// The conformance programs, by file name, sorted.
fn conformance_programs() -> Vec<(String, String)> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(path).unwrap_or_default())
        })
        .collect()
}

/// The lowered forms of a text written back as Gene data (comments and layout gone), or
/// `None` when it has syntax errors.
fn forms(text: &str) -> Option<String> {
    let parse = gene_syntax::parse_text(text);
    parse
        .errors()
        .is_empty()
        .then(|| gene_syntax::printer::sexpr(&parse.forms()))
}

/// Every place between two tokens of `text` where a line comment changes nothing: each token
/// boundary, except inside interpolated strings (whose text pieces are not trivia-separated)
/// and right after a prefix (`:`, `%`, `%_`, `#@`), which the language wants directly before
/// its form.
fn comment_positions(text: &str) -> Vec<usize> {
    let root = gene_syntax::parse_text(text).syntax_node();
    let istrings: Vec<TextRange> = root
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::ISTRING)
        .map(|n| n.text_range())
        .collect();
    let inside_istring = |at: TextSize| istrings.iter().any(|r| r.start() < at && at < r.end());
    let mut positions = vec![0];
    for token in root
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        let is_prefix = matches!(
            token.kind(),
            SyntaxKind::COLON
                | SyntaxKind::PERCENT
                | SyntaxKind::PERCENT_UNDERSCORE
                | SyntaxKind::HASH_AT
        );
        let end = token.text_range().end();
        if !is_prefix && !inside_istring(end) {
            positions.push(usize::from(end));
        }
    }
    positions
}

/// `text` with [`COMMENT`] inserted at each of `positions` (ascending).
fn with_comments(text: &str, positions: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + positions.len() * COMMENT.len());
    let mut from = 0;
    for &at in positions {
        out.push_str(&text[from..at]);
        out.push_str(COMMENT);
        from = at;
    }
    out.push_str(&text[from..]);
    out
}

/// What is wrong with formatting `text`, which should mean `expected` (its forms): the
/// formatted text must parse to the same forms and format to itself.
fn format_problem(text: &str, expected: &str) -> Option<String> {
    let formatted = match format_text(text) {
        Ok(formatted) => formatted,
        Err(e) => return Some(format!("not formatted: {e}")),
    };
    if forms(&formatted).as_deref() != Some(expected) {
        return Some(format!(
            "the formatted program means something else:\n{formatted}"
        ));
    }
    match format_text(&formatted) {
        Ok(again) if again == formatted => None,
        Ok(again) => Some(format!(
            "formatting twice changes the text:\n--- once:\n{formatted}\n--- twice:\n{again}"
        )),
        Err(e) => Some(format!(
            "the formatted program is refused: {e}\n{formatted}"
        )),
    }
}

#[test]
fn formatted_conformance_programs_run_the_same() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, text) in conformance_programs() {
        let Ok(formatted) = format_text(&text) else {
            continue;
        };
        checked += 1;
        match format_text(&formatted) {
            Ok(again) if again == formatted => {}
            _ => failures.push(format!("{name}: formatting twice changes the text")),
        }
        let original = run(text.clone());
        let reformatted = run(formatted.clone());
        if original != reformatted {
            failures.push(format!(
                "{name}: output differs after formatting\n--- original ({}):\n{}\n--- formatted ({}):\n{}\n--- formatted source:\n{formatted}",
                original.1, original.0, reformatted.1, reformatted.0
            ));
        }
    }
    assert!(checked >= 150, "only {checked} programs were formatted");
    assert!(
        failures.is_empty(),
        "{} of {checked} programs failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A conformance program that parses without errors.
struct Program {
    name: String,
    text: String,
    /// Its forms, as [`forms`] writes them.
    forms: String,
    /// The places a comment can go.
    comment_positions: Vec<usize>,
}

/// The conformance programs that parse without errors (read once for every case of the
/// property test).
fn parsing_programs() -> &'static [Program] {
    static PROGRAMS: OnceLock<Vec<Program>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        conformance_programs()
            .into_iter()
            .filter_map(|(name, text)| {
                Some(Program {
                    forms: forms(&text)?,
                    comment_positions: comment_positions(&text),
                    name,
                    text,
                })
            })
            .collect()
    })
}

proptest! {
    // Every position of every program takes minutes in a debug build; each run checks a
    // random sample (set PROPTEST_CASES for a longer run).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(3000),
        ..ProptestConfig::default()
    })]

    /// A comment at any one place between two tokens: the formatted program means the same and
    /// formats to itself.
    #[test]
    fn a_comment_anywhere_between_tokens_keeps_the_meaning(
        program in any::<Index>(),
        position in any::<Index>(),
    ) {
        let programs = parsing_programs();
        prop_assume!(!programs.is_empty());
        let Program { name, text, forms: expected, comment_positions } =
            &programs[program.index(programs.len())];
        let at = comment_positions[position.index(comment_positions.len())];
        let commented = with_comments(text, &[at]);
        let commented_forms = forms(&commented);
        prop_assert_eq!(
            commented_forms.as_deref(),
            Some(expected.as_str()),
            "{}: a comment at byte {} changed the program itself:\n{}", name, at, commented
        );
        if let Some(problem) = format_problem(&commented, expected) {
            prop_assert!(false, "{}, comment at byte {}: {}", name, at, problem);
        }
    }
}

#[test]
fn the_corpus_has_many_places_for_comments() {
    let programs = parsing_programs();
    assert!(
        programs.len() >= 150,
        "only {} programs parse",
        programs.len()
    );
    let positions: usize = programs.iter().map(|p| p.comment_positions.len()).sum();
    assert!(positions >= 10_000, "only {positions} places for a comment");
}

/// Comments between all the tokens at once: the formatted program prints what the original
/// prints.
#[test]
fn formatted_programs_full_of_comments_run_the_same() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, text) in conformance_programs() {
        let Some(expected) = forms(&text) else {
            continue;
        };
        let commented = with_comments(&text, &comment_positions(&text));
        if let Some(problem) = format_problem(&commented, &expected) {
            failures.push(format!("{name}: {problem}"));
            continue;
        }
        let Ok(formatted) = format_text(&commented) else {
            continue;
        };
        checked += 1;
        let original = run(text);
        let reformatted = run(formatted.clone());
        if original != reformatted {
            failures.push(format!(
                "{name}: output differs after formatting\n--- original ({}):\n{}\n--- formatted ({}):\n{}\n--- formatted source:\n{formatted}",
                original.1, original.0, reformatted.1, reformatted.0
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} programs failed; the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(checked >= 150, "only {checked} programs were checked");
}
