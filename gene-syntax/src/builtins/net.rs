//! TCP (`gene/net`): the functions, the `TcpServer` and `TcpConn` classes and their methods.

use super::{
    Builtin,
    BuiltinKind::{Class, Function, Method},
    FUTURE, Flags, NO_FLAGS, Param, entry, named, opt, req,
};

/// A method; `path` is `Receiver.name`.
const fn method(
    receiver: &'static str,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    entry(Method, name, path, Some(receiver), params, flags, doc)
}

pub(crate) static FUNCTIONS: &[Builtin] = &[
    entry(
        Function,
        "listen_async",
        "gene/net/listen_async",
        None,
        &[req("host"), req("port")],
        FUTURE,
        "A future of a `TcpServer` listening on host (a name or an address: `\"127.0.0.1\"`, `\"0.0.0.0\"`, `\"::1\"`) and port, an int from 0 to 65535; 0 lets the system pick a free port, which `.port` gives. Take connections with `.accept_async` or `(for await conn in server ...)`. An address in use or not allowed is an IOError naming it, thrown at `await`. Example: `(var server (await (gene/net/listen_async \"127.0.0.1\" 0)))`.",
    ),
    entry(
        Function,
        "connect_async",
        "gene/net/connect_async",
        None,
        &[req("host"), req("port"), named("timeout")],
        FUTURE,
        "A future of a `TcpConn` connected to host and port. `^timeout` limits the time to connect, in milliseconds. A refused or unreachable address is an IOError, and no connection within `^timeout` a TimeoutError, both naming the address and thrown at `await`; cancelling the future stops connecting. Example: `(var conn (await (gene/net/connect_async \"127.0.0.1\" 7000 ^timeout 1000)))`.",
    ),
];

pub(crate) static CLASSES: &[Builtin] = &[
    entry(
        Class,
        "TcpServer",
        "gene/TcpServer",
        None,
        &[],
        NO_FLAGS,
        "The class of listening TCP sockets (`gene/net/listen_async`). `(for await conn in server ...)` takes each connection as it comes, until the server is closed. One prints as `<TcpServer 127.0.0.1:7000>`.",
    ),
    entry(
        Class,
        "TcpConn",
        "gene/TcpConn",
        None,
        &[],
        NO_FLAGS,
        "The class of TCP connections (`gene/net/connect_async`, a `TcpServer`'s connections). Reads are served in the order they were issued, and so are writes. One prints as `<TcpConn 127.0.0.1:40312>` (the peer's address).",
    ),
];

pub(crate) static METHODS: &[Builtin] = &[
    method(
        "TcpServer",
        "port",
        "TcpServer.port",
        &[],
        NO_FLAGS,
        "The port the server listens on (the one the system picked when it was asked for port 0).",
    ),
    method(
        "TcpServer",
        "accept_async",
        "TcpServer.accept_async",
        &[],
        FUTURE,
        "A future of the next connection, a `TcpConn`. Once the server is closed (before or while waiting) the future fails with an IOError saying so; cancelling it loses no connection.",
    ),
    method(
        "TcpServer",
        "next",
        "TcpServer.next",
        &[],
        FUTURE,
        "The async-iteration step `for await` calls: a future of `{^value conn ^done false}` with the next connection, or `{^done true}` once the server is closed (before or while waiting). `(for await conn in server ...)` serves connections until the server closes.",
    ),
    method(
        "TcpServer",
        "close",
        "TcpServer.close",
        &[],
        NO_FLAGS,
        "Stops listening: waiting `.accept_async` calls fail with an IOError and `for await` loops over the server end. Connections already taken stay open. Closing twice does nothing. Gives nil.",
    ),
    method(
        "TcpConn",
        "read_async",
        "TcpConn.read_async",
        &[opt("max_bytes")],
        FUTURE,
        "A future of the next bytes that arrive, as `Bytes`: at most max_bytes (default 65536), at least one, or empty Bytes at the end of the stream (the peer closed its side). A reset connection is an IOError naming the peer, thrown at `await`; so is reading a closed connection. Cancelling the future loses no data: the next read gets it.",
    ),
    method(
        "TcpConn",
        "read_line_async",
        "TcpConn.read_line_async",
        &[],
        FUTURE,
        "A future of the next line, a string without its `\\n` (nor a `\\r` before it; bytes that are not UTF-8 become U+FFFD), or nil at the end of the stream (a last line without a line break is still a line). A line over 16 MiB is an IOError. Cancelling the future loses no data: what was read of the line comes with the next read.",
    ),
    method(
        "TcpConn",
        "write_async",
        "TcpConn.write_async",
        &[req("data")],
        FUTURE,
        "A future of nil once data (a string, sent as UTF-8, or `Bytes`) is handed to the system to send. Writes go out in the order they were issued. A connection the peer reset is an IOError naming it, thrown at `await`; so is writing to a closed connection. Cancelling the future stops the write where it is (part of the data may have been sent).",
    ),
    method(
        "TcpConn",
        "close",
        "TcpConn.close",
        &[],
        NO_FLAGS,
        "Closes the connection: a read in progress fails with an IOError, writes already issued are still sent, then the peer sees the end of the stream. Closing twice does nothing. Gives nil.",
    ),
    method(
        "TcpConn",
        "peer",
        "TcpConn.peer",
        &[],
        NO_FLAGS,
        "The address of the other end, `\"127.0.0.1:40312\"`.",
    ),
];
