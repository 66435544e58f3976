//! `finconnect verify`: checks a captured callback offline (no network).
//!
//! Exit status 0 when it verifies (a PesaPal IPN, an M-Pesa notification: when
//! it parses), 1 when it is rejected (`rejected: …` on stderr) or cannot be
//! judged, e.g. the key is empty, private or unusable (`cannot verify: …`), 2
//! for usage errors (clap's) and for a malformed or unreadable M-Pesa
//! notification (nothing is signed there, so never 1).

use crate::output;
use clap::{ArgGroup, Args, Subcommand};
use finconnect::azampay::{
    self, default_verifier, AzampayPublicKey, CallbackPolicy, Verdict as AzVerdict,
};
use finconnect::clickpesa::{parse_webhook, Verdict as CpVerdict, WebhookEvent};
use finconnect::pesapal::Notification;
use finconnect::Secret;
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

/// `finconnect verify` options.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(subcommand)]
    target: Target,
}

#[derive(Subcommand, Debug)]
enum Target {
    /// Verify an AzamPay collection callback's RSA signature with AzamPay's public key.
    ///
    /// The signature covers utilityref, externalreference, transactionstatus and
    /// operator, concatenated without separator. The amount is NOT signed (nor are
    /// transid, msisdn, reference and mnoreference): check the amount against your
    /// order before acting on it.
    ///
    /// Exit 0 when the signature verifies; 1 when it is invalid or missing, or the
    /// callback or key cannot be read.
    Azampay {
        /// AzamPay's public key (PEM: `BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`, or .NET
        /// XML), not a private key. `finconnect azampay public-key --pem` prints it;
        /// `finconnect sandbox` prints the path of its own.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: PathBuf,
        /// The callback body as received (JSON); `-` reads standard input.
        #[arg(value_name = "CALLBACK_FILE")]
        callback: PathBuf,
        /// Print the normalised event as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Verify a ClickPesa webhook's checksum with the application's checksum key.
    ///
    /// Exit 0 when the checksum matches; 1 when it does not, is missing, or the
    /// webhook cannot be read.
    Clickpesa {
        /// The checksum key (the application's "Encryption" key).
        #[arg(
            long,
            value_name = "KEY",
            env = "CLICKPESA_CHECKSUM_KEY",
            hide_env_values = true
        )]
        checksum_key: String,
        /// The webhook body as received (JSON); `-` reads standard input.
        #[arg(value_name = "WEBHOOK_FILE")]
        webhook: PathBuf,
        /// Print the normalised event as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Parse a PesaPal IPN (GET query or POST body) and show the acknowledgement to send.
    ///
    /// PesaPal IPNs carry no signature: exit 0 means it parses; confirm it with
    /// GetTransactionStatus before trusting it. Exit 1 when it is malformed.
    #[command(group(ArgGroup::new("input").required(true).args(["query", "body"])))]
    PesapalIpn {
        /// The IPN's query string (`OrderTrackingId=…&OrderMerchantReference=…&OrderNotificationType=…`), or the whole URL.
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// A POST IPN's body (JSON or form); `-` reads standard input.
        #[arg(long, value_name = "FILE")]
        body: Option<PathBuf>,
        /// The POST body's Content-Type (default: guessed from the body).
        #[arg(long, value_name = "T", requires = "body", conflicts_with = "query")]
        content_type: Option<String>,
        /// Print the normalised event (and the ack body) as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Parse an M-Pesa (Daraja) notification: STK callback, C2B validation or
    /// confirmation, or a Result.
    ///
    /// Daraja signs nothing: exit 0 means it is well-formed (trust
    /// "unverified": confirm it with the STK query or a transaction-status
    /// query before acting); 2 when it is malformed or unreadable (an amount
    /// that is negative or not exact in KES included). Without --as the kind is
    /// detected from the body; a C2B body is read as a confirmation.
    Mpesa {
        /// The notification's kind (default: detected).
        #[arg(long = "as", value_enum, value_name = "KIND")]
        kind: Option<MpesaKind>,
        /// The notification body as received (JSON); `-` reads standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Print the normalised notification as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The kinds of M-Pesa notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MpesaKind {
    /// An STK (M-Pesa Express) callback.
    Stk,
    /// A C2B validation request.
    C2bValidation,
    /// A C2B confirmation.
    C2bConfirmation,
    /// A Result of B2C, transaction status, account balance or reversal.
    Result,
}

/// Runs `verify`; the process exit code.
pub fn run(args: VerifyArgs) -> i32 {
    let (result, json) = match args.target {
        Target::Azampay {
            public_key,
            callback,
            json,
        } => (azampay_callback(&public_key, &callback), json),
        Target::Clickpesa {
            checksum_key,
            webhook,
            json,
        } => (
            clickpesa_webhook(&Secret::new(checksum_key), &webhook),
            json,
        ),
        Target::PesapalIpn {
            query,
            body,
            content_type,
            json,
        } => (
            pesapal_ipn(query.as_deref(), body.as_deref(), content_type.as_deref()),
            json,
        ),
        Target::Mpesa { kind, file, json } => (crate::verify_mpesa::run(kind, &file), json),
    };
    match result {
        Ok(outcome) => {
            if json {
                output::print_json(&outcome.json);
            } else {
                println!("{}", outcome.headline);
                for (k, v) in &outcome.lines {
                    println!("  {k:<19} {v}");
                }
            }
            0
        }
        Err(problem) => {
            eprintln!("finconnect: {problem}");
            match problem {
                Problem::Malformed(_) => 2,
                _ => 1,
            }
        }
    }
}

/// Why nothing was verified (exit 1).
#[derive(Debug)]
pub(crate) enum Problem {
    /// The callback itself fails: unsigned, tampered, malformed.
    Rejected(String),
    /// The callback could not be judged: the key is missing or unusable.
    CannotVerify(String),
    /// An unsigned notification that is malformed or unreadable (exit 2).
    Malformed(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Rejected(reason) => write!(f, "rejected: {reason}"),
            Problem::CannotVerify(reason) => write!(f, "cannot verify: {reason}"),
            Problem::Malformed(reason) => write!(f, "malformed: {reason}"),
        }
    }
}

impl From<String> for Problem {
    fn from(reason: String) -> Self {
        Problem::Rejected(reason)
    }
}

impl From<&str> for Problem {
    fn from(reason: &str) -> Self {
        Problem::Rejected(reason.to_owned())
    }
}

/// The core's reason without the words the CLI's own prefix already says
/// (`azampay callback rejected:`, `could not read the …:`, `unusable public key:`).
pub(crate) fn reason(e: finconnect::Error) -> String {
    match e {
        finconnect::Error::Signature { reason, .. } => reason
            .strip_prefix("unusable public key: ")
            .map(str::to_owned)
            .unwrap_or(reason),
        finconnect::Error::Decode { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// The fields AzamPay's callback signature covers, in signing order.
const AZAMPAY_SIGNED_FIELDS: [&str; 4] = [
    "utilityref",
    "externalreference",
    "transactionstatus",
    "operator",
];
/// Fields of the callback that no signature covers.
const AZAMPAY_UNSIGNED_FIELDS: [&str; 5] =
    ["amount", "transid", "msisdn", "reference", "mnoreference"];
/// What to do about the unsigned amount.
const AZAMPAY_AMOUNT_NOTE: &str =
    "the amount is not signed: check it against the order before acting on it";

/// A verified (or parsed) callback.
pub(crate) struct Outcome {
    pub(crate) headline: String,
    pub(crate) lines: Vec<(&'static str, String)>,
    pub(crate) json: Value,
}

/// The bytes of `path` (`-`: standard input); an empty input is an error.
pub(crate) fn read_input(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let (bytes, shown) = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("could not read the {what} from standard input: {e}"))?;
        (buf, shown(path))
    } else {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("could not read the {what} file {}: {e}", path.display()))?;
        (bytes, shown(path))
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("empty file: {shown} holds no {what}"));
    }
    Ok(bytes)
}

/// A path as messages show it (`-` is standard input).
fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// AzamPay's public key from `path`, or why it cannot be used.
fn azampay_key(path: &Path) -> Result<AzampayPublicKey, Problem> {
    let unusable = Problem::CannotVerify;
    let pem = read_input(path, "public key").map_err(|r| {
        unusable(format!(
            "{r} (pass AzamPay's public key as PEM; `finconnect azampay public-key --pem` prints it)"
        ))
    })?;
    let shown = shown(path);
    let pem = String::from_utf8(pem).map_err(|_| {
        unusable(format!(
            "{shown} is not text (a PEM or XML public key expected)"
        ))
    })?;
    let upper = pem.to_ascii_uppercase();
    if upper.contains("PRIVATE KEY") || upper.contains("<D>") || upper.contains("<P>") {
        return Err(unusable(format!(
            "{shown}: this is a private key; pass the public key (`openssl pkey -in KEY -pubout` derives it)"
        )));
    }
    let key = AzampayPublicKey::parse(&pem)
        .map_err(|e| unusable(format!("{shown} is not a usable public key: {}", reason(e))))?;
    Ok(key)
}

fn text(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

fn azampay_callback(key_file: &Path, callback_file: &Path) -> Result<Outcome, Problem> {
    let key = azampay_key(key_file)?;
    let verifier = default_verifier(&key).map_err(|e| {
        Problem::CannotVerify(format!(
            "{} is not a usable public key: {}",
            shown(key_file),
            reason(e)
        ))
    })?;
    let body = read_input(callback_file, "callback")?;
    let event = azampay::parse_callback(&body)
        .map_err(|e| format!("not an AzamPay callback: {}", reason(e)))?;
    match event.verdict(&*verifier) {
        AzVerdict::Valid => {}
        AzVerdict::Invalid => {
            return Err(
                "AzamPay callback signature is invalid (does not verify with this public key)"
                    .into(),
            )
        }
        AzVerdict::Unsigned => {
            return Err(
                "AzamPay callback carries no signature (confirm it with the status query instead)"
                    .into(),
            )
        }
    }
    let verified = event
        .check(&*verifier)
        .apply(CallbackPolicy::RequireSignature)
        .map_err(reason)?
        .ok_or("AzamPay callback signature did not verify")?;
    let e = verified.event();
    let amount = e.amount_tzs();
    let status = verified.status();
    let json = json!({
        "provider": "azampay",
        "kind": "collection callback",
        "verdict": "valid",
        "trust": "signature",
        "reference": e.utility_ref,
        "provider_reference": e.transid,
        "external_reference": e.external_reference,
        "operator": e.operator,
        "status": output::status(&status),
        "claimed_status": e.transaction_status,
        "amount": output::opt_money(amount.as_ref()),
        "msisdn": e.msisdn.as_deref().map(output::mask_phone),
        "dedupe_key": verified.dedupe_key().to_string(),
        "key_fingerprint": key.fingerprint(),
        "signed_fields": AZAMPAY_SIGNED_FIELDS,
        "signed_as": "concatenated without separator",
        "unsigned_fields": AZAMPAY_UNSIGNED_FIELDS,
        "amount_signed": false,
        "amount_check": AZAMPAY_AMOUNT_NOTE,
    });
    Ok(Outcome {
        headline: "✔ AzamPay callback signature valid".into(),
        lines: vec![
            ("reference", text(e.utility_ref.as_deref())),
            ("transaction id", text(e.transid.as_deref())),
            ("operator", text(e.operator.as_deref())),
            ("status", status.to_string()),
            (
                "amount",
                format!(
                    "{}  (NOT signed: check it against the order)",
                    amount.map(|a| a.to_string()).unwrap_or_else(|| "-".into())
                ),
            ),
            (
                "payer",
                e.msisdn
                    .as_deref()
                    .map(output::mask_phone)
                    .unwrap_or_else(|| "-".into()),
            ),
            ("dedupe key", verified.dedupe_key().to_string()),
            ("key fingerprint", key.fingerprint()),
            (
                "signed fields",
                format!(
                    "{} (concatenated without separator)",
                    AZAMPAY_SIGNED_FIELDS.join(", ")
                ),
            ),
            (
                "not signed",
                format!(
                    "every other field, including {}",
                    AZAMPAY_UNSIGNED_FIELDS.join(", ")
                ),
            ),
            ("check", AZAMPAY_AMOUNT_NOTE.to_owned()),
        ],
        json,
    })
}

fn clickpesa_webhook(key: &Secret, file: &Path) -> Result<Outcome, Problem> {
    if key.is_empty() {
        return Err(Problem::CannotVerify("the checksum key is empty".into()));
    }
    let body = read_input(file, "webhook")?;
    let hook =
        parse_webhook(&body).map_err(|e| format!("malformed ClickPesa webhook: {}", reason(e)))?;
    match hook.verdict(key) {
        CpVerdict::Valid => {}
        CpVerdict::Invalid => {
            return Err("ClickPesa webhook checksum does not match (wrong checksum key, or the body was altered)".into())
        }
        CpVerdict::Unsigned => {
            return Err("ClickPesa webhook carries no checksum (is checksum enabled on the application?)".into())
        }
    }
    let verified = hook.verify(key).map_err(reason)?;
    let event = verified.event();
    let amount = match event {
        WebhookEvent::PaymentReceived(p) | WebhookEvent::PaymentFailed(p) => p.amount(),
        _ => None,
    };
    let status = verified.status();
    let dedupe = verified.dedupe_key().to_string();
    let json = json!({
        "provider": "clickpesa",
        "kind": verified.event_name(),
        "verdict": "valid",
        "trust": "signature",
        "reference": event.order_reference(),
        "provider_reference": event.id(),
        "status": output::status(&status),
        "claimed_status": event.status_text(),
        "amount": output::opt_money(amount.as_ref()),
        "dedupe_key": dedupe,
    });
    Ok(Outcome {
        headline: "✔ ClickPesa webhook checksum valid".into(),
        lines: vec![
            ("event", verified.event_name().to_owned()),
            ("order reference", text(event.order_reference())),
            ("id", text(event.id())),
            ("status", status.to_string()),
            (
                "amount",
                amount.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            ),
            ("dedupe key", dedupe),
        ],
        json,
    })
}

fn pesapal_ipn(
    query: Option<&str>,
    body: Option<&Path>,
    content_type: Option<&str>,
) -> Result<Outcome, Problem> {
    let notification = match (query, body) {
        (Some(q), _) => {
            let q = q.trim();
            let q = if q.contains("://") {
                url::Url::parse(q)
                    .map_err(|e| format!("not a URL: {e}"))?
                    .query()
                    .unwrap_or("")
                    .to_owned()
            } else {
                q.to_owned()
            };
            Notification::from_query(&q)
        }
        (None, Some(file)) => Notification::from_body(content_type, &read_input(file, "IPN body")?),
        (None, None) => return Err(Problem::Rejected("give --query or --body".into())),
    }
    .map_err(|e| format!("malformed PesaPal IPN: {e}"))?;
    let ack = notification.ack(true);
    let ack_json: Value = serde_json::from_slice(&ack.to_json()).unwrap_or(Value::Null);
    let json = json!({
        "provider": "pesapal",
        "kind": notification.kind.as_str(),
        "verdict": "parsed",
        "trust": "unverified",
        "reference": notification.merchant_reference,
        "provider_reference": notification.order_tracking_id.as_str(),
        "status": "pending",
        "amount": Value::Null,
        "dedupe_key": Value::Null,
        "confirm_with": "GetTransactionStatus",
        "ack": ack_json,
    });
    Ok(Outcome {
        headline: "✔ PesaPal IPN parsed (unsigned: confirm with GetTransactionStatus)".into(),
        lines: vec![
            ("notification type", notification.kind.as_str().to_owned()),
            (
                "order tracking id",
                notification.order_tracking_id.as_str().to_owned(),
            ),
            (
                "merchant reference",
                notification.merchant_reference.clone(),
            ),
            (
                "dedupe key",
                "after confirmation (tracking id, confirmed status, confirmation code)".to_owned(),
            ),
            (
                "ack (HTTP 200)",
                String::from_utf8_lossy(&ack.to_json()).into_owned(),
            ),
        ],
        json,
    })
}
