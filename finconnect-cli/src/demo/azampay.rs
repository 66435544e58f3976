//! AzamPay: callback listener → MNO checkout → the customer pays → signed
//! callback received and verified with the key fetched from the sandbox → status.

use super::{options, unique_reference, Flow, Listener};
use finconnect::azampay::{AzampayConfig, AzampayEndpoints, MnoProvider};
use finconnect::sdk::{Payment, ProviderConfig, Trust};
use finconnect::{Currency, Money, UrlPolicy};
use finconnect_sandbox::{credentials, ProviderName, Sandbox};

/// Runs the flow; `Err` only for a failure before the first step.
pub(crate) async fn run(sandbox: &Sandbox, flow: &mut Flow) -> Result<(), String> {
    let endpoints = AzampayEndpoints {
        auth: &sandbox.azampay_auth_base_url(),
        checkout: &sandbox.azampay_checkout_base_url(),
        disbursement: &sandbox.azampay_disbursement_base_url(),
    };
    let config = AzampayConfig::custom(
        credentials::AZAMPAY_APP_NAME,
        credentials::AZAMPAY_CLIENT_ID,
        credentials::AZAMPAY_CLIENT_SECRET,
        endpoints,
        UrlPolicy::Local,
    )
    .map_err(|e| e.to_string())?
    .with_api_key(credentials::AZAMPAY_API_KEY);
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Azampay(config), &options())
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
        .step("listen and set the callback URL", async {
            let listener = Listener::start(sdk, "/azampay/callback").await?;
            let url = url::Url::parse(&listener.url).map_err(|e| e.to_string())?;
            sandbox.set_azampay_callback_url(Some(url));
            let detail = format!("callbacks to {}", listener.url);
            Ok((listener, detail))
        })
        .await?;

    let reference = unique_reference("DEMO");
    let started = flow
        .step("MNO checkout (pay, Airtel)", async {
            let payment = Payment::new(
                reference.as_str(),
                Money::from_major(1000, Currency::TZS).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
            .phone("0712345678")
            .operator(MnoProvider::Airtel);
            let started = sdk.pay(&payment, None).await.map_err(|e| e.to_string())?;
            let detail = format!(
                "external id {} transaction id {}",
                started.reference,
                started.provider_reference.as_deref().unwrap_or("-")
            );
            Ok((started, detail))
        })
        .await?;
    let transaction_id = started.provider_reference.clone().unwrap_or_default();

    let refs = [transaction_id.as_str(), reference.as_str()];
    super::settle_and_confirm(
        flow,
        sandbox,
        sdk,
        &mut listener,
        &started,
        (ProviderName::Azampay, &transaction_id, &refs),
        (
            "callback received by the listener and acked",
            "callback signature verified (fetched key)",
        ),
        (
            super::order_of(&started, Money::from_major(1000, Currency::TZS).ok()),
            Trust::Signature,
        ),
    )
    .await?;
    sandbox.set_azampay_callback_url(None);
    Ok(())
}
