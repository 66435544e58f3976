//! Fuzz harnesses for the shared core (`fuzz/fuzz_targets/{call_driver,money}.rs`),
//! also replayed on stable by the corpus test in `tests/`. Each checks invariants
//! with `assert!`: a harness panics on purpose when one breaks.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::call::{Call, Step};
use crate::retry::{Failure, Idempotency, RetryPolicy};
use crate::{
    AccessToken, Api, Body, Currency, Error, Expiry, Host, Money, Operation, Parts, Provider,
    Secret, TokenGrant,
};
use std::time::{Duration, SystemTime};

/// A made-up provider for the driver harness (it borrows PesaPal's name only
/// because [`Provider`] lists real providers; nothing PesaPal-specific runs).
#[derive(Debug)]
pub struct FuzzApi;

/// Its authentication: the answer's first body byte is the lifetime in seconds.
#[derive(Debug)]
pub struct FuzzAuth;

/// An operation whose idempotency is chosen by the script.
#[derive(Debug)]
pub struct FuzzOp<const IDEMPOTENT: bool>;

impl Api for FuzzApi {
    const PROVIDER: Provider = Provider::Pesapal;
    type Auth = FuzzAuth;
    fn auth(&self) -> FuzzAuth {
        FuzzAuth
    }
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        if parts.path == "/op" {
            assert!(
                token.is_some(),
                "an authenticated operation was written without a token"
            );
        }
        crate::wire::finish(
            crate::wire::request(
                parts.method,
                &format!("http://fuzz.invalid{}", parts.path),
                None,
            )?,
            Vec::new(),
        )
    }
}

fn unreadable(response: &http::Response<Vec<u8>>) -> Error {
    Error::decode(
        "fuzz answer",
        "not 200",
        response.body(),
        Some(response.status().as_u16()),
    )
}

impl Operation for FuzzAuth {
    type Api = FuzzApi;
    type Output = TokenGrant;
    const NAME: &'static str = "auth";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;
    fn request(&self, _: &FuzzApi) -> Result<Parts, Error> {
        Ok(Parts::post(Host::Api, "/auth", Body::Bytes(Vec::new())))
    }
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        if response.status() != 200 {
            return Err(unreadable(&response));
        }
        let secs = response.body().first().copied().unwrap_or(0);
        Ok(TokenGrant {
            value: Secret::new("fuzz-token"),
            expiry: Expiry::After(Duration::from_secs(u64::from(secs) * 30)),
        })
    }
}

impl<const IDEMPOTENT: bool> Operation for FuzzOp<IDEMPOTENT> {
    type Api = FuzzApi;
    type Output = ();
    const NAME: &'static str = "op";
    const IDEMPOTENCY: Idempotency = if IDEMPOTENT {
        Idempotency::Idempotent
    } else {
        Idempotency::NonIdempotent
    };
    fn reference(&self) -> Option<String> {
        Some("FUZZ-REF".into())
    }
    fn request(&self, _: &FuzzApi) -> Result<Parts, Error> {
        Ok(Parts::post(Host::Api, "/op", Body::Bytes(Vec::new())))
    }
    fn read(&self, response: http::Response<Vec<u8>>) -> Result<(), Error> {
        match response.status().as_u16() {
            200 => Ok(()),
            _ => Err(unreadable(&response)),
        }
    }
}

const STATUSES: [u16; 8] = [200, 401, 429, 500, 502, 503, 400, 404];

/// Drives a [`Call`] with a script decoded from `data`: which operation, a
/// starting token, then answers, transport failures and clock jumps. Checks that
/// it never panics, ends within a bound, never hands out a non-idempotent request
/// again once it may have reached the provider, waits within the policy's
/// bounds, and reports an unknown outcome only when one is possible.
pub fn call_driver(data: &[u8]) {
    let mut bytes = data.iter().copied();
    let header = bytes.next().unwrap_or(0);
    let idempotent = header & 1 == 1;
    let policy = RetryPolicy::default();
    let mut now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let token = (header & 2 == 2).then(|| {
        let secs = u64::from(bytes.next().unwrap_or(0)) * 10;
        AccessToken::new(Secret::new("cached"), now + Duration::from_secs(secs))
    });
    if idempotent {
        drive::<true>(&mut bytes, token, &mut now, policy);
    } else {
        drive::<false>(&mut bytes, token, &mut now, policy);
    }
}

