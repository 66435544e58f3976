//! The provider-agnostic facade (`FintechSdk`) end to end against the sandbox,
//! over both adapters: pay → the customer pays → the callback arrives at the
//! hyper `CallbackService` → verified (or confirmed) event → status.

use finconnect::azampay::MnoProvider;
use finconnect::sdk::{
    CallbackEvent, FintechSdk, IpnMethod, Payment, PendingPayment, ProviderConfig,
    ReconcileOptions, Reconciled, Trust,
};
use finconnect::{Currency, Error, Money, PaymentStatus};
use finconnect_hyper::callback::{serve, CallbackService};
use finconnect_sandbox::{Fault, Outcome, ProviderName, Route};
use finconnect_tests::{
    azampay_config, clickpesa_config, clickpesa_config_without_checksum, fast_options,
    mpesa_config, pesapal_config, start_sandbox, Adapter,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Serves `sdk`'s callbacks on 127.0.0.1; events arrive on the channel.
async fn listen<T>(sdk: &FintechSdk<T>) -> (SocketAddr, mpsc::UnboundedReceiver<CallbackEvent>)
where
    T: finconnect::driver::Transport + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let service = CallbackService::new(sdk.clone(), move |event: CallbackEvent| {
        let sent = tx.send(event);
        async move { sent.map_err(|_| "receiver gone") }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, service));
    (addr, rx)
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

async fn pesapal_end_to_end<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let (addr, mut events) = listen(&sdk).await;
    let ipn = sdk
        .register_ipn(&format!("http://{addr}/ipn"), IpnMethod::Get)
        .await
        .unwrap();
    let auth_before = sandbox.requests(Route::PesapalAuth);

    // 100 concurrent payments on a fresh facade (empty token cache): one auth.
    let sdk = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let sdk = Arc::new(sdk);
    let mut tasks = Vec::new();
    for i in 0..100 {
        let sdk = Arc::clone(&sdk);
        let ipn_id = ipn.ipn_id.as_str().to_owned();
        tasks.push(tokio::spawn(async move {
            let payment = Payment::new(
                format!("FACADE-{i}"),
                Money::from_major(250, Currency::KES).unwrap(),
            )
            .unwrap()
            .description("facade test")
            .unwrap()
            .email("payer@example.com")
            .callback_url("http://127.0.0.1/return");
            sdk.pay(&payment, Some(&ipn_id)).await.unwrap()
        }));
    }
    let mut started = Vec::new();
    for t in tasks {
        started.push(t.await.unwrap());
    }
    assert_eq!(
        sandbox.requests(Route::PesapalAuth) - auth_before,
        1,
        "100 concurrent pays, one auth"
    );
    assert_eq!(sandbox.orders(ProviderName::Pesapal), 100);

    let first = &started[0];
    assert!(first
        .redirect_url
        .as_deref()
        .unwrap_or("")
        .contains("OrderTrackingId="));
    let tracking = first.provider_reference.clone().unwrap();
    sandbox
        .settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
        .await
        .unwrap();
    let event = events.recv().await.unwrap();
    // Every fact comes from PesaPal's status answer.
    assert_eq!(event.facts.reference.as_deref(), Some("FACADE-0"));
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(event.trust, Trust::StatusQuery);
    assert_eq!(
        event.facts.amount,
        Some(Money::from_major(250, Currency::KES).unwrap())
    );
    assert_eq!(
        sdk.status(first).await.unwrap().status,
        PaymentStatus::Completed
    );
    assert_eq!(
        sdk.status(&started[1]).await.unwrap().status,
        PaymentStatus::Pending
    );
}

