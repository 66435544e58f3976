//! `POST /api/Transactions/RefundRequest` and `POST /api/Transactions/CancelOrder`.
//!
//! Business refusals arrive as `{"status":"500","message":"…"}` with no error
//! object. They are reported as [`Error::Provider`] whose `code` is one of
//! finconnect's own codes in [`codes`](crate::pesapal::codes) (chosen by message substring), and
//! [`RefundRefusal::of`] / [`CancelRefusal::of`] turn such an error back into an
//! enum for a `match`.

use super::config::PesapalConfig;
use super::order::OrderTrackingId;
use super::wire::{self, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Money, Operation};

/// Asks for a refund of a completed payment. PesaPal's 200 means only "request
/// received": the merchant approves it and PesaPal's finance team processes it.
///
/// Rules (PesaPal's): one refund request per payment; amount ≤ the original, in
/// the same currency; mobile money only in full. Non-idempotent: a lost answer is
/// [`Error::OutcomeUnknown`] naming the confirmation code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    confirmation_code: String,
    amount: Money,
    username: String,
    remarks: String,
}

impl RefundRequest {
    /// A refund of `amount` of the payment with `confirmation_code` (from
    /// GetTransactionStatus), asked for by `username` because of `remarks`.
    pub fn new(
        confirmation_code: impl Into<String>,
        amount: Money,
        username: impl Into<String>,
        remarks: impl Into<String>,
    ) -> Result<Self, Error> {
        let confirmation_code = confirmation_code.into();
        let username = username.into();
        let remarks = remarks.into();
        for (field, value) in [
            ("confirmation_code", &confirmation_code),
            ("username", &username),
            ("remarks", &remarks),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid(field, "must not be empty"));
            }
        }
        if !amount.is_positive() {
            return Err(Error::invalid("amount", "must be above zero"));
        }
        two_decimals(amount)?;
        Ok(RefundRequest {
            confirmation_code,
            amount,
            username,
            remarks,
        })
    }

    /// The amount as PesaPal wants it: a string with exactly 2 decimals.
    pub fn amount_text(&self) -> String {
        two_decimals(self.amount).unwrap_or_default()
    }
}

/// `"100.00"` for any currency with at most 2 decimals (`"1000.00"` for UGX).
fn two_decimals(amount: Money) -> Result<String, Error> {
    let exp = amount.currency().exponent();
    if exp > 2 {
        return Err(Error::invalid(
            "amount",
            "PesaPal takes at most 2 decimal places",
        ));
    }
    let factor = 10i64.pow(u32::from(2 - exp));
    let minor = amount
        .minor_units()
        .checked_mul(factor)
        .ok_or_else(|| Error::invalid("amount", "too large"))?;
    Ok(Money::from_minor(minor, crate::Currency::KES).to_decimal_string())
}

/// PesaPal received a refund request or a cancellation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// PesaPal's message (`Refund request successfully`, `Order successfully cancelled.`).
    pub message: String,
}

/// Why PesaPal refused a refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundRefusal {
    /// "Refund request has been received already" (one request per payment).
    AlreadyRequested,
    /// "Invalid amount provided…" (more than paid, or partial for mobile money).
    InvalidAmount,
    /// Another refusal, with PesaPal's message.
    Other(String),
}

impl RefundRefusal {
    /// The refusal a [`RefundRequest`] error stands for, if it is one (read from
    /// PesaPal's own words: it sends no code with these refusals).
    pub fn of(error: &Error) -> Option<RefundRefusal> {
        let message = business_refusal(error)?;
        let lower = message.to_ascii_lowercase();
        Some(if lower.contains(ALREADY) {
            RefundRefusal::AlreadyRequested
        } else if lower.contains(INVALID_AMOUNT) {
            RefundRefusal::InvalidAmount
        } else {
            RefundRefusal::Other(message.to_owned())
        })
    }
}

/// Why PesaPal refused a cancellation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelRefusal {
    /// "Transaction cannot be cancelled" (already paid, or already cancelled).
    NotCancellable,
    /// Another refusal, with PesaPal's message.
    Other(String),
}

impl CancelRefusal {
    /// The refusal a [`CancelOrder`] error stands for, if it is one (read from
    /// PesaPal's own words).
    pub fn of(error: &Error) -> Option<CancelRefusal> {
        let message = business_refusal(error)?;
        Some(if message.to_ascii_lowercase().contains(NOT_CANCELLABLE) {
            CancelRefusal::NotCancellable
        } else {
            CancelRefusal::Other(message.to_owned())
        })
    }
}

