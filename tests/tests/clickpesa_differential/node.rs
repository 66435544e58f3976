//! The JavaScript reference signer (`tests/js/clickpesa-checksum.mjs`), run under
//! Node.js as one child process for the whole test run: every body goes through
//! its stdin as one JSON line, every answer comes back as one JSON line.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// The script, kept in the repository.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/js/clickpesa-checksum.mjs");

/// What the JavaScript signer computed for one body.
#[derive(Clone, Debug)]
pub struct Signed {
    /// HMAC-SHA256 hex.
    pub checksum: String,
    /// The text it hashed: `JSON.stringify(canonicalize(payload))`.
    pub canonical: String,
}

/// Signs every `(key, body)` with the JavaScript reference; one answer per body, in
/// order (`Err` when JavaScript refused the body). Panics, with what to do, when
/// `node` cannot be run.
pub fn sign_all(requests: &[(String, String)]) -> Vec<Result<Signed, String>> {
    let mut child = match Command::new("node")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!(
            "cannot run `node` ({e}): the ClickPesa differential test needs Node.js — \
             install Debian's `nodejs` package (apt-get install -y nodejs)"
        ),
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let lines: Vec<String> = requests
        .iter()
        .enumerate()
        .map(|(id, (key, body))| json!({"id": id, "key": key, "body": body}).to_string())
        .collect();
    // Write from another thread so that neither side blocks on a full pipe.
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(&mut stdin);
        for line in lines {
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")?;
        }
        w.flush()
        // stdin is dropped here: end of input.
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut answers: Vec<Option<Result<Signed, String>>> = vec![None; requests.len()];
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("node's output is UTF-8 text");
        let v: Value = serde_json::from_str(&line).expect("node answers JSON lines");
        let id = v["id"].as_u64().expect("an id") as usize;
        answers[id] = Some(match (v["checksum"].as_str(), v["canonical"].as_str()) {
            (Some(c), Some(t)) => Ok(Signed {
                checksum: c.to_owned(),
                canonical: t.to_owned(),
            }),
            _ => Err(v["error"].as_str().unwrap_or("no answer").to_owned()),
        });
    }
    writer
        .join()
        .expect("writer thread")
        .expect("writing to node");
    let status = child.wait().expect("node exits");
    assert!(status.success(), "node exited with {status}");
    answers
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.unwrap_or_else(|| panic!("node gave no answer for body {i}")))
        .collect()
}
