//! The callback service under load: 10,000 PesaPal IPNs (2,000 orders, each
//! delivered five times) and 3,000 signed AzamPay and ClickPesa callbacks each
//! (1,000 events delivered three times), at 100 in flight. The service answers
//! only after the event was confirmed and handed off, so a delivery racing
//! another of the same event may be asked to retry; the senders here retry as
//! the providers do. Every event is acknowledged in the end and reaches user
//! code exactly once, forged callbacks are refused and never passed on, and a
//! body over the limit is refused without being read. Ack latency p50/p99 (of
//! the answers, confirmation and hand-off included) is printed (run with
//! `--nocapture`).

use base64::Engine;
use bytes::Bytes;
use finconnect::azampay::{AzampayConfig, AzampayEndpoints};
use finconnect::clickpesa::{sign, ChecksumMethod, ClickpesaConfig};
use finconnect::pesapal::PesapalConfig;
use finconnect::sdk::{CallbackEvent, ConfirmLimits, Payment, ProviderConfig, Trust};
use finconnect::{Currency, DedupeKey, Money, Secret, UrlPolicy};
use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_hyper::{fintech_sdk_over, FintechSdk, HyperTransport, Options};
use finconnect_sandbox::{credentials, Sandbox, SandboxConfig};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const IN_FLIGHT: usize = 100;
/// The sandbox's published TEST-ONLY signing key (never a production key).
const TEST_SIGNING_KEY: &str =
    include_str!("../../finconnect-sandbox/keys/sandbox-signing-key.TEST-ONLY.pem");

type Events = Arc<Mutex<HashMap<DedupeKey, Vec<CallbackEvent>>>>;

/// Serves `sdk`'s callbacks on 127.0.0.1; events are recorded by dedupe key.
async fn listen(sdk: FintechSdk<HttpConnector>) -> (SocketAddr, Events) {
    let events: Events = Arc::default();
    let sink = Arc::clone(&events);
    let service = CallbackService::new(sdk, move |event: CallbackEvent| {
        sink.lock()
            .unwrap()
            .entry(event.dedupe_key)
            .or_default()
            .push(event);
        async { Ok::<(), std::convert::Infallible>(()) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, service));
    (addr, events)
}

/// Sends every request at `IN_FLIGHT` concurrency; returns statuses, bodies and
/// per-request latencies.
async fn blast(requests: Vec<http::Request<Full<Bytes>>>) -> Vec<(u16, Bytes, Duration)> {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(IN_FLIGHT)
        .build_http();
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(requests.len());
    for request in requests {
        let client = client.clone();
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let response = client.request(request).await.expect("the service answers");
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            drop(permit);
            (status, body, started.elapsed())
        }));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// As a provider does: sends every request, then re-sends those answered with
/// "retry" (a 5xx) until each is acknowledged (at most `rounds` times). Returns
/// the first round's results and how many re-sends it took.
async fn deliver(
    make: impl Fn(usize) -> http::Request<Full<Bytes>>,
    count: usize,
    rounds: usize,
) -> (Vec<(u16, Bytes, Duration)>, usize) {
    let first = blast((0..count).map(&make).collect()).await;
    let mut pending: Vec<usize> = (0..count).filter(|&i| first[i].0 >= 500).collect();
    let mut resent = 0;
    for _ in 0..rounds {
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        resent += pending.len();
        let again = blast(pending.iter().map(|&i| make(i)).collect()).await;
        pending = pending
            .into_iter()
            .zip(again)
            .filter(|(_, r)| r.0 >= 500)
            .map(|(i, _)| i)
            .collect();
    }
    assert!(
        pending.is_empty(),
        "{} deliveries never acknowledged",
        pending.len()
    );
    (first, resent)
}

