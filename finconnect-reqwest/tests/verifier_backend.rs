//! The adapter's build verifies AzamPay signatures with `ring` (RSA in assembly,
//! already in the tree through rustls), not the pure-Rust backend.

use finconnect_reqwest::proto::azampay::{default_verifier, AzampayPublicKey};

#[test]
fn azampay_signatures_are_verified_with_ring() {
    let key = AzampayPublicKey::parse(finconnect_sandbox::credentials::AZAMPAY_PUBLIC_KEY_PEM)
        .expect("the sandbox's public key");
    let verifier = default_verifier(&key).expect("a verifier");
    assert_eq!(verifier.backend(), "ring");
}
