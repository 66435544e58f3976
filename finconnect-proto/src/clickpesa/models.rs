//! What ClickPesa answers, as plain Rust values. Amounts stay decimal text
//! exactly as sent (ClickPesa mixes `"1047.10"` strings and `1047.1` numbers);
//! [`to_money`] turns one into [`Money`].

use super::wire::{payment_status, payout_status, text};
use crate::{Currency, Error, Money, PaymentStatus};
use serde::Deserialize;

/// Reads an amount given as decimal text in a currency given by its code.
pub fn to_money(amount: &str, currency: &str) -> Result<Money, Error> {
    Money::from_decimal_str(amount, Currency::from_code(currency)?)
}

/// A payment method listed by a preview.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentMethod {
    /// `M-PESA`, `TIGO-PESA`, `AIRTEL-MONEY`, `CARD`, …
    #[serde(default)]
    pub name: String,
    /// `AVAILABLE` or `UNAVAILABLE`.
    #[serde(default)]
    pub status: String,
    /// The fee (ClickPesa says in the smallest currency unit; unclear for TZS).
    #[serde(default, deserialize_with = "text")]
    pub fee: Option<String>,
    /// ClickPesa's note.
    #[serde(default)]
    pub message: Option<String>,
}

impl PaymentMethod {
    /// Whether the method can be used now.
    pub fn is_available(&self) -> bool {
        self.status.eq_ignore_ascii_case("AVAILABLE")
    }
}

/// The payer's wallet, when a USSD preview asked for `fetchSenderDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SenderDetails {
    /// The name on the wallet.
    #[serde(default)]
    pub account_name: Option<String>,
    /// The wallet number.
    #[serde(default)]
    pub account_number: Option<String>,
    /// The wallet provider, e.g. `TIGO-PESA`.
    #[serde(default)]
    pub account_provider: Option<String>,
}

/// The answer to a USSD-push or card preview: which methods can be used.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentPreview {
    /// The methods and their fees.
    #[serde(default)]
    pub active_methods: Vec<PaymentMethod>,
    /// The payer's wallet (USSD with `fetchSenderDetails` only).
    #[serde(default)]
    pub sender: Option<SenderDetails>,
}

/// The payer as ClickPesa knows them (new `customerName`… keys or the older
/// `name`/`email`/`phone`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// The name.
    #[serde(default, alias = "customerName")]
    pub name: Option<String>,
    /// The e-mail address.
    #[serde(default, alias = "customerEmail")]
    pub email: Option<String>,
    /// The phone number.
    #[serde(default, alias = "customerPhoneNumber", alias = "customerPhone")]
    pub phone: Option<String>,
}

/// One payment attempt (initiate answer, status query, list, webhook).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Payment {
    /// ClickPesa's id (`paymentId` in the oldest webhook shape).
    #[serde(default, alias = "paymentId")]
    pub id: Option<String>,
    /// The status word as sent (`SUCCESS`, `PROCESSING`, …); see [`Payment::status`].
    #[serde(default, rename = "status")]
    pub status_text: Option<String>,
    /// The merchant's order reference.
    #[serde(default)]
    pub order_reference: Option<String>,
    /// The payment network's reference.
    #[serde(default)]
    pub payment_reference: Option<String>,
    /// The number that paid (USSD and BillPay payments).
    #[serde(default)]
    pub payment_phone_number: Option<String>,
    /// The amount collected, as decimal text (`collectedAmount`, or `amount`).
    #[serde(default, alias = "amount", deserialize_with = "text")]
    pub collected_amount: Option<String>,
    /// Its currency (`collectedCurrency`, or `currency`).
    #[serde(default, alias = "currency")]
    pub collected_currency: Option<String>,
    /// ClickPesa's message (e.g. a failure reason).
    #[serde(default)]
    pub message: Option<String>,
    /// The channel (`TIGO-PESA`, `CARD`, …).
    #[serde(default)]
    pub channel: Option<String>,
    /// The payer.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// Created at (ISO-8601).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last updated at (ISO-8601).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The application's client id.
    #[serde(default)]
    pub client_id: Option<String>,
}

