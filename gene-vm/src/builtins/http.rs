//! `gene/http`: an HTTP client. `get_async` and `request_async` give a pending future at once
//! and run the request on the reactor's tokio runtime (reqwest over rustls); the response comes
//! back as plain data and becomes `{^status ^headers ^body ^url}`.
//!
//! The call checks the *types* of its arguments (a TypeError or ArgumentError at the call).
//! Everything about the request itself (a URL that does not parse, an unsupported scheme, an
//! invalid header, a refused connection, a timeout) is an `HttpError` thrown by `await`, its
//! message naming the method, the URL and the reason. A non-2xx status is a response, not an
//! error. Cancelling the future (`.cancel`, `gene/timeout`) aborts the request: its connection
//! is closed, not returned to the pool. (`await ^timeout` only stops waiting.)
//!
//! Decisions: header names are lower-case; a repeated response header is one string with its
//! values joined by ", " (RFC 9110 §5.3), except `set-cookie`, whose values cannot be joined
//! and which is always an array of strings. The body is a string decoded as UTF-8, invalid
//! sequences replaced by U+FFFD, so text always reads as text; `^binary true` gives it as
//! `Bytes`, byte for byte, instead. A request body may be a string or `Bytes`.

use std::time::Duration;

use super::{arg, str_arg};
use crate::intern::Sym;
use crate::reactor::{JobError, JobResult, JobValue};
use crate::value::{Map, NativeFn, Value, display};
use crate::vm::jobs::JobKind;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/http/get_async", |vm, args| {
        let url = str_arg(vm, args, 0, "gene/http/get_async's url")?.to_string();
        let mut spec = RequestSpec::new("GET".to_string(), url);
        if let Some(props) = vm.native_props.take() {
            spec.apply_options(
                vm,
                &props,
                "gene/http/get_async",
                &["headers", "timeout", "binary"],
            )?;
        }
        Ok(start(vm, spec))
    }),
    native!("gene/http/request_async", |vm, args| {
        let Value::Map(request) = arg(args, 0) else {
            return Err(vm.type_error(format!(
                "gene/http/request_async takes a map {{^method ^url ^headers ^body ^timeout ^binary}}, got {}",
                arg(args, 0).type_name()
            )));
        };
        let request = request.borrow().clone();
        let method = match request.get(&Sym::new("method")) {
            None | Some(Value::Nil) => "GET".to_string(),
            Some(Value::Str(s)) => normalize_method(s),
            Some(Value::Symbol(s)) => normalize_method(&s.name()),
            Some(other) => {
                return Err(vm.type_error(format!(
                    "the request's ^method must be a string, got {}",
                    other.type_name()
                )));
            }
        };
        let url = match request.get(&Sym::new("url")) {
            Some(Value::Str(s)) => s.to_string(),
            None | Some(Value::Nil) => {
                return Err(vm.error("ArgumentError", "the request map has no ^url"));
            }
            Some(other) => {
                return Err(vm.type_error(format!(
                    "the request's ^url must be a string, got {}",
                    other.type_name()
                )));
            }
        };
        let mut spec = RequestSpec::new(method, url);
        spec.apply_options(
            vm,
            &request,
            "the request map",
            &["method", "url", "headers", "body", "timeout", "binary"],
        )?;
        Ok(start(vm, spec))
    }),
];

/// Everything a request needs, as plain data that can move to the runtime's thread.
struct RequestSpec {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// The response body as Bytes rather than text.
    binary: bool,
    /// The whole exchange (connect, send, read the body), in milliseconds as given.
    timeout: Option<f64>,
}

impl RequestSpec {
    fn new(method: String, url: String) -> RequestSpec {
        RequestSpec {
            method,
            url,
            headers: Vec::new(),
            body: None,
            binary: false,
            timeout: None,
        }
    }

