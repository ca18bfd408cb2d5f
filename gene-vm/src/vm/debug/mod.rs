//! Debugger support: breakpoints, stepping and pausing, at no cost to a VM without a debugger.
//!
//! Linked code is a copy of its proto's ops (`vm/code.rs`), so a debugger patches `Op::Break`
//! over the first op of a line there and keeps the op it replaced. The dispatch loop runs
//! `Break` out of line (`exec_cold.rs`): [`Vm::debug_break`] decides whether to stop, lets the
//! [`DebugHost`] inspect the paused VM (the host blocks the VM's thread until it resumes, so no
//! task runs meanwhile), and gives back the replaced op, which the loop runs in its place
//! (`Flow::Redo`). Stepping patches every line start of every loaded code while a step is in
//! progress and takes the patches out again at the stop. A pause or breakpoints set while the
//! program runs reach the VM through an atomic flag that the preemption checkpoint (already
//! out of line, every `preempt_interval` calls and backward jumps) looks at.
//!
//! Line starts: an op whose line differs from the previous op's, or the target of a backward
//! jump (so a loop on one line stops once per iteration). Ops that a checkpoint or a suspended
//! `await` run again (calls, backward jumps, `IterNext`, `Await`...) are never patched: their
//! second run would stop twice; the next op of the same line is patched instead.

use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustc_hash::FxHashMap;

mod functions;
mod inspect;
mod unobserved;
use functions::qualified_name;
pub use functions::{function_matches, function_names};
pub use inspect::{FrameInfo, Named, TaskInfo};

use super::code::Code;
use super::exec_cold::{Ctx, Flow};
use super::{Exc, Vm};
use crate::bytecode::{Op, Proto};
use crate::value::Value;

