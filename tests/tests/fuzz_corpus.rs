//! Replays every committed fuzz input (`fuzz/corpus/<target>/*`) through the same
//! harness the fuzz target runs, on the stable toolchain: a crash the fuzzers
//! once found stays fixed, and the seed corpus stays valid input.

use std::path::Path;

type Harness = fn(&[u8]);

/// Each fuzz target and its harness (the target files are one-line calls).
const TARGETS: &[(&str, Harness)] = &[
    ("pesapal_ipn", finconnect::pesapal::harness::pesapal_ipn),
    (
        "pesapal_responses",
        finconnect::pesapal::harness::pesapal_responses,
    ),
    (
        "azampay_callback",
        finconnect::azampay::harness::azampay_callback,
    ),
    (
        "clickpesa_webhook",
        finconnect::clickpesa::harness::clickpesa_webhook,
    ),
    (
        "azampay_responses",
        finconnect::azampay::harness::azampay_responses,
    ),
    (
        "clickpesa_responses",
        finconnect::clickpesa::harness::clickpesa_responses,
    ),
    (
        "canonical_json",
        finconnect::clickpesa::harness::canonical_json,
    ),
    (
        "mpesa_responses",
        finconnect_proto::mpesa::harness::mpesa_responses,
    ),
    (
        "mpesa_callbacks",
        finconnect_proto::mpesa::harness::mpesa_callbacks,
    ),
    ("call_driver", finconnect_proto::harness::call_driver),
    ("money", finconnect_proto::harness::money),
];

fn corpus_dir(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

#[test]
fn every_corpus_file_replays_without_a_crash() {
    let mut replayed = 0;
    for (target, harness) in TARGETS {
        let dir = corpus_dir(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut count = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| harness(&data));
                assert!(
                    outcome.is_ok(),
                    "{target}: {} crashes the harness",
                    path.display()
                );
                count += 1;
            }
        }
        assert!(count > 0, "{target} has an empty corpus");
        replayed += count;
    }
    assert!(replayed >= 20, "only {replayed} corpus files");
}

#[test]
fn every_seed_corpus_has_non_ascii_input() {
    for (target, _) in TARGETS {
        let dir = corpus_dir(target);
        let has_non_ascii = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| std::fs::read(entry.ok()?.path()).ok())
            .any(|data| {
                String::from_utf8_lossy(&data)
                    .chars()
                    .any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER)
            });
        assert!(has_non_ascii, "{target}: no seed with non-ASCII text");
    }
}

#[test]
fn every_fuzz_target_has_a_replayed_harness() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/Cargo.toml"))
            .unwrap();
    for line in manifest.lines() {
        if let Some(name) = line.trim().strip_prefix("name = \"") {
            let name = name.trim_end_matches('"');
            if name == "finconnect-fuzz" {
                continue;
            }
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz target {name} is not replayed by this test"
            );
        }
    }
}
