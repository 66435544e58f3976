//! The async driver and its single-flight token cache, over a scripted in-memory
//! transport on a virtual clock.

use finconnect::driver::{Driver, Transport, TransportFailure};
use finconnect::retry::Idempotency;
use finconnect::{
    AccessToken, Api, Error, Expiry, Host, Operation, Parts, Provider, Secret, TokenGrant,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[derive(Debug)]
struct TestApi {
    margin: Duration,
}

impl Default for TestApi {
    fn default() -> Self {
        TestApi {
            margin: Duration::from_secs(60),
        }
    }
}

struct Auth;
struct Ping;
struct Pay;

impl Api for TestApi {
    const PROVIDER: Provider = Provider::Pesapal;
    type Auth = Auth;
    fn auth(&self) -> Auth {
        Auth
    }
    fn token_margin(&self) -> Duration {
        self.margin
    }
    fn finish(
        &self,
        parts: Parts,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        Ok(get(&parts.path, token))
    }
}

fn get(path: &str, token: Option<&AccessToken>) -> http::Request<Vec<u8>> {
    let mut b = http::Request::builder().uri(format!("http://test{path}"));
    if let Some(t) = token {
        b = b.header("authorization", t.secret().expose());
    }
    b.body(Vec::new()).unwrap()
}

impl Operation for Auth {
    type Api = TestApi;
    type Output = TokenGrant;
    const NAME: &'static str = "Auth";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    const REQUIRES_AUTH: bool = false;
    fn request(&self, _: &TestApi) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, "/auth"))
    }
    fn read(&self, r: http::Response<Vec<u8>>) -> Result<TokenGrant, Error> {
        Ok(TokenGrant {
            value: Secret::new(String::from_utf8_lossy(r.body()).into_owned()),
            expiry: Expiry::After(Duration::from_secs(3600)),
        })
    }
}

impl Operation for Ping {
    type Api = TestApi;
    type Output = String;
    const NAME: &'static str = "Ping";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    fn request(&self, _: &TestApi) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, "/ping"))
    }
    fn read(&self, r: http::Response<Vec<u8>>) -> Result<String, Error> {
        if r.status() != 200 {
            return Err(Error::decode(
                "ping",
                "not 200",
                r.body(),
                Some(r.status().as_u16()),
            ));
        }
        Ok(String::from_utf8_lossy(r.body()).into_owned())
    }
}

impl Operation for Pay {
    type Api = TestApi;
    type Output = String;
    const NAME: &'static str = "Pay";
    const IDEMPOTENCY: Idempotency = Idempotency::NonIdempotent;
    fn reference(&self) -> Option<String> {
        Some("ORDER-7".into())
    }
    fn request(&self, _: &TestApi) -> Result<Parts, Error> {
        Ok(Parts::get(Host::Api, "/pay"))
    }
    fn read(&self, r: http::Response<Vec<u8>>) -> Result<String, Error> {
        Ping.read(r)
    }
}

type Answer = Result<(u16, String), TransportFailure>;

/// Answers per path from a script; counts requests; its clock only moves when told.
#[derive(Default)]
struct Scripted {
    counts: Mutex<HashMap<String, u64>>,
    script: Mutex<HashMap<String, Vec<Answer>>>,
    token_serial: AtomicU64,
    clock_secs: AtomicU64,
    valid_token: Mutex<String>,
}

impl Scripted {
    fn count(&self, path: &str) -> u64 {
        self.counts.lock().unwrap().get(path).copied().unwrap_or(0)
    }
    fn push(&self, path: &str, answers: Vec<Answer>) {
        self.script.lock().unwrap().insert(path.into(), answers);
    }
}

