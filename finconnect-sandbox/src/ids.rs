//! Identifiers and timestamps in the formats each provider uses.

use rand::Rng;
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// A random RFC 4122 version-4 GUID from the thread RNG: version nibble `4`, variant
/// `8`/`9`/`a`/`b`.
fn uuid_v4() -> uuid::Uuid {
    uuid_from_random(rand::thread_rng().gen())
}

/// The version-4 GUID made of 16 random bytes (the builder overwrites the version and
/// variant bits).
fn uuid_from_random(bytes: [u8; 16]) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A random GUID, lower-case with dashes (PesaPal order tracking and IPN ids, the
/// AzamPay `mnoreference` seen in real callbacks).
pub(crate) fn guid() -> String {
    uuid_v4().hyphenated().to_string()
}

/// A random GUID as 32 lower-case hex digits without dashes (.NET "N" format: AzamPay
/// transaction ids).
pub(crate) fn guid_simple() -> String {
    uuid_v4().simple().to_string()
}

/// 32 random lower-case hex characters (trace ids, token ids).
pub(crate) fn hex32() -> String {
    let b: [u8; 16] = rand::thread_rng().gen();
    hex(&b)
}

/// `n` random upper-case alphanumerics.
pub(crate) fn upper_alnum(n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// `n` random decimal digits.
pub(crate) fn digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn utc(t: SystemTime) -> OffsetDateTime {
    OffsetDateTime::from(t)
}

/// .NET round-trip UTC: `2024-03-18T16:25:45.7793772Z` (PesaPal `expiryDate`, IPN `created_date`).
pub(crate) fn dotnet_utc(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.nanosecond() / 100
    )
}

/// East Africa Time without offset and with a variable fraction: `2024-03-18T18:25:46.75`
/// (PesaPal transaction `created_date`).
pub(crate) fn pesapal_local(t: SystemTime) -> String {
    let d = utc(t + Duration::from_secs(3 * 3600));
    let mut frac = format!("{:03}", d.millisecond());
    while frac.len() > 1 && frac.ends_with('0') {
        frac.pop();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        frac
    )
}

/// ISO-8601 UTC seconds: `2023-03-02T04:21:29Z` (AzamPay `expire`, exchange-rate dates).
pub(crate) fn iso_seconds(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// ISO-8601 UTC with milliseconds: `2024-04-10T18:22:16.949Z` (ClickPesa timestamps).
pub(crate) fn iso_millis(t: SystemTime) -> String {
    let d = utc(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.millisecond()
    )
}

/// Seconds since the UNIX epoch.
pub(crate) fn epoch_secs(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A JWT-shaped HS256 token over `claims`, signed with a fixed sandbox secret.
/// Clients must treat it as opaque; it only has to look like the real thing.
pub(crate) fn jwt(claims: &crate::json::Json) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_text());
    let signing_input = format!("{header}.{payload}");
    let signature = match Hmac::<sha2::Sha256>::new_from_slice(b"finconnect-sandbox-jwt-TEST-ONLY")
    {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_710_775_545_779);
        assert_eq!(dotnet_utc(t), "2024-03-18T15:25:45.7790000Z");
        assert_eq!(pesapal_local(t), "2024-03-18T18:25:45.779");
        assert_eq!(iso_seconds(t), "2024-03-18T15:25:45Z");
        assert_eq!(iso_millis(t), "2024-03-18T15:25:45.779Z");
        assert_eq!(guid().len(), 36);
        assert_eq!(guid_simple().len(), 32);
        assert_eq!(hex32().len(), 32);
    }

    const GUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
    const GUID_SIMPLE: &str = "^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$";

    proptest::proptest! {
        /// Whatever the RNG draws, the id is a well-formed version-4 GUID.
        #[test]
        fn every_draw_is_a_version_4_guid(bytes in proptest::array::uniform16(proptest::num::u8::ANY)) {
            let guid = regex::Regex::new(GUID).unwrap();
            let simple = regex::Regex::new(GUID_SIMPLE).unwrap();
            let id = uuid_from_random(bytes);
            let hyphenated = id.hyphenated().to_string();
            proptest::prop_assert!(guid.is_match(&hyphenated), "{}", hyphenated);
            let plain = id.simple().to_string();
            proptest::prop_assert!(simple.is_match(&plain), "{}", plain);
        }
    }

    #[test]
    fn generated_ids_are_version_4_guids() {
        let guid_re = regex::Regex::new(GUID).unwrap();
        let simple_re = regex::Regex::new(GUID_SIMPLE).unwrap();
        for _ in 0..2000 {
            let g = guid();
            assert!(guid_re.is_match(&g), "{g}");
            let s = guid_simple();
            assert!(simple_re.is_match(&s), "{s}");
        }
    }
}
