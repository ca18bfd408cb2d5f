//! An instance's properties: name-value pairs in the order they were first set.
//!
//! Most objects have a handful of properties, so they are a plain vector searched from the
//! front: no hash table to allocate per object and no hashing per access. Past
//! [`INDEXED_FROM`] entries (an object used as a dictionary) a hash index of the positions is
//! kept beside them, so no object gets slow to read as it grows.
//!
//! A property keeps its position once set, so objects built the same way (a class's
//! constructor) have each property at the same position: the dispatch loop's member caches
//! remember the position a site last found and check only that entry ([`Props::get_at`]).

use std::cell::Cell;

use rustc_hash::FxHashMap;

use super::{Map, Value};
use crate::intern::Sym;

/// Entries from which the positions are also kept in a hash index.
const INDEXED_FROM: usize = 12;

#[derive(Default)]
pub struct Props {
    entries: Vec<(Sym, Value)>,
    index: Option<Box<FxHashMap<Sym, u32>>>,
}

impl Props {
    /// Empty, with room for `n` properties.
    pub fn with_capacity(n: usize) -> Props {
        Props {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of `name`.
    #[inline]
    pub fn position(&self, name: Sym) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(&name).map(|&p| p as usize),
            None => self.entries.iter().position(|(k, _)| *k == name),
        }
    }

    pub fn get(&self, name: &Sym) -> Option<&Value> {
        let p = self.position(*name)?;
        self.entries.get(p).map(|(_, v)| v)
    }

    /// The value at `pos` if the property there is `name` (a cached position's check).
    #[inline(always)]
    pub fn get_at(&self, pos: usize, name: Sym) -> Option<&Value> {
        match self.entries.get(pos) {
            Some((k, v)) if *k == name => Some(v),
            _ => None,
        }
    }

    /// The value at `pos` if the property there is `name`, to assign.
    #[inline(always)]
    pub fn get_at_mut(&mut self, pos: usize, name: Sym) -> Option<&mut Value> {
        match self.entries.get_mut(pos) {
            Some((k, v)) if *k == name => Some(v),
            _ => None,
        }
    }

    /// The value of `name`, trying the position `hint` remembers first; a hit elsewhere moves
    /// the hint there.
    #[inline(always)]
    pub fn get_hinted(&self, name: Sym, hint: &Cell<u32>) -> Option<&Value> {
        match self.get_at(hint.get() as usize, name) {
            Some(v) => Some(v),
            None => self.get_and_hint(name, hint),
        }
    }

    #[inline(never)]
    fn get_and_hint(&self, name: Sym, hint: &Cell<u32>) -> Option<&Value> {
        let p = self.position(name)?;
        hint.set(p as u32);
        self.entries.get(p).map(|(_, v)| v)
    }

    /// Sets `name` (a new one goes last); gives the old value and the property's position.
    pub fn set(&mut self, name: Sym, value: Value) -> (Option<Value>, usize) {
        if let Some(p) = self.position(name) {
            let old = std::mem::replace(&mut self.entries[p].1, value);
            return (Some(old), p);
        }
        let p = self.entries.len();
        self.entries.push((name, value));
        if let Some(index) = &mut self.index {
            index.insert(name, p as u32);
        } else if self.entries.len() > INDEXED_FROM {
            self.index = Some(Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (*k, i as u32))
                    .collect(),
            ));
        }
        (None, p)
    }

    /// Sets `name`, giving the old value (as `IndexMap::insert`).
    pub fn insert(&mut self, name: Sym, value: Value) -> Option<Value> {
        self.set(name, value).0
    }

    pub fn iter(&self) -> impl Clone + ExactSizeIterator<Item = (&Sym, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Sym> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The properties as a map (same order).
    pub fn to_map(&self) -> Map {
        self.iter().map(|(k, v)| (*k, v.clone())).collect()
    }
}

impl FromIterator<(Sym, Value)> for Props {
    fn from_iter<I: IntoIterator<Item = (Sym, Value)>>(iter: I) -> Props {
        let mut props = Props::default();
        for (k, v) in iter {
            props.set(k, v);
        }
        props
    }
}

impl From<Map> for Props {
    fn from(map: Map) -> Props {
        map.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(i: usize) -> Sym {
        Sym::new(&format!("p{i}"))
    }

    #[test]
    fn keeps_first_set_order_and_replaces_in_place() {
        let mut p = Props::default();
        p.insert(sym(1), Value::Int(1));
        p.insert(sym(2), Value::Int(2));
        assert!(matches!(
            p.insert(sym(1), Value::Int(10)),
            Some(Value::Int(1))
        ));
        let order: Vec<Sym> = p.keys().copied().collect();
        assert_eq!(order, vec![sym(1), sym(2)]);
        assert!(matches!(p.get(&sym(1)), Some(Value::Int(10))));
        assert!(p.get(&sym(3)).is_none());
    }

    #[test]
    fn many_properties_are_found_through_the_index() {
        // Across the switch to an index, every property stays where it was and is found.
        let mut p = Props::default();
        for i in 0..100 {
            assert_eq!(p.set(sym(i), Value::Int(i as i64)).1, i);
        }
        assert!(p.index.is_some());
        for i in 0..100 {
            assert_eq!(p.position(sym(i)), Some(i));
            assert!(matches!(p.get_at(i, sym(i)), Some(Value::Int(n)) if *n == i as i64));
        }
        assert!(p.get_at(0, sym(1)).is_none());
        assert_eq!(p.set(sym(50), Value::Nil).1, 50);
        assert_eq!(p.len(), 100);
    }
}
