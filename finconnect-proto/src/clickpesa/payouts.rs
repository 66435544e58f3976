//! Disbursements: mobile-money and bank payouts, payout queries, banks, bank
//! account checks and payout links.
//!
//! Payout amounts are JSON **numbers** written from the exact decimal text of the
//! [`Money`] (`1000`, `1047.1`). Re-sending a create within 60 s is refused by
//! ClickPesa ("Payout request is already in progress…") and reported as
//! [`Error::DuplicateReference`]; creates are never re-sent automatically.

use super::config::ClickpesaConfig;
use super::models::{Bank, PaymentLink, Payout, PayoutAttempts, PayoutPreview};
use super::reference::OrderReference;
use super::wire::{
    amount_number, amount_string, authed, authed_unsigned, check_amount, encode, read, read_refusal,
};
use crate::operation::Operation;
use crate::retry::Idempotency;
use crate::{AccessToken, Currency, Error, Money, Msisdn};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A mobile-money payout: `amount` is debited from the balance in its currency
/// (TZS or USD); the recipient always gets TZS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MobileMoneyPayout {
    amount: Money,
    phone: Msisdn,
    order_reference: OrderReference,
}

impl MobileMoneyPayout {
    /// A payout to `phone`.
    pub fn new(
        amount: Money,
        phone: Msisdn,
        order_reference: OrderReference,
    ) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS, Currency::USD], "a payout")?;
        amount_number(&amount)?;
        Ok(MobileMoneyPayout {
            amount,
            phone,
            order_reference,
        })
    }

    fn body(&self) -> Result<Value, Error> {
        let mut m = Map::new();
        m.insert("amount".into(), amount_number(&self.amount)?);
        m.insert("phoneNumber".into(), self.phone.as_str().into());
        m.insert("currency".into(), self.amount.currency().code().into());
        m.insert(
            "orderReference".into(),
            self.order_reference.as_str().into(),
        );
        Ok(Value::Object(m))
    }
}

/// `POST /payouts/preview-mobile-money-payout`: fee, total and recipient name; no
/// money moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewMobileMoneyPayout(pub MobileMoneyPayout);

/// `POST /payouts/create-mobile-money-payout`: sends the money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMobileMoneyPayout(pub MobileMoneyPayout);

impl Operation for PreviewMobileMoneyPayout {
    type Api = ClickpesaConfig;
    type Output = PayoutPreview;
    const NAME: &'static str = "preview-mobile-money-payout";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.0.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(
            api,
            http::Method::POST,
            "/payouts/preview-mobile-money-payout",
            Some(self.0.body()?),
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<PayoutPreview, Error> {
        read(
            &response,
            "mobile-money payout preview",
            Some(self.0.order_reference.as_str()),
        )
    }
}

impl Operation for CreateMobileMoneyPayout {
    type Api = ClickpesaConfig;
    type Output = Payout;
    const NAME: &'static str = "create-mobile-money-payout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.0.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(
            api,
            http::Method::POST,
            "/payouts/create-mobile-money-payout",
            Some(self.0.body()?),
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Payout, Error> {
        read_refusal(
            &response,
            "mobile-money payout answer",
            Some(self.0.order_reference.as_str()),
        )
    }
}

/// How a bank transfer settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferType {
    /// Batch clearing (cheaper, slower).
    Ach,
    /// Real-time gross settlement.
    Rtgs,
}

impl TransferType {
    /// `ACH` or `RTGS`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferType::Ach => "ACH",
            TransferType::Rtgs => "RTGS",
        }
    }
}

/// A bank payout. The account name is required to create one (see
/// [`VerifyBankAccount`]) but not to preview it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankPayout {
    amount: Money,
    account_number: String,
    account_name: Option<String>,
    account_currency: Option<Currency>,
    bic: String,
    transfer_type: TransferType,
    order_reference: OrderReference,
}

impl BankPayout {
    /// A payout to `account_number` at the bank `bic` (from [`ListBanks`]).
    pub fn new(
        amount: Money,
        account_number: impl Into<String>,
        bic: impl Into<String>,
        transfer_type: TransferType,
        order_reference: OrderReference,
    ) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS, Currency::USD], "a payout")?;
        amount_number(&amount)?;
        let account_number = account_number.into();
        let bic = bic.into();
        if account_number.trim().is_empty() {
            return Err(Error::invalid("accountNumber", "must not be empty"));
        }
        if bic.trim().is_empty() || !bic.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::invalid("bic", "must be a BIC such as CORUTZTZ"));
        }
        Ok(BankPayout {
            amount,
            account_number,
            account_name: None,
            account_currency: None,
            bic,
            transfer_type,
            order_reference,
        })
    }

    /// The account holder's name (required by [`CreateBankPayout`]).
    pub fn account_name(mut self, name: impl Into<String>) -> Self {
        self.account_name = Some(name.into());
        self
    }

    /// The account's currency (ClickPesa's default TZS).
    pub fn account_currency(mut self, currency: Currency) -> Self {
        self.account_currency = Some(currency);
        self
    }

    fn body(&self, with_name: bool) -> Result<Value, Error> {
        let mut m = Map::new();
        m.insert("amount".into(), amount_number(&self.amount)?);
        m.insert("accountNumber".into(), self.account_number.as_str().into());
        m.insert("currency".into(), self.amount.currency().code().into());
        if let Some(c) = self.account_currency {
            m.insert("accountCurrency".into(), c.code().into());
        }
        m.insert(
            "orderReference".into(),
            self.order_reference.as_str().into(),
        );
        m.insert("bic".into(), self.bic.as_str().into());
        m.insert("transferType".into(), self.transfer_type.as_str().into());
        if with_name {
            let name = self
                .account_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| {
                    Error::invalid(
                        "accountName",
                        "required to create a bank payout; look it up with VerifyBankAccount",
                    )
                })?;
            m.insert("accountName".into(), name.into());
        }
        Ok(Value::Object(m))
    }
}

