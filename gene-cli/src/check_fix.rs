//! `gene check --fix` and `--diff`: applying the analysis's quick fixes to a file.
//!
//! Ruff's convention: `--fix` applies the fixes marked safe (they keep the program's meaning
//! apart from the problem they fix), `--unsafe-fixes` the others too. Fixes are applied in
//! rounds (a fix can reveal another problem, or clash with one chosen in the same round) until
//! none is left; a round whose result does not parse is not kept, and a file that has syntax
//! errors to begin with is not touched.

use std::path::Path;

use gene_syntax::analysis::{self, LintConfig};
use gene_syntax::db::{self, RootDatabase};
use gene_syntax::{Diagnostic, Fix, TextEdit, TextRange};
use salsa::Setter;

use super::source;

/// How many rounds of fixes one file gets at most (each round applies every fix that does not
/// clash with another; a clash waits for the next round).
const MAX_ROUNDS: usize = 10;

/// One fix that was applied: where its diagnostic was (1-based, in the text it was applied to).
pub struct Applied {
    pub code: &'static str,
    pub line: u32,
    pub column: u32,
    pub title: String,
}

/// What fixing a file gave.
pub enum Outcome {
    /// The fixed text, different from the file's, and the fixes that made it.
    Fixed { text: String, applied: Vec<Applied> },
    /// Nothing to fix.
    Unchanged,
    /// The file has syntax errors: it is left alone.
    SyntaxErrors,
    /// A round of fixes gave text that does not parse: nothing is kept from that round on.
    WouldBreak,
}

/// Fixes the file at `path` in memory (its imports are loaded, so the analysis sees what
/// `gene check` sees).
pub fn fix_file(
    path: &Path,
    config: &LintConfig,
    unsafe_fixes: bool,
) -> Result<(String, Outcome), source::LoadError> {
    let mut db = RootDatabase::new();
    let loaded = source::load(&mut db, path)?;
    let file = loaded.file;
    let original = file.text(&db).to_string();
    if !loaded.read_diagnostics.is_empty() || !db::syntax_diagnostics(&db, file).is_empty() {
        return Ok((original, Outcome::SyntaxErrors));
    }
    let mut applied = Vec::new();
    let mut text = original.clone();
    let mut broke = false;
    for _ in 0..MAX_ROUNDS {
        let diagnostics = analysis::diagnostics(&db, file, config);
        let chosen = choose(&diagnostics, unsafe_fixes);
        if chosen.is_empty() {
            break;
        }
        let next = apply(&text, &chosen);
        if !gene_syntax::parse_text(&next).errors().is_empty() {
            broke = true;
            break;
        }
        let index = db::line_index(&db, file);
        for (diagnostic, fix) in &chosen {
            let at = index.line_col_chars(diagnostic.range.start());
            applied.push(Applied {
                code: diagnostic.code,
                line: at.line + 1,
                column: at.col + 1,
                title: fix.title.clone(),
            });
        }
        text = next;
        file.set_text(&mut db).to(text.clone().into());
    }
    let outcome = if text != original {
        Outcome::Fixed {
            text: text.clone(),
            applied,
        }
    } else if broke {
        Outcome::WouldBreak
    } else {
        Outcome::Unchanged
    };
    Ok((original, outcome))
}

/// The first fix of each diagnostic that may be applied, leaving out any whose edits clash with
/// one already chosen.
fn choose(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<(&Diagnostic, &Fix)> {
    let mut chosen: Vec<(&Diagnostic, &Fix)> = Vec::new();
    for diagnostic in diagnostics {
        let Some(fix) = diagnostic
            .fixes
            .iter()
            .find(|f| (f.safe || unsafe_fixes) && !f.edits.is_empty())
        else {
            continue;
        };
        let clashes = fix.edits.iter().any(|e| {
            chosen
                .iter()
                .flat_map(|(_, f)| &f.edits)
                .any(|c| edits_clash(e.range, c.range))
        });
        if !clashes {
            chosen.push((diagnostic, fix));
        }
    }
    chosen
}

/// Can two edits not both be applied? Overlapping replacements clash; so do two insertions at
/// one point (their order would be a guess) and an insertion inside a replaced range.
fn edits_clash(a: TextRange, b: TextRange) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start() == b.start(),
        (true, false) => b.start() < a.start() && a.start() < b.end(),
        (false, true) => a.start() < b.start() && b.start() < a.end(),
        (false, false) => a.start() < b.end() && b.start() < a.end(),
    }
}

/// The text with the chosen fixes' edits applied (they do not clash).
fn apply(text: &str, chosen: &[(&Diagnostic, &Fix)]) -> String {
    let mut edits: Vec<&TextEdit> = chosen.iter().flat_map(|(_, f)| &f.edits).collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start(), e.range.end())));
    let mut out = text.to_string();
    for edit in edits {
        let range = std::ops::Range::<usize>::from(edit.range);
        if out.is_char_boundary(range.start)
            && out.is_char_boundary(range.end)
            && range.end <= out.len()
        {
            out.replace_range(range, &edit.new_text);
        }
    }
    out
}

/// A unified diff of the file's text before and after, with `path` in its headers.
pub fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&shown, &shown)
        .to_string()
}
