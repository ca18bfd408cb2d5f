//! Symbol interning. Symbols, map keys, property names and member names are small integers;
//! the table is per thread because the Gene heap is single-threaded.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use rustc_hash::FxHashMap;

/// An interned name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(u32);

#[derive(Default)]
struct Interner {
    ids: FxHashMap<Rc<str>, Sym>,
    names: Vec<Rc<str>>,
}

thread_local! {
    static INTERNER: RefCell<Interner> = RefCell::new(Interner::default());
}

impl Sym {
    pub fn new(name: &str) -> Sym {
        INTERNER.with(|cell| {
            let mut table = cell.borrow_mut();
            if let Some(&sym) = table.ids.get(name) {
                return sym;
            }
            let sym = Sym(table.names.len() as u32);
            let name: Rc<str> = Rc::from(name);
            table.names.push(name.clone());
            table.ids.insert(name, sym);
            sym
        })
    }

    /// The symbol's name (shared, cheap to clone).
    pub fn name(self) -> Rc<str> {
        INTERNER.with(|cell| {
            cell.borrow()
                .names
                .get(self.0 as usize)
                .cloned()
                .unwrap_or_else(|| Rc::from("?"))
        })
    }

    pub fn with_name<R>(self, f: impl FnOnce(&str) -> R) -> R {
        INTERNER.with(|cell| {
            let table = cell.borrow();
            f(table.names.get(self.0 as usize).map_or("?", |n| n))
        })
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_name(|n| write!(f, "Sym({n})"))
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_name(|n| f.write_str(n))
    }
}

#[cfg(test)]
mod tests {
    use super::Sym;

    #[test]
    fn interning_is_stable() {
        let a = Sym::new("alpha");
        assert_eq!(a, Sym::new("alpha"));
        assert_ne!(a, Sym::new("beta"));
        assert_eq!(&*a.name(), "alpha");
    }
}
