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
    amount_number, amount_string, answer, answer_link, answer_with, check_amount, without_nulls,
};
use crate::operation::{Body, Host, Operation, Parts};
use crate::retry::Idempotency;
use crate::{wire, Currency, Error, Money, Msisdn};
use serde_json::{json, Value};

/// A payout's preview and its create: the same body, to two paths, with two
/// answers. Only the create moves money.
macro_rules! payout_operation {
    ($op:ident, $name:literal, $output:ty, $idempotency:ident, |$payout:ident| $body:expr) => {
        impl Operation for $op {
            type Api = ClickpesaConfig;
            type Output = $output;
            const NAME: &'static str = $name;
            const IDEMPOTENCY: Idempotency = Idempotency::$idempotency;

            fn reference(&self) -> Option<String> {
                Some(self.0.order_reference.to_string())
            }

            fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
                let $payout = &self.0;
                Ok(Parts::post(Host::Api, Self::NAME, Body::Json($body)))
            }

            fn read(&self, response: http::Response<Vec<u8>>) -> Result<$output, Error> {
                answer(self, &response)
            }
        }
    };
}

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
        order_reference: OrderReference,
        phone: Msisdn,
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
        Ok(json!({
            "amount": amount_number(&self.amount)?,
            "phoneNumber": self.phone.as_str(),
            "currency": self.amount.currency().code(),
            "orderReference": self.order_reference.as_str(),
        }))
    }
}

/// `POST /payouts/preview-mobile-money-payout`: fee, total and recipient name; no
/// money moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewMobileMoneyPayout(pub MobileMoneyPayout);

/// `POST /payouts/create-mobile-money-payout`: sends the money.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMobileMoneyPayout(pub MobileMoneyPayout);

payout_operation!(
    PreviewMobileMoneyPayout,
    "/payouts/preview-mobile-money-payout",
    PayoutPreview,
    Idempotent,
    |p| p.body()?
);

payout_operation!(
    CreateMobileMoneyPayout,
    "/payouts/create-mobile-money-payout",
    Payout,
    NonIdempotent,
    |p| p.body()?
);

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
        order_reference: OrderReference,
        account_number: impl Into<String>,
        bic: impl Into<String>,
        transfer_type: TransferType,
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
        let name = self
            .account_name
            .as_deref()
            .filter(|n| !n.trim().is_empty());
        if with_name && name.is_none() {
            return Err(Error::invalid(
                "accountName",
                "required to create a bank payout; look it up with VerifyBankAccount",
            ));
        }
        Ok(without_nulls(json!({
            "amount": amount_number(&self.amount)?,
            "accountNumber": self.account_number,
            "currency": self.amount.currency().code(),
            "accountCurrency": self.account_currency.as_ref().map(Currency::code),
            "orderReference": self.order_reference.as_str(),
            "bic": self.bic,
            "transferType": self.transfer_type.as_str(),
            "accountName": if with_name { name } else { None },
        })))
    }
}

/// `POST /payouts/preview-bank-payout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewBankPayout(pub BankPayout);

/// `POST /payouts/create-bank-payout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateBankPayout(pub BankPayout);

payout_operation!(
    PreviewBankPayout,
    "/payouts/preview-bank-payout",
    PayoutPreview,
    Idempotent,
    |p| p.body(false)?
);

payout_operation!(
    CreateBankPayout,
    "/payouts/create-bank-payout",
    Payout,
    NonIdempotent,
    |p| p.body(true)?
);

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
    const NAME: &'static str = "/payouts/{orderReference}";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        // An order reference is letters and digits only: a safe path segment.
        let path = format!("/payouts/{}", self.order_reference);
        Ok(Parts::get(Host::Api, path))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PayoutAttempts, Error> {
        answer(self, &response).map(|attempts| PayoutAttempts { attempts })
    }
}

/// `GET /list/banks`: the banks bank payouts can go to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListBanks;

impl Operation for ListBanks {
    type Api = ClickpesaConfig;
    type Output = Vec<Bank>;
    const NAME: &'static str = "/list/banks";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, Self::NAME))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Vec<Bank>, Error> {
        answer(self, &response)
    }
}

/// `POST /payouts/verify-bank-account`: the name on an account (404 "Account not
/// found" otherwise). Reads only; ClickPesa takes no checksum on it.
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

impl Operation for VerifyBankAccount {
    type Api = ClickpesaConfig;
    type Output = String;
    const NAME: &'static str = "/payouts/verify-bank-account";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        // Sent as bytes: this endpoint takes no checksum.
        let body = json!({"accountNumber": self.account_number, "bic": self.bic});
        Ok(Parts::post(
            Host::Api,
            Self::NAME,
            Body::Bytes(wire::to_json(&body)?),
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<String, Error> {
        answer_with(self, &response, "accountName").map(|(name, _)| name)
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
    /// A payout link for `amount` (ClickPesa takes this amount as a string).
    pub fn new(amount: Money, order_reference: OrderReference) -> Result<Self, Error> {
        check_amount(&amount, &[Currency::TZS, Currency::USD], "a payout link")?;
        Ok(GeneratePayoutLink {
            amount,
            order_reference,
        })
    }
}

impl Operation for GeneratePayoutLink {
    type Api = ClickpesaConfig;
    type Output = PaymentLink;
    const NAME: &'static str = "/payout-link/generate-payout-url";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.order_reference.to_string())
    }

    fn request(&self, _: &ClickpesaConfig) -> Result<Parts, Error> {
        let body = json!({
            "amount": amount_string(&self.amount),
            "orderReference": self.order_reference.as_str(),
        });
        Ok(Parts::post(Host::Api, Self::NAME, Body::Json(body)))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PaymentLink, Error> {
        answer_link(self, &response, "payoutLink")
    }
}
