//! Keeps the `initialize` parameters as JSON, for capabilities that `lsp-types` does not
//! deserialize (it reads `workspace.diagnostic` where the specification says
//! `workspace.diagnostics`).
//!
//! A tower layer in front of the server: it copies the parameters of an `initialize` request
//! before handing the request on, so the backend finds them when its `initialize` runs.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde_json::Value;
use tower::Service;
use tower_lsp_server::jsonrpc::Request;

/// Where the raw parameters land; shared by the layer and the backend.
#[derive(Clone, Default)]
pub struct RawInitParams(Arc<Mutex<Option<Value>>>);

impl RawInitParams {
    pub fn get(&self) -> Option<Value> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, value: Option<Value>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = value;
    }
}

/// The service `S` with `initialize` parameters recorded in a [`RawInitParams`].
pub struct CaptureInitialize<S> {
    inner: S,
    raw: RawInitParams,
}

impl<S> CaptureInitialize<S> {
    pub fn new(inner: S, raw: RawInitParams) -> CaptureInitialize<S> {
        CaptureInitialize { inner, raw }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Service<Request>> Service<Request> for CaptureInitialize<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == "initialize" {
            self.raw.set(request.params().cloned());
        }
        self.inner.call(request)
    }
}
