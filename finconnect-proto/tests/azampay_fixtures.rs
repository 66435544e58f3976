//! Every AzamPay fixture, parsed, with its expected values asserted.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use finconnect_proto::azampay::{
    parse_callback, parse_disbursement_callback, parse_public_key_response, AzampayConfig,
    AzampayPublicKey, BankCheckout, BankProvider, CallbackPolicy, Checked, ClaimedOutcome,
    Disburse, DisbursementStatus, GenerateToken, GetPaymentPartners, GetPublicKey, MnoCheckout,
    MnoProvider, NameLookup, Party, PostCheckout, RsaVerifier, TransactionStatus, Verdict, Wallet,
};
use finconnect_proto::call::{drive_blocking, Call};
use finconnect_proto::retry::Failure;
use finconnect_proto::{
    Currency, Error, Expiry, HttpsUrl, Money, Operation, PaymentStatus, Provider, UrlPolicy,
};
use std::cell::RefCell;
use std::time::{Duration, SystemTime};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/azampay/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn resp(status: u16, name: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(fixture(name))
        .unwrap()
}

fn tzs(major: i64) -> Money {
    Money::from_major(major, Currency::TZS).unwrap()
}

fn mno() -> MnoCheckout {
    MnoCheckout::new("ORD-123", tzs(2000), "255712345678", MnoProvider::Airtel).unwrap()
}

fn bank() -> BankCheckout {
    BankCheckout::new(
        tzs(5000),
        "0150000000000",
        "255712345678",
        BankProvider::Crdb,
        "123456",
    )
    .unwrap()
    .with_reference("ORD-125")
    .unwrap()
}

fn at(text: &str) -> SystemTime {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    t.into()
}

// ---- token ----

#[test]
fn token_ok() {
    let grant = GenerateToken.read(resp(200, "token_ok.json")).unwrap();
    assert!(grant.value.expose().starts_with("U2FsdGVkX1"));
    assert_eq!(grant.expiry, Expiry::At(at("2023-03-02T04:21:29Z")));
}

#[test]
fn token_invalid_423() {
    let err = GenerateToken
        .read(resp(423, "token_invalid_423.json"))
        .unwrap_err();
    match err {
        Error::Unauthorized {
            provider,
            message,
            hint,
        } => {
            assert_eq!(provider, Provider::Azampay);
            assert_eq!(
                message,
                "Provided detail is not valid for this app or secret key has been expired"
            );
            assert!(hint.unwrap().contains("other environment"));
        }
        other => panic!("{other:?}"),
    }
    // The same body under HTTP 200 (status only in the body) is still Unauthorized.
    assert!(matches!(
        GenerateToken.read(resp(200, "token_invalid_423.json")),
        Err(Error::Unauthorized { .. })
    ));
}

