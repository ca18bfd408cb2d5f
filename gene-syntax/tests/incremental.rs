//! Incrementality, proven with salsa's event log: an edit inside one top-level form re-runs the
//! per-chunk queries (`parse_chunk`, which holds the chunk's diagnostics too, and `chunk_forms`)
//! for that form only. Edits that split or merge forms still give the tree a fresh parse gives.

use gene_syntax::db::{self, ExecutionLog, RootDatabase, SourceFile};
use gene_syntax::parse_text;
use salsa::Setter;

const FILE: &str = "\
(fn a [x] (x + 1))

(fn b [y]
  (println y))

# a comment before c
(var c {^k 1 ^j [1 2 3]})

(d #\"c=#{c}\")

(e :quoted)
";

/// Queries everything a tool asks for, as `gene check` or the language server would.
fn query_all(db: &RootDatabase, file: SourceFile) {
    let _ = db::syntax_diagnostics(db, file);
    let _ = db::parse(db, file);
    let _ = db::file_forms(db, file);
    let _ = db::line_index(db, file);
}

/// How many times each query ran since the log was last taken.
fn executions(log: &ExecutionLog, query: &str) -> Vec<String> {
    let log = log.lock().expect("log lock");
    log.iter()
        .filter(|entry| entry.starts_with(&format!("{query}(")))
        .cloned()
        .collect()
}

fn clear(log: &ExecutionLog) {
    log.lock().expect("log lock").clear();
}

/// The database's answers equal a fresh parse of the current text.
fn assert_matches_fresh_parse(db: &RootDatabase, file: SourceFile) {
    let text = file.text(db).to_string();
    let fresh = parse_text(&text);
    let parse = db::parse(db, file);
    assert_eq!(parse.green(), fresh.green(), "tree for {text:?}");
    assert_eq!(parse.errors(), fresh.errors());
    assert_eq!(parse.syntax_node().to_string(), text);
    assert_eq!(&db::file_forms(db, file)[..], &fresh.forms()[..]);
    let diagnostics: Vec<_> = db::syntax_diagnostics(db, file)
        .iter()
        .map(|d| (d.code, d.range))
        .collect();
    let expected: Vec<_> = fresh.errors().iter().map(|e| (e.code(), e.range)).collect();
    assert_eq!(diagnostics, expected);
}

fn setup() -> (RootDatabase, ExecutionLog, SourceFile) {
    let (db, log) = RootDatabase::with_execution_log();
    let file = SourceFile::new(&db, "inc.gene".into(), FILE.to_string().into());
    query_all(&db, file);
    // Five forms, and the final newline as a chunk of its own.
    assert_eq!(
        executions(&log, "parse_chunk").len(),
        6,
        "one parse per chunk"
    );
    clear(&log);
    (db, log, file)
}

fn edit(db: &mut RootDatabase, file: SourceFile, from: &str, to: &str) {
    let text = file.text(db).replacen(from, to, 1);
    assert_ne!(
        text.as_str(),
        &**file.text(db),
        "the edit must change the text"
    );
    file.set_text(db).to(text.into());
}

#[test]
fn an_edit_inside_one_form_reparses_only_that_form() {
    let (mut db, log, file) = setup();
    edit(&mut db, file, "(println y)", "(println y 42)");
    query_all(&db, file);
    assert_eq!(
        executions(&log, "parse_chunk").len(),
        1,
        "{:?}",
        log.lock().unwrap()
    );
    assert_eq!(executions(&log, "chunk_forms").len(), 1);
    // The file-level queries assemble the per-chunk results again.
    assert_eq!(executions(&log, "chunks").len(), 1);
    assert_matches_fresh_parse(&db, file);
}

#[test]
fn nothing_reruns_when_nothing_changed() {
    let (db, log, file) = setup();
    query_all(&db, file);
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}

#[test]
fn an_error_introduced_in_one_form_is_reported_at_its_file_offset() {
    let (mut db, log, file) = setup();
    edit(&mut db, file, "^j [1 2 3]", "^j [1 2 3px]");
    query_all(&db, file);
    assert_eq!(executions(&log, "parse_chunk").len(), 1);
    let diagnostics = db::syntax_diagnostics(&db, file);
    assert_eq!(diagnostics.len(), 1);
    let at = file.text(&db).find("3px").unwrap();
    assert_eq!(usize::from(diagnostics[0].range.start()), at);
    assert_eq!(diagnostics[0].code, "E005");
    assert_matches_fresh_parse(&db, file);
}

#[test]
fn an_edit_in_a_form_leaves_the_forms_after_it_alone_even_when_they_move() {
    let (mut db, log, file) = setup();
    // Longer text in `a` shifts every later form, but their chunk texts are unchanged.
    edit(&mut db, file, "(x + 1)", "(x + 1000000)");
    query_all(&db, file);
    assert_eq!(executions(&log, "parse_chunk").len(), 1);
    assert_eq!(executions(&log, "chunk_forms").len(), 1);
    assert_matches_fresh_parse(&db, file);
}

#[test]
fn inserting_a_form_parses_only_the_new_form() {
    let (mut db, log, file) = setup();
    edit(
        &mut db,
        file,
        "\n\n# a comment",
        "\n\n(new form)\n\n# a comment",
    );
    query_all(&db, file);
    assert_eq!(executions(&log, "parse_chunk").len(), 1);
    assert_matches_fresh_parse(&db, file);
}

#[test]
fn splitting_a_form_in_two() {
    let (mut db, log, file) = setup();
    edit(&mut db, file, "(fn b [y]", "(fn b [y])\n(");
    query_all(&db, file);
    assert_eq!(executions(&log, "parse_chunk").len(), 2, "the two halves");
    assert_matches_fresh_parse(&db, file);
    assert_eq!(db::file_forms(&db, file).len(), 6);
}

#[test]
fn merging_forms_by_deleting_a_closer() {
    let (mut db, log, file) = setup();
    // Without its last `)`, `b` runs on and swallows the forms after it.
    edit(&mut db, file, "(println y))", "(println y)");
    query_all(&db, file);
    assert_matches_fresh_parse(&db, file);
    assert_eq!(db::file_forms(&db, file).len(), 2);
    assert_eq!(
        db::syntax_diagnostics(&db, file).len(),
        1,
        "one unclosed `(`"
    );
    clear(&log);
    // Putting it back restores the original chunks, whose parses are still memoized: nothing
    // is parsed again.
    edit(&mut db, file, "(println y)", "(println y))");
    query_all(&db, file);
    assert_eq!(executions(&log, "parse_chunk").len(), 0);
    assert_matches_fresh_parse(&db, file);
    assert!(db::syntax_diagnostics(&db, file).is_empty());
}

#[test]
fn opening_a_string_swallows_the_rest_and_closing_it_restores_it() {
    let (mut db, _log, file) = setup();
    edit(&mut db, file, "(println y)", "(println \"y)");
    query_all(&db, file);
    assert_matches_fresh_parse(&db, file);
    edit(&mut db, file, "(println \"y)", "(println \"y\")");
    query_all(&db, file);
    assert_matches_fresh_parse(&db, file);
}

#[test]
fn many_random_edits_match_a_fresh_parse() {
    let (mut db, _log, file) = setup();
    let insertions = [
        "(", ")", "\"", "#\"#{", "}", "]", "[", " ", "\n", "#<", ">#", "^k", "'",
    ];
    let mut state: u64 = 0x1234_5678;
    for step in 0..200 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut text = file.text(&db).to_string();
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let at = boundaries[(state % boundaries.len() as u64) as usize];
        if step % 3 == 0 && at < text.len() {
            let end = boundaries
                .iter()
                .copied()
                .find(|&b| b > at)
                .unwrap_or(text.len());
            text.replace_range(at..end, "");
        } else {
            text.insert_str(at, insertions[(state >> 20) as usize % insertions.len()]);
        }
        file.set_text(&mut db).to(text.as_str().into());
        query_all(&db, file);
        assert_matches_fresh_parse(&db, file);
    }
}

