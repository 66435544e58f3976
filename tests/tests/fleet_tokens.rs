//! One token per fleet: PesaPal facades (separate clients, each with its own
//! `RedisTokenStore`) share one real `redis-server` and one sandbox.
//!
//! - 4 instances, 2,000 payments at 64 in flight → 1 authentication; the provider
//!   revokes its tokens mid-run → exactly one more, fleet-wide;
//! - Redis holds only a sealed token under a key that names no credential;
//! - Redis unreachable at start → payments go on with per-instance tokens and one
//!   warning per instance; once Redis is up the instances share one token again;
//! - slow Redis (a proxy that delays every chunk) → payments complete, slowly
//!   while Redis answers in time, on per-instance tokens when it does not.

use finconnect::driver::{AccountKey, TokenStore, Transport};
use finconnect::sdk::FintechSdk;
use finconnect_redis::RedisTokenStore;
use finconnect_sandbox::{credentials, ProviderName, Route};
use finconnect_tests::fleet::{instance, pay_all, redis_store, register_ipn};
use finconnect_tests::redis_server::{Durability, RedisServer};
use finconnect_tests::{fast_options, start_sandbox, Adapter, Hyper, Reqwest};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Generous bound on any one scenario: a hang fails the test instead of the CI job.
const LIMIT: Duration = Duration::from_secs(240);

/// Every key of the Redis at `url`, with its string value (if it is a string).
async fn redis_contents(url: &str) -> Vec<(String, Option<String>)> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut out = Vec::new();
    for key in keys {
        let value: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .ok()
            .flatten();
        out.push((key, value));
    }
    out
}

fn account<T: Transport>(sdk: &FintechSdk<T>) -> AccountKey {
    sdk.pesapal().expect("a PesaPal facade").account().clone()
}

async fn token_of<T: Transport>(sdk: &FintechSdk<T>) -> String {
    let driver = sdk.pesapal().expect("a PesaPal facade");
    driver
        .token(None)
        .await
        .unwrap()
        .secret()
        .expose()
        .to_owned()
}

async fn four_instances_one_token<A: Adapter>() {
    let server = RedisServer::start(Durability::None);
    let sandbox = start_sandbox().await;
    let stores: Vec<Arc<RedisTokenStore>> = (0..4)
        .map(|_| Arc::new(redis_store(&server.url(), Duration::from_secs(2))))
        .collect();
    let fleet: Vec<_> = stores
        .iter()
        .map(|s| {
            instance::<A>(
                &sandbox,
                &fast_options(),
                Some(s.clone() as Arc<dyn TokenStore>),
            )
        })
        .collect();
    let ipn_id = register_ipn(&fleet[0]).await;

    let errors = tokio::time::timeout(LIMIT, pay_all(&fleet, &ipn_id, "FLEET", 2000, 64, |_| {}))
        .await
        .expect("2,000 payments within the limit");
    assert!(
        errors.is_empty(),
        "{} payments failed: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(sandbox.requests(Route::PesapalSubmitOrder), 2000);
    assert_eq!(
        sandbox.requests(Route::PesapalAuth),
        1,
        "one authentication for the whole fleet"
    );
    let first = token_of(&fleet[0]).await;
    for sdk in &fleet[1..] {
        assert_eq!(
            token_of(sdk).await,
            first,
            "every instance uses the fleet's token"
        );
    }

    // The provider revokes its tokens while 64 payments are in flight: every
    // instance gets 401s, the fleet refreshes once.
    let revoker = sandbox.clone();
    let errors = tokio::time::timeout(
        LIMIT,
        pay_all(&fleet, &ipn_id, "REVOKED", 2000, 64, move |i| {
            if i == 1000 {
                revoker.revoke_tokens(ProviderName::Pesapal);
            }
        }),
    )
    .await
    .expect("2,000 payments within the limit");
    assert!(
        errors.is_empty(),
        "{} payments failed: {:?}",
        errors.len(),
        errors.first()
    );
    assert!(
        sandbox.requests(Route::PesapalSubmitOrder) > 4000,
        "the revocation made some payments see a 401 and be sent again"
    );
    assert_eq!(
        sandbox.requests(Route::PesapalAuth),
        2,
        "a token refused by every instance is refreshed once fleet-wide"
    );
    let second = token_of(&fleet[0]).await;
    assert_ne!(second, first);
    for sdk in &fleet[1..] {
        assert_eq!(token_of(sdk).await, second);
    }
    let round_trips: u64 = stores.iter().map(|s| s.round_trips()).sum();
    assert!(
        round_trips < 100,
        "{round_trips} Redis round trips for 4,000 payments"
    );

    // What Redis holds: one sealed token, under a key that names no credential.
    let account = account(&fleet[0]);
    let contents = redis_contents(&server.url()).await;
    let keys: Vec<&str> = contents.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, [stores[0].token_key(&account)], "{contents:?}");
    assert!(
        keys[0].starts_with("finconnect:token:{pesapal:"),
        "{}",
        keys[0]
    );
    for (key, value) in &contents {
        for secret in [
            credentials::PESAPAL_CONSUMER_KEY,
            credentials::PESAPAL_CONSUMER_SECRET,
            second.as_str(),
        ] {
            assert!(!key.contains(secret));
            assert!(
                !value.as_deref().unwrap_or("").contains(secret),
                "{key} holds a secret"
            );
        }
    }
    assert_eq!(
        stores[3].get(&account).await.unwrap().secret().expose(),
        second,
        "the sealed token opens under the account's key"
    );
    let shown = format!("{:?}", stores[0]);
    assert!(!shown.contains(&second), "{shown}");
}