async fn azampay_end_to_end_with_one_key_fetch<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Azampay(azampay_config(&sandbox)),
        &fast_options(),
    );
    let (addr, mut events) = listen(&sdk).await;
    sandbox.set_azampay_callback_url(Some(format!("http://{addr}/azampay").parse().unwrap()));
    let mut started = Vec::new();
    for i in 0..20 {
        let payment = Payment::new(format!("AZ{i}"), tzs(1000 + i))
            .unwrap()
            .phone("0712345678")
            .operator(MnoProvider::Airtel);
        started.push(sdk.pay(&payment, None).await.unwrap());
    }
    // Twenty signed callbacks arrive at once on a cold key cache: one key fetch.
    let settles: Vec<_> = (0..20)
        .map(|i| {
            let sandbox = sandbox.clone();
            let outcome = if i % 4 == 0 {
                Outcome::Fail
            } else {
                Outcome::Complete
            };
            tokio::spawn(async move {
                sandbox
                    .settle(ProviderName::Azampay, &format!("AZ{i}"), outcome)
                    .await
            })
        })
        .collect();
    for s in settles {
        s.await.unwrap().unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..20 {
        seen.push(events.recv().await.unwrap());
    }
    assert_eq!(
        sandbox.requests(Route::AzampayPublicKey),
        1,
        "the key is fetched once"
    );
    for e in &seen {
        assert_eq!(e.trust, Trust::Signature);
        let i: i64 = e.claims.reference.as_deref().unwrap()[2..].parse().unwrap();
        let want = if i % 4 == 0 {
            PaymentStatus::Failed
        } else {
            PaymentStatus::Completed
        };
        assert_eq!(e.facts.status, want, "{e:?}");
        // The amount is not signed: a claim, never a fact.
        assert_eq!(e.claims.amount, Some(tzs(1000 + i)));
        assert_eq!(e.facts.amount, None);
        // Without the order's references the unseparated signed text cannot be
        // split: no reference is vouched.
        assert_eq!(e.facts.reference, None);
    }
    let report = sdk.status(&started[1]).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Completed);
}

async fn clickpesa_signed_and_unsigned<A: Adapter>() {
    let sandbox = start_sandbox().await;
    // Signed webhooks: trusted on their checksum.
    let sdk = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &fast_options(),
    );
    let (addr, mut events) = listen(&sdk).await;
    sandbox.set_clickpesa_webhook_url(Some(format!("http://{addr}/cp").parse().unwrap()));
    let started = sdk
        .pay(
            &Payment::new("CPSIGNED1", tzs(5000))
                .unwrap()
                .phone("+255 712 345 678"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(started.status, PaymentStatus::Pending);
    sandbox
        .settle(ProviderName::Clickpesa, "CPSIGNED1", Outcome::Complete)
        .await
        .unwrap();
    let event = events.recv().await.unwrap();
    assert_eq!(
        (event.facts.status.clone(), event.trust),
        (PaymentStatus::Completed, Trust::Checksum)
    );
    assert_eq!(event.facts.reference.as_deref(), Some("CPSIGNED1"));
    assert_eq!(event.facts.amount, Some(tzs(5000)));
    assert_eq!(
        sdk.status(&started).await.unwrap().status,
        PaymentStatus::Completed
    );

    // Without a checksum key the same webhook is confirmed by a payment query.
    let unsigned = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config_without_checksum(&sandbox)),
        &fast_options(),
    );
    let (addr, mut events) = listen(&unsigned).await;
    sandbox.set_clickpesa_webhook_url(Some(format!("http://{addr}/cp").parse().unwrap()));
    unsigned
        .pay(
            &Payment::new("CPUNSIGNED1", tzs(700))
                .unwrap()
                .phone("0712345678"),
            None,
        )
        .await
        .unwrap();
    let queries = sandbox.requests(Route::ClickpesaPaymentStatus);
    sandbox
        .settle(ProviderName::Clickpesa, "CPUNSIGNED1", Outcome::Complete)
        .await
        .unwrap();
    let event = events.recv().await.unwrap();
    assert_eq!(
        (event.facts.status.clone(), event.trust),
        (PaymentStatus::Completed, Trust::StatusQuery)
    );
    assert_eq!(event.facts.reference.as_deref(), Some("CPUNSIGNED1"));
    assert_eq!(sandbox.requests(Route::ClickpesaPaymentStatus), queries + 1);
}

async fn missing_fields_are_named_and_nothing_is_sent<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let pesapal = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let bare = Payment::new("MISSING1", tzs(100)).unwrap();
    let field = |e: Error| match e {
        Error::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other:?}"),
    };
    assert_eq!(field(pesapal.pay(&bare, None).await.unwrap_err()), "ipn_id");
    assert_eq!(
        field(pesapal.pay(&bare, Some("x")).await.unwrap_err()),
        "description"
    );
    let described = bare.clone().description("d").unwrap();
    assert_eq!(
        field(pesapal.pay(&described, Some("x")).await.unwrap_err()),
        "callback_url"
    );
    let azampay = A::sdk(
        ProviderConfig::Azampay(azampay_config(&sandbox)),
        &fast_options(),
    );
    assert_eq!(field(azampay.pay(&bare, None).await.unwrap_err()), "phone");
    assert_eq!(
        field(
            azampay
                .pay(&bare.clone().phone("0712345678"), None)
                .await
                .unwrap_err()
        ),
        "operator"
    );
    let clickpesa = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &fast_options(),
    );
    assert_eq!(
        field(clickpesa.pay(&bare, None).await.unwrap_err()),
        "phone"
    );
    for route in [
        Route::PesapalSubmitOrder,
        Route::AzampayMnoCheckout,
        Route::ClickpesaUssdInitiate,
    ] {
        assert_eq!(sandbox.requests(route), 0, "{route:?}");
    }

    // IPN registration exists only for PesaPal.
    let err = clickpesa
        .register_ipn("https://shop.example/ipn", IpnMethod::Post)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "IPN registration not supported by this provider (clickpesa)"
    );
    let err = azampay
        .register_ipn("https://shop.example/ipn", IpnMethod::Post)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
}

