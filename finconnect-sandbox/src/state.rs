//! Shared state of a running sandbox: configuration, counters, fault queues, provider stores.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::{Outcome, SandboxConfig};
use crate::delivery::{Client, DeliveryRecord};
use crate::error::SandboxError;
use crate::faults::Fault;
use crate::route::{ProviderName, Route};
use crate::{azampay, clickpesa, mpesa, pesapal};

/// Locks a mutex, ignoring poisoning (the data stays usable for a simulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Everything the server tasks share.
#[derive(Debug)]
pub(crate) struct State {
    pub config: SandboxConfig,
    pub addr: SocketAddr,
    pub azampay_callback_url: Mutex<Option<url::Url>>,
    pub clickpesa_webhook_url: Mutex<Option<url::Url>>,
    requests: Mutex<HashMap<Route, u64>>,
    connections: AtomicU64,
    faults: Mutex<HashMap<Route, VecDeque<Fault>>>,
    orders: Mutex<HashMap<ProviderName, u64>>,
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    pub pesapal: Mutex<pesapal::Store>,
    pub azampay: Mutex<azampay::Store>,
    pub clickpesa: Mutex<clickpesa::Store>,
    pub mpesa: Mutex<mpesa::Store>,
    pub client: Client,
}

impl State {
    pub fn new(config: SandboxConfig, addr: SocketAddr) -> State {
        State {
            azampay_callback_url: Mutex::new(config.azampay_callback_url.clone()),
            clickpesa_webhook_url: Mutex::new(config.clickpesa_webhook_url.clone()),
            config,
            addr,
            requests: Mutex::default(),
            connections: AtomicU64::new(0),
            faults: Mutex::default(),
            orders: Mutex::default(),
            deliveries: Mutex::default(),
            pesapal: Mutex::default(),
            azampay: Mutex::default(),
            clickpesa: Mutex::new(clickpesa::Store::new()),
            mpesa: Mutex::default(),
            client: crate::delivery::client(),
        }
    }

    /// Logs why notifications to `url` will not be delivered, if they will not.
    pub fn warn_if_undeliverable(&self, url: Option<&url::Url>) {
        if let Some(warning) = url.and_then(|u| {
            crate::destination::registration_warning(u, self.config.allow_remote_delivery)
        }) {
            tracing::warn!("{warning}");
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn count_request(&self, route: Route) {
        *lock(&self.requests).entry(route).or_insert(0) += 1;
    }

    pub fn requests(&self, route: Route) -> u64 {
        lock(&self.requests).get(&route).copied().unwrap_or(0)
    }

    /// Counts one accepted TCP connection.
    pub fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn count_order(&self, provider: ProviderName) {
        *lock(&self.orders).entry(provider).or_insert(0) += 1;
    }

    pub fn orders(&self, provider: ProviderName) -> u64 {
        lock(&self.orders).get(&provider).copied().unwrap_or(0)
    }

    pub fn inject(&self, route: Route, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.faults).entry(route).or_default().extend(faults);
    }

    pub fn next_fault(&self, route: Route) -> Option<Fault> {
        lock(&self.faults)
            .get_mut(&route)
            .and_then(VecDeque::pop_front)
    }

    /// The customer pays or fails now; delivers the provider's notification.
    pub async fn settle(
        self: &Arc<Self>,
        provider: ProviderName,
        reference: &str,
        outcome: Outcome,
    ) -> Result<(), SandboxError> {
        match provider {
            ProviderName::Pesapal => pesapal::settle(self, reference, outcome).await,
            ProviderName::Azampay => azampay::settle(self, reference, outcome).await,
            ProviderName::Clickpesa => clickpesa::settle(self, reference, outcome).await,
            ProviderName::Mpesa => mpesa::settle(self, reference, outcome).await,
        }
    }

    /// With `customer_delay` set, settles a new payment by itself later.
    pub fn schedule_customer(self: &Arc<Self>, provider: ProviderName, reference: String) {
        if let Some(delay) = self.config.customer_delay {
            let state = Arc::clone(self);
            let outcome = self.config.customer_outcome;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Err(e) = state.settle(provider, &reference, outcome).await {
                    tracing::debug!(error = %e, "simulated customer could not settle");
                }
            });
        }
    }
}
