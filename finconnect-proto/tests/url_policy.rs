//! `UrlPolicy::Public` refuses every non-public address, and base URLs refuse
//! `user:password@` (which `Debug` never prints).
#![allow(clippy::unwrap_used)]

use finconnect_proto::azampay::{AzampayConfig, AzampayEndpoints, SANDBOX_ENDPOINTS};
use finconnect_proto::clickpesa::ClickpesaConfig;
use finconnect_proto::pesapal::PesapalConfig;
use finconnect_proto::{Error, HttpsUrl, Secret, UrlPolicy};
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn refused(url: &str) -> bool {
    HttpsUrl::parse(url, UrlPolicy::Public).is_err()
}

#[test]
fn non_public_hosts_are_refused() {
    for bad in [
        // Names.
        "https://localhost/",
        "https://LOCALHOST./",
        "https://api.localhost/",
        "https://printer.local/",
        "https://metadata.internal/",
        "https://router.home.arpa/",
        // IPv4 ranges.
        "https://0.0.0.0/",
        "https://0.0.0.1/",
        "https://10.0.0.1/",
        "https://100.64.0.1/",
        "https://100.127.255.254/",
        "https://127.0.0.1/",
        "https://169.254.169.254/",
        "https://172.16.0.1/",
        "https://192.0.0.1/",
        "https://192.0.2.1/",
        "https://192.88.99.1/",
        "https://192.168.0.1/",
        "https://198.18.0.1/",
        "https://198.19.255.255/",
        "https://198.51.100.7/",
        "https://203.0.113.9/",
        "https://224.0.0.1/",
        "https://239.255.255.250/",
        "https://240.0.0.1/",
        "https://255.255.255.255/",
        // IPv4 spellings the url crate turns into 127.0.0.1.
        "https://2130706433/",
        "https://0x7f.1/",
        "https://0x7f000001/",
        "https://017700000001/",
        "https://127.1/",
        // IPv6.
        "https://[::]/",
        "https://[::1]/",
        "https://[::127.0.0.1]/",
        "https://[::8.8.8.8]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[64:ff9b::7f00:1]/",
        "https://[64:ff9b::a00:1]/",
        "https://[64:ff9b:1::808:808]/",
        "https://[2002:7f00:1::1]/",
        "https://[2002:c0a8:101::1]/",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "https://[2001:db8::1]/",
        "https://[3fff::1]/",
        "https://[100::1]/",
        "https://[fc00::1]/",
        "https://[fd12:3456::1]/",
        "https://[fe80::1]/",
        "https://[febf::1]/",
        "https://[fec0::1]/",
        "https://[ff02::1]/",
    ] {
        assert!(refused(bad), "{bad} was accepted as public");
        assert!(
            HttpsUrl::parse(bad, UrlPolicy::Local).is_ok(),
            "{bad} refused locally"
        );
    }
}

#[test]
fn public_hosts_are_accepted() {
    for good in [
        "https://pay.pesapal.com/v3",
        "https://8.8.8.8/",
        "https://100.63.255.255/",
        "https://100.128.0.1/",
        "https://172.32.0.1/",
        "https://198.20.0.1/",
        "https://[2606:4700::1111]/",
        "https://[::ffff:8.8.8.8]/",
        "https://[64:ff9b::808:808]/",
        "https://[2002:808:808::1]/",
        "https://local.example/",
    ] {
        assert!(!refused(good), "{good} was refused");
    }
}

fn embeddings(v4: Ipv4Addr) -> Vec<Ipv6Addr> {
    let [a, b, c, d] = v4.octets();
    let hi = u16::from_be_bytes([a, b]);
    let lo = u16::from_be_bytes([c, d]);
    vec![
        v4.to_ipv6_mapped(),
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, hi, lo),
        Ipv6Addr::new(0x2002, hi, lo, 0, 0, 0, 0, 1),
    ]
}

proptest! {
    /// An IPv4 address embedded in IPv6 (mapped, NAT64, 6to4) is judged as the
    /// IPv4 address itself; the deprecated IPv4-compatible form is always refused.
    #[test]
    fn embedded_ipv4_is_judged_as_ipv4(raw in any::<u32>()) {
        let v4 = Ipv4Addr::from(raw);
        let v4_refused = refused(&format!("https://{v4}/"));
        for v6 in embeddings(v4) {
            prop_assert_eq!(refused(&format!("https://[{v6}]/")), v4_refused, "{} in {}", v4, v6);
        }
        let compatible = Ipv6Addr::from(u128::from(raw));
        let url = format!("https://[{compatible}]/");
        prop_assert!(refused(&url), "{} accepted", url);
    }
}

const WITH_USERINFO: &str = "https://merchant:hunter2@cybqa.pesapal.com/pesapalv3";

fn assert_userinfo_refused(result: Result<String, Error>) {
    match result {
        Err(e @ Error::Config { .. }) => {
            let text = e.to_string();
            assert!(text.contains("user name or password"), "{text}");
            assert!(
                !text.contains("hunter2") && !text.contains("merchant"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn base_urls_with_userinfo_are_refused_without_echoing_them() {
    for url in [
        WITH_USERINFO,
        "https://merchant@api.clickpesa.com/third-parties",
        "https://:hunter2@sandbox.azampay.co.tz",
    ] {
        for policy in [UrlPolicy::Public, UrlPolicy::Local] {
            assert_userinfo_refused(
                PesapalConfig::custom(Secret::new("k"), Secret::new("s"), url, policy)
                    .map(|c| format!("{c:?}")),
            );
            assert_userinfo_refused(
                ClickpesaConfig::custom("id", Secret::new("key"), url, policy)
                    .map(|c| format!("{c:?}")),
            );
            assert_userinfo_refused(
                AzampayConfig::custom(
                    "app",
                    "id",
                    Secret::new("s"),
                    AzampayEndpoints {
                        auth: url,
                        checkout: "https://checkout.example",
                        disbursement: "https://disburse.example",
                    },
                    policy,
                )
                .map(|c| format!("{c:?}")),
            );
            assert_userinfo_refused(
                AzampayConfig::custom(
                    "app",
                    "id",
                    Secret::new("s"),
                    AzampayEndpoints {
                        disbursement: url,
                        ..SANDBOX_ENDPOINTS
                    },
                    policy,
                )
                .map(|c| format!("{c:?}")),
            );
        }
    }
}

#[test]
fn debug_of_a_url_never_prints_userinfo() {
    // Callback URLs may carry userinfo; their Debug (and that of anything
    // holding them) still does not print it.
    let url = HttpsUrl::parse(WITH_USERINFO, UrlPolicy::Public).unwrap();
    let shown = format!("{url:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("merchant"),
        "{shown}"
    );
    assert!(shown.contains("cybqa.pesapal.com"), "{shown}");
    let err = HttpsUrl::parse("http://merchant:hunter2@shop.example/", UrlPolicy::Public)
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
    let err = HttpsUrl::parse("ht tp://merchant:hunter2@x", UrlPolicy::Public)
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
}
