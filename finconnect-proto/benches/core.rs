//! Micro-benchmarks of the core's hot paths: writing requests, reading answers,
//! PesaPal IPN parse + ack, AzamPay signature verification (`rsa`, and `ring`
//! with `--features ring`), ClickPesa checksums and webhooks, and `Money`.
//!
//! `cargo bench -p finconnect-proto` (add `--features ring` for the ring backend).
//! Benchmarks measure; nothing here asserts a time.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use finconnect_proto::azampay::{self, AzampayConfig, AzampayPublicKey, MnoCheckout, MnoProvider};
use finconnect_proto::clickpesa::{
    self, checksum, sign, ChecksumMethod, ClickpesaConfig, GetPayment, InitiateUssdPush,
    OrderReference,
};
use finconnect_proto::pesapal::{
    BillingAddress, GetTransactionStatus, IpnId, Notification, Order, OrderTrackingId,
    PesapalConfig, SubmitOrder,
};
use finconnect_proto::{
    AccessToken, Api, Currency, Description, MerchantReference, Money, Msisdn, Operation, Secret,
};
use std::time::{Duration, SystemTime};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn token() -> AccessToken {
    AccessToken::new(
        Secret::new("bench-token"),
        SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000),
    )
}

fn ok(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::new(body)
}

fn requests(c: &mut Criterion) {
    let mut g = c.benchmark_group("request");
    let t = token();
    let pesapal = PesapalConfig::sandbox("key", "secret").unwrap();
    let order = SubmitOrder::new(
        Order::new(
            MerchantReference::new("ORDER-42").unwrap(),
            Money::from_decimal_str("100.50", Currency::KES).unwrap(),
            Description::new("Two books").unwrap(),
            "https://shop.example/paid",
            BillingAddress::email("jane@example.com"),
        )
        .unwrap(),
        IpnId::new("1da86d1c-1e8c-4183-bdfd-dd759463e4ce").unwrap(),
    );
    g.bench_function("pesapal_submit_order", |b| {
        b.iter(|| {
            pesapal
                .finish(order.request(&pesapal).unwrap(), Some(&t))
                .unwrap()
        })
    });
    let status = GetTransactionStatus::new(
        OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").unwrap(),
    );
    g.bench_function("pesapal_status", |b| {
        b.iter(|| {
            pesapal
                .finish(status.request(&pesapal).unwrap(), Some(&t))
                .unwrap()
        })
    });

    let azampay = AzampayConfig::sandbox("app", "client", Secret::new("secret")).unwrap();
    let checkout = MnoCheckout::new(
        "INV-1",
        Money::from_major(1000, Currency::TZS).unwrap(),
        "0712345678",
        MnoProvider::Airtel,
    )
    .unwrap();
    g.bench_function("azampay_mno_checkout", |b| {
        b.iter(|| {
            let parts = checkout.request(&azampay).unwrap();
            finconnect_proto::Api::finish(&azampay, parts, Some(&t)).unwrap()
        })
    });

    let plain = ClickpesaConfig::live("client", Secret::new("api-key")).unwrap();
    let signed = plain.clone().with_checksum_key(Secret::new("checksum-key"));
    let push = InitiateUssdPush::new(
        Money::from_major(1000, Currency::TZS).unwrap(),
        OrderReference::new("ORD123").unwrap(),
        Msisdn::parse("0712345678", "255").unwrap(),
    )
    .unwrap();
    g.bench_function("clickpesa_ussd_push", |b| {
        b.iter(|| {
            plain
                .finish(push.request(&plain).unwrap(), Some(&t))
                .unwrap()
        })
    });
    g.bench_function("clickpesa_ussd_push_with_checksum", |b| {
        b.iter(|| {
            signed
                .finish(push.request(&signed).unwrap(), Some(&t))
                .unwrap()
        })
    });
    let query = GetPayment::new(OrderReference::new("ORD123").unwrap());
    g.bench_function("clickpesa_payment_query", |b| {
        b.iter(|| {
            plain
                .finish(query.request(&plain).unwrap(), Some(&t))
                .unwrap()
        })
    });
    g.finish();
}

fn responses(c: &mut Criterion) {
    let mut g = c.benchmark_group("response");
    let status = GetTransactionStatus::new(
        OrderTrackingId::new("b945e4af-80a5-4ec1-8706-e03f8332fb04").unwrap(),
    );
    for name in ["status_completed", "status_pending", "status_failed"] {
        let body = fixture(&format!("pesapal/{name}.json"));
        g.bench_with_input(BenchmarkId::new("pesapal", name), &body, |b, body| {
            b.iter(|| black_box(status.read(ok(body.clone()))))
        });
    }
    let checkout = MnoCheckout::new(
        "INV-1",
        Money::from_major(1000, Currency::TZS).unwrap(),
        "0712345678",
        MnoProvider::Airtel,
    )
    .unwrap();
    let body = fixture("azampay/mno_checkout_ok.json");
    g.bench_function("azampay/mno_checkout_ok", |b| {
        b.iter(|| checkout.read(ok(body.clone())).unwrap())
    });
    let query = GetPayment::new(OrderReference::new("ORD123").unwrap());
    for name in ["payment_status", "payment_status_multiple_attempts"] {
        let body = fixture(&format!("clickpesa/{name}.json"));
        g.bench_with_input(BenchmarkId::new("clickpesa", name), &body, |b, body| {
            b.iter(|| black_box(query.read(ok(body.clone()))))
        });
    }
    g.finish();
}