impl Payment {
    /// The status in finconnect's vocabulary (see [`payment_status`]).
    pub fn status(&self) -> PaymentStatus {
        payment_status(self.status_text.as_deref().unwrap_or(""))
    }

    /// The collected amount as [`Money`], when amount and currency are readable.
    pub fn amount(&self) -> Option<Money> {
        to_money(
            self.collected_amount.as_deref()?,
            self.collected_currency.as_deref()?,
        )
        .ok()
    }
}

/// Every attempt for one order reference (`GET /payments/{ref}` answers a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentAttempts {
    /// The attempts as ClickPesa listed them.
    pub attempts: Vec<Payment>,
}

/// How far an attempt got: paid beats reversed beats pending beats failed.
fn rank(status: &PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Completed => 4,
        PaymentStatus::Reversed => 3,
        PaymentStatus::Pending | PaymentStatus::Unknown(_) => 2,
        _ => 1,
    }
}

/// Index of the most advanced attempt, the most recent one among equals.
fn pick<T>(
    items: &[T],
    status: impl Fn(&T) -> PaymentStatus,
    stamps: impl Fn(&T) -> (Option<&str>, Option<&str>),
) -> Option<usize> {
    let key = |i: usize| {
        let item = &items[i];
        let (updated, created) = stamps(item);
        let time = |s: Option<&str>| s.and_then(crate::wire::parse_rfc3339);
        (rank(&status(item)), time(updated), time(created), i)
    };
    (0..items.len()).max_by_key(|&i| key(i))
}

impl PaymentAttempts {
    /// The attempt that decides the order: a paid one if any, else the most
    /// advanced, the most recent among equals (by `updatedAt`, `createdAt`, then
    /// list position).
    pub fn current(&self) -> Option<&Payment> {
        pick(&self.attempts, Payment::status, |p| {
            (p.updated_at.as_deref(), p.created_at.as_deref())
        })
        .and_then(|i| self.attempts.get(i))
    }

    /// The order's status; [`PaymentStatus::Unknown`] when the list is empty.
    pub fn status(&self) -> PaymentStatus {
        self.current()
            .map(Payment::status)
            .unwrap_or_else(|| PaymentStatus::Unknown("no payment attempts".to_owned()))
    }
}

/// One page of `GET /payments/all`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentPage {
    /// The payments on this page.
    #[serde(default)]
    pub data: Vec<Payment>,
    /// How many match the filters in all.
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// One page of `GET /payouts/all`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutPage {
    /// The payouts on this page.
    #[serde(default)]
    pub data: Vec<Payout>,
    /// How many match the filters in all.
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// A link the payer (card) or customer (checkout) is sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentLink {
    /// The URL.
    pub url: String,
    /// The application's client id, when echoed.
    pub client_id: Option<String>,
}

/// The order part of a payout answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutOrder {
    /// The amount the recipient gets.
    #[serde(default, deserialize_with = "text")]
    pub amount: Option<String>,
    /// Its currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// The order reference (previews).
    #[serde(default)]
    pub id: Option<String>,
}

/// The recipient of a payout.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Beneficiary {
    /// Wallet or bank account number.
    #[serde(default)]
    pub account_number: Option<String>,
    /// The name on it (absent when the name lookup was unavailable).
    #[serde(default)]
    pub account_name: Option<String>,
    /// The account's currency.
    #[serde(default)]
    pub account_currency: Option<String>,
    /// The amount received.
    #[serde(default, deserialize_with = "text")]
    pub amount: Option<String>,
    /// SWIFT/BIC (bank payouts).
    #[serde(default)]
    pub swift_number: Option<String>,
    /// Routing number (bank payouts).
    #[serde(default)]
    pub routing_number: Option<String>,
    /// The beneficiary's mobile number.
    #[serde(default)]
    pub beneficiary_mobile_number: Option<String>,
    /// The beneficiary's e-mail.
    #[serde(default)]
    pub beneficiary_email: Option<String>,
}

