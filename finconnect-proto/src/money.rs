//! Money as integer minor units plus a currency, with exact decimal encoders.
//!
//! No `f64` is ever used to compute an amount. Decoding a JSON number goes through
//! its shortest decimal text (what `serde_json` prints), which names the same
//! decimal the provider wrote for any amount of up to 15 significant digits, and
//! an amount the currency cannot hold is rejected rather than rounded.

use crate::Error;
use std::fmt;

/// An ISO 4217 currency with its minor-unit exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// Kenyan shilling (2 decimals).
    pub const KES: Currency = Currency::known(*b"KES", 2);
    /// Tanzanian shilling (2 decimals).
    pub const TZS: Currency = Currency::known(*b"TZS", 2);
    /// Ugandan shilling (0 decimals).
    pub const UGX: Currency = Currency::known(*b"UGX", 0);
    /// Rwandan franc (0 decimals).
    pub const RWF: Currency = Currency::known(*b"RWF", 0);
    /// US dollar (2 decimals).
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Malawian kwacha (2 decimals).
    pub const MWK: Currency = Currency::known(*b"MWK", 2);
    /// Zambian kwacha (2 decimals).
    pub const ZMW: Currency = Currency::known(*b"ZMW", 2);
    /// Euro (2 decimals).
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Pound sterling (2 decimals).
    pub const GBP: Currency = Currency::known(*b"GBP", 2);

    const ALL: [Currency; 9] = [
        Currency::KES,
        Currency::TZS,
        Currency::UGX,
        Currency::RWF,
        Currency::USD,
        Currency::MWK,
        Currency::ZMW,
        Currency::EUR,
        Currency::GBP,
    ];

    const fn known(code: [u8; 3], exponent: u8) -> Currency {
        Currency { code, exponent }
    }

    /// Looks up a currency by its upper-case ISO code.
    ///
    /// ```
    /// use finconnect_proto::Currency;
    /// assert_eq!(Currency::from_code("UGX").unwrap().exponent(), 0);
    /// assert!(Currency::from_code("kes").is_err());
    /// ```
    pub fn from_code(code: &str) -> Result<Currency, Error> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| {
                Error::invalid(
                    "currency",
                    format!(
                        "{code:?} is not a supported ISO 4217 code (upper case; one of KES, TZS, UGX, RWF, USD, MWK, ZMW, EUR, GBP)"
                    ),
                )
            })
    }

    /// The ISO code, e.g. `"KES"`.
    pub fn code(&self) -> &str {
        // The codes are ASCII constants.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point (2 for KES, 0 for UGX).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    fn scale(&self) -> i64 {
        10i64.pow(u32::from(self.exponent))
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money: integer minor units of a currency.
///
/// ```
/// use finconnect_proto::{Currency, Money};
/// let m = Money::from_decimal_str("1500.5", Currency::KES).unwrap();
/// assert_eq!(m.minor_units(), 150_050);
/// assert_eq!(m.to_decimal_string(), "1500.50");   // fixed decimals (PesaPal refunds)
/// assert_eq!(m.to_plain_string(), "1500.5");      // shortest form (JavaScript numbers)
/// assert!(Money::from_decimal_str("10.5", Currency::UGX).is_err()); // UGX has no cents
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// From minor units (cents for KES, shillings for UGX).
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// From whole major units (`Money::from_major(1000, TZS)` is 1000 TZS).
    pub fn from_major(major: i64, currency: Currency) -> Result<Money, Error> {
        major
            .checked_mul(currency.scale())
            .map(|minor| Money { minor, currency })
            .ok_or_else(|| Error::invalid("amount", "too large"))
    }

    /// The amount in minor units.
    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is above zero.
    pub fn is_positive(&self) -> bool {
        self.minor > 0
    }

    /// Parses a decimal such as `"10"`, `"10.5"`, `"-3.25"`, `"1e3"` exactly. More
    /// fractional digits than the currency holds are accepted only when they are
    /// zeros (`"10.500"` for KES); anything else is an error, never a rounding.
    pub fn from_decimal_str(text: &str, currency: Currency) -> Result<Money, Error> {
        parse_decimal(text.trim(), currency.exponent)
            .map(|minor| Money { minor, currency })
            .ok_or_else(|| {
                Error::invalid(
                    "amount",
                    format!(
                        "{:?} is not an amount {} can hold exactly ({} decimal places)",
                        crate::error::snippet(text.as_bytes()),
                        currency,
                        currency.exponent
                    ),
                )
            })
    }

    /// Reads a JSON amount given as a number or a numeric string.
    pub fn from_json(value: &serde_json::Value, currency: Currency) -> Result<Money, Error> {
        match value {
            serde_json::Value::Number(n) => Money::from_decimal_str(&n.to_string(), currency),
            serde_json::Value::String(s) => Money::from_decimal_str(s, currency),
            other => Err(Error::invalid(
                "amount",
                format!("expected a number or a numeric string, got {other}"),
            )),
        }
    }

    /// The amount with exactly the currency's decimals: `"1500.50"`, `"1000"` (UGX).
    pub fn to_decimal_string(&self) -> String {
        let exp = usize::from(self.currency.exponent);
        let sign = if self.minor < 0 { "-" } else { "" };
        let digits = self.minor.unsigned_abs().to_string();
        if exp == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = exp + 1);
        let (int, frac) = padded.split_at(padded.len() - exp);
        format!("{sign}{int}.{frac}")
    }

    /// The shortest exact form, as JavaScript prints the number: `"1000"`,
    /// `"1500.5"`, `"0.4"`.
    pub fn to_plain_string(&self) -> String {
        let s = self.to_decimal_string();
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    }

    /// The amount as a JSON number token, written from its exact decimal text
    /// (`1500.5`, `1000`), for providers that want a number on the wire.
    pub fn to_json_number(&self) -> Box<serde_json::value::RawValue> {
        // A decimal string of digits with at most one '.' is always valid JSON.
        serde_json::value::RawValue::from_string(self.to_plain_string())
            .unwrap_or_else(|_| unreachable_number())
    }
}

