//! The callback side of the promise, tried as an attacker holding one valid
//! callback, a tracking id and `curl` would, and as an unlucky merchant whose
//! status query or handler fails: every event states only what the provider
//! vouched for, and no notification is acknowledged before it is handed off.
//!
//! Each scenario runs over both adapters against the sandbox, through the
//! `CallbackInbox` a merchant mounts on its route.

use base64::Engine;
use finconnect::azampay::{AzampayConfig, AzampayEndpoints, MnoProvider};
use finconnect::clickpesa::{self, ChecksumMethod};
use finconnect::sdk::{
    CallbackEvent, CallbackInbox, ConfirmLimits, Expected, FintechSdk, IpnMethod,
    Outcome as Handled, Payment, ProviderConfig, Trust,
};
use finconnect::{Currency, Error, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Fault, Outcome, ProviderName, Route};
use finconnect_tests::{
    azampay_config, clickpesa_checksum_key, clickpesa_config, clickpesa_config_without_checksum,
    fast_options, mpesa_config, pesapal_config, start_sandbox, Adapter, Merchant, Reply,
};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The sandbox's published TEST-ONLY signing key (never a production key).
const TEST_SIGNING_KEY: &str =
    include_str!("../../finconnect-sandbox/keys/sandbox-signing-key.TEST-ONLY.pem");

type Seen = Arc<Mutex<Vec<CallbackEvent>>>;
type Book = Arc<Mutex<HashMap<String, Expected>>>;

/// A merchant's inbox: records each event handed to it; fails the first
/// `failures` hand-offs (a database that is down); checks against `book`.
fn inbox<T: finconnect::driver::Transport + 'static>(
    sdk: FintechSdk<T>,
    failures: usize,
    book: Book,
) -> (CallbackInbox<T>, Seen) {
    let seen: Seen = Arc::default();
    let sink = Arc::clone(&seen);
    let left = Arc::new(AtomicUsize::new(failures));
    let inbox = CallbackInbox::new(sdk, move |event: CallbackEvent| {
        let failing = left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !failing {
            sink.lock().unwrap().push(event);
        }
        async move {
            if failing {
                Err("the orders database is down")
            } else {
                Ok(())
            }
        }
    })
    .with_orders(move |claims| {
        let order = claims
            .reference
            .as_ref()
            .and_then(|r| book.lock().unwrap().get(r).cloned());
        async move { order }
    });
    (inbox, seen)
}

/// A facade whose failed confirmations are not remembered (so a retry right
/// away is processed; the default remembers them for 5 s).
fn sdk_without_negative_cache<A: Adapter>(config: ProviderConfig) -> FintechSdk<A::Transport> {
    let options = fast_options();
    FintechSdk::with_limits(
        config,
        A::transport(&options),
        options.retry,
        ConfirmLimits {
            negative_ttl: Duration::ZERO,
            ..ConfirmLimits::default()
        },
    )
    .unwrap()
}

fn ipn(tracking: &str, reference: &str) -> http::Request<Vec<u8>> {
    http::Request::get(format!(
        "/ipn?OrderTrackingId={tracking}&OrderMerchantReference={reference}&OrderNotificationType=IPNCHANGE"
    ))
    .body(Vec::new())
    .unwrap()
}

fn post(body: Vec<u8>) -> http::Request<Vec<u8>> {
    http::Request::post("/callback")
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

fn ack_status(response: &http::Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice::<serde_json::Value>(response.body()).unwrap()["status"].clone()
}

/// A PesaPal order at the sandbox: (reference, tracking id).
async fn pesapal_order<T: finconnect::driver::Transport>(
    sdk: &FintechSdk<T>,
    reference: &str,
) -> (String, String) {
    let ipn = sdk
        .register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get)
        .await
        .unwrap();
    let payment = Payment::new(reference, Money::from_major(250, Currency::KES).unwrap())
        .unwrap()
        .description("money truth")
        .unwrap()
        .email("payer@example.com")
        .callback_url("http://127.0.0.1:9/return");
    let started = sdk.pay(&payment, Some(ipn.ipn_id.as_str())).await.unwrap();
    (reference.to_owned(), started.provider_reference.unwrap())
}

