//! Collection callbacks: a tolerant parser, the documented signature check, and
//! types that only report a payment as completed once the signature is valid.

use super::checkout::MnoProvider;
use super::status::TransactionStatus;
use super::verifier::Verifier;
use crate::{wire, Currency, Error, Money, PaymentStatus, Provider, Secret};
use base64::Engine as _;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// The verdict of the signature check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The `signature` verifies over the four signed fields.
    Valid,
    /// A `signature` is present but does not verify: wrong key or bytes, malformed
    /// or non-strict base64, an empty string, or not a string at all.
    Invalid,
    /// No `signature` key, or `signature: null`.
    Unsigned,
}

/// The `signature` field as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SignatureField {
    Absent,
    Null,
    Text(String),
    /// A number, object, array or boolean: never a signature.
    Malformed,
}

/// What the callback *claims* happened. Untrusted until verified; deliberately not
/// a [`PaymentStatus`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimedOutcome {
    /// `transactionstatus` is `success` (any case).
    Success,
    /// `failure` or `failed` (any case).
    Failure,
    /// Another word.
    Other(String),
    /// No `transactionstatus`.
    Missing,
}

/// A parsed collection callback. Nothing in it is trusted: the payment status is
/// only available from a [`VerifiedCallback`]. `Debug` masks `msisdn` and hides
/// `password`.
#[derive(Clone, PartialEq)]
pub struct CallbackEvent {
    /// `message`.
    pub message: Option<String>,
    /// `user`.
    pub user: Option<String>,
    /// `password` (a callback credential, meaning undocumented).
    pub password: Option<Secret>,
    /// `clientId`.
    pub client_id: Option<String>,
    /// `transactionstatus`, verbatim (signed).
    pub transaction_status: Option<String>,
    /// `operator`, verbatim (signed).
    pub operator: Option<String>,
    /// `reference` (AzamPay's reference; not signed).
    pub reference: Option<String>,
    /// `externalreference`, verbatim (signed).
    pub external_reference: Option<String>,
    /// `utilityref`: your `externalId` from the checkout (signed).
    pub utility_ref: Option<String>,
    /// `amount`, as text (**not signed**: reconcile it with your order).
    pub amount: Option<String>,
    /// `transid`: the checkout's `transactionId` (not signed).
    pub transid: Option<String>,
    /// `msisdn`: the payer (not signed).
    pub msisdn: Option<String>,
    /// `mnoreference`: the operator's reference (not signed).
    pub mno_reference: Option<String>,
    /// `submerchantAcc`, as sent.
    pub sub_merchant_acc: Option<Value>,
    /// `additionalProperties`: what you sent at checkout.
    pub additional_properties: Option<Map<String, Value>>,
    /// Fields finconnect does not know, kept as sent.
    pub extra: Map<String, Value>,
    signature: SignatureField,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Message,
    User,
    Password,
    ClientId,
    TransactionStatus,
    Operator,
    Reference,
    ExternalReference,
    UtilityRef,
    Amount,
    Transid,
    Msisdn,
    MnoReference,
    SubMerchantAcc,
    AdditionalProperties,
    Signature,
}

const FIELDS: [(Field, &str); 16] = [
    (Field::Message, "message"),
    (Field::User, "user"),
    (Field::Password, "password"),
    (Field::ClientId, "clientId"),
    (Field::TransactionStatus, "transactionstatus"),
    (Field::Operator, "operator"),
    (Field::Reference, "reference"),
    (Field::ExternalReference, "externalreference"),
    (Field::UtilityRef, "utilityref"),
    (Field::Amount, "amount"),
    (Field::Transid, "transid"),
    (Field::Msisdn, "msisdn"),
    (Field::MnoReference, "mnoreference"),
    (Field::SubMerchantAcc, "submerchantAcc"),
    (Field::AdditionalProperties, "additionalProperties"),
    (Field::Signature, "signature"),
];

/// Field names compare case-insensitively, ignoring `_` and `-`
/// (`transactionStatus`, `utility_ref`, `UtilityRef` all name `utilityref`).
fn field_of(key: &str) -> Option<Field> {
    let k: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    FIELDS
        .iter()
        .find(|(_, name)| name.eq_ignore_ascii_case(&k))
        .map(|(f, _)| *f)
}

fn field_name(field: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, n)| *n)
        .unwrap_or("?")
}

/// The top-level object's entries in order, duplicates included.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn refuse(reason: impl fmt::Display) -> Error {
    // The body holds a phone number and maybe a callback password: never quote it.
    Error::decode_withheld("AzamPay callback", reason, None)
}

fn string_field(field: Field, value: Value) -> Result<Option<String>, Error> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(refuse(format!(
            "`{}` must be a string or a number",
            field_name(field)
        ))),
    }
}

