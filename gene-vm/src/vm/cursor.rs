//! The dispatch loop's position in the running code: a pointer to the next op.
//!
//! Every linked code ends with two `Return`s ([`Code::ops`]), and every way of moving the
//! cursor keeps it inside the ops: a new position is clamped to the last op, running on from an
//! op moves to the next one, and the only skip is over the `MacroArgs` after a `LoadCallee`,
//! which is never one of the last two ops. A `Return` never runs on (the loop repositions the
//! cursor for the frame it returns to, or leaves), so fetching needs no bounds check.

use super::code::Code;
use crate::bytecode::Op;

pub(super) struct Cursor {
    start: *const Op,
    next: *const Op,
    /// One past the last op, to check the module doc's promise in debug builds.
    #[cfg(debug_assertions)]
    end: *const Op,
}

/// What the cursor relies on in `code` (debug builds): it ends with two `Return`s.
#[inline(always)]
fn debug_check_code(code: &Code) {
    debug_assert!(
        matches!(
            (
                code.op(code.last_op()),
                code.op(code.last_op().wrapping_sub(1))
            ),
            (Some(Op::Return), Some(Op::Return))
        ),
        "linked code must end with two Returns"
    );
    debug_assert_eq!(code.last_op() + 1, code.ops().len());
}

impl Cursor {
    /// At op `ip` of `code` (clamped to its last op).
    #[inline(always)]
    pub(super) fn at(code: &Code, ip: usize) -> Cursor {
        debug_check_code(code);
        // `Cell<Op>` has the layout of `Op`; the loop only reads through the pointer.
        let start = code.ops().as_ptr().cast::<Op>();
        // SAFETY: the offset is clamped to the last op.
        let next = unsafe { start.add(ip.min(code.last_op())) };
        Cursor {
            start,
            next,
            #[cfg(debug_assertions)]
            end: start.wrapping_add(code.ops().len()),
        }
    }

    /// At the first op of `code`.
    #[inline(always)]
    pub(super) fn start(code: &Code) -> Cursor {
        debug_check_code(code);
        // `Cell<Op>` has the layout of `Op`; the loop only reads through the pointer.
        let start = code.ops().as_ptr().cast::<Op>();
        Cursor {
            start,
            next: start,
            #[cfg(debug_assertions)]
            end: start.wrapping_add(code.ops().len()),
        }
    }

    /// The next op; the cursor moves past it.
    ///
    /// # Safety
    /// The cursor must not have run past a `Return` since it was last positioned (see the
    /// module doc). The pointer is valid while the code is alive.
    #[inline(always)]
    pub(super) unsafe fn fetch(&mut self) -> *const Op {
        #[cfg(debug_assertions)]
        debug_assert!(
            self.start <= self.next && self.next < self.end,
            "the cursor ran past the last op"
        );
        let op = self.next;
        // SAFETY: `next` points at an op (see the function's contract), so one past it is at
        // most the end of the ops.
        self.next = unsafe { self.next.add(1) };
        op
    }

    /// Skips the `MacroArgs` that follows a `LoadCallee` just fetched.
    #[inline(always)]
    pub(super) fn skip_macro_args(&mut self) {
        #[cfg(debug_assertions)]
        debug_assert!(
            self.start < self.next
                && self.next.wrapping_add(1) < self.end
                // SAFETY: both are ops of the code (checked just above).
                && unsafe {
                    matches!(*self.next.sub(1), Op::LoadCallee(_))
                        && matches!(*self.next, Op::MacroArgs(_))
                },
            "skip_macro_args must follow a LoadCallee and skip its MacroArgs"
        );
        // SAFETY: a `LoadCallee` is followed by its `MacroArgs` and then at least one op.
        self.next = unsafe { self.next.add(1) };
    }

    /// Moves to op `target` of `code` (the running code), clamped to its last op.
    #[inline(always)]
    pub(super) fn jump(&mut self, code: &Code, target: u32) {
        // SAFETY: clamped to the last op.
        self.next = unsafe { self.start.add((target as usize).min(code.last_op())) };
    }

    /// The index of the next op.
    #[inline(always)]
    pub(super) fn index(&self) -> usize {
        debug_assert!(self.start <= self.next);
        // SAFETY: `next` points into the ops that begin at `start`.
        unsafe { self.next.offset_from(self.start) as usize }
    }
}