/// Finding: the dedupe key was the tracking id alone, recorded before
/// confirmation, so the IPN reporting completion after a pending one never
/// reached user code. Now a confirmed status change is a new event; a replay is
/// not.
async fn a_later_pesapal_ipn_is_a_new_event<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let (reference, tracking) = pesapal_order(&sdk, "TRUTH-1").await;
    let (inbox, seen) = inbox(sdk, 0, Book::default());

    // Anyone knowing the tracking id can trigger the IPN early: pending.
    let (early, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert_eq!(ack_status(&early), 200);
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");

    sandbox
        .settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
        .await
        .unwrap();
    let (_, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    // A replay of the completion is acknowledged but not passed on again.
    let (replay, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert_eq!(ack_status(&replay), 200);
    assert!(matches!(outcome, Handled::Duplicate(_)), "{outcome:?}");

    let seen = seen.lock().unwrap();
    let statuses: Vec<_> = seen.iter().map(|e| e.facts.status.clone()).collect();
    assert_eq!(statuses, [PaymentStatus::Pending, PaymentStatus::Completed]);
    assert_ne!(seen[0].dedupe_key, seen[1].dedupe_key);
    assert!(seen.iter().all(|e| e.trust == Trust::StatusQuery));
}

/// Finding: when confirmation failed (status query 503 ×3) PesaPal had already
/// got its 200 ack and the retry was dropped as a duplicate: lost. Now the IPN
/// is answered with status 500 (PesaPal retries), and the retry is processed:
/// the event reaches user code exactly once.
async fn a_failed_confirmation_is_retried_and_delivered_once<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = sdk_without_negative_cache::<A>(ProviderConfig::Pesapal(pesapal_config(&sandbox)));
    let (reference, tracking) = pesapal_order(&sdk, "TRUTH-2").await;
    sandbox
        .settle(ProviderName::Pesapal, &tracking, Outcome::Complete)
        .await
        .unwrap();
    let (inbox, seen) = inbox(sdk, 0, Book::default());

    sandbox.inject(Route::PesapalStatus, vec![Fault::Status(503); 3]);
    let (answer, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert!(matches!(outcome, Handled::Retry(_)), "{outcome:?}");
    assert_eq!(answer.status(), 500);
    assert_eq!(ack_status(&answer), 500, "PesaPal is told to retry");
    assert!(seen.lock().unwrap().is_empty(), "nothing handed off yet");

    // PesaPal's retry (the status query works again).
    let (answer, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    assert_eq!(ack_status(&answer), 200);
    let (_, outcome) = inbox.handle_detailed(ipn(&tracking, &reference)).await;
    assert!(matches!(outcome, Handled::Duplicate(_)), "{outcome:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].facts.status, PaymentStatus::Completed);
}

/// A failing handler (the merchant's database is down) gets the provider to
/// retry, and its retry is processed: delivered exactly once.
async fn a_failed_hand_off_is_retried_and_delivered_once<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &fast_options(),
    );
    let (inbox, seen) = inbox(sdk, 2, Book::default());
    let key = clickpesa_checksum_key();
    let mut body = serde_json::json!({"event": "PAYMENT RECEIVED", "data": {"id": "CPX1", "status": "SUCCESS",
        "orderReference": "HANDOFF1", "collectedAmount": "700", "collectedCurrency": "TZS"}});
    clickpesa::sign(&mut body, &key, ChecksumMethod::Canonical).unwrap();
    let bytes = serde_json::to_vec(&body).unwrap();
    for _ in 0..2 {
        let (answer, outcome) = inbox.handle_detailed(post(bytes.clone())).await;
        assert_eq!(answer.status(), 503, "{outcome:?}");
    }
    let (answer, outcome) = inbox.handle_detailed(post(bytes.clone())).await;
    assert_eq!(answer.status(), 200);
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    for _ in 0..3 {
        let (answer, outcome) = inbox.handle_detailed(post(bytes.clone())).await;
        assert_eq!(answer.status(), 200);
        assert!(matches!(outcome, Handled::Duplicate(_)), "{outcome:?}");
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].trust, Trust::Checksum);
    assert_eq!(seen[0].facts.amount, Some(tzs(700)));
}

/// Finding: an unsigned AzamPay callback naming a victim's order, an amount of
/// 5,000,000 and the transid of any successful transaction came out
/// `Completed` for the victim's order. Now the status query vouches only for
/// that transaction; the victim's order (found by the claimed reference)
/// contradicts it, and nothing is passed on.
async fn an_unsigned_azampay_callback_cannot_complete_another_order<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Azampay(azampay_config(&sandbox)),
        &fast_options(),
    );
    let book = Book::default();
    let mut ids = HashMap::new();
    for reference in ["ATTACKER1", "VICTIM1"] {
        let payment = Payment::new(reference, tzs(1000))
            .unwrap()
            .phone("0712345678")
            .operator(MnoProvider::Airtel);
        let started = sdk.pay(&payment, None).await.unwrap();
        let id = started.provider_reference.clone().unwrap();
        book.lock().unwrap().insert(
            reference.to_owned(),
            Expected::order(reference)
                .provider_reference(id.clone())
                .amount(tzs(1000)),
        );
        ids.insert(reference, id);
    }
    sandbox
        .settle(ProviderName::Azampay, &ids["ATTACKER1"], Outcome::Complete)
        .await
        .unwrap();
    let forged = serde_json::to_vec(&serde_json::json!({
        "transactionstatus": "success", "operator": "Airtel", "utilityref": "VICTIM1",
        "amount": "5000000", "transid": ids["ATTACKER1"], "externalreference": ids["ATTACKER1"],
        "reference": ids["ATTACKER1"], "msisdn": "255712345678", "message": "success"
    }))
    .unwrap();

    let (checked, seen) = inbox(sdk.clone(), 0, Arc::clone(&book));
    let (answer, outcome) = checked.handle_detailed(post(forged.clone())).await;
    assert_eq!(answer.status(), 409, "{outcome:?}");
    assert!(
        matches!(outcome, Handled::Refused(Error::Contradiction { .. })),
        "{outcome:?}"
    );
    assert!(seen.lock().unwrap().is_empty());

    // Without an order lookup the event is confirmed, but states only what the
    // status query vouched for: that transaction's status, no order, no amount.
    let accepted = sdk.accept_callback(&post(forged)).await.unwrap();
    let event = sdk.confirm_callback(&accepted, None).await.unwrap();
    assert_eq!(event.facts.status, PaymentStatus::Completed);
    assert_eq!(
        event.facts.provider_reference.as_deref(),
        Some(ids["ATTACKER1"].as_str())
    );
    assert_eq!(event.facts.reference, None);
    assert_eq!(event.facts.amount, None);
    assert_eq!(event.claims.amount, Some(tzs(5_000_000)));
    assert_eq!(event.order, None);
}

