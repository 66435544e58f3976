//! Collections: USSD push, card payments, payment queries and hosted checkout links.

use super::config::ClickpesaConfig;
use super::models::{
    Payment, PaymentAttempts, PaymentLink, PaymentPage, PaymentPreview, PayoutPage,
};
use super::reference::OrderReference;
use super::wire::{amount_string, answer, answer_link, check_amount, without_nulls};
use crate::operation::{Body, Host, Operation, Parts};
use crate::retry::Idempotency;
use crate::{Currency, Error, HttpsUrl, Money, Msisdn};
use serde_json::{json, Value};

/// A collection body: the amount as a decimal string, its currency and the
/// order reference, then the fields of `more` that are not `null`.
fn collection(amount: &Money, order_reference: &OrderReference, more: Value) -> Value {
    let mut body = json!({
        "amount": amount_string(amount),
        "currency": amount.currency().code(),
        "orderReference": order_reference.as_str(),
    });
    if let (Value::Object(body), Value::Object(more)) = (&mut body, without_nulls(more)) {
        body.extend(more);
    }
    body
}

/// `POST /payments/preview-ussd-push-request`: checks amount, reference and phone
/// and lists the methods and fees; no money moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewUssdPush {
    amount: Money,
    order_reference: OrderReference,
    phone: Option<Msisdn>,
    fetch_sender_details: bool,
}

impl PreviewUssdPush {
    /// A preview of a TZS collection.
    pub fn new(amount: Money, order_reference: OrderReference) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS], "USSD push")?;
        Ok(PreviewUssdPush {
            amount,
            order_reference,
            phone: None,
            fetch_sender_details: false,
        })
    }

    /// The payer's number.
    pub fn phone(mut self, phone: Msisdn) -> Self {
        self.phone = Some(phone);
        self
    }

    /// Also return the wallet's name (`fetchSenderDetails`; needs a phone number).
    pub fn fetch_sender_details(mut self, fetch: bool) -> Self {
        self.fetch_sender_details = fetch;
        self
    }

    fn body(&self) -> Value {
        let more = json!({
            "phoneNumber": self.phone.as_ref().map(Msisdn::as_str),
            "fetchSenderDetails": self.fetch_sender_details,
        });
        collection(&self.amount, &self.order_reference, more)
    }
}

impl Operation for PreviewUssdPush {
    type Api = ClickpesaConfig;
    type Output = PaymentPreview;
    const NAME: &'static str = "/payments/preview-ussd-push-request";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(self.body())))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentPreview, Error> {
        answer(self, &response)
    }
}

/// `POST /payments/initiate-ussd-push-request`: sends the PIN prompt to the
/// payer's phone. The answer is normally `PROCESSING`; the outcome arrives by
/// webhook or [`GetPayment`]. Never re-sent automatically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateUssdPush {
    amount: Money,
    order_reference: OrderReference,
    phone: Msisdn,
}

impl InitiateUssdPush {
    /// A USSD push for a TZS amount.
    pub fn new(
        amount: Money,
        order_reference: OrderReference,
        phone: Msisdn,
    ) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS], "USSD push")?;
        Ok(InitiateUssdPush {
            amount,
            order_reference,
            phone,
        })
    }

    /// The JSON body before signing.
    pub fn body(&self) -> Value {
        let more = json!({ "phoneNumber": self.phone.as_str() });
        collection(&self.amount, &self.order_reference, more)
    }
}

impl Operation for InitiateUssdPush {
    type Api = ClickpesaConfig;
    type Output = Payment;
    const NAME: &'static str = "/payments/initiate-ussd-push-request";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(self.body())))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Payment, Error> {
        answer(self, &response)
    }
}

/// `POST /payments/preview-card-payment` (USD only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewCardPayment {
    amount: Money,
    order_reference: OrderReference,
}

