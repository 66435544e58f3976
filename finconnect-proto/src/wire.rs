//! Helpers shared by the provider modules for writing requests and reading
//! answers tolerantly. Provider quirks themselves live in each provider's folder.

use crate::{Error, Secret};
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::Deserializer;

/// The most an inbound callback body may hold before it is refused unread (64 KiB;
/// real callbacks are under 2 KiB).
pub const MAX_CALLBACK_BODY: usize = 64 * 1024;

/// Starts a request with `Accept: application/json` (and `Content-Type` when a
/// body is given).
pub fn request(
    method: http::Method,
    url: &str,
    body: Option<Vec<u8>>,
) -> Result<http::request::Builder, Error> {
    // Parsed once, here (the builder would parse the text again).
    let uri = url
        .parse::<http::Uri>()
        .map_err(|e| Error::config(format!("bad request URL {url:?}: {e}")))?;
    let mut builder = http::Request::builder().method(method).uri(uri);
    // Room for every header a provider and an adapter add (Accept, Content-Type,
    // Authorization, an API key, a checksum, User-Agent): one allocation, no
    // re-hashing as they are added.
    if let Some(headers) = builder.headers_mut() {
        headers.reserve(8);
    }
    builder = builder.header(ACCEPT, HeaderValue::from_static("application/json"));
    if body.is_some() {
        builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(builder)
}

/// The URL of a request: `base` joined with `path`, then the query pairs,
/// form-encoded, after `?` (or `&` when the path already holds a query).
pub(crate) fn url(base: &crate::HttpsUrl, path: &str, query: &[(String, String)]) -> String {
    let mut url = base.join_path(path);
    if !query.is_empty() {
        url.push(if path.contains('?') { '&' } else { '?' });
        let start = url.len();
        url = url::form_urlencoded::Serializer::for_suffix(url, start)
            .extend_pairs(query)
            .finish();
    }
    url
}

/// A request body as bytes (a JSON value written out).
pub(crate) fn body_bytes(body: Option<crate::Body>) -> Result<Option<Vec<u8>>, Error> {
    Ok(match body {
        None => None,
        Some(crate::Body::Bytes(bytes)) => Some(bytes),
        Some(crate::Body::Json(value)) => Some(to_json(&value)?),
    })
}

/// Adds `Authorization: Bearer <token>` (sensitive) when a token is given.
pub(crate) fn authorize(
    builder: http::request::Builder,
    token: Option<&crate::AccessToken>,
) -> Result<http::request::Builder, Error> {
    Ok(match token {
        Some(token) => builder.header(AUTHORIZATION, token.authorization()?),
        None => builder,
    })
}

/// Finishes a request started with [`request`].
pub fn finish(
    builder: http::request::Builder,
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, Error> {
    builder.body(body).map_err(|e| Error::Encode {
        reason: e.to_string(),
    })
}

/// A header value holding a secret, marked sensitive so HTTP stacks (and `Debug`
/// of the request) do not print it.
pub fn secret_header(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::config("a credential holds characters not allowed in an HTTP header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// `Authorization: Bearer <token>`, marked sensitive. A token that already starts
/// with `Bearer ` (ClickPesa's do) is sent as it is.
pub fn bearer(token: &Secret) -> Result<(HeaderName, HeaderValue), Error> {
    let raw = token.expose();
    let value = if has_bearer_prefix(raw) {
        secret_header(raw)?
    } else {
        secret_header(&format!("Bearer {raw}"))?
    };
    Ok((AUTHORIZATION, value))
}

/// Whether a token already starts with `Bearer ` (any case). Looks at bytes, so
/// a token with multi-byte characters near the start cannot make it panic.
pub fn has_bearer_prefix(token: &str) -> bool {
    token
        .as_bytes()
        .get(..7)
        .is_some_and(|head| head.eq_ignore_ascii_case(b"bearer "))
}

/// Serialises a request body.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::Encode {
        reason: format!("the body: {e}"),
    })
}

/// Reads a JSON body as `T`, or says clearly that it is not JSON (an HTML error
/// page from a proxy, an empty body).
pub fn from_json<T: DeserializeOwned>(
    context: &str,
    response: &http::Response<Vec<u8>>,
) -> Result<T, Error> {
    let status = Some(response.status().as_u16());
    let body = response.body();
    if looks_like_html(body) {
        return Err(Error::decode(
            context,
            "the answer is an HTML page, not JSON (a proxy or firewall answered; try again later)",
            body,
            status,
        ));
    }
    serde_json::from_slice(body).map_err(|e| Error::decode(context, e, body, status))
}

/// Reads a notification body as JSON after checking its size against
/// [`MAX_CALLBACK_BODY`]; a body over the limit is refused unread, and the error
/// names `context` ("M-Pesa STK callback").
pub(crate) fn callback_json(context: &str, body: &[u8]) -> Result<serde_json::Value, Error> {
    if body.len() > MAX_CALLBACK_BODY {
        return Err(Error::decode(
            context,
            format!("{} bytes; at most {MAX_CALLBACK_BODY} accepted", body.len()),
            &[],
            None,
        ));
    }
    serde_json::from_slice(body).map_err(|e| Error::decode(context, e, body, None))
}

/// Reads an answer body as JSON, or says why it cannot: an HTML page (`front`
/// names who answers with one: a firewall, a CDN, a gateway), an empty body,
/// broken JSON.
pub(crate) fn json_answer(body: &[u8], front: &str) -> Result<serde_json::Value, String> {
    if looks_like_html(body) {
        return Err(format!(
            "the answer is an HTML page, not JSON ({front} answered; try again later)"
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the answer is empty".to_owned());
    }
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// The error for an unreadable answer: it quotes the start of the body, unless
/// `withhold` (the answer may hold a credential, as token answers do).
pub(crate) fn unreadable(
    context: String,
    reason: impl std::fmt::Display,
    response: &http::Response<Vec<u8>>,
    withhold: bool,
) -> Error {
    let status = Some(response.status().as_u16());
    if withhold {
        Error::decode_withheld(context, reason, status)
    } else {
        Error::decode(context, reason, response.body(), status)
    }
}

/// Whether a body is an HTML page.
pub fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 15)];
    head.first() == Some(&b'<')
}

/// A string given as a JSON string or number (`"200"` or `200`), or absent.
///
/// A visitor, not an untagged enum: an untagged enum buffers the value and
/// builds an error message for each variant that does not match, on every
/// field of every answer (a number is written as `serde_json::Number` writes it,
/// as before).
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::{Error as _, Visitor};
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string, a number, a boolean or null")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(serde_json::Number::from(v).to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(serde_json::Number::from(v).to_string()))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            serde_json::Number::from_f64(v)
                .map(|n| Some(n.to_string()))
                .ok_or_else(|| E::custom("a number that is not finite"))
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(Text).and_then(|v| {
                v.map(Some)
                    .ok_or_else(|| D2::Error::custom("null is not a string or number"))
            })
        }
    }
    d.deserialize_option(Text)
}

