//! An async driver loop over any HTTP stack, with a shared single-flight token
//! cache: the part both adapter crates have in common, written once.
//!
//! The driver is runtime-agnostic: it performs no I/O and reads no clock itself.
//! A [`Transport`] supplies the four things it cannot do purely — send one
//! request, sleep, tell the time, draw a seed — and `finconnect-reqwest` and
//! `finconnect-hyper` are each one `Transport` implementation. The design notes
//! put this loop in each adapter; keeping it here means both adapters share one
//! implementation of token single-flight and retry timing, so the conformance
//! suite checks transports, not two copies of the same logic.
//!
//! ```
//! use finconnect::driver::{Driver, Transport, TransportFailure};
//! use std::time::{Duration, SystemTime};
//!
//! /// A transport that answers every request itself (a test double).
//! struct Canned;
//! impl Transport for Canned {
//!     async fn send(&self, _r: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
//!         Err(TransportFailure::connect("no network in this example"))
//!     }
//!     async fn sleep(&self, _d: Duration) {}
//!     fn now(&self) -> SystemTime { SystemTime::UNIX_EPOCH }
//!     fn seed(&self) -> u64 { 7 }
//! }
//! ```

mod options;
mod tokens;

pub use options::{ClientOptions, USER_AGENT};
pub use tokens::{AccountKey, MemoryTokenStore, TokenFetch, TokenLease, TokenNeed, TokenStore};

use crate::call::{Call, Step};
use crate::operation::{Api, Operation};
use crate::retry::{Failure, RetryPolicy};
use crate::{AccessToken, Error};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tracing::Instrument;

/// Why one request got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportFailure {
    /// Whether anything may have reached the provider.
    pub failure: Failure,
    /// The transport's words (must hold no secret: no headers, no body).
    pub detail: String,
}

impl TransportFailure {
    /// The connection could not be opened; nothing was sent.
    pub fn connect(detail: impl Into<String>) -> Self {
        TransportFailure {
            failure: Failure::Connect,
            detail: detail.into(),
        }
    }

    /// The request may have been sent; no complete answer came back.
    pub fn lost(detail: impl Into<String>) -> Self {
        TransportFailure {
            failure: Failure::Lost,
            detail: detail.into(),
        }
    }
}

/// What an HTTP stack must provide to drive operations.
pub trait Transport: Send + Sync {
    /// Sends one request and reads the whole answer (bounded), with the stack's
    /// timeouts applied. Redirects must not be followed.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportFailure>> + Send;
    /// Waits.
    fn sleep(&self, delay: Duration) -> impl Future<Output = ()> + Send;
    /// The current time.
    fn now(&self) -> SystemTime;
    /// A fresh random seed for retry jitter.
    fn seed(&self) -> u64;
}

/// What [`Driver::token`] returns.
pub type TokenFuture<'a> =
    std::pin::Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// Runs operations of one provider over a [`Transport`], sharing one token.
///
/// Cloning is cheap; clones share the token cache.
pub struct Driver<A: Api, T: Transport> {
    inner: Arc<Inner<A, T>>,
}

struct Inner<A, T> {
    api: A,
    transport: T,
    tokens: tokens::local::LocalToken,
    policy: RetryPolicy,
}

