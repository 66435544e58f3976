//! No configured secret or token appears in any `Debug`/`Display`, error message
//! or captured `tracing` output — checked with unique secrets, successful calls
//! (whose tokens are captured and searched for too) and failing ones.

use finconnect::azampay::{AzampayConfig, AzampayEndpoints, MnoProvider};
use finconnect::clickpesa::ClickpesaConfig;
use finconnect::pesapal::{GetIpnList, PesapalConfig};
use finconnect::sdk::{IpnMethod, Payment, ProviderConfig, StatusQuery};
use finconnect::{Currency, Money, Secret, UrlPolicy};
use finconnect_reqwest::{fintech_sdk_with, Options};
use finconnect_sandbox::{credentials, Sandbox, SandboxConfig};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything `tracing` writes, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(1),
        ..Options::default()
    }
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !text.contains(secret),
            "{what} leaks a secret ({:.6}…): {text}",
            secret
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_debug_errors_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let mut seen_text = Vec::<String>::new();

    // 1. Unique secrets the sandbox refuses: every error must stay clean.
    let unique = [
        "uNiQuE-consumer-KEY-5b1f",
        "uNiQuE-consumer-SECRET-9c2e",
        "uNiQuE-azampay-SECRET-77aa",
        "uNiQuE-clickpesa-APIKEY-1d0d",
        "uNiQuE-clickpesa-CHECKSUM-3e3e",
    ];
    let configs = vec![
        ProviderConfig::Pesapal(
            PesapalConfig::custom(
                Secret::new(unique[0]),
                Secret::new(unique[1]),
                &sandbox.pesapal_base_url(),
                UrlPolicy::Local,
            )
            .unwrap(),
        ),
        ProviderConfig::Azampay(
            AzampayConfig::custom(
                credentials::AZAMPAY_APP_NAME,
                credentials::AZAMPAY_CLIENT_ID,
                Secret::new(unique[2]),
                AzampayEndpoints {
                    auth: &sandbox.azampay_auth_base_url(),
                    checkout: &sandbox.azampay_checkout_base_url(),
                    disbursement: &sandbox.azampay_disbursement_base_url(),
                },
                UrlPolicy::Local,
            )
            .unwrap(),
        ),
        ProviderConfig::Clickpesa(
            ClickpesaConfig::custom(
                credentials::CLICKPESA_CLIENT_ID,
                Secret::new(unique[3]),
                &sandbox.clickpesa_base_url(),
                UrlPolicy::Local,
            )
            .unwrap()
            .with_checksum_key(Secret::new(unique[4])),
        ),
    ];
    for config in configs {
        seen_text.push(format!("{config:?}"));
        let sdk = fintech_sdk_with(config, &options()).unwrap();
        seen_text.push(format!("{sdk:?}"));
        let payment = Payment::new("ORDER77", Money::from_major(1000, Currency::TZS).unwrap())
            .unwrap()
            .description("leak test")
            .unwrap()
            .phone("0712345678")
            .email("a@example.com")
            .operator(MnoProvider::Tigo)
            .callback_url("http://127.0.0.1/return");
        let err = sdk.pay(&payment, Some("ipn-id")).await.unwrap_err();
        seen_text.push(format!("{err} {err:?}"));
        let err = sdk
            .status(StatusQuery::new("ORDER77").operator(MnoProvider::Tigo))
            .await
            .unwrap_err();
        seen_text.push(format!("{err} {err:?}"));
    }

    // 2. The sandbox's own credentials, with successful calls: the tokens issued
    //    must not appear either.
    let pesapal = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )
    .unwrap();
    let client = finconnect_reqwest::client_with(pesapal.clone(), &options()).unwrap();
    client.execute(GetIpnList).await.unwrap();
    let token = client.token(None).await.unwrap();
    seen_text.push(format!("{client:?} {token:?}"));
    let sdk = fintech_sdk_with(ProviderConfig::Pesapal(pesapal), &options()).unwrap();
    sdk.register_ipn("http://127.0.0.1:9/ipn", IpnMethod::Get)
        .await
        .unwrap();

    // 3. A closed port: transport errors.
    let closed = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        "http://127.0.0.1:9/pesapal/v3",
        UrlPolicy::Local,
    )
    .unwrap();
    let err = finconnect_reqwest::client_with(closed, &options())
        .unwrap()
        .execute(GetIpnList)
        .await
        .unwrap_err();
    seen_text.push(format!("{err} {err:?}"));

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("answer received"),
        "tracing captured nothing: {logs}"
    );
    assert!(
        logs.contains("provider=\"pesapal\"") || logs.contains("provider=pesapal"),
        "{logs}"
    );
    let all_secrets: Vec<&str> = unique
        .iter()
        .copied()
        .chain([
            credentials::PESAPAL_CONSUMER_KEY,
            credentials::PESAPAL_CONSUMER_SECRET,
            credentials::CLICKPESA_API_KEY,
            credentials::AZAMPAY_CLIENT_SECRET,
            token.secret().expose(),
        ])
        .collect();
    assert_clean("tracing output", &logs, &all_secrets);
    for text in &seen_text {
        assert_clean("Debug/Display", text, &all_secrets);
    }
}
