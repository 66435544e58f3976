//! Canonical JSON exactly as ClickPesa's JavaScript writes it for its checksums.

use crate::Error;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The deepest nesting [`JsValue::parse`] accepts.
pub const MAX_JSON_DEPTH: usize = 64;

/// A JSON value as JavaScript holds it, so that its canonical JSON is byte for
/// byte what ClickPesa's JavaScript writes.
///
/// ClickPesa computes a checksum over `JSON.stringify(canonicalize(payload))`,
/// where `canonicalize` rebuilds every object by assigning
/// `sorted[key] = canonicalize(obj[key])` for each key of
/// `Object.keys(obj).sort()` (arrays are mapped element by element). To be
/// byte-exact with that for every payload a JavaScript sender can produce, this
/// module models the payload the way JavaScript holds it, in [`JsValue`].
///
/// # What is matched
///
/// - **Strings** are sequences of UTF-16 code units (`Vec<u16>`), as in
///   JavaScript. A lone surrogate (`"\ud83d"`, e.g. a truncated emoji in a
///   customer name) is valid JSON: [`JsValue::parse`] keeps it as the single code
///   unit `JSON.parse` keeps, and it is written back as `JSON.stringify`
///   (ECMAScript 2019+, "well-formed") writes it: a lower-case `\udXXX` escape.
///   Otherwise only `"`, `\` and the control characters below U+0020 are escaped
///   (`\b \f \n \r \t` short, the others as lower-case `\u00XX`); everything else
///   — non-ASCII letters, emoji, U+2028/U+2029, `/`, `<`, `>`, `&`, U+007F — is
///   written as raw UTF-8.
/// - **Key order** follows the rebuilt object's `OrdinaryOwnPropertyKeys`:
///   *array-index* keys (`"0"`, `"7"`, `"42"`, … up to 2³² − 2, no leading zeros)
///   come first in ascending numeric order, then every other key in
///   `Array.prototype.sort()` order, i.e. by UTF-16 code unit (which differs from
///   code-point and byte order for keys mixing characters above U+FFFF with
///   U+E000–U+FFFF). So `{"b":1,"10":2,"9":3}` canonicalises to
///   `{"9":3,"10":2,"b":1}`.
/// - **`__proto__` keys vanish.** In `canonicalize`, `sorted["__proto__"] = v`
///   does not create a property: for an object, array or `null` value it replaces
///   the new object's prototype, and for a string, number or boolean it is
///   ignored. Either way `JSON.stringify` (own properties only) never writes the
///   key, at any depth, so neither does this module — and a `__proto__` value is
///   therefore *not covered* by the checksum ([`JsValue::to_serde`] drops it too).
/// - **Numbers** are one IEEE-754 double, like a JavaScript `Number`, written
///   with `Number::toString` ([`js_number_to_string`], the `ryu-js` crate): the
///   fewest digits that read back to the same double and, when two equally short
///   digit strings are equally close (an exact tie such as
///   `562949953421312.25`), the even one (`…312.2`), as V8 writes it. Fixed
///   notation for 10⁻⁶ ≤ |x| < 10²¹, otherwise `1e+21` / `1.5e-7`; `-0` ⇒ `0`.
///   Number text is read as `JSON.parse` reads it, with Rust's correctly rounded
///   `str::parse::<f64>`: `1.0`, `1E2`, `0.10`, `-0.0`, an integer above 2⁵³ or a
///   subnormal all become the double JavaScript would hold.
///
/// # What is refused, and why
///
/// [`JsValue::parse`] returns an error (never a guess) for:
/// - **Numbers beyond the double range** — text such as `1e400` or
///   `1.8e308` that rounds to ±Infinity. `JSON.parse` would hold `Infinity`
///   and `JSON.stringify` would write it as `null`, but no JavaScript sender can
///   produce such text (`JSON.stringify` never writes it); accepting it would make
///   `1e400` and `null` indistinguishable under one checksum.
/// - **Duplicate keys in the top-level object.** `JSON.stringify` never writes
///   duplicates, and the top level carries `checksum`, `checksumMethod`, `event`
///   and `data`, where receivers that disagree on which copy counts could be
///   told two different stories under one checksum. Duplicates deeper down keep
///   the last value, as `JSON.parse` does.
/// - **Nesting deeper than [`MAX_JSON_DEPTH`]** levels, to bound the work an
///   untrusted body can cause. JavaScript could nest deeper; ClickPesa payloads
///   nest three levels.
/// - Anything `JSON.parse` refuses (not RFC 8259 JSON), and bytes that are not
///   UTF-8 (a JavaScript sender's text always is: lone surrogates travel as
///   `\u` escapes).
///
/// # Two ways in
///
/// - [`JsValue::parse`] reads raw JSON bytes with its own strict parser, as
///   described above: what a webhook receiver should use.
/// - [`JsValue::from_serde`] converts a [`serde_json::Value`] (what request
///   builders use). `serde_json` keeps integers as `u64`/`i64` and everything else
///   as `f64`; both become the double JavaScript would hold (an integer above 2⁵³
///   is rounded to the nearest double, as `JSON.parse` would). `serde_json`'s own
///   text-to-`f64` conversion is only guaranteed exact for up to 15 significant
///   digits without its `float_roundtrip` feature, which is why bytes received
///   from outside go through [`JsValue::parse`] instead.
#[derive(Clone, Debug, PartialEq)]
pub enum JsValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A double (`Infinity` when the text overflowed).
    Number(f64),
    /// A string as UTF-16 code units.
    String(Vec<u16>),
    /// An array.
    Array(Vec<JsValue>),
    /// An object: keys (UTF-16) and values, in the order first seen, no duplicates.
    /// A `__proto__` key may be held here; it is never written (see [`JsValue`]).
    Object(Vec<(Vec<u16>, JsValue)>),
}