/// Parses a collection callback body (raw bytes, at most
/// [`wire::MAX_CALLBACK_BODY`]). Field names are matched case-insensitively;
/// numbers are accepted where strings are documented; unknown fields are kept in
/// [`CallbackEvent::extra`]. A known field given twice (in any spelling) is
/// refused, so the signed value and the value you act on cannot differ.
pub fn parse_callback(body: &[u8]) -> Result<CallbackEvent, Error> {
    if body.len() > wire::MAX_CALLBACK_BODY {
        return Err(refuse(format!(
            "{} bytes; at most {} accepted",
            body.len(),
            wire::MAX_CALLBACK_BODY
        )));
    }
    let Entries(entries) = serde_json::from_slice(body).map_err(refuse)?;
    let mut event = CallbackEvent {
        message: None,
        user: None,
        password: None,
        client_id: None,
        transaction_status: None,
        operator: None,
        reference: None,
        external_reference: None,
        utility_ref: None,
        amount: None,
        transid: None,
        msisdn: None,
        mno_reference: None,
        sub_merchant_acc: None,
        additional_properties: None,
        extra: Map::new(),
        signature: SignatureField::Absent,
    };
    let mut seen: Vec<Field> = Vec::new();
    for (key, value) in entries {
        let Some(field) = field_of(&key) else {
            event.extra.insert(key, value);
            continue;
        };
        if seen.contains(&field) {
            return Err(refuse(format!(
                "`{}` appears more than once",
                field_name(field)
            )));
        }
        seen.push(field);
        match field {
            Field::Message => event.message = string_field(field, value)?,
            Field::User => event.user = string_field(field, value)?,
            Field::Password => event.password = string_field(field, value)?.map(Secret::new),
            Field::ClientId => event.client_id = string_field(field, value)?,
            Field::TransactionStatus => event.transaction_status = string_field(field, value)?,
            Field::Operator => event.operator = string_field(field, value)?,
            Field::Reference => event.reference = string_field(field, value)?,
            Field::ExternalReference => event.external_reference = string_field(field, value)?,
            Field::UtilityRef => event.utility_ref = string_field(field, value)?,
            Field::Amount => event.amount = string_field(field, value)?,
            Field::Transid => event.transid = string_field(field, value)?,
            Field::Msisdn => event.msisdn = string_field(field, value)?,
            Field::MnoReference => event.mno_reference = string_field(field, value)?,
            Field::SubMerchantAcc => event.sub_merchant_acc = Some(value).filter(|v| !v.is_null()),
            Field::AdditionalProperties => {
                event.additional_properties = match value {
                    Value::Null => None,
                    Value::Object(m) => Some(m),
                    _ => return Err(refuse("`additionalProperties` must be an object or null")),
                }
            }
            Field::Signature => {
                event.signature = match value {
                    Value::Null => SignatureField::Null,
                    Value::String(s) => SignatureField::Text(s),
                    _ => SignatureField::Malformed,
                }
            }
        }
    }
    Ok(event)
}

impl CallbackEvent {
    /// The signed bytes: UTF-8 of `utilityref + externalreference +
    /// transactionstatus + operator`, no separator, values verbatim, an absent or
    /// null field as the empty string (AzamPay's documented signing rule).
    pub fn signed_message(&self) -> Vec<u8> {
        let mut m = Vec::new();
        for part in [
            &self.utility_ref,
            &self.external_reference,
            &self.transaction_status,
            &self.operator,
        ] {
            m.extend_from_slice(part.as_deref().unwrap_or("").as_bytes());
        }
        m
    }

    /// Whether the body carries a `signature` field other than `null` (even an
    /// empty or malformed one): such a callback must be verified, never treated
    /// as unsigned — with no key at hand, refuse it for now (fail closed).
    pub fn carries_signature(&self) -> bool {
        !matches!(
            self.signature,
            SignatureField::Absent | SignatureField::Null
        )
    }

