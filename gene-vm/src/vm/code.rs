//! Linked code: a [`Proto`] with its constants turned into values and its names interned.
//! Linking happens once per compiled unit (a module load, an `eval`).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::LineIndex;

use crate::bytecode::{Const, Op, ParamKind, Proto};
use crate::intern::Sym;
use crate::value::{
    Class, Closure, EnumData, EnumMember, FuncKind, Namespace, NativeFn, Value, form_to_value,
};

/// The file a piece of code came from, for error locations.
pub struct SourceInfo {
    pub path: String,
    pub text: Arc<String>,
    pub line_index: LineIndex,
}

impl SourceInfo {
    pub fn new(path: impl Into<String>, text: Arc<String>) -> Rc<SourceInfo> {
        let line_index = LineIndex::new(&text);
        Rc::new(SourceInfo {
            path: path.into(),
            text,
            line_index,
        })
    }
}

pub struct Code {
    pub proto: Arc<Proto>,
    /// The proto's ops followed by two `Return`s (see [`Code::ops`]). Cells: a debugger
    /// patches `Op::Break` over some of them (`vm/debug/`); nothing else writes them.
    ops: Box<[Cell<Op>]>,
    pub consts: Vec<Value>,
    pub names: Vec<Sym>,
    pub protos: Vec<Rc<Code>>,
    pub source: Rc<SourceInfo>,
    /// Namespace lookups by name index (see [`crate::vm::Vm::lookup_cached`]).
    pub name_cache: Box<[CachedName]>,
    /// Method lookups by name index (`CallMethod`'s name; see [`CachedMethod`]).
    pub method_cache: Box<[CachedMethod]>,
    /// Builtin method lookups by name index, for receivers of the common builtin types: the
    /// [`BuiltinKind`] it was found for and the builtin (the table of builtins never changes
    /// once the VM is set up).
    pub builtin_method_cache: Box<[CachedBuiltin]>,
    /// Where each name was last found among an instance's properties (`vm/members.rs`).
    pub member_hints: Box<[Cell<u32>]>,
    /// A call only pushes a frame: plain positional parameters without defaults, none
    /// captured, not async (the dispatch loop's inline call path).
    pub direct: bool,
    /// The number of parameters and of slots (parameters first), copied from the proto so the
    /// call path reads them without going through it.
    pub nparams: u32,
    pub nslots: u32,
    /// Slots after the parameters (nils a call pushes).
    pub nlocals: u32,
    /// Every parameter is positional and parameter i is in slot i (defaults and destructuring
    /// allowed): arguments are bound in place (`call.rs` `bind_positional`).
    pub positional: bool,
}

/// One cached namespace lookup: valid while the namespace version is `version` and the lookup
/// starts from `ns`. Plain cells: the dispatch loop reads them without a `RefCell` borrow.
pub struct CachedName {
    pub(crate) version: Cell<u64>,
    pub(crate) ns: Cell<*const Namespace>,
    pub(crate) value: Cell<Value>,
}

impl CachedName {
    fn empty() -> CachedName {
        CachedName {
            version: Cell::new(0),
            ns: Cell::new(std::ptr::null()),
            value: Cell::new(Value::Nil),
        }
    }

    /// The cached value, if the entry is valid for `ns` at `version`, handed to `read`.
    #[inline(always)]
    fn read<R>(
        &self,
        version: u64,
        ns: *const Namespace,
        read: impl FnOnce(&Value) -> Option<R>,
    ) -> Option<R> {
        if self.version.get() != version || self.ns.get() != ns {
            return None;
        }
        // SAFETY: only `set` writes the cell, and the reference does not outlive `read`, which
        // only clones or copies out of it (cloning a value runs no Gene code).
        read(unsafe { &*self.value.as_ptr() })
    }

    /// The cached value if the entry is valid for `ns` at `version`.
    #[inline(always)]
    pub(crate) fn get(&self, version: u64, ns: *const Namespace) -> Option<Value> {
        self.read(version, ns, |value| {
            Some(match value {
                Value::Func(f) => Value::Func(f.clone()),
                other => other.clone(),
            })
        })
    }

    /// The cached value if the entry is valid and holds a function that is not a macro (the
    /// head of most calls).
    #[inline(always)]
    pub(crate) fn get_function(&self, version: u64, ns: *const Namespace) -> Option<Rc<Closure>> {
        self.read(version, ns, |value| match value {
            Value::Func(f) if f.kind != FuncKind::Macro => Some(f.clone()),
            _ => None,
        })
    }

