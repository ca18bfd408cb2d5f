//! What an HTTP server's handler sees and gives: the request as a Gene map, and the handler's
//! value (a string, a map `{^status ^headers ^body}`, `gene/http/json`'s map) as a hyper
//! response.
//!
//! Decisions: `^path` is percent-decoded when that gives UTF-8 (as sent otherwise); `^query`
//! maps each name to its value, decoded as a form (`+` is a space), the first value of a
//! repeated name winning; header names are lower-case and a repeated header's values are joined
//! by ", " (as the client does). `^body` is a string, or `Bytes` when it is not UTF-8. A map
//! response may hold only `^status`, `^headers` and `^body`, so data returned by mistake is an
//! error rather than an empty 200.

use std::borrow::Cow;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

use super::http_serve_io::{HttpResponse, plain};
use crate::intern::Sym;
use crate::value::{Map, Value, display};
use crate::vm::{Exc, Vm};

const TEXT: &str = "text/plain; charset=utf-8";
const BINARY: &str = "application/octet-stream";
const JSON: &str = "application/json";

/// `{^method ^path ^query ^headers ^body}`.
pub(super) fn request_map(
    method: String,
    path: &str,
    query: Option<&str>,
    headers: Vec<(String, String)>,
    body: Bytes,
) -> Value {
    let mut query_map = Map::default();
    for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        query_map
            .entry(Sym::new(&name))
            .or_insert_with(|| Value::str(value.into_owned()));
    }
    let mut header_map = Map::default();
    for (name, value) in headers {
        header_map.insert(Sym::new(&name), Value::str(value));
    }
    let path = match percent_encoding::percent_decode_str(path).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => path.to_string(),
    };
    let body = match String::from_utf8(Vec::from(body)) {
        Ok(text) => Value::str(text),
        Err(e) => Value::Bytes(std::rc::Rc::new(e.into_bytes())),
    };
    let mut map = Map::default();
    map.insert(Sym::new("method"), Value::str(method));
    map.insert(Sym::new("path"), Value::str(path));
    map.insert(Sym::new("query"), Value::map(query_map));
    map.insert(Sym::new("headers"), Value::map(header_map));
    map.insert(Sym::new("body"), body);
    Value::map(map)
}

/// The response for what a handler gave.
pub(super) fn response_of(vm: &Vm, value: &Value) -> Result<HttpResponse, Exc> {
    match value {
        Value::Str(s) => Ok(plain(StatusCode::OK, s.to_string())),
        Value::Map(m) => map_response(vm, &m.borrow()),
        other => Err(vm.type_error(format!(
            "an HTTP handler gives a string, a map {{^status ^headers ^body}} or (gene/http/json value), not {}",
            other.type_name()
        ))),
    }
}

fn map_response(vm: &Vm, map: &Map) -> Result<HttpResponse, Exc> {
    let mut status = StatusCode::OK;
    let mut headers: Option<&Value> = None;
    let mut body = Value::Nil;
    for (key, value) in map {
        match &*key.name() {
            "status" => status = status_arg(vm, value, "the response's ^status")?,
            "headers" => headers = Some(value),
            "body" => body = value.clone(),
            other => {
                return Err(vm.type_error(format!(
                    "a response map holds ^status, ^headers and ^body, not ^{other} (to send data as JSON, give (gene/http/json data))"
                )));
            }
        }
    }
    let (bytes, default_type) = match &body {
        Value::Nil => (Bytes::new(), None),
        Value::Str(s) => (Bytes::from(s.to_string()), Some(TEXT)),
        Value::Bytes(b) => (Bytes::from(b.to_vec()), Some(BINARY)),
        other => {
            return Err(vm.type_error(format!(
                "the response's ^body must be a string, bytes or nil, got {}",
                other.type_name()
            )));
        }
    };
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = status;
    if let Some(headers) = headers {
        set_headers(vm, response.headers_mut(), headers)?;
    }
    if let Some(content_type) = default_type
        && !response.headers().contains_key(CONTENT_TYPE)
    {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    Ok(response)
}

fn set_headers(vm: &Vm, into: &mut hyper::HeaderMap, headers: &Value) -> Result<(), Exc> {
    let map = match headers {
        Value::Nil => return Ok(()),
        Value::Map(m) => m.borrow(),
        other => {
            return Err(vm.type_error(format!(
                "the response's ^headers must be a map of names to strings, got {}",
                other.type_name()
            )));
        }
    };
    for (name, value) in map.iter() {
        let name = name.name();
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            vm.error(
                "ArgumentError",
                format!("the response has an invalid header name {name:?}"),
            )
        })?;
        let values: Vec<Cow<'_, Value>> = match value {
            // set-cookie and other headers that repeat: an array of values.
            Value::Array(items) => items.borrow().iter().cloned().map(Cow::Owned).collect(),
            other => vec![Cow::Borrowed(other)],
        };
        for v in values {
            let text = match v.as_ref() {
                Value::Str(s) => s.to_string(),
                Value::Int(_) | Value::Float(_) => display(v.as_ref()),
                other => {
                    return Err(vm.type_error(format!(
                        "the value of response header {name} must be a string or a number, got {}",
                        other.type_name()
                    )));
                }
            };
            let value = HeaderValue::from_str(&text).map_err(|_| {
                vm.error(
                    "ArgumentError",
                    format!("the response header {name} has an invalid value {text:?}"),
                )
            })?;
            into.append(header.clone(), value);
        }
    }
    Ok(())
}

fn status_arg(vm: &Vm, value: &Value, what: &str) -> Result<StatusCode, Exc> {
    let Value::Int(n) = value else {
        return Err(vm.type_error(format!("{what} must be an int, got {}", value.type_name())));
    };
    u16::try_from(*n)
        .ok()
        .filter(|n| (100..=599).contains(n))
        .and_then(|n| StatusCode::from_u16(n).ok())
        .ok_or_else(|| {
            vm.error(
                "ArgumentError",
                format!("{what} must be from 100 to 599, got {n}"),
            )
        })
}

/// `(gene/http/json value [status])`: the response map for value as JSON.
pub(super) fn json_response(vm: &Vm, value: &Value, status: &Value) -> Result<Value, Exc> {
    let status = match status {
        Value::Nil => StatusCode::OK,
        other => status_arg(vm, other, "gene/http/json's status")?,
    };
    let text = super::json::stringify(value, false).map_err(|e| vm.error("JsonError", e))?;
    let mut headers = Map::default();
    headers.insert(Sym::new("content-type"), Value::str(JSON));
    let mut map = Map::default();
    map.insert(Sym::new("status"), Value::Int(i64::from(status.as_u16())));
    map.insert(Sym::new("headers"), Value::map(headers));
    map.insert(Sym::new("body"), Value::str(text));
    Ok(Value::map(map))
}

/// The 500 for a handler that failed: the body names the error's class, never the trace.
pub(super) fn error_response(vm: &Vm, error: &Value) -> HttpResponse {
    let class = match vm.class_of(error) {
        Value::Class(c) => c.name.clone(),
        _ => error.type_name().to_string(),
    };
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("Internal Server Error ({class})\n"),
    )
}