impl PreviewCardPayment {
    /// A preview of a USD card payment.
    pub fn new(amount: Money, order_reference: OrderReference) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::USD], "card payment")?;
        Ok(PreviewCardPayment {
            amount,
            order_reference,
        })
    }
}

impl Operation for PreviewCardPayment {
    type Api = ClickpesaConfig;
    type Output = PaymentPreview;
    const NAME: &'static str = "/payments/preview-card-payment";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let body = collection(&self.amount, &self.order_reference, json!({}));
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(body)))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentPreview, Error> {
        answer(self, &response)
    }
}

/// Who pays by card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardCustomer {
    /// A customer ClickPesa already knows, by id.
    Existing {
        /// ClickPesa's customer id.
        id: String,
    },
    /// A new customer. The name must match the card holder's.
    Details {
        /// Full name, as on the card.
        full_name: String,
        /// E-mail address.
        email: String,
        /// Phone number.
        phone: Msisdn,
    },
}

/// `POST /payments/initiate-card-payment`: returns the `cardPaymentLink` to send
/// the payer to. Never re-sent automatically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateCardPayment {
    amount: Money,
    order_reference: OrderReference,
    customer: CardCustomer,
}

impl InitiateCardPayment {
    /// A USD card payment.
    pub fn new(
        amount: Money,
        order_reference: OrderReference,
        customer: CardCustomer,
    ) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::USD], "card payment")?;
        match &customer {
            CardCustomer::Existing { id } if id.trim().is_empty() => {
                return Err(Error::invalid("customer.id", "must not be empty"))
            }
            CardCustomer::Details {
                full_name, email, ..
            } if full_name.trim().is_empty() || !email.contains('@') => {
                return Err(Error::invalid(
                    "customer",
                    "a full name and an e-mail address are required",
                ))
            }
            _ => {}
        }
        Ok(InitiateCardPayment {
            amount,
            order_reference,
            customer,
        })
    }
}

impl Operation for InitiateCardPayment {
    type Api = ClickpesaConfig;
    type Output = PaymentLink;
    const NAME: &'static str = "/payments/initiate-card-payment";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let customer = match &self.customer {
            CardCustomer::Existing { id } => json!({ "id": id }),
            CardCustomer::Details {
                full_name,
                email,
                phone,
            } => json!({
                "fullName": full_name, "email": email, "phoneNumber": phone.as_str(),
            }),
        };
        let more = json!({ "customer": customer });
        let body = collection(&self.amount, &self.order_reference, more);
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(body)))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentLink, Error> {
        answer_link(self, &response, "cardPaymentLink")
    }
}

/// `GET /payments/{orderReference}`: every attempt for a reference; use
/// [`PaymentAttempts::status`] for the order's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPayment {
    order_reference: OrderReference,
}

impl GetPayment {
    /// The query for one order reference.
    pub fn new(order_reference: OrderReference) -> Self {
        GetPayment { order_reference }
    }
}

impl Operation for GetPayment {
    type Api = ClickpesaConfig;
    type Output = PaymentAttempts;
    const NAME: &'static str = "/payments/{orderReference}";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        // An order reference is letters and digits only: a safe path segment.
        let path = format!("/payments/{}", self.order_reference);
        Ok(Parts::get(Host::Api, path))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentAttempts, Error> {
        answer(self, &response).map(|attempts| PaymentAttempts { attempts })
    }
}

/// Sort direction of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest first.
    Asc,
    /// Newest first (ClickPesa's default).
    Desc,
}

