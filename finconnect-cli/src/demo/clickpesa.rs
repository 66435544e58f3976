//! ClickPesa (with a checksum key): webhook listener → USSD push → the customer
//! pays → webhook received, checksum verified → status.

use super::{options, unique_reference, Flow, Listener};
use finconnect::clickpesa::ClickpesaConfig;
use finconnect::sdk::{Payment, ProviderConfig, Trust};
use finconnect::{Currency, Money, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, ProviderName, Sandbox};

/// Runs the flow; `Err` only for a failure before the first step.
pub(crate) async fn run(sandbox: &Sandbox, flow: &mut Flow) -> Result<(), String> {
    let config = ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &sandbox.clickpesa_base_url(),
        UrlPolicy::Local,
    )
    .map_err(|e| e.to_string())?
    .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY));
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Clickpesa(config), &options())
        .map_err(|e| e.to_string())?;
    let _ = steps(sandbox, &sdk, flow).await;
    Ok(())
}

async fn steps(
    sandbox: &Sandbox,
    sdk: &finconnect_reqwest::FintechSdk,
    flow: &mut Flow,
) -> Result<(), super::StepFailed> {
    let mut listener = flow
        .step("listen and set the webhook URL", async {
            let listener = Listener::start(sdk, "/clickpesa/webhook").await?;
            let url = url::Url::parse(&listener.url).map_err(|e| e.to_string())?;
            sandbox.set_clickpesa_webhook_url(Some(url));
            let detail = format!("webhooks to {}", listener.url);
            Ok((listener, detail))
        })
        .await?;

    let reference = unique_reference("DEMO");
    let started = flow
        .step("USSD push (pay)", async {
            let payment = Payment::new(
                reference.as_str(),
                Money::from_major(1000, Currency::TZS).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
            .phone("0712345678");
            let started = sdk.pay(&payment, None).await.map_err(|e| e.to_string())?;
            let detail = format!(
                "order {} payment id {} ({})",
                started.reference,
                started.provider_reference.as_deref().unwrap_or("-"),
                started.status
            );
            Ok((started, detail))
        })
        .await?;

    super::settle_and_confirm(
        flow,
        sandbox,
        sdk,
        &mut listener,
        &started,
        (ProviderName::Clickpesa, &reference, &[reference.as_str()]),
        (
            "webhook received by the listener and acked",
            "webhook checksum verified",
        ),
        (
            super::order_of(&started, Money::from_major(1000, Currency::TZS).ok()),
            Trust::Checksum,
        ),
    )
    .await?;
    sandbox.set_clickpesa_webhook_url(None);
    Ok(())
}
