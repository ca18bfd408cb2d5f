//! Function breakpoints: a function is named `f`, or `Class.f` for a method (a function
//! defined in a class or namespace body); a breakpoint `f` also takes the methods named `f`,
//! and `Class/f` is `Class.f`. A bound breakpoint patches the function's first line start.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::{Debugger, PatchKind, key};
use crate::bytecode::Proto;
use crate::vm::Vm;
use crate::vm::code::Code;

/// The names of the functions defined in `text`, as function breakpoints name them (see
/// [`Debugger::names`]).
pub fn function_names(text: &str) -> BTreeSet<String> {
    let parse = gene_syntax::parse_text(text);
    let proto = crate::compiler::compile_module(&parse.forms(), "");
    let mut names = BTreeSet::new();
    let mut todo = vec![(&proto, String::new())];
    while let Some((p, name)) = todo.pop() {
        if !name.is_empty() {
            names.insert(name.clone());
        }
        for child in &p.protos {
            todo.push((child, qualified_name(p, &child.name)));
        }
    }
    names
}

/// A function's name for function breakpoints: `Class.f` when `parent` is a class or
/// namespace body, `f` otherwise; empty for the bodies themselves and for blocks.
pub(super) fn qualified_name(parent: &Proto, name: &str) -> String {
    if name.is_empty() || name.starts_with('<') {
        return String::new();
    }
    if parent.kind == crate::bytecode::ProtoKind::Body && !parent.name.is_empty() {
        format!("{}.{name}", parent.name)
    } else {
        name.to_string()
    }
}

/// Whether the function breakpoint `breakpoint` (`f`, `Class.f`, `Class/f`) names the function
/// `qualified` (`f`, `Class.f`): a method is found by its name alone too.
pub fn function_matches(breakpoint: &str, qualified: &str) -> bool {
    let wanted = breakpoint.trim().replace('/', ".");
    !wanted.is_empty()
        && (wanted == qualified
            || qualified
                .strip_suffix(wanted.as_str())
                .is_some_and(|class| class.ends_with('.')))
}

impl Vm {
    /// Sets the function breakpoints (replacing the earlier ones): each stops at the first line
    /// of the functions it names ([`function_matches`]), loaded now or later. Gives whether
    /// each names a loaded function.
    pub fn debug_set_function_breakpoints(&mut self, names: &[String]) -> Vec<bool> {
        let Some(d) = self.debug.as_deref_mut() else {
            return vec![false; names.len()];
        };
        let codes = d.codes.clone();
        for c in &codes {
            d.unpatch(c, PatchKind::Function);
        }
        d.functions = names.to_vec();
        d.bound.clear();
        d.patch_functions(&codes);
        names.iter().map(|n| d.bound.contains(n)).collect()
    }
}

impl Debugger {
    /// Patches the first line start of each code in `codes` that a function breakpoint names;
    /// gives the breakpoints bound for the first time.
    pub(super) fn patch_functions(&mut self, codes: &[Rc<Code>]) -> Vec<String> {
        let mut found = Vec::new();
        if self.functions.is_empty() {
            return found;
        }
        for c in codes {
            let Some(name) = self.names.get(&key(c)).cloned() else {
                continue;
            };
            let wanted: Vec<String> = self
                .functions
                .iter()
                .filter(|f| function_matches(f, &name))
                .cloned()
                .collect();
            if wanted.is_empty() {
                continue;
            }
            if let Some(first) = self.starts.get(&key(c)).and_then(|s| s.first().copied()) {
                self.patch_at(c, first.ip, PatchKind::Function);
            }
            for f in wanted {
                if self.bound.insert(f.clone()) {
                    found.push(f);
                }
            }
        }
        found
    }
}
