//! Linked code: a [`Proto`] with its constants turned into values and its names interned.
//! Linking happens once per compiled unit (a module load, an `eval`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::LineIndex;

use crate::bytecode::{Const, Op, Proto};
use crate::intern::Sym;
use crate::value::{EnumData, EnumMember, Value, form_to_value};

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
    pub ops: Box<[Op]>,
    pub consts: Vec<Value>,
    pub names: Vec<Sym>,
    pub protos: Vec<Rc<Code>>,
    pub source: Rc<SourceInfo>,
    /// Namespace lookups by name index: (namespace version, namespace, value).
    pub name_cache: RefCell<Vec<Option<(u64, *const crate::value::Namespace, Value)>>>,
}

impl Code {
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
    let name_cache = RefCell::new(vec![None; names.len()]);
    let protos = proto
        .protos
        .iter()
        .map(|p| link(p, source, embedded))
        .collect();
    Rc::new(Code {
        proto: proto.clone(),
        ops: proto.ops.clone().into_boxed_slice(),
        consts,
        names,
        protos,
        source: source.clone(),
        name_cache,
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
