//! `GET /api/Transactions/GetTransactionStatus?orderTrackingId=<guid>` and
//! reconciliation.

use super::config::PesapalConfig;
use super::fields::{self, ErrorField, Field, FieldwiseObject, ObjectField};
use super::order::OrderTrackingId;
#[cfg(any(test, feature = "fuzzing"))]
use super::wire;
use super::wire::{codes, Answer, Envelope};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Currency, Error, MerchantReference, Money, Operation, PaymentStatus};
use serde::de::MapAccess;
#[cfg(any(test, feature = "fuzzing"))]
use serde_json::Value;
use std::fmt;
use std::time::SystemTime;

/// Asks PesaPal where an order stands: the only trustworthy source (IPNs and the
/// browser redirect carry no status and no signature).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetTransactionStatus {
    order_tracking_id: OrderTrackingId,
}

impl GetTransactionStatus {
    /// The status query for an order.
    pub fn new(order_tracking_id: OrderTrackingId) -> Self {
        GetTransactionStatus { order_tracking_id }
    }

    /// The order asked about.
    pub fn order_tracking_id(&self) -> &OrderTrackingId {
        &self.order_tracking_id
    }
}

/// Recurring-charge details of a status (`subscription_transaction_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionTransactionInfo {
    /// Your `account_number`.
    pub account_reference: Option<String>,
    /// The charged amount, in the status's currency (when it reads exactly).
    pub amount: Option<Money>,
    /// Customer's first name.
    pub first_name: Option<String>,
    /// Customer's last name.
    pub last_name: Option<String>,
    /// PesaPal's recurring-schedule id (a number or a string on the wire).
    pub correlation_id: Option<String>,
}

/// Where an order stands, as GetTransactionStatus says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionStatus {
    /// The mapped status: `status_code` 1 Completed, 2 Failed, 3 Reversed;
    /// 0 with `payment_details_not_found` Pending (never Failed); any other 0
    /// `Unknown("INVALID")`.
    pub status: PaymentStatus,
    /// `status_code` as sent (0–3).
    pub status_code: Option<i64>,
    /// `payment_status_description` as sent (`Completed`, `Failed`, `INVALID`, …).
    pub payment_status_description: Option<String>,
    /// The order, from the body or else the query.
    pub order_tracking_id: OrderTrackingId,
    /// Your `id` (`merchant_reference`).
    pub merchant_reference: String,
    /// `account_number` (recurring payments), when non-empty.
    pub account_number: Option<String>,
    /// The amount, decoded exactly in the body's currency; `None` if the currency
    /// is not one finconnect knows or the amount does not fit it.
    pub amount: Option<Money>,
    /// The amount as sent (`10.00` arrives as `10.0` after JSON reading).
    pub amount_text: Option<String>,
    /// `currency` as sent.
    pub currency_code: Option<String>,
    /// The processor's reference, needed for refunds; `None` until paid.
    pub confirmation_code: Option<String>,
    /// `Visa`, `MasterCard`, `MpesaKE`, …; `None` until paid.
    pub payment_method: Option<String>,
    /// The masked card or phone; `None` until paid.
    pub payment_account: Option<String>,
    /// A finer reason (e.g. `request_terminated_by_user`), when given.
    pub payment_status_code: Option<String>,
    /// Human text for the status; `null` while pending.
    pub description: Option<String>,
    /// `message`.
    pub message: Option<String>,
    /// `created_date` as sent: no offset, variable fraction, apparently EAT.
    pub created_date: Option<String>,
    /// `call_back_url` with the identifiers appended.
    pub call_back_url: Option<String>,
    /// Recurring payments only.
    pub subscription_transaction_info: Option<SubscriptionTransactionInfo>,
}

impl TransactionStatus {
    /// `created_date` read as East Africa Time (UTC+03:00), PesaPal's apparent
    /// (undocumented) zone.
    pub fn created_at_assumed_eat(&self) -> Option<SystemTime> {
        let text = self.created_date.as_deref()?.trim();
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        let naive = time::PrimitiveDateTime::parse(text, format).ok()?;
        let offset = time::UtcOffset::from_hms(3, 0, 0).ok()?;
        Some(naive.assume_offset(offset).into())
    }

    /// Whether the payment went through.
    pub fn is_paid(&self) -> bool {
        self.status == PaymentStatus::Completed
    }

