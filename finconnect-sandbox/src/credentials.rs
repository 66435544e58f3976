//! **TEST-ONLY** credentials the sandbox accepts.
//!
//! These values only unlock the local simulator. They are not provider credentials, have no
//! value anywhere else, and must never be configured in a production deployment.

/// PesaPal consumer key accepted by the sandbox (TEST ONLY).
pub const PESAPAL_CONSUMER_KEY: &str = "sandbox-TEST-ONLY-pesapal-consumer-key";
/// PesaPal consumer secret accepted by the sandbox (TEST ONLY).
pub const PESAPAL_CONSUMER_SECRET: &str = "sandbox-TEST-ONLY-pesapal-consumer-secret";
/// AzamPay app name accepted by the sandbox (TEST ONLY).
pub const AZAMPAY_APP_NAME: &str = "finconnect-sandbox-TEST-ONLY";
/// AzamPay client id accepted by the sandbox (TEST ONLY).
pub const AZAMPAY_CLIENT_ID: &str = "00000000-5a4d-4b00-8000-7e57000000a1";
/// AzamPay client secret accepted by the sandbox (TEST ONLY).
pub const AZAMPAY_CLIENT_SECRET: &str = "c2FuZGJveC1URVNULU9OTFktYXphbXBheS1jbGllbnQtc2VjcmV0";
/// AzamPay API key (`X-API-Key`) of the sandbox app (TEST ONLY; optional on requests).
pub const AZAMPAY_API_KEY: &str = "7e570000-0000-4000-8000-5a4db0c5a9e1";
/// ClickPesa client id accepted by the sandbox (TEST ONLY).
pub const CLICKPESA_CLIENT_ID: &str = "IDsandboxTESTONLY";
/// ClickPesa API key accepted by the sandbox (TEST ONLY).
pub const CLICKPESA_API_KEY: &str = "SKsandbox-TEST-ONLY-clickpesa-api-key";
/// ClickPesa checksum key: requests are verified and webhooks signed with it (TEST ONLY).
pub const CLICKPESA_CHECKSUM_KEY: &str = "sandbox-TEST-ONLY-clickpesa-checksum-key";
/// SPKI PEM of the key that signs the sandbox's AzamPay callbacks (TEST ONLY).
pub const AZAMPAY_PUBLIC_KEY_PEM: &str =
    include_str!("../keys/sandbox-signing-key.TEST-ONLY.pub.pem");
/// PKCS#8 PEM of the sandbox signing key. Published on purpose; TEST ONLY.
pub(crate) const AZAMPAY_PRIVATE_KEY_PEM: &str =
    include_str!("../keys/sandbox-signing-key.TEST-ONLY.pem");
/// M-Pesa (Daraja) consumer key accepted by the sandbox (TEST ONLY).
pub const MPESA_CONSUMER_KEY: &str = "sandboxTESTONLYmpesaConsumerKey";
/// M-Pesa (Daraja) consumer secret accepted by the sandbox (TEST ONLY).
pub const MPESA_CONSUMER_SECRET: &str = "sandboxTESTONLYmpesaConsumerSecret";
/// The M-Pesa Express (STK push) shortcode: Daraja's public sandbox shortcode `174379`.
pub const MPESA_EXPRESS_SHORTCODE: &str = "174379";
/// The passkey of [`MPESA_EXPRESS_SHORTCODE`]: the value Safaricom publishes for its own
/// sandbox shortcode on the Daraja portal (public, TEST ONLY; production passkeys differ).
pub const MPESA_EXPRESS_PASSKEY: &str =
    "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
/// The B2C / C2B shortcode of the sandbox's initiator (TEST ONLY).
pub const MPESA_SHORTCODE: &str = "600984";
/// The initiator name (`InitiatorName` / `Initiator`) the sandbox accepts (TEST ONLY).
pub const MPESA_INITIATOR_NAME: &str = "sandboxTESTONLYinitiator";
/// The initiator password: the plain text a `SecurityCredential` must decrypt to (TEST ONLY).
pub const MPESA_INITIATOR_PASSWORD: &str = "Sandbox-TEST-ONLY-initiator-2026";
/// The sandbox's M-Pesa test customer, Daraja's published test MSISDN.
pub const MPESA_TEST_MSISDN: &str = "254708374149";
/// Self-signed X.509 certificate (PEM) standing in for Safaricom's: encrypt
/// [`MPESA_INITIATOR_PASSWORD`] with its RSA key (PKCS#1 v1.5) to make the
/// `SecurityCredential` the sandbox accepts. TEST ONLY: never configure it for the real Daraja.
pub const MPESA_CERTIFICATE_PEM: &str = include_str!("../keys/mpesa-certificate.TEST-ONLY.pem");
/// PKCS#8 PEM of the key behind [`MPESA_CERTIFICATE_PEM`]. Published on purpose; TEST ONLY.
pub(crate) const MPESA_PRIVATE_KEY_PEM: &str =
    include_str!("../keys/mpesa-initiator-key.TEST-ONLY.pem");