#[cold]
fn unreachable_number() -> Box<serde_json::value::RawValue> {
    // Not reachable: to_plain_string only writes digits, '-' and '.'.
    serde_json::value::to_raw_value(&0).unwrap_or_default()
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

/// Parses `[-+]digits[.digits][e[-+]digits]` into minor units at `exponent`.
fn parse_decimal(text: &str, exponent: u8) -> Option<i64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp10) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits: String = format!("{int}{frac}");
    // Position of the decimal point counted from the right, after the exponent.
    let mut frac_len = i64::try_from(frac.len()).ok()? - i64::from(exp10);
    let want = i64::from(exponent);
    while frac_len > want {
        if !digits.ends_with('0') {
            if digits.is_empty() {
                break;
            }
            return None;
        }
        digits.pop();
        frac_len -= 1;
    }
    let pad = usize::try_from(want - frac_len).ok()?;
    if pad > 30 {
        return None;
    }
    digits.extend(std::iter::repeat_n('0', pad));
    let digits = digits.trim_start_matches('0');
    let value: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_exactly_or_refuses() {
        let kes = Currency::KES;
        assert_eq!(
            Money::from_decimal_str("10.00", kes).unwrap().minor_units(),
            1000
        );
        assert_eq!(
            Money::from_decimal_str("0.4", kes).unwrap().minor_units(),
            40
        );
        assert_eq!(
            Money::from_decimal_str("10.500", kes)
                .unwrap()
                .minor_units(),
            1050
        );
        assert_eq!(
            Money::from_decimal_str("1e3", kes).unwrap().minor_units(),
            100_000
        );
        assert_eq!(
            Money::from_decimal_str("-2.5", kes).unwrap().minor_units(),
            -250
        );
        assert_eq!(
            Money::from_decimal_str(".5", kes).unwrap().minor_units(),
            50
        );
        assert!(Money::from_decimal_str("10.505", kes).is_err());
        assert!(Money::from_decimal_str("1.5", Currency::UGX).is_err());
        assert!(Money::from_decimal_str("", kes).is_err());
        assert!(Money::from_decimal_str("abc", kes).is_err());
        assert!(Money::from_decimal_str("1.2.3", kes).is_err());
        assert!(Money::from_decimal_str("99999999999999999999", kes).is_err());
        assert!(Money::from_decimal_str("1e400", kes).is_err());
    }

    #[test]
    fn json_numbers_keep_their_decimal() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a": 0.1, "b": 10.50, "c": "7"}"#).unwrap();
        assert_eq!(
            Money::from_json(&v["a"], Currency::KES)
                .unwrap()
                .minor_units(),
            10
        );
        assert_eq!(
            Money::from_json(&v["b"], Currency::KES)
                .unwrap()
                .minor_units(),
            1050
        );
        assert_eq!(
            Money::from_json(&v["c"], Currency::KES)
                .unwrap()
                .minor_units(),
            700
        );
    }

    #[test]
    fn encodes() {
        let m = Money::from_minor(5, Currency::USD);
        assert_eq!(m.to_decimal_string(), "0.05");
        assert_eq!(m.to_plain_string(), "0.05");
        assert_eq!(m.to_json_number().get(), "0.05");
        let m = Money::from_minor(-100_000, Currency::TZS);
        assert_eq!(m.to_decimal_string(), "-1000.00");
        assert_eq!(m.to_plain_string(), "-1000");
        assert_eq!(
            Money::from_minor(1000, Currency::UGX).to_decimal_string(),
            "1000"
        );
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        proptest::sample::select(Currency::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn decimal_round_trip(minor in any::<i64>(), currency in any_currency()) {
            let m = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::from_decimal_str(&m.to_decimal_string(), currency).unwrap(), m);
            prop_assert_eq!(Money::from_decimal_str(&m.to_plain_string(), currency).unwrap(), m);
        }

        #[test]
        fn json_number_round_trip(minor in -999_999_999_999_999i64..=999_999_999_999_999i64, currency in any_currency()) {
            // Through serde_json's f64 reading: exact for every amount of up to 15 significant digits.
            let m = Money::from_minor(minor, currency);
            let v: serde_json::Value = serde_json::from_str(m.to_json_number().get()).unwrap();
            prop_assert_eq!(Money::from_json(&v, currency).unwrap(), m);
        }

        #[test]
        fn parse_never_panics(text in ".{0,40}") {
            let _ = Money::from_decimal_str(&text, Currency::KES);
        }
    }
}
