//! The report document: a Word template filled with a report context, and the chart in it.

mod chart;

use docx_template::{Context, InlineImage, Rendered, Template, TemplateError};

pub use chart::{bar_chart_png, chart_title, parse_color, ChartColors, ChartError};

use crate::domain::context::GroupResult;

/// Width of the chart in the document; its height follows the picture's proportions.
pub const CHART_WIDTH_MM: f64 = 160.0;

/// Columns of `processed.csv`, the log of delivered reports the seed kept per course.
pub const PROCESSED_HEADER: [&str; 5] = ["user_id", "email", "assessment", "file", "sent_at"];

#[derive(Debug, thiserror::Error)]
pub enum FillError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// Fills `template` with a report context (see docs/templates.md). When the template shows
/// `{{ chart }}`, the bar chart of the context's `groups` is drawn for it. Legacy
/// `<<placeholders>>` without a value are listed in `unresolved`, for the caller to refuse.
/// CPU work: call it off the async workers.
pub fn fill_template(
    template: &Template,
    ctx: &serde_json::Value,
    chart: &[GroupResult],
    colors: &ChartColors,
) -> Result<Rendered, FillError> {
    let mut context = Context::from_serialize(ctx)?;
    if template.variables()?.iter().any(|v| v == "chart") {
        let title = chart_title(ctx["group_column"].as_str().unwrap_or_default());
        let image =
            InlineImage::png(bar_chart_png(chart, colors, &title)?)?.width_mm(CHART_WIDTH_MM);
        context = context.with_image("chart", image);
    }
    Ok(template.render_report(&context)?)
}

/// The groups of a context given as JSON (a template tried with a hand-written context), for
/// its chart; entries that are not groups are left out.
pub fn chart_groups(groups: &[serde_json::Value]) -> Vec<GroupResult> {
    groups
        .iter()
        .filter_map(|g| serde_json::from_value(g.clone()).ok())
        .collect()
}
