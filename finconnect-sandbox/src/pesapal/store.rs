//! PesaPal state: tokens, registered IPN URLs, orders.

use std::collections::HashMap;
use std::time::{Instant, SystemTime};

/// HTTP method PesaPal uses for an IPN URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpnMethod {
    Get,
    Post,
}

/// A registered IPN URL.
#[derive(Debug, Clone)]
pub(crate) struct Ipn {
    pub row_id: u64,
    pub url: String,
    pub ipn_id: String,
    pub method: IpnMethod,
    pub created: SystemTime,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderState {
    Pending,
    Completed,
    Failed,
    Cancelled,
}

/// A submitted order.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub tracking_id: String,
    pub merchant_reference: String,
    pub amount: f64,
    pub currency: String,
    pub description: String,
    pub callback_url: String,
    /// Where the customer goes after Cancel on the checkout page (optional).
    pub cancellation_url: String,
    pub notification_id: String,
    pub account_number: String,
    pub created: SystemTime,
    pub state: OrderState,
    pub confirmation_code: String,
    pub payment_method: String,
    pub payment_account: String,
    pub refund_requested: bool,
}

/// Everything PesaPal remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub tokens: HashMap<String, Instant>,
    pub ipns: Vec<Ipn>,
    pub orders: Vec<Order>,
    pub next_row: u64,
    /// Index of `orders` by lower-case tracking id.
    by_tracking_id: HashMap<String, usize>,
    /// Index of `orders` by merchant reference (single-use, so one each).
    by_reference: HashMap<String, usize>,
}

impl Store {
    /// Stores a new order and indexes it (lookups stay O(1) however many
    /// orders a long benchmark or soak run creates).
    pub fn add_order(&mut self, order: Order) {
        let idx = self.orders.len();
        self.by_tracking_id
            .insert(order.tracking_id.to_ascii_lowercase(), idx);
        self.by_reference
            .insert(order.merchant_reference.clone(), idx);
        self.orders.push(order);
    }

    /// The order with this merchant reference.
    pub fn order_by_reference(&self, reference: &str) -> Option<&Order> {
        self.by_reference
            .get(reference)
            .and_then(|&i| self.orders.get(i))
    }

    /// An order by tracking id, or else the one with that merchant reference.
    pub fn find_order(&mut self, reference: &str) -> Option<&mut Order> {
        let idx = self
            .by_tracking_id
            .get(&reference.to_ascii_lowercase())
            .or_else(|| self.by_reference.get(reference))
            .copied()?;
        self.orders.get_mut(idx)
    }

    /// A registered IPN by id.
    pub fn ipn(&self, ipn_id: &str) -> Option<&Ipn> {
        self.ipns
            .iter()
            .find(|i| i.ipn_id.eq_ignore_ascii_case(ipn_id))
    }
}
