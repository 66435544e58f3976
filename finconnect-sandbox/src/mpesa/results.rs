//! The asynchronous family: B2C v3, transaction status, account balance and reversal. Each
//! checks the initiator's `SecurityCredential`, answers with an acknowledgement, then POSTs
//! its `Result` to the `ResultURL` once (codes as strings, Daraja's spellings kept).

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use hyper::Method;
use serde_json::{Map, Value};

use super::security::{self, Credential};
use super::store::{Kind, Transaction};
use super::wire;
use crate::credentials::MPESA_SHORTCODE;
use crate::delivery::{self, Ack, Notification};
use crate::http::{Reply, Req};
use crate::json::{ojson, Json};
use crate::route::ProviderName;
use crate::state::{lock, State};

/// The URLs and ids a request's result needs.
struct Pending {
    result_url: url::Url,
    originator: String,
    conversation: String,
}

/// Reads `ResultURL`, `QueueTimeOutURL` and `Remarks` (2 to 100 characters).
fn common(body: &Map<String, Value>) -> Result<url::Url, Reply> {
    let result = wire::required(body, "ResultURL")
        .as_deref()
        .and_then(wire::callback_url)
        .ok_or_else(|| wire::invalid("ResultURL"))?;
    wire::required(body, "QueueTimeOutURL")
        .as_deref()
        .and_then(wire::callback_url)
        .ok_or_else(|| wire::invalid("QueueTimeOutURL"))?;
    let remarks = wire::required(body, "Remarks").unwrap_or_default();
    if !(2..=100).contains(&remarks.chars().count()) {
        return Err(wire::invalid("Remarks"));
    }
    Ok(result)
}

/// Checks the credential of `name_key`'s initiator: malformed is refused now, wrong is a
/// `2001` result later.
async fn credential(body: &Map<String, Value>, name_key: &str) -> Result<bool, Reply> {
    let name = wire::required(body, name_key).ok_or_else(|| wire::invalid(name_key))?;
    let credential = wire::required(body, "SecurityCredential")
        .ok_or_else(|| wire::invalid("SecurityCredential"))?;
    match security::check(name, credential).await {
        Credential::Malformed => Err(wire::invalid("SecurityCredential")),
        Credential::Wrong => Ok(false),
        Credential::Valid => Ok(true),
    }
}

/// What every initiator request shares: its URLs and remarks ([`common`]), the
/// initiator's credential ([`credential`]) and the ids of its result (`originator`
/// when the caller gave one, as B2C does). `Ok((pending, credential valid))`, or the
/// refusal.
async fn admit(
    body: &Map<String, Value>,
    name_key: &str,
    originator: Option<String>,
) -> Result<(Pending, bool), Reply> {
    let result_url = common(body)?;
    let valid = credential(body, name_key).await?;
    let pending = Pending {
        result_url,
        originator: originator.unwrap_or_else(wire::originator_id),
        conversation: wire::conversation_id(),
    };
    Ok((pending, valid))
}

fn accepted(p: &Pending) -> Reply {
    Reply::json(
        200,
        &ojson!({
            "OriginatorConversationID": p.originator,
            "ConversationID": p.conversation,
            "ResponseCode": "0",
            "ResponseDescription": "Accept the service request successfully."
        }),
    )
}

/// A `Result` envelope; `parameters` empty leaves `ResultParameters` out (as failures do).
fn result(
    p: &Pending,
    code: &str,
    description: &str,
    transaction_id: &str,
    parameters: Vec<Json>,
    reference: Json,
) -> Json {
    let mut r = ojson!({
        "ResultType": "0",
        "ResultCode": code,
        "ResultDesc": description,
        "OriginatorConversationID": p.originator,
        "ConversationID": p.conversation,
        "TransactionID": transaction_id
    });
    if !parameters.is_empty() {
        r.set("ResultParameters", ojson!({"ResultParameter": parameters}));
    }
    r.set("ReferenceData", ojson!({"ReferenceItem": reference}));
    ojson!({"Result": r})
}

fn item(key: &str, value: impl crate::json::ToJson) -> Json {
    ojson!({"Key": key, "Value": value})
}

fn queue_item(kind: &str) -> Json {
    item(
        "QueueTimeoutURL",
        format!("https://internalsandbox.safaricom.co.ke/mpesa/{kind}/v1/submit"),
    )
}

