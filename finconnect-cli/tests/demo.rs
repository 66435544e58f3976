//! `finconnect demo` runs every provider's flow against the embedded sandbox.

use std::process::Command;

fn finconnect(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_finconnect"))
        .args(args)
        .output()
        .expect("run finconnect")
}

#[test]
fn demo_succeeds_for_every_provider() {
    let out = finconnect(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for label in [
        "PesaPal   ✔ all 6 steps",
        "AzamPay   ✔ all 6 steps",
        "ClickPesa ✔ all 6 steps",
        "M-Pesa    ✔ all 6 steps",
    ] {
        assert!(stdout.contains(label), "missing {label:?} in:\n{stdout}");
    }
    assert!(stdout.contains("Overall   ✔ 4 provider(s)"), "{stdout}");
}

#[test]
fn demo_json_has_one_object_per_provider() {
    let out = finconnect(&["demo", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let providers: Vec<&str> = objects
        .iter()
        .map(|o| o["provider"].as_str().expect("provider"))
        .collect();
    assert_eq!(providers, ["pesapal", "azampay", "clickpesa", "mpesa"]);
    for o in &objects {
        assert_eq!(o["ok"], true, "{o}");
        let steps = o["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 6, "{o}");
        assert!(steps
            .iter()
            .all(|s| s["ok"] == true && s["elapsed_ms"].is_number()));
        assert!(o["total_ms"].is_number());
    }
}

#[test]
fn demo_of_one_provider() {
    let out = finconnect(&["demo", "--provider", "clickpesa"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ClickPesa ✔ all 6 steps"));
    assert!(!stdout.contains("PesaPal "));
}

#[test]
fn demo_of_mpesa_confirms_the_stk_callback_by_query() {
    let out = finconnect(&["demo", "--provider", "mpesa", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(objects.len(), 1, "{stdout}");
    let o = &objects[0];
    assert_eq!(o["provider"], "mpesa", "{o}");
    assert_eq!(o["ok"], true, "{o}");
    let steps = o["steps"].as_array().expect("steps");
    let detail = |i: usize| steps[i]["detail"].as_str().unwrap_or_default().to_owned();
    // The C2B URLs and the STK callback URL each carry a random path segment.
    let c2b = detail(0);
    assert!(c2b.contains("/payments/c2b/"), "{c2b}");
    assert!(c2b.contains("/confirmation"), "{c2b}");
    let push = detail(1);
    assert!(push.contains("/payments/stk/"), "{push}");
    let segment = push.rsplit('/').next().unwrap_or_default();
    assert_eq!(segment.len(), 32, "{push}");
    assert!(!c2b.contains(segment), "one path per URL: {c2b} / {push}");
    assert!(detail(3).contains("own path"), "{o}");
    assert!(detail(4).contains("trust StatusQuery"), "{o}");
    assert!(detail(5).starts_with("completed"), "{o}");
}
