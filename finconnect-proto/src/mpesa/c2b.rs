//! C2B: `POST /mpesa/c2b/v2/registerurl` (where Safaricom sends validation and
//! confirmation requests) and `POST /mpesa/c2b/v2/simulate` (sandbox only).

use super::config::{Environment, MpesaConfig};
use super::types::{KenyanMsisdn, Shortcode};
use super::wire::{self, s, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Money, Operation};
use serde_json::Value;

/// Words Daraja refuses anywhere in a C2B URL (any case).
pub const FORBIDDEN_URL_WORDS: [&str; 8] = [
    "m-pesa",
    "mpesa",
    "safaricom",
    "exe",
    "exec",
    "cmd",
    "sql",
    "query",
];

/// What M-Pesa does with a payment when the validation URL does not answer
/// in time (`ResponseType`, sent exactly as `Completed` or `Cancelled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    /// Complete the payment.
    Completed,
    /// Cancel the payment.
    Cancelled,
}

impl ResponseType {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Completed => "Completed",
            ResponseType::Cancelled => "Cancelled",
        }
    }
}

/// Registers the confirmation and validation URLs of a shortcode (Daraja's
/// "register URL", the IPN registration of M-Pesa). Idempotent: a repeat is
/// harmless (production registers once; a second attempt is refused with
/// `500.003.1001 Urls are already registered`).
///
/// The URLs must suit the configuration's URL policy and must not contain
/// `M-PESA`, `mpesa`, `Safaricom`, `exe`, `exec`, `cmd`, `sql` or `query` in
/// any case (Daraja refuses them).
#[derive(Clone, Debug)]
pub struct RegisterUrls {
    shortcode: Shortcode,
    response_type: ResponseType,
    confirmation_url: String,
    validation_url: String,
}

impl RegisterUrls {
    /// The registration of `confirmation_url` and `validation_url` for `shortcode`.
    pub fn new(
        shortcode: Shortcode,
        response_type: ResponseType,
        confirmation_url: &str,
        validation_url: &str,
    ) -> Result<Self, Error> {
        for (field, url) in [
            ("ConfirmationURL", confirmation_url),
            ("ValidationURL", validation_url),
        ] {
            let lower = url.to_lowercase();
            if let Some(word) = FORBIDDEN_URL_WORDS.iter().find(|w| lower.contains(*w)) {
                return Err(Error::invalid(
                    field,
                    format!("contains {word:?}, which Daraja refuses in C2B URLs"),
                ));
            }
        }
        Ok(RegisterUrls {
            shortcode,
            response_type,
            confirmation_url: confirmation_url.to_owned(),
            validation_url: validation_url.to_owned(),
        })
    }
}

impl Operation for RegisterUrls {
    type Api = MpesaConfig;
    type Output = C2bAccepted;
    const NAME: &'static str = "CustomerToBusinessRegisterURL";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.shortcode.as_str().to_owned())
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let confirmation =
            wire::callback_url("ConfirmationURL", &self.confirmation_url, api.policy())?;
        let validation = wire::callback_url("ValidationURL", &self.validation_url, api.policy())?;
        let body = wire::object(&[
            ("ShortCode", s(self.shortcode.as_str())),
            ("ResponseType", s(self.response_type.as_str())),
            ("ConfirmationURL", s(confirmation.as_str())),
            ("ValidationURL", s(validation.as_str())),
        ])?;
        Ok(Parts::post(Host::Api, "/mpesa/c2b/v2/registerurl", body))
    }

    /// Accepts the three shapes seen: v2 (`ResponseCode` `"0"`), and the v1
    /// form without `ResponseCode` whose `ResponseDescription` is `success`.
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<C2bAccepted, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        answer.check(false, None).map_err(already_registered_hint)?;
        let description = wire::text(&answer.v, "ResponseDescription");
        if wire::text(&answer.v, "ResponseCode").is_none()
            && !description
                .as_deref()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("success"))
        {
            return Err(answer.bad("neither `ResponseCode` nor a `success` description"));
        }
        Ok(C2bAccepted {
            originator_conversation_id: originator_conversation_id(&answer.v),
            description,
        })
    }
}