fn sign(text: &str) -> String {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_SIGNING_KEY).unwrap();
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key)
        .sign(text.as_bytes())
        .to_bytes();
    base64::engine::general_purpose::STANDARD.encode(signature)
}

fn signed_callback(utilityref: &str, external: &str, signature: &str, amount: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "transactionstatus": "success", "operator": "Airtel", "utilityref": utilityref,
        "externalreference": external, "transid": external, "reference": external,
        "amount": amount, "msisdn": "255712345678", "message": "success", "signature": signature,
    }))
    .unwrap()
}

/// Finding: one valid AzamPay signature could be re-bound (`ORDER12`+`X1` and
/// `ORDER1`+`2X1` sign alike) and reported the re-bound reference and the
/// unsigned amount as trusted, under a new dedupe key. Now a signed event
/// vouches for references only when your order's split matches, never for the
/// amount, and every re-split has the same key.
async fn a_signed_azampay_callback_cannot_be_rebound<A: Adapter>() {
    let unreachable = "http://127.0.0.1:9";
    let config = AzampayConfig::custom(
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
    let sdk = A::sdk(ProviderConfig::Azampay(config), &fast_options());
    let signature = sign("ORDER12X1successAirtel");
    let genuine = signed_callback("ORDER12", "X1", &signature, "1000");
    let rebound = signed_callback("ORDER1", "2X1", &signature, "5000000");

    let event_of = |body: Vec<u8>, order: Option<Expected>| {
        let sdk = sdk.clone();
        async move {
            let accepted = sdk.accept_callback(&post(body)).await?;
            sdk.confirm_callback(&accepted, order.as_ref()).await
        }
    };
    let plain = event_of(rebound.clone(), None).await.unwrap();
    assert_eq!(plain.trust, Trust::Signature);
    assert_eq!(plain.facts.status, PaymentStatus::Completed);
    assert_eq!(plain.facts.reference, None, "the split is not vouched");
    assert_eq!(plain.facts.amount, None, "the amount is not signed");
    let original = event_of(genuine.clone(), None).await.unwrap();
    assert_eq!(
        plain.dedupe_key, original.dedupe_key,
        "a re-split is no new event"
    );

    // The owner of ORDER1 (whose transaction is X1) is not fooled.
    let order1 = Expected::order("ORDER1")
        .provider_reference("X1")
        .amount(tzs(1000));
    match event_of(rebound, Some(order1)).await {
        Err(Error::Contradiction { .. }) => {}
        Ok(e) => assert_eq!(e.order, None, "bound to the wrong order: {e:?}"),
        Err(e) => panic!("{e}"),
    }
    // The genuine order binds, with references vouched through its split.
    let order12 = Expected::order("ORDER12")
        .provider_reference("X1")
        .amount(tzs(1000));
    let bound = event_of(genuine, Some(order12.clone())).await.unwrap();
    assert_eq!(bound.order, Some(order12));
    assert_eq!(bound.facts.reference.as_deref(), Some("ORDER12"));
}

/// A stranger holding one valid signed AzamPay callback strips its signature
/// and sends it again: the status query confirms the same payment, and it must
/// not come out as a second event.
async fn a_stripped_signature_is_not_a_second_event<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Azampay(azampay_config(&sandbox)),
        &fast_options(),
    );
    let payment = Payment::new("STRIP1", tzs(1000))
        .unwrap()
        .phone("0712345678")
        .operator(MnoProvider::Airtel);
    let id = sdk
        .pay(&payment, None)
        .await
        .unwrap()
        .provider_reference
        .unwrap();
    sandbox
        .settle(ProviderName::Azampay, &id, Outcome::Complete)
        .await
        .unwrap();
    let book = Book::default();
    book.lock().unwrap().insert(
        "STRIP1".to_owned(),
        Expected::order("STRIP1")
            .provider_reference(id.clone())
            .amount(tzs(1000)),
    );
    let (inbox, seen) = inbox(sdk, 0, book);
    let signed = signed_callback(
        "STRIP1",
        &id,
        &sign(&format!("STRIP1{id}successAirtel")),
        "1000",
    );
    let (_, outcome) = inbox.handle_detailed(post(signed.clone())).await;
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    let mut stripped: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    stripped.as_object_mut().unwrap().remove("signature");
    let (answer, outcome) = inbox
        .handle_detailed(post(serde_json::to_vec(&stripped).unwrap()))
        .await;
    assert_eq!(answer.status(), 200);
    assert!(matches!(outcome, Handled::Duplicate(_)), "{outcome:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// Finding: with no key to be had, a callback carrying a signature fell back to
/// the unsigned path (fail open). Now it is refused for now: 503, retried.
async fn a_signed_callback_without_a_key_fails_closed<A: Adapter>() {
    let unreachable = "http://127.0.0.1:9";
    let config = AzampayConfig::custom(
        "app",
        "id",
        Secret::new("secret"),
        AzampayEndpoints {
            auth: unreachable,
            checkout: unreachable,
            disbursement: unreachable,
        },
        UrlPolicy::Local,
    )
    .unwrap();
    let sdk = A::sdk(ProviderConfig::Azampay(config), &fast_options());
    let (inbox, seen) = inbox(sdk, 0, Book::default());
    let body = signed_callback("ORDER12", "X1", &sign("ORDER12X1successAirtel"), "1000");
    let (answer, outcome) = inbox.handle_detailed(post(body)).await;
    assert_eq!(answer.status(), 503, "{outcome:?}");
    assert!(matches!(outcome, Handled::Retry(_)), "{outcome:?}");
    assert!(seen.lock().unwrap().is_empty());
}

/// Findings: an unsigned ClickPesa webhook chose its own dedupe key (made-up
/// ids gave one event and one status query each), and a payload checksummed
/// inside `data` re-sent under four event names gave four trusted events.
async fn clickpesa_webhooks_cannot_mint_events<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let unsigned = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config_without_checksum(&sandbox)),
        &fast_options(),
    );
    let started = unsigned
        .pay(
            &Payment::new("MINT1", tzs(700)).unwrap().phone("0712345678"),
            None,
        )
        .await
        .unwrap();
    sandbox
        .settle(ProviderName::Clickpesa, "MINT1", Outcome::Complete)
        .await
        .unwrap();
    let (inbox_unsigned, seen) = inbox(unsigned, 0, Book::default());
    let webhook = |id: &str| {
        serde_json::to_vec(&serde_json::json!({"event": "PAYMENT RECEIVED", "data": {
            "id": id, "status": "SUCCESS", "orderReference": "MINT1",
            "collectedAmount": "700", "collectedCurrency": "TZS"}}))
        .unwrap()
    };
    let real_id = started.provider_reference.clone().unwrap();
    let (_, outcome) = inbox_unsigned
        .handle_detailed(post(webhook(&real_id)))
        .await;
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    for i in 0..5 {
        let (answer, outcome) = inbox_unsigned
            .handle_detailed(post(webhook(&format!("MADEUP{i}"))))
            .await;
        assert_eq!(answer.status(), 409, "{outcome:?}");
    }
    assert_eq!(seen.lock().unwrap().len(), 1);

    // A payload checksummed inside `data`, re-sent under other event names.
    let signed = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &fast_options(),
    );
    let (inbox_signed, seen) = inbox(signed, 0, Book::default());
    let mut data = serde_json::json!({"id": "CPD1", "status": "SUCCESS", "orderReference": "DATA1",
        "collectedAmount": "900", "collectedCurrency": "TZS"});
    clickpesa::sign(
        &mut data,
        &clickpesa_checksum_key(),
        ChecksumMethod::Canonical,
    )
    .unwrap();
    let mut answers = Vec::new();
    for name in [
        "PAYMENT RECEIVED",
        "PAYMENT FAILED",
        "PAYOUT INITIATED",
        "DEPOSIT RECEIVED",
        "PAYMENT RECEIVED",
    ] {
        let body = serde_json::to_vec(&serde_json::json!({"event": name, "data": data})).unwrap();
        let (answer, _) = inbox_signed.handle_detailed(post(body)).await;
        answers.push(answer.status().as_u16());
    }
    assert_eq!(
        answers,
        [200, 401, 401, 401, 200],
        "refused or deduplicated"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "one payload, one event");
    assert_eq!(seen[0].facts.status, PaymentStatus::Completed);
    assert_eq!(seen[0].trust, Trust::Checksum);
}

