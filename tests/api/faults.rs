//! Fault tests: the real service process SIGKILLs itself at a fail point (`FAILPOINT`, debug
//! builds only: src/jobs/failpoint.rs) — right after a claim, after render, after convert,
//! after store, and between the mail server's acceptance and its record. It is started again
//! without the fail point, waits out the dead process's lease and drains the queue: every
//! student has exactly one email at the SMTP sink. For the last point the documented behaviour
//! (jobs/stages/email.rs): the report handed over without a record is resent once with the
//! same Message-ID, so that one student's mail store holds one message.

use std::time::Duration;

use webhook_service::db::Store;
use webhook_service::jobs::failpoint::FailPoint;

use crate::helpers::{eventually_within, spawn_app, TestApp};
use crate::process::{assert_sigkilled, service_vars, Service, LEASE_SECONDS};
use crate::students::{address, student};

const STUDENTS: u32 = 3;

fn message_id(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_string))
        .unwrap_or_default()
}

async fn jobs_done(store: &Store) -> i64 {
    store
        .status(1)
        .await
        .map(|s| s.jobs.get("done").copied().unwrap_or_default())
        .unwrap_or_default()
}

/// Webhooks are taken by the in-process app (its workers are off); the service process with
/// the fail point armed claims the first job and dies at the point.
async fn crash_at(point: FailPoint) -> TestApp {
    let app = spawn_app().await;
    for n in 1..=STUDENTS {
        assert_eq!(app.post_signed(student(&app, n)).await.status(), 202);
    }
    let mut doomed =
        Service::start(&service_vars(&app, &[("FAILPOINT", point.name().into())])).await;
    let status = doomed.exited_within(Duration::from_secs(90)).await;
    let lines = doomed.lines();
    assert_sigkilled(status, &lines);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("FAILPOINT {}", point.name()))),
        "it died at the fail point: {lines:?}"
    );
    app
}

/// Started again without the fail point, the service finishes every job.
async fn restart_and_drain(app: &TestApp) {
    let _service = Service::start(&service_vars(app, &[])).await;
    let store = app.ctx.store.clone();
    eventually_within(
        "every job is done after the restart",
        Duration::from_secs(LEASE_SECONDS + 120),
        || {
            let store = store.clone();
            async move { jobs_done(&store).await == i64::from(STUDENTS) }
        },
    )
    .await;
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.jobs.get("dead").copied().unwrap_or_default(), 0);
    assert!(status.problems.is_empty(), "{:?}", status.problems);
}

fn copies_of(app: &TestApp, n: u32) -> Vec<Vec<u8>> {
    app.smtp
        .received()
        .into_iter()
        .filter(|m| m.to == [address(n)])
        .map(|m| m.raw)
        .collect()
}

async fn a_crash_loses_nobody_and_emails_nobody_twice(point: FailPoint) {
    let app = crash_at(point).await;
    assert!(app.smtp.received().is_empty(), "nothing was sent before");
    restart_and_drain(&app).await;
    for n in 1..=STUDENTS {
        assert_eq!(copies_of(&app, n).len(), 1, "{}", address(n));
    }
    assert_eq!(app.smtp.received().len(), STUDENTS as usize);
}

#[tokio::test]
async fn a_crash_right_after_the_claim_loses_nobody_and_emails_nobody_twice() {
    a_crash_loses_nobody_and_emails_nobody_twice(FailPoint::AfterClaim).await;
}

#[tokio::test]
async fn a_crash_after_render_loses_nobody_and_emails_nobody_twice() {
    a_crash_loses_nobody_and_emails_nobody_twice(FailPoint::AfterRender).await;
}

#[tokio::test]
async fn a_crash_after_convert_loses_nobody_and_emails_nobody_twice() {
    a_crash_loses_nobody_and_emails_nobody_twice(FailPoint::AfterConvert).await;
}

#[tokio::test]
async fn a_crash_after_store_loses_nobody_and_emails_nobody_twice() {
    a_crash_loses_nobody_and_emails_nobody_twice(FailPoint::AfterStore).await;
}

#[tokio::test]
async fn a_crash_between_the_mail_servers_acceptance_and_its_record_resends_once_with_the_same_message_id(
) {
    let app = crash_at(FailPoint::AfterSmtpAccept).await;
    let accepted = app.smtp.received();
    assert_eq!(accepted.len(), 1, "the server had accepted one report");
    let victim = (1..=STUDENTS)
        .find(|n| accepted[0].to == [address(*n)])
        .expect("one of ours");
    restart_and_drain(&app).await;
    for n in 1..=STUDENTS {
        let copies = copies_of(&app, n);
        if n == victim {
            assert_eq!(copies.len(), 2, "resent once, no more");
            assert_eq!(message_id(&copies[0]), message_id(&copies[1]));
            assert!(!message_id(&copies[0]).is_empty());
        } else {
            assert_eq!(copies.len(), 1, "{}", address(n));
        }
    }
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.emails_sent, i64::from(STUDENTS), "one delivery each");
}
