//! M-Pesa (Daraja): every operation of the core against the sandbox, with the
//! STK, C2B and result callbacks delivered to the local merchant listener and
//! read with the core's parsers; one token for a whole run, one refresh after a
//! refused token.

use finconnect::mpesa::{
    parse_c2b, parse_result, parse_stk_callback, AccountBalanceQuery, B2cPayment, C2bCommand,
    C2bSimulate, CheckoutRequestId, KenyanMsisdn, OriginatorConversationId, RegisterUrls, Remarks,
    ResponseType, ResultNotification, ResultUrls, Reversal, Shortcode, StkKind, StkPush, StkQuery,
    StkQueryOutcome, TransactionKey, TransactionStatusQuery,
};
use finconnect::{Currency, Money, PaymentStatus};
use finconnect_sandbox::{credentials, Fault, Outcome, ProviderName, Route};
use finconnect_tests::{fast_options, mpesa_config, start_sandbox, Adapter, Merchant, Reply};
use std::time::{Duration, SystemTime};
use tokio::task::JoinSet;

/// `n` whole shillings.
pub fn kes(n: i64) -> Money {
    Money::from_major(n, Currency::KES).expect("amount")
}

/// The sandbox's test customer.
pub fn customer() -> KenyanMsisdn {
    KenyanMsisdn::parse(credentials::MPESA_TEST_MSISDN).expect("msisdn")
}

/// An STK push of `amount` KES whose callback goes to `callback`.
pub fn push(amount: i64, callback: &str, reference: &str) -> StkPush {
    StkPush::new(
        StkKind::PayBill,
        kes(amount),
        customer(),
        callback,
        reference,
        "Shoes",
        SystemTime::now(),
    )
    .expect("an STK push")
}

fn urls(merchant: &Merchant) -> ResultUrls {
    ResultUrls::new(&merchant.url("/result"), &merchant.url("/timeout")).expect("urls")
}

/// The `n`-th request the merchant received, as a Daraja result.
async fn result_at(merchant: &Merchant, n: usize) -> ResultNotification {
    let seen = merchant.wait_for(n, Duration::from_secs(5)).await;
    assert_eq!(seen[n - 1].path(), "/result", "{seen:?}");
    parse_result(&seen[n - 1].body).expect("a Daraja result")
}

