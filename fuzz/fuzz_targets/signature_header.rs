//! The signature header is read before anything else: whatever it holds, the check answers, and
//! it accepts only a header naming the configured secret.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use webhook_service::config::{Config, Source};
use webhook_service::http::auth::verify;

const SECRET: &str = "fuzz-secret-0123456789";

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        Config::from_source(&Source::from_pairs([(
            "WEBHOOK_SECRET".to_string(),
            SECRET.to_string(),
        )]))
        .expect("configuration")
    })
}

fuzz_target!(|header: &[u8]| {
    let accepted = verify(&config().webhook, Some(header), None, b"{}").is_ok();
    if accepted {
        assert!(String::from_utf8_lossy(header).contains(SECRET));
    }
});