/// The scripted world a call runs in.
struct Script<'b, I> {
    bytes: &'b mut I,
    now: SystemTime,
    sends: u32,
    op_sends: u32,
    /// Whether the last operation request may have reached the provider.
    op_may_have_reached: bool,
    idempotent: bool,
    longest_wait: Duration,
}

/// Runs one call (and, for its tokens, the auth calls) against the script;
/// `None` when the script ran out.
fn run<O: Operation<Api = FuzzApi>, I: Iterator<Item = u8>>(
    mut call: Call<'_, O>,
    s: &mut Script<'_, I>,
) -> Option<Result<O::Output, Error>> {
    loop {
        let request = match call.step(s.now) {
            Step::Done(result) => return Some(result),
            Step::Wait { until } => {
                let d = until.duration_since(s.now).unwrap_or_default();
                assert!(d <= s.longest_wait, "waited {d:?}");
                s.now = s.now.max(until);
                continue;
            }
            Step::NeedToken { .. } => {
                let grant = run(call.auth_call(), s)?;
                call.supply_token(grant.map(|g| g.into_token(s.now)));
                continue;
            }
            Step::Send(request) => request,
        };
        s.sends += 1;
        assert!(s.sends <= 16, "the call did not end: {} requests", s.sends);
        let is_op = request.uri().path() == "/op";
        if is_op {
            assert!(
                s.idempotent || !s.op_may_have_reached,
                "a non-idempotent request was sent again after it may have reached the provider"
            );
            s.op_sends += 1;
        }
        // Clock jumps before the answer.
        let mut tag = s.bytes.next()?;
        while tag % 10 >= 8 {
            let amount = Duration::from_secs(u64::from(s.bytes.next().unwrap_or(0)) * 60);
            s.now = if tag % 10 == 8 {
                s.now + amount
            } else {
                s.now.checked_sub(amount).unwrap_or(s.now)
            };
            tag = s.bytes.next()?;
        }
        match tag % 10 {
            6 => {
                if is_op {
                    s.op_may_have_reached = false;
                }
                call.failed(Failure::Connect, "", s.now);
            }
            7 => {
                if is_op {
                    s.op_may_have_reached = true;
                }
                call.failed(Failure::Lost, "", s.now);
            }
            _ => {
                let status = STATUSES[usize::from(tag / 10) % STATUSES.len()];
                let mut response = http::Response::builder().status(status);
                if status == 429 && tag % 2 == 0 {
                    response = response.header("retry-after", (tag % 5).to_string());
                }
                let body = vec![s.bytes.next().unwrap_or(1)];
                let response = response.body(body).expect("a valid response");
                if is_op {
                    // A 401 was refused before processing; anything else reached it.
                    s.op_may_have_reached = status != 401;
                }
                call.receive(response, s.now);
            }
        }
    }
}

fn drive<const IDEMPOTENT: bool>(
    bytes: &mut impl Iterator<Item = u8>,
    token: Option<AccessToken>,
    now: &mut SystemTime,
    policy: RetryPolicy,
) {
    let call = Call::new(&FuzzApi, FuzzOp::<IDEMPOTENT>, token).with_retry(policy, 7);
    let mut script = Script {
        bytes,
        now: *now,
        sends: 0,
        op_sends: 0,
        op_may_have_reached: false,
        idempotent: IDEMPOTENT,
        longest_wait: policy.max_delay.max(policy.max_retry_after),
    };
    let result = run(call, &mut script);
    *now = script.now;
    if let Some(Err(e)) = result {
        if !e.outcome_known() {
            assert!(
                !IDEMPOTENT,
                "an idempotent operation reported an unknown outcome: {e}"
            );
            assert!(
                script.op_sends > 0 && script.op_may_have_reached,
                "unknown outcome but nothing reached: {e}"
            );
        }
    }
}

