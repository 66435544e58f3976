//! ClickPesa: every operation against the sandbox (request checksums on), and a
//! webhook verified with `clickpesa::parse_webhook`.

use finconnect::clickpesa::{parse_webhook, Verdict};
use finconnect::clickpesa::{
    BankPayout, CardCustomer, CheckoutAmount, CreateBankPayout, CreateMobileMoneyPayout,
    GenerateCheckoutLink, GeneratePayoutLink, GetBalance, GetExchangeRates, GetPayment, GetPayout,
    InitiateCardPayment, InitiateUssdPush, ListBanks, ListFilter, ListPayments, ListPayouts,
    MobileMoneyPayout, OrderReference, PreviewBankPayout, PreviewCardPayment,
    PreviewMobileMoneyPayout, PreviewUssdPush, TransferType, VerifyBankAccount, WebhookEvent,
};
use finconnect::{Currency, Money, Msisdn, PaymentStatus, Secret};
use finconnect_sandbox::{Outcome, ProviderName, Route};
use finconnect_tests::{
    clickpesa_checksum_key, clickpesa_config, fast_options, start_sandbox, Adapter, Merchant, Reply,
};

/// A ClickPesa order reference.
pub fn reference(text: &str) -> OrderReference {
    OrderReference::new(text).expect("reference")
}

/// A Tanzanian phone number.
pub fn phone(text: &str) -> Msisdn {
    Msisdn::parse(text, "255").expect("phone")
}

fn money(text: &str, currency: Currency) -> Money {
    Money::from_decimal_str(text, currency).expect("amount")
}