const INVALID_INITIATOR: &str = "The initiator information is invalid.";
const PROCESSED: &str = "The service request is processed successfully.";

/// Sends the result once, after the acknowledgement has gone out.
fn post_later(state: &Arc<State>, p: Pending, body: Json) {
    let state = Arc::clone(state);
    tokio::spawn(async move {
        delivery::deliver_once(
            &state,
            Notification {
                provider: ProviderName::Mpesa,
                reference: p.originator,
                url: p.result_url,
                method: Method::POST,
                body: Some(Bytes::from(body.to_text())),
                ack: Ack::Any2xx,
            },
        )
        .await;
    });
}

fn object(req: &Req) -> Result<Map<String, Value>, Reply> {
    req.json_object().ok_or_else(wire::invalid_payload)
}

/// `POST /mpesa/b2c/v3/paymentrequest`. A repeated `OriginatorConversationID` is refused
/// with HTTP 500 `500.002.1001 Duplicate OriginatorConversationID.`.
pub(crate) async fn b2c(state: &Arc<State>, req: &Req) -> Reply {
    let body = match object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(originator) = wire::required(&body, "OriginatorConversationID") else {
        return wire::invalid("OriginatorConversationID");
    };
    let command = wire::required(&body, "CommandID").unwrap_or_default();
    if !matches!(
        command.as_str(),
        "BusinessPayment" | "SalaryPayment" | "PromotionPayment"
    ) {
        return wire::invalid("CommandID");
    }
    let Some(amount) = wire::whole_shillings(body.get("Amount"), 10, 250_000) else {
        return wire::invalid("Amount");
    };
    if wire::required(&body, "PartyA").as_deref() != Some(MPESA_SHORTCODE) {
        return wire::invalid("PartyA");
    }
    let party_b = wire::required(&body, "PartyB").unwrap_or_default();
    if !wire::msisdn_ok(&party_b) {
        return wire::invalid("PartyB");
    }
    let (p, valid) = match admit(&body, "InitiatorName", Some(originator.clone())).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let now = SystemTime::now();
    let outcome = {
        let mut store = lock(&state.mpesa);
        if !store.b2c_ids.insert(originator.clone()) {
            return wire::error(500, "500.002.1001", "Duplicate OriginatorConversationID.");
        }
        if !valid {
            Err(("2001", INVALID_INITIATOR))
        } else if store.utility_cents < amount as i64 * 100 {
            Err(("1", "The balance is insufficient for the transaction."))
        } else {
            store.utility_cents -= amount as i64 * 100;
            let receipt = wire::receipt();
            store.transactions.push(Transaction {
                kind: Kind::B2c,
                receipt: receipt.clone(),
                amount,
                msisdn: party_b.clone(),
                originator_conversation_id: originator.clone(),
                conversation_id: p.conversation.clone(),
                at: now,
                reversed: false,
            });
            Ok((receipt, store.utility_cents))
        }
    };
    state.count_order(ProviderName::Mpesa);
    let reply = accepted(&p);
    let body = match outcome {
        Ok((receipt, utility)) => result(
            &p,
            "0",
            PROCESSED,
            &receipt,
            vec![
                item("TransactionAmount", amount),
                item("TransactionReceipt", receipt.as_str()),
                item("ReceiverPartyPublicName", format!("{party_b} - JOHN DOE")),
                item("TransactionCompletedDateTime", wire::dotted_time(now)),
                item("B2CUtilityAccountAvailableFunds", utility as f64 / 100.0),
                item("B2CWorkingAccountAvailableFunds", 700_000.0),
                item("B2CRecipientIsRegisteredCustomer", "Y"),
                item("B2CChargesPaidAccountAvailableFunds", 0.0),
            ],
            queue_item("b2cresults"),
        ),
        Err((code, description)) => result(
            &p,
            code,
            description,
            &wire::receipt(),
            Vec::new(),
            queue_item("b2cresults"),
        ),
    };
    post_later(state, p, body);
    reply
}

