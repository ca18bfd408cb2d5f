//! `gene/http/serve_async`: an HTTP/1.1 server on hyper (`http_serve_io.rs` runs it on the
//! reactor's runtime as a stream). Each request arrives on the VM's thread as an event and runs
//! as a task of its own: a small Gene function calls the handler with the request map, awaits
//! what it gives when that is a future, and hands the result to [`REPLY`], which turns it into
//! the response (`http_exchange.rs`) and sends it back; a failure goes to [`FAIL`]: a 500 naming
//! the error's class, and the trace on stderr. The server keeps serving either way.
//!
//! `.close_async` stops accepting, lets the requests in flight finish, and settles its future
//! when the last connection is closed. A running server keeps the program alive, as a listening
//! socket does in node.

use std::cell::RefCell;
use std::rc::Rc;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use super::gene_fn::GeneFn;
use super::http_exchange::{error_response, request_map, response_of};
use super::http_serve_io::{HttpResponse, Incoming, serve};
use super::net::{address, host_and_port};
use super::{arg, str_arg};
use crate::reactor::{JobError, JobResult, JobValue};
use crate::value::{Closure, FutureObj, Host, HostObject, NativeFn, NativeImpl, Value};
use crate::vm::futures::Outcome;
use crate::vm::jobs::{Finish, JobKind, OnEnd, OnEvent};
use crate::vm::{Exc, Trace, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/http/serve_async", serve_async),
    native!("gene/http/json", |vm, args| {
        super::http_exchange::json_response(vm, arg(args, 0), arg(args, 1))
    }),
    native!("HttpServer.port", |vm, args| {
        let server = server(vm, args, ".port")?;
        Ok(Value::Int(i64::from(server.port)))
    }),
    native!("HttpServer.url", |vm, args| {
        let server = server(vm, args, ".url")?;
        Ok(Value::str(server.url.as_str()))
    }),
    native!("HttpServer.close_async", |vm, args| {
        let server = server(vm, args, ".close_async")?;
        Ok(server.state.close(vm))
    }),
];

fn server<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a HttpServer, Exc> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<HttpServer>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs an HttpServer, got {}",
            args.first().map_or("nothing".to_string(), Value::type_name)
        ))
    })
}

/// `(gene/http/serve_async handler ^host "127.0.0.1" ^port 0)`.
fn serve_async(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let handler = arg(args, 0).clone();
    if !matches!(handler, Value::Func(_) | Value::Native(_)) {
        return Err(vm.type_error(format!(
            "gene/http/serve_async's handler must be a function, got {}",
            handler.type_name()
        )));
    }
    let mut options = [Value::str("127.0.0.1"), Value::Int(0)];
    if let Some(props) = vm.native_props.take() {
        for (key, value) in &props {
            match &*key.name() {
                "host" => options[0] = value.clone(),
                "port" => options[1] = value.clone(),
                other => {
                    return Err(vm.error(
                        "ArgumentError",
                        format!(
                            "gene/http/serve_async has an unknown option ^{other} (known: ^host ^port)"
                        ),
                    ));
                }
            }
        }
    }
    // ^host and ^port are checked as gene/net/listen_async's arguments are.
    str_arg(vm, &options, 0, "gene/http/serve_async's ^host")?;
    let (host, port) = host_and_port(vm, &options, "gene/http/serve_async")?;
    let entry = ENTRY.closure(vm)?;
    let bind = async move {
        let listener = TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|e| {
                JobError::new(
                    "IOError",
                    format!("cannot listen on {}: {e}", address(&host, port)),
                )
            })?;
        Ok(JobValue::Host(Box::new(listener)))
    };
    let finish: Finish = Box::new(move |vm, value| {
        let listener = match value {
            JobValue::Host(any) => any.downcast::<TcpListener>().ok(),
            _ => None,
        };
        let Some(listener) = listener else {
            return Err(vm.make_error_value(
                "Exception",
                "internal error: the server's socket went missing",
            ));
        };
        start(vm, *listener, handler, entry)
    });
    Ok(vm.start_job_with(JobKind::Async(Box::pin(bind)), finish, None))
}

