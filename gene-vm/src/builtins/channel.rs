//! `gene/Channel`: a FIFO of values between tasks. `(new gene/Channel)` is unbounded,
//! `(new gene/Channel n)` holds at most n values (a sender waits while it is full), and
//! `(new gene/Channel 0)` is a rendezvous: a send waits until a receiver takes the value.
//!
//! Invariants: values wait in `buffer` only while no receiver waits; senders wait only while
//! the buffer is full (always, for a rendezvous). Receivers and senders are served in arrival
//! order through [`WaitQueue`]s, which never hand a value to a future nothing can read (a
//! cancelled receive loses no value) and never take the value of a cancelled send.
//!
//! Closing: sends fail with `ChannelClosed` from then on (`send_async` gives a failed future,
//! `try_send` throws), waiting senders fail the same way (their values are not delivered),
//! receivers drain the buffer and then get nil (`recv_async`) or the end of the iteration
//! (`.next`, what `for await` calls).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::arg;
use super::waiters::{Serves, WaitQueue, hand_over};
use crate::intern::Sym;
use crate::value::{FutureObj, Host, HostObject, Map, NativeFn, Value};
use crate::vm::futures::Outcome;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Channel.send_async", |vm, args| {
        let ch = channel(vm, args, ".send_async")?;
        Ok(Value::Future(send(vm, ch, arg(args, 1).clone())))
    }),
    native!("Channel.recv_async", |vm, args| {
        let ch = channel(vm, args, ".recv_async")?;
        Ok(Value::Future(receive(vm, ch, Receive::Value)))
    }),
    native!("Channel.next", |vm, args| {
        let ch = channel(vm, args, ".next")?;
        Ok(Value::Future(receive(vm, ch, Receive::Step)))
    }),
    native!("Channel.try_send", |vm, args| {
        let ch = channel(vm, args, ".try_send")?;
        try_send(vm, ch, arg(args, 1).clone()).map(Value::Bool)
    }),
    native!("Channel.try_recv", |vm, args| {
        let ch = channel(vm, args, ".try_recv")?;
        Ok(take(vm, ch).unwrap_or_default())
    }),
    native!("Channel.close", |vm, args| {
        let ch = channel(vm, args, ".close")?;
        close(vm, ch);
        Ok(Value::Nil)
    }),
    native!("Channel.is_closed", |vm, args| {
        let ch = channel(vm, args, ".is_closed")?;
        Ok(Value::Bool(ch.state.borrow().closed))
    }),
    native!("Channel.size", |vm, args| {
        let ch = channel(vm, args, ".size")?;
        Ok(Value::Int(ch.state.borrow().buffer.len() as i64))
    }),
];

/// How a receiver wants its value.
#[derive(Clone, Copy)]
enum Receive {
    /// `recv_async`: the value, or nil once the channel is closed and drained.
    Value,
    /// `.next`: a step `{^value v ^done false}`, or `{^done true}` once closed and drained.
    Step,
}

impl Receive {
    fn wrap(self, v: Option<Value>) -> Value {
        match self {
            Receive::Value => v.unwrap_or_default(),
            Receive::Step => step(v),
        }
    }
}

fn step(v: Option<Value>) -> Value {
    let mut map = Map::default();
    if let Some(v) = v {
        map.insert(Sym::new("value"), v);
        map.insert(Sym::new("done"), Value::Bool(false));
    } else {
        map.insert(Sym::new("done"), Value::Bool(true));
    }
    Value::map(map)
}

pub(crate) struct Channel {
    state: RefCell<State>,
}

struct State {
    /// None: unbounded.
    capacity: Option<usize>,
    buffer: VecDeque<Value>,
    receivers: WaitQueue<Receive>,
    /// Pending sends and their values.
    senders: WaitQueue<Value>,
    closed: bool,
}

impl HostObject for Channel {
    fn type_name(&self) -> &'static str {
        "Channel"
    }

    fn describe(&self) -> String {
        let s = self.state.borrow();
        let capacity = match s.capacity {
            None => "unbounded".to_string(),
            Some(n) => format!("capacity {n}"),
        };
        let closed = if s.closed { ", closed" } else { "" };
        format!("<Channel {capacity}, size {}{closed}>", s.buffer.len())
    }
}