#[test]
fn token_error_500() {
    match GenerateToken
        .read(resp(500, "token_error_500.json"))
        .unwrap_err()
    {
        Error::Provider {
            message,
            http_status,
            code,
            ..
        } => {
            assert_eq!(message, "Internal Server Error");
            assert_eq!(http_status, Some(500));
            assert_eq!(code.as_deref(), Some("500"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn token_validation_400() {
    match GenerateToken
        .read(resp(400, "token_validation_400.json"))
        .unwrap_err()
    {
        Error::Rejected { problems, .. } => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            assert_eq!(fields, ["AppName", "ClientId", "ClientSecret"]);
            assert_eq!(problems[0].messages, ["The AppName field is required."]);
            assert_eq!(
                problems[2].messages,
                ["The ClientSecret field is required."]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn token_errors_never_quote_the_token() {
    let body = br#"{"data":{"accessToken":"SECRET-TOKEN"},"success":true,"statusCode":"oops"#;
    let r = http::Response::builder()
        .status(200)
        .body(body.to_vec())
        .unwrap();
    let err = GenerateToken.read(r).unwrap_err();
    assert!(!err.to_string().contains("SECRET-TOKEN"), "{err}");
}

// ---- checkout ----

#[test]
fn mno_checkout_ok() {
    let out = mno().read(resp(200, "mno_checkout_ok.json")).unwrap();
    assert_eq!(
        out.transaction_id.as_deref(),
        Some("b85e971981844a6f8888b42579655b8f")
    );
    assert_eq!(
        out.message.as_deref(),
        Some("Your request has been received and is being processed.")
    );
}

#[test]
fn mno_checkout_refused_200() {
    match mno()
        .read(resp(200, "mno_checkout_refused_200.json"))
        .unwrap_err()
    {
        Error::Provider {
            message,
            http_status,
            ..
        } => {
            assert_eq!(
                message,
                "Example refusal message (constructed; real wording unknown)"
            );
            assert_eq!(http_status, Some(200));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn mno_checkout_transaction_id_string_null() {
    let out = mno()
        .read(resp(200, "mno_checkout_transaction_id_string_null.json"))
        .unwrap();
    assert_eq!(out.transaction_id, None);
    assert!(out.message.is_some());
}

#[test]
fn checkout_validation_400() {
    match mno()
        .read(resp(400, "checkout_validation_400.json"))
        .unwrap_err()
    {
        Error::Rejected {
            message,
            problems,
            http_status,
            ..
        } => {
            assert_eq!(http_status, Some(400));
            assert!(message.contains("One or more validation errors occurred."));
            assert_eq!(problems.len(), 4);
            let amount = problems.iter().find(|p| p.field == "amount").unwrap();
            assert_eq!(amount.messages, ["Amount Must be valid"]);
            let provider = problems.iter().find(|p| p.field == "provider").unwrap();
            assert_eq!(provider.messages, ["Provider enum value is not valid"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bank_checkout_both_shapes() {
    for name in [
        "bank_checkout_ok_spec_shape.json",
        "bank_checkout_ok_samples_shape.json",
    ] {
        let out = bank().read(resp(200, name)).unwrap();
        assert_eq!(
            out.transaction_id.as_deref(),
            Some("0d6f9a1c2b3e4f5a6b7c8d9e0f1a2b3c"),
            "{name}"
        );
    }
    let out = bank()
        .read(resp(200, "bank_checkout_ok_samples_shape.json"))
        .unwrap();
    assert_eq!(
        out.message.as_deref(),
        Some("Example message (constructed)")
    );
}

// ---- hosted checkout and partners ----

fn post_checkout() -> PostCheckout {
    let p = |u: &str| HttpsUrl::parse(u, UrlPolicy::Public).unwrap();
    PostCheckout::new(
        "EXT89772223",
        tzs(100),
        "e9b57fab-1850-44d4-8499-71fd15c845a0",
        "DemoApp",
        "https://shop.example",
        p("https://shop.example/ok"),
        p("https://shop.example/fail"),
        vec!["Shoes".into()],
    )
    .unwrap()
}

#[test]
fn post_checkout_raw_and_json_string() {
    for name in [
        "post_checkout_ok_raw.txt",
        "post_checkout_ok_json_string.txt",
    ] {
        let url = post_checkout().read(resp(200, name)).unwrap();
        assert_eq!(
            url.as_str(),
            "https://checkout.example.invalid/pay/EXAMPLE-SESSION",
            "{name}"
        );
    }
    // An error envelope is an error, not a URL.
    assert!(post_checkout()
        .read(resp(200, "mno_checkout_refused_200.json"))
        .is_err());
    assert!(post_checkout()
        .read(
            http::Response::builder()
                .status(400)
                .body(b"\"bad request\"".to_vec())
                .unwrap()
        )
        .is_err());
}

#[test]
fn partners_ok() {
    let list = GetPaymentPartners
        .read(resp(200, "partners_ok.json"))
        .unwrap();
    assert_eq!(list.len(), 1);
    let p = &list[0];
    assert_eq!(p.partner_name, "Azampesa");
    assert_eq!(p.checkout_provider, Some(MnoProvider::Azampesa));
    assert_eq!(p.provider_code, Some(5));
    assert_eq!(
        p.payment_vendor_id.as_deref(),
        Some("1213c943-b30e-4c9e-ac2f-d34796f01d2d")
    );
    assert_eq!(
        p.id.as_deref(),
        Some("6ebafc56-6d4d-4265-a8d4-c0e1e7806c19")
    );
    assert_eq!(p.currency.as_deref(), Some("TZS"));
}

#[test]
fn partners_error() {
    match GetPaymentPartners
        .read(resp(200, "partners_error.json"))
        .unwrap_err()
    {
        Error::Provider { message, .. } => {
            assert_eq!(message, "Example error message (constructed)")
        }
        other => panic!("{other:?}"),
    }
}

// ---- status query (unofficial) ----

#[test]
fn unofficial_status_query_shapes() {
    let op = TransactionStatus::new("t", MnoProvider::Mpesa).unwrap();
    let s = op
        .read(resp(200, "unofficial_status_query_data_string.json"))
        .unwrap();
    assert_eq!(s.status, PaymentStatus::Completed);
    assert_eq!(s.raw, "success");
    let s = op
        .read(resp(200, "unofficial_status_query_data_object.json"))
        .unwrap();
    assert_eq!(s.status, PaymentStatus::Pending);
    // A refusal is an error, never "failed".
    assert!(op
        .read(resp(404, "disbursement_status_not_found.json"))
        .is_err());
}

// ---- disbursement ----

fn disburse() -> Disburse {
    Disburse::new(
        "PAYOUT123",
        tzs(5000),
        Party::tz("Demo Merchant", "255650000000", Wallet::Tigo).unwrap(),
        Party::tz("John Doe", "255780000000", Wallet::Airtel).unwrap(),
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_956_005),
    )
    .unwrap()
}

#[test]
fn disburse_ok() {
    let out = disburse().read(resp(200, "disburse_ok.json")).unwrap();
    assert_eq!(
        out.pg_reference_id.as_deref(),
        Some("b42aeas4hl3d4f58bhfk4007782cb452")
    );
    assert_eq!(
        out.message.as_deref(),
        Some("Your transaction is in process")
    );
}

#[test]
fn disburse_errors() {
    // 400 and 402 carry `success: true` (sic) and `status: 400`: still errors.
    for (status, name, msg) in [
        (400, "disburse_400_invalid_bank.json", "Invalid BankName."),
        (402, "disburse_402_expired.json", "Request expired"),
    ] {
        match disburse().read(resp(status, name)).unwrap_err() {
            Error::Provider {
                message,
                http_status,
                ..
            } => {
                assert_eq!(message, msg);
                assert_eq!(http_status, Some(status));
            }
            other => panic!("{name}: {other:?}"),
        }
        // Even under HTTP 200, the body status decides.
        assert!(disburse().read(resp(200, name)).is_err());
    }
    match disburse()
        .read(resp(403, "disburse_403_duplicate.json"))
        .unwrap_err()
    {
        Error::DuplicateReference {
            reference, message, ..
        } => {
            assert_eq!(reference, "PAYOUT123");
            assert_eq!(message, "Duplicate External Reference Id");
        }
        other => panic!("{other:?}"),
    }
    match disburse()
        .read(resp(401, "disbursement_401.json"))
        .unwrap_err()
    {
        Error::Provider { message, .. } => {
            assert_eq!(message, "Please Provide Valid Authorization")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn name_lookup_ok() {
    let out = NameLookup::new("0654000000", "Tigo")
        .unwrap()
        .read(resp(200, "namelookup_ok.json"))
        .unwrap();
    assert_eq!(out.name.as_deref(), Some("John Doe"));
    assert_eq!(out.first_name.as_deref(), Some("John"));
    assert_eq!(out.last_name.as_deref(), Some("Doe"));
    assert_eq!(out.account_number.as_deref(), Some("0654000000"));
    assert_eq!(out.bank_name.as_deref(), Some("Tigo"));
}

#[test]
fn disbursement_status() {
    let op = DisbursementStatus::new("b42aeas4hl3d4f58bhfk4007782cb452", "airtel").unwrap();
    let s = op.read(resp(200, "disbursement_status_ok.json")).unwrap();
    assert_eq!(s.status, PaymentStatus::Completed);
    assert_eq!(s.detail.as_deref(), Some("Transaction successful."));
    assert_eq!(
        s.message.as_deref(),
        Some("Transaction Status successfuly fetch")
    );
    // "Not found" is documented under HTTP 402 with statusCode 404.
    match op
        .read(resp(402, "disbursement_status_not_found.json"))
        .unwrap_err()
    {
        Error::Provider { message, code, .. } => {
            assert_eq!(message, "Transaction not found");
            assert_eq!(code.as_deref(), Some("404"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn disburse_callback() {
    let cb = parse_disbursement_callback(&fixture("disburse_callback.json")).unwrap();
    assert_eq!(
        cb.pg_reference_id.as_deref(),
        Some("b42aeas4hl3d4f58bhfk4007782cb452")
    );
    assert_eq!(cb.initiator_reference_id.as_deref(), Some("PAYOUT123"));
    assert_eq!(cb.fsp_reference_id.as_deref(), Some("FSP-REF-0001"));
    assert_eq!(cb.amount.as_deref(), Some("5000"));
    assert_eq!(cb.operator.as_deref(), Some("Airtel"));
    assert_eq!(cb.message.as_deref(), Some("Transaction successful"));
    assert_eq!(cb.claimed_status(), PaymentStatus::Completed);
    assert_eq!(
        cb.dedupe_key(),
        "azampay-payout:b42aeas4hl3d4f58bhfk4007782cb452"
    );
    assert!(parse_disbursement_callback(b"[]").is_err());
}

#[test]
fn disburse_callback_through_the_collection_parser_is_unsigned() {
    // The disbursement callback has no signature: it is Unsigned and its fields
    // are kept as extras.
    let event = parse_callback(&fixture("disburse_callback.json")).unwrap();
    assert_eq!(event.amount.as_deref(), Some("5000"));
    assert_eq!(event.operator.as_deref(), Some("Airtel"));
    assert_eq!(
        event.extra.get("pgReferenceId").and_then(|v| v.as_str()),
        Some("b42aeas4hl3d4f58bhfk4007782cb452")
    );
    assert_eq!(event.signature(), None);
}

// ---- public keys ----

fn reference_key() -> AzampayPublicKey {
    parse_public_key_response(&fixture("public_key_response_testkey.json")).unwrap()
}

#[test]
fn public_key_responses() {
    let pem = reference_key();
    assert_eq!(pem.bits(), 2048);
    let xml = parse_public_key_response(&fixture("public_key_response_testkey_xml.json")).unwrap();
    let escaped = parse_public_key_response(&fixture(
        "public_key_response_testkey_escaped_newlines.json",
    ))
    .unwrap();
    assert_eq!(xml, pem);
    assert_eq!(escaped, pem);
    // The documented examples elide the key: refused clearly.
    for name in ["public_key_response.json", "public_key_response_xml.json"] {
        match parse_public_key_response(&fixture(name)).unwrap_err() {
            Error::Signature { reason, .. } => assert!(reason.contains("key"), "{reason}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // Bare PEM body, JSON string body, PKCS#1 form, and through the operation.
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("public_key_response_testkey.json")).unwrap();
    let text = v["publicKey"].as_str().unwrap();
    assert_eq!(parse_public_key_response(text.as_bytes()).unwrap(), pem);
    let quoted = serde_json::to_vec(text).unwrap();
    assert_eq!(parse_public_key_response(&quoted).unwrap(), pem);
    let pkcs1 = {
        use base64::Engine as _;
        let der = pem.pkcs1_der().unwrap();
        format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
    };
    assert_eq!(AzampayPublicKey::parse(&pkcs1).unwrap(), pem);
    let got = GetPublicKey::default()
        .read(resp(200, "public_key_response_testkey.json"))
        .unwrap();
    assert_eq!(got, pem);
    let not_found = GetPublicKey::default()
        .read(
            http::Response::builder()
                .status(404)
                .body(Vec::new())
                .unwrap(),
        )
        .unwrap_err();
    assert!(not_found.to_string().contains("pin the key"), "{not_found}");
}

#[test]
fn pinned_key_in_config() {
    let v: serde_json::Value =
        serde_json::from_slice(&fixture("public_key_response_testkey.json")).unwrap();
    let cfg = AzampayConfig::sandbox("A", "B", "C")
        .unwrap()
        .with_pinned_public_key(v["publicKey"].as_str().unwrap())
        .unwrap();
    assert_eq!(cfg.pinned_public_key(), Some(&reference_key()));
    assert!(AzampayConfig::sandbox("A", "B", "C")
        .unwrap()
        .with_pinned_public_key(
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhk...\n-----END PUBLIC KEY-----"
        )
        .is_err_and(|e| matches!(e, Error::Config { .. })));
}

// ---- callbacks ----

#[test]
fn callback_example_is_valid_and_completed() {
    let verifier = RsaVerifier::new(&reference_key());
    let event = parse_callback(&fixture("callback_example.json")).unwrap();
    assert_eq!(event.utility_ref.as_deref(), Some("vendor-ref-001"));
    assert_eq!(event.external_reference.as_deref(), Some("pg-ref-001"));
    assert_eq!(event.amount_tzs(), Some(tzs(1000)));
    assert_eq!(event.user.as_deref(), Some(""));
    let Checked::Valid(v) = event.check(&verifier) else {
        panic!("the example is signed")
    };
    // The key covers the signed text and status only: fixed size.
    assert_eq!(v.dedupe_key().to_string().len(), "azampay:".len() + 64);
    assert_eq!(v.status(), PaymentStatus::Completed);
    v.reconcile("vendor-ref-001", tzs(1000)).unwrap();
    assert!(v.reconcile("vendor-ref-002", tzs(1000)).is_err());
    assert!(v.reconcile("vendor-ref-001", tzs(999)).is_err());
}

#[test]
fn real_sandbox_callback_is_unsigned_and_only_a_trigger() {
    let verifier = RsaVerifier::new(&reference_key());
    let event = parse_callback(&fixture("callback_real_sandbox_2026.json")).unwrap();
    assert_eq!(
        event.utility_ref.as_deref(),
        Some("BOOKING-HSE-000009-1767956005")
    );
    assert_eq!(
        event.transid.as_deref(),
        Some("5aae72e0e5974f0e8319394167d7708f")
    );
    assert_eq!(
        event.mno_reference.as_deref(),
        Some("a068932f-09a8-4ff4-82c0-6efa13def8d5")
    );
    assert_eq!(event.claimed_outcome(), ClaimedOutcome::Success);
    let dbg = format!("{event:?}");
    assert!(!dbg.contains("255700000000"), "{dbg}");
    let query = event.status_query().unwrap();
    assert_eq!(
        query,
        TransactionStatus::new("5aae72e0e5974f0e8319394167d7708f", MnoProvider::Mpesa).unwrap()
    );
    let checked = event.check(&verifier);
    assert_eq!(checked.verdict(), Verdict::Unsigned);
    assert!(checked
        .clone()
        .apply(CallbackPolicy::ConfirmUnverified)
        .unwrap()
        .is_none());
    assert!(checked
        .clone()
        .apply(CallbackPolicy::TriggerOnly)
        .unwrap()
        .is_none());
    assert!(matches!(
        checked.apply(CallbackPolicy::RequireSignature),
        Err(Error::Signature { .. })
    ));
}

#[test]
fn failure_and_failed_words() {
    let e = parse_callback(&fixture("callback_failure_unsigned.json")).unwrap();
    assert_eq!(e.claimed_outcome(), ClaimedOutcome::Failure);
    assert_eq!(e.operator.as_deref(), Some("Tigo"));
    assert_eq!(e.signature(), None);
    assert_eq!(
        e.verdict(&RsaVerifier::new(&reference_key())),
        Verdict::Unsigned
    );
    let e = parse_callback(&fixture("callback_failed_word.json")).unwrap();
    assert_eq!(e.claimed_outcome(), ClaimedOutcome::Failure);
    assert_eq!(e.utility_ref.as_deref(), Some("ORD-127"));
    assert_eq!(e.amount.as_deref(), Some("1500"));
}

#[test]
fn legacy_callback_fields() {
    let e = parse_callback(&fixture("callback_legacy_2022_fields.json")).unwrap();
    assert_eq!(e.utility_ref.as_deref(), Some("ORD-123"));
    assert_eq!(
        e.reference.as_deref(),
        Some("b85e971981844a6f8888b42579655b8f")
    );
    assert_eq!(e.external_reference, None);
    assert_eq!(
        e.additional_properties
            .as_ref()
            .and_then(|m| m.get("orderId"))
            .and_then(|v| v.as_str()),
        Some("123")
    );
    assert_eq!(e.signed_message(), b"ORD-123successAirtel");
    // No transid: the status query falls back to `reference`.
    assert!(e.status_query().is_ok());
}

#[test]
fn tolerant_parsing() {
    let body = br#"{"TransactionStatus":"SUCCESS","utilityRef":12345,"Amount":1000,
        "operator":"Airtel","someNewField":{"x":1},"transid":"t-1"}"#;
    let e = parse_callback(body).unwrap();
    assert_eq!(e.transaction_status.as_deref(), Some("SUCCESS"));
    assert_eq!(e.claimed_outcome(), ClaimedOutcome::Success);
    assert_eq!(e.utility_ref.as_deref(), Some("12345"));
    assert_eq!(e.amount.as_deref(), Some("1000"));
    assert_eq!(e.extra["someNewField"]["x"], 1);
    assert!(parse_callback(b"[1,2]").is_err());
    assert!(parse_callback(b"not json").is_err());
    assert!(parse_callback(br#"{"utilityref":{"a":1}}"#).is_err());
    let big = vec![b' '; finconnect_proto::wire::MAX_CALLBACK_BODY + 1];
    assert!(parse_callback(&big).is_err());
    // Errors never quote the body (phone numbers, callback passwords).
    let err = parse_callback(br#"{"msisdn":"255799999999","password":"pw","x":}"#).unwrap_err();
    assert!(!err.to_string().contains("255799999999"));
}

// ---- the driver, end to end ----

#[test]
fn driver_fetches_a_token_then_checks_out() {
    let cfg = AzampayConfig::sandbox("DemoApp", "id", "secret").unwrap();
    let now = at("2023-03-02T04:00:00Z");
    let sent = RefCell::new(Vec::new());
    let (out, token) = drive_blocking(
        Call::new(&cfg, mno(), None),
        |req| {
            sent.borrow_mut().push(req.uri().to_string());
            Ok(if req.uri().path().ends_with("GenerateToken") {
                resp(200, "token_ok.json")
            } else {
                assert!(req.headers().contains_key("authorization"));
                resp(200, "mno_checkout_ok.json")
            })
        },
        |_| {},
        || now,
    )
    .unwrap();
    assert_eq!(
        out.transaction_id.as_deref(),
        Some("b85e971981844a6f8888b42579655b8f")
    );
    assert_eq!(token.unwrap().expires_at(), at("2023-03-02T04:21:29Z"));
    assert_eq!(sent.borrow().len(), 2);
}

#[test]
fn driver_423_is_unauthorized_and_lost_checkout_is_outcome_unknown() {
    let cfg = AzampayConfig::sandbox("DemoApp", "id", "secret").unwrap();
    let now = at("2023-03-02T04:00:00Z");
    let err = drive_blocking(
        Call::new(&cfg, mno(), None),
        |_| Ok(resp(423, "token_invalid_423.json")),
        |_| {},
        || now,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");

    let count = RefCell::new(0);
    let err = drive_blocking(
        Call::new(&cfg, mno(), None),
        |req| {
            if req.uri().path().ends_with("GenerateToken") {
                Ok(resp(200, "token_ok.json"))
            } else {
                *count.borrow_mut() += 1;
                Err(Failure::Lost)
            }
        },
        |_| {},
        || now,
    )
    .unwrap_err();
    assert_eq!(*count.borrow(), 1, "a checkout is never re-sent");
    match err {
        Error::OutcomeUnknown { reference, .. } => {
            assert_eq!(reference.as_deref(), Some("ORD-123"))
        }
        other => panic!("{other:?}"),
    }
}
