//! The public handle of a running sandbox.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Outcome, SandboxConfig};
use crate::delivery::DeliveryRecord;
use crate::error::SandboxError;
use crate::faults::Fault;
use crate::mpesa::MpesaC2bOutcome;
use crate::route::{ProviderName, Route};
use crate::server;
use crate::state::{lock, State};

/// A running simulator of PesaPal, AzamPay, ClickPesa and M-Pesa (Daraja) on 127.0.0.1.
///
/// Cheap to clone: clones share the same server and state. The server runs until
/// [`Sandbox::shutdown`] is called (or the tokio runtime ends).
#[derive(Debug, Clone)]
pub struct Sandbox {
    state: Arc<State>,
    shutdown: Arc<watch::Sender<bool>>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:config.port` and starts serving.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(config, addr));
        state.warn_if_undeliverable(state.config.azampay_callback_url.as_ref());
        state.warn_if_undeliverable(state.config.clickpesa_webhook_url.as_ref());
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(server::run(listener, Arc::clone(&state), rx));
        Ok(Sandbox {
            state,
            shutdown: Arc::new(tx),
            task: Arc::new(Mutex::new(Some(task))),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.state.addr
    }

    /// PesaPal base URL, e.g. `http://127.0.0.1:PORT/pesapal/v3`; the documented paths
    /// (`/api/Auth/RequestToken`, …) go below it.
    pub fn pesapal_base_url(&self) -> String {
        format!("{}{}", self.state.origin(), server::PESAPAL_PREFIX)
    }

    /// AzamPay authenticator base URL; `/AppRegistration/GenerateToken` goes below it.
    pub fn azampay_auth_base_url(&self) -> String {
        format!("{}{}", self.state.origin(), server::AZAMPAY_AUTH_PREFIX)
    }

    /// AzamPay checkout base URL; `/azampay/mno/checkout`, `/azampay/bank/checkout`,
    /// `/api/v1/Partner/…`, `/api/v1/partner/gettransactionstatus` and
    /// `/azampay/v1/public-key` go below it (plus the legacy disbursement paths).
    pub fn azampay_checkout_base_url(&self) -> String {
        format!("{}{}", self.state.origin(), server::AZAMPAY_CHECKOUT_PREFIX)
    }

    /// AzamPay disbursement base URL; `/api/v1/azampay/{disburse,namelookup,transactionstatus}`
    /// go below it.
    pub fn azampay_disbursement_base_url(&self) -> String {
        format!(
            "{}{}",
            self.state.origin(),
            server::AZAMPAY_DISBURSEMENT_PREFIX
        )
    }

    /// ClickPesa base URL, e.g. `http://127.0.0.1:PORT/clickpesa/third-parties`.
    pub fn clickpesa_base_url(&self) -> String {
        format!("{}{}", self.state.origin(), server::CLICKPESA_PREFIX)
    }

    /// M-Pesa (Daraja) base URL, e.g. `http://127.0.0.1:PORT/daraja`; Daraja's paths
    /// (`/oauth/v1/generate`, `/mpesa/stkpush/v1/processrequest`, …) go below it.
    pub fn mpesa_base_url(&self) -> String {
        format!("{}{}", self.state.origin(), server::MPESA_PREFIX)
    }

    /// The simulated phone's prompt for an STK push: a page with Pay, Fail and Cancel
    /// (Cancel answers `ResultCode` 1032). Daraja's push answer carries no page URL (the
    /// prompt is on the customer's phone), so the sandbox hands it out here.
    pub fn mpesa_prompt_url(&self, checkout_request_id: &str) -> String {
        let key: String =
            url::form_urlencoded::byte_serialize(checkout_request_id.as_bytes()).collect();
        format!(
            "{}{}{key}",
            self.state.origin(),
            crate::checkout::MPESA_PAGE
        )
    }

    /// The M-Pesa customer answers an STK prompt with this final `ResultCode` (`"0"` paid,
    /// `"1032"` cancelled, `"1037"` no answer, `"2001"` wrong PIN, …; never `"4999"`).
    /// Returns after the callback was POSTed (once: Daraja does not retry).
    pub async fn settle_mpesa(
        &self,
        checkout_request_id: &str,
        result_code: &str,
    ) -> Result<(), SandboxError> {
        crate::mpesa::settle_code(&self.state, checkout_request_id, result_code).await
    }

