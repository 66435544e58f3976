//! Inbound IPNs and the browser redirect: parsing, the acknowledgement, and the
//! confirmation through GetTransactionStatus.
//!
//! PesaPal signs nothing: an IPN carries only identifiers (`OrderTrackingId`,
//! `OrderMerchantReference`, `OrderNotificationType`), by design. Never act on a
//! notification itself; run [`ConfirmNotification`] and act on its status.

use super::config::PesapalConfig;
use super::order::OrderTrackingId;
use super::status::{read_status, status_request, TransactionStatus};
use crate::operation::Parts;
use crate::retry::Idempotency;
use crate::{Error, Operation, PaymentStatus};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// What a notification says happened.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// `IPNCHANGE`: the status of an order changed.
    IpnChange,
    /// `RECURRING`: a scheduled recurring charge ran (new tracking id; the
    /// merchant reference is the order's `account_number`).
    Recurring,
    /// `CALLBACKURL`: the customer's browser came back to `callback_url`.
    CallbackUrl,
    /// Anything else, as sent.
    Other(String),
}

impl NotificationKind {
    /// Reads `OrderNotificationType` (case-insensitive for the known words).
    pub fn parse(text: &str) -> NotificationKind {
        match text.to_ascii_uppercase().as_str() {
            "IPNCHANGE" => NotificationKind::IpnChange,
            "RECURRING" => NotificationKind::Recurring,
            "CALLBACKURL" => NotificationKind::CallbackUrl,
            _ => NotificationKind::Other(text.to_owned()),
        }
    }

