//! `gene/http`'s client: one connection pool per VM, built by the first request and closed
//! with the VM. The requests themselves are built and run by `builtins/http.rs`.

use std::time::Duration;

/// Requests that fail to connect within this time fail, whatever the request's own timeout
/// (an unreachable host would otherwise hang for the OS's minutes of SYN retries).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct HttpClient {
    client: Option<reqwest::Client>,
}

impl HttpClient {
    /// The client, built on first use (a clone shares the pool).
    pub(crate) fn client(&mut self) -> Result<reqwest::Client, reqwest::Error> {
        if let Some(client) = &self.client {
            return Ok(client.clone());
        }
        // reqwest is built without a bundled crypto provider; ring is ours. Another part of the
        // process may have installed one already, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("gene/", env!("CARGO_PKG_VERSION")))
            .build()?;
        self.client = Some(client.clone());
        Ok(client)
    }
}