/// OAuth (implicitly, once), STK push, STK query (pending, then paid), the STK
/// callback parsed and confirmed by its own query, C2B register, a customer's C2B
/// payment (validation + confirmation) and the sandbox-only simulate, B2C with
/// its result, transaction status of the STK receipt, account balance and the
/// reversal of the C2B payment.
async fn mpesa_every_operation<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    let config = mpesa_config(&sandbox);
    let client = A::client(config.clone(), &fast_options());

    // STK push: accepted, nothing paid yet.
    let accepted = client
        .execute(push(10, &merchant.url("/stk/order-1"), "ORDER-1"))
        .await
        .expect("StkPush");
    assert_eq!(sandbox.orders(ProviderName::Mpesa), 1);
    let checkout = accepted.checkout_request_id.clone();
    // STK query while the prompt is open: pending (4999), never failed.
    let pending = client
        .execute(StkQuery::new(checkout.clone(), SystemTime::now()))
        .await
        .expect("StkQuery");
    assert!(
        matches!(pending, StkQueryOutcome::Pending { .. }),
        "{pending:?}"
    );
    assert_eq!(pending.status(), PaymentStatus::Pending);

    // The customer pays: the callback reaches the merchant once.
    sandbox
        .settle(ProviderName::Mpesa, checkout.as_str(), Outcome::Complete)
        .await
        .expect("settle");
    let seen = merchant.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].path(), "/stk/order-1");
    let callback = parse_stk_callback(&seen[0].body).expect("an STK callback");
    assert_eq!(callback.checkout_request_id, checkout);
    assert_eq!(callback.claimed_status(), PaymentStatus::Completed);
    assert_eq!(callback.claimed_amount, Some(kes(10)));
    let receipt = callback.claimed_receipt.clone().expect("a receipt");
    assert_eq!(
        callback.claimed_phone.as_deref(),
        Some(credentials::MPESA_TEST_MSISDN)
    );
    // The callback is a claim: Daraja's own query confirms it.
    let confirmed = client
        .execute(callback.status_query(SystemTime::now()))
        .await
        .expect("the confirming query");
    assert_eq!(
        confirmed.status(),
        PaymentStatus::Completed,
        "{confirmed:?}"
    );

    // C2B: register, then a customer pays the shortcode.
    let shortcode = Shortcode::new(credentials::MPESA_SHORTCODE).expect("shortcode");
    let registered = client
        .execute(
            RegisterUrls::new(
                shortcode.clone(),
                ResponseType::Completed,
                &merchant.url("/c2b/confirm"),
                &merchant.url("/c2b/validate"),
            )
            .expect("op"),
        )
        .await
        .expect("RegisterUrls");
    assert!(registered.originator_conversation_id.is_some());
    let paid = sandbox
        .mpesa_c2b_payment(None, 50, credentials::MPESA_TEST_MSISDN, "INV-50")
        .await
        .expect("a C2B payment");
    assert!(paid.completed);
    let seen = merchant.received();
    assert_eq!(seen.len(), 3, "{seen:?}");
    let validation = parse_c2b(&seen[1].body).expect("validation");
    let confirmation = parse_c2b(&seen[2].body).expect("confirmation");
    assert_eq!(seen[1].path(), "/c2b/validate");
    assert_eq!(seen[2].path(), "/c2b/confirm");
    assert_eq!(validation.trans_id, paid.trans_id);
    assert_eq!(confirmation.trans_id, paid.trans_id);
    assert_eq!(confirmation.claimed_amount, kes(50));
    assert_eq!(confirmation.bill_ref_number.as_deref(), Some("INV-50"));
    let simulated = client
        .execute(
            C2bSimulate::new(
                shortcode,
                C2bCommand::PayBill,
                kes(7),
                customer(),
                Some("SIM-7"),
            )
            .expect("op"),
        )
        .await
        .expect("C2bSimulate");
    assert!(simulated.originator_conversation_id.is_some());
    let seen = merchant.wait_for(5, Duration::from_secs(5)).await;
    assert_eq!(
        parse_c2b(&seen[4].body)
            .expect("confirmation")
            .claimed_amount,
        kes(7)
    );

    // B2C: accepted, then the result.
    let credential = config
        .security_credential(&mut rand::thread_rng())
        .expect("a SecurityCredential");
    let b2c = client
        .execute(
            B2cPayment::new(
                OriginatorConversationId::new("payout-001").expect("id"),
                kes(100),
                customer(),
                Remarks::new("refund").expect("remarks"),
                urls(&merchant),
                credential.clone(),
            )
            .expect("op")
            .occasion("June")
            .expect("occasion"),
        )
        .await
        .expect("B2cPayment");
    assert_eq!(
        b2c.originator_conversation_id.as_deref(),
        Some("payout-001")
    );
    let result = result_at(&merchant, 6).await;
    assert!(result.claims_success(), "{result:?}");
    assert_eq!(result.claimed_transaction_amount(), Some(kes(100)));
    assert_eq!(
        result.originator_conversation_id.as_deref(),
        Some("payout-001")
    );
    assert_eq!(
        result.conversation_id.as_deref(),
        Some(b2c.conversation_id.as_str())
    );

    // Transaction status of the STK receipt.
    client
        .execute(
            TransactionStatusQuery::new(
                TransactionKey::Receipt(receipt.clone()),
                Remarks::new("check").expect("remarks"),
                urls(&merchant),
                credential.clone(),
            )
            .expect("op"),
        )
        .await
        .expect("TransactionStatusQuery");
    let status = result_at(&merchant, 7).await;
    assert!(status.claims_success(), "{status:?}");
    assert_eq!(status.parameter_text("ReceiptNo"), Some(receipt.clone()));

    // Account balance.
    client
        .execute(AccountBalanceQuery::new(
            Remarks::new("balance").expect("remarks"),
            urls(&merchant),
            credential.clone(),
        ))
        .await
        .expect("AccountBalanceQuery");
    let balance = result_at(&merchant, 8).await;
    let accounts = balance.account_balances().expect("balances");
    let utility = accounts
        .iter()
        .find(|a| a.account == "Utility Account")
        .expect("the utility account");
    // 1 000 000 + 10 (STK) + 50 + 7 (C2B) − 100 (B2C).
    assert_eq!(utility.available, Some(kes(999_967)));

    // Reversal of the C2B payment.
    client
        .execute(
            Reversal::new(
                &paid.trans_id,
                kes(50),
                Remarks::new("wrong payment").expect("remarks"),
                urls(&merchant),
                credential,
            )
            .expect("op"),
        )
        .await
        .expect("Reversal");
    let reversal = result_at(&merchant, 9).await;
    assert!(reversal.claims_success(), "{reversal:?}");
    assert_eq!(
        reversal.parameter_text("OriginalTransactionID"),
        Some(paid.trans_id.clone())
    );

    assert_eq!(
        sandbox.requests(Route::MpesaAuth),
        1,
        "one token for the run"
    );
    assert_eq!(sandbox.requests(Route::MpesaStkPush), 1);
    assert_eq!(sandbox.requests(Route::MpesaStkQuery), 2);
    assert_eq!(sandbox.requests(Route::MpesaC2bRegister), 1);
    assert_eq!(sandbox.requests(Route::MpesaC2bSimulate), 1);
    assert_eq!(sandbox.requests(Route::MpesaB2c), 1);
    assert_eq!(sandbox.requests(Route::MpesaTransactionStatus), 1);
    assert_eq!(sandbox.requests(Route::MpesaAccountBalance), 1);
    assert_eq!(sandbox.requests(Route::MpesaReversal), 1);
    assert!(sandbox
        .deliveries()
        .iter()
        .all(|d| d.attempts == 1 && d.acked));
}

