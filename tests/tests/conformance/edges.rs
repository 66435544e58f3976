//! Wire-format corners where the core and the sandbox (two independent readings
//! of the references) could disagree: amounts with cents as JSON numbers under a
//! checksum, zero-decimal currencies, failure webhooks with nested objects, list
//! filters, the legacy AzamPay disbursement paths, the disbursement callback.

use super::azampay::tzs;
use super::clickpesa::{phone, reference};
use super::pesapal::order;
use finconnect::azampay::{
    parse_callback, parse_disbursement_callback, AmountEncoding, CallbackPolicy, Disburse,
    DisbursementGeneration, DisbursementStatus, GetPublicKey, MnoCheckout, MnoProvider, NameLookup,
    Party, RsaVerifier, Wallet,
};
use finconnect::clickpesa::{parse_webhook, Verdict};
use finconnect::clickpesa::{
    CardCustomer, CheckoutAmount, CheckoutItem, CreateMobileMoneyPayout, GenerateCheckoutLink,
    GetPayout, InitiateCardPayment, InitiateUssdPush, ListFilter, ListPayments, MobileMoneyPayout,
    PreviewMobileMoneyPayout, SortOrder, WebhookEvent,
};
use finconnect::pesapal::{
    BillingAddress, GetTransactionStatus, IpnMethod, Order, RegisterIpn, SubmitOrder,
};
use finconnect::{Currency, Description, MerchantReference, Money, PaymentStatus};
use finconnect_sandbox::{Outcome, ProviderName, Route};
use finconnect_tests::{
    azampay_config, clickpesa_checksum_key, clickpesa_config, fast_options, pesapal_config,
    start_sandbox, Adapter, Merchant, Reply,
};
use std::time::SystemTime;

