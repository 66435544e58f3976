//! Golden tests: the exact method, URL, headers and body of every PesaPal request,
//! and the checks made before anything is sent.
#![allow(clippy::unwrap_used)]

use finconnect_proto::pesapal::*;
use finconnect_proto::{
    AccessToken, Api, Body, Currency, Description, Error, Host, MerchantReference, Money,
    Operation, Parts, Secret, UrlPolicy,
};
use std::time::UNIX_EPOCH;

fn sandbox() -> PesapalConfig {
    PesapalConfig::sandbox("xxxxx", "xxxxxx").unwrap()
}

fn token() -> AccessToken {
    AccessToken::new(Secret::new("tok.en"), UNIX_EPOCH)
}

/// The request as sent: the operation's parts, finished by the configuration.
trait Written: Operation<Api = PesapalConfig> {
    fn written(&self, api: &PesapalConfig, token: Option<&AccessToken>) -> Result<Request, Error> {
        api.finish(self.request(api)?, token)
    }
}

impl<O: Operation<Api = PesapalConfig>> Written for O {}

type Request = http::Request<Vec<u8>>;

/// Method, URL, every header (name: value), body as text.
fn golden(req: &http::Request<Vec<u8>>, method: &str, url: &str, auth: bool, body: &str) {
    assert_eq!(req.method().as_str(), method);
    assert_eq!(req.uri().to_string(), url);
    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    let mut expected = vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    if auth {
        expected.push(("authorization".to_owned(), "Bearer tok.en".to_owned()));
        assert!(req.headers()["authorization"].is_sensitive());
    }
    expected.sort();
    assert_eq!(headers, expected);
    assert_eq!(std::str::from_utf8(req.body()).unwrap(), body);
}

#[test]
fn request_token() {
    let req = RequestToken.written(&sandbox(), None).unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/Auth/RequestToken",
        false,
        r#"{"consumer_key":"xxxxx","consumer_secret":"xxxxxx"}"#,
    );
    const { assert!(!<RequestToken as Operation>::REQUIRES_AUTH) };
    const { assert!(<GetIpnList as Operation>::REQUIRES_AUTH) };
    let live = PesapalConfig::live("a", "b").unwrap();
    let req = RequestToken.written(&live, None).unwrap();
    assert_eq!(
        req.uri(),
        "https://pay.pesapal.com/v3/api/Auth/RequestToken"
    );
}

#[test]
fn register_ipn() {
    let req = RegisterIpn::new("https://www.myapplication.com/ipn", IpnMethod::Get)
        .unwrap()
        .written(&sandbox(), Some(&token()))
        .unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/URLSetup/RegisterIPN",
        true,
        r#"{"url":"https://www.myapplication.com/ipn","ipn_notification_type":"GET"}"#,
    );
    let req = RegisterIpn::new("https://shop.example/pesapal/ipn", IpnMethod::Post)
        .unwrap()
        .written(&sandbox(), Some(&token()))
        .unwrap();
    assert_eq!(
        req.body(),
        br#"{"url":"https://shop.example/pesapal/ipn","ipn_notification_type":"POST"}"#
    );
}

#[test]
fn register_ipn_refuses_local_urls_for_real_pesapal() {
    for url in [
        "https://localhost/ipn",
        "https://127.0.0.1:8443/ipn",
        "https://192.168.1.20/ipn",
        "http://shop.example/ipn",
    ] {
        let op = RegisterIpn::new(url, IpnMethod::Get).unwrap();
        for api in [sandbox(), PesapalConfig::live("a", "b").unwrap()] {
            let err = op.written(&api, Some(&token())).unwrap_err();
            assert!(matches!(err, Error::Invalid { .. }), "{url}: {err:?}");
            if !url.starts_with("http:") {
                assert!(
                    err.to_string().contains("finconnect sandbox"),
                    "{url}: {err}"
                );
            }
        }
    }
    // The local simulator accepts them.
    let local = PesapalConfig::custom(
        "k",
        "s",
        "http://127.0.0.1:8089/pesapalv3",
        UrlPolicy::Local,
    )
    .unwrap();
    let req = RegisterIpn::new("http://127.0.0.1:9000/ipn", IpnMethod::Post)
        .unwrap()
        .written(&local, Some(&token()))
        .unwrap();
    assert_eq!(
        req.uri(),
        "http://127.0.0.1:8089/pesapalv3/api/URLSetup/RegisterIPN"
    );
    assert!(RegisterIpn::new("not a url", IpnMethod::Get).is_err());
}