fn callbacks(c: &mut Criterion) {
    let mut g = c.benchmark_group("callback");
    let query = String::from_utf8(fixture("pesapal/ipn_get_query.txt")).unwrap();
    g.bench_function("pesapal_ipn_query_parse_and_ack", |b| {
        b.iter(|| {
            Notification::from_query(query.trim())
                .unwrap()
                .ack(true)
                .to_json()
        })
    });
    let post = fixture("pesapal/ipn_post_body.json");
    g.bench_function("pesapal_ipn_json_parse_and_ack", |b| {
        b.iter(|| Notification::from_json(&post).unwrap().ack(true).to_json())
    });

    // AzamPay: a callback signed with the TEST-ONLY sandbox key.
    let vectors: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{}/tests/vectors/azampay-signature-sandbox.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let pem = std::fs::read_to_string(format!(
        "{}/tests/vectors/azampay-TEST-ONLY-sandbox-public-key.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let case = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["expect"] == "valid")
        .unwrap();
    let body = serde_json::to_vec(&case["callback"]).unwrap();
    let key = AzampayPublicKey::parse(&pem).unwrap();
    g.bench_function("azampay_key_parse", |b| {
        b.iter(|| AzampayPublicKey::parse(black_box(&pem)).unwrap())
    });
    g.bench_function("azampay_callback_parse", |b| {
        b.iter(|| azampay::parse_callback(&body).unwrap())
    });
    let event = azampay::parse_callback(&body).unwrap();
    let rsa = azampay::RsaVerifier::new(&key);
    g.bench_function("azampay_verify_rsa", |b| {
        b.iter(|| assert_eq!(event.verdict(&rsa), azampay::Verdict::Valid))
    });
    #[cfg(feature = "ring")]
    {
        let ring = azampay::RingVerifier::new(&key).unwrap();
        g.bench_function("azampay_verify_ring", |b| {
            b.iter(|| assert_eq!(event.verdict(&ring), azampay::Verdict::Valid))
        });
    }

    // ClickPesa: a typical webhook, and a large one (10 KB of data).
    let key = Secret::new("checksum-key");
    let typical: serde_json::Value =
        serde_json::from_slice(&fixture("clickpesa/webhook_payment_received.json")).unwrap();
    let mut large = typical.clone();
    large["data"]["items"] = (0..100)
        .map(|i| serde_json::json!({"name": format!("item {i} — ünïcode"), "price": format!("{}.50", i * 10), "quantity": i % 7}))
        .collect();
    for (name, payload) in [("typical", &typical), ("large", &large)] {
        g.bench_with_input(
            BenchmarkId::new("clickpesa_checksum", name),
            payload,
            |b, p| b.iter(|| checksum(&key, p, ChecksumMethod::Canonical).unwrap()),
        );
        let mut signed = payload.clone();
        sign(&mut signed, &key, ChecksumMethod::Canonical).unwrap();
        let bytes = serde_json::to_vec(&signed).unwrap();
        g.bench_with_input(
            BenchmarkId::new("clickpesa_webhook_parse_verify", name),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    assert_eq!(
                        clickpesa::parse_webhook(bytes).unwrap().verdict(&key),
                        clickpesa::Verdict::Valid
                    )
                })
            },
        );
    }
    g.finish();
}

fn money(c: &mut Criterion) {
    let mut g = c.benchmark_group("money");
    g.bench_function("from_decimal_str", |b| {
        b.iter(|| Money::from_decimal_str(black_box("1500.50"), Currency::KES).unwrap())
    });
    let m = Money::from_minor(150_050, Currency::KES);
    g.bench_function("to_decimal_string", |b| {
        b.iter(|| black_box(m).to_decimal_string())
    });
    g.bench_function("to_plain_string", |b| {
        b.iter(|| black_box(m).to_plain_string())
    });
    let v: serde_json::Value = serde_json::from_str("1500.5").unwrap();
    g.bench_function("from_json_number", |b| {
        b.iter(|| Money::from_json(black_box(&v), Currency::KES).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500)).sample_size(30);
    targets = requests, responses, callbacks, money
}
criterion_main!(benches);
