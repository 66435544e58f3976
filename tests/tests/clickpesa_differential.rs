//! Differential test: ClickPesa canonical checksums of the core and of the sandbox's
//! independent implementation against a small JavaScript implementation of
//! ClickPesa's documented algorithm (`tests/js/clickpesa-checksum.mjs`), run under
//! Node.js as one child process for the whole run.
//!
//! A seeded generator writes nasty webhook bodies as raw text (exact number
//! ties, subnormals, `-0`, the `1e21` boundaries, integers above 2⁵³, numbers
//! spelled `1.0`/`1E2`/`0.10`; lone surrogates, U+2028/2029, astral and non-ASCII
//! keys that UTF-16 and code-point order sort differently, array-index keys,
//! `__proto__`; nesting and empty containers). For every case:
//! - the core's canonical text and checksum equal JavaScript's;
//! - the sandbox's checksum equals JavaScript's;
//! - the core's webhook verifier accepts the raw body with JavaScript's checksum
//!   added (the body is not re-serialised);
//! - four tampered variants (a value, a key, a dropped entry, a digit of a
//!   number), which JavaScript hashes differently, are all rejected.
//!
//! `FINCONNECT_DIFF_SEED` and `FINCONNECT_DIFF_CASES` change the seed and the
//! number of cases (at least 5,000).

#[path = "clickpesa_differential/generator.rs"]
mod generator;
#[path = "clickpesa_differential/node.rs"]
mod node;

use finconnect::clickpesa::{checksum_of_bytes, signed_text, ChecksumMethod, JsValue};
use finconnect::clickpesa::{parse_webhook, Verdict};
use finconnect::Secret;
use generator::{tamper, Gen, Tamper};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

const DEFAULT_SEED: u64 = 0x00C1_1C4E_5A00_2026;
const DEFAULT_CASES: usize = 6_000;
const MIN_CASES: usize = 5_000;

/// Checksum keys: ASCII, with spaces and symbols, non-ASCII.
const KEYS: [&str; 3] = ["secret-key", "k3y with spaces & symbols", "clé-🔑-ключ"];

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// `body` (a JSON object as text) with `"checksum":"<hex>"` added at the start or
/// the end; the rest of the text is left exactly as it was.
fn with_checksum(body: &str, hex: &str, rng: &mut StdRng) -> String {
    let key = if rng.gen_bool(0.1) {
        r"check\u0073um"
    } else {
        "checksum"
    };
    let field = format!("\"{key}\":\"{hex}\"");
    if rng.gen_bool(0.5) {
        let open = body.find('{').expect("an object");
        format!("{}{field},{}", &body[..=open], &body[open + 1..])
    } else {
        let close = body.rfind('}').expect("an object");
        format!("{},{field}{}", &body[..close], &body[close..])
    }
}

/// One generated case.
struct Case {
    key: &'static str,
    body: String,
    tampered: Vec<(Tamper, String)>,
}

