//! `finconnect azampay …`.

use super::{finish, money, options, or_dash, Conn, Env, Failure, Report, Target};
use crate::output;
use clap::{Args, Subcommand, ValueEnum};
use finconnect::azampay::{
    AzampayConfig, AzampayEndpoints, AzampayPublicKey, BankCheckout, BankProvider,
    GetPaymentPartners, GetPublicKey, KeyFormat, MnoCheckout, MnoProvider, TransactionStatus,
};
use finconnect::sdk::ProviderConfig;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};

/// The key as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), LF line endings.
fn spki_pem(key: &AzampayPublicKey) -> Result<String, Failure> {
    key.rsa()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Failure::failed(format!("the key could not be written as PEM: {e}")))
}

/// AzamPay operations.
///
/// Credentials come from AZAMPAY_APP_NAME, AZAMPAY_CLIENT_ID,
/// AZAMPAY_CLIENT_SECRET and (optional) AZAMPAY_API_KEY. With --base-url, it is
/// the checkout host; the authenticator and disbursement hosts default to the
/// `finconnect sandbox` layout (…/azampay/auth, …/azampay/disbursement) or to the
/// same URL.
#[derive(Args, Debug)]
pub struct AzampayArgs {
    /// App name registered in the AzamPay portal.
    #[arg(long, env = "AZAMPAY_APP_NAME", hide_env_values = true)]
    app_name: String,
    /// Client id.
    #[arg(long, env = "AZAMPAY_CLIENT_ID", hide_env_values = true)]
    client_id: String,
    /// Client secret.
    #[arg(long, env = "AZAMPAY_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// API key (X-API-Key), optional.
    #[arg(long, env = "AZAMPAY_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The authenticator host, with --base-url.
    #[arg(long, value_name = "URL", global = true)]
    auth_url: Option<String>,
    /// The disbursement host, with --base-url.
    #[arg(long, value_name = "URL", global = true)]
    disbursement_url: Option<String>,
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    op: Op,
}

