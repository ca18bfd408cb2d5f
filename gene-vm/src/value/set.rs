//! A set's members (`#[...]`): kept in insertion order, found by a hash consistent with `==`.
//!
//! Scalars that `==` compares by content (ints, floats, strings, symbols, chars, booleans, nil,
//! bytes) are indexed by the hash of their content, so `.has` and `.add` take constant time for
//! them. Containers (whose content may change after they were added) and nan are kept in a list
//! searched one by one with `==`. A deletion leaves a hole, closed when holes outnumber members,
//! so deleting takes constant time too (amortized).

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use super::{Value, values_equal};

#[derive(Default)]
pub struct SetData {
    /// The members in insertion order; a deleted one leaves a hole until the next compaction,
    /// so that a deletion moves nothing.
    slots: Vec<Option<Value>>,
    /// The slots holding a member, by hash.
    index: Members,
    holes: usize,
}

/// Holes tolerated before compacting (then: when they outnumber the members).
const MIN_HOLES: usize = 32;

impl SetData {
    /// The values without repeats (the first of equal values stays), in order.
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> SetData {
        let mut set = SetData::default();
        for v in values {
            set.insert(v);
        }
        set
    }

    pub fn len(&self) -> usize {
        self.slots.len() - self.holes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The members in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.slots.iter().flatten()
    }

    pub fn to_vec(&self) -> Vec<Value> {
        self.iter().cloned().collect()
    }

    pub fn contains(&self, v: &Value) -> bool {
        self.index
            .find(v, |i| self.slots.get(i)?.as_ref())
            .is_some()
    }

    /// Adds v unless a member `==` it; whether it was added.
    pub fn insert(&mut self, v: Value) -> bool {
        if self.contains(&v) {
            return false;
        }
        self.index.add(&v, self.slots.len());
        self.slots.push(Some(v));
        true
    }

    /// Removes the member `==` v; whether there was one.
    pub fn remove(&mut self, v: &Value) -> bool {
        let slots = &self.slots;
        let Some(at) = self.index.find(v, |i| slots.get(i)?.as_ref()) else {
            return false;
        };
        if let Some(removed) = self.slots.get_mut(at).and_then(Option::take) {
            self.index.forget(&removed, at);
        }
        self.holes += 1;
        if self.holes > MIN_HOLES && self.holes > self.len() {
            self.compact();
        }
        true
    }

    /// Closes the holes and indexes the members at their new places.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.holes = 0;
        self.index = Members::default();
        for (i, v) in self.slots.iter().enumerate() {
            if let Some(v) = v {
                self.index.add(v, i);
            }
        }
    }

    /// The members' storage, to reserve room in.
    pub(crate) fn storage(&mut self) -> &mut Vec<Option<Value>> {
        &mut self.slots
    }
}

/// Positions of values in a list, by [`scalar_hash`]; the other values in a list of their own.
#[derive(Default)]
pub struct Members {
    by_hash: FxHashMap<u64, Vec<usize>>,
    others: Vec<usize>,
}

impl Members {
    /// An index of every value of `items`.
    pub fn of(items: &[Value]) -> Members {
        let mut m = Members::default();
        for (i, v) in items.iter().enumerate() {
            m.add(v, i);
        }
        m
    }

    /// Records that `items[i]` is v.
    pub fn add(&mut self, v: &Value, i: usize) {
        match scalar_hash(v) {
            Some(h) => self.by_hash.entry(h).or_default().push(i),
            None => self.others.push(i),
        }
    }

    /// The position of a value of `items` (the list this indexes) that `==` v.
    pub fn position(&self, items: &[Value], v: &Value) -> Option<usize> {
        self.find(v, |i| items.get(i))
    }

