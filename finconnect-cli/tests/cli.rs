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

/// A `finconnect sandbox` process, killed when dropped.
struct SandboxProcess {
    child: std::process::Child,
    origin: String,
    banner: Vec<String>,
}

impl SandboxProcess {
    fn start(extra: &[&str]) -> SandboxProcess {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_finconnect"))
            .args(["sandbox", "--port", "0"])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn finconnect sandbox");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut banner = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("banner line");
            let blank = line.is_empty();
            banner.push(line);
            if blank {
                break;
            }
        }
        let origin = banner
            .first()
            .and_then(|l| l.split_whitespace().find(|w| w.starts_with("http://")))
            .expect("origin in the first banner line")
            .to_string();
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        SandboxProcess {
            child,
            origin,
            banner,
        }
    }

    /// One HTTP/1.1 exchange over a plain socket: (status, body).
    fn post(&self, path: &str, body: &str) -> (u16, Vec<u8>) {
        use std::io::{Read, Write};
        let addr = self.origin.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        (status, raw[split + 4..].to_vec())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PesaPal token's expiry as the core reads it, and the clock before and after.
fn pesapal_token_expiry(
    sandbox: &SandboxProcess,
) -> (
    std::time::SystemTime,
    std::time::SystemTime,
    std::time::SystemTime,
) {
    use finconnect::Operation;
    let body = serde_json::json!({
        "consumer_key": finconnect_sandbox::credentials::PESAPAL_CONSUMER_KEY,
        "consumer_secret": finconnect_sandbox::credentials::PESAPAL_CONSUMER_SECRET,
    })
    .to_string();
    let before = std::time::SystemTime::now();
    let (status, answer) = sandbox.post("/pesapal/v3/api/Auth/RequestToken", &body);
    let after = std::time::SystemTime::now();
    let mut response = http::Response::new(answer);
    *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
    let grant = finconnect::pesapal::RequestToken
        .read(response)
        .expect("a token");
    match grant.expiry {
        finconnect::Expiry::At(at) => (before, at, after),
        other => panic!("PesaPal tokens expire at an instant: {other:?}"),
    }
}

#[test]
fn sandbox_token_ttl_sets_every_token_lifetime() {
    let ttl = std::time::Duration::from_secs(77);
    let sandbox = SandboxProcess::start(&["--token-ttl", "77"]);
    assert!(
        sandbox
            .banner
            .iter()
            .any(|l| l.contains("PesaPal 77 s, AzamPay 77 s, ClickPesa 77 s")),
        "{:?}",
        sandbox.banner
    );
    let (before, at, after) = pesapal_token_expiry(&sandbox);
    // expiryDate has 100 ns resolution: allow that much below the lower bound.
    let slack = std::time::Duration::from_micros(1);
    assert!(
        at + slack >= before + ttl && at <= after + ttl,
        "expiry {at:?} is not {ttl:?} after [{before:?}, {after:?}]"
    );
    drop(sandbox);

    let sandbox = SandboxProcess::start(&[]);
    assert!(
        sandbox
            .banner
            .iter()
            .any(|l| l.contains("PesaPal 300 s, AzamPay 3600 s, ClickPesa 3600 s")),
        "{:?}",
        sandbox.banner
    );
    let (before, at, _) = pesapal_token_expiry(&sandbox);
    assert!(
        at + std::time::Duration::from_micros(1) >= before + std::time::Duration::from_secs(300)
    );
}

#[test]
fn sandbox_delivers_to_loopback_only_unless_allowed() {
    let sandbox = SandboxProcess::start(&[]);
    assert!(
        sandbox
            .banner
            .iter()
            .any(|l| l.contains("localhost, 127.0.0.0/8 and ::1 only")),
        "{:?}",
        sandbox.banner
    );
    drop(sandbox);
    let sandbox = SandboxProcess::start(&["--allow-remote-delivery"]);
    assert!(
        sandbox
            .banner
            .iter()
            .any(|l| l.contains("delivered to any host (--allow-remote-delivery)")),
        "{:?}",
        sandbox.banner
    );
}

#[test]
fn sandbox_flag_values_are_checked() {
    for args in [
        vec!["sandbox", "--token-ttl", "0"],
        vec!["sandbox", "--token-ttl", "five"],
        vec!["sandbox", "--allow-remote-delivery=maybe"],
    ] {
        let out = finconnect(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
