//! Webhooks: `{event, data}` envelopes, their checksums, and events that cannot
//! report a payment as completed unless the checksum verified.
//!
//! ClickPesa POSTs JSON to the URL set in the dashboard (there is no API to
//! register it — see [`super::register_ipn_unsupported`]); answer any 2xx quickly.
//!
//! **Verification.** When checksum is enabled on the application, webhooks are
//! signed "using the same method" as requests. ClickPesa shows no signed webhook,
//! so where the checksum sits is read in this order:
//! 1. a top-level `checksum` over the whole envelope minus `checksum` and
//!    `checksumMethod`, canonical unless `checksumMethod` says `legacy`;
//! 2. otherwise, a `data.checksum` over `data` minus the same two fields;
//! 3. otherwise the webhook is [`Verdict::Unsigned`]; with no checksum in the
//!    body, a checksum header (`x-clickpesa-checksum`, undocumented) is tried only
//!    through the opt-in [`Webhook::verdict_with_header`].
//!
//! The payload is canonicalised from the raw bytes ([`JsValue::parse`]), so key
//! order, whitespace and number spelling (`1000.0` vs `1000`) do not matter. The
//! hex comparison is exact and constant-time: upper-case hex is invalid, as in
//! ClickPesa's own `===`/`hash_equals` validators. A `checksum` of JSON `null` is
//! treated as absent; any other non-string `checksum`, or an unknown
//! `checksumMethod`, is [`Verdict::Invalid`] (fail closed).
//!
//! **Trust.** [`Webhook::status`] never says [`PaymentStatus::Completed`]: an
//! unverified claim of success reads as [`PaymentStatus::Pending`] (confirm it with
//! [`super::GetPayment`] / [`super::GetPayout`]). Only [`Verified::status`],
//! reachable through [`Webhook::verify`] with a matching checksum, reports it.
//!
//! **Replays.** Nothing in the scheme is time-bound: deduplicate on
//! [`Verified::dedupe_key`] (built from covered fields only).

use super::canonical_json::JsValue;
use super::checksum::{self, ChecksumMethod};
use super::models::{Payment, Payout};
use super::wire::{payment_status, payout_status};
use crate::{wire, Error, PaymentStatus, Provider, Secret};
use serde::Deserialize;
use std::fmt;

/// The outcome of checking a webhook's checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The checksum matches the body and the key.
    Valid,
    /// A checksum is present and does not match (or cannot be checked). Reject.
    Invalid,
    /// No checksum at all (checksum may be disabled on the application). Do not
    /// act on it without confirming the status with a query.
    Unsigned,
}

/// A refund of a payout (funds returned because of a ClickPesa error).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutRefund {
    /// Why.
    #[serde(default)]
    pub message: Option<String>,
    /// When (ISO-8601).
    #[serde(default)]
    pub refunded_at: Option<String>,
}

/// A reversal of a payout (funds returned because of a provider error).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutReversal {
    /// Why.
    #[serde(default)]
    pub message: Option<String>,
    /// When (ISO-8601).
    #[serde(default)]
    pub reversed_at: Option<String>,
    /// Whether the fee was returned too.
    #[serde(default)]
    pub reversed_with_fee: Option<bool>,
}

/// The data of a payout webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutEvent {
    /// The payout.
    pub payout: Payout,
    /// `refund{}` of PAYOUT REFUNDED.
    pub refund: Option<PayoutRefund>,
    /// `reverse{}` of PAYOUT REVERSED.
    pub reverse: Option<PayoutReversal>,
}

#[derive(Deserialize)]
struct PayoutExtras {
    #[serde(default)]
    refund: Option<PayoutRefund>,
    #[serde(default)]
    reverse: Option<PayoutReversal>,
}

