//! The call driver: a small state machine that turns one [`Operation`] into the
//! requests to send — authenticating first when needed, re-authenticating once on
//! a refused token, retrying what is safe to retry — and gives back the output.
//!
//! It takes time and randomness as arguments and performs no I/O (the idea of
//! quinn-proto and rustls' unbuffered API): an adapter is only a loop.
//!
//! Which failures of a payment are known refusals and which are
//! [`Error::OutcomeUnknown`] is decided in one place, the table of
//! [`outcome`], which this driver applies to every answer.
//!
//! ```
//! # use finconnect_proto::call::{Call, Step};
//! # use finconnect_proto::retry::Failure;
//! # fn send(_: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure> { unimplemented!() }
//! # fn example<O: finconnect_proto::Operation>(api: &O::Api, op: O, now: std::time::SystemTime)
//! #     -> Result<O::Output, finconnect_proto::Error> {
//! let mut call = Call::new(api, op, None, now);
//! let output = loop {
//!     match call.step()? {
//!         Step::Send(request) => match send(request) {
//!             Ok(response) => call.receive(response, now)?,
//!             Err(failure) => call.failed(failure, now)?,
//!         },
//!         Step::Wait(delay) => std::thread::sleep(delay),
//!         Step::Done(output) => break output,
//!     }
//! };
//! // call.fresh_token() hands back a token fetched on the way, for the cache.
//! # Ok(output) }
//! ```

use crate::operation::{Api, Operation};
use crate::outcome;
use crate::retry::{self, Decision, Failure, Idempotency, RetryPolicy};
use crate::{AccessToken, Error};
use std::fmt;
use std::time::{Duration, SystemTime};

/// What the caller should do next.
// `Done` holds the operation's output, which may be small or large; boxing it
// would cost an allocation per call for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request, then hand the answer to [`Call::receive`] (or the failure
    /// to [`Call::failed`]).
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then call [`Call::step`] again.
    Wait(Duration),
    /// The call is over.
    Done(T),
}

/// Which request is awaiting its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The authentication request.
    Auth,
    /// The operation itself.
    Operation,
}

enum State<T> {
    /// Ready to write the next request.
    Ready,
    /// A request was handed out and its answer is awaited.
    InFlight(Purpose),
    /// Back-off before re-sending.
    Backoff(Duration),
    /// The output, ready to hand out.
    Done(T),
    /// Over (output taken, or failed).
    Finished,
}

/// Drives one operation to completion. See the [module docs](self).
pub struct Call<'a, O: Operation> {
    api: &'a O::Api,
    op: O,
    /// The operation's reference, quoted when its outcome is unknown.
    reference: Option<String>,
    token: Option<AccessToken>,
    fresh: Option<AccessToken>,
    rejected: Option<AccessToken>,
    reauthenticated: bool,
    /// The token was issued (or provided) during this call: use it even if the
    /// clock says it is already inside the margin, so a skewed clock or a short
    /// lifetime cannot make the call ask for tokens forever.
    token_is_new: bool,
    state: State<O::Output>,
    policy: RetryPolicy,
    rng: u64,
    attempts: u32,
    now: SystemTime,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready => "ready",
            State::InFlight(Purpose::Auth) => "awaiting auth answer",
            State::InFlight(Purpose::Operation) => "awaiting answer",
            State::Backoff(_) => "backing off",
            State::Done(_) => "done",
            State::Finished => "finished",
        };
        f.debug_struct("Call")
            .field("provider", &O::Api::PROVIDER)
            .field("operation", &O::NAME)
            .field("state", &state)
            .field("attempts", &self.attempts)
            .field("has_token", &self.token.is_some())
            .finish()
    }
}

impl<'a, O: Operation> Call<'a, O> {
    /// Starts a call with the cached token, if any, at time `now`.
    pub fn new(api: &'a O::Api, op: O, token: Option<AccessToken>, now: SystemTime) -> Self {
        Call {
            api,
            reference: op.reference(),
            op,
            token,
            fresh: None,
            rejected: None,
            reauthenticated: false,
            token_is_new: false,
            state: State::Ready,
            policy: RetryPolicy::default(),
            rng: 0x9E37_79B9_7F4A_7C15,
            attempts: 0,
            now,
        }
    }

