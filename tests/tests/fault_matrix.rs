//! The fault matrix: every fault the sandbox can inject, against an idempotent
//! status query and a non-idempotent payment, for each provider, over both
//! adapters. Each row states the documented outcome and why; every row also
//! checks the invariant that a payment reaches the provider **at most once** and
//! that the error says whether the outcome is known.
//!
//! | fault | status query | payment |
//! |---|---|---|
//! | 500 / 502 / 503 (plain text) | retried: succeeds on the 2nd request | `OutcomeUnknown`, sent once (a 5xx may follow processing) |
//! | 500 / 504 with the provider's own readable error body | retried: succeeds on the 2nd request | `OutcomeUnknown`, sent once (readable or not, a 5xx proves no refusal) |
//! | 429 with `Retry-After: 1` | waits 1 s, succeeds on the 2nd request | known error (rate limited: not processed), sent once |
//! | 401 in the middle of a run | one re-auth, succeeds on the 2nd request | one re-auth, **re-sent once** (refused before processing), one order |
//! | slower than the timeout | retried: succeeds on the 2nd request | `OutcomeUnknown`, sent once |
//! | connection reset | retried | `OutcomeUnknown`, sent once |
//! | truncated body | retried | `OutcomeUnknown`, sent once |
//! | malformed JSON (HTTP 200) | known `Decode` error, not retried | `OutcomeUnknown` (a 2xx means accepted), sent once |
//! | Cloudflare HTML page (503) | retried | `OutcomeUnknown`, sent once |
//! | body over the client's limit | retried (the bounded read gives up) | `OutcomeUnknown`, sent once |
//! | any of the above **after** processing | — | `OutcomeUnknown`, sent once, exactly one order |
//!
//! M-Pesa (Daraja) runs the same rows through `Driver::execute` (the status query is the
//! STK query, the payment the STK push; "401" is Daraja's `404.001.03 Invalid Access
//! Token`), plus its own: a B2C whose answer is lost is `OutcomeUnknown` and its repeat is
//! refused by Daraja as a duplicate (`500.002.1001`, HTTP 500: `OutcomeUnknown` quoting it,
//! never a second payout), the payout found by a transaction-status query; token-route
//! faults (refused credentials: a known error and no push sent; 503 and a lost answer:
//! retried).

use finconnect::azampay::MnoProvider;
use finconnect::driver::ClientOptions;
use finconnect::mpesa::{
    B2cPayment, KenyanMsisdn, OriginatorConversationId, Remarks, ResultUrls, StkKind, StkPush,
    StkQuery, TransactionKey, TransactionStatusQuery,
};
use finconnect::sdk::{FintechSdk, IpnMethod, Payment, PaymentStarted, ProviderConfig};
use finconnect::{Currency, Error, Money};
use finconnect_sandbox::{credentials, Outcome};
use finconnect_sandbox::{Fault, ProviderName, Route, Sandbox};
use finconnect_tests::{
    azampay_config, clickpesa_config, fast_options, mpesa_config, pesapal_config, start_sandbox,
    Adapter, Merchant, Reply,
};
use std::time::Duration;
use std::time::SystemTime;

const TIMEOUT: Duration = Duration::from_millis(500);
const SLOW: Duration = Duration::from_millis(1_200);
/// Larger than the client's body limit below.
const LIMIT: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Status,
    Pay,
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Succeeds after this many requests to the route.
    Ok { requests: u64 },
    /// A typed error whose outcome is known (nothing charged), after this many requests.
    Known { requests: u64 },
    /// `Error::OutcomeUnknown`, sent once.
    Unknown,
}

struct Row {
    name: &'static str,
    fault: fn() -> Vec<Fault>,
    op: Op,
    expect: Expect,
    /// Whether the sandbox processed the payment (one order) whatever the answer.
    processed: bool,
}

fn after(f: Fault) -> Vec<Fault> {
    vec![Fault::AfterProcessing(Box::new(f))]
}

