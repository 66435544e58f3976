//! The **unofficial** collection status query — the safe way to confirm a
//! callback.

use super::checkout::MnoProvider;
use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Operation, PaymentStatus};

/// `GET {checkout}{status_path}?transactionId=…&provider=…` (Bearer).
///
/// **Unofficial**: absent from AzamPay's published docs; two integrators use
/// `/api/v1/partner/gettransactionstatus` (the default path, configurable with
/// [`AzampayConfig::with_status_path`]). The `provider` spelling is unconfirmed
/// (`Mpesa` vs `azampesa`); this sends the checkout spelling. A refusal or
/// unreadable answer is an error, never a "failed" payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionStatus {
    transaction_id: String,
    provider: MnoProvider,
}

impl TransactionStatus {
    /// The `transactionId` from the checkout answer (the callback's `transid`).
    pub fn new(transaction_id: &str, provider: MnoProvider) -> Result<Self, Error> {
        let t = transaction_id.trim();
        if t.is_empty() || t.len() > 128 {
            return Err(Error::invalid("transactionId", "1 to 128 characters"));
        }
        Ok(TransactionStatus {
            transaction_id: t.to_owned(),
            provider,
        })
    }
}

/// What the status query said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionStatus {
    /// The status (`success` ⇒ Completed, `pending` ⇒ Pending, `failed`/`failure`
    /// ⇒ Failed, `reversed` ⇒ Reversed, `expired` ⇒ Cancelled, else Unknown).
    pub status: PaymentStatus,
    /// AzamPay's word, as sent.
    pub raw: String,
}

/// Maps a status word from a status answer.
pub(crate) fn status_word(word: &str) -> PaymentStatus {
    let w = word.trim().trim_end_matches('.').to_ascii_lowercase();
    let w = w.strip_prefix("transaction ").unwrap_or(&w);
    match w {
        "success" | "successful" | "succeeded" | "completed" => PaymentStatus::Completed,
        "pending" | "processing" | "in progress" | "initiated" => PaymentStatus::Pending,
        "failed" | "failure" => PaymentStatus::Failed,
        "reversed" => PaymentStatus::Reversed,
        "expired" | "cancelled" | "canceled" => PaymentStatus::Cancelled,
        _ => PaymentStatus::Unknown(word.to_owned()),
    }
}

impl Operation for TransactionStatus {
    type Api = AzampayConfig;
    type Output = CollectionStatus;
    const NAME: &'static str = "gettransactionstatus";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Checkout, &api.status_path)
            .query("transactionId", &self.transaction_id)
            .query("provider", self.provider.as_str()))
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<CollectionStatus, Error> {
        let obj = aw::object(Self::NAME, &response)?;
        let raw = aw::data_text(&obj, &["transactionstatus", "status"]).ok_or_else(|| {
            let status = Some(response.status().as_u16());
            Error::decode(
                aw::context(Self::NAME),
                "no status in `data`",
                response.body(),
                status,
            )
        })?;
        Ok(CollectionStatus {
            status: status_word(&raw),
            raw,
        })
    }
}
