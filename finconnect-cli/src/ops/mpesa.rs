//! `finconnect mpesa …`.

use super::{finish, money, options, or_dash, Conn, Env, Failure, Report, Target};
use clap::{Args, Subcommand};
use finconnect::mpesa::{
    Accepted, AccountBalanceQuery, B2cPayment, CheckoutRequestId, Initiator, KenyanMsisdn,
    MpesaConfig, OriginatorConversationId, RegisterUrls, Remarks, ResponseType, ResultUrls,
    Reversal, SecurityCredential, Shortcode, StkKind, StkPush, StkQuery, StkQueryOutcome,
    TransactionKey, TransactionStatusQuery,
};
use finconnect::sdk::ProviderConfig;
use finconnect::Secret;
use serde_json::json;
use std::time::SystemTime;

/// M-Pesa (Safaricom Daraja) operations.
///
/// Credentials come from MPESA_CONSUMER_KEY and MPESA_CONSUMER_SECRET; the STK
/// operations and C2B registration need MPESA_SHORTCODE and MPESA_PASSKEY; the
/// disbursement family (transaction status, balance, reversal, B2C) needs
/// MPESA_INITIATOR_SHORTCODE (default: MPESA_SHORTCODE), MPESA_INITIATOR_NAME,
/// MPESA_INITIATOR_PASSWORD and MPESA_CERTIFICATE (the path of Safaricom's
/// certificate for the environment, PEM).
#[derive(Args, Debug)]
pub struct MpesaArgs {
    /// Consumer key of the Daraja app.
    #[arg(long, env = "MPESA_CONSUMER_KEY", hide_env_values = true)]
    consumer_key: String,
    /// Consumer secret of the Daraja app.
    #[arg(long, env = "MPESA_CONSUMER_SECRET", hide_env_values = true)]
    consumer_secret: String,
    /// The M-Pesa Express (STK) business shortcode.
    #[arg(long, env = "MPESA_SHORTCODE")]
    shortcode: Option<String>,
    /// The M-Pesa Express passkey.
    #[arg(long, env = "MPESA_PASSKEY", hide_env_values = true)]
    passkey: Option<String>,
    /// The initiator's shortcode (default: --shortcode).
    #[arg(long, env = "MPESA_INITIATOR_SHORTCODE")]
    initiator_shortcode: Option<String>,
    /// The initiator's user name.
    #[arg(long, env = "MPESA_INITIATOR_NAME")]
    initiator_name: Option<String>,
    /// The initiator's password.
    #[arg(long, env = "MPESA_INITIATOR_PASSWORD", hide_env_values = true)]
    initiator_password: Option<String>,
    /// Safaricom's certificate for the environment (PEM file).
    #[arg(long, env = "MPESA_CERTIFICATE", value_name = "PEM_FILE")]
    certificate: Option<std::path::PathBuf>,
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    op: Op,
}

/// Where the results of the asynchronous operations go.
#[derive(Args, Debug)]
struct Urls {
    /// The ResultURL Safaricom posts the result to.
    #[arg(long)]
    result_url: String,
    /// The QueueTimeOutURL (default: the ResultURL).
    #[arg(long)]
    timeout_url: Option<String>,
    /// Remarks (2 to 100 characters).
    #[arg(long, default_value = "finconnect")]
    remarks: String,
}

impl Urls {
    fn result_urls(&self) -> Result<ResultUrls, Failure> {
        let timeout = self.timeout_url.as_deref().unwrap_or(&self.result_url);
        Ok(ResultUrls::new(&self.result_url, timeout)?)
    }
}