/// Reads `data` as an amount in every currency: whatever parses must encode and
/// parse back to itself, and the JSON reading must agree with the text reading.
pub fn money(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Parsed once per input, not once per currency.
    let json = serde_json::from_str::<serde_json::Value>(text.trim()).ok();
    for code in ["KES", "TZS", "UGX", "RWF", "USD"] {
        let currency = Currency::from_code(code).expect("a known currency");
        let Ok(m) = Money::from_decimal_str(text, currency) else {
            continue;
        };
        assert_eq!(
            Money::from_decimal_str(&m.to_decimal_string(), currency).ok(),
            Some(m)
        );
        assert_eq!(
            Money::from_decimal_str(&m.to_plain_string(), currency).ok(),
            Some(m)
        );
        if let Some(value) = &json {
            if value.is_number() && m.minor_units().unsigned_abs() < 1_000_000_000_000_000 {
                if let Ok(j) = Money::from_json(value, currency) {
                    assert_eq!(j, m, "JSON and text readings of {text:?} differ");
                }
            }
        }
    }
}

/// HTTP statuses the answer-reader harnesses feed with a body.
pub const ANSWER_STATUSES: [u16; 8] = [200, 400, 401, 403, 404, 409, 423, 500];

/// Splits an answer-reader input: the first byte picks the reader (`byte % readers`)
/// and the HTTP status (`ANSWER_STATUSES[(byte / readers) % 8]`); the rest is
/// the body. One reader per input keeps every target fast (one JSON parse per
/// execution) while the fuzzer still reaches every pair.
pub fn select(data: &[u8], readers: usize) -> Option<(usize, u16, &[u8])> {
    let (&first, body) = data.split_first()?;
    let readers = readers.max(1);
    let byte = usize::from(first);
    let status = ANSWER_STATUSES[(byte / readers) % ANSWER_STATUSES.len()];
    Some((byte % readers, status, body))
}

/// The selector byte for `reader` answered with `ANSWER_STATUSES[status_index]`: what a
/// seed file starts with (see [`select`]).
pub fn selector(reader: usize, status_index: usize, readers: usize) -> u8 {
    u8::try_from((status_index * readers + reader) % 256).unwrap_or(0)
}

/// An answer with `status` and `body`.
pub fn response(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(body.to_vec());
    if let Ok(s) = http::StatusCode::from_u16(status) {
        *r.status_mut() = s;
    }
    r
}

/// An error read from an answer: its text never panics, and a token answer's
/// error never quotes the body (it may hold the token).
pub fn check_error(e: &Error, token_answer: bool) {
    let _ = e.to_string();
    if token_answer {
        if let Error::Decode { snippet, .. } = e {
            assert!(
                snippet.starts_with("[withheld"),
                "a token answer was quoted: {snippet}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_run() {
        // Non-idempotent, no token: auth 200, op lost → outcome unknown, no resend.
        call_driver(&[0, 0, 5, 7]);
        // Idempotent: auth, 503, 503, 200.
        call_driver(&[1, 0, 5, 50, 0, 50, 0, 0, 0]);
        // Non-idempotent: auth, 401, re-auth, connect failure, then 200.
        call_driver(&[0, 0, 5, 10, 0, 0, 5, 6, 0, 0]);
        // Cached token and clock jumps.
        call_driver(&[3, 200, 8, 255, 0, 9, 3, 0, 0]);
        call_driver(&[]);
    }

    #[test]
    fn amounts_round_trip() {
        for text in [
            "10.00", "0.4", "1e3", "-2.5", "10.505", "abc", "", "1e400", "0.1e1",
        ] {
            money(text.as_bytes());
        }
    }
}
