//! `gene/serdes`: values to text and back. Data is written in its `$` form; classes and
//! functions become references by name, instances carry their class reference and properties.

use std::cell::RefCell;
use std::rc::Rc;

use gene_syntax::form::{Form, FormKind};

use super::{arg, str_arg};
use crate::intern::Sym;
use crate::value::{Instance, Map, NativeFn, Value, form_to_value, write_inspect};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/serdes/serialize", |vm, args| {
        let mut out = String::from("(gene/serialization ");
        write_value(vm, &mut out, arg(args, 0), 0)?;
        out.push(')');
        Ok(Value::str(out))
    }),
    native!("gene/serdes/deserialize", |vm, args| {
        let text = str_arg(vm, args, 0, "the serialized text")?;
        let parse = gene_syntax::parse_text(text);
        if let Some(e) = parse.errors().first() {
            return Err(vm.error("SyntaxError", format!("cannot deserialize: {}", e.message)));
        }
        let forms = parse.forms();
        let Some(form) = forms.first() else {
            return Ok(Value::Nil);
        };
        let data = match &form.kind {
            FormKind::Gene(g) if is_path(&g.head, &["gene", "serialization"]) => {
                g.children.first().cloned()
            }
            _ => Some(form.clone()),
        };
        match data {
            Some(f) => read_value(vm, &f, 0),
            None => Ok(Value::Nil),
        }
    }),
];

const MAX_DEPTH: usize = 200;

fn write_value(vm: &Vm, out: &mut String, v: &Value, depth: usize) -> Result<(), Exc> {
    if depth > MAX_DEPTH {
        return Err(vm.error(
            "ArgumentError",
            "cannot serialize data nested this deeply (or cyclic)",
        ));
    }
    match v {
        Value::Class(c) => ref_to(out, &c.name),
        Value::Func(f) => ref_to(out, f.name()),
        Value::Native(n) => ref_to(out, n.name),
        Value::Instance(i) => {
            out.push_str("(gene/instance ");
            ref_to(out, &i.class.name);
            out.push_str(" {");
            for (n, (k, val)) in i.props.borrow().iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                out.push('^');
                out.push_str(&k.name());
                out.push(' ');
                write_value(vm, out, val, depth + 1)?;
            }
            out.push_str("})");
        }
        Value::Array(a) => {
            out.push('[');
            for (n, item) in a.borrow().iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                write_value(vm, out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (n, (k, val)) in m.borrow().iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                out.push('^');
                out.push_str(&k.name());
                out.push(' ');
                write_value(vm, out, val, depth + 1)?;
            }
            out.push('}');
        }
        Value::Symbol(_) | Value::Path(_) | Value::Gene(_) => {
            // Symbols and genes read back as code; quote them so they stay data.
            out.push(':');
            write_inspect(out, v);
        }
        Value::Future(_) => {
            return Err(vm.error(
                "ArgumentError",
                "a Future cannot be serialized (await it and serialize its value)",
            ));
        }
        Value::Generator(g) => {
            return Err(vm.error(
                "ArgumentError",
                format!(
                    "a {} cannot be serialized (its state is a running function's; serialize the values it yields)",
                    g.type_name()
                ),
            ));
        }
        Value::Bytes(b) => {
            out.push_str("(gene/bytes [");
            for (n, byte) in b.iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                out.push_str(&byte.to_string());
            }
            out.push_str("])");
        }
        Value::Host(h) => {
            return Err(vm.error(
                "ArgumentError",
                format!("a {} cannot be serialized", h.type_name()),
            ));
        }
        other => write_inspect(out, other),
    }
    Ok(())
}

fn ref_to(out: &mut String, name: &str) {
    out.push_str("(gene/ref ");
    write_inspect(out, &Value::str(name));
    out.push(')');
}

fn is_path(form: &Form, segs: &[&str]) -> bool {
    matches!(&form.kind, FormKind::Path(p) if p.iter().map(String::as_str).eq(segs.iter().copied()))
}

fn read_value(vm: &Vm, form: &Form, depth: usize) -> Result<Value, Exc> {
    if depth > MAX_DEPTH {
        return Err(vm.error("ArgumentError", "serialized data nested too deeply"));
    }
    match &form.kind {
        FormKind::Gene(g) if is_path(&g.head, &["gene", "ref"]) => {
            let Some(FormKind::Str(name)) = g.children.first().map(|f| &f.kind) else {
                return Err(vm.error("ArgumentError", "(gene/ref \"Name\") needs a name"));
            };
            resolve_ref(vm, name)
        }
        FormKind::Gene(g) if is_path(&g.head, &["gene", "instance"]) => {
            let class = match g.children.first() {
                Some(f) => read_value(vm, f, depth + 1)?,
                None => Value::Nil,
            };
            let Value::Class(class) = class else {
                return Err(vm.error(
                    "ArgumentError",
                    "(gene/instance ...) needs a class reference",
                ));
            };
            let mut props = Map::default();
            if let Some(FormKind::Map(ps)) = g.children.get(1).map(|f| &f.kind) {
                for p in ps {
                    props.insert(Sym::new(&p.key), read_value(vm, &p.value, depth + 1)?);
                }
            }
            Ok(Value::Instance(Rc::new(Instance {
                class,
                props: RefCell::new(props),
                trace: RefCell::new(None),
            })))
        }
        FormKind::Gene(g) if is_path(&g.head, &["gene", "bytes"]) => {
            let items = match g.children.first().map(|f| &f.kind) {
                Some(FormKind::Array(items)) => items,
                _ => return Err(vm.error("ArgumentError", "(gene/bytes ...) needs an array")),
            };
            let bytes = items
                .iter()
                .map(|f| match f.kind {
                    FormKind::Int(n) => u8::try_from(n).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| {
                    vm.error(
                        "ArgumentError",
                        "(gene/bytes [...]) needs integers from 0 to 255",
                    )
                })?;
            Ok(Value::Bytes(Rc::new(bytes)))
        }
        FormKind::Quote(inner) => Ok(form_to_value(inner)),
        FormKind::Array(items) => Ok(Value::array(
            items
                .iter()
                .map(|f| read_value(vm, f, depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        FormKind::Map(props) => {
            let mut map = Map::default();
            for p in props {
                map.insert(Sym::new(&p.key), read_value(vm, &p.value, depth + 1)?);
            }
            Ok(Value::map(map))
        }
        _ => Ok(form_to_value(form)),
    }
}

/// A reference by name: looked up from the running code's namespace (a path `a/b` walks
/// namespaces).
fn resolve_ref(vm: &Vm, name: &str) -> Result<Value, Exc> {
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
