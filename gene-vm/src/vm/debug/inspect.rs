//! What a debugger reads and changes at a stop: the live tasks (the awaiting task of each, for
//! stitched async stacks), a task's frames, their locals and captured variables, a frame's
//! namespace, and evaluation in a frame's context.

use std::rc::Rc;

use crate::bytecode::{Op, Proto};
use crate::value::{Namespace, Value};
use crate::vm::{Exc, Task, Vm};

/// Variables by name, in order.
pub type Named = Vec<(String, Value)>;

/// A live task, for a debugger's thread list.
#[derive(Clone, Debug)]
pub struct TaskInfo {
    pub id: usize,
    /// The name of the function its first frame runs (`main` for the main program).
    pub name: String,
    /// The task that awaits this task's future, if one does.
    pub awaited_by: Option<usize>,
}

/// One frame of a task, innermost first.
#[derive(Clone, Debug)]
pub struct FrameInfo {
    pub index: usize,
    pub name: String,
    pub path: String,
    /// 0-based line and column (in characters) of the op the frame is at.
    pub line: u32,
    pub column: u32,
}

impl Vm {
    /// The id of the running (at a stop: the stopped) task.
    pub fn debug_current_task(&self) -> usize {
        self.task.meta.id
    }

    /// The live tasks: the running one first, then the others by id.
    pub fn debug_tasks(&self) -> Vec<TaskInfo> {
        let mut tasks = vec![task_info(&self.task)];
        for t in self.sched.tasks.iter().flatten() {
            if t.meta.id != self.task.meta.id {
                tasks.push(task_info(t));
            }
        }
        let awaiting: Vec<(usize, Option<Rc<crate::value::FutureObj>>)> =
            std::iter::once(&self.task)
                .chain(self.sched.tasks.iter().flatten().map(|t| &**t))
                .map(|t| (t.meta.id, awaited_future(t)))
                .collect();
        for info in &mut tasks {
            let Some(own) = self.debug_task(info.id).and_then(|t| t.meta.future.clone()) else {
                continue;
            };
            info.awaited_by = awaiting
                .iter()
                .find(|(id, f)| *id != info.id && f.as_ref().is_some_and(|f| Rc::ptr_eq(f, &own)))
                .map(|(id, _)| *id);
        }
        tasks
    }

    fn debug_task(&self, id: usize) -> Option<&Task> {
        if self.task.meta.id == id {
            return Some(&self.task);
        }
        self.sched
            .tasks
            .iter()
            .flatten()
            .find(|t| t.meta.id == id)
            .map(|t| &**t)
    }

    /// The frames of task `id`, innermost first.
    pub fn debug_frames(&self, id: usize) -> Vec<FrameInfo> {
        let Some(task) = self.debug_task(id) else {
            return Vec::new();
        };
        task.frames
            .iter()
            .enumerate()
            .rev()
            .map(|(index, f)| {
                let code = &f.closure.code;
                let at = f.ip.saturating_sub(1) as usize;
                let lc = code
                    .source
                    .line_index
                    .line_col_chars(code.proto.range_at(at).start());
                FrameInfo {
                    index,
                    name: frame_name(&code.proto),
                    path: code.source.path.clone(),
                    line: lc.line,
                    column: lc.col,
                }
            })
            .collect()
    }

    /// The live locals of frame `index` of task `id`, in declaration order, then its captured
    /// variables (second list).
    pub fn debug_locals(&self, id: usize, index: usize) -> (Named, Named) {
        let Some(task) = self.debug_task(id) else {
            return (Vec::new(), Vec::new());
        };
        let Some(f) = task.frames.get(index) else {
            return (Vec::new(), Vec::new());
        };
        let proto = &f.closure.code.proto;
        let ip = f.ip.saturating_sub(1);
        let mut live: Vec<_> = proto
            .locals
            .iter()
            .filter(|l| l.start <= ip && ip < l.end)
            .collect();
        live.sort_by_key(|l| l.start);
        let locals = live
            .into_iter()
            .map(|l| {
                let v = match task.stack.get(f.base as usize + l.slot as usize) {
                    Some(Value::Cell(c)) => c.borrow().clone(),
                    Some(v) => v.clone(),
                    None => Value::Nil,
                };
                (l.name.clone(), v)
            })
            .collect();
        let captured = proto
            .capture_names
            .iter()
            .zip(&f.closure.captures)
            .map(|(n, c)| (n.clone(), c.borrow().clone()))
            .collect();
        (locals, captured)
    }

