//! `finconnect clickpesa …`.

use super::{finish, money, options, or_dash, Conn, Env, Failure, Report, Target};
use crate::output;
use clap::{Args, Subcommand};
use finconnect::clickpesa::{
    CardCustomer, CheckoutAmount, ClickpesaConfig, CreateMobileMoneyPayout, GenerateCheckoutLink,
    GetBalance, GetExchangeRates, GetPayment, GetPayout, InitiateCardPayment, InitiateUssdPush,
    ListBanks, ListFilter, ListPayments, MobileMoneyPayout, OrderReference, Payment,
};
use finconnect::sdk::ProviderConfig;
use finconnect::{Currency, Msisdn, Secret};
use serde_json::{json, Value};

/// ClickPesa operations. ClickPesa has no sandbox: without --base-url every
/// call moves real money (`--env live`).
///
/// Credentials come from CLICKPESA_CLIENT_ID, CLICKPESA_API_KEY and (optional)
/// CLICKPESA_CHECKSUM_KEY.
#[derive(Args, Debug)]
pub struct ClickpesaArgs {
    /// Client id.
    #[arg(long, env = "CLICKPESA_CLIENT_ID", hide_env_values = true)]
    client_id: String,
    /// API key.
    #[arg(long, env = "CLICKPESA_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Checksum key: signs request bodies when set.
    #[arg(long, env = "CLICKPESA_CHECKSUM_KEY", hide_env_values = true)]
    checksum_key: Option<String>,
    #[command(flatten)]
    conn: Conn,
    #[command(subcommand)]
    op: Op,
}

