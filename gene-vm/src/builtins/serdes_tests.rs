//! `deserialize(serialize(v))` is `v`, exactly, for generated values of every kind.

use std::cell::RefCell;
use std::rc::Rc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::intern::Sym;
use crate::output::CaptureOutput;
use crate::session::Session;
use crate::value::{Instance, Map, RangeData, SetData, Value, inspect};
use crate::vm::Vm;

/// A value to build, as plain data proptest can generate, shrink and print.
#[derive(Debug, Clone)]
enum Shape {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),
    Symbol(String),
    Path(Vec<String>),
    Placeholder,
    Bytes(Vec<u8>),
    Range(i64, i64, i64),
    /// The class `Point`, the function `hello`, the builtin `gene/io/read`.
    Class,
    Func,
    Native,
    Array(Vec<Shape>),
    Set(Vec<Shape>),
    Map(Vec<(String, Shape)>),
    Gene(Box<Shape>, Vec<(String, Shape)>, Vec<Shape>),
    Instance(Vec<(String, Shape)>),
    Quote(Box<Shape>),
    Unquote(Box<Shape>, bool),
    Selector(Vec<Shape>),
    Spread(Box<Shape>),
    Method(Box<Shape>, String),
}

/// Text of any characters, weighted towards the ones serialization must escape or could
/// misread: quotes, backslashes, `^`, spaces, `#{`, control characters, words like `nil`.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[a-z_][a-z0-9_-]{0,6}",
        r#"[ a-z0-9"'\\^#{}()\[\]:/.,;%@\n\r\t\u{0}-\u{1f}\u{7f}\u{80}-\u{9f}é𝄞]{0,12}"#,
        Just("role 1 ^admin".to_string()),
        Just(String::new()),
        Just("nil".to_string()),
        Just("_".to_string()),
        Just("true".to_string()),
        Just("-1".to_string()),
        Just("1e5".to_string()),
        Just("a/b".to_string()),
    ]
    .boxed()
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(5e-324),
        Just(1e16),
        Just(0.1),
    ]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0),
        Just(-1)
    ]
}

fn leaf() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Nil),
        any::<bool>().prop_map(Shape::Bool),
        int().prop_map(Shape::Int),
        float().prop_map(Shape::Float),
        any::<char>().prop_map(Shape::Char),
        prop_oneof![Just('\''), Just('\\'), Just('\n'), Just('"'), Just('\u{0}')]
            .prop_map(Shape::Char),
        text().prop_map(Shape::Str),
        text().prop_map(Shape::Symbol),
        prop::collection::vec(text(), 1..4).prop_map(Shape::Path),
        Just(Shape::Placeholder),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Shape::Bytes),
        (int(), int(), int()).prop_map(|(a, b, c)| Shape::Range(a, b, c)),
        Just(Shape::Class),
        Just(Shape::Func),
        Just(Shape::Native),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        let items = prop::collection::vec(inner.clone(), 0..5);
        let entries = prop::collection::vec((text(), inner.clone()), 0..4);
        prop_oneof![
            items.clone().prop_map(Shape::Array),
            items.clone().prop_map(Shape::Set),
            entries.clone().prop_map(Shape::Map),
            (inner.clone(), entries.clone(), items.clone()).prop_map(|(h, p, c)| Shape::Gene(
                Box::new(h),
                p,
                c
            )),
            entries.prop_map(Shape::Instance),
            inner.clone().prop_map(|v| Shape::Quote(Box::new(v))),
            (inner.clone(), any::<bool>()).prop_map(|(v, d)| Shape::Unquote(Box::new(v), d)),
            items.prop_map(Shape::Selector),
            inner.clone().prop_map(|v| Shape::Spread(Box::new(v))),
            (inner, text()).prop_map(|(v, m)| Shape::Method(Box::new(v), m)),
        ]
    })
}

/// A VM with the class, function and builtin the shapes refer to.
struct Fixture {
    vm: Session,
    class: Value,
    func: Value,
    native: Value,
}