/// `(new gene/Channel [capacity])`.
pub(crate) fn construct(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let capacity = match arg(args, 0) {
        Value::Nil => None,
        Value::Int(n) if *n >= 0 => Some(usize::try_from(*n).unwrap_or(usize::MAX)),
        Value::Int(n) => {
            return Err(vm.error(
                "ArgumentError",
                format!("a channel's capacity cannot be negative, got {n}"),
            ));
        }
        other => {
            return Err(vm.type_error(format!(
                "a channel's capacity must be an int (or nothing, for no limit), got {}",
                other.type_name()
            )));
        }
    };
    Ok(Value::Host(Host::new(Channel {
        state: RefCell::new(State {
            capacity,
            buffer: VecDeque::new(),
            receivers: WaitQueue::default(),
            senders: WaitQueue::default(),
            closed: false,
        }),
    })))
}

fn channel<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a Channel, Exc> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<Channel>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a Channel, got {}",
            arg(args, 0).type_name()
        ))
    })
}

fn closed_error(vm: &Vm) -> Value {
    vm.make_error_value("ChannelClosed", "send on a closed channel")
}

/// What an attempt to hand a value over found.
enum Offer {
    /// A receiver waited: settle its future with this.
    Deliver(Rc<FutureObj>, Value),
    /// The buffer took it.
    Buffered,
    /// No room: the value comes back.
    Full(Value),
    Closed,
}

fn offer(vm: &Vm, ch: &Channel, v: Value) -> Offer {
    let mut s = ch.state.borrow_mut();
    if s.closed {
        return Offer::Closed;
    }
    if let Some((f, how)) = s.receivers.pop_live(vm, Serves::Reader) {
        return Offer::Deliver(f, how.wrap(Some(v)));
    }
    if s.capacity.is_none_or(|c| s.buffer.len() < c) {
        s.buffer.push_back(v);
        return Offer::Buffered;
    }
    Offer::Full(v)
}

/// `.send_async v`: a future settled (with nil) once the channel has accepted v.
fn send(vm: &mut Vm, ch: &Channel, v: Value) -> Rc<FutureObj> {
    match offer(vm, ch, v) {
        Offer::Deliver(f, v) => {
            hand_over(vm, &f, v);
            FutureObj::completed(Value::Nil)
        }
        Offer::Buffered => FutureObj::completed(Value::Nil),
        Offer::Full(v) => {
            let f = FutureObj::new(vm.origin_here());
            ch.state
                .borrow_mut()
                .senders
                .push(vm, f.clone(), v, Serves::Giver);
            f
        }
        Offer::Closed => {
            let f = FutureObj::new(vm.origin_here());
            let e = closed_error(vm);
            vm.settle(&f, Outcome::Failure(e, Some(vm.capture_trace())));
            f
        }
    }
}

/// `.try_send v`: true when the channel took v at once, false when it is full.
fn try_send(vm: &mut Vm, ch: &Channel, v: Value) -> Result<bool, Exc> {
    match offer(vm, ch, v) {
        Offer::Deliver(f, v) => {
            hand_over(vm, &f, v);
            Ok(true)
        }
        Offer::Buffered => Ok(true),
        Offer::Full(_) => Ok(false),
        Offer::Closed => Err(Exc::new(closed_error(vm))),
    }
}

/// The next value if one is there (from the buffer or a waiting sender), None otherwise. A
/// waiting sender whose value this takes, or moves into the buffer, is settled.
fn take(vm: &mut Vm, ch: &Channel) -> Option<Value> {
    let (value, sender) = {
        let mut s = ch.state.borrow_mut();
        match s.buffer.pop_front() {
            Some(v) => {
                // Room now: the first waiting sender's value moves in.
                let sender = s.senders.pop_live(vm, Serves::Giver);
                let sender = sender.map(|(f, sent)| {
                    s.buffer.push_back(sent);
                    f
                });
                (v, sender)
            }
            None => {
                let (f, sent) = s.senders.pop_live(vm, Serves::Giver)?;
                (sent, Some(f))
            }
        }
    };
    if let Some(f) = sender {
        hand_over(vm, &f, Value::Nil);
    }
    Some(value)
}