#[test]
fn get_ipn_list() {
    let req = GetIpnList.written(&sandbox(), Some(&token())).unwrap();
    golden(
        &req,
        "GET",
        "https://cybqa.pesapal.com/pesapalv3/api/URLSetup/GetIpnList",
        true,
        "",
    );
}

fn full_order() -> Order {
    let mut order = Order::new(
        MerchantReference::new("AA1122-3344ZZ").unwrap(),
        Money::from_decimal_str("1500.5", Currency::KES).unwrap(),
        Description::new("Payment description goes here").unwrap(),
        "https://www.myapplication.com/response-page",
        BillingAddress {
            email_address: Some("john.doe@example.com".into()),
            phone_number: Some("0723000000".into()),
            country_code: Some("KE".into()),
            first_name: Some("John".into()),
            last_name: Some("Doe".into()),
            state: Some("NRB".into()),
            ..BillingAddress::default()
        },
    )
    .unwrap();
    order.cancellation_url =
        Some(url::Url::parse("https://www.myapplication.com/cancelled").unwrap());
    order.branch = Some("Store Name - HQ".into());
    order.redirect_mode = Some(RedirectMode::ParentWindow);
    order.account_number = Some("555-678".into());
    order.subscription_details = Some(SubscriptionDetails {
        start_date: time::macros::date!(2023 - 01 - 24),
        end_date: time::macros::date!(2023 - 12 - 31),
        frequency: Frequency::Monthly,
    });
    order
}

fn ipn_id() -> IpnId {
    IpnId::new("fe078e53-78da-4a83-aa89-e7ded5c456e6").unwrap()
}

#[test]
fn submit_order_every_field() {
    let op = SubmitOrder::new(full_order(), ipn_id());
    let req = op.written(&sandbox(), Some(&token())).unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/Transactions/SubmitOrderRequest",
        true,
        concat!(
            r#"{"id":"AA1122-3344ZZ","currency":"KES","amount":1500.5,"#,
            r#""description":"Payment description goes here","#,
            r#""callback_url":"https://www.myapplication.com/response-page","#,
            r#""cancellation_url":"https://www.myapplication.com/cancelled","#,
            r#""notification_id":"fe078e53-78da-4a83-aa89-e7ded5c456e6","#,
            r#""branch":"Store Name - HQ","redirect_mode":"PARENT_WINDOW","#,
            r#""billing_address":{"email_address":"john.doe@example.com","phone_number":"0723000000","#,
            r#""country_code":"KE","first_name":"John","last_name":"Doe","state":"NRB"},"#,
            r#""account_number":"555-678","#,
            r#""subscription_details":{"start_date":"24-01-2023","end_date":"31-12-2023","frequency":"MONTHLY"}}"#
        ),
    );
    assert_eq!(op.reference().as_deref(), Some("AA1122-3344ZZ"));
    assert_eq!(
        <SubmitOrder as Operation>::IDEMPOTENCY,
        finconnect_proto::Idempotency::NonIdempotent
    );
}

#[test]
fn submit_order_minimal_and_amount_forms() {
    let order = Order::new(
        MerchantReference::new("R1").unwrap(),
        Money::from_major(1000, Currency::UGX).unwrap(),
        Description::new("d").unwrap(),
        "https://shop.example/paid",
        BillingAddress::phone("256700000000"),
    )
    .unwrap();
    let req = SubmitOrder::new(order, ipn_id())
        .written(&sandbox(), Some(&token()))
        .unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"{"id":"R1","currency":"UGX","amount":1000,"description":"d","callback_url":"https://shop.example/paid","notification_id":"fe078e53-78da-4a83-aa89-e7ded5c456e6","billing_address":{"phone_number":"256700000000"}}"#
    );
    assert_eq!(
        format_dd_mm_yyyy(time::macros::date!(2026 - 03 - 05)),
        "05-03-2026"
    );
}