    /// The wire word, echoed in the acknowledgement.
    pub fn as_str(&self) -> &str {
        match self {
            NotificationKind::IpnChange => "IPNCHANGE",
            NotificationKind::Recurring => "RECURRING",
            NotificationKind::CallbackUrl => "CALLBACKURL",
            NotificationKind::Other(s) => s,
        }
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An IPN (GET query, POST JSON or form body) or the browser redirect, parsed.
/// Untrusted: it only says "go and ask".
///
/// ```
/// use finconnect_proto::pesapal::{Notification, NotificationKind};
/// let n = Notification::from_query(
///     "OrderTrackingId=b945e4af-80a5-4ec1-8706-e03f8332fb04&OrderMerchantReference=TEST1515111119&OrderNotificationType=IPNCHANGE",
/// ).unwrap();
/// assert_eq!(n.kind, NotificationKind::IpnChange);
/// assert_eq!(
///     n.ack(true).to_json(),
///     br#"{"orderNotificationType":"IPNCHANGE","orderTrackingId":"b945e4af-80a5-4ec1-8706-e03f8332fb04","orderMerchantReference":"TEST1515111119","status":200}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Notification {
    /// `OrderTrackingId`.
    pub order_tracking_id: OrderTrackingId,
    /// `OrderMerchantReference`: your order `id`, or for [`NotificationKind::Recurring`]
    /// the order's `account_number`.
    pub merchant_reference: String,
    /// `OrderNotificationType`.
    pub kind: NotificationKind,
}

const TRACKING: &str = "ordertrackingid";
const REFERENCE: &str = "ordermerchantreference";
const KIND: &str = "ordernotificationtype";

fn too_large(len: usize) -> Result<(), Error> {
    if len > crate::wire::MAX_CALLBACK_BODY {
        return Err(Error::invalid(
            "notification",
            format!(
                "{len} bytes is more than the {} a PesaPal notification can hold; refused unread",
                crate::wire::MAX_CALLBACK_BODY
            ),
        ));
    }
    Ok(())
}

impl Notification {
    /// From the three values, whatever their source.
    fn from_parts(
        tracking: Option<String>,
        reference: Option<String>,
        kind: Option<String>,
    ) -> Result<Self, Error> {
        let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let tracking = clean(tracking)
            .ok_or_else(|| Error::invalid("OrderTrackingId", "missing from the notification"))?;
        let order_tracking_id = OrderTrackingId::new(tracking)?;
        let merchant_reference = clean(reference).ok_or_else(|| {
            Error::invalid("OrderMerchantReference", "missing from the notification")
        })?;
        if merchant_reference.chars().count() > 200
            || merchant_reference.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "OrderMerchantReference",
                "longer than 200 characters or holds control characters",
            ));
        }
        let kind = clean(kind).ok_or_else(|| {
            Error::invalid("OrderNotificationType", "missing from the notification")
        })?;
        if kind.chars().count() > 100 || kind.chars().any(char::is_control) {
            return Err(Error::invalid(
                "OrderNotificationType",
                "longer than 100 characters or holds control characters",
            ));
        }
        Ok(Notification {
            order_tracking_id,
            merchant_reference,
            kind: NotificationKind::parse(&kind),
        })
    }

    /// From `key=value` pairs (query string or form body); keys match
    /// case-insensitively, the first occurrence wins.
    fn from_pairs<'a>(
        pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, Error> {
        let (mut t, mut r, mut k) = (None, None, None);
        for (key, value) in pairs {
            let slot = match key.trim().to_ascii_lowercase().as_str() {
                TRACKING => &mut t,
                REFERENCE => &mut r,
                KIND => &mut k,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        Self::from_parts(t, r, k)
    }

    /// From a GET IPN's or the redirect's query string (with or without a
    /// leading `?`), e.g. `OrderTrackingId=…&OrderMerchantReference=…&OrderNotificationType=IPNCHANGE`.
    pub fn from_query(query: &str) -> Result<Self, Error> {
        too_large(query.len())?;
        let query = query.strip_prefix('?').unwrap_or(query);
        Self::from_pairs(url::form_urlencoded::parse(query.as_bytes()))
    }

    /// From a form-urlencoded POST body.
    pub fn from_form(body: &[u8]) -> Result<Self, Error> {
        too_large(body.len())?;
        Self::from_pairs(url::form_urlencoded::parse(body))
    }

    /// From a JSON POST body (`{"OrderNotificationType": …, "OrderTrackingId": …,
    /// "OrderMerchantReference": …}`); keys match case-insensitively, values may
    /// be strings or numbers.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        too_large(body.len())?;
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| Error::invalid("notification", format!("not JSON: {e}")))?;
        let Some(map) = value.as_object() else {
            return Err(Error::invalid("notification", "JSON body is not an object"));
        };
        let pairs = map.iter().filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((Cow::from(key.as_str()), Cow::from(text)))
        });
        Self::from_pairs(pairs)
    }

    /// From a POST body of any kind: JSON when the content type says so or the
    /// body looks like an object, else form-urlencoded.
    pub fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, Error> {
        too_large(body.len())?;
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        let looks_json = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        if ct.contains("json") || (looks_json && !ct.contains("form")) {
            match Self::from_json(body) {
                Ok(n) => return Ok(n),
                Err(e) if ct.contains("json") => return Err(e),
                Err(_) => {}
            }
        }
        Self::from_form(body)
    }

    /// From the whole inbound request: a POST body (JSON, then form), falling back
    /// to the URL's query; any other method reads the query.
    pub fn from_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, Error> {
        let query = request.uri().query().unwrap_or("");
        let body = request.body().as_ref();
        if request.method() == http::Method::POST && !body.iter().all(u8::is_ascii_whitespace) {
            let content_type = request
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            match Self::from_body(content_type, body) {
                Ok(n) => return Ok(n),
                Err(e) if query.is_empty() => return Err(e),
                Err(_) => {}
            }
        }
        Self::from_query(query)
    }

    /// Checks that PesaPal's status answer concerns this notification: the same
    /// tracking id, and the merchant reference it names (for RECURRING: the
    /// account number). Anything else is [`Error::Contradiction`]: a forged or
    /// mixed-up notification; do not act on it.
    pub fn check_status(&self, status: &TransactionStatus) -> Result<(), Error> {
        let contradiction = |field, claimed: &str, vouched: &str| Error::Contradiction {
            provider: crate::Provider::Pesapal,
            field,
            claimed: crate::snippet(claimed.as_bytes()),
            vouched: crate::snippet(vouched.as_bytes()),
            source_name: "the status query",
        };
        if status.order_tracking_id != self.order_tracking_id {
            return Err(contradiction(
                "OrderTrackingId",
                self.order_tracking_id.as_str(),
                status.order_tracking_id.as_str(),
            ));
        }
        let (vouched, field) = match self.kind {
            NotificationKind::Recurring => (
                status.account_number.as_deref().or_else(|| {
                    status
                        .subscription_transaction_info
                        .as_ref()
                        .and_then(|s| s.account_reference.as_deref())
                }),
                "account number",
            ),
            _ => (
                Some(status.merchant_reference.as_str()),
                "merchant reference",
            ),
        };
        if vouched != Some(self.merchant_reference.as_str()) {
            return Err(contradiction(
                field,
                &self.merchant_reference,
                vouched.unwrap_or(""),
            ));
        }
        Ok(())
    }

    /// The acknowledgement PesaPal expects: `processed` true → status 200, false
    /// (received, but something failed on your side) → 500.
    pub fn ack(&self, processed: bool) -> Ack {
        Ack {
            order_notification_type: self.kind.as_str().to_owned(),
            order_tracking_id: self.order_tracking_id.as_str().to_owned(),
            order_merchant_reference: self.merchant_reference.clone(),
            status: if processed { 200 } else { 500 },
        }
    }

    /// The query string form (`OrderTrackingId=…&OrderMerchantReference=…&OrderNotificationType=…`),
    /// as a GET IPN carries it.
    pub fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("OrderTrackingId", self.order_tracking_id.as_str())
            .append_pair("OrderMerchantReference", &self.merchant_reference)
            .append_pair("OrderNotificationType", self.kind.as_str())
            .finish()
    }
}