/// The bound socket starts serving: the server value.
fn start(
    vm: &mut Vm,
    listener: TcpListener,
    handler: Value,
    entry: Rc<Closure>,
) -> Result<Value, Value> {
    let local = listener
        .local_addr()
        .map_err(|e| vm.make_error_value("IOError", format!("cannot listen: {e}")))?;
    let url = format!("http://{local}");
    let (stop, stop_rx) = watch::channel(false);
    let state = Rc::new(ServerState {
        url: url.clone(),
        handler: RefCell::new(handler),
        entry,
        stop,
        running: RefCell::new(true),
        closed: RefCell::new(None),
    });
    let on_event: OnEvent = {
        let state = state.clone();
        Rc::new(move |vm, payload| {
            if let Ok(incoming) = payload.downcast::<Incoming>() {
                state.request(vm, *incoming);
            }
        })
    };
    let on_end: OnEnd = {
        let state = state.clone();
        Box::new(move |vm, result| state.ended(vm, result))
    };
    vm.start_stream(
        move |id, reporter| Box::pin(serve(listener, id, reporter, stop_rx)),
        on_event,
        on_end,
    );
    Ok(Value::Host(Host::new(HttpServer {
        port: local.port(),
        url,
        state,
    })))
}

/// A server as Gene code holds it.
struct HttpServer {
    port: u16,
    url: String,
    state: Rc<ServerState>,
}

impl HostObject for HttpServer {
    fn type_name(&self) -> &'static str {
        "HttpServer"
    }

    fn describe(&self) -> String {
        if *self.state.running.borrow() {
            format!("<HttpServer {}>", self.url)
        } else {
            format!("<HttpServer {} closed>", self.url)
        }
    }
}

/// What the server's stream handlers and its Gene value share, on the VM's thread.
struct ServerState {
    url: String,
    /// Nil once the server has stopped (a handler that refers to its server would otherwise
    /// keep both alive for ever).
    handler: RefCell<Value>,
    /// The function each request's task runs (see [`ENTRY`]).
    entry: Rc<Closure>,
    stop: watch::Sender<bool>,
    /// False once the stream has ended (or was stopped).
    running: RefCell<bool>,
    /// `.close_async`'s future, once asked for.
    closed: RefCell<Option<Rc<FutureObj>>>,
}

impl ServerState {
    /// A request came: its task starts (before the running task goes on).
    fn request(&self, vm: &mut Vm, incoming: Incoming) {
        let Incoming {
            method,
            path,
            query,
            headers,
            body,
            reply,
        } = incoming;
        let exchange = Exchange {
            method: method.clone(),
            path: path.clone(),
            url: self.url.clone(),
            reply: RefCell::new(Some(reply)),
        };
        let request = request_map(method, &path, query.as_deref(), headers, body);
        let stack = vec![
            Value::Func(self.entry.clone()),
            self.handler.borrow().clone(),
            request,
            Value::Host(Host::new(exchange)),
            Value::Native(&REPLY),
            Value::Native(&FAIL),
        ];
        let future = FutureObj::new(None);
        // The task's own future settles with nil whatever the handler does: nobody needs it.
        future.observed.set(true);
        vm.start_task(self.entry.clone(), stack, 5, None, Value::Nil, None, future);
    }

    /// `.close_async`: stop accepting; a future settled once every connection is done (the
    /// same future each time, unless it was cancelled: a timeout on one close does not spoil
    /// the next).
    fn close(&self, vm: &mut Vm) -> Value {
        if let Some(f) = self.closed.borrow().as_ref()
            && !matches!(Outcome::of(f), Some(Outcome::Cancelled))
        {
            return Value::Future(Rc::clone(f));
        }
        let future = FutureObj::new(vm.origin_here());
        if !*self.running.borrow() {
            vm.settle(&future, Outcome::Success(Value::Nil));
        }
        *self.closed.borrow_mut() = Some(future.clone());
        self.stop.send_replace(true);
        Value::Future(future)
    }

