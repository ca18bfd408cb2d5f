//! Hover: signatures and docs for definitions, locals and builtins.

use rowan::{TextRange, TextSize};

use super::index::{Target, target_at};
use crate::analysis::facts::{DeclKind, LocalDecl};
use crate::analysis::symbols::{Def, DefKind, FnShape, ParamKind, Params};
use crate::builtins::{self, Builtin, BuiltinKind};
use crate::db::{Db, SourceFile};
use crate::{SyntaxKind, decode};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// Markdown.
    pub markdown: String,
    pub range: TextRange,
}

pub fn hover(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<Hover> {
    if let Some((range, target)) = target_at(db, file, offset) {
        let markdown = match target {
            Target::Local { decl, .. } => local_hover(&decl),
            Target::Def { def, .. } => def_hover(&def),
            Target::Builtin(b) => builtin_hover(b),
            Target::Unresolved(name) if !name.is_empty() => format!("`{name}` is not defined"),
            Target::Unresolved(_) => return None,
        };
        return Some(Hover { markdown, range });
    }
    // Names the walk does not record: special-form heads, builtin paths, methods.
    let token = super::token_at(db, file, offset)?;
    if token.kind() == SyntaxKind::LINE_COMMENT || token.kind() == SyntaxKind::BLOCK_COMMENT {
        return comment_code_hover(&token, offset);
    }
    if token.kind() != SyntaxKind::SYMBOL {
        return None;
    }
    let text = decode::decode_symbol(token.text());
    let range = token.text_range();
    if let Some(method) = text.strip_prefix('.') {
        let entries: Vec<&Builtin> = builtins::methods_named(method).collect();
        if entries.is_empty() {
            return None;
        }
        let markdown = entries
            .iter()
            .map(|b| builtin_hover(b))
            .collect::<Vec<_>>()
            .join("\n\n---\n\n");
        return Some(Hover { markdown, range });
    }
    let builtin =
        builtins::lookup(&text).or_else(|| crate::analysis::symbols::unqualified_builtin(&text))?;
    Some(Hover {
        markdown: builtin_hover(builtin),
        range,
    })
}

/// The documentation of a diagnostic code (`A001`, `N002`, `E001` ...): the lint rule's doc or
/// the syntax error's explanation, as `gene check --explain` prints them. Markdown.
pub fn code_doc(code: &str) -> Option<String> {
    if let Some(rule) = crate::analysis::rule(code) {
        return Some(format!(
            "**{}** `{}` ({})\n\n{}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.doc_text()
        ));
    }
    let kind = crate::SyntaxErrorKind::from_code(code)?;
    Some(format!(
        "**{}** `{}` (error)\n\n{}",
        kind.code(),
        kind.name(),
        kind.explanation()
    ))
}

/// A diagnostic code inside a comment (`# gene: allow(A004)`): its documentation.
fn comment_code_hover(token: &crate::SyntaxToken, offset: TextSize) -> Option<Hover> {
    let text = token.text();
    let at = usize::from(offset.checked_sub(token.text_range().start())?);
    let is_code_char = |c: char| c.is_ascii_alphanumeric();
    let start = text
        .get(..at)?
        .rfind(|c: char| !is_code_char(c))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)?
        .find(|c: char| !is_code_char(c))
        .map_or(text.len(), |i| at + i);
    let word = text.get(start..end)?;
    let is_code = word.len() == 4
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word[1..].chars().all(|c| c.is_ascii_digit());
    if !is_code {
        return None;
    }
    let markdown = code_doc(word)?;
    let range = TextRange::new(
        token.text_range().start() + TextSize::from(start as u32),
        token.text_range().start() + TextSize::from(end as u32),
    );
    Some(Hover { markdown, range })
}

fn code_block(text: &str) -> String {
    format!("```gene\n{text}\n```")
}

/// `[a b = ... rest... ^k]` for display.
pub(crate) fn params_text(params: &Params) -> String {
    if params.ignores_all {
        return "_".to_string();
    }
    let parts: Vec<String> = params
        .params
        .iter()
        .filter(|p| p.kind != ParamKind::Pattern || !p.name.is_empty())
        .map(|p| match p.kind {
            ParamKind::Required => p.name.clone(),
            ParamKind::Optional => match &p.default {
                Some(default) => {
                    format!("{} = {}", p.name, crate::printer::form_to_string(default))
                }
                None => p.name.clone(),
            },
            ParamKind::Rest => format!("{}...", p.name),
            ParamKind::Named => format!("^{}", p.name),
            ParamKind::Skip => "_".to_string(),
            ParamKind::Pattern => "[...]".to_string(),
        })
        .collect();
    format!("[{}]", parts.join(" "))
}

fn flags(shape: &FnShape) -> String {
    let mut out = String::new();
    if shape.is_async {
        out.push_str("^^async ");
    }
    if shape.is_generator {
        out.push_str("^^generator ");
    }
    out
}

fn def_hover(def: &Def) -> String {
    let (signature, note) = match &def.kind {
        DefKind::Function(shape) => (
            format!(
                "(fn {}{} {})",
                flags(shape),
                def.name,
                params_text(&shape.params)
            ),
            if shape.is_async {
                "\n\nReturns a future: `await` it for the value."
            } else {
                ""
            },
        ),
        DefKind::Macro(shape) => (
            format!("(macro {} {})", def.name, params_text(&shape.params)),
            "\n\nA macro: its arguments are passed as unevaluated forms.",
        ),
        DefKind::Class => (format!("(class {})", def.name), ""),
        DefKind::Namespace => (format!("(ns {})", def.name), ""),
        DefKind::Variable => (format!("(var $ns/{})", def.name), ""),
    };
    let doc = def
        .doc
        .as_deref()
        .map(|d| format!("\n\n{d}"))
        .unwrap_or_default();
    format!("{}{note}{doc}", code_block(&signature))
}

fn local_hover(decl: &LocalDecl) -> String {
    let what = match decl.kind {
        DeclKind::Variable => "local variable",
        DeclKind::Parameter => "parameter",
        DeclKind::LoopVariable => "loop variable",
        DeclKind::Enum => "enum",
        DeclKind::Import => "imported name",
    };
    let mut out = match &decl.callable {
        Some(shape) => code_block(&format!(
            "(fnx {}{})  # {}",
            flags(shape),
            params_text(&shape.params),
            decl.name
        )),
        None => code_block(&decl.name),
    };
    out.push_str(&format!("\n\n{what}"));
    if decl.future {
        out.push_str(", holding a future: `await` it for the value");
    }
    out
}

pub(crate) fn builtin_hover(b: &Builtin) -> String {
    let kind = match b.kind {
        BuiltinKind::SpecialForm => "special form",
        BuiltinKind::Operator => "operator",
        BuiltinKind::Function => "builtin function",
        BuiltinKind::Method => "method",
        BuiltinKind::Class => "builtin class",
        BuiltinKind::Value => "builtin value",
    };
    let mut notes = Vec::new();
    if b.flags.returns_future {
        notes.push("returns a future");
    }
    if b.flags.blocking {
        notes.push("blocks the whole program");
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" — {}", notes.join(", "))
    };
    format!(
        "{}\n\n*{kind}*{notes}\n\n{}",
        code_block(&b.signature()),
        b.doc
    )
}
