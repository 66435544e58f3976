//! Callbacks as the facade reports them.

use crate::{Money, PaymentStatus, Provider};

/// Why a callback's content can be believed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Not yet: neither signed nor confirmed. Its status is never `Completed`.
    Unverified,
    /// Its signature or checksum verified.
    Signature,
    /// The provider's status query confirmed it (PesaPal always; unsigned
    /// AzamPay/ClickPesa callbacks).
    StatusQuery,
}

/// A notification from a provider, normalised.
///
/// Replays are possible (no provider signs a timestamp): process each
/// [`CallbackEvent::dedupe_key`] once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackEvent {
    /// Which provider sent it.
    pub provider: Provider,
    /// The provider's name for the event (`IPNCHANGE`, `PAYMENT RECEIVED`, …).
    pub kind: String,
    /// Your reference.
    pub reference: Option<String>,
    /// The provider's id for the payment.
    pub provider_reference: Option<String>,
    /// The status (never `Completed` unless [`CallbackEvent::verified`]).
    pub status: PaymentStatus,
    /// The amount, when known.
    pub amount: Option<Money>,
    /// A stable key: the same notification delivered twice has the same key.
    pub dedupe_key: String,
    /// Why it can be believed.
    pub trust: Trust,
}

impl CallbackEvent {
    /// Whether its content was verified (signature, checksum or status query).
    pub fn verified(&self) -> bool {
        self.trust != Trust::Unverified
    }

    /// Unverified events never report a payment as completed: a claimed
    /// `Completed` reads as `Pending` until it is confirmed.
    pub(crate) fn unverified(mut self) -> Self {
        self.trust = Trust::Unverified;
        if self.status == PaymentStatus::Completed {
            self.status = PaymentStatus::Pending;
        }
        self
    }
}

/// How an accepted callback gets confirmed (private to the facade).
#[derive(Clone, Debug)]
pub(crate) enum Confirmation {
    /// Already trusted.
    None,
    /// PesaPal: GetTransactionStatus for this notification.
    Pesapal(crate::pesapal::Notification),
    /// AzamPay: the status query.
    Azampay(crate::azampay::TransactionStatus),
    /// ClickPesa: the payment query.
    Clickpesa(crate::clickpesa::OrderReference),
}

/// A callback that parsed (and verified, where the provider signs): answer the
/// provider with [`AcceptedCallback::response`] now, then confirm it with
/// [`FintechSdk::confirm_callback`](super::FintechSdk::confirm_callback).
#[derive(Clone, Debug)]
pub struct AcceptedCallback {
    /// The answer to send the provider (PesaPal's ack JSON; a 200 for the others).
    pub response: http::Response<Vec<u8>>,
    /// The event as received (unverified unless signed).
    pub event: CallbackEvent,
    pub(crate) confirmation: Confirmation,
}
