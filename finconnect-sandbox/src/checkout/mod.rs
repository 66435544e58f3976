//! The hosted checkout pages: where the real providers show the customer a page (PesaPal's
//! `redirect_url`, AzamPay's PostCheckout URL, ClickPesa's checkout link), the sandbox
//! shows the order with Pay, Fail and Cancel buttons. A button settles the order through
//! [`State::settle`] (as `POST /_sandbox/settle` does), so the notification goes out as
//! usual, then sends the browser on to the merchant (303) or shows the outcome.

mod html;
mod view;

use std::sync::Arc;

use hyper::Method;

use crate::config::Outcome;
use crate::error::SandboxError;
use crate::http::{Reply, Req};
use crate::route::ProviderName;
use crate::state::State;
use view::{Checkout, PageStatus};

/// PesaPal's payment page (matched case-insensitively, trailing `/` allowed); the order
/// tracking id is the `OrderTrackingId` query parameter.
pub(crate) const PESAPAL_PAGE: &str = "/pesapal/pesapaliframe/PesapalIframe3/Index";
/// AzamPay's hosted checkout page; the transaction id follows.
pub(crate) const AZAMPAY_PAGE: &str = "/azampay/checkout/pay/";
/// ClickPesa's checkout link; the order reference follows.
pub(crate) const CLICKPESA_PAGE: &str = "/clickpesa/checkout/";
/// The simulated phone's M-Pesa prompt; the `CheckoutRequestID` follows.
pub(crate) const MPESA_PAGE: &str = "/mpesa/checkout/";

/// What the customer clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Button {
    Pay,
    Fail,
    Cancel,
}

impl Button {
    fn parse(body: &[u8]) -> Option<Button> {
        let action = url::form_urlencoded::parse(body)
            .find(|(k, _)| k == "action")
            .map(|(_, v)| v.into_owned())?;
        match action.as_str() {
            "pay" => Some(Button::Pay),
            "fail" => Some(Button::Fail),
            "cancel" => Some(Button::Cancel),
            _ => None,
        }
    }

    /// A declined or abandoned payment fails, as with the control API's `fail`.
    fn outcome(self) -> Outcome {
        match self {
            Button::Pay => Outcome::Complete,
            Button::Fail | Button::Cancel => Outcome::Fail,
        }
    }

    /// M-Pesa's `ResultCode`: Pay 0, Fail 1 (insufficient balance), Cancel 1032.
    fn mpesa_code(self) -> &'static str {
        match self {
            Button::Pay => crate::mpesa::codes::PAID,
            Button::Fail => crate::mpesa::codes::FAILED,
            Button::Cancel => crate::mpesa::codes::CANCELLED,
        }
    }
}

/// A page request: which provider's page, the key in the URL, and the URL the form posts to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    provider: ProviderName,
    key: String,
    action: String,
}

fn target(full_path: &str, req: &Req) -> Option<Target> {
    let trimmed = full_path.trim_end_matches('/');
    if trimmed.eq_ignore_ascii_case(PESAPAL_PAGE) {
        let key = req.query_param("OrderTrackingId").unwrap_or_default();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("OrderTrackingId", key)
            .finish();
        return Some(Target {
            provider: ProviderName::Pesapal,
            key: key.to_string(),
            action: format!("{full_path}?{query}"),
        });
    }
    let single = |prefix: &str| {
        full_path
            .strip_prefix(prefix)
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|rest| !rest.is_empty() && !rest.contains('/'))
            .map(str::to_string)
    };
    let (provider, key) = if let Some(key) = single(AZAMPAY_PAGE) {
        (ProviderName::Azampay, key)
    } else if let Some(key) = single(MPESA_PAGE) {
        let key = url::form_urlencoded::parse(format!("k={key}").as_bytes())
            .next()
            .map_or(key, |(_, v)| v.into_owned());
        (ProviderName::Mpesa, key)
    } else {
        (ProviderName::Clickpesa, single(CLICKPESA_PAGE)?)
    };
    Some(Target {
        provider,
        key,
        action: full_path.to_string(),
    })
}

/// Serves a checkout page, or `None` if `full_path` is not one.
pub(crate) async fn handle(state: &Arc<State>, full_path: &str, req: &Req) -> Option<Reply> {
    let target = target(full_path, req)?;
    let reply = match req.method {
        Method::GET | Method::HEAD => show(state, &target),
        Method::POST => click(state, &target, &req.body).await,
        _ => html_reply(
            405,
            html::notice(
                "Method not allowed",
                "Open this page with GET; its buttons POST.",
            ),
        )
        .with_header("allow", "GET, HEAD, POST"),
    };
    Some(reply)
}

fn show(state: &State, target: &Target) -> Reply {
    match view::lookup(state, target.provider, &target.key) {
        Some(checkout) => html_reply(200, html::page(&checkout.view, &target.action, None)),
        None => unknown(target),
    }
}

