//! The hosted checkout page (`PostCheckout`) and the payment-partner list.

use super::checkout::{bounded, checkout_amount, MnoProvider};
use super::wire::{self as aw, Host};
use super::AzampayConfig;
use crate::retry::Idempotency;
use crate::{wire, AccessToken, Error, HttpsUrl, Money, Operation, Provider};
use http::Method;
use serde::Serialize;
use serde_json::Value;

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
    /// `vendor_id` is the `paymentVendorId` of your app; `external_id` at most 30
    /// characters; `amount` whole TZS; `cart_items` the item names shown.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        vendor_id: &str,
        vendor_name: &str,
        external_id: &str,
        request_origin: &str,
        redirect_success: HttpsUrl,
        redirect_fail: HttpsUrl,
        amount: Money,
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
struct Item<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Cart<'a> {
    items: Vec<Item<'a>>,
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
    cart: Cart<'a>,
}

impl Operation for PostCheckout {
    type Api = AzampayConfig;
    type Output = url::Url;
    const NAME: &'static str = "PostCheckout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn requires_auth(&self) -> bool {
        false
    }

    fn reference(&self) -> Option<String> {
        Some(self.external_id.clone())
    }

    fn to_request(
        &self,
        api: &AzampayConfig,
        _token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let body = wire::to_json(&PostBody {
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
            cart: Cart {
                items: self.items.iter().map(|n| Item { name: n }).collect(),
            },
        })?;
        aw::request(
            api,
            Method::POST,
            Host::Checkout,
            "/api/v1/Partner/PostCheckout",
            None,
            Some(body),
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<url::Url, Error> {
        parse_post_checkout(&response)
    }
}

/// Reads PostCheckout's answer: the page URL as a bare string or a JSON string;
/// a JSON object is read as an error envelope.
pub(crate) fn parse_post_checkout(response: &http::Response<Vec<u8>>) -> Result<url::Url, Error> {
    let status = response.status().as_u16();
    let body = response.body();
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::decode("AzamPay PostCheckout answer", e, body, Some(status)))?
        .trim();
    if text.starts_with('{') || text.starts_with('[') {
        let value = aw::parse("AzamPay PostCheckout answer", response)?;
        aw::check_refusal(
            "AzamPay PostCheckout answer",
            PostCheckout::NAME,
            response,
            &value,
            None,
            aw::Refusals::ValidationOnly,
        )?;
        return Err(Error::decode(
            "AzamPay PostCheckout answer",
            "expected the payment-page URL, got a JSON object",
            body,
            Some(status),
        ));
    }
    let url_text = if text.starts_with('"') {
        serde_json::from_str::<String>(text)
            .map_err(|e| Error::decode("AzamPay PostCheckout answer", e, body, Some(status)))?
    } else {
        text.to_owned()
    };
    if !(200..300).contains(&status) {
        // A bare text answer with an error status is not a refusal AzamPay
        // documents: it proves nothing about the payment page.
        return Err(Error::decode(
            "AzamPay PostCheckout answer",
            format!("HTTP {status} with a text answer"),
            body,
            Some(status),
        ));
    }
    let url = url::Url::parse(url_text.trim()).map_err(|e| {
        Error::decode(
            "AzamPay PostCheckout answer",
            format!("not a URL: {e}"),
            body,
            Some(status),
        )
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::decode(
            "AzamPay PostCheckout answer",
            "the payment-page URL is not http(s)",
            body,
            Some(status),
        ));
    }
    Ok(url)
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

    fn to_request(
        &self,
        api: &AzampayConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        aw::request(
            api,
            Method::GET,
            Host::Checkout,
            "/api/v1/Partner/GetPaymentPartners",
            token,
            None,
        )
    }

    fn from_response(
        &self,
        response: http::Response<Vec<u8>>,
    ) -> Result<Vec<PaymentPartner>, Error> {
        let status = response.status().as_u16();
        let value = aw::parse("AzamPay payment partners", &response)?;
        aw::check(Self::NAME, status, &value, None)?;
        let items = match &value {
            Value::Array(items) => items,
            _ => {
                return Err(Error::Provider {
                    provider: Provider::Azampay,
                    code: None,
                    message: value
                        .as_object()
                        .and_then(aw::message)
                        .unwrap_or_else(|| "expected a list of partners".to_owned()),
                    http_status: Some(status),
                    hint: None,
                })
            }
        };
        Ok(items
            .iter()
            .filter_map(Value::as_object)
            .map(|o| {
                let name = aw::text(aw::get_ci(o, &["partnerName"])).unwrap_or_default();
                PaymentPartner {
                    id: aw::text(aw::get_ci(o, &["id"])),
                    checkout_provider: MnoProvider::from_name(&name),
                    partner_name: name,
                    provider_code: aw::integer(aw::get_ci(o, &["provider"])),
                    logo_url: aw::text(aw::get_ci(o, &["logoUrl"])),
                    vendor_name: aw::text(aw::get_ci(o, &["vendorName"])),
                    payment_vendor_id: aw::text(aw::get_ci(o, &["paymentVendorId"])),
                    payment_partner_id: aw::text(aw::get_ci(o, &["paymentPartnerId"])),
                    currency: aw::text(aw::get_ci(o, &["currency"])),
                }
            })
            .collect())
    }
}
