//! A headless Chromium for one test: started with a fresh temporary profile and the
//! DevTools protocol on an ephemeral loopback port, killed (with every process it
//! started) when the guard drops, whatever happened.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to open its DevTools port.
const STARTUP: Duration = Duration::from_secs(30);

/// A running headless Chromium. Dropping it kills the browser.
#[derive(Debug)]
pub struct Chromium {
    child: Child,
    profile: tempfile::TempDir,
    /// `ws://127.0.0.1:PORT/devtools/browser/…`.
    pub websocket_url: String,
}

/// `chromium` on `PATH`, or a failure that says how to install it.
pub fn find() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "Chromium is not installed (no `chromium` on PATH). This test drives a real \
             headless browser: install Debian's `chromium` package \
             (`apt-get install -y chromium`) and run it again."
        )
    })
}

impl Chromium {
    /// Starts `binary` headless on `about:blank` and waits for its DevTools endpoint.
    pub fn start(binary: &Path) -> Chromium {
        let profile = tempfile::Builder::new()
            .prefix("finconnect-chromium-")
            .tempdir()
            .expect("a temporary Chromium profile directory");
        let log = std::fs::File::create(profile.path().join("chromium.log"))
            .expect("a Chromium log file");
        let mut command = Command::new(binary);
        command
            .arg("--headless")
            // Chromium refuses to run as root without it (CI runs as root).
            .arg("--no-sandbox")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--remote-debugging-address=127.0.0.1")
            .arg("--remote-debugging-port=0")
            .args([
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--password-store=basic",
                "--window-size=800,900",
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        // Its own process group, so the guard can end the renderer and helper
        // processes too (and only those).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut browser = Chromium {
            child,
            profile,
            websocket_url: String::new(),
        };
        browser.websocket_url = browser.wait_for_devtools();
        browser
    }

    /// Chromium writes `PORT\n/devtools/browser/ID` to `DevToolsActivePort` in the
    /// profile once it listens.
    fn wait_for_devtools(&mut self) -> String {
        let file = self.profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    return format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "Chromium exited ({status}) before opening DevTools:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "Chromium did not open its DevTools port within {STARTUP:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The end of Chromium's own log (for failure messages).
    pub fn log(&self) -> String {
        let text =
            std::fs::read_to_string(self.profile.path().join("chromium.log")).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        let start = (start..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        text[start..].to_string()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The whole process group first (the launcher script, the browser and its
        // helpers), then the child itself in case the group kill was not possible.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
