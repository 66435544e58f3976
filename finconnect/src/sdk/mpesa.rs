//! The facade's mapping onto M-Pesa (Safaricom Daraja).
//!
//! - `register_ipn(url, Post)` registers the shortcode's C2B URLs:
//!   `{url}/confirmation` and `{url}/validation` (`ResponseType` `Completed`);
//!   the shortcode is the M-Pesa Express one, else the initiator's.
//! - `pay` is an STK push; `status` the STK query.
//! - Callbacks: STK callback, C2B validation, C2B confirmation and `Result`,
//!   told apart by their bodies (a C2B body is a validation when the request
//!   path ends in `/validation`, a confirmation otherwise).

use super::accepted::{retry_503, AcceptedCallback, Confirmation};
use super::dedupe::DedupeKey;
use super::event::{Claims, Facts};
use super::payment::{Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::driver::{Driver, Transport};
use crate::mpesa::{
    self, C2bRejectCode, C2bReply, CheckoutRequestId, KenyanMsisdn, MpesaConfig, Notification,
    RegisterUrls, ResponseType, StkKind, StkPush, StkQuery, StkQueryOutcome, MAX_ACCOUNT_REFERENCE,
    MAX_TRANSACTION_DESC,
};
use crate::pesapal::{IpnId, IpnMethod, IpnRegistration};
use crate::{Error, PaymentStatus, Provider};

const P: Provider = Provider::Mpesa;

/// The path suffix of the C2B validation URL `register_ipn` registers.
pub(super) const VALIDATION_SUFFIX: &str = "/validation";
/// The path suffix of the C2B confirmation URL `register_ipn` registers.
pub(super) const CONFIRMATION_SUFFIX: &str = "/confirmation";

/// Which Daraja notification an accepted callback is (private to the facade).
#[derive(Clone, Debug)]
pub(crate) enum MpesaCallback {
    /// An STK callback: confirmed by the STK query of its `CheckoutRequestID`.
    Stk(CheckoutRequestId),
    /// A C2B validation request: a question, not a payment.
    C2bValidation,
    /// A C2B confirmation: confirmed only through your order's STK push.
    C2bConfirmation,
    /// A `Result` of an asynchronous request: never confirmed by the facade.
    Result,
}

pub(super) async fn register_ipn<T: Transport>(
    d: &Driver<MpesaConfig, T>,
    url: &str,
    method: IpnMethod,
) -> Result<IpnRegistration, Error> {
    if method != IpnMethod::Post {
        return Err(Error::invalid(
            "method",
            "Daraja posts JSON to its C2B URLs: register with IpnMethod::Post",
        ));
    }
    if url.contains(['?', '#']) {
        return Err(Error::invalid(
            "url",
            "Daraja's C2B URLs are registered as {url}/confirmation and {url}/validation: give a URL without query or fragment",
        ));
    }
    let api = d.api();
    let shortcode = match (api.express(), api.initiator()) {
        (Some(express), _) => express.shortcode.clone(),
        (None, Some(initiator)) => initiator.shortcode().clone(),
        (None, None) => return Err(Error::config(
            "registering C2B URLs needs a shortcode: MpesaConfig::with_express or with_initiator",
        )),
    };
    let base = url.trim_end_matches('/');
    let confirmation = format!("{base}{CONFIRMATION_SUFFIX}");
    let validation = format!("{base}{VALIDATION_SUFFIX}");
    let accepted = d
        .execute(RegisterUrls::new(
            shortcode.clone(),
            ResponseType::Completed,
            &confirmation,
            &validation,
        )?)
        .await?;
    Ok(IpnRegistration {
        ipn_id: IpnId::new(shortcode.as_str())?,
        url: confirmation,
        method: Some(IpnMethod::Post),
        active: Some(true),
        status_description: accepted.description,
        created_date: None,
        id: None,
    })
}

/// A text field of the payment that Daraja bounds, refused (never cut) when too
/// long, with the payment's field named.
fn bounded<'a>(field: &str, wire: &str, value: &'a str, max: usize) -> Result<&'a str, Error> {
    let chars = value.chars().count();
    if chars > max {
        return Err(Error::invalid(
            field,
            format!("M-Pesa sends it as {wire}, at most {max} characters; got {chars}"),
        ));
    }
    Ok(value)
}

