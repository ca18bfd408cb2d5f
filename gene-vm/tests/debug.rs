//! The VM's debugger hooks (`vm/debug/`): breakpoints patched into linked code, stepping,
//! stops seen by a scripted host, and programs that run the same with the hooks on.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gene_vm::vm::debug::{DebugHost, StepKind, Stop, StopReason};
use gene_vm::{CaptureOutput, Value, Vm};

#[derive(Clone, Copy, Debug)]
enum Action {
    Continue,
    Step(StepKind),
}

/// What the host saw at one stop.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    reason: StopReason,
    /// 1-based, as editors show it.
    line: u32,
    locals: Vec<(String, String)>,
    frames: usize,
}

struct Script {
    actions: VecDeque<Action>,
    seen: Rc<RefCell<Vec<Seen>>>,
    /// Expressions evaluated at each stop in the innermost frame.
    evaluate: Option<String>,
    evaluated: Rc<RefCell<Vec<String>>>,
}

impl DebugHost for Script {
    fn stopped(&mut self, vm: &mut Vm, stop: Stop) {
        let frames = vm.debug_frames(stop.task);
        let top = frames.first().map(|f| f.index).unwrap_or(0);
        let (locals, _) = vm.debug_locals(stop.task, top);
        self.seen.borrow_mut().push(Seen {
            reason: stop.reason,
            line: stop.line + 1,
            locals: locals
                .iter()
                .map(|(n, v)| (n.clone(), gene_vm::value::inspect(v)))
                .collect(),
            frames: frames.len(),
        });
        if let Some(text) = &self.evaluate {
            let shown = match vm.debug_evaluate(top, text) {
                Ok(v) => gene_vm::value::inspect(&v),
                Err(e) => format!("error {}", gene_vm::value::display(&e.value)),
            };
            self.evaluated.borrow_mut().push(shown);
        }
        match self.actions.pop_front().unwrap_or(Action::Continue) {
            Action::Continue => {}
            Action::Step(kind) => vm.debug_step(kind),
        }
    }

    fn attend(&mut self, _vm: &mut Vm) {}
}

struct Run {
    seen: Vec<Seen>,
    evaluated: Vec<String>,
    stdout: String,
    result: Result<Value, String>,
}

fn debug_run(
    program: &str,
    breakpoints: &[u32],
    actions: &[Action],
    stop_on_entry: bool,
    evaluate: Option<&str>,
) -> Run {
    let dir = tempdir();
    let path = dir.join("main.gene");
    std::fs::write(&path, program).expect("write program");
    let path = path.display().to_string();
    let out = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(out.clone()));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let evaluated = Rc::new(RefCell::new(Vec::new()));
    vm.enable_debugging(
        Box::new(Script {
            actions: actions.iter().copied().collect(),
            seen: seen.clone(),
            evaluate: evaluate.map(str::to_string),
            evaluated: evaluated.clone(),
        }),
        stop_on_entry,
    );
    vm.debug_set_exception_filters(false, true, false);
    let lines: Vec<u32> = breakpoints.iter().map(|l| l - 1).collect();
    vm.debug_set_breakpoints(&path, &lines);
    let result = vm
        .run_file(&path)
        .map_err(|e| format!("{}", e.exit_status().unwrap_or(1)));
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        seen: seen.take(),
        evaluated: evaluated.take(),
        stdout: out.stdout_text(),
        result,
    }
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "gene-debug-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn lines(seen: &[Seen]) -> Vec<u32> {
    seen.iter().map(|s| s.line).collect()
}

const ADD: &str = "(fn add [a b]
  (var s (a + b))
  s)

(var x 1)
(var y (add x 2))
(println y)
(println (add y y))
";

