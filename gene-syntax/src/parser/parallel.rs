//! Lexing, splitting and parsing a big file on two threads.
//!
//! A file is cut at a line that starts with `(` near its middle, and each half is lexed, split
//! into top-level chunks and parsed on a thread of its own, with a tree builder of its own. When
//! the first half ends between two top-level items (no string, comment, interpolation or form
//! open at the cut), the halves are exactly the whole file's tokens and chunks, and since chunks
//! parse independently, their parses are the whole file's: green trees compare by content, and
//! which tokens a builder shares is invisible. When the cut falls inside a string or a form, the
//! file is done again on one thread. Either way the result is what one pass gives (property tests
//! and the fuzz target check it, forcing the two threads on small inputs).
//!
//! Small files are done on the calling thread (starting a thread costs about as much as parsing
//! a few kilobytes), and so is everything on a machine with one core or when a thread cannot be
//! started.

use std::ops::Range;
use std::sync::OnceLock;

use rowan::{TextRange, TextSize};

use super::TreeBuilder;
use super::split::split_top_level_checked;
use crate::lexer::{Lexed, lex_part};

/// Texts shorter than this many bytes are done on the calling thread only.
pub const PARALLEL_FROM: usize = 64 * 1024;

/// A text lexed, split into chunks (token indices and byte ranges) and parsed.
pub(crate) struct Part<R> {
    pub lexed: Lexed,
    /// The chunks; or, when the caller does not need them, one piece holding the whole text.
    pub chunks: Vec<(Range<usize>, TextRange)>,
    pub parsed: R,
}

/// Does the caller need the chunks of the text, or can each part be parsed as one piece (which
/// gives the same tree and errors)?
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    Chunks,
    OnePiece,
}

pub(crate) enum Parts<R> {
    /// The whole text, on one thread.
    One(Part<R>),
    /// The text before `cut` and the text from `cut`, each with offsets from its own start. The
    /// first ends between two top-level items: the two give the whole text's tokens and chunks,
    /// except that a last chunk of the first that holds only trivia is, in the whole text, the
    /// leading trivia of the second's first chunk.
    Two {
        first: Part<R>,
        second: Part<R>,
        cut: usize,
    },
}

/// A part's chunks: token indices and byte ranges.
pub(crate) type Chunks<'a> = &'a [(Range<usize>, TextRange)];

