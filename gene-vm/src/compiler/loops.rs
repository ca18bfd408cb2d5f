//! Loops: `loop`, `while`, `for ... in`, `repeat`, and `break`/`continue` out of them.

use gene_syntax::form::{Form, FormKind};

use super::control::is_sym;
use super::{Compiler, LoopCtx};
use crate::bytecode::Op;

impl Compiler {
    /// Opens the loop's outer scope and its result slot (nil unless a `break` gives a value).
    pub(super) fn begin_loop(&mut self, extra_depth: i32) -> u32 {
        self.begin_scope();
        self.emit(Op::Nil);
        let slot = self.hidden_slot();
        self.emit(Op::InitLocal(slot));
        let f = self.f();
        let depth = f.depth;
        let tries = f.tries.len();
        let finally_level = f.in_finally;
        f.loops.push(LoopCtx {
            break_jumps: Vec::new(),
            continue_jumps: Vec::new(),
            result_slot: slot,
            depth,
            continue_depth: depth + extra_depth,
            tries,
            finally_level,
        });
        slot
    }

    /// Closes the loop: continues go to `continue_target`, breaks to here; pushes the result.
    pub(super) fn end_loop(&mut self, continue_target: u32, break_target: Option<u32>) {
        let Some(ctx) = self.f().loops.pop() else {
            return;
        };
        for j in ctx.continue_jumps {
            self.patch_to(j, continue_target);
        }
        let here = break_target.unwrap_or_else(|| self.here());
        for j in ctx.break_jumps {
            self.patch_to(j, here);
        }
        self.f().depth = ctx.depth;
        self.emit(Op::LoadLocal(ctx.result_slot));
        self.end_scope();
    }

    pub(super) fn compile_loop(&mut self, body: &[Form]) {
        self.begin_loop(0);
        let top = self.here();
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.end_loop(top, None);
    }

    pub(super) fn compile_while(&mut self, ch: &[Form]) {
        let Some((cond, body)) = ch.split_first() else {
            return self.emit_fail("SyntaxError", "(while cond body...) needs a condition");
        };
        self.begin_loop(0);
        let top = self.here();
        self.compile(cond, false);
        let exit = self.emit(Op::JumpIfFalse(0));
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.patch_here(exit);
        self.end_loop(top, None);
    }

    pub(super) fn compile_for(&mut self, ch: &[Form]) {
        // `(for await x in coll body...)` awaits each element (see `compiler/generator.rs`).
        let awaits = ch.first().is_some_and(|f| is_sym(f, "await"));
        let ch = if awaits { &ch[1..] } else { ch };
        let (Some(var), Some(kw), Some(coll)) = (ch.first(), ch.get(1), ch.get(2)) else {
            return self.emit_fail(
                "SyntaxError",
                "(for x in collection body...) needs a name, `in` and a collection",
            );
        };
        if !is_sym(kw, "in") {
            return self.emit_fail(
                "SyntaxError",
                "(for x in collection body...): expected `in`",
            );
        }
        let body = &ch[3..];
        if !awaits
            && let FormKind::Symbol(name) = &var.kind
            && let Some((from, to)) = literal_range(coll)
        {
            return self.compile_for_range(name, from, to, body);
        }
        self.begin_loop(1);
        self.compile(coll, false);
        self.emit(Op::IterStart);
        self.begin_loop_iter(awaits);
        let top = self.here();
        let next = self.emit_iter_next(awaits);
        self.begin_scope();
        match &var.kind {
            FormKind::Symbol(name) => {
                self.declare_and_init(name);
            }
            FormKind::Array(_) => self.compile_destructure(var),
            _ => {
                self.emit(Op::Pop);
                self.emit_fail(
                    "SyntaxError",
                    "(for x in ...): x must be a name or a [pattern]",
                );
                self.emit(Op::Pop);
            }
        }
        self.compile_body(body, false);
        self.end_scope();
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.end_loop_iter(next);
        // IterNext pops the iterator when it is exhausted.
        self.f().depth -= 1;
        let exit = self.here();
        self.end_loop(top, Some(exit));
    }