/// ClickPesa: a USD payout with cents (a JSON number under the checksum), a card
/// payment for an existing customer, a checkout link by items, failure webhooks
/// (PAYMENT FAILED, PAYOUT REVERSED with its nested `reverse` object) that verify,
/// and list filters.
async fn clickpesa_corners<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    sandbox.set_clickpesa_webhook_url(Some(merchant.parsed_url("/hook")));
    let client = A::client(clickpesa_config(&sandbox), &fast_options());
    let key = clickpesa_checksum_key();
    let usd = |s: &str| Money::from_decimal_str(s, Currency::USD).expect("amount");

    // A USD payout with cents, previewed and created under a checksum.
    let payout = MobileMoneyPayout::new(usd("12.75"), reference("USDP1"), phone("0712345678"))
        .expect("payout");
    let preview = client
        .execute(PreviewMobileMoneyPayout(payout.clone()))
        .await
        .expect("preview of a USD payout with cents");
    assert!(preview.fee.is_some(), "{preview:?}");
    let created = client
        .execute(CreateMobileMoneyPayout(payout))
        .await
        .expect("USD payout with cents");
    assert_eq!(created.currency.as_deref(), Some("USD"), "{created:?}");
    // `amount` is the total debited (fee included); the order keeps the 12.75.
    let order_amount = created.order.as_ref().and_then(|o| o.amount.as_deref());
    assert_eq!(order_amount, Some("12.75"), "{created:?}");
    let fee =
        Money::from_decimal_str(created.fee.as_deref().expect("fee"), Currency::USD).expect("fee");
    assert_eq!(
        created.amount.as_deref(),
        Some(
            Money::from_minor(1275 + fee.minor_units(), Currency::USD)
                .to_decimal_string()
                .as_str()
        ),
        "{created:?}"
    );

    // The payout is reversed: PAYOUT REVERSED verifies.
    sandbox
        .settle(ProviderName::Clickpesa, "USDP1", Outcome::Fail)
        .await
        .expect("settle");
    let hook = parse_webhook(&merchant.received()[0].body).expect("webhook");
    assert_eq!(hook.verdict(&key), Verdict::Valid, "{hook:?}");
    let verified = hook.verify(&key).expect("verified");
    assert!(
        matches!(verified.event(), WebhookEvent::PayoutReversed(_)),
        "{:?}",
        verified.event()
    );
    assert_eq!(verified.status(), PaymentStatus::Reversed);
    let got = client
        .execute(GetPayout::new(reference("USDP1")))
        .await
        .expect("GetPayout");
    assert_eq!(got.attempts[0].status_text.as_deref(), Some("REVERSED"));

    // A card payment for an existing customer, then a failed USSD push.
    client
        .execute(
            InitiateCardPayment::new(
                usd("9.99"),
                reference("CARD2"),
                CardCustomer::Existing {
                    id: "CUST123".to_owned(),
                },
            )
            .expect("op"),
        )
        .await
        .expect("card payment for an existing customer");
    client
        .execute(
            InitiateUssdPush::new(tzs(1500), reference("FAIL1"), phone("0682345678")).expect("op"),
        )
        .await
        .expect("push");
    sandbox
        .settle(ProviderName::Clickpesa, "FAIL1", Outcome::Fail)
        .await
        .expect("settle");
    let hook = parse_webhook(&merchant.received()[1].body).expect("webhook");
    let verified = hook.verify(&key).expect("PAYMENT FAILED verifies");
    assert!(
        matches!(verified.event(), WebhookEvent::PaymentFailed(_)),
        "{:?}",
        verified.event()
    );
    assert_eq!(verified.status(), PaymentStatus::Failed);

    // Non-ASCII and HTML-ish characters in a signed request and in the webhook:
    // both sides must write them as JavaScript's JSON.stringify does.
    client
        .execute(
            InitiateCardPayment::new(
                usd("5.00"),
                reference("UTF1"),
                CardCustomer::Details {
                    full_name: "Jöhn Müller <&> \u{1F600}".to_owned(),
                    email: "jöhn@example.com".to_owned(),
                    phone: phone("0742345678"),
                },
            )
            .expect("op"),
        )
        .await
        .expect("a signed body with non-ASCII text is accepted");
    sandbox
        .settle(ProviderName::Clickpesa, "UTF1", Outcome::Complete)
        .await
        .expect("settle");
    let body = merchant.received()[2].body.clone();
    assert!(
        String::from_utf8_lossy(&body).contains("Jöhn"),
        "the webhook carries the customer name: {}",
        String::from_utf8_lossy(&body)
    );
    let hook = parse_webhook(&body).expect("webhook");
    assert_eq!(
        hook.verdict(&key),
        Verdict::Valid,
        "{}",
        String::from_utf8_lossy(&body)
    );

    // List filters.
    let failed = client
        .execute(ListPayments::new(
            ListFilter::new()
                .status("FAILED")
                .order_by(SortOrder::Asc)
                .page(0, 10),
        ))
        .await
        .expect("filtered list");
    assert_eq!(failed.total_count, Some(1), "{failed:?}");
    assert_eq!(failed.data[0].order_reference.as_deref(), Some("FAIL1"));
    let one = client
        .execute(ListPayments::new(
            ListFilter::new().order_reference(reference("CARD2")),
        ))
        .await
        .expect("list by reference");
    assert_eq!(one.total_count, Some(1), "{one:?}");

    // A checkout link by items, with cents.
    let link = client
        .execute(
            GenerateCheckoutLink::new(
                CheckoutAmount::Items(vec![
                    CheckoutItem {
                        name: "Book".to_owned(),
                        price: usd("10.25"),
                        quantity: 2,
                    },
                    CheckoutItem {
                        name: "Pen".to_owned(),
                        price: usd("0.50"),
                        quantity: 3,
                    },
                ]),
                reference("LINK2"),
            )
            .expect("op"),
        )
        .await
        .expect("checkout link by items");
    assert!(link.url.starts_with("http"), "{link:?}");
    assert_eq!(sandbox.requests(Route::ClickpesaToken), 1);
}

/// PesaPal: a UGX order (no decimals) and its status amount; a cancelled order's
/// status.
async fn pesapal_corners<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let client = A::client(pesapal_config(&sandbox), &fast_options());
    let ipn = client
        .execute(RegisterIpn::new("http://127.0.0.1:9/ipn", IpnMethod::Post).expect("op"))
        .await
        .expect("RegisterIpn");
    let ugx = Money::from_decimal_str("25000", Currency::UGX).expect("amount");
    let mut o = Order::new(
        MerchantReference::new("UGX-1").expect("reference"),
        ugx,
        Description::new("Matooke").expect("description"),
        "https://shop.example/paid",
        BillingAddress::phone("256712345678"),
    )
    .expect("order");
    o.billing_address.country_code = Some("UG".to_owned());
    let submitted = client
        .execute(SubmitOrder::new(o, ipn.ipn_id.clone()))
        .await
        .expect("UGX order");
    sandbox
        .settle(
            ProviderName::Pesapal,
            submitted.order_tracking_id.as_str(),
            Outcome::Complete,
        )
        .await
        .expect("settle");
    let status = client
        .execute(GetTransactionStatus::new(submitted.order_tracking_id))
        .await
        .expect("status");
    assert_eq!(status.status, PaymentStatus::Completed);
    assert_eq!(status.amount, Some(ugx), "{status:?}");

    let pending = client
        .execute(SubmitOrder::new(order("CANCEL-1", "10"), ipn.ipn_id))
        .await
        .expect("order");
    client
        .execute(finconnect::pesapal::CancelOrder::new(
            pending.order_tracking_id.clone(),
        ))
        .await
        .expect("cancel");
    let status = client
        .execute(GetTransactionStatus::new(pending.order_tracking_id))
        .await
        .expect("status of a cancelled order");
    assert_ne!(status.status, PaymentStatus::Completed, "{status:?}");
    assert_ne!(status.status, PaymentStatus::Pending, "{status:?}");
}