/// A `tracing` writer that keeps what is logged.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn count(&self, needle: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .matches(needle)
            .count()
    }
}

async fn redis_unreachable_at_start<A: Adapter>() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_ansi(false)
        .finish();
    // A current-thread runtime: everything logs on this thread.
    let _logging = tracing_subscriber::util::SubscriberInitExt::set_default(subscriber);

    let mut server = RedisServer::start(Durability::None);
    server.kill();
    let sandbox = start_sandbox().await;
    let stores: Vec<Arc<RedisTokenStore>> = (0..4)
        .map(|_| {
            let store = redis_store(&server.url(), Duration::from_millis(300))
                .recheck_after(Duration::from_millis(200));
            Arc::new(store)
        })
        .collect();
    let fleet: Vec<_> = stores
        .iter()
        .map(|s| {
            instance::<A>(
                &sandbox,
                &fast_options(),
                Some(s.clone() as Arc<dyn TokenStore>),
            )
        })
        .collect();
    let ipn_id = register_ipn(&fleet[0]).await;
    let errors = tokio::time::timeout(LIMIT, pay_all(&fleet, &ipn_id, "DOWN", 200, 16, |_| {}))
        .await
        .expect("payments complete while Redis is down");
    assert!(errors.is_empty(), "{errors:?}");
    let auths_down = sandbox.requests(Route::PesapalAuth);
    assert!(
        (1..=4).contains(&auths_down),
        "at most one token per instance while Redis is down, got {auths_down}"
    );
    for store in &stores {
        assert!(store.is_degraded());
        assert_eq!(store.outages(), 1);
    }
    let warning = "Redis token store unreachable";
    assert_eq!(
        logs.count(warning),
        4,
        "one warning per instance and outage"
    );

    // Redis comes up: the instances converge on one token, without
    // authenticating again (one instance's token is published, the others adopt it).
    server.restart();
    let account = account(&fleet[0]);
    let converged = async {
        let mut round = 0;
        loop {
            let errors = pay_all(&fleet, &ipn_id, &format!("UP{round}"), 8, 8, |_| {}).await;
            assert!(errors.is_empty(), "{errors:?}");
            let stored = stores[0]
                .get(&account)
                .await
                .map(|t| t.secret().expose().to_owned());
            let mut tokens = Vec::new();
            for sdk in &fleet {
                tokens.push(token_of(sdk).await);
            }
            if stored.is_some() && tokens.iter().all(|t| Some(t) == stored.as_ref()) {
                return;
            }
            round += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(LIMIT, converged)
        .await
        .expect("the fleet shares one token once Redis answers");
    assert_eq!(sandbox.requests(Route::PesapalAuth), auths_down);
    for store in &stores {
        assert!(!store.is_degraded());
    }
    assert_eq!(logs.count(warning), 4, "no warning per call");
}

#[tokio::test]
async fn redis_unreachable_at_start_over_reqwest() {
    redis_unreachable_at_start::<Reqwest>().await;
}

#[tokio::test]
async fn redis_unreachable_at_start_over_hyper() {
    redis_unreachable_at_start::<Hyper>().await;
}

/// A TCP proxy to `upstream` that waits `delay_ms` before forwarding each chunk,
/// in both directions. Returns its address.
async fn slow_proxy(
    upstream: std::net::SocketAddr,
    delay_ms: Arc<AtomicU64>,
) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else {
                continue;
            };
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(forward(cr, sw, Arc::clone(&delay_ms)));
            tokio::spawn(forward(sr, cw, Arc::clone(&delay_ms)));
        }
    });
    addr
}