pub(super) async fn pay<T: Transport>(
    d: &Driver<MpesaConfig, T>,
    payment: &Payment,
) -> Result<PaymentStarted, Error> {
    let phone = Payment::require(P, "phone", payment.customer.phone.as_deref())?;
    let phone = KenyanMsisdn::parse(phone).map_err(|e| Error::invalid("phone", e.to_string()))?;
    let callback_url = Payment::require(P, "callback_url", payment.callback_url.as_deref())?;
    let description = Payment::require(P, "description", payment.description.as_ref())?;
    let reference = bounded(
        "reference",
        "AccountReference",
        payment.reference.as_str(),
        MAX_ACCOUNT_REFERENCE,
    )?;
    let description = bounded(
        "description",
        "TransactionDesc",
        description.as_str(),
        MAX_TRANSACTION_DESC,
    )?;
    let push = StkPush::new(
        StkKind::PayBill,
        payment.amount,
        phone,
        callback_url,
        reference,
        description,
        d.transport().now(),
    )?;
    let accepted = d.execute(push).await?;
    Ok(PaymentStarted {
        provider: P,
        reference: payment.reference.to_string(),
        provider_reference: Some(accepted.checkout_request_id.as_str().to_owned()),
        redirect_url: None,
        status: PaymentStatus::Pending,
        operator: None,
    })
}

pub(super) async fn status<T: Transport>(
    d: &Driver<MpesaConfig, T>,
    query: &StatusQuery,
) -> Result<StatusReport, Error> {
    let id = CheckoutRequestId::new(query.reference.as_str())?;
    let outcome = d
        .execute(StkQuery::new(id.clone(), d.transport().now()))
        .await?;
    let raw_status = match &outcome {
        StkQueryOutcome::Final(r) => Some(r.code.as_str().to_owned()),
        StkQueryOutcome::Pending { .. } => Some(mpesa::STK_STILL_PROCESSING.to_owned()),
        StkQueryOutcome::NoAnswer { error_code, .. } => Some(error_code.clone()),
        _ => None,
    };
    Ok(StatusReport {
        provider: P,
        reference: None,
        provider_reference: Some(id.as_str().to_owned()),
        status: outcome.status(),
        amount: None,
        raw_status,
    })
}

/// The STK query run to confirm a callback: `500.001.1001` ("no answer yet")
/// is no status at all, so it does not confirm anything.
pub(super) async fn confirm_query<T: Transport>(
    d: &Driver<MpesaConfig, T>,
    id: &CheckoutRequestId,
) -> Result<StkQueryOutcome, Error> {
    let outcome = d
        .execute(StkQuery::new(id.clone(), d.transport().now()))
        .await?;
    if let StkQueryOutcome::NoAnswer { error_code, .. } = &outcome {
        return Err(Error::NotConfirmed {
            provider: P,
            reason: format!(
                "the STK query has no answer yet ({error_code}); Daraja does not send the callback again: reconcile this payment (FintechSdk::reconcile)"
            ),
        });
    }
    Ok(outcome)
}

/// The facts of the STK query's answer: the status and the `CheckoutRequestID`
/// (the query carries no amount, receipt or account reference).
pub(super) fn stk_facts(id: &CheckoutRequestId, outcome: &StkQueryOutcome) -> Facts {
    let provider_reference = match outcome {
        StkQueryOutcome::Final(r) => r.checkout_request_id.as_str().to_owned(),
        _ => id.as_str().to_owned(),
    };
    Facts {
        provider_reference: Some(provider_reference),
        ..Facts::status(outcome.status())
    }
}

/// `CheckoutRequestID` and confirmed status: the STK callback and the C2B
/// confirmation of one payment share it, a status change makes a new one.
pub(super) fn stk_key(facts: &Facts) -> DedupeKey {
    DedupeKey::new(
        P,
        &[
            "stk",
            facts.provider_reference.as_deref().unwrap_or(""),
            facts.status.as_str(),
        ],
    )
}

