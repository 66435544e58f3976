//! Callback mode: N distinct callbacks through finconnect-hyper's
//! `CallbackService` (served with `callback::serve` on 127.0.0.1), sent by a
//! hyper client at the chosen concurrency, one delivery per event.
//!
//! - PesaPal: N real orders are created first (not timed), then N IPNs (GET,
//!   `IPNCHANGE`); each is acknowledged at once and confirmed afterwards with
//!   `GetTransactionStatus` at the sandbox (the only way to trust an IPN).
//! - AzamPay: N callbacks signed with the sandbox's TEST-ONLY key (signed before
//!   the clock starts), verified against the pinned public key during `accept`,
//!   before the ack.
//! - ClickPesa: N `PAYMENT RECEIVED` webhooks with a canonical checksum, checked
//!   during `accept`.
//!
//! `callbacks_per_sec` counts verified events that reached user code, from the
//! first request sent to the last event handed over; `acks_per_sec` counts
//! acknowledgements up to the last ack.

use crate::common::{self, AdapterName, Counters, Latency, Server};
use crate::payments;
use base64::Engine;
use bytes::Bytes;
use finconnect::clickpesa::{sign, ChecksumMethod, ClickpesaConfig};
use finconnect::driver::Transport;
use finconnect::sdk::{ConfirmLimits, FintechSdk, IpnMethod, ProviderConfig};
use finconnect::{Secret, UrlPolicy};
use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_sandbox::{credentials, ProviderName};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The sandbox's published TEST-ONLY signing key (never a production key).
pub const TEST_SIGNING_KEY: &str =
    include_str!("../../../../finconnect-sandbox/keys/sandbox-signing-key.TEST-ONLY.pem");

/// Where nothing listens: AzamPay and ClickPesa callbacks need no upstream call.
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// The result of one callback run.
#[derive(Debug)]
pub struct CallbackRun {
    pub provider: ProviderName,
    pub adapter: AdapterName,
    pub callbacks: usize,
    pub concurrency: usize,
    pub acked: usize,
    pub ack_errors: usize,
    pub first_ack_error: Option<String>,
    pub events_delivered: usize,
    pub settle_errors: usize,
    pub ack_wall: Duration,
    pub delivery_wall: Option<Duration>,
    pub latency: Latency,
    pub prepare: Duration,
    /// CPU time of the process from the first callback sent to the last event
    /// (the callback service, and the in-process sender).
    pub cpu: Duration,
    pub out_of_process: bool,
    pub verification: &'static str,
    pub counters: Counters,
    pub peak_rss_kib: u64,
    pub peak_rss_reset: bool,
}

impl CallbackRun {
    pub fn callbacks_per_sec(&self) -> f64 {
        match self.delivery_wall {
            Some(d) => self.events_delivered as f64 / d.as_secs_f64(),
            None => 0.0,
        }
    }

    pub fn acks_per_sec(&self) -> f64 {
        self.acked as f64 / self.ack_wall.as_secs_f64()
    }

    pub fn json(&self) -> serde_json::Value {
        use common::r3;
        serde_json::json!({
            "kind": "callbacks",
            "provider": self.provider.as_str(),
            "adapter": self.adapter.as_str(),
            "callbacks": self.callbacks,
            "concurrency": self.concurrency,
            "verification": self.verification,
            "acked": self.acked,
            "ack_errors": self.ack_errors,
            "first_ack_error": self.first_ack_error,
            "events_delivered": self.events_delivered,
            "settle_errors": self.settle_errors,
            "callbacks_per_sec": r3(self.callbacks_per_sec()),
            "acks_per_sec": r3(self.acks_per_sec()),
            "ack_wall_s": r3(self.ack_wall.as_secs_f64()),
            "delivery_wall_s": self.delivery_wall.map(|d| r3(d.as_secs_f64())),
            "p50_ms": r3(self.latency.p50_ms),
            "p99_ms": r3(self.latency.p99_ms),
            "max_ms": r3(self.latency.max_ms),
            "prepare_s": r3(self.prepare.as_secs_f64()),
            "sandbox_out_of_process": self.out_of_process,
            "process_cpu_us_per_callback": r3(self.cpu.as_secs_f64() * 1e6 / self.callbacks.max(1) as f64),
            "p90_ms": r3(self.latency.p90_ms),
            "upstream_requests_during_callbacks": self.counters.total,
            "auth_requests": self.counters.auth,
            "peak_rss_kib": self.peak_rss_kib,
            "peak_rss_reset": self.peak_rss_reset,
            "loadavg_1m": common::loadavg_1m(),
        })
    }
}

