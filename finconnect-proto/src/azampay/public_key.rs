//! AzamPay's callback-signing public key: parsing every documented form, and the
//! [`GetPublicKey`] operation.

use super::config::{checked_path, PublicKeyLocation};
use super::wire as aw;
use super::AzampayConfig;
use crate::operation::{Host, Parts};
use crate::retry::Idempotency;
use crate::{Error, Operation, Provider};
use base64::Engine as _;
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// The smallest key accepted (the documented example is a 2048-bit key).
pub const MIN_KEY_BITS: usize = 2048;
/// The largest key text parsed.
const MAX_KEY_TEXT: usize = 16 * 1024;

/// An RSA public key (2048 to 4096 bits) that signs AzamPay callbacks.
///
/// Accepted forms: PEM SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, the documented
/// form), PEM PKCS#1 (`BEGIN RSA PUBLIC KEY`), either with literal `\n` sequences
/// instead of line breaks, bare base64 DER, and .NET `<RSAKeyValue>` XML.
///
/// ```
/// use finconnect_proto::azampay::AzampayPublicKey;
/// let pem = "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1v7sHLV+K/Vujij1LZpP\\nkehYRioruB+dJKo+aB7nyPV2haWqnKuuKrOP/SEfm8BLa+ZzooDNUF9cgfmfG+50\\nyoM7sI3CjFN4YiPZX58vxhFsQAu+nEk2hKQ0nr0RGdoxgcz19MkgbbKQwzNBza0R\\nZUAW5tMVkChljtrRUptmg4/2KmwCA6pQMt6ffHnd5eZJXkdDHupBAywBYGRMn+6q\\nBbIMu500QtVxpL1vyRDU3Zr+Aw8nlQ3cEKeotU5AYwyp0PfmVIPu+Q2b95yqh63N\\nVLL6Bz4mJMO5K7g77QtpTFRChgXeDeRztQ7TCoqHhF6BRVwfkyNbCLj5RfLQpFgY\\nrwIDAQAB\\n-----END PUBLIC KEY-----";
/// let key = AzampayPublicKey::parse(pem)?;
/// assert_eq!(key.bits(), 2048);
/// # Ok::<(), finconnect_proto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AzampayPublicKey {
    key: RsaPublicKey,
}

fn bad_key(reason: impl fmt::Display) -> Error {
    Error::Signature {
        provider: Provider::Azampay,
        reason: format!("unusable public key: {reason}"),
    }
}

impl AzampayPublicKey {
    /// Parses any accepted text form (see the type docs).
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_KEY_TEXT {
            return Err(bad_key("the key text is too long"));
        }
        let mut t = text.trim().to_owned();
        if t.starts_with('"') {
            t = serde_json::from_str::<String>(&t).map_err(bad_key)?;
        }
        let t = t
            .replace("\\r\\n", "\n")
            .replace("\\n", "\n")
            .replace("\\r", "\n");
        if t.contains("<RSAKeyValue") {
            return Self::from_xml(&t);
        }
        let pkcs1 = t.contains("BEGIN RSA PUBLIC KEY");
        let b64: String = t
            .lines()
            .filter(|l| !l.trim_start().starts_with("-----"))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| bad_key(format!("not base64 ({e}); was the key elided?")))?;
        if pkcs1 {
            Self::from_pkcs1_der(&der)
        } else {
            Self::from_der(&der)
        }
    }

    /// From DER: SubjectPublicKeyInfo, or else PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        match RsaPublicKey::from_public_key_der(der) {
            Ok(key) => Self::checked(key),
            Err(_) => Self::from_pkcs1_der(der),
        }
    }

    /// From PKCS#1 `RSAPublicKey` DER.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::checked(RsaPublicKey::from_pkcs1_der(der).map_err(bad_key)?)
    }

    /// From .NET `<RSAKeyValue><Modulus>…</Modulus><Exponent>…</Exponent></RSAKeyValue>`.
    pub fn from_xml(xml: &str) -> Result<Self, Error> {
        let n = xml_b64(xml, "Modulus")?;
        let e = xml_b64(xml, "Exponent")?;
        let key = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
            .map_err(bad_key)?;
        Self::checked(key)
    }

    fn checked(key: RsaPublicKey) -> Result<Self, Error> {
        let bits = key.n().bits();
        if bits < MIN_KEY_BITS {
            return Err(bad_key(format!(
                "{bits}-bit modulus; at least {MIN_KEY_BITS} bits required"
            )));
        }
        Ok(AzampayPublicKey { key })
    }

    /// The key for the `rsa` crate.
    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// Modulus size in bytes: the length of every valid signature.
    pub fn size(&self) -> usize {
        self.key.size()
    }

    /// PKCS#1 `RSAPublicKey` DER (what `ring` takes).
    pub fn pkcs1_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self
            .key
            .to_pkcs1_der()
            .map_err(bad_key)?
            .as_bytes()
            .to_vec())
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self
            .key
            .to_public_key_der()
            .map_err(bad_key)?
            .as_bytes()
            .to_vec())
    }

    /// SHA-256 of the SPKI DER, lower-case hex: log this to say which key is in use.
    pub fn fingerprint(&self) -> String {
        let der = self.spki_der().unwrap_or_default();
        Sha256::digest(&der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for AzampayPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzampayPublicKey")
            .field("bits", &self.bits())
            .field("sha256", &self.fingerprint())
            .finish()
    }
}

