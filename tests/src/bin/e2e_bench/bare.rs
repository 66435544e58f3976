//! The limit beside each payment run (`--baseline bare-hyper`): a bare hyper
//! client sending the same number of requests, of the same size, to the same
//! server, over keep-alive connections, at the same concurrency.
//!
//! The requests are finconnect's own (same method, URL, headers, body and token),
//! built by the core before the clock starts: per payment, the provider's
//! payment request with a fresh reference, then its status query (for PesaPal
//! and AzamPay, the status of one payment made before the clock starts, so the
//! answer has the same size and path as the real one; ClickPesa queries the
//! payment just made). In the timed phase the bare client only sends each
//! request and reads the whole answer: no JSON, no token cache, no retry logic.
//! What finconnect spends beyond this is the cost of being a client library.
//!
//! `--baseline bare-reqwest` sends the same requests with a bare `reqwest::Client`
//! (the same settings as finconnect-reqwest's): what reqwest itself costs above
//! hyper, which bounds the reqwest adapter.

use crate::common::{self, Counters, Latency, Server};
use crate::payments;
use bytes::Bytes;
use finconnect::driver::{Driver, USER_AGENT};
use finconnect::sdk::IpnMethod;
use finconnect::{AccessToken, Api, Operation};
use finconnect_hyper::HyperTransport;
use finconnect_sandbox::ProviderName;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A request ready to send (its parts are cloned at send time).
struct Ready {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Ready {
    fn from(request: http::Request<Vec<u8>>) -> Ready {
        let (mut parts, body) = request.into_parts();
        parts.headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        Ready {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body: Bytes::from(body),
        }
    }

    fn request(&self) -> http::Request<Full<Bytes>> {
        let mut request = http::Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// Which bare client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bare {
    Hyper,
    Reqwest,
}

/// The bare client's run.
#[derive(Debug)]
pub struct BareRun {
    pub client: Bare,
    pub payments: usize,
    pub requests: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub wall: Duration,
    pub cpu: Duration,
    pub latency: Latency,
    pub counters: Counters,
}

impl BareRun {
    /// CPU per payment's worth of requests (2 requests).
    pub fn cpu_us_per_payment(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.payments.max(1) as f64
    }

    pub fn json(&self) -> serde_json::Value {
        use common::r3;
        serde_json::json!({
            "requests": self.requests,
            "errors": self.errors,
            "first_error": self.first_error,
            "wall_s": r3(self.wall.as_secs_f64()),
            "cpu_us_per_payment": r3(self.cpu_us_per_payment()),
            "cpu_us_per_request": r3(self.cpu.as_secs_f64() * 1e6 / self.requests.max(1) as f64),
            "p50_ms": r3(self.latency.p50_ms),
            "p90_ms": r3(self.latency.p90_ms),
            "p99_ms": r3(self.latency.p99_ms),
            "max_ms": r3(self.latency.max_ms),
            "connections_opened": self.counters.connections,
            "upstream_requests": self.counters.total,
        })
    }
}

fn finish<O: Operation>(api: &O::Api, op: &O, token: &AccessToken) -> Ready {
    let parts = op.request(api).expect("an operation's request");
    Ready::from(api.finish(parts, Some(token)).expect("a finished request"))
}

/// A driver over a throwaway transport, for the token and the payment made
/// before the clock starts.
fn setup_options() -> finconnect::driver::ClientOptions {
    common::client_options(1, None)
}

/// The requests of `payments` payments: (payment request, status query) each.
async fn prepare(server: &Server, provider: ProviderName, payments: usize) -> Vec<[Ready; 2]> {
    let origin = server.origin();
    let options = setup_options();
    let prefix = common::run_prefix("H");
    match provider {
        ProviderName::Pesapal => {
            use finconnect::pesapal::{
                BillingAddress, GetTransactionStatus, Order, OrderTrackingId, RegisterIpn,
                SubmitOrder,
            };
            let api = payments::pesapal_config(&origin);
            let driver = Driver::new(api.clone(), HyperTransport::http(&options));
            let ipn = driver
                .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Get).expect("IPN"))
                .await
                .expect("RegisterIPN");
            let token = driver.token(None).await.expect("a token");
            let submit = |reference: String| {
                let order = Order::new(
                    finconnect::MerchantReference::new(reference).expect("a reference"),
                    payments::amount(provider),
                    finconnect::Description::new(payments::DESCRIPTION).expect("a description"),
                    payments::CALLBACK_URL,
                    BillingAddress {
                        email_address: Some(payments::EMAIL.to_owned()),
                        phone_number: Some(payments::PHONE.to_owned()),
                        ..BillingAddress::default()
                    },
                )
                .expect("an order");
                SubmitOrder::new(order, ipn.ipn_id.clone())
            };
            let first = driver
                .execute(submit(format!("{prefix}pre")))
                .await
                .expect("the payment queried by the status requests");
            let status = GetTransactionStatus::new(
                OrderTrackingId::new(first.order_tracking_id.as_str()).expect("a tracking id"),
            );
            (0..payments)
                .map(|i| {
                    [
                        finish(&api, &submit(format!("{prefix}{i}")), &token),
                        finish(&api, &status, &token),
                    ]
                })
                .collect()
        }
        ProviderName::Azampay => {
            use finconnect::azampay::{MnoCheckout, MnoProvider, TransactionStatus};
            let api = payments::azampay_config(&origin);
            let driver = Driver::new(api.clone(), HyperTransport::http(&options));
            let token = driver.token(None).await.expect("a token");
            let checkout = |reference: &str| {
                MnoCheckout::new(
                    reference,
                    payments::amount(provider),
                    payments::PHONE,
                    MnoProvider::Airtel,
                )
                .expect("a checkout")
            };
            let first = driver
                .execute(checkout(&format!("{prefix}pre")))
                .await
                .expect("the payment queried by the status requests");
            let id = first
                .transaction_id
                .unwrap_or_else(|| format!("{prefix}pre"));
            let status = TransactionStatus::new(&id, MnoProvider::Airtel).expect("a status query");
            (0..payments)
                .map(|i| {
                    [
                        finish(&api, &checkout(&format!("{prefix}{i}")), &token),
                        finish(&api, &status, &token),
                    ]
                })
                .collect()
        }
        ProviderName::Clickpesa => {
            use finconnect::clickpesa::{GetPayment, InitiateUssdPush, OrderReference};
            let api = payments::clickpesa_config(&origin);
            let driver = Driver::new(api.clone(), HyperTransport::http(&options));
            let token = driver.token(None).await.expect("a token");
            let phone = finconnect::Msisdn::parse(payments::PHONE, "255").expect("a phone");
            (0..payments)
                .map(|i| {
                    let reference = OrderReference::new(format!("{prefix}{i}")).expect("a ref");
                    let push = InitiateUssdPush::new(
                        payments::amount(provider),
                        reference.clone(),
                        phone.clone(),
                    )
                    .expect("a USSD push");
                    [
                        finish(&api, &push, &token),
                        finish(&api, &GetPayment::new(reference), &token),
                    ]
                })
                .collect()
        }
        // M-Pesa is not part of this benchmark (yet).
        ProviderName::Mpesa => panic!("the e2e benchmark runs PesaPal, AzamPay and ClickPesa only"),
    }
}

