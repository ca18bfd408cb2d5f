//! `.sort`: stable, O(n log n), interruptible.
//!
//! Without a compare function, numbers sort by value (ints and floats compared exactly, NaN
//! after every other number) and strings by their bytes; anything else is a TypeError. The
//! sort runs in chunks, with a look at the interrupt flag between them.
//!
//! With a compare function, every comparison is a Gene call, so the sort is a state machine
//! driven as a resumable native (`vm/native.rs`): each step asks one question, "does x go
//! before y?", and is resumed with the answer. It is a simplified Timsort, which asks few
//! questions: natural runs (a descending one is reversed), extended to a minimum length by
//! binary insertion, then merged pairwise, a merge of two runs already in order costing one
//! question. Ctrl-C reaches it through the VM's check on calls made by natives.

use std::cmp::Ordering;

use super::arg;
use crate::value::Value;
use crate::vm::native::{Flow, Resume, Step};
use crate::vm::{Exc, Vm};

pub(super) fn sort(vm: &mut Vm, args: &[Value]) -> Result<Flow, Exc> {
    let items = match arg(args, 0) {
        Value::Array(a) => a.borrow().clone(),
        other => {
            return Err(vm.type_error(format!("expected an array, got {}", other.type_name())));
        }
    };
    match args.get(1) {
        None | Some(Value::Nil) => Ok(Flow::Return(Value::array(natural_sort(vm, items)?))),
        Some(f) => Ok(CompareSort::start(f.clone(), items)),
    }
}

// ---- without a compare function

/// Elements sorted by the standard library between two looks at the interrupt flag.
const CHUNK: usize = 1 << 16;

#[derive(Clone, Copy, PartialEq)]
enum Sortable {
    Number,
    Text,
}

fn sortable(v: &Value) -> Option<Sortable> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(Sortable::Number),
        Value::Str(_) => Some(Sortable::Text),
        _ => None,
    }
}

fn natural_sort(vm: &mut Vm, mut items: Vec<Value>) -> Result<Vec<Value>, Exc> {
    if items.len() < 2 {
        return Ok(items);
    }
    // One kind throughout, checked first: the order below is then total, as the standard
    // library's sort requires.
    let kind = sortable(&items[0]);
    if let Some(bad) = items
        .iter()
        .skip(1)
        .find(|v| kind.is_none() || sortable(v) != kind)
    {
        return Err(vm.type_error(format!(
            "cannot sort {} and {} without a compare function",
            items[0].type_name(),
            bad.type_name()
        )));
    }
    for chunk in items.chunks_mut(CHUNK) {
        chunk.sort_by(natural_order);
        vm.check_interrupt()?;
    }
    merge_chunks(vm, items)
}

/// `.sort_by`: the items in the order of their keys (`keys[i]` is the key of `items[i]`), which
/// must be all numbers or all strings; stable.
pub(super) fn sort_by_keys(
    vm: &mut Vm,
    items: Vec<Value>,
    keys: Vec<Value>,
) -> Result<Vec<Value>, Exc> {
    let kind = keys.first().and_then(sortable);
    if let Some(bad) = keys.iter().find(|k| kind.is_none() || sortable(k) != kind) {
        return Err(vm.type_error(format!(
            ".sort_by needs keys that are all numbers or all strings, got {} and {}",
            keys[0].type_name(),
            bad.type_name()
        )));
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| natural_order(&keys[a], &keys[b]));
    vm.check_interrupt()?;
    let mut items: Vec<Option<Value>> = items.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|i| items.get_mut(i).and_then(Option::take))
        .collect())
}