    /// An M-Pesa customer pays `amount_kes` to a shortcode with registered C2B URLs (the
    /// latest registration when `shortcode` is `None`), from `msisdn` with account number
    /// `bill_ref`: the ValidationURL is asked, then an accepted payment is confirmed.
    pub async fn mpesa_c2b_payment(
        &self,
        shortcode: Option<&str>,
        amount_kes: u64,
        msisdn: &str,
        bill_ref: &str,
    ) -> Result<MpesaC2bOutcome, SandboxError> {
        crate::mpesa::customer_pays(&self.state, shortcode, amount_kes, msisdn, bill_ref).await
    }

    /// Sets (or clears) where AzamPay callbacks are POSTed. A non-loopback URL is accepted
    /// but, without [`SandboxConfig::allow_remote_delivery`], logs why nothing will reach it.
    pub fn set_azampay_callback_url(&self, url: Option<url::Url>) {
        self.state.warn_if_undeliverable(url.as_ref());
        *lock(&self.state.azampay_callback_url) = url;
    }

    /// Sets (or clears) where ClickPesa webhooks are POSTed. A non-loopback URL is accepted
    /// but, without [`SandboxConfig::allow_remote_delivery`], logs why nothing will reach it.
    pub fn set_clickpesa_webhook_url(&self, url: Option<url::Url>) {
        self.state.warn_if_undeliverable(url.as_ref());
        *lock(&self.state.clickpesa_webhook_url) = url;
    }

    /// Queues faults for a route: each request to it consumes the next one; with an empty
    /// queue the route behaves normally.
    pub fn inject(&self, route: Route, faults: impl IntoIterator<Item = Fault>) {
        self.state.inject(route, faults);
    }

    /// The provider (PesaPal, AzamPay or ClickPesa) revokes every token it issued
    /// so far: calls that
    /// carry one get the provider's invalid-token answer (a 401 mid-run) until
    /// the client authenticates again.
    pub fn revoke_tokens(&self, provider: ProviderName) {
        if provider == ProviderName::Pesapal {
            lock(&self.state.pesapal).tokens.clear();
        }
        if provider == ProviderName::Azampay {
            lock(&self.state.azampay).tokens.clear();
        }
        if provider == ProviderName::Clickpesa {
            lock(&self.state.clickpesa).tokens.clear();
        }
    }

    /// How many requests a route received (faulted ones included).
    pub fn requests(&self, route: Route) -> u64 {
        self.state.requests(route)
    }

    /// How many TCP connections the server accepted (a client that keeps its
    /// connections alive opens few; one per request means no keep-alive).
    pub fn connections(&self) -> u64 {
        self.state.connections()
    }

    /// How many payment-creating requests were accepted (PesaPal SubmitOrderRequest,
    /// AzamPay MNO/bank checkout and disbursements, ClickPesa USSD push, card initiate and
    /// payouts, M-Pesa STK push and B2C).
    pub fn orders(&self, provider: ProviderName) -> u64 {
        self.state.orders(provider)
    }

    /// The customer pays (or fails) now. Returns after the provider's notification has been
    /// delivered (or all delivery attempts failed).
    ///
    /// `reference`: PesaPal order tracking id or merchant reference; AzamPay transaction id,
    /// `externalId`/`referenceId`, or a disbursement `pgReferenceId`/`externalReferenceId`;
    /// ClickPesa order reference (payment or payout); M-Pesa `CheckoutRequestID`
    /// (`Complete` is `ResultCode` 0, `Fail` is 1; see [`Sandbox::settle_mpesa`] for others).
    pub async fn settle(
        &self,
        provider: ProviderName,
        reference: &str,
        outcome: Outcome,
    ) -> Result<(), SandboxError> {
        self.state.settle(provider, reference, outcome).await
    }

    /// Every notification sent so far, oldest first (refused ones included, marked
    /// [`DeliveryRecord::refused`]).
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.state.deliveries).clone()
    }

    /// How many notifications were refused because their destination is not a loopback
    /// address (see [`SandboxConfig::allow_remote_delivery`]).
    pub fn refused_deliveries(&self) -> usize {
        lock(&self.state.deliveries)
            .iter()
            .filter(|d| d.refused)
            .count()
    }

    /// Stops accepting connections and closes open ones.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let task = lock(&self.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
