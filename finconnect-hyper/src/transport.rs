use crate::Options;
use bytes::Bytes;
use finconnect::driver::USER_AGENT;
use finconnect::driver::{Transport, TransportFailure};
use http_body::Body as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// Sends finconnect requests through a `hyper_util` client over connector `C`.
#[derive(Clone)]
pub struct HyperTransport<C> {
    client: Client<C, Full<Bytes>>,
    timeout: Duration,
    max_body: usize,
    user_agent: http::HeaderValue,
}

impl<C> fmt::Debug for HyperTransport<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

fn http_connector(options: &Options) -> HttpConnector {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(options.connect_timeout));
    http.set_nodelay(true);
    http.enforce_http(false);
    http
}

impl HyperTransport<crate::HttpsConnector> {
    /// https (rustls with the webpki roots; plain http is refused by the connector
    /// except where a base URL explicitly says `http://`, which only local
    /// configurations allow).
    pub fn https(options: &Options) -> Self {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(http_connector(options));
        Self::with_connector(connector, options)
    }
}

impl HyperTransport<HttpConnector> {
    /// Plain HTTP only: for the local sandbox and loopback tests.
    pub fn http(options: &Options) -> Self {
        Self::with_connector(http_connector(options), options)
    }
}

impl<C> HyperTransport<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    /// A transport over any connector (a proxy, a custom TLS setup, a test double).
    pub fn with_connector(connector: C, options: &Options) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            .build(connector);
        let user_agent = http::HeaderValue::from_static(USER_AGENT);
        HyperTransport {
            client,
            timeout: options.timeout,
            max_body: options.max_body_bytes,
            user_agent,
        }
    }

    async fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .entry(http::header::USER_AGENT)
            .or_insert_with(|| self.user_agent.clone());
        let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let response = self.client.request(request).await.map_err(|e| {
            let detail = error_chain(&e);
            if e.is_connect() {
                TransportFailure::connect(detail)
            } else {
                TransportFailure::lost(detail)
            }
        })?;
        let (parts, body) = response.into_parts();
        // Straight into one buffer sized from Content-Length (no list of chunks
        // copied out a second time).
        let mut body = Limited::new(body, self.max_body);
        let hint = usize::try_from(body.size_hint().lower()).unwrap_or(0);
        let mut bytes = Vec::with_capacity(hint.min(self.max_body));
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|e| TransportFailure::lost(format!("reading the answer: {e}")))?;
            if let Ok(data) = frame.into_data() {
                bytes.extend_from_slice(&data);
            }
        }
        Ok(http::Response::from_parts(parts, bytes))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

impl<C> Transport for HyperTransport<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(TransportFailure::lost(format!(
                "timed out after {} ms",
                self.timeout.as_millis()
            ))),
        }
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