/// `POST /mpesa/transactionstatus/v1/query`: by `TransactionID` (a receipt), or by
/// `OriginalConversationID` / `OriginatorConversationID` (both are read).
pub(crate) async fn transaction_status(state: &Arc<State>, req: &Req) -> Reply {
    let body = match object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if wire::required(&body, "CommandID").as_deref() != Some("TransactionStatusQuery") {
        return wire::invalid("CommandID");
    }
    let Some(key) = wire::required(&body, "TransactionID")
        .or_else(|| wire::required(&body, "OriginalConversationID"))
        .or_else(|| wire::required(&body, "OriginatorConversationID"))
    else {
        return wire::invalid("TransactionID");
    };
    if !wire::required(&body, "PartyA").is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return wire::invalid("PartyA");
    }
    if !matches!(
        wire::required(&body, "IdentifierType").as_deref(),
        Some("1" | "2" | "4")
    ) {
        return wire::invalid("IdentifierType");
    }
    let (p, valid) = match admit(&body, "Initiator", None).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let occasion = match wire::required(&body, "Occasion") {
        Some(o) => item("Occasion", o),
        None => ojson!({"Key": "Occasion"}),
    };
    let found = lock(&state.mpesa).find_transaction(&key).cloned();
    let placeholder = wire::placeholder_transaction_id();
    let out = match (valid, found) {
        (false, _) => result(
            &p,
            "2001",
            INVALID_INITIATOR,
            &placeholder,
            Vec::new(),
            occasion,
        ),
        (true, None) => result(
            &p,
            "R000002",
            "The transaction could not be found.",
            &placeholder,
            Vec::new(),
            occasion,
        ),
        (true, Some(t)) => {
            let at = wire::timestamp(t.at);
            let (debit, credit, reason) = match t.kind {
                Kind::B2c => (
                    format!("{MPESA_SHORTCODE} - Sandbox Shortcode"),
                    format!("{} - JOHN DOE", t.msisdn),
                    "Business Payment to Customer via API",
                ),
                Kind::Reversal => (
                    format!("{MPESA_SHORTCODE} - Sandbox Shortcode"),
                    format!("{} - JOHN DOE", t.msisdn),
                    "Reversal",
                ),
                Kind::Stk | Kind::C2b => (
                    format!("{} - JOHN DOE", t.msisdn),
                    format!("{MPESA_SHORTCODE} - Sandbox Shortcode"),
                    "Pay Bill Online",
                ),
            };
            let status = if t.reversed { "Reversed" } else { "Completed" };
            result(
                &p,
                "0",
                PROCESSED,
                &placeholder,
                vec![
                    item("DebitPartyName", debit),
                    item("CreditPartyName", credit),
                    item(
                        "OriginatorConversationID",
                        t.originator_conversation_id.as_str(),
                    ),
                    item("InitiatedTime", at.as_str()),
                    item("DebitAccountType", "Utility Account"),
                    item("DebitPartyCharges", ""),
                    ojson!({"Key": "TransactionReason"}),
                    item("ReasonType", reason),
                    item("TransactionStatus", status),
                    item("FinalisedTime", at.as_str()),
                    item("Amount", t.amount.to_string()),
                    item("ConversationID", t.conversation_id.as_str()),
                    item("ReceiptNo", t.receipt.as_str()),
                ],
                occasion,
            )
        }
    };
    let reply = accepted(&p);
    post_later(state, p, out);
    reply
}

/// `POST /mpesa/accountbalance/v1/query`: the shortcode's balances as Daraja's
/// `Name|Currency|…&…` string.
pub(crate) async fn account_balance(state: &Arc<State>, req: &Req) -> Reply {
    let body = match object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if wire::required(&body, "CommandID").as_deref() != Some("AccountBalance") {
        return wire::invalid("CommandID");
    }
    if wire::required(&body, "PartyA").as_deref() != Some(MPESA_SHORTCODE) {
        return wire::invalid("PartyA");
    }
    if wire::required(&body, "IdentifierType").as_deref() != Some("4") {
        return wire::invalid("IdentifierType");
    }
    let (p, valid) = match admit(&body, "Initiator", None).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let placeholder = wire::placeholder_transaction_id();
    let out = if valid {
        let utility = wire::cents_text(lock(&state.mpesa).utility_cents);
        let balances = format!(
            "Working Account|KES|700000.00|700000.00|0.00|0.00&Float Account|KES|0.00|0.00|0.00|0.00&Utility Account|KES|{utility}|{utility}|0.00|0.00&Charges Paid Account|KES|0.00|0.00|0.00|0.00&Organization Settlement Account|KES|0.00|0.00|0.00|0.00"
        );
        result(
            &p,
            "0",
            PROCESSED,
            &placeholder,
            vec![
                item("AccountBalance", balances),
                item("BOCompletedTime", wire::timestamp(SystemTime::now())),
            ],
            queue_item("abresults"),
        )
    } else {
        result(
            &p,
            "2001",
            INVALID_INITIATOR,
            &placeholder,
            Vec::new(),
            queue_item("abresults"),
        )
    };
    let reply = accepted(&p);
    post_later(state, p, out);
    reply
}