#[derive(Subcommand, Debug)]
enum Op {
    /// Fetch an access token (checks the consumer key and secret; the token is
    /// never printed).
    Auth,
    /// Prompt a payer's phone to pay (STK push). Never re-sent: a lost answer
    /// is "outcome unknown" — query before trying again.
    StkPush {
        /// Whole Kenyan shillings.
        #[arg(long)]
        amount: String,
        /// The payer's Kenyan phone (07…, 01…, 254…).
        #[arg(long)]
        phone: String,
        /// AccountReference (1 to 12 characters).
        #[arg(long)]
        reference: String,
        /// TransactionDesc (1 to 13 characters).
        #[arg(long, default_value = "Payment")]
        description: String,
        /// The CallBackURL Daraja posts the outcome to.
        #[arg(long)]
        callback_url: String,
        /// Pay a till (Buy Goods) instead of the paybill.
        #[arg(long)]
        till: Option<String>,
    },
    /// Where an STK push stands (4999 and 500.001.1001 are pending).
    StkQuery {
        /// The CheckoutRequestID stk-push printed.
        checkout_request_id: String,
    },
    /// Register the shortcode's C2B confirmation and validation URLs.
    RegisterUrls {
        /// ConfirmationURL.
        #[arg(long)]
        confirmation_url: String,
        /// ValidationURL.
        #[arg(long)]
        validation_url: String,
        /// What M-Pesa does when the validation URL does not answer.
        #[arg(long, value_parser = ["Completed", "Cancelled"], default_value = "Completed")]
        response_type: String,
    },
    /// Ask a transaction's status (the answer comes to the ResultURL).
    TransactionStatus {
        /// The M-Pesa receipt (TransID / MpesaReceiptNumber).
        #[arg(long, required_unless_present = "originator_conversation_id")]
        receipt: Option<String>,
        /// Or your OriginatorConversationID.
        #[arg(long, conflicts_with = "receipt")]
        originator_conversation_id: Option<String>,
        #[command(flatten)]
        urls: Urls,
    },
    /// Ask the initiator shortcode's balances (the answer comes to the ResultURL).
    Balance {
        #[command(flatten)]
        urls: Urls,
    },
    /// Reverse a transaction (the answer comes to the ResultURL).
    Reversal {
        /// The receipt to reverse.
        #[arg(long)]
        receipt: String,
        /// Whole Kenyan shillings.
        #[arg(long)]
        amount: String,
        #[command(flatten)]
        urls: Urls,
    },
    /// Pay a customer (B2C v3). Keyed by your --id: a duplicate is refused, never paid twice.
    B2c {
        /// Your unique OriginatorConversationID.
        #[arg(long)]
        id: String,
        /// Whole Kenyan shillings.
        #[arg(long)]
        amount: String,
        /// The recipient's Kenyan phone.
        #[arg(long)]
        phone: String,
        #[command(flatten)]
        urls: Urls,
    },
}

/// Runs the operation; the exit code.
pub async fn run(args: MpesaArgs) -> i32 {
    let json = args.conn.json;
    finish(run_op(args).await, json)
}

fn config(args: &MpesaArgs) -> Result<MpesaConfig, Failure> {
    let key = Secret::new(args.consumer_key.clone());
    let secret = Secret::new(args.consumer_secret.clone());
    let mut config = match args.conn.target()? {
        Target::Hosted(Env::Sandbox) => MpesaConfig::sandbox(key, secret)?,
        Target::Hosted(Env::Live) => MpesaConfig::live(key, secret)?,
        Target::Custom(url, policy) => MpesaConfig::custom(key, secret, &url, policy)?,
    };
    if let (Some(code), Some(passkey)) = (&args.shortcode, &args.passkey) {
        config =
            config.with_express(Shortcode::new(code.as_str())?, Secret::new(passkey.clone()))?;
    }
    if let (Some(name), Some(password), Some(cert)) = (
        &args.initiator_name,
        &args.initiator_password,
        &args.certificate,
    ) {
        let code = args
            .initiator_shortcode
            .as_ref()
            .or(args.shortcode.as_ref())
            .ok_or_else(|| {
                Failure::usage("the initiator needs MPESA_INITIATOR_SHORTCODE or MPESA_SHORTCODE")
            })?;
        let pem = std::fs::read_to_string(cert).map_err(|e| {
            Failure::usage(format!(
                "could not read the certificate {}: {e}",
                cert.display()
            ))
        })?;
        config = config.with_initiator(Initiator::new(
            Shortcode::new(code.as_str())?,
            name.as_str(),
            Secret::new(password.clone()),
            &pem,
        )?);
    }
    Ok(config)
}

fn credential(config: &MpesaConfig) -> Result<SecurityCredential, Failure> {
    if config.initiator().is_none() {
        return Err(Failure::usage(
            "this operation needs the initiator: MPESA_INITIATOR_NAME, MPESA_INITIATOR_PASSWORD and MPESA_CERTIFICATE",
        ));
    }
    Ok(config.security_credential(&mut rsa::rand_core::OsRng)?)
}

fn accepted(title: &str, a: &Accepted) -> Report {
    Report::new(
        title,
        json!({
            "conversation_id": a.conversation_id,
            "originator_conversation_id": a.originator_conversation_id,
            "description": a.description,
            "note": "accepted for processing: the outcome arrives on the ResultURL",
        }),
    )
    .line("conversation id", a.conversation_id.clone())
    .line(
        "originator conv. id",
        or_dash(a.originator_conversation_id.as_deref()),
    )
    .line("outcome", "arrives on the ResultURL")
}

fn whole_kes(amount: &str) -> Result<finconnect::Money, Failure> {
    money(amount, "KES")
}

