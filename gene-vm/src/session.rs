//! A REPL session (`gene repl`, `gene eval`): inputs evaluated one after another by one [`Vm`],
//! each seeing the variables the ones before it declared.
//!
//! An input compiles as a unit whose top-level variables are cells: the names the session
//! knows are given to the compiler as an environment (their cells become the unit's captures),
//! and the unit's `Export` ops publish the cells of the variables it declares, which the
//! session adds for the next input. Every input runs in the session's one `main` namespace, so
//! functions and classes defined at the top level persist the same way.

use std::ops::{Deref, DerefMut};
use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::Diagnostic;

use crate::compiler::{self, Env};
use crate::value::{CellRef, Namespace, Value};
use crate::vm::code::{SourceInfo, link};
use crate::vm::{RunError, Vm};

/// A VM with a REPL session's state: the variables declared so far, the main namespace and
/// the count of inputs (which names them in traces: `<input>`, `<input 2>` ...). It derefs to
/// its [`Vm`], for what a front end does between inputs (interrupts, output, calling a Gene
/// function it got back).
pub struct Session {
    vm: Vm,
    names: Vec<String>,
    cells: Vec<CellRef>,
    main_ns: Rc<Namespace>,
    inputs: usize,
}

impl Session {
    pub fn new(mut vm: Vm) -> Session {
        // An input's end is not the program's: a later input may await what it started.
        vm.sched.program_continues = true;
        Session {
            vm,
            names: Vec::new(),
            cells: Vec::new(),
            main_ns: Namespace::new("main", None),
            inputs: 0,
        }
    }

    /// Evaluates one input; variables persist across inputs.
    pub fn eval(&mut self, text: &str) -> Result<Value, RunError> {
        self.inputs += 1;
        let label = if self.inputs == 1 {
            "<input>".to_string()
        } else {
            format!("<input {}>", self.inputs)
        };
        let parse = gene_syntax::parse_text(text);
        let source = SourceInfo::new(label, Arc::new(text.to_string()));
        if !parse.errors().is_empty() {
            let diagnostics = parse.errors().iter().map(Diagnostic::from).collect();
            return Err(RunError::Syntax {
                diagnostics,
                source,
            });
        }
        let env = Env {
            names: self.names.clone(),
            export_top_level: true,
        };
        let proto = Arc::new(compiler::compile_eval(&parse.forms(), &env));
        let code = link(&proto, &source, &[]);
        let (result, exports) = self.vm.run_unit(code, self.main_ns.clone(), &self.cells);
        for (name, cell) in exports {
            self.names.push(name);
            self.cells.push(cell);
        }
        result.map_err(RunError::Uncaught)
    }
}

impl Deref for Session {
    type Target = Vm;

    fn deref(&self) -> &Vm {
        &self.vm
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Vm {
        &mut self.vm
    }
}