/// A batch tool's bounded pass (`gene check`): the trees and forms of chunks it is done with are
/// dropped, and the diagnostics are those of a database that keeps everything.
#[test]
fn a_bounded_pass_drops_trees_and_gives_the_same_diagnostics() {
    let mut text = String::new();
    for i in 0..40 {
        // Allow comments on some forms: on their own line and ending a form's line.
        let own_line = if i % 4 == 0 {
            "# gene: allow(A001)\n"
        } else {
            ""
        };
        let trailing = if i % 3 == 0 {
            " # gene: allow(undefined-name)"
        } else {
            ""
        };
        text.push_str(&format!(
            "(fn ^^async job{i} [ms] (await (gene/sleep_async ms)) ms)\n{own_line}(job{i} 10)\n(var unused{i} (undefined{i} 1)){trailing}\n(println \"{i}\" job{i})\n"
        ));
    }
    text.push_str("(f \"\\q\"");
    let config = gene_syntax::analysis::LintConfig::default();
    let everything = {
        let mut db = RootDatabase::new();
        let file = db.set_file("all.gene".into(), text.clone());
        gene_syntax::analysis::diagnostics(&db, file, &config)
    };
    assert!(everything.len() > 80, "{}", everything.len());

    let (mut db, log) = RootDatabase::with_execution_log();
    db::limit_chunk_memos(&mut db, 8);
    let file = db.set_file("bounded.gene".into(), text);
    let mut syntax = Vec::new();
    db::visit_chunks_bounded(&mut db, file, 4, |db, at| {
        let _ = gene_syntax::analysis::chunk_lint(db, at.chunk);
        let _ = gene_syntax::analysis::symbols::chunk_symbols(db, at.chunk);
        let _ = gene_syntax::analysis::config::chunk_allowed(db, at.chunk);
        let errors = db::chunk_syntax_diagnostics(db, at.chunk);
        syntax.extend(errors.iter().map(|d| d.shifted(at.offset)));
    });
    // The pass keeps one memo per chunk (the database's bookkeeping for each memo is more than
    // most chunks' text): no tree, forms, walk, definitions or allow comments of their own.
    for query in [
        "parse_chunk",
        "chunk_forms",
        "chunk_analysis",
        "chunk_symbols_kept",
        "chunk_allowed_kept",
    ] {
        assert_eq!(executions(&log, query), Vec::<String>::new(), "{query}");
    }
    assert_eq!(
        executions(&log, "chunk_facts").len(),
        db::chunks(&db, file).len()
    );
    // `gene check` follows the imports after the pass: loading a file is a new revision, in
    // which the kept results are verified without their dropped inputs being made again.
    db.set_file("imported.gene".into(), "(fn helper _ 1)\n".into());
    clear(&log);
    // What `gene check` does: the syntax errors gathered on the way, the lint diagnostics from
    // the per-chunk results kept.
    let mut bounded = syntax;
    bounded.extend(config.apply(gene_syntax::analysis::lint_diagnostics(&db, file)));
    bounded.sort_by_key(|d| (d.range.start(), d.range.end()));
    assert_eq!(bounded, everything);
    for query in ["parse_chunk", "chunk_analysis"] {
        assert_eq!(
            executions(&log, query),
            Vec::<String>::new(),
            "the file-level analysis reads what the pass computed"
        );
    }
    // The first chunk's forms and walk were dropped: asking for them walks it again.
    let first = db::chunks(&db, file)[0].chunk;
    let _ = gene_syntax::analysis::chunk_analysis(&db, first);
    assert_eq!(executions(&log, "chunk_analysis").len(), 1);
    assert_eq!(executions(&log, "parse_chunk").len(), 1);
}