/// Finding: each unsigned callback started an authenticated status query, with
/// no limit. Now callbacks for one payment share a query, and a failed one is
/// not repeated within the negative TTL: 30 forged callbacks for a reference
/// that does not exist cost one query.
async fn status_queries_from_callbacks_are_bounded<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config_without_checksum(&sandbox)),
        &fast_options(),
    );
    let (inbox, seen) = inbox(sdk, 0, Book::default());
    let before = sandbox.requests(Route::ClickpesaPaymentStatus);
    let body = serde_json::to_vec(&serde_json::json!({"event": "PAYMENT RECEIVED",
        "data": {"status": "SUCCESS", "orderReference": "NOSUCHORDER"}}))
    .unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let inbox = inbox.clone();
            let body = body.clone();
            tokio::spawn(async move { inbox.handle(post(body)).await.status().as_u16() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 503, "asked to retry");
    }
    let queries = sandbox.requests(Route::ClickpesaPaymentStatus) - before;
    assert!(
        queries <= 2,
        "{queries} status queries for one made-up reference"
    );
    assert!(seen.lock().unwrap().is_empty());
}

fn kes(major: i64) -> Money {
    Money::from_major(major, Currency::KES).unwrap()
}

/// An STK push of 10 KES for `reference` at the sandbox, its callback to the
/// merchant on a one-off path: the CheckoutRequestID.
async fn stk_push<T: finconnect::driver::Transport>(
    sdk: &FintechSdk<T>,
    merchant: &Merchant,
    reference: &str,
) -> String {
    let payment = Payment::new(reference, kes(10))
        .unwrap()
        .description("money truth")
        .unwrap()
        .phone("0712345678")
        .callback_url(merchant.url(&format!("/stk/{reference}-e41c9b")));
    let started = sdk.pay(&payment, None).await.unwrap();
    started.provider_reference.unwrap()
}

