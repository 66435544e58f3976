//! Token behaviour, counted on the sandbox: one authentication for any number of
//! concurrent calls on an empty cache, and exactly one refresh when a token is
//! refused or runs out in the middle of a run.

use super::pesapal::order;
use finconnect::azampay::GetPaymentPartners;
use finconnect::clickpesa::GetExchangeRates;
use finconnect::pesapal::{GetTransactionStatus, IpnMethod, RegisterIpn, SubmitOrder};
use finconnect::Currency;
use finconnect_sandbox::{Fault, Route, SandboxConfig};
use finconnect_tests::{
    azampay_config, clickpesa_config, fast_options, pesapal_config, start_sandbox,
    start_sandbox_with, Adapter,
};
use std::collections::HashSet;
use std::time::Duration;
use tokio::task::JoinSet;

const CONCURRENT: usize = 100;

/// 100 SubmitOrders with distinct references, all at once on an empty token cache:
/// exactly one RequestToken, 100 orders, 100 distinct tracking ids.
async fn pesapal_100_concurrent_orders_one_token<A: Adapter>() {
    let sandbox = start_sandbox().await;
    // The IPN is registered by another client (its own token), so the client under
    // test starts with an empty cache.
    let setup = A::client(pesapal_config(&sandbox), &fast_options());
    let ipn = setup
        .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Post).expect("op"))
        .await
        .expect("RegisterIpn");
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);

    let client = A::client(pesapal_config(&sandbox), &fast_options());
    let mut tasks = JoinSet::new();
    for i in 0..CONCURRENT {
        let client = client.clone();
        let op = SubmitOrder::new(order(&format!("BULK-{i:03}"), "100"), ipn.ipn_id.clone());
        tasks.spawn(async move { client.execute(op).await });
    }
    let mut ids = HashSet::new();
    while let Some(joined) = tasks.join_next().await {
        let submitted = joined.expect("task").expect("SubmitOrder");
        ids.insert(submitted.order_tracking_id);
    }
    assert_eq!(ids.len(), CONCURRENT);
    assert_eq!(
        sandbox.requests(Route::PesapalAuth),
        2,
        "one token for the setup client, exactly one for the {CONCURRENT} concurrent calls"
    );
    assert_eq!(
        sandbox.requests(Route::PesapalSubmitOrder),
        CONCURRENT as u64
    );
    assert_eq!(
        sandbox.orders(finconnect_sandbox::ProviderName::Pesapal),
        CONCURRENT as u64
    );
}

/// 100 AzamPay GetPaymentPartners and 100 ClickPesa exchange-rate queries at once,
/// each on an empty cache: one GenerateToken, one generate-token.
async fn azampay_and_clickpesa_100_concurrent_calls_one_token<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let azampay = A::client(azampay_config(&sandbox), &fast_options());
    let clickpesa = A::client(clickpesa_config(&sandbox), &fast_options());
    let mut partners = JoinSet::new();
    let mut rates = JoinSet::new();
    for _ in 0..CONCURRENT {
        let a = azampay.clone();
        partners.spawn(async move { a.execute(GetPaymentPartners).await });
        let c = clickpesa.clone();
        rates.spawn(async move {
            c.execute(GetExchangeRates::pair(Currency::USD, Currency::TZS))
                .await
        });
    }
    while let Some(joined) = partners.join_next().await {
        assert_eq!(joined.expect("task").expect("partners").len(), 5);
    }
    while let Some(joined) = rates.join_next().await {
        assert_eq!(
            joined.expect("task").expect("rates")[0].rate.as_deref(),
            Some("2510")
        );
    }
    assert_eq!(sandbox.requests(Route::AzampayToken), 1);
    assert_eq!(sandbox.requests(Route::AzampayPartners), CONCURRENT as u64);
    assert_eq!(sandbox.requests(Route::ClickpesaToken), 1);
    assert_eq!(
        sandbox.requests(Route::ClickpesaExchangeRates),
        CONCURRENT as u64
    );
}

