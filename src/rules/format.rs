//! How the report prints its figures: Chilean Spanish (`12,5 %`, decimal comma), with the
//! profile's number of decimals, the same in the context's texts, the template filters
//! (`num`, `pct`, `fecha` of docx-template) and the chart's labels.

use serde::Deserialize;
use serde_json::Value;

use crate::domain::context::{percent_text, ReportContext};

/// Rewrites every `*_text` figure of the context with `decimals` decimals and records them in
/// `format`, where the template filters read them.
pub fn apply(ctx: &mut ReportContext, decimals: u32) {
    ctx.format.decimals = decimals;
    ctx.score.percent_text = percent_text(ctx.score.percent, decimals);
    ctx.pd_text = percent_text(ctx.pd_percent, decimals);
    for g in ctx
        .groups
        .iter_mut()
        .chain(ctx.groupings.values_mut().flatten())
    {
        g.percent_text = percent_text(g.percent, decimals);
        for nested in g.extra.values_mut() {
            rewrite(nested, decimals);
        }
    }
    for c in ctx.count.values_mut() {
        c.percent_passed_text = percent_text(c.percent_passed, decimals);
    }
}

/// Nested groups (a unit's lessons) are kept as JSON inside their parent.
fn rewrite(value: &mut Value, decimals: u32) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, decimals)),
        Value::Object(map) => {
            if let (Some(p), true) = (
                map.get("percent").and_then(Value::as_f64),
                map.contains_key("percent_text"),
            ) {
                map.insert("percent_text".into(), percent_text(p, decimals).into());
            }
            map.values_mut().for_each(|v| rewrite(v, decimals));
        }
        _ => {}
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatSpec {
    /// At most this many decimals in percentages and numbers (trailing zeros dropped).
    #[serde(default = "default_decimals")]
    pub decimals: u32,
}

impl Default for FormatSpec {
    fn default() -> Self {
        Self {
            decimals: default_decimals(),
        }
    }
}

fn default_decimals() -> u32 {
    docx_template::es_cl::DEFAULT_DECIMALS
}
