//! `POST /api/Transactions/SubmitOrderRequest`.

use super::config::PesapalConfig;
use super::fields::{self, ErrorField, Field, FieldwiseObject};
use super::ipn_setup::{check_url, IpnId};
use super::wire::{self, Answer, Envelope};
use crate::operation::{Body, Host, Parts};
use crate::retry::Idempotency;
use crate::{Description, Error, MerchantReference, Money, Operation};
use serde::de::MapAccess;
use serde::Serialize;
use std::fmt;

/// PesaPal's id for an order (`order_tracking_id`, a GUID): the key for status,
/// cancellation and IPN correlation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderTrackingId(String);

impl OrderTrackingId {
    /// Wraps a tracking id: non-empty, at most 200 characters, no control
    /// characters (not checked to be a GUID).
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        if value.trim().is_empty() || value.chars().count() > 200 {
            return Err(Error::invalid(
                "order_tracking_id",
                "must be the non-empty order_tracking_id PesaPal returned (at most 200 characters)",
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::invalid(
                "order_tracking_id",
                "holds control characters",
            ));
        }
        Ok(OrderTrackingId(value))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OrderTrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrderTrackingId({:?})", self.0)
    }
}

impl fmt::Display for OrderTrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where `callback_url` loads when the checkout runs in an iframe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectMode {
    /// `TOP_WINDOW` (PesaPal's default).
    TopWindow,
    /// `PARENT_WINDOW`.
    ParentWindow,
}

impl RedirectMode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectMode::TopWindow => "TOP_WINDOW",
            RedirectMode::ParentWindow => "PARENT_WINDOW",
        }
    }
}

/// How often a recurring payment runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// `DAILY`.
    Daily,
    /// `WEEKLY`.
    Weekly,
    /// `MONTHLY`.
    Monthly,
    /// `YEARLY`.
    Yearly,
}

impl Frequency {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }
}

/// Pre-filled recurring terms (cards only; the customer must still accept them).
/// Dates go on the wire as `dd-MM-yyyy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubscriptionDetails {
    /// First charge.
    pub start_date: time::Date,
    /// Last charge (not before `start_date`).
    pub end_date: time::Date,
    /// How often.
    pub frequency: Frequency,
}

/// Formats a date as PesaPal's `dd-MM-yyyy`.
pub fn format_dd_mm_yyyy(date: time::Date) -> String {
    format!(
        "{:02}-{:02}-{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// The customer's billing details. PesaPal needs `email_address` or
/// `phone_number`; everything else is optional and left out when `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BillingAddress {
    /// E-mail (required if there is no phone number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Phone number (required if there is no e-mail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `KE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Address line 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_1: Option<String>,
    /// Address line 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_2: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State (at most 3 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ZIP code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
}

impl BillingAddress {
    /// An address with only an e-mail.
    pub fn email(email: impl Into<String>) -> Self {
        BillingAddress {
            email_address: Some(email.into()),
            ..Self::default()
        }
    }

    /// An address with only a phone number.
    pub fn phone(phone: impl Into<String>) -> Self {
        BillingAddress {
            phone_number: Some(phone.into()),
            ..Self::default()
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let present = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !present(&self.email_address) && !present(&self.phone_number) {
            return Err(Error::invalid(
                "billing_address",
                "needs email_address or phone_number",
            ));
        }
        if let Some(email) = self.email_address.as_deref().filter(|s| !s.is_empty()) {
            if !email.contains('@') || email.chars().any(char::is_whitespace) {
                return Err(Error::invalid(
                    "billing_address.email_address",
                    "is not an e-mail address",
                ));
            }
        }
        if let Some(state) = &self.state {
            if state.chars().count() > 3 {
                return Err(Error::invalid(
                    "billing_address.state",
                    "PesaPal accepts at most 3 characters",
                ));
            }
        }
        if let Some(cc) = self.country_code.as_deref().filter(|s| !s.is_empty()) {
            if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(Error::invalid(
                    "billing_address.country_code",
                    "must be an upper-case ISO 3166-1 alpha-2 code such as KE",
                ));
            }
        }
        Ok(())
    }
}

/// A checkout order. `ipn_id` is not part of it: [`SubmitOrder::new`] takes it
/// as a required argument, so it can never be dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// Your unique reference (`id`, 1–50 of `[A-Za-z0-9-_.:]`).
    pub reference: MerchantReference,
    /// The amount and currency (> 0, at most 2 decimals).
    pub amount: Money,
    /// Shown to the customer (≤ 100 characters).
    pub description: Description,
    /// Where the customer's browser goes after paying.
    pub callback_url: url::Url,
    /// Where the customer goes after cancelling in the checkout.
    pub cancellation_url: Option<url::Url>,
    /// Store or branch credited.
    pub branch: Option<String>,
    /// Which window `callback_url` loads in.
    pub redirect_mode: Option<RedirectMode>,
    /// Billing details.
    pub billing_address: BillingAddress,
    /// Enables the recurring opt-in; RECURRING IPNs then carry it as the merchant
    /// reference.
    pub account_number: Option<String>,
    /// Pre-filled recurring terms.
    pub subscription_details: Option<SubscriptionDetails>,
}

