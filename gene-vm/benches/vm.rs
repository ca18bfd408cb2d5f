//! Criterion benchmarks of the VM on small programs (compile + run in process). The
//! cross-language comparison lives in `benches/compare.sh` at the repository root.

use criterion::{Criterion, criterion_group, criterion_main};
use gene_vm::{CaptureOutput, Vm};

fn run(src: &str) {
    let mut vm = Vm::new(Box::new(CaptureOutput::new()));
    if vm.run_source("bench.gene", src.to_string()).is_err() {
        panic!("benchmark program failed");
    }
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("vm");
    group.sample_size(10);
    group.bench_function("fib(20)", |b| {
        b.iter(|| run("(fn fib [n] (if (n < 2) n ((fib (n - 1)) + (fib (n - 2))))) (fib 20)"))
    });
    group.bench_function("loop 100k", |b| {
        b.iter(|| run("(var i 0) (var s 0) (while (i < 100000) (s += i) (i += 1)) s"))
    });
    group.bench_function("method calls 20k", |b| {
        b.iter(|| {
            run("(class C (.ctor [n] (/n = n)) (.fn get _ /n)) (var c (new C 1)) (var i 0) (var s 0) \
                 (while (i < 20000) (s += (c .get)) (i += 1)) s")
        })
    });
    group.bench_function("startup", |b| b.iter(|| run("(var x 1)")));
    // Compiling many top-level definitions and literals: each used to be compared with every
    // name or constant before it (quadratic); the two sizes show how the time grows.
    for n in [10_000, 40_000] {
        let defs: String = (0..n)
            .map(|i| format!("(fn f{i} [x] (x + {i}))\n(class C{i})\n(var v{i} \"s{i}\")\n"))
            .collect();
        group.bench_function(format!("{n} top-level fns, classes and strings"), |b| {
            b.iter(|| run(&defs))
        });
    }
    group.bench_function("fib(20) in a task", |b| {
        b.iter(|| {
            run(
                "(fn fib [n] (if (n < 2) n ((fib (n - 1)) + (fib (n - 2))))) \
                 (await (async (fib 20)))",
            )
        })
    });
    group.bench_function("10k tasks switching through futures", |b| {
        // Each task waits for the previous one's future: every step is a task switch.
        b.iter(|| {
            run("(var first (new gene/Future)) (var prev first) (var tasks []) \
                 (repeat 10000 (var p prev) (var t (async ((await p) + 1))) (tasks .push t) (prev = t)) \
                 (first .complete 0) (await prev)")
        })
    });
    group.finish();
}

criterion_group!(vm, benches);
criterion_main!(vm);
