//! AzamPay: every operation against the sandbox, and a signed callback verified
//! with the key fetched from it.

use finconnect::azampay::{
    parse_callback, AzampayPublicKey, BankCheckout, BankProvider, CallbackPolicy, Checked,
    Disburse, DisbursementStatus, GetPaymentPartners, GetPublicKey, MnoCheckout, MnoProvider,
    NameLookup, Party, PostCheckout, RsaVerifier, TransactionStatus, Wallet,
};
use finconnect::{Currency, HttpsUrl, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Outcome, ProviderName, Route};
use finconnect_tests::{azampay_config, fast_options, start_sandbox, Adapter, Merchant, Reply};
use std::time::SystemTime;

/// `n` whole shillings.
pub fn tzs(n: i64) -> Money {
    Money::from_major(n, Currency::TZS).expect("amount")
}

/// GenerateToken (implicitly), GetPaymentPartners, GetPublicKey, MnoCheckout,
/// TransactionStatus (pending, then completed), the signed callback delivered to
/// the merchant and verified with the fetched key, BankCheckout, PostCheckout,
/// NameLookup, Disburse and DisbursementStatus; one token for the whole run.
async fn azampay_every_operation<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    sandbox.set_azampay_callback_url(Some(merchant.parsed_url("/azampay/callback")));
    let client = A::client(azampay_config(&sandbox), &fast_options());

    // GetPaymentPartners.
    let partners = client
        .execute(GetPaymentPartners)
        .await
        .expect("GetPaymentPartners");
    assert_eq!(partners.len(), 5, "{partners:?}");
    let airtel = partners
        .iter()
        .find(|p| p.partner_name == "Airtel")
        .expect("Airtel is a partner");
    assert_eq!(airtel.checkout_provider, Some(MnoProvider::Airtel));
    assert_eq!(airtel.provider_code, Some(2));
    assert_eq!(airtel.currency.as_deref(), Some("TZS"));
    let vendor_id = airtel
        .payment_vendor_id
        .clone()
        .expect("a payment vendor id");

    // GetPublicKey: the sandbox's TEST-ONLY signing key.
    let key = client
        .execute(GetPublicKey::default())
        .await
        .expect("GetPublicKey");
    let expected = AzampayPublicKey::parse(credentials::AZAMPAY_PUBLIC_KEY_PEM).expect("pem");
    assert_eq!(key.fingerprint(), expected.fingerprint());
    assert!(key.bits() >= 2048);

    // MnoCheckout.
    let accepted = client
        .execute(
            MnoCheckout::new("ext-001", tzs(2500), "0712345678", MnoProvider::Airtel).expect("op"),
        )
        .await
        .expect("MnoCheckout");
    let transaction_id = accepted.transaction_id.clone().expect("a transaction id");
    assert!(accepted.message.is_some());
    assert_eq!(sandbox.orders(ProviderName::Azampay), 1);

    // TransactionStatus: pending.
    let status = client
        .execute(TransactionStatus::new(&transaction_id, MnoProvider::Airtel).expect("op"))
        .await
        .expect("TransactionStatus");
    assert_eq!(status.status, PaymentStatus::Pending, "{status:?}");

    // The customer confirms: a signed callback reaches the merchant.
    sandbox
        .settle(ProviderName::Azampay, &transaction_id, Outcome::Complete)
        .await
        .expect("settle");
    let seen = merchant.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, http::Method::POST);
    assert_eq!(seen[0].path(), "/azampay/callback");
    assert!(sandbox.deliveries()[0].acked);
    let event = parse_callback(&seen[0].body).expect("a callback");
    assert_eq!(event.utility_ref.as_deref(), Some("ext-001"));
    assert_eq!(event.transid.as_deref(), Some(transaction_id.as_str()));
    assert!(event.signature().is_some(), "the sandbox signs callbacks");
    let verifier = RsaVerifier::new(&key);
    let checked = event.clone().check(&verifier);
    assert!(matches!(checked, Checked::Valid(_)), "{checked:?}");
    let verified = checked
        .apply(CallbackPolicy::default())
        .expect("policy")
        .expect("a verified callback");
    assert_eq!(verified.status(), PaymentStatus::Completed);
    verified
        .reconcile("ext-001", tzs(2500))
        .expect("the callback matches the order");
    // The callback's own status query confirms it.
    let confirm = client
        .execute(event.status_query().expect("a status query"))
        .await
        .expect("status after the callback");
    assert_eq!(confirm.status, PaymentStatus::Completed);

    // BankCheckout.
    let bank = client
        .execute(
            BankCheckout::new(
                tzs(10_000),
                "0150012345678",
                "0712345678",
                BankProvider::Crdb,
                Secret::new("123456"),
            )
            .expect("op")
            .with_reference("bank-ref-001")
            .expect("reference"),
        )
        .await
        .expect("BankCheckout");
    assert!(bank.transaction_id.is_some(), "{bank:?}");
    assert_eq!(sandbox.orders(ProviderName::Azampay), 2);

    // PostCheckout: a payment-page URL.
    let page = client
        .execute(
            PostCheckout::new(
                "hosted-001",
                tzs(3000),
                &vendor_id,
                credentials::AZAMPAY_APP_NAME,
                "https://shop.example",
                HttpsUrl::parse("https://shop.example/ok", UrlPolicy::Public).expect("url"),
                HttpsUrl::parse("https://shop.example/fail", UrlPolicy::Public).expect("url"),
                vec!["Shoes".to_owned()],
            )
            .expect("op"),
        )
        .await
        .expect("PostCheckout");
    assert!(page.path().starts_with("/azampay/checkout/pay/"), "{page}");

    // NameLookup.
    let name = client
        .execute(NameLookup::new("255712345678", "Tigo").expect("op"))
        .await
        .expect("NameLookup");
    assert_eq!(name.name.as_deref(), Some("Sandbox Customer"));
    assert_eq!(name.account_number.as_deref(), Some("255712345678"));

    // Disburse, then its status before and after it completes.
    let disbursed = client
        .execute(
            Disburse::new(
                "payout-001",
                tzs(5000),
                Party::tz("Tembo Shop", "255712000000", Wallet::Tigo).expect("source"),
                Party::tz("Jane Doe", "255682345678", Wallet::Airtel).expect("destination"),
                SystemTime::now(),
            )
            .expect("op")
            .with_remarks("refund"),
        )
        .await
        .expect("Disburse");
    let pg = disbursed.pg_reference_id.clone().expect("a pgReferenceId");
    let pending = client
        .execute(DisbursementStatus::new(&pg, "Airtel").expect("op"))
        .await
        .expect("DisbursementStatus");
    assert_eq!(pending.status, PaymentStatus::Pending, "{pending:?}");
    sandbox
        .settle(ProviderName::Azampay, &pg, Outcome::Complete)
        .await
        .expect("settle the disbursement");
    let done = client
        .execute(DisbursementStatus::new(&pg, "Airtel").expect("op"))
        .await
        .expect("DisbursementStatus");
    assert_eq!(done.status, PaymentStatus::Completed, "{done:?}");

    assert_eq!(sandbox.requests(Route::AzampayToken), 1);
    assert_eq!(sandbox.requests(Route::AzampayPartners), 1);
    assert_eq!(sandbox.requests(Route::AzampayPublicKey), 1);
    assert_eq!(sandbox.requests(Route::AzampayMnoCheckout), 1);
    assert_eq!(sandbox.requests(Route::AzampayBankCheckout), 1);
    assert_eq!(sandbox.requests(Route::AzampayPostCheckout), 1);
    assert_eq!(sandbox.requests(Route::AzampayStatus), 2);
    assert_eq!(sandbox.requests(Route::AzampayNameLookup), 1);
    assert_eq!(sandbox.requests(Route::AzampayDisburse), 1);
    assert_eq!(sandbox.requests(Route::AzampayDisbursementStatus), 2);
}

