//! Constant-time comparison of secrets, checksums and signatures.

use subtle::ConstantTimeEq;

/// Compares two byte strings in time that depends only on their lengths.
///
/// ```
/// assert!(finconnect_proto::ct::eq(b"abc", b"abc"));
/// assert!(!finconnect_proto::ct::eq(b"abc", b"abd"));
/// assert!(!finconnect_proto::ct::eq(b"abc", b"ab"));
/// ```
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}
