//! `==`: numbers by value (an int never equals a float), strings, symbols and bytes by content,
//! arrays, maps, sets, ranges and paths structurally; genes, instances, classes, functions,
//! namespaces and host objects by identity.

use std::rc::Rc;

use super::Value;

pub fn values_equal(a: &Value, b: &Value) -> bool {
    equal_at(a, b, 0)
}

fn equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > 256 {
        return false;
    }
    match (a, b) {
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
        (Value::Array(x), Value::Array(y)) | (Value::Set(x), Value::Set(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| equal_at(p, q, depth + 1))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equal_at(v, w, depth + 1)))
        }
        (Value::Quote(x), Value::Quote(y)) => equal_at(x, y, depth + 1),
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
        (Value::BoundMethod(x), Value::BoundMethod(y)) => {
            x.1 == y.1 && equal_at(&x.0, &y.0, depth + 1)
        }
        (Value::Selector(x), Value::Selector(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| equal_at(p, q, depth + 1))
        }
        _ => false,
    }
}