fn xml_b64(xml: &str, tag: &str) -> Result<Vec<u8>, Error> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml
        .find(&open)
        .ok_or_else(|| bad_key(format!("no <{tag}> in the XML key")))?
        + open.len();
    let len = xml
        .get(start..)
        .and_then(|rest| rest.find(&close))
        .ok_or_else(|| bad_key(format!("no </{tag}> in the XML key")))?;
    let inner: String = xml
        .get(start..start + len)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(inner.as_bytes())
        .map_err(|e| bad_key(format!("<{tag}> is not base64 ({e})")))
}

/// Reads a public-key answer: a JSON object with `publicKey` (also `data.publicKey`
/// or a string `data`), a JSON string, or a bare PEM/XML body.
pub fn parse_public_key_response(body: &[u8]) -> Result<AzampayPublicKey, Error> {
    if body.len() > MAX_KEY_TEXT {
        return Err(bad_key("the answer is too long"));
    }
    let text = std::str::from_utf8(body).map_err(bad_key)?.trim();
    if text.starts_with('{') {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::decode("AzamPay public key", e, body, None))?;
        let obj = value.as_object().cloned().unwrap_or_default();
        if aw::boolean(aw::get_ci(&obj, &["success"])) == Some(false) {
            return Err(bad_key(
                aw::message(&obj).unwrap_or_else(|| "the key endpoint refused".to_owned()),
            ));
        }
        let key_text = aw::text_of(&obj, &["publicKey", "key"])
            .or_else(|| aw::data_text(&obj, &["publicKey", "key"]));
        return AzampayPublicKey::parse(
            &key_text.ok_or_else(|| bad_key("no `publicKey` in the answer"))?,
        );
    }
    AzampayPublicKey::parse(text)
}

/// The key format asked for with `?format=`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyFormat {
    /// `format=Pem` (the default).
    #[default]
    Pem,
    /// `format=Xml` (.NET `RSAKeyValue`).
    Xml,
}

/// Fetches AzamPay's callback-signing key (Bearer, plus `X-API-Key` when
/// configured). Where from is set by [`AzampayConfig::with_public_key_location`]:
/// by default the documented `GET {checkout}/azampay/v1/public-key?format=Pem`.
/// **Uncertain**: one integrator saw it answer 404 on the sandbox; prefer a pinned
/// key ([`AzampayConfig::with_pinned_public_key`]) when AzamPay gives you one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetPublicKey {
    /// The format asked for (documented endpoint only).
    pub format: KeyFormat,
}

impl Operation for GetPublicKey {
    type Api = AzampayConfig;
    type Output = AzampayPublicKey;
    const NAME: &'static str = "public-key";
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;

    fn request(&self, api: &AzampayConfig) -> Result<Parts, Error> {
        let format = match self.format {
            KeyFormat::Pem => "Pem",
            KeyFormat::Xml => "Xml",
        };
        Ok(match &api.public_key_location {
            PublicKeyLocation::Documented => {
                Parts::get(Host::Checkout, "/azampay/v1/public-key").query("format", format)
            }
            PublicKeyLocation::Authenticator => Parts::get(Host::Auth, "/api/Token/PublicKey"),
            PublicKeyLocation::CheckoutPath(p) => {
                Parts::get(Host::Checkout, checked_path(p.clone())?)
            }
            PublicKeyLocation::AuthenticatorPath(p) => {
                Parts::get(Host::Auth, checked_path(p.clone())?)
            }
        })
    }

    fn read(&self, response: http::Response<Vec<u8>>) -> Result<AzampayPublicKey, Error> {
        let status = response.status().as_u16();
        if status == 404 {
            return Err(Error::Provider {
                provider: Provider::Azampay,
                code: None,
                message: "the public-key endpoint answered HTTP 404".to_owned(),
                http_status: Some(404),
                hint: Some(
                    "the documented path may not exist on this host; pin the key in the \
                     configuration, or choose another PublicKeyLocation",
                ),
            });
        }
        if !(200..300).contains(&status) {
            if let Ok(value @ Value::Object(_)) =
                crate::wire::from_json(&aw::context(Self::NAME), &response)
            {
                aw::check(Self::NAME, status, &value, None)?;
            }
            let message = format!("the public-key endpoint answered HTTP {status}");
            return Err(aw::provider(None, message, status));
        }
        parse_public_key_response(response.body())
    }
}