    /// Checks the status against the merchant's own order before crediting it:
    /// the merchant reference, the currency and the amount must all match.
    /// An amount that could not be read exactly never matches.
    ///
    /// ```
    /// # use finconnect_proto::pesapal::{GetTransactionStatus, OrderTrackingId, Mismatch};
    /// # use finconnect_proto::{Currency, MerchantReference, Money, Operation};
    /// let body = br#"{"status_code":1,"payment_status_description":"Completed","merchant_reference":"TX-1","amount":1000.0,"currency":"TZS","status":"200","error":{"error_type":null,"code":null,"message":null}}"#;
    /// let op = GetTransactionStatus::new(OrderTrackingId::new("dbc707c0").unwrap());
    /// let status = op.read(http::Response::new(body.to_vec())).unwrap();
    /// let reference = MerchantReference::new("TX-1").unwrap();
    /// assert!(status.reconcile(&reference, Money::from_major(1000, Currency::TZS).unwrap()).is_ok());
    /// let err = status.reconcile(&reference, Money::from_major(999, Currency::TZS).unwrap()).unwrap_err();
    /// assert!(matches!(err, Mismatch::Amount { .. }));
    /// ```
    pub fn reconcile(
        &self,
        reference: &MerchantReference,
        expected: Money,
    ) -> Result<(), Mismatch> {
        if self.merchant_reference != reference.as_str() {
            return Err(Mismatch::Reference {
                expected: reference.as_str().to_owned(),
                got: self.merchant_reference.clone(),
            });
        }
        let currency = self.currency_code.as_deref().unwrap_or("").trim();
        if !currency.eq_ignore_ascii_case(expected.currency().code()) {
            return Err(Mismatch::Currency {
                expected: expected.currency(),
                got: currency.to_owned(),
            });
        }
        match self.amount {
            Some(got) if got == expected => Ok(()),
            Some(got) => Err(Mismatch::Amount {
                expected,
                got: Some(got),
            }),
            None => Err(Mismatch::Amount {
                expected,
                got: None,
            }),
        }
    }
}

/// Why a status does not match the merchant's order. Do not credit the order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The status is for another merchant reference.
    Reference {
        /// Your reference.
        expected: String,
        /// PesaPal's.
        got: String,
    },
    /// Another currency.
    Currency {
        /// Your currency.
        expected: Currency,
        /// PesaPal's (as sent).
        got: String,
    },
    /// Another amount, or one that could not be read exactly.
    Amount {
        /// Your amount.
        expected: Money,
        /// PesaPal's, if readable.
        got: Option<Money>,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Reference { expected, got } => write!(
                f,
                "PesaPal's status is for merchant reference {got:?}, not {expected:?}; do not credit the order"
            ),
            Mismatch::Currency { expected, got } => write!(
                f,
                "PesaPal's status is in {got:?}, the order in {expected}; do not credit the order"
            ),
            Mismatch::Amount { expected, got: Some(got) } => write!(
                f,
                "PesaPal's status says {got}, the order is {expected}; do not credit the order"
            ),
            Mismatch::Amount { expected, got: None } => write!(
                f,
                "PesaPal's amount could not be read exactly (order: {expected}); do not credit the order"
            ),
        }
    }
}

impl std::error::Error for Mismatch {}

