//! ClickPesa payload checksums, written independently of finconnect-proto.
//!
//! Canonical method (default since January 2026): drop top-level `checksum` and
//! `checksumMethod`, sort object keys recursively (by UTF-16 code unit, as JavaScript's
//! `Array.prototype.sort` does), serialise exactly like `JSON.stringify`, HMAC-SHA256 with the
//! checksum key, lower-case hex. Legacy method: sort top-level keys and concatenate
//! `String(value)` of each value.

use hmac::{Hmac, Mac};
use serde_json::{Map, Number, Value};
use sha2::Sha256;

/// Appends `s` as a JSON string literal, escaped like `JSON.stringify`.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number as JavaScript's `Number::toString` writes it.
pub(crate) fn js_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    js_f64(f)
}

fn js_f64(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    if f == 0.0 {
        return "0".to_string();
    }
    let abs = f.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust's Display writes the shortest round-trip digits without an exponent.
        let s = format!("{f}");
        return s.strip_suffix(".0").map(str::to_string).unwrap_or(s);
    }
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => s,
    }
}

fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Canonical compact JSON of a value, keys sorted recursively.
pub(crate) fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, v);
    out
}

fn write_canonical(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&js_number(n)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| utf16_cmp(a, b));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                if let Some(value) = map.get(*k) {
                    write_canonical(out, value);
                }
            }
            out.push('}');
        }
    }
}

fn without_checksum(payload: &Map<String, Value>) -> Map<String, Value> {
    let mut m = payload.clone();
    m.remove("checksum");
    m.remove("checksumMethod");
    m
}

/// JavaScript `String(value)` for the legacy method.
fn js_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_string(),
    }
}

fn hmac_hex(key: &str, message: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            crate::ids::hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Canonical checksum of a payload (its `checksum`/`checksumMethod` are ignored).
pub(crate) fn canonical_checksum(key: &str, payload: &Map<String, Value>) -> String {
    hmac_hex(key, &canonical(&Value::Object(without_checksum(payload))))
}

/// Legacy checksum of a payload.
pub(crate) fn legacy_checksum(key: &str, payload: &Map<String, Value>) -> String {
    let m = without_checksum(payload);
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by(|a, b| utf16_cmp(a, b));
    let joined: String = keys
        .iter()
        .filter_map(|k| m.get(*k))
        .map(js_string)
        .collect();
    hmac_hex(key, &joined)
}

/// Whether a payload's own `checksum` is right; `None` when it carries none.
pub(crate) fn verify(key: &str, payload: &Map<String, Value>) -> Option<bool> {
    let given = payload.get("checksum")?;
    let Some(given) = given.as_str() else {
        return Some(false);
    };
    let legacy = payload
        .get("checksumMethod")
        .and_then(Value::as_str)
        .is_some_and(|m| m.eq_ignore_ascii_case("legacy"));
    let expected = if legacy {
        legacy_checksum(key, payload)
    } else {
        canonical_checksum(key, payload)
    };
    // Constant-time enough for a simulator; exact (lower-case) comparison as documented.
    Some(
        expected.len() == given.len()
            && expected
                .bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_vectors() {
        let ussd = json!({"amount":"1000","currency":"TZS","orderReference":"ORDER123","phoneNumber":"255712345678"});
        let Value::Object(ussd) = ussd else {
            panic!("object")
        };
        assert_eq!(
            canonical_checksum("secret-key", &ussd),
            "9d6548c3728f656cef3b7ecbdc781419cb3cf48662951666dc2187193d1b704f"
        );
        assert_eq!(
            legacy_checksum("secret-key", &ussd),
            "0fe7644a5fdf5f7159f086a3e6f1bdb769c12072bb2813e628e6b17326b53a8c"
        );
    }

    #[test]
    fn js_numbers() {
        let cases = [
            (1000.0, "1000"),
            (100.5, "100.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (-2.0, "-2"),
        ];
        for (f, s) in cases {
            assert_eq!(js_f64(f), s);
        }
    }
}

#[cfg(test)]
mod vector_tests {
    use super::*;

    /// Every case of the project's checksum vectors (copied into `tests/fixtures`).
    #[test]
    fn all_vectors() {
        let doc: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/clickpesa-checksum.json"))
                .expect("vector file parses");
        let cases = doc["cases"].as_array().expect("cases");
        assert!(cases.len() >= 20);
        for case in cases {
            let name = case["name"].as_str().expect("name");
            let key = case["key"].as_str().expect("key");
            let payload = match case.get("payload_raw").and_then(Value::as_str) {
                Some(raw) => serde_json::from_str(raw).expect("raw payload"),
                None => case["payload"].clone(),
            };
            let Value::Object(payload) = payload else {
                panic!("{name}: payload is not an object")
            };
            let got = match case["method"].as_str() {
                Some("legacy") => legacy_checksum(key, &payload),
                _ => {
                    let canon = canonical(&Value::Object(without_checksum(&payload)));
                    assert_eq!(
                        Some(canon.as_str()),
                        case["canonical_string"].as_str(),
                        "{name}"
                    );
                    canonical_checksum(key, &payload)
                }
            };
            assert_eq!(Some(got.as_str()), case["checksum"].as_str(), "{name}");
        }
        for case in doc["verify_cases"].as_array().expect("verify cases") {
            let name = case["name"].as_str().expect("name");
            let key = case["key"].as_str().expect("key");
            let Value::Object(body) = case["body"].clone() else {
                panic!("{name}: body")
            };
            let expected = match case["expect"].as_str() {
                Some("valid") => Some(true),
                Some("invalid") => Some(false),
                _ => None,
            };
            assert_eq!(verify(key, &body), expected, "{name}");
        }
    }
}
