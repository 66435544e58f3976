//! The call driver: a small state machine that turns one [`Operation`] into the
//! requests to send — asking for a token when it needs one, asking for a fresh
//! one once when the provider refuses it, retrying what is safe to retry — and
//! gives back the output.
//!
//! It takes time and randomness as arguments and performs no I/O (the idea of
//! quinn-proto and rustls' unbuffered API): whoever drives it is only a loop
//! answering [`Step`]s. A `Call` never writes an authentication request itself:
//! a token is just the output of another `Call`, over the provider's token
//! operation ([`Call::auth_call`]), run by whoever answers [`Step::NeedToken`]
//! (a shared cache, so that concurrent calls fetch one token).
//!
//! Which failures of a payment are known refusals and which are
//! [`Error::OutcomeUnknown`] is decided in one place, the table of
//! [`outcome`], which this driver applies to every answer.
//!
//! ```
//! # use finconnect_proto::call::{Call, Step};
//! # use finconnect_proto::retry::Failure;
//! # use finconnect_proto::{AccessToken, Error};
//! # fn send(_: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure> { unimplemented!() }
//! # fn cached_token(_: Option<AccessToken>) -> Result<AccessToken, Error> { unimplemented!() }
//! # fn now() -> std::time::SystemTime { unimplemented!() }
//! # fn sleep(_: std::time::Duration) {}
//! # fn example<O: finconnect_proto::Operation>(api: &O::Api, op: O) -> Result<O::Output, Error> {
//! let mut call = Call::new(api, op, None);
//! loop {
//!     match call.step(now()) {
//!         Step::Send(request) => match send(request) {
//!             Ok(response) => call.receive(response, now()),
//!             Err(failure) => call.failed(failure, "", now()),
//!         },
//!         Step::NeedToken { rejected } => call.supply_token(cached_token(rejected)),
//!         Step::Wait { until } => {
//!             sleep(until.duration_since(now()).unwrap_or_default())
//!         }
//!         Step::Done(output) => return output,
//!         _ => return Err(Error::Misuse("a step this loop does not know")),
//!     }
//! }
//! # }
//! ```
//!
//! [`drive_blocking`] is that loop, written once for blocking HTTP stacks.

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
#[non_exhaustive]
pub enum Step<T> {
    /// Send this request, then hand the answer to [`Call::receive`] (or the failure
    /// to [`Call::failed`]).
    Send(http::Request<Vec<u8>>),
    /// A token is needed: get one — from a cache, or by driving
    /// [`Call::auth_call`] — and hand it (or the error) to [`Call::supply_token`].
    /// `rejected` is the token the provider just refused: do not hand it back.
    NeedToken {
        /// The token the provider refused during this call, if any.
        rejected: Option<AccessToken>,
    },
    /// Wait until then, then call [`Call::step`] again.
    Wait {
        /// When to step again.
        until: SystemTime,
    },
    /// The call is over.
    Done(Result<T, Error>),
}

enum State<T> {
    /// Ready to write the next request.
    Ready,
    /// A token was asked for.
    AwaitingToken,
    /// The request was handed out and its answer is awaited.
    InFlight,
    /// Back-off before re-sending.
    Backoff(SystemTime),
    /// The result, ready to hand out.
    Done(Result<T, Error>),
    /// Over (result taken).
    Finished,
}

