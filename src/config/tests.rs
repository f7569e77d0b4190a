use super::*;

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_source(&Source::from_pairs(
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    ))
}

fn err(pairs: &[(&str, &str)]) -> String {
    load(pairs).expect_err("should be refused").to_string()
}

#[test]
fn defaults_need_only_a_secret() {
    let c = load(&[("WEBHOOK_SECRET", "s3cret-signature")]).unwrap();
    assert_eq!(c.port, 8080);
    assert!(
        c.database_url.starts_with("sqlite://") && c.database_url.contains("webhook-service.db")
    );
    assert!(matches!(c.storage, StorageConfig::Local));
    assert!(c.mail.smtp.is_none());
    assert!(c.learnworlds.api.is_none());
    assert!(c.webhook.require_signature);
}

#[test]
fn the_alias_and_a_rotation_list_are_accepted() {
    let c = load(&[(
        "LEARNWORLDS_WEBHOOK_SECRET",
        "v1=first-secret-0001, second-secret-002 ,",
    )])
    .unwrap();
    let secrets: Vec<&str> = c.webhook.secrets.iter().map(Secret::expose).collect();
    assert_eq!(secrets, vec!["first-secret-0001", "second-secret-002"]);
}

#[test]
fn every_refusal_names_its_variable() {
    assert!(err(&[]).contains("WEBHOOK_SECRET"));
    assert!(err(&[("WEBHOOK_SECRET", "s3cret-signature"), ("PORT", "eighty")]).contains("PORT"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("STORAGE_BACKEND", "gcp")
    ])
    .contains("GCP_BUCKET_NAME"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("STORAGE_BACKEND", "s4")
    ])
    .contains("STORAGE_BACKEND"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("STORAGE_BACKEND", "s3")
    ])
    .contains("S3_BUCKET"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("STORAGE_BACKEND", "s3"),
        ("S3_BUCKET", "b"),
        ("S3_ACCESS_KEY_ID", "AKIA")
    ])
    .contains("S3_SECRET_ACCESS_KEY"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SCHOOL_DOMAIN", "x.com")
    ])
    .contains("CLIENT_ID"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SCHOOL_DOMAIN", "x.com"),
        ("CLIENT_ID", "c")
    ])
    .contains("ACCESS_TOKEN"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SMTP_SERVER", "smtp.x"),
        ("EMAIL_USER", "u@x.com")
    ])
    .contains("EMAIL_PASSWORD"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SMTP_SERVER", "smtp.x")
    ])
    .contains("EMAIL_FROM"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("DATABASE_URL", "mysql://x")
    ])
    .contains("DATABASE_URL"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("WEBHOOK_URL_TOKEN", "short")
    ])
    .contains("WEBHOOK_URL_TOKEN"));
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("JOB_MAX_ATTEMPTS", "0")
    ])
    .contains("JOB_MAX_ATTEMPTS"));
}

#[test]
fn unsigned_webhooks_need_an_explicit_opt_in() {
    let c = load(&[("ALLOW_UNSIGNED_WEBHOOKS", "true")]).unwrap();
    assert!(c.webhook.secrets.is_empty() && !c.webhook.require_signature);
}

#[test]
fn the_learnworlds_base_url_defaults_to_the_school_domain() {
    let c = load(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SCHOOL_DOMAIN", "https://academia.example.com/"),
        ("CLIENT_ID", "c"),
        ("CLIENT_SECRET", "x"),
    ])
    .unwrap();
    let api = c.learnworlds.api.unwrap();
    assert_eq!(
        api.base_url.as_str(),
        "https://academia.example.com/admin/api"
    );
    assert!(matches!(api.auth, LearnWorldsAuth::ClientCredentials(_)));
}