    /// The `signature` text, when it is a string.
    pub fn signature(&self) -> Option<&str> {
        match &self.signature {
            SignatureField::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Checks the signature as documented: RSASSA-PKCS1-v1_5 with SHA-256 over
    /// [`signed_message`](Self::signed_message), `signature` in strict standard
    /// base64 (padding required, no whitespace or line breaks).
    ///
    /// Policy: no key or `null` ⇒ [`Verdict::Unsigned`]; `""` ⇒
    /// [`Verdict::Invalid`] (a present signature field is a claim, checked strictly
    /// and never downgraded to "unsigned"); there is no two-field fallback.
    pub fn verdict(&self, verifier: &(impl Verifier + ?Sized)) -> Verdict {
        let text = match &self.signature {
            SignatureField::Absent | SignatureField::Null => return Verdict::Unsigned,
            SignatureField::Malformed => return Verdict::Invalid,
            SignatureField::Text(s) => s,
        };
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) else {
            return Verdict::Invalid;
        };
        if sig.is_empty() {
            return Verdict::Invalid;
        }
        if verifier.verify(&self.signed_message(), &sig) {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }

    /// Verifies and sorts the event: only [`Checked::Valid`] holds a
    /// [`VerifiedCallback`], the one type that reports a payment status.
    pub fn check(self, verifier: &(impl Verifier + ?Sized)) -> Checked {
        match self.verdict(verifier) {
            Verdict::Valid => Checked::Valid(VerifiedCallback { event: self }),
            Verdict::Invalid => Checked::Invalid(self),
            Verdict::Unsigned => Checked::Unsigned(self),
        }
    }

    /// What the callback claims (untrusted).
    pub fn claimed_outcome(&self) -> ClaimedOutcome {
        match self.transaction_status.as_deref() {
            None => ClaimedOutcome::Missing,
            Some(s) if s.trim().eq_ignore_ascii_case("success") => ClaimedOutcome::Success,
            Some(s)
                if s.trim().eq_ignore_ascii_case("failure")
                    || s.trim().eq_ignore_ascii_case("failed") =>
            {
                ClaimedOutcome::Failure
            }
            Some(s) => ClaimedOutcome::Other(s.to_owned()),
        }
    }

    /// `amount` as TZS, when it is a readable amount.
    pub fn amount_tzs(&self) -> Option<Money> {
        Money::from_decimal_str(self.amount.as_deref()?, Currency::TZS).ok()
    }

    /// The (unofficial) status query that confirms this callback: by `transid`
    /// and the `operator`.
    pub fn status_query(&self) -> Result<TransactionStatus, Error> {
        let id = self
            .transid
            .as_deref()
            .or(self.reference.as_deref())
            .ok_or_else(|| Error::invalid("transid", "the callback has no transid"))?;
        let operator = self
            .operator
            .as_deref()
            .and_then(MnoProvider::from_name)
            .ok_or_else(|| Error::invalid("operator", "the callback names no known operator"))?;
        TransactionStatus::new(id, operator)
    }

    /// The event as JSON with AzamPay's field names (unknown fields kept; the
    /// password is written as sent). Parsing it again gives an equal event.
    pub fn to_json(&self) -> Value {
        let mut m = self.extra.clone();
        let mut put = |name: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(name.to_owned(), v);
            }
        };
        let s = |v: &Option<String>| v.clone().map(Value::String);
        put("message", s(&self.message));
        put("user", s(&self.user));
        put(
            "password",
            self.password
                .as_ref()
                .map(|p| Value::String(p.expose().to_owned())),
        );
        put("clientId", s(&self.client_id));
        put("transactionstatus", s(&self.transaction_status));
        put("operator", s(&self.operator));
        put("reference", s(&self.reference));
        put("externalreference", s(&self.external_reference));
        put("utilityref", s(&self.utility_ref));
        put("amount", s(&self.amount));
        put("transid", s(&self.transid));
        put("msisdn", s(&self.msisdn));
        put("mnoreference", s(&self.mno_reference));
        put("submerchantAcc", self.sub_merchant_acc.clone());
        put(
            "additionalProperties",
            self.additional_properties.clone().map(Value::Object),
        );
        put(
            "signature",
            match &self.signature {
                SignatureField::Absent => None,
                SignatureField::Null => Some(Value::Null),
                SignatureField::Text(t) => Some(Value::String(t.clone())),
                SignatureField::Malformed => Some(Value::Bool(false)),
            },
        );
        Value::Object(m)
    }
}

impl fmt::Debug for CallbackEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackEvent")
            .field("utility_ref", &self.utility_ref)
            .field("external_reference", &self.external_reference)
            .field("transaction_status", &self.transaction_status)
            .field("operator", &self.operator)
            .field("reference", &self.reference)
            .field("transid", &self.transid)
            .field("amount", &self.amount)
            .field("msisdn", &self.msisdn.as_deref().map(mask))
            .field("mno_reference", &self.mno_reference)
            .field("message", &self.message)
            .field("password", &self.password)
            .field("signed", &matches!(self.signature, SignatureField::Text(_)))
            .field("extra_fields", &self.extra.len())
            .finish_non_exhaustive()
    }
}

fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 4 || i + 3 >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A callback whose signature verified. The only type that reports a
/// [`PaymentStatus`]. Still reconcile `utilityref` and `amount` with your order
/// ([`VerifiedCallback::reconcile`]): `amount` is not signed, and the unseparated
/// signed text does not bind field boundaries.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedCallback {
    event: CallbackEvent,
}