const ROWS: &[Row] = &[
    // Reads: retried on 5xx, 429, 401 (re-auth), lost answers; a 200 that is not JSON is a known error.
    Row {
        name: "status 500",
        fault: || vec![Fault::Status(500)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status 502",
        fault: || vec![Fault::Status(502)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status 503",
        fault: || vec![Fault::Status(503)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status 500 provider body",
        fault: || vec![Fault::ProviderError(500)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status 429",
        fault: || {
            vec![Fault::TooManyRequests {
                retry_after: Duration::from_secs(1),
            }]
        },
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status 401",
        fault: || vec![Fault::Unauthorized],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status slow",
        fault: || vec![Fault::Latency(SLOW)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status reset",
        fault: || vec![Fault::DropConnection],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status truncated",
        fault: || vec![Fault::Truncated],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status malformed",
        fault: || vec![Fault::MalformedJson],
        op: Op::Status,
        expect: Expect::Known { requests: 1 },
        processed: false,
    },
    Row {
        name: "status html",
        fault: || vec![Fault::Html],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    Row {
        name: "status oversized",
        fault: || vec![Fault::Oversized(LIMIT * 2)],
        op: Op::Status,
        expect: Expect::Ok { requests: 2 },
        processed: false,
    },
    // Payments: never re-sent once they may have reached the provider.
    Row {
        name: "pay 500",
        fault: || vec![Fault::Status(500)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 502",
        fault: || vec![Fault::Status(502)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 503",
        fault: || vec![Fault::Status(503)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 500 provider body",
        fault: || vec![Fault::ProviderError(500)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 504 provider body",
        fault: || vec![Fault::ProviderError(504)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 429",
        fault: || {
            vec![Fault::TooManyRequests {
                retry_after: Duration::from_secs(1),
            }]
        },
        op: Op::Pay,
        expect: Expect::Known { requests: 1 },
        processed: false,
    },
    // 401 is a refusal before processing: re-authenticate and send once more.
    Row {
        name: "pay 401",
        fault: || vec![Fault::Unauthorized],
        op: Op::Pay,
        expect: Expect::Ok { requests: 2 },
        processed: true,
    },
    Row {
        name: "pay slow",
        fault: || vec![Fault::Latency(SLOW)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay reset",
        fault: || vec![Fault::DropConnection],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay truncated",
        fault: || vec![Fault::Truncated],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay malformed",
        fault: || vec![Fault::MalformedJson],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay html",
        fault: || vec![Fault::Html],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay oversized",
        fault: || vec![Fault::Oversized(LIMIT * 2)],
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: false,
    },
    Row {
        name: "pay 500 after processing",
        fault: || after(Fault::Status(500)),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
    Row {
        name: "pay 504 provider body after processing",
        fault: || after(Fault::ProviderError(504)),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
    Row {
        name: "pay reset after processing",
        fault: || after(Fault::DropConnection),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
    Row {
        name: "pay slow after processing",
        fault: || after(Fault::Latency(SLOW)),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
    Row {
        name: "pay truncated after processing",
        fault: || after(Fault::Truncated),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
    Row {
        name: "pay html after processing",
        fault: || after(Fault::Html),
        op: Op::Pay,
        expect: Expect::Unknown,
        processed: true,
    },
];

struct Target {
    provider: ProviderName,
    pay: Route,
    status: Route,
}

fn options() -> ClientOptions {
    ClientOptions {
        timeout: TIMEOUT,
        max_body_bytes: LIMIT,
        ..fast_options()
    }
}

fn payment(provider: ProviderName, n: usize) -> Payment {
    let reference = match provider {
        ProviderName::Clickpesa => format!("FAULT{n}"),
        _ => format!("FAULT-{n}"),
    };
    let currency = if provider == ProviderName::Pesapal {
        Currency::KES
    } else {
        Currency::TZS
    };
    Payment::new(reference, Money::from_major(1000, currency).unwrap())
        .unwrap()
        .description("fault matrix")
        .unwrap()
        .email("payer@example.com")
        .phone("0712345678")
        .operator(MnoProvider::Mpesa)
        .callback_url("http://127.0.0.1/return")
}

async fn run_matrix<A: Adapter>(
    sandbox: &Sandbox,
    sdk: &FintechSdk<A::Transport>,
    target: &Target,
    ipn_id: Option<&str>,
) {
    let mut n = 0;
    for row in ROWS {
        n += 1;
        // A payment to query (made without faults), and the token warm.
        let existing: PaymentStarted = sdk
            .pay(&payment(target.provider, n * 1000), ipn_id)
            .await
            .unwrap();
        let route = if row.op == Op::Pay {
            target.pay
        } else {
            target.status
        };
        let (requests, orders) = (sandbox.requests(route), sandbox.orders(target.provider));
        sandbox.inject(route, (row.fault)());
        let result = match row.op {
            Op::Pay => sdk
                .pay(&payment(target.provider, n), ipn_id)
                .await
                .map(|_| ()),
            Op::Status => sdk.status(&existing).await.map(|_| ()),
        };
        let sent = sandbox.requests(route) - requests;
        // A slow payment: the client gave up, and the sandbox drops the request
        // with the connection; wait out the delay to be sure no order appears late.
        tokio::time::sleep(if matches!(row.name, "pay slow") {
            SLOW
        } else {
            Duration::ZERO
        })
        .await;
        let new_orders = sandbox.orders(target.provider) - orders;
        let ctx = format!("{:?} / {} / {}", target.provider, A::NAME, row.name);

        // The invariant: a payment reaches the provider at most once.
        assert!(new_orders <= 1, "{ctx}: {new_orders} orders");
        if row.op == Op::Pay {
            assert_eq!(new_orders, u64::from(row.processed), "{ctx}: orders");
        }
        match (row.expect, &result) {
            (Expect::Ok { requests }, Ok(())) => assert_eq!(sent, requests, "{ctx}: requests"),
            (Expect::Known { requests }, Err(e)) => {
                assert!(e.outcome_known(), "{ctx}: {e}");
                assert_eq!(sent, requests, "{ctx}: requests");
            }
            (Expect::Unknown, Err(e @ Error::OutcomeUnknown { reference, .. })) => {
                assert!(!e.outcome_known());
                assert_eq!(sent, 1, "{ctx}: a payment was sent again");
                assert!(
                    reference.as_deref().is_some_and(|r| r.starts_with("FAULT")),
                    "{ctx}: {e}"
                );
            }
            (expect, got) => panic!("{ctx}: expected {expect:?}, got {got:?}"),
        }
    }
}

async fn pesapal_matrix<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &options(),
    );
    let ipn = sdk
        .register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get)
        .await
        .unwrap();
    let target = Target {
        provider: ProviderName::Pesapal,
        pay: Route::PesapalSubmitOrder,
        status: Route::PesapalStatus,
    };
    run_matrix::<A>(&sandbox, &sdk, &target, Some(ipn.ipn_id.as_str())).await;
}

async fn azampay_matrix<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Azampay(azampay_config(&sandbox)),
        &options(),
    );
    let target = Target {
        provider: ProviderName::Azampay,
        pay: Route::AzampayMnoCheckout,
        status: Route::AzampayStatus,
    };
    run_matrix::<A>(&sandbox, &sdk, &target, None).await;
}

async fn clickpesa_matrix<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let sdk = A::sdk(
        ProviderConfig::Clickpesa(clickpesa_config(&sandbox)),
        &options(),
    );
    let target = Target {
        provider: ProviderName::Clickpesa,
        pay: Route::ClickpesaUssdInitiate,
        status: Route::ClickpesaPaymentStatus,
    };
    run_matrix::<A>(&sandbox, &sdk, &target, None).await;
}

fn stk_push(reference: &str) -> StkPush {
    StkPush::new(
        StkKind::PayBill,
        Money::from_major(10, Currency::KES).unwrap(),
        KenyanMsisdn::parse(credentials::MPESA_TEST_MSISDN).unwrap(),
        "http://127.0.0.1:9/stk",
        reference,
        "fault matrix",
        SystemTime::now(),
    )
    .unwrap()
}

/// Every row of [`ROWS`] against Daraja through the driver.
async fn mpesa_rows<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let client = A::client(mpesa_config(&sandbox), &options());
    let mut n = 0;
    for row in ROWS {
        n += 1;
        let existing = client
            .execute(stk_push(&format!("FAULT-{}", n * 1000)))
            .await
            .unwrap();
        let route = if row.op == Op::Pay {
            Route::MpesaStkPush
        } else {
            Route::MpesaStkQuery
        };
        let (requests, orders) = (sandbox.requests(route), sandbox.orders(ProviderName::Mpesa));
        sandbox.inject(route, (row.fault)());
        let result = match row.op {
            Op::Pay => client
                .execute(stk_push(&format!("FAULT-{n}")))
                .await
                .map(|_| ()),
            Op::Status => client
                .execute(StkQuery::new(
                    existing.checkout_request_id.clone(),
                    SystemTime::now(),
                ))
                .await
                .map(|_| ()),
        };
        let sent = sandbox.requests(route) - requests;
        tokio::time::sleep(if matches!(row.name, "pay slow") {
            SLOW
        } else {
            Duration::ZERO
        })
        .await;
        let new_orders = sandbox.orders(ProviderName::Mpesa) - orders;
        let ctx = format!("Mpesa / {} / {}", A::NAME, row.name);
        assert!(new_orders <= 1, "{ctx}: {new_orders} orders");
        if row.op == Op::Pay {
            assert_eq!(new_orders, u64::from(row.processed), "{ctx}: orders");
        }
        match (row.expect, &result) {
            (Expect::Ok { requests }, Ok(())) => assert_eq!(sent, requests, "{ctx}: requests"),
            (Expect::Known { requests }, Err(e)) => {
                assert!(e.outcome_known(), "{ctx}: {e}");
                assert_eq!(sent, requests, "{ctx}: requests");
            }
            (Expect::Unknown, Err(e @ Error::OutcomeUnknown { reference, .. })) => {
                assert_eq!(sent, 1, "{ctx}: a push was sent again");
                assert_eq!(
                    reference.as_deref(),
                    Some(format!("FAULT-{n}").as_str()),
                    "{ctx}: {e}"
                );
            }
            (expect, got) => panic!("{ctx}: expected {expect:?}, got {got:?}"),
        }
    }
}

fn payout(id: &str, merchant: &Merchant, config: &finconnect::mpesa::MpesaConfig) -> B2cPayment {
    B2cPayment::new(
        OriginatorConversationId::new(id).unwrap(),
        Money::from_major(100, Currency::KES).unwrap(),
        KenyanMsisdn::parse(credentials::MPESA_TEST_MSISDN).unwrap(),
        Remarks::new("fault matrix").unwrap(),
        ResultUrls::new(&merchant.url("/result"), &merchant.url("/timeout")).unwrap(),
        config.security_credential(&mut rand::thread_rng()).unwrap(),
    )
    .unwrap()
}

/// Daraja's own rows: B2C lost answer and duplicate, token-route faults.
async fn mpesa_b2c_and_auth_rows<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    let config = mpesa_config(&sandbox);
    let client = A::client(config.clone(), &options());

    // A payout whose answer is lost: unknown, sent once (the payout happened).
    sandbox.inject(Route::MpesaB2c, after(Fault::DropConnection));
    let lost = client
        .execute(payout("payout-lost", &merchant, &config))
        .await;
    assert!(
        matches!(&lost, Err(Error::OutcomeUnknown { reference, .. }) if reference.as_deref() == Some("payout-lost")),
        "{lost:?}"
    );
    assert_eq!(sandbox.requests(Route::MpesaB2c), 1);
    assert_eq!(sandbox.orders(ProviderName::Mpesa), 1);
    // Sending it again is refused by Daraja (duplicate, HTTP 500): still unknown,
    // quoting the duplicate, not re-sent by the driver, no second payout.
    let again = client
        .execute(payout("payout-lost", &merchant, &config))
        .await;
    match again {
        Err(Error::OutcomeUnknown { reason, .. }) => {
            assert!(
                reason.contains("Duplicate OriginatorConversationID"),
                "{reason}"
            )
        }
        other => panic!("expected an unknown outcome quoting the duplicate, got {other:?}"),
    }
    assert_eq!(sandbox.requests(Route::MpesaB2c), 2);
    assert_eq!(sandbox.orders(ProviderName::Mpesa), 1);
    // The way to know: the transaction status of the originator's id.
    client
        .execute(
            TransactionStatusQuery::new(
                TransactionKey::OriginatorConversationId("payout-lost".into()),
                Remarks::new("what happened").unwrap(),
                ResultUrls::new(&merchant.url("/result"), &merchant.url("/timeout")).unwrap(),
                config.security_credential(&mut rand::thread_rng()).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let seen = merchant.wait_for(2, Duration::from_secs(5)).await;
    let status = seen
        .iter()
        .map(|r| finconnect::mpesa::parse_result(&r.body).unwrap())
        .find(|r| r.parameter_text("ReceiptNo").is_some())
        .expect("a transaction-status result");
    assert!(status.claims_success());
    assert_eq!(
        status.parameter_text("OriginatorConversationID").as_deref(),
        Some("payout-lost")
    );

    // Token route refuses the credentials: a known error, no push sent.
    let fresh = A::client(mpesa_config(&sandbox), &options());
    sandbox.inject(Route::MpesaAuth, [Fault::Unauthorized]);
    let refused = fresh.execute(stk_push("AUTH-REFUSED")).await;
    assert!(
        matches!(&refused, Err(e) if e.outcome_known()),
        "{refused:?}"
    );
    assert_eq!(sandbox.requests(Route::MpesaStkPush), 0);
    // A 503 and a lost answer on the token route: retried, then the push goes once.
    let auth = sandbox.requests(Route::MpesaAuth);
    let fresh = A::client(mpesa_config(&sandbox), &options());
    sandbox.inject(
        Route::MpesaAuth,
        [Fault::Status(503), Fault::DropConnection],
    );
    let pushed = fresh.execute(stk_push("AUTH-RETRY")).await.unwrap();
    assert_eq!(sandbox.requests(Route::MpesaAuth) - auth, 3);
    assert_eq!(sandbox.requests(Route::MpesaStkPush), 1);
    sandbox
        .settle(
            ProviderName::Mpesa,
            pushed.checkout_request_id.as_str(),
            Outcome::Complete,
        )
        .await
        .unwrap();
}

finconnect_tests::conformance!(
    pesapal_matrix,
    azampay_matrix,
    clickpesa_matrix,
    mpesa_rows,
    mpesa_b2c_and_auth_rows
);
