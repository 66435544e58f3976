//! The facade's mapping onto AzamPay, with its public-key cache.

use super::callback::{AcceptedCallback, CallbackEvent, Confirmation, Trust};
use super::payment::{MobileOperator, Payment, PaymentStarted, StatusQuery, StatusReport};
use crate::azampay::{
    self, default_verifier, AzampayConfig, GetPublicKey, KeyDecision, KeyFormat, MnoCheckout,
    MnoProvider, PublicKeyCache, RefetchDecision, TransactionStatus, Verdict, Verifier,
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
    /// Held while a key fetch is in flight, so callbacks arriving meanwhile wait
    /// for that one fetch instead of starting their own (single flight).
    flight: async_lock::Mutex<()>,
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
            flight: async_lock::Mutex::new(()),
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
        let verifier = {
            // Decide and fetch under the flight lock: callbacks arriving while a
            // key is being fetched wait for that one fetch (single flight).
            let _flight = self.flight.lock().await;
            let decision = self.cache().decide(now);
            match decision {
                KeyDecision::Use | KeyDecision::Unavailable => self.cache().current().cloned(),
                KeyDecision::Fetch => self.fetch().await,
            }
        }?;
        let verdict = event.verdict(&*verifier);
        if verdict != Verdict::Invalid {
            return Some((verdict, verifier));
        }
        // The key may have rotated: one re-fetch per interval, then verify again.
        let refetch = self.cache().on_invalid(now);
        if refetch == RefetchDecision::FetchNow {
            let _flight = self.flight.lock().await;
            if let Some(fresh) = self.fetch().await {
                return Some((event.verdict(&*fresh), fresh));
            }
        }
        Some((verdict, verifier))
    }
}

fn provider_of(operator: MobileOperator) -> MnoProvider {
    match operator {
        MobileOperator::Airtel => MnoProvider::Airtel,
        MobileOperator::Tigo => MnoProvider::Tigo,
        MobileOperator::Halopesa => MnoProvider::Halopesa,
        MobileOperator::Azampesa => MnoProvider::Azampesa,
        MobileOperator::Mpesa => MnoProvider::Mpesa,
    }
}

pub(super) async fn pay<T: Transport>(
    b: &Backend<T>,
    payment: &Payment,
) -> Result<PaymentStarted, Error> {
    let phone = Payment::require(P, "phone", payment.customer.phone.as_deref())?;
    let operator = *Payment::require(P, "operator", payment.operator.as_ref())?;
    let checkout = MnoCheckout::new(
        phone,
        payment.amount,
        payment.reference.as_str(),
        provider_of(operator),
    )?;
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
        .execute(TransactionStatus::new(
            &query.reference,
            provider_of(operator),
        )?)
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

pub(super) async fn accept<T: Transport>(
    b: &Backend<T>,
    request: &http::Request<Vec<u8>>,
) -> Result<AcceptedCallback, Error> {
    let callback = azampay::parse_callback(request.body())?;
    let verdict = b.verdict(&callback).await;
    let event = CallbackEvent {
        provider: P,
        kind: "collection callback".to_owned(),
        reference: callback.utility_ref.clone(),
        provider_reference: callback.transid.clone(),
        status: PaymentStatus::Pending,
        amount: callback.amount_tzs(),
        dedupe_key: callback.dedupe_key(),
        trust: Trust::Unverified,
    };
    let (event, confirmation) = match verdict {
        Some((Verdict::Invalid, _)) => {
            return Err(Error::Signature {
                provider: P,
                reason: "the callback's signature does not verify with AzamPay's public key".into(),
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
            let status = verified.status();
            (
                CallbackEvent {
                    status,
                    trust: Trust::Signature,
                    ..event
                },
                Confirmation::None,
            )
        }
        Some((Verdict::Unsigned, _)) | None => {
            let query = callback.status_query()?;
            let claimed = CallbackEvent {
                status: claimed_status(&callback),
                ..event
            };
            (claimed.unverified(), Confirmation::Azampay(query))
        }
    };
    Ok(AcceptedCallback {
        response: azampay::callback_ack(),
        event,
        confirmation,
    })
}

pub(super) async fn confirm<T: Transport>(
    b: &Backend<T>,
    mut event: CallbackEvent,
    query: TransactionStatus,
) -> Result<CallbackEvent, Error> {
    let s = b.driver.execute(query).await?;
    event.status = s.status;
    event.trust = Trust::StatusQuery;
    Ok(event)
}

/// What an unverified callback claims (read as pending if it claims success, by
/// [`CallbackEvent::unverified`]).
fn claimed_status(callback: &azampay::CallbackEvent) -> PaymentStatus {
    match callback.claimed_outcome() {
        azampay::ClaimedOutcome::Success => PaymentStatus::Completed,
        azampay::ClaimedOutcome::Failure => PaymentStatus::Failed,
        azampay::ClaimedOutcome::Other(word) => PaymentStatus::Unknown(word),
        azampay::ClaimedOutcome::Missing => PaymentStatus::Unknown(String::new()),
    }
}