impl Order {
    /// An order with the required fields; set the optional ones on the value.
    pub fn new(
        reference: MerchantReference,
        amount: Money,
        description: Description,
        callback_url: &str,
        billing_address: BillingAddress,
    ) -> Result<Self, Error> {
        let callback_url = url::Url::parse(callback_url.trim()).map_err(|e| {
            Error::invalid(
                "callback_url",
                format!("{callback_url:?} is not a URL: {e}"),
            )
        })?;
        Ok(Order {
            reference,
            amount,
            description,
            callback_url,
            cancellation_url: None,
            branch: None,
            redirect_mode: None,
            billing_address,
            account_number: None,
            subscription_details: None,
        })
    }

    /// Checks PesaPal's rules that the types do not already guarantee: an amount
    /// above zero with at most 2 decimals, an e-mail or a phone number, a state of
    /// at most 3 characters, an upper-case country code, no empty optional text,
    /// and recurring terms only with an account number.
    pub fn validate(&self) -> Result<(), Error> {
        if !self.amount.is_positive() {
            return Err(Error::invalid("amount", "must be above zero"));
        }
        if self.amount.currency().exponent() > 2 {
            return Err(Error::invalid(
                "amount",
                "PesaPal takes at most 2 decimal places",
            ));
        }
        self.billing_address.validate()?;
        if let Some(branch) = &self.branch {
            if branch.trim().is_empty() {
                return Err(Error::invalid("branch", "is empty; leave it out instead"));
            }
        }
        if let Some(account) = &self.account_number {
            if account.trim().is_empty() {
                return Err(Error::invalid(
                    "account_number",
                    "is empty; leave it out instead",
                ));
            }
        }
        if let Some(sub) = &self.subscription_details {
            if sub.end_date < sub.start_date {
                return Err(Error::invalid(
                    "subscription_details.end_date",
                    "is before start_date",
                ));
            }
            if self.account_number.is_none() {
                return Err(Error::invalid(
                    "subscription_details",
                    "needs account_number (recurring payments are keyed by it)",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct SubscriptionBody {
    start_date: String,
    end_date: String,
    frequency: &'static str,
}

#[derive(Serialize)]
struct OrderBody<'a> {
    id: &'a str,
    currency: &'a str,
    amount: Box<serde_json::value::RawValue>,
    description: &'a str,
    callback_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_url: Option<&'a str>,
    notification_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_mode: Option<&'static str>,
    billing_address: &'a BillingAddress,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_details: Option<SubscriptionBody>,
}

/// Creates a checkout for an order; the customer pays at the returned
/// `redirect_url` (use it as it is; never build it).
///
/// Non-idempotent: never re-sent once it may have reached PesaPal. A lost answer,
/// any 5xx, or an answer that is neither an order nor a documented refusal is
/// [`Error::OutcomeUnknown`] carrying the merchant reference. An unregistered or other-environment `ipn_id` answers
/// `InvalidIpnId`, reported as [`Error::Provider`] with a hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitOrder {
    order: Order,
    ipn_id: IpnId,
}

impl SubmitOrder {
    /// An order submission notified to `ipn_id` (from RegisterIpn, same
    /// credentials, same environment).
    pub fn new(order: Order, ipn_id: IpnId) -> Self {
        SubmitOrder { order, ipn_id }
    }

    /// The order.
    pub fn order(&self) -> &Order {
        &self.order
    }

    /// The IPN id it is notified to.
    pub fn ipn_id(&self) -> &IpnId {
        &self.ipn_id
    }
}

/// PesaPal's answer to an order submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedOrder {
    /// PesaPal's id for the order.
    pub order_tracking_id: OrderTrackingId,
    /// Your `id`, echoed (empty if PesaPal left it out).
    pub merchant_reference: String,
    /// Send the customer here (or embed it in an iframe), exactly as given.
    pub redirect_url: String,
}

impl Operation for SubmitOrder {
    type Api = PesapalConfig;
    type Output = SubmittedOrder;
    const NAME: &'static str = "SubmitOrderRequest";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order.reference.as_str().to_owned())
    }

    /// Validates the order and its URLs, then writes the body.
    fn request(&self, api: &PesapalConfig) -> Result<Parts, Error> {
        let o = &self.order;
        o.validate()?;
        check_url("callback_url", &o.callback_url, api.policy())?;
        if let Some(u) = &o.cancellation_url {
            check_url("cancellation_url", u, api.policy())?;
        }
        let body = crate::wire::to_json(&OrderBody {
            id: o.reference.as_str(),
            currency: o.amount.currency().code(),
            amount: o.amount.to_json_number(),
            description: o.description.as_str(),
            callback_url: o.callback_url.as_str(),
            cancellation_url: o.cancellation_url.as_ref().map(url::Url::as_str),
            notification_id: self.ipn_id.as_str(),
            branch: o.branch.as_deref(),
            redirect_mode: o.redirect_mode.map(RedirectMode::as_str),
            billing_address: &o.billing_address,
            account_number: o.account_number.as_deref(),
            subscription_details: o.subscription_details.map(|s| SubscriptionBody {
                start_date: format_dd_mm_yyyy(s.start_date),
                end_date: format_dd_mm_yyyy(s.end_date),
                frequency: s.frequency.as_str(),
            }),
        })?;
        let path = "/api/Transactions/SubmitOrderRequest";
        Ok(Parts::post(Host::Api, path, Body::Bytes(body)))
    }

    /// The order, a documented refusal (an error object with a code PesaPal
    /// documents, such as `InvalidIpnId`), or a decode error for anything else
    /// (which the driver reports as [`Error::OutcomeUnknown`]).
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<SubmittedOrder, Error> {
        // A JSON object is read in one pass; anything else by the `Value` reader.
        match fields::object_body::<OrderAnswer>(response.body()) {
            Ok(body) => read_order_fields(&response, body),
            Err(_) => read_order_value(&response),
        }
    }
}

/// SubmitOrderRequest's answer fields (see [`fields`]).
#[derive(Default)]
struct OrderAnswer {
    status: Field,
    error: ErrorField,
    message: Field,
    /// ASP.NET's `Message`.
    upper_message: Field,
    order_tracking_id: Field,
    merchant_reference: Field,
    redirect_url: Field,
}

impl FieldwiseObject for OrderAnswer {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "error" => {
                self.error = map.next_value()?;
                return Ok(());
            }
            "status" => &mut self.status,
            "message" => &mut self.message,
            "Message" => &mut self.upper_message,
            "order_tracking_id" => &mut self.order_tracking_id,
            "merchant_reference" => &mut self.merchant_reference,
            "redirect_url" => &mut self.redirect_url,
            _ => return map.next_value::<fields::Skip>().map(drop),
        };
        *slot = map.next_value()?;
        Ok(())
    }
}

