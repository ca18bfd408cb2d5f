//! Code compiled at run time (`eval`, `$caller_eval`, `$render` of a runtime template), imports,
//! and the entry points that run a file or linked code (a REPL input: `crate::session`).

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::db::{SourceFile, file_forms, syntax_diagnostics};
use gene_syntax::form::{Form, FormKind, Gene};
use gene_syntax::workspace;
use gene_syntax::{Diagnostic, Severity};

use super::code::{Code, SourceInfo, link};
use super::native::{Flow, Resume, Step};
use super::{Exc, Vm};
use crate::bytecode::{CaptureFrom, Const, ImportName};
use crate::compiler::{self, Env};
use crate::intern::Sym;
use crate::value::{CellRef, Closure, FuncKind, Namespace, Value, value_to_form};

/// Why running a file or an input did not give a value.
pub enum RunError {
    /// The text does not parse; nothing ran.
    Syntax {
        diagnostics: Vec<Diagnostic>,
        source: Rc<SourceInfo>,
    },
    /// An exception nobody caught.
    Uncaught(Exc),
    /// The file could not be read.
    Io(String),
}

impl RunError {
    /// The status `gene/exit` asked for, when that is how the program ended (not an error:
    /// there is nothing to report).
    pub fn exit_status(&self) -> Option<i32> {
        match self {
            RunError::Uncaught(e) => e.exit_status(),
            _ => None,
        }
    }
}

/// The compile query: a file's module code, from the forms the database hands out.
#[salsa::tracked(returns(ref), no_eq)]
pub fn compile_file(db: &dyn gene_syntax::db::Db, file: SourceFile) -> Arc<crate::bytecode::Proto> {
    let forms = file_forms(db, file);
    let name = file.path(db).display().to_string();
    Arc::new(compiler::compile_module(forms, &name))
}

/// Writes values of plain (non-cell) locals back into the frame `eval` looked at.
struct Writeback {
    frame: usize,
    slots: Vec<(u32, CellRef)>,
    /// More values to evaluate (`(eval a b c)`), in order.
    rest: Vec<Value>,
    caller: bool,
}

impl Resume for Writeback {
    fn resume(&mut self, vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        vm.write_back(self.frame, &self.slots);
        if self.rest.is_empty() {
            return Ok(Step::Return(result));
        }
        let next = self.rest.remove(0);
        let (closure, slots) = vm.prepare_eval(&next, self.frame, self.caller)?;
        self.slots = slots;
        Ok(Step::Call(closure, Vec::new()))
    }
}

impl Vm {
    pub(super) fn write_back(&mut self, frame: usize, slots: &[(u32, CellRef)]) {
        let Some(base) = self.task.frames.get(frame).map(|f| f.base as usize) else {
            return;
        };
        for (slot, cell) in slots {
            if let Some(v) = self.task.stack.get_mut(base + *slot as usize) {
                *v = cell.borrow().clone();
            }
        }
    }

    /// Compiles `value` as code seeing the locals of frame `frame`; gives the closure to run and
    /// the temporary cells to write back.
    fn prepare_eval(
        &mut self,
        value: &Value,
        frame: usize,
        caller: bool,
    ) -> Result<(Value, Vec<(u32, CellRef)>), Exc> {
        self.prepare_eval_form(value, None, frame, caller)
    }

