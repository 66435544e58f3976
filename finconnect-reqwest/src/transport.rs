use crate::Options;
use finconnect::driver::USER_AGENT;
use finconnect::driver::{Transport, TransportFailure};
use finconnect::Error;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// Sends finconnect requests with a [`reqwest::Client`].
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body: usize,
}

impl ReqwestTransport {
    /// A transport with its own connection pool.
    pub fn new(options: &Options) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            // Small requests and answers go out at once (reqwest's default too;
            // said here so it stays so).
            .tcp_nodelay(true)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| Error::config(format!("could not build the HTTP client: {e}")))?;
        Ok(ReqwestTransport {
            client,
            max_body: options.max_body_bytes,
        })
    }

    /// A transport over a client you built yourself. Turn redirects off on it:
    /// finconnect never follows them (a redirect could carry a token elsewhere).
    pub fn from_client(client: reqwest::Client, max_body_bytes: usize) -> Self {
        ReqwestTransport {
            client,
            max_body: max_body_bytes,
        }
    }
}

fn classify(e: reqwest::Error) -> TransportFailure {
    // Only the error's kind and cause are kept: never the URL's query or a header.
    let connect = e.is_connect();
    let detail = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        let e = e.without_url();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    };
    if connect {
        TransportFailure::connect(detail)
    } else {
        TransportFailure::lost(detail)
    }
}

impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportFailure::connect(format!("bad request: {e}")))?;
        let mut response = self.client.execute(request).await.map_err(classify)?;
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(TransportFailure::lost(format!(
                "answer body larger than {} bytes",
                self.max_body
            )));
        }
        let mut builder = http::Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        let hint = response.content_length().unwrap_or(0);
        let mut body = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).min(self.max_body));
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(TransportFailure::lost(format!(
                    "answer body larger than {} bytes",
                    self.max_body
                )));
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body)
            .map_err(|e| TransportFailure::lost(format!("unreadable answer: {e}")))
    }

    async fn sleep(&self, delay: Duration) {
        tokio::time::sleep(delay).await;
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn seed(&self) -> u64 {
        // Each RandomState has fresh keys: a new random value per call.
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    }
}
