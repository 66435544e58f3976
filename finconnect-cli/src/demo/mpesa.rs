//! M-Pesa (Daraja): listener → C2B URLs registered (`register_ipn`) → STK push
//! with a one-off callback path → the customer pays on the phone prompt → STK
//! callback acked → confirmed by the STK query → status query.
//!
//! Daraja signs nothing, so every callback URL the demo hands out carries a
//! random path segment of its own (nobody can guess where to post a forgery),
//! and the callback is believed only as far as the STK query vouches.

use super::{acked_delivery, options, unique_reference, Flow, Listener, StepFailed};
use finconnect::driver::Transport;
use finconnect::mpesa::{MpesaConfig, Shortcode};
use finconnect::sdk::{IpnMethod, Payment, ProviderConfig, StatusQuery, Trust};
use finconnect::{Currency, Money, PaymentStatus, Secret, UrlPolicy};
use finconnect_sandbox::{credentials, ProviderName, Sandbox};

/// What the customer pays (whole shillings: Daraja takes no cents).
const AMOUNT_KES: i64 = 10;

/// Runs the flow; `Err` only for a failure before the first step.
pub(crate) async fn run(sandbox: &Sandbox, flow: &mut Flow) -> Result<(), String> {
    let config = MpesaConfig::custom(
        Secret::new(credentials::MPESA_CONSUMER_KEY),
        Secret::new(credentials::MPESA_CONSUMER_SECRET),
        &sandbox.mpesa_base_url(),
        UrlPolicy::Local,
    )
    .and_then(|c| {
        c.with_express(
            Shortcode::new(credentials::MPESA_EXPRESS_SHORTCODE)?,
            Secret::new(credentials::MPESA_EXPRESS_PASSKEY),
        )
    })
    .map_err(|e| e.to_string())?;
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Mpesa(config), &options())
        .map_err(|e| e.to_string())?;
    let _ = steps(sandbox, &sdk, flow).await;
    Ok(())
}

/// A random path segment (128 bits, hex) from the operating system's generator.
fn unguessable() -> String {
    use rsa::rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rsa::rand_core::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn kes() -> Result<Money, String> {
    Money::from_major(AMOUNT_KES, Currency::KES).map_err(|e| e.to_string())
}

async fn steps(
    sandbox: &Sandbox,
    sdk: &finconnect_reqwest::FintechSdk,
    flow: &mut Flow,
) -> Result<(), StepFailed> {
    let mut listener = flow
        .step("listen and register the C2B URLs", async {
            let path = format!("/payments/c2b/{}", unguessable());
            let listener = Listener::start(sdk, &path).await?;
            let registration = sdk
                .register_ipn(&listener.url, IpnMethod::Post)
                .await
                .map_err(|e| e.to_string())?;
            let detail = format!(
                "shortcode {}: {} and …/validation",
                registration.ipn_id.as_str(),
                registration.url
            );
            Ok((listener, detail))
        })
        .await?;

    // AccountReference is at most 12 characters.
    let reference = unique_reference("M");
    let callback_url = format!("{}/payments/stk/{}", listener.origin, unguessable());
    let started = flow
        .step("STK push (pay) to a one-off callback path", async {
            let payment = Payment::new(reference.as_str(), kes()?)
                .and_then(|p| p.description("demo order"))
                .map_err(|e| e.to_string())?
                .phone("0712345678")
                .callback_url(callback_url.as_str());
            let started = sdk.pay(&payment, None).await.map_err(|e| e.to_string())?;
            let detail = format!(
                "account {} checkout request id {} callback {}",
                started.reference,
                started.provider_reference.as_deref().unwrap_or("-"),
                callback_url
            );
            Ok((started, detail))
        })
        .await?;
    let checkout_id = started.provider_reference.clone().unwrap_or_default();
    let order = super::order_of(&started, kes().ok());
    listener.expect(order.clone());

    flow.step("the customer pays on the phone prompt", async {
        let prompt = sandbox.mpesa_prompt_url(&checkout_id);
        let transport = sdk
            .mpesa()
            .ok_or_else(|| "the facade is not M-Pesa's".to_owned())?
            .transport();
        let request = http::Request::post(prompt.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"action=pay".to_vec())
            .map_err(|e| e.to_string())?;
        let answer = transport
            .send(request)
            .await
            .map_err(|e| format!("the prompt page did not answer: {}", e.detail))?;
        let status = answer.status();
        if !(status.is_success() || status.is_redirection()) {
            return Err(format!("the prompt page answered HTTP {}", status.as_u16()));
        }
        Ok(((), format!("Pay tapped on {prompt}")))
    })
    .await?;

    flow.step("STK callback received and acked", async {
        let (record, detail) = acked_delivery(sandbox, ProviderName::Mpesa, &[&checkout_id])?;
        if record.url != callback_url {
            return Err(format!(
                "the callback went to {}, not to the payment's own path",
                record.url
            ));
        }
        Ok(((), format!("{detail} on the payment's own path")))
    })
    .await?;

    flow.step("STK callback confirmed via the STK query", async {
        let event = listener.next_event().await?;
        super::expect_completed(&event, &order, Trust::StatusQuery).map(|d| ((), d))
    })
    .await?;

    flow.step("status query", async {
        let report = sdk
            .status(StatusQuery::from(&started))
            .await
            .map_err(|e| e.to_string())?;
        if report.status != PaymentStatus::Completed {
            return Err(format!("status is {}, expected completed", report.status));
        }
        let raw = report.raw_status.as_deref().unwrap_or("-");
        Ok(((), format!("{} (ResultCode {raw})", report.status)))
    })
    .await?;
    Ok(())
}
