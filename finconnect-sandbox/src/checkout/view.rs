//! What a checkout page shows about an order, and where the browser goes after the
//! customer acts, read from each provider's store.

use url::Url;

use crate::azampay::TxState;
use crate::pesapal::{Order, OrderState};
use crate::route::ProviderName;
use crate::state::{lock, State};

/// Where an order stands, as the page tells the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageStatus {
    Pending,
    Paid,
    Failed,
    Cancelled,
}

impl PageStatus {
    /// The words on the page.
    pub fn label(self) -> &'static str {
        match self {
            PageStatus::Pending => "Waiting for payment",
            PageStatus::Paid => "Paid",
            PageStatus::Failed => "Payment failed",
            PageStatus::Cancelled => "Cancelled",
        }
    }
}

/// The order as the page shows it (plain text; the HTML layer escapes it).
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub provider_label: &'static str,
    pub merchant: Option<String>,
    pub reference: String,
    pub amount: String,
    pub currency: String,
    pub description: Option<String>,
    pub status: PageStatus,
}

/// Where the browser is sent after each button (`None`: a "done" page instead).
#[derive(Debug, Clone, Default)]
pub(crate) struct Exits {
    pub paid: Option<Url>,
    pub failed: Option<Url>,
    pub cancelled: Option<Url>,
}

/// An order behind a checkout page.
#[derive(Debug, Clone)]
pub(crate) struct Checkout {
    pub view: View,
    /// The reference [`State::settle`] takes.
    pub settle_key: String,
    pub exits: Exits,
}

/// The order behind a page, if `key` names one that has a page.
pub(crate) fn lookup(state: &State, provider: ProviderName, key: &str) -> Option<Checkout> {
    match provider {
        ProviderName::Pesapal => pesapal(state, key),
        ProviderName::Azampay => azampay(state, key),
        ProviderName::Clickpesa => clickpesa(state, key),
        ProviderName::Mpesa => mpesa(state, key),
    }
}

/// A URL a browser may be sent to: `http` or `https` only.
fn browser_url(raw: &str) -> Option<Url> {
    Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// PesaPal: the page is keyed by order tracking id. After Pay or Fail the browser goes to
/// `callback_url` with `OrderTrackingId`, `OrderMerchantReference` and
/// `OrderNotificationType=CALLBACKURL`; after Cancel to `cancellation_url` as given (PesaPal
/// documents no parameters for it), or else to the callback URL.
fn pesapal(state: &State, tracking_id: &str) -> Option<Checkout> {
    let mut store = lock(&state.pesapal);
    let order = store
        .find_order(tracking_id)
        .filter(|o| o.tracking_id.eq_ignore_ascii_case(tracking_id))?;
    let status = match order.state {
        OrderState::Pending => PageStatus::Pending,
        OrderState::Completed => PageStatus::Paid,
        OrderState::Failed => PageStatus::Failed,
        OrderState::Cancelled => PageStatus::Cancelled,
    };
    let callback = pesapal_callback(order);
    let cancelled = browser_url(&order.cancellation_url).or_else(|| callback.clone());
    Some(Checkout {
        view: View {
            provider_label: "PesaPal",
            merchant: None,
            reference: order.merchant_reference.clone(),
            amount: format!("{:.2}", order.amount),
            currency: order.currency.clone(),
            description: Some(order.description.clone()).filter(|d| !d.is_empty()),
            status,
        },
        settle_key: order.tracking_id.clone(),
        exits: Exits {
            paid: callback.clone(),
            failed: callback,
            cancelled,
        },
    })
}

/// The merchant's `callback_url` with the parameters PesaPal adds to the redirect.
pub(crate) fn pesapal_callback(order: &Order) -> Option<Url> {
    let mut url = browser_url(&order.callback_url)?;
    url.query_pairs_mut()
        .append_pair("OrderTrackingId", &order.tracking_id)
        .append_pair("OrderMerchantReference", &order.merchant_reference)
        .append_pair("OrderNotificationType", "CALLBACKURL");
    Some(url)
}

/// AzamPay: the page of a PostCheckout payment, keyed by transaction id. Pay goes to
/// `redirectSuccessURL`, Fail and Cancel to `redirectFailURL`, both as given (AzamPay
/// documents no parameters).
fn azampay(state: &State, transaction_id: &str) -> Option<Checkout> {
    let mut store = lock(&state.azampay);
    let payment = store
        .find_payment(transaction_id)
        .filter(|p| p.transaction_id == transaction_id)?;
    let page = payment.page.as_ref()?;
    let status = match payment.state {
        TxState::Pending => PageStatus::Pending,
        TxState::Success => PageStatus::Paid,
        TxState::Failure => PageStatus::Failed,
    };
    let failed = browser_url(&page.fail_url);
    Some(Checkout {
        view: View {
            provider_label: "AzamPay",
            merchant: Some(page.vendor_name.clone()).filter(|v| !v.is_empty()),
            reference: payment.external_id.clone(),
            amount: payment.amount.clone(),
            currency: page.currency.clone(),
            description: Some(page.items.clone()).filter(|i| !i.is_empty()),
            status,
        },
        settle_key: payment.transaction_id.clone(),
        exits: Exits {
            paid: browser_url(&page.success_url),
            failed: failed.clone(),
            cancelled: failed,
        },
    })
}

/// ClickPesa: the page of a checkout link, keyed by order reference. ClickPesa sends the
/// customer to a return URL configured in its dashboard, not per request: the page shows
/// the outcome instead.
fn clickpesa(state: &State, reference: &str) -> Option<Checkout> {
    let store = lock(&state.clickpesa);
    let payment = store
        .payments_for(reference)
        .filter(|p| p.channel == "CHECKOUT LINK")
        .last()?;
    let status = match payment.status {
        _ if payment.open() => PageStatus::Pending,
        "SUCCESS" | "SETTLED" => PageStatus::Paid,
        _ => PageStatus::Failed,
    };
    Some(Checkout {
        view: View {
            provider_label: "ClickPesa",
            merchant: None,
            reference: payment.order_reference.clone(),
            amount: crate::clickpesa::wire::money(payment.amount),
            currency: payment.currency.clone(),
            description: payment.description.clone().filter(|d| !d.is_empty()),
            status,
        },
        settle_key: payment.order_reference.clone(),
        exits: Exits::default(),
    })
}

/// M-Pesa: the simulated phone's STK prompt, keyed by `CheckoutRequestID`. The prompt has no
/// return URL (it is on the phone): the page shows the outcome.
fn mpesa(state: &State, checkout_request_id: &str) -> Option<Checkout> {
    let mut store = lock(&state.mpesa);
    let push = store.push_mut(checkout_request_id)?;
    let status = match push.result_code.as_deref() {
        None => PageStatus::Pending,
        Some(crate::mpesa::codes::PAID) => PageStatus::Paid,
        Some(crate::mpesa::codes::CANCELLED) => PageStatus::Cancelled,
        Some(_) => PageStatus::Failed,
    };
    Some(Checkout {
        view: View {
            provider_label: "M-Pesa",
            merchant: Some(format!(
                "{} (phone {})",
                crate::credentials::MPESA_EXPRESS_SHORTCODE,
                push.phone
            )),
            reference: push.account_reference.clone(),
            amount: format!("{}.00", push.amount),
            currency: "KES".to_string(),
            description: Some(push.description.clone()).filter(|d| !d.is_empty()),
            status,
        },
        settle_key: push.checkout_request_id.clone(),
        exits: Exits::default(),
    })
}
