//! `finconnect pesapal …`.

use super::{finish, money, options, or_dash, Conn, Env, Failure, Report, Target};
use crate::output;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use finconnect::pesapal::{
    CancelOrder, GetIpnList, GetTransactionStatus, IpnMethod, OrderTrackingId, PesapalConfig,
    RefundRequest,
};
use finconnect::sdk::{Payment, ProviderConfig};
use finconnect::Secret;
use serde_json::json;

/// PesaPal API 3.0 operations.
///
/// Credentials come from PESAPAL_CONSUMER_KEY and PESAPAL_CONSUMER_SECRET.
#[derive(Args, Debug)]
pub struct PesapalArgs {
    /// Consumer key.
    #[arg(long, env = "PESAPAL_CONSUMER_KEY", hide_env_values = true)]
    consumer_key: String,
    /// Consumer secret.
    #[arg(long, env = "PESAPAL_CONSUMER_SECRET", hide_env_values = true)]
    consumer_secret: String,
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    op: Op,
}

#[derive(Subcommand, Debug)]
enum Op {
    /// Register the URL PesaPal notifies (RegisterIPN); prints the ipn_id.
    RegisterIpn {
        /// The IPN URL.
        #[arg(long)]
        url: String,
        /// How PesaPal calls it.
        #[arg(long, value_enum, default_value_t = Method::Get)]
        method: Method,
    },
    /// List the registered IPN URLs (GetIpnList).
    ListIpns,
    /// Submit an order (SubmitOrderRequest); prints the redirect URL.
    ///
    /// The payer's email or phone is required (--email, --phone, or both): PesaPal
    /// refuses an order without one.
    #[command(group(ArgGroup::new("contact").required(true).multiple(true).args(["email", "phone"])))]
    Pay {
        /// Your unique reference.
        #[arg(long)]
        reference: String,
        /// The amount, e.g. 100.50.
        #[arg(long)]
        amount: String,
        /// ISO currency code.
        #[arg(long, default_value = "KES")]
        currency: String,
        /// What it is for.
        #[arg(long)]
        description: String,
        /// The registered IPN's ipn_id.
        #[arg(long)]
        ipn_id: String,
        /// Where PesaPal sends the customer back.
        #[arg(long)]
        callback_url: String,
        /// The payer's e-mail (this or --phone is required).
        #[arg(long)]
        email: Option<String>,
        /// The payer's phone (this or --email is required).
        #[arg(long)]
        phone: Option<String>,
    },
    /// Where an order stands (GetTransactionStatus), with the confirmation code
    /// that `refund --confirmation-code` asks for once the order is paid.
    Status {
        /// The order tracking id.
        tracking_id: String,
    },
    /// Ask for a refund (RefundRequest).
    Refund {
        /// The payment's confirmation code (`finconnect pesapal status TRACKING_ID`
        /// shows it once the order is paid).
        #[arg(long)]
        confirmation_code: String,
        /// The amount to refund.
        #[arg(long)]
        amount: String,
        /// ISO currency code.
        #[arg(long, default_value = "KES")]
        currency: String,
        /// Who asks.
        #[arg(long)]
        username: String,
        /// Why.
        #[arg(long)]
        remarks: String,
    },
    /// Cancel an unpaid order (CancelOrder).
    Cancel {
        /// The order tracking id.
        tracking_id: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Method {
    Get,
    Post,
}

/// Runs the operation; the exit code.
pub async fn run(args: PesapalArgs) -> i32 {
    let json = args.conn.json;
    finish(run_op(args).await, json)
}

async fn run_op(args: PesapalArgs) -> Result<Report, Failure> {
    let key = Secret::new(args.consumer_key);
    let secret = Secret::new(args.consumer_secret);
    let config = match args.conn.target()? {
        Target::Hosted(Env::Sandbox) => PesapalConfig::sandbox(key, secret)?,
        Target::Hosted(Env::Live) => PesapalConfig::live(key, secret)?,
        Target::Custom(url, policy) => PesapalConfig::custom(key, secret, &url, policy)?,
    };
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Pesapal(config), &options())?;
    let driver = sdk.pesapal().ok_or_else(|| Failure::usage("not PesaPal"))?;
    match args.op {
        Op::RegisterIpn { url, method } => {
            let method = match method {
                Method::Get => IpnMethod::Get,
                Method::Post => IpnMethod::Post,
            };
            let r = sdk.register_ipn(&url, method).await?;
            Ok(Report::new(
                "IPN registered",
                json!({"ipn_id": r.ipn_id.as_str(), "url": r.url, "method": r.method.map(IpnMethod::as_str), "active": r.active}),
            )
            .line("ipn_id", r.ipn_id.as_str())
            .line("url", r.url))
        }
        Op::ListIpns => {
            let list = driver.execute(GetIpnList).await?;
            let items: Vec<_> = list
                .iter()
                .map(|r| json!({"ipn_id": r.ipn_id.as_str(), "url": r.url, "method": r.method.map(IpnMethod::as_str), "active": r.active}))
                .collect();
            let mut report =
                Report::new(format!("{} IPN URL(s)", list.len()), json!({"ipns": items}));
            for r in &list {
                report = report.line(
                    r.ipn_id.as_str(),
                    format!(
                        "{} ({})",
                        r.url,
                        r.method.map(IpnMethod::as_str).unwrap_or("-")
                    ),
                );
            }
            Ok(report)
        }
        Op::Pay {
            reference,
            amount,
            currency,
            description,
            ipn_id,
            callback_url,
            email,
            phone,
        } => {
            let mut payment = Payment::new(reference, money(&amount, &currency)?)?
                .description(description)?
                .callback_url(callback_url);
            if let Some(e) = email {
                payment = payment.email(e);
            }
            if let Some(p) = phone {
                payment = payment.phone(p);
            }
            let started = sdk.pay(&payment, Some(&ipn_id)).await?;
            Ok(Report::new(
                "order submitted: send the customer to the redirect URL",
                json!({"reference": started.reference, "order_tracking_id": started.provider_reference, "redirect_url": started.redirect_url, "status": started.status.as_str()}),
            )
            .line("reference", started.reference.clone())
            .line("order tracking id", or_dash(started.provider_reference.as_deref()))
            .line("redirect URL", or_dash(started.redirect_url.as_deref())))
        }
        Op::Status { tracking_id } => {
            let s = driver
                .execute(GetTransactionStatus::new(OrderTrackingId::new(
                    tracking_id,
                )?))
                .await?;
            let reference = Some(s.merchant_reference.as_str()).filter(|r| !r.is_empty());
            let code = s.confirmation_code.as_deref().filter(|c| !c.is_empty());
            Ok(Report::new(
                format!("status: {}", s.status),
                json!({
                    "reference": reference,
                    "order_tracking_id": s.order_tracking_id.as_str(),
                    "status": s.status.as_str(),
                    "raw_status": s.payment_status_description,
                    "amount": output::opt_money(s.amount.as_ref()),
                    "confirmation_code": code,
                    "payment_method": s.payment_method,
                }),
            )
            .line("reference", or_dash(reference))
            .line("order tracking id", s.order_tracking_id.as_str())
            .line("status", s.status.to_string())
            .line(
                "PesaPal says",
                or_dash(s.payment_status_description.as_deref()),
            )
            .line(
                "amount",
                s.amount
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
            )
            .line("payment method", or_dash(s.payment_method.as_deref()))
            .line(
                "confirmation code",
                match code {
                    Some(c) => format!("{c}  (refund --confirmation-code {c})"),
                    None => "- (none until the order is paid; refunds need it)".to_owned(),
                },
            ))
        }
        Op::Refund {
            confirmation_code,
            amount,
            currency,
            username,
            remarks,
        } => {
            let op = RefundRequest::new(
                confirmation_code,
                money(&amount, &currency)?,
                username,
                remarks,
            )?;
            let accepted = driver.execute(op).await?;
            Ok(Report::new(
                "refund requested",
                json!({"accepted": true, "message": accepted.message}),
            )
            .line("message", accepted.message))
        }
        Op::Cancel { tracking_id } => {
            let op = CancelOrder::new(OrderTrackingId::new(tracking_id)?);
            let accepted = driver.execute(op).await?;
            Ok(Report::new(
                "order cancelled",
                json!({"cancelled": true, "message": accepted.message}),
            )
            .line("message", accepted.message))
        }
    }
}
