//! Disbursement (payouts), name lookup and disbursement status. The paths are
//! **uncertain**: see [`DisbursementGeneration`].
//!
//! The `checksum` (Base64 of RSA-PKCS#1-v1.5-encrypted SHA-512 digest, field order
//! unconfirmed) needs randomness, so the core does not compute it: build it with
//! [`disbursement_checksum`] and your random source, and pass it in.

use super::checkout::bounded;
use super::config::DisbursementGeneration;
use super::public_key::AzampayPublicKey;
use super::status::status_word;
use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Currency, Error, Money, Operation, PaymentStatus};
use base64::Engine as _;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha512};
use std::time::SystemTime;

/// `Base64(RSA-PKCS#1-v1.5-encrypt(SHA-512(text)))` with AzamPay's disbursement key
/// and the caller's random source. What `text` holds is unconfirmed (one
/// integrator: name lookup = `bankName + accountNumber`; disburse = source account
/// + destination account + currency + amount + epoch seconds + external reference).
pub fn disbursement_checksum<R: rsa::rand_core::CryptoRngCore>(
    key: &AzampayPublicKey,
    text: &str,
    rng: &mut R,
) -> Result<String, Error> {
    let digest = Sha512::digest(text.as_bytes());
    let encrypted = key
        .rsa()
        .encrypt(rng, rsa::Pkcs1v15Encrypt, &digest)
        .map_err(|e| Error::config(format!("could not encrypt the checksum: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(encrypted))
}

/// A mobile-money wallet for disbursement (`bankName` is lower-case on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wallet {
    /// `tigo`.
    Tigo,
    /// `airtel`.
    Airtel,
    /// `azampesa`.
    Azampesa,
}

impl Wallet {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Wallet::Tigo => "tigo",
            Wallet::Airtel => "airtel",
            Wallet::Azampesa => "azampesa",
        }
    }
}

/// One side of a transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// `countryCode` (e.g. `TZ`).
    pub country_code: String,
    /// `fullName`.
    pub full_name: String,
    /// `bankName`.
    pub bank_name: &'static str,
    /// `accountNumber`.
    pub account_number: String,
    /// `currency` (`TZS`).
    pub currency: &'static str,
}

impl Party {
    /// A Tanzanian wallet holder.
    pub fn tz(full_name: &str, account_number: &str, wallet: Wallet) -> Result<Self, Error> {
        Ok(Party {
            country_code: "TZ".to_owned(),
            full_name: bounded("fullName", full_name, 100)?,
            bank_name: wallet.as_str(),
            account_number: bounded("accountNumber", account_number, 50)?,
            currency: "TZS",
        })
    }
}

/// `POST /api/v1/azampay/disburse` on the disbursement host (or the legacy
/// `/azampay/createtransfer` on the checkout host). **Not idempotent.**
/// Serialises as its JSON body.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disburse {
    source: Party,
    destination: Party,
    transfer_details: TransferDetails,
    external_reference_id: String,
    remarks: Option<String>,
    additional_properties: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
}

/// `transferDetails`: `{"type":"SWIFT","amount":5000,"dateInEpoch":…}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct TransferDetails {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(serialize_with = "json_number")]
    amount: Money,
    date_in_epoch: i64,
}

/// Writes an amount as a JSON number (`5000`), from its exact decimal text.
fn json_number<S: serde::Serializer>(amount: &Money, s: S) -> Result<S::Ok, S::Error> {
    amount.to_json_number().serialize(s)
}

impl Disburse {
    /// `external_reference_id` (your reference) at most 30 characters; `amount` in
    /// whole TZS; `at` is the request time (`dateInEpoch`).
    pub fn new(
        external_reference_id: &str,
        amount: Money,
        source: Party,
        destination: Party,
        at: SystemTime,
    ) -> Result<Self, Error> {
        if amount.currency() != Currency::TZS
            || amount.minor_units() <= 0
            || amount.minor_units() % 100 != 0
        {
            return Err(Error::invalid("amount", "a positive whole number of TZS"));
        }
        let date_in_epoch = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| Error::invalid("dateInEpoch", "before 1970"))?
            .as_secs();
        Ok(Disburse {
            source,
            destination,
            transfer_details: TransferDetails {
                kind: "SWIFT",
                amount,
                date_in_epoch: i64::try_from(date_in_epoch).unwrap_or(i64::MAX),
            },
            external_reference_id: bounded("externalReferenceId", external_reference_id, 30)?,
            remarks: None,
            additional_properties: None,
            checksum: None,
        })
    }

    /// `remarks`.
    pub fn with_remarks(mut self, remarks: &str) -> Self {
        self.remarks = Some(remarks.to_owned());
        self
    }

    /// `checksum` (see [`disbursement_checksum`]); the sandbox accepts none.
    pub fn with_checksum(mut self, checksum: String) -> Self {
        self.checksum = Some(checksum);
        self
    }
}

