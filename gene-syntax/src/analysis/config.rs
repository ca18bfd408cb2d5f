//! Turning rules off or re-levelling them: `gene.toml` for a project, and
//! `# gene: allow(A004)` comments for one form.
//!
//! ```toml
//! [lint]
//! allow = ["A006", "unused-variable"]   # codes or names
//!
//! [lint.severity]
//! A004 = "warning"                       # error | warning | info | hint
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rowan::TextRange;

use super::rules;
use crate::diagnostic::{Diagnostic, Severity};
use crate::{SyntaxKind, SyntaxNode};

/// The lint settings of a project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    allowed: HashSet<&'static str>,
    severity: HashMap<&'static str, Severity>,
}

/// The name of the project configuration file, looked for in the file's folder and upwards.
pub const CONFIG_FILE: &str = "gene.toml";

impl LintConfig {
    /// Reads the `[lint]` table of a `gene.toml`. Unknown rule codes and bad values are errors
    /// that name the problem, so a typo does not silently keep a rule on.
    pub fn from_toml(text: &str) -> Result<LintConfig, String> {
        let value: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let mut config = LintConfig::default();
        let Some(lint) = value.get("lint") else {
            return Ok(config);
        };
        let lint = lint.as_table().ok_or("`lint` must be a table")?;
        for (key, item) in lint {
            match key.as_str() {
                "allow" => {
                    let list = item
                        .as_array()
                        .ok_or("`lint.allow` must be an array of rule codes or names")?;
                    for entry in list {
                        let name = entry
                            .as_str()
                            .ok_or("`lint.allow` entries must be strings")?;
                        config.allowed.insert(rule_code(name)?);
                    }
                }
                "severity" => {
                    let table = item
                        .as_table()
                        .ok_or("`lint.severity` must be a table of rule = level")?;
                    for (name, level) in table {
                        let level = level
                            .as_str()
                            .ok_or_else(|| format!("the level of `{name}` must be a string"))?;
                        let severity = match level {
                            "error" => Severity::Error,
                            "warning" => Severity::Warning,
                            "info" => Severity::Info,
                            "hint" => Severity::Hint,
                            "allow" | "off" => {
                                config.allowed.insert(rule_code(name)?);
                                continue;
                            }
                            other => {
                                return Err(format!(
                                    "unknown level `{other}` for `{name}` (error, warning, info, hint, allow)"
                                ));
                            }
                        };
                        config.severity.insert(rule_code(name)?, severity);
                    }
                }
                other => {
                    return Err(format!(
                        "unknown key `lint.{other}` (expected `allow` or `severity`)"
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Finds and reads the `gene.toml` nearest to `file` (its folder, then each parent).
    pub fn discover(file: &Path) -> Result<Option<(PathBuf, LintConfig)>, String> {
        let start = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let start = if start.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            start
        };
        let start = start.canonicalize().unwrap_or(start);
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_FILE);
            if candidate.is_file() {
                let text = std::fs::read_to_string(&candidate)
                    .map_err(|e| format!("cannot read {}: {e}", candidate.display()))?;
                let config = LintConfig::from_toml(&text)
                    .map_err(|e| format!("{}: {e}", candidate.display()))?;
                return Ok(Some((candidate, config)));
            }
        }
        Ok(None)
    }

    pub fn allow(&mut self, code: &'static str) {
        self.allowed.insert(code);
    }

    /// The diagnostics this configuration keeps, with their severities adjusted.
    pub fn apply(&self, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .filter(|d| !self.allowed.contains(d.code))
            .map(|d| match self.severity.get(d.code) {
                Some(&severity) => Diagnostic {
                    severity,
                    ..d.clone()
                },
                None => d.clone(),
            })
            .collect()
    }
}

fn rule_code(name: &str) -> Result<&'static str, String> {
    rules::rule(name)
        .map(|r| r.code)
        .ok_or_else(|| format!("unknown rule `{name}` (see `gene rules`)"))
}

/// The ranges that `# gene: allow(CODE, ...)` comments turn rules off in, with the codes. A
/// comment applies to the form that follows it on the next line, or to the form it ends the
/// line of.
pub fn allowed_ranges(root: &SyntaxNode) -> Vec<(TextRange, Vec<&'static str>)> {
    let mut allowed = Vec::new();
    for token in root
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if token.kind() != SyntaxKind::LINE_COMMENT {
            continue;
        }
        let Some(codes) = parse_allow_comment(token.text()) else {
            continue;
        };
        // Walk back on the comment's line: another form there means the comment ends that
        // form's line; a newline means the comment has its own line and applies to the next
        // form; reaching the start of the chunk means it ends the line of the previous chunk's
        // form, which only the caller knows (an empty range at the chunk start stands for it).
        let mut before = token.prev_sibling_or_token();
        let mut trailing_of = None;
        let mut own_line = false;
        while let Some(element) = before {
            if element.kind() == SyntaxKind::WHITESPACE && element.to_string().contains('\n') {
                own_line = true;
                break;
            }
            if !element.kind().is_trivia() {
                trailing_of = Some(element);
                break;
            }
            before = element.prev_sibling_or_token();
        }
        let at_chunk_start = !own_line
            && trailing_of.is_none()
            && token.parent().is_some_and(|p| p.parent().is_none());
        if at_chunk_start {
            allowed.push((TextRange::empty(0.into()), codes));
            continue;
        }
        let target = match trailing_of {
            Some(element) => Some(element),
            None => {
                std::iter::successors(token.next_sibling_or_token(), |e| e.next_sibling_or_token())
                    .find(|e| !e.kind().is_trivia())
            }
        };
        if let Some(target) = target {
            allowed.push((target.text_range(), codes));
        }
    }
    allowed
}

/// The allow comments of one chunk: where each turns off which rules (ranges relative to the
/// chunk).
pub type ChunkAllowed = [(TextRange, Vec<&'static str>)];

/// The allow comments of one chunk (ranges relative to the chunk), from the batch facts of a
/// batch tool (see [`crate::db::limit_chunk_memos`]).
pub fn chunk_allowed<'db>(
    db: &'db dyn crate::db::Db,
    chunk: crate::db::Chunk<'db>,
) -> &'db ChunkAllowed {
    if crate::db::is_batch(db) {
        return super::chunk_facts(db, chunk).allowed();
    }
    chunk_allowed_kept(db, chunk)
}

/// [`chunk_allowed`], kept per chunk. Most chunks have none, and are not walked at all.
/// Boxed: the database keeps this for every chunk of a file.
#[salsa::tracked(returns(ref))]
fn chunk_allowed_kept<'db>(
    db: &'db dyn crate::db::Db,
    chunk: crate::db::Chunk<'db>,
) -> Box<ChunkAllowed> {
    if !may_allow(chunk.text(db)) {
        return Box::default();
    }
    let green = crate::db::parse_chunk(db, chunk).green.clone();
    allowed_ranges(&SyntaxNode::new_root(green)).into()
}