/// A request to send, kept as parts so it can be built at send time.
struct Prepared {
    method: http::Method,
    uri: String,
    body: Bytes,
}

/// Counts what reaches user code and when the last expected event arrived.
#[derive(Default)]
struct Sink {
    seen: AtomicUsize,
    ok: AtomicUsize,
    unverified: AtomicUsize,
    errors: AtomicUsize,
    all_in: OnceLock<Instant>,
    notify: tokio::sync::Notify,
}

pub async fn run(
    provider: ProviderName,
    adapter: AdapterName,
    callbacks: usize,
    concurrency: usize,
    pool_idle: Option<usize>,
    target: Option<&str>,
) -> CallbackRun {
    let peak_rss_reset = common::reset_peak_rss();
    let sandbox = Server::start(target).await;
    let options = common::client_options(concurrency, pool_idle);
    let config = match provider {
        ProviderName::Pesapal | ProviderName::Mpesa => {
            payments::provider_config(provider, &sandbox.origin())
        }
        ProviderName::Azampay => ProviderConfig::Azampay(
            finconnect::azampay::AzampayConfig::custom(
                credentials::AZAMPAY_APP_NAME,
                credentials::AZAMPAY_CLIENT_ID,
                Secret::new(credentials::AZAMPAY_CLIENT_SECRET),
                finconnect::azampay::AzampayEndpoints {
                    auth: UNREACHABLE,
                    checkout: UNREACHABLE,
                    disbursement: UNREACHABLE,
                },
                UrlPolicy::Local,
            )
            .expect("an AzamPay configuration")
            .with_pinned_public_key(credentials::AZAMPAY_PUBLIC_KEY_PEM)
            .expect("the sandbox's public key"),
        ),
        ProviderName::Clickpesa => ProviderConfig::Clickpesa(
            ClickpesaConfig::custom(
                credentials::CLICKPESA_CLIENT_ID,
                Secret::new(credentials::CLICKPESA_API_KEY),
                UNREACHABLE,
                UrlPolicy::Local,
            )
            .expect("a ClickPesa configuration")
            .with_checksum_key(finconnect_tests::clickpesa_checksum_key()),
        ),
    };
    // As many status queries in flight as callbacks (the default, 16, would
    // answer "retry later" to the rest of a burst of 64 PesaPal IPNs).
    let limits = ConfirmLimits {
        max_in_flight: concurrency.max(1),
        ..ConfirmLimits::default()
    };
    let mut run = match adapter {
        AdapterName::Reqwest => {
            let transport =
                finconnect_reqwest::ReqwestTransport::new(&options).expect("a reqwest transport");
            let sdk = FintechSdk::with_limits(config, transport, options.retry, limits)
                .expect("a reqwest facade");
            drive(sdk, &sandbox, provider, callbacks, concurrency).await
        }
        AdapterName::Hyper => {
            let transport = finconnect_hyper::HyperTransport::http(&options);
            let sdk = FintechSdk::with_limits(config, transport, options.retry, limits)
                .expect("a hyper facade");
            drive(sdk, &sandbox, provider, callbacks, concurrency).await
        }
    };
    run.adapter = adapter;
    run.peak_rss_reset = peak_rss_reset;
    run.peak_rss_kib = common::peak_rss_kib();
    sandbox.shutdown().await;
    run
}