/// Token (implicitly), USSD preview and push, card preview and payment,
/// GetPayment before and after the customer pays, the webhook delivered and
/// verified, ListPayments, mobile-money and bank payouts (preview, create, get,
/// list, webhook), bank-account verification, banks, balance, exchange rates,
/// checkout and payout links; one token for the whole run.
async fn clickpesa_every_operation<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    sandbox.set_clickpesa_webhook_url(Some(merchant.parsed_url("/clickpesa/webhook")));
    let client = A::client(clickpesa_config(&sandbox), &fast_options());
    let key = clickpesa_checksum_key();

    // USSD push: preview, then initiate.
    let preview = client
        .execute(
            PreviewUssdPush::new(money("1000", Currency::TZS), reference("USSD1"))
                .expect("op")
                .phone(phone("0712345678")),
        )
        .await
        .expect("PreviewUssdPush");
    assert!(!preview.active_methods.is_empty(), "{preview:?}");
    let push = client
        .execute(
            InitiateUssdPush::new(
                money("1000", Currency::TZS),
                reference("USSD1"),
                phone("0712345678"),
            )
            .expect("op"),
        )
        .await
        .expect("InitiateUssdPush");
    assert_eq!(push.status_text.as_deref(), Some("PROCESSING"), "{push:?}");
    assert_eq!(push.order_reference.as_deref(), Some("USSD1"));
    assert_eq!(push.collected_amount.as_deref(), Some("1000"));
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 1);

    // Card: preview, then initiate.
    let card_preview = client
        .execute(
            PreviewCardPayment::new(money("25.50", Currency::USD), reference("CARD1")).expect("op"),
        )
        .await
        .expect("PreviewCardPayment");
    assert_eq!(card_preview.active_methods[0].name, "CARD");
    let card = client
        .execute(
            InitiateCardPayment::new(
                money("25.50", Currency::USD),
                reference("CARD1"),
                CardCustomer::Details {
                    full_name: "Jane Doe".to_owned(),
                    email: "jane@example.com".to_owned(),
                    phone: phone("0752345678"),
                },
            )
            .expect("op"),
        )
        .await
        .expect("InitiateCardPayment");
    assert!(card.url.contains("/clickpesa/pay/card/"), "{card:?}");
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 2);

    // GetPayment while processing.
    let attempts = client
        .execute(GetPayment::new(reference("USSD1")))
        .await
        .expect("GetPayment");
    assert_eq!(attempts.attempts.len(), 1);
    assert_eq!(
        attempts.attempts[0].status_text.as_deref(),
        Some("PROCESSING")
    );

    // The customer pays: a webhook whose checksum verifies.
    sandbox
        .settle(ProviderName::Clickpesa, "USSD1", Outcome::Complete)
        .await
        .expect("settle");
    let seen = merchant.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, http::Method::POST);
    let hook = parse_webhook(&seen[0].body).expect("a webhook");
    assert_eq!(hook.verdict(&key), Verdict::Valid);
    assert_eq!(hook.verdict(&Secret::new("another-key")), Verdict::Invalid);
    let verified = hook.verify(&key).expect("the checksum verifies");
    assert_eq!(verified.status(), PaymentStatus::Completed);
    assert!(
        matches!(verified.event(), WebhookEvent::PaymentReceived(_)),
        "{:?}",
        verified.event()
    );
    assert_eq!(verified.event().order_reference(), Some("USSD1"));
    let paid = client
        .execute(GetPayment::new(reference("USSD1")))
        .await
        .expect("GetPayment");
    assert_eq!(paid.attempts[0].status_text.as_deref(), Some("SUCCESS"));

    // ListPayments.
    let page = client
        .execute(ListPayments::new(ListFilter::new()))
        .await
        .expect("ListPayments");
    assert_eq!(page.total_count, Some(2), "{page:?}");
    let mut references: Vec<_> = page
        .data
        .iter()
        .filter_map(|p| p.order_reference.clone())
        .collect();
    references.sort();
    assert_eq!(references, ["CARD1", "USSD1"]);

    // Banks, account verification, balance, exchange rates.
    let banks = client.execute(ListBanks).await.expect("ListBanks");
    assert_eq!(banks.len(), 4);
    assert!(banks
        .iter()
        .any(|b| b.bic == "CORUTZTZ" && b.name == "CRDB BANK"));
    let holder = client
        .execute(VerifyBankAccount::new("0150012345678", "CORUTZTZ").expect("op"))
        .await
        .expect("VerifyBankAccount");
    assert_eq!(holder, "TEMBO SHOP");
    let balances = client.execute(GetBalance).await.expect("GetBalance");
    let tzs = balances
        .iter()
        .find(|b| b.currency == "TZS")
        .expect("a TZS balance");
    // The sandbox's opening 10 000 000 TZS plus the 1 000 collected above.
    assert_eq!(tzs.balance.as_deref(), Some("10001000"), "{balances:?}");
    let rates = client
        .execute(GetExchangeRates::all())
        .await
        .expect("GetExchangeRates");
    assert_eq!(rates.len(), 2);
    let usd_tzs = client
        .execute(GetExchangeRates::pair(Currency::USD, Currency::TZS))
        .await
        .expect("GetExchangeRates pair");
    assert_eq!(usd_tzs.len(), 1);
    assert_eq!(usd_tzs[0].source, "USD");
    assert_eq!(usd_tzs[0].target, "TZS");
    assert_eq!(usd_tzs[0].rate.as_deref(), Some("2510"));

    // Mobile-money payout: preview, create, get, webhook.
    let mm = MobileMoneyPayout::new(
        money("5000", Currency::TZS),
        reference("PAYOUT1"),
        phone("0682345678"),
    )
    .expect("payout");
    let mm_preview = client
        .execute(PreviewMobileMoneyPayout(mm.clone()))
        .await
        .expect("PreviewMobileMoneyPayout");
    assert!(mm_preview.fee.is_some(), "{mm_preview:?}");
    assert_eq!(mm_preview.channel_provider.as_deref(), Some("AIRTEL MONEY"));
    let payout = client
        .execute(CreateMobileMoneyPayout(mm))
        .await
        .expect("CreateMobileMoneyPayout");
    assert_eq!(payout.order_reference.as_deref(), Some("PAYOUT1"));
    assert_eq!(
        payout.status_text.as_deref(),
        Some("AUTHORIZED"),
        "{payout:?}"
    );
    let got = client
        .execute(GetPayout::new(reference("PAYOUT1")))
        .await
        .expect("GetPayout");
    assert_eq!(got.attempts[0].order_reference.as_deref(), Some("PAYOUT1"));
    sandbox
        .settle(ProviderName::Clickpesa, "PAYOUT1", Outcome::Complete)
        .await
        .expect("settle the payout");
    let hook = parse_webhook(&merchant.received()[1].body).expect("a payout webhook");
    let verified = hook.verify(&key).expect("the checksum verifies");
    assert!(
        matches!(verified.event(), WebhookEvent::PayoutInitiated(_)),
        "{:?}",
        verified.event()
    );
    assert_eq!(verified.event().order_reference(), Some("PAYOUT1"));

    // Bank payout: preview (no name needed), create (with the verified name).
    let bank = BankPayout::new(
        money("20000", Currency::TZS),
        reference("PAYOUT2"),
        "0150012345678",
        "CORUTZTZ",
        TransferType::Ach,
    )
    .expect("payout");
    let bank_preview = client
        .execute(PreviewBankPayout(bank.clone()))
        .await
        .expect("PreviewBankPayout");
    assert_eq!(bank_preview.channel_provider.as_deref(), Some("CRDB BANK"));
    let bank_payout = client
        .execute(CreateBankPayout(bank.account_name(holder)))
        .await
        .expect("CreateBankPayout");
    assert_eq!(bank_payout.order_reference.as_deref(), Some("PAYOUT2"));
    let payouts = client
        .execute(ListPayouts::new(ListFilter::new()))
        .await
        .expect("ListPayouts");
    assert_eq!(payouts.total_count, Some(2), "{payouts:?}");
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 4);

    // Hosted checkout and payout links.
    let link = client
        .execute(
            GenerateCheckoutLink::new(
                CheckoutAmount::Total(money("15000", Currency::TZS)),
                reference("LINK1"),
            )
            .expect("op")
            .description("Order LINK1"),
        )
        .await
        .expect("GenerateCheckoutLink");
    assert!(link.url.starts_with("http"), "{link:?}");
    let payout_link = client
        .execute(
            GeneratePayoutLink::new(money("3000", Currency::TZS), reference("PLINK1")).expect("op"),
        )
        .await
        .expect("GeneratePayoutLink");
    assert!(payout_link.url.starts_with("http"), "{payout_link:?}");

    assert_eq!(sandbox.requests(Route::ClickpesaToken), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaUssdPreview), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaUssdInitiate), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaCardPreview), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaCardInitiate), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaPaymentStatus), 2);
    assert_eq!(sandbox.requests(Route::ClickpesaPaymentsAll), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaPayoutPreview), 2);
    assert_eq!(sandbox.requests(Route::ClickpesaPayoutCreate), 2);
    assert_eq!(sandbox.requests(Route::ClickpesaPayoutStatus), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaPayoutsAll), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaCheckoutLink), 1);
    assert_eq!(sandbox.requests(Route::ClickpesaPayoutLink), 1);
}

/// The sandbox really checks request checksums: a client signing with another
/// key is refused and nothing is created; without a key nothing is checked.
async fn clickpesa_checksum_is_checked<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let wrong = clickpesa_config(&sandbox).with_checksum_key(Secret::new("not-the-key"));
    let client = A::client(wrong, &fast_options());
    let err = client
        .execute(
            InitiateUssdPush::new(
                money("1000", Currency::TZS),
                reference("BADSUM1"),
                phone("0712345678"),
            )
            .expect("op"),
        )
        .await
        .expect_err("a wrong checksum is refused");
    assert!(matches!(err, finconnect::Error::Provider { .. }), "{err:?}");
    assert_eq!(sandbox.orders(ProviderName::Clickpesa), 0);
    assert_eq!(sandbox.requests(Route::ClickpesaUssdInitiate), 1);
}

finconnect_tests::conformance!(clickpesa_every_operation, clickpesa_checksum_is_checked);
