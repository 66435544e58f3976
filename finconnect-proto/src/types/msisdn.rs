use crate::Error;
use std::fmt;

/// A mobile number in international form without `+` (`255712345678`).
///
/// Local forms are normalised with a default country code: `0712 345 678`,
/// `+255 712 345 678` and `712345678` all become `255712345678` for Tanzania.
/// `Debug` masks the middle digits so logs never carry a full number.
///
/// ```
/// use finconnect_proto::Msisdn;
/// let m = Msisdn::parse("0712 345 678", "255").unwrap();
/// assert_eq!(m.as_str(), "255712345678");
/// assert_eq!(Msisdn::parse("+254712345678", "255").unwrap().as_str(), "254712345678");
/// assert_eq!(format!("{m:?}"), "Msisdn(2557*****678)");
/// assert!(Msisdn::parse("12ab", "255").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Msisdn(String);

impl Msisdn {
    /// Normalises `raw`, using `country_code` (digits, e.g. `"255"`) for local forms.
    pub fn parse(raw: &str, country_code: &str) -> Result<Self, Error> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let (international, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest.to_owned()),
            None => match compact.strip_prefix("00") {
                Some(rest) => (true, rest.to_owned()),
                None => (false, compact),
            },
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "phone number",
                "must be digits, optionally with a leading '+' or '0'",
            ));
        }
        let full = if international || digits.starts_with(country_code) && digits.len() >= 11 {
            digits
        } else if let Some(local) = digits.strip_prefix('0') {
            format!("{country_code}{local}")
        } else {
            format!("{country_code}{digits}")
        };
        if !(10..=15).contains(&full.len()) {
            return Err(Error::invalid(
                "phone number",
                format!(
                    "{} digits with the country code; expected 10 to 15",
                    full.len()
                ),
            ));
        }
        Ok(Msisdn(full))
    }

    /// The number, digits only, with the country code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle digits masked, for logs: `2557*****678`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks all but the first four and last three characters of a phone number.
pub fn mask_phone(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

impl fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msisdn({})", self.masked())
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}
