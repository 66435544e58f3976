//! The limits printed beside the measurements: OpenSSL's RSA-2048 verify rate
//! on this machine (`openssl speed -seconds 2 rsa2048`, one core) and
//! finconnect's own, measured here on one core with
//! `finconnect::azampay::default_verifier` on a signed callback.

use crate::callbacks;
use finconnect::azampay::{default_verifier, parse_callback, AzampayPublicKey, Verdict};
use finconnect_sandbox::credentials;
use std::process::Command;
use std::time::{Duration, Instant};

/// What `openssl speed` said.
#[derive(Debug)]
pub enum Openssl {
    /// Verifications per second, and the version line.
    Measured {
        verify_per_sec: f64,
        version: String,
    },
    /// Not installed, failed, or printed something unrecognised.
    Unavailable(String),
}

#[derive(Debug)]
pub struct Limits {
    pub openssl: Openssl,
    pub backend: &'static str,
    /// `CallbackEvent::verdict` (base64 decode, signed message, verify).
    pub verdict_per_sec: f64,
    pub verdict_iterations: u64,
    /// `Verifier::verify` alone on the same message and signature.
    pub raw_verify_per_sec: f64,
    pub raw_iterations: u64,
}

impl Limits {
    pub fn openssl_per_sec(&self) -> Option<f64> {
        match self.openssl {
            Openssl::Measured { verify_per_sec, .. } => Some(verify_per_sec),
            Openssl::Unavailable(_) => None,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        use crate::common::r3;
        let openssl = self.openssl_per_sec();
        serde_json::json!({
            "kind": "limits",
            "openssl_rsa2048_verify_per_sec": openssl,
            "openssl_verify_us": openssl.map(|v| r3(1e6 / v)),
            "openssl_version": match &self.openssl { Openssl::Measured { version, .. } => Some(version.clone()), _ => None },
            "openssl_unavailable": match &self.openssl { Openssl::Unavailable(why) => Some(why.clone()), _ => None },
            "finconnect_verifier_backend": self.backend,
            "finconnect_verify_per_sec": r3(self.verdict_per_sec),
            "finconnect_verify_us": r3(1e6 / self.verdict_per_sec),
            "finconnect_verify_iterations": self.verdict_iterations,
            "finconnect_raw_verify_per_sec": r3(self.raw_verify_per_sec),
            "finconnect_raw_verify_us": r3(1e6 / self.raw_verify_per_sec),
            "finconnect_raw_verify_iterations": self.raw_iterations,
            "finconnect_to_openssl_ratio": openssl.map(|o| r3(self.verdict_per_sec / o)),
        })
    }
}

/// Measures both (about 4 s of OpenSSL plus `seconds` × 2 of finconnect).
pub fn measure(seconds: f64) -> Limits {
    let openssl = openssl_speed();
    let key = AzampayPublicKey::parse(credentials::AZAMPAY_PUBLIC_KEY_PEM).expect("the key");
    let verifier = default_verifier(&key).expect("a verifier");
    let body = callbacks::signed_azampay_callback(&callbacks::signing_key(), 1);
    let event = parse_callback(&body).expect("a callback");
    assert_eq!(event.verdict(&*verifier), Verdict::Valid);
    let budget = Duration::from_secs_f64(seconds);

    let (verdict_iterations, verdict_per_sec) = timed(budget, || {
        std::hint::black_box(event.verdict(&*verifier)) == Verdict::Valid
    });
    let message = event.signed_message();
    let signature = {
        let value: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(value["signature"].as_str().expect("a signature"))
            .expect("base64")
    };
    let (raw_iterations, raw_verify_per_sec) = timed(budget, || {
        verifier.verify(std::hint::black_box(&message), &signature)
    });
    Limits {
        openssl,
        backend: verifier.backend(),
        verdict_per_sec,
        verdict_iterations,
        raw_verify_per_sec,
        raw_iterations,
    }
}

/// Runs `f` in batches of 100 until `budget` has passed: (calls, calls/s).
fn timed(budget: Duration, mut f: impl FnMut() -> bool) -> (u64, f64) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..100 {
            assert!(f(), "a valid signature must verify");
        }
        n += 100;
    }
    (n, n as f64 / start.elapsed().as_secs_f64())
}

fn openssl_speed() -> Openssl {
    let version = Command::new("openssl")
        .arg("version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let output = match Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048"])
        .output()
    {
        Ok(o) => o,
        Err(e) => return Openssl::Unavailable(format!("openssl could not be run: {e}")),
    };
    if !output.status.success() {
        return Openssl::Unavailable(format!(
            "openssl speed failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    match parse_verify_per_sec(&String::from_utf8_lossy(&output.stdout)) {
        Some(verify_per_sec) => Openssl::Measured {
            verify_per_sec,
            version,
        },
        None => Openssl::Unavailable("no verify/s column in openssl speed's output".into()),
    }
}

/// Finds the header naming `verify/s` and the `rsa 2048 bits` row, and reads
/// the row's value in that column (counted from the right: the row starts with
/// a multi-word label).
fn parse_verify_per_sec(text: &str) -> Option<f64> {
    let header: Vec<&str> = text
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == "verify/s"))?
        .split_whitespace()
        .collect();
    let from_right = header.len() - header.iter().position(|w| *w == "verify/s")?;
    let row: Vec<&str> = text
        .lines()
        .find(|l| {
            let mut w = l.split_whitespace();
            w.next() == Some("rsa") && w.next() == Some("2048")
        })?
        .split_whitespace()
        .collect();
    row.get(row.len().checked_sub(from_right)?)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_openssl_3_output() {
        let text = "version: 3.0.19\n                  sign    verify    sign/s verify/s\nrsa 2048 bits 0.000564s 0.000017s   1773.4  58823.5\n";
        assert_eq!(super::parse_verify_per_sec(text), Some(58823.5));
    }
}