fn map_status(code: Option<i64>, description: Option<&str>, pending: bool) -> PaymentStatus {
    match code {
        Some(1) => return PaymentStatus::Completed,
        Some(2) => return PaymentStatus::Failed,
        Some(3) => return PaymentStatus::Reversed,
        _ if pending => return PaymentStatus::Pending,
        Some(0) => return PaymentStatus::Unknown("INVALID".to_owned()),
        _ => {}
    }
    let word = description.unwrap_or("").trim().to_ascii_uppercase();
    match word.as_str() {
        "COMPLETED" => PaymentStatus::Completed,
        "FAILED" => PaymentStatus::Failed,
        "REVERSED" => PaymentStatus::Reversed,
        "" => PaymentStatus::Unknown("unknown".to_owned()),
        _ => PaymentStatus::Unknown(word),
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn money(v: Option<&Value>, currency: Option<Currency>) -> Option<Money> {
    let v = v?;
    Money::from_json(v, currency?).ok()
}

#[cfg(any(test, feature = "fuzzing"))]
fn subscription(v: &Value, currency: Option<Currency>) -> Option<SubscriptionTransactionInfo> {
    let s = v.get("subscription_transaction_info")?;
    if !s.is_object() {
        return None;
    }
    Some(SubscriptionTransactionInfo {
        account_reference: wire::non_empty(s, "account_reference"),
        amount: money(s.get("amount"), currency),
        first_name: wire::non_empty(s, "first_name"),
        last_name: wire::non_empty(s, "last_name"),
        correlation_id: wire::non_empty(s, "correlation_id"),
    })
}

impl Operation for GetTransactionStatus {
    type Api = PesapalConfig;
    type Output = TransactionStatus;
    const NAME: &'static str = "GetTransactionStatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _api: &PesapalConfig) -> Result<Parts, Error> {
        Ok(status_request(&self.order_tracking_id))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TransactionStatus, Error> {
        read_status(&response, &self.order_tracking_id)
    }
}

/// `GET /api/Transactions/GetTransactionStatus?orderTrackingId=…`.
pub(crate) fn status_request(order_tracking_id: &OrderTrackingId) -> Parts {
    Parts::get(Host::Api, "/api/Transactions/GetTransactionStatus")
        .query("orderTrackingId", order_tracking_id.as_str())
}

/// Reads a GetTransactionStatus answer to the query for `asked`, in one pass
/// over the body (see [`StatusBody`]).
pub(crate) fn read_status(
    response: &http::Response<Vec<u8>>,
    asked: &OrderTrackingId,
) -> Result<TransactionStatus, Error> {
    let answer = Answer::unread(GetTransactionStatus::NAME, response, false);
    let body: StatusBody = match fields::object_body(response.body()) {
        Ok(body) => body,
        // Not a JSON object: the `Value` reader says why, in its words (an HTML
        // page, an empty body, broken JSON, another JSON value).
        Err(e) => {
            Answer::parse(GetTransactionStatus::NAME, response, false)?.object()?;
            return Err(answer.bad(e));
        }
    };
    let error = body.error.into_api_error();
    // A payment not made yet comes as an error `payment_details_not_found` with
    // body status "500": it is pending, not failed.
    let pending = error
        .as_ref()
        .is_some_and(|e| e.code.as_deref() == Some(codes::PAYMENT_DETAILS_NOT_FOUND));
    let message = body.message.into_text();
    if !pending {
        answer.check_with(Envelope {
            error,
            status: body.status.into_text().map(|s| s.trim().to_owned()),
            message: message.clone(),
            upper_message: body.upper_message.into_text(),
        })?;
    }
    let status_code = body.status_code.int();
    let description = body.payment_status_description.into_non_empty();
    if status_code.is_none() && description.is_none() && !pending {
        return Err(answer.bad("neither `status_code` nor `payment_status_description` is present"));
    }
    let currency_code = body.currency.into_non_empty();
    let currency = currency_code
        .as_deref()
        .and_then(|c| Currency::from_code(c.trim()).ok());
    let order_tracking_id = body
        .order_tracking_id
        .into_non_empty()
        .and_then(|t| OrderTrackingId::new(t).ok())
        .unwrap_or_else(|| asked.clone());
    Ok(TransactionStatus {
        status: map_status(status_code, description.as_deref(), pending),
        status_code,
        payment_status_description: description,
        order_tracking_id,
        merchant_reference: body.merchant_reference.into_text().unwrap_or_default(),
        account_number: body.account_number.into_non_empty(),
        amount: body.amount.money(currency),
        amount_text: body.amount.into_text(),
        currency_code,
        confirmation_code: body.confirmation_code.into_non_empty(),
        payment_method: body.payment_method.into_non_empty(),
        payment_account: body.payment_account.into_non_empty(),
        payment_status_code: body.payment_status_code.into_non_empty(),
        description: body.description.into_non_empty(),
        message: message.filter(|s| !s.trim().is_empty()),
        created_date: body.created_date.into_non_empty(),
        call_back_url: body.call_back_url.into_non_empty(),
        subscription_transaction_info: body.subscription.0.map(|s| SubscriptionTransactionInfo {
            account_reference: s.account_reference.into_non_empty(),
            amount: s.amount.money(currency),
            first_name: s.first_name.into_non_empty(),
            last_name: s.last_name.into_non_empty(),
            correlation_id: s.correlation_id.into_non_empty(),
        }),
    })
}

/// The fields of a GetTransactionStatus answer, read straight from the JSON
/// text with the `Value` reader's tolerance (see [`fields`]).
#[derive(Default)]
struct StatusBody {
    status: Field,
    error: ErrorField,
    message: Field,
    /// ASP.NET's `Message`.
    upper_message: Field,
    status_code: Field,
    payment_status_description: Field,
    currency: Field,
    order_tracking_id: Field,
    merchant_reference: Field,
    account_number: Field,
    amount: Field,
    confirmation_code: Field,
    payment_method: Field,
    payment_account: Field,
    payment_status_code: Field,
    description: Field,
    created_date: Field,
    call_back_url: Field,
    subscription: ObjectField<SubscriptionBody>,
}

impl FieldwiseObject for StatusBody {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "status" => &mut self.status,
            "error" => {
                self.error = map.next_value()?;
                return Ok(());
            }
            "subscription_transaction_info" => {
                self.subscription = map.next_value()?;
                return Ok(());
            }
            "message" => &mut self.message,
            "Message" => &mut self.upper_message,
            "status_code" => &mut self.status_code,
            "payment_status_description" => &mut self.payment_status_description,
            "currency" => &mut self.currency,
            "order_tracking_id" => &mut self.order_tracking_id,
            "merchant_reference" => &mut self.merchant_reference,
            "account_number" => &mut self.account_number,
            "amount" => &mut self.amount,
            "confirmation_code" => &mut self.confirmation_code,
            "payment_method" => &mut self.payment_method,
            "payment_account" => &mut self.payment_account,
            "payment_status_code" => &mut self.payment_status_code,
            "description" => &mut self.description,
            "created_date" => &mut self.created_date,
            "call_back_url" => &mut self.call_back_url,
            _ => return map.next_value::<fields::Skip>().map(drop),
        };
        *slot = map.next_value()?;
        Ok(())
    }
}