/// What a webhook says happened.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// `PAYMENT RECEIVED` (new `id`/`collectedAmount`/`customerName` shape or the
    /// older `paymentId`/`amount`/`name` one).
    PaymentReceived(Payment),
    /// `PAYMENT FAILED` (older samples send `eventType` instead of `event`).
    PaymentFailed(Payment),
    /// `PAYOUT INITIATED`.
    PayoutInitiated(PayoutEvent),
    /// `PAYOUT REFUNDED`.
    PayoutRefunded(PayoutEvent),
    /// `PAYOUT REVERSED`.
    PayoutReversed(PayoutEvent),
    /// Any other event (`DEPOSIT RECEIVED`, whose payload is undocumented, or a
    /// future one), with its raw `data`.
    Other {
        /// The event name as sent.
        event: String,
        /// The raw `data`.
        data: serde_json::Value,
    },
}

impl WebhookEvent {
    /// The `data.status` word as sent, if any.
    pub fn status_text(&self) -> Option<&str> {
        match self {
            WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => {
                p.status_text.as_deref()
            }
            WebhookEvent::PayoutInitiated(p)
            | WebhookEvent::PayoutRefunded(p)
            | WebhookEvent::PayoutReversed(p) => p.payout.status_text.as_deref(),
            WebhookEvent::Other { data, .. } => data.get("status").and_then(|s| s.as_str()),
        }
    }

    /// The order reference, if any.
    pub fn order_reference(&self) -> Option<&str> {
        match self {
            WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => {
                p.order_reference.as_deref()
            }
            WebhookEvent::PayoutInitiated(p)
            | WebhookEvent::PayoutRefunded(p)
            | WebhookEvent::PayoutReversed(p) => p.payout.order_reference.as_deref(),
            WebhookEvent::Other { data, .. } => data.get("orderReference").and_then(|s| s.as_str()),
        }
    }

    /// ClickPesa's id of the payment or payout, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => p.id.as_deref(),
            WebhookEvent::PayoutInitiated(p)
            | WebhookEvent::PayoutRefunded(p)
            | WebhookEvent::PayoutReversed(p) => p.payout.id.as_deref(),
            WebhookEvent::Other { data, .. } => data.get("id").and_then(|s| s.as_str()),
        }
    }

    /// The status the event claims, mapped (untrusted; see [`Verified::status`]).
    /// A missing `status` falls back to what the event name implies.
    fn claimed_status(&self) -> PaymentStatus {
        let word = self.status_text();
        match self {
            WebhookEvent::PaymentReceived(_) => payment_status(word.unwrap_or("SUCCESS")),
            WebhookEvent::PaymentFailed(_) => match payment_status(word.unwrap_or("FAILED")) {
                // A failure event that claims success is contradictory.
                PaymentStatus::Completed => {
                    PaymentStatus::Unknown(word.unwrap_or_default().to_owned())
                }
                s => s,
            },
            WebhookEvent::PayoutInitiated(_) => payout_status(word.unwrap_or("AUTHORIZED")),
            WebhookEvent::PayoutRefunded(_) => payout_status(word.unwrap_or("REFUNDED")),
            WebhookEvent::PayoutReversed(_) => payout_status(word.unwrap_or("REVERSED")),
            WebhookEvent::Other { event, .. } => {
                PaymentStatus::Unknown(word.unwrap_or(event).to_owned())
            }
        }
    }
}

/// A parsed, not yet verified webhook.
#[derive(Clone, Debug)]
pub struct Webhook {
    name: String,
    event: WebhookEvent,
    envelope: JsValue,
}

/// A webhook whose checksum verified: the only way to a trusted status.
#[derive(Clone, Debug)]
pub struct Verified(Webhook, Coverage);

/// What a verified checksum covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The whole envelope (event name and data).
    Envelope,
    /// Only `data`: the top-level event name is not covered, so the event's kind
    /// and status are read from `data`, and a name that contradicts them is
    /// refused ([`Webhook::verify`]).
    Data,
}

/// Which kind of transaction a webhook's data describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Payment,
    Payout,
}

