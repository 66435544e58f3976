//! The facade's mapping onto ClickPesa.

use super::accepted::{ok_json, retry_503, AcceptedCallback, Confirmation};
use super::dedupe::DedupeKey;
use super::event::{Claims, Facts};
use super::payment::{Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::clickpesa::{
    self, parse_webhook, to_money, ClickpesaConfig, GetPayment, GetPayout, InitiateUssdPush,
    OrderReference, PaymentAttempts, Payout, PayoutAttempts, Verdict, Verified, Webhook,
    WebhookEvent,
};
use crate::driver::{Driver, Transport};
use crate::{Error, Money, Msisdn, Provider};

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

/// The query answer a ClickPesa confirmation reads.
#[derive(Clone, Debug)]
pub(super) enum Answer {
    Payments(PaymentAttempts),
    Payouts(PayoutAttempts),
}

/// The facts a verified webhook's checksum covers.
fn covered_facts(verified: &Verified) -> Facts {
    let event = verified.event();
    let amount = amount_of(event);
    Facts {
        status: verified.status(),
        reference: event.order_reference().map(str::to_owned),
        provider_reference: event.id().map(str::to_owned),
        amount,
    }
}

/// The amount a webhook's data states.
fn amount_of(event: &WebhookEvent) -> Option<Money> {
    match event {
        WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => p.amount(),
        WebhookEvent::PayoutInitiated(p)
        | WebhookEvent::PayoutRefunded(p)
        | WebhookEvent::PayoutReversed(p) => payout_amount(&p.payout),
        _ => None,
    }
}

fn payout_amount(p: &Payout) -> Option<Money> {
    to_money(p.amount.as_deref()?, p.currency.as_deref()?).ok()
}

fn is_payout(event: &WebhookEvent) -> bool {
    matches!(
        event,
        WebhookEvent::PayoutInitiated(_)
            | WebhookEvent::PayoutRefunded(_)
            | WebhookEvent::PayoutReversed(_)
    )
}

/// What the webhook says, unverified.
fn claims_of(hook: &Webhook) -> Claims {
    let event = hook.event();
    let amount = amount_of(event);
    Claims {
        kind: hook.event_name().to_owned(),
        reference: event.order_reference().map(str::to_owned),
        provider_reference: event.id().map(str::to_owned),
        status: Some(hook.status()),
        amount,
    }
}

/// The key of a ClickPesa event (see [`Verified::dedupe_key`]).
pub(super) fn dedupe_key(payout: bool, facts: &Facts) -> DedupeKey {
    clickpesa::dedupe_key(
        payout,
        facts.reference.as_deref(),
        facts.provider_reference.as_deref(),
        &facts.status,
    )
}

pub(super) fn accept(
    config: &ClickpesaConfig,
    request: &http::Request<Vec<u8>>,
    arrival: u64,
) -> Result<AcceptedCallback, Error> {
    let hook = parse_webhook(request.body())?;
    let claims = claims_of(&hook);
    let payout = is_payout(hook.event());
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
    let confirmation = match verified {
        Some(verified) => Confirmation::ClickpesaVerified {
            facts: covered_facts(&verified),
            payout,
        },
        None => {
            let reference = claims.reference.as_deref().ok_or_else(|| {
                Error::invalid(
                    "orderReference",
                    "an unsigned webhook without an order reference cannot be confirmed",
                )
            })?;
            Confirmation::ClickpesaQuery {
                reference: OrderReference::new(reference)?,
                payout,
            }
        }
    };
    Ok(AcceptedCallback {
        provider: P,
        claims,
        arrival,
        confirmation,
        received: ok_json(),
        retry: retry_503(),
    })
}

/// Runs the payment or payout query for an unsigned webhook.
pub(super) async fn query<T: Transport>(
    d: &Driver<ClickpesaConfig, T>,
    reference: &OrderReference,
    payout: bool,
) -> Result<Answer, Error> {
    Ok(if payout {
        Answer::Payouts(d.execute(GetPayout::new(reference.clone())).await?)
    } else {
        Answer::Payments(d.execute(GetPayment::new(reference.clone())).await?)
    })
}

/// The facts of the query answer: the attempt the webhook names (by id) when it
/// names one, else the one that decides the order. A named id the answer does
/// not know is a contradiction.
pub(super) fn answer_facts(
    answer: &Answer,
    reference: &OrderReference,
    claims: &Claims,
) -> Result<Facts, Error> {
    let (id, status, amount) = match answer {
        Answer::Payments(a) => {
            let pick = match &claims.provider_reference {
                Some(id) => a.attempts.iter().find(|p| p.id.as_deref() == Some(id)),
                None => a.current(),
            };
            (
                pick.and_then(|p| p.id.clone()),
                pick.map(|p| p.status()),
                pick.and_then(|p| p.amount()),
            )
        }
        Answer::Payouts(a) => {
            let pick = match &claims.provider_reference {
                Some(id) => a.attempts.iter().find(|p| p.id.as_deref() == Some(id)),
                None => a.current(),
            };
            (
                pick.and_then(|p| p.id.clone()),
                pick.map(|p| p.status()),
                pick.and_then(payout_amount),
            )
        }
    };
    let Some(status) = status else {
        return Err(Error::Contradiction {
            provider: P,
            field: "provider reference",
            claimed: claims.provider_reference.clone().unwrap_or_default(),
            vouched: "no such payment for this order reference".into(),
            source_name: "the status query",
        });
    };
    Ok(Facts {
        status,
        reference: Some(reference.to_string()),
        provider_reference: id,
        amount,
    })
}
