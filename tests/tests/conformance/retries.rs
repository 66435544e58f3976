//! Retries, counted on the sandbox: reads are retried on 5xx and 429 (honouring
//! `Retry-After`), payments are never sent twice, and a payment whose answer was
//! lost is `Error::OutcomeUnknown` naming the merchant's reference.

use super::azampay::tzs;
use super::clickpesa::{phone, reference};
use super::pesapal::order;
use finconnect::azampay::{MnoCheckout, MnoProvider, TransactionStatus};
use finconnect::clickpesa::{GetPayment, InitiateUssdPush};
use finconnect::pesapal::{GetTransactionStatus, IpnMethod, RegisterIpn, SubmitOrder};
use finconnect::{Error, PaymentStatus, Provider};
use finconnect_sandbox::{Fault, ProviderName, Route, Sandbox};
use finconnect_tests::{
    azampay_config, clickpesa_config, fast_options, options_with_timeout, pesapal_config,
    start_sandbox, Adapter,
};
use std::time::{Duration, Instant};

/// A client timeout well below the injected latency.
const SHORT_TIMEOUT: Duration = Duration::from_millis(500);
const LATE: Duration = Duration::from_millis(1_500);

fn lost_answer() -> Vec<Fault> {
    vec![Fault::AfterProcessing(Box::new(Fault::Latency(LATE)))]
}

fn assert_outcome_unknown(err: &Error, provider: Provider, expected_reference: &str) {
    match err {
        Error::OutcomeUnknown {
            provider: p,
            reference,
            ..
        } => {
            assert_eq!(*p, provider);
            assert_eq!(reference.as_deref(), Some(expected_reference), "{err}");
        }
        other => panic!("expected OutcomeUnknown for {expected_reference}, got {other:?}"),
    }
}

/// Registers an IPN and submits one order with a separate client; returns the
/// IPN id and the tracking id.
async fn pesapal_order<A: Adapter>(
    sandbox: &Sandbox,
    reference: &str,
) -> (
    finconnect::pesapal::IpnId,
    finconnect::pesapal::OrderTrackingId,
) {
    let client = A::client(pesapal_config(sandbox), &fast_options());
    let ipn = client
        .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Get).expect("op"))
        .await
        .expect("RegisterIpn");
    let submitted = client
        .execute(SubmitOrder::new(order(reference, "10"), ipn.ipn_id.clone()))
        .await
        .expect("SubmitOrder");
    (ipn.ipn_id, submitted.order_tracking_id)
}

/// Each provider's status query answered 503, 503, then normally: it succeeds
/// after exactly 3 requests.
async fn status_query_survives_two_503s<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let options = fast_options();

    let (_, tracking) = pesapal_order::<A>(&sandbox, "RETRY-1").await;
    let pesapal = A::client(pesapal_config(&sandbox), &options);
    sandbox.inject(
        Route::PesapalStatus,
        [Fault::Status(503), Fault::Status(503)],
    );
    let status = pesapal
        .execute(GetTransactionStatus::new(tracking))
        .await
        .expect("status after two 503s");
    assert_eq!(status.status, PaymentStatus::Pending);
    assert_eq!(sandbox.requests(Route::PesapalStatus), 3);

    let azampay = A::client(azampay_config(&sandbox), &options);
    let accepted = azampay
        .execute(
            MnoCheckout::new("retry-1", tzs(1000), "0712345678", MnoProvider::Tigo).expect("op"),
        )
        .await
        .expect("checkout");
    let id = accepted.transaction_id.expect("id");
    sandbox.inject(
        Route::AzampayStatus,
        [Fault::Status(503), Fault::Status(503)],
    );
    let status = azampay
        .execute(TransactionStatus::new(&id, MnoProvider::Tigo).expect("op"))
        .await
        .expect("status after two 503s");
    assert_eq!(status.status, PaymentStatus::Pending);
    assert_eq!(sandbox.requests(Route::AzampayStatus), 3);

    let clickpesa = A::client(clickpesa_config(&sandbox), &options);
    clickpesa
        .execute(
            InitiateUssdPush::new(tzs(1000), reference("RETRY1"), phone("0712345678")).expect("op"),
        )
        .await
        .expect("push");
    sandbox.inject(
        Route::ClickpesaPaymentStatus,
        [Fault::Status(503), Fault::Status(503)],
    );
    let payment = clickpesa
        .execute(GetPayment::new(reference("RETRY1")))
        .await
        .expect("GetPayment after two 503s");
    assert_eq!(
        payment.attempts[0].status_text.as_deref(),
        Some("PROCESSING")
    );
    assert_eq!(sandbox.requests(Route::ClickpesaPaymentStatus), 3);
}