    /// Reads `^headers`, `^body`, `^timeout` and `^binary` from a map of options (`^method` and `^url`
    /// are read by the caller); any other key is an ArgumentError, so a typo is not ignored.
    fn apply_options(
        &mut self,
        vm: &Vm,
        options: &Map,
        what: &str,
        allowed: &[&str],
    ) -> Result<(), Exc> {
        for (key, value) in options {
            let key = key.name();
            if !allowed.contains(&&*key) {
                let allowed: Vec<String> = allowed.iter().map(|k| format!("^{k}")).collect();
                return Err(vm.error(
                    "ArgumentError",
                    format!(
                        "{what} has an unknown option ^{key} (known: {})",
                        allowed.join(" ")
                    ),
                ));
            }
            match &*key {
                "headers" => self.headers = headers_arg(vm, value)?,
                "body" => {
                    self.body = match value {
                        Value::Nil => None,
                        Value::Str(s) => Some(s.as_bytes().to_vec()),
                        Value::Bytes(b) => Some(b.to_vec()),
                        other => {
                            return Err(vm.type_error(format!(
                                "the request's ^body must be a string or bytes (gene/json/stringify turns data into a string), got {}",
                                other.type_name()
                            )));
                        }
                    }
                }
                "timeout" => self.timeout = timeout_arg(vm, value)?,
                "binary" => self.binary = value.truthy(),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Standard methods are upper-cased (`"post"` is `POST`, as in `fetch`); others are kept as
/// written, since extension methods are case-sensitive.
fn normalize_method(method: &str) -> String {
    const STANDARD: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
    match STANDARD.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        Some(m) => (*m).to_string(),
        None => method.to_string(),
    }
}

/// `^headers {^accept "text/plain" ^x-count 3}`: names from the keys, values strings or
/// numbers. Whether a name or value is valid HTTP is the request's business (an HttpError).
fn headers_arg(vm: &Vm, value: &Value) -> Result<Vec<(String, String)>, Exc> {
    let map = match value {
        Value::Nil => return Ok(Vec::new()),
        Value::Map(m) => m,
        other => {
            return Err(vm.type_error(format!(
                "^headers must be a map of names to strings, got {}",
                other.type_name()
            )));
        }
    };
    let map = map.borrow();
    let mut headers = Vec::with_capacity(map.len());
    for (name, v) in map.iter() {
        let text = match v {
            Value::Str(s) => s.to_string(),
            Value::Int(_) | Value::Float(_) => display(v),
            other => {
                return Err(vm.type_error(format!(
                    "the value of header {} must be a string or a number, got {}",
                    name.name(),
                    other.type_name()
                )));
            }
        };
        headers.push((name.name().to_string(), text));
    }
    Ok(headers)
}

fn timeout_arg(vm: &Vm, value: &Value) -> Result<Option<f64>, Exc> {
    let ms = match value {
        Value::Nil => return Ok(None),
        Value::Int(n) => *n as f64,
        Value::Float(f) => *f,
        other => {
            return Err(vm.type_error(format!(
                "^timeout must be a number of milliseconds, got {}",
                other.type_name()
            )));
        }
    };
    if !(ms > 0.0 && ms.is_finite()) {
        return Err(vm.error(
            "ArgumentError",
            format!(
                "^timeout must be a positive number of milliseconds, got {}",
                display(value)
            ),
        ));
    }
    Ok(Some(ms))
}

/// Starts the request on the reactor and gives its future.
fn start(vm: &mut Vm, spec: RequestSpec) -> Value {
    let label = format!("gene/http {} {:?}", spec.method, spec.url);
    let job = match client(vm) {
        Ok(client) => Box::pin(perform(client, spec)) as crate::reactor::AsyncJob,
        Err(message) => {
            let message = format!("{} {}: {message}", spec.method, spec.url);
            Box::pin(async move { Err(JobError::new("HttpError", message)) })
        }
    };
    let future = vm.start_job(JobKind::Async(job));
    vm.label_job(&future, label);
    future
}

/// The VM's client (`services/http.rs`: one connection pool per VM, closed with it).
fn client(vm: &mut Vm) -> Result<reqwest::Client, String> {
    vm.services
        .http
        .client()
        .map_err(|e| format!("cannot create the HTTP client: {}", root_cause(&e)))
}

/// The request itself, on the runtime's thread. Dropping this future (an abort) drops the
/// connection it was using.
async fn perform(client: reqwest::Client, spec: RequestSpec) -> JobResult {
    let fail = |reason: String| {
        JobError::new(
            "HttpError",
            format!("{} {}: {reason}", spec.method, spec.url),
        )
    };
    let method = reqwest::Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| fail(format!("invalid method {:?}", spec.method)))?;
    let url = reqwest::Url::parse(&spec.url).map_err(|e| fail(format!("invalid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(format!(
            "unsupported URL scheme '{}' (http and https are)",
            url.scheme()
        )));
    }
    let mut headers = reqwest::header::HeaderMap::with_capacity(spec.headers.len());
    for (name, value) in &spec.headers {
        let header = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| fail(format!("invalid header name {name:?}")))?;
        let value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| fail(format!("invalid value for header {name}: {value:?}")))?;
        headers.append(header, value);
    }
    let mut request = client.request(method, url).headers(headers);
    if let Some(body) = spec.body.clone() {
        request = request.body(body);
    }
    if let Some(ms) = spec.timeout {
        // `timeout_arg` checked ms is positive and finite; a huge one means no limit.
        if let Ok(limit) = Duration::try_from_secs_f64(ms / 1000.0) {
            request = request.timeout(limit);
        }
    }
    let describe = |e: reqwest::Error| fail(reason(&e, spec.timeout));
    let response = request.send().await.map_err(describe)?;
    let status = response.status().as_u16();
    let final_url = response.url().to_string();
    let headers = response_headers(response.headers());
    let body = response.bytes().await.map_err(describe)?;
    let body = if spec.binary {
        JobValue::Bytes(body.to_vec())
    } else {
        JobValue::Str(String::from_utf8_lossy(&body).into_owned())
    };
    Ok(JobValue::Map(vec![
        ("status".into(), JobValue::Int(i64::from(status))),
        ("headers".into(), headers),
        ("body".into(), body),
        ("url".into(), JobValue::Str(final_url)),
    ]))
}