#[test]
fn smtp_security_follows_the_port_unless_set() {
    let smtp = |port: &str| {
        load(&[
            ("WEBHOOK_SECRET", "s3cret-signature"),
            ("SMTP_SERVER", "m"),
            ("SMTP_PORT", port),
            ("EMAIL_FROM", "a@b.cl"),
        ])
        .unwrap()
        .mail
        .smtp
        .unwrap()
        .security
    };
    assert_eq!(smtp("587"), SmtpSecurity::StartTls);
    assert_eq!(smtp("465"), SmtpSecurity::Tls);
    assert_eq!(smtp("25"), SmtpSecurity::None);
}

#[test]
fn secrets_do_not_show_in_debug_output() {
    let c = load(&[
        ("WEBHOOK_SECRET", "very-secret-value"),
        ("ADMIN_TOKEN", "admin-secret-value"),
    ])
    .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("very-secret-value") && !debug.contains("admin-secret-value"));
}

#[test]
fn the_profiles_file_and_its_reload_period_have_defaults_and_named_refusals() {
    let c = load(&[("WEBHOOK_SECRET", "s3cret-signature")]).unwrap();
    assert_eq!(c.report.profiles_path, "config/reports.toml");
    assert_eq!(c.report.profiles_reload, Duration::from_secs(60));
    let c = load(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("PROFILES_PATH", "bucket/informes.toml"),
        ("PROFILES_RELOAD_SECONDS", "0"),
    ])
    .unwrap();
    assert_eq!(c.report.profiles_path, "bucket/informes.toml");
    assert!(c.report.profiles_reload.is_zero());
    assert!(err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("PROFILES_RELOAD_SECONDS", "soon")
    ])
    .contains("PROFILES_RELOAD_SECONDS"));
}

#[test]
fn a_lease_shorter_than_the_longest_stage_wait_is_refused_naming_both_variables() {
    let message = err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("JOB_LEASE_SECONDS", "100"),
        ("CONVERT_TIMEOUT_SECONDS", "60"),
    ]);
    assert!(
        message.contains("JOB_LEASE_SECONDS") && message.contains("CONVERT_TIMEOUT_SECONDS"),
        "{message}"
    );
    let message = err(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("JOB_LEASE_SECONDS", "20"),
        ("CONVERT_TIMEOUT_SECONDS", "5"),
        ("HTTP_TIMEOUT_SECONDS", "25"),
    ]);
    assert!(message.contains("HTTP_TIMEOUT_SECONDS"), "{message}");
    assert!(load(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("JOB_LEASE_SECONDS", "120"),
        ("CONVERT_TIMEOUT_SECONDS", "60"),
    ])
    .is_ok());
}

#[test]
fn a_short_secret_or_one_with_whitespace_is_refused_unless_weak_secrets_are_allowed() {
    let short = err(&[("WEBHOOK_SECRET", "s")]);
    assert!(
        short.contains("WEBHOOK_SECRET") && short.contains("16"),
        "{short}"
    );
    let spaced = err(&[("WEBHOOK_SECRET", "a secret with spaces")]);
    assert!(spaced.contains("whitespace"), "{spaced}");
    let second = err(&[("LEARNWORLDS_WEBHOOK_SECRET", "long-enough-secret-1,short")]);
    assert!(
        second.contains("LEARNWORLDS_WEBHOOK_SECRET") && second.contains("secret 2"),
        "{second}"
    );
    assert!(load(&[("WEBHOOK_SECRET", "s"), ("ALLOW_WEAK_SECRET", "true")]).is_ok());
}

