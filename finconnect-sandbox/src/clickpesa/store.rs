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
    pub payments: Vec<Payment>,
    pub payouts: Vec<Payout>,
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
            payouts: Vec::new(),
            balances: BTreeMap::from([
                ("TZS".to_string(), 10_000_000.0),
                ("USD".to_string(), 10_000.0),
            ]),
            recent_payouts: HashMap::new(),
        }
    }
}
