//! The facade's mapping onto PesaPal.

use super::accepted::{AcceptedCallback, Confirmation};
use super::dedupe::DedupeKey;
use super::event::{Claims, Facts};
use super::payment::{Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::driver::{Driver, Transport};
use crate::pesapal::{
    BillingAddress, GetTransactionStatus, IpnId, IpnMethod, IpnRegistration, Notification, Order,
    OrderTrackingId, PesapalConfig, RegisterIpn, SubmitOrder, TransactionStatus,
};
use crate::{Error, PaymentStatus, Provider};

const P: Provider = Provider::Pesapal;

pub(super) async fn register_ipn<T: Transport>(
    d: &Driver<PesapalConfig, T>,
    url: &str,
    method: IpnMethod,
) -> Result<IpnRegistration, Error> {
    d.execute(RegisterIpn::new(url, method)?).await
}

pub(super) async fn pay<T: Transport>(
    d: &Driver<PesapalConfig, T>,
    payment: &Payment,
    ipn_id: Option<&str>,
) -> Result<PaymentStarted, Error> {
    let ipn_id = IpnId::new(ipn_id.ok_or_else(|| {
        Error::invalid(
            "ipn_id",
            "PesaPal needs the ipn_id that register_ipn returned (registered with the same keys and environment)",
        )
    })?)?;
    let description = Payment::require(P, "description", payment.description.as_ref())?;
    let callback_url = Payment::require(P, "callback_url", payment.callback_url.as_deref())?;
    let c = &payment.customer;
    if c.email.is_none() && c.phone.is_none() {
        return Err(Error::invalid(
            "customer",
            "PesaPal needs the payer's email or phone",
        ));
    }
    let billing = BillingAddress {
        email_address: c.email.clone(),
        phone_number: c.phone.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        ..BillingAddress::default()
    };
    let order = Order::new(
        payment.reference.clone(),
        payment.amount,
        description.clone(),
        callback_url,
        billing,
    )?;
    let submitted = d.execute(SubmitOrder::new(order, ipn_id)).await?;
    Ok(PaymentStarted {
        provider: P,
        reference: payment.reference.to_string(),
        provider_reference: Some(submitted.order_tracking_id.as_str().to_owned()),
        redirect_url: Some(submitted.redirect_url),
        status: PaymentStatus::Pending,
        operator: payment.operator,
    })
}

pub(super) async fn status<T: Transport>(
    d: &Driver<PesapalConfig, T>,
    query: &StatusQuery,
) -> Result<StatusReport, Error> {
    let id = OrderTrackingId::new(query.reference.as_str())?;
    let s = d.execute(GetTransactionStatus::new(id)).await?;
    Ok(StatusReport {
        provider: P,
        reference: Some(s.merchant_reference.clone()).filter(|r| !r.is_empty()),
        provider_reference: Some(s.order_tracking_id.as_str().to_owned()),
        status: s.status.clone(),
        amount: s.amount,
        raw_status: s.payment_status_description.clone(),
    })
}

pub(super) fn accept(
    request: &http::Request<Vec<u8>>,
    arrival: u64,
) -> Result<AcceptedCallback, Error> {
    let n = Notification::from_request(request)?;
    let claims = Claims {
        kind: n.kind.as_str().to_owned(),
        reference: Some(n.merchant_reference.clone()),
        provider_reference: Some(n.order_tracking_id.as_str().to_owned()),
        status: None,
        amount: None,
    };
    let mut retry = n.ack(false).to_response();
    *retry.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    Ok(AcceptedCallback {
        provider: P,
        claims,
        arrival,
        received: n.ack(true).to_response(),
        retry,
        confirmation: Confirmation::Pesapal(n),
    })
}

/// The facts of PesaPal's status answer, once it is checked to concern `n`.
pub(super) fn facts(n: &Notification, status: &TransactionStatus) -> Result<Facts, Error> {
    n.check_status(status)?;
    Ok(Facts {
        status: status.status.clone(),
        reference: Some(status.merchant_reference.clone()).filter(|r| !r.is_empty()),
        provider_reference: Some(status.order_tracking_id.as_str().to_owned()),
        amount: status.amount,
    })
}

/// Tracking id, confirmed status and confirmation code: a replay of an IPN has
/// the same key, a status change (or a new recurring charge) a new one.
pub(super) fn dedupe_key(status: &TransactionStatus) -> DedupeKey {
    DedupeKey::new(
        P,
        &[
            status.order_tracking_id.as_str(),
            status.status.as_str(),
            status.confirmation_code.as_deref().unwrap_or(""),
        ],
    )
}