    /// The cached value if the entry is valid and holds a builtin (`str`, `println`...).
    #[inline(always)]
    pub(crate) fn get_native(
        &self,
        version: u64,
        ns: *const Namespace,
    ) -> Option<&'static NativeFn> {
        self.read(version, ns, |value| match value {
            Value::Native(f) => Some(*f),
            _ => None,
        })
    }

    pub(crate) fn set(&self, version: u64, ns: *const Namespace, value: Value) {
        self.version.set(version);
        self.ns.set(ns);
        self.value.set(value);
    }
}

/// The method a call site's name found on its last receiver's class: valid while the methods
/// version is `version` and the receiver's class is `class`. The entry holds that class, so
/// its address cannot be reused by another class while the entry lives.
pub struct CachedMethod {
    version: Cell<u64>,
    class: Cell<*const Class>,
    entry: Cell<Option<MethodEntry>>,
}

struct MethodEntry {
    _class: Rc<Class>,
    method: Rc<Closure>,
    home: Rc<Class>,
}

impl CachedMethod {
    fn empty() -> CachedMethod {
        CachedMethod {
            version: Cell::new(u64::MAX),
            class: Cell::new(std::ptr::null()),
            entry: Cell::new(None),
        }
    }

    /// The method and the class defining it, if the entry is valid for `class` at `version`.
    #[inline(always)]
    pub(crate) fn get(&self, version: u64, class: &Rc<Class>) -> Option<(Rc<Closure>, Rc<Class>)> {
        if self.version.get() != version || self.class.get() != Rc::as_ptr(class) {
            return None;
        }
        // SAFETY: only `set` writes the cell, and no reference from here outlives these clones
        // (cloning an `Rc` runs no Gene code).
        let entry = unsafe { &*self.entry.as_ptr() };
        entry.as_ref().map(|e| (e.method.clone(), e.home.clone()))
    }

    pub(crate) fn set(
        &self,
        version: u64,
        class: &Rc<Class>,
        method: Rc<Closure>,
        home: Rc<Class>,
    ) {
        self.version.set(version);
        self.class.set(Rc::as_ptr(class));
        self.entry.set(Some(MethodEntry {
            _class: class.clone(),
            method,
            home,
        }));
    }
}

/// One call site's builtin method: the receiver kind it was found for and the builtin.
pub type CachedBuiltin = Cell<Option<(BuiltinKind, &'static NativeFn)>>;

/// The builtin types whose method calls are cached per call site (the ones loops call most).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BuiltinKind {
    String,
    Array,
    Map,
    Int,
    Float,
}

impl BuiltinKind {
    #[inline(always)]
    pub fn of(v: &Value) -> Option<BuiltinKind> {
        match v {
            Value::Str(_) => Some(BuiltinKind::String),
            Value::Array(_) => Some(BuiltinKind::Array),
            Value::Map(_) => Some(BuiltinKind::Map),
            Value::Int(_) => Some(BuiltinKind::Int),
            Value::Float(_) => Some(BuiltinKind::Float),
            _ => None,
        }
    }
}