#[derive(Subcommand, Debug)]
enum Op {
    /// USSD push to the payer's phone (TZS).
    UssdPush {
        /// Amount in TZS.
        #[arg(long)]
        amount: String,
        /// The payer's phone.
        #[arg(long)]
        phone: String,
        /// Your unique order reference (letters and digits).
        #[arg(long)]
        reference: String,
    },
    /// Card payment (USD): prints the card payment link.
    Card {
        /// Amount in USD.
        #[arg(long)]
        amount: String,
        /// Your unique order reference.
        #[arg(long)]
        reference: String,
        /// A ClickPesa customer id (or give --name, --email, --phone).
        #[arg(long)]
        customer_id: Option<String>,
        /// The card holder's full name.
        #[arg(long)]
        name: Option<String>,
        /// The card holder's e-mail.
        #[arg(long)]
        email: Option<String>,
        /// The card holder's phone.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Where a payment stands, by order reference.
    Status {
        /// The order reference.
        reference: String,
    },
    /// List payments.
    Payments {
        /// How many to skip.
        #[arg(long, default_value_t = 0)]
        skip: u32,
        /// How many to list.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only this status (SUCCESS, PROCESSING, FAILED, …).
        #[arg(long)]
        status: Option<String>,
    },
    /// Mobile-money payout.
    Payout {
        /// The amount.
        #[arg(long)]
        amount: String,
        /// TZS or USD.
        #[arg(long, default_value = "TZS")]
        currency: String,
        /// The beneficiary's phone.
        #[arg(long)]
        phone: String,
        /// Your unique order reference.
        #[arg(long)]
        reference: String,
    },
    /// Where a payout stands, by order reference.
    PayoutStatus {
        /// The order reference.
        reference: String,
    },
    /// Banks payouts can go to.
    Banks,
    /// Account balances.
    Balance,
    /// Exchange rates.
    Rates {
        /// Source currency.
        #[arg(long, requires = "target")]
        source: Option<String>,
        /// Target currency.
        #[arg(long, requires = "source")]
        target: Option<String>,
    },
    /// A hosted checkout link.
    CheckoutLink {
        /// Your unique order reference.
        #[arg(long)]
        reference: String,
        /// The total.
        #[arg(long)]
        amount: String,
        /// TZS or USD.
        #[arg(long, default_value = "TZS")]
        currency: String,
        /// Shown on the page.
        #[arg(long)]
        description: Option<String>,
    },
}

/// Runs the operation; the exit code.
pub async fn run(args: ClickpesaArgs) -> i32 {
    let json = args.conn.json;
    finish(run_op(args).await, json)
}

fn payment_json(p: &Payment) -> Value {
    json!({
        "id": p.id, "order_reference": p.order_reference, "status": p.status().as_str(),
        "raw_status": p.status_text, "amount": output::opt_money(p.amount().as_ref()),
        "channel": p.channel, "created_at": p.created_at,
    })
}

fn phone(raw: &str) -> Result<Msisdn, Failure> {
    Ok(Msisdn::parse(raw, "255")?)
}

async fn run_op(args: ClickpesaArgs) -> Result<Report, Failure> {
    let key = Secret::new(args.api_key);
    let mut config = match args.conn.target()? {
        Target::Hosted(Env::Live) => ClickpesaConfig::live(&args.client_id, key)?,
        Target::Hosted(Env::Sandbox) => return Err(Failure::usage(
            "ClickPesa has no sandbox: run `finconnect sandbox` and pass its ClickPesa --base-url",
        )),
        Target::Custom(url, policy) => ClickpesaConfig::custom(&args.client_id, key, &url, policy)?,
    };
    if let Some(k) = args.checksum_key {
        config = config.with_checksum_key(Secret::new(k));
    }
    let sdk = finconnect_reqwest::fintech_sdk_with(ProviderConfig::Clickpesa(config), &options())?;
    let d = sdk
        .clickpesa()
        .ok_or_else(|| Failure::usage("not ClickPesa"))?;
    match args.op {
        Op::UssdPush {
            amount,
            phone: number,
            reference,
        } => {
            let msisdn = phone(&number)?;
            let masked = msisdn.masked();
            let op = InitiateUssdPush::new(
                money(&amount, "TZS")?,
                OrderReference::new(reference)?,
                msisdn,
            )?;
            let p = d.execute(op).await?;
            Ok(Report::new("USSD push sent", payment_json(&p))
                .line("order reference", or_dash(p.order_reference.as_deref()))
                .line("payer", masked)
                .line("id", or_dash(p.id.as_deref()))
                .line("status", p.status().to_string()))
        }
        Op::Card {
            amount,
            reference,
            customer_id,
            name,
            email,
            phone: number,
        } => {
            let customer = match (customer_id, name, email, number) {
                (Some(id), _, _, _) => CardCustomer::Existing { id },
                (None, Some(full_name), Some(email), Some(number)) => CardCustomer::Details {
                    full_name,
                    email,
                    phone: phone(&number)?,
                },
                _ => {
                    return Err(Failure::usage(
                        "give --customer-id, or --name, --email and --phone",
                    ))
                }
            };
            let op = InitiateCardPayment::new(
                money(&amount, "USD")?,
                OrderReference::new(reference)?,
                customer,
            )?;
            let link = d.execute(op).await?;
            Ok(Report::new("card payment link", json!({"url": link.url})).line("link", link.url))
        }
        Op::Status { reference } => {
            let attempts = d
                .execute(GetPayment::new(OrderReference::new(reference.as_str())?))
                .await?;
            let status = attempts.status();
            let current = attempts.current();
            Ok(Report::new(
                format!("status: {status}"),
                json!({"reference": reference, "status": status.as_str(), "current": current.map(payment_json), "attempts": attempts.attempts.len()}),
            )
            .line("order reference", reference)
            .line("status", status.to_string())
            .line("id", or_dash(current.and_then(|p| p.id.as_deref())))
            .line(
                "amount",
                current
                    .and_then(|p| p.amount())
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
            ))
        }
        Op::Payments {
            skip,
            limit,
            status,
        } => {
            let mut filter = ListFilter::new().page(skip, limit);
            if let Some(s) = status {
                filter = filter.status(s);
            }
            let page = d.execute(ListPayments::new(filter)).await?;
            let mut report = Report::new(
                format!(
                    "{} payment(s){}",
                    page.data.len(),
                    page.total_count
                        .map(|t| format!(" of {t}"))
                        .unwrap_or_default()
                ),
                json!({"total_count": page.total_count, "payments": page.data.iter().map(payment_json).collect::<Vec<_>>()}),
            );
            for p in &page.data {
                report = report.line(
                    or_dash(p.order_reference.as_deref()),
                    format!(
                        "{} {}",
                        p.status(),
                        p.amount().map(|a| a.to_string()).unwrap_or_default()
                    ),
                );
            }
            Ok(report)
        }
        Op::Payout {
            amount,
            currency,
            phone: number,
            reference,
        } => {
            let msisdn = phone(&number)?;
            let masked = msisdn.masked();
            let payout = MobileMoneyPayout::new(
                money(&amount, &currency)?,
                OrderReference::new(reference)?,
                msisdn,
            )?;
            let p = d.execute(CreateMobileMoneyPayout(payout)).await?;
            Ok(Report::new(
                "payout created",
                json!({"id": p.id, "order_reference": p.order_reference, "status": p.status().as_str(), "raw_status": p.status_text, "amount": p.amount, "currency": p.currency}),
            )
            .line("order reference", or_dash(p.order_reference.as_deref()))
            .line("beneficiary", masked)
            .line("id", or_dash(p.id.as_deref()))
            .line("status", p.status().to_string()))
        }
        Op::PayoutStatus { reference } => {
            let attempts = d
                .execute(GetPayout::new(OrderReference::new(reference.as_str())?))
                .await?;
            let status = attempts.status();
            let current = attempts.current();
            Ok(Report::new(
                format!("payout status: {status}"),
                json!({"reference": reference, "status": status.as_str(), "id": current.and_then(|p| p.id.clone()), "raw_status": current.and_then(|p| p.status_text.clone())}),
            )
            .line("order reference", reference)
            .line("status", status.to_string()))
        }
        Op::Banks => {
            let banks = d.execute(ListBanks).await?;
            let mut report = Report::new(
                format!("{} bank(s)", banks.len()),
                json!({"banks": banks.iter().map(|b| json!({"name": b.name, "bic": b.bic})).collect::<Vec<_>>()}),
            );
            for b in &banks {
                report = report.line(b.bic.clone(), b.name.clone());
            }
            Ok(report)
        }
        Op::Balance => {
            let balances = d.execute(GetBalance).await?;
            let mut report = Report::new(
                "balance",
                json!({"balances": balances.iter().map(|b| json!({"currency": b.currency, "balance": b.balance})).collect::<Vec<_>>()}),
            );
            for b in &balances {
                report = report.line(b.currency.clone(), or_dash(b.balance.as_deref()));
            }
            Ok(report)
        }
        Op::Rates { source, target } => {
            let op = match (source, target) {
                (Some(s), Some(t)) => {
                    GetExchangeRates::pair(Currency::from_code(&s)?, Currency::from_code(&t)?)
                }
                _ => GetExchangeRates::all(),
            };
            let rates = d.execute(op).await?;
            let mut report = Report::new(
                format!("{} rate(s)", rates.len()),
                json!({"rates": rates.iter().map(|r| json!({"source": r.source, "target": r.target, "rate": r.rate, "date": r.date})).collect::<Vec<_>>()}),
            );
            for r in &rates {
                report = report.line(
                    format!("{}→{}", r.source, r.target),
                    or_dash(r.rate.as_deref()),
                );
            }
            Ok(report)
        }
        Op::CheckoutLink {
            reference,
            amount,
            currency,
            description,
        } => {
            let mut op = GenerateCheckoutLink::new(
                CheckoutAmount::Total(money(&amount, &currency)?),
                OrderReference::new(reference)?,
            )?;
            if let Some(text) = description {
                op = op.description(text);
            }
            let link = d.execute(op).await?;
            Ok(Report::new("checkout link", json!({"url": link.url})).line("link", link.url))
        }
    }
}
