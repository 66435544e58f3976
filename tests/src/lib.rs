//! Integration tests for finconnect live in `tests/tests/`; this library holds
//! shared test helpers.
#![forbid(unsafe_code)]
