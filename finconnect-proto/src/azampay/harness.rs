//! Fuzz entry points (see `fuzz/fuzz_targets/`). Each feeds arbitrary bytes to the
//! parsers and asserts the invariants that must hold for every input.

use super::callback::{parse_callback, CallbackPolicy, Checked, Verdict};
use super::public_key::{parse_public_key_response, AzampayPublicKey};
use super::verifier::{RsaVerifier, Verifier};
use super::{GenerateToken, TransactionStatus};
use super::{GetPaymentPartners, GetPublicKey, MnoCheckout, MnoProvider, PostCheckout};
use crate::{Currency, Money, Operation};
use std::sync::OnceLock;

/// The project's test key from the reference's vectors (not AzamPay's).
const TEST_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1v7sHLV+K/Vujij1LZpP
kehYRioruB+dJKo+aB7nyPV2haWqnKuuKrOP/SEfm8BLa+ZzooDNUF9cgfmfG+50
yoM7sI3CjFN4YiPZX58vxhFsQAu+nEk2hKQ0nr0RGdoxgcz19MkgbbKQwzNBza0R
ZUAW5tMVkChljtrRUptmg4/2KmwCA6pQMt6ffHnd5eZJXkdDHupBAywBYGRMn+6q
BbIMu500QtVxpL1vyRDU3Zr+Aw8nlQ3cEKeotU5AYwyp0PfmVIPu+Q2b95yqh63N
VLL6Bz4mJMO5K7g77QtpTFRChgXeDeRztQ7TCoqHhF6BRVwfkyNbCLj5RfLQpFgY
rwIDAQAB
-----END PUBLIC KEY-----
";

fn test_key() -> Option<&'static AzampayPublicKey> {
    static KEY: OnceLock<Option<AzampayPublicKey>> = OnceLock::new();
    KEY.get_or_init(|| AzampayPublicKey::parse(TEST_KEY_PEM).ok())
        .as_ref()
}

fn response(status: u16, data: &[u8]) -> Option<http::Response<Vec<u8>>> {
    http::Response::builder()
        .status(status)
        .body(data.to_vec())
        .ok()
}

/// Parses `data` as a callback, verifies it with a fixed key, and checks: an
/// unsigned body is never Valid; only Valid yields a verified callback; no policy
/// trusts an unverified one; parse → JSON → parse gives the same event and verdict.
/// Also feeds `data` to the public-key and response parsers (no panics).
pub fn azampay_callback(data: &[u8]) {
    if let Ok(cb) = super::parse_disbursement_callback(data) {
        let _ = (cb.claimed_status(), cb.dedupe_key());
    }
    let _ = parse_public_key_response(data);
    let _ = AzampayPublicKey::parse(&String::from_utf8_lossy(data));
    for status in [200u16, 400, 423, 500] {
        if let Some(r) = response(status, data) {
            if let Ok(op) = MnoCheckout::new(
                "255712345678",
                Money::from_minor(100_000, Currency::TZS),
                "ORD-1",
                MnoProvider::Airtel,
            ) {
                let _ = op.from_response(r.clone());
            }
            let _ = GenerateToken.from_response(r.clone());
            let _ = GetPaymentPartners.from_response(r.clone());
            let _ = GetPublicKey::default().from_response(r.clone());
            if let Ok(op) = TransactionStatus::new("t", MnoProvider::Mpesa) {
                let _ = op.from_response(r.clone());
            }
            let _ = super::hosted::parse_post_checkout(&r);
            let _ = std::mem::size_of::<PostCheckout>();
        }
    }

    let Some(key) = test_key() else {
        panic!("the embedded test key must parse");
    };
    let verifier = RsaVerifier::new(key);
    let Ok(event) = parse_callback(data) else {
        return;
    };
    let verdict = event.verdict(&verifier);
    if event.signature().is_none() {
        assert_ne!(
            verdict,
            Verdict::Valid,
            "a body without a string signature was Valid"
        );
    }
    if verdict == Verdict::Valid {
        assert!(event.signature().is_some_and(|s| !s.is_empty()));
    }
    #[cfg(feature = "ring")]
    if let Ok(ring) = super::verifier::RingVerifier::new(key) {
        assert_eq!(event.verdict(&ring), verdict, "backends disagree");
    }
    let _ = verifier.backend();

    // Round trip.
    let json = event.to_json();
    let Ok(bytes) = serde_json::to_vec(&json) else {
        panic!("an event always serialises");
    };
    if bytes.len() <= crate::wire::MAX_CALLBACK_BODY {
        match parse_callback(&bytes) {
            Ok(again) => {
                assert_eq!(again, event, "parse → JSON → parse changed the event");
                assert_eq!(again.verdict(&verifier), verdict);
            }
            Err(e) => panic!("re-parsing our own JSON failed: {e}"),
        }
    }
    let _ = event.status_query();
    let _ = event.amount_tzs();

    let checked = event.check(&verifier);
    assert_eq!(checked.verdict(), verdict);
    if verdict != Verdict::Valid {
        assert!(!matches!(checked, Checked::Valid(_)));
        for policy in [
            CallbackPolicy::ConfirmUnverified,
            CallbackPolicy::RequireSignature,
            CallbackPolicy::TriggerOnly,
        ] {
            assert!(
                !matches!(checked.clone().apply(policy), Ok(Some(_))),
                "an unverified callback was trusted"
            );
        }
    }
}