fn report(name: &str, results: &[(u16, Bytes, Duration)]) {
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.2).collect();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    eprintln!(
        "{name}: {} deliveries, ack latency p50 {:?} p99 {:?}",
        results.len(),
        pick(0.50),
        pick(0.99)
    );
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(10),
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_pesapal_ipns_each_event_once() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let config = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )
    .unwrap();
    let options = options();
    // Room for the 100 IPNs in flight, each confirmed by a status query.
    let limits = ConfirmLimits {
        max_in_flight: 128,
        ..ConfirmLimits::default()
    };
    let sdk = finconnect::sdk::FintechSdk::with_limits(
        ProviderConfig::Pesapal(config),
        HyperTransport::http(&options),
        options.retry,
        limits,
    )
    .unwrap();
    let (addr, events) = listen(sdk.clone()).await;
    let ipn = sdk
        .register_ipn(
            &format!("http://{addr}/ipn"),
            finconnect::sdk::IpnMethod::Get,
        )
        .await
        .unwrap();

    // 2,000 real orders, so every IPN can be confirmed with GetTransactionStatus.
    const ORDERS: usize = 2_000;
    let gate = Arc::new(Semaphore::new(64));
    let mut orders = Vec::new();
    for i in 0..ORDERS {
        let sdk = sdk.clone();
        let ipn_id = ipn.ipn_id.as_str().to_owned();
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        orders.push(tokio::spawn(async move {
            let payment = Payment::new(
                format!("LOAD-{i}"),
                Money::from_major(100, Currency::KES).unwrap(),
            )
            .unwrap()
            .description("load")
            .unwrap()
            .email("load@example.com")
            .callback_url("http://127.0.0.1/return");
            let started = sdk.pay(&payment, Some(&ipn_id)).await.unwrap();
            drop(permit);
            (started.reference, started.provider_reference.unwrap())
        }));
    }
    let mut ids = Vec::new();
    for o in orders {
        ids.push(o.await.unwrap());
    }

    // Five deliveries of each IPN, interleaved.
    let make = |n: usize| {
        let (reference, tracking) = &ids[n % ORDERS];
        let round = n / ORDERS;
        let uri = format!(
            "http://{addr}/ipn?OrderTrackingId={tracking}&OrderMerchantReference={reference}&OrderNotificationType=IPNCHANGE&round={round}"
        );
        http::Request::get(uri)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    let (results, resent) = deliver(make, 5 * ORDERS, 10).await;
    report("PesaPal IPN", &results);
    eprintln!("PesaPal IPN: {resent} deliveries asked to retry and re-sent");
    assert_eq!(results.len(), 10_000);
    for (status, body, _) in results.iter().filter(|r| r.0 == 200) {
        let ack: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(ack["status"], 200, "{ack}");
        assert_eq!(ack["orderNotificationType"], "IPNCHANGE");
        let _ = status;
    }
    let events = events.lock().unwrap();
    assert_eq!(events.len(), ORDERS);
    for list in events.values() {
        assert_eq!(
            list.len(),
            1,
            "an event reached user code twice: {:?}",
            list[0].dedupe_key
        );
        assert_eq!(list[0].trust, Trust::StatusQuery);
    }
}

