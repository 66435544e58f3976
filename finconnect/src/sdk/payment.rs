//! The provider-agnostic payment request and what comes back.

use crate::azampay::MnoProvider;
use crate::{Description, Error, MerchantReference, Money, PaymentStatus, Provider};

/// Who pays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Customer {
    /// Phone number, local or international form (`0712…`, `+255712…`;
    /// M-Pesa: a Kenyan mobile number, `07…`, `01…` or `254…`).
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
}

/// A payment to collect, valid for any provider; each provider checks that the
/// fields it needs are there and names the missing one.
///
/// ```
/// use finconnect::azampay::MnoProvider;
/// use finconnect::sdk::Payment;
/// use finconnect::{Currency, Money};
/// let payment = Payment::new("ORDER1001", Money::from_major(1500, Currency::TZS)?)?
///     .description("Two bags of rice")?
///     .phone("0712345678")
///     .email("amina@example.com")
///     .operator(MnoProvider::Airtel)
///     .callback_url("https://shop.example/paid");
/// assert_eq!(payment.reference.as_str(), "ORDER1001");
/// # Ok::<(), finconnect::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// Your reference for the order (unique per payment).
    pub reference: MerchantReference,
    /// How much.
    pub amount: Money,
    /// What it is for (PesaPal requires it; M-Pesa sends it as
    /// `TransactionDesc`, at most 13 characters).
    pub description: Option<Description>,
    /// Who pays.
    pub customer: Customer,
    /// Where the provider sends the customer's browser afterwards (PesaPal
    /// requires it); M-Pesa: the `CallBackURL` Daraja posts the STK callback
    /// to.
    pub callback_url: Option<String>,
    /// The payer's network (AzamPay requires it).
    pub operator: Option<MnoProvider>,
}

impl Payment {
    /// A payment of `amount` under `reference`.
    pub fn new(reference: impl Into<String>, amount: Money) -> Result<Self, Error> {
        if !amount.is_positive() {
            return Err(Error::invalid("amount", "must be above zero"));
        }
        Ok(Payment {
            reference: MerchantReference::new(reference)?,
            amount,
            description: None,
            customer: Customer::default(),
            callback_url: None,
            operator: None,
        })
    }

    /// Sets the description (1–100 characters).
    pub fn description(mut self, text: impl Into<String>) -> Result<Self, Error> {
        self.description = Some(Description::new(text)?);
        Ok(self)
    }

    /// Sets the payer's phone.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.customer.phone = Some(phone.into());
        self
    }

    /// Sets the payer's e-mail.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.customer.email = Some(email.into());
        self
    }

    /// Sets the payer's names.
    pub fn names(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.customer.first_name = Some(first.into());
        self.customer.last_name = Some(last.into());
        self
    }

    /// Sets the browser return URL.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets the mobile operator (AzamPay needs it; PesaPal and ClickPesa find it
    /// themselves).
    pub fn operator(mut self, operator: MnoProvider) -> Self {
        self.operator = Some(operator);
        self
    }

    pub(crate) fn require<'a, T>(
        provider: Provider,
        field: &str,
        value: Option<&'a T>,
    ) -> Result<&'a T, Error>
    where
        T: ?Sized,
    {
        value
            .ok_or_else(|| Error::invalid(field, format!("{provider} needs the payment's {field}")))
    }
}

/// A payment the provider accepted (not yet paid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentStarted {
    /// Which provider.
    pub provider: Provider,
    /// Your reference.
    pub reference: String,
    /// The provider's id for it (PesaPal order tracking id, AzamPay transaction
    /// id, ClickPesa payment id, M-Pesa `CheckoutRequestID`), when it gave one.
    pub provider_reference: Option<String>,
    /// Where to send the customer (PesaPal), when there is such a page.
    pub redirect_url: Option<String>,
    /// Where it stands now (normally pending).
    pub status: PaymentStatus,
    /// The mobile operator, when the payment named one (AzamPay status queries
    /// need it).
    pub operator: Option<MnoProvider>,
}

/// What to ask the status of.
///
/// - PesaPal: the order tracking id (`PaymentStarted::provider_reference`).
/// - AzamPay: the transaction id and the operator.
/// - ClickPesa: your order reference.
/// - M-Pesa: the `CheckoutRequestID` (`PaymentStarted::provider_reference`).
///
/// `StatusQuery::from(&started)` picks the right one from a [`PaymentStarted`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusQuery {
    /// The reference to ask about.
    pub reference: String,
    /// The operator (AzamPay).
    pub operator: Option<MnoProvider>,
}

impl StatusQuery {
    /// A query for `reference`.
    pub fn new(reference: impl Into<String>) -> Self {
        StatusQuery {
            reference: reference.into(),
            operator: None,
        }
    }

    /// Adds the operator (AzamPay).
    pub fn operator(mut self, operator: MnoProvider) -> Self {
        self.operator = Some(operator);
        self
    }
}

impl From<&str> for StatusQuery {
    fn from(reference: &str) -> Self {
        StatusQuery::new(reference)
    }
}

impl From<&PaymentStarted> for StatusQuery {
    fn from(started: &PaymentStarted) -> Self {
        let reference = match started.provider {
            Provider::Clickpesa => started.reference.clone(),
            _ => started
                .provider_reference
                .clone()
                .unwrap_or_else(|| started.reference.clone()),
        };
        StatusQuery {
            reference,
            operator: started.operator,
        }
    }
}

/// Where a payment stands, as the provider's status query says (trusted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReport {
    /// Which provider.
    pub provider: Provider,
    /// Your reference, when the answer carries it.
    pub reference: Option<String>,
    /// The provider's id for the payment.
    pub provider_reference: Option<String>,
    /// The status.
    pub status: PaymentStatus,
    /// The amount, when the answer carries it.
    pub amount: Option<Money>,
    /// The provider's own words for the status.
    pub raw_status: Option<String>,
}
