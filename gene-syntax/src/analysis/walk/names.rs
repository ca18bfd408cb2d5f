//! Paths and templates: the name uses the walk finds inside them.

use rowan::TextRange;

use super::{Checker, Pos, record_method_use, use_facts_for};
use crate::analysis::facts::UseFacts;
use crate::form::{Form, FormKind};

impl Checker<'_> {
    /// Marks the variables a template's unquotes name as read (without reporting unknown
    /// names: a template may be rendered where they exist).
    pub(super) fn template_reads(&mut self, form: &Form, depth: usize) {
        if depth > crate::parser::MAX_DEPTH as usize {
            return;
        }
        match &form.kind {
            FormKind::Unquote { form: inner, .. } => {
                let mut names = Vec::new();
                collect_names(inner, self.text, &mut names, 0);
                for (name, range) in names {
                    let facts = UseFacts {
                        read: true,
                        ..Default::default()
                    };
                    self.use_name_reporting(&name, range, facts, false);
                }
            }
            FormKind::Gene(g) => {
                self.template_reads(&g.head, depth + 1);
                g.children
                    .iter()
                    .for_each(|c| self.template_reads(c, depth + 1));
                g.props
                    .iter()
                    .for_each(|p| self.template_reads(&p.value, depth + 1));
            }
            FormKind::Array(items) | FormKind::Set(items) => {
                items.iter().for_each(|c| self.template_reads(c, depth + 1))
            }
            FormKind::Map(props) => props
                .iter()
                .for_each(|p| self.template_reads(&p.value, depth + 1)),
            FormKind::Quote(inner) => self.template_reads(inner, depth + 1),
            _ => {}
        }
    }

    pub(super) fn path(&mut self, segments: &[String], range: TextRange, pos: Pos) {
        let Some(first) = segments.first() else {
            return;
        };
        match first.as_str() {
            // `/x` is self/x; `$ns/x` a namespace member; `gene/...` a builtin path.
            "" | "$ns" | "gene" | "genex" | "global" | "." => {}
            name if name.starts_with('$') => {}
            name => {
                // Reading a member or calling a method through a path (`f/.state`) reads the
                // variable; the value itself may flow anywhere.
                let mut facts = use_facts_for(pos);
                facts.read = true;
                if let Some(method) = segments.get(1).and_then(|s| s.strip_prefix('.')) {
                    record_method_use(&mut facts, method, range);
                }
                self.use_name(name, path_head_range(self.text, range), facts);
            }
        }
    }
}

/// The range of the first segment of the path at `range` in `text`: up to its first `/`. Taken
/// from the source, not from the decoded name, whose length differs when it holds escapes
/// (`\é/x` names `é`).
fn path_head_range(text: &str, range: TextRange) -> TextRange {
    let source = text.get(std::ops::Range::<usize>::from(range));
    let head_len = source
        .and_then(|s| s.find('/'))
        .map_or(range.len(), |n| rowan::TextSize::from(n as u32));
    TextRange::at(range.start(), head_len)
}

/// The symbols (and path heads) in a form, with their ranges in `text`.
fn collect_names(form: &Form, text: &str, out: &mut Vec<(String, TextRange)>, depth: usize) {
    if depth > crate::parser::MAX_DEPTH as usize {
        return;
    }
    match &form.kind {
        FormKind::Symbol(s) => out.push((s.clone(), form.range)),
        FormKind::Path(segments) => {
            if let Some(first) = segments.first().filter(|f| !f.is_empty()) {
                out.push((first.clone(), path_head_range(text, form.range)));
            }
        }
        FormKind::Gene(g) => {
            collect_names(&g.head, text, out, depth + 1);
            g.children
                .iter()
                .for_each(|c| collect_names(c, text, out, depth + 1));
            g.props
                .iter()
                .for_each(|p| collect_names(&p.value, text, out, depth + 1));
        }
        FormKind::Array(items) | FormKind::Set(items) => items
            .iter()
            .for_each(|c| collect_names(c, text, out, depth + 1)),
        FormKind::Map(props) => props
            .iter()
            .for_each(|p| collect_names(&p.value, text, out, depth + 1)),
        _ => {}
    }
}