/// Reconciliation over the sandbox: a settled payment and a pending one, on
/// PesaPal and ClickPesa (one attempt each, so nothing waits).
async fn reconcile_settles_what_the_provider_settled<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let options = ReconcileOptions::default().attempts(1).concurrency(2);

    let pesapal = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let ipn = pesapal
        .register_ipn("http://127.0.0.1:1/ipn", IpnMethod::Get)
        .await
        .unwrap();
    let mut started = Vec::new();
    for reference in ["RECON-PP-1", "RECON-PP-2"] {
        let payment = Payment::new(reference, Money::from_major(100, Currency::KES).unwrap())
            .unwrap()
            .description("reconcile")
            .unwrap()
            .email("payer@example.com")
            .callback_url("http://127.0.0.1/return");
        started.push(
            pesapal
                .pay(&payment, Some(ipn.ipn_id.as_str()))
                .await
                .unwrap(),
        );
    }
    let tracking = started[0].provider_reference.clone().unwrap();
    sandbox
        .settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
        .await
        .unwrap();
    let pending: Vec<PendingPayment> = started
        .iter()
        .map(|s| PendingPayment::from_started(s, an_hour_ago))
        .collect();
    let reports = pesapal.reconcile(&pending, &options).await;
    assert_eq!(reports[0].reference, "RECON-PP-1");
    assert!(
        matches!(&reports[0].outcome, Reconciled::Settled(r) if r.status == PaymentStatus::Completed),
        "{:?}",
        reports[0].outcome
    );
    assert!(
        matches!(&reports[1].outcome, Reconciled::StillPending(r) if r.status == PaymentStatus::Pending),
        "{:?}",
        reports[1].outcome
    );

    let clickpesa = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &fast_options(),
    );
    let mut started = Vec::new();
    for reference in ["RECONCP1", "RECONCP2"] {
        let payment = Payment::new(reference, tzs(5000))
            .unwrap()
            .phone("+255 712 345 678");
        started.push(clickpesa.pay(&payment, None).await.unwrap());
    }
    sandbox
        .settle(ProviderName::Clickpesa, "RECONCP2", Outcome::Fail)
        .await
        .unwrap();
    let pending: Vec<PendingPayment> = started
        .iter()
        .map(|s| PendingPayment::from_started(s, an_hour_ago))
        .collect();
    let reports = clickpesa.reconcile(&pending, &options).await;
    assert!(
        matches!(&reports[0].outcome, Reconciled::StillPending(_)),
        "{:?}",
        reports[0].outcome
    );
    assert!(
        matches!(&reports[1].outcome, Reconciled::Settled(r) if r.status == PaymentStatus::Failed),
        "{:?}",
        reports[1].outcome
    );
    assert_eq!(reports[1].queries, 1);
}

fn kes(major: i64) -> Money {
    Money::from_major(major, Currency::KES).unwrap()
}

/// An STK push of `amount` KES for `reference`, its callback to `callback_url`.
fn stk_payment(reference: &str, amount: i64, callback_url: &str) -> Payment {
    Payment::new(reference, kes(amount))
        .unwrap()
        .description("facade test")
        .unwrap()
        .phone("0712345678")
        .callback_url(callback_url)
}