/// `subscription_transaction_info`'s fields.
#[derive(Default)]
struct SubscriptionBody {
    account_reference: Field,
    amount: Field,
    first_name: Field,
    last_name: Field,
    correlation_id: Field,
}

impl FieldwiseObject for SubscriptionBody {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "account_reference" => &mut self.account_reference,
            "amount" => &mut self.amount,
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "correlation_id" => &mut self.correlation_id,
            _ => return map.next_value::<fields::Skip>().map(drop),
        };
        *slot = map.next_value()?;
        Ok(())
    }
}

/// The reader [`read_status`] replaced, which read the body as a
/// `serde_json::Value` first: kept to check that both read every body alike.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn read_status_via_value(
    response: &http::Response<Vec<u8>>,
    asked: &OrderTrackingId,
) -> Result<TransactionStatus, Error> {
    let answer = Answer::parse(GetTransactionStatus::NAME, response, false)?.object()?;
    let v = &answer.v;
    // A payment not made yet comes as an error `payment_details_not_found` with
    // body status "500": it is pending, not failed.
    let pending = wire::api_error(v)
        .is_some_and(|e| e.code.as_deref() == Some(codes::PAYMENT_DETAILS_NOT_FOUND));
    if !pending {
        answer.check()?;
    }
    let status_code = wire::int(v, "status_code");
    let description = wire::non_empty(v, "payment_status_description");
    if status_code.is_none() && description.is_none() && !pending {
        return Err(answer.bad("neither `status_code` nor `payment_status_description` is present"));
    }
    let currency_code = wire::non_empty(v, "currency");
    let currency = currency_code
        .as_deref()
        .and_then(|c| Currency::from_code(c.trim()).ok());
    let order_tracking_id = wire::non_empty(v, "order_tracking_id")
        .and_then(|t| OrderTrackingId::new(t).ok())
        .unwrap_or_else(|| asked.clone());
    Ok(TransactionStatus {
        status: map_status(status_code, description.as_deref(), pending),
        status_code,
        payment_status_description: description,
        order_tracking_id,
        merchant_reference: wire::text(v, "merchant_reference").unwrap_or_default(),
        account_number: wire::non_empty(v, "account_number"),
        amount: money(v.get("amount"), currency),
        amount_text: wire::text(v, "amount"),
        currency_code,
        confirmation_code: wire::non_empty(v, "confirmation_code"),
        payment_method: wire::non_empty(v, "payment_method"),
        payment_account: wire::non_empty(v, "payment_account"),
        payment_status_code: wire::non_empty(v, "payment_status_code"),
        description: wire::non_empty(v, "description"),
        message: wire::non_empty(v, "message"),
        created_date: wire::non_empty(v, "created_date"),
        call_back_url: wire::non_empty(v, "call_back_url"),
        subscription_transaction_info: subscription(v, currency),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_never_failed() {
        assert_eq!(
            map_status(Some(0), Some("INVALID"), true),
            PaymentStatus::Pending
        );
        assert_eq!(
            map_status(Some(0), Some("FAILED"), false),
            PaymentStatus::Unknown("INVALID".into())
        );
        assert_eq!(
            map_status(None, Some("Completed"), false),
            PaymentStatus::Completed
        );
        assert_eq!(map_status(Some(3), None, false), PaymentStatus::Reversed);
    }
}
