//! B2C v3: `POST /mpesa/b2c/v3/paymentrequest`.

use super::accepted::{read_accepted, Accepted, ResultUrls};
use super::config::MpesaConfig;
use super::security::SecurityCredential;
use super::types::{KenyanMsisdn, Remarks};
use super::wire::{self, s};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Money, Operation};
use std::fmt;

/// The smallest B2C amount Daraja documents, in shillings.
pub const MIN_B2C_KES: i64 = 10;
/// The largest B2C amount per transaction, in shillings.
pub const MAX_B2C_KES: i64 = 250_000;

/// Your unique id of a disbursement (`OriginatorConversationID`): B2C v3's
/// idempotency key. Daraja refuses a repeat with `500.002.1001 Duplicate
/// OriginatorConversationID.` — keep it with your record, and query with it
/// before ever sending a payment again.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OriginatorConversationId(String);

impl OriginatorConversationId {
    /// The longest id accepted.
    pub const MAX_LEN: usize = 100;

    /// Checks and wraps an id: 1 to 100 printable ASCII characters.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        if value.is_empty()
            || value.len() > Self::MAX_LEN
            || !value.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::invalid(
                "OriginatorConversationID",
                format!(
                    "must be 1 to {} printable ASCII characters without spaces",
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(OriginatorConversationId(value))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OriginatorConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for OriginatorConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The B2C `CommandID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum B2cCommand {
    /// `BusinessPayment` (the default).
    BusinessPayment,
    /// `SalaryPayment`.
    SalaryPayment,
    /// `PromotionPayment` (congratulatory SMS).
    PromotionPayment,
}

impl B2cCommand {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            B2cCommand::BusinessPayment => "BusinessPayment",
            B2cCommand::SalaryPayment => "SalaryPayment",
            B2cCommand::PromotionPayment => "PromotionPayment",
        }
    }
}

/// Pays a customer from the initiator's shortcode (B2C v3). **Not
/// idempotent**: never re-sent once it may have reached Daraja. The answer only
/// says "accepted"; the outcome is the `Result` posted to the `ResultURL`.
///
/// A duplicate `OriginatorConversationID` is
/// [`Error::DuplicateReference`] ("already submitted: query, never resend");
/// at HTTP 500, as Daraja sends it, the driver reports it as
/// [`Error::OutcomeUnknown`] quoting the same words. `Occassion` is sent with
/// B2C's documented spelling.
#[derive(Clone, Debug)]
pub struct B2cPayment {
    id: OriginatorConversationId,
    command: B2cCommand,
    amount: i64,
    recipient: KenyanMsisdn,
    remarks: Remarks,
    urls: ResultUrls,
    occasion: Option<String>,
    credential: SecurityCredential,
}

impl B2cPayment {
    /// A `BusinessPayment` of `amount` (whole KES, 10 to 250 000) to
    /// `recipient`, identified by your `id`.
    pub fn new(
        id: OriginatorConversationId,
        amount: Money,
        recipient: KenyanMsisdn,
        remarks: Remarks,
        urls: ResultUrls,
        credential: SecurityCredential,
    ) -> Result<Self, Error> {
        let amount = wire::whole_shillings("amount", amount, MIN_B2C_KES, MAX_B2C_KES)?;
        Ok(B2cPayment {
            id,
            command: B2cCommand::BusinessPayment,
            amount,
            recipient,
            remarks,
            urls,
            occasion: None,
            credential,
        })
    }

    /// Another `CommandID`.
    pub fn command(mut self, command: B2cCommand) -> Self {
        self.command = command;
        self
    }

    /// The optional `Occassion` (at most 100 characters).
    pub fn occasion(mut self, occasion: &str) -> Result<Self, Error> {
        wire::bounded("Occassion", occasion, 1, 100)?;
        self.occasion = Some(occasion.to_owned());
        Ok(self)
    }

    /// Your id of the payment.
    pub fn id(&self) -> &OriginatorConversationId {
        &self.id
    }
}

impl Operation for B2cPayment {
    type Api = MpesaConfig;
    type Output = Accepted;
    const NAME: &'static str = "BusinessToCustomer";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.id.as_str().to_owned())
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let initiator = api.require_initiator("B2C")?;
        let [result, timeout] = self.urls.fields(api.policy())?;
        let mut fields = vec![
            ("OriginatorConversationID", s(self.id.as_str())),
            ("InitiatorName", s(initiator.name())),
            ("SecurityCredential", s(self.credential.expose())),
            ("CommandID", s(self.command.as_str())),
            ("Amount", s(self.amount.to_string())),
            ("PartyA", s(initiator.shortcode().as_str())),
            ("PartyB", s(self.recipient.as_str())),
            ("Remarks", s(self.remarks.as_str())),
            timeout,
            result,
        ];
        if let Some(occasion) = &self.occasion {
            fields.push(("Occassion", s(occasion)));
        }
        let body = wire::object(&fields)?;
        Ok(Parts::post(Host::Api, "/mpesa/b2c/v3/paymentrequest", body))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, true, Some(self.id.as_str()))
    }
}
