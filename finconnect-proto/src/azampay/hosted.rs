//! The hosted checkout page (`PostCheckout`) and the payment-partner list.

use super::checkout::{bounded, checkout_amount, MnoProvider};
use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, HttpsUrl, Money, Operation};
use serde::Serialize;
use serde_json::{json, Value};

/// `POST {checkout}/api/v1/Partner/PostCheckout`: creates a hosted payment page and
/// returns its URL. Sent without a bearer token, as AzamPay's own samples do (the
/// body carries `appName` and `clientId`); `X-API-Key` when configured.
/// **Not idempotent** (each call creates a session for `externalId`).
#[derive(Clone, Debug, PartialEq)]
pub struct PostCheckout {
    vendor_id: String,
    vendor_name: String,
    language: String,
    external_id: String,
    request_origin: String,
    redirect_success: HttpsUrl,
    redirect_fail: HttpsUrl,
    amount: Money,
    items: Vec<String>,
}

impl PostCheckout {
    /// `external_id` (your reference) at most 30 characters; `amount` whole TZS;
    /// `vendor_id` is the `paymentVendorId` of your app; `cart_items` the item
    /// names shown.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        external_id: &str,
        amount: Money,
        vendor_id: &str,
        vendor_name: &str,
        request_origin: &str,
        redirect_success: HttpsUrl,
        redirect_fail: HttpsUrl,
        cart_items: Vec<String>,
    ) -> Result<Self, Error> {
        Ok(PostCheckout {
            vendor_id: bounded("vendorId", vendor_id, 64)?,
            vendor_name: bounded("vendorName", vendor_name, 100)?,
            language: "en".to_owned(),
            external_id: bounded("externalId", external_id, 30)?,
            request_origin: bounded("requestOrigin", request_origin, 200)?,
            redirect_success,
            redirect_fail,
            amount: checkout_amount(amount)?,
            items: cart_items,
        })
    }

    /// The page language (default `en`; AzamPay's samples also use `SW`).
    pub fn with_language(mut self, language: &str) -> Result<Self, Error> {
        self.language = bounded("language", language, 16)?;
        Ok(self)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostBody<'a> {
    app_name: &'a str,
    client_id: &'a str,
    vendor_id: &'a str,
    vendor_name: &'a str,
    language: &'a str,
    currency: &'static str,
    external_id: &'a str,
    request_origin: &'a str,
    #[serde(rename = "redirectSuccessURL")]
    redirect_success_url: &'a str,
    #[serde(rename = "redirectFailURL")]
    redirect_fail_url: &'a str,
    amount: String,
    /// `{"items":[{"name":…},…]}`.
    cart: Value,
}

impl Operation for PostCheckout {
    type Api = AzampayConfig;
    type Output = url::Url;
    const NAME: &'static str = "PostCheckout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;
    const REQUIRES_AUTH: bool = false;

    fn reference(&self) -> Option<String> {
        Some(self.external_id.clone())
    }

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let items: Value = self
            .items
            .iter()
            .map(|name| json!({ "name": name }))
            .collect();
        let body = PostBody {
            app_name: &api.app_name,
            client_id: &api.client_id,
            vendor_id: &self.vendor_id,
            vendor_name: &self.vendor_name,
            language: &self.language,
            currency: "TZS",
            external_id: &self.external_id,
            request_origin: &self.request_origin,
            redirect_success_url: self.redirect_success.as_str(),
            redirect_fail_url: self.redirect_fail.as_str(),
            amount: self.amount.to_plain_string(),
            cart: json!({ "items": items }),
        };
        aw::post(Host::Checkout, "/api/v1/Partner/PostCheckout", &body)
    }

    /// The page URL comes as a bare string or a JSON string; a JSON object is
    /// read as an error envelope, of which only the validation problem and 423
    /// are refusals AzamPay documents.
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<url::Url, Error> {
        let (status, body) = (response.status().as_u16(), response.body());
        let bad = |reason: &dyn std::fmt::Display| {
            Error::decode(aw::context(Self::NAME), reason, body, Some(status))
        };
        let text = std::str::from_utf8(body).map_err(|e| bad(&e))?.trim();
        let url_text = match text.as_bytes().first() {
            Some(b'{' | b'[') => {
                let value = crate::wire::from_json(&aw::context(Self::NAME), &response)?;
                let refusals = aw::Refusals::ValidationOnly;
                aw::check_refusal(Self::NAME, &response, &value, None, refusals)?;
                return Err(bad(&"expected the payment-page URL, got a JSON object"));
            }
            Some(b'"') => serde_json::from_str::<String>(text).map_err(|e| bad(&e))?,
            _ => text.to_owned(),
        };
        if !(200..300).contains(&status) {
            // A bare text answer with an error status is not a refusal AzamPay
            // documents: it proves nothing about the payment page.
            return Err(bad(&format_args!("HTTP {status} with a text answer")));
        }
        (url::Url::parse(url_text.trim()).ok())
            .filter(|url| matches!(url.scheme(), "https" | "http"))
            .ok_or_else(|| bad(&"the payment-page URL is not an http(s) URL"))
    }
}

/// One payment partner (mobile-money operator) enabled for the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPartner {
    /// `id`.
    pub id: Option<String>,
    /// `partnerName` (`Azampesa`, `Airtel`, `HaloPesa`, `Tigopesa`, `vodacom`, …).
    pub partner_name: String,
    /// The checkout `provider` value for this partner, when known.
    pub checkout_provider: Option<MnoProvider>,
    /// `provider` number (airtel 2, tigo 3, halopesa 4, azampesa 5, Mpesa 10).
    pub provider_code: Option<i64>,
    /// `logoUrl`.
    pub logo_url: Option<String>,
    /// `vendorName`.
    pub vendor_name: Option<String>,
    /// `paymentVendorId` (the `vendorId` of [`PostCheckout`]).
    pub payment_vendor_id: Option<String>,
    /// `paymentPartnerId`.
    pub payment_partner_id: Option<String>,
    /// `currency`.
    pub currency: Option<String>,
}

/// `GET {checkout}/api/v1/Partner/GetPaymentPartners` (Bearer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetPaymentPartners;

impl Operation for GetPaymentPartners {
    type Api = AzampayConfig;
    type Output = Vec<PaymentPartner>;
    const NAME: &'static str = "GetPaymentPartners";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _api: &AzampayConfig) -> Result<Parts, Error> {
        Ok(Parts::get(
            Host::Checkout,
            "/api/v1/Partner/GetPaymentPartners",
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Vec<PaymentPartner>, Error> {
        let status = response.status().as_u16();
        let value = crate::wire::from_json(&aw::context(Self::NAME), &response)?;
        aw::check(Self::NAME, status, &value, None)?;
        let Value::Array(items) = value else {
            let message = (value.as_object().and_then(aw::message))
                .unwrap_or_else(|| "expected a list of partners".to_owned());
            return Err(aw::provider(None, message, status));
        };
        let partner = |o: &serde_json::Map<String, Value>| {
            let t = |name: &str| aw::text_of(o, &[name]);
            let name = t("partnerName").unwrap_or_default();
            PaymentPartner {
                id: t("id"),
                checkout_provider: MnoProvider::from_name(&name),
                partner_name: name,
                provider_code: aw::integer(aw::get_ci(o, &["provider"])),
                logo_url: t("logoUrl"),
                vendor_name: t("vendorName"),
                payment_vendor_id: t("paymentVendorId"),
                payment_partner_id: t("paymentPartnerId"),
                currency: t("currency"),
            }
        };
        Ok(items
            .iter()
            .filter_map(Value::as_object)
            .map(partner)
            .collect())
    }
}