async fn click(state: &Arc<State>, target: &Target, body: &[u8]) -> Reply {
    let Some(button) = Button::parse(body) else {
        return html_reply(
            400,
            html::notice(
                "Unknown button",
                "Send action=pay, action=fail or action=cancel (form-encoded).",
            ),
        );
    };
    let Some(checkout) = view::lookup(state, target.provider, &target.key) else {
        return unknown(target);
    };
    if checkout.view.status != PageStatus::Pending {
        return already_settled(state, target);
    }
    let settled = match target.provider {
        ProviderName::Mpesa => {
            crate::mpesa::settle_code(state, &checkout.settle_key, button.mpesa_code()).await
        }
        provider => {
            state
                .settle(provider, &checkout.settle_key, button.outcome())
                .await
        }
    };
    match settled {
        Ok(()) => after(state, target, &checkout, button),
        Err(SandboxError::AlreadySettled { .. }) => already_settled(state, target),
        Err(_) => unknown(target),
    }
}

/// After a settlement: 303 to the merchant, or the order's new state when there is nowhere
/// to go.
fn after(state: &State, target: &Target, checkout: &Checkout, button: Button) -> Reply {
    let exit = match button {
        Button::Pay => &checkout.exits.paid,
        Button::Fail => &checkout.exits.failed,
        Button::Cancel => &checkout.exits.cancelled,
    };
    if let Some(url) = exit {
        return Reply::bytes(
            303,
            "text/html; charset=utf-8",
            html::notice("Redirecting", &format!("Continue to {url}")),
        )
        .with_header("location", url.as_str())
        .with_header("cache-control", "no-store");
    }
    let view = view::lookup(state, target.provider, &target.key)
        .map(|c| c.view)
        .unwrap_or_else(|| checkout.view.clone());
    html_reply(
        200,
        html::page(
            &view,
            &target.action,
            Some("Done: the merchant has been notified. You may close this page."),
        ),
    )
}

/// A second click: shows the state, changes nothing.
fn already_settled(state: &State, target: &Target) -> Reply {
    match view::lookup(state, target.provider, &target.key) {
        Some(checkout) => html_reply(
            409,
            html::page(
                &checkout.view,
                &target.action,
                Some("This order is already settled; nothing was changed."),
            ),
        ),
        None => unknown(target),
    }
}

fn unknown(target: &Target) -> Reply {
    html_reply(
        404,
        html::notice(
            "Order not found",
            &format!(
                "The sandbox has no {} order {:?} with a checkout page. Create the order \
                 through the API first, and use the URL it returns.",
                target.provider.as_str(),
                target.key
            ),
        ),
    )
}

fn html_reply(status: u16, body: String) -> Reply {
    Reply::bytes(status, "text/html; charset=utf-8", body)
        .with_header("cache-control", "no-store")
        // No script and no outside asset may run or load, whatever a value contains.
        .with_header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use hyper::HeaderMap;

    fn req(method: Method, query: &[(&str, &str)]) -> Req {
        Req {
            method,
            path: String::new(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    #[test]
    fn buttons_parse_from_a_form_body() {
        assert_eq!(Button::parse(b"action=pay"), Some(Button::Pay));
        assert_eq!(Button::parse(b"x=1&action=fail"), Some(Button::Fail));
        assert_eq!(Button::parse(b"action=cancel"), Some(Button::Cancel));
        assert_eq!(Button::parse(b"action=refund"), None);
        assert_eq!(Button::parse(b""), None);
        assert_eq!(Button::Cancel.outcome(), Outcome::Fail);
        assert_eq!(Button::Pay.outcome(), Outcome::Complete);
    }

    #[test]
    fn pages_are_found_at_the_urls_the_sandbox_hands_out() {
        let get = req(Method::GET, &[("orderTrackingId", "a b&c")]);
        let pesapal = target("/pesapal/pesapaliframe/PesapalIframe3/Index/", &get).unwrap();
        assert_eq!(pesapal.provider, ProviderName::Pesapal);
        assert_eq!(pesapal.key, "a b&c");
        assert_eq!(
            pesapal.action,
            "/pesapal/pesapaliframe/PesapalIframe3/Index/?OrderTrackingId=a+b%26c"
        );
        let lower = target("/pesapal/pesapaliframe/pesapaliframe3/index", &get).unwrap();
        assert_eq!(lower.provider, ProviderName::Pesapal);

        let plain = req(Method::GET, &[]);
        let azampay = target("/azampay/checkout/pay/abc123", &plain).unwrap();
        assert_eq!(
            (azampay.provider, azampay.key.as_str()),
            (ProviderName::Azampay, "abc123")
        );
        let clickpesa = target("/clickpesa/checkout/INV1", &plain).unwrap();
        assert_eq!(
            (clickpesa.provider, clickpesa.key.as_str()),
            (ProviderName::Clickpesa, "INV1")
        );
        assert_eq!(clickpesa.action, "/clickpesa/checkout/INV1");

        assert!(target("/clickpesa/checkout/", &plain).is_none());
        assert!(target("/clickpesa/checkout/a/b", &plain).is_none());
        assert!(target("/azampay/checkout/azampay/mno/checkout", &plain).is_none());
        assert!(target("/pesapal/v3/api/Auth/RequestToken", &plain).is_none());
    }
}
