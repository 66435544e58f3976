//! A real `redis-server` for a test: started on a free loopback port in its own
//! temporary directory, killed when dropped. No mock Redis anywhere.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a test wants its Redis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// No persistence (fast).
    None,
    /// AOF on, `appendfsync always`: every write acknowledged is on disk.
    AofAlways,
}

/// One `redis-server` process owned by a test.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    durability: Durability,
    /// TLS listener: (port, certificate file, key file).
    tls: Option<(u16, PathBuf, PathBuf)>,
}

impl RedisServer {
    /// Starts a server on a free loopback port (panics with a clear message when
    /// `redis-server` is not installed: `.ci/run` installs Debian's package).
    pub fn start(durability: Durability) -> RedisServer {
        Self::start_inner(durability, None)
    }

    /// Starts a server that also listens with TLS on a second free port, with
    /// the given certificate and key (PEM files); clients are not asked for a
    /// certificate.
    pub fn start_tls(cert: &Path, key: &Path) -> RedisServer {
        Self::start_inner(
            Durability::None,
            Some((free_port(), cert.to_owned(), key.to_owned())),
        )
    }

    /// `rediss://127.0.0.1:TLS_PORT/` of a server started with [`RedisServer::start_tls`].
    pub fn tls_url(&self) -> Option<String> {
        self.tls
            .as_ref()
            .map(|(port, _, _)| format!("rediss://127.0.0.1:{port}/"))
    }

    fn start_inner(durability: Durability, tls: Option<(u16, PathBuf, PathBuf)>) -> RedisServer {
        let dir = std::env::temp_dir().join(format!(
            "finconnect-redis-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory for redis-server");
        let port = free_port();
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            durability,
            tls,
        };
        server.spawn();
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's data directory (its AOF lives here).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server with SIGKILL (no shutdown save), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data directory (after
    /// [`RedisServer::kill`]): with AOF it reloads what it had acknowledged.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new("redis-server");
        cmd.arg("--port")
            .arg(self.port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--dir")
            .arg(&self.dir)
            .arg("--save")
            .arg("")
            .arg("--daemonize")
            .arg("no")
            .arg("--protected-mode")
            .arg("yes")
            .arg("--logfile")
            .arg(self.dir.join("redis.log"));
        if let Some((port, cert, key)) = &self.tls {
            cmd.arg("--tls-port")
                .arg(port.to_string())
                .arg("--tls-cert-file")
                .arg(cert)
                .arg("--tls-key-file")
                .arg(key)
                .arg("--tls-auth-clients")
                .arg("no");
        }
        match self.durability {
            Durability::None => {
                cmd.arg("--appendonly").arg("no");
            }
            Durability::AofAlways => {
                cmd.arg("--appendonly")
                    .arg("yes")
                    .arg("--appendfsync")
                    .arg("always");
            }
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is not installed (Debian: apt-get install redis-server)");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let mut buf = [0u8; 64];
                // Loading an AOF answers -LOADING until done: wait for +PONG.
                if s.write_all(b"PING\r\n").is_ok()
                    && matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server on port {} did not answer PING within 10 s",
            self.port
        );
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
