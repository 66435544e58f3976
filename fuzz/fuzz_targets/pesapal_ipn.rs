#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| finconnect_proto::pesapal::harness::pesapal_ipn(data));
