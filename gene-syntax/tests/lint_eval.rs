//! Precision and recall of the lint rules on a set of snippets written like the rules' fixtures
//! (`data/lint_eval/*.gene`): each snippet starts with `# --- CODE` and marks with `«...»` the
//! ranges where `CODE` must report; a snippet with no marks is a trap, where it must not.
//! Run with `--nocapture` to see the numbers per rule.

use std::collections::BTreeMap;

use gene_syntax::db::{RootDatabase, SourceFile};
use gene_syntax::{TextRange, TextSize};

/// (code, text, expected ranges) for every snippet of every file.
fn snippets() -> Vec<(String, String, Vec<TextRange>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lint_eval");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("lint_eval data")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable");
        for part in text.split("# --- ").skip(1) {
            let (code, body) = part.split_once('\n').expect("a code line");
            let (body, ranges) = strip_markers(body);
            out.push((code.trim().to_string(), body, ranges));
        }
    }
    out
}

fn strip_markers(marked: &str) -> (String, Vec<TextRange>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut open = Vec::new();
    for c in marked.chars() {
        match c {
            '«' => open.push(TextSize::of(text.as_str())),
            '»' => {
                let start = open.pop().expect("balanced markers");
                ranges.push(TextRange::new(start, TextSize::of(text.as_str())));
            }
            c => text.push(c),
        }
    }
    (text, ranges)
}

#[derive(Default)]
struct Counts {
    true_pos: usize,
    false_pos: usize,
    false_neg: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        let found = self.true_pos + self.false_pos;
        if found == 0 {
            1.0
        } else {
            self.true_pos as f64 / found as f64
        }
    }
    fn recall(&self) -> f64 {
        let expected = self.true_pos + self.false_neg;
        if expected == 0 {
            1.0
        } else {
            self.true_pos as f64 / expected as f64
        }
    }
}

#[test]
fn precision_and_recall_on_the_evaluation_snippets() {
    let mut by_rule: BTreeMap<String, Counts> = BTreeMap::new();
    let mut misses = Vec::new();
    for (code, text, expected) in snippets() {
        let db = RootDatabase::new();
        let file = SourceFile::new(&db, "eval.gene".into(), text.clone().into());
        let found: Vec<TextRange> = gene_syntax::analysis::lint_diagnostics(&db, file)
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.range)
            .collect();
        let counts = by_rule.entry(code.clone()).or_default();
        for range in &found {
            if expected.contains(range) {
                counts.true_pos += 1;
            } else {
                counts.false_pos += 1;
                misses.push(format!(
                    "{code} false positive «{}» in:\n{text}",
                    &text[*range]
                ));
            }
        }
        for range in &expected {
            if !found.contains(range) {
                counts.false_neg += 1;
                misses.push(format!("{code} missed «{}» in:\n{text}", &text[*range]));
            }
        }
    }
    let mut total = Counts::default();
    for (code, c) in &by_rule {
        println!(
            "{code}: tp {} fp {} fn {}: precision {:.2} recall {:.2}",
            c.true_pos,
            c.false_pos,
            c.false_neg,
            c.precision(),
            c.recall()
        );
        total.true_pos += c.true_pos;
        total.false_pos += c.false_pos;
        total.false_neg += c.false_neg;
    }
    println!(
        "all: tp {} fp {} fn {}: precision {:.3} recall {:.3}",
        total.true_pos,
        total.false_pos,
        total.false_neg,
        total.precision(),
        total.recall()
    );
    for miss in &misses {
        println!("{miss}");
    }
    assert!(
        total.precision() >= 0.95 && total.recall() >= 0.95,
        "precision {:.3} recall {:.3}:\n{}",
        total.precision(),
        total.recall(),
        misses.join("\n")
    );
}
