//! One named test per Daraja trap (the protocol's quirks checklist, 1 to 20).
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use finconnect_proto::mpesa::*;
use finconnect_proto::{Api, Currency, Error, Expiry, Money, Operation, PaymentStatus};
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/mpesa/", $name)).to_vec()
    };
}

const CERT: &str = include_str!("fixtures/mpesa/test-initiator-cert.pem");

fn resp(status: u16, body: impl Into<Vec<u8>>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.into())
        .unwrap()
}

fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::KES)
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn api() -> MpesaConfig {
    MpesaConfig::sandbox("k", "s")
        .unwrap()
        .with_express(Shortcode::new("174379").unwrap(), "pk")
        .unwrap()
        .with_initiator(
            Initiator::new(Shortcode::new("600992").unwrap(), "testapi", "pw", CERT).unwrap(),
        )
}

fn push_to(phone: &str, kind: StkKind) -> StkPush {
    StkPush::new(
        kind,
        kes(100),
        KenyanMsisdn::parse(phone).unwrap(),
        "https://shop.example/cb/t0k",
        "ref",
        "desc",
        now(),
    )
    .unwrap()
}

fn body_of<O: Operation<Api = MpesaConfig>>(op: &O) -> Value {
    let api = api();
    let token = finconnect_proto::AccessToken::new("t".into(), now() + Duration::from_secs(600));
    let request = api.finish(op.request(&api).unwrap(), Some(&token)).unwrap();
    serde_json::from_slice(request.body()).unwrap()
}

fn credential() -> SecurityCredential {
    SecurityCredential::precomputed("SECURITY_CREDENTIAL_PLACEHOLDER==").unwrap()
}

fn urls() -> ResultUrls {
    ResultUrls::new("https://shop.example/r", "https://shop.example/t").unwrap()
}

fn query() -> StkQuery {
    StkQuery::new(CheckoutRequestId::new("ws_CO_1").unwrap(), now())
}

