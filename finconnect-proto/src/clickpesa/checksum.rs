//! ClickPesa payload checksums: HMAC-SHA256 over canonical JSON (default since
//! January 2026) or over the legacy value concatenation.
//!
//! ```
//! use finconnect_proto::clickpesa::{checksum, ChecksumMethod};
//! use finconnect_proto::Secret;
//! let body = serde_json::json!({
//!     "phoneNumber": "255712345678", "orderReference": "ORDER123",
//!     "currency": "TZS", "amount": "1000",
//! });
//! let hex = checksum(&Secret::new("secret-key"), &body, ChecksumMethod::Canonical).unwrap();
//! assert_eq!(hex, "9d6548c3728f656cef3b7ecbdc781419cb3cf48662951666dc2187193d1b704f");
//! ```

use super::canonical_json::JsValue;
use crate::{Error, Secret};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write as _;

/// The body field that carries the checksum.
pub const CHECKSUM_FIELD: &str = "checksum";
/// The body field that names the method (`"legacy"`; absent means canonical).
pub const CHECKSUM_METHOD_FIELD: &str = "checksumMethod";

/// How the checksum is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChecksumMethod {
    /// Keys sorted recursively, compact JSON as `JSON.stringify` writes it (the
    /// default since January 2026).
    #[default]
    Canonical,
    /// Top-level keys sorted, values concatenated with `String(value)` semantics.
    /// Sent with `"checksumMethod": "legacy"`; ClickPesa keeps it only for a
    /// transition period, and it is undefined for non-string values.
    Legacy,
}

impl ChecksumMethod {
    /// The word used in `checksumMethod`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumMethod::Canonical => "canonical",
            ChecksumMethod::Legacy => "legacy",
        }
    }

    /// Reads a `checksumMethod` value (case-insensitive); `None` for a word
    /// ClickPesa does not document.
    pub fn from_word(word: &str) -> Option<Self> {
        if word.eq_ignore_ascii_case("canonical") {
            Some(ChecksumMethod::Canonical)
        } else if word.eq_ignore_ascii_case("legacy") {
            Some(ChecksumMethod::Legacy)
        } else {
            None
        }
    }
}

/// The exact text that is HMACed for `payload` (an object), after dropping
/// `checksum` and `checksumMethod`.
pub fn signed_text(payload: &JsValue, method: ChecksumMethod) -> Result<String, Error> {
    if !matches!(payload, JsValue::Object(_)) {
        return Err(Error::invalid(
            "checksum payload",
            "a ClickPesa checksum is computed over a JSON object",
        ));
    }
    let stripped = payload.without(&[CHECKSUM_FIELD, CHECKSUM_METHOD_FIELD]);
    Ok(match method {
        ChecksumMethod::Canonical => stripped.to_canonical_json(),
        ChecksumMethod::Legacy => stripped
            .sorted_entries()
            .into_iter()
            .map(|(_, v)| match v {
                // `Array.prototype.join` writes null (and undefined) as nothing.
                JsValue::Null => String::new(),
                other => other.to_js_string(),
            })
            .collect(),
    })
}

/// HMAC-SHA256 of `text` with `key`, as 64 lower-case hex digits.
pub fn hmac_hex(key: &Secret, text: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(text.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The checksum of a payload held as a [`JsValue`].
pub fn checksum_js(
    key: &Secret,
    payload: &JsValue,
    method: ChecksumMethod,
) -> Result<String, Error> {
    Ok(hmac_hex(key, &signed_text(payload, method)?))
}

/// The checksum of a `serde_json` object (the body about to be sent).
pub fn checksum(
    key: &Secret,
    payload: &serde_json::Value,
    method: ChecksumMethod,
) -> Result<String, Error> {
    checksum_js(key, &JsValue::from_serde(payload), method)
}

/// The checksum of raw JSON bytes, with numbers read exactly as `JSON.parse`
/// reads them.
pub fn checksum_of_bytes(
    key: &Secret,
    body: &[u8],
    method: ChecksumMethod,
) -> Result<String, Error> {
    checksum_js(key, &JsValue::parse(body)?, method)
}

/// Signs a request body in place: computes the checksum over `body` (an object)
/// and inserts `checksum` — plus `"checksumMethod": "legacy"` for the legacy
/// method. Any `checksum`/`checksumMethod` already present is replaced.
pub fn sign(
    body: &mut serde_json::Value,
    key: &Secret,
    method: ChecksumMethod,
) -> Result<(), Error> {
    let hex = checksum(key, body, method)?;
    let map = body.as_object_mut().ok_or_else(|| {
        Error::invalid(
            "checksum payload",
            "a ClickPesa checksum is computed over a JSON object",
        )
    })?;
    map.remove(CHECKSUM_METHOD_FIELD);
    if method == ChecksumMethod::Legacy {
        map.insert(
            CHECKSUM_METHOD_FIELD.to_owned(),
            serde_json::Value::from("legacy"),
        );
    }
    map.insert(CHECKSUM_FIELD.to_owned(), serde_json::Value::from(hex));
    Ok(())
}

/// Whether `claimed` (hex from a payload) is the checksum of `payload`, compared in
/// constant time. The comparison is exact, as ClickPesa's own validators compare
/// (`===` / `hash_equals`): upper-case hex does not match.
pub fn checksum_matches(
    key: &Secret,
    payload: &JsValue,
    method: ChecksumMethod,
    claimed: &str,
) -> bool {
    match checksum_js(key, payload, method) {
        Ok(expected) => crate::ct::eq(expected.as_bytes(), claimed.as_bytes()),
        Err(_) => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn legacy_joins_sorted_top_level_values() {
        let key = Secret::new("secret-key");
        let body = serde_json::json!({"currency":"TZS","amount":"1000","orderReference":"ORDER123","phoneNumber":"255712345678","x":null});
        assert_eq!(
            signed_text(&JsValue::from_serde(&body), ChecksumMethod::Legacy).unwrap(),
            "1000TZSORDER123255712345678"
        );
        let mut signed = serde_json::json!({"amount":"1000","currency":"TZS","orderReference":"ORDER123","phoneNumber":"255712345678"});
        sign(&mut signed, &key, ChecksumMethod::Legacy).unwrap();
        assert_eq!(signed["checksumMethod"], "legacy");
        assert_eq!(
            signed["checksum"],
            "0fe7644a5fdf5f7159f086a3e6f1bdb769c12072bb2813e628e6b17326b53a8c"
        );
    }

    #[test]
    fn only_objects_are_signed() {
        let key = Secret::new("k");
        assert!(checksum(&key, &serde_json::json!([1]), ChecksumMethod::Canonical).is_err());
        assert!(sign(&mut serde_json::json!("x"), &key, ChecksumMethod::Canonical).is_err());
    }
}
