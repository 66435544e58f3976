//! Receiving IPNs and callbacks with hyper.
//!
//! [`CallbackService`] is a hyper `Service` for one callback route. For each
//! request it:
//! 1. refuses a body above the limit without reading past it (413);
//! 2. asks the [`CallbackHandler`] to parse and verify it — a bad request gets a
//!    4xx with the reason and is never passed on;
//! 3. answers at once with the handler's acknowledgement (PesaPal's ack JSON,
//!    a plain 200 for the others);
//! 4. unless the event's dedupe key was seen before, hands the event to user code
//!    on a spawned task: the handler's [`CallbackHandler::settle`] (which may
//!    confirm it with the provider) and then the user's closure.
//!
//! Duplicate deliveries are acknowledged again (so the provider stops retrying)
//! but reach user code once.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// The default body limit of a callback route (64 KiB; real ones are < 2 KiB).
pub const DEFAULT_MAX_BODY: usize = finconnect_proto::wire::MAX_CALLBACK_BODY;

/// A callback the handler accepted: what to answer, and what to pass on.
#[derive(Debug)]
pub struct Accepted<P> {
    /// The answer to send the provider now.
    pub response: http::Response<Vec<u8>>,
    /// The event to pass on (after [`CallbackHandler::settle`]).
    pub pending: P,
    /// A stable key: the same notification delivered twice has the same key.
    pub dedupe_key: String,
}

/// A refused callback: the status to answer and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// A 4xx status.
    pub status: http::StatusCode,
    /// Why (sent as the body; must hold no secret).
    pub reason: String,
}

impl Rejection {
    /// 400 Bad Request with a reason.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Rejection {
            status: http::StatusCode::BAD_REQUEST,
            reason: reason.into(),
        }
    }
}

/// Parses, verifies and settles one provider's callbacks.
pub trait CallbackHandler: Send + Sync + 'static {
    /// What `accept` passes on.
    type Pending: Send + 'static;
    /// What user code receives.
    type Event: Send + 'static;

    /// Parses and verifies the request; must be quick (the provider waits).
    fn accept(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<Accepted<Self::Pending>, Rejection>> + Send;

    /// Turns an accepted callback into the event user code gets (for example by
    /// confirming it with the provider). Runs after the answer was sent.
    fn settle(
        &self,
        pending: Self::Pending,
    ) -> impl Future<Output = Result<Self::Event, finconnect_proto::Error>> + Send;
}

/// Remembers dedupe keys already passed on.
pub trait DedupeStore: Send + Sync {
    /// Records `key`; true if it was not seen before.
    fn first_time(&self, key: &str) -> bool;
}