/// What a debugger front end does when the program stops. Called on the VM's thread, which
/// waits in [`DebugHost::stopped`] until the program should go on; meanwhile the host may ask
/// the VM anything ([`Vm::debug_tasks`], [`Vm::debug_frames`], [`Vm::debug_evaluate`]...) and
/// arm a step ([`Vm::debug_step`]).
pub trait DebugHost {
    fn stopped(&mut self, vm: &mut Vm, stop: Stop);
    /// The host raised the attention flag ([`Vm::enable_debugging`]'s result): called at the
    /// next checkpoint, to apply breakpoints set meanwhile or pause ([`Vm::debug_pause`]).
    fn attend(&mut self, vm: &mut Vm);
    /// Function breakpoints ([`Vm::debug_set_function_breakpoints`]) that code loaded just now
    /// is the first to match: they are bound from now on.
    fn functions_bound(&mut self, _names: &[String]) {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    Breakpoint,
    Step,
    Pause,
    Entry,
    /// A throw the exception filters ask to stop at ([`Vm::debug_set_exception_filters`]).
    Exception,
    /// A function breakpoint: the function's first line, on entry ([`Stop::description`] is
    /// its name as [`function_matches`] compares it).
    Function,
}

/// Where and why the program stopped: the running task ([`TaskInfo::id`]) and the 0-based line.
#[derive(Clone, Debug)]
pub struct Stop {
    pub reason: StopReason,
    pub task: usize,
    pub path: String,
    pub line: u32,
    /// For an exception stop: what was thrown, as `Class: message`.
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Stop at the next line of the same task, in any frame (or of a task its call started).
    In,
    /// Stop at the next line of the same task in this frame or a caller: calls run through,
    /// and an `await` lets other tasks run until this one goes on.
    Over,
    /// Stop at the next line of the same task in a caller.
    Out,
}

struct StepState {
    kind: StepKind,
    /// `None`: a pause, any task stops.
    task: Option<usize>,
    depth: usize,
    reason: StopReason,
}

/// A patched op: what it replaced and why it is patched.
struct Patch {
    op: Op,
    breakpoint: bool,
    function: bool,
    step: bool,
}

/// Why an op is patched.
#[derive(Clone, Copy, PartialEq)]
enum PatchKind {
    Line,
    Function,
    Step,
}

/// A debugger's state in the VM (`vm.debug`).
pub struct Debugger {
    host: Option<Box<dyn DebugHost>>,
    attention: Arc<AtomicBool>,
    /// Every code loaded since debugging began (nested functions included), kept alive so
    /// that patches are keyed by address.
    codes: Vec<Rc<Code>>,
    /// Line starts of each code in `codes`, by address: (op index, 0-based line).
    starts: FxHashMap<usize, Rc<[LineStart]>>,
    /// Breakpoint lines (0-based, already moved to lines with code) by source path.
    breakpoints: FxHashMap<String, BTreeSet<u32>>,
    patches: FxHashMap<(usize, u32), Patch>,
    step: Option<StepState>,
    stop_on_entry: bool,
    /// Stop at every throw (`raised`), or at a throw no handler of its task catches
    /// (`uncaught`).
    stop_on_raised: bool,
    stop_on_uncaught: bool,
    /// Stop where a task fails whose future nothing observes or can observe any more.
    stop_on_unobserved: bool,
    /// Function breakpoint names ([`function_matches`]), and those some loaded code matched.
    functions: Vec<String>,
    bound: BTreeSet<String>,
    /// The name of each code in `codes` by address, as function breakpoints name it: `f`, or
    /// `Class.f` for a method (a function defined in a class or namespace body).
    names: FxHashMap<usize, String>,
    /// The futures (by address) whose unobserved failure stopped at its throw already: the
    /// end of the program does not stop for them again.
    unobserved_stops: rustc_hash::FxHashSet<usize>,
}

fn key(code: &Code) -> usize {
    code as *const Code as usize
}

/// Ops that run again after a checkpoint yields or a suspended `await` is woken.
fn runs_again(op: Op) -> bool {
    matches!(
        op,
        Op::Call(_)
            | Op::TailCall(_)
            | Op::CallComplex
            | Op::CallMethod(..)
            | Op::CallMethodComplex(_)
            | Op::GetItem(_)
            | Op::SetItem(_)
            | Op::PushItem(_)
            | Op::Jump(_)
            | Op::IterNext(_)
            | Op::IterNextAsync(_)
            | Op::IterUnwrap(_)
            | Op::Await(_)
            | Op::Yield(_)
            | Op::MakeGenerator(_)
            | Op::GenReturn
            | Op::MacroArgs(_)
            | Op::Break
    )
}

/// A place a debugger can stop: op `ip` starts `line` (0-based); `loop_head`: a loop goes back
/// to it (a breakpoint on its line stops there on every iteration).
#[derive(Clone, Copy, Debug)]
struct LineStart {
    ip: u32,
    line: u32,
    loop_head: bool,
}

/// The line starts of a proto whose text has `line_of` (see the module doc). An op whose
/// range holds the previous op's (the end of an enclosing form: the `InitLocal` of a `var`
/// written over several lines, a call's `Pop`) continues that form, it starts nothing.
fn line_starts(proto: &Proto, line_of: impl Fn(usize) -> u32) -> Vec<LineStart> {
    let n = proto.ops.len();
    let lines: Vec<u32> = (0..n).map(&line_of).collect();
    let mut loop_head = vec![false; n];
    for (i, op) in proto.ops.iter().enumerate() {
        if let Op::Jump(t) = op
            && (*t as usize) <= i
            && let Some(head) = loop_head.get_mut(*t as usize)
        {
            *head = true;
        }
    }
    let mut starts: Vec<LineStart> = Vec::new();
    for i in 0..n {
        let starts_line = i == 0
            || (lines[i] != lines[i - 1]
                && !proto.range_at(i).contains_range(proto.range_at(i - 1)));
        if !starts_line && !loop_head[i] {
            continue;
        }
        let line = lines[i];
        let mut j = i;
        while j < n && lines[j] == line && runs_again(proto.ops[j]) {
            j += 1;
        }
        if j < n && lines[j] == line && starts.last().is_none_or(|s| s.ip != j as u32) {
            starts.push(LineStart {
                ip: j as u32,
                line,
                loop_head: loop_head[i],
            });
        }
    }
    starts
}

/// The 0-based lines of `text` where a debugger can stop (compiled as `gene run` would).
pub fn lines_with_code(text: &str) -> BTreeSet<u32> {
    let parse = gene_syntax::parse_text(text);
    let forms = parse.forms();
    let proto = crate::compiler::compile_module(&forms, "");
    let index = gene_syntax::LineIndex::new(text);
    let mut lines = BTreeSet::new();
    let mut todo = vec![&proto];
    while let Some(p) = todo.pop() {
        let starts = line_starts(p, |i| index.line_col(p.range_at(i).start()).line);
        lines.extend(starts.into_iter().map(|s| s.line));
        todo.extend(p.protos.iter().map(|p| &**p));
    }
    lines
}

/// The first line at or after `line` in `lines`.
pub fn nearest_line(lines: &BTreeSet<u32>, line: u32) -> Option<u32> {
    lines.range(line..).next().copied()
}

/// Paths name the same file when they do after canonicalizing (a file that does not exist is
/// compared as written).
pub fn same_path(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

impl Vm {
    /// Turns debugging on with `host`. Gives the attention flag: set it (from any thread) to
    /// have [`DebugHost::attend`] called at the next checkpoint. With `stop_on_entry` the
    /// program stops at its first line.
    pub fn enable_debugging(
        &mut self,
        host: Box<dyn DebugHost>,
        stop_on_entry: bool,
    ) -> Arc<AtomicBool> {
        let attention = Arc::new(AtomicBool::new(false));
        self.debug = Some(Box::new(Debugger {
            host: Some(host),
            attention: attention.clone(),
            codes: Vec::new(),
            starts: FxHashMap::default(),
            breakpoints: FxHashMap::default(),
            patches: FxHashMap::default(),
            step: None,
            stop_on_entry,
            stop_on_raised: false,
            stop_on_uncaught: false,
            stop_on_unobserved: false,
            functions: Vec::new(),
            bound: BTreeSet::new(),
            names: FxHashMap::default(),
            unobserved_stops: Default::default(),
        }));
        attention
    }

    /// A file's code was linked: the debugger takes it (and its nested functions) in, patches
    /// its breakpoints and, while stepping, its line starts.
    pub(crate) fn debug_register(&mut self, code: &Rc<Code>) {
        let Some(d) = self.debug.as_deref_mut() else {
            return;
        };
        let mut todo = vec![(code.clone(), String::new())];
        let mut new = Vec::new();
        while let Some((c, name)) = todo.pop() {
            todo.extend(
                c.protos
                    .iter()
                    .map(|p| (p.clone(), qualified_name(&c.proto, &p.proto.name))),
            );
            if !name.is_empty() {
                d.names.insert(key(&c), name);
            }
            let source = c.source.clone();
            let starts: Rc<[LineStart]> = line_starts(&c.proto, |i| {
                source.line_index.line_col(c.proto.range_at(i).start()).line
            })
            .into();
            d.starts.insert(key(&c), starts);
            d.codes.push(c.clone());
            new.push(c);
        }
        let stepping = d.step.is_some();
        if d.stop_on_entry {
            d.stop_on_entry = false;
            d.step = Some(StepState {
                kind: StepKind::In,
                task: None,
                depth: usize::MAX,
                reason: StopReason::Entry,
            });
        }
        let paths: Vec<(String, Vec<u32>)> = d
            .breakpoints
            .iter()
            .map(|(p, l)| (p.clone(), l.iter().copied().collect()))
            .collect();
        let new_lines: BTreeSet<u32> = new
            .iter()
            .filter_map(|c| d.starts.get(&key(c)))
            .flat_map(|s| s.iter().map(|s| s.line))
            .collect();
        for c in &new {
            if stepping || d.step.is_some() {
                d.patch_starts(c);
            }
            for (path, lines) in &paths {
                if same_path(path, &c.source.path) {
                    let moved: Vec<u32> = lines
                        .iter()
                        .filter_map(|&l| nearest_line(&new_lines, l))
                        .collect();
                    d.patch_lines(c, &moved);
                }
            }
        }
        let found = d.patch_functions(&new);
        if !found.is_empty()
            && let Some(mut host) = d.host.take()
        {
            host.functions_bound(&found);
            if let Some(d) = self.debug.as_deref_mut() {
                d.host = Some(host);
            }
        }
    }

    /// Sets the breakpoints of the file at `path` (0-based lines; replaces the earlier ones).
    /// Each is moved to the nearest line at or after it with code in the loaded code of that
    /// file; gives the line used, or `None` when no loaded code of the file is there (the host
    /// then answers from [`lines_with_code`]; a module loaded later gets them on loading).
    pub fn debug_set_breakpoints(&mut self, path: &str, lines: &[u32]) -> Vec<Option<u32>> {
        let Some(d) = self.debug.as_deref_mut() else {
            return vec![None; lines.len()];
        };
        let codes: Vec<Rc<Code>> = d
            .codes
            .iter()
            .filter(|c| same_path(path, &c.source.path))
            .cloned()
            .collect();
        for c in &codes {
            d.unpatch_breakpoints(c);
        }
        let known: BTreeSet<u32> = codes
            .iter()
            .filter_map(|c| d.starts.get(&key(c)))
            .flat_map(|s| s.iter().map(|s| s.line))
            .collect();
        let moved: Vec<Option<u32>> = if codes.is_empty() {
            lines.iter().map(|&l| Some(l)).collect()
        } else {
            lines.iter().map(|&l| nearest_line(&known, l)).collect()
        };
        let used: Vec<u32> = moved.iter().flatten().copied().collect();
        d.breakpoints.retain(|p, _| !same_path(p, path));
        if !used.is_empty() {
            d.breakpoints
                .insert(path.to_string(), used.iter().copied().collect());
        }
        for c in &codes {
            d.patch_lines(c, &used);
        }
        if codes.is_empty() {
            vec![None; lines.len()]
        } else {
            moved
        }
    }

    /// Arms a step from the stopped task (call it from [`DebugHost::stopped`]).
    pub fn debug_step(&mut self, kind: StepKind) {
        let task = self.task.meta.id;
        let depth = self.task.frames.len();
        if let Some(d) = self.debug.as_deref_mut() {
            d.start_step(StepState {
                kind,
                task: Some(task),
                depth,
                reason: StopReason::Step,
            });
        }
    }

    /// Which throws stop the program: every one (`raised`), those no handler of the throwing
    /// task catches (`uncaught`; `gene/exit` never stops), or those that fail a task whose
    /// future nothing will ever observe (`unobserved`: not awaited, followed or handled so far,
    /// and no value holds it any more, so nothing can).
    pub fn debug_set_exception_filters(&mut self, raised: bool, uncaught: bool, unobserved: bool) {
        if let Some(d) = self.debug.as_deref_mut() {
            d.stop_on_raised = raised;
            d.stop_on_uncaught = uncaught;
            d.stop_on_unobserved = unobserved;
        }
    }

    /// A value is thrown (`unwind`, before any frame goes): stop there if the filters say so.
    #[cold]
    pub(crate) fn debug_exception(&mut self, exc: &Exc, caught: bool) {
        if exc.exit_status().is_some() {
            return;
        }
        let unobserved = !caught
            && self.debug.as_deref().is_some_and(|d| d.stop_on_unobserved)
            && self.failure_unobserved();
        let future = self
            .task
            .meta
            .future
            .as_ref()
            .map(|f| Rc::as_ptr(f) as usize);
        let Some(d) = self.debug.as_deref_mut() else {
            return;
        };
        if !(d.stop_on_raised || (d.stop_on_uncaught && !caught) || unobserved) {
            return;
        }
        // The test runner passing on a test's failure (or its timeout): the failure stopped
        // where it was thrown, in the test; the runner's code has no source to show.
        let in_runner =
            |f: &crate::vm::Frame| f.closure.code.source.path == crate::testing::RUNNER_SOURCE;
        if self.task.frames.last().is_some_and(in_runner) {
            return;
        }
        if unobserved && let Some(f) = future {
            d.unobserved_stops.insert(f);
        }
        let Some(mut host) = d.host.take() else {
            return;
        };
        d.end_step();
        let task = self.task.meta.id;
        let (path, line) = match self.task.frames.last() {
            Some(f) => {
                let code = &f.closure.code;
                let at = code.proto.range_at(f.ip.saturating_sub(1) as usize).start();
                (
                    code.source.path.clone(),
                    code.source.line_index.line_col(at).line,
                )
            }
            None => (String::new(), 0),
        };
        let stop = Stop {
            reason: StopReason::Exception,
            task,
            path,
            line,
            description: Some(if unobserved {
                format!(
                    "{} (unobserved: this task's future failed and nothing awaits, follows or handles it)",
                    crate::value::display(&exc.value)
                )
            } else {
                crate::value::display(&exc.value)
            }),
        };
        host.stopped(self, stop);
        if let Some(d) = self.debug.as_deref_mut() {
            d.host = Some(host);
        }
    }

    /// Stops the program at the next line any task runs.
    pub fn debug_pause(&mut self) {
        if let Some(d) = self.debug.as_deref_mut() {
            d.start_step(StepState {
                kind: StepKind::In,
                task: None,
                depth: usize::MAX,
                reason: StopReason::Pause,
            });
        }
    }

    /// At a checkpoint: the host asked for attention.
    #[cold]
    pub(crate) fn debug_attend(&mut self) {
        let Some(d) = self.debug.as_deref_mut() else {
            return;
        };
        if !d.attention.swap(false, Ordering::Relaxed) {
            return;
        }
        if let Some(mut host) = d.host.take() {
            host.attend(self);
            if let Some(d) = self.debug.as_deref_mut() {
                d.host = Some(host);
            }
        }
    }

    /// Runs a `Break` at op `ip` of `code`: maybe stops, then gives the op it replaced.
    #[cold]
    #[inline(never)]
    pub(crate) fn debug_break(&mut self, code: &Code, ip: usize) -> Op {
        let task = self.task.meta.id;
        let depth = self.task.frames.len();
        let starter = self.task.meta.starter_frames > 0;
        let Some(d) = self.debug.as_deref_mut() else {
            return Op::Nop;
        };
        let Some(patch) = d.patches.get(&(key(code), ip as u32)) else {
            return Op::Nop;
        };
        let op = patch.op;
        let reason = match &d.step {
            _ if patch.breakpoint => Some(StopReason::Breakpoint),
            _ if patch.function => Some(StopReason::Function),
            Some(s) if patch.step => {
                let same = s.task.is_none_or(|t| t == task);
                let stops = match s.kind {
                    StepKind::In => same || starter,
                    StepKind::Over => same && depth <= s.depth,
                    StepKind::Out => same && depth < s.depth,
                };
                stops.then_some(s.reason)
            }
            _ => None,
        };
        let Some(reason) = reason else {
            return op;
        };
        let Some(mut host) = d.host.take() else {
            return op;
        };
        d.end_step();
        let line = d
            .starts
            .get(&key(code))
            .and_then(|s| s.iter().find(|s| s.ip as usize == ip))
            .map(|s| s.line)
            .unwrap_or(0);
        let description = (reason == StopReason::Function)
            .then(|| d.names.get(&key(code)).cloned())
            .flatten();
        let stop = Stop {
            reason,
            task,
            path: code.source.path.clone(),
            line,
            description,
        };
        host.stopped(self, stop);
        if let Some(d) = self.debug.as_deref_mut() {
            d.host = Some(host);
        }
        op
    }
}

impl Vm {
    /// Runs the op a `Break` replaced, out of line: the ops the dispatch loop only runs inline
    /// here, on the `Vec`, the others through [`Vm::cold_op`]. (Ops that run again after a
    /// checkpoint are never patched, see the module doc.)
    pub(super) fn run_replaced(
        &mut self,
        op: Op,
        ctx: &mut Ctx,
        stop_depth: usize,
    ) -> Result<Flow, Exc> {
        let (closure, code, base) = (ctx.closure, ctx.code, ctx.base);
        let depth = self.task.frames.len();
        let stack = &mut self.task.stack;
        match op {
            Op::Nop | Op::MacroArgs(_) => {}
            Op::Nil => stack.push(Value::Nil),
            Op::True => stack.push(Value::Bool(true)),
            Op::False => stack.push(Value::Bool(false)),
            Op::Int(i) => stack.push(Value::Int(i as i64)),
            Op::Const(i) => stack.push(code.constant(i)),
            Op::Pop => {
                stack.pop();
            }
            Op::Dup => {
                let v = stack.last().cloned().unwrap_or_default();
                stack.push(v);
            }
            Op::LoadLocal(s) => {
                let v = self.local_value(base, s);
                self.task.stack.push(v);
            }
            Op::LoadLocal2(a, b) => {
                let (x, y) = (
                    self.local_value(base, u32::from(a)),
                    self.local_value(base, u32::from(b)),
                );
                self.task.stack.extend([x, y]);
            }
            Op::StoreLocal(s) => {
                let v = stack.last().cloned().unwrap_or_default();
                self.set_local(base, s, v);
            }
            Op::SetLocal(s) => {
                let v = stack.pop().unwrap_or_default();
                self.set_local(base, s, v);
            }
            Op::InitLocal(s) => {
                let v = stack.pop().unwrap_or_default();
                if let Some(slot) = stack.get_mut(base + s as usize) {
                    *slot = v;
                }
            }
            Op::LoadCapture(i) => {
                let v = closure
                    .captures
                    .get(i as usize)
                    .map(|c| c.borrow().clone())
                    .unwrap_or_default();
                stack.push(v);
            }
            Op::LoadName(n) => match self.lookup_cached(code, n, &closure.ns) {
                Some(v) => self.task.stack.push(v),
                None => return Err(self.name_error(code, n)),
            },
            Op::LoadSelf => {
                let v = self
                    .task
                    .frames
                    .last()
                    .map(|f| f.self_val.clone())
                    .unwrap_or_default();
                self.task.stack.push(v);
            }
            Op::Not => {
                let v = stack.pop().unwrap_or_default();
                stack.push(Value::Bool(!v.truthy()));
            }
            Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => {
                let v = stack.pop().unwrap_or_default();
                if v.truthy() == matches!(op, Op::JumpIfTrue(_)) {
                    ctx.ip = t as usize;
                }
            }
            Op::AndJump(t) | Op::OrJump(t) => {
                let truthy = stack.last().is_some_and(Value::truthy);
                if truthy == matches!(op, Op::OrJump(_)) {
                    ctx.ip = t as usize;
                } else {
                    stack.pop();
                }
            }
            Op::New(argc) => self.op_new(argc as usize)?,
            Op::GetMember(n) => self.op_get_member(code.name(n))?,
            Op::SetMember(n) => self.op_set_member(code.name(n))?,
            Op::GetIndex(i) => self.op_get_index(i)?,
            Op::SetIndex(i) => self.op_set_index(i)?,
            other => return self.cold_op(other, ctx, stop_depth),
        }
        Ok(if self.task.frames.len() == depth {
            Flow::Next
        } else {
            Flow::Reload
        })
    }
}

impl Debugger {
    fn patch_at(&mut self, code: &Code, ip: u32, kind: PatchKind) {
        let Some(current) = code.op(ip as usize) else {
            return;
        };
        let entry = self
            .patches
            .entry((key(code), ip))
            .or_insert_with(|| Patch {
                op: current,
                breakpoint: false,
                function: false,
                step: false,
            });
        match kind {
            PatchKind::Line => entry.breakpoint = true,
            PatchKind::Function => entry.function = true,
            PatchKind::Step => entry.step = true,
        }
        code.patch(ip as usize, Op::Break);
    }

    fn patch_starts(&mut self, code: &Rc<Code>) {
        if let Some(starts) = self.starts.get(&key(code)).cloned() {
            for s in starts.iter() {
                self.patch_at(code, s.ip, PatchKind::Step);
            }
        }
    }

    /// Patches the first line start of each of `lines` in `code`, and its loop heads.
    fn patch_lines(&mut self, code: &Rc<Code>, lines: &[u32]) {
        let Some(starts) = self.starts.get(&key(code)).cloned() else {
            return;
        };
        for &line in lines {
            let mut first = true;
            for s in starts.iter().filter(|s| s.line == line) {
                if first || s.loop_head {
                    self.patch_at(code, s.ip, PatchKind::Line);
                }
                first = false;
            }
        }
    }

    fn unpatch_breakpoints(&mut self, code: &Code) {
        self.unpatch(code, PatchKind::Line);
    }

    /// Takes the line or function breakpoints out of `code` (an op still patched for another
    /// reason stays patched).
    fn unpatch(&mut self, code: &Code, kind: PatchKind) {
        let k = key(code);
        self.patches.retain(|&(c, ip), p| {
            let flag = match kind {
                PatchKind::Line => &mut p.breakpoint,
                PatchKind::Function => &mut p.function,
                PatchKind::Step => &mut p.step,
            };
            if c != k || !*flag {
                return true;
            }
            *flag = false;
            if p.step || p.breakpoint || p.function {
                return true;
            }
            code.patch(ip as usize, p.op);
            false
        });
    }

    fn start_step(&mut self, step: StepState) {
        let was = self.step.is_some();
        self.step = Some(step);
        if !was {
            for c in self.codes.clone() {
                self.patch_starts(&c);
            }
        }
    }

    fn end_step(&mut self) {
        if self.step.take().is_none() {
            return;
        }
        let codes: FxHashMap<usize, Rc<Code>> =
            self.codes.iter().map(|c| (key(c), c.clone())).collect();
        self.patches.retain(|&(c, ip), p| {
            p.step = false;
            if p.breakpoint || p.function {
                return true;
            }
            if let Some(code) = codes.get(&c) {
                code.patch(ip as usize, p.op);
            }
            false
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_code_skip_blank_lines_and_comments() {
        let text = "(var x 1)\n\n# note\n(println x)\n(fn f [a]\n  (a + 1))\n";
        let lines = lines_with_code(text);
        assert!(lines.contains(&0));
        assert!(!lines.contains(&1));
        assert!(!lines.contains(&2));
        assert!(lines.contains(&3));
        assert!(lines.contains(&5));
        assert_eq!(nearest_line(&lines, 1), Some(3));
        assert_eq!(nearest_line(&lines, 99), None);
    }

    #[test]
    fn function_breakpoints_name_functions_and_methods() {
        let names =
            function_names("(fn fetch [u] u)\n(class Client\n  (.fn get [u] u))\n(fnx [a] a)\n");
        assert!(names.contains("fetch"), "{names:?}");
        assert!(names.contains("Client.get"), "{names:?}");
        assert!(function_matches("get", "Client.get"));
        assert!(function_matches("Client/get", "Client.get"));
        assert!(function_matches("Client.get", "Client.get"));
        assert!(!function_matches("et", "Client.get"));
        assert!(!function_matches("Other.get", "Client.get"));
        assert!(!function_matches("", "fetch"));
    }
}
