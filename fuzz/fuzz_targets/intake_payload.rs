//! Every byte string a client can post reaches the payload parser: it must answer, never panic,
//! and a submission it accepts has the fields a job needs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_service::domain::event::{parse, Incoming};
use webhook_service::domain::text::is_bare_address;

fuzz_target!(|body: &[u8]| {
    if let Ok(Incoming::Submission(ev)) = parse(body) {
        assert!(!ev.user_id.is_empty());
        assert_eq!(ev.assessment_id.len(), 24);
        if let Some(email) = &ev.email {
            assert!(is_bare_address(email));
        }
    }
});
