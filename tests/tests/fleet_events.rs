//! A fleet of callback services on one real `redis-server`: every notification
//! is stored once in the durable event stream before the provider hears
//! "received", consumed once per consumer group, and nothing is lost when an
//! instance, a consumer or Redis itself dies. Redis down, unreachable or slow
//! means "retry later" (503), never an unbounded wait.
//!
//! The provider is played by a sender that delivers checksummed ClickPesa
//! webhooks and re-sends each one until it is acknowledged (2xx), moving to the
//! next instance after a failure, as a load balancer would.

use finconnect::sdk::{CallbackInbox, Claim, DedupeStore, Outcome};
use finconnect::{DedupeKey, Provider};
use finconnect_redis::{Consumer, EventStream, RedisConfig, RedisDedupe, StoredEvent};
use finconnect_tests::fleet_events::{
    clickpesa_sdk, reference, webhook, CallbackInstance, DelayProxy, Sender,
};
use finconnect_tests::redis_server::{free_port, Durability, RedisServer};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Semaphore;

/// A bound on every wait for a condition (a hang fails the test; nothing is
/// measured).
const PATIENCE: Duration = Duration::from_secs(120);

fn config(url: &str) -> RedisConfig {
    RedisConfig::from_url(url)
        .expect("a Redis URL")
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(3))
}

/// What the provider saw.
#[derive(Default)]
struct Provider2 {
    /// Events acknowledged (2xx), one entry per acknowledged delivery.
    acked: Mutex<Vec<usize>>,
    /// "Retry later" answers (5xx).
    retry_answers: AtomicUsize,
    /// Attempts that got no answer (instance down).
    no_answer: AtomicUsize,
}

impl Provider2 {
    fn acked(&self) -> usize {
        self.acked.lock().unwrap().len()
    }
}

