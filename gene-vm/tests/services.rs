//! A VM built with the host services a front end chooses (`HostServices`): its output and its
//! progress display are the ones given, and the core drives them.

use std::cell::RefCell;
use std::rc::Rc;

use gene_vm::{CaptureOutput, HostServices, ProgressDisplay, Vm};

/// What a progress display was asked to do, in order.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<String>>>);

impl ProgressDisplay for Recorder {
    fn show(&mut self, fraction: f64, message: Option<&str>) {
        let event = format!("show {fraction} {}", message.unwrap_or("-"));
        self.0.borrow_mut().push(event);
    }

    fn hide(&mut self) {
        self.0.borrow_mut().push("hide".to_string());
    }
}

fn run_with_display(program: &str) -> (Vec<String>, String) {
    let out = CaptureOutput::new();
    let recorder = Recorder::default();
    let services =
        HostServices::new(Box::new(out.clone())).with_progress_display(Box::new(recorder.clone()));
    let mut vm = Vm::with_services(services);
    assert!(vm.run_source("main.gene", program.to_string()).is_ok());
    let events = recorder.0.borrow().clone();
    (events, out.stdout_text())
}

#[test]
fn the_display_shows_what_the_main_program_awaits_and_its_own_reports() {
    let (events, stdout) = run_with_display(
        r#"
(gene/progress 0.25 "own")
(var f (async
  (gene/progress 0.5 "half")
  (await (gene/sleep_async 5))
  (gene/progress 0.75)
  42))
(println (await f))
(gene/progress 1)
"#,
    );
    assert_eq!(stdout, "42\n");
    assert_eq!(
        events,
        [
            "show 0.25 own",
            "show 0.5 half",
            "show 0.75 -",
            "show 0.25 own",
            "hide"
        ]
    );
}

#[test]
fn a_vm_without_a_display_runs_progress_reports_all_the_same() {
    let out = CaptureOutput::new();
    let mut vm = Vm::with_services(HostServices::new(Box::new(out.clone())));
    let program = "(var f (async (gene/progress 0.5) 1)) (println (await f) (f .progress))";
    assert!(vm.run_source("main.gene", program.to_string()).is_ok());
    assert_eq!(out.stdout_text(), "1 0.5\n");
}
