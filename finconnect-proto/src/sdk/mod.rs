//! The provider-agnostic facade: the original FinConnect SDK's shape
//! (`register_ipn`, `pay`, `status`, `handle_callback`) over any provider, with
//! none of its faults.
//!
//! [`FintechSdk`] is generic over a [`Transport`]; the adapter crates give it one
//! (`finconnect_reqwest::FintechSdk`, `finconnect_hyper::FintechSdk`). It holds
//! one provider account, caches its token (single flight) and, for AzamPay, its
//! public key.
//!
//! Callbacks come in two steps so an HTTP handler can answer the provider at once:
//! [`FintechSdk::accept_callback`] parses and verifies (a forged AzamPay or
//! ClickPesa callback is an [`Error::Signature`]) and gives the answer to send;
//! [`FintechSdk::confirm_callback`] then makes the event trustworthy — PesaPal
//! IPNs carry no signature, so they are always confirmed with GetTransactionStatus;
//! unsigned AzamPay/ClickPesa callbacks are confirmed with their status queries.
//! [`FintechSdk::handle_callback`] does both.
//!
//! ```
//! use finconnect_proto::driver::{Transport, TransportFailure};
//! use finconnect_proto::pesapal::PesapalConfig;
//! use finconnect_proto::sdk::{FintechSdk, Payment, ProviderConfig};
//! use finconnect_proto::{Currency, Money, Secret};
//! use std::time::{Duration, SystemTime};
//!
//! # struct Offline;
//! # impl Transport for Offline {
//! #     async fn send(&self, _: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
//! #         Err(TransportFailure::connect("offline"))
//! #     }
//! #     async fn sleep(&self, _: Duration) {}
//! #     fn now(&self) -> SystemTime { SystemTime::UNIX_EPOCH }
//! #     fn seed(&self) -> u64 { 1 }
//! # }
//! let config = PesapalConfig::sandbox(Secret::new("key"), Secret::new("secret"))?;
//! let sdk = FintechSdk::new(ProviderConfig::Pesapal(config), Offline)?;
//! let payment = Payment::new("ORDER-1", Money::from_major(100, Currency::KES)?)?
//!     .description("Test order")?
//!     .email("payer@example.com")
//!     .callback_url("https://shop.example/return");
//! // PesaPal needs the ipn_id from register_ipn: leaving it out is caught before
//! // anything is sent, with the field named.
//! let err = futures_lite_block_on(sdk.pay(&payment, None)).unwrap_err();
//! assert!(err.to_string().contains("ipn_id"));
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let waker = std::task::Waker::noop();
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut f = std::pin::pin!(f);
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! # Ok::<(), finconnect_proto::Error>(())
//! ```

mod azampay;
mod callback;
mod clickpesa;
mod payment;
mod pesapal;

pub use self::callback::{AcceptedCallback, CallbackEvent, Trust};
pub use self::payment::{
    Customer, MobileOperator, Payment, PaymentStarted, StatusQuery, StatusReport,
};
pub use crate::pesapal::{IpnMethod, IpnRegistration};

use self::callback::Confirmation;
use crate::azampay::AzampayConfig;
use crate::clickpesa::ClickpesaConfig;
use crate::driver::{Driver, Transport};
use crate::pesapal::PesapalConfig;
use crate::{Error, Provider};
use std::fmt;
use std::sync::Arc;

/// One provider account's configuration.
// Built once per account; boxing the larger configs would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProviderConfig {
    /// PesaPal API 3.0.
    Pesapal(PesapalConfig),
    /// AzamPay.
    Azampay(AzampayConfig),
    /// ClickPesa.
    Clickpesa(ClickpesaConfig),
}

impl ProviderConfig {
    /// Which provider.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderConfig::Pesapal(_) => Provider::Pesapal,
            ProviderConfig::Azampay(_) => Provider::Azampay,
            ProviderConfig::Clickpesa(_) => Provider::Clickpesa,
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Backend<T: Transport> {
    Pesapal(Driver<PesapalConfig, T>),
    Azampay(azampay::Backend<T>),
    Clickpesa(Driver<ClickpesaConfig, T>),
}

/// The facade over one provider account. Cheap to clone (clones share the token
/// and key caches).
pub struct FintechSdk<T: Transport> {
    backend: Arc<Backend<T>>,
}

impl<T: Transport> Clone for FintechSdk<T> {
    fn clone(&self) -> Self {
        FintechSdk {
            backend: Arc::clone(&self.backend),
        }
    }
}

impl<T: Transport> fmt::Debug for FintechSdk<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The configs' own Debug redacts every secret.
        match &*self.backend {
            Backend::Pesapal(d) => f.debug_tuple("FintechSdk").field(d.api()).finish(),
            Backend::Azampay(b) => f.debug_tuple("FintechSdk").field(b.driver.api()).finish(),
            Backend::Clickpesa(d) => f.debug_tuple("FintechSdk").field(d.api()).finish(),
        }
    }
}

/// A 200 answer with an empty JSON object (AzamPay and ClickPesa only need a 2xx).
pub(crate) fn ok_response() -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(b"{}".to_vec());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

impl<T: Transport> FintechSdk<T> {
    /// The facade for `config`, sending over `transport`.
    pub fn new(config: ProviderConfig, transport: T) -> Result<Self, Error> {
        Self::with_driver_options(config, transport, crate::RetryPolicy::default())
    }

