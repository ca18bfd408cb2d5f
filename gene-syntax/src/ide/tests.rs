//! IDE features with marker fixtures: `$0` is the cursor.

use rowan::{TextRange, TextSize};

use crate::db::{RootDatabase, SourceFile};

fn fixture(text: &str) -> (RootDatabase, SourceFile, TextSize) {
    let offset = text.find("$0").expect("a $0 marker");
    let clean = text.replacen("$0", "", 1);
    let mut db = RootDatabase::new();
    let file = db.set_file("main.gene".into(), clean);
    (db, file, TextSize::from(offset as u32))
}

fn slice(db: &RootDatabase, file: SourceFile, range: TextRange) -> String {
    file.text(db)[std::ops::Range::<usize>::from(range)].to_string()
}

#[test]
fn definition_of_locals_params_functions_and_shadowing() {
    let (db, file, at) = fixture("(fn area [w h] (w * h$0))");
    let nav = super::definition(&db, file, at).unwrap();
    assert_eq!(nav.range, TextRange::new(12.into(), 13.into()));

    let (db, file, at) = fixture("(fn helper [x] x)\n(fn main _ (hel$0per 1))");
    let nav = super::definition(&db, file, at).unwrap();
    assert_eq!(slice(&db, file, nav.range), "helper");
    assert_eq!(nav.range.start(), TextSize::from(4));

    // A local `var` shadows the namespace function of the same name.
    let (db, file, at) = fixture("(fn f _ 1)\n(fn g _ (var f 2) (println f$0))");
    let nav = super::definition(&db, file, at).unwrap();
    assert_eq!(slice(&db, file, nav.range), "f");
    assert!(
        nav.range.start() > TextSize::from(10),
        "the local, not the function"
    );

    let (db, file, at) = fixture("(println$0 1)");
    assert_eq!(
        super::definition(&db, file, at),
        None,
        "builtins have no source"
    );
}

#[test]
fn references_highlights_and_rename_across_files() {
    let mut db = RootDatabase::new();
    let lib = db.set_file("proj/lib.gene".into(), "(fn ^^async fetch [x] x)\n".into());
    let main = db.set_file(
        "proj/main.gene".into(),
        "(import fetch from \"lib\")\n(await (fetch 1))\n(await (fetch 2))\n".into(),
    );
    let at = TextSize::from(main.text(&db).find("fetch 1").unwrap() as u32);
    let refs = super::references(&db, main, at, true);
    let in_main = refs.iter().filter(|n| n.file == main).count();
    let in_lib = refs.iter().filter(|n| n.file == lib).count();
    assert_eq!(
        (in_main, in_lib),
        (3, 1),
        "two calls and the import in main, the definition in lib: {refs:?}"
    );

    let edits = super::rename(&db, main, at, "load").unwrap();
    assert_eq!(edits.len(), 4);
    assert!(edits.iter().all(|(_, e)| e.new_text == "load"));
    assert!(super::rename(&db, main, at, "not valid").is_err());

    let (db, file, at) = fixture("(var count 0)\n(count += 1)\n(println cou$0nt)");
    assert_eq!(super::highlights(&db, file, at).len(), 3);
    let (db, file, at) = fixture("(printl$0n 1)");
    assert!(
        super::prepare_rename(&db, file, at)
            .unwrap_err()
            .contains("builtin")
    );
}

#[test]
fn hover_shows_signatures_docs_and_builtin_text() {
    let (db, file, at) = fixture(
        "# Sums two numbers.\n# Really.\n(fn ^^async add [a b = 1 rest...] (a + b))\n(ad$0d 1)",
    );
    let hover = super::hover(&db, file, at).unwrap();
    assert!(
        hover
            .markdown
            .contains("(fn ^^async add [a b = 1 rest...])"),
        "{}",
        hover.markdown
    );
    assert!(
        hover.markdown.contains("Sums two numbers.\nReally."),
        "{}",
        hover.markdown
    );
    assert!(
        hover.markdown.contains("Returns a future"),
        "{}",
        hover.markdown
    );

    let (db, file, at) = fixture("(gene/io/read_as$0ync \"f\")");
    let hover = super::hover(&db, file, at).unwrap();
    assert!(
        hover.markdown.contains("returns a future"),
        "{}",
        hover.markdown
    );

    let (db, file, at) = fixture("(var f (gene/sleep_async 1))\n(f .on_succ$0ess (fnx [v] v))");
    assert!(
        super::hover(&db, file, at)
            .unwrap()
            .markdown
            .contains("on_success")
    );
    let (db, file, at) = fixture("(i$0f true 1 2)");
    assert!(
        super::hover(&db, file, at)
            .unwrap()
            .markdown
            .contains("special form")
    );
}

