//! The async runtime as a host sees it: interrupts that reach a program waiting in the reactor,
//! sleeping in `gene/sleep` or spinning in another task, REPL inputs that drain their tasks, host calls of `^^async`
//! functions, writes that leave no temporary files, and `gene run --preempt-interval`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use gene_vm::Vm;

mod common;

use common::{value, vm};

/// Sets the VM's interrupt flag from another thread after `ms`.
fn interrupt_after(vm: &Vm, ms: u64) -> std::thread::JoinHandle<()> {
    let flag = vm.interrupt.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(ms));
        flag.store(true, Ordering::SeqCst);
    })
}

#[test]
fn an_interrupt_wakes_a_program_waiting_in_the_reactor() {
    let (mut vm, _) = vm();
    let setter = interrupt_after(&vm, 100);
    // Without the wake-up this would wait ten minutes.
    let result = value(&mut vm, "(await (gene/sleep_async 600000)) 1");
    setter.join().ok();
    assert_eq!(result, "error: Interrupted: interrupted");
    // The session goes on, with nothing left of the interrupted input.
    assert_eq!(value(&mut vm, "(await (async 41)) 42"), "42");
}

#[test]
fn an_interrupt_cuts_a_blocking_sleep_short() {
    let (mut vm, _) = vm();
    let setter = interrupt_after(&vm, 100);
    // Without the wake-up the VM's thread would sleep ten minutes.
    let result = value(&mut vm, "(gene/sleep 600000) 1");
    setter.join().ok();
    assert_eq!(result, "error: Interrupted: interrupted");
    assert_eq!(value(&mut vm, "(gene/sleep 1) 2"), "2");
}

#[test]
fn an_interrupt_stops_a_spinning_task_that_main_awaits() {
    let (mut vm, _) = vm();
    let setter = interrupt_after(&vm, 100);
    let result = value(&mut vm, "(await (async (loop (try 1 catch * 0))))");
    setter.join().ok();
    assert_eq!(result, "error: Interrupted: interrupted");
    assert_eq!(value(&mut vm, "(1 + 1)"), "2");
}

#[test]
fn the_interrupt_handle_can_move_to_another_thread() {
    fn send<T: Send + Sync>(_: &T) {}
    let (vm, _) = vm();
    send(&vm.interrupt);
}

#[test]
fn a_repl_input_runs_its_tasks_timers_and_callbacks_before_it_returns() {
    let (mut vm, out) = vm();
    assert_eq!(
        value(
            &mut vm,
            "(var f (gene/sleep_async 5)) (f .on_success (-> (println \"fired\"))) 1"
        ),
        "1"
    );
    assert_eq!(out.stdout_text(), "fired\n");
    assert_eq!(value(&mut vm, "(f .state)"), "success");
    // A failure nobody observed fails the input that made it, and only that one.
    assert_eq!(
        value(&mut vm, "(async (throw \"lost\")) 2"),
        "error: Gene exception: \"lost\""
    );
    assert_eq!(value(&mut vm, "3"), "3");
}

#[test]
fn a_host_call_of_an_async_function_gives_its_settled_future() {
    let (mut vm, _) = vm();
    let f = vm
        .eval("(fn ^^async slow_double [x] (await (gene/sleep_async 5)) (x * 2))")
        .ok()
        .expect("a function");
    let future = vm
        .call_function(f, vec![gene_vm::Value::Int(21)])
        .ok()
        .map(|v| gene_vm::value::inspect(&v));
    assert_eq!(future.as_deref(), Some("<Future success>"));
}

#[test]
fn concurrent_writes_of_one_file_leave_no_temporary_files() {
    let dir = std::env::temp_dir().join(format!("gene-async-writes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok();
    let target = dir.join("out.txt");
    let (mut vm, _) = vm();
    let program = format!(
        "(var path {:?}) \
         (var writes (((1 .. 20) .to_a) .map (fnx [i] (gene/io/write_async path #\"version #{{i}}\")))) \
         (await writes...) \
         (await (gene/io/read_async path))",
        target.display().to_string()
    );
    let result = value(&mut vm, &program);
    assert!(result.starts_with("\"version "), "{result}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, vec!["out.txt".to_string()]);
    std::fs::remove_dir_all(&dir).ok();
}