/// Three 503s in a row exhaust the 3 attempts: an error after exactly 3 requests.
async fn status_query_gives_up_after_max_attempts<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let (_, tracking) = pesapal_order::<A>(&sandbox, "RETRY-2").await;
    let client = A::client(pesapal_config(&sandbox), &fast_options());
    sandbox.inject(
        Route::PesapalStatus,
        [Fault::Status(503), Fault::Status(503), Fault::Status(503)],
    );
    let err = client
        .execute(GetTransactionStatus::new(tracking.clone()))
        .await
        .expect_err("three 503s");
    assert!(
        !matches!(err, Error::OutcomeUnknown { .. }),
        "a read is never 'outcome unknown': {err:?}"
    );
    assert_eq!(sandbox.requests(Route::PesapalStatus), 3);
    // The next call goes through.
    client
        .execute(GetTransactionStatus::new(tracking))
        .await
        .expect("status");
    assert_eq!(sandbox.requests(Route::PesapalStatus), 4);
}

/// 429 with `Retry-After: 1`: the client waits at least a second, then succeeds
/// with the second request.
async fn too_many_requests_honours_retry_after<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let (_, tracking) = pesapal_order::<A>(&sandbox, "RETRY-3").await;
    let client = A::client(pesapal_config(&sandbox), &fast_options());
    // Authenticate first so only the status query is timed.
    client
        .execute(GetTransactionStatus::new(tracking.clone()))
        .await
        .expect("status");
    sandbox.inject(
        Route::PesapalStatus,
        [Fault::TooManyRequests {
            retry_after: Duration::from_secs(1),
        }],
    );
    let started = Instant::now();
    let status = client
        .execute(GetTransactionStatus::new(tracking))
        .await
        .expect("status after 429");
    let waited = started.elapsed();
    assert_eq!(status.status, PaymentStatus::Pending);
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(sandbox.requests(Route::PesapalStatus), 3);
}

/// A SubmitOrder processed by PesaPal whose answer comes after the client's
/// timeout: `OutcomeUnknown` with the merchant reference, sent once, one order.
async fn pesapal_submit_timeout_is_outcome_unknown<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let (ipn, _) = pesapal_order::<A>(&sandbox, "FIRST-1").await;
    let client = A::client(
        pesapal_config(&sandbox),
        &options_with_timeout(SHORT_TIMEOUT),
    );
    // Take the token first, so the order is the only request timed.
    client
        .execute(finconnect::pesapal::GetIpnList)
        .await
        .expect("GetIpnList");
    let (orders, sent) = (
        sandbox.orders(ProviderName::Pesapal),
        sandbox.requests(Route::PesapalSubmitOrder),
    );
    sandbox.inject(Route::PesapalSubmitOrder, lost_answer());
    let err = client
        .execute(SubmitOrder::new(order("TIMEOUT-1", "250"), ipn))
        .await
        .expect_err("the answer is lost");
    assert_outcome_unknown(&err, Provider::Pesapal, "TIMEOUT-1");
    assert_eq!(sandbox.orders(ProviderName::Pesapal) - orders, 1);
    assert_eq!(sandbox.requests(Route::PesapalSubmitOrder) - sent, 1);
}

/// The same for an AzamPay MNO checkout.
async fn azampay_checkout_timeout_is_outcome_unknown<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let client = A::client(
        azampay_config(&sandbox),
        &options_with_timeout(SHORT_TIMEOUT),
    );
    client
        .execute(finconnect::azampay::GetPaymentPartners)
        .await
        .expect("partners");
    sandbox.inject(Route::AzampayMnoCheckout, lost_answer());
    let err = client
        .execute(
            MnoCheckout::new("timeout-az-1", tzs(4000), "0712345678", MnoProvider::Airtel)
                .expect("op"),
        )
        .await
        .expect_err("the answer is lost");
    assert_outcome_unknown(&err, Provider::Azampay, "timeout-az-1");
    assert_eq!(sandbox.orders(ProviderName::Azampay), 1);
    assert_eq!(sandbox.requests(Route::AzampayMnoCheckout), 1);
}

/// The same for a ClickPesa USSD push; the merchant then finds the payment by
/// its reference.
async fn clickpesa_ussd_timeout_is_outcome_unknown<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let client = A::client(
        clickpesa_config(&sandbox),
        &options_with_timeout(SHORT_TIMEOUT),
    );
    client
        .execute(finconnect::clickpesa::ListBanks)
        .await
        .expect("banks");
    sandbox.inject(Route::ClickpesaUssdInitiate, lost_answer());
    let err = client
        .execute(
            InitiateUssdPush::new(tzs(3000), reference("TIMEOUT1"), phone("0712345678"))
                .expect("op"),
        )
        .await
        .expect_err("the answer is lost");
    assert_outcome_unknown(&err, Provider::Clickpesa, "TIMEOUT1");
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaUssdInitiate), 1);
    let found = client
        .execute(GetPayment::new(reference("TIMEOUT1")))
        .await
        .expect("the payment exists");
    assert_eq!(
        found.attempts[0].order_reference.as_deref(),
        Some("TIMEOUT1")
    );
}

