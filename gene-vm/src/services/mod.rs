//! Host services: what a program reaches outside the interpreter core, owned by the [`Vm`]
//! (`vm.services`) and chosen by whoever builds it.
//!
//! The core (`vm/`: frames, tasks, values, dispatch, the scheduler) knows these only through
//! the small surface below: it writes output, tells the progress display what the main program
//! awaits, and, when it abandons work (an interrupt, a failed main program), lets the services
//! drop what they hold open. The builtins that need a service (`gene/http`, `gene/db`,
//! `println`) reach it here. A front end swaps the parts that differ between front ends, the
//! [`Output`] and the [`ProgressDisplay`], through [`HostServices`]'s builder methods.
//!
//! [`Vm`]: crate::vm::Vm

mod http;
mod progress;
mod transactions;

pub(crate) use http::HttpClient;
pub(crate) use progress::MainProgress;
pub use progress::ProgressDisplay;
pub(crate) use transactions::OpenTransactions;

use crate::output::Output;

/// The services one VM uses.
pub struct HostServices {
    /// Where the program's output goes.
    pub(crate) out: Box<dyn Output>,
    /// The main program's progress, as a front end shows it (by default nowhere).
    pub(crate) progress: MainProgress,
    /// `gene/http`'s client (its connection pool), built by the first request.
    pub(crate) http: HttpClient,
    /// `gene/db` transactions begun and not ended yet.
    pub(crate) transactions: OpenTransactions,
    /// The tests `test` forms declared, for `gene test` (`crate::testing`).
    pub(crate) tests: crate::testing::TestRegistry,
    /// Where an asked-for task snapshot goes (`Interrupt::request_dump`); by default it is
    /// printed as a tree on stderr.
    pub(crate) task_reports: Option<Box<dyn FnMut(Vec<crate::vm::TaskInfo>)>>,
}

impl HostServices {
    /// Services writing to `out`, with no progress display.
    pub fn new(out: Box<dyn Output>) -> HostServices {
        HostServices {
            out,
            progress: MainProgress::default(),
            http: HttpClient::default(),
            transactions: OpenTransactions::default(),
            tests: Default::default(),
            task_reports: None,
        }
    }

    /// Hands asked-for task snapshots to `report` instead of printing them (the language
    /// server's run child sends them to the server).
    pub fn with_task_reports(
        mut self,
        report: Box<dyn FnMut(Vec<crate::vm::TaskInfo>)>,
    ) -> HostServices {
        self.task_reports = Some(report);
        self
    }

    /// Shows the main program's progress on `display` (`gene run`'s bar, the language
    /// server's notifications).
    pub fn with_progress_display(mut self, display: Box<dyn ProgressDisplay>) -> HostServices {
        self.progress.set_display(display);
        self
    }

    /// Where the program's output goes.
    pub fn output(&mut self) -> &mut dyn Output {
        self.out.as_mut()
    }

    /// The work that would have released what the services hold open was abandoned (its
    /// tasks were dropped): release it now. Open transactions are rolled back, or the database
    /// would stay locked for every connection.
    pub(crate) fn abandon_open_work(&mut self) {
        self.transactions.roll_back_all();
    }
}
