//! Bounded property-based runs of the two parsers every unauthenticated byte reaches: the
//! webhook payload parser and the signature check. Whatever arrives, they answer (never panic),
//! and a refusal names the field at fault; only a configured secret is ever accepted.

use proptest::prelude::*;
use serde_json::{json, Value};
use webhook_service::config::{Config, Source};
use webhook_service::domain::event::{parse, Incoming};
use webhook_service::http::auth::verify;

const FIELDS: [&str; 7] = [
    "user.id",
    "user.username",
    "user.email",
    "assessment.url",
    "assessment.title",
    "submission.id",
    "school.name",
];

fn config(secret: &str) -> Config {
    Config::from_source(&Source::from_pairs([(
        "WEBHOOK_SECRET".to_string(),
        secret.to_string(),
    )]))
    .expect("configuration")
}

/// JSON values of any shape, shallow enough to stay fast.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        Just(Value::from(
            "https://x.example/path?courseid=c1&unit=65a1f0c2b3d4e5f6a7b8c9d0"
        )),
        Just(Value::from("{{user.email}}")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("user".to_string()),
                    Just("assessment".to_string()),
                    Just("submission".to_string()),
                    Just("id".to_string()),
                    Just("email".to_string()),
                    Just("url".to_string()),
                    Just("title".to_string()),
                    Just("data".to_string()),
                    Just("type".to_string()),
                    Just("version".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_get_an_answer_from_the_payload_parser(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&body);
    }

    #[test]
    fn a_refused_payload_names_a_known_field_or_the_body(value in any_json()) {
        match parse(value.to_string().as_bytes()) {
            Ok(Incoming::Submission(ev)) => {
                prop_assert!(!ev.user_id.is_empty() && !ev.assessment_title.is_empty());
                prop_assert_eq!(ev.assessment_id.len(), 24);
                if let Some(email) = &ev.email {
                    prop_assert!(webhook_service::domain::text::is_bare_address(email));
                }
            }
            Ok(Incoming::Other { .. }) => {}
            Err(e) => {
                if let Some(field) = &e.field {
                    let field = field.strip_prefix("data.").unwrap_or(field);
                    prop_assert!(FIELDS.contains(&field), "unexpected field {}", field);
                }
            }
        }
    }

    #[test]
    fn only_a_configured_secret_passes_the_signature_check(
        secret in "[A-Za-z0-9_-]{16,40}",
        header in prop::collection::vec(any::<u8>(), 0..200),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let cfg = config(&secret);
        let accepted = verify(&cfg.webhook, Some(&header), None, &body).is_ok();
        let text = String::from_utf8_lossy(&header);
        let names_it = text
            .split([',', ' '])
            .map(str::trim)
            .any(|c| c.strip_prefix("v1=").unwrap_or(c) == secret);
        prop_assert_eq!(accepted, names_it);
    }

    #[test]
    fn the_right_secret_among_a_few_candidates_is_accepted(
        secret in "[A-Za-z0-9_-]{16,40}",
        others in prop::collection::vec("[a-z0-9]{1,20}", 0..4),
        at in 0usize..4,
    ) {
        let cfg = config(&secret);
        let mut candidates: Vec<String> = others.iter().map(|o| format!("v1={o}")).collect();
        candidates.insert(at.min(candidates.len()), format!("v1={secret}"));
        let header = candidates.join(",");
        let body: &[u8] = b"[]";
        prop_assert!(verify(&cfg.webhook, Some(header.as_bytes()), None, body).is_ok());
    }
}

#[test]
fn a_payload_with_every_field_is_a_submission() {
    let body = json!({
        "user": {"id": "u1", "email": "camila@example.com"},
        "assessment": {"title": "T", "url": "https://x/?unit=65a1f0c2b3d4e5f6a7b8c9d0"}
    });
    assert!(matches!(
        parse(body.to_string().as_bytes()),
        Ok(Incoming::Submission(_))
    ));
}
