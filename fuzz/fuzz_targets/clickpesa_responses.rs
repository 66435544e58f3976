#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| finconnect_proto::clickpesa::harness::clickpesa_responses(data));
