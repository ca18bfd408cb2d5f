//! Resumable native frames: how a builtin calls back into Gene code without re-entering the
//! dispatch loop. The builtin returns [`Flow::Call`] with a continuation; the VM runs the call
//! like any other (so it may throw, recurse, or — with the async runtime — suspend), then hands
//! the result to [`Resume::resume`], which says what to do next.

use super::{Exc, Vm};
use crate::value::Value;

/// What a flow builtin does first.
pub enum Flow {
    /// The builtin is done: its value.
    Return(Value),
    /// Call `callee` with `args`, then resume `cont` with the result.
    Call {
        cont: Box<dyn Resume>,
        callee: Value,
        args: Vec<Value>,
    },
}

/// What a continuation does next.
pub enum Step {
    Return(Value),
    /// Call `callee` with the arguments, then resume the same continuation.
    Call(Value, Vec<Value>),
    /// `Call` with one argument (no argument list to allocate: callbacks run per element).
    CallOne(Value, Value),
    /// `Call` with two arguments.
    CallTwo(Value, Value, Value),
}

pub trait Resume {
    fn resume(&mut self, vm: &mut Vm, result: Value) -> Result<Step, Exc>;
}

impl Flow {
    pub fn call(cont: impl Resume + 'static, callee: Value, args: Vec<Value>) -> Flow {
        Flow::Call {
            cont: Box::new(cont),
            callee,
            args,
        }
    }
}
