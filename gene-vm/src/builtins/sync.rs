//! `gene/Semaphore`, `gene/Lock` and `gene/Event`: tasks waiting for a permit, a lock or a
//! signal, served first come, first served (through [`WaitQueue`]s, which skip waiters nothing
//! can read any more, so a cancelled acquire never swallows a permit).
//!
//! A permit or the lock passes straight from the releasing task to the first waiter: the
//! waiter's future settles, and nothing can take the permit in between. `.with_async f` is a
//! small Gene function run as a task: acquire, then f (its future awaited), then release on
//! every way out — f failing, f's task cancelled, or the `with_async` future itself cancelled
//! or timed out (then f's future is cancelled, and awaited until its task has unwound, before
//! the release, so f's clean-up still runs under the lock).
//!
//! A lock is held by a task: the one that called `.lock_async` (for the body of an async
//! generator, the generator, whose steps may run in different tasks). Unlocking a lock the
//! running task does not hold is a `LockError`.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use super::arg;
use super::gene_fn::{GeneFn, GiveResult};
use super::waiters::{Serves, WaitQueue, hand_over};
use crate::intern::Sym;
use crate::value::{FutureObj, GeneratorObj, Host, HostObject, NativeFn, Value};
use crate::vm::futures::Outcome;
use crate::vm::native::Flow;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Semaphore.acquire_async", |vm, args| {
        let sem = host::<Semaphore>(vm, args, ".acquire_async")?;
        Ok(Value::Future(sem.acquire(vm)))
    }),
    native!("Semaphore.release", |vm, args| {
        let sem = host::<Semaphore>(vm, args, ".release")?;
        sem.release(vm);
        Ok(Value::Nil)
    }),
    native!("Semaphore.available", |vm, args| {
        let sem = host::<Semaphore>(vm, args, ".available")?;
        Ok(Value::Int(
            i64::try_from(sem.state.borrow().available).unwrap_or(i64::MAX),
        ))
    }),
    flow_native!("Semaphore.with_async", |vm, args| {
        host::<Semaphore>(vm, args, ".with_async")?;
        with_async(vm, args, "acquire_async", "release")
    }),
    native!("Lock.lock_async", |vm, args| {
        let lock = host::<Lock>(vm, args, ".lock_async")?;
        Ok(Value::Future(lock.lock(vm)))
    }),
    native!("Lock.unlock", |vm, args| {
        let lock = host::<Lock>(vm, args, ".unlock")?;
        lock.unlock(vm)?;
        Ok(Value::Nil)
    }),
    native!("Lock.is_locked", |vm, args| {
        let lock = host::<Lock>(vm, args, ".is_locked")?;
        Ok(Value::Bool(lock.state.borrow().holder.is_some()))
    }),
    flow_native!("Lock.with_async", |vm, args| {
        host::<Lock>(vm, args, ".with_async")?;
        with_async(vm, args, "lock_async", "unlock")
    }),
    native!("Event.set", |vm, args| {
        let event = host::<Event>(vm, args, ".set")?;
        event.set(vm);
        Ok(Value::Nil)
    }),
    native!("Event.clear", |vm, args| {
        let event = host::<Event>(vm, args, ".clear")?;
        event.state.borrow_mut().is_set = false;
        Ok(Value::Nil)
    }),
    native!("Event.is_set", |vm, args| {
        let event = host::<Event>(vm, args, ".is_set")?;
        Ok(Value::Bool(event.state.borrow().is_set))
    }),
    native!("Event.wait_async", |vm, args| {
        let event = host::<Event>(vm, args, ".wait_async")?;
        Ok(Value::Future(event.wait(vm)))
    }),
];

/// The receiver as a `T`, or a TypeError naming the method.
fn host<'a, T: HostObject + Default>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a T, Exc> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<T>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a {}, got {}",
            T::default().type_name(),
            arg(args, 0).type_name()
        ))
    })
}

// ---- Semaphore ------------------------------------------------------------------------------

#[derive(Default)]
pub(crate) struct Semaphore {
    state: RefCell<SemState>,
}

