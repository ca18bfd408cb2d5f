//! Ctrl-C reaches code running inside builtins: a `.sort` whose comparator has no loop or call
//! of its own (so the dispatch loop's checkpoint never comes), and a `.map` over a long range.

use std::sync::atomic::Ordering;

mod common;

use common::{value, vm};

/// The interrupt flag is raised before the input starts: the input must stop with
/// `Interrupted` instead of running to its end.
fn interrupted_before(input: &str) -> String {
    let (mut vm, _) = vm();
    let setup = value(
        &mut vm,
        "(var xs (((gene/range 1 30000) .to_a) .map (fnx [i] ((i * 7919) - (30011 * (((i * 7919) / 30011) .floor)))))) (xs .size)",
    );
    assert_eq!(setup, "30000");
    vm.interrupt.store(true, Ordering::SeqCst);
    let result = value(&mut vm, input);
    // The session goes on.
    let after = value(&mut vm, "(1 + 1)");
    assert_eq!(after, "2");
    result
}

#[test]
fn an_interrupt_stops_a_sort_with_a_comparator() {
    assert_eq!(
        interrupted_before("(xs .sort (fnx [a b] (a < b))) \"finished\""),
        "error: Interrupted: interrupted"
    );
}

#[test]
fn an_interrupt_stops_a_map_whose_callback_makes_no_call() {
    assert_eq!(
        interrupted_before("(xs .map (fnx [x] (x + 1))) \"finished\""),
        "error: Interrupted: interrupted"
    );
}

#[test]
fn an_interrupt_stops_a_sort_without_a_comparator_of_a_big_array() {
    // More than one chunk of the natural sort.
    assert_eq!(
        interrupted_before("(var big ((gene/range 1 200000) .to_a)) (big .sort) \"finished\""),
        "error: Interrupted: interrupted"
    );
}
