//! How a token is written into Redis: sealed with the account's key.
//!
//! `<fingerprint>.<expiry>.<sealed>`: 64 hex digits of a keyed SHA-256 of the
//! token (what the scripts compare to drop a refused token), the expiry in
//! nanoseconds since the Unix epoch, and the token encrypted with
//! ChaCha20-Poly1305 under the account's sealing key (random nonce; the account
//! id as associated data), in base64url. A reader of Redis learns neither the
//! token nor the credential; only holders of the credential can open it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use finconnect::driver::AccountKey;
use finconnect::{AccessToken, Secret};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// The keyed fingerprint of `token` (64 hex digits).
pub(super) fn fingerprint(account: &AccountKey, token: &AccessToken) -> String {
    let mut h = Sha256::new();
    h.update(b"finconnect token fingerprint v1");
    h.update(account.sealing_key());
    h.update(token.secret().expose().as_bytes());
    hex(&h.finalize())
}

/// The value to store, or `None` if the system's randomness failed.
pub(super) fn seal(
    account: &AccountKey,
    token: &AccessToken,
    rng: &SystemRandom,
) -> Option<String> {
    let key = key(account)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce).ok()?;
    let mut data = token.secret().expose().as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(account.id().as_bytes()),
        &mut data,
    )
    .ok()?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&data);
    let expiry = token
        .expires_at()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    Some(format!(
        "{}.{expiry}.{}",
        fingerprint(account, token),
        URL_SAFE_NO_PAD.encode(sealed)
    ))
}

/// The token in a stored value; `None` for a value that is not one of ours or
/// does not open under this account's key.
pub(super) fn open(account: &AccountKey, value: &str) -> Option<AccessToken> {
    let mut parts = value.splitn(3, '.');
    let (_fingerprint, expiry, sealed) = (parts.next()?, parts.next()?, parts.next()?);
    let expiry: u128 = expiry.parse().ok()?;
    let secs = u64::try_from(expiry / 1_000_000_000).ok()?;
    let nanos = u32::try_from(expiry % 1_000_000_000).ok()?;
    let expires_at = SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))?;
    let mut sealed = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let mut data = sealed.split_off(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(&sealed).ok()?;
    let plain = key(account)?
        .open_in_place(nonce, Aad::from(account.id().as_bytes()), &mut data)
        .ok()?;
    let text = std::str::from_utf8(plain).ok()?;
    Some(AccessToken::new(Secret::new(text), expires_at))
}

/// The fingerprint at the start of a stored value.
pub(super) fn stored_fingerprint(value: &str) -> &str {
    value.get(..64).unwrap_or(value)
}

fn key(account: &AccountKey) -> Option<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, account.sealing_key())
        .ok()
        .map(LessSafeKey::new)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use finconnect::Provider;

    fn account(secret: &str) -> AccountKey {
        let request = http::Request::post("https://auth.example/token")
            .body(secret.as_bytes().to_vec())
            .unwrap();
        AccountKey::for_auth_request(Provider::Clickpesa, &request)
    }

    #[test]
    fn a_sealed_token_opens_only_under_its_account() {
        let rng = SystemRandom::new();
        let expires = SystemTime::UNIX_EPOCH + Duration::new(1_900_000_000, 123_456_789);
        let token = AccessToken::new(Secret::new("Bearer eyJ.secret.token"), expires);
        let (a, b) = (account("one"), account("two"));
        let value = seal(&a, &token, &rng).unwrap();
        assert!(!value.contains("eyJ"), "{value}");
        assert_eq!(stored_fingerprint(&value), fingerprint(&a, &token));
        assert_eq!(open(&a, &value), Some(token.clone()));
        assert_eq!(open(&b, &value), None);
        assert_eq!(open(&a, "garbage"), None);
        assert_ne!(
            seal(&a, &token, &rng),
            Some(value),
            "a fresh nonce each time"
        );
    }
}