async fn drive<T: Transport + 'static>(
    sdk: FintechSdk<T>,
    sandbox: &Server,
    provider: ProviderName,
    callbacks: usize,
    concurrency: usize,
) -> CallbackRun {
    let sink = Arc::new(Sink::default());
    let target = callbacks;
    let on_event = {
        let sink = Arc::clone(&sink);
        // Every event reaching the handler is confirmed; failures to confirm
        // are answered with "retry" and show up as ack errors.
        move |_event: finconnect::sdk::CallbackEvent| {
            let sink = Arc::clone(&sink);
            async move {
                sink.ok.fetch_add(1, Ordering::SeqCst);
                if sink.seen.fetch_add(1, Ordering::SeqCst) + 1 == target {
                    let _ = sink.all_in.set(Instant::now());
                    sink.notify.notify_one();
                }
                Ok::<(), std::convert::Infallible>(())
            }
        }
    };
    let service = CallbackService::new(sdk.clone(), on_event);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a callback listener");
    let addr = listener.local_addr().expect("its address");
    let server = tokio::spawn(serve(listener, service));

    let prepare_start = Instant::now();
    let (requests, verification) = match provider {
        ProviderName::Pesapal => (
            pesapal_ipns(&sdk, addr, callbacks, concurrency).await,
            "status query (GetTransactionStatus) after the ack",
        ),
        ProviderName::Azampay => (
            azampay_callbacks(addr, callbacks),
            "RSA-2048 PKCS#1 v1.5 signature, pinned key, before the ack",
        ),
        ProviderName::Clickpesa => (
            clickpesa_webhooks(addr, callbacks),
            "HMAC-SHA256 canonical checksum, before the ack",
        ),
        // Not reached: the configuration above refuses M-Pesa.
        ProviderName::Mpesa => (Vec::new(), "none"),
    };
    let prepare = prepare_start.elapsed();
    let before = sandbox.counters(provider).await;

    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let workers = concurrency.clamp(1, callbacks.max(1));
    let cpu_before = common::cpu_time();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let client = client.clone();
        let requests = Arc::clone(&requests);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = requests.get(i) else { break };
                let request = http::Request::builder()
                    .method(p.method.clone())
                    .uri(&p.uri)
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(Full::new(p.body.clone()))
                    .expect("a request");
                let t = Instant::now();
                match client.request(request).await {
                    Ok(response) => {
                        let status = response.status();
                        let body = response.into_body().collect().await.map(|b| b.to_bytes());
                        let elapsed = t.elapsed();
                        match body {
                            Ok(_) if status == http::StatusCode::OK => latencies.push(elapsed),
                            Ok(body) => errors.push(format!(
                                "callback {i}: {status} {}",
                                String::from_utf8_lossy(&body)
                            )),
                            Err(e) => errors.push(format!("callback {i}: body: {e}")),
                        }
                    }
                    Err(e) => errors.push(format!("callback {i}: {e}")),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(callbacks);
    let mut errors = Vec::new();
    for task in tasks {
        let (l, e) = task.await.expect("a sender");
        latencies.extend(l);
        errors.extend(e);
    }
    let ack_wall = started.elapsed();

    // Hand-off is asynchronous: wait (bounded) for the last event.
    if callbacks > 0 && sink.all_in.get().is_none() {
        let _ = tokio::time::timeout(Duration::from_secs(60), async {
            while sink.all_in.get().is_none() {
                sink.notify.notified().await;
            }
        })
        .await;
    }
    let delivery_wall = sink.all_in.get().map(|t| t.duration_since(started));
    let cpu = common::cpu_time().saturating_sub(cpu_before);
    server.abort();
    let counters = sandbox.counters(provider).await.since(&before);

    CallbackRun {
        provider,
        adapter: AdapterName::Hyper,
        callbacks,
        concurrency,
        acked: latencies.len(),
        ack_errors: errors.len(),
        first_ack_error: errors.into_iter().next(),
        events_delivered: sink.ok.load(Ordering::SeqCst),
        settle_errors: sink.errors.load(Ordering::SeqCst) + sink.unverified.load(Ordering::SeqCst),
        ack_wall,
        delivery_wall,
        latency: common::latency(latencies),
        prepare,
        verification,
        cpu,
        out_of_process: sandbox.out_of_process(),
        counters,
        peak_rss_kib: 0,
        peak_rss_reset: false,
    }
}

/// N PesaPal orders at the sandbox (so each IPN can be confirmed), then one IPN
/// per order.
async fn pesapal_ipns<T: Transport + 'static>(
    sdk: &FintechSdk<T>,
    addr: SocketAddr,
    n: usize,
    concurrency: usize,
) -> Vec<Prepared> {
    let ipn = sdk
        .register_ipn(&format!("http://{addr}/ipn"), IpnMethod::Get)
        .await
        .expect("RegisterIPN at the sandbox");
    let ipn_id: Arc<str> = Arc::from(ipn.ipn_id.as_str());
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let prefix: Arc<str> = Arc::from(common::run_prefix("C"));
    let mut orders = Vec::with_capacity(n);
    for i in 0..n {
        let sdk = sdk.clone();
        let ipn_id = Arc::clone(&ipn_id);
        let prefix = Arc::clone(&prefix);
        let permit = Arc::clone(&gate).acquire_owned().await.expect("a permit");
        orders.push(tokio::spawn(async move {
            let started = sdk
                .pay(
                    &payments::payment(ProviderName::Pesapal, format!("{prefix}{i}")),
                    Some(&ipn_id),
                )
                .await
                .expect("an order at the sandbox");
            drop(permit);
            (
                started.reference,
                started.provider_reference.expect("an order tracking id"),
            )
        }));
    }
    let mut requests = Vec::with_capacity(n);
    for order in orders {
        let (reference, tracking) = order.await.expect("an order task");
        requests.push(Prepared {
            method: http::Method::GET,
            uri: format!(
                "http://{addr}/ipn?OrderTrackingId={tracking}&OrderMerchantReference={reference}&OrderNotificationType=IPNCHANGE"
            ),
            body: Bytes::new(),
        });
    }
    requests
}