/// Filters and paging of `GET /payments/all` and `GET /payouts/all`. Dates are
/// `YYYY-MM-DD`. Unset filters are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListFilter {
    /// From this date (`YYYY-MM-DD`).
    pub start_date: Option<String>,
    /// Up to this date (`YYYY-MM-DD`).
    pub end_date: Option<String>,
    /// Only this status word (`SUCCESS`, `FAILED`, …).
    pub status: Option<String>,
    /// Only this currency (`collectedCurrency` for payments, `currency` for payouts).
    pub currency: Option<Currency>,
    /// Only this channel.
    pub channel: Option<String>,
    /// Only this order reference.
    pub order_reference: Option<OrderReference>,
    /// Sort field (ClickPesa's default `createdAt`).
    pub sort_by: Option<String>,
    /// Sort direction (default newest first).
    pub order_by: Option<SortOrder>,
    /// Skip this many records.
    pub skip: Option<u32>,
    /// At most this many records (ClickPesa's default 20).
    pub limit: Option<u32>,
}

impl ListFilter {
    /// No filters: the first page with ClickPesa's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A page: skip `skip` records, return at most `limit`.
    pub fn page(mut self, skip: u32, limit: u32) -> Self {
        self.skip = Some(skip);
        self.limit = Some(limit);
        self
    }

    /// Between two dates (`YYYY-MM-DD`, checked).
    pub fn dates(mut self, start: &str, end: &str) -> Result<Self, Error> {
        for (field, d) in [("startDate", start), ("endDate", end)] {
            let b = d.as_bytes();
            let ok = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            if !ok {
                return Err(Error::invalid(
                    field,
                    format!("{d:?} is not a YYYY-MM-DD date"),
                ));
            }
        }
        self.start_date = Some(start.to_owned());
        self.end_date = Some(end.to_owned());
        Ok(self)
    }

    /// Only this status word.
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Only this currency.
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = Some(currency);
        self
    }

    /// Only this order reference.
    pub fn order_reference(mut self, reference: OrderReference) -> Self {
        self.order_reference = Some(reference);
        self
    }

    /// Sort direction.
    pub fn order_by(mut self, order: SortOrder) -> Self {
        self.order_by = Some(order);
        self
    }

    /// Adds the filters that are set to `parts`; `currency_key` names the
    /// currency filter.
    fn query(&self, mut parts: Parts, currency_key: &str) -> Parts {
        let order_by = self.order_by.map(|o| match o {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        });
        let pairs = [
            ("startDate", self.start_date.clone()),
            ("endDate", self.end_date.clone()),
            ("status", self.status.clone()),
            (currency_key, self.currency.map(|c| c.code().to_owned())),
            ("channel", self.channel.clone()),
            (
                "orderReference",
                self.order_reference.as_ref().map(|r| r.to_string()),
            ),
            ("sortBy", self.sort_by.clone()),
            ("orderBy", order_by.map(str::to_owned)),
            ("skip", self.skip.map(|s| s.to_string())),
            ("limit", self.limit.map(|s| s.to_string())),
        ];
        for (key, value) in pairs {
            if let Some(value) = value {
                parts = parts.query(key, value);
            }
        }
        parts
    }
}

/// `GET /payments/all`: one page of payments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPayments {
    filter: ListFilter,
}

impl ListPayments {
    /// A page of payments matching `filter`.
    pub fn new(filter: ListFilter) -> Self {
        ListPayments { filter }
    }
}

impl Operation for ListPayments {
    type Api = ClickpesaConfig;
    type Output = PaymentPage;
    const NAME: &'static str = "/payments/all";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let parts = Parts::get(Host::Api, Self::NAME);
        Ok(self.filter.query(parts, "collectedCurrency"))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentPage, Error> {
        answer(self, &response)
    }
}

/// `GET /payouts/all`: one page of payouts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPayouts {
    filter: ListFilter,
}

impl ListPayouts {
    /// A page of payouts matching `filter`.
    pub fn new(filter: ListFilter) -> Self {
        ListPayouts { filter }
    }
}

impl Operation for ListPayouts {
    type Api = ClickpesaConfig;
    type Output = PayoutPage;
    const NAME: &'static str = "/payouts/all";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let parts = Parts::get(Host::Api, Self::NAME);
        Ok(self.filter.query(parts, "currency"))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PayoutPage, Error> {
        answer(self, &response)
    }
}