    /// Like [`Vm::prepare_eval`]; `prebuilt` is code already turned into a form (with its
    /// embedded values), used instead of `value`.
    pub(super) fn prepare_eval_form(
        &mut self,
        value: &Value,
        prebuilt: Option<(Form, Vec<Value>)>,
        frame: usize,
        caller: bool,
    ) -> Result<(Value, Vec<(u32, CellRef)>), Exc> {
        let Some(f) = self.task.frames.get(frame) else {
            return Err(self.type_error(if caller {
                "$caller_eval outside a macro call"
            } else {
                "eval outside a frame"
            }));
        };
        let closure = f.closure.clone();
        let base = f.base as usize;
        let ip = f.ip.saturating_sub(1);
        let self_val = f.self_val.clone();
        let proto = &closure.code.proto;
        let mut names: Vec<String> = proto.capture_names.clone();
        let mut cells: Vec<CellRef> = closure.captures.clone();
        let mut writeback = Vec::new();
        let mut live: Vec<_> = proto
            .locals
            .iter()
            .filter(|l| l.start <= ip && ip < l.end)
            .collect();
        live.sort_by_key(|l| l.start);
        for local in live {
            let cell = match self.task.stack.get(base + local.slot as usize) {
                Some(Value::Cell(c)) => c.clone(),
                other => {
                    let c = Rc::new(RefCell::new(other.cloned().unwrap_or_default()));
                    writeback.push((local.slot, c.clone()));
                    c
                }
            };
            names.push(local.name.clone());
            cells.push(cell);
        }
        let range = self.source_range().map(|(_, r)| r).unwrap_or_default();
        let mut embedded = Vec::new();
        let form = match prebuilt {
            Some((form, emb)) => {
                embedded = emb;
                form
            }
            None => match value_to_form(value, range, &mut embedded) {
                Some(form) => form,
                None => return Err(self.type_error("cannot evaluate data nested this deeply")),
            },
        };
        let env = Env {
            names,
            export_top_level: false,
        };
        let proto = Arc::new(compiler::compile_eval(std::slice::from_ref(&form), &env));
        let source = closure.code.source.clone();
        let code = link(&proto, &source, &embedded);
        let captures = capture_cells(&code, &cells);
        let eval_closure = Closure {
            code,
            captures,
            ns: closure.ns.clone(),
            self_val,
            kind: FuncKind::Function,
            is_async: false,
        };
        Ok((Value::Func(Rc::new(eval_closure)), writeback))
    }

    /// `$caller_eval` (in the caller of the running frame) or `eval` (in the running frame).
    pub(crate) fn eval_in_frame(&mut self, value: Value, caller: bool) -> Result<(), Exc> {
        let n = self.task.frames.len();
        let frame = if caller {
            n.checked_sub(2)
        } else {
            n.checked_sub(1)
        };
        let Some(frame) = frame else {
            return Err(self.type_error("$caller_eval outside a macro call"));
        };
        let (closure, slots) = self.prepare_eval(&value, frame, caller)?;
        self.drive(Flow::call(
            Writeback {
                frame,
                slots,
                rest: Vec::new(),
                caller,
            },
            closure,
            Vec::new(),
        ))
    }

    /// `(eval v...)` from the native function: the calling frame is the running one.
    pub(crate) fn eval_values(&mut self, values: &[Value]) -> Result<Flow, Exc> {
        let Some((first, rest)) = values.split_first() else {
            return Ok(Flow::Return(Value::Nil));
        };
        let frame = self.task.frames.len().saturating_sub(1);
        let (closure, slots) = self.prepare_eval(first, frame, false)?;
        Ok(Flow::call(
            Writeback {
                frame,
                slots,
                rest: rest.to_vec(),
                caller: false,
            },
            closure,
            Vec::new(),
        ))
    }

    /// `($render tpl)` where tpl is a value computed at run time.
    pub(crate) fn render_at_runtime(&mut self, template: Value) -> Result<(), Exc> {
        let range = self.source_range().map(|(_, r)| r).unwrap_or_default();
        let mut embedded = Vec::new();
        let Some(form) = value_to_form(&template, range, &mut embedded) else {
            return Err(self.type_error("cannot render data nested this deeply"));
        };
        let quoted = Form::new(FormKind::Quote(Box::new(form)), range);
        let call = Form::new(
            FormKind::Gene(Box::new(Gene {
                head: Form::new(FormKind::Symbol("$render".into()), range),
                props: Vec::new(),
                children: vec![quoted],
            })),
            range,
        );
        let n = self.task.frames.len().saturating_sub(1);
        let (closure, slots) =
            self.prepare_eval_form(&Value::Nil, Some((call, embedded)), n, false)?;
        self.drive(Flow::call(
            Writeback {
                frame: n,
                slots,
                rest: Vec::new(),
                caller: false,
            },
            closure,
            Vec::new(),
        ))
    }

