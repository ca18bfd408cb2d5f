//! `==`: numbers by value (an int never equals a float), strings, symbols and bytes by content,
//! arrays, maps, ranges and paths structurally, sets by their members (in any order); genes,
//! instances, classes, functions, namespaces and host objects by identity.
//!
//! Structural comparison uses an explicit stack, never Rust recursion, so data nested any
//! depth compares correctly. Comparing two sets is a search (each member of one must equal a
//! distinct member of the other), so the stack holds two kinds of frames: a conjunction of
//! pairs that must all be equal, and a set match trying candidates one after another.
//!
//! Cyclic data (an array that contains itself) terminates: once a comparison has gone through
//! many containers, each pair of containers it starts on is remembered, and a pair met again
//! is taken as equal (two cyclic structures are equal when no difference can be found by
//! walking them, as in Scheme's `equal?`). A set match that fails forgets what its failed
//! attempt assumed.

use std::rc::Rc;

use rustc_hash::FxHashSet;

use super::Value;

/// `==` for the pairs the dispatch loop meets most (nil, bools, ints, symbols, instances),
/// inline; `None` for the others ([`values_equal`] answers for everything).
#[inline(always)]
pub fn quick_equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Nil, other) | (other, Value::Nil) => Some(matches!(other, Value::Nil)),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Symbol(x), Value::Symbol(y)) => Some(x == y),
        (Value::Instance(x), Value::Instance(y)) => Some(Rc::ptr_eq(x, y)),
        _ => None,
    }
}

pub fn values_equal(a: &Value, b: &Value) -> bool {
    match leaf_equal(a, b) {
        Some(eq) => eq,
        None => deep_equal(a, b),
    }
}

/// The answer for values that need no walk (scalars, identities, a container with itself),
/// or None for two containers to compare member by member.
#[inline]
fn leaf_equal(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Nil, Value::Nil) | (Value::Placeholder, Value::Placeholder) => true,
        (Value::NotGiven, Value::NotGiven) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y) || x == y,
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::Path(x), Value::Path(y)) => x == y,
        (Value::Range(x), Value::Range(y)) => x == y,
        (Value::Array(x), Value::Array(y)) if Rc::ptr_eq(x, y) => true,
        (Value::Set(x), Value::Set(y)) if Rc::ptr_eq(x, y) => true,
        (Value::Map(x), Value::Map(y)) if Rc::ptr_eq(x, y) => true,
        (Value::Quote(x), Value::Quote(y)) if Rc::ptr_eq(x, y) => true,
        (Value::Array(_), Value::Array(_))
        | (Value::Set(_), Value::Set(_))
        | (Value::Map(_), Value::Map(_))
        | (Value::Quote(_), Value::Quote(_))
        | (Value::BoundMethod(_), Value::BoundMethod(_))
        | (Value::Selector(_), Value::Selector(_)) => return None,
        (Value::Gene(x), Value::Gene(y)) => Rc::ptr_eq(x, y),
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Native(x), Value::Native(y)) => std::ptr::eq(*x, *y),
        (Value::Class(x), Value::Class(y)) => Rc::ptr_eq(x, y),
        (Value::Instance(x), Value::Instance(y)) => Rc::ptr_eq(x, y),
        (Value::Future(x), Value::Future(y)) => Rc::ptr_eq(x, y),
        (Value::Generator(x), Value::Generator(y)) => Rc::ptr_eq(x, y),
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Host(x), Value::Host(y)) => Rc::ptr_eq(x, y),
        (Value::Ns(x), Value::Ns(y)) => Rc::ptr_eq(x, y),
        (Value::Enum(x), Value::Enum(y)) => Rc::ptr_eq(x, y),
        (Value::EnumMember(x), Value::EnumMember(y)) => {
            Rc::ptr_eq(x, y) || (x.enum_name == y.enum_name && x.name == y.name)
        }
        _ => false,
    })
}

/// Containers walked before pairs start being remembered (cycle detection costs a hash
/// insertion per container, which ordinary data never needs).
const REMEMBER_AFTER: usize = 1024;

