//! Fuzz entry points (see `fuzz/fuzz_targets/`). Each feeds arbitrary bytes to the
//! parsers and checks invariants with `assert!`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a harness panics on purpose when an invariant breaks

use super::canonical_json::JsValue;
use super::checksum::{checksum_js, ChecksumMethod};
use super::webhook::{self, Verdict};
use crate::{PaymentStatus, Secret};

/// Webhook parsing, checksum verification and canonicalisation:
/// - canonicalisation never panics and is idempotent (canonical JSON re-parses to
///   the same canonical JSON);
/// - a body without a checksum is never [`Verdict::Valid`];
/// - an unverified webhook never reports [`PaymentStatus::Completed`];
/// - signing any object and verifying it gives [`Verdict::Valid`], and a wrong key
///   gives [`Verdict::Invalid`].
pub fn clickpesa_webhook(data: &[u8]) {
    let key = Secret::new("secret-key");
    if let Ok(value) = JsValue::parse(data) {
        let canonical = value.to_canonical_json();
        let again = JsValue::parse(canonical.as_bytes());
        assert!(
            again.is_ok(),
            "canonical JSON does not re-parse: {canonical}"
        );
        if let Ok(again) = again {
            assert_eq!(again.to_canonical_json(), canonical);
        }
        let _ = checksum_js(&key, &value, ChecksumMethod::Legacy);
        if matches!(value, JsValue::Object(_)) {
            let stripped = value.without(&["checksum", "checksumMethod"]);
            if let Ok(hex) = checksum_js(&key, &stripped, ChecksumMethod::Canonical) {
                let inner = stripped.to_canonical_json();
                let signed = if inner == "{}" {
                    format!("{{\"checksum\":\"{hex}\"}}")
                } else {
                    format!("{},\"checksum\":\"{hex}\"}}", &inner[..inner.len() - 1])
                };
                if let Ok(wh) = webhook::parse(signed.as_bytes()) {
                    assert_eq!(wh.verdict(&key), Verdict::Valid, "{signed}");
                    assert_eq!(wh.verdict(&Secret::new("other-key")), Verdict::Invalid);
                    assert!(wh.verify(&key).is_ok());
                }
            }
        }
    }
    if let Ok(wh) = webhook::parse(data) {
        let verdict = wh.verdict(&key);
        if !wh.is_signed() {
            assert_eq!(verdict, Verdict::Unsigned);
            assert_ne!(wh.verdict_with_header(&key, None), Verdict::Valid);
        }
        assert_ne!(wh.status(), PaymentStatus::Completed);
        match wh.verify(&key) {
            Ok(v) => {
                assert_eq!(verdict, Verdict::Valid, "{:?}", v.event_name());
                let _ = v.dedupe_key().to_string();
            }
            Err(_) => assert_ne!(verdict, Verdict::Valid),
        }
    }
}
