//! `GET /admin`: today and this week at a glance, the queue, the mail quota, the last sweep,
//! the deliveries per hour, and the dead jobs by error code.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, TimeZone};
use serde_json::{json, Map, Value};

use super::errors::plain;
use super::i18n::local_time;
use super::page::{render, Ui};
use super::session::Operator;
use crate::http::AppContext;

/// Midnight today and on this week's Monday, in the school's zone, as ms since the epoch.
pub fn today_and_week(tz: chrono_tz::Tz, now_ms: i64) -> (i64, i64) {
    let now = tz
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_else(|| tz.timestamp_millis_opt(0).unwrap());
    let date = now.date_naive();
    let midnight = |d: chrono::NaiveDate| {
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        // A zone whose clocks skip midnight (a DST change) starts the day at its first hour.
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(now_ms - 86_400_000)
    };
    let monday = date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
    (midnight(date), midnight(monday))
}

/// Inline SVG bars: one per hour, oldest first; the tooltip gives the count.
pub fn bars(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (24usize, 120i64);
    let mut svg = format!(
        r#"<svg id="deliveries-chart" role="img" width="{}" height="{}" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg">"#,
        values.len() * w,
        h + 14,
        values.len() * w,
        h + 14
    );
    for (i, v) in values.iter().enumerate() {
        let bar = v * h / max;
        svg.push_str(&format!(
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#457b9d"><title>{v}</title></rect>"##,
            i * w + 2,
            h - bar,
            w - 4,
            bar
        ));
        if *v > 0 {
            svg.push_str(&format!(
                r#"<text x="{}" y="{}" font-size="10" text-anchor="middle">{v}</text>"#,
                i * w + w / 2,
                h + 12
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

pub async fn page(State(ctx): State<Arc<AppContext>>, op: Operator, ui: Ui) -> Response {
    let tz = ctx.config.dashboard.timezone;
    let (today, week) = today_and_week(tz, crate::db::now_ms());
    let overview = match ctx.store.overview(today, week).await {
        Ok(o) => o,
        Err(e) => return super::unavailable(&ctx, ui, &op, &e.to_string()),
    };
    let dead_codes = ctx.store.dead_by_code().await.unwrap_or_default();
    let unroutable_waiting = ctx
        .store
        .unroutable_waiting()
        .await
        .map(|u| u.len())
        .unwrap_or(0);
    let limits = &ctx.config.mail.limits;
    let limit = |l: Option<u32>| {
        l.map(|n| n.to_string())
            .unwrap_or_else(|| ui.lang.text("no_limit").into())
    };
    let mut vars = Map::new();
    vars.insert(
        "periods".into(),
        json!([
            {"id": "today", "label": ui.lang.text("today"), "counts": overview.today},
            {"id": "week", "label": ui.lang.text("week"), "counts": overview.week},
        ]),
    );
    let pending: Vec<(String, i64)> = overview
        .pending_by_stage
        .iter()
        .map(|(stage, n)| (ui.lang.stage(stage), *n))
        .collect();
    vars.insert("pending".into(), json!(pending));
    vars.insert(
        "oldest".into(),
        match &overview.oldest_waiting {
            Some(w) => json!({"job_id": w.job_id, "stage": ui.lang.stage(&w.stage),
                "since": chrono::DateTime::parse_from_rfc3339(&w.since)
                    .map(|t| local_time(tz, t.timestamp_millis())).unwrap_or_default()}),
            None => Value::Null,
        },
    );
    vars.insert("mail_hour".into(), overview.mail_last_hour.into());
    vars.insert("mail_day".into(), overview.mail_last_day.into());
    vars.insert("limit_hour".into(), limit(limits.per_hour).into());
    vars.insert("limit_day".into(), limit(limits.per_day).into());
    vars.insert(
        "sweep".into(),
        match &overview.last_sweep {
            Some(s) => json!({"at": local_time(tz, s.finished_at), "queued": s.totals.queued,
                "error": s.error}),
            None => Value::Null,
        },
    );
    vars.insert("chart".into(), bars(&overview.deliveries_per_hour).into());
    vars.insert(
        "dead_codes".into(),
        dead_codes
            .iter()
            .map(|(code, n)| {
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("code", code)
                    .finish();
                json!({"code": code, "n": n, "plain": plain(ui.lang, code),
                    "href": format!("/admin/requeue?{query}")})
            })
            .collect::<Vec<_>>()
            .into(),
    );
    vars.insert("unroutable_waiting".into(), unroutable_waiting.into());
    render(
        &ctx,
        ui,
        StatusCode::OK,
        "overview.html",
        op.csrf.as_deref(),
        vars,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_and_this_week_start_at_midnight_and_on_monday_in_the_schools_zone() {
        // Thursday 2026-12-03 02:30 UTC is Wednesday 23:30 in Santiago (UTC-3 in summer).
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T02:30:00Z")
            .unwrap()
            .timestamp_millis();
        let (today, week) = today_and_week(chrono_tz::America::Santiago, now);
        let utc = |ms| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339()
        };
        assert_eq!(utc(today), "2026-12-02T03:00:00+00:00");
        assert_eq!(utc(week), "2026-11-30T03:00:00+00:00");
    }

    #[test]
    fn the_chart_has_one_bar_per_hour_scaled_to_the_busiest() {
        let svg = bars(&[0, 2, 4]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(r#"height="120""#) && svg.contains(r#"height="60""#));
    }
}
