//! Fuzz entry points (see `fuzz/fuzz_targets/`). Each feeds arbitrary bytes to the
//! parsers and asserts the invariants that must hold for every input.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a harness panics on purpose when an invariant breaks

use super::callback::{parse_callback, CallbackPolicy, Checked, Verdict};
use super::public_key::{parse_public_key_response, AzampayPublicKey};
use super::verifier::{RsaVerifier, Verifier};
use super::{
    BankCheckout, BankProvider, Disburse, DisbursementStatus, GenerateToken, GetPaymentPartners,
    GetPublicKey, KeyFormat, MnoCheckout, MnoProvider, NameLookup, Party, PostCheckout,
    TransactionStatus, Wallet,
};
use crate::harness::check_error;
use crate::{Currency, HttpsUrl, Money, Operation, UrlPolicy};
use std::sync::OnceLock;

/// The project's test key (not AzamPay's): the one the signed test vectors use.
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

/// The backend the harness verifies with: `ring` when the core has it (the fuzz
/// workspace turns it on: ~14× faster per signature, so fuzzing spends its time
/// in the parsers, not in big-number arithmetic), else the pure-Rust one.
#[cfg(feature = "ring")]
type FuzzVerifier = super::verifier::RingVerifier;
#[cfg(not(feature = "ring"))]
type FuzzVerifier = RsaVerifier;

/// The verifier for the test key, built once (not per input).
fn verifier() -> Option<&'static FuzzVerifier> {
    static VERIFIER: OnceLock<Option<FuzzVerifier>> = OnceLock::new();
    VERIFIER
        .get_or_init(|| test_key().and_then(fuzz_verifier))
        .as_ref()
}

#[cfg(feature = "ring")]
fn fuzz_verifier(key: &AzampayPublicKey) -> Option<FuzzVerifier> {
    FuzzVerifier::new(key).ok()
}

#[cfg(not(feature = "ring"))]
fn fuzz_verifier(key: &AzampayPublicKey) -> Option<FuzzVerifier> {
    Some(FuzzVerifier::new(key))
}

/// The pure-Rust verifier for the test key, to cross-check the fast one.
fn rsa_verifier() -> Option<&'static RsaVerifier> {
    static VERIFIER: OnceLock<Option<RsaVerifier>> = OnceLock::new();
    VERIFIER
        .get_or_init(|| test_key().map(RsaVerifier::new))
        .as_ref()
}

/// Whether this input also goes through the pure-Rust backend: every input the
/// fast backend accepts, and one in 32 of the others (chosen by content, so a
/// replay makes the same choice).
fn cross_check(data: &[u8], verdict: Verdict) -> bool {
    let sample = data
        .iter()
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    verdict == Verdict::Valid || sample % 32 == 0
}

