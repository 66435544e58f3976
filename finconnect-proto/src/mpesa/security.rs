//! The initiator of the disbursement family and its `SecurityCredential`: the
//! initiator password encrypted with RSA PKCS#1 v1.5 to the public key of the
//! certificate Safaricom publishes for each environment, base64-encoded.

use super::types::Shortcode;
use crate::{Error, Secret};
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::rand_core::CryptoRngCore;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPublicKey};
use std::fmt;
use x509_cert::der::{DecodePem, Encode};

/// The smallest key accepted (Safaricom's certificates carry 2048-bit keys).
pub const MIN_CERTIFICATE_KEY_BITS: usize = 2048;

/// Safaricom's public key for one environment, read from the certificate it
/// publishes (`-----BEGIN CERTIFICATE-----`, the `.cer` file in PEM form), or
/// from the bare key (`PUBLIC KEY` or `RSA PUBLIC KEY` PEM).
///
/// Sandbox and production use different certificates, and several copies
/// circulate: take the one for your environment from the Daraja portal and
/// pass it in the configuration — finconnect ships none. An expired
/// certificate still works (only its key is used).
#[derive(Clone, PartialEq, Eq)]
pub struct SafaricomCertificate {
    key: RsaPublicKey,
}

impl SafaricomCertificate {
    /// Reads a certificate (or public key) in PEM form.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let pem = pem.trim();
        let key = if pem.contains("-----BEGIN CERTIFICATE-----") {
            let cert = x509_cert::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                Error::config(format!(
                    "Safaricom's certificate is not a readable X.509 PEM: {e}"
                ))
            })?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| Error::config(format!("Safaricom's certificate: {e}")))?;
            RsaPublicKey::from_public_key_der(&spki).map_err(|e| {
                Error::config(format!(
                    "Safaricom's certificate does not hold an RSA key: {e}"
                ))
            })?
        } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem)
                .map_err(|e| Error::config(format!("Safaricom's RSA public key: {e}")))?
        } else if pem.contains("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(pem)
                .map_err(|e| Error::config(format!("Safaricom's public key: {e}")))?
        } else {
            return Err(Error::config(
                "Safaricom's certificate must be PEM (-----BEGIN CERTIFICATE-----); convert a DER .cer with `openssl x509 -inform der -in cert.cer -out cert.pem`",
            ));
        };
        let bits = key.size() * 8;
        if bits < MIN_CERTIFICATE_KEY_BITS {
            return Err(Error::config(format!(
                "Safaricom's certificate holds a {bits}-bit key; at least {MIN_CERTIFICATE_KEY_BITS} bits are expected"
            )));
        }
        Ok(SafaricomCertificate { key })
    }

    /// The key size in bits.
    pub fn key_bits(&self) -> usize {
        self.key.size() * 8
    }

    /// Encrypts `password` (its UTF-8 bytes, as they are) with RSA PKCS#1 v1.5
    /// and encodes it in standard base64 (344 characters for a 2048-bit key).
    /// The padding is random: each call gives another valid credential.
    pub fn encrypt<R: CryptoRngCore>(
        &self,
        password: &Secret,
        rng: &mut R,
    ) -> Result<SecurityCredential, Error> {
        let sealed = self
            .key
            .encrypt(rng, Pkcs1v15Encrypt, password.expose().as_bytes())
            .map_err(|e| Error::Encode {
                reason: format!("the SecurityCredential: {e}"),
            })?;
        Ok(SecurityCredential(Secret::new(
            base64::engine::general_purpose::STANDARD.encode(sealed),
        )))
    }
}

impl fmt::Debug for SafaricomCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafaricomCertificate(RSA-{})", self.key_bits())
    }
}

/// A `SecurityCredential`: the initiator password, encrypted. `Debug` redacts
/// it. Make one with [`MpesaConfig::security_credential`](super::MpesaConfig::security_credential)
/// (or [`Initiator::security_credential`]) and reuse it across requests, or
/// wrap one the Daraja portal generated with [`SecurityCredential::precomputed`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityCredential(Secret);

impl SecurityCredential {
    /// A credential computed elsewhere (the portal's "test credentials" page).
    pub fn precomputed(value: impl Into<Secret>) -> Result<Self, Error> {
        let value = value.into();
        if value.expose().trim().is_empty() {
            return Err(Error::invalid("SecurityCredential", "is empty"));
        }
        Ok(SecurityCredential(value))
    }

    /// The credential, to put on the wire.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for SecurityCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCredential([REDACTED])")
    }
}

/// The API operator ("initiator") of the disbursement family: the shortcode it
/// acts for, its user name and password, and the certificate of the
/// environment. `Debug` never shows the password.
///
/// ```
/// use finconnect_proto::mpesa::{Initiator, Shortcode};
/// // Safaricom's certificate for the environment (here: the project's test
/// // certificate, not Safaricom's).
/// # let pem = include_str!("../../tests/fixtures/mpesa/test-initiator-cert.pem");
/// let initiator = Initiator::new(Shortcode::new("600992")?, "testapi", "s3cr3t-pw", pem)?;
/// assert!(!format!("{initiator:?}").contains("s3cr3t-pw"));
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone)]
pub struct Initiator {
    shortcode: Shortcode,
    name: String,
    password: Secret,
    certificate: SafaricomCertificate,
}

impl Initiator {
    /// An initiator of `shortcode`, with its name, password and Safaricom's
    /// certificate (PEM) for the environment.
    pub fn new(
        shortcode: Shortcode,
        name: impl Into<String>,
        password: impl Into<Secret>,
        certificate_pem: &str,
    ) -> Result<Self, Error> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(Error::config("the M-Pesa initiator name is empty"));
        }
        let password = password.into();
        if password.expose().is_empty() {
            return Err(Error::config("the M-Pesa initiator password is empty"));
        }
        Ok(Initiator {
            shortcode,
            name: name.trim().to_owned(),
            password,
            certificate: SafaricomCertificate::from_pem(certificate_pem)?,
        })
    }

    /// The shortcode it acts for (B2C `PartyA`, the balance's and reversal's
    /// party, the default transaction-status party).
    pub fn shortcode(&self) -> &Shortcode {
        &self.shortcode
    }

    /// The user name (`InitiatorName` for B2C, `Initiator` elsewhere).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The certificate.
    pub fn certificate(&self) -> &SafaricomCertificate {
        &self.certificate
    }

    /// A fresh `SecurityCredential`, with randomness from `rng`.
    pub fn security_credential<R: CryptoRngCore>(
        &self,
        rng: &mut R,
    ) -> Result<SecurityCredential, Error> {
        self.certificate.encrypt(&self.password, rng)
    }
}

impl fmt::Debug for Initiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Initiator")
            .field("shortcode", &self.shortcode)
            .field("name", &self.name)
            .field("password", &self.password)
            .field("certificate", &self.certificate)
            .finish()
    }
}