impl VerifiedCallback {
    /// `success` ⇒ Completed, `failure`/`failed` ⇒ Failed (any case), anything
    /// else ⇒ Unknown (confirm with the status query).
    pub fn status(&self) -> PaymentStatus {
        match self.event.claimed_outcome() {
            ClaimedOutcome::Success => PaymentStatus::Completed,
            ClaimedOutcome::Failure => PaymentStatus::Failed,
            ClaimedOutcome::Other(s) => PaymentStatus::Unknown(s),
            ClaimedOutcome::Missing => PaymentStatus::Unknown(String::new()),
        }
    }

    /// The event.
    pub fn event(&self) -> &CallbackEvent {
        &self.event
    }

    /// The key to process it once by: the signed text and the status. Nothing
    /// time-bound is signed, so a genuine callback can be replayed; fields that
    /// are not signed (`transid`, `amount`) are left out, so editing them — or
    /// re-splitting the unseparated signed text — gives no new key.
    pub fn dedupe_key(&self) -> crate::DedupeKey {
        crate::DedupeKey::new(
            Provider::Azampay,
            &[
                "signed",
                &String::from_utf8_lossy(&self.event.signed_message()),
                self.status().as_str(),
            ],
        )
    }

    /// The event, giving up the verified status.
    pub fn into_event(self) -> CallbackEvent {
        self.event
    }

    /// Checks `utilityref` equals your order's reference and `amount` its amount.
    pub fn reconcile(&self, expected_reference: &str, expected_amount: Money) -> Result<(), Error> {
        if self.event.utility_ref.as_deref() != Some(expected_reference) {
            return Err(Error::Signature {
                provider: Provider::Azampay,
                reason: "the callback's utilityref is not this order's reference".to_owned(),
            });
        }
        match self.event.amount.as_deref() {
            Some(a)
                if Money::from_decimal_str(a, expected_amount.currency()).ok()
                    == Some(expected_amount) =>
            {
                Ok(())
            }
            _ => Err(Error::Signature {
                provider: Provider::Azampay,
                reason: format!(
                    "the callback's amount (not signed) is not the order's {expected_amount}"
                ),
            }),
        }
    }
}

/// A callback after the signature check.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    /// The signature verified.
    Valid(VerifiedCallback),
    /// A signature was present and did not verify. Do not act on the body; if the
    /// key may have rotated, ask [`PublicKeyCache::on_invalid`](super::PublicKeyCache::on_invalid).
    Invalid(CallbackEvent),
    /// No signature (what every logged real callback looks like). Treat it as a
    /// trigger: confirm with [`CallbackEvent::status_query`].
    Unsigned(CallbackEvent),
}

impl Checked {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        match self {
            Checked::Valid(_) => Verdict::Valid,
            Checked::Invalid(_) => Verdict::Invalid,
            Checked::Unsigned(_) => Verdict::Unsigned,
        }
    }

    /// The event, whatever the verdict (untrusted).
    pub fn event(&self) -> &CallbackEvent {
        match self {
            Checked::Valid(v) => v.event(),
            Checked::Invalid(e) | Checked::Unsigned(e) => e,
        }
    }

    /// Applies a policy: `Ok(Some(v))` to act on, `Ok(None)` to confirm by status
    /// query first, `Err` to reject (reply non-200 or ignore).
    pub fn apply(self, policy: CallbackPolicy) -> Result<Option<VerifiedCallback>, Error> {
        match (self, policy) {
            (Checked::Valid(_), CallbackPolicy::TriggerOnly) => Ok(None),
            (Checked::Valid(v), _) => Ok(Some(v)),
            (Checked::Invalid(_), CallbackPolicy::RequireSignature) => Err(Error::Signature {
                provider: Provider::Azampay,
                reason: "the signature does not verify (forged, altered, or the key rotated)"
                    .to_owned(),
            }),
            (Checked::Unsigned(_), CallbackPolicy::RequireSignature) => Err(Error::Signature {
                provider: Provider::Azampay,
                reason: "the callback is not signed".to_owned(),
            }),
            (_, _) => Ok(None),
        }
    }
}

/// What to do with callbacks by verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CallbackPolicy {
    /// Valid ⇒ act on it; Unsigned or Invalid ⇒ only a trigger: confirm by status
    /// query (an Invalid one may be forged, or signed with a rotated key). The
    /// default, because no real signed callback has been observed yet.
    #[default]
    ConfirmUnverified,
    /// Valid ⇒ act on it; Unsigned or Invalid ⇒ reject.
    RequireSignature,
    /// Never act on the body, even when Valid: always confirm by status query.
    TriggerOnly,
}

/// The reply AzamPay expects to an accepted callback: HTTP 200 with `{}`.
pub fn callback_ack() -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(b"{}".to_vec());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
