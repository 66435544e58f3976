//! The `finconnect` command. Not implemented yet: it will run the demo, serve the
//! sandbox, run provider operations and verify captured callbacks offline.
#![forbid(unsafe_code)]

fn main() {
    eprintln!("finconnect: no commands yet");
    std::process::exit(2);
}
