//! `try`/`catch`/`finally` and `throw`. `finally` code is compiled inline on every exit path;
//! [`Compiler::unwind_tries`] emits it for jumps (`return`, `break`, `continue`) leaving tries.
//! A jump out of a `finally` block itself is a compile error ([`Compiler::refuse_jump_out_of_finally`]).

use gene_syntax::analysis::rules::{JUMP_OUT_OF_FINALLY, jump_out_of_finally_message};
use gene_syntax::form::Form;

use super::control::is_sym;
use super::{Compiler, TryCtx};
use crate::bytecode::Op;

impl Compiler {
    /// Runs the `finally` blocks and pops the handlers of the tries from `from` outward, for a
    /// jump leaving them.
    pub(super) fn unwind_tries(&mut self, from: usize) {
        let count = self.fr().tries.len();
        for index in (from..count).rev() {
            let (handler, finally) = {
                let t = &self.fr().tries[index];
                (t.handler, t.finally.clone())
            };
            if handler {
                self.emit(Op::PopHandler);
            }
            if let Some(body) = finally {
                let saved: Vec<TryCtx> = self.f().tries.drain(index..).collect();
                self.compile_finally(&body);
                self.f().tries.extend(saved);
            }
            if let Some(iter) = self.fr().tries.get(index).and_then(|t| t.iter) {
                self.emit_iter_close(iter);
            }
        }
    }

    /// `return`, `break` or `continue` leaving a `finally` block: a compile error (G002, the
    /// analysis rule with the same message), and code that throws a SyntaxError if reached
    /// (code run by `eval`). The block is compiled once per exit path of its `try`; the error
    /// is reported once.
    pub(super) fn refuse_jump_out_of_finally(&mut self, jump: &str) {
        let message = jump_out_of_finally_message(jump);
        let range = self.range;
        let reported = self
            .errors
            .iter()
            .any(|d| d.range == range && d.code == JUMP_OUT_OF_FINALLY);
        if !reported {
            self.errors.push(gene_syntax::Diagnostic::new(
                range,
                gene_syntax::Severity::Error,
                JUMP_OUT_OF_FINALLY,
                message.clone(),
            ));
        }
        self.emit_fail("SyntaxError", message);
    }

    pub(super) fn compile_finally(&mut self, body: &[Form]) {
        self.f().in_finally += 1;
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.f().in_finally -= 1;
    }

    pub(super) fn compile_throw(&mut self, ch: &[Form]) {
        match ch {
            [] => {
                self.emit(Op::Nil);
            }
            [v] => self.compile(v, false),
            [class, args @ ..] => {
                // (throw Cls "message"): a new instance.
                self.compile(class, false);
                for a in args {
                    self.compile(a, false);
                }
                self.emit(Op::New(args.len() as u32));
            }
        }
        self.emit(Op::Throw);
        self.f().depth += 1;
    }

    pub(super) fn compile_try(&mut self, ch: &[Form]) {
        // Split into body, catch clauses and finally.
        let mut i = 0;
        while i < ch.len() && !is_sym(&ch[i], "catch") && !is_sym(&ch[i], "finally") {
            i += 1;
        }
        let body = &ch[..i];
        let mut clauses: Vec<(&Form, &[Form])> = Vec::new();
        let mut finally: Option<Vec<Form>> = None;
        while i < ch.len() {
            if is_sym(&ch[i], "finally") {
                finally = Some(ch[i + 1..].to_vec());
                break;
            }
            // catch Pattern handler...
            let Some(pattern) = ch.get(i + 1) else {
                return self.emit_fail("SyntaxError", "catch needs a pattern (a class or *)");
            };
            let start = i + 2;
            let mut end = start;
            while end < ch.len() && !is_sym(&ch[end], "catch") && !is_sym(&ch[end], "finally") {
                end += 1;
            }
            clauses.push((pattern, &ch[start..end]));
            i = end;
        }
        if clauses.is_empty() && finally.is_none() {
            return self.compile_scoped_body(body, false);
        }
        let depth = self.fr().depth;
        let handler = self.emit(Op::PushHandler(0));
        self.f().tries.push(TryCtx {
            handler: true,
            finally: finally.clone(),
            iter: None,
        });
        self.compile_scoped_body(body, false);
        self.emit(Op::PopHandler);
        self.f().tries.pop();
        if let Some(f) = &finally {
            self.compile_finally(f);
        }
        let to_end = self.emit(Op::Jump(0));

        // Catch entry: the thrown value is on the stack.
        self.f().depth = depth + 1;
        self.patch_here(handler);
        self.begin_scope();
        let ex_slot = self.hidden_slot();
        self.emit(Op::InitLocal(ex_slot));
        let finally_handler = finally.as_ref().map(|_| self.emit(Op::PushHandler(0)));
        self.f().tries.push(TryCtx {
            handler: finally.is_some(),
            finally: finally.clone(),
            iter: None,
        });
        let saved_ex = self.f().ex_slot.replace(ex_slot);
        let mut done = Vec::new();
        for (pattern, handler_body) in clauses {
            let saved = self.range;
            self.range = pattern.range;
            // `catch *` takes everything but `gene/exit`'s request, which goes on (through the
            // `finally` blocks) to end the program.
            let catch_all = is_sym(pattern, "*");
            self.emit(Op::LoadLocal(ex_slot));
            if catch_all {
                self.emit(Op::CatchAny);
            } else {
                self.compile(pattern, false);
                self.emit(Op::CatchMatch);
            }
            let test = self.emit(Op::JumpIfFalse(0));
            self.range = saved;
            self.compile_scoped_body(handler_body, false);
            done.push(self.emit(Op::Jump(0)));
            self.f().depth = depth;
            self.patch_here(test);
            if catch_all {
                break;
            }
        }
        self.emit(Op::LoadLocal(ex_slot));
        self.emit(Op::Throw);
        for j in done {
            self.patch_here(j);
        }
        self.f().depth = depth + 1;
        self.f().ex_slot = saved_ex;
        self.f().tries.pop();
        if let Some(f) = &finally {
            self.emit(Op::PopHandler);
            self.compile_finally(f);
        }
        self.end_scope();
        self.patch_here(to_end);

        if let (Some(f), Some(fh)) = (&finally, finally_handler) {
            // A throw from a catch clause: run finally, then rethrow.
            let over = self.emit(Op::Jump(0));
            self.f().depth = depth + 1;
            self.patch_here(fh);
            self.begin_scope();
            let slot = self.hidden_slot();
            self.emit(Op::InitLocal(slot));
            self.compile_finally(f);
            self.emit(Op::LoadLocal(slot));
            self.emit(Op::Throw);
            self.end_scope();
            self.patch_here(over);
            self.f().depth = depth + 1;
        }
    }
}