#[derive(Subcommand, Debug)]
enum Op {
    /// Mobile-money checkout (USSD prompt on the payer's phone).
    Checkout {
        /// The payer's phone.
        #[arg(long)]
        phone: String,
        /// Amount in TZS.
        #[arg(long)]
        amount: String,
        /// The payer's network.
        #[arg(long, value_enum)]
        operator: Operator,
        /// Your unique reference (externalId).
        #[arg(long)]
        reference: String,
    },
    /// Bank checkout (CRDB/NMB with the payer's OTP).
    BankCheckout {
        /// The bank.
        #[arg(long, value_enum)]
        bank: Bank,
        /// The payer's bank account.
        #[arg(long)]
        account: String,
        /// The phone notified.
        #[arg(long)]
        phone: String,
        /// Amount in TZS.
        #[arg(long)]
        amount: String,
        /// The payer's one-time password.
        #[arg(long, env = "AZAMPAY_BANK_OTP", hide_env_values = true)]
        otp: String,
    },
    /// The payment partners of the hosted checkout.
    Partners,
    /// Where a checkout stands (unofficial status query).
    Status {
        /// The checkout's transaction id.
        transaction_id: String,
        /// The payer's network.
        #[arg(long, value_enum)]
        operator: Operator,
    },
    /// Fetch AzamPay's callback-signing public key and show its size and fingerprint.
    ///
    /// With --pem, print the key itself as PEM (SubjectPublicKeyInfo, `BEGIN PUBLIC
    /// KEY`) and nothing else, ready for a file: `finconnect azampay … public-key --pem
    /// > azampay.pem`, then `finconnect verify azampay --public-key azampay.pem …`.
    /// With --json, the object also holds the PEM as `pem`.
    PublicKey {
        /// Print the key as PEM (only the PEM, on standard output).
        #[arg(long)]
        pem: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Operator {
    Airtel,
    Tigo,
    Halopesa,
    Azampesa,
    Mpesa,
}

impl Operator {
    fn mno(self) -> MnoProvider {
        match self {
            Operator::Airtel => MnoProvider::Airtel,
            Operator::Tigo => MnoProvider::Tigo,
            Operator::Halopesa => MnoProvider::Halopesa,
            Operator::Azampesa => MnoProvider::Azampesa,
            Operator::Mpesa => MnoProvider::Mpesa,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Bank {
    Crdb,
    Nmb,
}

/// Runs the operation; the exit code.
pub async fn run(args: AzampayArgs) -> i32 {
    let json = args.conn.json;
    let pem_only = matches!(args.op, Op::PublicKey { pem: true }) && !json;
    match run_op(args).await {
        Ok(report) if pem_only => match report.json["pem"].as_str() {
            Some(pem) => {
                print!("{pem}");
                0
            }
            None => finish(
                Err(Failure::failed("the key could not be written as PEM")),
                json,
            ),
        },
        result => finish(result, json),
    }
}

fn config(args: &AzampayArgs) -> Result<AzampayConfig, Failure> {
    let (app, id, secret) = (&args.app_name, &args.client_id, args.client_secret.as_str());
    let config = match args.conn.target()? {
        Target::Hosted(Env::Sandbox) => AzampayConfig::sandbox(app, id, secret)?,
        Target::Hosted(Env::Live) => AzampayConfig::live(app, id, secret)?,
        Target::Custom(checkout, policy) => {
            let trimmed = checkout.trim_end_matches('/');
            let sibling = |name: &str| match trimmed.strip_suffix("/azampay/checkout") {
                Some(origin) => format!("{origin}/azampay/{name}"),
                None => trimmed.to_owned(),
            };
            let auth = args.auth_url.clone().unwrap_or_else(|| sibling("auth"));
            let disb = args
                .disbursement_url
                .clone()
                .unwrap_or_else(|| sibling("disbursement"));
            let endpoints = AzampayEndpoints {
                auth: &auth,
                checkout: trimmed,
                disbursement: &disb,
            };
            AzampayConfig::custom(app, id, secret, endpoints, policy)?
        }
    };
    Ok(match &args.api_key {
        Some(k) => config.with_api_key(k.as_str()),
        None => config,
    })
}

async fn run_op(args: AzampayArgs) -> Result<Report, Failure> {
    let config = config(&args)?;
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Azampay(config), &options())?;
    let driver = sdk.azampay().ok_or_else(|| Failure::usage("not AzamPay"))?;
    match args.op {
        Op::Checkout {
            phone,
            amount,
            operator,
            reference,
        } => {
            let op = MnoCheckout::new(&reference, money(&amount, "TZS")?, &phone, operator.mno())?;
            let a = driver.execute(op).await?;
            Ok(Report::new(
                "checkout accepted: the payer confirms on the phone",
                json!({"reference": reference, "transaction_id": a.transaction_id, "message": a.message, "operator": operator.mno().as_str()}),
            )
            .line("reference", reference)
            .line("payer", output::mask_phone(&phone))
            .line("transaction id", or_dash(a.transaction_id.as_deref()))
            .line("message", or_dash(a.message.as_deref())))
        }
        Op::BankCheckout {
            bank,
            account,
            phone,
            amount,
            otp,
        } => {
            let provider = match bank {
                Bank::Crdb => BankProvider::Crdb,
                Bank::Nmb => BankProvider::Nmb,
            };
            let op = BankCheckout::new(money(&amount, "TZS")?, &account, &phone, provider, otp)?;
            let a = driver.execute(op).await?;
            Ok(Report::new(
                "bank checkout accepted",
                json!({"transaction_id": a.transaction_id, "message": a.message, "bank": provider.as_str()}),
            )
            .line("transaction id", or_dash(a.transaction_id.as_deref()))
            .line("message", or_dash(a.message.as_deref())))
        }
        Op::Partners => {
            let partners = driver.execute(GetPaymentPartners).await?;
            let items: Vec<_> = partners
                .iter()
                .map(|p| json!({"partner_name": p.partner_name, "provider": p.checkout_provider.map(MnoProvider::as_str), "vendor_name": p.vendor_name, "currency": p.currency}))
                .collect();
            let mut report = Report::new(
                format!("{} payment partner(s)", partners.len()),
                json!({"partners": items}),
            );
            for p in &partners {
                report = report.line(
                    p.partner_name.clone(),
                    or_dash(p.checkout_provider.map(MnoProvider::as_str)),
                );
            }
            Ok(report)
        }
        Op::Status {
            transaction_id,
            operator,
        } => {
            let s = driver
                .execute(TransactionStatus::new(&transaction_id, operator.mno())?)
                .await?;
            Ok(Report::new(
                format!("status: {}", s.status),
                json!({"transaction_id": transaction_id, "status": s.status.as_str(), "raw_status": s.raw}),
            )
            .line("transaction id", transaction_id)
            .line("status", s.status.to_string())
            .line("AzamPay says", s.raw))
        }
        Op::PublicKey { pem } => {
            let key = driver
                .execute(GetPublicKey {
                    format: KeyFormat::Pem,
                })
                .await?;
            let mut json = json!({"bits": key.bits(), "fingerprint_sha256": key.fingerprint()});
            if pem {
                json["pem"] = Value::String(spki_pem(&key)?);
            }
            Ok(Report::new("AzamPay callback-signing key", json)
                .line("bits", key.bits().to_string())
                .line("SHA-256 (SPKI)", key.fingerprint())
                .line("PEM", "add --pem to print the key"))
        }
    }
}
