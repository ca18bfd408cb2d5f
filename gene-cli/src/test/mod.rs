//! `gene test [PATH...]`: finds `*_test.gene` files and golden pairs under each path
//! (`discover.rs`), runs each file in a fresh VM (`file.rs`; a golden program in a child
//! process, `golden.rs`), files in parallel on `--jobs` threads and the tests of one file in
//! order, and reports (`report.rs`): a line per test and the failures at the end, one JSON
//! object per line, or JUnit XML. Exit status 0 when every test passed, 1 when one failed,
//! 5 when no test was found.

mod discover;
mod file;
mod golden;
mod outcome;
mod report;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use clap::{Args, ValueEnum};

use discover::Job;
use outcome::{Outcome, Status};

/// Exit status when no test was found (pytest's).
const EXIT_NO_TESTS: u8 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A line per test, then the failures and a summary.
    Human,
    /// One JSON object per line: an event per test, then a summary.
    Json,
    /// JUnit XML, for CI services.
    Junit,
}

#[derive(Args)]
pub struct TestArgs {
    /// Files and folders to look for tests in (default: the current folder).
    paths: Vec<PathBuf>,
    /// Run only the tests whose full name (`group > name`; a golden test's file name)
    /// contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Stop at the first failure.
    #[arg(long)]
    fail_fast: bool,
    /// Rewrite the `.out` file of each failing golden test with what the program printed
    /// (after showing the diff).
    #[arg(long)]
    update: bool,
    /// How many files run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
    /// How to report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// How long a golden program (NAME.gene + NAME.out) may run, in milliseconds, before it is
    /// killed and fails (a `test` form sets its own with `^timeout`; 10 s when it does not).
    #[arg(long, value_name = "MS", default_value_t = gene_vm::testing::DEFAULT_TIMEOUT_MS)]
    timeout: u64,
}

/// Gene calls never use the Rust stack, but dropping or printing deeply nested data recurses
/// (see `run::on_big_stack`); address space only, committed as used.
const WORKER_STACK: usize = 256 << 20;

pub fn run(args: TestArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let jobs = match discover::discover(&paths) {
        Ok(jobs) => jobs,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let threads = args
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
        .min(jobs.len().max(1));
    let mut reporter = report::Reporter::new(args.format);
    let stop = AtomicBool::new(false);
    let next = Mutex::new(jobs.iter().enumerate());
    let (tx, rx) = mpsc::channel::<Outcome>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, args) = (&next, &stop, &args);
            let spawned = std::thread::Builder::new()
                .name("gene test".into())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, move || worker(next, stop, args, tx));
            if let Err(e) = spawned {
                eprintln!("error: cannot start a test thread: {e}");
            }
        }
        drop(tx);
        for outcome in rx {
            reporter.add(outcome);
        }
    });
    let counts = reporter.finish();
    gene_vm::output::stdout::flush();
    if counts.failed > 0 {
        ExitCode::from(1)
    } else if counts.passed + counts.skipped == 0 {
        ExitCode::from(EXIT_NO_TESTS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Takes files from `next` until none is left (or `--fail-fast` stops the run).
fn worker<'a>(
    next: &Mutex<impl Iterator<Item = (usize, &'a Job)>>,
    stop: &AtomicBool,
    args: &TestArgs,
    tx: mpsc::Sender<Outcome>,
) {
    let stopped = || stop.load(Ordering::Relaxed);
    // The failing worker stops the run itself, so that its own next test never starts.
    let send = |o: Outcome| {
        if o.status == Status::Failed && args.fail_fast {
            stop.store(true, Ordering::Relaxed);
        }
        let _ = tx.send(o);
    };
    loop {
        if stopped() {
            return;
        }
        let Some((index, job)) = next.lock().ok().and_then(|mut it| it.next()) else {
            return;
        };
        match job {
            Job::Golden(path) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                if args
                    .filter
                    .as_deref()
                    .is_some_and(|f| !name.as_deref().unwrap_or("").contains(f))
                {
                    continue;
                }
                send(golden::run(
                    index,
                    path,
                    args.update,
                    Duration::from_millis(args.timeout),
                ));
            }
            Job::Tests(path) => {
                let select = file::Selection {
                    filter: args.filter.as_deref(),
                    stop: &stopped,
                };
                file::run(index, path, &select, &mut |o| send(o));
            }
        }
    }
}