    /// `(for x in (a .. b) body...)`: a counted loop over two hidden slots, with no range or
    /// iterator made. The same as iterating the range: a and b are evaluated once and must be
    /// ints (`RangeBounds` raises the range's own TypeError), the end is included, x is a new
    /// binding each iteration, and the counter never steps past b (no overflow at `MAX`).
    fn compile_for_range(&mut self, name: &str, from: &Form, to: &Form, body: &[Form]) {
        self.begin_loop(0);
        self.compile(from, false);
        self.compile(to, false);
        self.emit(Op::RangeBounds);
        let end = self.hidden_slot();
        self.emit(Op::InitLocal(end));
        let counter = self.hidden_slot();
        self.emit(Op::InitLocal(counter));
        self.emit(Op::LoadLocal(counter));
        self.emit(Op::LoadLocal(end));
        self.emit(Op::Le);
        let empty = self.emit(Op::JumpIfFalse(0));
        let top = self.here();
        self.begin_scope();
        self.emit(Op::LoadLocal(counter));
        self.declare_and_init(name);
        self.compile_body(body, false);
        self.end_scope();
        self.emit(Op::Pop);
        // `continue` comes here: stop after b, else step.
        let step = self.here();
        self.emit(Op::LoadLocal(counter));
        self.emit(Op::LoadLocal(end));
        self.emit(Op::Lt);
        let last = self.emit(Op::JumpIfFalse(0));
        self.emit(Op::AddLocalInt(counter, 1));
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.patch_here(empty);
        self.patch_here(last);
        self.end_loop(step, None);
    }

    pub(super) fn compile_repeat(&mut self, ch: &[Form]) {
        let Some((count, body)) = ch.split_first() else {
            return self.emit_fail("SyntaxError", "(repeat n body...) needs a count");
        };
        self.begin_loop(0);
        self.emit(Op::Int(0));
        let counter = self.hidden_slot();
        self.emit(Op::InitLocal(counter));
        self.compile(count, false);
        let limit = self.hidden_slot();
        self.emit(Op::InitLocal(limit));
        let top = self.here();
        self.emit(Op::LoadLocal(counter));
        self.emit(Op::LoadLocal(limit));
        self.emit(Op::Lt);
        let exit = self.emit(Op::JumpIfFalse(0));
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        let step = self.here();
        self.emit(Op::AddLocalInt(counter, 1));
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.patch_here(exit);
        self.end_loop(step, None);
    }

    pub(super) fn compile_break(&mut self, ch: &[Form]) {
        let Some((slot, depth, iter_depth, tries, finally_level)) =
            self.fr().loops.last().map(|l| {
                (
                    l.result_slot,
                    l.depth,
                    l.continue_depth,
                    l.tries,
                    l.finally_level,
                )
            })
        else {
            return self.emit_fail("SyntaxError", "break outside a loop");
        };
        if self.fr().in_finally > finally_level {
            return self.refuse_jump_out_of_finally("break");
        }
        let before = self.fr().depth;
        match ch.first() {
            Some(v) => self.compile(v, false),
            None => {
                self.emit(Op::Nil);
            }
        }
        self.emit(Op::StoreLocal(slot));
        self.emit(Op::Pop);
        // A `for` loop's iterator stays until the loop's close (in `unwind_tries`) is done.
        for _ in iter_depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        self.unwind_tries(tries);
        for _ in depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        let j = self.emit(Op::Jump(0));
        if let Some(l) = self.f().loops.last_mut() {
            l.break_jumps.push(j);
        }
        self.f().depth = before + 1;
    }

    pub(super) fn compile_continue(&mut self) {
        let Some((depth, tries, finally_level)) = self
            .fr()
            .loops
            .last()
            .map(|l| (l.continue_depth, l.tries, l.finally_level))
        else {
            return self.emit_fail("SyntaxError", "continue outside a loop");
        };
        if self.fr().in_finally > finally_level {
            return self.refuse_jump_out_of_finally("continue");
        }
        let before = self.fr().depth;
        for _ in depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        // The next iteration: a `for` loop keeps its iterator open.
        self.unwind_tries(tries + self.own_loop_iter(tries) as usize);
        let j = self.emit(Op::Jump(0));
        if let Some(l) = self.f().loops.last_mut() {
            l.continue_jumps.push(j);
        }
        self.f().depth = before + 1;
    }
}

/// `(a .. b)` written as such: its two ends.
fn literal_range(form: &Form) -> Option<(&Form, &Form)> {
    let FormKind::Gene(g) = &form.kind else {
        return None;
    };
    match g.children.as_slice() {
        [dots, to] if g.props.is_empty() && is_sym(dots, "..") => Some((&g.head, to)),
        _ => None,
    }
}