/// Parses `data` as a callback, verifies it with a fixed key, and checks: an
/// unsigned body is never Valid; only Valid yields a verified callback; no policy
/// trusts an unverified one; parse → JSON → parse gives the same event. Also reads
/// `data` as a disbursement callback. (The answer readers have their own target,
/// [`azampay_responses`].)
pub fn azampay_callback(data: &[u8]) {
    if let Ok(cb) = super::parse_disbursement_callback(data) {
        let _ = (cb.claimed_status(), cb.dedupe_key());
    }
    let (Some(rsa), Some(verifier)) = (rsa_verifier(), verifier()) else {
        panic!("the embedded test key must parse");
    };
    let Ok(event) = parse_callback(data) else {
        return;
    };
    // One RSA verification per input: `check` verifies, and its verdict is the
    // verdict (re-verifying the same event would only repeat the same arithmetic).
    let checked = event.clone().check(verifier);
    let verdict = checked.verdict();
    if event.signature().is_none() {
        assert_ne!(
            verdict,
            Verdict::Valid,
            "a body without a string signature was Valid"
        );
    }
    if verdict == Verdict::Valid {
        assert!(event.signature().is_some_and(|s| !s.is_empty()));
        assert!(matches!(checked, Checked::Valid(_)));
    }
    if verifier.backend() != rsa.backend() && cross_check(data, verdict) {
        assert_eq!(event.verdict(rsa), verdict, "backends disagree");
    }

    // Round trip.
    let json = event.to_json();
    let Ok(bytes) = serde_json::to_vec(&json) else {
        panic!("an event always serialises");
    };
    if bytes.len() <= crate::wire::MAX_CALLBACK_BODY {
        match parse_callback(&bytes) {
            Ok(mut again) => {
                // Unknown fields keep their names, but a float among them can come
                // back one ULP off: serde_json (without `float_roundtrip`) does not
                // read its own shortest float text exactly. Nothing is signed or
                // read from those fields; every other field must survive as is.
                assert!(
                    again.extra.keys().eq(event.extra.keys()),
                    "parse → JSON → parse changed the unknown fields"
                );
                again.extra = event.extra.clone();
                // The same event has the same signed text: its verdict cannot differ.
                assert_eq!(again, event, "parse → JSON → parse changed the event");
                assert_eq!(again.signature(), event.signature());
            }
            Err(e) => panic!("re-parsing our own JSON failed: {e}"),
        }
    }
    let _ = event.status_query();
    let _ = event.amount_tzs();

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

/// Every AzamPay operation, built once with constant valid inputs.
struct Operations {
    mno: MnoCheckout,
    bank: BankCheckout,
    post_checkout: PostCheckout,
    disburse: Disburse,
    name_lookup: NameLookup,
    disbursement_status: DisbursementStatus,
    status: TransactionStatus,
}

fn operations() -> &'static Operations {
    static OPS: OnceLock<Operations> = OnceLock::new();
    OPS.get_or_init(|| {
        let tzs = |minor| Money::from_minor(minor, Currency::TZS);
        let url = |u| HttpsUrl::parse(u, UrlPolicy::Public).expect("constant URL");
        let party = |name, account, wallet| Party::tz(name, account, wallet).expect("party");
        Operations {
            mno: MnoCheckout::new("ORD-1", tzs(100_000), "255712345678", MnoProvider::Airtel)
                .expect("mno checkout"),
            bank: BankCheckout::new(
                tzs(100_000),
                "0150000000000",
                "255712345678",
                BankProvider::Crdb,
                "123456",
            )
            .expect("bank checkout"),
            post_checkout: PostCheckout::new(
                "ORD-1",
                tzs(100_000),
                "vendor-1",
                "Shop",
                "https://shop.example",
                url("https://shop.example/ok"),
                url("https://shop.example/fail"),
                vec!["Item".to_owned()],
            )
            .expect("post checkout"),
            disburse: Disburse::new(
                "PAYOUT123",
                tzs(500_000),
                party("Shop", "255650000000", Wallet::Tigo),
                party("Müller Ñandú", "255780000000", Wallet::Airtel),
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_956_005),
            )
            .expect("disburse"),
            name_lookup: NameLookup::new("0654000000", "Tigo").expect("name lookup"),
            disbursement_status: DisbursementStatus::new("pg-ref-1", "tigo")
                .expect("disbursement status"),
            status: TransactionStatus::new("t-1", MnoProvider::Mpesa).expect("status"),
        }
    })
}

/// How many answer readers [`azampay_responses`] chooses from.
pub const RESPONSE_READERS: usize = 12;

/// The first byte picks one of AzamPay's answer readers (token, MNO and bank
/// checkout, partners, PostCheckout, disbursement, name lookup, both status
/// queries, public key) and an HTTP status (see [`crate::harness::select`]); the
/// rest is the body. Nothing may panic; a token answer never quotes its body; an
/// accepted checkout or disbursement always has a reference.
pub fn azampay_responses(data: &[u8]) {
    let Some((reader, status, body)) = crate::harness::select(data, RESPONSE_READERS) else {
        return;
    };
    let ops = operations();
    let response = crate::harness::response(status, body);
    match reader {
        0 => match GenerateToken.read(response) {
            Ok(grant) => assert!(!grant.value.is_empty()),
            Err(e) => check_error(&e, true),
        },
        1 => read(&ops.mno, response),
        2 => read(&ops.bank, response),
        3 => read(&GetPaymentPartners, response),
        // Two selectors read PostCheckout's answer (it once had two readers).
        4 | 5 => read(&ops.post_checkout, response),
        6 => read(&ops.disburse, response),
        7 => read(&ops.name_lookup, response),
        8 => read(&ops.disbursement_status, response),
        9 => read(&ops.status, response),
        10 => {
            let format = if status == 200 {
                KeyFormat::default()
            } else {
                KeyFormat::Xml
            };
            read(&GetPublicKey { format }, response);
        }
        _ => {
            let _ = parse_public_key_response(body);
            let _ = AzampayPublicKey::parse(&String::from_utf8_lossy(body));
        }
    }
}

/// Reads an answer; an error must pass [`check_error`] (it may quote the body).
fn read<O: Operation>(op: &O, response: http::Response<Vec<u8>>) {
    if let Err(e) = op.read(response) {
        check_error(&e, false);
    }
}
