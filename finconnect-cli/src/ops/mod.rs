//! Provider operations: `finconnect pesapal|azampay|clickpesa|mpesa <operation>`, with
//! credentials from the environment. Secrets and tokens are never printed;
//! phone numbers are masked in human output.

pub mod azampay;
pub mod clickpesa;
pub mod mpesa;
pub mod pesapal;

use crate::output;
use clap::{Args, ValueEnum};
use finconnect::{Currency, Money, UrlPolicy};
use serde_json::Value;
use std::time::Duration;

/// Where the provider is, and how to print.
#[derive(Args, Debug, Clone)]
pub struct Conn {
    /// The provider's environment: its sandbox hosts or live. With --base-url,
    /// `sandbox` marks the URL as a test server (http:// and private hosts allowed)
    /// and `live` as the real provider (https:// only).
    #[arg(long, value_enum, global = true)]
    pub env: Option<Env>,
    /// A base URL instead of the provider's hosts (for example the one
    /// `finconnect sandbox` prints). http:// and private hosts are allowed only for
    /// a loopback host or with an explicit `--env sandbox`; a plain http:// URL to
    /// another host without --env is refused with a usage error.
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A provider environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Env {
    /// The provider's test environment.
    Sandbox,
    /// Production: real money.
    Live,
}

/// Where to send requests, decided from `--env` and `--base-url`.
#[derive(Debug)]
pub enum Target {
    /// The provider's own hosts.
    Hosted(Env),
    /// A base URL with the policy it may use.
    Custom(String, UrlPolicy),
}

impl Conn {
    /// The target, or a usage error.
    pub fn target(&self) -> Result<Target, Failure> {
        match (&self.base_url, self.env) {
            (Some(url), env) => {
                let parsed = url::Url::parse(url.trim())
                    .map_err(|e| Failure::usage(format!("--base-url {url:?}: {e}")))?;
                let policy = if is_loopback(&parsed) || env == Some(Env::Sandbox) {
                    UrlPolicy::Local
                } else if env.is_none() && parsed.scheme() == "http" {
                    return Err(Failure::usage(plain_http_without_env(url.trim())));
                } else {
                    UrlPolicy::Public
                };
                Ok(Target::Custom(url.trim().to_owned(), policy))
            }
            (None, Some(env)) => Ok(Target::Hosted(env)),
            (None, None) => Err(Failure::usage(
                "say where to send requests: --env sandbox|live, or --base-url URL",
            )),
        }
    }
}

/// What to say when `--base-url` is plain http:// to another machine and `--env`
/// does not say whether that is a test server or the live provider.
fn plain_http_without_env(url: &str) -> String {
    format!(
        "--base-url {url} is plain http:// to a host other than this machine, and no --env says what it is: \
         for a test server, add --env sandbox (http:// and private hosts allowed); \
         for the local `finconnect sandbox`, use the http://127.0.0.1:PORT/… URL its banner prints (no --env needed); \
         a live provider needs https://"
    )
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Why an operation failed, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// 1: the operation failed; 2: usage.
    pub code: i32,
    /// What to print on stderr.
    pub message: String,
}

impl Failure {
    /// The operation failed (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<finconnect::Error> for Failure {
    fn from(e: finconnect::Error) -> Self {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

/// What an operation printed: labelled lines for people, one object for `--json`.
#[derive(Debug, Default)]
pub struct Report {
    /// A headline.
    pub title: String,
    /// Label and value lines.
    pub lines: Vec<(String, String)>,
    /// The JSON form.
    pub json: Value,
}

impl Report {
    /// A report titled `title` with `json`.
    pub fn new(title: impl Into<String>, json: Value) -> Self {
        Report {
            title: title.into(),
            lines: Vec::new(),
            json,
        }
    }

    /// Adds a line.
    pub fn line(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.lines.push((label.into(), value.into()));
        self
    }
}

/// Prints the outcome; the exit code.
pub fn finish(result: Result<Report, Failure>, json: bool) -> i32 {
    match result {
        Ok(report) => {
            if json {
                output::print_json(&report.json);
            } else {
                println!("{}", report.title);
                for (label, value) in &report.lines {
                    println!("  {label:<20} {value}");
                }
            }
            0
        }
        Err(f) => {
            eprintln!("finconnect: {}", f.message);
            f.code
        }
    }
}

/// An amount in a currency (`100.50` `KES`).
pub fn money(amount: &str, currency: &str) -> Result<Money, Failure> {
    let currency = Currency::from_code(currency)?;
    Ok(Money::from_decimal_str(amount, currency)?)
}

/// Client options for the CLI.
pub fn options() -> finconnect_reqwest::Options {
    finconnect_reqwest::Options {
        connect_timeout: Duration::from_secs(10),
        timeout: Duration::from_secs(30),
        ..finconnect_reqwest::Options::default()
    }
}

/// `-` for a missing value.
pub fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}
