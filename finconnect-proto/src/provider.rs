//! The providers finconnect speaks to.

use std::fmt;

/// A payment provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// PesaPal API 3.0 (Kenya, Uganda, Tanzania, …).
    Pesapal,
    /// AzamPay (Tanzania).
    Azampay,
    /// ClickPesa (Tanzania).
    Clickpesa,
    /// Safaricom M-Pesa, through the Daraja API (Kenya).
    Mpesa,
}

impl Provider {
    /// The provider's name in lower case, as used in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Pesapal => "pesapal",
            Provider::Azampay => "azampay",
            Provider::Clickpesa => "clickpesa",
            Provider::Mpesa => "mpesa",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
