//! Validated Daraja values: shortcodes, Kenyan phone numbers, the ids Daraja
//! hands out, result codes and remarks.

use crate::{Error, Msisdn, PaymentStatus};
use std::fmt;

/// An M-Pesa shortcode: a paybill, till, store or B2C number (digits only).
///
/// ```
/// use finconnect_proto::mpesa::Shortcode;
/// assert_eq!(Shortcode::new("174379").unwrap().as_str(), "174379");
/// assert!(Shortcode::new("17 43").is_err());
/// assert!(Shortcode::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shortcode(String);

impl Shortcode {
    /// The longest shortcode accepted (Daraja's are 5 to 7 digits).
    pub const MAX_LEN: usize = 10;

    /// Checks and wraps a shortcode.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        let value = value.trim();
        if value.is_empty()
            || value.len() > Self::MAX_LEN
            || !value.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::invalid(
                "shortcode",
                format!("must be 1 to {} digits", Self::MAX_LEN),
            ));
        }
        Ok(Shortcode(value.to_owned()))
    }

    /// The shortcode.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Shortcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Shortcode({})", self.0)
    }
}

impl fmt::Display for Shortcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Safaricom mobile number as Daraja wants it: `254` then `7` or `1` and
/// eight digits (12 digits, no `+`). Local forms are normalised (`0712 345
/// 678`, `+254712345678`, `712345678`); `Debug` and `Display` mask it.
///
/// ```
/// use finconnect_proto::mpesa::KenyanMsisdn;
/// assert_eq!(KenyanMsisdn::parse("0712 345 678")?.as_str(), "254712345678");
/// assert_eq!(KenyanMsisdn::parse("0110345678")?.as_str(), "254110345678");
/// assert!(KenyanMsisdn::parse("+255712345678").is_err()); // Tanzania
/// assert!(KenyanMsisdn::parse("254812345678").is_err());
/// assert_eq!(format!("{:?}", KenyanMsisdn::parse("254708374149")?), "KenyanMsisdn(2547*****149)");
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KenyanMsisdn(Msisdn);

impl KenyanMsisdn {
    /// Normalises and checks a Kenyan mobile number.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let m = Msisdn::parse(raw, "254")?;
        let digits = m.as_str();
        let ok = digits.len() == 12
            && digits.starts_with("254")
            && matches!(digits.as_bytes().get(3), Some(b'7' | b'1'));
        if !ok {
            return Err(Error::invalid(
                "phone number",
                format!(
                    "{} is not a Kenyan mobile number (254 then 7 or 1 and eight digits)",
                    m.masked()
                ),
            ));
        }
        Ok(KenyanMsisdn(m))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for KenyanMsisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KenyanMsisdn({})", self.0.masked())
    }
}

impl fmt::Display for KenyanMsisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.masked())
    }
}

/// The `CheckoutRequestID` of an STK push: the key of its query and its
/// callback. Opaque (its format has changed over the years) and personal
/// (it embeds part of the payer's number), so `Debug` shows only its start.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CheckoutRequestId(String);

impl CheckoutRequestId {
    /// Wraps an id Daraja gave (not blank, at most 100 characters).
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 100 {
            return Err(Error::invalid(
                "CheckoutRequestID",
                "must be 1 to 100 characters",
            ));
        }
        Ok(CheckoutRequestId(value.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CheckoutRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head: String = self.0.chars().take(8).collect();
        write!(f, "CheckoutRequestId({head}…)")
    }
}

impl fmt::Display for CheckoutRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Daraja `ResultCode`, kept as text: it is a number in STK callbacks, a
/// string in the STK query, and a number, a string or an alphanumeric code
/// (`R000002`, `SFC_IC0003`) in result callbacks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultCode(String);

impl ResultCode {
    /// A code as Daraja sent it (trimmed).
    pub fn new(code: impl Into<String>) -> Self {
        ResultCode(code.into().trim().to_owned())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is `0`, the only success code Daraja documents.
    pub fn is_success(&self) -> bool {
        self.0 == "0"
    }

    /// What the code says about an STK push (M-Pesa Express) payment.
    ///
    /// `0` is paid; `1032` cancelled by the payer; `4999` still in flight
    /// (pending); the documented terminal failures (`1`, `2`, `3`, `4`, `8`,
    /// `17`, `1019`, `1025`, `1037`, `2001`, `2028`, `8006`, `SFC_IC0003`) are
    /// failed; any other code is [`PaymentStatus::Unknown`] — never failed.
    pub fn stk_status(&self) -> PaymentStatus {
        match self.0.as_str() {
            "0" => PaymentStatus::Completed,
            "1032" => PaymentStatus::Cancelled,
            STK_STILL_PROCESSING => PaymentStatus::Pending,
            "1" | "2" | "3" | "4" | "8" | "17" | "1019" | "1025" | "1037" | "2001" | "2028"
            | "8006" | "SFC_IC0003" => PaymentStatus::Failed,
            other => PaymentStatus::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The STK query's code for a prompt still open.
pub const STK_STILL_PROCESSING: &str = "4999";

/// `Remarks`: 2 to 100 characters (B2C, transaction status, account balance,
/// reversal).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Remarks(String);

impl Remarks {
    /// The fewest characters accepted.
    pub const MIN_CHARS: usize = 2;
    /// The most characters accepted.
    pub const MAX_CHARS: usize = 100;

    /// Checks and wraps remarks.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        super::wire::bounded("Remarks", &value, Self::MIN_CHARS, Self::MAX_CHARS)?;
        Ok(Remarks(value))
    }

    /// The remarks.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