impl Transport for Scripted {
    async fn send(
        &self,
        r: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        let path = r.uri().path().to_owned();
        *self.counts.lock().unwrap().entry(path.clone()).or_default() += 1;
        // Let other tasks pile up on the token while this request is "on the wire".
        tokio::task::yield_now().await;
        if let Some(next) = self
            .script
            .lock()
            .unwrap()
            .get_mut(&path)
            .filter(|v| !v.is_empty())
            .map(|v| v.remove(0))
        {
            let (status, body) = next?;
            return Ok(http::Response::builder()
                .status(status)
                .body(body.into_bytes())
                .unwrap());
        }
        let (status, body) = match path.as_str() {
            "/auth" => {
                let t = format!(
                    "token-{}",
                    self.token_serial.fetch_add(1, Ordering::SeqCst) + 1
                );
                *self.valid_token.lock().unwrap() = t.clone();
                (200, t)
            }
            _ => {
                let sent = r
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if sent == *self.valid_token.lock().unwrap() {
                    (200, "pong".to_owned())
                } else {
                    (401, String::new())
                }
            }
        };
        Ok(http::Response::builder()
            .status(status)
            .body(body.into_bytes())
            .unwrap())
    }
    async fn sleep(&self, d: Duration) {
        self.clock_secs.fetch_add(d.as_secs(), Ordering::SeqCst);
    }
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_700_000_000 + self.clock_secs.load(Ordering::SeqCst))
    }
    fn seed(&self) -> u64 {
        42
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_on_an_empty_cache_authenticate_once() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let d = driver.clone();
            tokio::spawn(async move { d.execute(Ping).await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap(), "pong");
    }
    assert_eq!(driver.transport().count("/auth"), 1);
    assert_eq!(driver.transport().count("/ping"), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_mid_run_is_refreshed_once() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver.execute(Ping).await.unwrap();
    // The provider forgets the token: every call now gets 401 until one refresh.
    *driver.transport().valid_token.lock().unwrap() = "revoked".into();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let d = driver.clone();
            tokio::spawn(async move { d.execute(Ping).await })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().unwrap(), "pong");
    }
    assert_eq!(driver.transport().count("/auth"), 2);
}

#[tokio::test]
async fn expiry_triggers_one_refresh() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver.execute(Ping).await.unwrap();
    driver.execute(Ping).await.unwrap();
    assert_eq!(driver.transport().count("/auth"), 1);
    // 59 minutes and 30 s later the token is inside the 60 s margin.
    driver.transport().sleep(Duration::from_secs(3570)).await;
    driver.execute(Ping).await.unwrap();
    assert_eq!(driver.transport().count("/auth"), 2);
}

#[tokio::test]
async fn status_503_503_200_succeeds_after_three_requests() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver.execute(Ping).await.unwrap();
    driver.transport().push(
        "/ping",
        vec![Ok((503, String::new())), Ok((503, String::new()))],
    );
    assert_eq!(driver.execute(Ping).await.unwrap(), "pong");
    assert_eq!(driver.transport().count("/ping"), 4);
}

#[tokio::test]
async fn a_lost_payment_is_not_sent_again() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver.transport().push(
        "/pay",
        vec![Err(TransportFailure::lost("timed out after 30s"))],
    );
    let err = driver.execute(Pay).await.unwrap_err();
    match &err {
        Error::OutcomeUnknown {
            reference, reason, ..
        } => {
            assert_eq!(reference.as_deref(), Some("ORDER-7"));
            assert!(reason.contains("timed out after 30s"), "{reason}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert_eq!(driver.transport().count("/pay"), 1);
    // A connection refused before sending is safe to retry, even for a payment.
    driver
        .transport()
        .push("/pay", vec![Err(TransportFailure::connect("refused"))]);
    assert_eq!(driver.execute(Pay).await.unwrap(), "pong");
    assert_eq!(driver.transport().count("/pay"), 3);
}

#[tokio::test]
async fn a_payment_answered_503_is_outcome_unknown_and_sent_once() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver
        .transport()
        .push("/pay", vec![Ok((503, "<html>busy</html>".into()))]);
    let err = driver.execute(Pay).await.unwrap_err();
    assert!(!err.outcome_known(), "{err}");
    assert_eq!(driver.transport().count("/pay"), 1);
}

#[tokio::test]
async fn twice_refused_token_is_unauthorized() {
    let driver = Driver::new(TestApi::default(), Scripted::default());
    driver.transport().push(
        "/ping",
        vec![Ok((401, String::new())), Ok((401, String::new()))],
    );
    let err = driver.execute(Ping).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(driver.transport().count("/auth"), 2);
    assert_eq!(driver.transport().count("/ping"), 2);
}

#[tokio::test]
async fn a_token_that_looks_expired_on_arrival_is_used_not_refetched_forever() {
    // A margin longer than the token's lifetime: every fresh token is "expiring".
    let api = TestApi {
        margin: Duration::from_secs(7200),
    };
    let driver = Driver::new(api, Scripted::default());
    assert_eq!(driver.execute(Ping).await.unwrap(), "pong");
    assert_eq!(driver.transport().count("/auth"), 1);
    assert_eq!(driver.transport().count("/ping"), 1);
}