/// What an attacker who learnt a CheckoutRequestID posts: Daraja's success
/// callback, with a made-up receipt, for the order's amount.
fn forged_stk_success(checkout_request_id: &str) -> Vec<u8> {
    format!(
        r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"{checkout_request_id}","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":10.00}},{{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"}},{{"Name":"TransactionDate","Value":20191219102115}},{{"Name":"PhoneNumber","Value":254712345678}}]}}}}}}}}"#
    )
    .into_bytes()
}

/// Daraja signs nothing: a success callback forged for an order the customer
/// cancelled is confirmed by the STK query, and the event says what the query
/// says (cancelled), never completed. The real cancellation, arriving later,
/// is the same event.
async fn a_forged_stk_success_gets_the_querys_status<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Mpesa(mpesa_config(&sandbox)),
        &fast_options(),
    );
    let merchant = Merchant::start(Reply::Ok).await;
    let id = stk_push(&sdk, &merchant, "FORGED1").await;
    sandbox.settle_mpesa(&id, "1032").await.unwrap();
    let real = merchant.wait_for(1, Duration::from_secs(5)).await;
    let book: Book = Arc::default();
    book.lock().unwrap().insert(
        "FORGED1".into(),
        Expected::order("FORGED1")
            .provider_reference(&id)
            .amount(kes(10)),
    );
    let (inbox, seen) = inbox(sdk, 0, book);

    let (answer, outcome) = inbox.handle_detailed(post(forged_stk_success(&id))).await;
    assert!(matches!(outcome, Handled::Delivered(_)), "{outcome:?}");
    assert_eq!(answer.status(), 200);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        let event = &seen[0];
        assert_eq!(event.claims.status, Some(PaymentStatus::Completed));
        assert_eq!(event.facts.status, PaymentStatus::Cancelled);
        assert_eq!(event.trust, Trust::StatusQuery);
        assert_eq!(event.facts.provider_reference.as_deref(), Some(id.as_str()));
        assert_eq!(event.facts.amount, None, "the claimed amount is no fact");
    }
    let (_, outcome) = inbox.handle_detailed(real[0].to_http()).await;
    assert!(matches!(outcome, Handled::Duplicate(_)), "{outcome:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// The STK callback and the C2B confirmation of one payment reach the inbox:
/// one event (the C2B confirmation is confirmed through the order's STK push,
/// with the same dedupe key), and the validation request in between is
/// answered from the order book.
async fn a_c2b_confirmation_of_a_push_is_the_same_event<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Mpesa(mpesa_config(&sandbox)),
        &fast_options(),
    );
    let merchant = Merchant::start(Reply::Ok).await;
    sdk.register_ipn(&merchant.url("/c2b/7d02f4"), IpnMethod::Post)
        .await
        .unwrap();
    let id = stk_push(&sdk, &merchant, "TWIN1").await;
    sandbox
        .settle(ProviderName::Mpesa, &id, Outcome::Complete)
        .await
        .unwrap();
    let paid = sandbox
        .mpesa_c2b_payment(None, 10, credentials::MPESA_TEST_MSISDN, "TWIN1")
        .await
        .unwrap();
    assert!(paid.completed, "{paid:?}");
    let received = merchant.wait_for(3, Duration::from_secs(5)).await;
    let paths: Vec<&str> = received.iter().map(|r| r.path()).collect();
    assert_eq!(
        paths,
        [
            "/stk/TWIN1-e41c9b",
            "/c2b/7d02f4/validation",
            "/c2b/7d02f4/confirmation"
        ]
    );

    let book: Book = Arc::default();
    book.lock().unwrap().insert(
        "TWIN1".into(),
        Expected::order("TWIN1")
            .provider_reference(&id)
            .amount(kes(10)),
    );
    let (inbox, seen) = inbox(sdk, 0, book);
    let (_, stk) = inbox.handle_detailed(received[0].to_http()).await;
    let Handled::Delivered(stk_key) = stk else {
        panic!("the STK callback: {stk:?}")
    };
    let (_, validation) = inbox.handle_detailed(received[1].to_http()).await;
    assert!(
        matches!(validation, Handled::Validated { accepted: true }),
        "{validation:?}"
    );
    let (answer, c2b) = inbox.handle_detailed(received[2].to_http()).await;
    assert_eq!(answer.status(), 200);
    let Handled::Duplicate(c2b_key) = c2b else {
        panic!("the C2B confirmation: {c2b:?}")
    };
    assert_eq!(stk_key, c2b_key);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].facts.status, PaymentStatus::Completed);
    assert_eq!(seen[0].trust, Trust::StatusQuery);
}

finconnect_tests::conformance!(
    a_forged_stk_success_gets_the_querys_status,
    a_c2b_confirmation_of_a_push_is_the_same_event,
    a_later_pesapal_ipn_is_a_new_event,
    a_failed_confirmation_is_retried_and_delivered_once,
    a_failed_hand_off_is_retried_and_delivered_once,
    an_unsigned_azampay_callback_cannot_complete_another_order,
    a_signed_azampay_callback_cannot_be_rebound,
    a_signed_callback_without_a_key_fails_closed,
    a_stripped_signature_is_not_a_second_event,
    clickpesa_webhooks_cannot_mint_events,
    status_queries_from_callbacks_are_bounded,
);
