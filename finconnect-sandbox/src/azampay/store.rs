//! AzamPay state: tokens, checkouts, disbursements.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::Value;

/// Where a payment or disbursement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxState {
    Pending,
    Success,
    Failure,
}

impl TxState {
    pub fn word(self) -> &'static str {
        match self {
            TxState::Pending => "pending",
            TxState::Success => "success",
            TxState::Failure => "failure",
        }
    }
}

/// A collection: MNO push, bank checkout or hosted checkout page.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub transaction_id: String,
    pub external_id: String,
    pub msisdn: String,
    pub amount: String,
    pub operator: String,
    pub additional: Value,
    pub state: TxState,
}

/// A payout.
#[derive(Debug, Clone)]
pub(crate) struct Disbursement {
    pub pg_reference_id: String,
    pub external_reference_id: String,
    pub amount: String,
    pub operator: String,
    pub additional: Value,
    pub state: TxState,
}

/// Everything AzamPay remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub tokens: HashMap<String, Instant>,
    pub payments: Vec<Payment>,
    pub disbursements: Vec<Disbursement>,
}

impl Store {
    /// A payment by transaction id or (latest) external id.
    pub fn find_payment(&mut self, reference: &str) -> Option<&mut Payment> {
        let idx = self
            .payments
            .iter()
            .position(|p| p.transaction_id == reference)
            .or_else(|| {
                self.payments
                    .iter()
                    .rposition(|p| p.external_id == reference)
            })?;
        self.payments.get_mut(idx)
    }

    /// A disbursement by `pgReferenceId` or `externalReferenceId`.
    pub fn find_disbursement(&mut self, reference: &str) -> Option<&mut Disbursement> {
        self.disbursements
            .iter_mut()
            .find(|d| d.pg_reference_id == reference || d.external_reference_id == reference)
    }
}