/// A token refused in the middle of a run (each provider's own "unauthorized"
/// answer, once) while 20 calls run: exactly one refresh per provider, every call
/// succeeds, and later calls use the new token.
async fn refused_token_is_refreshed_once<A: Adapter>() {
    let sandbox = start_sandbox().await;

    // PesaPal: its `invalid_api_credentials_provided` error body.
    let pesapal = A::client(pesapal_config(&sandbox), &fast_options());
    let ipn = pesapal
        .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Get).expect("op"))
        .await
        .expect("RegisterIpn");
    let submitted = pesapal
        .execute(SubmitOrder::new(order("REVOKED-1", "10"), ipn.ipn_id))
        .await
        .expect("SubmitOrder");
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);
    sandbox.inject(Route::PesapalStatus, [Fault::Unauthorized]);
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let c = pesapal.clone();
        let op = GetTransactionStatus::new(submitted.order_tracking_id.clone());
        tasks.spawn(async move { c.execute(op).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task").expect("status after the refresh");
    }
    assert_eq!(
        sandbox.requests(Route::PesapalAuth),
        2,
        "exactly one refresh"
    );
    assert_eq!(sandbox.requests(Route::PesapalStatus), 21);
    pesapal
        .execute(GetTransactionStatus::new(submitted.order_tracking_id))
        .await
        .expect("status");
    assert_eq!(sandbox.requests(Route::PesapalAuth), 2);

    // AzamPay: HTTP 401.
    let azampay = A::client(azampay_config(&sandbox), &fast_options());
    azampay.execute(GetPaymentPartners).await.expect("partners");
    sandbox.inject(Route::AzampayPartners, [Fault::Unauthorized]);
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let c = azampay.clone();
        tasks.spawn(async move { c.execute(GetPaymentPartners).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task").expect("partners after the refresh");
    }
    assert_eq!(
        sandbox.requests(Route::AzampayToken),
        2,
        "exactly one refresh"
    );
    assert_eq!(sandbox.requests(Route::AzampayPartners), 22);

    // ClickPesa: 401 `{"message":"Unauthorized"}`.
    let clickpesa = A::client(clickpesa_config(&sandbox), &fast_options());
    clickpesa
        .execute(GetExchangeRates::all())
        .await
        .expect("rates");
    sandbox.inject(Route::ClickpesaExchangeRates, [Fault::Unauthorized]);
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let c = clickpesa.clone();
        tasks.spawn(async move { c.execute(GetExchangeRates::all()).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task").expect("rates after the refresh");
    }
    assert_eq!(
        sandbox.requests(Route::ClickpesaToken),
        2,
        "exactly one refresh"
    );
    assert_eq!(sandbox.requests(Route::ClickpesaExchangeRates), 22);
}

/// A PesaPal token that runs out during a run: the sandbox issues tokens for
/// 61 s and the core renews 60 s before expiry. The core measures the lifetime as
/// `expiryDate − Date`, and `Date` has whole seconds, so the token is due 1 to 2 s
/// after it was issued; after 2.1 s the 20 calls that follow cause exactly one
/// RequestToken.
async fn expiring_token_is_renewed_once<A: Adapter>() {
    let sandbox = start_sandbox_with(SandboxConfig {
        pesapal_token_lifetime: Duration::from_secs(61),
        ..SandboxConfig::default()
    })
    .await;
    let pesapal = A::client(pesapal_config(&sandbox), &fast_options());
    let ipn = pesapal
        .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Get).expect("op"))
        .await
        .expect("RegisterIpn");
    let submitted = pesapal
        .execute(SubmitOrder::new(order("EXPIRY-1", "10"), ipn.ipn_id))
        .await
        .expect("SubmitOrder");
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let c = pesapal.clone();
        let op = GetTransactionStatus::new(submitted.order_tracking_id.clone());
        tasks.spawn(async move { c.execute(op).await });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("task").expect("status");
    }
    assert_eq!(
        sandbox.requests(Route::PesapalAuth),
        2,
        "exactly one renewal"
    );
    assert_eq!(sandbox.requests(Route::PesapalStatus), 20);
}

finconnect_tests::conformance!(
    pesapal_100_concurrent_orders_one_token,
    azampay_and_clickpesa_100_concurrent_calls_one_token,
    refused_token_is_refreshed_once,
    expiring_token_is_renewed_once,
);
