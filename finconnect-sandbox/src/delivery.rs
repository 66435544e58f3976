//! Outbound notifications: PesaPal IPNs, AzamPay callbacks, ClickPesa webhooks.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Method;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::route::ProviderName;
use crate::state::{lock, State};

/// The HTTP client used to deliver notifications.
pub(crate) type Client = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// Builds the delivery client (plain HTTP; by default the sandbox only talks to local
/// listeners, see `destination`).
pub(crate) fn client() -> Client {
    hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http()
}

/// One notification the sandbox sent (with all its attempts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The provider that sent it.
    pub provider: ProviderName,
    /// The payment it is about (PesaPal tracking id, AzamPay utilityref/transaction id,
    /// ClickPesa order reference, M-Pesa `CheckoutRequestID`, C2B `TransID` or a result's
    /// `OriginatorConversationID`).
    pub reference: String,
    /// The URL it was sent to (for PesaPal GET IPNs, including the query).
    pub url: String,
    /// `GET` or `POST`.
    pub method: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether the receiver acknowledged it (PesaPal: HTTP 200 with the ack JSON, `status`
    /// 200 as a number and the tracking id echoed; others: any 2xx).
    pub acked: bool,
    /// HTTP status of the last attempt, `None` if no answer came.
    pub last_status: Option<u16>,
    /// The body sent (empty for GET).
    pub body: String,
    /// The destination is not a loopback address and remote delivery is off: nothing was
    /// sent (no DNS lookup, no connection; `attempts` is 0).
    pub refused: bool,
}

/// How a receiver acknowledges.
#[derive(Debug, Clone)]
pub(crate) enum Ack {
    /// Any 2xx.
    Any2xx,
    /// PesaPal: 200 + JSON `{"status":200, "orderTrackingId": <id>, …}`.
    Pesapal { tracking_id: String },
}

/// A notification to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Notification {
    pub provider: ProviderName,
    pub reference: String,
    pub url: url::Url,
    pub method: Method,
    pub body: Option<Bytes>,
    pub ack: Ack,
}

const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
const PAUSE: Duration = Duration::from_millis(100);

/// Sends a notification, retrying up to `delivery_attempts` times until acknowledged, and
/// records the outcome.
pub(crate) async fn deliver(state: &State, n: Notification) -> DeliveryRecord {
    deliver_with(state, n, state.config.delivery_attempts)
        .await
        .0
}

/// Sends a notification exactly once, never retried whatever the answer (Daraja's
/// behaviour), records the outcome, and returns the receiver's answer body too (empty
/// when none came).
pub(crate) async fn deliver_once(state: &State, n: Notification) -> (DeliveryRecord, Bytes) {
    deliver_with(state, n, 1).await
}

async fn deliver_with(state: &State, n: Notification, max: u32) -> (DeliveryRecord, Bytes) {
    let max = max.max(1);
    let mut last_body = Bytes::new();
    let mut record = DeliveryRecord {
        provider: n.provider,
        reference: n.reference.clone(),
        url: n.url.to_string(),
        method: n.method.to_string(),
        attempts: 0,
        acked: false,
        last_status: None,
        body: n
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default(),
        refused: false,
    };
    if let Err(refusal) = crate::destination::check(&n.url, state.config.allow_remote_delivery) {
        tracing::warn!(
            provider = ?record.provider,
            reference = %record.reference,
            "notification not delivered: {refusal}"
        );
        record.refused = true;
        lock(&state.deliveries).push(record.clone());
        return (record, last_body);
    }
    for attempt in 1..=max {
        record.attempts = attempt;
        let (status, body) = match attempt_once(&state.client, &n).await {
            Some((s, b)) => (Some(s), b),
            None => (None, Bytes::new()),
        };
        record.last_status = status;
        last_body = body.clone();
        if let Some(s) = status {
            if acknowledged(&n.ack, s, &body) {
                record.acked = true;
                break;
            }
        }
        if attempt < max {
            tokio::time::sleep(PAUSE * attempt).await;
        }
    }
    tracing::debug!(provider = ?record.provider, attempts = record.attempts, acked = record.acked, "notification delivered");
    lock(&state.deliveries).push(record.clone());
    (record, last_body)
}

async fn attempt_once(client: &Client, n: &Notification) -> Option<(u16, Bytes)> {
    let uri: hyper::Uri = n.url.as_str().parse().ok()?;
    let mut builder = hyper::Request::builder()
        .method(n.method.clone())
        .uri(uri)
        .header("user-agent", "finconnect-sandbox")
        .header("accept", "application/json");
    if n.body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let request = builder
        .body(Full::new(n.body.clone().unwrap_or_default()))
        .ok()?;
    let exchange = async {
        let response = client.request(request).await.ok()?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), 64 * 1024)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Some((status, body))
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, exchange)
        .await
        .ok()
        .flatten()
}

fn acknowledged(ack: &Ack, status: u16, body: &[u8]) -> bool {
    match ack {
        Ack::Any2xx => (200..300).contains(&status),
        Ack::Pesapal { tracking_id } => {
            if status != 200 {
                return false;
            }
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
                return false;
            };
            v.get("status").and_then(serde_json::Value::as_u64) == Some(200)
                && v.get("orderTrackingId").and_then(serde_json::Value::as_str)
                    == Some(tracking_id.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesapal_ack_rules() {
        let ack = Ack::Pesapal {
            tracking_id: "t-1".into(),
        };
        let good = br#"{"orderNotificationType":"IPNCHANGE","orderTrackingId":"t-1","orderMerchantReference":"m","status":200}"#;
        assert!(acknowledged(&ack, 200, good));
        assert!(!acknowledged(&ack, 201, good));
        let string_status = br#"{"orderTrackingId":"t-1","status":"200"}"#;
        assert!(!acknowledged(&ack, 200, string_status));
        let other_id = br#"{"orderTrackingId":"t-2","status":200}"#;
        assert!(!acknowledged(&ack, 200, other_id));
        assert!(!acknowledged(&ack, 200, b"OK"));
        assert!(acknowledged(&Ack::Any2xx, 204, b""));
        assert!(!acknowledged(&Ack::Any2xx, 500, b""));
    }
}
