//! What the simulated Daraja remembers: tokens, STK pushes, C2B registrations, completed
//! transactions (by receipt) and the shortcode's utility balance.

use std::collections::{HashMap, HashSet};
use std::time::{Instant, SystemTime};

/// An STK push and, once the customer answered, its result.
#[derive(Debug, Clone)]
pub(crate) struct Stk {
    pub checkout_request_id: String,
    pub merchant_request_id: String,
    pub amount: u64,
    pub phone: String,
    pub account_reference: String,
    pub description: String,
    pub callback_url: String,
    /// `None` while the prompt is open; then the `ResultCode`.
    pub result_code: Option<String>,
    /// Queries answered while pending (picks the next pending shape).
    pub pending_queries: u32,
}

/// A registration of C2B URLs for a shortcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Registration {
    pub shortcode: String,
    pub response_type: String,
    pub confirmation_url: String,
    pub validation_url: String,
}

/// What moved money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Stk,
    C2b,
    B2c,
    Reversal,
}

/// A completed transaction, found by its receipt.
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub kind: Kind,
    pub receipt: String,
    pub amount: u64,
    /// The customer's MSISDN.
    pub msisdn: String,
    pub originator_conversation_id: String,
    pub conversation_id: String,
    pub at: SystemTime,
    pub reversed: bool,
}

/// The balance the sandbox shortcode starts with, in cents (KES 1 000 000).
pub(crate) const OPENING_UTILITY_CENTS: i64 = 100_000_000;

/// Everything the simulated Daraja remembers.
#[derive(Debug)]
pub(crate) struct Store {
    pub tokens: HashMap<String, Instant>,
    pub pushes: Vec<Stk>,
    by_checkout: HashMap<String, usize>,
    pub registrations: Vec<Registration>,
    pub transactions: Vec<Transaction>,
    /// Every B2C `OriginatorConversationID` seen (the idempotency key).
    pub b2c_ids: HashSet<String>,
    /// The utility account, in cents.
    pub utility_cents: i64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            tokens: HashMap::new(),
            pushes: Vec::new(),
            by_checkout: HashMap::new(),
            registrations: Vec::new(),
            transactions: Vec::new(),
            b2c_ids: HashSet::new(),
            utility_cents: OPENING_UTILITY_CENTS,
        }
    }
}

impl Store {
    /// Stores a push and indexes it by `CheckoutRequestID`.
    pub fn add_push(&mut self, push: Stk) {
        self.by_checkout
            .insert(push.checkout_request_id.clone(), self.pushes.len());
        self.pushes.push(push);
    }

    /// Whether a `CheckoutRequestID` is taken.
    pub fn has_push(&self, checkout_request_id: &str) -> bool {
        self.by_checkout.contains_key(checkout_request_id)
    }

    /// A push by `CheckoutRequestID`.
    pub fn push_mut(&mut self, checkout_request_id: &str) -> Option<&mut Stk> {
        let i = *self.by_checkout.get(checkout_request_id)?;
        self.pushes.get_mut(i)
    }

    /// The registration of a shortcode, or else the latest one.
    pub fn registration(&self, shortcode: Option<&str>) -> Option<&Registration> {
        match shortcode {
            Some(code) => self.registrations.iter().find(|r| r.shortcode == code),
            None => self.registrations.last(),
        }
    }

    /// A transaction by receipt.
    pub fn transaction_mut(&mut self, receipt: &str) -> Option<&mut Transaction> {
        self.transactions.iter_mut().find(|t| t.receipt == receipt)
    }

    /// A transaction by receipt or by the `OriginatorConversationID` of its request.
    pub fn find_transaction(&self, key: &str) -> Option<&Transaction> {
        self.transactions
            .iter()
            .find(|t| t.receipt == key || t.originator_conversation_id == key)
    }
}
