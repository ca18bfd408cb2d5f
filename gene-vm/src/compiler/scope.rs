//! Scopes and variables: slots, declarations, name resolution (local, capture or namespace)
//! and the patching of a local's declarations into cells when an inner function captures it.

use super::{Compiler, Resolved, Scope, Var};
use crate::bytecode::{CaptureFrom, Const, LocalInfo, Op};

impl Compiler {
    pub(super) fn begin_scope(&mut self) {
        let f = self.f();
        let slot_base = f.next_slot;
        f.scopes.push(Scope {
            vars: Vec::new(),
            slot_base,
        });
    }

    pub(super) fn end_scope(&mut self) {
        let here = self.pos();
        let f = self.f();
        if let Some(scope) = f.scopes.pop() {
            for v in scope.vars {
                let var = &f.vars[v];
                f.locals.push(LocalInfo {
                    name: var.name.clone(),
                    slot: var.slot,
                    start: var.start,
                    end: here,
                });
            }
            f.next_slot = scope.slot_base;
        }
    }

    pub(super) fn alloc_slot(&mut self) -> u32 {
        let f = self.f();
        let slot = f.next_slot;
        f.next_slot += 1;
        f.max_slot = f.max_slot.max(f.next_slot);
        slot
    }

    /// A new binding in the innermost scope; the caller emits its declaring op.
    pub(super) fn declare(&mut self, name: &str, is_param: bool) -> usize {
        let slot = self.alloc_slot();
        let start = self.pos();
        let f = self.f();
        let export = f.export_top_level && f.scopes.len() == 1 && !is_param;
        f.vars.push(Var {
            name: name.to_string(),
            slot,
            captured: export,
            is_param,
            decls: Vec::new(),
            start,
        });
        let v = f.vars.len() - 1;
        if let Some(scope) = f.scopes.last_mut() {
            scope.vars.push(v);
        }
        v
    }

    /// Declares `name` and pops the top of the stack into it.
    pub(super) fn declare_and_init(&mut self, name: &str) -> u32 {
        let v = self.declare(name, false);
        self.init_var(v);
        self.fr().vars[v].slot
    }

    pub(super) fn init_var(&mut self, v: usize) {
        let (slot, captured) = {
            let var = &self.fr().vars[v];
            (var.slot, var.captured)
        };
        let at = self.emit(if captured {
            Op::InitCell(slot)
        } else {
            Op::InitLocal(slot)
        });
        self.f().vars[v].decls.push(at);
    }

    /// A slot for compiler temporaries (loop counters, `$ex`), freed with its scope.
    pub(super) fn hidden_slot(&mut self) -> u32 {
        self.alloc_slot()
    }

    pub(super) fn resolve(&mut self, name: &str) -> Resolved {
        let top = self.fns.len() - 1;
        match self.resolve_in(top, name) {
            Some((true, slot)) => Resolved::Local(slot),
            Some((false, index)) => Resolved::Capture(index),
            None => Resolved::Global,
        }
    }

    /// (is_local, slot-or-capture-index) of `name` in function `fi`.
    pub(super) fn resolve_in(&mut self, fi: usize, name: &str) -> Option<(bool, u32)> {
        if let Some(v) = self.fns[fi].find_var(name) {
            return Some((true, self.fns[fi].vars[v].slot));
        }
        if let Some(i) = self.fns[fi].captures.iter().position(|(n, _)| n == name) {
            return Some((false, i as u32));
        }
        if self.fns[fi].opaque {
            return None;
        }
        let from = if fi == 0 {
            let i = self.env.iter().rposition(|n| n == name)?;
            CaptureFrom::Slot(i as u32)
        } else {
            let parent = fi - 1;
            match self.resolve_in(parent, name)? {
                (true, slot) => {
                    self.mark_captured(parent, name);
                    CaptureFrom::Slot(slot)
                }
                (false, index) => CaptureFrom::Capture(index),
            }
        };
        let f = &mut self.fns[fi];
        f.captures.push((name.to_string(), from));
        Some((false, (f.captures.len() - 1) as u32))
    }

    pub(super) fn mark_captured(&mut self, fi: usize, name: &str) {
        let f = &mut self.fns[fi];
        let Some(v) = f.find_var(name) else { return };
        if f.vars[v].captured {
            return;
        }
        f.vars[v].captured = true;
        let slot = f.vars[v].slot;
        if f.vars[v].is_param {
            f.cell_params.push(slot);
        }
        for &at in &f.vars[v].decls {
            if let Some(op) = f.ops.get_mut(at) {
                *op = Op::InitCell(slot);
            }
        }
    }

    pub(super) fn load_var(&mut self, name: &str) {
        match self.resolve(name) {
            Resolved::Local(slot) => {
                self.emit(Op::LoadLocal(slot));
            }
            Resolved::Capture(i) => {
                self.emit(Op::LoadCapture(i));
            }
            Resolved::Global => {
                let n = self.name_index(name);
                self.emit(Op::LoadName(n));
            }
        }
    }

    /// Stores the top of the stack into a bound name, keeping it on the stack.
    pub(super) fn store_var(&mut self, name: &str) {
        match self.resolve(name) {
            Resolved::Local(slot) => {
                self.emit(Op::StoreLocal(slot));
            }
            Resolved::Capture(i) => {
                self.emit(Op::StoreCapture(i));
            }
            Resolved::Global => {
                let n = self.name_index(name);
                self.emit(Op::StoreName(n));
            }
        }
    }

    /// Variables published at the end of a REPL input.
    pub(super) fn emit_exports(&mut self) {
        if !self.fr().export_top_level {
            return;
        }
        let f = self.fr();
        let mut exports: Vec<(String, u32)> = Vec::new();
        if let Some(scope) = f.scopes.first() {
            for &v in &scope.vars {
                let var = &f.vars[v];
                exports.retain(|(n, _)| n != &var.name);
                exports.push((var.name.clone(), var.slot));
            }
        }
        if !exports.is_empty() {
            let i = self.add_const(Const::Exports(exports));
            self.emit(Op::Export(i));
        }
    }
}
