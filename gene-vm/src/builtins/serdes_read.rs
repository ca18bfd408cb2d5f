//! Reading serialized text back into values: the literals and tagged forms `serdes.rs` writes.

use std::cell::RefCell;
use std::rc::Rc;

use gene_syntax::form::{Form, FormKind, Prop};

use crate::intern::Sym;
use crate::value::{Instance, Map, RangeData, SetData, Value, form_to_value};
use crate::vm::{Exc, Vm};

/// The value serialized in `text`.
pub(super) fn deserialize(vm: &Vm, text: &str) -> Result<Value, Exc> {
    let parse = gene_syntax::parse_text(text);
    if let Some(e) = parse.errors().first() {
        return Err(vm.error("SyntaxError", format!("cannot deserialize: {}", e.message)));
    }
    let forms = parse.forms();
    let Some(form) = forms.first() else {
        return Ok(Value::Nil);
    };
    let data = match &form.kind {
        FormKind::Gene(g) if tag(&g.head) == Some("serialization") => g.children.first(),
        _ => Some(form),
    };
    match data {
        Some(f) => Reader { vm }.value(f),
        None => Ok(Value::Nil),
    }
}

/// `x` when the form is the path `gene/x`.
fn tag(form: &Form) -> Option<&str> {
    match &form.kind {
        FormKind::Path(p) if p.len() == 2 && p[0] == "gene" => Some(p[1].as_str()),
        _ => None,
    }
}

struct Reader<'a> {
    vm: &'a Vm,
}

