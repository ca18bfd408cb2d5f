//! `gene/net`: TCP. `(gene/net/listen_async host port)` gives a `TcpServer`, whose
//! `.accept_async` (or a `for await` over it) gives each connection as a `TcpConn`;
//! `(gene/net/connect_async host port ^timeout ms)` gives a `TcpConn` too. A connection's
//! reads and writes each give a future at once and run on the reactor's runtime, reads in the
//! order issued and writes in the order issued (`net_io.rs`).
//!
//! Errors: wrong argument types are TypeErrors (ArgumentErrors for a port out of range) at the
//! call; what the network says (refused, reset, a closed connection or server) is an IOError
//! thrown by `await`, and a connection that does not come in time a TimeoutError; their
//! messages name the address.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

use super::net_io::{Command, ConnParts, Delivery, ReadKind, closed_error, spawn_conn};
use super::{arg, int_arg, str_arg};
use crate::reactor::{JobError, JobReporter, JobResult, JobValue};
use crate::value::{Host, HostObject, NativeFn, Value};
use crate::vm::jobs::{Finish, JobKind, OnCancel};
use crate::vm::{Exc, Vm, fmt_ms, step_map};

/// What `.read_async` gives at most when no limit is given.
const DEFAULT_READ: i64 = 64 * 1024;

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/net/listen_async", |vm, args| {
        let (host, port) = host_and_port(vm, args, "gene/net/listen_async")?;
        Ok(listen(vm, host, port))
    }),
    native!("gene/net/connect_async", |vm, args| {
        let (host, port) = host_and_port(vm, args, "gene/net/connect_async")?;
        let mut timeout = None;
        if let Some(props) = vm.native_props.take() {
            for (key, value) in &props {
                match &*key.name() {
                    "timeout" if matches!(value, Value::Nil) => {}
                    "timeout" => {
                        timeout = Some(vm.duration_ms(value, "gene/net/connect_async's ^timeout")?)
                    }
                    other => {
                        return Err(vm.error(
                            "ArgumentError",
                            format!(
                                "gene/net/connect_async has no option ^{other} (known: ^timeout)"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(connect(vm, host, port, timeout))
    }),
    native!("TcpServer.port", |vm, args| {
        let server = server(vm, args, ".port")?;
        Ok(Value::Int(i64::from(server.port)))
    }),
    native!("TcpServer.accept_async", |vm, args| {
        let host = receiver::<TcpServer>(vm, args, ".accept_async", "TcpServer")?;
        Ok(accept(vm, &host, false))
    }),
    native!("TcpServer.next", |vm, args| {
        let host = receiver::<TcpServer>(vm, args, ".next", "TcpServer")?;
        Ok(accept(vm, &host, true))
    }),
    native!("TcpServer.close", |vm, args| {
        let server = server(vm, args, ".close")?;
        server.close();
        Ok(Value::Nil)
    }),
    native!("TcpConn.read_async", |vm, args| {
        let conn = conn(vm, args, ".read_async")?;
        let max = match arg(args, 1) {
            Value::Nil => DEFAULT_READ,
            _ => int_arg(vm, args, 1, "TcpConn.read_async's max_bytes")?,
        };
        if max < 1 {
            return Err(vm.error(
                "ArgumentError",
                format!("TcpConn.read_async's max_bytes must be at least 1, got {max}"),
            ));
        }
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        Ok(conn.read(vm, ReadKind::Bytes(max)))
    }),
    native!("TcpConn.read_line_async", |vm, args| {
        let conn = conn(vm, args, ".read_line_async")?;
        Ok(conn.read(vm, ReadKind::Line))
    }),
    native!("TcpConn.write_async", |vm, args| {
        let conn = conn(vm, args, ".write_async")?;
        let data = match arg(args, 1) {
            Value::Str(s) => s.as_bytes().to_vec(),
            Value::Bytes(b) => b.to_vec(),
            other => {
                return Err(vm.type_error(format!(
                    "TcpConn.write_async takes a string or bytes, got {}",
                    other.type_name()
                )));
            }
        };
        Ok(conn.write(vm, data))
    }),
    native!("TcpConn.close", |vm, args| {
        let conn = conn(vm, args, ".close")?;
        conn.close();
        Ok(Value::Nil)
    }),
    native!("TcpConn.peer", |vm, args| {
        let conn = conn(vm, args, ".peer")?;
        Ok(Value::str(conn.peer.as_str()))
    }),
];

/// `host port` arguments: a string and an int from 0 to 65535.
pub(super) fn host_and_port(vm: &Vm, args: &[Value], what: &str) -> Result<(String, u16), Exc> {
    let host = str_arg(vm, args, 0, &format!("{what}'s host"))?.to_string();
    let port = int_arg(vm, args, 1, &format!("{what}'s port"))?;
    let port = u16::try_from(port).map_err(|_| {
        vm.error(
            "ArgumentError",
            format!("{what}'s port must be from 0 to 65535, got {port}"),
        )
    })?;
    Ok((host, port))
}

/// `host:port` as an address is written (`[::1]:80` for an IPv6 host).
pub(super) fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn receiver<T: HostObject>(
    vm: &Vm,
    args: &[Value],
    what: &str,
    class: &str,
) -> Result<Rc<Host>, Exc> {
    match args.first() {
        Some(Value::Host(h)) if h.downcast::<T>().is_some() => Ok(h.clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a {class}, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

fn server<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a TcpServer, Exc> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<TcpServer>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a TcpServer, got {}",
            args.first().map_or("nothing".to_string(), Value::type_name)
        ))
    })
}

fn conn<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a TcpConn, Exc> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<TcpConn>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a TcpConn, got {}",
            args.first().map_or("nothing".to_string(), Value::type_name)
        ))
    })
}