async fn run_op(args: MpesaArgs) -> Result<Report, Failure> {
    let config = config(&args)?;
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Mpesa(config), &options())?;
    let d = sdk.mpesa().ok_or_else(|| Failure::usage("not M-Pesa"))?;
    let now = SystemTime::now();
    match args.op {
        Op::Auth => {
            let token = d.token(None).await?;
            let left = token
                .expires_at()
                .duration_since(now)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            Ok(Report::new(
                "Credentials accepted",
                json!({"ok": true, "expires_in_s": left}),
            )
            .line("token", "fetched (not shown)")
            .line("expires in", format!("{left} s")))
        }
        Op::StkPush {
            amount,
            phone,
            reference,
            description,
            callback_url,
            till,
        } => {
            let phone = KenyanMsisdn::parse(&phone)?;
            let masked = phone.to_string();
            let kind = match till {
                Some(t) => StkKind::BuyGoods {
                    till: Shortcode::new(t)?,
                },
                None => StkKind::PayBill,
            };
            let push = StkPush::new(
                kind,
                whole_kes(&amount)?,
                phone,
                &callback_url,
                &reference,
                &description,
                now,
            )?;
            let a = d.execute(push).await?;
            let id = a.checkout_request_id.as_str().to_owned();
            Ok(Report::new(
                "STK push sent (nothing is paid yet)",
                json!({
                    "checkout_request_id": id,
                    "merchant_request_id": a.merchant_request_id,
                    "customer_message": a.customer_message,
                    "status": "pending",
                }),
            )
            .line("payer", masked)
            .line("checkout request id", id)
            .line("next", "finconnect mpesa stk-query <checkout request id>"))
        }
        Op::StkQuery {
            checkout_request_id,
        } => {
            let id = CheckoutRequestId::new(checkout_request_id)?;
            let outcome = d.execute(StkQuery::new(id.clone(), now)).await?;
            let (code, description) = match &outcome {
                StkQueryOutcome::Final(r) => {
                    (Some(r.code.as_str().to_owned()), r.description.clone())
                }
                StkQueryOutcome::Pending { description, .. } => {
                    (Some("4999".to_owned()), description.clone())
                }
                StkQueryOutcome::NoAnswer {
                    error_code,
                    message,
                } => (Some(error_code.clone()), Some(message.clone())),
                _ => (None, None),
            };
            let status = outcome.status();
            Ok(Report::new(
                format!("STK push {}", status.as_str()),
                json!({
                    "checkout_request_id": id.as_str(),
                    "status": status.as_str(),
                    "result_code": code,
                    "description": description,
                }),
            )
            .line("status", status.to_string())
            .line("result code", or_dash(code.as_deref()))
            .line("description", or_dash(description.as_deref())))
        }
        Op::RegisterUrls {
            confirmation_url,
            validation_url,
            response_type,
        } => {
            let shortcode = args
                .shortcode
                .ok_or_else(|| Failure::usage("register-urls needs MPESA_SHORTCODE"))?;
            let response_type = if response_type == "Cancelled" {
                ResponseType::Cancelled
            } else {
                ResponseType::Completed
            };
            let a = d
                .execute(RegisterUrls::new(
                    Shortcode::new(shortcode)?,
                    response_type,
                    &confirmation_url,
                    &validation_url,
                )?)
                .await?;
            Ok(Report::new(
                "C2B URLs registered",
                json!({
                    "originator_conversation_id": a.originator_conversation_id,
                    "description": a.description,
                }),
            )
            .line("confirmation URL", confirmation_url)
            .line("validation URL", validation_url)
            .line("description", or_dash(a.description.as_deref())))
        }
        Op::TransactionStatus {
            receipt,
            originator_conversation_id,
            urls,
        } => {
            let key = match (receipt, originator_conversation_id) {
                (Some(r), _) => TransactionKey::Receipt(r),
                (None, Some(id)) => TransactionKey::OriginatorConversationId(id),
                (None, None) => {
                    return Err(Failure::usage(
                        "give --receipt or --originator-conversation-id",
                    ))
                }
            };
            let q = TransactionStatusQuery::new(
                key,
                Remarks::new(urls.remarks.as_str())?,
                urls.result_urls()?,
                credential(d.api())?,
            )?;
            Ok(accepted("Transaction status asked", &d.execute(q).await?))
        }
        Op::Balance { urls } => {
            let q = AccountBalanceQuery::new(
                Remarks::new(urls.remarks.as_str())?,
                urls.result_urls()?,
                credential(d.api())?,
            );
            Ok(accepted("Account balance asked", &d.execute(q).await?))
        }
        Op::Reversal {
            receipt,
            amount,
            urls,
        } => {
            let r = Reversal::new(
                &receipt,
                whole_kes(&amount)?,
                Remarks::new(urls.remarks.as_str())?,
                urls.result_urls()?,
                credential(d.api())?,
            )?;
            Ok(accepted("Reversal requested", &d.execute(r).await?))
        }
        Op::B2c {
            id,
            amount,
            phone,
            urls,
        } => {
            let p = B2cPayment::new(
                OriginatorConversationId::new(id)?,
                whole_kes(&amount)?,
                KenyanMsisdn::parse(&phone)?,
                Remarks::new(urls.remarks.as_str())?,
                urls.result_urls()?,
                credential(d.api())?,
            )?;
            Ok(accepted("B2C payment requested", &d.execute(p).await?))
        }
    }
}