/// Response headers as a map: lower-case names in order of first appearance; repeated values
/// joined by ", ", `set-cookie` always an array.
fn response_headers(headers: &reqwest::header::HeaderMap) -> JobValue {
    let mut entries: Vec<(String, JobValue)> = Vec::with_capacity(headers.keys_len());
    for name in headers.keys() {
        let values = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let value = if name == reqwest::header::SET_COOKIE {
            JobValue::Array(values.map(JobValue::Str).collect())
        } else {
            JobValue::Str(values.collect::<Vec<_>>().join(", "))
        };
        entries.push((name.as_str().to_string(), value));
    }
    JobValue::Map(entries)
}

/// Why a request failed, in words: the kind of failure and the innermost cause (the OS's
/// "Connection refused", rustls's certificate complaint...), not reqwest's wrapper text.
fn reason(e: &reqwest::Error, timeout: Option<f64>) -> String {
    if e.is_timeout() {
        return match timeout {
            Some(ms) => format!("timed out after {} ms", format_ms(ms)),
            None => format!("timed out ({})", root_cause(e)),
        };
    }
    let cause = root_cause(e);
    if e.is_connect() {
        format!("cannot connect ({cause})")
    } else if e.is_redirect() {
        format!("redirects failed ({cause})")
    } else if e.is_body() || e.is_decode() {
        format!("reading the response failed ({cause})")
    } else {
        cause
    }
}

/// `100` rather than `100.0`; fractions as given.
fn format_ms(ms: f64) -> String {
    if ms.fract() == 0.0 && ms.abs() < 1e15 {
        format!("{}", ms as i64)
    } else {
        format!("{ms}")
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
