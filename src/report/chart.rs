//! The report's chart: % correct per area as horizontal bars, drawn with plotters and a bundled
//! font (Carlito), so the picture is the same on every machine and needs no system fonts.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

pub use crate::config::{parse_color, ChartColors};
use crate::domain::context::GroupResult;

const FONT: &[u8] = include_bytes!("../../assets/fonts/Carlito-Regular.ttf");
const FAMILY: &str = "report-sans";

#[derive(Debug, thiserror::Error)]
#[error("drawing the chart failed: {0}")]
pub struct ChartError(String);

/// The chart's title for groups of a bank column: "… por unidad" for `unidad`.
pub fn chart_title(group_column: &str) -> String {
    let by = match crate::domain::text::normalize(group_column).as_str() {
        "" | "area" | "areas" => "área".to_string(),
        "leccion" | "lecciones" | "lecture" => "lección".into(),
        "habilidad" | "skill" => "habilidad".into(),
        "question_difficulty" | "dificultad" => "nivel de dificultad".into(),
        "tarea_lectora" => "tarea lectora".into(),
        other => other.replace('_', " "),
    };
    format!("Porcentaje de respuestas correctas por {by}")
}

/// Pixel size: 1600 × (120 + 90 per group), for about 16 cm wide at 250 dpi. Each bar's label
/// is its group's `percent_text`, the very text the report's tables print.
pub fn bar_chart_png(
    groups: &[GroupResult],
    colors: &ChartColors,
    title: &str,
) -> Result<Vec<u8>, ChartError> {
    static FONT_ONCE: Once = Once::new();
    FONT_ONCE.call_once(|| {
        // The font is compiled in; it cannot fail to parse unless the file was replaced.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
    let width = 1600u32;
    let height = 160 + 90 * groups.len().max(1) as u32;
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    draw(&mut rgb, width, height, groups, colors, title).map_err(|e| ChartError(e.to_string()))?;
    let image = image_png(&rgb, width, height)?;
    Ok(image)
}

fn draw(
    rgb: &mut [u8],
    width: u32,
    height: u32,
    groups: &[GroupResult],
    colors: &ChartColors,
    title: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let text = RGBColor(colors.text[0], colors.text[1], colors.text[2]);
    let n = groups.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(30)
        .margin_right(70)
        .caption(title, (FAMILY, 44).into_font().color(&text))
        .x_label_area_size(60)
        .y_label_area_size(430)
        .build_cartesian_2d(0f64..100f64, (0..n - 1).into_segmented())?;
    // Bank order from the top: plotters counts segments from the bottom.
    let row = |i: usize| n - 1 - i;
    let names: Vec<String> = groups.iter().map(|g| shorten(&g.name, 34)).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(6)
        .x_label_formatter(&|v| docx_template::es_cl::percent(*v, 0))
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => names.get(row(*i)).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .label_style((FAMILY, 34).into_font().color(&text))
        .axis_style(text.mix(0.6))
        .light_line_style(text.mix(0.12))
        .draw()?;
    let bars = groups.iter().enumerate().map(|(i, g)| {
        let c = if g.passed {
            colors.passed
        } else {
            colors.failed
        };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(row(i))),
                (g.percent.clamp(0.0, 100.0), SegmentValue::Exact(row(i) + 1)),
            ],
            RGBColor(c[0], c[1], c[2]).filled(),
        );
        bar.set_margin(14, 14, 0, 0);
        bar
    });
    chart.draw_series(bars)?;
    // The value sits after the bar, or inside it in white when the bar fills the row.
    chart.draw_series(groups.iter().enumerate().map(|(i, g)| {
        let (x, color) = if g.percent > 84.0 {
            (g.percent - 14.0, WHITE)
        } else {
            (g.percent + 1.5, text)
        };
        // A context made by hand may leave the text out: print the figure the same way.
        let label = if g.percent_text.is_empty() {
            docx_template::es_cl::percent(g.percent, docx_template::es_cl::DEFAULT_DECIMALS)
        } else {
            g.percent_text.clone()
        };
        Text::new(
            label,
            (x, SegmentValue::CenterOf(row(i))),
            (FAMILY, 32).into_font().color(&color),
        )
    }))?;
    root.present()?;
    Ok(())
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(max - 1).collect::<String>())
    }
}

fn image_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(encoder, rgb, width, height, image::ColorType::Rgb8)
        .map_err(|e| ChartError(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, percent: f64, passed: bool) -> GroupResult {
        GroupResult {
            name: name.into(),
            correct: 0,
            total: 0,
            percent,
            percent_text: String::new(),
            passed,
            status: String::new(),
            parent: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn the_chart_is_a_png_whose_height_grows_with_the_areas() {
        let few = bar_chart_png(
            &[group("Números", 50.0, false)],
            &ChartColors::default(),
            "t",
        )
        .unwrap();
        let many: Vec<GroupResult> = (0..8)
            .map(|i| group(&format!("Área {i}"), 12.5 * i as f64, i % 2 == 0))
            .collect();
        let more = bar_chart_png(&many, &ChartColors::default(), "t").unwrap();
        let size = |png: &[u8]| image::load_from_memory(png).unwrap();
        assert_eq!(size(&few).height(), 250);
        assert_eq!(size(&more).height(), 880);
        assert_eq!(size(&more).width(), 1600);
    }

    #[test]
    fn bars_use_the_configured_colours() {
        let colors = ChartColors {
            passed: [0, 200, 0],
            failed: [200, 0, 0],
            text: [0, 0, 0],
        };
        let png = bar_chart_png(
            &[group("A", 100.0, true), group("B", 100.0, false)],
            &colors,
            "t",
        )
        .unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        let pixels: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
        assert!(pixels.contains(&[0, 200, 0]) && pixels.contains(&[200, 0, 0]));
    }

    #[test]
    fn the_title_names_what_the_bars_group() {
        assert_eq!(
            chart_title("unidad"),
            "Porcentaje de respuestas correctas por unidad"
        );
        assert!(chart_title("area").ends_with("por área"));
        assert!(chart_title("Habilidad").ends_with("por habilidad"));
    }

    #[test]
    fn colours_parse_with_or_without_a_hash() {
        assert_eq!(parse_color("#1F3A68"), Some([0x1F, 0x3A, 0x68]));
        assert_eq!(parse_color("e07a1f"), Some([0xE0, 0x7A, 0x1F]));
        assert_eq!(parse_color("red"), None);
    }
}