impl Fixture {
    fn new() -> Fixture {
        let mut vm = Session::new(Vm::new(Box::new(CaptureOutput::new())));
        let mut eval = |text: &str| match vm.eval(text) {
            Ok(v) => v,
            Err(_) => panic!("the fixture's code failed: {text}"),
        };
        eval("(class Point (.ctor [x] (/x = x)))");
        eval("(fn hello [] \"hi\")");
        let class = eval("Point");
        let func = eval("hello");
        let native = eval("gene/io/read");
        Fixture {
            vm,
            class,
            func,
            native,
        }
    }

    fn build(&self, s: &Shape) -> Value {
        let list = |items: &[Shape]| items.iter().map(|i| self.build(i)).collect::<Vec<_>>();
        let map = |entries: &[(String, Shape)]| {
            entries
                .iter()
                .map(|(k, v)| (Sym::new(k), self.build(v)))
                .collect::<Map>()
        };
        match s {
            Shape::Nil => Value::Nil,
            Shape::Bool(b) => Value::Bool(*b),
            Shape::Int(n) => Value::Int(*n),
            Shape::Float(f) => Value::Float(*f),
            Shape::Char(c) => Value::Char(*c),
            Shape::Str(t) => Value::str(t.as_str()),
            Shape::Symbol(t) => Value::Symbol(Sym::new(t)),
            Shape::Path(segs) => Value::Path(Rc::new(segs.iter().map(|s| Sym::new(s)).collect())),
            Shape::Placeholder => Value::Placeholder,
            Shape::Bytes(b) => Value::Bytes(Rc::new(b.clone())),
            Shape::Range(start, end, step) => Value::Range(Rc::new(RangeData {
                start: *start,
                end: *end,
                step: *step,
            })),
            Shape::Class => self.class.clone(),
            Shape::Func => self.func.clone(),
            Shape::Native => self.native.clone(),
            Shape::Array(items) => Value::array(list(items)),
            Shape::Set(items) => {
                Value::Set(Rc::new(RefCell::new(SetData::from_values(list(items)))))
            }
            Shape::Map(entries) => Value::map(map(entries)),
            Shape::Gene(head, props, children) => {
                Value::gene(self.build(head), map(props), list(children))
            }
            Shape::Instance(props) => {
                let Value::Class(class) = &self.class else {
                    unreachable!("the fixture's class is a class")
                };
                Value::Instance(Rc::new(Instance::new(class.clone(), map(props).into())))
            }
            Shape::Quote(v) => Value::Quote(Rc::new(self.build(v))),
            Shape::Unquote(v, discard) => Value::Unquote(Rc::new((self.build(v), *discard))),
            Shape::Selector(items) => Value::Selector(Rc::new(list(items))),
            Shape::Spread(v) => Value::Spread(Rc::new(self.build(v))),
            Shape::Method(v, name) => Value::BoundMethod(Rc::new((self.build(v), Sym::new(name)))),
        }
    }

    /// The text serialize gives for `v`, and what deserialize makes of it, both run as Gene code.
    fn round_trip(&mut self, v: Value) -> Result<(String, Value), String> {
        self.vm.global.set(Sym::new("serdes_input"), v);
        let text = match self.vm.eval("(gene/serdes/serialize serdes_input)") {
            Ok(Value::Str(s)) => s.to_string(),
            Ok(other) => return Err(format!("serialize gave {}", inspect(&other))),
            Err(e) => return Err(format!("serialize failed: {}", self.describe(e))),
        };
        self.vm
            .global
            .set(Sym::new("serdes_text"), Value::str(text.as_str()));
        match self.vm.eval("(gene/serdes/deserialize serdes_text)") {
            Ok(back) => Ok((text, back)),
            Err(e) => Err(format!(
                "deserialize of {text} failed: {}",
                self.describe(e)
            )),
        }
    }

    fn describe(&self, e: crate::vm::RunError) -> String {
        match e {
            crate::vm::RunError::Uncaught(exc) => self.vm.describe_exception(&exc.value),
            crate::vm::RunError::Syntax { diagnostics, .. } => format!("{diagnostics:?}"),
            crate::vm::RunError::Io(m) => m,
        }
    }
}