/// Sends the requests of `payments` payments at `concurrency` with a bare hyper
/// client (keep-alive, TCP_NODELAY, an idle pool of `concurrency`), timing
/// each payment's two exchanges together as the facade run does.
pub async fn run(
    provider: ProviderName,
    bare: Bare,
    payments: usize,
    concurrency: usize,
    target: Option<&str>,
) -> BareRun {
    let server = Server::start(target).await;
    let requests = Arc::new(prepare(&server, provider, payments).await);
    let before = server.counters(provider).await;

    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let hyper: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build(connector);
    let options = common::client_options(concurrency, None);
    let reqwest = reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .build()
        .expect("a reqwest client");
    let next = Arc::new(AtomicUsize::new(0));
    let workers = concurrency.clamp(1, payments.max(1));
    let cpu_before = common::cpu_time();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers {
        let hyper = hyper.clone();
        let reqwest = reqwest.clone();
        let requests = Arc::clone(&requests);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(payments / workers + 1);
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(pair) = requests.get(i) else { break };
                let t = Instant::now();
                let mut failed = None;
                for ready in pair {
                    let result = match bare {
                        Bare::Hyper => send_hyper(&hyper, ready).await,
                        Bare::Reqwest => send_reqwest(&reqwest, ready).await,
                    };
                    if let Err(e) = result {
                        failed = Some(format!("payment {i}: {e}"));
                    }
                }
                match failed {
                    None => latencies.push(t.elapsed()),
                    Some(e) => errors.push(e),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(payments);
    let mut errors = Vec::new();
    for task in tasks {
        let (l, e) = task.await.expect("a bare worker");
        latencies.extend(l);
        errors.extend(e);
    }
    let wall = started.elapsed();
    let cpu = common::cpu_time().saturating_sub(cpu_before);
    let counters = server.counters(provider).await.since(&before);
    server.shutdown().await;
    BareRun {
        client: bare,
        payments,
        requests: 2 * payments,
        errors: errors.len(),
        first_error: errors.into_iter().next(),
        wall,
        cpu,
        latency: common::latency(latencies),
        counters,
    }
}

async fn send_hyper(
    client: &Client<HttpConnector, Full<Bytes>>,
    ready: &Ready,
) -> Result<(), String> {
    let response = client
        .request(ready.request())
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.into_body().collect().await;
    match body {
        Ok(_) if status.is_success() => Ok(()),
        Ok(_) => Err(format!("HTTP {status}")),
        Err(e) => Err(format!("body: {e}")),
    }
}

async fn send_reqwest(client: &reqwest::Client, ready: &Ready) -> Result<(), String> {
    let mut request = http::Request::new(ready.body.clone());
    *request.method_mut() = ready.method.clone();
    *request.uri_mut() = ready.uri.clone();
    *request.headers_mut() = ready.headers.clone();
    let request = reqwest::Request::try_from(request).map_err(|e| e.to_string())?;
    let response = client.execute(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    match response.bytes().await {
        Ok(_) if status.is_success() => Ok(()),
        Ok(_) => Err(format!("HTTP {status}")),
        Err(e) => Err(format!("body: {e}")),
    }
}
