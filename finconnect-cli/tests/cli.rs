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
    &["verify", "mpesa"],
    &["mpesa"],
    &["mpesa", "auth"],
    &["mpesa", "stk-push"],
    &["mpesa", "stk-query"],
    &["mpesa", "register-urls"],
    &["mpesa", "transaction-status"],
    &["mpesa", "balance"],
    &["mpesa", "reversal"],
    &["mpesa", "b2c"],
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
fn a_live_base_url_refuses_plain_http() {
    let out = Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args([
            "pesapal",
            "--env",
            "live",
            "--base-url",
            "http://pay.example.com/v3",
            "list-ipns",
        ])
        .env("PESAPAL_CONSUMER_KEY", "k")
        .env("PESAPAL_CONSUMER_SECRET", "s")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("live provider needs https://"), "{stderr}");
}

/// Every provider's credentials, as the sandbox accepts them.
fn with_sandbox_credentials(cmd: &mut Command) -> &mut Command {
    use finconnect_sandbox::credentials as c;
    cmd.env("PESAPAL_CONSUMER_KEY", c::PESAPAL_CONSUMER_KEY)
        .env("PESAPAL_CONSUMER_SECRET", c::PESAPAL_CONSUMER_SECRET)
        .env("AZAMPAY_APP_NAME", c::AZAMPAY_APP_NAME)
        .env("AZAMPAY_CLIENT_ID", c::AZAMPAY_CLIENT_ID)
        .env("AZAMPAY_CLIENT_SECRET", c::AZAMPAY_CLIENT_SECRET)
        .env_remove("AZAMPAY_API_KEY")
        .env("CLICKPESA_CLIENT_ID", c::CLICKPESA_CLIENT_ID)
        .env("CLICKPESA_API_KEY", c::CLICKPESA_API_KEY)
        .env("CLICKPESA_CHECKSUM_KEY", c::CLICKPESA_CHECKSUM_KEY)
}

