//! The sandbox's hosted PesaPal checkout page in a real headless Chromium: the SDK
//! submits an order, the browser opens its `redirect_url`, a person's click on **Pay**
//! settles it, the merchant gets the IPN, and the browser lands on the merchant's
//! callback URL with the parameters PesaPal adds.
//!
//! Needs Debian's `chromium` (`apt-get install -y chromium`); without it the test fails
//! and says so. A screenshot of the page is kept at `<target>/artifacts/checkout-page.png`.

#[path = "checkout_page/cdp.rs"]
mod cdp;
#[path = "checkout_page/chromium.rs"]
mod chromium;

use std::path::PathBuf;
use std::time::Duration;

use finconnect::pesapal::NotificationKind;
use finconnect::sdk::{IpnMethod, Payment, ProviderConfig};
use finconnect::{Currency, Money};
use finconnect_tests::{
    fast_options, pesapal_config, pesapal_notification, start_sandbox, Adapter, Merchant, Reply,
    Reqwest,
};

/// What the browser saw.
#[derive(Debug)]
struct Visit {
    page_text: String,
    landed_on: String,
}

/// Where the screenshot goes: `artifacts/` in the target directory.
fn artifact(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .map(PathBuf::from)
        })
        .unwrap_or_else(std::env::temp_dir);
    let dir = target.join("artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts directory");
    dir.join(name)
}

/// Opens the page, photographs it, clicks Pay and follows the browser to where it lands.
fn visit(binary: &std::path::Path, redirect_url: &str, screenshot: &std::path::Path) -> Visit {
    let browser = chromium::Chromium::start(binary);
    let mut page = cdp::Cdp::open_page(&browser.websocket_url);
    page.navigate(redirect_url);
    let page_text = page.text();
    std::fs::write(screenshot, page.screenshot()).expect("write the screenshot");
    let pay = page
        .centre_of("button[value=pay]")
        .unwrap_or_else(|| panic!("no Pay button on the page; it shows: {page_text}"));
    page.click_and_wait(pay);
    let landed_on = page.current_url();
    page.close_browser();
    drop(browser);
    Visit {
        page_text,
        landed_on,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_pays_on_the_pesapal_page_and_lands_on_the_callback_url() {
    // Fails (does not skip) when Chromium is missing, saying how to install it.
    let binary = chromium::find();
    let sandbox = start_sandbox().await;
    // One merchant listener for the IPN and the customer's return (callback URL).
    let merchant = Merchant::start(Reply::PesapalAck).await;
    let sdk = Reqwest::sdk(
        ProviderConfig::Pesapal(pesapal_config(&sandbox)),
        &fast_options(),
    );
    let ipn = sdk
        .register_ipn(&merchant.url("/ipn"), IpnMethod::Get)
        .await
        .expect("RegisterIPN");
    let payment = Payment::new(
        "BROWSER-1",
        Money::from_major(250, Currency::KES).expect("an amount"),
    )
    .and_then(|p| p.description("Two <b>shoes</b> & a hat"))
    .expect("a payment")
    .email("payer@example.com")
    .callback_url(merchant.url("/return"));
    let started = sdk
        .pay(&payment, Some(ipn.ipn_id.as_str()))
        .await
        .expect("SubmitOrderRequest");
    let redirect_url = started.redirect_url.clone().expect("a redirect_url");
    let tracking_id = started.provider_reference.clone().expect("a tracking id");

    let screenshot = artifact("checkout-page.png");
    let shot = screenshot.clone();
    let visit = tokio::task::spawn_blocking(move || visit(&binary, &redirect_url, &shot))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));

    // The page showed the order, its values as text (escaped, not markup).
    for shown in ["BROWSER-1", "250.00 KES", "Two <b>shoes</b> & a hat", "Pay"] {
        assert!(
            visit.page_text.contains(shown),
            "the page should show {shown:?}; it shows: {}",
            visit.page_text
        );
    }
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
        "a PNG screenshot"
    );

    // The merchant saw the IPN, then the browser coming back.
    let seen = merchant.wait_for(2, Duration::from_secs(10)).await;
    let ipns: Vec<_> = seen.iter().filter(|r| r.path() == "/ipn").collect();
    assert_eq!(ipns.len(), 1, "one IPN: {seen:?}");
    let ipn_notification = pesapal_notification(ipns[0]);
    assert_eq!(ipn_notification.kind, NotificationKind::IpnChange);
    assert_eq!(ipn_notification.order_tracking_id.as_str(), tracking_id);

    let returns: Vec<_> = seen.iter().filter(|r| r.path() == "/return").collect();
    assert_eq!(returns.len(), 1, "one browser return: {seen:?}");
    let back = returns[0];
    assert_eq!(back.method, http::Method::GET);
    let user_agent = back
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        user_agent.contains("HeadlessChrome"),
        "the browser made the request: {user_agent:?}"
    );
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(back.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        query,
        vec![
            ("OrderTrackingId".to_string(), tracking_id.clone()),
            (
                "OrderMerchantReference".to_string(),
                "BROWSER-1".to_string()
            ),
            (
                "OrderNotificationType".to_string(),
                "CALLBACKURL".to_string()
            ),
        ]
    );
    let callback = pesapal_notification(back);
    assert_eq!(callback.kind, NotificationKind::CallbackUrl);
    assert!(
        visit
            .landed_on
            .starts_with(&format!("{}?OrderTrackingId=", merchant.url("/return"))),
        "the browser ends on the callback URL: {}",
        visit.landed_on
    );

    // The order is paid, as PesaPal's status answer says.
    let status = sdk.status(&started).await.expect("GetTransactionStatus");
    assert_eq!(status.status, finconnect::PaymentStatus::Completed);
    sandbox.shutdown().await;
}
