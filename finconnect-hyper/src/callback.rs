//! Receiving IPNs and callbacks with hyper.
//!
//! [`CallbackService`] is a hyper `Service` for one callback route: it refuses a
//! body above the limit without reading past it (413), then hands the request to
//! a [`CallbackInbox`], which verifies and confirms the event, hands it to your
//! handler once per dedupe key, and only then answers the provider "received"
//! (PesaPal's ack JSON, a `200 {}` for the others). A malformed or forged
//! callback gets a 4xx with the reason; one that cannot be confirmed or handed
//! off now gets an answer that makes the provider send it again. See
//! [`CallbackInbox`] for the details and the latency this ordering adds.
//!
//! ```no_run
//! use finconnect_hyper::callback::{serve, CallbackService};
//! use finconnect::sdk::{CallbackEvent, Expected, ProviderConfig};
//! use finconnect::pesapal::PesapalConfig;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = PesapalConfig::sandbox("consumer-key", "consumer-secret")?;
//! let sdk = finconnect_hyper::fintech_sdk(ProviderConfig::Pesapal(config))?;
//! let service = CallbackService::new(sdk, |event: CallbackEvent| async move {
//!     // Quick: record it (a table, a queue), then return Ok to acknowledge.
//!     println!("{} is {}", event.facts.reference.as_deref().unwrap_or("?"), event.facts.status);
//!     Ok::<(), std::io::Error>(())
//! })
//! // Check every event against your own order.
//! .with_orders(|claims| {
//!     let reference = claims.reference.clone();
//!     async move { reference.map(Expected::order) }
//! });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, service).await?;
//! # Ok(()) }
//! ```

use bytes::Bytes;
use finconnect::driver::Transport;
use finconnect::sdk::{CallbackEvent, CallbackInbox, Claims, Expected, FintechSdk, Outcome};
use http_body_util::{BodyExt, Full, Limited};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The default body limit of a callback route (64 KiB; real ones are < 2 KiB).
pub const DEFAULT_MAX_BODY: usize = finconnect::MAX_CALLBACK_BODY;

/// A hyper service for one callback route. Cheap to clone.
pub struct CallbackService<T: Transport> {
    inbox: CallbackInbox<T>,
    max_body: usize,
}

impl<T: Transport> Clone for CallbackService<T> {
    fn clone(&self) -> Self {
        CallbackService {
            inbox: self.inbox.clone(),
            max_body: self.max_body,
        }
    }
}

impl<T: Transport> fmt::Debug for CallbackService<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackService")
            .field("inbox", &self.inbox)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl<T: Transport + 'static> CallbackService<T> {
    /// A service handing each new, confirmed event of `sdk`'s provider to
    /// `handler`; its `Ok` acknowledges the callback, its `Err` has the provider
    /// send it again.
    pub fn new<F, Fut, E>(sdk: FintechSdk<T>, handler: F) -> Self
    where
        F: Fn(CallbackEvent) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display,
    {
        CallbackService::from_inbox(CallbackInbox::new(sdk, handler))
    }

    /// A service over an inbox configured by hand (dedupe store, lease, …).
    pub fn from_inbox(inbox: CallbackInbox<T>) -> Self {
        CallbackService {
            inbox,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Checks each event against your order, found from its claims (see
    /// [`CallbackInbox::with_orders`]).
    pub fn with_orders<F, Fut>(mut self, lookup: F) -> Self
    where
        F: Fn(&Claims) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Expected>> + Send + 'static,
    {
        self.inbox = self.inbox.with_orders(lookup);
        self
    }

    /// Uses another dedupe store (one shared by a fleet, say).
    pub fn with_dedupe(mut self, store: std::sync::Arc<dyn finconnect::sdk::DedupeStore>) -> Self {
        self.inbox = self.inbox.with_dedupe(store);
        self
    }

    /// Sets the body limit.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The inbox behind it.
    pub fn inbox(&self) -> &CallbackInbox<T> {
        &self.inbox
    }

    /// Handles one request already read into memory (for frameworks such as axum
    /// that read the body themselves).
    pub async fn handle_bytes(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.handle_bytes_detailed(request).await.0
    }

    /// As [`CallbackService::handle_bytes`], also saying what became of it.
    pub async fn handle_bytes_detailed(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> (http::Response<Vec<u8>>, Option<Outcome>) {
        if request.body().len() > self.max_body {
            return (too_large(self.max_body), None);
        }
        let (response, outcome) = self.inbox.handle_detailed(request).await;
        (response, Some(outcome))
    }

    /// Handles one request with a streaming body (hyper's `Incoming`, axum's
    /// `Body`, any [`http_body::Body`]): reads at most the body limit, then as
    /// [`CallbackService::handle_bytes`].
    pub async fn handle<B>(&self, request: http::Request<B>) -> http::Response<Full<Bytes>>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return into_full(too_large(self.max_body));
        }
        let (parts, body) = request.into_parts();
        let bytes = match Limited::new(body, self.max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return into_full(too_large(self.max_body)),
        };
        let request = http::Request::from_parts(parts, bytes.to_vec());
        into_full(self.handle_bytes(request).await)
    }
}

fn too_large(limit: usize) -> http::Response<Vec<u8>> {
    let mut response =
        http::Response::new(format!("callback body larger than {limit} bytes").into_bytes());
    *response.status_mut() = http::StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn into_full(response: http::Response<Vec<u8>>) -> http::Response<Full<Bytes>> {
    response.map(|b| Full::new(Bytes::from(b)))
}

/// The error type a request body may fail with (what [`Limited`] reports).
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The answer future of both `Service` impls.
type Answer = Pin<Box<dyn Future<Output = Result<http::Response<Full<Bytes>>, Infallible>> + Send>>;

/// A hyper service: `hyper::server::conn::http1::Builder::serve_connection(io, service)`
/// (what [`serve`] does).
impl<T, B> hyper::service::Service<http::Request<B>> for CallbackService<T>
where
    T: Transport + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: http::Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}

/// A tower service, so tower-based frameworks mount it as it is; with axum:
/// `Router::new().route_service("/ipn", service)`. Always ready; never fails
/// (every problem is an HTTP answer).
impl<T, B> tower_service::Service<http::Request<B>> for CallbackService<T>
where
    T: Transport + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}

/// Serves `service` on `listener` until the task is dropped: one hyper HTTP/1
/// connection task per client.
pub async fn serve<T: Transport + 'static>(
    listener: tokio::net::TcpListener,
    service: CallbackService<T>,
) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}
