//! Callbacks as the facade reports them (see [`CallbackEvent`]).

use super::dedupe::DedupeKey;
use crate::{Error, Money, PaymentStatus, Provider};

/// How an event's facts were vouched for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// AzamPay's RSA signature verified.
    Signature,
    /// ClickPesa's HMAC checksum verified.
    Checksum,
    /// The provider's own status answer (PesaPal always; unsigned AzamPay and
    /// ClickPesa callbacks; M-Pesa always: the STK query).
    StatusQuery,
}

/// What a callback says, as received: **unverified**. Useful to find your order
/// (to build an [`Expected`]) and for logs; never act on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claims {
    /// The provider's name for the event (`IPNCHANGE`, `PAYMENT RECEIVED`, …).
    pub kind: String,
    /// The merchant reference it names.
    pub reference: Option<String>,
    /// The provider's id it names.
    pub provider_reference: Option<String>,
    /// The status it claims.
    pub status: Option<PaymentStatus>,
    /// The amount it claims.
    pub amount: Option<Money>,
}

/// What the provider vouched for (see [`CallbackEvent`]). A field is
/// `None` when nothing trustworthy states it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facts {
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// Your reference for it.
    pub reference: Option<String>,
    /// The provider's id for it.
    pub provider_reference: Option<String>,
    /// The amount.
    pub amount: Option<Money>,
}

impl Facts {
    pub(crate) fn status(status: PaymentStatus) -> Self {
        Facts {
            status,
            reference: None,
            provider_reference: None,
            amount: None,
        }
    }
}

/// Your own record of the order a callback is about: passed to
/// [`FintechSdk::confirm_callback`](super::FintechSdk::confirm_callback) (or
/// returned by the order lookup of a [`CallbackInbox`](super::CallbackInbox)), it
/// makes the event's facts agree with your order or refuses the event.
///
/// `provider_reference` is the id [`pay`](super::FintechSdk::pay) returned
/// ([`PaymentStarted::provider_reference`](super::PaymentStarted::provider_reference)):
/// AzamPay signs its reference and yours as one unseparated text, and answers
/// status queries by transaction id alone, so only with both can an AzamPay
/// event be bound to your order.
///
/// ```
/// use finconnect::sdk::Expected;
/// use finconnect::{Currency, Money};
///
/// let order = Expected::order("ORDER-1001")
///     .provider_reference("5aae72e0e5974f0e8319394167d7708f")
///     .amount(Money::from_major(60_000, Currency::TZS)?);
/// assert_eq!(order.reference(), "ORDER-1001");
/// # Ok::<(), finconnect::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    reference: String,
    provider_reference: Option<String>,
    amount: Option<Money>,
}

impl Expected {
    /// Your order with this merchant reference.
    pub fn order(reference: impl Into<String>) -> Self {
        Expected {
            reference: reference.into(),
            provider_reference: None,
            amount: None,
        }
    }

    /// The provider's id for the payment (from `pay`).
    pub fn provider_reference(mut self, id: impl Into<String>) -> Self {
        self.provider_reference = Some(id.into());
        self
    }

    /// The amount you asked for.
    pub fn amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// The merchant reference.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The provider's id, if given.
    pub fn provider_id(&self) -> Option<&str> {
        self.provider_reference.as_deref()
    }

    /// The amount, if given.
    pub fn expected_amount(&self) -> Option<Money> {
        self.amount
    }
}

/// A confirmed notification: facts the provider vouched for, the claims it
/// arrived with, and the key to process it once by.
///
/// Callbacks as the facade reports them: what the provider vouched for
/// ([`Facts`]) kept apart from what the callback merely says ([`Claims`]).
///
/// A callback is untrusted input: anyone who knows the URL can POST to it, and
/// none of the providers signs a timestamp. The facade therefore reports a money
/// fact — status, merchant reference, provider reference, amount — as a fact only
/// when the provider vouched for it:
///
/// | provider, callback | how it is vouched | facts |
/// |---|---|---|
/// | PesaPal IPN (never signed) | GetTransactionStatus | status, reference, tracking id, amount — all from the answer |
/// | AzamPay, valid signature | RSA signature over `utilityref‖externalreference‖transactionstatus‖operator` | status; reference and provider reference only once [`Expected`] fixes the split of the unseparated text; never the amount (not signed) |
/// | AzamPay, unsigned | the status query by `transid` | status and the transaction id; reference only through [`Expected`] |
/// | ClickPesa, checksum over the envelope | HMAC checksum | status, kind, reference, id, amount |
/// | ClickPesa, checksum inside `data` | HMAC checksum over `data` | the same, read from `data`; a top-level event name that contradicts `data` is refused |
/// | ClickPesa, unsigned | the payment (or payout) query | status, reference, id, amount — from the answer |
/// | M-Pesa STK callback (never signed) | the STK query by `CheckoutRequestID` | status and `CheckoutRequestID`; never the amount or receipt (the query carries neither: a claimed amount is only checked against your order) |
/// | M-Pesa C2B confirmation, with an [`Expected`] naming its STK push | the STK query of your order's `CheckoutRequestID` | the same as the STK callback (and the same dedupe key) |
/// | M-Pesa C2B confirmation without it, `Result` | none: no event ([`Error::NotConfirmed`](crate::Error::NotConfirmed)) | — |
///
/// A claim that contradicts the status answer (or your order) refuses the event
/// with [`Error::Contradiction`](crate::Error::Contradiction); a missing fact is
/// never filled in from the callback.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackEvent {
    /// Which provider sent it.
    pub provider: Provider,
    /// How the facts were vouched for.
    pub trust: Trust,
    /// What the provider vouched for: act on these.
    pub facts: Facts,
    /// What the callback said (unverified).
    pub claims: Claims,
    /// The order it was checked against and agreed with, when an [`Expected`]
    /// was given and a vouched identifier ties the event to it.
    pub order: Option<Expected>,
    /// Process each key once: built from vouched fields and the confirmed status
    /// (a replay has the same key, a status change a new one); fixed size.
    pub dedupe_key: DedupeKey,
}

