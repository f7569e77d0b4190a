use super::*;

/// A reply as the server wrote it (`550-…` continuation lines, then `550 …`) read as lettre
/// hands it over: the code, and the lines' texts joined with the repeated enhanced code
/// dropped.
fn parse(raw: &str) -> (u16, String) {
    let code: u16 = raw[..3].parse().expect("three digits");
    let lines: Vec<&str> = raw.split("\r\n").map(|l| &l[4..]).collect();
    let repeated = enhanced(lines[0]);
    let rest = lines[1..].iter().map(|l| match repeated {
        Some(esc) => l.strip_prefix(esc).map_or(*l, str::trim_start),
        None => l,
    });
    let text = std::iter::once(lines[0])
        .chain(rest)
        .collect::<Vec<_>>()
        .join(" ");
    (code, text)
}

/// The meaning the job acts on, by the error's stable code (parks by their kind).
fn meaning(raw: &str, phase: Phase) -> String {
    let (code, text) = parse(raw);
    match classify_reply(code, &text, phase) {
        MailError::Parked { kind, .. } => format!("park:{kind:?}"),
        other => other.code().to_string(),
    }
}

/// Real replies of Gmail, Microsoft 365 / Exchange, Yahoo and Postfix, as logged by their
/// clients and documented by the providers.
#[test]
fn real_smtp_replies_mean_what_their_servers_say() {
    use Phase::*;
    let table: &[(&str, Phase, &str)] = &[
        // Gmail: the account's daily quota, as one line and as Gmail's multi-line reply.
        ("550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 - gsmtp", Message, "park:Quota"),
        ("550-5.4.5 Daily SMTP relay sending limit exceeded for customer. For more\r\n550-5.4.5 information on SMTP relay sending limits please go to\r\n550 5.4.5  https://support.google.com/a/answer/6140680 - gsmtp", Recipient, "park:Quota"),
        ("421-4.7.0 Try again later, closing connection. (EHLO) For more information, go to\r\n421 4.7.0  https://support.google.com/a/answer/3221692 - gsmtp", Connect, "park:Throttle"),
        ("421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating\r\n421 4.7.28 from your IP address. - gsmtp", Message, "park:Throttle"),
        ("454 4.7.0 Too many login attempts, please try again later. https://support.google.com/mail/answer/7126229 - gsmtp", Auth, "park:Throttle"),
        // A glitch of Gmail's, not a throttle: an ordinary retry.
        ("421 4.7.0 Temporary System Problem.  Try again later (10). - gsmtp", Message, "smtp_unavailable"),
        ("454 4.7.0 Cannot authenticate due to temporary system problem. Try again later. - gsmtp", Auth, "smtp_auth"),
        ("451 4.3.0 Mail server temporarily rejected message. - gsmtp", Message, "smtp_unavailable"),
        // Gmail: one recipient, including its mailbox being full or receiving too fast.
        ("550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address for typos or\r\n550 5.1.1 unnecessary spaces. - gsmtp", Recipient, "smtp_recipient_refused"),
        ("550 5.2.1 The email account that you tried to reach is disabled. - gsmtp", Recipient, "smtp_recipient_refused"),
        ("552 5.2.2 The recipient's inbox is out of storage space and inactive. - gsmtp", Message, "smtp_recipient_refused"),
        ("452 4.2.2 The email account that you tried to reach is over quota. - gsmtp", Recipient, "smtp_unavailable"),
        ("450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. - gsmtp", Recipient, "smtp_unavailable"),
        // Gmail: the message or the login.
        ("552-5.2.3 Your message exceeded Google's message size limits. Please visit\r\n552 5.2.3  https://support.google.com/mail/?p=MaxSizeError - gsmtp", Message, "message_too_large"),
        ("535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp", Auth, "smtp_auth"),
        ("534-5.7.9 Application-specific password required. - gsmtp", Auth, "smtp_auth"),
        ("530 5.7.0 Authentication Required. - gsmtp", Sender, "smtp_auth"),
        ("550-5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp", Message, "smtp_rejected"),
        // Microsoft 365 / Exchange.
        ("554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception", Message, "park:Quota"),
        ("432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", Message, "park:Throttle"),
        ("451 4.7.500 Server busy. Please try again later from [203.0.113.7]. (S77719)", Connect, "park:Throttle"),
        ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", Recipient, "smtp_recipient_refused"),
        ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", Auth, "smtp_auth"),
        ("530 5.7.57 Client not authenticated to send mail. [AM0PR01CA0000]", Sender, "smtp_auth"),
        ("452 4.3.1 Insufficient system resources", Message, "smtp_unavailable"),
        ("421 4.3.2 Service not available, closing transmission channel", Connect, "smtp_unavailable"),
        ("552 5.3.4 Message size exceeds fixed maximum message size", Message, "message_too_large"),
        ("550 5.7.60 SMTP; Client does not have permissions to send as this sender", Sender, "smtp_rejected"),
        // Yahoo.
        ("421 4.7.0 [TSS04] Messages from 203.0.113.7 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", Connect, "park:Throttle"),
        ("554 delivery error: dd This user doesn't have a yahoo.com account (someone@yahoo.com) [0] - mta1001.mail.gq1.yahoo.com", Message, "smtp_recipient_refused"),
        ("553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.7, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes", Connect, "smtp_rejected"),
        // Postfix.
        ("550 5.1.1 <camila@example.com>: Recipient address rejected: User unknown in virtual mailbox table", Recipient, "smtp_recipient_refused"),
        ("450 4.2.0 <camila@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html", Recipient, "smtp_unavailable"),
        ("554 5.7.1 <camila@example.com>: Relay access denied", Recipient, "smtp_recipient_refused"),
        ("552 5.3.4 Message size exceeds fixed limit", Message, "message_too_large"),
        ("452 4.3.1 Insufficient system storage", Sender, "smtp_unavailable"),
        ("421 4.3.2 Service shutting down", Message, "smtp_unavailable"),
        ("451 4.3.0 Error: queue file write error", Message, "smtp_unavailable"),
        ("454 4.7.0 TLS not available due to local problem", Connect, "smtp_unavailable"),
        ("550 5.7.1 Sender address rejected: not owned by user informes@academia.example.com", Sender, "smtp_rejected"),
    ];
    let mut wrong = Vec::new();
    for (raw, phase, expected) in table {
        let got = meaning(raw, *phase);
        if got != *expected {
            wrong.push(format!("{raw:?} in {phase:?}: {got}, expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "misread replies:\n{}", wrong.join("\n"));
}

#[test]
fn a_park_keeps_the_servers_words_for_the_status() {
    let e = classify_reply(
        550,
        "5.4.5 Daily user sending limit exceeded.",
        Phase::Message,
    );
    assert!(
        e.to_string()
            .contains("550 5.4.5 Daily user sending limit exceeded"),
        "{e}"
    );
    assert_eq!(e.code(), "mail_parked");
    assert!(
        !e.is_permanent(),
        "a park is never a reason to give a job up"
    );
}
