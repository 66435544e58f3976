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
    /// What the hosted checkout page needs (PostCheckout payments only).
    pub page: Option<HostedPage>,
}

/// A PostCheckout payment's page: who sells what, and where the browser goes next.
#[derive(Debug, Clone)]
pub(crate) struct HostedPage {
    pub vendor_name: String,
    pub currency: String,
    /// The cart's item names, comma-separated.
    pub items: String,
    pub success_url: String,
    pub fail_url: String,
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
    /// Index of `payments` by transaction id.
    by_transaction_id: HashMap<String, usize>,
    /// Index of `payments` by external id (single-use, so one each).
    by_external_id: HashMap<String, usize>,
}

impl Store {
    /// Stores a new payment and indexes it (O(1) lookups on long runs).
    pub fn add_payment(&mut self, payment: Payment) {
        let idx = self.payments.len();
        self.by_transaction_id
            .insert(payment.transaction_id.clone(), idx);
        self.by_external_id.insert(payment.external_id.clone(), idx);
        self.payments.push(payment);
    }

    /// The payment with this external id.
    pub fn payment_by_external_id(&self, external_id: &str) -> Option<&Payment> {
        self.by_external_id
            .get(external_id)
            .and_then(|&i| self.payments.get(i))
    }

    /// A payment by transaction id or external id.
    pub fn find_payment(&mut self, reference: &str) -> Option<&mut Payment> {
        let idx = self
            .by_transaction_id
            .get(reference)
            .or_else(|| self.by_external_id.get(reference))
            .copied()?;
        self.payments.get_mut(idx)
    }

    /// A disbursement by `pgReferenceId` or `externalReferenceId`.
    pub fn find_disbursement(&mut self, reference: &str) -> Option<&mut Disbursement> {
        self.disbursements
            .iter_mut()
            .find(|d| d.pg_reference_id == reference || d.external_reference_id == reference)
    }
}
