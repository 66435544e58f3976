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