/// AzamPay: checkout with additional properties echoed in the signed callback;
/// numeric amounts; the legacy disbursement paths and the disbursement callback.
async fn azampay_corners<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    sandbox.set_azampay_callback_url(Some(merchant.parsed_url("/cb")));
    let config = azampay_config(&sandbox).with_amount_encoding(AmountEncoding::Number);
    let client = A::client(config, &fast_options());
    let key = client.execute(GetPublicKey::default()).await.expect("key");

    let mut props = serde_json::Map::new();
    props.insert("cart".into(), "A-17".into());
    props.insert("items".into(), 3.into());
    let accepted = client
        .execute(
            MnoCheckout::new(
                "props-001",
                tzs(12_345),
                "0652345678",
                MnoProvider::Halopesa,
            )
            .expect("op")
            .with_additional_properties(props.clone())
            .expect("props"),
        )
        .await
        .expect("checkout with a numeric amount and properties");
    let id = accepted.transaction_id.expect("id");
    sandbox
        .settle(ProviderName::Azampay, &id, Outcome::Complete)
        .await
        .expect("settle");
    let event = parse_callback(&merchant.received()[0].body).expect("callback");
    assert_eq!(event.additional_properties.as_ref(), Some(&props));
    assert_eq!(event.amount_tzs(), Some(tzs(12_345)), "{event:?}");
    let verified = event
        .check(&RsaVerifier::new(&key))
        .apply(CallbackPolicy::default())
        .expect("policy")
        .expect("valid");
    verified
        .reconcile("props-001", tzs(12_345))
        .expect("reconciled");

    // Legacy disbursement paths on the checkout host.
    let legacy = A::client(
        azampay_config(&sandbox).with_disbursement_generation(DisbursementGeneration::Legacy),
        &fast_options(),
    );
    let name = legacy
        .execute(NameLookup::new("255682345678", "Airtel").expect("op"))
        .await
        .expect("legacy NameLookup");
    assert_eq!(name.first_name.as_deref(), Some("Sandbox"));
    let disbursed = legacy
        .execute(
            Disburse::new(
                "legacy-001",
                tzs(7000),
                Party::tz("Tembo Shop", "255712000000", Wallet::Azampesa).expect("source"),
                Party::tz("Jane Doe", "255712345678", Wallet::Tigo).expect("destination"),
                SystemTime::now(),
            )
            .expect("op"),
        )
        .await
        .expect("legacy Disburse");
    let pg = disbursed.pg_reference_id.expect("pgReferenceId");
    sandbox
        .settle(ProviderName::Azampay, &pg, Outcome::Fail)
        .await
        .expect("settle");
    let state = legacy
        .execute(DisbursementStatus::new(&pg, "Tigo").expect("op"))
        .await
        .expect("legacy DisbursementStatus");
    assert_eq!(state.status, PaymentStatus::Failed, "{state:?}");
    let callback =
        parse_disbursement_callback(&merchant.received()[1].body).expect("disbursement callback");
    assert_eq!(callback.pg_reference_id.as_deref(), Some(pg.as_str()));
    assert_eq!(
        callback.initiator_reference_id.as_deref(),
        Some("legacy-001")
    );
    assert_eq!(
        callback.status_word.as_deref(),
        Some("failure"),
        "{callback:?}"
    );
    assert_eq!(sandbox.requests(Route::AzampayDisburse), 1);
    assert_eq!(sandbox.requests(Route::AzampayNameLookup), 1);
    assert_eq!(sandbox.requests(Route::AzampayDisbursementStatus), 1);
}

finconnect_tests::conformance!(clickpesa_corners, pesapal_corners, azampay_corners);
