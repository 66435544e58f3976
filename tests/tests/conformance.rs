//! The conformance suite: the same scenarios against both adapters
//! (`over_reqwest::…` and `over_hyper::…`), each test with its own sandbox.
//!
//! - `pesapal`, `azampay`, `clickpesa`, `mpesa`: every operation of every provider through
//!   `Driver::execute`, with notifications delivered to a local merchant listener
//!   and verified with the core's parsers;
//! - `tokens`: single-flight authentication and one refresh after a refused token,
//!   counted on the sandbox;
//! - `retries`: what is retried, what is not, and `OutcomeUnknown` for payments.

mod conformance {
    pub mod azampay;
    pub mod clickpesa;
    pub mod edges;
    pub mod mpesa;
    pub mod pesapal;
    pub mod retries;
    pub mod tokens;
}
