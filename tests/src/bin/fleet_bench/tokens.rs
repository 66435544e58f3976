//! `fleet-bench tokens`: a fleet of PesaPal facades paying through the sandbox,
//! with one `RedisTokenStore` per instance on a real `redis-server`, against the
//! same fleet with in-memory token stores, in the same run.

use super::cpu::thread_cpu_ns;
use finconnect::driver::TokenStore;
use finconnect_redis::RedisTokenStore;
use finconnect_sandbox::{Route, Sandbox, SandboxConfig};
use finconnect_tests::fleet::{instance, pay_all, redis_store, register_ipn};
use finconnect_tests::redis_server::{Durability, RedisServer};
use finconnect_tests::{fast_options, Adapter, Hyper, Reqwest};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// What `fleet-bench tokens` was asked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub instances: usize,
    pub payments: usize,
    pub warmup: usize,
    pub concurrency: usize,
    pub rounds: usize,
    pub hyper: bool,
}

/// One measured phase of one token store.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub store: &'static str,
    pub payments: usize,
    pub errors: usize,
    pub wall_s: f64,
    pub client_cpu_ns: u64,
    pub round_trips: u64,
    pub cold_round_trips: u64,
    pub auth_requests: u64,
    pub cold_auth_requests: u64,
}

impl Run {
    pub fn payments_per_sec(&self) -> f64 {
        self.payments as f64 / self.wall_s
    }
    pub fn cpu_us_per_payment(&self) -> f64 {
        self.client_cpu_ns as f64 / 1_000.0 / self.payments as f64
    }
    pub fn round_trips_per_payment(&self) -> f64 {
        self.round_trips as f64 / self.payments as f64
    }
    pub fn json(&self, plan: &Plan) -> serde_json::Value {
        serde_json::json!({
            "store": self.store,
            "adapter": if plan.hyper { "hyper" } else { "reqwest" },
            "instances": plan.instances,
            "concurrency": plan.concurrency,
            "payments": self.payments,
            "errors": self.errors,
            "wall_s": self.wall_s,
            "payments_per_sec": self.payments_per_sec(),
            "client_cpu_us_per_payment": self.cpu_us_per_payment(),
            "redis_round_trips": self.round_trips,
            "redis_round_trips_per_payment": self.round_trips_per_payment(),
            "cold_start_redis_round_trips": self.cold_round_trips,
            "auth_requests": self.auth_requests,
            "cold_start_auth_requests": self.cold_auth_requests,
        })
    }
}

/// Runs `plan`: per round, the in-memory fleet then the Redis fleet.
pub fn run(plan: &Plan, client: &Runtime, sandbox_rt: &Runtime) -> Vec<Run> {
    let redis = RedisServer::start(Durability::None);
    // Tokens outlive the run: every authentication counted is a cache miss.
    let config = SandboxConfig::default().with_token_ttl(Duration::from_secs(24 * 3600));
    let sandbox = sandbox_rt
        .block_on(Sandbox::start(config))
        .expect("the sandbox starts");
    let mut runs = Vec::new();
    for round in 0..plan.rounds {
        for store in ["memory", "redis"] {
            let run = client.block_on(async {
                if plan.hyper {
                    phase::<Hyper>(plan, &sandbox, &redis, store, round).await
                } else {
                    phase::<Reqwest>(plan, &sandbox, &redis, store, round).await
                }
            });
            runs.push(run);
        }
    }
    runs
}

async fn phase<A: Adapter>(
    plan: &Plan,
    sandbox: &Sandbox,
    redis: &RedisServer,
    store: &'static str,
    round: usize,
) -> Run {
    let mut options = fast_options();
    options.pool_max_idle_per_host = plan.concurrency;
    let stores: Vec<Arc<RedisTokenStore>> = if store == "redis" {
        (0..plan.instances)
            .map(|_| {
                let s = redis_store(&redis.url(), Duration::from_secs(2));
                Arc::new(s)
            })
            .collect()
    } else {
        Vec::new()
    };
    if store == "redis" {
        // Each round starts cold: no token in Redis.
        let client = redis::Client::open(redis.url()).expect("a Redis URL");
        if let Ok(mut c) = client.get_multiplexed_async_connection().await {
            let _: Result<(), _> = redis::cmd("FLUSHALL").query_async(&mut c).await;
        }
    }
    let fleet: Vec<_> = (0..plan.instances)
        .map(|i| {
            let s = stores.get(i).map(|s| Arc::clone(s) as Arc<dyn TokenStore>);
            instance::<A>(sandbox, &options, s)
        })
        .collect();
    let round_trips = || stores.iter().map(|s| s.round_trips()).sum::<u64>();
    let auths = || sandbox.requests(Route::PesapalAuth);

    let (auth0, rt0) = (auths(), round_trips());
    let ipn_id = register_ipn(&fleet[0]).await;
    let prefix = format!("{store}-{round}");
    let warm = pay_all(
        &fleet,
        &ipn_id,
        &format!("{prefix}-warm"),
        plan.warmup,
        plan.concurrency,
        |_| {},
    )
    .await;
    let (auth1, rt1) = (auths(), round_trips());

    let cpu0 = thread_cpu_ns("client");
    let t0 = Instant::now();
    let errors = pay_all(
        &fleet,
        &ipn_id,
        &prefix,
        plan.payments,
        plan.concurrency,
        |_| {},
    )
    .await;
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns("client").saturating_sub(cpu0);
    Run {
        store,
        payments: plan.payments,
        errors: errors.len() + warm.len(),
        wall_s,
        client_cpu_ns: cpu,
        round_trips: round_trips() - rt1,
        cold_round_trips: rt1 - rt0,
        auth_requests: auths() - auth1,
        cold_auth_requests: auth1 - auth0,
    }
}