/// The answer to a payout preview.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutPreview {
    /// The total debited, fee included.
    #[serde(default, deserialize_with = "text")]
    pub amount: Option<String>,
    /// The balance before the payout.
    #[serde(default, deserialize_with = "text")]
    pub balance: Option<String>,
    /// The network or bank.
    #[serde(default)]
    pub channel_provider: Option<String>,
    /// The fee.
    #[serde(default, deserialize_with = "text")]
    pub fee: Option<String>,
    /// Whether a currency exchange applies.
    #[serde(default)]
    pub exchanged: Option<bool>,
    /// The order.
    #[serde(default)]
    pub order: Option<PayoutOrder>,
    /// Who pays the fee: `merchant`, `both` or `customer`.
    #[serde(default)]
    pub payout_fee_bearer: Option<String>,
    /// The recipient as resolved.
    #[serde(default)]
    pub receiver: Option<Beneficiary>,
    /// `ACH` or `RTGS` (bank payouts).
    #[serde(default, alias = "settlementType")]
    pub transfer_type: Option<String>,
    /// `RESOLVED` or `UNAVAILABLE` (bank payouts).
    #[serde(default)]
    pub name_lookup_status: Option<String>,
}

/// A payout (create answer, query, webhook).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Payout {
    /// ClickPesa's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The merchant's order reference.
    #[serde(default)]
    pub order_reference: Option<String>,
    /// The total debited, fee included.
    #[serde(default, deserialize_with = "text")]
    pub amount: Option<String>,
    /// Its currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// The fee.
    #[serde(default, deserialize_with = "text")]
    pub fee: Option<String>,
    /// Whether a currency exchange applied.
    #[serde(default)]
    pub exchanged: Option<bool>,
    /// The status word as sent (`AUTHORIZED`, `SUCCESS`, …); see [`Payout::status`].
    #[serde(default, rename = "status")]
    pub status_text: Option<String>,
    /// `MOBILE MONEY` or `BANK TRANSFER`.
    #[serde(default)]
    pub channel: Option<String>,
    /// The network or bank.
    #[serde(default)]
    pub channel_provider: Option<String>,
    /// `ACH` or `RTGS` (older answers say `settlementType`).
    #[serde(default, alias = "settlementType")]
    pub transfer_type: Option<String>,
    /// The merchant's notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// The order.
    #[serde(default)]
    pub order: Option<PayoutOrder>,
    /// The recipient.
    #[serde(default)]
    pub beneficiary: Option<Beneficiary>,
    /// Created at (ISO-8601).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last updated at (ISO-8601).
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The application's client id.
    #[serde(default)]
    pub client_id: Option<String>,
}

impl Payout {
    /// The status in finconnect's vocabulary (see [`payout_status`]).
    pub fn status(&self) -> PaymentStatus {
        payout_status(self.status_text.as_deref().unwrap_or(""))
    }
}

/// Every payout for one order reference (`GET /payouts/{ref}` answers a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutAttempts {
    /// The payouts as ClickPesa listed them.
    pub attempts: Vec<Payout>,
}

impl PayoutAttempts {
    /// The payout that decides the order (same rule as [`PaymentAttempts::current`]).
    pub fn current(&self) -> Option<&Payout> {
        pick(&self.attempts, Payout::status, |p| {
            (p.updated_at.as_deref(), p.created_at.as_deref())
        })
        .and_then(|i| self.attempts.get(i))
    }

    /// The order's payout status; [`PaymentStatus::Unknown`] when the list is empty.
    pub fn status(&self) -> PaymentStatus {
        self.current()
            .map(Payout::status)
            .unwrap_or_else(|| PaymentStatus::Unknown("no payouts".to_owned()))
    }
}

/// A bank payouts can go to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Bank {
    /// The bank's name.
    #[serde(default)]
    pub name: String,
    /// Its BIC, used as `bic` in bank payouts.
    #[serde(default)]
    pub bic: String,
}

/// A balance of the merchant account.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// The currency code.
    #[serde(default)]
    pub currency: String,
    /// The balance as decimal text.
    #[serde(default, deserialize_with = "text")]
    pub balance: Option<String>,
}

/// An exchange rate.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ExchangeRate {
    /// From this currency.
    #[serde(default)]
    pub source: String,
    /// To this currency.
    #[serde(default)]
    pub target: String,
    /// The rate as decimal text.
    #[serde(default, deserialize_with = "text")]
    pub rate: Option<String>,
    /// When it was set (ISO-8601).
    #[serde(default)]
    pub date: Option<String>,
}
