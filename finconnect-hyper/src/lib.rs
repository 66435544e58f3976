//! # finconnect-hyper
//!
//! Will hold the async client for `finconnect-proto` over hyper 1 and `hyper-util`,
//! and a hyper `Service` that receives IPNs and callbacks. Not implemented yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
