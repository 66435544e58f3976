//! The facade's mapping onto AzamPay, with its public-key cache.

use super::accepted::{retry_503, AcceptedCallback, Confirmation};
use super::dedupe::DedupeKey;
use super::event::{Claims, Expected, Facts};
use super::payment::{Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::azampay::{
    self, default_verifier, AzampayConfig, GetPublicKey, KeyDecision, KeyFormat, MnoCheckout,
    PublicKeyCache, RefetchDecision, TransactionStatus, Verdict, Verifier,
};
use crate::driver::{Driver, Transport};
use crate::{Error, PaymentStatus, Provider};
use std::sync::{Arc, Mutex};

const P: Provider = Provider::Azampay;

type SharedVerifier = Arc<dyn Verifier + Send + Sync>;

/// AzamPay's driver plus the public key callbacks are verified with.
pub(super) struct Backend<T: Transport> {
    pub(super) driver: Driver<AzampayConfig, T>,
    keys: Mutex<PublicKeyCache<SharedVerifier>>,
    /// Callbacks arriving while a key is being fetched wait for that one fetch.
    flight: crate::single_flight::SingleFlight,
}

impl<T: Transport> Backend<T> {
    pub(super) fn new(driver: Driver<AzampayConfig, T>) -> Result<Self, Error> {
        let keys = match driver.api().pinned_public_key() {
            Some(key) => PublicKeyCache::pinned(SharedVerifier::from(default_verifier(key)?)),
            None => PublicKeyCache::new(),
        };
        Ok(Backend {
            driver,
            keys: Mutex::new(keys),
            flight: crate::single_flight::SingleFlight::new(),
        })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, PublicKeyCache<SharedVerifier>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Fetches the key now and caches it; `None` if the fetch failed.
    async fn fetch(&self) -> Option<SharedVerifier> {
        let fetched = self
            .driver
            .execute(GetPublicKey {
                format: KeyFormat::Pem,
            })
            .await
            .and_then(|key| default_verifier(&key).map(SharedVerifier::from));
        let now = self.driver.transport().now();
        match fetched {
            Ok(verifier) => {
                self.cache().store(Arc::clone(&verifier), now);
                Some(verifier)
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch AzamPay's public key");
                self.cache().fetch_failed(now);
                None
            }
        }
    }

    /// The verdict on a callback and the key that gave it, fetching or
    /// re-fetching the key within the cache's limits; `None` when no key can be
    /// had now.
    async fn verdict(&self, event: &azampay::CallbackEvent) -> Option<(Verdict, SharedVerifier)> {
        let now = self.driver.transport().now();
        // A fresh key is used as it is; else one caller at a time decides (the
        // decision records a fetch, so it is taken only under the flight) and
        // fetches, while the others wait and then find the key fresh.
        let fresh = || self.cache().fresh_key(now).cloned().map(Some);
        let decide_and_fetch = || async {
            let decision = self.cache().decide(now);
            match decision {
                KeyDecision::Use | KeyDecision::Unavailable => self.cache().current().cloned(),
                KeyDecision::Fetch => self.fetch().await,
            }
        };
        let verifier = self.flight.run(fresh, decide_and_fetch).await?;
        let verdict = event.verdict(&*verifier);
        if verdict != Verdict::Invalid {
            return Some((verdict, verifier));
        }
        // The key may have rotated: one re-fetch per interval, then verify again.
        let refetch = self.cache().on_invalid(now);
        if refetch == RefetchDecision::FetchNow {
            if let Some(fresh) = self.flight.run(|| None, || self.fetch()).await {
                return Some((event.verdict(&*fresh), fresh));
            }
        }
        Some((verdict, verifier))
    }
}

pub(super) async fn pay<T: Transport>(
    b: &Backend<T>,
    payment: &Payment,
) -> Result<PaymentStarted, Error> {
    let phone = Payment::require(P, "phone", payment.customer.phone.as_deref())?;
    let operator = *Payment::require(P, "operator", payment.operator.as_ref())?;
    let checkout = MnoCheckout::new(payment.reference.as_str(), payment.amount, phone, operator)?;
    let accepted = b.driver.execute(checkout).await?;
    Ok(PaymentStarted {
        provider: P,
        reference: payment.reference.to_string(),
        provider_reference: accepted.transaction_id,
        redirect_url: None,
        status: PaymentStatus::Pending,
        operator: Some(operator),
    })
}

pub(super) async fn status<T: Transport>(
    b: &Backend<T>,
    query: &StatusQuery,
) -> Result<StatusReport, Error> {
    let operator = query.operator.ok_or_else(|| {
        Error::invalid(
            "operator",
            "AzamPay's status query needs the mobile operator: pass the PaymentStarted from pay(), or StatusQuery::new(id).operator(..)",
        )
    })?;
    let s = b
        .driver
        .execute(TransactionStatus::new(&query.reference, operator)?)
        .await?;
    Ok(StatusReport {
        provider: P,
        reference: None,
        provider_reference: Some(query.reference.clone()),
        status: s.status,
        amount: None,
        raw_status: Some(s.raw),
    })
}

/// What the callback says, unverified.
fn claims_of(callback: &azampay::CallbackEvent) -> Claims {
    Claims {
        kind: "collection callback".to_owned(),
        reference: callback.utility_ref.clone(),
        provider_reference: callback
            .transid
            .clone()
            .or_else(|| callback.reference.clone()),
        status: Some(claimed_status(callback)),
        amount: callback.amount_tzs(),
    }
}

pub(super) async fn accept<T: Transport>(
    b: &Backend<T>,
    request: &http::Request<Vec<u8>>,
    arrival: u64,
) -> Result<AcceptedCallback, Error> {
    let callback = azampay::parse_callback(request.body())?;
    let claims = claims_of(&callback);
    let verdict = b.verdict(&callback).await;
    let confirmation = match verdict {
        Some((Verdict::Invalid, _)) => {
            return Err(Error::Signature {
                provider: P,
                reason: "the callback's signature does not verify with AzamPay's public key".into(),
            })
        }
        // Signed, but no key can be had now: never fall back to the unsigned
        // path; the provider retries later.
        None if callback.carries_signature() => {
            return Err(Error::NotConfirmed {
                provider: P,
                reason: "the callback is signed but AzamPay's public key could not be fetched"
                    .into(),
            })
        }
        Some((Verdict::Valid, verifier)) => {
            let verified = callback
                .clone()
                .check(&*verifier)
                .apply(azampay::CallbackPolicy::RequireSignature)?
                .ok_or_else(|| Error::Signature {
                    provider: P,
                    reason: "the signature stopped verifying".into(),
                })?;
            Confirmation::AzampaySigned {
                key: verified.dedupe_key(),
                status: verified.status(),
                utility_ref: callback.utility_ref.clone(),
                external_reference: callback.external_reference.clone(),
            }
        }
        Some((Verdict::Unsigned, _)) | None => Confirmation::AzampayQuery {
            query: callback.status_query()?,
            transid: claims.provider_reference.clone().unwrap_or_default(),
        },
    };
    Ok(AcceptedCallback {
        provider: P,
        claims,
        arrival,
        confirmation,
        received: azampay::callback_ack(),
        retry: retry_503(),
    })
}

/// The facts of a signed callback: its status; and, when your order gives both
/// references and the callback's split of the unseparated signed text is exactly
/// yours, the references too. The amount is not signed.
pub(super) fn signed_facts(
    status: PaymentStatus,
    utility_ref: Option<&str>,
    external_reference: Option<&str>,
    expected: Option<&Expected>,
) -> Facts {
    let mut facts = Facts::status(status);
    if let Some(order) = expected {
        if let Some(id) = order.provider_id() {
            if utility_ref == Some(order.reference()) && external_reference == Some(id) {
                facts.reference = Some(order.reference().to_owned());
                facts.provider_reference = Some(id.to_owned());
            }
        }
    }
    facts
}

/// The key of a callback confirmed by the status query: transaction id and the
/// confirmed status.
pub(super) fn query_key(transid: &str, status: &PaymentStatus) -> DedupeKey {
    DedupeKey::new(P, &["query", transid, status.as_str()])
}

pub(super) async fn query<T: Transport>(
    b: &Backend<T>,
    query: &TransactionStatus,
) -> Result<PaymentStatus, Error> {
    Ok(b.driver.execute(query.clone()).await?.status)
}

/// What a callback claims, mapped (unverified).
fn claimed_status(callback: &azampay::CallbackEvent) -> PaymentStatus {
    match callback.claimed_outcome() {
        azampay::ClaimedOutcome::Success => PaymentStatus::Completed,
        azampay::ClaimedOutcome::Failure => PaymentStatus::Failed,
        azampay::ClaimedOutcome::Other(word) => PaymentStatus::Unknown(word),
        azampay::ClaimedOutcome::Missing => PaymentStatus::Unknown(String::new()),
    }
}