/// Whether a chunk's text may hold an allow comment (most do not, and are not walked).
pub(super) fn may_allow(text: &str) -> bool {
    text.contains("gene:")
}

/// Removes the diagnostics that an allow comment of the file turns off.
pub fn apply_allow_comments(
    db: &dyn crate::db::Db,
    file: crate::db::SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut allowed: Vec<(TextRange, &Vec<&'static str>)> = Vec::new();
    let mut previous_chunk: Option<TextRange> = None;
    for at in crate::db::chunks(db, file) {
        for (range, codes) in chunk_allowed(db, at.chunk) {
            // An empty range at the chunk start stands for the previous chunk's form.
            let range = match previous_chunk {
                _ if !(range.is_empty() && range.start() == 0.into()) => *range + at.offset,
                Some(prev) => prev,
                // At the start of the file: the comment's own chunk, that is the next form.
                None => crate::db::chunk_range(db, at),
            };
            allowed.push((range, codes));
        }
        previous_chunk = Some(crate::db::chunk_range(db, at));
    }
    if allowed.is_empty() {
        return;
    }
    let keep = not_allowed(&mut allowed, diagnostics);
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
}

/// For each diagnostic, whether no allow comment turns it off. One sweep in source order rather
/// than every comment against every diagnostic (a big file can have many of both): the ranges
/// that start before a diagnostic and may still hold it are kept on a stack; the ranges of allow
/// comments are forms, nested or apart, so the stack holds the forms around the diagnostic.
fn not_allowed(
    allowed: &mut [(TextRange, &Vec<&'static str>)],
    diagnostics: &[Diagnostic],
) -> Vec<bool> {
    allowed.sort_by_key(|(range, _)| (range.start(), std::cmp::Reverse(range.end())));
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| diagnostics[i].range.start());
    let mut keep = vec![true; diagnostics.len()];
    let mut open: Vec<(TextRange, &Vec<&'static str>)> = Vec::new();
    let mut next = allowed.iter().peekable();
    for i in order {
        let d = &diagnostics[i];
        while let Some(&&entry) = next.peek() {
            if entry.0.start() > d.range.start() {
                break;
            }
            // A range that ends before this diagnostic starts holds no later one either.
            while open.last().is_some_and(|(r, _)| r.end() < d.range.start()) {
                open.pop();
            }
            open.push(entry);
            next.next();
        }
        while open.last().is_some_and(|(r, _)| r.end() < d.range.start()) {
            open.pop();
        }
        keep[i] = !open
            .iter()
            .any(|(range, codes)| range.contains_range(d.range) && codes.contains(&d.code));
    }
    keep
}

/// `# gene: allow(A004, unused-variable)` -> the rule codes.
fn parse_allow_comment(text: &str) -> Option<Vec<&'static str>> {
    let body = text.trim_start_matches('#').trim();
    let list = body.strip_prefix("gene:")?.trim().strip_prefix("allow(")?;
    let list = list.split(')').next()?;
    Some(
        list.split(',')
            .filter_map(|name| rules::rule(name.trim()).map(|r| r.code))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rowan::{TextRange, TextSize};

    use super::not_allowed;
    use crate::diagnostic::{Diagnostic, Severity};

    fn range((start, len): (u32, u32)) -> TextRange {
        TextRange::at(TextSize::from(start), TextSize::from(len))
    }

    proptest! {
        /// The sweep turns off exactly what comparing every comment with every diagnostic
        /// does, whatever the ranges (nested, apart, overlapping, empty, equal).
        #[test]
        fn the_sweep_agrees_with_comparing_every_pair(
            comments in prop::collection::vec(((0u32..60, 0u32..30), 0usize..2), 0..12),
            found in prop::collection::vec(((0u32..60, 0u32..10), 0usize..2), 0..30),
        ) {
            let codes = [vec!["A001"], vec!["N001", "A001"]];
            let diagnostics: Vec<Diagnostic> = found
                .iter()
                .map(|&(at, code)| {
                    Diagnostic::new(range(at), Severity::Warning, ["A001", "N001"][code], "")
                })
                .collect();
            let mut allowed: Vec<(TextRange, &Vec<&'static str>)> =
                comments.iter().map(|&(at, c)| (range(at), &codes[c])).collect();
            let expected: Vec<bool> = diagnostics
                .iter()
                .map(|d| {
                    !allowed
                        .iter()
                        .any(|(r, codes)| r.contains_range(d.range) && codes.contains(&d.code))
                })
                .collect();
            prop_assert_eq!(not_allowed(&mut allowed, &diagnostics), expected);
        }
    }
}
