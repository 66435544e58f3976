//! Security properties as tests: live configurations refuse plain HTTP and
//! local callback URLs, neither adapter follows a redirect, comparisons of
//! secrets go through the constant-time helper, and forged AzamPay callbacks and
//! ClickPesa webhooks are rejected — directly and through the facade.

use base64::Engine;
use finconnect::azampay::{
    self, AzampayConfig, AzampayEndpoints, AzampayPublicKey, RsaVerifier, Verdict,
};
use finconnect::clickpesa::{self, sign, ChecksumMethod, ClickpesaConfig};
use finconnect::pesapal::{GetIpnList, IpnMethod, PesapalConfig, RegisterIpn};
use finconnect::sdk::ProviderConfig;
use finconnect::{ct, AccessToken, Api, Error, Operation, PaymentStatus, Secret, UrlPolicy};
use finconnect_sandbox::credentials;
use finconnect_tests::{fast_options, Adapter};
use rand::SeedableRng;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TEST_SIGNING_KEY: &str =
    include_str!("../../finconnect-sandbox/keys/sandbox-signing-key.TEST-ONLY.pem");

#[test]
fn live_configurations_refuse_plain_http_and_local_urls() {
    let secret = || Secret::new("s");
    assert!(
        PesapalConfig::custom("k", "s", "http://pay.pesapal.com/v3", UrlPolicy::Public).is_err()
    );
    assert!(PesapalConfig::custom("k", "s", "https://127.0.0.1/v3", UrlPolicy::Public).is_err());
    assert!(AzampayConfig::custom(
        "app",
        "id",
        secret(),
        AzampayEndpoints {
            auth: "http://a.example",
            checkout: "https://c.example",
            disbursement: "https://d.example",
        },
        UrlPolicy::Public,
    )
    .is_err());
    assert!(ClickpesaConfig::custom(
        "id",
        secret(),
        "http://api.clickpesa.com/third-parties",
        UrlPolicy::Public
    )
    .is_err());

    // Registering a local IPN URL with real PesaPal is refused before anything is sent.
    let live = PesapalConfig::live("k", "s").unwrap();
    let token = AccessToken::new(secret(), SystemTime::now() + Duration::from_secs(3600));
    for url in [
        "http://localhost:8080/ipn",
        "https://192.168.1.10/ipn",
        "https://127.0.0.1/ipn",
    ] {
        let written = RegisterIpn::new(url, IpnMethod::Get)
            .and_then(|op| op.request(&live))
            .and_then(|parts| live.finish(parts, Some(&token)));
        let err = written.expect_err(url);
        assert!(
            err.to_string().contains("sandbox") || err.to_string().contains("local"),
            "{err}"
        );
    }
}

#[test]
fn comparisons_of_secrets_are_constant_time() {
    assert!(ct::eq(b"abcdef", b"abcdef"));
    assert!(!ct::eq(b"abcdef", b"abcdeg"));
    assert!(!ct::eq(b"abcdef", b"abcde"));
    assert!(!ct::eq(b"", b"x"));
    assert_eq!(Secret::new("same"), Secret::new("same"));
    assert_ne!(Secret::new("same"), Secret::new("diff"));
    // Checksums are compared exactly: one hex digit off, another case, another
    // length are all refused (the comparison itself is `ct::eq`, built on
    // `subtle`, whose timing depends only on the lengths).
    let key = Secret::new("secret-key");
    let mut body = serde_json::json!({"amount": "1000", "orderReference": "ORD1"});
    sign(&mut body, &key, ChecksumMethod::Canonical).unwrap();
    let good = body["checksum"].as_str().unwrap().to_owned();
    body.as_object_mut().unwrap().remove("checksum");
    assert!(clickpesa::checksum_matches(
        &key,
        &clickpesa::JsValue::from_serde(&body),
        ChecksumMethod::Canonical,
        &good
    ));
    let mut flipped = good.clone().into_bytes();
    flipped[10] = if flipped[10] == b'a' { b'b' } else { b'a' };
    for wrong in [
        String::from_utf8(flipped).unwrap(),
        good.to_uppercase(),
        good[..63].to_owned(),
        format!("{good}0"),
        String::new(),
    ] {
        assert!(
            !clickpesa::checksum_matches(
                &key,
                &clickpesa::JsValue::from_serde(&body),
                ChecksumMethod::Canonical,
                &wrong
            ),
            "{wrong}"
        );
    }
}