/// An integer given as a JSON number or numeric string; anything else is `None`.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(string_or_number(d)?.and_then(|s| int_from_text(&s)))
}

/// An integer written as text: `"12"`, ` 12 `, `12.0`; anything else is `None`.
pub(crate) fn int_from_text(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse::<i64>().ok().or_else(|| {
        s.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
            .map(|f| f as i64)
    })
}

/// Reads an RFC 3339 timestamp (any number of fractional digits, `Z` or offset).
pub fn parse_rfc3339(text: &str) -> Option<std::time::SystemTime> {
    let t =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    Some(t.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `{"f": <json>}`'s field through `string_or_number`.
    fn field(json: &str) -> Result<Option<String>, String> {
        #[derive(serde::Deserialize)]
        struct F {
            #[serde(default, deserialize_with = "string_or_number")]
            f: Option<String>,
        }
        serde_json::from_str::<F>(&format!("{{\"f\": {json}}}"))
            .map(|v| v.f)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn string_or_number_reads_each_json_kind() {
        assert_eq!(field("\"200\""), Ok(Some("200".into())));
        assert_eq!(field("200"), Ok(Some("200".into())));
        assert_eq!(field("-7"), Ok(Some("-7".into())));
        assert_eq!(field("1500.50"), Ok(Some("1500.5".into())));
        assert_eq!(field("1e3"), Ok(Some("1000.0".into())));
        assert_eq!(field("true"), Ok(Some("true".into())));
        assert_eq!(field("null"), Ok(None));
        assert!(field("{}").is_err());
        assert!(field("[1]").is_err());
        // Absent: the field's default.
        assert_eq!(
            serde_json::from_str::<serde_json::Value>("{}")
                .ok()
                .and_then(|v| string_or_number(&v["f"]).ok())
                .flatten(),
            None
        );
        // Through a `serde_json::Value` as well.
        let v = serde_json::json!({"n": 12, "s": "x"});
        assert_eq!(string_or_number(&v["n"]).ok().flatten(), Some("12".into()));
        assert_eq!(string_or_number(&v["s"]).ok().flatten(), Some("x".into()));
    }

    #[test]
    fn bearer_is_prefixed_once_and_sensitive() {
        let (_, v) = bearer(&Secret::new("abc")).unwrap();
        assert_eq!(v.to_str().unwrap(), "Bearer abc");
        assert!(v.is_sensitive());
        let (_, v) = bearer(&Secret::new("Bearer xyz")).unwrap();
        assert_eq!(v.to_str().unwrap(), "Bearer xyz");
    }

    #[test]
    fn a_multibyte_character_at_the_prefix_boundary_does_not_panic() {
        // '€' is 3 bytes: byte 7 falls inside it.
        for raw in ["abcdef€x", "Bearer€", "bearer", "€€€€", ""] {
            let (_, v) = bearer(&Secret::new(raw)).unwrap_or_else(|_| {
                // Non-ASCII is not a valid header value: refused, not a panic.
                (AUTHORIZATION, HeaderValue::from_static("refused"))
            });
            assert!(!v.is_empty());
        }
        assert!(!has_bearer_prefix("abcdef€x"));
        assert!(has_bearer_prefix("BEARER x"));
        assert!(!has_bearer_prefix("Bearer"));
    }

    #[test]
    fn html_is_reported_as_such() {
        let resp = http::Response::builder()
            .status(503)
            .body(b"  <!DOCTYPE html><html>Attention Required! | Cloudflare</html>".to_vec())
            .unwrap();
        let err = from_json::<serde_json::Value>("status", &resp).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("HTML page"), "{text}");
        assert!(text.contains("HTTP 503"), "{text}");
    }

    #[test]
    fn seven_fraction_digits_parse() {
        let t = parse_rfc3339("2024-03-18T15:30:19.1234567Z").unwrap();
        let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_710_775_819);
    }
}