#[derive(Default)]
struct SemState {
    available: u64,
    waiters: WaitQueue<()>,
}

impl HostObject for Semaphore {
    fn type_name(&self) -> &'static str {
        "Semaphore"
    }

    fn describe(&self) -> String {
        format!("<Semaphore {} available>", self.state.borrow().available)
    }
}

/// `(new gene/Semaphore n)`: n permits (an int, 0 or more).
pub(crate) fn new_semaphore(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let n = match arg(args, 0) {
        Value::Int(n) if *n >= 0 => *n as u64,
        Value::Int(n) => {
            return Err(vm.error(
                "ArgumentError",
                format!("a semaphore's permits cannot be negative, got {n}"),
            ));
        }
        other => {
            return Err(vm.type_error(format!(
                "a semaphore needs its number of permits (an int), got {}",
                other.type_name()
            )));
        }
    };
    let sem = Semaphore::default();
    sem.state.borrow_mut().available = n;
    Ok(Value::Host(Host::new(sem)))
}

impl Semaphore {
    fn acquire(&self, vm: &mut Vm) -> Rc<FutureObj> {
        let mut s = self.state.borrow_mut();
        if s.available > 0 {
            s.available -= 1;
            return FutureObj::completed(Value::Nil);
        }
        let f = FutureObj::new(vm.origin_here());
        s.waiters.push(vm, f.clone(), (), Serves::Reader);
        f
    }

    /// Gives a permit back: to the first waiter, or to the count. Like Python's `Semaphore`
    /// (not its `BoundedSemaphore`), releasing more than was acquired raises the count.
    fn release(&self, vm: &mut Vm) {
        let waiter = {
            let mut s = self.state.borrow_mut();
            let waiter = s.waiters.pop_live(vm, Serves::Reader);
            if waiter.is_none() {
                s.available = s.available.saturating_add(1);
            }
            waiter
        };
        if let Some((f, ())) = waiter {
            hand_over(vm, &f, Value::Nil);
        }
    }
}

// ---- Lock -----------------------------------------------------------------------------------

#[derive(Default)]
pub(crate) struct Lock {
    state: RefCell<LockState>,
}

#[derive(Default)]
struct LockState {
    holder: Option<Holder>,
    /// Who asked, with each waiting future.
    waiters: WaitQueue<Holder>,
}

/// Who holds a lock.
#[derive(Clone)]
enum Holder {
    /// The main program (the same across REPL inputs).
    Main,
    /// A task, by its serial.
    Task(u64),
    /// The body of an async generator, whichever task runs its current step.
    Generator(Weak<GeneratorObj>),
}