impl Code {
    /// The builtin method `n` for a receiver of `kind`, through the cache; `find` looks it up
    /// on a miss.
    #[inline(always)]
    pub(crate) fn builtin_method(
        &self,
        n: u32,
        kind: BuiltinKind,
        find: impl FnOnce(Sym) -> Option<&'static NativeFn>,
    ) -> Option<&'static NativeFn> {
        let cache = self.builtin_method_cache.get(n as usize)?;
        if let Some((k, f)) = cache.get()
            && k == kind
        {
            return Some(f);
        }
        let f = find(*self.names.get(n as usize)?)?;
        cache.set(Some((kind, f)));
        Some(f)
    }

    /// The method `n` of an instance of `class` that is a Gene function (not a native or
    /// another value), through the cache.
    #[inline(always)]
    pub(crate) fn method(&self, n: u32, class: &Rc<Class>) -> Option<(Rc<Closure>, Rc<Class>)> {
        let cache = self.method_cache.get(n as usize)?;
        let version = crate::value::methods_version();
        if let Some(hit) = cache.get(version, class) {
            return Some(hit);
        }
        self.method_miss(cache, version, n, class)
    }

    #[cold]
    #[inline(never)]
    fn method_miss(
        &self,
        cache: &CachedMethod,
        version: u64,
        n: u32,
        class: &Rc<Class>,
    ) -> Option<(Rc<Closure>, Rc<Class>)> {
        let (Value::Func(method), home) = class.find_method(*self.names.get(n as usize)?)? else {
            return None;
        };
        cache.set(version, class, method.clone(), home.clone());
        Some((method, home))
    }

    /// The ops, always ending with two `Return`s: running on from any op (or from the op after
    /// a `LoadCallee`'s `MacroArgs`) stays inside them, which the dispatch loop relies on to
    /// fetch ops without a bounds check.
    #[inline(always)]
    pub fn ops(&self) -> &[Cell<Op>] {
        &self.ops
    }

    /// The op at `ip` (`None` past the end).
    #[inline]
    pub fn op(&self, ip: usize) -> Option<Op> {
        self.ops.get(ip).map(Cell::get)
    }

    /// Replaces the op at `ip` (a debugger's `Op::Break`, or the op it replaced put back).
    pub(crate) fn patch(&self, ip: usize, op: Op) {
        if let Some(cell) = self.ops.get(ip) {
            cell.set(op);
        }
    }

    /// The index of the last op (a `Return`): the dispatch loop clamps jump targets to it.
    #[inline(always)]
    pub fn last_op(&self) -> usize {
        self.ops.len() - 1
    }

    #[inline]
    pub fn name(&self, i: u32) -> Sym {
        self.names
            .get(i as usize)
            .copied()
            .unwrap_or_else(|| Sym::new("?"))
    }

    #[inline]
    pub fn constant(&self, i: u32) -> Value {
        self.consts.get(i as usize).cloned().unwrap_or(Value::Nil)
    }
}

/// Links a proto (and its nested protos). `embedded` resolves `Const::Embedded`.
pub fn link(proto: &Arc<Proto>, source: &Rc<SourceInfo>, embedded: &[Value]) -> Rc<Code> {
    let consts = proto
        .consts
        .iter()
        .map(|c| link_const(c, embedded))
        .collect();
    let names: Vec<Sym> = proto.names.iter().map(|n| Sym::new(n)).collect();
    let name_cache = names.iter().map(|_| CachedName::empty()).collect();
    let method_cache = names.iter().map(|_| CachedMethod::empty()).collect();
    let builtin_method_cache = names.iter().map(|_| Cell::new(None)).collect();
    let member_hints = names.iter().map(|_| Cell::new(0)).collect();
    let protos = proto
        .protos
        .iter()
        .map(|p| link(p, source, embedded))
        .collect();
    Rc::new(Code {
        proto: proto.clone(),
        ops: proto
            .ops
            .iter()
            .copied()
            .chain([Op::Return, Op::Return])
            .map(Cell::new)
            .collect(),
        consts,
        names,
        protos,
        source: source.clone(),
        name_cache,
        method_cache,
        builtin_method_cache,
        member_hints,
        direct: proto.direct_call,
        nparams: proto.params.slots.len() as u32,
        nslots: proto.nslots,
        nlocals: proto.nslots.saturating_sub(proto.params.slots.len() as u32),
        positional: !proto.params.ignore_all
            && proto
                .params
                .slots
                .iter()
                .enumerate()
                .all(|(i, p)| p.kind == ParamKind::Positional && p.slot as usize == i),
    })
}

fn link_const(c: &Const, embedded: &[Value]) -> Value {
    match c {
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::str(s.as_str()),
        Const::Char(c) => Value::Char(*c),
        Const::Symbol(s) => Value::Symbol(Sym::new(s)),
        Const::Path(segs) => Value::Path(Rc::new(segs.iter().map(|s| Sym::new(s)).collect())),
        Const::Form(f) => form_to_value(f),
        Const::Enum { name, members } => Value::Enum(Rc::new(EnumData {
            name: name.clone(),
            members: members
                .iter()
                .map(|(m, v)| {
                    Rc::new(EnumMember {
                        enum_name: name.clone(),
                        name: m.clone(),
                        value: *v,
                    })
                })
                .collect(),
        })),
        Const::Embedded(i) => embedded.get(*i as usize).cloned().unwrap_or(Value::Nil),
        // Used by their ops straight from the proto.
        Const::MacroCall { .. }
        | Const::Import { .. }
        | Const::Exports(_)
        | Const::Error { .. } => Value::Nil,
    }
}
