//! `GET /metrics`: the Prometheus text of `telemetry::metrics`, with the gauges read at scrape
//! time from this service's database and converter (jobs per state, the queue's age, the
//! converter). Behind `ADMIN_TOKEN` (Bearer) when one is set.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::admin::{refusal, Access};
use super::AppContext;
use crate::telemetry::metrics;

pub async fn scrape(State(ctx): State<Arc<AppContext>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&ctx, &headers, Access::OpenWithoutToken) {
        return refused;
    }
    let mut gauges = metrics::Gauges::default();
    match ctx.store.queue_health().await {
        Ok(health) => {
            gauges.jobs = health.jobs.into_iter().collect();
            gauges.oldest_waiting_s = health.oldest_waiting.map_or(0.0, |w| w.age_seconds);
        }
        // The other metrics are still worth a scrape.
        Err(e) => tracing::warn!(error = %e, "metrics: the queue could not be read"),
    }
    let converter = &ctx.queue.deps().converter;
    gauges.converter_up = converter.health().await.ok;
    gauges.pool = converter.pool_stats();
    match metrics::render(&gauges) {
        Some(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed (another recorder owns the process)\n",
        )
            .into_response(),
    }
}
