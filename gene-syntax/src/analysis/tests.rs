//! Analysis-wide tests: incrementality and the one-diagnostic-per-expression precedence.

use salsa::Setter;

use crate::db::{RootDatabase, SourceFile};

const PROGRAM: &str = "\
(fn ^^async fetch [x] (await (gene/sleep_async x)) x)

(fn main _
  (fetch 1)
  (println \"main\"))

(fn other [y]
  (println (y + 1)))

(main)
(other 2)
";

fn executed(log: &crate::db::ExecutionLog, query: &str) -> usize {
    log.lock()
        .map(|l| l.iter().filter(|e| e.starts_with(query)).count())
        .unwrap_or(0)
}

#[test]
fn an_edit_inside_one_form_reanalyzes_only_that_form() {
    let (mut db, log) = RootDatabase::with_execution_log();
    let file = SourceFile::new(&db, "main.gene".into(), PROGRAM.to_string().into());
    let before = crate::analysis::lint_diagnostics(&db, file).clone();
    assert_eq!(
        before.iter().filter(|d| d.code == "A001").count(),
        1,
        "{before:#?}"
    );
    assert_eq!(
        executed(&log, "chunk_analysis"),
        6,
        "five forms and the trailing newline: {:?}",
        log.lock().unwrap()
    );

    log.lock().unwrap().clear();
    let edited = PROGRAM.replace("(println (y + 1))", "(println (y + 2))");
    file.set_text(&mut db).to(edited.into());
    let after = crate::analysis::lint_diagnostics(&db, file).clone();
    assert_eq!(after.iter().filter(|d| d.code == "A001").count(), 1);
    assert_eq!(
        executed(&log, "chunk_analysis"),
        1,
        "only `other` is walked again: {:?}",
        log.lock().unwrap()
    );
    assert_eq!(executed(&log, "parse_chunk"), 1);
}

#[test]
fn a_definition_change_updates_other_forms() {
    let (mut db, _log) = RootDatabase::with_execution_log();
    let file = SourceFile::new(&db, "main.gene".into(), PROGRAM.to_string().into());
    assert!(
        crate::analysis::lint_diagnostics(&db, file)
            .iter()
            .any(|d| d.code == "A001")
    );
    // `fetch` stops being async: the call in `main` is no longer a floating future, though
    // `main` itself did not change.
    file.set_text(&mut db).to(PROGRAM
        .replace(
            "(fn ^^async fetch [x] (await (gene/sleep_async x)) x)",
            "(fn fetch [x] x)",
        )
        .into());
    let after = crate::analysis::lint_diagnostics(&db, file);
    assert!(!after.iter().any(|d| d.code == "A001"), "{after:#?}");
}

#[test]
fn the_more_specific_rule_wins_on_one_expression() {
    let db = RootDatabase::new();
    let text = "((gene/io/read_async \"a\") .on_success (fnx [t] (println t)))\n(await «(async (gene/sleep_async 1))»)";
    let text = text.replace(['«', '»'], "");
    let file = SourceFile::new(&db, "p.gene".into(), text.into());
    let codes: Vec<&str> = crate::analysis::lint_diagnostics(&db, file)
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, ["A013", "A009"], "A013 hides A001, A009 hides A004");
}

#[test]
fn allow_comments_silence_one_form() {
    let db = RootDatabase::new();
    let text = "# gene: allow(A001)\n(gene/sleep_async 1)\n(gene/sleep_async 2) # gene: allow(floating-future)\n(gene/sleep_async 3)\n";
    let file = SourceFile::new(&db, "p.gene".into(), text.to_string().into());
    let found: Vec<_> = crate::analysis::lint_diagnostics(&db, file)
        .iter()
        .map(|d| (d.code, &text[d.range]))
        .collect();
    assert_eq!(found, [("A001", "(gene/sleep_async 3)")]);
}

#[test]
fn gene_toml_turns_rules_off_and_relevels_them() {
    use crate::analysis::LintConfig;
    use crate::diagnostic::Severity;
    let config = LintConfig::from_toml(
        "[lint]\nallow = [\"unused-variable\"]\n[lint.severity]\nA001 = \"error\"\n",
    )
    .unwrap();
    let db = RootDatabase::new();
    let file = SourceFile::new(
        &db,
        "p.gene".into(),
        "(var x 1)\n(gene/sleep_async 1)\n".to_string().into(),
    );
    let all = crate::analysis::diagnostics(&db, file, &config);
    let found: Vec<_> = all.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(found, [("A001", Severity::Error)]);
    assert!(
        LintConfig::from_toml("[lint]\nallow = [\"A999\"]")
            .unwrap_err()
            .contains("unknown rule `A999`")
    );
    assert!(
        LintConfig::from_toml("[lint.severity]\nA001 = \"loud\"")
            .unwrap_err()
            .contains("unknown level")
    );
}

#[test]
fn every_rule_is_documented_and_unique() {
    let mut codes = std::collections::HashSet::new();
    for rule in crate::analysis::RULES {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        let doc = rule.doc_text();
        for section in ["## What it flags", "## Why it matters", "## How to fix"] {
            assert!(doc.contains(section), "{} lacks `{section}`", rule.code);
        }
        assert!(doc.contains("```gene"), "{} has no example", rule.code);
        assert_eq!(
            crate::analysis::rule(rule.name).map(|r| r.code),
            Some(rule.code)
        );
    }
}

#[test]
fn imports_are_followed_into_other_files() {
    let dir = crate::workspace::tests::temp_dir("analysis-imports");
    let mut db = RootDatabase::new();
    let main = db.set_file(
        dir.join("main.gene"),
        "(import fetch slow:nap from \"lib\")\n(fetch 1)\n(nap)\n".to_string(),
    );
    // Before the library is known, the imported names are defined but nothing more is known.
    let codes: Vec<&str> = crate::analysis::lint_diagnostics(&db, main)
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, Vec::<&str>::new());

    let library = "(fn ^^async fetch [x] (await (gene/sleep_async x)) x)\n(fn slow [ms] ms)\n";
    std::fs::write(dir.join("lib.gene"), library).unwrap();
    let added = crate::workspace::load_imports(&mut db, main);
    assert_eq!(added.len(), 1);
    let found: Vec<(&str, u32)> = crate::analysis::lint_diagnostics(&db, main)
        .iter()
        .map(|d| {
            (
                d.code,
                crate::db::line_index(&db, main)
                    .line_col(d.range.start())
                    .line,
            )
        })
        .collect();
    // `fetch` is async in lib.gene; `nap` is `slow`, which needs one argument.
    assert_eq!(found, [("A001", 1), ("N003", 2)]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A chunk keeps a pending record for nearly every use of a name it does not bind, for the whole
/// file's life in `gene check`: the record stays a few words, the diagnostic is made only when
/// the file-level pass confirms it (a `Diagnostic` in each record took 11 times the file's size).
#[test]
fn pending_records_stay_a_few_words() {
    use crate::analysis::facts::{Condition, Pending};
    assert!(std::mem::size_of::<Condition>() <= 12);
    assert!(
        std::mem::size_of::<Pending>() <= 40,
        "{} bytes",
        std::mem::size_of::<Pending>()
    );
    assert!(std::mem::size_of::<Pending>() < std::mem::size_of::<crate::Diagnostic>() / 2);
}

const INFERRED: &str = "\
(fn start_save [x] (gene/io/write_async \"out.txt\" x))

(fn save_all [x] (start_save x))

(fn ^^async main []
  (save_all 1)
  (println \"main\"))

(fn other [y]
  (println (y + 1)))
";

/// Inference reads each function's returned values from its own chunk: an edit inside one body
/// reads that body again and no other; the file-level pass follows the calls again, and a changed
/// answer changes the diagnostics of the forms that call it.
#[test]
fn an_edit_inside_one_body_infers_only_that_body_again() {
    let (mut db, log) = RootDatabase::with_execution_log();
    let file = SourceFile::new(&db, "main.gene".into(), INFERRED.to_string().into());
    let a001 = |db: &RootDatabase| {
        crate::analysis::lint_diagnostics(db, file)
            .iter()
            .filter(|d| d.code == "A001")
            .count()
    };
    assert_eq!(a001(&db), 1, "`(save_all 1)` returns the write's future");
    assert_eq!(
        executed(&log, "chunk_symbols_kept"),
        5,
        "four forms and the trailing newline"
    );

    log.lock().unwrap().clear();
    file.set_text(&mut db).to(INFERRED
        .replace("(println (y + 1))", "(println (y + 2))")
        .into());
    assert_eq!(a001(&db), 1);
    assert_eq!(
        executed(&log, "chunk_symbols_kept"),
        1,
        "only `other` is read again: {:?}",
        log.lock().unwrap()
    );
    assert_eq!(executed(&log, "chunk_analysis"), 1);

    // `start_save` stops returning a future: `main`, unchanged, no longer drops one.
    log.lock().unwrap().clear();
    file.set_text(&mut db).to(INFERRED
        .replace(
            "(gene/io/write_async \"out.txt\" x)",
            "(gene/io/write \"out.txt\" x)",
        )
        .into());
    assert_eq!(a001(&db), 0);
    assert_eq!(executed(&log, "chunk_symbols_kept"), 1);
    assert_eq!(executed(&log, "chunk_analysis"), 1);
}
