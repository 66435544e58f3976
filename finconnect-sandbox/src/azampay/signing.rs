//! The sandbox's AzamPay signing key: callback signatures and the public-key endpoint.
//!
//! Signature scheme (reference §11.4): RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 bytes of
//! `utilityref + externalreference + transactionstatus + operator` (no separator), standard
//! base64 with padding in the body field `signature`.

use std::sync::OnceLock;

use crate::json::ojson;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use crate::credentials::{AZAMPAY_PRIVATE_KEY_PEM, AZAMPAY_PUBLIC_KEY_PEM};
use crate::http::{Reply, Req};

/// The signing key, parsed once (parsing is slow).
fn signing_key() -> Option<&'static SigningKey<Sha256>> {
    static KEY: OnceLock<Option<SigningKey<Sha256>>> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::from_pkcs8_pem(AZAMPAY_PRIVATE_KEY_PEM)
            .ok()
            .map(SigningKey::<Sha256>::new)
    })
    .as_ref()
}

/// The message AzamPay signs.
pub(crate) fn signed_message(
    utilityref: &str,
    externalreference: &str,
    transactionstatus: &str,
    operator: &str,
) -> String {
    format!("{utilityref}{externalreference}{transactionstatus}{operator}")
}

/// Base64 signature of a message, computed off the async threads.
pub(crate) async fn sign(message: String) -> Option<String> {
    tokio::task::spawn_blocking(move || {
        let key = signing_key()?;
        let signature = key.try_sign(message.as_bytes()).ok()?;
        Some(STANDARD.encode(signature.to_bytes()))
    })
    .await
    .ok()
    .flatten()
}

/// `GET /azampay/v1/public-key?format=Pem|Xml`.
pub(crate) fn public_key_reply(req: &Req) -> Reply {
    let xml = req
        .query_param("format")
        .is_some_and(|f| f.eq_ignore_ascii_case("xml"));
    if !xml {
        return Reply::json(
            200,
            &ojson!({"success": true, "format": "Pem", "publicKey": AZAMPAY_PUBLIC_KEY_PEM}),
        );
    }
    match RsaPublicKey::from_public_key_pem(AZAMPAY_PUBLIC_KEY_PEM) {
        Ok(key) => {
            let xml = format!(
                "<RSAKeyValue><Modulus>{}</Modulus><Exponent>{}</Exponent></RSAKeyValue>",
                STANDARD.encode(key.n().to_bytes_be()),
                STANDARD.encode(key.e().to_bytes_be())
            );
            Reply::json(
                200,
                &ojson!({"success": true, "format": "Xml", "publicKey": xml}),
            )
        }
        Err(_) => Reply::json(
            500,
            &ojson!({"message": "Internal Server Error", "success": false, "statusCode": 500}),
        ),
    }
}
