//! The HTTP server (`gene/http/serve_async`, `gene/http/json`), the `HttpServer` class and its
//! methods.

use super::{
    Builtin,
    BuiltinKind::{Class, Function, Method},
    FUTURE, Flags, NO_FLAGS, entry, named, opt, req,
};

const fn method(
    name: &'static str,
    path: &'static str,
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    entry(Method, name, path, Some("HttpServer"), &[], flags, doc)
}

pub(crate) static FUNCTIONS: &[Builtin] = &[
    entry(
        Function,
        "serve_async",
        "gene/http/serve_async",
        None,
        &[req("handler"), named("host"), named("port")],
        FUTURE,
        "A future of an `HttpServer` serving HTTP/1.1 on `^host` (default `\"127.0.0.1\"`) and `^port` (default 0: a free port, which `.port` and `.url` give). handler (usually `^^async`) is called once per request, each in a task of its own, with a map `{^method \"GET\" ^path \"/a b\" ^query {^k \"v\"} ^headers {^host \"...\"} ^body \"...\"}`: the path percent-decoded, the query decoded as a form (the first value of a repeated name), header names lower-case (a repeated header's values joined by \", \"), the body a string, or Bytes when it is not UTF-8 (bodies over 16 MiB get 413 without calling handler). It gives (or its future gives) a string (200, `text/plain; charset=utf-8`), a map `{^status 201 ^headers {...} ^body ...}` (a string or Bytes body; a header's value may be an array for a repeated header), or `(gene/http/json value [status])`. A handler that throws, or gives anything else, gets the client a 500 whose body names the error's class, and its trace goes to stderr; the server goes on serving. A running server keeps the program alive until `.close_async`. An address in use is an IOError at `await`. Example: `(var server (await (gene/http/serve_async (fnx ^^async [req] \"hello\"))))`.",
    ),
    entry(
        Function,
        "json",
        "gene/http/json",
        None,
        &[req("value"), opt("status")],
        NO_FLAGS,
        "The response map a server's handler gives to send value as JSON: `{^status status ^headers {^content-type \"application/json\"} ^body text}`, the text written as `gene/json/stringify` writes it; status defaults to 200. Data JSON cannot hold is a JsonError.",
    ),
];

pub(crate) static CLASSES: &[Builtin] = &[entry(
    Class,
    "HttpServer",
    "gene/HttpServer",
    None,
    &[],
    NO_FLAGS,
    "The class of running HTTP servers (`gene/http/serve_async`). One prints as `<HttpServer http://127.0.0.1:8080>`.",
)];

pub(crate) static METHODS: &[Builtin] = &[
    method(
        "port",
        "HttpServer.port",
        NO_FLAGS,
        "The port the server listens on.",
    ),
    method(
        "url",
        "HttpServer.url",
        NO_FLAGS,
        "The server's base URL, `\"http://127.0.0.1:8080\"`.",
    ),
    method(
        "close_async",
        "HttpServer.close_async",
        FUTURE,
        "Stops accepting connections at once and gives a future of nil settled when the requests in flight have had their responses and every connection is closed (idle keep-alive connections are closed at once). Calling it again gives the same future.",
    ),
];
