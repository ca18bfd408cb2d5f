//! The runtime's side of `gene/http/serve_async`: the accept loop, one hyper HTTP/1.1
//! connection task per client, and each request handed to the VM as a stream event
//! ([`Incoming`], carrying a oneshot for the response) whose answer the service waits for.
//!
//! The request's body is read whole before the VM sees the request (at most
//! [`MAX_BODY`]; past it the client gets 413 without the handler running). Stopping (`stop`
//! set) closes the listening socket at once, lets every request in flight get its response,
//! closes the idle keep-alive connections, and ends the stream when the last connection is
//! done.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as IncomingBody;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::reactor::{JobReporter, JobResult, JobValue, OpId};

/// The largest request body handed to a handler.
pub(super) const MAX_BODY: usize = 16 * 1024 * 1024;

/// How long the accept loop pauses after a failed accept (out of file descriptors, say), so
/// it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

pub(super) type HttpResponse = Response<Full<Bytes>>;

/// A request, as the VM gets it.
pub(super) struct Incoming {
    pub method: String,
    /// The path as sent, without the query.
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names; a repeated header's values joined by ", ".
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub reply: oneshot::Sender<HttpResponse>,
}

/// Serves HTTP/1.1 on `listener` until `stop` is set, then shuts down gracefully. Each request
/// is an event of the stream `id`.
pub(super) async fn serve(
    listener: TcpListener,
    id: OpId,
    reporter: JobReporter,
    mut stop: watch::Receiver<bool>,
) -> JobResult {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stop| *stop) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let reporter = reporter.clone();
        let service = service_fn(move |request| answer(request, id, reporter.clone()));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(JobValue::Nil)
}

/// One request: read its body, hand it to the VM, wait for the handler's response.
async fn answer(
    request: Request<IncomingBody>,
    id: OpId,
    reporter: JobReporter,
) -> Result<HttpResponse, Infallible> {
    let (parts, body) = request.into_parts();
    let too_large = || {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Payload Too Large: the body is over {} MiB\n",
                MAX_BODY >> 20
            ),
        )
    };
    // A body announced as too large is refused before it is read.
    if hyper::body::Body::size_hint(&body).lower() > MAX_BODY as u64 {
        return Ok(too_large());
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Ok(too_large()),
        Err(_) => return Ok(plain(StatusCode::BAD_REQUEST, "Bad Request\n".into())),
    };
    let mut headers: Vec<(String, String)> = Vec::with_capacity(parts.headers.keys_len());
    for name in parts.headers.keys() {
        let mut values = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        let mut joined = values.next().map(|v| v.into_owned()).unwrap_or_default();
        for v in values {
            joined.push_str(", ");
            joined.push_str(&v);
        }
        headers.push((name.as_str().to_string(), joined));
    }
    let (reply, response) = oneshot::channel();
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        body,
        reply,
    };
    if !reporter.event(id, Box::new(incoming)) {
        return Ok(unavailable());
    }
    // The VM drops the sender when the server stopped before the request reached a handler.
    Ok(response.await.unwrap_or_else(|_| unavailable()))
}

fn unavailable() -> HttpResponse {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service Unavailable\n".into(),
    )
}

/// A plain-text response.
pub(super) fn plain(status: StatusCode, text: String) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