/// Merges the sorted chunks of `items` pairwise until one is left.
fn merge_chunks(vm: &mut Vm, mut src: Vec<Value>) -> Result<Vec<Value>, Exc> {
    let n = src.len();
    if n <= CHUNK {
        return Ok(src);
    }
    let mut dst: Vec<Value> = Vec::new();
    crate::value::alloc::reserve(vm, &mut dst, n, "a sorted array")?;
    let mut width = CHUNK;
    while width < n {
        let mut moved = 0;
        let mut a = 0;
        while a < n {
            let m = (a + width).min(n);
            let b = (a + 2 * width).min(n);
            let (mut i, mut j) = (a, m);
            while i < m || j < b {
                let take_right = i == m || (j < b && natural_order(&src[j], &src[i]).is_lt());
                let k = if take_right { &mut j } else { &mut i };
                dst.push(std::mem::take(&mut src[*k]));
                *k += 1;
                moved += 1;
                if moved % CHUNK == 0 {
                    vm.check_interrupt()?;
                }
            }
            a = b;
        }
        std::mem::swap(&mut src, &mut dst);
        dst.clear();
        width *= 2;
    }
    Ok(src)
}

/// The order of numbers and of strings (the caller checked that the kinds match): a total
/// order, NaN after every other number.
fn natural_order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => float_order(*x, *y),
        (Value::Int(i), Value::Float(f)) => int_float_order(*i, *f),
        (Value::Float(f), Value::Int(i)) => int_float_order(*i, *f).reverse(),
        _ => Ordering::Equal,
    }
}

