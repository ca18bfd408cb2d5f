//! Writes a big Gene file for measuring `gene check`: the conformance programs concatenated and
//! repeated until the file reaches the size asked for, each repetition with the programs'
//! top-level definitions renamed (`name` -> `name_r7`), so that no two repetitions have the same
//! chunks (the database interns chunks by their text: repeated text would cost nothing).
//! Programs with syntax errors are left out: an unclosed form would swallow the rest of the
//! file into one top-level form.
//! `cargo run --release -p gene-syntax --example big_check_input MEGABYTES OUT [CORPUS_DIR]`

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gene_syntax::SyntaxKind;
use gene_syntax::form::FormKind;

/// The heads of the top-level forms that define a name.
const DEFINING: &[&str] = &["fn", "var", "class", "ns", "macro", "enum", "fnx", "fnxx"];

/// The names the top-level forms of `text` define.
fn defined_names(text: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for form in gene_syntax::parse_text(text).forms() {
        let FormKind::Gene(gene) = &form.kind else {
            continue;
        };
        if !gene.head.as_symbol().is_some_and(|h| DEFINING.contains(&h)) {
            continue;
        }
        if let Some(name) = gene.children.first().and_then(|c| c.as_symbol()) {
            names.insert(name.to_string());
        }
    }
    names
}

/// `text` with every symbol naming one of `names` (alone, or as the head of a path) suffixed.
fn renamed(text: &str, names: &HashSet<String>, suffix: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0usize;
    for token in gene_syntax::lexer::tokenize(text).0 {
        let len = usize::from(token.len);
        let piece = &text[at..at + len];
        at += len;
        out.push_str(piece);
        if token.kind == SyntaxKind::SYMBOL {
            let head = piece.split('/').next().unwrap_or(piece);
            if names.contains(head) {
                // Insert the suffix right after the head, before any `/member`.
                let rest = &piece[head.len()..];
                out.truncate(out.len() - piece.len());
                out.push_str(head);
                out.push_str(suffix);
                out.push_str(rest);
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(megabytes), Some(out)) = (
        args.get(1).and_then(|m| m.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: big_check_input MEGABYTES OUT [CORPUS_DIR]");
        std::process::exit(2);
    };
    let corpus = args
        .get(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| {
            eprintln!("cannot read {}: {e}", corpus.display());
            std::process::exit(2);
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .collect();
    paths.sort();
    let programs: Vec<(String, HashSet<String>)> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|text| gene_syntax::parse_text(text).errors().is_empty())
        .map(|text| {
            let names = defined_names(&text);
            (text, names)
        })
        .collect();
    let target = megabytes * 1_000_000;
    let mut text = String::with_capacity(target + 100_000);
    let mut round = 0usize;
    while text.len() < target && !programs.is_empty() {
        let suffix = format!("_r{round}");
        for (program, names) in &programs {
            text.push_str(&renamed(program, names, &suffix));
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        round += 1;
    }
    if let Err(e) = std::fs::write(out, &text) {
        eprintln!("cannot write {out}: {e}");
        std::process::exit(2);
    }
    println!("{out}: {} bytes, {round} rounds", text.len());
}