/// Drives one operation to completion. See the [module docs](self).
pub struct Call<'a, O: Operation> {
    api: &'a O::Api,
    op: O,
    /// The operation's reference, quoted when its outcome is unknown.
    reference: Option<String>,
    token: Option<AccessToken>,
    rejected: Option<AccessToken>,
    reauthenticated: bool,
    /// The token was supplied during this call: use it even if the clock says it
    /// is already inside the margin, so a skewed clock or a short lifetime cannot
    /// make the call ask for tokens forever.
    token_is_new: bool,
    state: State<O::Output>,
    policy: RetryPolicy,
    rng: u64,
    attempts: u32,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready => "ready",
            State::AwaitingToken => "awaiting a token",
            State::InFlight => "awaiting an answer",
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
    /// Starts a call, with the cached token if there is one (it is checked for
    /// expiry at each [`Call::step`]).
    pub fn new(api: &'a O::Api, op: O, token: Option<AccessToken>) -> Self {
        Call {
            api,
            reference: op.reference(),
            op,
            token,
            rejected: None,
            reauthenticated: false,
            token_is_new: false,
            state: State::Ready,
            policy: RetryPolicy::default(),
            rng: 0x9E37_79B9_7F4A_7C15,
            attempts: 0,
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

    /// Attempts made of the request in flight or last sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The call that fetches a token for this one (the provider's token
    /// operation, with the same retry rules): what answers [`Step::NeedToken`]
    /// when no cache has a usable token.
    pub fn auth_call(&self) -> Call<'a, <O::Api as Api>::Auth> {
        Call::new(self.api, self.api.auth(), None).with_retry(self.policy, self.rng.rotate_left(17))
    }

    /// The next thing to do, at `now`.
    pub fn step(&mut self, now: SystemTime) -> Step<O::Output> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Ready => self.next_request(now),
            State::Backoff(until) => {
                self.state = State::Ready;
                Step::Wait { until }
            }
            State::AwaitingToken => {
                self.state = State::AwaitingToken;
                Step::NeedToken {
                    rejected: self.rejected.clone(),
                }
            }
            State::Done(result) => Step::Done(result),
            State::InFlight => Step::Done(Err(Error::Misuse(
                "step called while a request awaits its answer",
            ))),
            State::Finished => {
                Step::Done(Err(Error::Misuse("step called after the call finished")))
            }
        }
    }

    /// Answers [`Step::NeedToken`]: the token to use, or why none could be had
    /// (which ends the call with that error).
    pub fn supply_token(&mut self, token: Result<AccessToken, Error>) {
        if !matches!(self.state, State::AwaitingToken) {
            self.state = State::Done(Err(Error::Misuse(
                "supply_token called when no token was asked for",
            )));
            return;
        }
        self.state = match token {
            Ok(token) => {
                self.token = Some(token);
                self.token_is_new = true;
                self.attempts = 0;
                State::Ready
            }
            Err(e) => State::Done(Err(e)),
        };
    }

    /// Hands over the answer to the request in flight, received at `now`.
    pub fn receive(&mut self, response: http::Response<Vec<u8>>, now: SystemTime) {
        if !matches!(self.state, State::InFlight) {
            self.state = State::Done(Err(Error::Misuse(
                "receive called with no request in flight",
            )));
            return;
        }
        self.state = State::Finished;
        let status = response.status().as_u16();

        if O::REQUIRES_AUTH && self.api.is_auth_failure(&response) {
            if self.reauthenticated {
                self.state = State::Done(Err(Error::Unauthorized {
                    provider: O::Api::PROVIDER,
                    message: format!("{} refused a freshly issued token", O::NAME),
                    hint: Some("the credentials may lack access to this product, or belong to the other environment"),
                }));
                return;
            }
            self.reauthenticated = true;
            self.token_is_new = false;
            self.rejected = self.token.take();
            self.attempts = 0;
            self.state = State::Ready;
            return;
        }

        if status == 429 || status >= 500 {
            let failure = Failure::Status {
                status,
                retry_after: retry::retry_after(response.headers()),
            };
            if self.retry(failure, now) {
                return;
            }
        }

        let read = self.op.read(response);
        let read = match O::IDEMPOTENCY {
            Idempotency::NonIdempotent => outcome::judge(self.subject(), status, read),
            Idempotency::Idempotent => read.map_err(|e| self.classify_failure(status, e)),
        };
        self.state = State::Done(read);
    }

    /// Reports that the request in flight got no answer at `now`, with the
    /// transport's own words for why (kept in the error if the call gives up;
    /// must not hold a secret; may be empty).
    pub fn failed(&mut self, failure: Failure, detail: &str, now: SystemTime) {
        if !matches!(self.state, State::InFlight) {
            self.state = State::Done(Err(Error::Misuse(
                "failed called with no request in flight",
            )));
            return;
        }
        self.state = State::Finished;
        if self.retry(failure, now) {
            return;
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
        let error = if O::IDEMPOTENCY == Idempotency::NonIdempotent
            && outcome::unknown_without_answer(failure)
        {
            self.subject().unknown(reason)
        } else {
            Error::Transport {
                provider: O::Api::PROVIDER,
                operation: O::NAME,
                attempts: self.attempts,
                reason,
            }
        };
        self.state = State::Done(Err(error));
    }

    fn next_request(&mut self, now: SystemTime) -> Step<O::Output> {
        let token = if O::REQUIRES_AUTH {
            let usable = self
                .token
                .as_ref()
                .is_some_and(|t| self.token_is_new || t.is_usable(now, self.api.token_margin()));
            if !usable {
                self.state = State::AwaitingToken;
                return Step::NeedToken {
                    rejected: self.rejected.clone(),
                };
            }
            self.token.as_ref()
        } else {
            None
        };
        match self
            .op
            .request(self.api)
            .and_then(|parts| self.api.finish(parts, token))
        {
            Ok(request) => {
                self.attempts += 1;
                self.state = State::InFlight;
                Step::Send(request)
            }
            Err(e) => Step::Done(Err(e)),
        }
    }

    /// Schedules a re-send if the policy allows; true if it did.
    fn retry(&mut self, failure: Failure, now: SystemTime) -> bool {
        let jitter = self.jitter();
        match self
            .policy
            .decide(O::IDEMPOTENCY, failure, self.attempts, jitter)
        {
            Decision::Retry(delay) => {
                self.state = State::Backoff(now + delay);
                true
            }
            Decision::Stop => false,
        }
    }

    /// A failed reading of an answer to an idempotent request (a token, a status
    /// query) after the retries: what the user can act on. Non-idempotent
    /// operations go through [`outcome::judge`] instead.
    fn classify_failure(&self, status: u16, err: Error) -> Error {
        if !matches!(err, Error::Decode { .. }) {
            return err;
        }
        if status >= 500 {
            return Error::Transport {
                provider: O::Api::PROVIDER,
                operation: O::NAME,
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
/// `sleep` waits, `now` reads the clock. A needed token is fetched by driving
/// [`Call::auth_call`] with the same loop. Returns the output and the token
/// fetched on the way, if any (put it in your cache for the next call).
pub fn drive_blocking<O: Operation>(
    call: Call<'_, O>,
    mut send: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure>,
    mut sleep: impl FnMut(Duration),
    mut now: impl FnMut() -> SystemTime,
) -> Result<(O::Output, Option<AccessToken>), Error> {
    let mut fresh = None;
    let output = run_blocking(call, &mut send, &mut sleep, &mut now, &mut fresh)?;
    Ok((output, fresh))
}

type Send<'s> = dyn FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure> + 's;

/// The blocking loop (the only one in the core).
fn run_blocking<O: Operation>(
    mut call: Call<'_, O>,
    send: &mut Send<'_>,
    sleep: &mut dyn FnMut(Duration),
    now: &mut dyn FnMut() -> SystemTime,
    fresh: &mut Option<AccessToken>,
) -> Result<O::Output, Error> {
    loop {
        match call.step(now()) {
            Step::Send(request) => match send(request) {
                Ok(response) => call.receive(response, now()),
                Err(failure) => call.failed(failure, "", now()),
            },
            Step::NeedToken { .. } => {
                let grant = run_blocking(call.auth_call(), send, sleep, now, fresh);
                let token = grant.map(|g| g.into_token(now()));
                if let Ok(token) = &token {
                    *fresh = Some(token.clone());
                }
                call.supply_token(token);
            }
            Step::Wait { until } => sleep(until.duration_since(now()).unwrap_or_default()),
            Step::Done(output) => return output,
        }
    }
}