    // ---- imports ---------------------------------------------------------------------------

    /// `(import names from "spec")`: the module is the file the one import resolver
    /// (`gene_syntax::workspace`) names, compiled from the VM's database. `gene run` loaded the
    /// program's imports into it before running; an import nothing loaded (`eval`, the REPL)
    /// is loaded into it here, through the same resolver. Each module runs once.
    pub(crate) fn import(&mut self, code: &Code, c: u32) -> Result<(), Exc> {
        let Some(Const::Import { names, from }) = code.proto.consts.get(c as usize) else {
            return Err(self.type_error("internal error: bad import"));
        };
        let target = self.frame_ns();
        let importer = PathBuf::from(&code.source.path);
        let file = workspace::load_import(&mut self.db, &importer, from)
            .map_err(|e| self.error("ImportError", e.to_string()))?;
        if let Some(ns) = self.modules.get(&file).cloned() {
            self.copy_imports(&ns, &target, names, from)?;
            self.task.stack.push(Value::Nil);
            return Ok(());
        }
        let text = file.text(&self.db).to_string();
        let display = file.path(&self.db).display().to_string();
        if let Some(d) = syntax_diagnostics(&self.db, file)
            .iter()
            .find(|d| d.severity == Severity::Error)
        {
            let lc = gene_syntax::LineIndex::new(&text).line_col_chars(d.range.start());
            return Err(self.error(
                "SyntaxError",
                format!("{display}:{}:{}: {}", lc.line + 1, lc.col + 1, d.message),
            ));
        }
        let proto = compile_file(&self.db, file).clone();
        if let Some(d) = proto.errors.first() {
            let lc = gene_syntax::LineIndex::new(&text).line_col_chars(d.range.start());
            return Err(self.error(
                "SyntaxError",
                format!("{display}:{}:{}: {}", lc.line + 1, lc.col + 1, d.message),
            ));
        }
        let source = SourceInfo::new(display.clone(), Arc::new(text));
        let module_code = link(&proto, &source, &[]);
        self.debug_register(&module_code);
        let ns = Namespace::new(display, None);
        self.modules.insert(file, ns.clone());
        let closure = Rc::new(Closure {
            code: module_code,
            captures: Vec::new(),
            ns: ns.clone(),
            self_val: Value::Nil,
            kind: FuncKind::Function,
            is_async: false,
        });
        let cont = ImportCont {
            module: ns,
            target,
            names: names.clone(),
            from: from.clone(),
        };
        self.drive(Flow::call(cont, Value::Func(closure), Vec::new()))
    }

    /// The files of the modules this VM has run (the main file included), in no order.
    pub fn module_files(&self) -> Vec<PathBuf> {
        self.modules
            .keys()
            .map(|file| file.path(&self.db).clone())
            .collect()
    }