async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay_ms: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        tokio::time::sleep(Duration::from_millis(delay_ms.load(Ordering::Relaxed))).await;
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn slow_redis<A: Adapter>() {
    let server = RedisServer::start(Durability::None);
    let sandbox = start_sandbox().await;
    let delay = Arc::new(AtomicU64::new(40));
    let proxy = slow_proxy(([127, 0, 0, 1], server.port()).into(), Arc::clone(&delay)).await;
    let url = format!("redis://{proxy}/");

    // Slow but within the timeouts: the fleet still authenticates once.
    let stores: Vec<Arc<RedisTokenStore>> = (0..4)
        .map(|_| {
            Arc::new(redis_store(&url, Duration::from_secs(2)).max_wait(Duration::from_secs(60)))
        })
        .collect();
    let fleet: Vec<_> = stores
        .iter()
        .map(|s| {
            instance::<A>(
                &sandbox,
                &fast_options(),
                Some(s.clone() as Arc<dyn TokenStore>),
            )
        })
        .collect();
    let ipn_id = register_ipn(&fleet[0]).await;
    let errors = tokio::time::timeout(LIMIT, pay_all(&fleet, &ipn_id, "SLOW", 200, 64, |_| {}))
        .await
        .expect("payments complete over a slow Redis");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sandbox.requests(Route::PesapalAuth), 1);

    // Slower than the answer timeout: a refresh waits at most the timeouts, then
    // each instance authenticates on its own and the payments complete.
    delay.store(3_000, Ordering::Relaxed);
    let slow_stores: Vec<Arc<RedisTokenStore>> = (0..4)
        .map(|_| Arc::new(redis_store(&url, Duration::from_millis(200))))
        .collect();
    let slow_fleet: Vec<_> = slow_stores
        .iter()
        .map(|s| {
            instance::<A>(
                &sandbox,
                &fast_options(),
                Some(s.clone() as Arc<dyn TokenStore>),
            )
        })
        .collect();
    let errors = tokio::time::timeout(
        LIMIT,
        pay_all(&slow_fleet, &ipn_id, "SLOWER", 64, 64, |_| {}),
    )
    .await
    .expect("payments complete when Redis answers too late");
    assert!(errors.is_empty(), "{errors:?}");
    let auths = sandbox.requests(Route::PesapalAuth);
    assert!(
        (2..=5).contains(&auths),
        "one token per instance at most, got {auths}"
    );
    for store in &slow_stores {
        assert!(store.is_degraded());
    }
}

finconnect_tests::conformance!(four_instances_one_token, slow_redis);