#[test]
fn completion_of_scope_paths_methods_and_snippets() {
    let labels = |text: &str| -> Vec<String> {
        let (db, file, at) = fixture(text);
        super::completions(&db, file, at)
            .into_iter()
            .map(|c| c.label)
            .collect()
    };
    let got = labels("(fn f [alpha] (var beta 1) (println al$0))");
    assert!(got.contains(&"alpha".to_string()), "{got:?}");
    let got = labels("(fn f [alpha] (var beta 1) (println b$0))");
    assert!(got.contains(&"beta".to_string()), "{got:?}");
    let got = labels("(fn f [] 1)\n(fn g [] (var inner 1) 2)\n(in$0)");
    assert!(!got.contains(&"inner".to_string()), "out of scope: {got:?}");
    let got = labels("(gene/io/$0)");
    assert!(got.contains(&"gene/io/read_async".to_string()), "{got:?}");
    let got = labels("(gene/$0)");
    assert!(
        got.contains(&"gene/io".to_string()) && got.contains(&"gene/println".to_string()),
        "{got:?}"
    );
    let got = labels("(ns util (fn twice [x] (x * 2)) (ns deep (fn f [] 1)))\n(util/t$0)");
    assert_eq!(got, ["util/twice"]);
    let got = labels("(ns util (fn twice [x] (x * 2)) (ns deep (fn f [] 1)))\n(util/deep/$0)");
    assert_eq!(got, ["util/deep/f"]);
    let got = labels("(var fut (gene/sleep_async 1))\n(fut .$0)");
    assert!(
        got.contains(&".on_success".to_string()) && got.contains(&".cancel".to_string()),
        "{got:?}"
    );
    assert!(
        !got.contains(&".to_upper".to_string()),
        "a future has no string methods: {got:?}"
    );
    let (db, file, at) = fixture("(f$0)");
    let items = super::completions(&db, file, at);
    let snippet = items
        .iter()
        .find(|c| c.label == "fn")
        .expect("an fn snippet");
    assert!(
        snippet.snippet
            && snippet
                .insert_text
                .as_deref()
                .unwrap()
                .contains("${1:name}")
    );
}

#[test]
fn signature_help_tracks_the_active_parameter() {
    let (db, file, at) = fixture("(fn area [w h] (w * h))\n(area 3 $0)");
    let help = super::signature_help(&db, file, at).unwrap();
    assert_eq!(help.label, "(area w h)");
    assert_eq!(help.active_parameter, Some(1));
    let (db, file, at) = fixture("(gene/io/write $0)");
    assert_eq!(
        super::signature_help(&db, file, at)
            .unwrap()
            .active_parameter,
        Some(0)
    );
}

#[test]
fn outline_folding_and_selection() {
    let (db, file, _) = fixture(
        "$0(fn ^^async f [] 1)\n(class A\n  (.ctor [x] (/x = x))\n  (.fn m _ 1))\n(var top 1)\n# one\n# two\n(ns n (fn g _ 2))",
    );
    let symbols = super::document_symbols(&db, file);
    let names: Vec<(&str, super::SymbolKind)> =
        symbols.iter().map(|s| (s.name.as_str(), s.kind)).collect();
    assert_eq!(
        names,
        [
            ("f", super::SymbolKind::Function),
            ("A", super::SymbolKind::Class),
            ("top", super::SymbolKind::Variable),
            ("n", super::SymbolKind::Namespace)
        ]
    );
    assert_eq!(symbols[0].detail.as_deref(), Some("^^async"));
    assert_eq!(symbols[1].children.len(), 2);
    let folds = super::folding_ranges(&db, file);
    assert!(folds.iter().any(|f| f.kind == super::FoldKind::Region));
    assert!(folds.iter().any(|f| f.kind == super::FoldKind::Comment));
    assert_eq!(
        super::workspace_symbols(&db, "G")
            .iter()
            .map(|(_, s)| s.name.as_str())
            .collect::<Vec<_>>(),
        ["g"]
    );

    let (db, file, at) = fixture("(f (g x$0y) z)");
    let ranges = &super::selection_ranges(&db, file, &[at])[0];
    let texts: Vec<String> = ranges.iter().map(|r| slice(&db, file, *r)).collect();
    assert_eq!(texts[0], "xy");
    assert!(
        texts.contains(&"(g xy)".to_string()) && texts.contains(&"(f (g xy) z)".to_string()),
        "{texts:?}"
    );
}