/// Delivers each `(event, instance)` at `in_flight` concurrency, re-sending
/// each until it is acknowledged (to the next instance after a failure).
async fn deliver(
    sender: Sender,
    targets: Vec<SocketAddr>,
    deliveries: Vec<(usize, usize)>,
    in_flight: usize,
    seen: Arc<Provider2>,
) {
    let gate = Arc::new(Semaphore::new(in_flight));
    let targets = Arc::new(targets);
    let mut tasks = Vec::with_capacity(deliveries.len());
    for (event, instance) in deliveries {
        let (sender, gate, targets, seen) = (
            sender.clone(),
            Arc::clone(&gate),
            Arc::clone(&targets),
            Arc::clone(&seen),
        );
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let body = webhook(event);
            let started = Instant::now();
            let mut permit = Some(permit);
            for attempt in 0.. {
                assert!(
                    started.elapsed() < PATIENCE,
                    "event {event} never acknowledged"
                );
                let permit = match permit.take() {
                    Some(p) => p,
                    None => gate.clone().acquire_owned().await.unwrap(),
                };
                let target = targets[(instance + attempt) % targets.len()];
                let answer = sender.post(target, body.clone()).await;
                drop(permit);
                match answer {
                    Some((status, _)) if (200..300).contains(&status) => {
                        seen.acked.lock().unwrap().push(event);
                        return;
                    }
                    Some((status, body)) => {
                        assert!(status >= 500, "event {event} refused: {status} {body:?}");
                        seen.retry_answers.fetch_add(1, Ordering::Relaxed);
                    }
                    None => {
                        seen.no_answer.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a delivery task");
    }
}

/// Every entry of the stream, oldest first.
async fn all_entries(stream: &EventStream) -> Vec<StoredEvent> {
    let mut out = Vec::new();
    let mut after = "0".to_owned();
    loop {
        let page = stream.range(&after, 1_000).await.expect("XRANGE");
        let Some(last) = page.last() else {
            return out;
        };
        after = last.id.clone();
        out.extend(page);
    }
}

/// Asserts that the stream holds each of `events` exactly once (and nothing
/// else); returns the entries.
async fn assert_each_once(stream: &EventStream, events: usize) -> Vec<StoredEvent> {
    let entries = all_entries(stream).await;
    let mut by_reference: HashMap<String, usize> = HashMap::new();
    for e in &entries {
        assert_eq!(e.field("provider"), Some("clickpesa"));
        assert_eq!(e.field("trust"), Some("checksum"));
        assert_eq!(e.field("status"), Some("completed"));
        *by_reference
            .entry(e.field("reference").unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    for i in 0..events {
        assert_eq!(
            by_reference.get(&reference(i)).copied(),
            Some(1),
            "event {i} is not in the stream exactly once"
        );
    }
    assert_eq!(entries.len(), events, "unexpected entries in the stream");
    let keys: HashSet<&str> = entries.iter().map(StoredEvent::dedupe_key).collect();
    assert_eq!(keys.len(), events, "two entries share a dedupe key");
    entries
}

/// Runs `consumers` concurrently until the group acknowledged `total` events;
/// returns the ids each one acknowledged.
async fn consume(consumers: Vec<Consumer>, total: usize) -> Vec<Vec<String>> {
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for consumer in consumers {
        let done = Arc::clone(&done);
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let mut mine = Vec::new();
            while done.load(Ordering::SeqCst) < total {
                assert!(started.elapsed() < PATIENCE, "the group stalled");
                for event in consumer
                    .read(100, Duration::from_millis(200))
                    .await
                    .expect("XREADGROUP")
                {
                    if consumer.ack(&event.id).await.expect("XACK") {
                        done.fetch_add(1, Ordering::SeqCst);
                        mine.push(event.id);
                    }
                }
            }
            mine
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("a consumer task"));
    }
    out
}

/// Asserts that `per_consumer` acknowledged every entry once, between them.
fn assert_consumed_once(per_consumer: &[Vec<String>], entries: &[StoredEvent]) {
    let all: Vec<&String> = per_consumer.iter().flatten().collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "an event was consumed twice");
    let expected: HashSet<&String> = entries.iter().map(|e| &e.id).collect();
    assert_eq!(distinct, expected, "not every event was consumed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_hand_off_across_four_instances() {
    const EVENTS: usize = 2_000;
    const COPIES: usize = 5;
    let redis = RedisServer::start(Durability::None);
    let config = config(&redis.url());
    let mut instances = Vec::new();
    for _ in 0..4 {
        instances.push(CallbackInstance::start(&config).await);
    }
    let targets: Vec<SocketAddr> = instances.iter().map(CallbackInstance::addr).collect();
    // The five copies of an event follow each other, round-robin over the
    // instances: they race each other on different instances.
    let deliveries = (0..EVENTS * COPIES).map(|n| (n / COPIES, n % 4)).collect();
    let seen = Arc::new(Provider2::default());
    deliver(
        Sender::new(100),
        targets,
        deliveries,
        100,
        Arc::clone(&seen),
    )
    .await;
    assert_eq!(seen.acked(), EVENTS * COPIES);

    let stream = EventStream::new(&config.connect().unwrap());
    let entries = assert_each_once(&stream, EVENTS).await;

    // Two groups: each consumes every event once, whatever its consumer count.
    let mut fulfilment = Vec::new();
    for name in ["worker-1", "worker-2"] {
        fulfilment.push(
            Consumer::join(&config, &stream, "fulfilment", name)
                .await
                .unwrap(),
        );
    }
    let audit = vec![Consumer::join(&config, &stream, "audit", "auditor")
        .await
        .unwrap()];
    let pending_probe = fulfilment[0].clone();
    let (f, a) = tokio::join!(consume(fulfilment, EVENTS), consume(audit, EVENTS));
    assert_consumed_once(&f, &entries);
    assert_consumed_once(&a, &entries);
    assert_eq!(pending_probe.pending().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_of_an_instance_loses_nothing_and_another_consumer_takes_over() {
    const EVENTS: usize = 1_000;
    let redis = RedisServer::start(Durability::None);
    let config = config(&redis.url());
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(CallbackInstance::start(&config).await);
    }
    let targets: Vec<SocketAddr> = instances.iter().map(CallbackInstance::addr).collect();
    let deliveries = (0..EVENTS * 2).map(|n| (n / 2, n % 3)).collect();
    let seen = Arc::new(Provider2::default());
    let delivering = tokio::spawn(deliver(
        Sender::new(100),
        targets,
        deliveries,
        100,
        Arc::clone(&seen),
    ));
    // Mid-run, instance 0 dies with requests in progress.
    let started = Instant::now();
    while seen.acked() < EVENTS / 2 {
        assert!(started.elapsed() < PATIENCE, "deliveries stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    instances[0].crash();
    delivering.await.unwrap();
    assert_eq!(seen.acked(), EVENTS * 2, "every delivery is acknowledged");
    let stream = EventStream::new(&config.connect().unwrap());
    let entries = assert_each_once(&stream, EVENTS).await;

    // A consumer reads 100 events and dies before acknowledging them.
    let doomed = Consumer::join(&config, &stream, "fulfilment", "doomed")
        .await
        .unwrap();
    let orphans: HashSet<String> = doomed
        .read(100, Duration::from_secs(5))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(orphans.len(), 100);
    drop(doomed);

    // A survivor consumes the rest, then takes the orphans over.
    let survivor = Consumer::join(&config, &stream, "fulfilment", "survivor")
        .await
        .unwrap();
    let mut consumed = consume(vec![survivor.clone()], EVENTS - 100).await;
    let mut taken = HashSet::new();
    let started = Instant::now();
    while survivor.pending().await.unwrap() > 0 {
        assert!(started.elapsed() < PATIENCE, "orphans never taken over");
        for event in survivor
            .claim_stale(Duration::from_millis(100), 100)
            .await
            .unwrap()
        {
            assert!(survivor.ack(&event.id).await.unwrap());
            assert!(!event.dedupe_key().is_empty());
            taken.insert(event.id);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(taken, orphans, "the survivor took over exactly the orphans");
    consumed.push(taken.into_iter().collect());
    assert_consumed_once(&consumed, &entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_of_redis_keeps_every_acknowledged_event() {
    const EVENTS: usize = 1_000;
    let mut redis = RedisServer::start(Durability::AofAlways);
    let config = config(&redis.url());
    let instances = [
        CallbackInstance::start(&config).await,
        CallbackInstance::start(&config).await,
    ];
    let targets: Vec<SocketAddr> = instances.iter().map(CallbackInstance::addr).collect();
    let deliveries = (0..EVENTS).map(|n| (n, n % 2)).collect();
    let seen = Arc::new(Provider2::default());
    let sender = Sender::new(50);
    let delivering = tokio::spawn(deliver(
        sender.clone(),
        targets.clone(),
        deliveries,
        50,
        Arc::clone(&seen),
    ));
    let started = Instant::now();
    while seen.acked() < EVENTS / 4 {
        assert!(started.elapsed() < PATIENCE, "deliveries stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    redis.kill();
    // During the outage the provider hears "retry later".
    let (status, body) = sender
        .post(targets[0], webhook(EVENTS + 1))
        .await
        .expect("an answer while Redis is down");
    assert_eq!(status, 503, "{body:?}");
    while seen.retry_answers.load(Ordering::Relaxed) < 20 {
        assert!(started.elapsed() < PATIENCE, "no retry answers");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let acked_before_restart: HashSet<usize> = seen.acked.lock().unwrap().iter().copied().collect();
    redis.restart();
    delivering.await.unwrap();

    // Everything acknowledged before the crash survived it; the retries of
    // what was refused during the outage were processed once Redis was back.
    let stream = EventStream::new(&config.connect().unwrap());
    let entries = all_entries(&stream).await;
    let stored: HashSet<String> = entries
        .iter()
        .filter_map(|e| e.field("reference").map(str::to_owned))
        .collect();
    for i in &acked_before_restart {
        assert!(
            stored.contains(&reference(*i)),
            "event {i} was acknowledged, then lost in the crash"
        );
    }
    assert_eq!(seen.acked(), EVENTS);
    assert_each_once(&stream, EVENTS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_at_start_is_a_503_then_works() {
    // Nothing listens on this port yet.
    let port = free_port();
    let config = config(&format!("redis://127.0.0.1:{port}/"));
    let redis = config.connect().expect("connects lazily");
    let stream = EventStream::new(&redis);
    let inbox = CallbackInbox::for_log(clickpesa_sdk(), Arc::new(stream.clone()));
    let request = || {
        http::Request::post("/clickpesa")
            .body(webhook(7).to_vec())
            .unwrap()
    };
    let (response, outcome) = inbox.handle_detailed(request()).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key(http::header::RETRY_AFTER));
    match outcome {
        Outcome::Retry(why) => assert!(why.contains("Redis"), "{why}"),
        other => panic!("expected a retry, got {other:?}"),
    }

    // Redis comes up on that port: the same inbox works, with no restart.
    let server = RedisServer::start(Durability::None);
    let _proxy = DelayProxy::start(port, server.port()).await;
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < PATIENCE, "never recovered");
        let (response, _) = inbox.handle_detailed(request()).await;
        if response.status() == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entries = all_entries(&stream).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].field("reference"), Some(reference(7).as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_redis_is_a_bounded_wait_and_a_503() {
    let server = RedisServer::start(Durability::None);
    let proxy = DelayProxy::start(0, server.port()).await;
    let config = RedisConfig::from_url(&proxy.url())
        .unwrap()
        .response_timeout(Duration::from_millis(200));
    let stream = EventStream::new(&config.connect().unwrap());
    let inbox = CallbackInbox::for_log(clickpesa_sdk(), Arc::new(stream.clone()));
    let request = |i: usize| {
        http::Request::post("/clickpesa")
            .body(webhook(i).to_vec())
            .unwrap()
    };
    let (response, _) = inbox.handle_detailed(request(1)).await;
    assert_eq!(response.status(), 200);

    // Redis answers after 5 s: the inbox gives up at its timeout.
    proxy.set_delay(Duration::from_secs(5));
    let (response, outcome) = tokio::time::timeout(PATIENCE, inbox.handle_detailed(request(2)))
        .await
        .expect("a slow Redis must not hang the callback");
    assert_eq!(response.status(), 503);
    match outcome {
        Outcome::Retry(why) => assert!(
            why.contains("timed out") || why.contains("did not answer within"),
            "{why}"
        ),
        other => panic!("expected a retry, got {other:?}"),
    }

    // Redis is quick again: the provider's retry is acknowledged, and the
    // event is in the stream once (the slow append may have landed: then the
    // retry is a duplicate).
    proxy.set_delay(Duration::ZERO);
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < PATIENCE, "never recovered");
        let (response, _) = inbox.handle_detailed(request(2)).await;
        if response.status() == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let direct = EventStream::new(
        &RedisConfig::from_url(&server.url())
            .unwrap()
            .connect()
            .unwrap(),
    );
    let entries = all_entries(&direct).await;
    let references: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.field("reference"))
        .collect();
    assert_eq!(references, [reference(1), reference(2)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_dedupe_claims_are_shared_and_leases_lapse() {
    let server = RedisServer::start(Durability::None);
    let config = config(&server.url());
    let a = RedisDedupe::new(&config.connect().unwrap());
    let b = RedisDedupe::new(&config.connect().unwrap());
    let now = SystemTime::now();
    let lease = Duration::from_secs(60);
    let keep = Duration::from_secs(3600);
    let key = DedupeKey::new(Provider::Clickpesa, &["one"]);

    assert_eq!(a.claim(&key, lease, now).await.unwrap(), Claim::Won);
    assert_eq!(b.claim(&key, lease, now).await.unwrap(), Claim::Busy);
    // Only the holder's release frees the key.
    b.release(&key).await.unwrap();
    assert_eq!(b.claim(&key, lease, now).await.unwrap(), Claim::Busy);
    a.release(&key).await.unwrap();
    assert_eq!(b.claim(&key, lease, now).await.unwrap(), Claim::Won);
    b.done(&key, keep, now).await.unwrap();
    assert_eq!(a.claim(&key, lease, now).await.unwrap(), Claim::Done);

    // A holder dies: its short lease lapses and another instance wins; the
    // dead holder's late `done` is refused.
    let key = DedupeKey::new(Provider::Clickpesa, &["two"]);
    assert_eq!(
        a.claim(&key, Duration::from_millis(200), now)
            .await
            .unwrap(),
        Claim::Won
    );
    let started = Instant::now();
    while b.claim(&key, lease, now).await.unwrap() != Claim::Won {
        assert!(started.elapsed() < PATIENCE, "the lease never lapsed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(a.done(&key, keep, now).await.is_err());
    b.done(&key, keep, now).await.unwrap();
    assert_eq!(a.claim(&key, lease, now).await.unwrap(), Claim::Done);

    // Redis down: a clear error, never a claim.
    drop(server);
    let e = a
        .claim(&DedupeKey::new(Provider::Clickpesa, &["three"]), lease, now)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Redis"), "{e}");
}
