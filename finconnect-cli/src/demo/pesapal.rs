//! PesaPal: IPN listener → RegisterIPN (GET) → SubmitOrder → the customer pays →
//! IPN acked → confirmed through GetTransactionStatus → status query.

use super::{options, unique_reference, Flow, Listener};
use finconnect::pesapal::PesapalConfig;
use finconnect::sdk::{IpnMethod, Payment, ProviderConfig, Trust};
use finconnect::{Currency, Money, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, ProviderName, Sandbox};

/// Runs the flow; `Err` only for a failure before the first step.
pub(crate) async fn run(sandbox: &Sandbox, flow: &mut Flow) -> Result<(), String> {
    let config = PesapalConfig::custom(
        Secret::new(credentials::PESAPAL_CONSUMER_KEY),
        Secret::new(credentials::PESAPAL_CONSUMER_SECRET),
        &sandbox.pesapal_base_url(),
        UrlPolicy::Local,
    )
    .map_err(|e| e.to_string())?;
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Pesapal(config), &options())
        .map_err(|e| e.to_string())?;
    let _ = steps(sandbox, &sdk, flow).await;
    Ok(())
}

async fn steps(
    sandbox: &Sandbox,
    sdk: &finconnect_reqwest::FintechSdk,
    flow: &mut Flow,
) -> Result<(), super::StepFailed> {
    let (mut listener, ipn_id) = flow
        .step("listen and register the IPN URL (GET)", async {
            let listener = Listener::start(sdk, "/pesapal/ipn").await?;
            let registration = sdk
                .register_ipn(&listener.url, IpnMethod::Get)
                .await
                .map_err(|e| e.to_string())?;
            let detail = format!(
                "ipn_id {} for {}",
                registration.ipn_id.as_str(),
                listener.url
            );
            Ok(((listener, registration.ipn_id), detail))
        })
        .await?;

    let reference = unique_reference("DEMO");
    let started = flow
        .step("submit the order (pay)", async {
            let payment = Payment::new(
                reference.as_str(),
                Money::from_major(100, Currency::KES).map_err(|e| e.to_string())?,
            )
            .and_then(|p| p.description("finconnect demo order"))
            .map_err(|e| e.to_string())?
            .email("payer@example.com")
            .callback_url("http://127.0.0.1:9/return");
            let started = sdk
                .pay(&payment, Some(ipn_id.as_str()))
                .await
                .map_err(|e| e.to_string())?;
            let detail = format!(
                "order {} tracking id {} checkout page {}",
                started.reference,
                started.provider_reference.as_deref().unwrap_or("-"),
                started.redirect_url.as_deref().unwrap_or("-")
            );
            Ok((started, detail))
        })
        .await?;
    let tracking_id = started.provider_reference.clone().unwrap_or_default();

    super::settle_and_confirm(
        flow,
        sandbox,
        sdk,
        &mut listener,
        &started,
        (ProviderName::Pesapal, &tracking_id, &[tracking_id.as_str()]),
        (
            "IPN received by the listener and acked",
            "IPN confirmed via GetTransactionStatus",
        ),
        (
            super::order_of(&started, Money::from_major(100, Currency::KES).ok()),
            Trust::StatusQuery,
        ),
    )
    .await?;
    Ok(())
}