/// Where a disbursement endpoint is: `/api/v1/azampay/{current}` on the
/// disbursement host (current docs), or `/azampay/{legacy}` on the checkout host
/// (2023-era SDKs).
fn endpoint(api: &AzampayConfig, current: &str, legacy: &str) -> (Host, String) {
    match api.disbursement_generation {
        DisbursementGeneration::Current => {
            (Host::Disbursement, format!("/api/v1/azampay/{current}"))
        }
        DisbursementGeneration::Legacy => (Host::Checkout, format!("/azampay/{legacy}")),
    }
}

/// A disbursement AzamPay accepted for processing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisbursementAccepted {
    /// `pgReferenceId`: query [`DisbursementStatus`] with it.
    pub pg_reference_id: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl Operation for Disburse {
    type Api = AzampayConfig;
    type Output = DisbursementAccepted;
    const NAME: &'static str = "disburse";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.external_reference_id.clone())
    }

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let (host, path) = endpoint(api, "disburse", "createtransfer");
        aw::post(host, path, self)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<DisbursementAccepted, Error> {
        let obj = aw::accepted(Self::NAME, &response, Some(&self.external_reference_id))?;
        Ok(DisbursementAccepted {
            pg_reference_id: aw::text_of(&obj, &["pgReferenceId"]),
            message: aw::message(&obj),
        })
    }
}

/// `POST …/namelookup`: the registered name of a wallet or account. Idempotent.
/// Serialises as its JSON body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameLookup {
    bank_name: String,
    account_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
}

impl NameLookup {
    /// `bank_name` as AzamPay spells it (e.g. `Tigo`).
    pub fn new(account_number: &str, bank_name: &str) -> Result<Self, Error> {
        Ok(NameLookup {
            bank_name: bounded("bankName", bank_name, 50)?,
            account_number: bounded("accountNumber", account_number, 50)?,
            checksum: None,
        })
    }

    /// `checksum` (see [`disbursement_checksum`]).
    pub fn with_checksum(mut self, checksum: String) -> Self {
        self.checksum = Some(checksum);
        self
    }
}

/// The answer to a name lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountName {
    /// `name`.
    pub name: Option<String>,
    /// `fname`.
    pub first_name: Option<String>,
    /// `lname`.
    pub last_name: Option<String>,
    /// `accountNumber`.
    pub account_number: Option<String>,
    /// `bankName`.
    pub bank_name: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl Operation for NameLookup {
    type Api = AzampayConfig;
    type Output = AccountName;
    const NAME: &'static str = "namelookup";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let (host, path) = endpoint(api, "namelookup", "namelookup");
        aw::post(host, path, self)
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<AccountName, Error> {
        let obj = aw::object(Self::NAME, &response)?;
        // `status` is a boolean here (older SDKs: `success`).
        if aw::boolean(aw::get_ci(&obj, &["status"])) == Some(false) {
            let message = aw::message(&obj).unwrap_or_else(|| "name lookup failed".to_owned());
            return Err(aw::provider(None, message, response.status().as_u16()));
        }
        Ok(AccountName {
            name: aw::text_of(&obj, &["name"]),
            first_name: aw::text_of(&obj, &["fname"]),
            last_name: aw::text_of(&obj, &["lname"]),
            account_number: aw::text_of(&obj, &["accountNumber"]),
            bank_name: aw::text_of(&obj, &["bankName"]),
            message: aw::message(&obj),
        })
    }
}

/// `GET …/transactionstatus?pgReferenceId=…&bankName=…`. Idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisbursementStatus {
    pg_reference_id: String,
    bank_name: String,
}

impl DisbursementStatus {
    /// `pg_reference_id` from [`DisbursementAccepted`]; `bank_name` the wallet used.
    pub fn new(pg_reference_id: &str, bank_name: &str) -> Result<Self, Error> {
        Ok(DisbursementStatus {
            pg_reference_id: bounded("pgReferenceId", pg_reference_id, 128)?,
            bank_name: bounded("bankName", bank_name, 50)?,
        })
    }
}

/// What the disbursement status query said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutState {
    /// The status read from `data` (`Transaction successful.` ⇒ Completed).
    pub status: PaymentStatus,
    /// `data` as text.
    pub detail: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl Operation for DisbursementStatus {
    type Api = AzampayConfig;
    type Output = PayoutState;
    const NAME: &'static str = "transactionstatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let (host, path) = endpoint(api, "transactionstatus", "gettransactionstatus");
        Ok(Parts::get(host, path)
            .query("pgReferenceId", &self.pg_reference_id)
            .query("bankName", &self.bank_name))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<PayoutState, Error> {
        let obj = aw::object(Self::NAME, &response)?;
        let detail = aw::data_text(&obj, &["status", "transactionstatus"]);
        Ok(PayoutState {
            status: detail
                .as_deref()
                .map_or(PaymentStatus::Unknown(String::new()), status_word),
            detail,
            message: aw::message(&obj),
        })
    }
}
