//! Any Daraja notification, its kind told from its body: one JSON read for
//! the kind and the fields (the facade's callback intake and the CLI's
//! `verify mpesa` both start here).

use super::c2b_callback::{read_c2b, C2bPayment};
use super::result::{read_result, ResultNotification};
use super::stk_callback::{read_stk_callback, StkCallback};
use crate::Error;

/// Which URL a C2B body came to: validation and confirmation requests have
/// the same shape, so only the route tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum C2bRoute {
    /// The `ValidationURL`: Safaricom asks whether to take the payment.
    Validation,
    /// The `ConfirmationURL`: the payment was taken (a claim until confirmed).
    Confirmation,
}

/// One parsed Daraja notification. Every field is a claim: Daraja signs
/// nothing.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// An STK callback (`Body.stkCallback`).
    Stk(StkCallback),
    /// A C2B validation request.
    C2bValidation(C2bPayment),
    /// A C2B confirmation.
    C2bConfirmation(C2bPayment),
    /// The `Result` of B2C, transaction status, account balance or reversal.
    Result(ResultNotification),
}

/// Reads one notification body (at most
/// [`MAX_CALLBACK_BODY`](crate::MAX_CALLBACK_BODY) bytes), telling its kind by
/// its fields: `Body.stkCallback` is an STK callback, `TransID` a C2B request
/// (of `route`), `Result` or a bare `ResultCode` a result. Anything else, or a
/// malformed body of the kind it names, is [`Error::Decode`]. Never panics.
///
/// ```
/// use finconnect_proto::mpesa::{parse_notification, C2bRoute, Notification};
/// let n = parse_notification(
///     br#"{"TransID":"RKTQDM7W6S","TransAmount":"10","BusinessShortCode":"600638"}"#,
///     C2bRoute::Confirmation,
/// )?;
/// assert!(matches!(n, Notification::C2bConfirmation(p) if p.trans_id == "RKTQDM7W6S"));
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
pub fn parse_notification(body: &[u8], route: C2bRoute) -> Result<Notification, Error> {
    let v = crate::wire::callback_json("M-Pesa notification", body)?;
    if v.pointer("/Body/stkCallback").is_some() {
        read_stk_callback(&v, body).map(Notification::Stk)
    } else if v.get("TransID").is_some() {
        let payment = read_c2b(&v, body)?;
        Ok(match route {
            C2bRoute::Validation => Notification::C2bValidation(payment),
            C2bRoute::Confirmation => Notification::C2bConfirmation(payment),
        })
    } else if v.get("Result").is_some() || v.get("ResultCode").is_some() {
        read_result(&v, body).map(Notification::Result)
    } else {
        Err(Error::decode(
            "M-Pesa notification",
            "neither an STK callback (`Body.stkCallback`), a C2B request (`TransID`) nor a `Result`",
            body,
            None,
        ))
    }
}