/// `POST /payouts/preview-bank-payout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewBankPayout(pub BankPayout);

/// `POST /payouts/create-bank-payout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateBankPayout(pub BankPayout);

impl Operation for PreviewBankPayout {
    type Api = ClickpesaConfig;
    type Output = PayoutPreview;
    const NAME: &'static str = "preview-bank-payout";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.0.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(
            api,
            http::Method::POST,
            "/payouts/preview-bank-payout",
            Some(self.0.body(false)?),
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<PayoutPreview, Error> {
        read(
            &response,
            "bank payout preview",
            Some(self.0.order_reference.as_str()),
        )
    }
}

impl Operation for CreateBankPayout {
    type Api = ClickpesaConfig;
    type Output = Payout;
    const NAME: &'static str = "create-bank-payout";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.0.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(
            api,
            http::Method::POST,
            "/payouts/create-bank-payout",
            Some(self.0.body(true)?),
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Payout, Error> {
        read_refusal(
            &response,
            "bank payout answer",
            Some(self.0.order_reference.as_str()),
        )
    }
}

/// `GET /payouts/{orderReference}`: the payouts for a reference; use
/// [`PayoutAttempts::status`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPayout {
    order_reference: OrderReference,
}

impl GetPayout {
    /// The query for one order reference.
    pub fn new(order_reference: OrderReference) -> Self {
        GetPayout { order_reference }
    }
}

impl Operation for GetPayout {
    type Api = ClickpesaConfig;
    type Output = PayoutAttempts;
    const NAME: &'static str = "query-payout";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let path = format!("/payouts/{}", encode(self.order_reference.as_str()));
        authed(api, http::Method::GET, &path, None, token)
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<PayoutAttempts, Error> {
        let attempts: Vec<Payout> = read(
            &response,
            "payout status",
            Some(self.order_reference.as_str()),
        )?;
        Ok(PayoutAttempts { attempts })
    }
}

/// `GET /list/banks`: the banks bank payouts can go to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListBanks;

impl Operation for ListBanks {
    type Api = ClickpesaConfig;
    type Output = Vec<Bank>;
    const NAME: &'static str = "list-banks";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        authed(api, http::Method::GET, "/list/banks", None, token)
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<Vec<Bank>, Error> {
        read(&response, "bank list", None)
    }
}

/// `POST /payouts/verify-bank-account`: the name on an account (404 "Account not
/// found" otherwise). Reads only; not signed (the reference lists no checksum).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyBankAccount {
    account_number: String,
    bic: String,
}

impl VerifyBankAccount {
    /// Looks up `account_number` at the bank `bic`.
    pub fn new(account_number: impl Into<String>, bic: impl Into<String>) -> Result<Self, Error> {
        let account_number = account_number.into();
        let bic = bic.into();
        if account_number.trim().is_empty() || bic.trim().is_empty() {
            return Err(Error::invalid(
                "accountNumber",
                "account number and BIC are required",
            ));
        }
        Ok(VerifyBankAccount {
            account_number,
            bic,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountNameBody {
    account_name: Option<String>,
}

impl Operation for VerifyBankAccount {
    type Api = ClickpesaConfig;
    type Output = String;
    const NAME: &'static str = "verify-bank-account";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let body = serde_json::json!({"accountNumber": self.account_number, "bic": self.bic});
        authed_unsigned(
            api,
            http::Method::POST,
            "/payouts/verify-bank-account",
            body,
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<String, Error> {
        let status = Some(response.status().as_u16());
        let body: AccountNameBody = read(&response, "bank account check", None)?;
        body.account_name.ok_or_else(|| {
            Error::decode(
                "bank account check",
                "no accountName",
                response.body(),
                status,
            )
        })
    }
}

/// `POST /payout-link/generate-payout-url`: a link where the recipient chooses
/// how to receive `amount`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratePayoutLink {
    amount: Money,
    order_reference: OrderReference,
}

impl GeneratePayoutLink {
    /// A payout link for `amount` (sent as a string, as the reference documents).
    pub fn new(amount: Money, order_reference: OrderReference) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS, Currency::USD], "a payout link")?;
        Ok(GeneratePayoutLink {
            amount,
            order_reference,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayoutLinkBody {
    payout_link: Option<String>,
    client_id: Option<String>,
}

impl Operation for GeneratePayoutLink {
    type Api = ClickpesaConfig;
    type Output = PaymentLink;
    const NAME: &'static str = "generate-payout-url";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn to_request(
        &self,
        api: &ClickpesaConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let body = serde_json::json!({
            "amount": amount_string(&self.amount),
            "orderReference": self.order_reference.as_str(),
        });
        authed(
            api,
            http::Method::POST,
            "/payout-link/generate-payout-url",
            Some(body),
            token,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<PaymentLink, Error> {
        let status = Some(response.status().as_u16());
        let body: PayoutLinkBody = read_refusal(
            &response,
            "payout link answer",
            Some(self.order_reference.as_str()),
        )?;
        match body.payout_link {
            Some(url) if !url.is_empty() => Ok(PaymentLink {
                url,
                client_id: body.client_id,
            }),
            _ => Err(Error::decode(
                "payout link answer",
                "no payoutLink",
                response.body(),
                status,
            )),
        }
    }
}