/// One level of the search.
enum Frame {
    /// Every pair must be equal.
    All(Vec<(Value, Value)>),
    /// Each of `xs` must equal a distinct member of `ys` (as many as `xs`): `xs[i]` is being
    /// tried against candidate number `k` (counted from `i`, so sets in the same order match
    /// at the first try).
    Set {
        xs: Vec<Value>,
        ys: Vec<Value>,
        used: Vec<bool>,
        i: usize,
        k: usize,
        /// The length of the trail when the attempt in progress started.
        mark: usize,
    },
}

/// What one pair of containers adds to the search.
enum Expand {
    Equal,
    Unequal,
    /// Two sets with the same number of members: a match to search for.
    Sets(Vec<Value>, Vec<Value>),
}

/// Remembered container pairs (by address) and the order they were remembered in.
#[derive(Default)]
struct Seen {
    walked: usize,
    pairs: FxHashSet<(usize, usize)>,
    trail: Vec<(usize, usize)>,
}

impl Seen {
    /// False when this pair of containers is already being compared (taken as equal).
    fn first_visit(&mut self, a: usize, b: usize) -> bool {
        self.walked += 1;
        if self.walked < REMEMBER_AFTER {
            return true;
        }
        if !self.pairs.insert((a, b)) {
            return false;
        }
        self.trail.push((a, b));
        true
    }

    /// Forgets the pairs remembered since `mark` (the attempt that remembered them failed).
    fn rewind(&mut self, mark: usize) {
        for pair in self.trail.drain(mark.min(self.trail.len())..) {
            self.pairs.remove(&pair);
        }
    }
}

#[inline(never)]
fn deep_equal(a: &Value, b: &Value) -> bool {
    let mut seen = Seen::default();
    let mut pairs = Vec::new();
    let first = match expand(a, b, &mut pairs, &mut seen) {
        Expand::Equal if pairs.is_empty() => return true,
        Expand::Unequal => return false,
        Expand::Equal => Frame::All(pairs),
        Expand::Sets(xs, ys) => set_frame(xs, ys),
    };
    let mut stack = vec![first];
    // The answer of the frame just popped, for the frame below it.
    let mut answer: Option<bool> = None;
    while let Some(top) = stack.last_mut() {
        match top {
            Frame::All(pairs) => {
                if answer == Some(false) {
                    stack.pop();
                    continue;
                }
                answer = None;
                let Some((x, y)) = pairs.pop() else {
                    stack.pop();
                    answer = Some(true);
                    continue;
                };
                match expand(&x, &y, pairs, &mut seen) {
                    Expand::Equal => {}
                    Expand::Unequal => {
                        stack.pop();
                        answer = Some(false);
                    }
                    Expand::Sets(xs, ys) => stack.push(set_frame(xs, ys)),
                }
            }
            Frame::Set {
                xs,
                ys,
                used,
                i,
                k,
                mark,
            } => {
                match answer.take() {
                    None => {}
                    Some(true) => {
                        used[(*i + *k) % ys.len()] = true;
                        *i += 1;
                        *k = 0;
                    }
                    Some(false) => {
                        seen.rewind(*mark);
                        *k += 1;
                    }
                }
                if *i == xs.len() {
                    stack.pop();
                    answer = Some(true);
                    continue;
                }
                while *k < ys.len() && used[(*i + *k) % ys.len()] {
                    *k += 1;
                }
                if *k == ys.len() {
                    stack.pop();
                    answer = Some(false);
                    continue;
                }
                let x = xs[*i].clone();
                let y = ys[(*i + *k) % ys.len()].clone();
                *mark = seen.trail.len();
                stack.push(Frame::All(vec![(x, y)]));
            }
        }
    }
    answer.unwrap_or(true)
}

fn set_frame(xs: Vec<Value>, ys: Vec<Value>) -> Frame {
    let used = vec![false; ys.len()];
    Frame::Set {
        xs,
        ys,
        used,
        i: 0,
        k: 0,
        mark: 0,
    }
}

