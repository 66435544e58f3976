//! `fleet-bench stream`: callbacks/s through the durable Redis event stream.
//!
//! `--events` distinct checksummed ClickPesa webhooks, each delivered
//! `--copies` times (copies of one event follow each other, round-robin over
//! `--instances` callback service instances), at `--concurrency` in flight.
//! Each instance verifies the checksum and appends the event to the stream
//! with one Lua script (`append_once`) before answering 200. A delivery
//! answered "retry" is re-sent (counted). Webhook bodies are built before the
//! clock starts.
//!
//! Reported: `callbacks_per_sec` = acknowledged deliveries ÷ wall time,
//! `events_per_sec` = distinct events stored ÷ wall time, ack latency p50/p99,
//! and CPU seconds of this process (instances + sender) and of `redis-server`
//! per 1,000 callbacks.

use clap::Args;
use finconnect_redis::{EventStream, RedisConfig};
use finconnect_tests::fleet_events::{webhook, CallbackInstance, Sender};
use finconnect_tests::redis_server::{Durability, RedisServer};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// `fleet-bench stream` options.
#[derive(Debug, Args)]
pub struct StreamArgs {
    /// Distinct events.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Deliveries of each event (duplicates are acknowledged, not stored).
    #[arg(long, default_value_t = 1)]
    copies: usize,
    /// Callback service instances sharing the Redis.
    #[arg(long, default_value_t = 2)]
    instances: usize,
    /// Deliveries in flight.
    #[arg(long, default_value_t = 100)]
    concurrency: usize,
    /// Start Redis with AOF and `appendfsync always` (every append on disk
    /// before its ack).
    #[arg(long)]
    aof: bool,
    /// Use this Redis instead of starting one (its stream must be new: the
    /// run uses the prefix `fleet-bench-<pid>`).
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: StreamArgs) {
    let durability = if args.aof {
        Durability::AofAlways
    } else {
        Durability::None
    };
    let server = args.redis.is_none().then(|| RedisServer::start(durability));
    let url = match (&args.redis, &server) {
        (Some(url), _) => url.clone(),
        (None, Some(server)) => server.url(),
        (None, None) => unreachable!("a server was started"),
    };
    let redis_pid = server.as_ref().and_then(|s| redis_pid(s.port()));
    let config = RedisConfig::from_url(&url)
        .expect("a Redis URL")
        .prefix(format!("fleet-bench-{}", std::process::id()))
        .response_timeout(Duration::from_secs(5));
    let mut instances = Vec::new();
    for _ in 0..args.instances.max(1) {
        instances.push(CallbackInstance::start(&config).await);
    }
    let targets: Arc<Vec<_>> = Arc::new(instances.iter().map(CallbackInstance::addr).collect());
    let bodies: Vec<_> = (0..args.events).map(webhook).collect();
    let deliveries: Vec<_> = (0..args.events * args.copies.max(1))
        .map(|n| (n / args.copies.max(1), n % targets.len()))
        .collect();
    let sender = Sender::new(args.concurrency);
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let retries = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    let cpu_before = (cpu_seconds("self"), redis_pid.and_then(cpu_pid));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(deliveries.len());
    for (event, instance) in deliveries {
        let permit = Arc::clone(&gate).acquire_owned().await.expect("the gate");
        let (sender, targets, retries) =
            (sender.clone(), Arc::clone(&targets), Arc::clone(&retries));
        let body = bodies[event].clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            for attempt in 0..100 {
                let target = targets[(instance + attempt) % targets.len()];
                match sender.post(target, body.clone()).await {
                    Some((status, _)) if (200..300).contains(&status) => break,
                    _ => {
                        retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            drop(permit);
            t.elapsed()
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    for task in tasks {
        latencies.push(task.await.expect("a delivery"));
    }
    let wall = started.elapsed();
    let cpu_after = (cpu_seconds("self"), redis_pid.and_then(cpu_pid));

    let stream = EventStream::new(&config.connect().expect("a Redis handle"));
    let stored = stream.len().await.expect("XLEN");
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let deliveries = latencies.len();
    let per_k = |before: Option<f64>, after: Option<f64>| {
        before
            .zip(after)
            .map(|(b, a)| (a - b) * 1000.0 / deliveries.max(1) as f64)
    };
    let result = serde_json::json!({
        "mode": "stream",
        "provider": "clickpesa",
        "events": args.events,
        "copies": args.copies,
        "deliveries": deliveries,
        "instances": targets.len(),
        "concurrency": args.concurrency,
        "redis_aof_always": args.aof,
        "wall_s": r3(wall.as_secs_f64()),
        "callbacks_per_sec": (deliveries as f64 / wall.as_secs_f64()).round(),
        "events_per_sec": (stored as f64 / wall.as_secs_f64()).round(),
        "stream_entries": stored,
        "retries": retries.load(std::sync::atomic::Ordering::Relaxed),
        "p50_ms": r3(pick(0.50)),
        "p99_ms": r3(pick(0.99)),
        "bench_cpu_s_per_1000": per_k(cpu_before.0, cpu_after.0).map(r3),
        "redis_cpu_s_per_1000": per_k(cpu_before.1, cpu_after.1).map(r3),
        "loadavg_1m": loadavg_1m(),
    });
    if args.json {
        println!("{result}");
    } else {
        println!("fleet-bench stream (ClickPesa webhooks → Redis event stream)");
        for (name, value) in result.as_object().into_iter().flatten() {
            println!("  {name:<22} {value}");
        }
    }
    if stored != args.events as u64 {
        eprintln!(
            "warning: {stored} entries in the stream for {} events",
            args.events
        );
    }
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// User + system CPU seconds of `/proc/<pid>` (`self` for this process).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at ")".
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat (11 and 12 after ")").
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn cpu_pid(pid: u32) -> Option<f64> {
    cpu_seconds(&pid.to_string())
}

/// The pid of the `redis-server` listening on `port` (from `/proc`; Redis
/// sets its process title to `redis-server 127.0.0.1:PORT`).
fn redis_pid(port: u16) -> Option<u32> {
    let wanted = format!(":{port}");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let on_port = cmdline.contains(&wanted) || cmdline.contains(&format!("--port {port}"));
            (cmdline.contains("redis-server") && on_port).then_some(pid)
        })
}

fn loadavg_1m() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