    fn copy_imports(
        &self,
        module: &Rc<Namespace>,
        target: &Rc<Namespace>,
        names: &[ImportName],
        from: &str,
    ) -> Result<(), Exc> {
        for name in names {
            let mut segs = name.path.iter();
            let Some(first) = segs.next() else { continue };
            let mut v = module.get(Sym::new(first));
            for seg in segs {
                v = match v {
                    Some(val) => Some(self.get_member(&val, Sym::new(seg))?)
                        .filter(|x| !matches!(x, Value::Nil)),
                    None => None,
                };
            }
            match v {
                Some(v) => target.set(Sym::new(&name.alias), v),
                None => {
                    return Err(self.error(
                        "ImportError",
                        format!(
                            "'{}' is not defined in module '{from}'",
                            name.path.join("/")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    // ---- entry points ------------------------------------------------------------------------

    /// Runs linked module code as the body of a new frame in the current task.
    pub(crate) fn run_code(
        &mut self,
        code: Rc<Code>,
        ns: Rc<Namespace>,
        captures: Vec<CellRef>,
    ) -> Result<Value, Exc> {
        let closure = Rc::new(Closure {
            code,
            captures,
            ns,
            self_val: Value::Nil,
            kind: FuncKind::Function,
            is_async: false,
        });
        let depth = self.task.frames.len();
        let pos = self.task.stack.len();
        self.task.stack.push(Value::Func(closure.clone()));
        self.enter(closure, pos, 0, None, Value::Nil, None, false)?;
        self.run_main(depth)
    }

    /// Runs a file's text as the main module.
    pub fn run_source(&mut self, path: &str, text: String) -> Result<Value, RunError> {
        let file = self.db.set_file(PathBuf::from(path), text);
        self.run_source_file(file)
    }

    /// Runs a file already loaded into the VM's database (`vm.db`) as the main module.
    pub fn run_source_file(&mut self, file: SourceFile) -> Result<Value, RunError> {
        let path = file.path(&self.db).display().to_string();
        let source = SourceInfo::new(path.clone(), Arc::new(file.text(&self.db).to_string()));
        let errors: Vec<Diagnostic> = syntax_diagnostics(&self.db, file)
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(RunError::Syntax {
                diagnostics: errors,
                source,
            });
        }
        let proto = compile_file(&self.db, file).clone();
        if !proto.errors.is_empty() {
            return Err(RunError::Syntax {
                diagnostics: proto.errors.clone(),
                source,
            });
        }
        let code = link(&proto, &source, &[]);
        self.debug_register(&code);
        let ns = Namespace::new("main", None);
        self.modules.insert(file, ns.clone());
        let result = self.run_code(code, ns, Vec::new());
        let result = self.finish_program(result).map_err(RunError::Uncaught);
        self.services.out.flush();
        result
    }

    pub fn run_file(&mut self, path: &str) -> Result<Value, RunError> {
        let bytes =
            std::fs::read(path).map_err(|e| RunError::Io(format!("cannot read {path}: {e}")))?;
        let (text, _) = gene_syntax::decode_utf8_lossy(&bytes);
        self.run_source(path, text)
    }

    /// Runs `code` (linked against `env`'s cells, `capture_cells`) in `ns` as a program: its
    /// pending tasks run to the end, and an exception nobody caught, or a failure nobody
    /// observed, is the error. Gives the value and the cells its `Export` ops published. The
    /// running task is left empty whatever happened, so an interrupted input leaves nothing
    /// behind.
    pub(crate) fn run_unit(
        &mut self,
        code: Rc<Code>,
        ns: Rc<Namespace>,
        env: &[CellRef],
    ) -> (Result<Value, Exc>, Vec<(String, CellRef)>) {
        let captures = capture_cells(&code, env);
        self.exports.clear();
        let result = self.run_code(code, ns, captures);
        let result = self.finish_program(result);
        let exports = std::mem::take(&mut self.exports);
        self.task.stack.clear();
        self.task.frames.clear();
        self.task.handlers.clear();
        self.task.natives.clear();
        (result, exports)
    }
}

/// The cells a linked unit's captures name (`CaptureFrom::Slot(i)` = environment cell `i`).
fn capture_cells(code: &Code, env: &[CellRef]) -> Vec<CellRef> {
    code.proto
        .captures
        .iter()
        .map(|c| match c {
            CaptureFrom::Slot(i) | CaptureFrom::Capture(i) => {
                env.get(*i as usize).cloned().unwrap_or_default()
            }
        })
        .collect()
}

struct ImportCont {
    module: Rc<Namespace>,
    target: Rc<Namespace>,
    names: Vec<ImportName>,
    from: String,
}

impl Resume for ImportCont {
    fn resume(&mut self, vm: &mut Vm, _result: Value) -> Result<Step, Exc> {
        vm.copy_imports(&self.module, &self.target, &self.names, &self.from)?;
        Ok(Step::Return(Value::Nil))
    }
}