/// A redirect is never followed: the second server sees nothing.
async fn redirects_are_not_followed<A: Adapter>() {
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_addr = target.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((_s, _)) = target.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_addr = redirector.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = redirector.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = s.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nLocation: http://{target_addr}/steal\r\nContent-Length: 0\r\n\r\n"
                );
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    let config = PesapalConfig::custom(
        "k",
        "s",
        &format!("http://{redirector_addr}/v3"),
        UrlPolicy::Local,
    )
    .unwrap();
    let client = A::client(config, &fast_options());
    let err = client
        .execute(GetIpnList)
        .await
        .expect_err("a 302 is not an answer");
    assert!(err.outcome_known(), "{err}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "{} followed a redirect",
        A::NAME
    );
}

finconnect_tests::conformance!(redirects_are_not_followed);

fn genuine_callback(signature: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "msisdn": "255712345678", "amount": "5000", "message": "ok", "utilityref": "INV-77",
        "operator": "Tigo", "reference": "tx-77", "transactionstatus": "success",
        "submerchantAcc": null, "externalreference": "pg-77", "transid": "tx-77", "signature": signature,
    }))
    .unwrap()
}

#[test]
fn forged_azampay_callbacks_are_invalid() {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_SIGNING_KEY).unwrap();
    let public = AzampayPublicKey::parse(credentials::AZAMPAY_PUBLIC_KEY_PEM).unwrap();
    let verifier = RsaVerifier::new(&public);
    let four = b"INV-77pg-77successTigo";
    let verdict = |sig: String| {
        azampay::parse_callback(&genuine_callback(&sig))
            .unwrap()
            .verdict(&verifier)
    };

    let genuine = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
        .sign(four)
        .to_bytes();
    assert_eq!(verdict(b64(&genuine)), Verdict::Valid);

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let other = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let forged = [
        (
            "another key",
            rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(other)
                .sign(four)
                .to_bytes()
                .to_vec(),
        ),
        (
            "two-field form",
            rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
                .sign(b"INV-77pg-77")
                .to_bytes()
                .to_vec(),
        ),
        (
            "PSS",
            rsa::pss::SigningKey::<sha2::Sha256>::new(key.clone())
                .sign_with_rng(&mut rng, four)
                .to_bytes()
                .to_vec(),
        ),
        (
            "SHA-1",
            rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key.clone())
                .sign(four)
                .to_bytes()
                .to_vec(),
        ),
        ("truncated", genuine[..genuine.len() - 1].to_vec()),
    ];
    for (name, sig) in forged {
        assert_eq!(verdict(b64(&sig)), Verdict::Invalid, "{name}");
    }
    let genuine_b64 = b64(&genuine);
    for (name, sig) in [
        ("empty", String::new()),
        ("not base64", "%%%".to_owned()),
        (
            "line break",
            format!("{}\n{}", &genuine_b64[..10], &genuine_b64[10..]),
        ),
        ("extra padding", format!("{genuine_b64}==")),
    ] {
        assert_eq!(verdict(sig), Verdict::Invalid, "{name}");
    }
}