/// Whether the request came to the C2B validation URL `register_ipn` made.
fn is_validation_path(request: &http::Request<Vec<u8>>) -> bool {
    request
        .uri()
        .path()
        .trim_end_matches('/')
        .ends_with(VALIDATION_SUFFIX)
}

pub(super) fn accept(
    request: &http::Request<Vec<u8>>,
    arrival: u64,
) -> Result<AcceptedCallback, Error> {
    let route = if is_validation_path(request) {
        mpesa::C2bRoute::Validation
    } else {
        mpesa::C2bRoute::Confirmation
    };
    let (callback, claims, received, retry) =
        match mpesa::parse_notification(request.body(), route)? {
            Notification::Stk(cb) => {
                let claims = Claims {
                    kind: "stkCallback".to_owned(),
                    reference: None,
                    provider_reference: Some(cb.checkout_request_id.as_str().to_owned()),
                    status: Some(cb.claimed_status()),
                    amount: cb.claimed_amount,
                };
                (
                    MpesaCallback::Stk(cb.checkout_request_id),
                    claims,
                    mpesa::stk_callback_ack(),
                    retry_503(),
                )
            }
            Notification::C2bValidation(p) => (
                MpesaCallback::C2bValidation,
                Claims {
                    kind: "C2B validation".to_owned(),
                    ..c2b_claims(p)
                },
                C2bReply::Accept {
                    third_party_trans_id: None,
                }
                .to_response(),
                C2bReply::Reject(C2bRejectCode::OtherError).to_response(),
            ),
            Notification::C2bConfirmation(p) => (
                MpesaCallback::C2bConfirmation,
                Claims {
                    kind: "C2B confirmation".to_owned(),
                    status: Some(PaymentStatus::Completed),
                    ..c2b_claims(p)
                },
                mpesa::c2b_confirmation_ack(),
                retry_503(),
            ),
            Notification::Result(r) => {
                let claims = Claims {
                    kind: "Result".to_owned(),
                    reference: None,
                    provider_reference: r.originator_conversation_id.clone(),
                    status: None,
                    amount: r.claimed_transaction_amount(),
                };
                (
                    MpesaCallback::Result,
                    claims,
                    mpesa::result_ack(),
                    retry_503(),
                )
            }
            _ => {
                return Err(Error::Unsupported {
                    provider: P,
                    operation: "this kind of M-Pesa notification",
                })
            }
        };
    Ok(AcceptedCallback {
        provider: P,
        claims,
        arrival,
        confirmation: Confirmation::Mpesa(callback),
        received,
        retry,
    })
}

/// What a C2B request claims (its kind named by the caller).
fn c2b_claims(p: mpesa::C2bPayment) -> Claims {
    Claims {
        kind: String::new(),
        reference: p.bill_ref_number,
        provider_reference: None,
        status: None,
        amount: Some(p.claimed_amount),
    }
}

/// Why a C2B confirmation without your order's STK push, or a `Result`, gives
/// no event.
pub(super) fn unconfirmable(kind: &MpesaCallback) -> Error {
    let reason = match kind {
        MpesaCallback::C2bConfirmation => {
            "a C2B confirmation is unsigned and Daraja answers no synchronous query about it: pass the Expected order with the CheckoutRequestID of its STK push (provider_reference) to confirm it with the STK query, or confirm the receipt with a TransactionStatusQuery (FintechSdk::mpesa) and reconcile"
        }
        MpesaCallback::Result => {
            "a Result callback is unsigned and the facade does not vouch for it: confirm the transaction with a TransactionStatusQuery (FintechSdk::mpesa) before acting on it"
        }
        MpesaCallback::C2bValidation => {
            "a C2B validation request asks whether to take a payment; nothing is paid yet: answer received() to accept or retry_later() to reject"
        }
        MpesaCallback::Stk(_) => "an STK callback is confirmed by its STK query",
    };
    Error::NotConfirmed {
        provider: P,
        reason: reason.to_owned(),
    }
}
