//! MNO (mobile-money push) and bank (OTP) checkout.

use super::config::AmountEncoding;
use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Currency, Error, Money, Msisdn, Operation, Secret};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

/// The largest checkout amount AzamPay accepts, in shillings.
pub const MAX_CHECKOUT_TZS: i64 = 5_000_000;
/// The largest serialised `additionalProperties` AzamPay accepts, in bytes.
pub const MAX_ADDITIONAL_PROPERTIES: usize = 4096;

/// A mobile-money operator, as the MNO checkout's `provider` field spells it.
/// The `finconnect` facade's payments name their operator with it too (AzamPay
/// needs it; PesaPal and ClickPesa find the operator themselves).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MnoProvider {
    /// Airtel Money.
    Airtel,
    /// Tigo Pesa (now "Mixx by Yas"; the value stays `Tigo`).
    Tigo,
    /// HaloPesa.
    Halopesa,
    /// AzamPesa.
    Azampesa,
    /// Vodacom M-Pesa.
    Mpesa,
}

impl MnoProvider {
    /// All operators.
    pub const ALL: [MnoProvider; 5] = [
        MnoProvider::Airtel,
        MnoProvider::Tigo,
        MnoProvider::Halopesa,
        MnoProvider::Azampesa,
        MnoProvider::Mpesa,
    ];

    /// The wire spelling (`Airtel`, `Tigo`, `Halopesa`, `Azampesa`, `Mpesa`).
    pub fn as_str(self) -> &'static str {
        match self {
            MnoProvider::Airtel => "Airtel",
            MnoProvider::Tigo => "Tigo",
            MnoProvider::Halopesa => "Halopesa",
            MnoProvider::Azampesa => "Azampesa",
            MnoProvider::Mpesa => "Mpesa",
        }
    }

    /// Reads an operator name case-insensitively, including the partner names the
    /// partners list uses (`Tigopesa`, `HaloPesa`, `vodacom`, `MPesa`).
    pub fn from_name(name: &str) -> Option<MnoProvider> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "airtel" | "airtelmoney" => MnoProvider::Airtel,
            "tigo" | "tigopesa" | "mixx" | "mixxbyyas" | "yas" => MnoProvider::Tigo,
            "halopesa" | "halotel" => MnoProvider::Halopesa,
            "azampesa" => MnoProvider::Azampesa,
            "mpesa" | "vodacom" | "vodacommpesa" => MnoProvider::Mpesa,
            _ => return None,
        })
    }
}

impl fmt::Display for MnoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bank for OTP bank checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BankProvider {
    /// CRDB Bank (OTP from SimBanking `*150*03#`).
    Crdb,
    /// NMB Bank (OTP from `*150*66#`).
    Nmb,
}

impl BankProvider {
    /// The wire spelling (`CRDB`, `NMB`).
    pub fn as_str(self) -> &'static str {
        match self {
            BankProvider::Crdb => "CRDB",
            BankProvider::Nmb => "NMB",
        }
    }
}

/// AzamPay's answer to an accepted checkout: the push or debit is under way; the
/// outcome comes by callback or status query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutAccepted {
    /// AzamPay's transaction id (`transactionId` or `data.properties.ReferenceID`);
    /// `None` when absent, `null` or `"null"`. It comes back in the callback as
    /// `transid`.
    pub transaction_id: Option<String>,
    /// AzamPay's message (`message` or `msg`).
    pub message: Option<String>,
}

/// Checks an amount: TZS, whole shillings, 1 to 5 000 000.
pub(crate) fn checkout_amount(amount: Money) -> Result<Money, Error> {
    if amount.currency() != Currency::TZS {
        return Err(Error::invalid(
            "amount",
            format!("AzamPay only takes TZS, got {}", amount.currency()),
        ));
    }
    let scale = 10i64.pow(u32::from(Currency::TZS.exponent()));
    if amount.minor_units() % scale != 0 {
        return Err(Error::invalid(
            "amount",
            format!("{amount} has cents; AzamPay takes whole shillings"),
        ));
    }
    let major = amount.minor_units() / scale;
    if !(1..=MAX_CHECKOUT_TZS).contains(&major) {
        return Err(Error::invalid(
            "amount",
            format!("{amount} is outside 1 to {MAX_CHECKOUT_TZS} TZS"),
        ));
    }
    Ok(amount)
}