#[test]
fn quirk_01_expires_in_is_a_string_or_a_number() {
    for body in [
        &br#"{"access_token":"a","expires_in":"3599"}"#[..],
        br#"{"access_token":"a","expires_in":3599}"#,
        br#"{"access_token":"a","expires_in":" 3599 "}"#,
    ] {
        let grant = GenerateToken.read(resp(200, body)).unwrap();
        assert_eq!(grant.expiry, Expiry::After(Duration::from_secs(3599)));
    }
    // Missing: the documented hour.
    let grant = GenerateToken
        .read(resp(200, &br#"{"access_token":"a"}"#[..]))
        .unwrap();
    assert_eq!(grant.expiry, Expiry::After(DEFAULT_TOKEN_LIFETIME));
    // Replaced 60 s before it expires.
    assert_eq!(api().token_margin(), Duration::from_secs(60));
}

#[test]
fn quirk_02_result_codes_are_numbers_strings_or_alphanumeric() {
    let cb = parse_stk_callback(&fixture!("stk_callback_cancelled.json")).unwrap();
    assert_eq!(cb.claimed_result_code.as_str(), "1032"); // a number on the wire
    let StkQueryOutcome::Final(q) = query()
        .read(resp(200, fixture!("stk_query_ok_cancelled.json")))
        .unwrap()
    else {
        panic!("final");
    };
    assert_eq!(q.code.as_str(), "1032"); // a string on the wire
    let r = parse_result(&fixture!("reversal_result_failure.json")).unwrap();
    assert_eq!(r.claimed_result_code.as_str(), "R000002");
    let r = parse_result(&fixture!("account_balance_result.json")).unwrap();
    assert_eq!(r.claimed_result_code.as_str(), "0"); // "0" as a string
}

#[test]
fn quirk_03_response_code_zero_means_accepted_not_paid() {
    let accepted = push_to("254708374149", StkKind::PayBill)
        .read(resp(200, fixture!("stk_push_ok.json")))
        .unwrap();
    // An acceptance carries no payment status at all: only an id to follow.
    assert_eq!(
        accepted.checkout_request_id.as_str(),
        "ws_CO_1007202409152617172396192"
    );
    let refused = push_to("254708374149", StkKind::PayBill)
        .read(resp(
            200,
            &br#"{"MerchantRequestID":"m","CheckoutRequestID":"c","ResponseCode":"1","ResponseDescription":"Rejected"}"#[..],
        ))
        .unwrap_err();
    assert!(
        matches!(refused, Error::Provider { ref code, .. } if code.as_deref() == Some("1")),
        "{refused:?}"
    );
}

#[test]
fn quirk_04_failure_callbacks_have_no_metadata_and_items_are_read_by_name() {
    let cb = parse_stk_callback(&fixture!("stk_callback_wrong_pin_2001.json")).unwrap();
    assert!(cb.metadata.is_empty());
    // Items in another order, Balance without a Value: read by Name.
    let cb = parse_stk_callback(br#"{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c","ResultCode":0,"ResultDesc":"ok","CallbackMetadata":{"Item":[{"Name":"PhoneNumber","Value":254708374149},{"Name":"Balance"},{"Name":"MpesaReceiptNumber","Value":"QKH94M1Z11"},{"Name":"Amount","Value":10500.00},{"Name":"TransactionDate","Value":20221117155745}]}}}}"#).unwrap();
    assert_eq!(cb.claimed_amount, Some(kes(1_050_000)));
    assert_eq!(cb.claimed_receipt.as_deref(), Some("QKH94M1Z11"));
    assert_eq!(cb.claimed_item("Balance"), None);
}

#[test]
fn quirk_05_timestamp_is_the_one_inside_the_password_in_nairobi_time() {
    let body = body_of(&push_to("254708374149", StkKind::PayBill));
    let timestamp = body["Timestamp"].as_str().unwrap();
    let password = base64::engine::general_purpose::STANDARD
        .decode(body["Password"].as_str().unwrap())
        .unwrap();
    let password = String::from_utf8(password).unwrap();
    assert_eq!(password, format!("174379pk{timestamp}"));
    // 1_700_000_000 is 2023-11-14 22:13:20 UTC, 01:13:20 the next day in Nairobi.
    assert_eq!(timestamp, "20231115011320");
    let query_body = body_of(&query());
    assert_eq!(query_body["Timestamp"], "20231115011320");
}

#[test]
fn quirk_06_amounts_are_whole_shillings_out_and_decimals_in() {
    assert!(StkPush::new(
        StkKind::PayBill,
        kes(1050),
        KenyanMsisdn::parse("0708374149").unwrap(),
        "https://shop.example/cb",
        "r",
        "d",
        now()
    )
    .is_err());
    assert_eq!(
        body_of(&push_to("254708374149", StkKind::PayBill))["Amount"],
        "1"
    );
    let cb = parse_stk_callback(br#"{"Body":{"stkCallback":{"CheckoutRequestID":"c","ResultCode":0,"CallbackMetadata":{"Item":[{"Name":"Amount","Value":"05"}]}}}}"#).unwrap();
    assert_eq!(cb.claimed_amount, Some(kes(500)));
    let c2b = parse_c2b(&fixture!("c2b_confirmation.json")).unwrap();
    assert_eq!(c2b.claimed_amount, kes(500)); // "5.00"
    let r = parse_result(&fixture!("transaction_status_result.json")).unwrap();
    assert_eq!(r.claimed_transaction_amount(), Some(kes(30_000))); // "300"
}

#[test]
fn quirk_07_phone_numbers_are_normalised_before_sending() {
    for local in [
        "0708374149",
        "708374149",
        "+254708374149",
        "254 708 374 149",
    ] {
        let body = body_of(&push_to(local, StkKind::PayBill));
        assert_eq!(body["PartyA"], "254708374149");
        assert_eq!(body["PhoneNumber"], "254708374149");
    }
}

#[test]
fn quirk_08_stk_query_pending_shapes_are_never_failed() {
    for (status, body) in [
        (200, fixture!("stk_query_ok_still_processing_4999.json")),
        (200, fixture!("stk_query_pending_error_empty_message.json")),
        (500, fixture!("stk_query_pending_error.json")),
        (500, fixture!("stk_query_not_found_error.json")),
    ] {
        let outcome = query().read(resp(status, body)).unwrap();
        assert_eq!(outcome.status(), PaymentStatus::Pending);
        assert!(!matches!(outcome, StkQueryOutcome::Final(_)));
    }
}

#[test]
fn quirk_09_misspelled_wire_names_are_kept() {
    let register = RegisterUrls::new(
        Shortcode::new("600984").unwrap(),
        ResponseType::Completed,
        "https://shop.example/c",
        "https://shop.example/v",
    )
    .unwrap();
    let ok = register
        .read(resp(200, fixture!("c2b_register_ok.json")))
        .unwrap();
    assert!(ok.originator_conversation_id.is_some()); // OriginatorCoversationID
    let reversal = Reversal::new(
        "PDU91HIVIT",
        kes(100),
        Remarks::new("rr").unwrap(),
        urls(),
        credential(),
    )
    .unwrap();
    let body = body_of(&reversal);
    assert_eq!(body["RecieverIdentifierType"], "11");
    assert!(body.get("ReceiverIdentifierType").is_none());
    let b2c = B2cPayment::new(
        OriginatorConversationId::new("id").unwrap(),
        kes(1000),
        KenyanMsisdn::parse("0708374149").unwrap(),
        Remarks::new("rr").unwrap(),
        urls(),
        credential(),
    )
    .unwrap()
    .occasion("x")
    .unwrap();
    let body = body_of(&b2c);
    assert_eq!(body["Occassion"], "x");
    assert!(body.get("Occasion").is_none());
    // "successsfully" (sic) is prose; the code decides.
    let q = query()
        .read(resp(200, fixture!("stk_query_ok_success.json")))
        .unwrap();
    assert_eq!(q.status(), PaymentStatus::Completed);
    // The docs-only misspellings are not copied.
    let status = TransactionStatusQuery::new(
        TransactionKey::Receipt("NEF61H8J60".into()),
        Remarks::new("rr").unwrap(),
        urls(),
        credential(),
    )
    .unwrap();
    let body = body_of(&status);
    assert!(body.get("Command ID").is_none() && body.get("Transaction ID").is_none());
    assert_eq!(body["TransactionID"], "NEF61H8J60");
}

#[test]
fn quirk_10_initiator_name_for_b2c_initiator_elsewhere() {
    let b2c = B2cPayment::new(
        OriginatorConversationId::new("id").unwrap(),
        kes(1000),
        KenyanMsisdn::parse("0708374149").unwrap(),
        Remarks::new("rr").unwrap(),
        urls(),
        credential(),
    )
    .unwrap();
    let body = body_of(&b2c);
    assert_eq!(body["InitiatorName"], "testapi");
    assert!(body.get("Initiator").is_none());
    let balance = body_of(&AccountBalanceQuery::new(
        Remarks::new("rr").unwrap(),
        urls(),
        credential(),
    ));
    assert_eq!(balance["Initiator"], "testapi");
    assert!(balance.get("InitiatorName").is_none());
}

#[test]
fn quirk_11_result_envelopes_are_object_or_array_with_optional_values() {
    let one = parse_result(&fixture!("account_balance_result_failure.json")).unwrap();
    assert_eq!(one.parameters.len(), 1); // a single object
    assert_eq!(one.references.len(), 1);
    let r = parse_result(br#"{"Result":{"ResultType":"0","ResultCode":"0","ResultParameters":{"ResultParameter":[{"Key":"A","Value":1},{"Key":"A","Value":"2"},{"Key":"B"}]},"ReferenceData":{"ReferenceItem":[{"Key":"BillReferenceNumber","Value":"x"},{"Key":"QueueTimeoutURL","Value":"u"}]}}}"#).unwrap();
    assert_eq!(r.parameters_named("A").count(), 2);
    assert_eq!(r.parameter("B"), None);
    assert_eq!(r.references.len(), 2);
    assert!(parse_result(&fixture!("b2c_result_failure.json"))
        .unwrap()
        .parameters
        .is_empty());
}

#[test]
fn quirk_12_c2b_fields_are_optional_and_msisdn_is_not_a_phone() {
    let p = parse_c2b(br#"{"TransactionType":"","TransID":"T1","TransAmount":"10","BusinessShortCode":"600000","InvoiceNumber":null,"ThirdPartyTransID":null,"MSISDN":"2547 ***** 126","FirstName":"J"}"#).unwrap();
    assert_eq!(p.transaction_type, None);
    assert_eq!((p.invoice_number, p.third_party_trans_id), (None, None));
    assert_eq!((p.middle_name, p.last_name), (None, None));
    assert_eq!(p.msisdn.as_deref(), Some("2547 ***** 126"));
    // Required: TransID, TransAmount, BusinessShortCode.
    assert!(parse_c2b(br#"{"TransAmount":"10","BusinessShortCode":"1"}"#).is_err());
    assert!(parse_c2b(br#"{"TransID":"T","BusinessShortCode":"1"}"#).is_err());
    assert!(parse_c2b(br#"{"TransID":"T","TransAmount":"10"}"#).is_err());
}

#[test]
fn quirk_13_response_type_is_spelled_exactly() {
    assert_eq!(ResponseType::Cancelled.as_str(), "Cancelled");
    assert_eq!(ResponseType::Completed.as_str(), "Completed");
    let op = RegisterUrls::new(
        Shortcode::new("600984").unwrap(),
        ResponseType::Cancelled,
        "https://s.example/c",
        "https://s.example/v",
    )
    .unwrap();
    assert_eq!(body_of(&op)["ResponseType"], "Cancelled");
}

#[test]
fn quirk_14_callbacks_are_unsigned_claims_confirmed_by_a_query() {
    let cb = parse_stk_callback(&fixture!("stk_callback_success.json")).unwrap();
    // Only claims: the confirmation is Daraja's answer to the STK query.
    assert_eq!(cb.claimed_status(), PaymentStatus::Completed);
    let confirm = cb.status_query(now());
    assert_eq!(confirm.checkout_request_id(), &cb.checkout_request_id);
    assert_eq!(
        body_of(&confirm)["CheckoutRequestID"],
        "ws_CO_17112022155730304708374149"
    );
    // Acknowledge at once.
    assert_eq!(stk_callback_ack().status(), 200);
    assert_eq!(c2b_confirmation_ack().status(), 200);
    assert_eq!(result_ack().status(), 200);
}

#[test]
fn quirk_15_error_envelope_at_http_200_and_html_are_not_successes() {
    let e = push_to("254708374149", StkKind::PayBill)
        .read(resp(200, fixture!("stk_push_error_invalid_phone.json")))
        .unwrap_err();
    assert!(matches!(e, Error::Rejected { .. }), "{e:?}");
    let html = "<html><body>Request unsuccessful. Incapsula incident ID: 1-2</body></html>";
    for status in [200, 503] {
        let e = push_to("254708374149", StkKind::PayBill)
            .read(resp(status, html))
            .unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert!(e.to_string().contains("HTML"), "{e}");
    }
}

#[test]
fn quirk_16_sandbox_timeout_1037_is_terminal_failure() {
    let cb = parse_stk_callback(&fixture!("stk_callback_timeout_1037.json")).unwrap();
    assert_eq!(cb.claimed_status(), PaymentStatus::Failed);
    assert!(cb.claimed_status().is_final());
}

#[test]
fn quirk_17_checkout_request_id_is_personal_data() {
    let cb = parse_stk_callback(&fixture!("stk_callback_success.json")).unwrap();
    let shown = format!("{:?}", cb.checkout_request_id);
    assert!(!shown.contains("708374149"), "{shown}");
    let phone = KenyanMsisdn::parse("254708374149").unwrap();
    assert!(!format!("{phone:?} {phone}").contains("708374149"));
}

#[test]
fn quirk_18_the_existing_crates_bugs_are_not_copied() {
    // Buy goods is CustomerBuyGoodsOnline.
    let till = StkKind::BuyGoods {
        till: Shortcode::new("5123456").unwrap(),
    };
    assert_eq!(
        body_of(&push_to("254708374149", till))["TransactionType"],
        "CustomerBuyGoodsOnline"
    );
    // A 2xx carrying errorCode is the API's error, not a parse failure.
    let e = query()
        .read(resp(200, fixture!("stk_push_error_spike_arrest.json")))
        .unwrap_err();
    assert!(
        matches!(e, Error::Provider { ref code, .. } if code.as_deref() == Some("500.003.02")),
        "{e:?}"
    );
    // A non-2xx gateway fault is read, not a deserialisation error.
    let register = RegisterUrls::new(
        Shortcode::new("600984").unwrap(),
        ResponseType::Completed,
        "https://s.example/c",
        "https://s.example/v",
    )
    .unwrap();
    assert!(matches!(
        register
            .read(resp(500, fixture!("c2b_register_fault.json")))
            .unwrap_err(),
        Error::Provider { .. }
    ));
    // No built-in secrets: STK without a configured passkey is refused.
    let bare = MpesaConfig::sandbox("k", "s").unwrap();
    assert!(bare.express().is_none() && bare.initiator().is_none());
    // The token lifetime is the answer's, not a fixed hour.
    let grant = GenerateToken
        .read(resp(
            200,
            &br#"{"access_token":"a","expires_in":"120"}"#[..],
        ))
        .unwrap();
    assert_eq!(grant.expiry, Expiry::After(Duration::from_secs(120)));
}

#[test]
fn quirk_19_ethiopian_codes_mean_nothing_here() {
    let e = GenerateToken
        .read(resp(
            200,
            &br#"{"resultCode":"999991","resultDesc":"Invalid client id passed"}"#[..],
        ))
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[test]
fn quirk_20_invalid_json_from_the_docs_is_refused_cleanly() {
    let trailing_comma = br#"{"ResponseCode":"0","ResultCode":"0","CheckoutRequestID":"c",}"#;
    let e = query().read(resp(200, &trailing_comma[..])).unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(parse_result(b"{\"Result\":{\"ResultCode\":0,}}").is_err());
}

#[test]
fn a_negative_paid_amount_is_a_malformed_notification() {
    let c2b = br#"{"TransactionType":"Pay Bill","TransID":"RKTQDM7W6S","TransTime":"20191122063845","TransAmount":"-10","BusinessShortCode":"600638","BillRefNumber":"A1","MSISDN":"2547"}"#;
    assert!(matches!(parse_c2b(c2b), Err(Error::Decode { .. })));
    let ok = br#"{"TransID":"RKTQDM7W6S","TransAmount":"10.00","BusinessShortCode":"600638"}"#;
    assert_eq!(parse_c2b(ok).unwrap().claimed_amount, kes(1000));

    let stk = br#"{"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"ws_CO_191220191020363925","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":-1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"}]}}}}"#;
    let parsed = parse_stk_callback(stk);
    assert!(
        parsed.map(|c| c.claimed_amount.is_none()).unwrap_or(true),
        "a negative amount is never a claimed payment"
    );
}
