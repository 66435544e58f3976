//! Disbursement (payouts), name lookup and disbursement status — as far as the
//! reference documents them. The paths are **uncertain**: see
//! [`DisbursementGeneration`].
//!
//! The `checksum` (Base64 of RSA-PKCS#1-v1.5-encrypted SHA-512 digest, field order
//! unconfirmed) needs randomness, so the core does not compute it: build it with
//! [`disbursement_checksum`] and your random source, and pass it in.

use super::config::DisbursementGeneration;
use super::public_key::AzampayPublicKey;
use super::status::status_word;
use super::wire::{self as aw, Host};
use super::AzampayConfig;
use crate::retry::Idempotency;
use crate::{wire, AccessToken, Currency, Error, Money, Operation, PaymentStatus};
use base64::Engine as _;
use http::Method;
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
    pub fn tz(full_name: &str, wallet: Wallet, account_number: &str) -> Result<Self, Error> {
        Ok(Party {
            country_code: "TZ".to_owned(),
            full_name: super::checkout::bounded("fullName", full_name, 100)?,
            bank_name: wallet.as_str(),
            account_number: super::checkout::bounded("accountNumber", account_number, 50)?,
            currency: "TZS",
        })
    }
}

/// `POST /api/v1/azampay/disburse` on the disbursement host (or the legacy
/// `/azampay/createtransfer` on the checkout host). **Not idempotent.**
#[derive(Clone, Debug, PartialEq)]
pub struct Disburse {
    source: Party,
    destination: Party,
    amount: Money,
    transfer_type: String,
    date_in_epoch: i64,
    external_reference_id: String,
    remarks: Option<String>,
    additional_properties: Option<Map<String, Value>>,
    checksum: Option<String>,
}

