//! # finconnect-reqwest
//!
//! Will hold the async client for `finconnect-proto` over `reqwest`: the typed
//! per-provider clients, the `FintechSdk` facade, the single-flight token cache and
//! the retry driver loop. Not implemented yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
