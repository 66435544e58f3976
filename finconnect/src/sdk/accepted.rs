//! A callback that parsed (and verified, where the provider signs), waiting to be
//! confirmed, with the two answers its sender may get.

use super::event::{Claims, Facts};
use crate::{PaymentStatus, Provider};

/// How an accepted callback gets confirmed (private to the facade).
#[derive(Clone, Debug)]
pub(crate) enum Confirmation {
    /// PesaPal: GetTransactionStatus for this notification.
    Pesapal(crate::pesapal::Notification),
    /// AzamPay, signature verified: the signed text and status.
    AzampaySigned {
        key: crate::DedupeKey,
        status: PaymentStatus,
        utility_ref: Option<String>,
        external_reference: Option<String>,
    },
    /// AzamPay, unsigned: the status query by transaction id.
    AzampayQuery {
        query: crate::azampay::TransactionStatus,
        transid: String,
    },
    /// ClickPesa, checksum verified: the covered facts.
    ClickpesaVerified { facts: Facts, payout: bool },
    /// ClickPesa, unsigned: the payment or payout query.
    ClickpesaQuery {
        reference: crate::clickpesa::OrderReference,
        payout: bool,
    },
    /// M-Pesa (never signed): which notification it is.
    Mpesa(super::mpesa::MpesaCallback),
}

/// A callback that parsed, and verified where the provider signs. Confirm it
/// with [`FintechSdk::confirm_callback`](super::FintechSdk::confirm_callback),
/// hand the event off, and only then answer the sender with
/// [`AcceptedCallback::received`]; if anything failed, answer
/// [`AcceptedCallback::retry_later`] so that the provider sends it again.
/// [`CallbackInbox`](super::CallbackInbox) does all of that.
#[derive(Clone, Debug)]
pub struct AcceptedCallback {
    pub(crate) provider: Provider,
    pub(crate) claims: Claims,
    pub(crate) arrival: u64,
    pub(crate) confirmation: Confirmation,
    pub(crate) received: http::Response<Vec<u8>>,
    pub(crate) retry: http::Response<Vec<u8>>,
}

impl AcceptedCallback {
    /// Whether it is an M-Pesa C2B validation request: a question asked before
    /// a payment (answer [`received`](Self::received) to accept it,
    /// [`retry_later`](Self::retry_later) to reject it), never an event.
    pub fn is_validation_request(&self) -> bool {
        matches!(
            self.confirmation,
            Confirmation::Mpesa(super::mpesa::MpesaCallback::C2bValidation)
        )
    }
}

impl AcceptedCallback {
    /// Which provider sent it.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// What it says (unverified): use it to find your order.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The answer that tells the provider "received, stop sending": PesaPal's
    /// acknowledgement JSON with status 200, a `200 {}` for AzamPay and
    /// ClickPesa. M-Pesa: the acknowledgement of its kind (`200
    /// {"ResultCode":0,…}`), and for a C2B validation request the *accept*
    /// reply (`{"ResultCode":"0","ResultDesc":"Accepted"}`). Send it only once
    /// the event is handed off.
    pub fn received(&self) -> http::Response<Vec<u8>> {
        self.received.clone()
    }

    /// The answer that makes the provider send it again: PesaPal's
    /// acknowledgement with status 500 (as HTTP 500), a 503 for AzamPay and
    /// ClickPesa.
    ///
    /// M-Pesa **never sends a callback again**, whatever the answer: for its
    /// STK callbacks, C2B confirmations and results this is a 503 that Daraja
    /// ignores, so "retry later" means *you* settle the payment later with
    /// [`FintechSdk::reconcile`](super::FintechSdk::reconcile) (or a status
    /// query). For a C2B validation request it is the reject reply
    /// (`C2B00016`, "other error"): the payer's money is not taken and the
    /// payer may pay again later.
    pub fn retry_later(&self) -> http::Response<Vec<u8>> {
        self.retry.clone()
    }
}

/// `200 {}` (JSON): what AzamPay and ClickPesa need to stop sending.
pub(crate) fn ok_json() -> http::Response<Vec<u8>> {
    crate::azampay::callback_ack()
}

/// A plain-text answer.
pub(crate) fn text(status: http::StatusCode, text: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(text.as_bytes().to_vec());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `503` asking the sender to retry.
pub(crate) fn retry_503() -> http::Response<Vec<u8>> {
    let mut r = text(
        http::StatusCode::SERVICE_UNAVAILABLE,
        "not processed yet; send it again later",
    );
    r.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("30"),
    );
    r
}
