//! Plugging in another HTTP stack: the core writes `http::Request` values and
//! reads `http::Response` values, so any client that can send bytes works. Here a
//! thirty-line blocking HTTP/1.1 client over `std::net::TcpStream` drives a
//! ClickPesa balance query through `call::drive_blocking`, against the local
//! sandbox. (A ureq, curl or WASM-fetch transport has the same shape.)
//!
//! Run: `cargo run -p finconnect-proto --example custom_transport`

use finconnect_proto::call::{drive_blocking, Call};
use finconnect_proto::clickpesa::{ClickpesaConfig, GetBalance};
use finconnect_proto::retry::Failure;
use finconnect_proto::{Secret, UrlPolicy};
use finconnect_sandbox::{credentials, Sandbox, SandboxConfig};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

/// Sends one request over a fresh connection (`Connection: close`) and reads the
/// whole answer.
fn send(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, Failure> {
    let uri = request.uri().clone();
    let host = uri.authority().ok_or(Failure::Connect)?.as_str().to_owned();
    let mut stream = TcpStream::connect(&host).map_err(|_| Failure::Connect)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|_| Failure::Connect)?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n",
        request.method(),
        path
    );
    for (name, value) in request.headers() {
        head.push_str(&format!(
            "{name}: {}\r\n",
            value.to_str().map_err(|_| Failure::Connect)?
        ));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", request.body().len()));
    stream
        .write_all(head.as_bytes())
        .map_err(|_| Failure::Lost)?;
    stream
        .write_all(request.body())
        .map_err(|_| Failure::Lost)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|_| Failure::Lost)?;

    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(Failure::Lost)?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or(Failure::Lost)?;
    let mut response = http::Response::builder().status(status);
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            response = response.header(k.trim(), v.trim());
        }
    }
    // Chunked bodies are not handled by this tiny client; the sandbox sends
    // Content-Length.
    response
        .body(raw[split + 4..].to_vec())
        .map_err(|_| Failure::Lost)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The sandbox runs on its own thread's runtime; this program stays blocking.
    let runtime = tokio::runtime::Runtime::new()?;
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::default()))?;

    let config = ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        &sandbox.clickpesa_base_url(),
        UrlPolicy::Local,
    )?;
    let call = Call::new(&config, GetBalance, None);
    let (balances, token) = drive_blocking(call, send, std::thread::sleep, SystemTime::now)?;
    for balance in &balances {
        println!(
            "balance: {} {}",
            balance.balance.as_deref().unwrap_or("(not given)"),
            balance.currency
        );
    }
    println!("a token was fetched on the way: {}", token.is_some());
    Ok(())
}