impl Holder {
    fn same(&self, other: &Holder) -> bool {
        match (self, other) {
            (Holder::Main, Holder::Main) => true,
            (Holder::Task(a), Holder::Task(b)) => a == b,
            (Holder::Generator(a), Holder::Generator(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// The running task (or the async generator whose body it runs).
    fn current(vm: &mut Vm) -> Holder {
        if vm.task.meta.future.is_none() {
            return Holder::Main;
        }
        // An async generator's step runs in a task whose bottom frame is the generator's, with
        // the generator in its callee slot.
        let bottom_is_generator = vm.task.frames.first().is_some_and(|f| f.base == 1);
        if bottom_is_generator && let Some(Value::Generator(g)) = vm.task.stack.first() {
            return Holder::Generator(Rc::downgrade(g));
        }
        Holder::Task(vm.task_serial())
    }
}

impl HostObject for Lock {
    fn type_name(&self) -> &'static str {
        "Lock"
    }

    fn describe(&self) -> String {
        let state = if self.state.borrow().holder.is_some() {
            "locked"
        } else {
            "unlocked"
        };
        format!("<Lock {state}>")
    }
}

pub(crate) fn new_lock(_vm: &mut Vm, _args: &[Value]) -> Result<Value, Exc> {
    Ok(Value::Host(Host::new(Lock::default())))
}

impl Lock {
    fn lock(&self, vm: &mut Vm) -> Rc<FutureObj> {
        let me = Holder::current(vm);
        let mut s = self.state.borrow_mut();
        if s.holder.is_none() {
            s.holder = Some(me);
            return FutureObj::completed(Value::Nil);
        }
        let f = FutureObj::new(vm.origin_here());
        s.waiters.push(vm, f.clone(), me, Serves::Reader);
        f
    }

    /// Passes the lock to the first waiter, or leaves it unlocked.
    fn unlock(&self, vm: &mut Vm) -> Result<(), Exc> {
        let me = Holder::current(vm);
        let next = {
            let mut s = self.state.borrow_mut();
            match &s.holder {
                None => {
                    return Err(vm.error("LockError", "unlock of a lock that is not locked"));
                }
                Some(h) if !h.same(&me) => {
                    return Err(vm.error(
                        "LockError",
                        "unlock of a lock held by another task (a lock is unlocked by the task that locked it)",
                    ));
                }
                Some(_) => {}
            }
            let next = s.waiters.pop_live(vm, Serves::Reader);
            s.holder = next.as_ref().map(|(_, who)| who.clone());
            next
        };
        if let Some((f, _)) = next {
            hand_over(vm, &f, Value::Nil);
        }
        Ok(())
    }
}

// ---- Event ----------------------------------------------------------------------------------

#[derive(Default)]
pub(crate) struct Event {
    state: RefCell<EventState>,
}

#[derive(Default)]
struct EventState {
    is_set: bool,
    waiters: WaitQueue<()>,
}

impl HostObject for Event {
    fn type_name(&self) -> &'static str {
        "Event"
    }

    fn describe(&self) -> String {
        let state = if self.state.borrow().is_set {
            "set"
        } else {
            "clear"
        };
        format!("<Event {state}>")
    }
}

pub(crate) fn new_event(_vm: &mut Vm, _args: &[Value]) -> Result<Value, Exc> {
    Ok(Value::Host(Host::new(Event::default())))
}

impl Event {
    fn wait(&self, vm: &mut Vm) -> Rc<FutureObj> {
        let mut s = self.state.borrow_mut();
        if s.is_set {
            return FutureObj::completed(Value::Nil);
        }
        let f = FutureObj::new(vm.origin_here());
        s.waiters.push(vm, f.clone(), (), Serves::Reader);
        f
    }

    /// Every waiter goes on, in the order they came; later waits finish at once until `.clear`.
    fn set(&self, vm: &mut Vm) {
        let waiters = {
            let mut s = self.state.borrow_mut();
            s.is_set = true;
            s.waiters.take_all()
        };
        for (f, ()) in waiters {
            vm.settle(&f, Outcome::Success(Value::Nil));
        }
    }
}

// ---- with_async -----------------------------------------------------------------------------

/// The steps of `.with_async`: `acquire` and `release` are the object's bound methods.
static GUARDED: GeneFn = GeneFn::new(
    "<with_async>",
    r#"
(fn ^^async with_async [acquire release f]
  (await (acquire))
  (var body nil)
  (try
    (body = (f))
    (if (body .is_a Future) (await body) else body)
  catch *
    (var e $ex)
    (if ((body .is_a Future) && (body .cancel))
      (try (await body) catch * nil))
    (throw e)
  finally
    (release)))
"#,
);

/// `(x .with_async f)`: the future of the steps above.
fn with_async(vm: &mut Vm, args: &[Value], acquire: &str, release: &str) -> Result<Flow, Exc> {
    let f = match arg(args, 1) {
        f @ (Value::Func(_) | Value::Native(_) | Value::BoundMethod(_)) => f.clone(),
        other => {
            return Err(vm.type_error(format!(
                ".with_async needs a function to call, got {}",
                other.type_name()
            )));
        }
    };
    let target = arg(args, 0).clone();
    let bound = |name: &str| Value::BoundMethod(Rc::new((target.clone(), Sym::new(name))));
    let steps = GUARDED.closure(vm)?;
    Ok(Flow::call(
        GiveResult,
        Value::Func(steps),
        vec![bound(acquire), bound(release), f],
    ))
}
