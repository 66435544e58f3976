//! ClickPesa state: tokens, used references, payments, payouts, balances.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Instant, SystemTime};

/// A collection attempt.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub id: String,
    pub order_reference: String,
    pub amount: f64,
    pub currency: String,
    pub channel: String,
    pub phone: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The order description a checkout link was created with.
    pub description: Option<String>,
    pub status: &'static str,
    pub payment_reference: String,
    pub created: SystemTime,
    pub updated: SystemTime,
}

impl Payment {
    /// Still waiting for the customer.
    pub fn open(&self) -> bool {
        matches!(self.status, "PROCESSING" | "PENDING")
    }
}

/// A payout.
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    pub id: String,
    pub order_reference: String,
    pub order_amount: f64,
    pub fee: f64,
    pub currency: String,
    pub bank: bool,
    pub channel_provider: String,
    pub transfer_type: Option<String>,
    pub account_number: String,
    pub account_name: String,
    pub bic: Option<String>,
    pub status: &'static str,
    pub created: SystemTime,
    pub updated: SystemTime,
}

/// Everything ClickPesa remembers.
#[derive(Debug)]
pub(crate) struct Store {
    /// Full `Authorization` values (`Bearer …`) and their expiry.
    pub tokens: HashMap<String, Instant>,
    pub used_references: HashSet<String>,
    /// Collection attempts, oldest first (a reference may have several).
    payments: Vec<Payment>,
    /// Order reference → indices into `payments`, oldest first.
    payments_by_reference: HashMap<String, Vec<usize>>,
    /// Payouts, oldest first.
    payouts: Vec<Payout>,
    /// Order reference → indices into `payouts`, oldest first.
    payouts_by_reference: HashMap<String, Vec<usize>>,
    pub balances: BTreeMap<String, f64>,
    /// (account, amount) → time of the last payout, for the 60 s cooldown.
    pub recent_payouts: HashMap<(String, String), Instant>,
}

impl Store {
    pub fn new() -> Store {
        Store {
            tokens: HashMap::new(),
            used_references: HashSet::new(),
            payments: Vec::new(),
            payments_by_reference: HashMap::new(),
            payouts: Vec::new(),
            payouts_by_reference: HashMap::new(),
            balances: BTreeMap::from([
                ("TZS".to_string(), 10_000_000.0),
                ("USD".to_string(), 10_000.0),
            ]),
            recent_payouts: HashMap::new(),
        }
    }

    /// Records a collection attempt.
    pub fn add_payment(&mut self, payment: Payment) {
        self.payments_by_reference
            .entry(payment.order_reference.clone())
            .or_default()
            .push(self.payments.len());
        self.payments.push(payment);
    }

    /// Every collection attempt, oldest first.
    pub fn payments(&self) -> &[Payment] {
        &self.payments
    }

    /// The attempts for `reference`, oldest first (found through the index, not
    /// by scanning: the cost does not grow with the number of payments).
    pub fn payments_for<'a>(&'a self, reference: &str) -> impl Iterator<Item = &'a Payment> + 'a {
        self.payments_by_reference
            .get(reference)
            .into_iter()
            .flatten()
            .map(|&i| &self.payments[i])
    }

    /// The latest attempt for `reference`.
    pub fn latest_payment_mut(&mut self, reference: &str) -> Option<&mut Payment> {
        let i = *self.payments_by_reference.get(reference)?.last()?;
        self.payments.get_mut(i)
    }

    /// Records a payout.
    pub fn add_payout(&mut self, payout: Payout) {
        self.payouts_by_reference
            .entry(payout.order_reference.clone())
            .or_default()
            .push(self.payouts.len());
        self.payouts.push(payout);
    }

    /// Every payout, oldest first.
    pub fn payouts(&self) -> &[Payout] {
        &self.payouts
    }

    /// The payouts for `reference`, oldest first.
    pub fn payouts_for<'a>(&'a self, reference: &str) -> impl Iterator<Item = &'a Payout> + 'a {
        self.payouts_by_reference
            .get(reference)
            .into_iter()
            .flatten()
            .map(|&i| &self.payouts[i])
    }

    /// The first payout for `reference`.
    pub fn first_payout_mut(&mut self, reference: &str) -> Option<&mut Payout> {
        let i = *self.payouts_by_reference.get(reference)?.first()?;
        self.payouts.get_mut(i)
    }
}
