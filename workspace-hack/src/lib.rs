//! No code: this crate only asks for dependency features (see its Cargo.toml).
#![forbid(unsafe_code)]