/// PesaPal's message, when `error` is one of its business refusals (a provider
/// error without a code).
fn business_refusal(error: &Error) -> Option<&str> {
    match error {
        Error::Provider {
            provider: crate::Provider::Pesapal,
            code: None,
            message,
            ..
        } => Some(message),
        _ => None,
    }
}

/// Words of PesaPal's refusals (lower case).
const ALREADY: &str = "already";
const INVALID_AMOUNT: &str = "invalid amount";
const NOT_CANCELLABLE: &str = "cannot be cancelled";

/// A business refusal PesaPal words in `message`: words to look for (lower
/// case; the first match wins, `""` matches any message) and a hint.
type Refusal = (&'static str, Option<&'static str>);

const REFUND_REFUSALS: &[Refusal] = &[
    (
        ALREADY,
        Some("PesaPal takes one refund request per payment; this one is already in"),
    ),
    (
        INVALID_AMOUNT,
        Some("the amount must not exceed the payment, be in its currency, and be the full amount for mobile money"),
    ),
    ("", Some("only COMPLETED payments can be refunded")),
];

const CANCEL_REFUSALS: &[Refusal] = &[
    (
        NOT_CANCELLABLE,
        Some("only pending or failed orders can be cancelled, once; query the status"),
    ),
    ("", None),
];

/// Reads a refund or cancellation answer: `{"status":"200","message":…}`, or
/// PesaPal's business refusal, a failed body `status` with a message and no error
/// object (typed by `refusals`), or what [`Answer::check_refusal`] says.
fn read_accepted(
    name: &'static str,
    response: &http::Response<Vec<u8>>,
    refusals: &[Refusal],
) -> Result<Accepted, Error> {
    let answer = Answer::parse(name, response, false)?.object()?;
    let message = wire::text(&answer.v, "message").unwrap_or_default();
    let refused = wire::api_error(&answer.v).is_none() && wire::body_status_failed(&answer.v);
    if refused && !message.trim().is_empty() {
        let lower = message.to_ascii_lowercase();
        if let Some(&(_, hint)) = refusals.iter().find(|(words, _)| lower.contains(words)) {
            return Err(answer.refused(None, message, hint));
        }
    }
    answer.check_refusal()?;
    if wire::body_status(&answer.v).is_none() {
        return Err(answer.bad("`status` is missing"));
    }
    Ok(Accepted { message })
}

impl Operation for RefundRequest {
    type Api = PesapalConfig;
    type Output = Accepted;
    const NAME: &'static str = "RefundRequest";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    /// The confirmation code: query the payment's status (it turns REVERSED once
    /// refunded) before asking again.
    fn reference(&self) -> Option<String> {
        Some(self.confirmation_code.clone())
    }

    fn request(&self, _api: &PesapalConfig) -> Result<Parts, Error> {
        let body = wire::object(&[
            ("confirmation_code", self.confirmation_code.as_str()),
            ("amount", two_decimals(self.amount)?.as_str()),
            ("username", self.username.as_str()),
            ("remarks", self.remarks.as_str()),
        ])?;
        Ok(Parts::post(
            Host::Api,
            "/api/Transactions/RefundRequest",
            body,
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, REFUND_REFUSALS)
    }
}

/// Cancels an order that is pending or failed (never a paid one), once.
///
/// Marked non-idempotent: a retry after a lost answer would be refused as "cannot
/// be cancelled" for an order that was in fact cancelled, so a lost answer is
/// [`Error::OutcomeUnknown`] instead — query the status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelOrder {
    order_tracking_id: OrderTrackingId,
}

impl CancelOrder {
    /// The cancellation of an order.
    pub fn new(order_tracking_id: OrderTrackingId) -> Self {
        CancelOrder { order_tracking_id }
    }
}

impl Operation for CancelOrder {
    type Api = PesapalConfig;
    type Output = Accepted;
    const NAME: &'static str = "CancelOrder";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_tracking_id.as_str().to_owned())
    }

    fn request(&self, _api: &PesapalConfig) -> Result<Parts, Error> {
        let body = wire::object(&[("order_tracking_id", self.order_tracking_id.as_str())])?;
        Ok(Parts::post(
            Host::Api,
            "/api/Transactions/CancelOrder",
            body,
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, CANCEL_REFUSALS)
    }
}
