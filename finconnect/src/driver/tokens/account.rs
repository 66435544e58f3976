//! Which provider account a token belongs to, without the credential.

use crate::Provider;
use sha2::{Digest, Sha256};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The name of one provider account (credential + environment), under which a
/// [`TokenStore`](super::TokenStore) keeps its token.
///
/// It is computed from the account's own token request as the core builds it
/// (method, URI, every header but `User-Agent`, body): different credentials or
/// environments give different keys, the same configuration on every instance
/// of a fleet gives the same key, and the key is a SHA-256 digest — it never
/// holds the credential. [`AccountKey::id`] reads `provider:` and 64 hex digits.
///
/// A second digest of the same request, under another label, is the
/// [`sealing key`](AccountKey::sealing_key): a secret only holders of the
/// credential can compute, with which a shared store encrypts the tokens it keeps
/// (a reader of the store alone cannot use them). `Debug` shows the id only.
///
/// ```
/// use finconnect::driver::AccountKey;
/// use finconnect::Provider;
///
/// let request = |secret: &str| {
///     http::Request::post("https://pay.example/api/Auth/RequestToken")
///         .header("user-agent", "finconnect/0.1.0")
///         .body(format!(r#"{{"consumer_key":"k","consumer_secret":"{secret}"}}"#).into_bytes())
///         .unwrap()
/// };
/// let a = AccountKey::for_auth_request(Provider::Pesapal, &request("s3cr3t"));
/// let b = AccountKey::for_auth_request(Provider::Pesapal, &request("other"));
/// assert!(a.id().starts_with("pesapal:"));
/// assert_ne!(a, b);
/// assert!(!a.id().contains("s3cr3t"));
/// assert!(!format!("{a:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct AccountKey {
    id: Arc<str>,
    sealing: [u8; 32],
}

impl AccountKey {
    /// The key of the account whose token request this is.
    pub fn for_auth_request(provider: Provider, request: &http::Request<Vec<u8>>) -> Self {
        let id = digest(b"finconnect account key v1", request);
        let sealing = digest(b"finconnect token sealing key v1", request);
        let mut text = String::with_capacity(provider.as_str().len() + 1 + 64);
        text.push_str(provider.as_str());
        text.push(':');
        for byte in id {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        AccountKey {
            id: Arc::from(text),
            sealing,
        }
    }

    /// A key for an account whose token request could not be built (the
    /// configuration is broken, so no token will ever be fetched for it).
    pub(crate) fn unbuildable(provider: Provider) -> Self {
        AccountKey {
            id: Arc::from(format!("{}:unbuildable", provider.as_str())),
            sealing: [0; 32],
        }
    }

    /// `provider:` and the hex SHA-256 of the token request: safe to log and to
    /// use in a store's key names.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A secret derived from the credential: the key a shared store encrypts
    /// this account's tokens with. Never log it.
    pub fn sealing_key(&self) -> &[u8; 32] {
        &self.sealing
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// SHA-256 of `label` and the request's parts, each length-prefixed.
fn digest(label: &[u8], request: &http::Request<Vec<u8>>) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(label);
    field(request.method().as_str().as_bytes());
    field(request.uri().to_string().as_bytes());
    for (name, value) in request.headers() {
        if name == http::header::USER_AGENT {
            continue;
        }
        field(name.as_str().as_bytes());
        field(value.as_bytes());
    }
    field(request.body());
    h.finalize().into()
}

impl PartialEq for AccountKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for AccountKey {}

impl Hash for AccountKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccountKey").field(&&*self.id).finish()
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}