impl<A: Api, T: Transport> Clone for Driver<A, T> {
    fn clone(&self) -> Self {
        Driver {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A: Api + fmt::Debug, T: Transport> fmt::Debug for Driver<A, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("provider", &A::PROVIDER)
            .field("api", &self.inner.api)
            .field("retry", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl<A, T> Driver<A, T>
where
    A: Api + Send + Sync,
    T: Transport,
{
    /// A driver with an in-memory token cache and the default retry policy.
    pub fn new(api: A, transport: T) -> Self {
        Self::with_store(
            api,
            transport,
            Arc::new(MemoryTokenStore::default()),
            RetryPolicy::default(),
        )
    }

    /// A driver with the token store (or else a fresh in-memory one) and the
    /// retry policy of `options` (what the adapters' constructors build).
    pub fn with_options(api: A, transport: T, options: &ClientOptions) -> Self {
        let store = options
            .token_store
            .clone()
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::default()));
        Self::with_store(api, transport, store, options.retry)
    }

    /// A driver with a given token store (shared by a fleet, say) and retry policy.
    pub fn with_store(
        api: A,
        transport: T,
        store: Arc<dyn TokenStore>,
        policy: RetryPolicy,
    ) -> Self {
        let account = api
            .auth()
            .request(&api)
            .and_then(|parts| api.finish(parts, None))
            .map(|request| AccountKey::for_auth_request(A::PROVIDER, &request))
            .unwrap_or_else(|_| AccountKey::unbuildable(A::PROVIDER));
        Driver {
            inner: Arc::new(Inner {
                api,
                transport,
                tokens: tokens::local::LocalToken::new(account, store),
                policy,
            }),
        }
    }

    /// The provider configuration.
    pub fn api(&self) -> &A {
        &self.inner.api
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.inner.transport
    }

    /// The account this driver's tokens are kept under in its store.
    pub fn account(&self) -> &AccountKey {
        self.inner.tokens.account()
    }

    /// The token store.
    pub fn token_store(&self) -> &Arc<dyn TokenStore> {
        self.inner.tokens.store()
    }

    /// Drops this driver's copy of the token: the next call consults the store,
    /// which treats the dropped token as refused (drops it too, and gets a new
    /// one).
    pub fn forget_token(&self) {
        self.inner.tokens.forget();
    }

    /// Runs one operation to its end: authenticates through the shared cache when
    /// needed (one auth request however many calls wait for it), re-authenticates
    /// once on a refused token, and retries only what is safe to retry.
    pub async fn execute<O>(&self, op: O) -> Result<O::Output, Error>
    where
        O: Operation<Api = A> + Send,
        O::Output: Send,
    {
        let span = tracing::debug_span!(
            "finconnect.call",
            provider = A::PROVIDER.as_str(),
            operation = O::NAME
        );
        let inner = &*self.inner;
        let token = inner.tokens.current(|| inner.transport.now());
        let call =
            Call::new(&inner.api, op, token).with_retry(inner.policy, inner.transport.seed());
        self.drive(call).instrument(span).await
    }

    /// The drive loop — the only async one: answers each [`Step`] of a call.
    async fn drive<O>(&self, mut call: Call<'_, O>) -> Result<O::Output, Error>
    where
        O: Operation<Api = A> + Send,
        O::Output: Send,
    {
        let transport = &self.inner.transport;
        loop {
            match call.step(transport.now()) {
                Step::Send(request) => self.exchange(&mut call, request, O::NAME).await,
                Step::NeedToken { rejected } => {
                    let token = self.token(rejected).await;
                    call.supply_token(token);
                }
                Step::Wait { until } => {
                    let delay = until.duration_since(transport.now()).unwrap_or_default();
                    tracing::debug!(
                        delay_ms = delay.as_millis() as u64,
                        "retrying after back-off"
                    );
                    transport.sleep(delay).await;
                }
                Step::Done(result) => return result,
                _ => return Err(Error::Misuse("a call step this driver does not know")),
            }
        }
    }

    /// A usable token: this driver's copy unless it is `rejected` or expiring,
    /// else the token store's answer — asked once for all concurrent callers of
    /// this driver; when the store decides this instance authenticates, it runs
    /// the provider's token call through the same loop.
    ///
    /// (A boxed future: the loop that needs a token is the loop that fetches it,
    /// so its future type would otherwise contain itself.)
    pub fn token(&self, rejected: Option<AccessToken>) -> TokenFuture<'_> {
        Box::pin(async move {
            let inner = &*self.inner;
            let fetch: TokenFetch<'_> = Box::pin(async move {
                let auth = Call::new(&inner.api, inner.api.auth(), None)
                    .with_retry(inner.policy, inner.transport.seed());
                let grant = self.drive(auth).await?;
                Ok(grant.into_token(inner.transport.now()))
            });
            inner
                .tokens
                .get_or_refresh(
                    rejected.as_ref(),
                    inner.api.token_margin(),
                    || inner.transport.now(),
                    fetch,
                )
                .await
        })
    }

    async fn exchange<O: Operation<Api = A>>(
        &self,
        call: &mut Call<'_, O>,
        request: http::Request<Vec<u8>>,
        name: &'static str,
    ) {
        let transport = &self.inner.transport;
        let t0 = transport.now();
        let result = transport.send(request).await;
        let latency_ms = transport
            .now()
            .duration_since(t0)
            .unwrap_or_default()
            .as_millis() as u64;
        match result {
            Ok(response) => {
                tracing::debug!(
                    provider = A::PROVIDER.as_str(),
                    operation = name,
                    http_status = response.status().as_u16(),
                    latency_ms,
                    "answer received"
                );
                call.receive(response, transport.now());
            }
            Err(failure) => {
                tracing::warn!(
                    provider = A::PROVIDER.as_str(),
                    operation = name,
                    failure = ?failure.failure,
                    detail = %failure.detail,
                    latency_ms,
                    "no answer"
                );
                call.failed(failure.failure, &failure.detail, transport.now());
            }
        }
    }
}
