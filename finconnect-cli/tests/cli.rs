//! `--help` on every command, usage errors, and no secret in any output of a
//! failing provider operation.

use std::process::{Command, Output};

fn finconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(args)
        .output()
        .expect("run finconnect")
}

const COMMANDS: &[&[&str]] = &[
    &[],
    &["demo"],
    &["sandbox"],
    &["verify"],
    &["verify", "azampay"],
    &["verify", "clickpesa"],
    &["verify", "pesapal-ipn"],
    &["pesapal"],
    &["pesapal", "register-ipn"],
    &["pesapal", "list-ipns"],
    &["pesapal", "pay"],
    &["pesapal", "status"],
    &["pesapal", "refund"],
    &["pesapal", "cancel"],
    &["azampay"],
    &["azampay", "checkout"],
    &["azampay", "bank-checkout"],
    &["azampay", "partners"],
    &["azampay", "status"],
    &["azampay", "public-key"],
    &["clickpesa"],
    &["clickpesa", "ussd-push"],
    &["clickpesa", "card"],
    &["clickpesa", "status"],
    &["clickpesa", "payments"],
    &["clickpesa", "payout"],
    &["clickpesa", "payout-status"],
    &["clickpesa", "banks"],
    &["clickpesa", "balance"],
    &["clickpesa", "rates"],
    &["clickpesa", "checkout-link"],
];

#[test]
fn help_of_every_command() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let out = finconnect(&args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout.contains("Usage:"), "{args:?}: {stdout}");
    }
}

#[test]
fn help_names_the_credential_variables_without_their_values() {
    let cases: &[(&str, &[&str])] = &[
        (
            "pesapal",
            &["PESAPAL_CONSUMER_KEY", "PESAPAL_CONSUMER_SECRET"],
        ),
        (
            "azampay",
            &[
                "AZAMPAY_APP_NAME",
                "AZAMPAY_CLIENT_ID",
                "AZAMPAY_CLIENT_SECRET",
                "AZAMPAY_API_KEY",
            ],
        ),
        (
            "clickpesa",
            &[
                "CLICKPESA_CLIENT_ID",
                "CLICKPESA_API_KEY",
                "CLICKPESA_CHECKSUM_KEY",
            ],
        ),
    ];
    for (provider, vars) in cases {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_finconnect"));
        cmd.args([provider, "--help"]);
        for v in *vars {
            cmd.env(v, "TOPSECRET-value-in-env");
        }
        let out = cmd.output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for v in *vars {
            assert!(stdout.contains(v), "{provider} --help lacks {v}: {stdout}");
        }
        assert!(!stdout.contains("TOPSECRET"), "{stdout}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["nosuchcommand"],
        vec!["demo", "--provider", "paypal"],
        vec!["sandbox", "--port", "notaport"],
        vec!["pesapal", "--env", "staging", "list-ipns"],
    ] {
        let out = finconnect(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // No --env nor --base-url: a usage error too.
    let out = Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(["pesapal", "list-ipns"])
        .env("PESAPAL_CONSUMER_KEY", "k")
        .env("PESAPAL_CONSUMER_SECRET", "s")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

#[test]
fn no_secret_in_the_output_of_failing_operations() {
    let port = closed_port();
    let base = format!("http://127.0.0.1:{port}");
    let secrets = [
        ("PESAPAL_CONSUMER_KEY", "pp-key-S3CR3T-1111"),
        ("PESAPAL_CONSUMER_SECRET", "pp-secret-S3CR3T-2222"),
        ("AZAMPAY_APP_NAME", "DemoApp"),
        ("AZAMPAY_CLIENT_ID", "az-client-id-3333"),
        ("AZAMPAY_CLIENT_SECRET", "az-secret-S3CR3T-4444"),
        ("AZAMPAY_API_KEY", "az-apikey-S3CR3T-5555"),
        ("CLICKPESA_CLIENT_ID", "IDclient6666"),
        ("CLICKPESA_API_KEY", "cp-apikey-S3CR3T-7777"),
        ("CLICKPESA_CHECKSUM_KEY", "cp-checksum-S3CR3T-8888"),
    ];
    let runs: Vec<Vec<String>> = vec![
        vec![
            "pesapal".into(),
            "--base-url".into(),
            format!("{base}/pesapal/v3"),
            "list-ipns".into(),
        ],
        vec![
            "pesapal".into(),
            "--json".into(),
            "--base-url".into(),
            format!("{base}/pesapal/v3"),
            "status".into(),
            "b945e4af-80a5-4ec1-8706-e03f8332fb04".into(),
        ],
        vec![
            "azampay".into(),
            "--base-url".into(),
            format!("{base}/azampay/checkout"),
            "partners".into(),
        ],
        vec![
            "azampay".into(),
            "--base-url".into(),
            format!("{base}/azampay/checkout"),
            "checkout".into(),
            "--phone".into(),
            "0712345678".into(),
            "--amount".into(),
            "1000".into(),
            "--operator".into(),
            "airtel".into(),
            "--reference".into(),
            "R1".into(),
        ],
        vec![
            "clickpesa".into(),
            "--base-url".into(),
            format!("{base}/clickpesa/third-parties"),
            "balance".into(),
        ],
        vec![
            "clickpesa".into(),
            "--json".into(),
            "--base-url".into(),
            format!("{base}/clickpesa/third-parties"),
            "ussd-push".into(),
            "--amount".into(),
            "1000".into(),
            "--phone".into(),
            "0712345678".into(),
            "--reference".into(),
            "ORDER1".into(),
        ],
    ];
    for args in runs {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_finconnect"));
        cmd.args(&args);
        for (k, v) in secrets {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.trim().is_empty());
        for (name, value) in secrets {
            if name.contains("KEY") || name.contains("SECRET") {
                assert!(!all.contains(value), "{args:?} printed {name}: {all}");
            }
        }
    }
}

#[test]
fn a_public_base_url_refuses_plain_http() {
    let out = Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args([
            "pesapal",
            "--base-url",
            "http://pay.example.com/v3",
            "list-ipns",
        ])
        .env("PESAPAL_CONSUMER_KEY", "k")
        .env("PESAPAL_CONSUMER_SECRET", "s")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https"));
}