    /// As [`FintechSdk::new`], with a retry policy.
    pub fn with_driver_options(
        config: ProviderConfig,
        transport: T,
        retry: crate::RetryPolicy,
    ) -> Result<Self, Error> {
        let store = || -> Arc<dyn crate::driver::TokenStore> {
            Arc::new(crate::driver::MemoryTokenStore::default())
        };
        let backend = match config {
            ProviderConfig::Pesapal(c) => {
                Backend::Pesapal(Driver::with_store(c, transport, store(), retry))
            }
            ProviderConfig::Azampay(c) => Backend::Azampay(azampay::Backend::new(
                Driver::with_store(c, transport, store(), retry),
            )?),
            ProviderConfig::Clickpesa(c) => {
                Backend::Clickpesa(Driver::with_store(c, transport, store(), retry))
            }
        };
        Ok(FintechSdk {
            backend: Arc::new(backend),
        })
    }

    /// Which provider this account is with.
    pub fn provider(&self) -> Provider {
        match &*self.backend {
            Backend::Pesapal(_) => Provider::Pesapal,
            Backend::Azampay(_) => Provider::Azampay,
            Backend::Clickpesa(_) => Provider::Clickpesa,
        }
    }

    /// The PesaPal driver, for every PesaPal operation (refunds, cancels, IPN
    /// lists, …).
    pub fn pesapal(&self) -> Option<&Driver<PesapalConfig, T>> {
        match &*self.backend {
            Backend::Pesapal(d) => Some(d),
            _ => None,
        }
    }

    /// The AzamPay driver, for every AzamPay operation.
    pub fn azampay(&self) -> Option<&Driver<AzampayConfig, T>> {
        match &*self.backend {
            Backend::Azampay(b) => Some(&b.driver),
            _ => None,
        }
    }

    /// The ClickPesa driver, for every ClickPesa operation.
    pub fn clickpesa(&self) -> Option<&Driver<ClickpesaConfig, T>> {
        match &*self.backend {
            Backend::Clickpesa(d) => Some(d),
            _ => None,
        }
    }

    /// Registers the URL the provider notifies (PesaPal). AzamPay and ClickPesa
    /// configure callback URLs in their portals: [`Error::Unsupported`].
    pub async fn register_ipn(
        &self,
        url: &str,
        method: IpnMethod,
    ) -> Result<IpnRegistration, Error> {
        match &*self.backend {
            Backend::Pesapal(d) => pesapal::register_ipn(d, url, method).await,
            Backend::Azampay(_) => Err(Error::Unsupported {
                provider: Provider::Azampay,
                operation: "IPN registration",
            }),
            Backend::Clickpesa(_) => Err(crate::clickpesa::register_ipn_unsupported()),
        }
    }

    /// Starts a payment: a PesaPal order (send the customer to `redirect_url`), an
    /// AzamPay mobile-money checkout or a ClickPesa USSD push. `ipn_id` is
    /// PesaPal's registered IPN (required there, ignored elsewhere).
    ///
    /// Never re-sent automatically: if the answer is lost the error is
    /// [`Error::OutcomeUnknown`] — query [`FintechSdk::status`] before trying again.
    pub async fn pay(
        &self,
        payment: &Payment,
        ipn_id: Option<&str>,
    ) -> Result<PaymentStarted, Error> {
        match &*self.backend {
            Backend::Pesapal(d) => pesapal::pay(d, payment, ipn_id).await,
            Backend::Azampay(b) => azampay::pay(b, payment).await,
            Backend::Clickpesa(d) => clickpesa::pay(d, payment).await,
        }
    }

    /// Asks the provider where a payment stands (the trustworthy source).
    pub async fn status(&self, query: impl Into<StatusQuery>) -> Result<StatusReport, Error> {
        let query = query.into();
        match &*self.backend {
            Backend::Pesapal(d) => pesapal::status(d, &query).await,
            Backend::Azampay(b) => azampay::status(b, &query).await,
            Backend::Clickpesa(d) => clickpesa::status(d, &query).await,
        }
    }

    /// Parses and verifies a callback (body at most
    /// [`MAX_CALLBACK_BODY`](crate::wire::MAX_CALLBACK_BODY)): answer the provider
    /// with the returned response, then [`FintechSdk::confirm_callback`].
    pub async fn accept_callback(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<AcceptedCallback, Error> {
        if request.body().len() > crate::wire::MAX_CALLBACK_BODY {
            return Err(Error::invalid(
                "callback",
                format!(
                    "body of {} bytes is over the {} byte limit",
                    request.body().len(),
                    crate::wire::MAX_CALLBACK_BODY
                ),
            ));
        }
        match &*self.backend {
            Backend::Pesapal(_) => pesapal::accept(request),
            Backend::Azampay(b) => azampay::accept(b, request).await,
            Backend::Clickpesa(d) => clickpesa::accept(d.api(), request),
        }
    }

    /// Makes an accepted callback trustworthy: returns it as is when its
    /// signature verified, else confirms it with the provider's status query.
    pub async fn confirm_callback(
        &self,
        accepted: AcceptedCallback,
    ) -> Result<CallbackEvent, Error> {
        let event = accepted.event;
        match (&*self.backend, accepted.confirmation) {
            (_, Confirmation::None) => Ok(event),
            (Backend::Pesapal(d), Confirmation::Pesapal(n)) => pesapal::confirm(d, event, n).await,
            (Backend::Azampay(b), Confirmation::Azampay(q)) => azampay::confirm(b, event, q).await,
            (Backend::Clickpesa(d), Confirmation::Clickpesa(r)) => {
                clickpesa::confirm(d, event, r).await
            }
            _ => Err(Error::Misuse(
                "a callback accepted by another provider's facade",
            )),
        }
    }

    /// [`FintechSdk::accept_callback`] then [`FintechSdk::confirm_callback`]:
    /// the answer for the provider and the trusted event.
    pub async fn handle_callback(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<(http::Response<Vec<u8>>, CallbackEvent), Error> {
        let accepted = self.accept_callback(request).await?;
        let response = accepted.response.clone();
        Ok((response, self.confirm_callback(accepted).await?))
    }
}
