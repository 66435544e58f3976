//! `finconnect events tail` against a real `redis-server`: a read-only tail
//! prints the stream as JSON lines; with --group it consumes (acknowledges);
//! an unreachable Redis is a clear error.

use finconnect::clickpesa::{sign, ChecksumMethod, ClickpesaConfig};
use finconnect::sdk::{CallbackInbox, FintechSdk, ProviderConfig};
use finconnect::{Secret, UrlPolicy};
use finconnect_redis::{Consumer, EventStream, RedisConfig};
use finconnect_sandbox::credentials;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, killed on drop.
struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is not installed (Debian: apt-get install redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "redis-server did not start");
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let mut buf = [0u8; 16];
                if s.write_all(b"PING\r\n").is_ok()
                    && matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
                {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, port, dir }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.dir.path();
    }
}

fn finconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(args)
        .output()
        .expect("run finconnect")
}

/// Appends ClickPesa events `0..n` to the stream the way a callback service
/// does (checksummed webhooks through an inbox with the Redis event log).
fn append_events(url: &str, n: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = ClickpesaConfig::custom(
            credentials::CLICKPESA_CLIENT_ID,
            Secret::new(credentials::CLICKPESA_API_KEY),
            "http://127.0.0.1:9",
            UrlPolicy::Local,
        )
        .unwrap()
        .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY));
        let sdk = FintechSdk::new(ProviderConfig::Clickpesa(config), NoNetwork).unwrap();
        let redis = RedisConfig::from_url(url).unwrap().connect().unwrap();
        let inbox = CallbackInbox::for_log(sdk, Arc::new(EventStream::new(&redis)));
        for i in 0..n {
            let mut body = serde_json::json!({
                "event": "PAYMENT RECEIVED",
                "data": {"id": format!("CLI{i}CP"), "status": "SUCCESS", "orderReference": format!("CLI{i}"),
                         "collectedAmount": "1000", "collectedCurrency": "TZS", "channel": "TIGO-PESA"}
            });
            let key = Secret::new(credentials::CLICKPESA_CHECKSUM_KEY);
            sign(&mut body, &key, ChecksumMethod::Canonical).unwrap();
            let request = http::Request::post("/clickpesa")
                .body(serde_json::to_vec(&body).unwrap())
                .unwrap();
            assert_eq!(inbox.handle(request).await.status(), 200);
        }
    });
}

/// Checksummed webhooks need no network.
struct NoNetwork;

impl finconnect::driver::Transport for NoNetwork {
    async fn send(
        &self,
        _: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, finconnect::driver::TransportFailure> {
        Err(finconnect::driver::TransportFailure::connect(
            "no network in this test",
        ))
    }
    async fn sleep(&self, _: Duration) {}
    fn now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }
    fn seed(&self) -> u64 {
        1
    }
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn tail_prints_json_lines_and_a_group_consumes() {
    let server = Server::start();
    append_events(&server.url(), 3);

    let out = finconnect(&[
        "events",
        "tail",
        "--redis",
        &server.url(),
        "--from-start",
        "--count",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["reference"], format!("CLI{i}"));
        assert_eq!(line["provider"], "clickpesa");
        // 1,000 TZS in minor units.
        assert_eq!(line["amount"], "100000");
        assert_eq!(line["currency"], "TZS");
        assert!(line["key"].as_str().unwrap().starts_with("clickpesa:"));
        assert!(line["id"].as_str().unwrap().contains('-'));
    }

    // A group member consumes (and acknowledges) two events, then another
    // run of the same group gets the third.
    let group = |count: &str| {
        finconnect(&[
            "events",
            "tail",
            "--redis",
            &server.url(),
            "--group",
            "cli",
            "--count",
            count,
        ])
    };
    let first = group("2");
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let second = group("1");
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    let references: Vec<_> = json_lines(&first)
        .into_iter()
        .chain(json_lines(&second))
        .map(|l| l["reference"].clone())
        .collect();
    assert_eq!(references, ["CLI0", "CLI1", "CLI2"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pending = runtime.block_on(async {
        let config = RedisConfig::from_url(&server.url()).unwrap();
        let stream = EventStream::new(&config.connect().unwrap());
        let consumer = Consumer::join(&config, &stream, "cli", "probe")
            .await
            .unwrap();
        consumer.pending().await.unwrap()
    });
    assert_eq!(pending, 0, "everything printed was acknowledged");
}

#[test]
fn tail_says_when_redis_is_unreachable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let out = finconnect(&[
        "events",
        "tail",
        "--redis",
        &format!("redis://:hunter2@127.0.0.1:{port}/"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Redis"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let out = finconnect(&["events", "tail", "--redis", "http://example.com"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