/// "Urls are already registered": say how to change them.
fn already_registered_hint(e: Error) -> Error {
    match e {
        Error::Provider {
            provider,
            code,
            message,
            http_status,
            hint: None,
        } if message.to_ascii_lowercase().contains("already registered") => Error::Provider {
            provider,
            code,
            message,
            http_status,
            hint: Some("production URLs are registered once: delete them on the M-Pesa portal (URL Management) and register again"),
        },
        other => other,
    }
}

/// `OriginatorCoversationID` (sic, the C2B spelling) or `OriginatorConversationID`.
fn originator_conversation_id(v: &Value) -> Option<String> {
    wire::non_empty(v, "OriginatorCoversationID")
        .or_else(|| wire::non_empty(v, "OriginatorConversationID"))
}

/// Daraja accepted a C2B request (URL registration or simulation).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct C2bAccepted {
    /// `OriginatorCoversationID` (sic; empty in the v1 form).
    pub originator_conversation_id: Option<String>,
    /// `ResponseDescription`.
    pub description: Option<String>,
}

/// The C2B command of a simulated payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum C2bCommand {
    /// `CustomerPayBillOnline` (with a `BillRefNumber`).
    PayBill,
    /// `CustomerBuyGoodsOnline` (no `BillRefNumber`).
    BuyGoods,
}

/// Simulates a customer paying a shortcode (**sandbox only**: refused before
/// sending on the production environment). Not idempotent: each one is a
/// (sandbox) payment.
#[derive(Clone, Debug)]
pub struct C2bSimulate {
    shortcode: Shortcode,
    command: C2bCommand,
    amount: i64,
    msisdn: KenyanMsisdn,
    bill_ref_number: Option<String>,
}

impl C2bSimulate {
    /// A simulated payment of `amount` (whole KES) from `msisdn` (the sandbox
    /// test number) to `shortcode`; `bill_ref_number` for a paybill.
    pub fn new(
        shortcode: Shortcode,
        command: C2bCommand,
        amount: Money,
        msisdn: KenyanMsisdn,
        bill_ref_number: Option<&str>,
    ) -> Result<Self, Error> {
        let amount = wire::whole_shillings("amount", amount, 1, 250_000)?;
        if let Some(r) = bill_ref_number {
            wire::bounded("BillRefNumber", r, 1, 20)?;
        }
        Ok(C2bSimulate {
            shortcode,
            command,
            amount,
            msisdn,
            bill_ref_number: bill_ref_number.map(str::to_owned),
        })
    }
}

impl Operation for C2bSimulate {
    type Api = MpesaConfig;
    type Output = C2bAccepted;
    const NAME: &'static str = "CustomerToBusinessSimulate";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        self.bill_ref_number.clone()
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        if api.environment() == Environment::Production {
            return Err(Error::Unsupported {
                provider: wire::PROVIDER,
                operation: "C2B simulation on production",
            });
        }
        let number = |text: &str| {
            text.parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| s(text))
        };
        let command = match self.command {
            C2bCommand::PayBill => "CustomerPayBillOnline",
            C2bCommand::BuyGoods => "CustomerBuyGoodsOnline",
        };
        let body = wire::object(&[
            ("ShortCode", number(self.shortcode.as_str())),
            ("CommandID", s(command)),
            ("Amount", Value::from(self.amount)),
            ("Msisdn", number(self.msisdn.as_str())),
            (
                "BillRefNumber",
                self.bill_ref_number
                    .clone()
                    .map(Value::String)
                    .unwrap_or(Value::Null),
            ),
        ])?;
        Ok(Parts::post(Host::Api, "/mpesa/c2b/v2/simulate", body))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<C2bAccepted, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        answer.check(true, self.bill_ref_number.as_deref())?;
        if wire::text(&answer.v, "ResponseCode").is_none() {
            return Err(answer.bad("`ResponseCode` is missing"));
        }
        Ok(C2bAccepted {
            originator_conversation_id: originator_conversation_id(&answer.v),
            description: wire::text(&answer.v, "ResponseDescription"),
        })
    }
}
