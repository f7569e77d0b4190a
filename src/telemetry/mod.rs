//! Logging — readable text locally, JSON lines that are Cloud Logging entries on Cloud Run —
//! and the Prometheus metrics (`metrics`).

pub mod metrics;

use std::fmt;
use std::io::IsTerminal;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber. Safe to call twice (tests): the second call is a no-op.
pub fn init(cfg: &LogConfig) {
    let default = if cfg.debug { "debug" } else { "info" };
    // Dependencies are noisy at debug level and may print request details we do not control.
    let directives = format!(
        "{default},hyper=info,sqlx=warn,h2=info,rustls=info,reqwest=info,tower=info,object_store=info,lettre=info"
    );
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directives));
    match cfg.format {
        // Colour only for a person at a terminal: a file or a pipe gets plain text.
        LogFormat::Text => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_ansi(colour_allowed(std::io::stderr().is_terminal()))
                .try_init();
        }
        LogFormat::Json => {
            let _ = json_subscriber(filter, std::io::stderr).try_init();
        }
    }
}

/// Span fields recorded as JSON (never the text formatter's ANSI-styled `k=v`), so each
/// becomes a field of its own in the entry.
fn json_subscriber<W>(filter: EnvFilter, writer: W) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
        .event_format(CloudLoggingJson)
        .finish()
}

/// Colour on a terminal, unless `NO_COLOR` (any non-empty value, https://no-color.org) or
/// `TERM=dumb` says no. The operator's commands follow the same rule.
pub fn colour_allowed(is_terminal: bool) -> bool {
    is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// One JSON object per line, a Cloud Logging structured entry: `severity`, `message`, `time`
/// (RFC 3339, which Cloud Logging takes as the entry's timestamp), `target`, then the fields
/// of the spans the event happened in (request id, job id, attempt…) and its own fields, each
/// a plain JSON value.
struct CloudLoggingJson;

impl<S, N> FormatEvent<S, N> for CloudLoggingJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(stored) = span
                    .extensions()
                    .get::<tracing_subscriber::fmt::FormattedFields<N>>()
                {
                    // Recorded by `JsonFields`: a JSON object; inner spans win on a clash.
                    match serde_json::from_str::<Value>(&stored.fields) {
                        Ok(Value::Object(map)) => fields.extend(map),
                        _ if stored.fields.is_empty() => {}
                        _ => {
                            fields.insert(
                                span.name().to_string(),
                                Value::String(stored.fields.clone()),
                            );
                        }
                    }
                }
            }
        }
        let mut visitor = JsonVisitor(&mut fields);
        event.record(&mut visitor);
        let meta = event.metadata();
        let message = fields
            .remove("message")
            .unwrap_or(Value::String(String::new()));
        let mut line = Map::new();
        line.insert(
            "severity".into(),
            Value::String(severity(meta.level()).into()),
        );
        line.insert(
            "time".into(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        line.insert("message".into(), message);
        line.insert("target".into(), Value::String(meta.target().into()));
        line.extend(fields);
        let text = serde_json::to_string(&Value::Object(line)).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

fn severity(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        Level::DEBUG | Level::TRACE => "DEBUG",
    }
}

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), Value::String(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::String(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn span_fields_are_plain_json_fields_of_every_entry_inside_the_span() {
        let out = Buffer::default();
        let subscriber = json_subscriber(EnvFilter::new("info"), out.clone());
        tracing::subscriber::with_default(subscriber, || {
            let job = tracing::info_span!("job", job_id = 7_i64, attempt = 2_u64);
            let _in_job = job.enter();
            let stage = tracing::info_span!("stage", stage = %"convert");
            let _in_stage = stage.enter();
            tracing::warn!(code = "convert_timeout", "job failed, will retry");
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains("\\u001b"),
            "{text}"
        );
        let entry: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(entry["severity"], "WARNING");
        assert_eq!(entry["message"], "job failed, will retry");
        assert_eq!(entry["job_id"], 7);
        assert_eq!(entry["attempt"], 2);
        assert_eq!(entry["stage"], "convert");
        assert_eq!(entry["code"], "convert_timeout");
        assert!(chrono::DateTime::parse_from_rfc3339(entry["time"].as_str().unwrap()).is_ok());
    }
}