/// A 5xx (before or after processing) or a dropped connection on a payment is
/// never re-sent: one request per attempt, and the error says the outcome is
/// unknown when the provider may have acted.
async fn payment_5xx_is_never_resent<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let (ipn, _) = pesapal_order::<A>(&sandbox, "FIRST-2").await;
    let pesapal = A::client(pesapal_config(&sandbox), &fast_options());
    let azampay = A::client(azampay_config(&sandbox), &fast_options());
    let clickpesa = A::client(clickpesa_config(&sandbox), &fast_options());
    let sent = sandbox.requests(Route::PesapalSubmitOrder);

    sandbox.inject(Route::PesapalSubmitOrder, [Fault::Status(503)]);
    let err = pesapal
        .execute(SubmitOrder::new(order("FIVEXX-1", "10"), ipn.clone()))
        .await
        .expect_err("503");
    assert_outcome_unknown(&err, Provider::Pesapal, "FIVEXX-1");
    assert_eq!(sandbox.requests(Route::PesapalSubmitOrder) - sent, 1);
    assert_eq!(
        sandbox.orders(ProviderName::Pesapal),
        1,
        "only the set-up order"
    );

    sandbox.inject(Route::AzampayMnoCheckout, [Fault::Status(500)]);
    let err = azampay
        .execute(
            MnoCheckout::new("fivexx-az", tzs(100), "0712345678", MnoProvider::Tigo).expect("op"),
        )
        .await
        .expect_err("500");
    assert_outcome_unknown(&err, Provider::Azampay, "fivexx-az");
    assert_eq!(sandbox.requests(Route::AzampayMnoCheckout), 1);
    assert_eq!(sandbox.orders(ProviderName::Azampay), 0);

    sandbox.inject(
        Route::AzampayMnoCheckout,
        [Fault::AfterProcessing(Box::new(Fault::DropConnection))],
    );
    let err = azampay
        .execute(
            MnoCheckout::new("dropped-az", tzs(100), "0712345678", MnoProvider::Tigo).expect("op"),
        )
        .await
        .expect_err("dropped");
    assert_outcome_unknown(&err, Provider::Azampay, "dropped-az");
    assert_eq!(sandbox.requests(Route::AzampayMnoCheckout), 2);
    assert_eq!(sandbox.orders(ProviderName::Azampay), 1);

    sandbox.inject(
        Route::ClickpesaUssdInitiate,
        [Fault::AfterProcessing(Box::new(Fault::Status(502)))],
    );
    let err = clickpesa
        .execute(
            InitiateUssdPush::new(tzs(500), reference("FIVEXX1"), phone("0712345678")).expect("op"),
        )
        .await
        .expect_err("502");
    assert_outcome_unknown(&err, Provider::Clickpesa, "FIVEXX1");
    assert_eq!(sandbox.requests(Route::ClickpesaUssdInitiate), 1);
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 1);

    // A readable 5xx — the provider's own error body — proves no refusal either.
    sandbox.inject(Route::PesapalSubmitOrder, [Fault::ProviderError(500)]);
    let err = pesapal
        .execute(SubmitOrder::new(order("FIVEXX-2", "10"), ipn))
        .await
        .expect_err("500 with an error object");
    assert_outcome_unknown(&err, Provider::Pesapal, "FIVEXX-2");
    assert_eq!(sandbox.requests(Route::PesapalSubmitOrder) - sent, 2);
    sandbox.inject(
        Route::ClickpesaUssdInitiate,
        [Fault::AfterProcessing(Box::new(Fault::ProviderError(504)))],
    );
    let err = clickpesa
        .execute(
            InitiateUssdPush::new(tzs(500), reference("FIVEXX2"), phone("0712345678")).expect("op"),
        )
        .await
        .expect_err("504 Endpoint request timed out");
    assert_outcome_unknown(&err, Provider::Clickpesa, "FIVEXX2");
    assert_eq!(sandbox.requests(Route::ClickpesaUssdInitiate), 2);
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 2);
}

finconnect_tests::conformance!(
    status_query_survives_two_503s,
    status_query_gives_up_after_max_attempts,
    too_many_requests_honours_retry_after,
    pesapal_submit_timeout_is_outcome_unknown,
    azampay_checkout_timeout_is_outcome_unknown,
    clickpesa_ussd_timeout_is_outcome_unknown,
    payment_5xx_is_never_resent,
);
