//! # finconnect-sandbox
//!
//! Will hold a local simulator of PesaPal, AzamPay and ClickPesa. Not implemented yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