impl Disburse {
    /// `amount` in whole TZS; `at` is the request time (`dateInEpoch`);
    /// `external_reference_id` at most 30 characters.
    pub fn new(
        source: Party,
        destination: Party,
        amount: Money,
        external_reference_id: &str,
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
            amount,
            transfer_type: "SWIFT".to_owned(),
            date_in_epoch: i64::try_from(date_in_epoch).unwrap_or(i64::MAX),
            external_reference_id: super::checkout::bounded(
                "externalReferenceId",
                external_reference_id,
                30,
            )?,
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransferDetails<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    amount: Value,
    date_in_epoch: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DisburseBody<'a> {
    source: &'a Party,
    destination: &'a Party,
    transfer_details: TransferDetails<'a>,
    external_reference_id: &'a str,
    remarks: Option<&'a str>,
    additional_properties: Option<&'a Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'a str>,
}

fn paths(generation: DisbursementGeneration) -> (Host, &'static str, &'static str, &'static str) {
    match generation {
        DisbursementGeneration::Current => (
            Host::Disbursement,
            "/api/v1/azampay/disburse",
            "/api/v1/azampay/namelookup",
            "/api/v1/azampay/transactionstatus",
        ),
        DisbursementGeneration::Legacy => (
            Host::Checkout,
            "/azampay/createtransfer",
            "/azampay/namelookup",
            "/azampay/gettransactionstatus",
        ),
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
    const NAME: &'static str = "Disburse";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;

    fn reference(&self) -> Option<String> {
        Some(self.external_reference_id.clone())
    }

    fn to_request(
        &self,
        api: &AzampayConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let amount: Value = serde_json::from_str(self.amount.to_json_number().get())
            .map_err(|e| Error::config(format!("amount: {e}")))?;
        let body = wire::to_json(&DisburseBody {
            source: &self.source,
            destination: &self.destination,
            transfer_details: TransferDetails {
                kind: &self.transfer_type,
                amount,
                date_in_epoch: self.date_in_epoch,
            },
            external_reference_id: &self.external_reference_id,
            remarks: self.remarks.as_deref(),
            additional_properties: self.additional_properties.as_ref(),
            checksum: self.checksum.as_deref(),
        })?;
        let (host, path, _, _) = paths(api.disbursement_generation);
        aw::request(api, Method::POST, host, path, token, Some(body))
    }

    fn from_response(
        &self,
        response: http::Response<Vec<u8>>,
    ) -> Result<DisbursementAccepted, Error> {
        let value = aw::parse("AzamPay disbursement answer", &response)?;
        aw::check_refusal(
            "AzamPay disbursement answer",
            Self::NAME,
            &response,
            &value,
            Some(&self.external_reference_id),
            aw::Refusals::Envelope,
        )?;
        let obj = value.as_object().cloned().unwrap_or_default();
        Ok(DisbursementAccepted {
            pg_reference_id: aw::text(aw::get_ci(&obj, &["pgReferenceId"])),
            message: aw::message(&obj),
        })
    }
}

/// `POST …/namelookup`: the registered name of a wallet or account. Idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameLookup {
    bank_name: String,
    account_number: String,
    checksum: Option<String>,
}

impl NameLookup {
    /// `bank_name` as AzamPay spells it (e.g. `Tigo`).
    pub fn new(bank_name: &str, account_number: &str) -> Result<Self, Error> {
        Ok(NameLookup {
            bank_name: super::checkout::bounded("bankName", bank_name, 50)?,
            account_number: super::checkout::bounded("accountNumber", account_number, 50)?,
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LookupBody<'a> {
    bank_name: &'a str,
    account_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<&'a str>,
}

impl Operation for NameLookup {
    type Api = AzampayConfig;
    type Output = AccountName;
    const NAME: &'static str = "NameLookup";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &AzampayConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let body = wire::to_json(&LookupBody {
            bank_name: &self.bank_name,
            account_number: &self.account_number,
            checksum: self.checksum.as_deref(),
        })?;
        let (host, _, path, _) = paths(api.disbursement_generation);
        aw::request(api, Method::POST, host, path, token, Some(body))
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<AccountName, Error> {
        let status = response.status().as_u16();
        let value = aw::parse("AzamPay name lookup", &response)?;
        aw::check(Self::NAME, status, &value, None)?;
        let obj = value.as_object().cloned().unwrap_or_default();
        // `status` is a boolean here (older SDKs: `success`).
        if aw::boolean(aw::get_ci(&obj, &["status"])) == Some(false) {
            return Err(aw::provider(
                Self::NAME,
                None,
                aw::message(&obj).unwrap_or_else(|| "name lookup failed".to_owned()),
                status,
            ));
        }
        Ok(AccountName {
            name: aw::text(aw::get_ci(&obj, &["name"])),
            first_name: aw::text(aw::get_ci(&obj, &["fname"])),
            last_name: aw::text(aw::get_ci(&obj, &["lname"])),
            account_number: aw::text(aw::get_ci(&obj, &["accountNumber"])),
            bank_name: aw::text(aw::get_ci(&obj, &["bankName"])),
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
            pg_reference_id: super::checkout::bounded("pgReferenceId", pg_reference_id, 128)?,
            bank_name: super::checkout::bounded("bankName", bank_name, 50)?,
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
    const NAME: &'static str = "DisbursementStatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn to_request(
        &self,
        api: &AzampayConfig,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("pgReferenceId", &self.pg_reference_id)
            .append_pair("bankName", &self.bank_name)
            .finish();
        let (host, _, _, path) = paths(api.disbursement_generation);
        aw::request(
            api,
            Method::GET,
            host,
            &format!("{path}?{query}"),
            token,
            None,
        )
    }

    fn from_response(&self, response: http::Response<Vec<u8>>) -> Result<PayoutState, Error> {
        let status = response.status().as_u16();
        let value = aw::parse("AzamPay disbursement status", &response)?;
        aw::check(Self::NAME, status, &value, None)?;
        let obj = value.as_object().cloned().unwrap_or_default();
        let data = aw::get_ci(&obj, &["data"]);
        let detail = match data {
            Some(Value::Object(d)) => aw::text(aw::get_ci(d, &["status", "transactionstatus"])),
            other => aw::text(other),
        };
        Ok(PayoutState {
            status: detail
                .as_deref()
                .map(status_word)
                .unwrap_or_else(|| PaymentStatus::Unknown(String::new())),
            detail,
            message: aw::message(&obj),
        })
    }
}
