//! M-Pesa Express: `POST /mpesa/stkpush/v1/processrequest` (the push) and
//! `POST /mpesa/stkpushquery/v1/query` (its status).

use super::config::MpesaConfig;
use super::types::{CheckoutRequestId, KenyanMsisdn, ResultCode, Shortcode, STK_STILL_PROCESSING};
use super::wire::{self, codes, s, Answer};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Money, Operation, PaymentStatus, Secret};
use base64::Engine as _;
use serde_json::Value;
use std::time::SystemTime;

/// The longest `AccountReference` Daraja accepts (it is shown to the payer and
/// printed in the M-Pesa SMS).
pub const MAX_ACCOUNT_REFERENCE: usize = 12;
/// The longest `TransactionDesc` Daraja accepts.
pub const MAX_TRANSACTION_DESC: usize = 13;
/// The smallest STK amount, in shillings.
pub const MIN_STK_KES: i64 = 1;
/// The largest STK amount per transaction, in shillings.
pub const MAX_STK_KES: i64 = 250_000;

/// `Password` and `Timestamp` of an STK request, from ONE reading of the clock:
/// `Password` = base64(shortcode + passkey + timestamp), `Timestamp` =
/// `YYYYMMDDHHmmss` in Nairobi time (UTC+3). Daraja refuses a `Timestamp` that
/// differs from the one inside `Password`.
///
/// ```
/// use finconnect_proto::mpesa::{stk_password, Shortcode};
/// use finconnect_proto::Secret;
/// use std::time::{Duration, UNIX_EPOCH};
/// let now = UNIX_EPOCH + Duration::from_secs(1_624_861_448); // 06:24:08 UTC
/// let (password, timestamp) = stk_password(&Shortcode::new("174379")?, &Secret::new("0".repeat(64)), now);
/// assert_eq!(timestamp, "20210628092408");
/// assert!(password.expose().starts_with("MTc0Mzc5MDAw"));
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
pub fn stk_password(shortcode: &Shortcode, passkey: &Secret, now: SystemTime) -> (Secret, String) {
    let timestamp = wire::timestamp(now);
    (password_at(shortcode, passkey, &timestamp), timestamp)
}

fn password_at(shortcode: &Shortcode, passkey: &Secret, timestamp: &str) -> Secret {
    let plain = format!("{}{}{}", shortcode.as_str(), passkey.expose(), timestamp);
    Secret::new(base64::engine::general_purpose::STANDARD.encode(plain.as_bytes()))
}

/// Who is paid: the paybill of the configured shortcode, or a till.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StkKind {
    /// `CustomerPayBillOnline`: `PartyB` is the configured shortcode.
    PayBill,
    /// `CustomerBuyGoodsOnline`: `PartyB` is the till number (the configured
    /// shortcode is then the till's store number).
    BuyGoods {
        /// The till number.
        till: Shortcode,
    },
}

impl StkKind {
    /// The `TransactionType`.
    pub fn transaction_type(&self) -> &'static str {
        match self {
            StkKind::PayBill => "CustomerPayBillOnline",
            StkKind::BuyGoods { .. } => "CustomerBuyGoodsOnline",
        }
    }
}

/// Prompts a payer's phone to pay (STK push, M-Pesa Express). **Not
/// idempotent**: Daraja has no idempotency key for it, so a push whose answer
/// was lost is never sent again ([`Error::OutcomeUnknown`]: wait for the
/// callback, whose URL should carry your own reference, or reconcile).
///
/// Checked before sending: the amount is whole Kenyan shillings from 1 to
/// 250 000 (an amount with cents is refused, never rounded); the phone is a
/// Kenyan mobile number; `AccountReference` has 1 to 12 characters and
/// `TransactionDesc` 1 to 13 (always sent: a missing one is refused as
/// `Invalid Remarks`); the callback URL has no whitespace and suits the
/// configuration's URL policy.
#[derive(Clone, Debug)]
pub struct StkPush {
    kind: StkKind,
    amount: i64,
    phone: KenyanMsisdn,
    callback_url: String,
    account_reference: String,
    description: String,
    timestamp: String,
}

