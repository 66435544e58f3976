//! Reversal: `POST /mpesa/reversal/v1/request`.

use super::accepted::{read_accepted, Accepted, ResultUrls};
use super::config::MpesaConfig;
use super::queries::check_receipt;
use super::security::SecurityCredential;
use super::types::Remarks;
use super::wire::{self, s};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Money, Operation};

/// Reverses a C2B (or STK) payment received by the initiator's shortcode
/// (B2C payments cannot be reversed). **Not idempotent.** The answer only says
/// "accepted"; the outcome is the `Result` on the `ResultURL` (`R000001`:
/// already reversed; `R000002`: unknown original transaction).
///
/// `RecieverIdentifierType` is sent misspelled, as Daraja requires (the
/// correct spelling is refused), with `11`.
#[derive(Clone, Debug)]
pub struct Reversal {
    transaction_id: String,
    amount: i64,
    remarks: Remarks,
    urls: ResultUrls,
    occasion: Option<String>,
    credential: SecurityCredential,
}

impl Reversal {
    /// The reversal of `transaction_id` (the receipt to reverse) for `amount`
    /// (whole KES).
    pub fn new(
        transaction_id: &str,
        amount: Money,
        remarks: Remarks,
        urls: ResultUrls,
        credential: SecurityCredential,
    ) -> Result<Self, Error> {
        check_receipt("TransactionID", transaction_id)?;
        let amount = wire::whole_shillings("amount", amount, 1, i64::MAX / 100)?;
        Ok(Reversal {
            transaction_id: transaction_id.to_owned(),
            amount,
            remarks,
            urls,
            occasion: None,
            credential,
        })
    }

    /// The optional `Occasion`.
    pub fn occasion(mut self, occasion: &str) -> Result<Self, Error> {
        wire::bounded("Occasion", occasion, 1, 100)?;
        self.occasion = Some(occasion.to_owned());
        Ok(self)
    }
}

impl Operation for Reversal {
    type Api = MpesaConfig;
    type Output = Accepted;
    const NAME: &'static str = "Reversal";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.transaction_id.clone())
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let initiator = api.require_initiator("reversal")?;
        let [result, timeout] = self.urls.fields(api.policy())?;
        let mut fields = vec![
            ("Initiator", s(initiator.name())),
            ("SecurityCredential", s(self.credential.expose())),
            ("CommandID", s("TransactionReversal")),
            ("TransactionID", s(&self.transaction_id)),
            ("Amount", s(self.amount.to_string())),
            ("ReceiverParty", s(initiator.shortcode().as_str())),
            ("RecieverIdentifierType", s("11")),
            result,
            timeout,
            ("Remarks", s(self.remarks.as_str())),
        ];
        if let Some(occasion) = &self.occasion {
            fields.push(("Occasion", s(occasion)));
        }
        let body = wire::object(&fields)?;
        Ok(Parts::post(Host::Api, "/mpesa/reversal/v1/request", body))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, true, Some(&self.transaction_id))
    }
}