/// The family `data`'s own fields show, when they show one.
fn family_of(data: Option<&JsValue>) -> Option<Family> {
    let data = data?;
    let has = |names: &[&str]| names.iter().any(|n| data.get(n).is_some());
    let payment = has(&[
        "collectedAmount",
        "collectedCurrency",
        "paymentReference",
        "paymentId",
    ]);
    let payout = has(&[
        "beneficiary",
        "channelProvider",
        "fee",
        "transferType",
        "settlementType",
    ]);
    match (payment, payout) {
        (true, false) => Some(Family::Payment),
        (false, true) => Some(Family::Payout),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    event: Option<serde_json::Value>,
    #[serde(default, rename = "eventType")]
    event_type: Option<serde_json::Value>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

fn decode(reason: impl fmt::Display, body: &[u8]) -> Error {
    Error::decode("ClickPesa webhook", reason, body, None)
}

/// Parses a webhook body (raw bytes, at most [`wire::MAX_CALLBACK_BODY`]). Never
/// panics. The checksum is checked separately ([`Webhook::verdict`]).
pub fn parse_webhook(body: &[u8]) -> Result<Webhook, Error> {
    if body.len() > wire::MAX_CALLBACK_BODY {
        return Err(decode(
            format!(
                "body of {} bytes is over the {} byte limit",
                body.len(),
                wire::MAX_CALLBACK_BODY
            ),
            &[],
        ));
    }
    let envelope = JsValue::parse(body)?;
    if !matches!(envelope, JsValue::Object(_)) {
        return Err(decode("the body is not a JSON object", body));
    }
    // Typed fields come from the value the checksum covers (serde_json cannot
    // read a lone surrogate such as `"\ud83d"`, which JavaScript signs).
    let raw: Envelope = serde_json::from_value(envelope.to_serde()).map_err(|e| decode(e, body))?;
    let name = match (raw.event, raw.event_type) {
        (Some(serde_json::Value::String(s)), _) | (_, Some(serde_json::Value::String(s))) => s,
        _ => return Err(decode("no event (or eventType) name", body)),
    };
    let data = raw.data.unwrap_or(serde_json::Value::Null);
    let upper = name.trim().to_ascii_uppercase();
    let event = match upper.as_str() {
        "PAYMENT RECEIVED" => WebhookEvent::PaymentReceived(payment_data(&data, body)?),
        "PAYMENT FAILED" => WebhookEvent::PaymentFailed(payment_data(&data, body)?),
        "PAYOUT INITIATED" => WebhookEvent::PayoutInitiated(payout_data(&data, body)?),
        "PAYOUT REFUNDED" => WebhookEvent::PayoutRefunded(payout_data(&data, body)?),
        "PAYOUT REVERSED" => WebhookEvent::PayoutReversed(payout_data(&data, body)?),
        _ => WebhookEvent::Other {
            event: name.clone(),
            data,
        },
    };
    Ok(Webhook {
        name,
        event,
        envelope,
    })
}

fn payment_data(data: &serde_json::Value, body: &[u8]) -> Result<Payment, Error> {
    if !data.is_object() {
        return Err(decode("data is not an object", body));
    }
    Payment::deserialize(data).map_err(|e| decode(e, body))
}

fn payout_data(data: &serde_json::Value, body: &[u8]) -> Result<PayoutEvent, Error> {
    if !data.is_object() {
        return Err(decode("data is not an object", body));
    }
    let payout = Payout::deserialize(data).map_err(|e| decode(e, body))?;
    let extras = PayoutExtras::deserialize(data).map_err(|e| decode(e, body))?;
    Ok(PayoutEvent {
        payout,
        refund: extras.refund,
        reverse: extras.reverse,
    })
}

/// Where a checksum was found.
enum Claim<'a> {
    None,
    /// A checksum (or a malformed one) over `payload`.
    Some {
        payload: &'a JsValue,
        claimed: Option<String>,
        method: Option<ChecksumMethod>,
        coverage: Coverage,
    },
}

fn claim_in(payload: &JsValue, coverage: Coverage) -> Claim<'_> {
    match payload.get(checksum::CHECKSUM_FIELD) {
        None | Some(JsValue::Null) => Claim::None,
        Some(value) => {
            let method = match payload.get(checksum::CHECKSUM_METHOD_FIELD) {
                None | Some(JsValue::Null) => Some(ChecksumMethod::Canonical),
                Some(m) => m.as_string().as_deref().and_then(ChecksumMethod::from_word),
            };
            Claim::Some {
                payload,
                claimed: value.as_string(),
                method,
                coverage,
            }
        }
    }
}

