//! Generators in the compiler: `^^generator` bodies, `yield`, and the parts of `for` loops that
//! deal with generators (`for await`, closing the iterator when a loop is left early).
//!
//! A generator function compiles to a prologue that binds the parameters (defaults included,
//! at call time), then `MakeGenerator; Return`: the call gives the generator at once, and the
//! body proper starts after that `Return`, run by `.next`. It ends with `GenReturn`, as does
//! every `return` in it (no tail calls: a self call makes a new generator).
//!
//! `(yield v)` compiles to `v; Yield(over)` followed by the yield's close path: the enclosing
//! `finally` blocks and loop closes (what a `return` there would run), then `GenReturn`. A
//! `.next` resumes at `over`, a `.close` on the close path, so closing a suspended generator
//! runs exactly the clean-up its code has at that point.
//!
//! A `for` loop registers its iterator with the enclosing tries ([`LoopIter`]): a `break`, a
//! `return` or a `yield`'s close path leaving the loop closes the iterator (`IterClose`), in
//! order with the `finally` blocks around it. An exception leaving the loop closes it in the
//! VM, where it unwinds.

use gene_syntax::form::{Form, Gene};

use super::{Compiler, TryCtx};
use crate::bytecode::{Op, await_flags};

/// A `for` loop's iterator, as the tries see it.
#[derive(Clone, Copy, Debug)]
pub(super) struct LoopIter {
    /// The stack depth with the iterator on top.
    pub depth: i32,
    /// `for await`: closing an async generator waits for its close.
    pub awaits: bool,
}

/// The jumps to patch to a `for` loop's exit.
pub(super) struct IterJumps {
    next: usize,
    unwrap: Option<usize>,
}

impl Compiler {
    /// A `^^generator` function's body (after its parameter prologue).
    pub(super) fn compile_generator_body(&mut self, body: &[Form], is_async: bool) {
        self.emit(Op::MakeGenerator(is_async as u32));
        self.emit(Op::Return);
        // The body runs later, from an empty stack above the slots.
        self.f().depth -= 1;
        self.here();
        self.compile_body(body, false);
        self.emit(Op::GenReturn);
    }

    /// `(yield [value])`.
    pub(super) fn compile_yield(&mut self, g: &Gene, form: &Form) {
        if !self.fr().is_generator {
            let nested = self.fns.iter().any(|f| f.is_generator);
            let message = yield_outside_message(nested);
            self.errors.push(gene_syntax::Diagnostic::new(
                form.range,
                gene_syntax::Severity::Error,
                YIELD_OUTSIDE_CODE,
                message,
            ));
            return self.emit_fail("SyntaxError", message);
        }
        if g.children.len() > 1 || !g.props.is_empty() {
            return self.emit_fail("ArgumentError", "(yield [value]) takes at most one value");
        }
        match g.children.first() {
            Some(v) => self.compile(v, false),
            None => {
                self.emit(Op::Nil);
            }
        }
        let at = self.emit(Op::Yield(0));
        // The close path, entered with the yielded value gone and nothing sent.
        let depth = self.fr().depth;
        self.f().depth = depth - 1;
        self.here();
        self.unwind_tries(0);
        self.emit(Op::Nil);
        self.emit(Op::GenReturn);
        self.f().depth = depth;
        self.patch_here(at);
    }

    /// After `IterStart`: the loop's iterator joins the tries (see [`LoopIter`]).
    pub(super) fn begin_loop_iter(&mut self, awaits: bool) {
        let depth = self.fr().depth;
        self.f().tries.push(TryCtx {
            handler: false,
            finally: None,
            iter: Some(LoopIter { depth, awaits }),
        });
    }

    /// The op(s) that give the next element at the top of a `for` loop.
    pub(super) fn emit_iter_next(&mut self, awaits: bool) -> IterJumps {
        if !awaits {
            let next = self.emit(Op::IterNext(0));
            return IterJumps { next, unwrap: None };
        }
        let next = self.emit(Op::IterNextAsync(0));
        self.emit(Op::Await(await_flags(1, false, false)));
        let unwrap = self.emit(Op::IterUnwrap(0));
        IterJumps {
            next,
            unwrap: Some(unwrap),
        }
    }

    /// The loop's exit is here; its iterator leaves the tries.
    pub(super) fn end_loop_iter(&mut self, jumps: IterJumps) {
        self.patch_here(jumps.next);
        if let Some(u) = jumps.unwrap {
            self.patch_here(u);
        }
        self.f().tries.pop();
    }

    /// Closes a loop's iterator on the way out of the loop.
    pub(super) fn emit_iter_close(&mut self, iter: LoopIter) {
        let below = (self.fr().depth - iter.depth).max(0) as u32;
        self.emit(Op::IterClose(below, iter.awaits as u16));
        if iter.awaits {
            // At run time the op pushes the close's future (async generator) or skips these.
            self.f().depth += 1;
            self.emit(Op::Await(await_flags(1, false, false)));
            self.emit(Op::Pop);
        }
    }

    /// Whether the try at `index` is the iterator of the loop that started there (a `for`
    /// loop registers its iterator right after it begins, so for the innermost loop that is
    /// the case exactly when it is a `for`).
    pub(super) fn own_loop_iter(&self, index: usize) -> bool {
        self.fr().tries.get(index).is_some_and(|t| t.iter.is_some())
    }
}

/// The code of the "`yield` outside a generator" error (the analysis reports the same).
pub const YIELD_OUTSIDE_CODE: &str = "G001";

fn yield_outside_message(nested: bool) -> &'static str {
    if nested {
        "`yield` in a function nested in a generator: only the generator's own body can yield (this function is not a `^^generator`)"
    } else {
        "`yield` outside a generator: only the body of a `^^generator` function (`fn`, `fnx` or `.fn`) can yield"
    }
}
