//! The sandbox's view of an HTTP exchange: a fully read request and a reply to render.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::HeaderMap;
use hyper::Method;
use serde_json::Value;

/// A request whose body has been read.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    /// Path below the provider prefix, e.g. `/api/Auth/RequestToken`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter, key matched case-insensitively.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON value, if it is one.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as a JSON object.
    pub fn json_object(&self) -> Option<serde_json::Map<String, Value>> {
        match self.json() {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        }
    }

    /// The bearer token of `Authorization: Bearer <token>`.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }
}

/// How a reply is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// A normal response.
    Normal,
    /// Close the connection without answering.
    Drop,
    /// Announce the full `Content-Length`, send only part of the body, then close.
    Truncated,
}

/// A response to render.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    pub wire: Wire,
}

impl Reply {
    /// A JSON reply. Provider answers pass a [`crate::json::Json`], which keeps the
    /// providers' key order.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Reply {
        Reply::bytes(
            status,
            "application/json; charset=utf-8",
            Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        )
    }

    /// A reply with a given content type.
    pub fn bytes(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: body.into(),
            wire: Wire::Normal,
        }
    }

    /// A reply without a body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            wire: Wire::Normal,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Parses a raw query string into decoded pairs.
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    match raw {
        Some(q) => url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        None => Vec::new(),
    }
}

/// The response body type: one chunk, with or without an exact size hint.
///
/// Without the hint, hyper trusts a `Content-Length` header we set, which is how the
/// `Truncated` fault announces more bytes than it sends.
#[derive(Debug)]
pub(crate) struct ReplyBody {
    data: Option<Bytes>,
    exact: bool,
}

impl ReplyBody {
    pub fn new(data: Bytes, exact: bool) -> ReplyBody {
        ReplyBody {
            data: (!data.is_empty()).then_some(data),
            exact,
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().data.take().map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        if self.exact {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        } else {
            SizeHint::default()
        }
    }
}