fn float_order(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// An int against a float, exactly (`i as f64` would round big ints and break transitivity).
fn int_float_order(i: i64, f: f64) -> Ordering {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    // |whole| < 2^63, so the conversion is exact.
    match i.cmp(&(whole as i64)) {
        Ordering::Equal => whole.partial_cmp(&f).unwrap_or(Ordering::Equal),
        other => other,
    }
}

// ---- with a compare function

/// What the machine is doing; every state but `Done` has a question to ask next or a step to
/// take without one.
#[derive(Clone, Copy)]
enum Phase {
    /// Finding the natural run that starts at `start`: `v[start..i]` is one, and `v[i]` is
    /// compared with `v[i-1]`. Its direction is known after the first comparison.
    Scan {
        start: usize,
        i: usize,
        descending: Option<bool>,
    },
    /// Extending the sorted run `v[start..i]` to `v[start..end]`: `v[i]` goes somewhere in
    /// `v[lo..=hi]`, found by binary search.
    Insert {
        start: usize,
        i: usize,
        end: usize,
        lo: usize,
        hi: usize,
    },
    /// Merging `runs[pair]` and `runs[pair + 1]`, which are `v[a..m]` and `v[m..b]`: their
    /// next elements are `v[i]` and `v[j]`, those before are in `merged`. Until `checked`,
    /// the first question is whether the two are in order already.
    Merge {
        pair: usize,
        a: usize,
        m: usize,
        b: usize,
        i: usize,
        j: usize,
        checked: bool,
    },
    Done,
}

struct CompareSort {
    f: Value,
    v: Vec<Value>,
    /// The sorted runs `[start, end)` found so far, then those of the current merge level.
    runs: Vec<(usize, usize)>,
    /// The runs the current merge level has produced.
    next_runs: Vec<(usize, usize)>,
    merged: Vec<Value>,
    min_run: usize,
    phase: Phase,
}

/// What the machine needs next.
enum Next {
    /// Ask the compare function whether the first goes before the second.
    Ask(Value, Value),
    Done,
}

impl CompareSort {
    fn start(f: Value, v: Vec<Value>) -> Flow {
        let mut sort = CompareSort {
            f: f.clone(),
            min_run: min_run(v.len()),
            v,
            runs: Vec::new(),
            next_runs: Vec::new(),
            merged: Vec::new(),
            phase: Phase::Done,
        };
        sort.next_scan(0);
        match sort.advance() {
            Next::Ask(x, y) => Flow::call(sort, f, vec![x, y]),
            Next::Done => Flow::Return(Value::array(sort.v)),
        }
    }

    /// Takes the compare function's answer to the question the phase asked.
    fn answer(&mut self, less: bool) {
        match self.phase {
            Phase::Scan {
                start,
                i,
                descending,
            } => match descending {
                None => {
                    self.phase = Phase::Scan {
                        start,
                        i: i + 1,
                        descending: Some(less),
                    }
                }
                // A descending run must descend strictly (reversing it keeps the sort
                // stable); an ascending one must not descend.
                Some(desc) if less == desc => {
                    self.phase = Phase::Scan {
                        start,
                        i: i + 1,
                        descending,
                    }
                }
                Some(desc) => self.end_run(start, i, desc),
            },
            Phase::Insert {
                start,
                i,
                end,
                lo,
                hi,
            } => {
                let mid = lo + (hi - lo) / 2;
                let (lo, hi) = if less { (lo, mid) } else { (mid + 1, hi) };
                self.phase = Phase::Insert {
                    start,
                    i,
                    end,
                    lo,
                    hi,
                };
            }
            Phase::Merge {
                pair,
                a,
                m,
                b,
                i,
                j,
                checked,
            } => {
                let (i, j, checked) = match (checked, less) {
                    // The right run's first does not go before the left run's last: the two
                    // are in order as they are.
                    (false, false) => {
                        self.next_runs.push((a, b));
                        self.start_pair(pair + 2);
                        return;
                    }
                    (false, true) => (i, j, true),
                    (true, true) => {
                        self.merged.push(std::mem::take(&mut self.v[j]));
                        (i, j + 1, true)
                    }
                    (true, false) => {
                        self.merged.push(std::mem::take(&mut self.v[i]));
                        (i + 1, j, true)
                    }
                };
                self.phase = Phase::Merge {
                    pair,
                    a,
                    m,
                    b,
                    i,
                    j,
                    checked,
                };
            }
            Phase::Done => {}
        }
    }

    /// Runs until the next question or the end.
    fn advance(&mut self) -> Next {
        let n = self.v.len();
        loop {
            match self.phase {
                Phase::Done => return Next::Done,
                Phase::Scan {
                    start,
                    i,
                    descending,
                } => {
                    if i < n {
                        return self.ask(i, i - 1);
                    }
                    self.end_run(start, n, descending == Some(true));
                }
                Phase::Insert {
                    start,
                    i,
                    end,
                    lo,
                    hi,
                } => {
                    if lo < hi {
                        return self.ask(i, lo + (hi - lo) / 2);
                    }
                    // `lo` is after the elements equal to `v[i]`: stable.
                    self.v[lo..=i].rotate_right(1);
                    if i + 1 < end {
                        self.phase = Phase::Insert {
                            start,
                            i: i + 1,
                            end,
                            lo: start,
                            hi: i + 1,
                        };
                    } else {
                        self.runs.push((start, end));
                        self.next_scan(end);
                    }
                }
                Phase::Merge {
                    pair,
                    a,
                    m,
                    b,
                    i,
                    j,
                    checked,
                } => {
                    if !checked {
                        return self.ask(m, m - 1);
                    }
                    if i < m && j < b {
                        return self.ask(j, i);
                    }
                    // One side is used up: the rest of the other follows as it is.
                    let (v, merged) = (&mut self.v, &mut self.merged);
                    merged.extend(v[i..m].iter_mut().map(std::mem::take));
                    merged.extend(v[j..b].iter_mut().map(std::mem::take));
                    for (slot, x) in v[a..b].iter_mut().zip(merged.drain(..)) {
                        *slot = x;
                    }
                    self.next_runs.push((a, b));
                    self.start_pair(pair + 2);
                }
            }
        }
    }

    /// Does `v[x]` go before `v[y]`?
    fn ask(&self, x: usize, y: usize) -> Next {
        Next::Ask(self.v[x].clone(), self.v[y].clone())
    }

    /// The natural run `v[start..end]` is found: reversed if it descends, extended by
    /// insertion to the minimum run length if short.
    fn end_run(&mut self, start: usize, end: usize, descending: bool) {
        if descending {
            self.v[start..end].reverse();
        }
        let target = (start + self.min_run).min(self.v.len());
        if end < target {
            self.phase = Phase::Insert {
                start,
                i: end,
                end: target,
                lo: start,
                hi: end,
            };
        } else {
            self.runs.push((start, end));
            self.next_scan(end);
        }
    }

    /// Finds the run from `start`, or starts merging once every element is in a run.
    fn next_scan(&mut self, start: usize) {
        if start >= self.v.len() {
            self.start_pair(0);
            return;
        }
        self.phase = Phase::Scan {
            start,
            i: start + 1,
            descending: None,
        };
    }

    /// Merges `runs[pair]` and `runs[pair + 1]`, going to the next level once this level's
    /// pairs are done, and to `Done` with one run left.
    fn start_pair(&mut self, mut pair: usize) {
        loop {
            if pair + 1 < self.runs.len() {
                let (a, m) = self.runs[pair];
                let (_, b) = self.runs[pair + 1];
                self.merged.clear();
                self.phase = Phase::Merge {
                    pair,
                    a,
                    m,
                    b,
                    i: a,
                    j: m,
                    checked: false,
                };
                return;
            }
            if let Some(&odd) = self.runs.get(pair) {
                self.next_runs.push(odd);
            }
            self.runs = std::mem::take(&mut self.next_runs);
            if self.runs.len() <= 1 {
                self.phase = Phase::Done;
                return;
            }
            pair = 0;
        }
    }
}

/// Timsort's minimum run length: from 32 to 64 (or n when shorter), such that n / min_run is
/// a power of two or just under one, which keeps the merges balanced.
fn min_run(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

impl Resume for CompareSort {
    fn resume(&mut self, vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        let less = match result {
            Value::Bool(b) => b,
            Value::Int(i) => i < 0,
            Value::Float(f) => f < 0.0,
            other => {
                return Err(vm.type_error(format!(
                    "a sort compare function must give a number or a boolean, got {}",
                    other.type_name()
                )));
            }
        };
        self.answer(less);
        Ok(match self.advance() {
            Next::Ask(x, y) => Step::CallTwo(self.f.clone(), x, y),
            Next::Done => Step::Return(Value::array(std::mem::take(&mut self.v))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The natural order is total on tricky numbers: antisymmetric and transitive, so the
    /// standard library's sort (which may panic on an inconsistent order) is safe.
    #[test]
    fn the_natural_order_of_numbers_is_total() {
        let values = [
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Int(9_007_199_254_740_993),
            Value::Int(9_007_199_254_740_992),
            Value::Int(0),
            Value::Int(-1),
            Value::Float(9_007_199_254_740_992.0),
            Value::Float(i64::MAX as f64),
            Value::Float(i64::MIN as f64),
            Value::Float(-0.0),
            Value::Float(0.0),
            Value::Float(-0.5),
            Value::Float(-1.5),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(f64::NAN),
            Value::Float(-f64::NAN),
        ];
        for a in &values {
            for b in &values {
                assert_eq!(natural_order(a, b), natural_order(b, a).reverse());
                for c in &values {
                    if natural_order(a, b).is_le() && natural_order(b, c).is_le() {
                        assert!(natural_order(a, c).is_le());
                    }
                }
            }
        }
        assert!(natural_order(&Value::Int(9_007_199_254_740_993), &values[6]).is_gt());
        assert!(natural_order(&Value::Float(f64::NAN), &Value::Float(f64::INFINITY)).is_gt());
        assert!(natural_order(&Value::Int(-1), &Value::Float(-0.5)).is_lt());
        assert!(natural_order(&Value::Int(-1), &Value::Float(-1.5)).is_gt());
    }

    #[test]
    fn min_run_is_timsorts() {
        assert_eq!(min_run(10), 10);
        assert_eq!(min_run(63), 63);
        assert_eq!(min_run(64), 32);
        assert_eq!(min_run(65), 33);
        assert_eq!(min_run(320_000), 40);
    }
}