/// The merchant's reply to an IPN: camelCase keys and a **numeric** `status`,
/// sent with HTTP 200.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ack {
    /// The received `OrderNotificationType`, echoed.
    pub order_notification_type: String,
    /// The received `OrderTrackingId`.
    pub order_tracking_id: String,
    /// The received `OrderMerchantReference`.
    pub order_merchant_reference: String,
    /// 200 (processed) or 500 (received, failed on the merchant's side).
    pub status: u16,
}

impl Ack {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an acknowledgement (for tests and the sandbox side).
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        too_large(body.len())?;
        serde_json::from_slice(body).map_err(|e| Error::invalid("acknowledgement", e.to_string()))
    }

    /// The whole HTTP answer: 200, `Content-Type: application/json`, the JSON body.
    pub fn to_response(&self) -> http::Response<Vec<u8>> {
        let mut response = http::Response::new(self.to_json());
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// Turns a notification into a trusted status: runs GetTransactionStatus for its
/// tracking id and checks that PesaPal's answer concerns the same merchant
/// reference (for RECURRING: the account number). A mismatch is
/// [`Error::Contradiction`]: do not act on the notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmNotification {
    notification: Notification,
}

impl ConfirmNotification {
    /// The confirmation of a notification.
    pub fn new(notification: Notification) -> Self {
        ConfirmNotification { notification }
    }
}

/// A notification and the status PesaPal confirmed for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    /// What arrived.
    pub notification: Notification,
    /// What PesaPal says: act on this.
    pub status: TransactionStatus,
}

impl Confirmed {
    /// Whether the confirmed status is final (not pending or unknown).
    pub fn is_final(&self) -> bool {
        self.status.status.is_final()
    }

    /// The confirmed payment status.
    pub fn payment_status(&self) -> &PaymentStatus {
        &self.status.status
    }
}

impl Operation for ConfirmNotification {
    type Api = PesapalConfig;
    type Output = Confirmed;
    const NAME: &'static str = "GetTransactionStatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.notification.merchant_reference.clone())
    }

    fn request(&self, _api: &PesapalConfig) -> Result<Parts, Error> {
        Ok(status_request(&self.notification.order_tracking_id))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Confirmed, Error> {
        let n = &self.notification;
        let status = read_status(&response, &n.order_tracking_id)?;
        n.check_status(&status)?;
        Ok(Confirmed {
            notification: n.clone(),
            status,
        })
    }
}