/// The amount as the configured encoding writes it.
pub(crate) fn amount_value(amount: Money, encoding: AmountEncoding) -> Value {
    match encoding {
        AmountEncoding::String => Value::String(amount.to_plain_string()),
        AmountEncoding::Number => serde_json::from_str(amount.to_json_number().get())
            .unwrap_or_else(|_| Value::String(amount.to_plain_string())),
    }
}

/// A Tanzanian MSISDN: accepts `255xxxxxxxxx`, `0xxxxxxxxx`, `xxxxxxxxx` (spaces
/// and a leading `+` are tolerated) and always sends `255xxxxxxxxx`.
pub(crate) fn tz_msisdn(field: &str, raw: &str) -> Result<String, Error> {
    let m = Msisdn::parse(raw, "255").map_err(|e| match e {
        Error::Invalid { reason, .. } => Error::invalid(field, reason),
        other => other,
    })?;
    let s = m.as_str();
    if s.len() != 12 || !s.starts_with("255") {
        return Err(Error::invalid(
            field,
            "a Tanzanian mobile number: 255xxxxxxxxx, 0xxxxxxxxx or xxxxxxxxx",
        ));
    }
    Ok(s.to_owned())
}

pub(crate) fn bounded(field: &str, value: &str, max: usize) -> Result<String, Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("at most {max} characters, got {}", value.chars().count()),
        ));
    }
    Ok(value.to_owned())
}

pub(crate) fn additional(props: Map<String, Value>) -> Result<Map<String, Value>, Error> {
    let size = serde_json::to_vec(&props)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_ADDITIONAL_PROPERTIES {
        return Err(Error::invalid(
            "additionalProperties",
            format!("{size} bytes serialised; AzamPay accepts at most {MAX_ADDITIONAL_PROPERTIES}"),
        ));
    }
    Ok(props)
}

/// Reads a checkout answer (MNO or bank): `transactionId`, at the top or in
/// `data` (`data.transactionId` or `data.properties.ReferenceID`).
fn accepted(
    operation: &'static str,
    response: &http::Response<Vec<u8>>,
    reference: Option<&str>,
) -> Result<CheckoutAccepted, Error> {
    let obj = aw::accepted(operation, response, reference)?;
    let nested = aw::object_of(&obj, "data").and_then(|d| {
        aw::text_of(d, &["transactionId"]).or_else(|| {
            aw::object_of(d, "properties").and_then(|p| aw::text_of(p, &["ReferenceID"]))
        })
    });
    Ok(CheckoutAccepted {
        transaction_id: aw::text_of(&obj, &["transactionId"]).or(nested),
        message: aw::message(&obj),
    })
}

/// `POST {checkout}/azampay/mno/checkout`: a mobile-money push to the payer.
/// **Not idempotent** — never re-sent automatically; after a timeout, query the
/// status of the `externalId`.
///
/// ```
/// use finconnect_proto::azampay::{MnoCheckout, MnoProvider};
/// use finconnect_proto::{Currency, Money};
/// let op = MnoCheckout::new("ORD-123", Money::from_major(2000, Currency::TZS)?, "0712 345 678", MnoProvider::Airtel)?;
/// assert_eq!(op.account_number(), "255712345678");
/// assert!(MnoCheckout::new("X", Money::from_major(6_000_000, Currency::TZS)?, "0712345678", MnoProvider::Tigo).is_err());
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MnoCheckout {
    account_number: String,
    amount: Money,
    external_id: String,
    provider: MnoProvider,
    additional_properties: Option<Map<String, Value>>,
}

impl MnoCheckout {
    /// Checks and builds the request: `external_id` (your reference, returned in
    /// the callback as `utilityref`) 1–128 characters, `amount` whole TZS between
    /// 1 and 5 000 000, `account_number` the payer's Tanzanian MSISDN.
    pub fn new(
        external_id: &str,
        amount: Money,
        account_number: &str,
        provider: MnoProvider,
    ) -> Result<Self, Error> {
        Ok(MnoCheckout {
            account_number: tz_msisdn("accountNumber", account_number)?,
            amount: checkout_amount(amount)?,
            external_id: bounded("externalId", external_id, 128)?,
            provider,
            additional_properties: None,
        })
    }

    /// Free-form properties echoed back in the callback (≤ 4096 bytes serialised).
    pub fn with_additional_properties(mut self, props: Map<String, Value>) -> Result<Self, Error> {
        self.additional_properties = Some(additional(props)?);
        Ok(self)
    }

    /// The payer's number as sent.
    pub fn account_number(&self) -> &str {
        &self.account_number
    }