/// A signed AzamPay collection callback for event `i` (the signed message is
/// `utilityref ‖ externalreference ‖ transactionstatus ‖ operator`).
pub fn signed_azampay_callback(key: &SigningKey<sha2::Sha256>, i: usize) -> Vec<u8> {
    let utilityref = format!("INV{i}");
    let message = format!("{utilityref}pg-{i}successAirtel");
    let signature =
        base64::engine::general_purpose::STANDARD.encode(key.sign(message.as_bytes()).to_bytes());
    serde_json::to_vec(&serde_json::json!({
        "msisdn": "255712345678", "amount": "1000", "message": "Payment successful",
        "utilityref": utilityref, "operator": "Airtel", "reference": format!("tx-{i}"),
        "transactionstatus": "success", "submerchantAcc": null,
        "externalreference": format!("pg-{i}"), "transid": format!("tx-{i}"),
        "signature": signature,
    }))
    .expect("JSON")
}

pub fn signing_key() -> SigningKey<sha2::Sha256> {
    SigningKey::<sha2::Sha256>::new(
        rsa::RsaPrivateKey::from_pkcs8_pem(TEST_SIGNING_KEY).expect("the TEST-ONLY key"),
    )
}

/// N signed callbacks, signed on all cores before the clock starts.
fn azampay_callbacks(addr: SocketAddr, n: usize) -> Vec<Prepared> {
    let key = signing_key();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let chunk = n.div_ceil(threads).max(1);
    let bodies: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let key = &key;
                s.spawn(move || {
                    (start..(start + chunk).min(n))
                        .map(|i| signed_azampay_callback(key, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a signing thread"))
            .collect()
    });
    bodies
        .into_iter()
        .map(|body| Prepared {
            method: http::Method::POST,
            uri: format!("http://{addr}/azampay"),
            body: Bytes::from(body),
        })
        .collect()
}

/// N ClickPesa webhooks with a canonical checksum.
fn clickpesa_webhooks(addr: SocketAddr, n: usize) -> Vec<Prepared> {
    let key = finconnect_tests::clickpesa_checksum_key();
    (0..n)
        .map(|i| {
            let mut body = serde_json::json!({
                "event": "PAYMENT RECEIVED",
                "data": {"id": format!("BENCH{i}CP"), "status": "SUCCESS",
                         "orderReference": format!("BENCH{i}"), "collectedAmount": "1000",
                         "collectedCurrency": "TZS", "channel": "TIGO-PESA"}
            });
            sign(&mut body, &key, ChecksumMethod::Canonical).expect("a checksum");
            Prepared {
                method: http::Method::POST,
                uri: format!("http://{addr}/clickpesa"),
                body: Bytes::from(serde_json::to_vec(&body).expect("JSON")),
            }
        })
        .collect()
}