/// Daraja through the facade: C2B URLs registered, STK push to a one-off
/// callback path, the customer pays, the callback reaches the CallbackService
/// and is confirmed by the STK query (never by itself), status agrees.
async fn mpesa_end_to_end<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Mpesa(mpesa_config(&sandbox)),
        &fast_options(),
    );
    let (addr, mut events) = listen(&sdk).await;
    let registration = sdk
        .register_ipn(&format!("http://{addr}/c2b/5be1d0"), IpnMethod::Post)
        .await
        .unwrap();
    assert_eq!(registration.ipn_id.as_str(), "174379");
    assert_eq!(
        registration.url,
        format!("http://{addr}/c2b/5be1d0/confirmation")
    );

    let callback_url = format!("http://{addr}/stk/0c5e7a91");
    let started = sdk
        .pay(&stk_payment("E2E1", 10, &callback_url), None)
        .await
        .unwrap();
    assert_eq!(started.status, PaymentStatus::Pending);
    let id = started.provider_reference.clone().unwrap();
    assert!(id.starts_with("ws_CO_"), "{id}");
    assert_eq!(sandbox.orders(ProviderName::Mpesa), 1);
    // Nobody answered the prompt yet: pending, never failed.
    assert_eq!(
        sdk.status(&started).await.unwrap().status,
        PaymentStatus::Pending
    );

    let queries = sandbox.requests(Route::MpesaStkQuery);
    sandbox
        .settle(ProviderName::Mpesa, &id, Outcome::Complete)
        .await
        .unwrap();
    let event = events.recv().await.unwrap();
    assert_eq!(event.trust, Trust::StatusQuery);
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(event.facts.provider_reference.as_deref(), Some(id.as_str()));
    // The STK query carries no amount: the callback's stays a claim.
    assert_eq!(event.facts.amount, None);
    assert_eq!(event.claims.amount, Some(kes(10)));
    assert_eq!(
        sandbox.requests(Route::MpesaStkQuery) - queries,
        1,
        "confirmed by one STK query"
    );
    let delivery = sandbox
        .deliveries()
        .into_iter()
        .find(|d| d.reference == id)
        .unwrap();
    assert_eq!(delivery.url, callback_url);
    assert!(delivery.acked && delivery.attempts == 1, "{delivery:?}");
    let report = sdk.status(&started).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Completed);
    assert_eq!(report.raw_status.as_deref(), Some("0"));
}

/// A lost STK push answer through the facade: outcome unknown, sent once.
async fn a_lost_stk_push_is_unknown_and_sent_once<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Mpesa(mpesa_config(&sandbox)),
        &fast_options(),
    );
    sandbox.inject(
        Route::MpesaStkPush,
        [Fault::AfterProcessing(Box::new(Fault::DropConnection))],
    );
    let err = sdk
        .pay(&stk_payment("LOST1", 10, "http://127.0.0.1:9/stk/ab"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OutcomeUnknown { reference, .. } if reference.as_deref() == Some("LOST1")),
        "{err:?}"
    );
    assert_eq!(sandbox.requests(Route::MpesaStkPush), 1);
    assert_eq!(sandbox.orders(ProviderName::Mpesa), 1);
}

/// Reconciliation of Daraja payments whose callbacks never came (Daraja does
/// not resend): the paid one settles, the unanswered one stays pending (one
/// attempt each, so nothing waits the 5 s between STK queries).
async fn mpesa_reconcile_settles_what_daraja_settled<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Mpesa(mpesa_config(&sandbox)),
        &fast_options(),
    );
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut started = Vec::new();
    for reference in ["RECONMP1", "RECONMP2", "RECONMP3"] {
        let payment = stk_payment(reference, 10, "http://127.0.0.1:9/stk/lost");
        started.push(sdk.pay(&payment, None).await.unwrap());
    }
    let id = |i: usize| started[i].provider_reference.clone().unwrap();
    sandbox
        .settle(ProviderName::Mpesa, &id(0), Outcome::Complete)
        .await
        .unwrap();
    sandbox.settle_mpesa(&id(2), "1032").await.unwrap();
    let pending: Vec<PendingPayment> = started
        .iter()
        .map(|s| PendingPayment::from_started(s, an_hour_ago))
        .collect();
    let queries = sandbox.requests(Route::MpesaStkQuery);
    let options = ReconcileOptions::default().attempts(1).concurrency(2);
    let reports = sdk.reconcile(&pending, &options).await;
    assert_eq!(reports.len(), 3);
    assert!(
        matches!(&reports[0].outcome, Reconciled::Settled(r) if r.status == PaymentStatus::Completed),
        "{:?}",
        reports[0].outcome
    );
    assert!(
        matches!(&reports[1].outcome, Reconciled::StillPending(r) if r.status == PaymentStatus::Pending),
        "{:?}",
        reports[1].outcome
    );
    assert!(
        matches!(&reports[2].outcome, Reconciled::Settled(r) if r.status == PaymentStatus::Cancelled),
        "{:?}",
        reports[2].outcome
    );
    assert_eq!(sandbox.requests(Route::MpesaStkQuery) - queries, 3);
}

finconnect_tests::conformance!(
    mpesa_end_to_end,
    a_lost_stk_push_is_unknown_and_sent_once,
    mpesa_reconcile_settles_what_daraja_settled,
    pesapal_end_to_end,
    reconcile_settles_what_the_provider_settled,
    azampay_end_to_end_with_one_key_fetch,
    clickpesa_signed_and_unsigned,
    missing_fields_are_named_and_nothing_is_sent,
);
