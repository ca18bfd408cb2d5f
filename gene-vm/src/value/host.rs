//! Host objects: values a builtin owns and Gene code only holds and calls methods on (an SQLite
//! connection, a transaction). The object's type name is what `.class` and error messages show
//! and picks its builtin methods (`Database.exec_async`); it prints as the object describes
//! itself; two host values are equal only when they are the same object. A host object whose
//! type has a `.next` method (`TcpServer.next`) is an async iterator: `for await` goes through
//! it as through any other (`vm/generator/mod.rs`).

use std::any::Any;
use std::rc::Rc;

pub trait HostObject: Any {
    /// The type users see (`Database`): also the receiver name of its catalogue methods.
    fn type_name(&self) -> &'static str;
    /// How it prints, e.g. `<Database app.db>`.
    fn describe(&self) -> String;
}

/// A host object behind one thin pointer (a `Value` stays 16 bytes).
pub struct Host(Box<dyn HostObject>);

impl Host {
    pub fn new(obj: impl HostObject) -> Rc<Host> {
        Rc::new(Host(Box::new(obj)))
    }

    pub fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    pub fn describe(&self) -> String {
        self.0.describe()
    }

    /// The object as its concrete type, if it is one.
    pub fn downcast<T: HostObject>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.0;
        any.downcast_ref::<T>()
    }
}