/// Exactly the same value: every part equal, floats bit for bit (any NaN matches a NaN), maps
/// in the same order, genes and instances by content, classes and functions by identity.
fn same(a: &Value, b: &Value) -> bool {
    let seq =
        |x: &[Value], y: &[Value]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q));
    let maps = |x: &Map, y: &Map| {
        x.len() == y.len()
            && x.iter()
                .zip(y.iter())
                .all(|((k, v), (l, w))| k == l && same(v, w))
    };
    match (a, b) {
        (Value::Nil, Value::Nil) | (Value::Placeholder, Value::Placeholder) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Char(x), Value::Char(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Symbol(x), Value::Symbol(y)) => x == y,
        (Value::Path(x), Value::Path(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Range(x), Value::Range(y)) => x == y,
        (Value::Class(x), Value::Class(y)) => Rc::ptr_eq(x, y),
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Native(x), Value::Native(y)) => std::ptr::eq(*x, *y),
        (Value::Array(x), Value::Array(y)) => seq(&x.borrow(), &y.borrow()),
        (Value::Set(x), Value::Set(y)) => seq(&x.borrow().to_vec(), &y.borrow().to_vec()),
        (Value::Map(x), Value::Map(y)) => maps(&x.borrow(), &y.borrow()),
        (Value::Gene(x), Value::Gene(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            same(&x.head, &y.head) && maps(&x.props, &y.props) && seq(&x.children, &y.children)
        }
        (Value::Instance(x), Value::Instance(y)) => {
            Rc::ptr_eq(&x.class, &y.class)
                && maps(&x.props.borrow().to_map(), &y.props.borrow().to_map())
        }
        (Value::Quote(x), Value::Quote(y)) | (Value::Spread(x), Value::Spread(y)) => same(x, y),
        (Value::Unquote(x), Value::Unquote(y)) => x.1 == y.1 && same(&x.0, &y.0),
        (Value::Selector(x), Value::Selector(y)) => seq(x, y),
        (Value::BoundMethod(x), Value::BoundMethod(y)) => x.1 == y.1 && same(&x.0, &y.0),
        _ => false,
    }
}

#[test]
fn every_value_round_trips_exactly() {
    let fixture = RefCell::new(Fixture::new());
    // 256 cases unless PROPTEST_CASES says otherwise.
    let mut runner = TestRunner::new(Config::default());
    let result = runner.run(&shape(), |s| {
        let mut fixture = fixture.borrow_mut();
        let value = fixture.build(&s);
        let (text, back) = fixture
            .round_trip(value.clone())
            .map_err(TestCaseError::fail)?;
        prop_assert!(
            same(&value, &back),
            "{} came back as {} through {text}",
            inspect(&value),
            inspect(&back)
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_reported_corruptions_round_trip() {
    let mut fixture = Fixture::new();
    let cases = [
        Shape::Map(vec![("role 1 ^admin".into(), Shape::Bool(true))]),
        Shape::Array(vec![
            Shape::Float(f64::INFINITY),
            Shape::Float(f64::NEG_INFINITY),
            Shape::Float(f64::NAN),
            Shape::Float(-0.0),
        ]),
        Shape::Set(vec![Shape::Int(1), Shape::Str("two".into())]),
        Shape::Range(1, 10, 3),
    ];
    for case in &cases {
        let value = fixture.build(case);
        let (text, back) = fixture.round_trip(value.clone()).expect("round trip");
        assert!(
            same(&value, &back),
            "{case:?} came back as {} through {text}",
            inspect(&back)
        );
    }
}

#[test]
fn nesting_the_parser_cannot_read_is_refused_when_written() {
    let mut fixture = Fixture::new();
    let mut deep = Shape::Nil;
    for _ in 0..240 {
        deep = Shape::Array(vec![deep]);
    }
    let value = fixture.build(&deep);
    let (_, back) = fixture
        .round_trip(value.clone())
        .expect("240 levels round trip");
    assert!(same(&value, &back));
    let mut deeper = deep;
    for _ in 0..20 {
        deeper = Shape::Set(vec![deeper]);
    }
    let value = fixture.build(&deeper);
    let Err(err) = fixture.round_trip(value) else {
        panic!("data too deep to read back was serialized");
    };
    assert!(err.contains("nested this deeply"), "{err}");
}
