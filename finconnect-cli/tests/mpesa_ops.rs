//! `finconnect mpesa <op>`: what is refused before anything is sent.

use std::process::{Command, Output};

fn mpesa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .arg("mpesa")
        .args(args)
        .env("MPESA_CONSUMER_KEY", "test-key")
        .env("MPESA_CONSUMER_SECRET", "test-secret")
        .env("MPESA_SHORTCODE", "174379")
        .env("MPESA_PASSKEY", "test-passkey")
        .env_remove("MPESA_INITIATOR_NAME")
        .env_remove("MPESA_INITIATOR_PASSWORD")
        .env_remove("MPESA_CERTIFICATE")
        .output()
        .expect("run finconnect")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback port nobody listens on: anything sent there fails to connect.
const NOWHERE: &str = "http://127.0.0.1:9";

#[test]
fn without_a_target_it_is_a_usage_error() {
    let out = mpesa(&["stk-query", "ws_CO_1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--env"), "{}", stderr(&out));
}

#[test]
fn an_stk_push_with_cents_is_refused_naming_the_amount() {
    let out = mpesa(&[
        "--base-url",
        NOWHERE,
        "stk-push",
        "--amount",
        "10.50",
        "--phone",
        "0712345678",
        "--reference",
        "ORDER7",
        "--callback-url",
        "http://127.0.0.1:8080/cb",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("amount"), "{}", stderr(&out));
    assert!(stderr(&out).contains("whole shillings"), "{}", stderr(&out));
}

#[test]
fn an_stk_push_to_a_foreign_phone_is_refused() {
    let out = mpesa(&[
        "--base-url",
        NOWHERE,
        "stk-push",
        "--amount",
        "10",
        "--phone",
        "+255712345678",
        "--reference",
        "ORDER7",
        "--callback-url",
        "http://127.0.0.1:8080/cb",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("Kenyan"), "{}", stderr(&out));
}

#[test]
fn the_disbursement_family_needs_the_initiator() {
    let out = mpesa(&[
        "--base-url",
        NOWHERE,
        "balance",
        "--result-url",
        "http://127.0.0.1:8080/result",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("MPESA_INITIATOR_NAME"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn secrets_are_never_printed() {
    let out = mpesa(&["--base-url", NOWHERE, "auth"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    for secret in ["test-secret", "test-passkey"] {
        assert!(!all.contains(secret), "{all}");
    }
}