#[test]
fn a_breakpoint_stops_with_the_frame_locals_and_the_program_goes_on() {
    let run = debug_run(ADD, &[2], &[], false, None);
    assert_eq!(run.stdout, "3\n6\n");
    assert!(run.result.is_ok());
    assert_eq!(lines(&run.seen), vec![2, 2]);
    assert_eq!(run.seen[0].reason, StopReason::Breakpoint);
    assert_eq!(run.seen[0].frames, 2);
    assert_eq!(
        run.seen[0].locals[..2],
        [("a".into(), "1".into()), ("b".into(), "2".into())]
    );
}

#[test]
fn a_breakpoint_on_a_blank_line_moves_to_the_next_line_with_code() {
    let run = debug_run(ADD, &[4], &[], false, None);
    assert_eq!(lines(&run.seen), vec![5]);
}

#[test]
fn next_steps_over_calls_and_step_in_enters_them() {
    let over = debug_run(
        ADD,
        &[5],
        &[Action::Step(StepKind::Over), Action::Step(StepKind::Over)],
        false,
        None,
    );
    assert_eq!(lines(&over.seen), vec![5, 6, 7]);
    assert_eq!(over.stdout, "3\n6\n");
    let into = debug_run(
        ADD,
        &[6],
        &[Action::Step(StepKind::In), Action::Step(StepKind::Out)],
        false,
        None,
    );
    assert_eq!(lines(&into.seen)[..2], [6, 2]);
    assert_eq!(into.seen[1].frames, 2);
    assert_eq!(into.seen[2].frames, 1);
    assert_eq!(into.seen[2].reason, StopReason::Step);
}

#[test]
fn stop_on_entry_stops_at_the_first_line() {
    let run = debug_run(ADD, &[], &[], true, None);
    assert_eq!(lines(&run.seen), vec![1]);
    assert_eq!(run.seen[0].reason, StopReason::Entry);
}

#[test]
fn a_breakpoint_in_a_loop_on_one_line_stops_every_iteration() {
    let run = debug_run(
        "(var n 0)\n(for i in [1 2 3] (n += i))\n(println n)\n",
        &[2],
        &[],
        false,
        None,
    );
    assert_eq!(run.stdout, "6\n");
    assert!(run.seen.len() >= 3, "{:?}", run.seen);
}

#[test]
fn evaluate_sees_the_frame_locals_and_assignments_stay() {
    let run = debug_run(
        "(fn f [a]\n  (var b (a * 10))\n  (println b))\n(f 4)\n",
        &[3],
        &[],
        false,
        Some("(b = (b + a))"),
    );
    assert_eq!(run.evaluated, vec!["44"]);
    assert_eq!(run.stdout, "44\n");
}

#[test]
fn next_over_an_await_stays_in_the_task() {
    // `other` runs its lines while `work` waits for `slow`: the step stops in `work` only.
    let program = "(fn ^^async slow [n]
  (await (gene/sleep_async 30))
  (n * 2))

(fn ^^async other []
  (await (gene/sleep_async 1))
  (var k 1)
  k)

(fn ^^async work []
  (var f (other))
  (var r (await (slow 1)))
  (println r)
  (await f))

(await (work))
";
    let run = debug_run(
        program,
        &[12],
        &[Action::Step(StepKind::Over), Action::Step(StepKind::Over)],
        false,
        None,
    );
    assert_eq!(lines(&run.seen), vec![12, 13, 14]);
    assert_eq!(run.stdout, "2\n");
}

#[test]
fn an_uncaught_throw_stops_where_it_is_thrown_and_a_caught_one_does_not() {
    let run = debug_run(
        "(fn f [x]\n  (throw (new ValueError \"bad\")))\n(try\n  (f 1)\ncatch *\n  (println \"caught\"))\n(f 2)\n",
        &[],
        &[],
        false,
        None,
    );
    assert_eq!(run.stdout, "caught\n");
    assert_eq!(run.seen.len(), 1, "{:?}", run.seen);
    assert_eq!(run.seen[0].reason, StopReason::Exception);
    assert_eq!(run.seen[0].line, 2);
    assert_eq!(run.seen[0].locals, [("x".to_string(), "2".to_string())]);
    assert!(run.result.is_err());
}