/// `.recv_async` / `.next`: a future of the next value, settled at once when one is there.
fn receive(vm: &mut Vm, ch: &Channel, how: Receive) -> Rc<FutureObj> {
    if let Some(v) = take(vm, ch) {
        return FutureObj::completed(how.wrap(Some(v)));
    }
    if ch.state.borrow().closed {
        return FutureObj::completed(how.wrap(None));
    }
    let f = FutureObj::new(vm.origin_here());
    ch.state
        .borrow_mut()
        .receivers
        .push(vm, f.clone(), how, Serves::Reader);
    f
}

/// `.close`: waiting receivers get the end, waiting senders fail; closing again does nothing.
fn close(vm: &mut Vm, ch: &Channel) {
    let (receivers, senders) = {
        let mut s = ch.state.borrow_mut();
        if s.closed {
            return;
        }
        s.closed = true;
        (s.receivers.take_all(), s.senders.take_all())
    };
    for (f, how) in receivers {
        vm.settle(&f, Outcome::Success(how.wrap(None)));
    }
    for (f, _) in senders {
        let e = closed_error(vm);
        vm.settle(&f, Outcome::Failure(e, None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CaptureOutput;

    fn vm() -> Vm {
        Vm::new(Box::new(CaptureOutput::new()))
    }

    fn new_channel(vm: &mut Vm, capacity: Option<i64>) -> Rc<Host> {
        let args: Vec<Value> = capacity.map(Value::Int).into_iter().collect();
        match construct(vm, &args) {
            Ok(Value::Host(h)) => h,
            _ => panic!("a channel"),
        }
    }

    fn int(f: &FutureObj) -> Option<i64> {
        match &*f.state.borrow() {
            crate::value::FutState::Success(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    #[test]
    fn a_cancelled_receive_loses_no_value() {
        let mut vm = vm();
        let h = new_channel(&mut vm, None);
        let ch = h.downcast::<Channel>().expect("a channel");
        let first = receive(&mut vm, ch, Receive::Value);
        let second = receive(&mut vm, ch, Receive::Value);
        vm.cancel_future(&first);
        send(&mut vm, ch, Value::Int(7));
        assert_eq!(int(&second), Some(7));
        assert_eq!(first.state_name(), "cancelled");
    }

    #[test]
    fn a_receive_nothing_refers_to_gets_nothing() {
        let mut vm = vm();
        let h = new_channel(&mut vm, None);
        let ch = h.downcast::<Channel>().expect("a channel");
        drop(receive(&mut vm, ch, Receive::Value));
        send(&mut vm, ch, Value::Int(1));
        assert_eq!(ch.state.borrow().buffer.len(), 1);
    }

    #[test]
    fn a_cancelled_send_does_not_deliver() {
        let mut vm = vm();
        let h = new_channel(&mut vm, Some(0));
        let ch = h.downcast::<Channel>().expect("a channel");
        let a = send(&mut vm, ch, Value::Int(1));
        let b = send(&mut vm, ch, Value::Int(2));
        vm.cancel_future(&a);
        assert!(matches!(take(&mut vm, ch), Some(Value::Int(2))));
        assert_eq!(b.state_name(), "success");
        assert!(take(&mut vm, ch).is_none());
    }

    #[test]
    fn a_full_channel_takes_waiting_senders_in_order() {
        let mut vm = vm();
        let h = new_channel(&mut vm, Some(1));
        let ch = h.downcast::<Channel>().expect("a channel");
        let sends: Vec<_> = (0..3).map(|i| send(&mut vm, ch, Value::Int(i))).collect();
        let states: Vec<_> = sends.iter().map(|f| f.state_name()).collect();
        assert_eq!(states, ["success", "pending", "pending"]);
        for i in 0..3 {
            assert!(matches!(take(&mut vm, ch), Some(Value::Int(n)) if n == i));
        }
        assert!(sends.iter().all(|f| f.state_name() == "success"));
    }

    #[test]
    fn the_queue_of_abandoned_receivers_stays_bounded() {
        let mut vm = vm();
        let h = new_channel(&mut vm, None);
        let ch = h.downcast::<Channel>().expect("a channel");
        for _ in 0..10_000 {
            let f = receive(&mut vm, ch, Receive::Value);
            vm.cancel_future(&f);
        }
        assert!(ch.state.borrow().receivers.len() < 100);
    }
}
