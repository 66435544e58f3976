//! A fleet of PesaPal facades against one sandbox, for the fleet token tests and
//! `fleet-bench`: several instances (separate clients and token stores) and
//! payments spread across them.

use crate::{pesapal_config, Adapter};
use finconnect::driver::{ClientOptions, TokenStore};
use finconnect::pesapal::IpnMethod;
use finconnect::sdk::{FintechSdk, Payment, ProviderConfig};
use finconnect::{Currency, Error, Money};
use finconnect_redis::{RedisConfig, RedisTokenStore};
use finconnect_sandbox::Sandbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A Redis token store on `url` with short timeouts (an instance of a fleet).
pub fn redis_store(url: &str, timeout: Duration) -> RedisTokenStore {
    let redis = RedisConfig::from_url(url)
        .expect("a Redis URL")
        .connect_timeout(timeout)
        .response_timeout(timeout)
        .connect()
        .expect("a Redis handle");
    RedisTokenStore::new(redis)
}

/// One PesaPal facade on the sandbox over adapter `A`, with `store` (or a
/// token store of its own in memory).
pub fn instance<A: Adapter>(
    sandbox: &Sandbox,
    options: &ClientOptions,
    store: Option<Arc<dyn TokenStore>>,
) -> FintechSdk<A::Transport> {
    let options = ClientOptions {
        token_store: store,
        ..options.clone()
    };
    A::sdk(ProviderConfig::Pesapal(pesapal_config(sandbox)), &options)
}

/// Registers an IPN URL through `sdk` (PesaPal wants one per payment).
pub async fn register_ipn<T: finconnect::driver::Transport>(sdk: &FintechSdk<T>) -> String {
    sdk.register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get)
        .await
        .expect("the IPN URL is registered")
        .ipn_id
        .as_str()
        .to_owned()
}

/// `count` payments (references `{prefix}-{i}`), `in_flight` at a time, payment
/// `i` on instance `i % instances.len()`. `before(i)` runs just before payment
/// `i` starts. Returns the errors, if any.
pub async fn pay_all<T: finconnect::driver::Transport + 'static>(
    instances: &[FintechSdk<T>],
    ipn_id: &str,
    prefix: &str,
    count: usize,
    in_flight: usize,
    before: impl Fn(usize) + Send + Sync + 'static,
) -> Vec<Error> {
    let gate = Arc::new(Semaphore::new(in_flight));
    let before = Arc::new(before);
    let mut tasks = JoinSet::new();
    for i in 0..count {
        let permit = Arc::clone(&gate)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let sdk = instances[i % instances.len()].clone();
        let (ipn_id, reference, before) = (
            ipn_id.to_owned(),
            format!("{prefix}-{i}"),
            Arc::clone(&before),
        );
        tasks.spawn(async move {
            before(i);
            let payment = Payment::new(reference, Money::from_major(250, Currency::KES)?)?
                .description("fleet payment")?
                .email("payer@example.com")
                .callback_url("http://127.0.0.1/return");
            let result = sdk.pay(&payment, Some(&ipn_id)).await.map(drop);
            drop(permit);
            result
        });
    }
    let mut errors = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done.expect("a payment task panicked") {
            errors.push(e);
        }
    }
    errors
}
