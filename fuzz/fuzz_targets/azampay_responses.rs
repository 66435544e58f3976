#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| finconnect_proto::azampay::harness::azampay_responses(data));