impl StkPush {
    /// A push of `amount` to `phone`; `now` is the one clock reading the
    /// `Password` and `Timestamp` are made from.
    pub fn new(
        kind: StkKind,
        amount: Money,
        phone: KenyanMsisdn,
        callback_url: &str,
        account_reference: &str,
        description: &str,
        now: SystemTime,
    ) -> Result<Self, Error> {
        let amount = wire::whole_shillings("amount", amount, MIN_STK_KES, MAX_STK_KES)?;
        wire::bounded(
            "AccountReference",
            account_reference,
            1,
            MAX_ACCOUNT_REFERENCE,
        )?;
        wire::bounded("TransactionDesc", description, 1, MAX_TRANSACTION_DESC)?;
        if callback_url.chars().any(char::is_whitespace) {
            return Err(Error::invalid(
                "CallBackURL",
                "holds whitespace, which Daraja refuses (Invalid CallBackURL)",
            ));
        }
        Ok(StkPush {
            kind,
            amount,
            phone,
            callback_url: callback_url.to_owned(),
            account_reference: account_reference.to_owned(),
            description: description.to_owned(),
            timestamp: wire::timestamp(now),
        })
    }

    /// The `Timestamp` it sends (Nairobi time).
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }
}

impl Operation for StkPush {
    type Api = MpesaConfig;
    type Output = StkPushAccepted;
    const NAME: &'static str = "MpesaExpressSimulate";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.account_reference.clone())
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let express = api.require_express("STK push")?;
        let url = wire::callback_url("CallBackURL", &self.callback_url, api.policy())?;
        let shortcode = express.shortcode.as_str();
        let party_b = match &self.kind {
            StkKind::PayBill => shortcode,
            StkKind::BuyGoods { till } => till.as_str(),
        };
        let password = password_at(&express.shortcode, &express.passkey, &self.timestamp);
        // The documented sample's shapes: the shortcode as a number, the rest
        // as strings.
        let shortcode_number: Value = shortcode
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| s(shortcode));
        let body = wire::object(&[
            ("BusinessShortCode", shortcode_number),
            ("Password", s(password.expose())),
            ("Timestamp", s(&self.timestamp)),
            ("TransactionType", s(self.kind.transaction_type())),
            ("Amount", s(self.amount.to_string())),
            ("PartyA", s(self.phone.as_str())),
            ("PartyB", s(party_b)),
            ("PhoneNumber", s(self.phone.as_str())),
            ("CallBackURL", s(url.as_str())),
            ("AccountReference", s(&self.account_reference)),
            ("TransactionDesc", s(&self.description)),
        ])?;
        Ok(Parts::post(
            Host::Api,
            "/mpesa/stkpush/v1/processrequest",
            body,
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<StkPushAccepted, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        answer.check(true, Some(&self.account_reference))?;
        let checkout = answer.required("CheckoutRequestID")?;
        Ok(StkPushAccepted {
            merchant_request_id: wire::non_empty(&answer.v, "MerchantRequestID"),
            checkout_request_id: CheckoutRequestId::new(checkout).map_err(|e| answer.bad(e))?,
            response_description: wire::text(&answer.v, "ResponseDescription"),
            customer_message: wire::text(&answer.v, "CustomerMessage"),
        })
    }
}

/// Daraja accepted a push: the prompt was sent, **nothing is paid yet**
/// (`ResponseCode` `"0"`). The outcome comes with the callback or the query.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StkPushAccepted {
    /// `MerchantRequestID`.
    pub merchant_request_id: Option<String>,
    /// `CheckoutRequestID`: the key of the query and the callback.
    pub checkout_request_id: CheckoutRequestId,
    /// `ResponseDescription`.
    pub response_description: Option<String>,
    /// `CustomerMessage`.
    pub customer_message: Option<String>,
}

/// Asks Daraja where an STK push stands (idempotent; poll no faster than every
/// 5 seconds). Its answer is Daraja's own word on the payment: the
/// confirmation of an unsigned [`StkCallback`](super::StkCallback).
#[derive(Clone, Debug)]
pub struct StkQuery {
    checkout_request_id: CheckoutRequestId,
    timestamp: String,
}

impl StkQuery {
    /// The query of `checkout_request_id`, with `Password` and `Timestamp` made
    /// from the one clock reading `now`.
    pub fn new(checkout_request_id: CheckoutRequestId, now: SystemTime) -> Self {
        StkQuery {
            checkout_request_id,
            timestamp: wire::timestamp(now),
        }
    }