fn judge(key: &Secret, claim: Claim<'_>) -> Verdict {
    match claim {
        Claim::None => Verdict::Unsigned,
        Claim::Some {
            payload,
            claimed: Some(hex),
            method: Some(method),
            ..
        } => {
            if checksum::checksum_matches(key, payload, method, &hex) {
                Verdict::Valid
            } else {
                Verdict::Invalid
            }
        }
        Claim::Some { .. } => Verdict::Invalid,
    }
}

impl Webhook {
    /// The event name as sent (`PAYMENT RECEIVED`, …).
    pub fn event_name(&self) -> &str {
        &self.name
    }

    /// The event and its data (unverified).
    pub fn event(&self) -> &WebhookEvent {
        &self.event
    }

    /// Whether the body carries a checksum at all (top level or in `data`).
    pub fn is_signed(&self) -> bool {
        !matches!(self.claim(), Claim::None)
    }

    fn claim(&self) -> Claim<'_> {
        match claim_in(&self.envelope, Coverage::Envelope) {
            Claim::None => match self.envelope.get("data") {
                Some(data @ JsValue::Object(_)) => claim_in(data, Coverage::Data),
                _ => Claim::None,
            },
            found => found,
        }
    }

    /// Checks the checksum with the application's checksum key.
    pub fn verdict(&self, key: &Secret) -> Verdict {
        judge(key, self.claim())
    }

    /// Like [`Webhook::verdict`], but when the body carries no checksum, checks
    /// `header` (the value of an `x-clickpesa-checksum`-style header, which
    /// ClickPesa does not document) over the whole envelope. Opt-in.
    pub fn verdict_with_header(&self, key: &Secret, header: Option<&str>) -> Verdict {
        match (self.claim(), header) {
            (Claim::None, Some(h)) => judge(
                key,
                Claim::Some {
                    payload: &self.envelope,
                    claimed: Some(h.trim().to_owned()),
                    method: Some(ChecksumMethod::Canonical),
                    coverage: Coverage::Envelope,
                },
            ),
            (claim, _) => judge(key, claim),
        }
    }

    /// Verifies the checksum: `Ok` only for [`Verdict::Valid`]; an invalid or
    /// missing checksum is [`Error::Signature`].
    ///
    /// When the checksum sits inside `data`, the top-level event name is not
    /// covered: the name must agree with what `data` itself says (its `status`,
    /// and whether it describes a payment or a payout), else the webhook is
    /// refused, so one checksummed payload cannot be replayed under other event
    /// names.
    pub fn verify(self, key: &Secret) -> Result<Verified, Error> {
        match self.verdict(key) {
            Verdict::Valid => {
                let coverage = match self.claim() {
                    Claim::Some { coverage, .. } => coverage,
                    Claim::None => Coverage::Envelope,
                };
                if coverage == Coverage::Data {
                    self.check_name_against_data()?;
                }
                Ok(Verified(self, coverage))
            }
            Verdict::Invalid => Err(Error::Signature {
                provider: Provider::Clickpesa,
                reason: "the webhook checksum does not match (wrong checksum key, or the body was altered)".into(),
            }),
            Verdict::Unsigned => Err(Error::Signature {
                provider: Provider::Clickpesa,
                reason: "the webhook carries no checksum (is checksum enabled on the application?); confirm the status with a query".into(),
            }),
        }
    }

    /// With a checksum over `data` only: refuses an event name that `data`
    /// contradicts.
    fn check_name_against_data(&self) -> Result<(), Error> {
        let refuse = |why: String| Error::Signature {
            provider: Provider::Clickpesa,
            reason: format!(
                "the checksum covers only `data`, and the event name {:?} {why}",
                self.name
            ),
        };
        let family = family_of(self.envelope.get("data"));
        let word = self
            .event
            .status_text()
            .map(|w| w.trim().to_ascii_uppercase());
        let Some(word) = word else {
            return Err(refuse(
                "is the only statement of the outcome (data has no status)".into(),
            ));
        };
        let (want_family, fits) = match &self.event {
            WebhookEvent::PaymentReceived(_) => (
                Family::Payment,
                payment_status(&word) == PaymentStatus::Completed,
            ),
            WebhookEvent::PaymentFailed(_) => (
                Family::Payment,
                payment_status(&word) == PaymentStatus::Failed,
            ),
            WebhookEvent::PayoutInitiated(_) => (
                Family::Payout,
                !matches!(word.as_str(), "REFUNDED" | "REVERSED"),
            ),
            WebhookEvent::PayoutRefunded(_) => (Family::Payout, word == "REFUNDED"),
            WebhookEvent::PayoutReversed(_) => (Family::Payout, word == "REVERSED"),
            // An unknown name over data that shows a payment or a payout would
            // relabel a known transaction: refuse it.
            WebhookEvent::Other { .. } => {
                return match family {
                    Some(f) => Err(refuse(format!("is not an event of a {f:?}"))),
                    None => Ok(()),
                }
            }
        };
        if !fits {
            return Err(refuse(format!("contradicts data's status {word:?}")));
        }
        if family.is_some_and(|f| f != want_family) {
            return Err(refuse(format!(
                "names a {want_family:?} but data describes another kind of transaction"
            )));
        }
        Ok(())
    }

    /// The status as far as an unverified body can be trusted: a claim of
    /// success reads as [`PaymentStatus::Pending`] until confirmed.
    pub fn status(&self) -> PaymentStatus {
        match self.event.claimed_status() {
            PaymentStatus::Completed => PaymentStatus::Pending,
            other => other,
        }
    }
}