// ---- servers ------------------------------------------------------------------------------

/// A listening socket as Gene code holds it.
struct TcpServer {
    address: String,
    port: u16,
    /// None once closed. Accepts in progress hold the listener too; the socket closes when
    /// the last of them has seen the close.
    listener: RefCell<Option<Arc<TcpListener>>>,
    closed: watch::Sender<bool>,
}

impl TcpServer {
    fn close(&self) {
        self.closed.send_replace(true);
        self.listener.borrow_mut().take();
    }
}

impl HostObject for TcpServer {
    fn type_name(&self) -> &'static str {
        "TcpServer"
    }

    fn describe(&self) -> String {
        if self.listener.borrow().is_some() {
            format!("<TcpServer {}>", self.address)
        } else {
            format!("<TcpServer {} closed>", self.address)
        }
    }
}

impl Drop for TcpServer {
    fn drop(&mut self) {
        self.closed.send_replace(true);
    }
}

fn listen(vm: &mut Vm, host: String, port: u16) -> Value {
    let job = async move {
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
    let finish: Finish = Box::new(|vm, value| {
        let JobValue::Host(any) = value else {
            return Err(internal(vm));
        };
        let Ok(listener) = any.downcast::<TcpListener>() else {
            return Err(internal(vm));
        };
        let (address, port) = match listener.local_addr() {
            Ok(a) => (a.to_string(), a.port()),
            Err(e) => {
                return Err(vm.make_error_value("IOError", format!("cannot listen: {e}")));
            }
        };
        let (closed, _) = watch::channel(false);
        Ok(Value::Host(Host::new(TcpServer {
            address,
            port,
            listener: RefCell::new(Some(Arc::new(*listener))),
            closed,
        })))
    });
    vm.start_job_with(JobKind::Async(Box::pin(job)), finish, None)
}

/// The next connection: `.accept_async`'s future of a TcpConn (an IOError once the server is
/// closed), or with `step` a `for await` step (`{^done true}` once the server is closed).
fn accept(vm: &mut Vm, host: &Rc<Host>, step: bool) -> Value {
    let Some(server) = host.downcast::<TcpServer>() else {
        return vm.start_job(JobKind::Async(Box::pin(async {
            Err(JobError::new("TypeError", "not a TcpServer"))
        })));
    };
    let listener = server.listener.borrow().clone();
    let mut closed = server.closed.subscribe();
    let address = server.address.clone();
    let job = async move {
        let Some(listener) = listener else {
            return Ok(JobValue::Nil);
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted.map_err(|e| {
                    JobError::new("IOError", format!("accepting on {address}: {e}"))
                })?;
                conn_parts(stream)
            }
            _ = closed.wait_for(|closed| *closed) => Ok(JobValue::Nil),
        }
    };
    let address = server.address.clone();
    let finish: Finish = Box::new(move |vm, value| {
        let conn = match value {
            JobValue::Nil if step => return Ok(step_map(None)),
            JobValue::Nil => {
                return Err(
                    vm.make_error_value("IOError", format!("the server on {address} is closed"))
                );
            }
            other => conn_value(vm, other)?,
        };
        Ok(if step { step_map(Some(conn)) } else { conn })
    });
    vm.start_job_with(JobKind::Async(Box::pin(job)), finish, None)
}

// ---- connections --------------------------------------------------------------------------

fn connect(vm: &mut Vm, host: String, port: u16, timeout_ms: Option<f64>) -> Value {
    let job = async move {
        let addr = address(&host, port);
        let connecting = TcpStream::connect((host.as_str(), port));
        let connected = match timeout_ms {
            None => connecting.await,
            Some(ms) => {
                let limit = std::time::Duration::try_from_secs_f64(ms / 1000.0)
                    .unwrap_or(std::time::Duration::MAX);
                match tokio::time::timeout(limit, connecting).await {
                    Ok(connected) => connected,
                    Err(_) => {
                        return Err(JobError::new(
                            "TimeoutError",
                            format!("connecting to {addr} timed out after {} ms", fmt_ms(ms)),
                        ));
                    }
                }
            }
        };
        let stream = connected
            .map_err(|e| JobError::new("IOError", format!("cannot connect to {addr}: {e}")))?;
        conn_parts(stream)
    };
    let finish: Finish = Box::new(conn_value);
    vm.start_job_with(JobKind::Async(Box::pin(job)), finish, None)
}