    /// The push it asks about.
    pub fn checkout_request_id(&self) -> &CheckoutRequestId {
        &self.checkout_request_id
    }
}

impl Operation for StkQuery {
    type Api = MpesaConfig;
    type Output = StkQueryOutcome;
    const NAME: &'static str = "MpesaExpressQuery";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.checkout_request_id.as_str().to_owned())
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let express = api.require_express("STK query")?;
        let password = password_at(&express.shortcode, &express.passkey, &self.timestamp);
        let body = wire::object(&[
            ("BusinessShortCode", s(express.shortcode.as_str())),
            ("Password", s(password.expose())),
            ("Timestamp", s(&self.timestamp)),
            ("CheckoutRequestID", s(self.checkout_request_id.as_str())),
        ])?;
        Ok(Parts::post(Host::Api, "/mpesa/stkpushquery/v1/query", body))
    }

    /// `500.001.1001` (at any HTTP status, with any message — "being
    /// processed", "does not Exist", or none) is [`StkQueryOutcome::NoAnswer`];
    /// `ResultCode` `4999` is [`StkQueryOutcome::Pending`]; neither is ever a
    /// failure.
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<StkQueryOutcome, Error> {
        let answer = Answer::parse(Self::NAME, &response, false)?;
        if let Some(envelope) = answer.envelope() {
            if envelope.code == codes::CATCH_ALL {
                return Ok(StkQueryOutcome::NoAnswer {
                    error_code: envelope.code,
                    message: envelope.message,
                });
            }
        }
        answer.check(false, None)?;
        let code = wire::code(&answer.v, "ResultCode")
            .ok_or_else(|| answer.bad("`ResultCode` is missing"))?;
        let merchant_request_id = wire::non_empty(&answer.v, "MerchantRequestID");
        let description = wire::text(&answer.v, "ResultDesc");
        if code == STK_STILL_PROCESSING {
            return Ok(StkQueryOutcome::Pending {
                merchant_request_id,
                description,
            });
        }
        Ok(StkQueryOutcome::Final(StkResult {
            code: ResultCode::new(code),
            description,
            merchant_request_id,
            checkout_request_id: wire::non_empty(&answer.v, "CheckoutRequestID")
                .and_then(|id| CheckoutRequestId::new(id).ok())
                .unwrap_or_else(|| self.checkout_request_id.clone()),
        }))
    }
}

/// What the STK query says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StkQueryOutcome {
    /// A final `ResultCode` (only `0` is paid).
    Final(StkResult),
    /// `ResultCode` `4999`: the prompt is still open. Ask again later.
    Pending {
        /// `MerchantRequestID`.
        merchant_request_id: Option<String>,
        /// `ResultDesc`.
        description: Option<String>,
    },
    /// `500.001.1001`: Daraja has no answer for now (in flight, intermittently
    /// for a finished payment, or an id it does not know). Ask again later;
    /// never read it as a failure.
    NoAnswer {
        /// The `errorCode`.
        error_code: String,
        /// The `errorMessage` (often empty).
        message: String,
    },
}

impl StkQueryOutcome {
    /// The payment's status: the final code's ([`ResultCode::stk_status`]), or
    /// [`PaymentStatus::Pending`] while there is none.
    pub fn status(&self) -> PaymentStatus {
        match self {
            StkQueryOutcome::Final(result) => result.code.stk_status(),
            StkQueryOutcome::Pending { .. } | StkQueryOutcome::NoAnswer { .. } => {
                PaymentStatus::Pending
            }
        }
    }
}

/// A final answer of the STK query. It carries no receipt, amount or phone:
/// those come only with the callback (or a transaction-status result).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StkResult {
    /// `ResultCode`.
    pub code: ResultCode,
    /// `ResultDesc` (its wording varies; never decide on it).
    pub description: Option<String>,
    /// `MerchantRequestID`.
    pub merchant_request_id: Option<String>,
    /// `CheckoutRequestID`.
    pub checkout_request_id: CheckoutRequestId,
}

impl StkResult {
    /// The payment's status ([`ResultCode::stk_status`]).
    pub fn status(&self) -> PaymentStatus {
        self.code.stk_status()
    }
}
