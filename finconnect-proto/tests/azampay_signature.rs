//! AzamPay callback signatures: every vector case, with both backends, and
//! sign-then-verify properties with the project's TEST-ONLY sandbox key.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use base64::Engine as _;
use finconnect_proto::azampay::{
    parse_callback, AzampayPublicKey, CallbackPolicy, Checked, RsaVerifier, Verdict, Verifier,
};
use finconnect_proto::PaymentStatus;
use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{json, Value};
use sha2::Sha256;

const VECTORS: &str = include_str!("vectors/azampay-signature.json");
const SANDBOX_VECTORS: &str = include_str!("vectors/azampay-signature-sandbox.json");
/// TEST-ONLY private key published with the project's vectors. Never AzamPay's.
const TEST_ONLY_PRIVATE_KEY: &str =
    include_str!("vectors/azampay-TEST-ONLY-sandbox-private-key.pem");
const TEST_ONLY_PUBLIC_KEY: &str = include_str!("vectors/azampay-TEST-ONLY-sandbox-public-key.pem");

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn verifiers(key: &AzampayPublicKey) -> Vec<Box<dyn Verifier>> {
    #[allow(unused_mut)]
    let mut v: Vec<Box<dyn Verifier>> = vec![Box::new(RsaVerifier::new(key))];
    #[cfg(feature = "ring")]
    v.push(Box::new(
        finconnect_proto::azampay::RingVerifier::new(key).unwrap(),
    ));
    v
}

fn run_vector_file(text: &str, expected_cases: usize) {
    let file: Value = serde_json::from_str(text).unwrap();
    let key = AzampayPublicKey::parse(file["public_key_pem"].as_str().unwrap()).unwrap();
    assert_eq!(key.bits(), 2048);
    let cases = file["cases"].as_array().unwrap();
    assert_eq!(cases.len(), expected_cases);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = serde_json::to_vec(&case["callback"]).unwrap();
        let event = parse_callback(&body).unwrap();
        assert_eq!(
            event.signed_message(),
            case["message"].as_str().unwrap().as_bytes(),
            "{name}: signed message"
        );
        let expect = match case["expect"].as_str().unwrap() {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid,
            "unsigned" => Verdict::Unsigned,
            other => panic!("{name}: unknown expectation {other}"),
        };
        for v in verifiers(&key) {
            assert_eq!(event.verdict(&v), expect, "{name} with {}", v.backend());
        }
        // Only a Valid one reports a status, and only a Valid success is Completed.
        match event.clone().check(&RsaVerifier::new(&key)) {
            Checked::Valid(verified) => {
                assert_eq!(expect, Verdict::Valid);
                let want = match case["callback"]["transactionstatus"].as_str() {
                    Some("success") => PaymentStatus::Completed,
                    Some("failure") => PaymentStatus::Failed,
                    _ => panic!("{name}: unexpected status"),
                };
                assert_eq!(verified.status(), want, "{name}");
            }
            other => {
                assert_ne!(expect, Verdict::Valid, "{name}");
                assert!(other
                    .apply(CallbackPolicy::ConfirmUnverified)
                    .unwrap()
                    .is_none());
            }
        }
    }
}

#[test]
fn every_reference_vector() {
    run_vector_file(VECTORS, 12);
}

#[test]
fn every_sandbox_vector() {
    run_vector_file(SANDBOX_VECTORS, 6);
}

#[test]
fn two_field_signature_verifies_only_the_two_field_text() {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    let key = AzampayPublicKey::parse(file["public_key_pem"].as_str().unwrap()).unwrap();
    let two = &file["two_field_signature"];
    let sig = base64::engine::general_purpose::STANDARD
        .decode(two["signature"].as_str().unwrap())
        .unwrap();
    for v in verifiers(&key) {
        // The backends work on the raw two-field text …
        assert!(v.verify(two["message"].as_str().unwrap().as_bytes(), &sig));
        // … but the callback verifier never falls back to it.
        assert!(!v.verify(b"vendor-ref-001pg-ref-001successAirtel", &sig));
    }
}

fn valid_body() -> Value {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    file["cases"][0]["callback"].clone()
}

fn reference_key() -> AzampayPublicKey {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    AzampayPublicKey::parse(file["public_key_pem"].as_str().unwrap()).unwrap()
}

