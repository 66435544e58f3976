//! `rediss://`: finconnect-redis over TLS (rustls) to a real `redis-server`
//! listening with TLS, with the TEST-ONLY certificates in `fixtures/redis-tls/`.

use finconnect_redis::RedisConfig;
use finconnect_tests::redis_server::RedisServer;
use std::path::PathBuf;
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/redis-tls")
        .join(name)
}

fn tls_server() -> (RedisServer, String) {
    let server = RedisServer::start_tls(&fixture("server.pem"), &fixture("server.key"));
    let url = server.tls_url().expect("a TLS listener");
    (server, url)
}

fn ca() -> Vec<u8> {
    std::fs::read(fixture("ca.pem")).expect("the test CA")
}

#[tokio::test]
async fn rediss_with_the_private_ca_talks_to_redis() {
    let (_server, url) = tls_server();
    let redis = RedisConfig::from_url(&url)
        .unwrap()
        .root_certificates(ca())
        .connect()
        .unwrap();
    redis.ping().await.expect("PING over TLS");
    let value: Option<String> = redis
        .run(|mut c| async move {
            redis::cmd("SET")
                .arg("tls-check")
                .arg("over rustls")
                .query_async::<()>(&mut c)
                .await?;
            redis::cmd("GET").arg("tls-check").query_async(&mut c).await
        })
        .await
        .expect("SET and GET over TLS");
    assert_eq!(value.as_deref(), Some("over rustls"));
}

#[tokio::test]
async fn rediss_refuses_a_server_it_cannot_trust() {
    let (_server, url) = tls_server();
    // The public web roots do not know the test CA: the handshake fails, the
    // command is an error (bounded by the timeouts), never a silent plain-text
    // fallback.
    let redis = RedisConfig::from_url(&url)
        .unwrap()
        .connect_timeout(Duration::from_millis(500))
        .response_timeout(Duration::from_millis(500))
        .connect()
        .unwrap();
    let err = redis.ping().await.expect_err("an untrusted certificate");
    let text = err.to_string();
    assert!(text.contains("certificate"), "{text}");
}

#[tokio::test]
async fn rediss_to_a_plain_text_port_is_an_error() {
    let (server, _) = tls_server();
    let url = format!("rediss://127.0.0.1:{}/", server.port());
    let redis = RedisConfig::from_url(&url)
        .unwrap()
        .root_certificates(ca())
        .connect_timeout(Duration::from_millis(500))
        .response_timeout(Duration::from_millis(500))
        .connect()
        .unwrap();
    assert!(
        redis.ping().await.is_err(),
        "no TLS handshake with a plain port"
    );
    // The same server answers in plain text on that port: the failure above was TLS.
    let plain = RedisConfig::from_url(&server.url())
        .unwrap()
        .connect()
        .unwrap();
    plain.ping().await.expect("plain PING");
}
