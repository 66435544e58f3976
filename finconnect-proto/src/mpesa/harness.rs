//! Fuzz harnesses (`fuzz/fuzz_targets/mpesa_*.rs`).
#![allow(clippy::expect_used, clippy::unwrap_used)]