#[test]
fn forged_clickpesa_webhooks_are_invalid() {
    let key = Secret::new(credentials::CLICKPESA_CHECKSUM_KEY);
    let mut body = serde_json::json!({"event": "PAYMENT RECEIVED", "data": {"id": "X1", "status": "SUCCESS",
        "orderReference": "ORD1", "collectedAmount": "1000", "collectedCurrency": "TZS"}});
    sign(&mut body, &key, ChecksumMethod::Canonical).unwrap();
    let verdict = |v: &serde_json::Value, k: &Secret| {
        clickpesa::parse_webhook(&serde_json::to_vec(v).unwrap())
            .unwrap()
            .verdict(k)
    };
    assert_eq!(verdict(&body, &key), clickpesa::Verdict::Valid);
    assert_eq!(
        verdict(&body, &Secret::new("another-key")),
        clickpesa::Verdict::Invalid,
        "wrong key"
    );
    let mut tampered = body.clone();
    tampered["data"]["collectedAmount"] = "1000000".into();
    assert_eq!(
        verdict(&tampered, &key),
        clickpesa::Verdict::Invalid,
        "tampered amount"
    );
    let mut upper = body.clone();
    upper["checksum"] = body["checksum"].as_str().unwrap().to_uppercase().into();
    assert_eq!(
        verdict(&upper, &key),
        clickpesa::Verdict::Invalid,
        "upper-case hex"
    );
    let mut legacy = body.clone();
    legacy["checksumMethod"] = "legacy".into();
    assert_eq!(
        verdict(&legacy, &key),
        clickpesa::Verdict::Invalid,
        "legacy claim over a canonical checksum"
    );
    let mut other = serde_json::json!({"event": "PAYMENT RECEIVED", "data": {"id": "X2"}});
    sign(&mut other, &key, ChecksumMethod::Canonical).unwrap();
    let mut swapped = body.clone();
    swapped["checksum"] = other["checksum"].clone();
    assert_eq!(
        verdict(&swapped, &key),
        clickpesa::Verdict::Invalid,
        "another body's checksum"
    );
    let mut moved = body.clone();
    let sum = moved.as_object_mut().unwrap().remove("checksum").unwrap();
    moved["data"]["checksum"] = sum;
    assert_eq!(
        verdict(&moved, &key),
        clickpesa::Verdict::Invalid,
        "checksum moved into data"
    );
}

#[tokio::test]
async fn the_facade_rejects_forgeries_and_never_trusts_unsigned_success() {
    let options = fast_options();
    let unreachable = "http://127.0.0.1:9";
    let azampay = AzampayConfig::custom(
        "app",
        "id",
        Secret::new("s"),
        AzampayEndpoints {
            auth: unreachable,
            checkout: unreachable,
            disbursement: unreachable,
        },
        UrlPolicy::Local,
    )
    .unwrap()
    .with_pinned_public_key(credentials::AZAMPAY_PUBLIC_KEY_PEM)
    .unwrap();
    let sdk = finconnect_tests::Reqwest::sdk(ProviderConfig::Azampay(azampay), &options);
    let post = |body: Vec<u8>| http::Request::post("/cb").body(body).unwrap();
    let err = sdk
        .accept_callback(&post(genuine_callback("AAAA")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err:?}");
    let mut unsigned: serde_json::Value = serde_json::from_slice(&genuine_callback("x")).unwrap();
    unsigned.as_object_mut().unwrap().remove("signature");
    let accepted = sdk
        .accept_callback(&post(serde_json::to_vec(&unsigned).unwrap()))
        .await
        .unwrap();
    // An unsigned success is only a claim: with the status query unreachable
    // there is no event at all, and the provider is asked to retry.
    assert_eq!(accepted.claims().status, Some(PaymentStatus::Completed));
    let err = sdk.confirm_callback(&accepted, None).await.unwrap_err();
    assert!(matches!(err, Error::NotConfirmed { .. }), "{err:?}");

    let key = Secret::new(credentials::CLICKPESA_CHECKSUM_KEY);
    let clickpesa = ClickpesaConfig::custom("id", Secret::new("k"), unreachable, UrlPolicy::Local)
        .unwrap()
        .with_checksum_key(key.clone());
    let sdk = finconnect_tests::Reqwest::sdk(ProviderConfig::Clickpesa(clickpesa), &options);
    let mut body = serde_json::json!({"event": "PAYMENT RECEIVED", "data": {"id": "X1", "status": "SUCCESS", "orderReference": "ORD1"}});
    sign(&mut body, &Secret::new("forger"), ChecksumMethod::Canonical).unwrap();
    let err = sdk
        .accept_callback(&post(serde_json::to_vec(&body).unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err:?}");
    body.as_object_mut().unwrap().remove("checksum");
    let accepted = sdk
        .accept_callback(&post(serde_json::to_vec(&body).unwrap()))
        .await
        .unwrap();
    let err = sdk.confirm_callback(&accepted, None).await.unwrap_err();
    assert!(matches!(err, Error::NotConfirmed { .. }), "{err:?}");
}