    /// Your reference.
    pub fn external_id(&self) -> &str {
        &self.external_id
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MnoBody<'a> {
    account_number: &'a str,
    amount: Value,
    currency: &'static str,
    external_id: &'a str,
    provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_properties: Option<&'a Map<String, Value>>,
}

impl Operation for MnoCheckout {
    type Api = AzampayConfig;
    type Output = CheckoutAccepted;
    const NAME: &'static str = "mno/checkout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.external_id.clone())
    }

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let body = MnoBody {
            account_number: &self.account_number,
            amount: amount_value(self.amount, api.amount_encoding),
            currency: "TZS",
            external_id: &self.external_id,
            provider: self.provider.as_str(),
            additional_properties: self.additional_properties.as_ref(),
        };
        aw::post(Host::Checkout, "/azampay/mno/checkout", &body)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<CheckoutAccepted, Error> {
        accepted(Self::NAME, &response, Some(&self.external_id))
    }
}

/// `POST {checkout}/azampay/bank/checkout`: debit a CRDB or NMB account with the
/// OTP the payer got from the bank. **Not idempotent.** `Debug` hides the OTP.
#[derive(Clone, Debug, PartialEq)]
pub struct BankCheckout {
    amount: Money,
    merchant_account_number: String,
    merchant_mobile_number: String,
    merchant_name: Option<String>,
    otp: Secret,
    provider: BankProvider,
    reference_id: Option<String>,
    additional_properties: Option<Map<String, Value>>,
}

impl BankCheckout {
    /// `account_number` is the **payer's** bank account (AzamPay calls it
    /// `merchantAccountNumber`), `mobile_number` the number notified, `otp` the
    /// one-time password the payer got from the bank. Your reference is optional
    /// ([`BankCheckout::with_reference`]).
    pub fn new(
        amount: Money,
        account_number: &str,
        mobile_number: &str,
        provider: BankProvider,
        otp: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let otp = otp.into();
        if otp.expose().trim().is_empty() {
            return Err(Error::invalid("otp", "must not be empty"));
        }
        let mobile = tz_msisdn("merchantMobileNumber", mobile_number)?;
        Ok(BankCheckout {
            amount: checkout_amount(amount)?,
            merchant_account_number: bounded("merchantAccountNumber", account_number, 100)?,
            merchant_mobile_number: mobile,
            merchant_name: None,
            otp,
            provider,
            reference_id: None,
            additional_properties: None,
        })
    }

    /// Your reference (`referenceId`, ≤ 128 characters).
    pub fn with_reference(mut self, reference: &str) -> Result<Self, Error> {
        self.reference_id = Some(bounded("referenceId", reference, 128)?);
        Ok(self)
    }

    /// The name shown (`merchantName`, ≤ 100 characters).
    pub fn with_merchant_name(mut self, name: &str) -> Result<Self, Error> {
        self.merchant_name = Some(bounded("merchantName", name, 100)?);
        Ok(self)
    }

    /// Free-form properties (≤ 4096 bytes serialised).
    pub fn with_additional_properties(mut self, props: Map<String, Value>) -> Result<Self, Error> {
        self.additional_properties = Some(additional(props)?);
        Ok(self)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BankBody<'a> {
    amount: Value,
    currency_code: &'static str,
    merchant_account_number: &'a str,
    merchant_mobile_number: &'a str,
    merchant_name: Option<&'a str>,
    otp: &'a str,
    provider: &'static str,
    reference_id: Option<&'a str>,
    additional_properties: Option<&'a Map<String, Value>>,
}

impl Operation for BankCheckout {
    type Api = AzampayConfig;
    type Output = CheckoutAccepted;
    const NAME: &'static str = "bank/checkout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        self.reference_id.clone()
    }

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let body = BankBody {
            amount: amount_value(self.amount, api.amount_encoding),
            currency_code: "TZS",
            merchant_account_number: &self.merchant_account_number,
            merchant_mobile_number: &self.merchant_mobile_number,
            merchant_name: self.merchant_name.as_deref(),
            otp: self.otp.expose(),
            provider: self.provider.as_str(),
            reference_id: self.reference_id.as_deref(),
            additional_properties: self.additional_properties.as_ref(),
        };
        aw::post(Host::Checkout, "/azampay/bank/checkout", &body)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<CheckoutAccepted, Error> {
        accepted(Self::NAME, &response, self.reference_id.as_deref())
    }
}