fn signed_azampay_callback(key: &SigningKey<sha2::Sha256>, i: usize, tamper: bool) -> Vec<u8> {
    let utilityref = format!("INV{i}");
    let message = format!("{utilityref}pg-{i}successAirtel");
    let signature =
        base64::engine::general_purpose::STANDARD.encode(key.sign(message.as_bytes()).to_bytes());
    let status = if tamper { "failure" } else { "success" };
    serde_json::to_vec(&serde_json::json!({
        "msisdn": "255712345678", "amount": "1000", "message": "Payment successful",
        "utilityref": utilityref, "operator": "Airtel", "reference": format!("tx-{i}"),
        "transactionstatus": status, "submerchantAcc": null, "externalreference": format!("pg-{i}"),
        "transid": format!("tx-{i}"), "signature": signature,
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_azampay_and_clickpesa_callbacks_under_load() {
    let options = options();
    let unreachable = "http://127.0.0.1:9";
    // AzamPay with the sandbox's public key pinned (no key fetch needed).
    let azampay = AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
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
    let sdk = fintech_sdk_over(
        ProviderConfig::Azampay(azampay),
        HyperTransport::http(&options),
        &options,
    )
    .unwrap();
    let (addr, events) = listen(sdk).await;
    let key = SigningKey::<sha2::Sha256>::new(
        rsa::RsaPrivateKey::from_pkcs8_pem(TEST_SIGNING_KEY).unwrap(),
    );
    let make = |n: usize| {
        http::Request::post(format!("http://{addr}/azampay"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(signed_azampay_callback(
                &key,
                n % 1_000,
                false,
            ))))
            .unwrap()
    };
    let (results, resent) = deliver(make, 3_000, 10).await;
    report("AzamPay callback", &results);
    eprintln!("AzamPay callback: {resent} re-sent");
    // Forged: a signed success whose status was changed afterwards.
    let forged: Vec<_> = (0..50)
        .map(|i| {
            http::Request::post(format!("http://{addr}/azampay"))
                .body(Full::new(Bytes::from(signed_azampay_callback(
                    &key,
                    5_000 + i,
                    true,
                ))))
                .unwrap()
        })
        .collect();
    assert!(blast(forged).await.iter().all(|r| r.0 == 401));
    {
        let events = events.lock().unwrap();
        assert_eq!(
            events.len(),
            1_000,
            "forged callbacks must never be passed on"
        );
        assert!(events
            .values()
            .all(|l| l.len() == 1 && l[0].trust == Trust::Signature));
    }

    // ClickPesa with a checksum key.
    let checksum_key = Secret::new(credentials::CLICKPESA_CHECKSUM_KEY);
    let clickpesa = ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        unreachable,
        UrlPolicy::Local,
    )
    .unwrap()
    .with_checksum_key(checksum_key.clone());
    let sdk = fintech_sdk_over(
        ProviderConfig::Clickpesa(clickpesa),
        HyperTransport::http(&options),
        &options,
    )
    .unwrap();
    let (addr, events) = listen(sdk).await;
    let webhook = |i: usize, tamper: bool| {
        let mut body = serde_json::json!({
            "event": "PAYMENT RECEIVED",
            "data": {"id": format!("LOAD{i}CP"), "status": "SUCCESS", "orderReference": format!("LOAD{i}"),
                     "collectedAmount": "1000", "collectedCurrency": "TZS", "channel": "TIGO-PESA"}
        });
        sign(&mut body, &checksum_key, ChecksumMethod::Canonical).unwrap();
        if tamper {
            body["data"]["collectedAmount"] = "999999".into();
        }
        http::Request::post(format!("http://{addr}/clickpesa"))
            .body(Full::new(Bytes::from(serde_json::to_vec(&body).unwrap())))
            .unwrap()
    };
    let (results, resent) = deliver(|n| webhook(n % 1_000, false), 3_000, 10).await;
    report("ClickPesa webhook", &results);
    eprintln!("ClickPesa webhook: {resent} re-sent");
    let forged: Vec<_> = (0..50).map(|i| webhook(9_000 + i, true)).collect();
    assert!(blast(forged).await.iter().all(|r| r.0 == 401));
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 1_000);
    assert!(events
        .values()
        .all(|l| l.len() == 1 && l[0].trust == Trust::Checksum));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_without_being_read() {
    let options = options();
    let config = ClickpesaConfig::custom(
        "id",
        Secret::new("key"),
        "http://127.0.0.1:9",
        UrlPolicy::Local,
    )
    .unwrap();
    let sdk = fintech_sdk_over(
        ProviderConfig::Clickpesa(config),
        HyperTransport::http(&options),
        &options,
    )
    .unwrap();
    let (addr, events) = listen(sdk).await;

    // Declared too large: refused from the header alone.
    let results = blast(vec![http::Request::post(format!("http://{addr}/cb"))
        .body(Full::new(Bytes::from(vec![b'{'; 70 * 1024])))
        .unwrap()])
    .await;
    assert_eq!(results[0].0, 413);

    // Streamed (chunked, no length) 16 MiB: the service answers 413 after the
    // limit, long before the client could have sent it all.
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(b"POST /cb HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap();
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0usize;
        for _ in 0..256 {
            let frame = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk.clone(),
                b"\r\n".to_vec(),
            ]
            .concat();
            if stream.write_all(&frame).is_err() {
                break;
            }
            sent += chunk.len();
        }
        let mut head = [0u8; 12];
        let _ = stream.read(&mut head);
        (String::from_utf8_lossy(&head).into_owned(), sent)
    })
    .await
    .unwrap();
    assert!(answer.0.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(events.lock().unwrap().is_empty());
}