impl Verified {
    /// The event and its data.
    pub fn event(&self) -> &WebhookEvent {
        &self.0.event
    }

    /// What the checksum covered.
    pub fn coverage(&self) -> Coverage {
        self.1
    }

    /// The event name as sent.
    pub fn event_name(&self) -> &str {
        &self.0.name
    }

    /// The status the (verified) event reports.
    pub fn status(&self) -> PaymentStatus {
        self.0.event.claimed_status()
    }

    /// Whether it concerns a payout (else a payment or another event).
    pub fn is_payout(&self) -> bool {
        matches!(
            self.0.event,
            WebhookEvent::PayoutInitiated(_)
                | WebhookEvent::PayoutRefunded(_)
                | WebhookEvent::PayoutReversed(_)
        )
    }

    /// The key to process it once by: payment or payout, order reference, id
    /// and the verified status — all covered by the checksum. The event name is
    /// left out (a checksum inside `data` does not cover it; the status tells a
    /// transaction's events apart), so re-sending one payload under other names
    /// gives no new key. Fixed size.
    pub fn dedupe_key(&self) -> crate::DedupeKey {
        dedupe_key(
            self.is_payout(),
            self.0.event.order_reference(),
            self.0.event.id(),
            &self.status(),
        )
    }

    /// The underlying webhook.
    pub fn into_inner(self) -> Webhook {
        self.0
    }
}

/// The key of a ClickPesa event from its vouched fields (checksum-covered, or
/// read from ClickPesa's own payment or payout query).
pub fn dedupe_key(
    payout: bool,
    order_reference: Option<&str>,
    id: Option<&str>,
    status: &PaymentStatus,
) -> crate::DedupeKey {
    crate::DedupeKey::new(
        Provider::Clickpesa,
        &[
            if payout { "payout" } else { "payment" },
            order_reference.unwrap_or(""),
            id.unwrap_or(""),
            status.as_str(),
        ],
    )
}
