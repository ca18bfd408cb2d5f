//! The library entry points the CLI and the language server use: REPL sessions, interrupts,
//! captured output.

use std::sync::atomic::Ordering;

mod common;

use common::{value, vm};

#[test]
fn repl_inputs_share_variables_functions_and_closures() {
    let (mut vm, out) = vm();
    assert_eq!(value(&mut vm, "(var x 41)"), "41");
    assert_eq!(value(&mut vm, "(x += 1)"), "42");
    assert_eq!(value(&mut vm, "(fn get _ x)"), "<fn get>");
    assert_eq!(value(&mut vm, "(x = 7) (get)"), "7");
    assert_eq!(value(&mut vm, "(var s \"hi\") (println s x)"), "nil");
    assert_eq!(out.stdout_text(), "hi 7\n");
}

#[test]
fn repl_recovers_after_errors() {
    let (mut vm, _) = vm();
    assert_eq!(value(&mut vm, "(var a 1)"), "1");
    assert_eq!(
        value(&mut vm, "(a + \"s\")"),
        "error: TypeError: + needs numbers, got Int and String"
    );
    assert!(value(&mut vm, "(println (a\"").starts_with("syntax: "));
    assert_eq!(value(&mut vm, "(a + 1)"), "2");
}

#[test]
fn an_interrupt_stops_a_running_loop_and_passes_try() {
    let (mut vm, _) = vm();
    let flag = vm.interrupt.clone();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        flag.store(true, Ordering::SeqCst);
    });
    let result = value(&mut vm, "(loop (try (var x 1) catch * 0))");
    setter.join().ok();
    assert_eq!(result, "error: Interrupted: interrupted");
    assert_eq!(value(&mut vm, "(1 + 1)"), "2");
}

#[test]
fn host_can_call_gene_functions() {
    let (mut vm, _) = vm();
    let f = vm.eval("(fnx [a b] (a * b))").ok().expect("a function");
    let r = vm
        .call_function(f, vec![gene_vm::Value::Int(6), gene_vm::Value::Int(7)])
        .ok();
    assert_eq!(
        r.map(|v| gene_vm::value::inspect(&v)),
        Some("42".to_string())
    );
}
