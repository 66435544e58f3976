//! Pieces of a fleet of callback services on one Redis, for the fleet tests
//! and `fleet-bench stream`: ClickPesa webhooks signed with the sandbox's
//! TEST-ONLY checksum key, callback service instances appending to the Redis
//! event stream, a provider-like sender, and a TCP proxy that can delay Redis.

use bytes::Bytes;
use finconnect::clickpesa::{sign, ChecksumMethod, ClickpesaConfig};
use finconnect::sdk::{CallbackInbox, ProviderConfig};
use finconnect::{Secret, UrlPolicy};
use finconnect_hyper::callback::CallbackService;
use finconnect_hyper::{fintech_sdk_over, FintechSdk, HyperTransport, Options};
use finconnect_redis::{EventStream, RedisConfig};
use finconnect_sandbox::credentials;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// A ClickPesa facade that verifies webhooks with the sandbox's TEST-ONLY
/// checksum key (checksummed webhooks need no status query: its API URL is
/// never called).
pub fn clickpesa_sdk() -> FintechSdk<HttpConnector> {
    let options = Options {
        timeout: Duration::from_secs(10),
        ..Options::default()
    };
    let config = ClickpesaConfig::custom(
        credentials::CLICKPESA_CLIENT_ID,
        Secret::new(credentials::CLICKPESA_API_KEY),
        "http://127.0.0.1:9",
        UrlPolicy::Local,
    )
    .expect("a ClickPesa configuration")
    .with_checksum_key(Secret::new(credentials::CLICKPESA_CHECKSUM_KEY));
    fintech_sdk_over(
        ProviderConfig::Clickpesa(config),
        HyperTransport::http(&options),
        &options,
    )
    .expect("a ClickPesa facade")
}

/// The merchant reference of event `i`.
pub fn reference(i: usize) -> String {
    format!("FLEET{i}")
}

/// A checksummed ClickPesa "payment received" webhook for event `i` (the same
/// bytes for every delivery of it).
pub fn webhook(i: usize) -> Bytes {
    let mut body = serde_json::json!({
        "event": "PAYMENT RECEIVED",
        "data": {"id": format!("FLEET{i}CP"), "status": "SUCCESS", "orderReference": reference(i),
                 "collectedAmount": "1000", "collectedCurrency": "TZS", "channel": "TIGO-PESA"}
    });
    let key = Secret::new(credentials::CLICKPESA_CHECKSUM_KEY);
    sign(&mut body, &key, ChecksumMethod::Canonical).expect("a checksum");
    Bytes::from(serde_json::to_vec(&body).expect("JSON"))
}

/// One callback service instance: ClickPesa webhooks appended to the Redis
/// event stream, served on a loopback port. Dropping it (or
/// [`CallbackInstance::crash`]) stops it at once, open connections and
/// requests in progress included, as a killed process would.
#[derive(Debug)]
pub struct CallbackInstance {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl CallbackInstance {
    /// Starts an instance with its own connection to the Redis of `config`.
    pub async fn start(config: &RedisConfig) -> CallbackInstance {
        let redis = config.connect().expect("a Redis handle");
        let inbox = CallbackInbox::for_log(clickpesa_sdk(), Arc::new(EventStream::new(&redis)));
        let service = CallbackService::from_inbox(inbox);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            // Connection tasks live in this set: aborting this task drops it,
            // which aborts them all.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                while connections.try_join_next().is_some() {}
                let service = service.clone();
                connections.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        CallbackInstance { addr, task }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it abruptly (requests in progress get no answer).
    pub fn crash(&self) {
        self.task.abort();
    }
}

impl Drop for CallbackInstance {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Posts webhooks as a provider does (a pooled HTTP/1 client).
#[derive(Clone, Debug)]
pub struct Sender {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Sender {
    /// A client keeping up to `pool` idle connections per instance.
    pub fn new(pool: usize) -> Sender {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        Sender {
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(pool)
                .build(connector),
        }
    }

    /// Posts `body` to `addr`: the status and body, or `None` when no answer
    /// came (connection refused or dropped: not acknowledged).
    pub async fn post(&self, addr: SocketAddr, body: Bytes) -> Option<(u16, Bytes)> {
        let request = http::Request::post(format!("http://{addr}/clickpesa"))
            .header("content-type", "application/json")
            .body(Full::new(body))
            .ok()?;
        let send = async {
            let response = self.client.request(request).await.ok()?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.ok()?.to_bytes();
            Some((status, body))
        };
        // A bound on a request that never gets an answer (not a timing check).
        tokio::time::timeout(Duration::from_secs(60), send)
            .await
            .ok()
            .flatten()
    }
}

/// A TCP proxy in front of Redis whose answers can be delayed: each chunk
/// from Redis waits [`DelayProxy::set_delay`] before it is passed on.
#[derive(Debug)]
pub struct DelayProxy {
    port: u16,
    delay: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl DelayProxy {
    /// Listens on `port` (0: any free port) and forwards to `upstream`.
    pub async fn start(port: u16, upstream: u16) -> DelayProxy {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("a port for the proxy");
        let port = listener.local_addr().expect("its address").port();
        let delay = Arc::new(AtomicU64::new(0));
        let shared = Arc::clone(&delay);
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                while connections.try_join_next().is_some() {}
                let delay = Arc::clone(&shared);
                connections.spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let up = tokio::io::copy(&mut client_read, &mut server_write);
                    let down = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = server_read.read(&mut buf).await?;
                            if n == 0 {
                                return Ok::<(), std::io::Error>(());
                            }
                            let ms = delay.load(Ordering::Relaxed);
                            if ms > 0 {
                                tokio::time::sleep(Duration::from_millis(ms)).await;
                            }
                            client_write.write_all(&buf[..n]).await?;
                        }
                    };
                    let _ = tokio::join!(up, down);
                });
            }
        });
        DelayProxy { port, delay, task }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Delays each answer chunk by `delay` from now on.
    pub fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.delay.store(ms, Ordering::Relaxed);
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
