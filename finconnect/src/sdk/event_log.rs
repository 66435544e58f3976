//! Handing confirmed events to a durable log (see [`EventLog`]).

use super::dedupe::{BoxFuture, StoreError};
use super::event::{CallbackEvent, Trust};
use crate::Money;
use std::time::Duration;

/// The answer to [`EventLog::append_once`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Appended {
    /// The event was new and is now in the log, under this id.
    New(String),
    /// An event with the same dedupe key was appended before (under this id,
    /// when the log still knows it): nothing was written.
    Duplicate(String),
}

/// A durable log of confirmed events, written at most once per dedupe key.
///
/// A [`CallbackInbox`](super::CallbackInbox) built with
/// [`CallbackInbox::for_log`](super::CallbackInbox::for_log) hands each confirmed
/// event to [`EventLog::append_once`] instead of a handler and a
/// [`DedupeStore`](super::DedupeStore): the check "seen before?" and the append
/// are **one atomic step** in the log, so there is no claim to lease, release
/// or lose. The provider hears "received" only after `append_once` returned
/// `Ok` (the event is stored); on `Err` it is asked to retry.
///
/// An implementation must make the append and the record of the key atomic:
/// an event acknowledged to the provider is in the log, and a duplicate never
/// is (while its key is remembered, for at least `retention`).
pub trait EventLog: Send + Sync {
    /// Appends `event` unless an event with its
    /// [`dedupe_key`](CallbackEvent::dedupe_key) was appended before; the key
    /// is remembered for `retention`.
    fn append_once<'a>(
        &'a self,
        event: &'a CallbackEvent,
        retention: Duration,
    ) -> BoxFuture<'a, Result<Appended, StoreError>>;
}

impl Trust {
    /// A word for logs and stored events: `signature`, `checksum` or
    /// `status_query`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Trust::Signature => "signature",
            Trust::Checksum => "checksum",
            Trust::StatusQuery => "status_query",
        }
    }
}

/// The version of the field list written by [`CallbackEvent::fields`].
pub const EVENT_FIELDS_VERSION: &str = "1";

impl CallbackEvent {
    /// The event as a flat list of named text fields: its stable stored form
    /// (what an [`EventLog`] writes, one field per entry). No secret is in it:
    /// only the provider's vouched facts, the callback's claims and the key.
    ///
    /// | field | value | present |
    /// |---|---|---|
    /// | `v` | `1` (this list's version) | always |
    /// | `key` | the dedupe key: provider, `:`, 64 hex digits | always |
    /// | `provider` | `pesapal`, `azampay`, `clickpesa`, `mpesa` | always |
    /// | `trust` | `signature`, `checksum`, `status_query` | always |
    /// | `status` | the vouched status: `pending`, `completed`, `failed`, `reversed`, `cancelled` or the provider's word | always |
    /// | `reference` | the vouched merchant reference | when vouched |
    /// | `provider_reference` | the vouched provider id | when vouched |
    /// | `amount`, `currency` | the vouched amount in **minor units** (integer) and its ISO 4217 code | when vouched |
    /// | `order` | the reference of your order the event was bound to ([`CallbackEvent::order`]) | when bound |
    /// | `claim_kind` | the provider's name for the event (unverified) | always |
    /// | `claim_reference`, `claim_provider_reference`, `claim_status`, `claim_amount`, `claim_currency` | what the callback said (**unverified**) | when said |
    ///
    /// Fields may be added in a later version (readers ignore unknown ones);
    /// none is renamed or changes meaning without a new `v`.
    ///
    /// ```
    /// # fn show(event: &finconnect::sdk::CallbackEvent) {
    /// for (name, value) in event.fields() {
    ///     println!("{name}={value}");
    /// }
    /// # }
    /// ```
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(16);
        out.push(("v", EVENT_FIELDS_VERSION.to_owned()));
        out.push(("key", self.dedupe_key.to_string()));
        out.push(("provider", self.provider.as_str().to_owned()));
        out.push(("trust", self.trust.as_str().to_owned()));
        out.push(("status", self.facts.status.as_str().to_owned()));
        let f = &self.facts;
        if let Some(r) = &f.reference {
            out.push(("reference", r.clone()));
        }
        if let Some(r) = &f.provider_reference {
            out.push(("provider_reference", r.clone()));
        }
        push_money(&mut out, ("amount", "currency"), f.amount);
        if let Some(order) = &self.order {
            out.push(("order", order.reference().to_owned()));
        }
        let c = &self.claims;
        out.push(("claim_kind", c.kind.clone()));
        if let Some(r) = &c.reference {
            out.push(("claim_reference", r.clone()));
        }
        if let Some(r) = &c.provider_reference {
            out.push(("claim_provider_reference", r.clone()));
        }
        if let Some(s) = &c.status {
            out.push(("claim_status", s.as_str().to_owned()));
        }
        push_money(&mut out, ("claim_amount", "claim_currency"), c.amount);
        out
    }
}

fn push_money(
    out: &mut Vec<(&'static str, String)>,
    (amount, currency): (&'static str, &'static str),
    money: Option<Money>,
) {
    if let Some(m) = money {
        out.push((amount, m.minor_units().to_string()));
        out.push((currency, m.currency().code().to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdk::{Claims, Expected, Facts};
    use crate::{Currency, DedupeKey, PaymentStatus, Provider};

    #[test]
    fn fields_are_the_documented_list() {
        let amount = Money::from_minor(100_000, Currency::TZS);
        let event = CallbackEvent {
            provider: Provider::Clickpesa,
            trust: Trust::Checksum,
            facts: Facts {
                reference: Some("ORDER-1".into()),
                provider_reference: Some("CP1".into()),
                amount: Some(amount),
                ..Facts::status(PaymentStatus::Completed)
            },
            claims: Claims {
                kind: "PAYMENT RECEIVED".into(),
                reference: Some("ORDER-1".into()),
                ..Claims::default()
            },
            order: Some(Expected::order("ORDER-1")),
            dedupe_key: DedupeKey::new(Provider::Clickpesa, &["CP1", "completed"]),
        };
        let fields = event.fields();
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("v"), Some("1"));
        assert_eq!(get("key"), Some(event.dedupe_key.to_string().as_str()));
        assert_eq!(get("provider"), Some("clickpesa"));
        assert_eq!(get("trust"), Some("checksum"));
        assert_eq!(get("status"), Some("completed"));
        assert_eq!(
            get("amount"),
            Some(amount.minor_units().to_string().as_str())
        );
        assert_eq!(get("currency"), Some("TZS"));
        assert_eq!(get("order"), Some("ORDER-1"));
        assert_eq!(get("claim_kind"), Some("PAYMENT RECEIVED"));
        assert_eq!(get("claim_reference"), Some("ORDER-1"));
        assert_eq!(get("claim_amount"), None);
    }
}