/// `finconnect ARGS` with the sandbox's credentials in the environment.
fn with_credentials<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_finconnect"));
    with_sandbox_credentials(&mut cmd)
        .args(args)
        .output()
        .expect("run finconnect")
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_plain_http_base_url_without_env_asks_which_it_is() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("pesapal", "http://pay.example.com/v3", &["list-ipns"]),
        ("azampay", "http://checkout.example.com", &["partners"]),
        (
            "clickpesa",
            "http://api.example.com/third-parties",
            &["balance"],
        ),
    ];
    for (provider, url, op) in cases {
        let mut args = vec![*provider, "--base-url", url];
        args.extend_from_slice(op);
        let out = with_credentials(&args);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for words in [
            "plain http://",
            "no --env says what it is",
            "--env sandbox",
            "`finconnect sandbox`",
            "http://127.0.0.1:PORT/",
            "a live provider needs https://",
        ] {
            assert!(stderr.contains(words), "{args:?} lacks {words:?}: {stderr}");
        }
        assert!(out.stdout.is_empty());
    }
    // `--env sandbox` says it is a test server: the URL is used (here: no such host).
    let out = with_credentials(&[
        "pesapal",
        "--env",
        "sandbox",
        "--base-url",
        "http://pay.invalid/v3",
        "list-ipns",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("no --env"), "{}", stderr_of(&out));
    // A loopback http:// URL needs no --env (nothing listens: a connection error).
    let port = closed_port();
    let out = with_credentials(&[
        "pesapal",
        "--base-url",
        &format!("http://127.0.0.1:{port}/pesapal/v3"),
        "list-ipns",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("could not connect"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn pesapal_pay_needs_email_or_phone() {
    let help = finconnect(&["pesapal", "pay", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout_of(&help);
    assert!(
        text.contains("The payer's email or phone is required"),
        "{text}"
    );
    let port = closed_port();
    let base = format!("http://127.0.0.1:{port}/pesapal/v3");
    let order = [
        "pesapal",
        "--base-url",
        &base,
        "pay",
        "--reference",
        "R1",
        "--amount",
        "10",
        "--description",
        "d",
        "--ipn-id",
        "i",
        "--callback-url",
        "https://shop.example/back",
    ];
    let out = with_credentials(&order);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--email") && stderr.contains("--phone"),
        "{stderr}"
    );
    // Either one is enough to get past the usage check (then: nothing listens).
    for contact in [["--email", "a@shop.example"], ["--phone", "0712345678"]] {
        let mut args = order.to_vec();
        args.extend_from_slice(&contact);
        let out = with_credentials(&args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{contact:?}: {}",
            stderr_of(&out)
        );
    }
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
            // The banner ends with the example command.
            let last = line.contains("finconnect pesapal --base-url");
            banner.push(line);
            if last {
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

    /// One HTTP/1.1 POST over a plain socket: (status, body).
    fn post(&self, path: &str, body: &str) -> (u16, Vec<u8>) {
        self.exchange("POST", path, body)
    }

    /// One HTTP/1.1 exchange over a plain socket: (status, body).
    fn exchange(&self, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
        use std::io::{Read, Write};
        let addr = self.origin.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
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

impl SandboxProcess {
    /// The banner's value for `label` (`  label   value`).
    fn banner_value(&self, label: &str) -> String {
        self.banner
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(label))
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_owned())
            .unwrap_or_else(|| panic!("no {label:?} in the banner: {:?}", self.banner))
    }

    /// One GET: (status, body).
    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.exchange("GET", path, "")
    }

    /// Stops the sandbox as a user does (Ctrl-C, i.e. SIGINT); its exit code.
    fn interrupt(&mut self) -> Option<i32> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return status.code();
        }
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if sent {
            // Bounded wait, then the hard way: never hang the test run.
            for _ in 0..500 {
                if let Ok(Some(status)) = self.child.try_wait() {
                    return status.code();
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.interrupt();
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

#[test]
fn sandbox_banner_names_the_control_endpoints_and_they_answer() {
    let sandbox = SandboxProcess::start(&[]);
    let banner = sandbox.banner.join("\n");
    for path in [
        "/_sandbox/settle",
        "/_sandbox/deliveries",
        "/_sandbox/counters",
        "/_sandbox/counters/requests",
    ] {
        assert!(
            banner.contains(&format!("{}{path}", sandbox.origin)),
            "{path}: {banner}"
        );
    }
    assert!(!banner.contains("/_sandbox/requests"), "{banner}");
    for path in [
        "/_sandbox/deliveries",
        "/_sandbox/counters",
        "/_sandbox/counters/requests",
    ] {
        assert_eq!(sandbox.get(path).0, 200, "{path}");
    }
    let (status, body) = sandbox.get("/_sandbox/counters/requests");
    assert_eq!(status, 200);
    let counts: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert!(counts["PesapalAuth"].is_u64(), "{counts}");
}

#[test]
fn the_404_hint_names_the_local_sandbox_path() {
    let sandbox = SandboxProcess::start(&[]);
    // The origin without /pesapal/v3: nothing answers there.
    let out = with_credentials(&["pesapal", "--base-url", &sandbox.origin, "list-ipns"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 404"), "{stderr}");
    assert!(
        stderr.contains("/pesapal/v3 (the local `finconnect sandbox`)"),
        "{stderr}"
    );
    // With the path the banner prints, it works.
    let base = sandbox.banner_value("base URL");
    assert!(base.ends_with("/pesapal/v3"), "{base}");
    let out = with_credentials(&["pesapal", "--base-url", &base, "list-ipns"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

/// Runs `finconnect PROVIDER --json REST…` and reads its object.
fn json_of<S: AsRef<str>>(args: &[S]) -> serde_json::Value {
    let mut all: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    all.insert(1, "--json");
    let out = with_credentials(&all);
    assert_eq!(out.status.code(), Some(0), "{all:?}: {}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn pesapal_status_shows_the_confirmation_code_refund_takes() {
    let sandbox = SandboxProcess::start(&[]);
    let base = sandbox.banner_value("base URL");
    let pp = |rest: &[&str]| {
        let mut args = vec!["pesapal".to_owned(), "--base-url".to_owned(), base.clone()];
        args.extend(rest.iter().map(|s| s.to_string()));
        args
    };
    let ipn = json_of(&pp(&["register-ipn", "--url", "http://127.0.0.1:9/ipn"]));
    let ipn_id = ipn["ipn_id"].as_str().expect("ipn_id").to_owned();
    let order = json_of(&pp(&[
        "pay",
        "--reference",
        "CONF-1",
        "--amount",
        "150.00",
        "--description",
        "test order",
        "--ipn-id",
        &ipn_id,
        "--callback-url",
        "https://shop.example/back",
        "--email",
        "payer@shop.example",
    ]));
    let tracking = order["order_tracking_id"]
        .as_str()
        .expect("a tracking id")
        .to_owned();

    // Unpaid: no code yet, and the text says why.
    let pending = json_of(&pp(&["status", &tracking]));
    assert!(pending["confirmation_code"].is_null(), "{pending}");
    let out = with_credentials(&pp(&["status", &tracking]));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout_of(&out).contains("none until the order is paid"),
        "{}",
        stdout_of(&out)
    );

    let settle =
        serde_json::json!({"provider": "pesapal", "reference": tracking, "outcome": "complete"});
    assert_eq!(sandbox.post("/_sandbox/settle", &settle.to_string()).0, 200);

    let paid = json_of(&pp(&["status", &tracking]));
    assert_eq!(paid["status"], "completed", "{paid}");
    let code = paid["confirmation_code"]
        .as_str()
        .filter(|c| !c.is_empty())
        .expect("a confirmation code once paid")
        .to_owned();
    let out = with_credentials(&pp(&["status", &tracking]));
    let text = stdout_of(&out);
    assert!(text.contains("confirmation code"), "{text}");
    assert!(
        text.contains(&format!("refund --confirmation-code {code}")),
        "{text}"
    );
    // It is the code `refund` takes.
    let refund = json_of(&pp(&[
        "refund",
        "--confirmation-code",
        &code,
        "--amount",
        "150.00",
        "--username",
        "ops",
        "--remarks",
        "customer asked",
    ]));
    assert_eq!(refund["accepted"], true, "{refund}");
}

/// Accepts one HTTP POST on a loopback port, answers 200, and hands over its body.
fn receive_one_post() -> (u16, std::sync::mpsc::Receiver<Vec<u8>>) {
    use std::io::{BufRead, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = std::io::BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_ok() {
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = tx.send(body);
        }
    });
    (port, rx)
}

/// Whitespace-insensitive PEM equality.
fn same_pem(a: &str, b: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    squash(a) == squash(b)
}

#[test]
fn the_public_key_the_cli_prints_verifies_the_sandboxs_callbacks() {
    use finconnect_sandbox::credentials::AZAMPAY_PUBLIC_KEY_PEM;
    let (port, callbacks) = receive_one_post();
    let mut sandbox = SandboxProcess::start(&[
        "--azampay-callback-url",
        &format!("http://127.0.0.1:{port}/azampay-callback"),
    ]);
    let dir = tempfile::tempdir().expect("a temporary directory");

    // 1. The key file the banner names: absolute, present, the sandbox's key.
    let key_file = std::path::PathBuf::from(sandbox.banner_value("public key file"));
    assert!(key_file.is_absolute(), "{}", key_file.display());
    let text = std::fs::read_to_string(&key_file).expect("the key file exists");
    assert!(same_pem(&text, AZAMPAY_PUBLIC_KEY_PEM), "{text}");

    // 2. `azampay public-key --pem`: only the PEM, ready for a file.
    let checkout = sandbox.banner_value("checkout URL");
    let out = with_credentials(&["azampay", "--base-url", &checkout, "public-key", "--pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let pem = stdout_of(&out);
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    assert!(pem.ends_with("-----END PUBLIC KEY-----\n"), "{pem}");
    assert!(same_pem(&pem, AZAMPAY_PUBLIC_KEY_PEM), "{pem}");
    let fetched = dir.path().join("azampay.pem");
    std::fs::write(&fetched, &pem).expect("write");
    // Without --pem: size and fingerprint, and how to get the PEM; --json carries it.
    let out = with_credentials(&["azampay", "--base-url", &checkout, "public-key"]);
    assert!(!stdout_of(&out).contains("BEGIN PUBLIC KEY"));
    assert!(stdout_of(&out).contains("add --pem"), "{}", stdout_of(&out));
    let v = json_of(&["azampay", "--base-url", &checkout, "public-key", "--pem"]);
    assert!(same_pem(
        v["pem"].as_str().expect("pem"),
        AZAMPAY_PUBLIC_KEY_PEM
    ));
    assert_eq!(v["bits"], 2048);

    // 3. A real sandbox callback verifies with either.
    let out = with_credentials(&[
        "azampay",
        "--base-url",
        &checkout,
        "checkout",
        "--phone",
        "0712345678",
        "--amount",
        "2500",
        "--operator",
        "airtel",
        "--reference",
        "KEYTEST1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let settle =
        serde_json::json!({"provider": "azampay", "reference": "KEYTEST1", "outcome": "complete"});
    assert_eq!(sandbox.post("/_sandbox/settle", &settle.to_string()).0, 200);
    let body = callbacks
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the sandbox delivered its callback");
    let callback = dir.path().join("callback.json");
    std::fs::write(&callback, &body).expect("write");
    for key in [&key_file, &fetched] {
        let out = finconnect(&[
            "verify",
            "azampay",
            "--json",
            "--public-key",
            key.to_str().expect("utf-8 path"),
            callback.to_str().expect("utf-8 path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            key.display(),
            stderr_of(&out)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(v["reference"], "KEYTEST1", "{v}");
        assert_eq!(v["status"], "completed", "{v}");
    }

    // 4. The key file goes away with the sandbox (Ctrl-C).
    assert_eq!(sandbox.interrupt(), Some(0));
    assert!(!key_file.exists(), "{} is still there", key_file.display());
}

#[test]
fn help_says_where_the_keys_come_from() {
    let out = finconnect(&["sandbox", "--help"]);
    let text = stdout_of(&out);
    assert!(text.contains("temporary file"), "{text}");
    assert!(text.contains("removed when the sandbox stops"), "{text}");
    let out = finconnect(&["azampay", "public-key", "--help"]);
    let text = stdout_of(&out);
    assert!(text.contains("--pem"), "{text}");
    assert!(text.contains("verify azampay --public-key"), "{text}");
}