/// `POST /mpesa/reversal/v1/request`. Only the misspelled `RecieverIdentifierType` is read:
/// the correct spelling alone is refused, as Daraja refuses it.
pub(crate) async fn reversal(state: &Arc<State>, req: &Req) -> Reply {
    let body = match object(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if wire::required(&body, "CommandID").as_deref() != Some("TransactionReversal") {
        return wire::invalid("CommandID");
    }
    let Some(receipt) = wire::required(&body, "TransactionID") else {
        return wire::invalid("TransactionID");
    };
    let Some(amount) = wire::whole_shillings(body.get("Amount"), 1, u64::MAX / 100) else {
        return wire::invalid("Amount");
    };
    if wire::required(&body, "ReceiverParty").as_deref() != Some(MPESA_SHORTCODE) {
        return wire::invalid("ReceiverParty");
    }
    if !matches!(
        wire::required(&body, "RecieverIdentifierType").as_deref(),
        Some("1" | "2" | "4" | "11")
    ) {
        return wire::invalid("RecieverIdentifierType");
    }
    let (p, valid) = match admit(&body, "Initiator", None).await {
        Ok(admitted) => admitted,
        Err(r) => return r,
    };
    let placeholder = wire::placeholder_transaction_id();
    let now = SystemTime::now();
    let outcome = {
        let mut store = lock(&state.mpesa);
        let reversible = store
            .transaction_mut(&receipt)
            .filter(|t| matches!(t.kind, Kind::Stk | Kind::C2b) && amount <= t.amount)
            .map(|t| {
                let was = t.reversed;
                t.reversed = true;
                (was, t.msisdn.clone())
            });
        match (valid, reversible) {
            (false, _) => Err(("2001", INVALID_INITIATOR)),
            (true, None) => Err(("R000002", "The OriginalTransactionID is invalid.")),
            (true, Some((true, _))) => {
                Err(("R000001", "The transaction has already been reversed."))
            }
            (true, Some((false, msisdn))) => {
                store.utility_cents -= amount as i64 * 100;
                let own = wire::receipt();
                store.transactions.push(Transaction {
                    kind: Kind::Reversal,
                    receipt: own.clone(),
                    amount,
                    msisdn: msisdn.clone(),
                    originator_conversation_id: p.originator.clone(),
                    conversation_id: p.conversation.clone(),
                    at: now,
                    reversed: false,
                });
                Ok((own, msisdn, wire::cents_text(store.utility_cents)))
            }
        }
    };
    let out = match outcome {
        Ok((own, msisdn, utility)) => result(
            &p,
            "0",
            PROCESSED,
            &own,
            vec![
                item(
                    "DebitAccountBalance",
                    format!("Utility Account|KES|{utility}|{utility}|0.00|0.00"),
                ),
                item("Amount", wire::amount_number(amount)),
                item(
                    "TransCompletedTime",
                    wire::timestamp(now).parse::<u64>().unwrap_or_default(),
                ),
                item("OriginalTransactionID", receipt.as_str()),
                item("Charge", 0.0),
                item("CreditPartyPublicName", format!("{msisdn} - JOHN DOE")),
                item(
                    "DebitPartyPublicName",
                    format!("{MPESA_SHORTCODE} - Sandbox Shortcode"),
                ),
            ],
            queue_item("reversalresults"),
        ),
        Err((code, description)) => result(
            &p,
            code,
            description,
            &placeholder,
            Vec::new(),
            queue_item("reversalresults"),
        ),
    };
    let reply = accepted(&p);
    post_later(state, p, out);
    reply
}
