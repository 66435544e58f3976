//! Providers and the endpoints the sandbox serves.

/// One of the simulated providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderName {
    /// PesaPal API 3.0.
    Pesapal,
    /// AzamPay.
    Azampay,
    /// ClickPesa.
    Clickpesa,
    /// M-Pesa (Safaricom Daraja, Kenya).
    Mpesa,
}

impl ProviderName {
    /// Lower-case name, as used by the HTTP control surface.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Pesapal => "pesapal",
            ProviderName::Azampay => "azampay",
            ProviderName::Clickpesa => "clickpesa",
            ProviderName::Mpesa => "mpesa",
        }
    }

    /// Parses a name case-insensitively (`"pesapal"`, `"AzamPay"`, `"mpesa"`, `"m-pesa"`, …).
    pub fn parse(name: &str) -> Option<ProviderName> {
        match name.to_ascii_lowercase().as_str() {
            "pesapal" => Some(ProviderName::Pesapal),
            "azampay" => Some(ProviderName::Azampay),
            "clickpesa" => Some(ProviderName::Clickpesa),
            "mpesa" | "m-pesa" | "daraja" => Some(ProviderName::Mpesa),
            _ => None,
        }
    }
}

macro_rules! routes {
    ($( $(#[doc = $doc:literal])* $name:ident => $provider:ident ),* $(,)?) => {
        /// One variant per simulated endpoint; used for fault injection and request counting.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Route {
            $( $(#[doc = $doc])* $name, )*
        }

        impl Route {
            /// Every route, in declaration order.
            pub const ALL: &'static [Route] = &[ $( Route::$name, )* ];

            /// The provider this route belongs to.
            pub fn provider(self) -> ProviderName {
                match self { $( Route::$name => ProviderName::$provider, )* }
            }

            /// The variant name, e.g. `"PesapalAuth"`.
            pub fn name(self) -> &'static str {
                match self { $( Route::$name => stringify!($name), )* }
            }
        }
    };
}

routes! {
    /// PesaPal `POST /api/Auth/RequestToken`.
    PesapalAuth => Pesapal,
    /// PesaPal `POST /api/URLSetup/RegisterIPN`.
    PesapalRegisterIpn => Pesapal,
    /// PesaPal `GET /api/URLSetup/GetIpnList`.
    PesapalIpnList => Pesapal,
    /// PesaPal `POST /api/Transactions/SubmitOrderRequest`.
    PesapalSubmitOrder => Pesapal,
    /// PesaPal `GET /api/Transactions/GetTransactionStatus`.
    PesapalStatus => Pesapal,
    /// PesaPal `POST /api/Transactions/RefundRequest`.
    PesapalRefund => Pesapal,
    /// PesaPal `POST /api/Transactions/CancelOrder`.
    PesapalCancel => Pesapal,
    /// AzamPay `POST /AppRegistration/GenerateToken` (authenticator host).
    AzampayToken => Azampay,
    /// AzamPay `POST /azampay/mno/checkout`.
    AzampayMnoCheckout => Azampay,
    /// AzamPay `POST /azampay/bank/checkout`.
    AzampayBankCheckout => Azampay,
    /// AzamPay `GET /api/v1/Partner/GetPaymentPartners`.
    AzampayPartners => Azampay,
    /// AzamPay `POST /api/v1/Partner/PostCheckout`.
    AzampayPostCheckout => Azampay,
    /// AzamPay (unofficial) `GET /api/v1/partner/gettransactionstatus`.
    AzampayStatus => Azampay,
    /// AzamPay `GET /azampay/v1/public-key`.
    AzampayPublicKey => Azampay,
    /// AzamPay `POST /api/v1/azampay/disburse` (legacy `/azampay/createtransfer`).
    AzampayDisburse => Azampay,
    /// AzamPay `POST /api/v1/azampay/namelookup` (legacy `/azampay/namelookup`).
    AzampayNameLookup => Azampay,
    /// AzamPay `GET /api/v1/azampay/transactionstatus` (legacy `/azampay/gettransactionstatus`).
    AzampayDisbursementStatus => Azampay,
    /// ClickPesa `POST /generate-token`.
    ClickpesaToken => Clickpesa,
    /// ClickPesa `POST /payments/preview-ussd-push-request`.
    ClickpesaUssdPreview => Clickpesa,
    /// ClickPesa `POST /payments/initiate-ussd-push-request`.
    ClickpesaUssdInitiate => Clickpesa,
    /// ClickPesa `POST /payments/preview-card-payment`.
    ClickpesaCardPreview => Clickpesa,
    /// ClickPesa `POST /payments/initiate-card-payment`.
    ClickpesaCardInitiate => Clickpesa,
    /// ClickPesa `GET /payments/{orderReference}`.
    ClickpesaPaymentStatus => Clickpesa,
    /// ClickPesa `GET /payments/all`.
    ClickpesaPaymentsAll => Clickpesa,
    /// ClickPesa `POST /payouts/preview-mobile-money-payout` and `/payouts/preview-bank-payout`.
    ClickpesaPayoutPreview => Clickpesa,
    /// ClickPesa `POST /payouts/create-mobile-money-payout` and `/payouts/create-bank-payout`.
    ClickpesaPayoutCreate => Clickpesa,
    /// ClickPesa `GET /payouts/{orderReference}`.
    ClickpesaPayoutStatus => Clickpesa,
    /// ClickPesa `GET /payouts/all`.
    ClickpesaPayoutsAll => Clickpesa,
    /// ClickPesa `POST /payouts/verify-bank-account`.
    ClickpesaVerifyBankAccount => Clickpesa,
    /// ClickPesa `GET /list/banks`.
    ClickpesaBanks => Clickpesa,
    /// ClickPesa `GET /account/balance`.
    ClickpesaBalance => Clickpesa,
    /// ClickPesa `GET /exchange-rates/all`.
    ClickpesaExchangeRates => Clickpesa,
    /// ClickPesa `POST /checkout-link/generate-checkout-url`.
    ClickpesaCheckoutLink => Clickpesa,
    /// ClickPesa `POST /payout-link/generate-payout-url`.
    ClickpesaPayoutLink => Clickpesa,
    /// M-Pesa `GET /oauth/v1/generate?grant_type=client_credentials`.
    MpesaAuth => Mpesa,
    /// M-Pesa `POST /mpesa/stkpush/v1/processrequest`.
    MpesaStkPush => Mpesa,
    /// M-Pesa `POST /mpesa/stkpushquery/v1/query`.
    MpesaStkQuery => Mpesa,
    /// M-Pesa `POST /mpesa/c2b/v2/registerurl` (and `/v1/`).
    MpesaC2bRegister => Mpesa,
    /// M-Pesa `POST /mpesa/c2b/v2/simulate` (and `/v1/`).
    MpesaC2bSimulate => Mpesa,
    /// M-Pesa `POST /mpesa/b2c/v3/paymentrequest`.
    MpesaB2c => Mpesa,
    /// M-Pesa `POST /mpesa/transactionstatus/v1/query`.
    MpesaTransactionStatus => Mpesa,
    /// M-Pesa `POST /mpesa/accountbalance/v1/query`.
    MpesaAccountBalance => Mpesa,
    /// M-Pesa `POST /mpesa/reversal/v1/request`.
    MpesaReversal => Mpesa,
}
