//! A merchant's notification endpoint on 127.0.0.1, for tests.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// One request the listener received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `GET`, `POST`, …
    pub method: http::Method,
    /// Path and query, as sent.
    pub uri: http::Uri,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The whole body (at most 1 MiB is read).
    pub body: Bytes,
}

impl Received {
    /// The request as an `http::Request`, for the core's parsers.
    pub fn to_http(&self) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(self.body.to_vec());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.uri.path()
    }
}

/// How the listener answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// PesaPal: parse the IPN with `finconnect::pesapal::Notification::from_request`
    /// and answer `notification.ack(true).to_response()` (400 if it does not parse).
    PesapalAck,
    /// HTTP 200 with `{}` (AzamPay's `callback_ack`, and fine for ClickPesa).
    Ok,
    /// HTTP 500: the merchant failed (the provider should try again).
    Fail,
    /// Never answer (until the sender gives up).
    Hang,
}

#[derive(Debug)]
struct Shared {
    seen: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    default: Reply,
    arrived: Notify,
}

/// A local HTTP/1 listener that records every request and answers from a script
/// (then with a default reply). Drop it to stop accepting (already-accepted
/// connections finish on their own).
#[derive(Debug, Clone)]
pub struct Merchant {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _task: Arc<AbortOnDrop>,
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Merchant {
    /// A listener that always answers `reply`.
    pub async fn start(reply: Reply) -> Merchant {
        Self::scripted(Vec::new(), reply).await
    }

    /// A listener that answers with `script` first, then `default`.
    pub async fn scripted(script: Vec<Reply>, default: Reply) -> Merchant {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the merchant listener");
        let addr = listener.local_addr().expect("listener address");
        let shared = Arc::new(Shared {
            seen: Mutex::new(Vec::new()),
            script: Mutex::new(script.into()),
            default,
            arrived: Notify::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&accept_shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request: http::Request<Incoming>| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, std::convert::Infallible>(answer(&shared, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Merchant {
            addr,
            shared,
            _task: Arc::new(AbortOnDrop(task)),
        }
    }

    /// The listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// [`Merchant::url`] as a `url::Url`.
    pub fn parsed_url(&self, path: &str) -> url::Url {
        url::Url::parse(&self.url(path)).expect("a listener URL")
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.shared.seen.lock().expect("lock").clone()
    }

    /// Waits (at most `within`) until at least `n` requests have arrived, and
    /// returns them all.
    pub async fn wait_for(&self, n: usize, within: std::time::Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.shared.arrived.notified();
            let seen = self.received();
            if seen.len() >= n {
                return seen;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {n} notification(s) within {within:?}, got {}",
                    self.received().len()
                );
            }
        }
    }
}

async fn answer(shared: &Shared, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, 1024 * 1024)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let received = Received {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    };
    let reply = shared
        .script
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or(shared.default);
    let response = match reply {
        Reply::PesapalAck => {
            match finconnect::pesapal::Notification::from_request(&received.to_http()) {
                Ok(notification) => notification.ack(true).to_response(),
                Err(e) => {
                    let mut r = http::Response::new(e.to_string().into_bytes());
                    *r.status_mut() = http::StatusCode::BAD_REQUEST;
                    r
                }
            }
        }
        Reply::Ok => {
            let mut r = http::Response::new(b"{}".to_vec());
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            r
        }
        Reply::Fail => {
            let mut r = http::Response::new(b"merchant failure".to_vec());
            *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
        Reply::Hang => {
            shared.seen.lock().expect("lock").push(received);
            shared.arrived.notify_waiters();
            std::future::pending::<()>().await;
            unreachable!()
        }
    };
    shared.seen.lock().expect("lock").push(received);
    shared.arrived.notify_waiters();
    response.map(|b| Full::new(Bytes::from(b)))
}