/// Compares `a` and `b` at their top level: scalar members are compared at once, pairs of
/// containers are added to `pairs`.
fn expand(a: &Value, b: &Value, pairs: &mut Vec<(Value, Value)>, seen: &mut Seen) -> Expand {
    if let Some(eq) = leaf_equal(a, b) {
        return if eq { Expand::Equal } else { Expand::Unequal };
    }
    let mut push = |p: &Value, q: &Value| match leaf_equal(p, q) {
        Some(eq) => eq,
        None => {
            pairs.push((p.clone(), q.clone()));
            true
        }
    };
    let equal = match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            if !seen.first_visit(Rc::as_ptr(x) as usize, Rc::as_ptr(y) as usize) {
                return Expand::Equal;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return Expand::Unequal;
            };
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| push(p, q))
        }
        (Value::Set(x), Value::Set(y)) => {
            if !seen.first_visit(Rc::as_ptr(x) as usize, Rc::as_ptr(y) as usize) {
                return Expand::Equal;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return Expand::Unequal;
            };
            if x.len() != y.len() {
                return Expand::Unequal;
            }
            return Expand::Sets(x.to_vec(), y.to_vec());
        }
        (Value::Map(x), Value::Map(y)) => {
            if !seen.first_visit(Rc::as_ptr(x) as usize, Rc::as_ptr(y) as usize) {
                return Expand::Equal;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return Expand::Unequal;
            };
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| push(v, w)))
        }
        (Value::Quote(x), Value::Quote(y)) => push(x, y),
        (Value::BoundMethod(x), Value::BoundMethod(y)) => x.1 == y.1 && push(&x.0, &y.0),
        (Value::Selector(x), Value::Selector(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| push(p, q))
        }
        _ => false,
    };
    if equal {
        Expand::Equal
    } else {
        Expand::Unequal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(items: Vec<Value>) -> Value {
        Value::array(items)
    }

    fn set(items: Vec<Value>) -> Value {
        Value::Set(Rc::new(std::cell::RefCell::new(
            crate::value::SetData::from_values(items),
        )))
    }

    fn nested(depth: usize, leaf: i64) -> Value {
        let mut v = Value::Int(leaf);
        for _ in 0..depth {
            v = array(vec![v]);
        }
        v
    }

    /// Runs `f` on a thread with a big stack: dropping data nested a million deep recurses
    /// (the `gene` binary runs the VM on such a thread too).
    fn on_big_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(f)
            .expect("spawn")
            .join()
            .expect("join");
    }

    #[test]
    fn deep_nesting_has_no_limit() {
        on_big_stack(|| {
            let a = nested(1_000_000, 1);
            let b = nested(1_000_000, 1);
            let c = nested(1_000_000, 2);
            assert!(values_equal(&a, &b));
            assert!(!values_equal(&a, &c));
        });
    }

    #[test]
    fn sets_compare_by_members() {
        let x = set(vec![
            Value::Int(1),
            Value::Int(2),
            array(vec![Value::Int(3)]),
        ]);
        let y = set(vec![
            array(vec![Value::Int(3)]),
            Value::Int(2),
            Value::Int(1),
        ]);
        let z = set(vec![
            array(vec![Value::Int(4)]),
            Value::Int(2),
            Value::Int(1),
        ]);
        assert!(values_equal(&x, &y));
        assert!(!values_equal(&x, &z));
        assert!(!values_equal(&x, &set(vec![Value::Int(1), Value::Int(2)])));
    }

    #[test]
    fn deeply_nested_sets_compare_without_recursion() {
        on_big_stack(|| {
            let mut a = Value::Int(0);
            let mut b = Value::Int(0);
            for i in 0..200_000 {
                a = set(vec![Value::Int(i), a]);
                b = set(vec![b, Value::Int(i)]);
            }
            assert!(values_equal(&a, &b));
        });
    }

    #[test]
    fn cycles_terminate() {
        let a = array(vec![Value::Int(1)]);
        let b = array(vec![Value::Int(1)]);
        let c = array(vec![Value::Int(2)]);
        for (v, inner) in [(&a, &a), (&b, &b), (&c, &c)] {
            if let Value::Array(x) = v {
                x.borrow_mut().push(inner.clone());
            }
        }
        assert!(values_equal(&a, &b));
        assert!(!values_equal(&a, &c));
        // A cycle inside sets: what a failed candidate assumed is forgotten.
        let s = set(vec![c.clone(), a.clone()]);
        let t = set(vec![b.clone(), c.clone()]);
        assert!(values_equal(&s, &t));
        // Break the cycles so the test does not leak them.
        for v in [&a, &b, &c] {
            if let Value::Array(x) = v {
                x.borrow_mut().clear();
            }
        }
    }
}