/// Bounded quote of a value in a [`Error::Contradiction`].
fn quote(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn contradiction(
    provider: Provider,
    field: &'static str,
    claimed: &str,
    vouched: &str,
    source_name: &'static str,
) -> Error {
    Error::Contradiction {
        provider,
        field,
        claimed: quote(claimed),
        vouched: quote(vouched),
        source_name,
    }
}

/// Refuses claims that the provider's answer contradicts.
pub(crate) fn check_claims(
    provider: Provider,
    claims: &Claims,
    facts: &Facts,
) -> Result<(), Error> {
    let q = "the status query";
    if let (Some(c), Some(v)) = (&claims.reference, &facts.reference) {
        if c != v {
            return Err(contradiction(provider, "reference", c, v, q));
        }
    }
    if let (Some(c), Some(v)) = (&claims.provider_reference, &facts.provider_reference) {
        if c != v {
            return Err(contradiction(provider, "provider reference", c, v, q));
        }
    }
    if let (Some(c), Some(v)) = (claims.amount, facts.amount) {
        if c != v {
            return Err(contradiction(
                provider,
                "amount",
                &c.to_string(),
                &v.to_string(),
                q,
            ));
        }
    }
    Ok(())
}

/// Checks the facts and claims against your order. Returns the order when a
/// vouched identifier ties the event to it; refuses any disagreement.
pub(crate) fn check_expected(
    provider: Provider,
    claims: &Claims,
    facts: &Facts,
    expected: &Expected,
) -> Result<Option<Expected>, Error> {
    let o = "your order";
    let pairs = [
        (
            "reference",
            Some(expected.reference.as_str()),
            facts.reference.as_deref(),
            claims.reference.as_deref(),
        ),
        (
            "provider reference",
            expected.provider_reference.as_deref(),
            facts.provider_reference.as_deref(),
            claims.provider_reference.as_deref(),
        ),
    ];
    let mut bound = false;
    for (field, want, fact, claim) in pairs {
        let Some(want) = want else { continue };
        for got in [fact, claim].into_iter().flatten() {
            if got != want {
                return Err(contradiction(provider, field, got, want, o));
            }
        }
        bound |= fact.is_some();
    }
    if let Some(want) = expected.amount {
        for got in [facts.amount, claims.amount].into_iter().flatten() {
            if got != want {
                return Err(contradiction(
                    provider,
                    "amount",
                    &got.to_string(),
                    &want.to_string(),
                    o,
                ));
            }
        }
    }
    Ok(bound.then(|| expected.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn tzs(n: i64) -> Option<Money> {
        Money::from_major(n, Currency::TZS).ok()
    }

    #[test]
    fn claims_that_contradict_the_answer_are_refused() {
        let facts = Facts {
            reference: Some("A".into()),
            amount: tzs(100),
            ..Facts::status(PaymentStatus::Completed)
        };
        let honest = Claims {
            reference: Some("A".into()),
            amount: tzs(100),
            ..Claims::default()
        };
        assert!(check_claims(Provider::Pesapal, &honest, &facts).is_ok());
        let other_amount = Claims {
            amount: tzs(5_000_000),
            ..honest.clone()
        };
        let e = check_claims(Provider::Pesapal, &other_amount, &facts).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Contradiction {
                    field: "amount",
                    ..
                }
            ),
            "{e}"
        );
        let other_ref = Claims {
            reference: Some("VICTIM".into()),
            ..honest
        };
        assert!(matches!(
            check_claims(Provider::Pesapal, &other_ref, &facts),
            Err(Error::Contradiction {
                field: "reference",
                ..
            })
        ));
    }

    #[test]
    fn an_order_binds_only_through_a_vouched_identifier() -> Result<(), Error> {
        let order = Expected::order("A").provider_reference("T1");
        let by_id = Facts {
            provider_reference: Some("T1".into()),
            ..Facts::status(PaymentStatus::Completed)
        };
        let claims = Claims {
            reference: Some("A".into()),
            ..Claims::default()
        };
        assert_eq!(
            check_expected(Provider::Azampay, &claims, &by_id, &order)?,
            Some(order.clone())
        );
        // Nothing vouched identifies the payment: not bound (but not refused).
        let anonymous = Facts::status(PaymentStatus::Completed);
        assert_eq!(
            check_expected(Provider::Azampay, &claims, &anonymous, &order)?,
            None
        );
        // Another transaction id: refused.
        let other = Facts {
            provider_reference: Some("T2".into()),
            ..Facts::status(PaymentStatus::Completed)
        };
        assert!(check_expected(Provider::Azampay, &claims, &other, &order).is_err());
        Ok(())
    }

    #[test]
    fn quotes_are_bounded_and_cut_on_characters() {
        let long = "€".repeat(1000);
        let q = quote(&long);
        assert_eq!(q.chars().count(), 65);
    }
}
