#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| finconnect_proto::mpesa::harness::mpesa_responses(data));