/// Reads a SubmitOrderRequest answer whose body is a JSON object, read already.
fn read_order_fields(
    response: &http::Response<Vec<u8>>,
    body: OrderAnswer,
) -> Result<SubmittedOrder, Error> {
    let answer = Answer::unread(SubmitOrder::NAME, response, false);
    answer.check_refusal_with(Envelope {
        error: body.error.into_api_error(),
        status: body.status.into_text().map(|s| s.trim().to_owned()),
        message: body.message.into_text(),
        upper_message: body.upper_message.into_text(),
    })?;
    let required = |field: Field, key: &str| {
        field
            .into_non_empty()
            .ok_or_else(|| answer.bad(format!("`{key}` is missing or empty")))
    };
    let tracking = required(body.order_tracking_id, "order_tracking_id")?;
    Ok(SubmittedOrder {
        order_tracking_id: OrderTrackingId::new(tracking).map_err(|e| answer.bad(e))?,
        merchant_reference: body.merchant_reference.into_text().unwrap_or_default(),
        redirect_url: required(body.redirect_url, "redirect_url")?,
    })
}

/// Reads a SubmitOrderRequest answer as a `serde_json::Value`: for bodies that
/// are not a JSON object (and, in tests, to check [`read_order_fields`]).
pub(crate) fn read_order_value(
    response: &http::Response<Vec<u8>>,
) -> Result<SubmittedOrder, Error> {
    let answer = Answer::parse(SubmitOrder::NAME, response, false)?;
    answer.check_refusal()?;
    let tracking = answer.required("order_tracking_id")?;
    Ok(SubmittedOrder {
        order_tracking_id: OrderTrackingId::new(tracking).map_err(|e| answer.bad(e))?,
        merchant_reference: wire::text(&answer.v, "merchant_reference").unwrap_or_default(),
        redirect_url: answer.required("redirect_url")?,
    })
}