#[test]
fn core_and_sandbox_checksums_match_a_javascript_signer() {
    let seed = env_number("FINCONNECT_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("FINCONNECT_DIFF_CASES")
        .map_or(DEFAULT_CASES, |n| n as usize)
        .max(MIN_CASES);
    let mut gen = Gen::new(StdRng::seed_from_u64(seed));
    let mut classes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut cases = Vec::with_capacity(count);
    for _ in 0..count {
        let tree = gen.webhook();
        for class in &gen.classes {
            *classes.entry(class).or_default() += 1;
        }
        let key = *KEYS.choose(gen.rng()).expect("keys");
        let body = gen.render(&tree);
        let tampered = Tamper::ALL
            .iter()
            .map(|&kind| {
                let changed = tamper(&tree, kind, gen.rng());
                (kind, gen.render(&changed))
            })
            .collect();
        cases.push(Case {
            key,
            body,
            tampered,
        });
    }

    // Everything through one node process: the bodies, then every tampered body.
    let mut requests: Vec<(String, String)> = Vec::new();
    for case in &cases {
        requests.push((case.key.to_owned(), case.body.clone()));
        for (_, t) in &case.tampered {
            requests.push((case.key.to_owned(), t.clone()));
        }
    }
    let answers = node::sign_all(&requests);
    let per_case = 1 + Tamper::ALL.len();

    let mut failures: Vec<String> = Vec::new();
    let mut fail = |i: usize, what: String, body: &str| {
        failures.push(format!("case {i}: {what}\n    body: {body}"));
    };
    let mut tamper_outcomes: BTreeMap<(Tamper, &'static str), usize> = BTreeMap::new();
    let mut insert_rng = StdRng::seed_from_u64(seed ^ 0x5167);
    for (i, case) in cases.iter().enumerate() {
        let js = match &answers[i * per_case] {
            Ok(js) => js,
            Err(e) => {
                fail(i, format!("JavaScript refused the body: {e}"), &case.body);
                continue;
            }
        };
        let secret = Secret::new(case.key);
        let bytes = case.body.as_bytes();

        // The core, from the raw bytes.
        match JsValue::parse(bytes).and_then(|v| signed_text(&v, ChecksumMethod::Canonical)) {
            Ok(text) if text == js.canonical => {}
            Ok(text) => fail(
                i,
                format!(
                    "core canonical text differs\n    core: {text}\n    js:   {}",
                    js.canonical
                ),
                &case.body,
            ),
            Err(e) => fail(i, format!("core refused the body: {e}"), &case.body),
        }
        match checksum_of_bytes(&secret, bytes, ChecksumMethod::Canonical) {
            Ok(hex) if hex == js.checksum => {}
            Ok(hex) => fail(
                i,
                format!("core checksum {hex} != js {}", js.checksum),
                &case.body,
            ),
            Err(e) => fail(i, format!("core checksum refused: {e}"), &case.body),
        }

        // The sandbox's independent implementation.
        let sandbox = finconnect_sandbox::clickpesa_checksum(case.key, bytes);
        if sandbox.as_deref() != Some(js.checksum.as_str()) {
            fail(
                i,
                format!("sandbox checksum {sandbox:?} != js {}", js.checksum),
                &case.body,
            );
        }

        // The core's verifier accepts the JavaScript-signed raw body.
        let signed = with_checksum(&case.body, &js.checksum, &mut insert_rng);
        match parse_webhook(signed.as_bytes()) {
            Ok(hook) => {
                if hook.verdict(&secret) != Verdict::Valid {
                    fail(
                        i,
                        format!("core verdict {:?}", hook.verdict(&secret)),
                        &signed,
                    );
                } else if let Err(e) = hook.verify(&secret) {
                    fail(i, format!("core verify: {e}"), &signed);
                }
            }
            Err(e) => fail(i, format!("core refused the signed webhook: {e}"), &signed),
        }
        let sandbox_signed = finconnect_sandbox::clickpesa_checksum(case.key, signed.as_bytes());
        if sandbox_signed.as_deref() != Some(js.checksum.as_str()) {
            fail(
                i,
                "sandbox checksum of the signed body differs".into(),
                &signed,
            );
        }

        // Tampered variants: JavaScript hashes them differently, the core rejects them.
        for (j, (kind, body)) in case.tampered.iter().enumerate() {
            match &answers[i * per_case + 1 + j] {
                Ok(t) if t.checksum != js.checksum => {}
                Ok(_) => fail(
                    i,
                    format!("{kind:?} tamper left JavaScript's checksum unchanged"),
                    body,
                ),
                Err(e) => fail(
                    i,
                    format!("JavaScript refused the {kind:?} tamper: {e}"),
                    body,
                ),
            }
            let forged = with_checksum(body, &js.checksum, &mut insert_rng);
            let outcome = match parse_webhook(forged.as_bytes()) {
                Err(_) => "refused as malformed",
                Ok(hook) => match hook.verdict(&secret) {
                    Verdict::Invalid if hook.verify(&secret).is_err() => "checksum mismatch",
                    v => {
                        fail(i, format!("{kind:?} tamper accepted: {v:?}"), &forged);
                        "ACCEPTED"
                    }
                },
            };
            *tamper_outcomes.entry((*kind, outcome)).or_default() += 1;
        }
    }

    eprintln!(
        "ClickPesa differential: {count} cases ({} bodies through one node process), seed {seed:#x}",
        requests.len()
    );
    eprintln!("classes covered (cases containing each):");
    for (class, n) in &classes {
        eprintln!("  {n:>6}  {class}");
    }
    eprintln!("tampered variants:");
    for ((kind, outcome), n) in &tamper_outcomes {
        eprintln!("  {n:>6}  {kind:?}: {outcome}");
    }
    eprintln!("disagreements: {}", failures.len());
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with JavaScript; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Every class the generator knows was exercised.
    assert!(classes.len() >= 20, "classes covered: {classes:?}");
}