#[test]
fn semantic_tokens_and_inlay_hints() {
    use super::TokenKind::*;
    let (db, file, _) =
        fixture("$0(fn ^^async job [ms] (await (gene/sleep_async ms)) ms) # c\n(job {^k 1})");
    let tokens = super::semantic_tokens(&db, file);
    let kind_of = |text: &str, nth: usize| {
        let start = file.text(&db).match_indices(text).nth(nth).unwrap().0;
        tokens
            .iter()
            .find(|t| usize::from(t.range.start()) == start)
            .map(|t| (t.kind, t.modifiers.0))
    };
    assert_eq!(kind_of("fn", 0), Some((Keyword, 0)));
    assert_eq!(
        kind_of("job", 0),
        Some((
            Function,
            super::TokenModifiers::DECLARATION | super::TokenModifiers::ASYNC
        ))
    );
    assert_eq!(kind_of("ms", 0).map(|k| k.0), Some(Parameter));
    assert_eq!(
        kind_of("job", 1),
        Some((Function, super::TokenModifiers::ASYNC))
    );
    assert_eq!(kind_of("^k", 0).map(|k| k.0), Some(Property));
    assert_eq!(kind_of("# c", 0).map(|k| k.0), Some(Comment));
    assert_eq!(kind_of("1", 0).map(|k| k.0), Some(Number));

    let (db, file, _) = fixture("$0(fn ^^async job [] 1)\n(var f (job))\n(await (job))");
    let hints = super::inlay_hints(&db, file, TextRange::up_to(TextSize::of(&**file.text(&db))));
    assert_eq!(
        hints.len(),
        1,
        "only the call that is not awaited: {hints:?}"
    );
}

#[test]
fn questions_about_one_form_see_the_top_level_variables_before_it() {
    // A top-level variable used two forms later: definition, references, completion.
    let (db, file, at) = fixture("(var total 0)\n(fn f [] 1)\n(println tot$0al)\n(total += 1)");
    let nav = super::definition(&db, file, at).unwrap();
    assert_eq!(nav.range, TextRange::new(5.into(), 10.into()));
    assert_eq!(super::references(&db, file, at, true).len(), 3);
    let (db, file, at) = fixture("(var total 0)\n(fn f [] 1)\n(println to$0)");
    let got: Vec<String> = super::completions(&db, file, at)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(got.contains(&"total".to_string()), "{got:?}");
    // A local of another form is not offered; one of this form is.
    let (db, file, at) = fixture("(fn g [] (var hidden 1))\n(fn h [] (var shown 1) (println $0))");
    let got: Vec<String> = super::completions(&db, file, at)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(
        got.contains(&"shown".to_string()) && !got.contains(&"hidden".to_string()),
        "{got:?}"
    );
}

#[test]
fn a_cursor_right_after_a_name_at_the_end_of_a_form_finds_it() {
    // The cursor sits where the next top-level form begins.
    let (db, file, at) = fixture("(var answer 42)\nanswer$0\n(println 1)");
    let nav = super::definition(&db, file, at).unwrap();
    assert_eq!(slice(&db, file, nav.range), "answer");
    assert_eq!(nav.range.start(), TextSize::from(5));
    // References of a local stay in its form; the name in another form is another local.
    let (db, file, at) = fixture("(fn a [x] (x + x$0))\n(fn b [x] x)");
    let refs = super::references(&db, file, at, true);
    assert_eq!(refs.len(), 3, "{refs:?}");
    assert!(refs.iter().all(|n| n.range.end() < TextSize::from(19)));
}