    /// The position i of a value `==` v, where `at(i)` gives the value at i (None: no value).
    fn find<'a>(&self, v: &Value, at: impl Fn(usize) -> Option<&'a Value>) -> Option<usize> {
        let candidates = match scalar_hash(v) {
            Some(h) => self.by_hash.get(&h).map_or(&[][..], Vec::as_slice),
            None => &self.others,
        };
        candidates
            .iter()
            .copied()
            .find(|&i| at(i).is_some_and(|x| values_equal(x, v)))
    }

    /// Forgets that v is at position i.
    fn forget(&mut self, v: &Value, i: usize) {
        match scalar_hash(v) {
            Some(h) => {
                if let Some(list) = self.by_hash.get_mut(&h) {
                    list.retain(|&x| x != i);
                    if list.is_empty() {
                        self.by_hash.remove(&h);
                    }
                }
            }
            None => self.others.retain(|&x| x != i),
        }
    }
}

/// A hash consistent with `==` for the values it compares by content, or None.
fn scalar_hash(v: &Value) -> Option<u64> {
    let mut h = FxHasher::default();
    match v {
        Value::Nil => 0u8.hash(&mut h),
        Value::Bool(b) => (1u8, b).hash(&mut h),
        Value::Int(i) => (2u8, i).hash(&mut h),
        // nan equals nothing; 0.0 and -0.0 are equal.
        Value::Float(f) if f.is_nan() => return None,
        Value::Float(f) => (3u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(&mut h),
        Value::Char(c) => (4u8, c).hash(&mut h),
        Value::Str(s) => (5u8, s.as_str()).hash(&mut h),
        Value::Symbol(s) => (6u8, s).hash(&mut h),
        Value::Bytes(b) => (7u8, b.as_slice()).hash(&mut h),
        _ => return None,
    }
    Some(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_follow_equality() {
        let items = vec![
            Value::Int(1),
            Value::Float(-0.0),
            Value::str("a"),
            Value::array(vec![Value::Int(1)]),
            Value::Float(f64::NAN),
        ];
        let index = Members::of(&items);
        assert_eq!(index.position(&items, &Value::Int(1)), Some(0));
        assert_eq!(index.position(&items, &Value::Float(1.0)), None);
        assert_eq!(index.position(&items, &Value::Float(0.0)), Some(1));
        assert_eq!(index.position(&items, &Value::str("a")), Some(2));
        assert_eq!(index.position(&items, &Value::symbol("a")), None);
        assert_eq!(
            index.position(&items, &Value::array(vec![Value::Int(1)])),
            Some(3)
        );
        assert_eq!(index.position(&items, &Value::Float(f64::NAN)), None);
    }

    #[test]
    fn removing_keeps_the_index_true() {
        let mut set = SetData::from_values((0..10).map(Value::Int));
        assert!(set.remove(&Value::Int(3)));
        assert!(!set.remove(&Value::Int(3)));
        assert!(set.insert(Value::array(Vec::new())));
        assert!(set.remove(&Value::Int(0)));
        for i in (1..10).filter(|i| *i != 3) {
            assert!(set.contains(&Value::Int(i)), "{i}");
        }
        assert!(set.contains(&Value::array(Vec::new())));
        assert_eq!(set.len(), 9);
        assert!(!set.insert(Value::Int(9)));
        // Enough deletions to compact: the members left are still found, in order.
        let mut big = SetData::from_values((0..200).map(Value::Int));
        for i in 0..150 {
            assert!(big.remove(&Value::Int(i)));
        }
        assert!(big.slots.len() < 200, "compacted");
        assert_eq!(big.len(), 50);
        assert!((150..200).all(|i| big.contains(&Value::Int(i))));
        assert!(!big.contains(&Value::Int(10)));
        assert!(big.insert(Value::Int(10)));
        assert_eq!(
            big.iter().next().map(|v| matches!(v, Value::Int(150))),
            Some(true)
        );
        let order: Vec<i64> = set
            .iter()
            .filter_map(|v| {
                if let Value::Int(i) = v {
                    Some(*i)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(order, vec![1, 2, 4, 5, 6, 7, 8, 9]);
    }
}