#[test]
fn signature_edge_cases() {
    let key = reference_key();
    let good = valid_body();
    let sig = good["signature"].as_str().unwrap().to_owned();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&sig)
        .unwrap();
    let cases: Vec<(Value, Verdict, &str)> = vec![
        (
            json!(""),
            Verdict::Invalid,
            "empty string (policy: Invalid)",
        ),
        (json!("   "), Verdict::Invalid, "spaces"),
        (json!(12345), Verdict::Invalid, "a number"),
        (json!({"sig": sig}), Verdict::Invalid, "an object"),
        (json!(true), Verdict::Invalid, "a boolean"),
        (json!(format!(" {sig}")), Verdict::Invalid, "leading space"),
        (
            json!(format!("{sig}\n")),
            Verdict::Invalid,
            "trailing newline",
        ),
        (
            json!(sig.trim_end_matches('=')),
            Verdict::Invalid,
            "padding removed",
        ),
        (
            json!(base64::engine::general_purpose::URL_SAFE.encode(&raw)),
            Verdict::Invalid,
            "url-safe alphabet",
        ),
        (
            json!(b64(&[&[0u8][..], &raw[..]].concat())),
            Verdict::Invalid,
            "leading zero byte added",
        ),
        (json!(sig.clone()), Verdict::Valid, "the genuine one"),
    ];
    for (signature, want, what) in cases {
        let mut body = good.clone();
        body["signature"] = signature;
        let event = parse_callback(&serde_json::to_vec(&body).unwrap()).unwrap();
        for v in verifiers(&key) {
            assert_eq!(event.verdict(&v), want, "{what} ({})", v.backend());
        }
    }
}

#[test]
fn case_insensitive_aliases_are_signed_like_the_documented_names() {
    let key = reference_key();
    let good = valid_body();
    let body = json!({
        "TransactionStatus": good["transactionstatus"],
        "Operator": good["operator"],
        "externalReference": good["externalreference"],
        "utility_ref": good["utilityref"],
        "signature": good["signature"],
    });
    let event = parse_callback(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(event.verdict(&RsaVerifier::new(&key)), Verdict::Valid);
}

#[test]
fn a_field_given_twice_is_refused() {
    let body = br#"{"utilityref":"a","UtilityRef":"b","signature":null}"#;
    assert!(parse_callback(body).is_err());
    let body = br#"{"utilityref":"a","utilityref":"b"}"#;
    assert!(parse_callback(body).is_err());
}

// ---- sign-then-verify with the TEST-ONLY key ----

fn signing_key() -> rsa::pkcs1v15::SigningKey<Sha256> {
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_ONLY_PRIVATE_KEY).unwrap();
    rsa::pkcs1v15::SigningKey::<Sha256>::new(private)
}

fn sign(sk: &rsa::pkcs1v15::SigningKey<Sha256>, fields: &[Option<String>; 4]) -> String {
    let msg: String = fields.iter().map(|f| f.as_deref().unwrap_or("")).collect();
    b64(&sk.sign(msg.as_bytes()).to_bytes())
}

const NAMES: [&str; 4] = [
    "utilityref",
    "externalreference",
    "transactionstatus",
    "operator",
];

fn body_of(fields: &[Option<String>; 4], signature: &str, amount: &str) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    for (name, v) in NAMES.iter().zip(fields) {
        // None alternates between absent and null.
        match v {
            Some(s) => {
                m.insert((*name).to_owned(), Value::String(s.clone()));
            }
            None if name.len() % 2 == 0 => {
                m.insert((*name).to_owned(), Value::Null);
            }
            None => {}
        }
    }
    m.insert("amount".into(), Value::String(amount.to_owned()));
    m.insert("signature".into(), Value::String(signature.to_owned()));
    serde_json::to_vec(&Value::Object(m)).unwrap()
}