    /// The stream ended (the server shut down) or was stopped (the program is being torn
    /// down): settle `.close_async`'s future.
    fn ended(&self, vm: &mut Vm, result: Option<JobResult>) {
        *self.running.borrow_mut() = false;
        self.handler.replace(Value::Nil);
        let Some(future) = self.closed.borrow().clone() else {
            return;
        };
        let outcome = match result {
            Some(Err(JobError { class, message })) => {
                Outcome::Failure(vm.make_error_value(class, message), None)
            }
            _ => Outcome::Success(Value::Nil),
        };
        vm.settle(&future, outcome);
    }
}

impl Drop for ServerState {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// One request's way back: its response channel (taken by the first reply).
struct Exchange {
    method: String,
    path: String,
    url: String,
    reply: RefCell<Option<oneshot::Sender<HttpResponse>>>,
}

impl Exchange {
    fn send(&self, response: HttpResponse) {
        let sender = self.reply.borrow_mut().take();
        if let Some(sender) = sender {
            // A client that went away does not take its response.
            let _ = sender.send(response);
        }
    }
}

impl HostObject for Exchange {
    fn type_name(&self) -> &'static str {
        "HttpExchange"
    }

    fn describe(&self) -> String {
        format!("<HttpExchange {} {}>", self.method, self.path)
    }
}

fn exchange_arg(args: &[Value]) -> Option<&Exchange> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<Exchange>(),
        _ => None,
    }
}

/// `(reply exchange response)`: what the handler gave becomes the response. A value that is
/// not a response throws (and the entry's `catch` turns that into a 500).
static REPLY: NativeFn = NativeFn {
    name: "http reply",
    imp: NativeImpl::Simple(|vm, args| {
        let Some(exchange) = exchange_arg(args) else {
            return Err(vm.type_error("internal error: a reply without its exchange"));
        };
        let response = response_of(vm, arg(args, 1))?;
        exchange.send(response);
        Ok(Value::Nil)
    }),
};

/// `(fail exchange error)`: a 500 naming the error's class; the trace goes to stderr.
static FAIL: NativeFn = NativeFn {
    name: "http fail",
    imp: NativeImpl::Simple(|vm, args| {
        let Some(exchange) = exchange_arg(args) else {
            return Err(vm.type_error("internal error: a failure without its exchange"));
        };
        let error = arg(args, 1).clone();
        let mut exc = Exc::new(error.clone());
        if let Value::Instance(i) = &error {
            exc.trace = i.trace.borrow().as_deref().and_then(user_frames);
        }
        exc.note = Some(
            format!(
                "in the handler of {} {} on {}; the client got a 500",
                exchange.method, exchange.path, exchange.url
            )
            .into_boxed_str(),
        );
        let report = crate::report::render_uncaught(vm, &exc);
        vm.services.out.err(&report);
        exchange.send(error_response(vm, &error));
        Ok(Value::Nil)
    }),
};

/// A trace without the frames of [`ENTRY`], which say nothing to the reader (a response the
/// handler gave that is not one fails there: the message says what was wrong). None when no
/// frame is left.
fn user_frames(trace: &Trace) -> Option<Rc<Trace>> {
    let entries: Vec<_> = trace
        .entries
        .iter()
        .filter(|e| e.source.path != ENTRY_NAME)
        .map(|e| e.clone_entry())
        .collect();
    (!entries.is_empty()).then(|| {
        Rc::new(Trace {
            entries,
            omitted: trace.omitted,
        })
    })
}

/// The name [`ENTRY`]'s frames show in traces.
const ENTRY_NAME: &str = "<http server>";

/// The function each request's task runs: call the handler, await a future it gives, reply;
/// whatever fails on the way is answered with a 500.
static ENTRY: GeneFn = GeneFn::new(
    ENTRY_NAME,
    r#"
(fn ^^async handle_request [handler request exchange reply fail]
  (try
    (var response (handler request))
    (if (response .is_a Future) (response = (await response)))
    (reply exchange response)
  catch *
    (fail exchange $ex)))
"#,
);