/// On the runtime: a connected stream's reader and writer tasks, for the VM.
fn conn_parts(stream: TcpStream) -> JobResult {
    let parts = spawn_conn(stream)
        .map_err(|e| JobError::new("IOError", format!("setting up a connection: {e}")))?;
    Ok(JobValue::Host(Box::new(parts)))
}

/// On the VM's thread: the connection value.
fn conn_value(vm: &mut Vm, value: JobValue) -> Result<Value, Value> {
    let JobValue::Host(any) = value else {
        return Err(internal(vm));
    };
    let Ok(parts) = any.downcast::<ConnParts>() else {
        return Err(internal(vm));
    };
    let ConnParts {
        peer,
        reads,
        writes,
        closed,
    } = *parts;
    Ok(Value::Host(Host::new(TcpConn {
        peer,
        io: RefCell::new(Some(ConnIo {
            reads,
            writes,
            closed,
        })),
    })))
}

fn internal(vm: &Vm) -> Value {
    vm.make_error_value(
        "Exception",
        "internal error: a network operation gave an unexpected result",
    )
}

/// A connection as Gene code holds it.
struct TcpConn {
    peer: String,
    /// None once closed.
    io: RefCell<Option<ConnIo>>,
}

struct ConnIo {
    reads: tokio::sync::mpsc::UnboundedSender<Command<ReadKind>>,
    writes: tokio::sync::mpsc::UnboundedSender<Command<Vec<u8>>>,
    closed: watch::Sender<bool>,
}

impl TcpConn {
    /// A read's future. Its bytes leave the connection only when the program gets them: a read
    /// nobody wants any more gives them back (see `net_io.rs`).
    fn read(&self, vm: &mut Vm, kind: ReadKind) -> Value {
        let sender = self.io.borrow().as_ref().map(|io| io.reads.clone());
        let (start, on_cancel) = self.command(sender, kind);
        let finish: Finish = Box::new(|vm, value| {
            let value = match value {
                JobValue::Host(any) => match any.downcast::<Delivery>() {
                    Ok(delivery) => {
                        let Delivery { value, ack } = *delivery;
                        let _ = ack.send(());
                        value
                    }
                    Err(_) => return Err(internal(vm)),
                },
                other => other,
            };
            Ok(vm.job_value(value))
        });
        vm.start_job_returnable(JobKind::External(start), finish, Some(on_cancel))
    }

    fn write(&self, vm: &mut Vm, data: Vec<u8>) -> Value {
        let sender = self.io.borrow().as_ref().map(|io| io.writes.clone());
        let (start, on_cancel) = self.command(sender, data);
        vm.start_job_with(
            JobKind::External(start),
            Box::new(|vm, v| Ok(vm.job_value(v))),
            Some(on_cancel),
        )
    }

    /// A command for the connection's reader or writer, handed over when the job starts (a
    /// closed connection reports an IOError at once), and its cancel hook, which tells the task
    /// to drop it.
    fn command<T: 'static>(
        &self,
        sender: Option<tokio::sync::mpsc::UnboundedSender<Command<T>>>,
        what: T,
    ) -> (Box<dyn FnOnce(crate::reactor::OpId, JobReporter)>, OnCancel) {
        let peer = self.peer.clone();
        let (cancel, cancelled) = oneshot::channel();
        let start = Box::new(move |id, reporter: JobReporter| {
            let command = Command {
                id,
                reporter: reporter.clone(),
                what,
                cancelled,
            };
            if sender.is_none_or(|s| s.send(command).is_err()) {
                reporter.report(id, Err(closed_error(&peer)));
            }
        });
        let on_cancel = Box::new(move || {
            let _ = cancel.send(());
        });
        (start, on_cancel)
    }

    /// Stops the read in progress; the writes issued finish, then the connection is shut
    /// down. Closing twice does nothing.
    fn close(&self) {
        if let Some(io) = self.io.borrow_mut().take() {
            io.closed.send_replace(true);
        }
    }
}

impl HostObject for TcpConn {
    fn type_name(&self) -> &'static str {
        "TcpConn"
    }

    fn describe(&self) -> String {
        if self.io.borrow().is_some() {
            format!("<TcpConn {}>", self.peer)
        } else {
            format!("<TcpConn {} closed>", self.peer)
        }
    }
}

impl Drop for TcpConn {
    fn drop(&mut self) {
        self.close();
    }
}
