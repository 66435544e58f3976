//! The facade's mapping onto ClickPesa.

use super::callback::{AcceptedCallback, CallbackEvent, Confirmation, Trust};
use super::payment::{Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::clickpesa::webhook::{self, Verdict, WebhookEvent};
use crate::clickpesa::{ClickpesaConfig, GetPayment, InitiateUssdPush, OrderReference};
use crate::driver::{Driver, Transport};
use crate::{Error, Msisdn, Provider};

const P: Provider = Provider::Clickpesa;

pub(super) async fn pay<T: Transport>(
    d: &Driver<ClickpesaConfig, T>,
    payment: &Payment,
) -> Result<PaymentStarted, Error> {
    let phone = Payment::require(P, "phone", payment.customer.phone.as_deref())?;
    let push = InitiateUssdPush::new(
        payment.amount,
        OrderReference::new(payment.reference.as_str())?,
        Msisdn::parse(phone, "255")?,
    )?;
    let answer = d.execute(push).await?;
    Ok(PaymentStarted {
        provider: P,
        reference: payment.reference.to_string(),
        provider_reference: answer.id.clone(),
        redirect_url: None,
        status: answer.status(),
        operator: payment.operator,
    })
}

pub(super) async fn status<T: Transport>(
    d: &Driver<ClickpesaConfig, T>,
    query: &StatusQuery,
) -> Result<StatusReport, Error> {
    let reference = OrderReference::new(query.reference.as_str())?;
    let attempts = d.execute(GetPayment::new(reference)).await?;
    let current = attempts.current();
    Ok(StatusReport {
        provider: P,
        reference: Some(query.reference.clone()),
        provider_reference: current.and_then(|p| p.id.clone()),
        status: attempts.status(),
        amount: current.and_then(|p| p.amount()),
        raw_status: current.and_then(|p| p.status_text.clone()),
    })
}

pub(super) fn accept(
    config: &ClickpesaConfig,
    request: &http::Request<Vec<u8>>,
) -> Result<AcceptedCallback, Error> {
    let hook = webhook::parse(request.body())?;
    let verified = match config.checksum_key() {
        Some(key) => match hook.verdict(key) {
            Verdict::Valid => Some(hook.clone().verify(key)?),
            Verdict::Invalid => {
                return Err(Error::Signature {
                    provider: P,
                    reason: "the webhook's checksum does not match its body and the checksum key"
                        .into(),
                })
            }
            Verdict::Unsigned => None,
        },
        None => None,
    };
    let (reference, amount) = match hook.event() {
        WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => {
            (p.order_reference.clone(), p.amount())
        }
        other => (other.order_reference().map(str::to_owned), None),
    };
    let event = CallbackEvent {
        provider: P,
        kind: hook.event_name().to_owned(),
        reference: reference.clone(),
        provider_reference: hook.event().id().map(str::to_owned),
        status: hook.status(),
        amount,
        dedupe_key: hook.dedupe_key().to_string(),
        trust: Trust::Unverified,
    };
    let (event, confirmation) = match verified {
        Some(verified) => (
            CallbackEvent {
                status: verified.status(),
                trust: Trust::Signature,
                ..event
            },
            Confirmation::None,
        ),
        None => {
            let reference = reference.ok_or_else(|| {
                Error::invalid(
                    "orderReference",
                    "an unsigned webhook without an order reference cannot be confirmed",
                )
            })?;
            (
                event.unverified(),
                Confirmation::Clickpesa(OrderReference::new(reference)?),
            )
        }
    };
    Ok(AcceptedCallback {
        response: super::ok_response(),
        event,
        confirmation,
    })
}

pub(super) async fn confirm<T: Transport>(
    d: &Driver<ClickpesaConfig, T>,
    mut event: CallbackEvent,
    reference: OrderReference,
) -> Result<CallbackEvent, Error> {
    let attempts = d.execute(GetPayment::new(reference)).await?;
    event.status = attempts.status();
    event.amount = attempts.current().and_then(|p| p.amount()).or(event.amount);
    event.trust = Trust::StatusQuery;
    Ok(event)
}