/// Every variable the code reads is documented in env.template and in README's table, so the
/// operator never meets a setting that no page mentions.
#[test]
fn env_template_and_the_readme_document_every_variable_the_code_reads() {
    let code = [
        include_str!("mod.rs"),
        include_str!("sections.rs"),
        include_str!("mail.rs"),
        include_str!("alerts.rs"),
        include_str!("report.rs"),
        include_str!("runtime.rs"),
        include_str!("server.rs"),
        include_str!("sweep.rs"),
        include_str!("storage.rs"),
    ]
    .concat();
    let template = include_str!("../../env.template");
    let readme = include_str!("../../README.md");
    let read =
        regex::Regex::new(r#"(?:get|flag|parse|seconds\(src,)\(?\s*"([A-Z][A-Z0-9_]+)""#).unwrap();
    let names: std::collections::BTreeSet<&str> = read
        .captures_iter(&code)
        .map(|c| c.get(1).unwrap().as_str())
        // Set by Cloud Run, not by the operator.
        .filter(|n| *n != "K_SERVICE")
        .collect();
    assert!(names.len() > 30, "the scan found only {names:?}");
    let missing_template: Vec<_> = names
        .iter()
        .filter(|n| !template.lines().any(|l| l.starts_with(&format!("{n}="))))
        .collect();
    let missing_readme: Vec<_> = names
        .iter()
        .filter(|n| !readme.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing_template.is_empty(),
        "not in env.template: {missing_template:?}"
    );
    assert!(
        missing_readme.is_empty(),
        "not in README: {missing_readme:?}"
    );
}

#[test]
fn the_server_limits_have_defaults_and_named_refusals() {
    let c = load(&[("WEBHOOK_SECRET", "s3cret-signature")]).unwrap();
    assert_eq!(c.server.header_timeout, Duration::from_secs(10));
    assert_eq!(c.server.body_timeout, Duration::from_secs(30));
    assert_eq!(c.server.max_connections, 8192);
    assert_eq!(c.server.max_connections_per_ip, 1024);
    assert_eq!(c.server.max_in_flight, 4096);
    for var in [
        "HTTP_HEADER_TIMEOUT_SECONDS",
        "HTTP_BODY_TIMEOUT_SECONDS",
        "HTTP_MAX_CONNECTIONS",
        "HTTP_MAX_CONNECTIONS_PER_IP",
        "WEBHOOK_MAX_IN_FLIGHT",
    ] {
        assert!(
            err(&[("WEBHOOK_SECRET", "s3cret-signature"), (var, "0")]).contains(var),
            "{var}"
        );
        assert!(
            include_str!("../../env.template").contains(&format!("\n{var}=")),
            "{var} is not in env.template"
        );
        assert!(
            include_str!("../../README.md").contains(&format!("`{var}`")),
            "{var} is not in README.md"
        );
    }
}

#[test]
fn pdf_format_and_tagging_default_to_tagged_plain_pdf_and_refuse_unknown_values() {
    use office_convert::PdfFormat;
    const SECRET: (&str, &str) = ("WEBHOOK_SECRET", "s3cret-signature");
    let c = load(&[SECRET]).unwrap();
    assert_eq!(c.report.pdf.format, PdfFormat::Pdf);
    assert!(c.report.pdf.tagged);
    let c = load(&[SECRET, ("PDF_FORMAT", "pdfa"), ("PDF_TAGGED", "false")]).unwrap();
    assert_eq!(c.report.pdf.format, PdfFormat::PdfA2b);
    assert!(!c.report.pdf.tagged);
    assert!(err(&[SECRET, ("PDF_FORMAT", "pdf/x")]).contains("PDF_FORMAT"));
    assert!(err(&[SECRET, ("PDF_TAGGED", "maybe")]).contains("PDF_TAGGED"));
}

#[test]
fn the_mail_transport_limits_and_alerts_have_defaults_and_named_refusals() {
    let c = load(&[("WEBHOOK_SECRET", "s3cret-signature")]).unwrap();
    assert_eq!(c.mail.transport, MailTransportKind::Outbox);
    assert_eq!(
        (c.mail.limits.per_hour, c.mail.limits.per_day),
        (None, None)
    );
    assert_eq!(c.mail.limits.quota_park, Duration::from_secs(3600));
    assert_eq!(c.alerts.min_interval, Duration::from_secs(900));
    assert!(!c.alerts.enabled());
    let smtp = load(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("SMTP_SERVER", "m"),
        ("EMAIL_FROM", "a@b.cl"),
    ])
    .unwrap();
    assert_eq!(smtp.mail.transport, MailTransportKind::Smtp);
    let sendgrid = load(&[
        ("WEBHOOK_SECRET", "s3cret-signature"),
        ("MAIL_TRANSPORT", "sendgrid"),
        ("SENDGRID_API_KEY", "SG.key"),
        ("EMAIL_FROM", "a@b.cl"),
        ("MAIL_MAX_PER_DAY", "2000"),
    ])
    .unwrap();
    assert_eq!(sendgrid.mail.transport, MailTransportKind::SendGrid);
    assert_eq!(
        sendgrid.mail.sendgrid.unwrap().api_url.as_str(),
        "https://api.sendgrid.com/"
    );
    assert_eq!(sendgrid.mail.limits.per_day, Some(2000));
    let base = ("WEBHOOK_SECRET", "s3cret-signature");
    for (pairs, var) in [
        (vec![base, ("MAIL_TRANSPORT", "pigeon")], "MAIL_TRANSPORT"),
        (vec![base, ("MAIL_TRANSPORT", "smtp")], "SMTP_SERVER"),
        (
            vec![
                base,
                ("MAIL_TRANSPORT", "sendgrid"),
                ("EMAIL_FROM", "a@b.cl"),
            ],
            "SENDGRID_API_KEY",
        ),
        (vec![base, ("MAIL_MAX_PER_HOUR", "0")], "MAIL_MAX_PER_HOUR"),
        (vec![base, ("MAIL_MAX_PER_DAY", "many")], "MAIL_MAX_PER_DAY"),
        (vec![base, ("ADMIN_EMAIL", "Ops <ops@x.cl>")], "ADMIN_EMAIL"),
        (
            vec![base, ("ALERT_NO_DELIVERY_MINUTES", "0")],
            "ALERT_NO_DELIVERY_MINUTES",
        ),
    ] {
        assert!(err(&pairs).contains(var), "{var}: {}", err(&pairs));
    }
    // The Slack URL is a secret: refused by name, never repeated.
    let slack = err(&[
        base,
        ("SLACK_WEBHOOK_URL", "http://hooks.example.com/T0/B0/xyz"),
    ]);
    assert!(
        slack.contains("SLACK_WEBHOOK_URL") && !slack.contains("xyz"),
        "{slack}"
    );
    for var in ["MAIL_MAX_PER_HOUR", "MAIL_MAX_PER_DAY"] {
        assert!(include_str!("../../env.template").contains(&format!("\n{var}=")));
        assert!(include_str!("../../README.md").contains(&format!("`{var}`")));
    }
}

#[test]
fn the_dashboard_defaults_to_santiago_and_a_secure_cookie_and_refuses_an_unknown_zone() {
    const SECRET: (&str, &str) = ("WEBHOOK_SECRET", "s3cret-signature");
    let c = load(&[SECRET]).unwrap();
    assert_eq!(c.dashboard.timezone, chrono_tz::America::Santiago);
    assert!(c.dashboard.cookie_secure);
    let c = load(&[
        SECRET,
        ("TIMEZONE", "Europe/Madrid"),
        ("ADMIN_COOKIE_SECURE", "false"),
    ])
    .unwrap();
    assert_eq!(c.dashboard.timezone, chrono_tz::Europe::Madrid);
    assert!(!c.dashboard.cookie_secure);
    let refused = err(&[SECRET, ("TIMEZONE", "Chile/Somewhere")]);
    assert!(
        refused.contains("TIMEZONE") && refused.contains("Chile/Somewhere"),
        "{refused}"
    );
    assert!(err(&[SECRET, ("ADMIN_COOKIE_SECURE", "perhaps")]).contains("ADMIN_COOKIE_SECURE"));
}
