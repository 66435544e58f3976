//! The `SecurityCredential` check: the sandbox decrypts it with the private key of its TEST-ONLY
//! certificate ([`crate::credentials::MPESA_CERTIFICATE_PEM`]) and compares the plain text
//! with the initiator password, as Daraja does with Safaricom's key.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};

use crate::credentials::{MPESA_INITIATOR_NAME, MPESA_INITIATOR_PASSWORD, MPESA_PRIVATE_KEY_PEM};

/// What a credential turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    /// Not base64 of an RSA-2048 ciphertext: Daraja refuses it at once
    /// (`Bad Request - Invalid SecurityCredential`).
    Malformed,
    /// Well-formed, but the initiator, the password, the certificate or the padding is wrong:
    /// Daraja accepts the request and answers with result `2001` later.
    Wrong,
    /// The initiator name and password match.
    Valid,
}

fn private_key() -> Option<&'static RsaPrivateKey> {
    static KEY: OnceLock<Option<RsaPrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::from_pkcs8_pem(MPESA_PRIVATE_KEY_PEM).ok())
        .as_ref()
}

/// Checks an initiator name and its `SecurityCredential` (off the async threads: RSA
/// decryption is slow in debug builds).
pub(crate) async fn check(initiator: String, credential: String) -> Credential {
    tokio::task::spawn_blocking(move || check_now(&initiator, &credential))
        .await
        .unwrap_or(Credential::Wrong)
}

fn check_now(initiator: &str, credential: &str) -> Credential {
    let Ok(ciphertext) = STANDARD.decode(credential.trim()) else {
        return Credential::Malformed;
    };
    let Some(key) = private_key() else {
        return Credential::Wrong;
    };
    if ciphertext.len() != rsa::traits::PublicKeyParts::size(key) {
        return Credential::Malformed;
    }
    match key.decrypt(Pkcs1v15Encrypt, &ciphertext) {
        Ok(plain)
            if plain == MPESA_INITIATOR_PASSWORD.as_bytes()
                && initiator == MPESA_INITIATOR_NAME =>
        {
            Credential::Valid
        }
        _ => Credential::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    fn encrypt(password: &[u8]) -> String {
        let key = private_key().expect("the test key parses");
        let public = key.to_public_key();
        assert_eq!(public.size(), 256);
        let c = public
            .encrypt(&mut rand::thread_rng(), Pkcs1v15Encrypt, password)
            .expect("encrypt");
        STANDARD.encode(c)
    }

    #[test]
    fn the_initiator_password_decrypts() {
        let good = encrypt(MPESA_INITIATOR_PASSWORD.as_bytes());
        assert_eq!(good.len(), 344);
        assert_eq!(check_now(MPESA_INITIATOR_NAME, &good), Credential::Valid);
        assert_eq!(check_now("someone-else", &good), Credential::Wrong);
        let wrong = encrypt(b"not the password");
        assert_eq!(check_now(MPESA_INITIATOR_NAME, &wrong), Credential::Wrong);
        assert_eq!(
            check_now(MPESA_INITIATOR_NAME, "%%%"),
            Credential::Malformed
        );
        assert_eq!(
            check_now(MPESA_INITIATOR_NAME, &STANDARD.encode(b"short")),
            Credential::Malformed
        );
    }
}