#[test]
fn submit_order_validation() {
    let api = sandbox();
    let send = |o: Order| {
        SubmitOrder::new(o, ipn_id())
            .written(&api, Some(&token()))
            .unwrap_err()
    };
    let field = |e: Error| match e {
        Error::Invalid { field, .. } => field,
        other => panic!("{other:?}"),
    };
    let mut o = full_order();
    o.billing_address.email_address = None;
    o.billing_address.phone_number = Some(" ".into());
    assert_eq!(field(send(o)), "billing_address");
    let mut o = full_order();
    o.billing_address.state = Some("Nairobi".into());
    assert_eq!(field(send(o)), "billing_address.state");
    let mut o = full_order();
    o.billing_address.country_code = Some("ke".into());
    assert_eq!(field(send(o)), "billing_address.country_code");
    let mut o = full_order();
    o.amount = Money::from_minor(0, Currency::KES);
    assert_eq!(field(send(o)), "amount");
    let mut o = full_order();
    o.amount = Money::from_minor(-5, Currency::KES);
    assert_eq!(field(send(o)), "amount");
    let mut o = full_order();
    if let Some(s) = o.subscription_details.as_mut() {
        s.end_date = time::macros::date!(2022 - 01 - 01);
    }
    assert_eq!(field(send(o)), "subscription_details.end_date");
    let mut o = full_order();
    o.account_number = None;
    assert_eq!(field(send(o)), "subscription_details");
    let mut o = full_order();
    o.callback_url = url::Url::parse("https://localhost/paid").unwrap();
    assert_eq!(field(send(o)), "callback_url");
    let mut o = full_order();
    o.cancellation_url = Some(url::Url::parse("http://shop.example/c").unwrap());
    assert_eq!(field(send(o)), "cancellation_url");
    // Types refuse the rest at construction.
    assert!(MerchantReference::new("x".repeat(51)).is_err());
    assert!(Description::new("x".repeat(101)).is_err());
    assert!(Currency::from_code("kes").is_err());
    assert!(IpnId::new("").is_err());
    assert!(IpnId::new("a b").is_err());
    assert!(Order::new(
        MerchantReference::new("R").unwrap(),
        Money::from_minor(1, Currency::KES),
        Description::new("d").unwrap(),
        "::",
        BillingAddress::email("a@b.c"),
    )
    .is_err());
}

#[test]
fn get_transaction_status() {
    let id = OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").unwrap();
    let req = GetTransactionStatus::new(id.clone())
        .written(&sandbox(), Some(&token()))
        .unwrap();
    golden(
        &req,
        "GET",
        "https://cybqa.pesapal.com/pesapalv3/api/Transactions/GetTransactionStatus?orderTrackingId=96a5e1d9-f711-4423-82ce-dd758f972713",
        true,
        "",
    );
    // The query value is escaped.
    let odd = OrderTrackingId::new("a&b=c d").unwrap();
    let req = GetTransactionStatus::new(odd)
        .written(&sandbox(), Some(&token()))
        .unwrap();
    assert_eq!(req.uri().query(), Some("orderTrackingId=a%26b%3Dc+d"));
    // ConfirmNotification sends the same request.
    let n = Notification {
        order_tracking_id: id,
        merchant_reference: "R".into(),
        kind: NotificationKind::IpnChange,
    };
    let req2 = ConfirmNotification::new(n)
        .written(&sandbox(), Some(&token()))
        .unwrap();
    golden(
        &req2,
        "GET",
        "https://cybqa.pesapal.com/pesapalv3/api/Transactions/GetTransactionStatus?orderTrackingId=96a5e1d9-f711-4423-82ce-dd758f972713",
        true,
        "",
    );
}

