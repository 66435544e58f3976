//! The M-Pesa fuzz harnesses over their seed corpora (`fuzz/corpus/mpesa_*`)
//! and a few hostile inputs: nothing panics, every invariant holds.

use finconnect_proto::mpesa::harness::{mpesa_callbacks, mpesa_responses, RESPONSE_READERS};
use std::path::Path;

fn replay(target: &str, harness: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        let data = std::fs::read(&path).unwrap_or_default();
        harness(&data);
        count += 1;
    }
    count
}

#[test]
fn seed_corpora_replay() {
    assert!(replay("mpesa_responses", mpesa_responses) >= 30);
    assert!(replay("mpesa_callbacks", mpesa_callbacks) >= 25);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let bodies: [&[u8]; 9] = [
        b"",
        b"null",
        b"[]",
        b"{\"errorCode\":500.0011001}",
        b"{\"errorCode\":\"500.001.1001\",\"errorMessage\":null}",
        b"{\"ResultCode\":\"4999\",\"ResponseCode\":0}",
        b"{\"Body\":{\"stkCallback\":{\"CheckoutRequestID\":\"\xc3\xb1\",\"ResultCode\":[]}}}",
        b"{\"Result\":{\"ResultCode\":\"0\",\"ResultParameters\":{\"ResultParameter\":\"x\"}}}",
        "Working|KES|1e400|&&|||&\u{fffd}".as_bytes(),
    ];
    for body in bodies {
        mpesa_callbacks(body);
        for selector in 0..(RESPONSE_READERS * 8) {
            let mut data = vec![u8::try_from(selector).unwrap_or(0)];
            data.extend_from_slice(body);
            mpesa_responses(&data);
        }
    }
}
