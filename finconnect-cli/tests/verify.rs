//! `finconnect verify` on the vector cases in `tests/data/`: exit 0 when valid,
//! 1 when tampered, unsigned or malformed, 2 on usage errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn finconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(args)
        .env_remove("CLICKPESA_CHECKSUM_KEY")
        .output()
        .expect("run finconnect")
}

fn cases(dir: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(data(dir))
        .expect("data dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, p)
        })
        .collect();
    out.sort();
    out
}

fn expected_code(name: &str) -> i32 {
    if name.starts_with("valid__") {
        0
    } else {
        1
    }
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn azampay_signature_vectors() {
    let key = data("azampay/public_key.pem");
    let all = cases("azampay");
    assert!(all.len() >= 13);
    for (name, path) in all {
        let out = finconnect(&[
            "verify",
            "azampay",
            "--public-key",
            key.to_str().unwrap(),
            path.to_str().unwrap(),
        ]);
        let want = expected_code(&name);
        assert_eq!(out.status.code(), Some(want), "{name}: {}", describe(&out));
        if want == 1 {
            assert!(out.stdout.is_empty(), "{name}: {}", describe(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("rejected"),
                "{name}: {}",
                describe(&out)
            );
        }
    }
}

#[test]
fn azampay_json_is_the_normalised_event() {
    let out = finconnect(&[
        "verify",
        "azampay",
        "--json",
        "--public-key",
        data("azampay/public_key.pem").to_str().unwrap(),
        data("azampay/valid__valid_four_field.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["provider"], "azampay");
    assert_eq!(v["reference"], "vendor-ref-001");
    assert_eq!(v["provider_reference"], "pg-ref-001");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["trust"], "signature");
    assert_eq!(v["amount"]["amount"], "1000.00");
    assert_eq!(v["amount"]["currency"], "TZS");
    assert!(v["dedupe_key"].as_str().is_some_and(|k| !k.is_empty()));
    // The payer's number is masked even in JSON.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("255712345678"));
}

#[test]
fn azampay_human_output_masks_the_phone() {
    let out = finconnect(&[
        "verify",
        "azampay",
        "--public-key",
        data("azampay/public_key.pem").to_str().unwrap(),
        data("azampay/valid__valid_four_field.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("signature valid"), "{stdout}");
    assert!(!stdout.contains("255712345678"), "{stdout}");
    assert!(stdout.contains("2557*****678"), "{stdout}");
}

#[test]
fn azampay_unusable_key_is_rejected() {
    let out = finconnect(&[
        "verify",
        "azampay",
        "--public-key",
        data("azampay/not_a_key.pem").to_str().unwrap(),
        data("azampay/valid__valid_four_field.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let missing = finconnect(&[
        "verify",
        "azampay",
        "--public-key",
        data("azampay/no-such-file.pem").to_str().unwrap(),
        data("azampay/valid__valid_four_field.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1), "{}", describe(&missing));
}

#[test]
fn clickpesa_checksum_vectors() {
    let all = cases("clickpesa");
    assert!(all.len() >= 6);
    for (name, path) in all {
        let key = name
            .split(".key-")
            .nth(1)
            .map(|k| k.trim_end_matches(".json").to_owned())
            .unwrap_or_else(|| "secret-key".to_owned());
        let out = finconnect(&[
            "verify",
            "clickpesa",
            "--checksum-key",
            &key,
            path.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(expected_code(&name)),
            "{name}: {}",
            describe(&out)
        );
    }
}

#[test]
fn clickpesa_key_from_the_environment_and_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(["verify", "clickpesa", "--json"])
        .arg(data(
            "clickpesa/valid__verify_webhook_valid.key-secret-key.json",
        ))
        .env("CLICKPESA_CHECKSUM_KEY", "secret-key")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["provider"], "clickpesa");
    assert_eq!(v["kind"], "PAYMENT RECEIVED");
    assert_eq!(v["reference"], "ORD123456");
    assert_eq!(v["provider_reference"], "ORD123456LCP7890");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["amount"]["amount"], "10000.00");
    // Fixed size, built from checksum-covered fields only.
    let key = v["dedupe_key"].as_str().expect("a dedupe key");
    assert!(key.starts_with("clickpesa:") && key.len() == "clickpesa:".len() + 64);
    // The key never appears in the output.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("secret-key"));
}

#[test]
fn pesapal_ipn_fixtures_parse() {
    let query = std::fs::read_to_string(data("pesapal/ipn_get_query.txt")).unwrap();
    let out = finconnect(&["verify", "pesapal-ipn", "--json", "--query", query.trim()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["provider"], "pesapal");
    assert_eq!(v["kind"], "IPNCHANGE");
    assert_eq!(
        v["provider_reference"],
        "b945e4af-80a5-4ec1-8706-e03f8332fb04"
    );
    assert_eq!(v["reference"], "TEST1515111119");
    // An IPN's key needs the confirmed status: none before confirmation.
    assert!(v["dedupe_key"].is_null());
    // The ack has the shape of PesaPal's documented one, echoing this IPN.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("pesapal/ipn_ack.json")).unwrap())
            .unwrap();
    let ack = &v["ack"];
    let keys = |o: &serde_json::Value| {
        let mut k: Vec<String> = o.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(ack), keys(&doc));
    assert_eq!(ack["status"], 200);
    assert_eq!(ack["orderTrackingId"], v["provider_reference"]);
    assert_eq!(ack["orderNotificationType"], "IPNCHANGE");

    // A full URL works too, and so do the recurring and redirect forms.
    let url = format!("https://shop.example/ipn?{}", query.trim());
    assert_eq!(
        finconnect(&["verify", "pesapal-ipn", "--query", &url])
            .status
            .code(),
        Some(0)
    );
    for file in ["ipn_recurring_get_query.txt", "callback_redirect_query.txt"] {
        let q = std::fs::read_to_string(data(&format!("pesapal/{file}"))).unwrap();
        let out = finconnect(&["verify", "pesapal-ipn", "--query", q.trim()]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", describe(&out));
    }
    let recurring = std::fs::read_to_string(data("pesapal/ipn_recurring_get_query.txt")).unwrap();
    let out = finconnect(&[
        "verify",
        "pesapal-ipn",
        "--json",
        "--query",
        recurring.trim(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "RECURRING");
    assert_eq!(v["ack"]["orderNotificationType"], "RECURRING");
}

#[test]
fn pesapal_ipn_post_body() {
    let body = data("pesapal/ipn_post_body.json");
    let out = finconnect(&["verify", "pesapal-ipn", "--body", body.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = finconnect(&[
        "verify",
        "pesapal-ipn",
        "--json",
        "--body",
        body.to_str().unwrap(),
        "--content-type",
        "application/json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["provider_reference"],
        "b945e4af-80a5-4ec1-8706-e03f8332fb04"
    );
}

#[test]
fn pesapal_ipn_malformed_is_rejected() {
    let out = finconnect(&[
        "verify",
        "pesapal-ipn",
        "--body",
        data("pesapal/malformed_body.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let out = finconnect(&[
        "verify",
        "pesapal-ipn",
        "--query",
        "OrderNotificationType=IPNCHANGE",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let out = finconnect(&["verify", "pesapal-ipn", "--query", ""]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn usage_errors_exit_2() {
    let key = data("azampay/public_key.pem");
    let cb = data("azampay/valid__valid_four_field.json");
    let hook = data("clickpesa/valid__verify_webhook_valid.key-secret-key.json");
    let usage: Vec<Vec<&str>> = vec![
        vec!["verify"],
        vec!["verify", "nosuchprovider"],
        vec!["verify", "azampay", cb.to_str().unwrap()],
        vec!["verify", "azampay", "--public-key", key.to_str().unwrap()],
        vec!["verify", "clickpesa", hook.to_str().unwrap()],
        vec!["verify", "pesapal-ipn"],
        vec![
            "verify",
            "pesapal-ipn",
            "--query",
            "a=b",
            "--body",
            "x.json",
        ],
        vec![
            "verify",
            "pesapal-ipn",
            "--query",
            "a=b",
            "--content-type",
            "text/plain",
        ],
        vec![
            "verify",
            "azampay",
            "--public-key",
            key.to_str().unwrap(),
            cb.to_str().unwrap(),
            "--bogus",
        ],
    ];
    for args in usage {
        let out = finconnect(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
}