fn field() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        6 => "[a-zA-Z0-9 _.:-]{0,24}".prop_map(Some),
        2 => "\\PC{0,12}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_signed_callback_verifies_and_any_flip_fails(
        fields in [field(), field(), field(), field()],
        amount in "[0-9]{1,7}",
        which in 0usize..4,
        pos in any::<prop::sample::Index>(),
        sig_pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let sk = signing_key();
        let key = AzampayPublicKey::parse(TEST_ONLY_PUBLIC_KEY).unwrap();
        let vs = verifiers(&key);
        let signature = sign(&sk, &fields);

        let event = parse_callback(&body_of(&fields, &signature, &amount)).unwrap();
        for v in &vs {
            prop_assert_eq!(event.verdict(v), Verdict::Valid);
        }

        // Change one character of one signed field (or add one to an empty field).
        let mut changed = fields.clone();
        let original = changed[which].clone().unwrap_or_default();
        let chars: Vec<char> = original.chars().collect();
        let altered: String = if chars.is_empty() {
            "x".to_owned()
        } else {
            let i = pos.index(chars.len());
            let c = chars[i];
            let replacement = if c == 'a' { 'b' } else { 'a' };
            chars.iter().enumerate().map(|(j, ch)| if j == i { replacement } else { *ch }).collect()
        };
        changed[which] = Some(altered);
        let forged = parse_callback(&body_of(&changed, &signature, &amount)).unwrap();
        for v in &vs {
            prop_assert_eq!(forged.verdict(v), Verdict::Invalid);
        }

        // Flip one bit of the signature.
        let mut raw = base64::engine::general_purpose::STANDARD.decode(&signature).unwrap();
        let i = sig_pos.index(raw.len());
        raw[i] ^= 1 << bit;
        let flipped = parse_callback(&body_of(&fields, &b64(&raw), &amount)).unwrap();
        for v in &vs {
            prop_assert_eq!(flipped.verdict(v), Verdict::Invalid);
        }

        // The amount is not signed: changing it keeps the signature valid
        // (so reconcile it yourself).
        let other_amount = parse_callback(&body_of(&fields, &signature, "1")).unwrap();
        prop_assert_eq!(other_amount.verdict(&vs[0]), Verdict::Valid);
    }

    #[test]
    fn unsigned_bodies_are_never_valid(body in "\\PC{0,200}") {
        let key = reference_key();
        if let Ok(event) = parse_callback(body.as_bytes()) {
            if event.signature().is_none() {
                prop_assert_ne!(event.verdict(&RsaVerifier::new(&key)), Verdict::Valid);
            }
        }
    }
}

#[test]
fn the_test_key_is_the_documented_test_key() {
    let key = AzampayPublicKey::parse(TEST_ONLY_PUBLIC_KEY).unwrap();
    assert_eq!(
        key.fingerprint(),
        "cc9936cd3929cdbda6123c583ade8f355ff24a6c6275c37368f95a4a8abcfe69"
    );
}

/// A deterministic test-only random source (the core takes randomness as an
/// argument; checksums are randomised, so they are tested by round trip).
struct TestRng(u64);

impl rsa::rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = (self.next_u64() >> 24) as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for TestRng {}

#[test]
fn disbursement_checksum_round_trips() {
    use sha2::Digest;
    let key = AzampayPublicKey::parse(TEST_ONLY_PUBLIC_KEY).unwrap();
    let text = "Tigo0654000000";
    let checksum =
        finconnect_proto::azampay::disbursement_checksum(&key, text, &mut TestRng(42)).unwrap();
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(&checksum)
        .unwrap();
    assert_eq!(ciphertext.len(), 256);
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_ONLY_PRIVATE_KEY).unwrap();
    let digest = private.decrypt(rsa::Pkcs1v15Encrypt, &ciphertext).unwrap();
    assert_eq!(digest, sha2::Sha512::digest(text.as_bytes()).to_vec());
    // Randomised: another draw gives another ciphertext of the same digest.
    let other =
        finconnect_proto::azampay::disbursement_checksum(&key, text, &mut TestRng(7)).unwrap();
    assert_ne!(other, checksum);
}

/// The default verifier is the backend the crate's features select: `ring` when
/// the `ring` feature is on (as every adapter build has it), else the pure-Rust
/// `rsa` backend (the core alone, for targets without ring). Both verify the
/// same vectors above.
#[test]
fn default_verifier_is_the_feature_selected_backend() {
    let key = AzampayPublicKey::parse(TEST_ONLY_PUBLIC_KEY).unwrap();
    let v = finconnect_proto::azampay::default_verifier(&key).unwrap();
    let want = if cfg!(feature = "ring") {
        "ring"
    } else {
        "rsa"
    };
    assert_eq!(v.backend(), want);
}