impl Reader<'_> {
    fn value(&self, form: &Form) -> Result<Value, Exc> {
        match &form.kind {
            FormKind::Array(items) => Ok(Value::array(self.values(items)?)),
            FormKind::Map(props) => Ok(Value::map(self.props(props)?)),
            FormKind::Gene(g) => match tag(&g.head) {
                Some(t) => self.tagged(t, &g.children, form),
                None => Ok(form_to_value(form)),
            },
            // Literals, and what earlier versions wrote: quoted symbols and genes.
            FormKind::Quote(inner) => Ok(form_to_value(inner)),
            _ => Ok(form_to_value(form)),
        }
    }

    fn values(&self, items: &[Form]) -> Result<Vec<Value>, Exc> {
        items.iter().map(|f| self.value(f)).collect()
    }

    fn props(&self, props: &[Prop]) -> Result<Map, Exc> {
        let mut map = Map::default();
        for p in props {
            map.insert(Sym::new(&p.key), self.value(&p.value)?);
        }
        Ok(map)
    }

    fn tagged(&self, tag: &str, args: &[Form], form: &Form) -> Result<Value, Exc> {
        let shape = |what: &str| {
            self.vm.error(
                "ArgumentError",
                format!("cannot deserialize (gene/{tag} ...): it needs {what}"),
            )
        };
        Ok(match (tag, args) {
            ("ref", [name]) => {
                let FormKind::Str(name) = &name.kind else {
                    return Err(shape("a name"));
                };
                self.resolve_ref(name)?
            }
            ("float", [text]) => match &text.kind {
                FormKind::Str(s) if s == "inf" => Value::Float(f64::INFINITY),
                FormKind::Str(s) if s == "-inf" => Value::Float(f64::NEG_INFINITY),
                FormKind::Str(s) if s == "nan" => Value::Float(f64::NAN),
                _ => return Err(shape("\"inf\", \"-inf\" or \"nan\"")),
            },
            ("char", [code]) => {
                let c = match code.kind {
                    FormKind::Int(n) => u32::try_from(n).ok().and_then(char::from_u32),
                    _ => None,
                };
                Value::Char(c.ok_or_else(|| shape("a character's code point"))?)
            }
            ("symbol", [name]) => match &name.kind {
                FormKind::Str(s) => Value::Symbol(Sym::new(s)),
                _ => return Err(shape("the symbol's text")),
            },
            ("path", [segs]) => {
                let segs = strings(segs).ok_or_else(|| shape("an array of strings"))?;
                Value::Path(Rc::new(segs.iter().map(|s| Sym::new(s)).collect()))
            }
            ("placeholder", []) => Value::Placeholder,
            ("set", [items]) => Value::Set(Rc::new(RefCell::new(SetData::from_values(
                self.values(array(items).ok_or_else(|| shape("an array"))?)?,
            )))),
            ("map", [entries]) => Value::map(
                self.entries(entries)
                    .ok_or_else(|| shape("an array of keys (strings) and values"))??,
            ),
            ("gene", [head, props, children]) => {
                let children = array(children).ok_or_else(|| shape("an array of children"))?;
                Value::gene(
                    self.value(head)?,
                    self.map_of(props)
                        .ok_or_else(|| shape("a map of properties"))??,
                    self.values(children)?,
                )
            }
            ("range", [start, end, step]) => match (&start.kind, &end.kind, &step.kind) {
                (FormKind::Int(start), FormKind::Int(end), FormKind::Int(step)) => {
                    Value::Range(Rc::new(RangeData {
                        start: *start,
                        end: *end,
                        step: *step,
                    }))
                }
                _ => return Err(shape("three integers")),
            },
            ("quote", [inner]) => Value::Quote(Rc::new(self.value(inner)?)),
            ("unquote", [inner, discard]) => {
                let FormKind::Bool(discard) = discard.kind else {
                    return Err(shape("a value and a boolean"));
                };
                Value::Unquote(Rc::new((self.value(inner)?, discard)))
            }
            ("selector", [items]) => Value::Selector(Rc::new(
                self.values(array(items).ok_or_else(|| shape("an array"))?)?,
            )),
            ("spread", [inner]) => Value::Spread(Rc::new(self.value(inner)?)),
            ("method", [receiver, name]) => {
                let FormKind::Str(name) = &name.kind else {
                    return Err(shape("a receiver and a method name"));
                };
                Value::BoundMethod(Rc::new((self.value(receiver)?, Sym::new(name))))
            }
            ("bytes", [items]) => self.bytes(items)?,
            ("instance", [class, props]) => {
                let Value::Class(class) = self.value(class)? else {
                    return Err(shape("a class reference"));
                };
                let props = self
                    .map_of(props)
                    .ok_or_else(|| shape("a class reference and a map of properties"))??;
                Value::Instance(Rc::new(Instance::new(class, props.into())))
            }
            // Not a tag this module writes: a gene of data, as earlier versions read it.
            _ => form_to_value(form),
        })
    }

    /// `{^k v}` or `(gene/map [...])`: a map's entries.
    fn map_of(&self, form: &Form) -> Option<Result<Map, Exc>> {
        match &form.kind {
            FormKind::Map(props) => Some(self.props(props)),
            FormKind::Gene(g) if tag(&g.head) == Some("map") => match g.children.as_slice() {
                [entries] => self.entries(entries),
                _ => None,
            },
            _ => None,
        }
    }

    /// `["key" value ...]`: None when the shape is wrong.
    fn entries(&self, form: &Form) -> Option<Result<Map, Exc>> {
        let items = array(form)?;
        if items.len() % 2 != 0 {
            return None;
        }
        let mut map = Map::default();
        for pair in items.chunks(2) {
            let FormKind::Str(key) = &pair[0].kind else {
                return None;
            };
            match self.value(&pair[1]) {
                Ok(v) => map.insert(Sym::new(key), v),
                Err(e) => return Some(Err(e)),
            };
        }
        Some(Ok(map))
    }

    fn bytes(&self, form: &Form) -> Result<Value, Exc> {
        let bytes = array(form).and_then(|items| {
            items
                .iter()
                .map(|f| match f.kind {
                    FormKind::Int(n) => u8::try_from(n).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
        });
        bytes.map(|b| Value::Bytes(Rc::new(b))).ok_or_else(|| {
            self.vm.error(
                "ArgumentError",
                "(gene/bytes [...]) needs integers from 0 to 255",
            )
        })
    }

    /// A reference by name: looked up from the running code's namespace (a path `a/b` walks
    /// namespaces and members).
    fn resolve_ref(&self, name: &str) -> Result<Value, Exc> {
        let vm = self.vm;
        let ns = vm.frame_ns();
        let mut segs = name.split('/');
        let first = segs.next().unwrap_or_default();
        let mut v = vm.lookup_name(&ns, Sym::new(first));
        for seg in segs {
            v = match v {
                Some(val) => Some(vm.get_member(&val, Sym::new(seg))?),
                None => None,
            };
        }
        v.filter(|v| !matches!(v, Value::Nil)).ok_or_else(|| {
            vm.error(
                "NameError",
                format!("cannot deserialize a reference to {name}: it is not defined"),
            )
        })
    }
}

fn array(form: &Form) -> Option<&[Form]> {
    match &form.kind {
        FormKind::Array(items) => Some(items),
        _ => None,
    }
}

fn strings(form: &Form) -> Option<Vec<&str>> {
    array(form)?
        .iter()
        .map(|f| match &f.kind {
            FormKind::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}
