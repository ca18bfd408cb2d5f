//! Runtime values. A `Value` is 16 bytes: scalars inline, everything else behind one `Rc`.
//! The heap is single-threaded (`Rc`/`RefCell`); arrays, maps, genes and instances are mutable
//! and shared by reference, strings are immutable.

pub(crate) mod alloc;
mod convert;
mod eq;
pub mod future;
pub mod generator;
pub mod host;
mod print;
mod props;
mod set;

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::intern::Sym;
use crate::vm::code::Code;

pub use convert::{EMBED_PREFIX, form_to_value, value_to_form};
pub use eq::{quick_equal, values_equal};
pub use future::{FutState, FutureObj};
pub use generator::GeneratorObj;
pub use host::{Host, HostObject};
pub use print::{display, format_float, inspect, write_display, write_inspect};
pub use props::Props;
pub use set::{Members, SetData};

pub type Map = IndexMap<Sym, Value, FxBuildHasher>;
pub type CellRef = Rc<RefCell<Value>>;

#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Char(char),
    /// `_`
    Placeholder,
    Str(Rc<String>),
    Symbol(Sym),
    /// A complex symbol `a/b/c`.
    Path(Rc<Vec<Sym>>),
    Array(Rc<RefCell<Vec<Value>>>),
    Set(Rc<RefCell<SetData>>),
    Map(Rc<RefCell<Map>>),
    Gene(Rc<RefCell<GeneData>>),
    Range(Rc<RangeData>),
    Quote(Rc<Value>),
    Unquote(Rc<(Value, bool)>),
    /// A function, macro or block.
    Func(Rc<Closure>),
    Native(&'static NativeFn),
    BoundMethod(Rc<(Value, Sym)>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Ns(Rc<Namespace>),
    Enum(Rc<EnumData>),
    EnumMember(Rc<EnumMember>),
    /// `(@ "k" 0)`, `@k`: a path to apply to a value.
    Selector(Rc<Vec<Value>>),
    /// `(... xs)` evaluated on its own.
    Spread(Rc<Value>),
    /// A future (`async`, `^^async` calls, timers, I/O, `new gene/Future`).
    Future(Rc<FutureObj>),
    /// A generator (a call of a `^^generator` function), async or not.
    Generator(Rc<GeneratorObj>),
    /// Immutable binary data (an SQLite BLOB, `gene/bytes`).
    Bytes(Rc<Vec<u8>>),
    /// An object a builtin owns (a database connection, a transaction); its type name picks
    /// its builtin methods.
    Host(Rc<Host>),
    /// Internal: a captured variable's shared cell (never visible to Gene code).
    Cell(CellRef),
    /// Internal: a `for` loop's iterator.
    Iter(Rc<RefCell<IterState>>),
    /// Internal: a parameter whose argument was not given (its default will be evaluated).
    NotGiven,
}

pub struct GeneData {
    pub head: Value,
    pub props: Map,
    pub children: Vec<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeData {
    pub start: i64,
    pub end: i64,
    pub step: i64,
}

impl RangeData {
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The exact number of elements (up to 2^64, for `MIN..MAX`); the ends are included.
    pub fn count(&self) -> u128 {
        if self.step == 0 {
            return 0;
        }
        let (from, to) = if self.step > 0 {
            (self.start, self.end)
        } else {
            (self.end, self.start)
        };
        let span = i128::from(to) - i128::from(from);
        if span < 0 {
            return 0;
        }
        span as u128 / u128::from(self.step.unsigned_abs()) + 1
    }

    /// The number of elements, saturated at `usize::MAX`.
    pub fn len(&self) -> usize {
        usize::try_from(self.count()).unwrap_or(usize::MAX)
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        self.element(u128::try_from(i).ok()?)
    }

    /// The element at position `i` (negative counts from the end), exactly at the limits.
    pub fn at(&self, i: i64) -> Option<i64> {
        let count = self.count();
        let pos = if i < 0 {
            count.checked_sub(u128::from(i.unsigned_abs()))?
        } else {
            i as u128
        };
        self.element(pos)
    }

    /// The element at position `pos` from the start.
    pub fn element(&self, pos: u128) -> Option<i64> {
        if pos >= self.count() {
            return None;
        }
        // pos < count, so |pos * step| is at most |end - start| < 2^64: no overflow in i128.
        let v = i128::from(self.start) + (pos as i128) * i128::from(self.step);
        i64::try_from(v).ok()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FuncKind {
    Function,
    Macro,
    Block,
}

/// A function, macro or block: code plus what it closed over.
pub struct Closure {
    pub code: Rc<Code>,
    pub captures: Vec<CellRef>,
    /// The namespace it was created in: names it does not bind resolve there.
    pub ns: Rc<Namespace>,
    /// `self` where it was created (blocks and `fnx` inside methods see the method's self).
    pub self_val: Value,
    pub kind: FuncKind,
    /// `^^async` (or the body of `(async ...)`): a call starts a task (kept here, not only in
    /// the proto, because every call checks it).
    pub is_async: bool,
}

impl Closure {
    pub fn name(&self) -> &str {
        &self.code.proto.name
    }
}

pub type NativeResult = Result<Value, crate::vm::Exc>;

/// A builtin function implemented in Rust.
pub struct NativeFn {
    pub name: &'static str,
    pub imp: NativeImpl,
}

#[derive(Clone, Copy)]
pub enum NativeImpl {
    /// Plain: gets the arguments, gives a value.
    Simple(fn(&mut crate::vm::Vm, &[Value]) -> NativeResult),
    /// May call back into Gene code through a resumable native frame.
    Flow(fn(&mut crate::vm::Vm, &[Value]) -> Result<crate::vm::native::Flow, crate::vm::Exc>),
}

pub struct Class {
    pub name: String,
    /// `Exception` or a subclass: instances display as `Name: message`.
    pub is_exception: bool,
    pub parent: Option<Rc<Class>>,
    pub methods: RefCell<FxHashMap<Sym, Value>>,
    pub ctor: RefCell<Option<Value>>,
    /// Class-level members and nested definitions (`A/B`, `(A/x = 1)`).
    pub ns: Rc<Namespace>,
    /// The most properties an instance has had: new instances get room for as many.
    pub props_hint: std::cell::Cell<u32>,
}

thread_local! {
    /// Bumped whenever a class gains or replaces a method: method lookups cached under an older
    /// version are stale.
    static METHODS_VERSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The current methods version (see [`Class::define_method`]).
#[inline]
pub fn methods_version() -> u64 {
    METHODS_VERSION.with(|v| v.get())
}

impl Class {
    /// Defines (or replaces) the method `name`. Every change of a class's methods goes through
    /// here, so that cached method lookups see it.
    pub fn define_method(&self, name: Sym, method: Value) {
        self.methods.borrow_mut().insert(name, method);
        METHODS_VERSION.with(|v| v.set(v.get().wrapping_add(1)));
    }

    /// The method `name` and the class that defines it, walking the parent chain.
    pub fn find_method(self: &Rc<Class>, name: Sym) -> Option<(Value, Rc<Class>)> {
        let mut class = Some(self.clone());
        while let Some(c) = class {
            if let Some(m) = c.methods.borrow().get(&name) {
                return Some((m.clone(), c.clone()));
            }
            class = c.parent.clone();
        }
        None
    }

    pub fn find_ctor(self: &Rc<Class>) -> Option<(Value, Rc<Class>)> {
        let mut class = Some(self.clone());
        while let Some(c) = class {
            if let Some(ctor) = c.ctor.borrow().as_ref() {
                return Some((ctor.clone(), c.clone()));
            }
            class = c.parent.clone();
        }
        None
    }

    pub fn is_subclass_of(self: &Rc<Class>, other: &Rc<Class>) -> bool {
        let mut class = Some(self.clone());
        while let Some(c) = class {
            if Rc::ptr_eq(&c, other) {
                return true;
            }
            class = c.parent.clone();
        }
        false
    }
}

pub struct Instance {
    pub class: Rc<Class>,
    pub props: RefCell<Props>,
    /// Where an exception instance was first thrown (kept across rethrows).
    pub trace: RefCell<Option<Rc<crate::vm::Trace>>>,
}

impl Instance {
    pub fn new(class: Rc<Class>, props: Props) -> Instance {
        Instance {
            class,
            props: RefCell::new(props),
            trace: RefCell::new(None),
        }
    }

    /// An instance with no properties yet, with room for as many as the class's instances
    /// have had.
    pub fn empty(class: Rc<Class>) -> Instance {
        let room = class.props_hint.get() as usize;
        Instance::new(class, Props::with_capacity(room))
    }

    /// Sets property `name`; gives its position.
    pub fn set(&self, name: Sym, value: Value) -> usize {
        let mut props = self.props.borrow_mut();
        let (old, pos) = props.set(name, value);
        let len = props.len() as u32;
        drop(props);
        // Dropped once the properties are released: its drop may reach this instance.
        drop(old);
        if len > self.class.props_hint.get() {
            self.class.props_hint.set(len);
        }
        pos
    }
}

thread_local! {
    /// Bumped by every namespace write: name lookups cached under an older version are stale.
    static NS_VERSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The current namespace version (see [`Namespace::set`]).
#[inline]
pub fn ns_version() -> u64 {
    NS_VERSION.with(|v| v.get())
}

pub struct Namespace {
    pub name: String,
    pub members: RefCell<FxHashMap<Sym, Value>>,
    pub parent: Option<Rc<Namespace>>,
}

impl Namespace {
    pub fn new(name: impl Into<String>, parent: Option<Rc<Namespace>>) -> Rc<Namespace> {
        Rc::new(Namespace {
            name: name.into(),
            members: RefCell::default(),
            parent,
        })
    }

    pub fn get(&self, name: Sym) -> Option<Value> {
        self.members.borrow().get(&name).cloned()
    }

    pub fn set(&self, name: Sym, value: Value) {
        self.members.borrow_mut().insert(name, value);
        NS_VERSION.with(|v| v.set(v.get().wrapping_add(1)));
    }

    /// Looks a name up here and in the enclosing namespaces.
    pub fn lookup(&self, name: Sym) -> Option<Value> {
        if let Some(v) = self.get(name) {
            return Some(v);
        }
        let mut ns = self.parent.as_ref();
        while let Some(n) = ns {
            if let Some(v) = n.get(name) {
                return Some(v);
            }
            ns = n.parent.as_ref();
        }
        None
    }
}

pub struct EnumData {
    pub name: String,
    pub members: Vec<Rc<EnumMember>>,
}

pub struct EnumMember {
    pub enum_name: String,
    pub name: String,
    pub value: i64,
}

/// The state of a `for` loop over a collection.
pub enum IterState {
    Array {
        items: Rc<RefCell<Vec<Value>>>,
        next: usize,
    },
    Values {
        items: Vec<Value>,
        next: usize,
    },
    Range {
        next: i64,
        end: i64,
        step: i64,
        done: bool,
    },
    /// A generator: each step resumes its body (`vm/generator.rs`).
    Generator(Rc<GeneratorObj>),
    /// An async iterator for `for await`: each step is the future its `.next` gives
    /// (`vm/generator/mod.rs`): a channel, a TCP server, an instance whose class defines one.
    Async(Value),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(s.into()))
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(RefCell::new(items)))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    pub fn symbol(name: &str) -> Value {
        Value::Symbol(Sym::new(name))
    }

    pub fn gene(head: Value, props: Map, children: Vec<Value>) -> Value {
        Value::Gene(Rc::new(RefCell::new(GeneData {
            head,
            props,
            children,
        })))
    }

    #[inline]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// The type name users see (`.class`, error messages, `type`).
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "Nil".into(),
            Value::Bool(_) => "Bool".into(),
            Value::Int(_) => "Int".into(),
            Value::Float(_) => "Float".into(),
            Value::Char(_) => "Char".into(),
            Value::Placeholder => "Placeholder".into(),
            Value::Str(_) => "String".into(),
            Value::Symbol(_) => "Symbol".into(),
            Value::Path(_) => "Path".into(),
            Value::Array(_) => "Array".into(),
            Value::Set(_) => "Set".into(),
            Value::Map(_) => "Map".into(),
            Value::Gene(_) => "Gene".into(),
            Value::Range(_) => "Range".into(),
            Value::Quote(_) => "Quote".into(),
            Value::Unquote(_) => "Unquote".into(),
            Value::Func(f) => match f.kind {
                FuncKind::Function => "Function".into(),
                FuncKind::Macro => "Macro".into(),
                FuncKind::Block => "Block".into(),
            },
            Value::Native(_) => "NativeFunction".into(),
            Value::BoundMethod(_) => "Method".into(),
            Value::Class(_) => "Class".into(),
            Value::Instance(i) => i.class.name.clone(),
            Value::Ns(_) => "Namespace".into(),
            Value::Enum(_) => "Enum".into(),
            Value::EnumMember(_) => "EnumMember".into(),
            Value::Selector(_) => "Selector".into(),
            Value::Spread(_) => "Spread".into(),
            Value::Future(_) => "Future".into(),
            Value::Generator(g) => g.type_name().into(),
            Value::Bytes(_) => "Bytes".into(),
            Value::Host(h) => h.type_name().into(),
            Value::Cell(_) | Value::Iter(_) | Value::NotGiven => "Internal".into(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A deep copy of mutable data (arrays, maps, sets, genes); other values are shared.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Array(a) => Value::array(a.borrow().iter().map(Value::deep_copy).collect()),
            Value::Set(a) => Value::Set(Rc::new(RefCell::new(SetData::from_values(
                a.borrow().iter().map(Value::deep_copy),
            )))),
            Value::Map(m) => Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (*k, v.deep_copy()))
                    .collect(),
            ),
            Value::Gene(g) => {
                let g = g.borrow();
                Value::gene(
                    g.head.deep_copy(),
                    g.props.iter().map(|(k, v)| (*k, v.deep_copy())).collect(),
                    g.children.iter().map(Value::deep_copy).collect(),
                )
            }
            Value::Quote(q) => Value::Quote(Rc::new(q.deep_copy())),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_and_ops_stay_small() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
        assert_eq!(std::mem::size_of::<crate::bytecode::Op>(), 8);
    }
}
