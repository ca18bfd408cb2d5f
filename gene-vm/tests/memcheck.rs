//! Conformance programs chosen to drive the VM's `unsafe` stack code (the dispatch loop's
//! registers and cursor, inline calls and returns, stack growth, generators' saved segments,
//! task switches, unwinding, native continuations). `.ci/valgrind` runs this test, in a debug
//! build (so the `debug_assert!`s on those invariants are on), under valgrind's memcheck, which
//! fails on any invalid read or write, use of uninitialized memory or bad free.
//!
//! It is ignored by a plain `cargo test` (the conformance test runs these programs already);
//! run it with `cargo test -p gene-vm --test memcheck -- --ignored`. `GENE_MEMCHECK=a,b` runs
//! the named corpus programs instead of the list below.

use std::path::{Path, PathBuf};

use gene_vm::{CaptureOutput, Vm};

/// A subset that finishes under memcheck in a few minutes on two cores: the whole corpus would
/// take most of an hour there (a debug build runs about 30 times slower under memcheck), and
/// most of it exercises the same stack paths as these.
const PROGRAMS: &[&str] = &[
    // calls and returns, inline and general; tail calls; stack growth
    "fib_recursive",
    "method_frames_inline",
    "method_cache_builtin_kinds",
    "method_cache_polymorphic",
    "self_tail_call_constant_stack",
    "recursion_100k_deep_ok",
    "stack_overflow_uncaught",
    "named_params",
    "default_params_call_time",
    "destructuring_params",
    "rest_params",
    "spread_in_calls_and_arrays",
    "super_method",
    "inherited_ctor",
    // captured cells, loops
    "closure_counter",
    "nested_closures_share_cells",
    "for_variable_fresh_each_iteration",
    "compound_assign",
    "loop_break_value",
    "int_overflow_catchable",
    // ops fused on locals, element access and properties inline
    "fused_local_ops",
    "element_methods",
    "instance_props_positions",
    // numbers in place on the stack registers, counted range loops
    "number_ops_mixed",
    "for_literal_range",
    // natives calling back into Gene code
    "array_callback_recursion",
    "array_map_with_native",
    "array_sort",
    // unwinding through frames and finally blocks
    "finally_runs_on_propagation",
    "break_inside_try_runs_finally",
    "return_inside_try_runs_finally",
    "rethrow_from_catch",
    "runtime_errors_are_exceptions",
    // eval and macros: code compiled at run time against a frame's slots
    "eval_sees_and_sets_locals",
    "caller_eval_in_function",
    "macro_unless",
    // generators: frames moved between the task's stack and their saved segments
    "gen_basics",
    "gen_for_loops",
    "gen_close_on_exit",
    "gen_errors",
    "gen_async_basics",
    "gen_async_close",
    "gen_async_interleave",
    // tasks: stacks swapped in and out, preemption, cancellation, deadlock
    "async_eager_start",
    "concurrent_tasks",
    "async_exceptions",
    "await_forms",
    "future_callbacks",
    "cancel_task",
    "deadlock",
    "timeouts",
    "preemption",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

/// Runs one program as the conformance test does; a description of how it went wrong, if it did.
fn check(name: &str) -> Option<String> {
    let path = corpus().join(format!("{name}.gene"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => return Some(format!("{name}: cannot read {}: {e}", path.display())),
    };
    let expected = std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
    let fails = path.with_extension("status").exists();
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    vm.set_args(vec!["first".into(), "second".into()]);
    let result = vm.run_source(&format!("{name}.gene"), text);
    let stdout = output.stdout_text();
    if stdout != expected {
        return Some(format!(
            "{name}: stdout differs\n--- expected\n{expected}--- actual\n{stdout}"
        ));
    }
    if result.is_err() != fails {
        return Some(format!(
            "{name}: expected it to {}",
            if fails { "fail" } else { "succeed" }
        ));
    }
    None
}

#[test]
#[ignore = "run under valgrind by .ci/valgrind"]
fn stack_heavy_programs_run_cleanly() {
    let chosen = std::env::var("GENE_MEMCHECK").ok();
    let names: Vec<&str> = match &chosen {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        None => PROGRAMS.to_vec(),
    };
    // Programs run with the corpus directory as the working directory (imports, files).
    let _ = std::env::set_current_dir(corpus());
    let failures: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let started = std::time::Instant::now();
            let failure = check(name);
            eprintln!(
                "memcheck: {name} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            failure
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_chosen_programs_exist() {
    for name in PROGRAMS {
        assert!(
            corpus().join(format!("{name}.gene")).exists(),
            "{name} is not in tests/conformance"
        );
    }
}
