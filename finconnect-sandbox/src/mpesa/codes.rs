//! STK `ResultCode`s the simulated customer can end a prompt with, and their descriptions
//! (which differ between the callback and the query, as on the wire).

use crate::config::Outcome;
use crate::error::SandboxError;

/// The query's "still under processing": never a final answer.
pub(crate) const STILL_PROCESSING: &str = "4999";
/// Paid.
pub(crate) const PAID: &str = "0";
/// The customer's generic failure: insufficient balance.
pub(crate) const FAILED: &str = "1";
/// The customer dismissed the prompt.
pub(crate) const CANCELLED: &str = "1032";

/// `(code, callback description, query description)` of the documented codes.
const TABLE: &[(&str, &str, &str)] = &[
    (
        "0",
        "The service request is processed successfully.",
        "The service request is processed successfully.",
    ),
    (
        "1",
        "The balance is insufficient for the transaction.",
        "The balance is insufficient for the transaction.",
    ),
    (
        "2",
        "Declined due to limit rule.",
        "Declined due to limit rule.",
    ),
    (
        "3",
        "Declined due to limit rule: greater than the maximum transaction amount.",
        "Declined due to limit rule: greater than the maximum transaction amount.",
    ),
    (
        "4",
        "Declined due to limit rule: would exceed daily transfer limit.",
        "Declined due to limit rule: would exceed daily transfer limit.",
    ),
    (
        "8",
        "Declined due to limit rule: would exceed the maximum balance.",
        "Declined due to limit rule: would exceed the maximum balance.",
    ),
    ("17", "Rule limited.", "Rule limited."),
    (
        "1019",
        "Transaction has expired",
        "Transaction has expired.",
    ),
    (
        "1025",
        "An error occurred while sending a push request.",
        "An error occurred while sending a push request.",
    ),
    (
        "1032",
        "Request cancelled by user",
        "Request Cancelled by user.",
    ),
    (
        "1037",
        "No response from user.",
        "DS timeout user cannot be reached",
    ),
    (
        "2001",
        "The initiator information is invalid.",
        "The initiator information is invalid.",
    ),
    (
        "2028",
        "The request is not permitted according to product assignment.",
        "The request is not permitted according to product assignment.",
    ),
    (
        "8006",
        "The security credential is locked.",
        "The security credential is locked.",
    ),
    (
        "SFC_IC0003",
        "The operator does not exist.",
        "The operator does not exist.",
    ),
];

/// The code a control-API outcome stands for.
pub(crate) fn outcome_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Complete => PAID,
        Outcome::Fail => FAILED,
    }
}

/// Any final code: 1 to 12 letters, digits or `_`, and never `4999` (which is not final).
pub(crate) fn check_settle_code(code: &str) -> Result<(), SandboxError> {
    let shape = !code.is_empty()
        && code.len() <= 12
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !shape || code == STILL_PROCESSING {
        return Err(SandboxError::BadRequest(format!(
            "{code:?} is not a final M-Pesa ResultCode (e.g. 0, 1, 1032, 1037, 2001)"
        )));
    }
    Ok(())
}

fn row(code: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    TABLE.iter().find(|(c, _, _)| *c == code)
}

/// `ResultDesc` of the callback.
pub(crate) fn callback_description(code: &str) -> String {
    row(code).map_or_else(|| format!("Sandbox result {code}."), |r| r.1.to_string())
}

/// `ResultDesc` of the query.
pub(crate) fn query_description(code: &str) -> String {
    row(code).map_or_else(|| format!("Sandbox result {code}."), |r| r.2.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_codes() {
        for ok in ["0", "1", "1032", "1037", "2001", "SFC_IC0003", "9999"] {
            assert!(check_settle_code(ok).is_ok(), "{ok}");
        }
        for bad in ["", "4999", "10 32", "a-b", "1234567890123"] {
            assert!(check_settle_code(bad).is_err(), "{bad}");
        }
        assert_eq!(callback_description("1032"), "Request cancelled by user");
        assert_eq!(query_description("1032"), "Request Cancelled by user.");
        assert_eq!(query_description("77"), "Sandbox result 77.");
    }
}