#[test]
fn refund_request() {
    let op = RefundRequest::new(
        "AA11BB22",
        Money::from_major(100, Currency::KES).unwrap(),
        "John Doe",
        "Service not offered",
    )
    .unwrap();
    let req = op.written(&sandbox(), Some(&token())).unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/Transactions/RefundRequest",
        true,
        r#"{"confirmation_code":"AA11BB22","amount":"100.00","username":"John Doe","remarks":"Service not offered"}"#,
    );
    assert_eq!(op.reference().as_deref(), Some("AA11BB22"));
    let amount = |m: Money| RefundRequest::new("C", m, "u", "r").unwrap().amount_text();
    assert_eq!(
        amount(Money::from_major(1000, Currency::UGX).unwrap()),
        "1000.00"
    );
    assert_eq!(amount(Money::from_minor(150_050, Currency::KES)), "1500.50");
    assert_eq!(amount(Money::from_minor(5, Currency::USD)), "0.05");
    assert!(RefundRequest::new("", Money::from_minor(5, Currency::USD), "u", "r").is_err());
    assert!(RefundRequest::new("C", Money::from_minor(0, Currency::USD), "u", "r").is_err());
    assert!(RefundRequest::new("C", Money::from_minor(5, Currency::USD), " ", "r").is_err());
    assert!(RefundRequest::new("C", Money::from_minor(5, Currency::USD), "u", "").is_err());
}

#[test]
fn cancel_order() {
    let op =
        CancelOrder::new(OrderTrackingId::new("b945e4af-80a5-4ec1-8706-e03f8332fb04").unwrap());
    let req = op.written(&sandbox(), Some(&token())).unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/Transactions/CancelOrder",
        true,
        r#"{"order_tracking_id":"b945e4af-80a5-4ec1-8706-e03f8332fb04"}"#,
    );
}

#[test]
fn config_rules() {
    assert_eq!(
        sandbox().base_url().as_str(),
        "https://cybqa.pesapal.com/pesapalv3"
    );
    assert_eq!(sandbox().environment(), Environment::Sandbox);
    assert!(matches!(
        PesapalConfig::live("", "s"),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        PesapalConfig::live("k", "  "),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        PesapalConfig::custom("k", "s", "http://pay.pesapal.com/v3", UrlPolicy::Public),
        Err(Error::Config { .. })
    ));
    assert!(matches!(
        PesapalConfig::custom(
            "k",
            "s",
            "https://pay.pesapal.com/v3?x=1",
            UrlPolicy::Public
        ),
        Err(Error::Config { .. })
    ));
    let c =
        PesapalConfig::custom("k", "s", "https://proxy.example/v3/", UrlPolicy::Public).unwrap();
    assert_eq!(c.url("/api/x"), "https://proxy.example/v3/api/x");
    let debug = format!(
        "{:?}",
        PesapalConfig::live("my-consumer-key", "my-consumer-secret").unwrap()
    );
    assert!(!debug.contains("my-consumer"), "{debug}");
    assert_eq!(sandbox().token_margin(), std::time::Duration::from_secs(60));
}

#[test]
fn operations_describe_their_requests_as_data() {
    let api = sandbox();
    let id = OrderTrackingId::new("96a5e1d9-f711-4423-82ce-dd758f972713").unwrap();
    let parts = GetTransactionStatus::new(id.clone()).request(&api).unwrap();
    assert_eq!(
        parts,
        Parts::get(Host::Api, "/api/Transactions/GetTransactionStatus")
            .query("orderTrackingId", id.as_str())
    );
    let parts = CancelOrder::new(id).request(&api).unwrap();
    assert_eq!(parts.method, http::Method::POST);
    assert_eq!(parts.path, "/api/Transactions/CancelOrder");
    assert!(matches!(parts.body, Some(Body::Bytes(_))));
    // The configuration finishes a JSON value as well, and knows one host only.
    let json = Parts::post(Host::Api, "/api/x", Body::Json(serde_json::json!({"a": 1})));
    let req = api.finish(json, Some(&token())).unwrap();
    golden(
        &req,
        "POST",
        "https://cybqa.pesapal.com/pesapalv3/api/x",
        true,
        r#"{"a":1}"#,
    );
    let err = api
        .finish(Parts::get(Host::Checkout, "/api/x"), None)
        .unwrap_err();
    assert!(matches!(err, Error::Misuse(_)), "{err:?}");
}
