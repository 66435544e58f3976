//! `finconnect mpesa <op>`: what is refused before anything is sent, then every
//! operation against a simulated Daraja (the sandbox, started by the test).

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

/// A sandbox on an ephemeral port, served by its own runtime while the test
/// runs the `finconnect` binary, and the TEST-ONLY certificate in a file.
struct Daraja {
    runtime: tokio::runtime::Runtime,
    sandbox: finconnect_sandbox::Sandbox,
    certificate: tempfile::NamedTempFile,
}

use finconnect_sandbox::credentials;

/// Every secret the CLI is given against the sandbox: none may be printed.
const SECRETS: [&str; 3] = [
    credentials::MPESA_CONSUMER_SECRET,
    credentials::MPESA_EXPRESS_PASSKEY,
    credentials::MPESA_INITIATOR_PASSWORD,
];

impl Daraja {
    fn start() -> Daraja {
        use std::io::Write;
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let sandbox = runtime
            .block_on(finconnect_sandbox::Sandbox::start(
                finconnect_sandbox::SandboxConfig {
                    port: 0,
                    ..finconnect_sandbox::SandboxConfig::default()
                },
            ))
            .expect("the sandbox starts");
        let mut certificate = tempfile::NamedTempFile::new().expect("a temporary file");
        certificate
            .write_all(credentials::MPESA_CERTIFICATE_PEM.as_bytes())
            .expect("the certificate is written");
        Daraja {
            runtime,
            sandbox,
            certificate,
        }
    }