impl JsValue {
    /// Converts a `serde_json` value into the value JavaScript would hold.
    pub fn from_serde(value: &serde_json::Value) -> JsValue {
        match value {
            serde_json::Value::Null => JsValue::Null,
            serde_json::Value::Bool(b) => JsValue::Bool(*b),
            serde_json::Value::Number(n) => JsValue::Number(number_to_f64(n)),
            serde_json::Value::String(s) => JsValue::String(s.encode_utf16().collect()),
            serde_json::Value::Array(items) => {
                JsValue::Array(items.iter().map(JsValue::from_serde).collect())
            }
            serde_json::Value::Object(map) => JsValue::Object(
                map.iter()
                    .map(|(k, v)| (k.encode_utf16().collect(), JsValue::from_serde(v)))
                    .collect(),
            ),
        }
    }

    /// The value as `serde_json` holds it, for reading typed fields: exactly what
    /// the canonical JSON (and so the checksum) covers. `__proto__` keys are left
    /// out (a checksum never vouches for them); a lone surrogate becomes U+FFFD
    /// (a Rust `String` cannot hold one); an integral double within the `i64` or
    /// `u64` range becomes that integer, any other double an `f64`.
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            JsValue::Null => serde_json::Value::Null,
            JsValue::Bool(b) => serde_json::Value::Bool(*b),
            JsValue::Number(x) => f64_to_serde(*x),
            JsValue::String(units) => serde_json::Value::String(String::from_utf16_lossy(units)),
            JsValue::Array(items) => {
                serde_json::Value::Array(items.iter().map(JsValue::to_serde).collect())
            }
            JsValue::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .filter(|(k, _)| !is_proto_key(k))
                    .map(|(k, v)| (String::from_utf16_lossy(k), v.to_serde()))
                    .collect(),
            ),
        }
    }

    /// Parses raw JSON bytes strictly: RFC 8259 as `JSON.parse` reads it, UTF-8,
    /// nesting at most [`MAX_JSON_DEPTH`], no duplicate key in the top-level object, no
    /// number beyond the double range (see [`JsValue`]). Never panics.
    pub fn parse(bytes: &[u8]) -> Result<JsValue, Error> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| Error::decode("JSON for the checksum", e, bytes, None))?;
        let mut p = Parser {
            s: text.as_bytes(),
            text,
            pos: 0,
        };
        p.ws();
        let v = p
            .value(0)
            .map_err(|reason| Error::decode("JSON for the checksum", reason, bytes, None))?;
        p.ws();
        if p.pos != p.s.len() {
            return Err(Error::decode(
                "JSON for the checksum",
                format!("unexpected data after the JSON value at byte {}", p.pos),
                bytes,
                None,
            ));
        }
        Ok(v)
    }

    /// The value of `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&JsValue> {
        match self {
            JsValue::Object(entries) => {
                let k: Vec<u16> = key.encode_utf16().collect();
                entries.iter().find(|(ek, _)| *ek == k).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The string, when this is a string of valid UTF-16.
    pub fn as_string(&self) -> Option<String> {
        match self {
            JsValue::String(units) => String::from_utf16(units).ok(),
            _ => None,
        }
    }

    /// A copy of this object without the given top-level keys (other values as is).
    pub fn without(&self, keys: &[&str]) -> JsValue {
        match self {
            JsValue::Object(entries) => {
                let drop: Vec<Vec<u16>> = keys.iter().map(|k| k.encode_utf16().collect()).collect();
                JsValue::Object(
                    entries
                        .iter()
                        .filter(|(k, _)| !drop.contains(k))
                        .cloned()
                        .collect(),
                )
            }
            other => other.clone(),
        }
    }

    /// `JSON.stringify(canonicalize(value))`: compact JSON with every object's keys
    /// sorted (see [`JsValue`]).
    pub fn to_canonical_json(&self) -> String {
        let mut out = String::new();
        write_canonical(self, &mut out);
        out
    }

    /// `String(value)` as JavaScript writes it (used by the legacy checksum):
    /// `null` ⇒ `"null"`, arrays joined with `,` (`null` elements empty), objects
    /// ⇒ `[object Object]`. Lone surrogates become U+FFFD, as Node's UTF-8
    /// encoder writes them.
    pub fn to_js_string(&self) -> String {
        match self {
            JsValue::Null => "null".to_owned(),
            JsValue::Bool(b) => b.to_string(),
            JsValue::Number(n) => js_number_to_string(*n),
            JsValue::String(units) => String::from_utf16_lossy(units),
            JsValue::Array(items) => items
                .iter()
                .map(|i| match i {
                    JsValue::Null => String::new(),
                    other => other.to_js_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            JsValue::Object(_) => "[object Object]".to_owned(),
        }
    }

    /// The object's entries in the order `canonicalize` + `JSON.stringify` write
    /// them, without `__proto__` (which `canonicalize` cannot copy); empty for
    /// anything else.
    pub fn sorted_entries(&self) -> Vec<(&[u16], &JsValue)> {
        match self {
            JsValue::Object(entries) => {
                let mut v: Vec<(&[u16], &JsValue)> = entries
                    .iter()
                    .filter(|(k, _)| !is_proto_key(k))
                    .map(|(k, v)| (k.as_slice(), v))
                    .collect();
                v.sort_by(|a, b| js_key_order(a.0, b.0));
                v
            }
            _ => Vec::new(),
        }
    }
}

/// The double JavaScript holds for a `serde_json` number.
fn number_to_f64(n: &serde_json::Number) -> f64 {
    if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        n.as_f64().unwrap_or(f64::NAN)
    }
}

/// A double as a `serde_json` number: integral values in the `i64`/`u64` range
/// as integers, others as `f64`; `null` for a non-finite value (which
/// [`JsValue::parse`] never produces).
fn f64_to_serde(x: f64) -> serde_json::Value {
    // 2⁶³ and 2⁶⁴ are exact doubles; the casts below are exact inside the ranges.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if x.fract() == 0.0 && (-TWO_63..TWO_63).contains(&x) {
        serde_json::Value::from(x as i64)
    } else if x.fract() == 0.0 && (0.0..TWO_64).contains(&x) {
        serde_json::Value::from(x as u64)
    } else {
        serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// `"__proto__"` in UTF-16.
const PROTO_KEY: [u16; 9] = [
    0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f, // __proto__
];

/// Whether `key` is `__proto__`, which `canonicalize`'s assignment drops.
fn is_proto_key(key: &[u16]) -> bool {
    key == PROTO_KEY
}

/// The key order of a rebuilt JavaScript object: array indices first (numeric),
/// then the others by UTF-16 code unit.
fn js_key_order(a: &[u16], b: &[u16]) -> Ordering {
    match (array_index(a), array_index(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The value of an ECMAScript array-index key (`"0"`, `"12"`; < 2³² − 1).
fn array_index(key: &[u16]) -> Option<u64> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == u16::from(b'0')) {
        return None;
    }
    let mut v: u64 = 0;
    for &u in key {
        if !(u16::from(b'0')..=u16::from(b'9')).contains(&u) {
            return None;
        }
        v = v * 10 + u64::from(u - u16::from(b'0'));
    }
    (v < u64::from(u32::MAX)).then_some(v)
}

fn write_canonical(v: &JsValue, out: &mut String) {
    match v {
        JsValue::Null => out.push_str("null"),
        JsValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsValue::Number(n) => {
            if n.is_finite() {
                out.push_str(&js_number_to_string(*n));
            } else {
                out.push_str("null");
            }
        }
        JsValue::String(units) => write_js_string(units, out),
        JsValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        JsValue::Object(_) => {
            out.push('{');
            for (i, (k, item)) in v.sorted_entries().into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_js_string(k, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

/// `QuoteJSONString` of ECMAScript 2019+ (well-formed `JSON.stringify`).
fn write_js_string(units: &[u16], out: &mut String) {
    out.push('"');
    for item in char::decode_utf16(units.iter().copied()) {
        match item {
            Ok(c) => match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            },
            Err(lone) => out.push_str(&format!("\\u{:04x}", lone.unpaired_surrogate())),
        }
    }
    out.push('"');
}

/// `Number.prototype.toString()` for a double, as ECMAScript specifies it
/// (`Number::toString`, radix 10) and V8 writes it: the fewest significant digits
/// that read back to the same double — of two equally short candidates equally
/// close to the value, the even one — in fixed notation for 10⁻⁶ ≤ |x| < 10²¹
/// and as `d.ddde±x` otherwise. Formatting is the `ryu-js` crate's (the Boa
/// engine's).
///
/// ```
/// use finconnect_proto::clickpesa::js_number_to_string;
/// assert_eq!(js_number_to_string(1000.0), "1000");
/// assert_eq!(js_number_to_string(1047.1), "1047.1");
/// assert_eq!(js_number_to_string(1e21), "1e+21");
/// assert_eq!(js_number_to_string(1.5e-7), "1.5e-7");
/// assert_eq!(js_number_to_string(0.000001), "0.000001");
/// assert_eq!(js_number_to_string(-0.0), "0");
/// // An exact tie between two 16-digit forms: the even digit, as V8 writes it.
/// assert_eq!(js_number_to_string(562949953421312.25), "562949953421312.2");
/// ```
pub fn js_number_to_string(x: f64) -> String {
    ryu_js::Buffer::new().format(x).to_owned()
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn expect_word(&mut self, word: &str, v: JsValue) -> Result<JsValue, String> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(format!("unexpected token at byte {}", self.pos))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsValue, String> {
        if depth > MAX_JSON_DEPTH {
            return Err(format!("nested deeper than {MAX_JSON_DEPTH} levels"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(JsValue::String),
            Some(b't') => self.expect_word("true", JsValue::Bool(true)),
            Some(b'f') => self.expect_word("false", JsValue::Bool(false)),
            Some(b'n') => self.expect_word("null", JsValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(format!("unexpected token at byte {}", self.pos)),
            None => Err("unexpected end of input".to_owned()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsValue, String> {
        self.pos += 1;
        let mut entries: Vec<(Vec<u16>, JsValue)> = Vec::new();
        let mut index: HashMap<Vec<u16>, usize> = HashMap::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsValue::Object(entries));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(format!("expected a key at byte {}", self.pos));
            }
            let key_at = self.pos;
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(format!("expected ':' at byte {}", self.pos));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            match index.get(&key) {
                // Refused on purpose at the top level (see `JsValue`).
                Some(_) if depth == 0 => {
                    return Err(format!(
                        "duplicate key {:?} in the top-level object at byte {key_at} \
                         (refused: receivers could disagree on which copy counts)",
                        String::from_utf16_lossy(&key)
                    ))
                }
                // `JSON.parse` keeps the first position and the last value.
                Some(&i) => {
                    if let Some(slot) = entries.get_mut(i) {
                        slot.1 = v;
                    }
                }
                None => {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, v));
                }
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsValue::Object(entries));
                }
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsValue, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsValue::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsValue::Array(items));
                }
                _ => return Err(format!("expected ',' or ']' at byte {}", self.pos)),
            }
        }
    }

    fn string(&mut self) -> Result<Vec<u16>, String> {
        self.pos += 1;
        let mut out: Vec<u16> = Vec::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // `start..pos` lies between ASCII bytes of valid UTF-8: a char boundary.
            let chunk = self
                .text
                .get(start..self.pos)
                .ok_or_else(|| "invalid UTF-8 boundary".to_owned())?;
            out.extend(chunk.encode_utf16());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self
                        .peek()
                        .ok_or_else(|| "unterminated escape".to_owned())?;
                    self.pos += 1;
                    let unit = match esc {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.pos..self.pos + 4)
                                .ok_or_else(|| "short \\u escape".to_owned())?;
                            let hex = std::str::from_utf8(hex)
                                .map_err(|_| "bad \\u escape".to_owned())?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return Err(format!("bad \\u escape at byte {}", self.pos));
                            }
                            self.pos += 4;
                            u16::from_str_radix(hex, 16).map_err(|_| "bad \\u escape".to_owned())?
                        }
                        _ => return Err(format!("bad escape at byte {}", self.pos - 1)),
                    };
                    out.push(unit);
                }
                Some(_) => {
                    return Err(format!(
                        "control character in a string at byte {}",
                        self.pos
                    ))
                }
                None => return Err("unterminated string".to_owned()),
            }
        }
    }

    fn number(&mut self) -> Result<JsValue, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(format!("bad number at byte {start}")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(format!("bad number at byte {start}"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(format!("bad number at byte {start}"));
            }
            self.digits();
        }
        let text = self
            .text
            .get(start..self.pos)
            .ok_or_else(|| "bad number".to_owned())?;
        let x = text
            .parse::<f64>()
            .map_err(|e| format!("bad number {text:?}: {e}"))?;
        if x.is_infinite() {
            return Err(format!(
                "number at byte {start} is beyond the largest double (no JavaScript \
                 sender writes one; JSON.parse would read Infinity)"
            ));
        }
        Ok(JsValue::Number(x))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        JsValue::parse(text.as_bytes()).unwrap().to_canonical_json()
    }

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        for (x, want) in [
            (1000.0, "1000"),
            (100.5, "100.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (1.2345e-6, "0.0000012345"),
            (-47.1, "-47.1"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740993.0, "9007199254740992"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(js_number_to_string(x), want, "{x:e}");
        }
        assert_eq!(js_number_to_string(f64::INFINITY), "Infinity");
    }

    #[test]
    fn parses_number_text_like_json_parse() {
        assert_eq!(
            canon(r#"{"a":1000.0,"b":1e3,"c":-0,"d":1E+2}"#),
            r#"{"a":1000,"b":1000,"c":0,"d":100}"#
        );
        assert_eq!(
            canon("[12345678901234567890,9007199254740993,1.0,0.10,-0.0,1E2]"),
            "[12345678901234567000,9007199254740992,1,0.1,0,100]"
        );
        assert_eq!(
            canon("[4.9e-324,2.2250738585072011e-308]"),
            "[5e-324,2.225073858507201e-308]"
        );
        assert_eq!(
            canon("[1.7976931348623157e308,1.7976931348623158e308]"),
            "[1.7976931348623157e+308,1.7976931348623157e+308]"
        );
        assert_eq!(canon("[0.00000015,1e21]"), "[1.5e-7,1e+21]");
    }

    #[test]
    fn strings_follow_quote_json_string() {
        assert_eq!(
            canon(r#"["\u00f6\/<&>","\ud83d\ude00","\ud800x","\u001F\u007f"]"#),
            "[\"ö/<&>\",\"😀\",\"\\ud800x\",\"\\u001f\u{7f}\"]"
        );
    }

    #[test]
    fn keys_sort_by_utf16_with_array_indices_first() {
        assert_eq!(
            canon(r#"{"b":1,"10":2,"9":3,"01":4,"a":{"z":1,"y":[{"d":1,"c":2}]}}"#),
            r#"{"9":3,"10":2,"01":4,"a":{"y":[{"c":2,"d":1}],"z":1},"b":1}"#
        );
        assert_eq!(
            canon("{\"Ａ\":1,\"😀\":2,\"z\":3}"),
            "{\"z\":3,\"😀\":2,\"Ａ\":1}"
        );
        assert_eq!(
            canon(r#"{"4294967295":1,"4294967294":2}"#),
            r#"{"4294967294":2,"4294967295":1}"#
        );
        assert_eq!(
            canon(r#"{"x":{"a":1,"b":0,"a":2}}"#),
            r#"{"x":{"a":2,"b":0}}"#
        );
    }

    #[test]
    // The tie literals are exact doubles; the lint only sees their shortest form.
    #[allow(clippy::excessive_precision)]
    fn exact_ties_take_the_even_digit_as_v8_does() {
        // Each value lies exactly halfway between two equally short decimal forms.
        for (x, want) in [
            (562949953421312.25, "562949953421312.2"),
            (562949953421312.75, "562949953421312.8"),
            (1125899906842624.5, "1125899906842624.5"),
            (2251799813685248.5, "2251799813685248.5"),
            (4503599627370497.0, "4503599627370497"),
            (0.5, "0.5"),
        ] {
            assert_eq!(js_number_to_string(x), want, "{x:e}");
        }
        assert_eq!(
            canon(r#"{"event":"X","data":{"n":562949953421312.25}}"#),
            r#"{"data":{"n":562949953421312.2},"event":"X"}"#
        );
    }

    #[test]
    fn lone_surrogates_read_and_write_as_json_parse_and_stringify() {
        let v =
            JsValue::parse(br#"{"name":"Jo\ud83d","t":"\uDE00x","pair":"\ud83d\ude00"}"#).unwrap();
        assert_eq!(
            v.get("name"),
            Some(&JsValue::String(vec![0x4a, 0x6f, 0xd83d]))
        );
        assert_eq!(
            v.to_canonical_json(),
            "{\"name\":\"Jo\\ud83d\",\"pair\":\"😀\",\"t\":\"\\ude00x\"}"
        );
        // The typed view cannot hold the lone unit: U+FFFD.
        assert_eq!(v.to_serde()["name"], "Jo\u{fffd}");
        // A lone surrogate key sorts by its code unit.
        assert_eq!(
            canon(r#"{"\uffff":1,"\ud800":2}"#),
            "{\"\\ud800\":2,\"\u{ffff}\":1}"
        );
    }

    #[test]
    fn proto_keys_vanish_whatever_their_value() {
        for value in [r#"{"a":1}"#, "null", "[1]", "5", r#""s""#, "true", "{}"] {
            let text =
                format!(r#"{{"b":2,"__proto__":{value},"A":{{"__proto__":{value},"z":0}}}}"#);
            assert_eq!(canon(&text), r#"{"A":{"z":0},"b":2}"#, "{value}");
            let typed = JsValue::parse(text.as_bytes()).unwrap().to_serde();
            assert_eq!(typed, serde_json::json!({"A": {"z": 0}, "b": 2}), "{value}");
        }
        // Only the exact key: look-alikes stay.
        assert_eq!(
            canon(r#"{"__proto":1,"__PROTO__":2,"_proto_":3}"#),
            r#"{"__PROTO__":2,"__proto":1,"_proto_":3}"#
        );
    }

    #[test]
    fn refuses_what_no_javascript_sender_writes_on_purpose() {
        for bad in [
            "[1e400]",
            "[-1e400]",
            "{\"a\":1.8e308}",
            r#"{"a":1,"a":1}"#,
            r#"{"checksum":"x","b":{},"checksum":"y"}"#,
        ] {
            assert!(JsValue::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let at_limit = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH + 1),
            "]".repeat(MAX_JSON_DEPTH + 1)
        );
        assert!(JsValue::parse(at_limit.as_bytes()).is_ok());
        let too_deep = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH + 2),
            "]".repeat(MAX_JSON_DEPTH + 2)
        );
        assert!(JsValue::parse(too_deep.as_bytes()).is_err());
    }

    #[test]
    fn typed_view_keeps_integers_exact() {
        let v =
            JsValue::parse(br#"{"a":1000.0,"b":-7,"c":1047.1,"d":18446744073709549568,"e":1e20}"#)
                .unwrap()
                .to_serde();
        assert_eq!(v["a"].as_i64(), Some(1000));
        assert_eq!(v["b"].as_i64(), Some(-7));
        assert_eq!(v["c"].as_f64(), Some(1047.1));
        assert_eq!(v["d"].as_u64(), Some(18446744073709549568));
        assert_eq!(v["e"].as_f64(), Some(1e20));
    }

    #[test]
    fn refuses_bad_json_without_panicking() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"\\u12\"",
            "tru",
            "{} x",
            "\"a\u{1}\"",
        ] {
            assert!(JsValue::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(JsValue::parse(&[b'"', 0xff, b'"']).is_err());
        let deep = "[".repeat(MAX_JSON_DEPTH + 2);
        assert!(JsValue::parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn legacy_strings_follow_string_conversion() {
        let v = JsValue::parse(br#"[null,true,1.0,"x",[1,null,[2]],{"a":1}]"#).unwrap();
        let JsValue::Array(items) = v else { panic!() };
        let got: Vec<String> = items.iter().map(JsValue::to_js_string).collect();
        assert_eq!(got, ["null", "true", "1", "x", "1,,2", "[object Object]"]);
    }
}