/// One line of a checkout order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutItem {
    /// What is sold.
    pub name: String,
    /// Unit price.
    pub price: Money,
    /// How many.
    pub quantity: u32,
}

/// What a checkout link charges: a total, or items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckoutAmount {
    /// `totalPrice`.
    Total(Money),
    /// `orderItems` (ClickPesa adds them up).
    Items(Vec<CheckoutItem>),
}

/// `POST /checkout-link/generate-checkout-url`: a hosted checkout page for an
/// order (TZS or USD). After paying, the customer returns to the Return URL set
/// on the application in the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateCheckoutLink {
    order_reference: OrderReference,
    amount: CheckoutAmount,
    currency: Currency,
    customer_name: Option<String>,
    customer_email: Option<String>,
    customer_phone: Option<Msisdn>,
    description: Option<String>,
    callback_url: Option<HttpsUrl>,
}

impl GenerateCheckoutLink {
    /// A checkout link for `amount`.
    pub fn new(amount: CheckoutAmount, order_reference: OrderReference) -> Result<Self, Error> {
        let currency = match &amount {
            CheckoutAmount::Total(m) => {
                check_amount(m, &[Currency::TZS, Currency::USD], "checkout link")?;
                m.currency()
            }
            CheckoutAmount::Items(items) => {
                let first = items
                    .first()
                    .ok_or_else(|| Error::invalid("orderItems", "at least one item is required"))?;
                for item in items {
                    check_amount(
                        &item.price,
                        &[Currency::TZS, Currency::USD],
                        "checkout link",
                    )?;
                    if item.price.currency() != first.price.currency() {
                        return Err(Error::invalid(
                            "orderItems",
                            "all items must be in one currency",
                        ));
                    }
                    if item.name.trim().is_empty() || item.quantity == 0 {
                        return Err(Error::invalid(
                            "orderItems",
                            "every item needs a name and a quantity above zero",
                        ));
                    }
                }
                first.price.currency()
            }
        };
        Ok(GenerateCheckoutLink {
            order_reference,
            amount,
            currency,
            customer_name: None,
            customer_email: None,
            customer_phone: None,
            description: None,
            callback_url: None,
        })
    }

    /// The customer's name, e-mail and phone, prefilled on the page.
    pub fn customer(
        mut self,
        name: Option<String>,
        email: Option<String>,
        phone: Option<Msisdn>,
    ) -> Self {
        self.customer_name = name;
        self.customer_email = email;
        self.customer_phone = phone;
        self
    }

    /// An order description (field name from third-party integrations).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A URL ClickPesa POSTs to when this link is paid (`callbackUrl`).
    pub fn callback_url(mut self, url: HttpsUrl) -> Self {
        self.callback_url = Some(url);
        self
    }

    fn body(&self) -> Value {
        let (total, items) = match &self.amount {
            CheckoutAmount::Total(total) => (Some(amount_string(total)), None),
            CheckoutAmount::Items(items) => {
                let items: Vec<Value> = items
                    .iter()
                    .map(|i| json!({"name": i.name, "price": amount_string(&i.price), "quantity": i.quantity}))
                    .collect();
                (None, Some(items))
            }
        };
        without_nulls(json!({
            "totalPrice": total,
            "orderItems": items,
            "orderReference": self.order_reference.as_str(),
            "orderCurrency": self.currency.code(),
            "customerName": self.customer_name,
            "customerEmail": self.customer_email,
            "customerPhone": self.customer_phone.as_ref().map(Msisdn::as_str),
            "description": self.description,
            "callbackUrl": self.callback_url.as_ref().map(HttpsUrl::as_str),
        }))
    }
}

impl Operation for GenerateCheckoutLink {
    type Api = ClickpesaConfig;
    type Output = PaymentLink;
    const NAME: &'static str = "/checkout-link/generate-checkout-url";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(self.body())))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentLink, Error> {
        answer_link(self, &response, "checkoutLink")
    }
}
