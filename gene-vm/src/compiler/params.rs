//! Parameter lists and destructuring patterns (the same rules serve `fn`, `fnx`, methods,
//! blocks, macros, `match` and `for`).

use gene_syntax::form::{Form, FormKind};

use super::Compiler;
use crate::bytecode::{Op, ParamKind, ParamSlot};

impl Compiler {
    /// Declares the parameters of the function being compiled and emits its prologue (defaults
    /// evaluated at call time, destructuring).
    pub(super) fn compile_params(&mut self, params: &Form) {
        let mut slots: Vec<ParamSlot> = Vec::new();
        let mut defaults: Vec<(u32, Form)> = Vec::new();
        let mut patterns: Vec<(u32, Form)> = Vec::new();
        match &params.kind {
            FormKind::Symbol(s) if s == "_" => {
                // No parameters, any arguments dropped: what binding plain positional
                // parameters does with none, so a call with no arguments is direct.
                self.f().params.ignore_all = true;
                self.f().params.simple = true;
                return;
            }
            FormKind::Symbol(s) => {
                let (kind, name) = match s.strip_suffix("...") {
                    Some(n) if !n.is_empty() => (ParamKind::Rest, n),
                    _ => (ParamKind::Positional, s.as_str()),
                };
                let v = self.declare(name, true);
                let slot = self.fr().vars[v].slot;
                slots.push(ParamSlot {
                    kind,
                    slot,
                    has_default: false,
                });
            }
            FormKind::Array(items) => {
                let mut i = 0;
                while i < items.len() {
                    let item = &items[i];
                    match &item.kind {
                        FormKind::Symbol(s) if s == "_" => {
                            let slot = self.hidden_slot();
                            slots.push(ParamSlot {
                                kind: ParamKind::Skip,
                                slot,
                                has_default: false,
                            });
                        }
                        FormKind::Symbol(s) if s.len() > 1 && s.starts_with('^') => {
                            let name = &s[1..];
                            let v = self.declare(name, true);
                            let slot = self.fr().vars[v].slot;
                            let has_default =
                                items.get(i + 1).is_some_and(|f| f.as_symbol() == Some("="));
                            if has_default {
                                if let Some(d) = items.get(i + 2) {
                                    defaults.push((slot, d.clone()));
                                }
                                i += 2;
                            }
                            slots.push(ParamSlot {
                                kind: ParamKind::Named(name.to_string()),
                                slot,
                                has_default,
                            });
                        }
                        FormKind::Symbol(s) if s.len() > 3 && s.ends_with("...") => {
                            let v = self.declare(&s[..s.len() - 3], true);
                            let slot = self.fr().vars[v].slot;
                            slots.push(ParamSlot {
                                kind: ParamKind::Rest,
                                slot,
                                has_default: false,
                            });
                        }
                        FormKind::Symbol(s) => {
                            let v = self.declare(s, true);
                            let slot = self.fr().vars[v].slot;
                            let has_default =
                                items.get(i + 1).is_some_and(|f| f.as_symbol() == Some("="));
                            if has_default {
                                match items.get(i + 2) {
                                    Some(d) => defaults.push((slot, d.clone())),
                                    None => {
                                        defaults.push((slot, Form::new(FormKind::Nil, item.range)))
                                    }
                                }
                                i += 2;
                            }
                            slots.push(ParamSlot {
                                kind: ParamKind::Positional,
                                slot,
                                has_default,
                            });
                        }
                        FormKind::Array(_) => {
                            let slot = self.hidden_slot();
                            slots.push(ParamSlot {
                                kind: ParamKind::Positional,
                                slot,
                                has_default: false,
                            });
                            patterns.push((slot, item.clone()));
                        }
                        _ => {
                            self.emit_fail(
                                "SyntaxError",
                                "a parameter must be a name, _, ^name, name..., or a [pattern]",
                            );
                            self.emit(Op::Pop);
                        }
                    }
                    i += 1;
                }
            }
            _ => {
                // Point at the parameter form itself, not the whole definition.
                let outer = std::mem::replace(&mut self.range, params.range);
                self.emit_fail(
                    "SyntaxError",
                    "parameters must be _, a name, or a [list] (a function without parameters \
                     is written `(fn name [] body...)`)",
                );
                self.emit(Op::Pop);
                self.range = outer;
            }
        }
        let simple = slots
            .iter()
            .all(|s| s.kind == ParamKind::Positional && !s.has_default)
            && patterns.is_empty();
        {
            let f = self.f();
            f.params.slots = slots;
            f.params.simple = simple;
        }
        for (slot, default) in defaults {
            let skip = self.emit(Op::JumpIfGiven(slot.min(u16::MAX as u32) as u16, 0));
            self.compile(&default, false);
            self.emit(Op::StoreLocal(slot));
            self.emit(Op::Pop);
            self.patch_here(skip);
        }
        for (slot, pattern) in patterns {
            self.emit(Op::LoadLocal(slot));
            self.compile_destructure(&pattern);
        }
    }

    /// Pops the value on the stack and binds it to the pattern (a name or a [list]) as new
    /// variables in the current scope.
    pub(super) fn compile_destructure(&mut self, pattern: &Form) {
        let items = match &pattern.kind {
            FormKind::Symbol(name) => {
                self.declare_and_init(name);
                return;
            }
            FormKind::Array(items) => items,
            _ => {
                self.emit(Op::Pop);
                self.emit_fail("SyntaxError", "a pattern must be a name or a [list]");
                self.emit(Op::Pop);
                return;
            }
        };
        let hidden = self.hidden_slot();
        self.emit(Op::InitLocal(hidden));
        let mut index: i32 = 0;
        let mut i = 0;
        while i < items.len() {
            let item = &items[i];
            match &item.kind {
                FormKind::Symbol(s) if s == "_" => index += 1,
                FormKind::Symbol(s) if s.len() > 1 && s.starts_with('^') => {
                    self.emit(Op::LoadLocal(hidden));
                    let m = self.name_index(&s[1..]);
                    self.emit(Op::GetMember(m));
                    self.declare_and_init(&s[1..]);
                }
                FormKind::Symbol(s) if s.len() > 3 && s.ends_with("...") => {
                    self.emit(Op::LoadLocal(hidden));
                    self.emit(Op::Int(index));
                    let m = self.name_index("slice");
                    self.emit(Op::CallMethod(m, 1));
                    self.declare_and_init(&s[..s.len() - 3]);
                }
                FormKind::Symbol(s) => {
                    self.emit(Op::LoadLocal(hidden));
                    self.emit(Op::GetIndex(index));
                    if items.get(i + 1).is_some_and(|f| f.as_symbol() == Some("=")) {
                        if let Some(default) = items.get(i + 2) {
                            let keep = self.emit(Op::OrJump(0));
                            self.compile(default, false);
                            self.patch_here(keep);
                        }
                        i += 2;
                    }
                    self.declare_and_init(s);
                    index += 1;
                }
                FormKind::Array(_) => {
                    self.emit(Op::LoadLocal(hidden));
                    self.emit(Op::GetIndex(index));
                    self.compile_destructure(item);
                    index += 1;
                }
                _ => {
                    self.emit_fail(
                        "SyntaxError",
                        "a pattern element must be a name, _, ^name, name... or a [list]",
                    );
                    self.emit(Op::Pop);
                }
            }
            i += 1;
        }
    }
}
