//! Helpers shared by the integration tests: a plain hyper client, a notification
//! receiver, and a JSON shape comparison.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;

/// A response as the tests see it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request; `Err` when the transport fails (dropped, truncated, …).
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer, String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut builder = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let request = builder
        .body(Full::new(Bytes::from(body.unwrap_or("").to_string())))
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

pub async fn get(url: &str, headers: &[(&str, &str)]) -> Answer {
    send("GET", url, headers, None).await.expect("GET")
}

pub async fn post(url: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    send("POST", url, headers, Some(body)).await.expect("POST")
}

/// What a receiver saw.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub uri: String,
    pub body: Bytes,
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// HTTP 500.
    Fail,
    /// 200 with the PesaPal ack JSON (tracking id echoed, numeric status 200).
    PesapalAck,
    /// 200 with `OK`.
    Ok,
    /// 200 with this JSON body.
    Json(&'static str),
}

/// A local HTTP listener that records notifications and answers from a script (then
/// `default`).
#[derive(Debug, Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(script: Vec<Reply>, default: Reply) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let seen2 = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let seen = Arc::clone(&seen2);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let seen = Arc::clone(&seen);
                        let script = Arc::clone(&script);
                        async move {
                            let method = req.method().to_string();
                            let uri = req.uri().to_string();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|c| c.to_bytes())
                                .unwrap_or_default();
                            seen.lock().expect("lock").push(Received {
                                method,
                                uri: uri.clone(),
                                body: body.clone(),
                            });
                            let reply = script.lock().expect("lock").pop_front().unwrap_or(default);
                            match reply {
                                Reply::Fail => Response::builder()
                                    .status(500)
                                    .body(Full::new(Bytes::from_static(b"boom"))),
                                Reply::Json(text) => Response::builder()
                                    .status(200)
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from_static(text.as_bytes()))),
                                Reply::Ok => Response::builder()
                                    .status(200)
                                    .body(Full::new(Bytes::from_static(b"OK"))),
                                Reply::PesapalAck => {
                                    let id = tracking_id(&uri, &body);
                                    let ack = serde_json::json!({
                                        "orderNotificationType": "IPNCHANGE",
                                        "orderTrackingId": id,
                                        "orderMerchantReference": "x",
                                        "status": 200
                                    });
                                    Response::builder()
                                        .status(200)
                                        .header("content-type", "application/json")
                                        .body(Full::new(Bytes::from(ack.to_string())))
                                }
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver { addr, seen }
    }

    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.addr, path)).expect("url")
    }

    pub fn seen(&self) -> Vec<Received> {
        self.seen.lock().expect("lock").clone()
    }
}

fn tracking_id(uri: &str, body: &[u8]) -> String {
    if let Some(q) = uri.split_once('?').map(|(_, q)| q) {
        for pair in q.split('&') {
            if let Some(v) = pair.strip_prefix("OrderTrackingId=") {
                return v.to_string();
            }
        }
    }
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["OrderTrackingId"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `fixture` is in `actual` with the same JSON type, recursively (arrays:
/// first elements compared).
pub fn assert_shape(fixture: &Value, actual: &Value) {
    shape(fixture, actual, "$");
}

fn shape(fixture: &Value, actual: &Value, path: &str) {
    assert_eq!(
        kind(fixture),
        kind(actual),
        "type differs at {path}: fixture {fixture} vs sandbox {actual}"
    );
    match (fixture, actual) {
        (Value::Object(f), Value::Object(a)) => {
            for (k, fv) in f {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("missing key {path}.{k} in {actual}"));
                shape(fv, av, &format!("{path}.{k}"));
            }
        }
        (Value::Array(f), Value::Array(a)) => {
            if let (Some(fv), Some(av)) = (f.first(), a.first()) {
                shape(fv, av, &format!("{path}[0]"));
            }
        }
        _ => {}
    }
}

/// Loads a fixture copied into `tests/fixtures` (compiled in).
#[macro_export]
macro_rules! fixture {
    ($path:literal) => {
        serde_json::from_str::<serde_json::Value>(include_str!(concat!("fixtures/", $path)))
            .expect("fixture parses")
    };
}
