//! `finconnect verify mpesa` over the Daraja notifications in
//! `tests/data/mpesa/`: exit 0 when well-formed, 2 when malformed or
//! unreadable — never 1, since nothing is signed.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mpesa")
        .join(rel)
}

fn finconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(args)
        .output()
        .expect("run finconnect")
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn verify_json(file: &str, kind: Option<&str>) -> Value {
    let path = data(file);
    let mut args = vec!["verify", "mpesa", path.to_str().unwrap(), "--json"];
    if let Some(kind) = kind {
        args.extend(["--as", kind]);
    }
    let out = finconnect(&args);
    assert_eq!(out.status.code(), Some(0), "{file}: {}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn every_case_exits_0_when_well_formed_and_2_when_malformed() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(data(""))
        .expect("data dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out = finconnect(&["verify", "mpesa", path.to_str().unwrap(), "--json"]);
        if name.starts_with("valid__") {
            assert_eq!(out.status.code(), Some(0), "{name}: {}", describe(&out));
            let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
            assert_eq!(v["trust"], "unverified", "{name}");
            for key in ["kind", "status", "result_code", "amount", "receipt"] {
                assert!(v.get(key).is_some(), "{name}: no {key}");
            }
        } else {
            assert_eq!(out.status.code(), Some(2), "{name}: {}", describe(&out));
            assert!(out.stdout.is_empty(), "{name}: {}", describe(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("malformed"),
                "{name}: {}",
                describe(&out)
            );
        }
    }
}

#[test]
fn an_stk_callback_is_read_by_result_code_with_its_claims() {
    let v = verify_json("valid__stk_callback_success.json", None);
    assert_eq!(v["kind"], "stk_callback");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["result_code"], "0");
    assert_eq!(v["amount"], "1.00");
    assert_eq!(v["receipt"], "QKH94M1Z11");
    let cancelled = verify_json("valid__stk_callback_cancelled.json", None);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["result_code"], "1032");
    assert_eq!(cancelled["amount"], Value::Null);
    assert_eq!(cancelled["receipt"], Value::Null);
    assert_eq!(
        verify_json("valid__stk_callback_wrong_pin_2001.json", None)["status"],
        "failed"
    );
}

#[test]
fn an_unknown_result_code_is_unknown_never_failed() {
    let v = verify_json("valid__stk_unknown_code.json", None);
    assert_eq!(v["result_code"], "9999");
    assert_eq!(v["status"], "unknown");
}

#[test]
fn a_c2b_body_is_a_confirmation_unless_told_otherwise() {
    let v = verify_json("valid__c2b_validation.json", None);
    assert_eq!(v["kind"], "c2b_confirmation");
    assert_eq!(v["amount"], "10.00");
    assert_eq!(v["receipt"], "YUNV2HE5W9");
    let as_validation = verify_json("valid__c2b_validation.json", Some("c2b-validation"));
    assert_eq!(as_validation["kind"], "c2b_validation");
    assert_eq!(as_validation["ack"]["ResultCode"], "0");
}

#[test]
fn a_result_is_detected_and_read() {
    let v = verify_json("valid__b2c_result_success.json", None);
    assert_eq!(v["kind"], "result");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["amount"], "2000.00");
    assert_eq!(v["receipt"], "OG201HCA8W");
}

#[test]
fn a_body_read_as_the_wrong_kind_is_malformed() {
    let path = data("valid__c2b_confirmation.json");
    let out = finconnect(&["verify", "mpesa", "--as", "stk", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn a_missing_file_is_unreadable_exit_2() {
    let path = data("no-such-file.json");
    let out = finconnect(&["verify", "mpesa", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