    /// `finconnect mpesa --base-url <sandbox> ARGS…` with the sandbox's credentials;
    /// checks no secret is in its output.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(
            &self.sandbox.mpesa_base_url(),
            args,
            credentials::MPESA_CONSUMER_SECRET,
        )
    }

    fn run_with(&self, base_url: &str, args: &[&str], consumer_secret: &str) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_finconnect"))
            .args(["mpesa", "--base-url", base_url])
            .args(args)
            .env("MPESA_CONSUMER_KEY", credentials::MPESA_CONSUMER_KEY)
            .env("MPESA_CONSUMER_SECRET", consumer_secret)
            .env("MPESA_SHORTCODE", credentials::MPESA_EXPRESS_SHORTCODE)
            .env("MPESA_PASSKEY", credentials::MPESA_EXPRESS_PASSKEY)
            .env("MPESA_INITIATOR_SHORTCODE", credentials::MPESA_SHORTCODE)
            .env("MPESA_INITIATOR_NAME", credentials::MPESA_INITIATOR_NAME)
            .env(
                "MPESA_INITIATOR_PASSWORD",
                credentials::MPESA_INITIATOR_PASSWORD,
            )
            .env("MPESA_CERTIFICATE", self.certificate.path())
            .output()
            .expect("run finconnect");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        for secret in SECRETS.iter().chain([&consumer_secret]) {
            assert!(!all.contains(secret), "{args:?} printed a secret: {all}");
        }
        out
    }

    /// Runs with `--json`, expects exit 0, and reads the one object printed.
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    }

    /// The customer answers the STK prompt with `code`.
    fn customer_answers(&self, checkout_request_id: &str, code: &str) {
        self.runtime
            .block_on(self.sandbox.settle_mpesa(checkout_request_id, code))
            .expect("the sandbox settles the push");
    }

    /// The receipt of a paid STK push, read from the callback the sandbox sent.
    fn receipt_of(&self, checkout_request_id: &str) -> String {
        let record = self
            .sandbox
            .deliveries()
            .into_iter()
            .find(|d| d.reference == checkout_request_id)
            .expect("the STK callback was sent");
        let body: serde_json::Value = serde_json::from_str(&record.body).expect("JSON");
        body["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
            .as_array()
            .expect("a paid callback has metadata")
            .iter()
            .find(|i| i["Name"] == "MpesaReceiptNumber")
            .and_then(|i| i["Value"].as_str())
            .expect("a receipt")
            .to_owned()
    }

    /// A paid STK push of `amount` KES: its CheckoutRequestID and receipt.
    fn paid_push(&self, amount: &str) -> (String, String) {
        let push = self.json(&[
            "stk-push",
            "--amount",
            amount,
            "--phone",
            "0712345678",
            "--reference",
            "ORDER7",
            "--callback-url",
            "http://127.0.0.1:9/stk/7f3a",
        ]);
        let id = push["checkout_request_id"]
            .as_str()
            .expect("an id")
            .to_owned();
        self.customer_answers(&id, "0");
        let receipt = self.receipt_of(&id);
        (id, receipt)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Where the sandbox posts results: nobody listens (the answers are all the CLI shows).
const RESULT_URL: &str = "http://127.0.0.1:9/result/2c9e";

#[test]
fn auth_fetches_a_token_and_shows_only_its_lifetime() {
    let daraja = Daraja::start();
    let out = daraja.run(&["auth"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Credentials accepted"), "{text}");
    assert!(text.contains("fetched (not shown)"), "{text}");
    let json = daraja.json(&["auth"]);
    assert_eq!(json["ok"], true, "{json}");
    // The sandbox's tokens live an hour; Daraja says 3599 s.
    let left = json["expires_in_s"].as_u64().expect("seconds");
    assert!((3000..=3600).contains(&left), "{json}");
}

#[test]
fn wrong_credentials_exit_1_with_daraja_s_reason() {
    let daraja = Daraja::start();
    let out = daraja.run_with(
        &daraja.sandbox.mpesa_base_url(),
        &["auth"],
        "not-the-consumer-secret",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with("finconnect: "), "{err}");
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(err.contains("check the consumer key and secret"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));

    // The sandbox's origin without `/daraja`: nothing answers there.
    let origin = format!("http://{}", daraja.sandbox.addr());
    let out = daraja.run_with(&origin, &["auth"], credentials::MPESA_CONSUMER_SECRET);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
}

#[test]
fn stk_push_then_query_pending_then_paid() {
    let daraja = Daraja::start();
    let out = daraja.run(&[
        "stk-push",
        "--amount",
        "10",
        "--phone",
        "0712345678",
        "--reference",
        "ORDER7",
        "--callback-url",
        "http://127.0.0.1:9/stk/7f3a",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("STK push sent (nothing is paid yet)"),
        "{text}"
    );
    // Human output masks the phone.
    assert!(!text.contains("712345678"), "{text}");
    let id = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("checkout request id"))
        .map(|rest| rest.trim().to_owned())
        .expect("the id is printed");
    assert!(id.starts_with("ws_CO_"), "{text}");

    // Nobody answered the prompt yet: pending (4999), never failed.
    let query = daraja.json(&["stk-query", &id]);
    assert_eq!(query["status"], "pending", "{query}");
    assert_eq!(query["result_code"], "4999", "{query}");

    daraja.customer_answers(&id, "0");
    let out = daraja.run(&["stk-query", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("STK push completed"), "{text}");
    assert!(text.contains("result code"), "{text}");
    let query = daraja.json(&["stk-query", &id]);
    assert_eq!(
        (&query["status"], &query["result_code"]),
        (&serde_json::json!("completed"), &serde_json::json!("0")),
        "{query}"
    );
}

#[test]
fn a_cancelled_prompt_is_cancelled_and_no_answer_is_never_failed() {
    let daraja = Daraja::start();
    let push = daraja.json(&[
        "stk-push",
        "--amount",
        "10",
        "--phone",
        "254712345678",
        "--reference",
        "ORDER8",
        "--callback-url",
        "http://127.0.0.1:9/stk/91bd",
    ]);
    let id = push["checkout_request_id"].as_str().expect("an id");
    daraja.customer_answers(id, "1032");
    let query = daraja.json(&["stk-query", id]);
    assert_eq!(query["status"], "cancelled", "{query}");
    assert_eq!(query["result_code"], "1032", "{query}");

    // Daraja answers `500.001.1001` for a push it cannot find yet as for one still
    // processing: no answer is "pending", never "failed" (reconcile later).
    let query = daraja.json(&["stk-query", "ws_CO_000000000000000000"]);
    assert_eq!(query["status"], "pending", "{query}");
    assert_eq!(query["result_code"], "500.001.1001", "{query}");
}

#[test]
fn register_urls_once_then_a_change_is_refused() {
    let daraja = Daraja::start();
    let out = daraja.run(&[
        "register-urls",
        "--confirmation-url",
        "http://127.0.0.1:9/c2b/51e0/confirmation",
        "--validation-url",
        "http://127.0.0.1:9/c2b/51e0/validation",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("C2B URLs registered"), "{text}");
    assert!(
        text.contains("http://127.0.0.1:9/c2b/51e0/confirmation"),
        "{text}"
    );
    // Daraja keeps the first registration of a shortcode.
    let out = daraja.run(&[
        "register-urls",
        "--confirmation-url",
        "http://127.0.0.1:9/c2b/other/confirmation",
        "--validation-url",
        "http://127.0.0.1:9/c2b/other/validation",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("already registered"),
        "{}",
        stderr(&out)
    );
    // A URL Daraja refuses is refused before anything is sent.
    let out = daraja.run(&[
        "register-urls",
        "--confirmation-url",
        "http://127.0.0.1:9/mpesa/confirmation",
        "--validation-url",
        "http://127.0.0.1:9/mpesa/validation",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("mpesa"), "{}", stderr(&out));
}

#[test]
fn the_initiator_operations_are_accepted_for_processing() {
    let daraja = Daraja::start();
    let (_, receipt) = daraja.paid_push("10");

    let out = daraja.run(&[
        "transaction-status",
        "--receipt",
        &receipt,
        "--result-url",
        RESULT_URL,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Transaction status asked"), "{text}");
    assert!(text.contains("arrives on the ResultURL"), "{text}");

    let balance = daraja.json(&["balance", "--result-url", RESULT_URL]);
    assert!(balance["conversation_id"].is_string(), "{balance}");
    assert!(
        balance["note"].as_str().unwrap_or("").contains("ResultURL"),
        "{balance}"
    );

    let reversal = daraja.json(&[
        "reversal",
        "--receipt",
        &receipt,
        "--amount",
        "10",
        "--result-url",
        RESULT_URL,
    ]);
    assert!(reversal["conversation_id"].is_string(), "{reversal}");

    let b2c = daraja.json(&[
        "b2c",
        "--id",
        "payout-7f3a-0001",
        "--amount",
        "25",
        "--phone",
        "0712345678",
        "--result-url",
        RESULT_URL,
    ]);
    assert_eq!(
        b2c["originator_conversation_id"], "payout-7f3a-0001",
        "{b2c}"
    );
    assert!(b2c["conversation_id"].is_string(), "{b2c}");
}

#[test]
fn a_second_b2c_with_the_same_id_is_refused_never_paid_twice() {
    let daraja = Daraja::start();
    let args = [
        "b2c",
        "--id",
        "payout-7f3a-0002",
        "--amount",
        "25",
        "--phone",
        "0712345678",
        "--result-url",
        RESULT_URL,
    ];
    let out = daraja.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = daraja.run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with("finconnect: "), "{err}");
    assert!(err.contains("already"), "{err}");
    assert_eq!(
        daraja
            .sandbox
            .orders(finconnect_sandbox::ProviderName::Mpesa),
        1,
        "one B2C accepted"
    );
}
