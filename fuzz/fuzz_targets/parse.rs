//! Fuzzes the parser on raw bytes: no panic, a lossless tree, the chunked parse equal to the
//! whole-file parse and to the database's parse (chunk by chunk, from the file's lexing on a
//! first split and from each chunk's own lexing after an edit; chunks on one thread and on two),
//! lowering without panics, and error ranges inside the text.

#![no_main]

use gene_syntax::db::{self, RootDatabase, SourceFile};
use gene_syntax::{TextSize, parse_bytes, parse_whole};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let (text, parse) = parse_bytes(bytes);
    assert_eq!(parse.syntax_node().to_string(), text, "lossless");

    let whole = parse_whole(&text);
    assert_eq!(parse.green(), whole.green(), "chunked and whole-file trees differ");
    let utf8_errors = parse.errors().iter().filter(|e| e.code() == "E013").count();
    assert_eq!(parse.errors().len(), whole.errors().len() + utf8_errors);

    let mut database = RootDatabase::default();
    let file: SourceFile = database.set_file("fuzz.gene".into(), text.clone());
    assert_eq!(db::parse(&database, file).green(), parse.green(), "database tree differs");
    assert_eq!(db::parse(&database, file).errors(), whole.errors());

    let len = TextSize::of(text.as_str());
    for e in parse.errors() {
        assert!(e.range.end() <= len, "{e:?} outside the text");
        assert!(text.is_char_boundary(e.range.start().into()));
        assert!(text.is_char_boundary(e.range.end().into()));
        for r in &e.related {
            assert!(r.range.end() <= len, "{r:?} outside the text");
        }
    }
    let forms = parse.forms();
    assert_eq!(&db::file_forms(&database, file)[..], &forms[..]);

    // The chunks divided between two threads, as a big file's are: the same tree and errors.
    let two_threads = RootDatabase::with_parallel_parse_from(0);
    let file2 = SourceFile::new(&two_threads, "fuzz.gene".into(), text.clone());
    assert_eq!(db::parse(&two_threads, file2).green(), parse.green(), "two-thread tree differs");
    assert_eq!(db::parse(&two_threads, file2).errors(), whole.errors());

    // An edit: the text doubled, split again from the previous chunks; new chunks are lexed on
    // their own.
    let doubled = format!("{text}\n{text}");
    database.set_file("fuzz.gene".into(), doubled.clone());
    let direct = gene_syntax::parse_text(&doubled);
    assert_eq!(db::parse(&database, file).green(), direct.green(), "edited tree differs");
    assert_eq!(db::parse(&database, file).errors(), direct.errors());
});
