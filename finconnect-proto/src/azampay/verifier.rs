//! RSASSA-PKCS1-v1_5 + SHA-256 verification behind one trait, with two backends:
//! the pure-Rust `rsa` crate (the default of this crate alone, for targets
//! without ring) and `ring` (feature `ring`, ~14× faster; both adapter crates
//! turn it on, since ring is in their tree through rustls anyway).
//!
//! Build a verifier once per key and reuse it: turning a key into a verifier is
//! the slow part for the `rsa` backend.

use super::public_key::AzampayPublicKey;
use crate::Error;
use rsa::signature::Verifier as _;
use sha2::Sha256;
use std::fmt;

/// Checks an RSASSA-PKCS1-v1_5 / SHA-256 signature over a message.
pub trait Verifier {
    /// Whether `signature` is a valid signature of `message`. Implementations
    /// refuse a signature whose length is not the modulus length.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;

    /// The backend's name, for logs (`rsa`, `ring`).
    fn backend(&self) -> &'static str;
}

impl<V: Verifier + ?Sized> Verifier for &V {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        (**self).verify(message, signature)
    }
    fn backend(&self) -> &'static str {
        (**self).backend()
    }
}

impl<V: Verifier + ?Sized> Verifier for std::sync::Arc<V> {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        (**self).verify(message, signature)
    }
    fn backend(&self) -> &'static str {
        (**self).backend()
    }
}

impl<V: Verifier + ?Sized> Verifier for Box<V> {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        (**self).verify(message, signature)
    }
    fn backend(&self) -> &'static str {
        (**self).backend()
    }
}

/// The `rsa`-crate backend (pure Rust, the default).
#[derive(Clone)]
pub struct RsaVerifier {
    key: rsa::pkcs1v15::VerifyingKey<Sha256>,
    size: usize,
}

impl RsaVerifier {
    /// Prepares a verifier for `key`.
    pub fn new(key: &AzampayPublicKey) -> Self {
        RsaVerifier {
            key: rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.rsa().clone()),
            size: key.size(),
        }
    }
}

impl fmt::Debug for RsaVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaVerifier({} bits)", self.size * 8)
    }
}

impl Verifier for RsaVerifier {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.size {
            return false;
        }
        match rsa::pkcs1v15::Signature::try_from(signature) {
            Ok(sig) => self.key.verify(message, &sig).is_ok(),
            Err(_) => false,
        }
    }

    fn backend(&self) -> &'static str {
        "rsa"
    }
}

/// The `ring` backend (feature `ring`). Holds the PKCS#1 DER form of the key,
/// converted once; `ring` itself re-reads those bytes on each call (cheap).
#[cfg(feature = "ring")]
#[derive(Clone)]
pub struct RingVerifier {
    key: ring::signature::UnparsedPublicKey<Vec<u8>>,
    size: usize,
}

#[cfg(feature = "ring")]
impl RingVerifier {
    /// Prepares a verifier for `key`.
    pub fn new(key: &AzampayPublicKey) -> Result<Self, Error> {
        Ok(RingVerifier {
            key: ring::signature::UnparsedPublicKey::new(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                key.pkcs1_der()?,
            ),
            size: key.size(),
        })
    }
}

#[cfg(feature = "ring")]
impl fmt::Debug for RingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RingVerifier({} bits)", self.size * 8)
    }
}

#[cfg(feature = "ring")]
impl Verifier for RingVerifier {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        signature.len() == self.size && self.key.verify(message, signature).is_ok()
    }

    fn backend(&self) -> &'static str {
        "ring"
    }
}

/// The verifier the crate's features select: `ring` when enabled, else `rsa`.
pub fn default_verifier(key: &AzampayPublicKey) -> Result<Box<dyn Verifier + Send + Sync>, Error> {
    #[cfg(feature = "ring")]
    {
        Ok(Box::new(RingVerifier::new(key)?))
    }
    #[cfg(not(feature = "ring"))]
    {
        Ok(Box::new(RsaVerifier::new(key)))
    }
}