/// An in-memory [`DedupeStore`] remembering the last `capacity` keys.
pub struct MemoryDedupe {
    capacity: usize,
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl MemoryDedupe {
    /// Remembers up to `capacity` keys (the oldest are forgotten first).
    pub fn new(capacity: usize) -> Self {
        MemoryDedupe {
            capacity: capacity.max(1),
            seen: Mutex::new((HashSet::new(), VecDeque::new())),
        }
    }
}

impl Default for MemoryDedupe {
    fn default() -> Self {
        MemoryDedupe::new(100_000)
    }
}

impl fmt::Debug for MemoryDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedupe")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl DedupeStore for MemoryDedupe {
    fn first_time(&self, key: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if set.contains(key) {
            return false;
        }
        if order.len() >= self.capacity {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
        set.insert(key.to_owned());
        order.push_back(key.to_owned());
        true
    }
}

type Sink<E> = dyn Fn(Result<E, finconnect_proto::Error>) -> Pin<Box<dyn Future<Output = ()> + Send>>
    + Send
    + Sync;

/// A hyper service for one callback route. Cheap to clone.
pub struct CallbackService<H: CallbackHandler> {
    handler: Arc<H>,
    sink: Arc<Sink<H::Event>>,
    dedupe: Arc<dyn DedupeStore>,
    max_body: usize,
}

impl<H: CallbackHandler> Clone for CallbackService<H> {
    fn clone(&self) -> Self {
        CallbackService {
            handler: Arc::clone(&self.handler),
            sink: Arc::clone(&self.sink),
            dedupe: Arc::clone(&self.dedupe),
            max_body: self.max_body,
        }
    }
}

impl<H: CallbackHandler> fmt::Debug for CallbackService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackService")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl<H: CallbackHandler> CallbackService<H> {
    /// A service passing each new event (or the error settling it) to `on_event`.
    pub fn new<F, Fut>(handler: H, on_event: F) -> Self
    where
        F: Fn(Result<H::Event, finconnect_proto::Error>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        CallbackService {
            handler: Arc::new(handler),
            sink: Arc::new(move |e| Box::pin(on_event(e))),
            dedupe: Arc::new(MemoryDedupe::default()),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Uses another dedupe store (one shared by a fleet, say).
    pub fn with_dedupe(mut self, store: Arc<dyn DedupeStore>) -> Self {
        self.dedupe = store;
        self
    }

    /// Sets the body limit.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Handles one request already read into memory (for frameworks such as axum
    /// that read the body themselves). The body must already be bounded.
    pub async fn handle_bytes(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        if request.body().len() > self.max_body {
            return too_large(self.max_body);
        }
        match self.handler.accept(request).await {
            Err(rejection) => {
                tracing::info!(status = rejection.status.as_u16(), reason = %rejection.reason, "callback refused");
                text_response(rejection.status, rejection.reason)
            }
            Ok(accepted) => {
                if self.dedupe.first_time(&accepted.dedupe_key) {
                    let handler = Arc::clone(&self.handler);
                    let sink = Arc::clone(&self.sink);
                    tokio::spawn(async move {
                        let event = handler.settle(accepted.pending).await;
                        sink(event).await;
                    });
                } else {
                    tracing::debug!("duplicate callback acknowledged again, not passed on");
                }
                accepted.response
            }
        }
    }

    /// Handles one hyper request: reads at most the body limit, then as
    /// [`CallbackService::handle_bytes`].
    pub async fn handle(&self, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
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
    text_response(
        http::StatusCode::PAYLOAD_TOO_LARGE,
        format!("callback body larger than {limit} bytes"),
    )
}

fn text_response(status: http::StatusCode, text: String) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(text.into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn into_full(response: http::Response<Vec<u8>>) -> http::Response<Full<Bytes>> {
    response.map(|b| Full::new(Bytes::from(b)))
}

impl<H: CallbackHandler> hyper::service::Service<http::Request<Incoming>> for CallbackService<H> {
    type Response = http::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: http::Request<Incoming>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(request).await) })
    }
}

/// Serves `service` on `listener` until the task is dropped: one hyper HTTP/1
/// connection task per client.
pub async fn serve<H: CallbackHandler>(
    listener: tokio::net::TcpListener,
    service: CallbackService<H>,
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

/// The facade handles its provider's callbacks: `accept` parses and verifies (a
/// malformed body is a 400, a forged signature or checksum a 401), `settle`
/// confirms unsigned ones with the provider's status query.
impl<T> CallbackHandler for finconnect_proto::sdk::FintechSdk<T>
where
    T: finconnect_proto::driver::Transport + 'static,
{
    type Pending = finconnect_proto::sdk::AcceptedCallback;
    type Event = finconnect_proto::sdk::CallbackEvent;

    async fn accept(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<Accepted<Self::Pending>, Rejection> {
        match self.accept_callback(&request).await {
            Ok(accepted) => Ok(Accepted {
                response: accepted.response.clone(),
                dedupe_key: accepted.event.dedupe_key.clone(),
                pending: accepted,
            }),
            Err(e) => Err(rejection(&e)),
        }
    }

    async fn settle(&self, pending: Self::Pending) -> Result<Self::Event, finconnect_proto::Error> {
        self.confirm_callback(pending).await
    }
}

/// The 4xx for a callback the facade refused.
pub fn rejection(error: &finconnect_proto::Error) -> Rejection {
    use finconnect_proto::Error;
    let status = match error {
        Error::Signature { .. } => http::StatusCode::UNAUTHORIZED,
        Error::Unsupported { .. } => http::StatusCode::NOT_FOUND,
        _ => http::StatusCode::BAD_REQUEST,
    };
    Rejection {
        status,
        reason: error.to_string(),
    }
}
