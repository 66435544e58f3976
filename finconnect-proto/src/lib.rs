//! finconnect-proto: the sans-IO core (being written).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
