//! The reconciliation sweep: students who completed an assessment but whose webhook never
//! arrived are found through the API and emailed, each once.

use std::collections::HashMap;

use webhook_service::sweep::{sweep, SweepOptions, SweepReport};

use crate::fake_learnworlds::Cohort;
use crate::helpers::{spawn_app, TestApp};
use crate::mail;

fn emails_per_student(app: &TestApp) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for m in app.smtp.received() {
        let to = mail::parse(&m.raw).to;
        let address = to.rsplit('<').next().unwrap_or(&to).trim_end_matches('>');
        *count.entry(address.to_string()).or_default() += 1;
    }
    count
}

async fn sweep_now(app: &TestApp, dry_run: bool) -> SweepReport {
    let opts = SweepOptions {
        dry_run,
        days: 30,
        ..Default::default()
    };
    let deps = app.ctx.queue.deps();
    sweep(
        &app.ctx.store,
        &deps.learnworlds,
        &app.ctx.profiles.current(),
        &opts,
    )
    .await
    .expect("sweep")
}

#[tokio::test]
async fn a_sweep_emails_every_student_whose_webhook_never_arrived_and_a_second_sweep_queues_nobody()
{
    let app = spawn_app().await;
    Cohort::serve(&app.lw, 200);
    // Every fourth webhook is lost.
    for i in (0..200).filter(|i| i % 4 != 3) {
        assert_eq!(
            app.post_signed(Cohort::webhook(i)).await.status().as_u16(),
            202
        );
    }
    app.drain().await;
    assert_eq!(emails_per_student(&app).len(), 150);

    let preview = sweep_now(&app, true).await;
    assert_eq!(preview.totals().queued, 50, "the dry run finds the 50");
    assert_eq!(app.count("jobs").await, 150, "and queues nobody");

    let first = sweep_now(&app, false).await;
    assert_eq!(first.totals().queued, 50);
    assert_eq!(first.totals().failed, 0);
    let swept = &first.assessments[0].found;
    assert!(swept
        .iter()
        .all(|f| f.user_id.ends_with(|c: char| c.is_ascii_hexdigit())));
    app.drain().await;
    let emails = emails_per_student(&app);
    assert_eq!(emails.len(), 200, "every student has a report");
    assert!(
        emails.values().all(|&n| n == 1),
        "each exactly once: {emails:?}"
    );

    let second = sweep_now(&app, false).await;
    assert_eq!(second.totals().queued, 0, "nobody is missed any more");
    assert_eq!(app.drain().await, 0);
    assert_eq!(app.smtp.received().len(), 200);
    let last = app.ctx.store.last_sweep().await.unwrap().expect("recorded");
    assert_eq!(last.totals.queued, 0);
}

#[tokio::test]
async fn a_webhook_that_named_no_submission_covers_the_students_newest_one() {
    let app = spawn_app().await;
    Cohort::serve(&app.lw, 3);
    for i in 0..3 {
        let mut event: serde_json::Value = serde_json::from_str(&Cohort::webhook(i)).unwrap();
        event["submission"]["id"] = serde_json::Value::String("{{submission.id}}".into());
        app.post_signed(event.to_string()).await;
    }
    app.drain().await;
    assert_eq!(app.smtp.received().len(), 3);
    let report = sweep_now(&app, false).await;
    assert_eq!(report.totals().queued, 0, "{report:?}");
    assert_eq!(report.totals().listed, 3);
}

#[tokio::test]
async fn the_service_sweeps_on_its_schedule_and_queues_the_missed_student() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Setup {
        vars: vec![("RECONCILE_INTERVAL", "10s".into())],
        ..Default::default()
    })
    .await;
    Cohort::serve(&app.lw, 3);
    for i in 0..2 {
        app.post_signed(Cohort::webhook(i)).await;
    }
    crate::helpers::eventually_async("the scheduled sweep queued the third student", || async {
        app.count("jobs").await == 3
    })
    .await;
    app.drain().await;
    let emails = emails_per_student(&app);
    assert_eq!(emails.len(), 3);
    assert!(app.ctx.store.last_sweep().await.unwrap().is_some());
}

#[tokio::test]
async fn one_instance_at_a_time_holds_the_sweep_lease() {
    let app = spawn_app().await;
    let other = webhook_service::db::Store::connect(&app.database.url)
        .await
        .unwrap();
    assert!(app.ctx.store.take_sweep_lease(1, 60_000).await.unwrap());
    assert!(
        !other.take_sweep_lease(2, 60_000).await.unwrap(),
        "held by 1"
    );
    assert!(
        app.ctx.store.take_sweep_lease(1, 60_000).await.unwrap(),
        "1 extends it"
    );
    app.ctx.store.release_sweep_lease(1).await.unwrap();
    assert!(other.take_sweep_lease(2, 60_000).await.unwrap());
}