/// Lexes, splits and parses `text`, on two threads when it has at least `parallel_from` bytes
/// and a place to cut. `parse` is given a part's text, its lexing (errors sorted by start), its
/// chunks and a tree builder to use and give back; `builder` is the one used on this thread.
pub(crate) fn lex_split_parse<R: Send>(
    text: &str,
    parallel_from: usize,
    split: Split,
    builder: TreeBuilder,
    parse: impl Fn(&str, &Lexed, Chunks<'_>, TreeBuilder) -> (R, TreeBuilder) + Sync,
) -> (Parts<R>, TreeBuilder) {
    let whole = |builder| {
        let (part, builder) = run(text, split, builder, &parse);
        (Parts::One(part), builder)
    };
    let halves = (text.len() >= parallel_from && cores() >= 2)
        .then(|| cut_near_middle(text))
        .flatten()
        .and_then(|cut| Some((cut, text.get(..cut)?, text.get(cut..)?)));
    let Some((cut, before, after)) = halves else {
        return whole(builder);
    };
    std::thread::scope(|scope| {
        let parse = &parse;
        let worker = std::thread::Builder::new()
            .name("gene-parse".into())
            .spawn_scoped(scope, move || {
                run(after, split, TreeBuilder::for_text_len(after.len()), parse).0
            });
        let Ok(worker) = worker else {
            return whole(builder);
        };
        let (lexed, chunks, between_items) = lex_and_split(before, split, true);
        if !between_items {
            // The cut is inside a string, a comment or a form: the halves are not the file's.
            // Known before parsing the first half; the second is parsed meanwhile, for nothing.
            return whole(builder);
        }
        let (first, builder) = parse_part(before, lexed, chunks, builder, parse);
        match worker.join() {
            Ok(second) => (Parts::Two { first, second, cut }, builder),
            // The lexer and parser do not panic; should they ever, the panic goes on from here
            // as it would have on one thread.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Lexes, splits and parses one text.
fn run<R>(
    text: &str,
    split: Split,
    builder: TreeBuilder,
    parse: &impl Fn(&str, &Lexed, Chunks<'_>, TreeBuilder) -> (R, TreeBuilder),
) -> (Part<R>, TreeBuilder) {
    let (lexed, chunks, _) = lex_and_split(text, split, false);
    parse_part(text, lexed, chunks, builder, parse)
}

/// Lexes and splits one text (as `split` asks, or to check its end when `check_end`). Tells
/// whether the text ends between two top-level items, when `check_end`.
fn lex_and_split(
    text: &str,
    split: Split,
    check_end: bool,
) -> (Lexed, Vec<(Range<usize>, TextRange)>, bool) {
    let (mut lexed, lexer_at_top_level) = lex_part(text);
    lexed.errors.sort_by_key(|e| e.range.start());
    let (mut chunks, between_items) = match split == Split::Chunks || check_end {
        true => split_top_level_checked(&lexed.tokens),
        false => (Vec::new(), false),
    };
    if split == Split::OnePiece {
        chunks = vec![(0..lexed.tokens.len(), TextRange::up_to(TextSize::of(text)))];
    }
    (lexed, chunks, lexer_at_top_level && between_items)
}

fn parse_part<R>(
    text: &str,
    lexed: Lexed,
    chunks: Vec<(Range<usize>, TextRange)>,
    builder: TreeBuilder,
    parse: &impl Fn(&str, &Lexed, Chunks<'_>, TreeBuilder) -> (R, TreeBuilder),
) -> (Part<R>, TreeBuilder) {
    let (parsed, builder) = parse(text, &lexed, &chunks, builder);
    let part = Part {
        lexed,
        chunks,
        parsed,
    };
    (part, builder)
}

/// Where to cut `text` in two: the first `(` after the middle that starts a line.
fn cut_near_middle(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let middle = bytes.len() / 2;
    let at = bytes.get(middle..)?.windows(2).position(|w| w == b"\n(")?;
    Some(middle + at + 1)
}

/// How many threads can run at once here, asked once.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks' texts, in order, and whether two threads did them.
    fn chunk_texts(text: &str, parallel_from: usize) -> (Vec<String>, bool) {
        let collect = |text: &str, _: &Lexed, chunks: Chunks<'_>, builder| {
            let texts: Vec<String> = chunks
                .iter()
                .map(|(_, r)| text[usize::from(r.start())..usize::from(r.end())].to_string())
                .collect();
            (texts, builder)
        };
        let builder = TreeBuilder::for_text_len(0);
        match lex_split_parse(text, parallel_from, Split::Chunks, builder, collect).0 {
            Parts::One(part) => (part.parsed, false),
            Parts::Two { first, second, .. } => {
                let mut texts = first.parsed;
                texts.extend(second.parsed);
                (texts, true)
            }
        }
    }

    #[test]
    fn small_texts_stay_on_one_thread() {
        let (texts, two) = chunk_texts("(a)\n(b)\n", PARALLEL_FROM);
        assert_eq!(
            (texts, two),
            (vec!["(a)".into(), "\n(b)".into(), "\n".into()], false)
        );
    }

    #[test]
    fn a_cut_between_forms_gives_the_halves_and_one_inside_a_form_does_not() {
        if cores() < 2 {
            return;
        }
        // Cut before `(c)`: the first half's trailing newline stays a chunk of its own.
        let (texts, two) = chunk_texts("(a)\n(b)\n(c)\n", 0);
        assert!(two);
        assert_eq!(texts, ["(a)", "\n(b)", "\n", "(c)", "\n"]);
        // The line that starts with `(` is inside a string, then inside a form.
        for text in ["(a \"\n(b)\n(c)\n\")", "(a (x)\n(b)\n(c)\n)"] {
            assert!(!chunk_texts(text, 0).1, "{text:?}");
        }
    }
}