    /// Sets the retry rules and the seed of the jitter (from the caller's random
    /// source; any value works, a fixed one makes back-offs reproducible).
    pub fn with_retry(mut self, policy: RetryPolicy, seed: u64) -> Self {
        self.policy = policy;
        self.rng = seed | 1;
        self
    }

    /// The operation being driven.
    pub fn operation(&self) -> &O {
        &self.op
    }

    /// Which request awaits its answer, if any.
    pub fn in_flight(&self) -> Option<Purpose> {
        match self.state {
            State::InFlight(p) => Some(p),
            _ => None,
        }
    }

    /// A token fetched during this call: put it in the cache.
    pub fn fresh_token(&self) -> Option<&AccessToken> {
        self.fresh.as_ref()
    }

    /// The token the provider refused during this call, if any: drop it from the
    /// cache (if the cache still holds it).
    pub fn rejected_token(&self) -> Option<&AccessToken> {
        self.rejected.as_ref()
    }

    /// Attempts made of the request in flight or last sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The next thing to do.
    pub fn step(&mut self) -> Result<Step<O::Output>, Error> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Ready => self.next_request(),
            State::Backoff(delay) => {
                self.state = State::Ready;
                Ok(Step::Wait(delay))
            }
            State::Done(output) => Ok(Step::Done(output)),
            State::InFlight(p) => {
                self.state = State::InFlight(p);
                Err(Error::Misuse(
                    "step called while a request awaits its answer",
                ))
            }
            State::Finished => Err(Error::Misuse("step called after the call finished")),
        }
    }

    /// Instead of sending the authentication request just handed out, supply a
    /// token (an adapter's shared single-flight cache does this).
    pub fn provide_token(&mut self, token: AccessToken) -> Result<(), Error> {
        match self.state {
            State::InFlight(Purpose::Auth) => {
                self.token = Some(token);
                self.token_is_new = true;
                self.attempts = 0;
                self.state = State::Ready;
                Ok(())
            }
            _ => Err(Error::Misuse(
                "provide_token called with no auth request in flight",
            )),
        }
    }

    /// Hands over the answer to the request in flight, received at `now`.
    pub fn receive(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.now = now;
        let purpose = match self.state {
            State::InFlight(p) => p,
            _ => return Err(Error::Misuse("receive called with no request in flight")),
        };
        self.state = State::Finished;
        let status = response.status().as_u16();
        let idempotency = self.idempotency(purpose);

        if purpose == Purpose::Operation
            && self.op.requires_auth()
            && self.api.is_auth_failure(&response)
        {
            if self.reauthenticated {
                return Err(Error::Unauthorized {
                    provider: O::Api::PROVIDER,
                    message: format!("{} refused a freshly issued token", O::NAME),
                    hint: Some("the credentials may lack access to this product, or belong to the other environment"),
                });
            }
            self.reauthenticated = true;
            self.token_is_new = false;
            self.rejected = self.token.take();
            self.attempts = 0;
            self.state = State::Ready;
            return Ok(());
        }

        if status == 429 || status >= 500 {
            let failure = Failure::Status {
                status,
                retry_after: retry::retry_after(response.headers()),
            };
            if self.retry(idempotency, failure) {
                return Ok(());
            }
        }

        match purpose {
            Purpose::Auth => {
                let grant = self
                    .api
                    .auth()
                    .from_response(response)
                    .map_err(|e| self.classify_failure(purpose, status, e))?;
                let token = grant.into_token(now);
                self.fresh = Some(token.clone());
                self.token = Some(token);
                self.token_is_new = true;
                self.attempts = 0;
                self.state = State::Ready;
                Ok(())
            }
            Purpose::Operation => {
                let read = self.op.from_response(response);
                let read = match O::IDEMPOTENCY {
                    Idempotency::NonIdempotent => outcome::judge(self.subject(), status, read),
                    Idempotency::Idempotent => {
                        read.map_err(|e| self.classify_failure(purpose, status, e))
                    }
                };
                self.state = State::Done(read?);
                Ok(())
            }
        }
    }

    /// Reports that the request in flight got no answer.
    pub fn failed(&mut self, failure: Failure, now: SystemTime) -> Result<(), Error> {
        self.failed_because(failure, "", now)
    }

    /// Like [`Call::failed`], with the transport's own words for the failure (kept
    /// in the error if the call gives up; must not hold a secret).
    pub fn failed_because(
        &mut self,
        failure: Failure,
        detail: &str,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.now = now;
        let purpose = match self.state {
            State::InFlight(p) => p,
            _ => return Err(Error::Misuse("failed called with no request in flight")),
        };
        self.state = State::Finished;
        let idempotency = self.idempotency(purpose);
        if self.retry(idempotency, failure) {
            return Ok(());
        }
        let reason = match failure {
            Failure::Connect => "could not connect".to_owned(),
            Failure::Lost => "no complete answer (timeout or connection lost)".to_owned(),
            Failure::Status { status, .. } => format!("HTTP {status}"),
        };
        let reason = if detail.is_empty() {
            reason
        } else {
            format!("{reason}: {detail}")
        };
        if idempotency == Idempotency::NonIdempotent && outcome::unknown_without_answer(failure) {
            return Err(self.subject().unknown(reason));
        }
        Err(Error::Transport {
            provider: O::Api::PROVIDER,
            operation: self.name(purpose),
            attempts: self.attempts,
            reason,
        })
    }

    fn next_request(&mut self) -> Result<Step<O::Output>, Error> {
        let needs_token = self.op.requires_auth()
            && !(self.token_is_new && self.token.is_some())
            && !self
                .token
                .as_ref()
                .is_some_and(|t| t.is_usable(self.now, self.api.token_margin()));
        let (purpose, request) = if needs_token {
            (Purpose::Auth, self.api.auth().to_request(self.api, None)?)
        } else {
            let token = if self.op.requires_auth() {
                self.token.as_ref()
            } else {
                None
            };
            (Purpose::Operation, self.op.to_request(self.api, token)?)
        };
        self.attempts += 1;
        self.state = State::InFlight(purpose);
        Ok(Step::Send(request))
    }

    fn idempotency(&self, purpose: Purpose) -> Idempotency {
        match purpose {
            Purpose::Auth => Idempotency::Idempotent,
            Purpose::Operation => O::IDEMPOTENCY,
        }
    }

    fn name(&self, purpose: Purpose) -> &'static str {
        match purpose {
            Purpose::Auth => <<O::Api as Api>::Auth as Operation>::NAME,
            Purpose::Operation => O::NAME,
        }
    }

    /// Schedules a re-send if the policy allows; true if it did.
    fn retry(&mut self, idempotency: Idempotency, failure: Failure) -> bool {
        let jitter = self.jitter();
        match self
            .policy
            .decide(idempotency, failure, self.attempts, jitter)
        {
            Decision::Retry(delay) => {
                self.state = State::Backoff(delay);
                true
            }
            Decision::Stop => false,
        }
    }

    /// A failed reading of an answer to an idempotent request (a token, a status
    /// query) after the retries: what the user can act on. Non-idempotent
    /// operations go through [`outcome::judge`] instead.
    fn classify_failure(&self, purpose: Purpose, status: u16, err: Error) -> Error {
        if !matches!(err, Error::Decode { .. }) {
            return err;
        }
        if status >= 500 {
            return Error::Transport {
                provider: O::Api::PROVIDER,
                operation: self.name(purpose),
                attempts: self.attempts,
                reason: format!("HTTP {status}"),
            };
        }
        if status == 429 {
            return outcome::rate_limited(O::Api::PROVIDER);
        }
        err
    }

    fn subject(&self) -> outcome::Subject<'_> {
        outcome::Subject {
            provider: O::Api::PROVIDER,
            operation: O::NAME,
            reference: self.reference.as_deref(),
        }
    }

    /// xorshift64*: jitter from the caller's seed, no global randomness.
    fn jitter(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Drives a call to the end over a blocking transport: the simplest way to plug in
/// another HTTP stack (ureq, curl, a test closure). `send` performs one request,
/// `sleep` waits, `now` reads the clock. Returns the output and any fresh token.
pub fn drive_blocking<O: Operation>(
    mut call: Call<'_, O>,
    mut send: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure>,
    mut sleep: impl FnMut(Duration),
    mut now: impl FnMut() -> SystemTime,
) -> Result<(O::Output, Option<AccessToken>), Error> {
    loop {
        match call.step()? {
            Step::Send(request) => match send(request) {
                Ok(response) => call.receive(response, now())?,
                Err(failure) => call.failed(failure, now())?,
            },
            Step::Wait(delay) => sleep(delay),
            Step::Done(output) => return Ok((output, call.fresh.take())),
        }
    }
}