/// The three pending shapes of the query, read as pending or no answer; a
/// cancellation on the phone's prompt page is a final `1032` with a callback
/// that carries no metadata; a wrong initiator password is a `2001` result.
async fn mpesa_pending_cancelled_and_refused<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    let client = A::client(mpesa_config(&sandbox), &fast_options());
    let accepted = client
        .execute(push(20, &merchant.url("/stk/order-2"), "ORDER-2"))
        .await
        .expect("StkPush");
    let id = accepted.checkout_request_id.clone();
    let query = || StkQuery::new(id.clone(), SystemTime::now());
    let first = client.execute(query()).await.expect("query");
    assert!(
        matches!(first, StkQueryOutcome::Pending { .. }),
        "{first:?}"
    );
    let second = client.execute(query()).await.expect("query");
    assert!(
        matches!(&second, StkQueryOutcome::NoAnswer { error_code, .. } if error_code == "500.001.1001"),
        "{second:?}"
    );
    // HTTP 500 `500.001.1001`: retried (idempotent), the retry reads 4999.
    let third = client.execute(query()).await.expect("query");
    assert_eq!(third.status(), PaymentStatus::Pending);
    assert_eq!(sandbox.requests(Route::MpesaStkQuery), 4);

    // The customer cancels on the simulated phone.
    let page = sandbox.mpesa_prompt_url(id.as_str());
    let form = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let request = http::Request::post(page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            b"action=cancel",
        )))
        .expect("request");
    let answer = form.request(request).await.expect("the prompt page");
    assert_eq!(answer.status(), 200);
    let callback = parse_stk_callback(&merchant.received()[0].body).expect("callback");
    assert_eq!(callback.claimed_result_code.as_str(), "1032");
    assert_eq!(callback.claimed_status(), PaymentStatus::Cancelled);
    assert!(callback.metadata.is_empty() && callback.claimed_receipt.is_none());
    let done = client.execute(query()).await.expect("query");
    assert_eq!(done.status(), PaymentStatus::Cancelled, "{done:?}");

    // An unknown CheckoutRequestID: no answer, never "failed".
    let unknown = client
        .execute(StkQuery::new(
            CheckoutRequestId::new("ws_CO_000000").expect("id"),
            SystemTime::now(),
        ))
        .await
        .expect("query");
    assert_eq!(unknown.status(), PaymentStatus::Pending, "{unknown:?}");

    // A SecurityCredential made from another password: accepted, then 2001.
    let wrong = finconnect::mpesa::Initiator::new(
        Shortcode::new(credentials::MPESA_SHORTCODE).expect("shortcode"),
        credentials::MPESA_INITIATOR_NAME,
        finconnect::Secret::new("not-the-password"),
        credentials::MPESA_CERTIFICATE_PEM,
    )
    .expect("initiator")
    .security_credential(&mut rand::thread_rng())
    .expect("credential");
    client
        .execute(AccountBalanceQuery::new(
            Remarks::new("balance").expect("remarks"),
            urls(&merchant),
            wrong,
        ))
        .await
        .expect("accepted");
    let result = result_at(&merchant, 2).await;
    assert_eq!(result.claimed_result_code.as_str(), "2001");
    assert!(!result.claims_success());
}

/// 50 concurrent STK queries on an empty cache: one OAuth request; a token
/// refused once in the middle of 20 more: exactly one refresh.
async fn mpesa_token_single_flight_and_one_refresh<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let setup = A::client(mpesa_config(&sandbox), &fast_options());
    let accepted = setup
        .execute(push(5, "http://127.0.0.1:9/cb", "TOKENS"))
        .await
        .expect("StkPush");
    sandbox
        .settle(
            ProviderName::Mpesa,
            accepted.checkout_request_id.as_str(),
            Outcome::Complete,
        )
        .await
        .expect("settle");
    assert_eq!(sandbox.requests(Route::MpesaAuth), 1);
    let client = A::client(mpesa_config(&sandbox), &fast_options());
    let run = |n: usize| {
        let mut tasks = JoinSet::new();
        for _ in 0..n {
            let c = client.clone();
            let op = StkQuery::new(accepted.checkout_request_id.clone(), SystemTime::now());
            tasks.spawn(async move { c.execute(op).await });
        }
        tasks
    };
    let mut tasks = run(50);
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.expect("task").expect("query");
        assert_eq!(outcome.status(), PaymentStatus::Completed);
    }
    assert_eq!(
        sandbox.requests(Route::MpesaAuth),
        2,
        "one token for the setup client, exactly one for the 50 concurrent calls"
    );
    sandbox.inject(Route::MpesaStkQuery, [Fault::Unauthorized]);
    let mut tasks = run(20);
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task").expect("query after the refresh");
    }
    assert_eq!(sandbox.requests(Route::MpesaAuth), 3, "exactly one refresh");
    assert_eq!(sandbox.requests(Route::MpesaStkQuery), 71);
}

finconnect_tests::conformance!(
    mpesa_every_operation,
    mpesa_pending_cancelled_and_refused,
    mpesa_token_single_flight_and_one_refresh
);
