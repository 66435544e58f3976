//! Transaction status (`POST /mpesa/transactionstatus/v1/query`) and account
//! balance (`POST /mpesa/accountbalance/v1/query`): asynchronous queries whose
//! answers arrive as `Result`s on the `ResultURL`.

use super::accepted::{read_accepted, Accepted, ResultUrls};
use super::config::MpesaConfig;
use super::security::SecurityCredential;
use super::types::Remarks;
use super::wire::{self, s};
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Operation};

/// An M-Pesa receipt (`TransID`, `MpesaReceiptNumber`, `TransactionID`): ASCII
/// letters and digits, 1 to 20 of them (Daraja's are 10).
pub(crate) fn check_receipt(field: &str, receipt: &str) -> Result<(), Error> {
    if receipt.is_empty()
        || receipt.len() > 20
        || !receipt.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Error::invalid(
            field,
            "must be an M-Pesa receipt: 1 to 20 ASCII letters and digits",
        ));
    }
    Ok(())
}

/// What kind of party `PartyA` is (`IdentifierType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifierType {
    /// `1`: a phone number.
    Msisdn,
    /// `2`: a till number.
    Till,
    /// `4`: an organisation shortcode.
    Shortcode,
}

impl IdentifierType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierType::Msisdn => "1",
            IdentifierType::Till => "2",
            IdentifierType::Shortcode => "4",
        }
    }
}

/// Which transaction a status query asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransactionKey {
    /// The M-Pesa receipt (`TransactionID`).
    Receipt(String),
    /// Your `OriginatorConversationID` (when the receipt is unknown: a B2C
    /// payment whose result never came).
    OriginatorConversationId(String),
}

/// Asks for a transaction's status (idempotent). The answer is only an
/// acknowledgement; the status arrives as a `Result` on the `ResultURL` —
/// Daraja's own word, which confirms an unsigned C2B or result callback.
///
/// By conversation id, the id is sent under both `OriginalConversationID`
/// (the documentation's name) and `OriginatorConversationID` (what SDKs send):
/// which one the API honours is not settled, and Daraja ignores unknown keys.
#[derive(Clone, Debug)]
pub struct TransactionStatusQuery {
    key: TransactionKey,
    party: Option<(String, IdentifierType)>,
    remarks: Remarks,
    urls: ResultUrls,
    occasion: Option<String>,
    credential: SecurityCredential,
}

impl TransactionStatusQuery {
    /// The query of `key`; `PartyA` is the initiator's shortcode unless
    /// [`party`](Self::party) says otherwise.
    pub fn new(
        key: TransactionKey,
        remarks: Remarks,
        urls: ResultUrls,
        credential: SecurityCredential,
    ) -> Result<Self, Error> {
        match &key {
            TransactionKey::Receipt(r) => check_receipt("TransactionID", r)?,
            TransactionKey::OriginatorConversationId(id) => {
                wire::bounded("OriginatorConversationID", id, 1, 100)?
            }
        }
        Ok(TransactionStatusQuery {
            key,
            party: None,
            remarks,
            urls,
            occasion: None,
            credential,
        })
    }

    /// The party that received the transaction (`PartyA`) and its kind.
    pub fn party(mut self, party: &str, kind: IdentifierType) -> Result<Self, Error> {
        if party.is_empty() || party.len() > 15 || !party.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("PartyA", "must be 1 to 15 digits"));
        }
        self.party = Some((party.to_owned(), kind));
        Ok(self)
    }

    /// The optional `Occasion` (echoed in the result).
    pub fn occasion(mut self, occasion: &str) -> Result<Self, Error> {
        wire::bounded("Occasion", occasion, 1, 100)?;
        self.occasion = Some(occasion.to_owned());
        Ok(self)
    }
}

impl Operation for TransactionStatusQuery {
    type Api = MpesaConfig;
    type Output = Accepted;
    const NAME: &'static str = "TransactionStatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn reference(&self) -> Option<String> {
        Some(match &self.key {
            TransactionKey::Receipt(r) | TransactionKey::OriginatorConversationId(r) => r.clone(),
        })
    }

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let initiator = api.require_initiator("transaction status")?;
        let [result, timeout] = self.urls.fields(api.policy())?;
        let (party, kind) = match &self.party {
            Some((party, kind)) => (party.as_str(), *kind),
            None => (initiator.shortcode().as_str(), IdentifierType::Shortcode),
        };
        let mut fields = vec![
            ("Initiator", s(initiator.name())),
            ("SecurityCredential", s(self.credential.expose())),
            ("CommandID", s("TransactionStatusQuery")),
        ];
        match &self.key {
            TransactionKey::Receipt(receipt) => fields.push(("TransactionID", s(receipt))),
            TransactionKey::OriginatorConversationId(id) => {
                fields.push(("OriginalConversationID", s(id)));
                fields.push(("OriginatorConversationID", s(id)));
            }
        }
        fields.extend([
            ("PartyA", s(party)),
            ("IdentifierType", s(kind.as_str())),
            result,
            timeout,
            ("Remarks", s(self.remarks.as_str())),
        ]);
        if let Some(occasion) = &self.occasion {
            fields.push(("Occasion", s(occasion)));
        }
        let body = wire::object(&fields)?;
        Ok(Parts::post(
            Host::Api,
            "/mpesa/transactionstatus/v1/query",
            body,
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, false, None)
    }
}

/// Asks for the balances of the initiator's shortcode (idempotent). The
/// balances arrive as a `Result` on the `ResultURL`
/// ([`ResultNotification::account_balances`](super::ResultNotification::account_balances)).
#[derive(Clone, Debug)]
pub struct AccountBalanceQuery {
    remarks: Remarks,
    urls: ResultUrls,
    credential: SecurityCredential,
}

impl AccountBalanceQuery {
    /// The balance query.
    pub fn new(remarks: Remarks, urls: ResultUrls, credential: SecurityCredential) -> Self {
        AccountBalanceQuery {
            remarks,
            urls,
            credential,
        }
    }
}

impl Operation for AccountBalanceQuery {
    type Api = MpesaConfig;
    type Output = Accepted;
    const NAME: &'static str = "AccountBalance";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &MpesaConfig) -> Result<Parts, Error> {
        let initiator = api.require_initiator("account balance")?;
        let [result, timeout] = self.urls.fields(api.policy())?;
        let body = wire::object(&[
            ("Initiator", s(initiator.name())),
            ("SecurityCredential", s(self.credential.expose())),
            ("CommandID", s("AccountBalance")),
            ("PartyA", s(initiator.shortcode().as_str())),
            ("IdentifierType", s(IdentifierType::Shortcode.as_str())),
            ("Remarks", s(self.remarks.as_str())),
            timeout,
            result,
        ])?;
        Ok(Parts::post(
            Host::Api,
            "/mpesa/accountbalance/v1/query",
            body,
        ))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<Accepted, Error> {
        read_accepted(Self::NAME, &response, false, None)
    }
}