/// A callback signed by the sandbox does not verify under another key, and a
/// tampered one does not verify under the right key.
async fn azampay_callback_tampering<A: Adapter>() {
    let sandbox = start_sandbox().await;
    let merchant = Merchant::start(Reply::Ok).await;
    sandbox.set_azampay_callback_url(Some(merchant.parsed_url("/cb")));
    let client = A::client(azampay_config(&sandbox), &fast_options());
    let key = client.execute(GetPublicKey::default()).await.expect("key");
    let accepted = client
        .execute(
            MnoCheckout::new("ext-tamper", tzs(700), "0752345678", MnoProvider::Mpesa).expect("op"),
        )
        .await
        .expect("MnoCheckout");
    let id = accepted.transaction_id.expect("id");
    sandbox
        .settle(ProviderName::Azampay, &id, Outcome::Fail)
        .await
        .expect("settle");
    let body = merchant.received()[0].body.clone();
    let event = parse_callback(&body).expect("callback");
    let verified = event
        .clone()
        .check(&RsaVerifier::new(&key))
        .apply(CallbackPolicy::default())
        .expect("policy")
        .expect("valid");
    assert_eq!(verified.status(), PaymentStatus::Failed);
    let mut value: serde_json::Value = serde_json::from_slice(&body).expect("json");
    value["transactionstatus"] = "success".into();
    let forged = parse_callback(value.to_string().as_bytes()).expect("callback");
    assert!(matches!(
        forged.check(&RsaVerifier::new(&key)),
        Checked::Invalid(_)
    ));
}

finconnect_tests::conformance!(azampay_every_operation, azampay_callback_tampering);