    /// Sets local `name` of frame `index` of task `id`; false when there is none.
    pub fn debug_set_local(&mut self, id: usize, index: usize, name: &str, value: Value) -> bool {
        let running = self.task.meta.id == id;
        let task = if running {
            &mut self.task
        } else {
            match self
                .sched
                .tasks
                .iter_mut()
                .flatten()
                .find(|t| t.meta.id == id)
            {
                Some(t) => &mut **t,
                None => return false,
            }
        };
        let Some(f) = task.frames.get(index) else {
            return false;
        };
        let ip = f.ip.saturating_sub(1);
        let base = f.base as usize;
        let Some(slot) = f
            .closure
            .code
            .proto
            .locals
            .iter()
            .filter(|l| l.start <= ip && ip < l.end && l.name == name)
            .map(|l| l.slot)
            .next_back()
        else {
            return false;
        };
        match task.stack.get_mut(base + slot as usize) {
            Some(Value::Cell(c)) => *c.borrow_mut() = value,
            Some(v) => *v = value,
            None => return false,
        }
        true
    }

    /// The namespace frame `index` of task `id` resolves names in (its module's globals).
    pub fn debug_namespace(&self, id: usize, index: usize) -> Option<Rc<Namespace>> {
        let f = self.debug_task(id)?.frames.get(index)?;
        Some(f.closure.ns.clone())
    }

    /// Evaluates Gene source `text` in frame `index` of the stopped (running) task, as `eval`
    /// there would: its locals are visible and assignments to them stay. Breakpoints do not
    /// stop inside it.
    pub fn debug_evaluate(&mut self, index: usize, text: &str) -> Result<Value, Exc> {
        let parse = gene_syntax::parse_text(text);
        if let Some(e) = parse.errors().first() {
            return Err(self.error("SyntaxError", e.message.clone()));
        }
        let mut forms = parse.forms();
        if forms.len() != 1 {
            // Several forms (or none) run as one `do` block.
            forms = gene_syntax::parse_text(&format!("(do {text}\n)")).forms();
        }
        let Some(form) = forms.pop() else {
            return Ok(Value::Nil);
        };
        let (closure, writeback) =
            self.prepare_eval_form(&Value::Nil, Some((form, Vec::new())), index, false)?;
        // A nested run: the stopped task's scheduling state is set aside and put back.
        let host = self.debug.as_deref_mut().and_then(|d| d.host.take());
        let meta = std::mem::take(&mut self.task.meta);
        let stack = self.task.stack.len();
        let frames = self.task.frames.len();
        let result = self.call_function(closure, Vec::new());
        self.task.frames.truncate(frames);
        self.task.stack.truncate(stack);
        self.task.meta = meta;
        if let Some(d) = self.debug.as_deref_mut() {
            d.host = host;
        }
        if result.is_ok() {
            self.write_back(index, &writeback);
        }
        result
    }
}

fn task_info(t: &Task) -> TaskInfo {
    let name = match t.frames.first() {
        _ if t.meta.future.is_none() => "main".to_string(),
        Some(f) => frame_name(&f.closure.code.proto),
        None => "task".to_string(),
    };
    TaskInfo {
        id: t.meta.id,
        name,
        awaited_by: None,
    }
}

fn frame_name(proto: &Proto) -> String {
    if proto.name.is_empty() {
        "<module>".to_string()
    } else {
        proto.name.clone()
    }
}

/// The future a parked task waits for in an `await` of one future (on its stack top).
fn awaited_future(t: &Task) -> Option<Rc<crate::value::FutureObj>> {
    let f = t.frames.last()?;
    let op = f.closure.code.op(f.ip as usize)?;
    let waits = matches!(op, Op::Await(_))
        || matches!(op, Op::Break)
        || f.ip
            .checked_sub(1)
            .and_then(|i| f.closure.code.op(i as usize))
            .is_some_and(|op| matches!(op, Op::Await(_)));
    if !waits {
        return None;
    }
    match t.stack.last()? {
        Value::Future(fut) => Some(fut.clone()),
        _ => None,
    }
}
