//! Render speed: (a) the docxtpl conformance `order` case, (b) a report like the service's
//! default one (40-row `{%tr for%}` table and a chart picture). Compare with
//! `benches/docxtpl_reference.py`, which renders the same two with docxtpl.

use criterion::{criterion_group, criterion_main, Criterion};
use docx_template::{Context, InlineImage, Template};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures")
}

/// The conformance corpus lives in the workspace's sibling `shared/` folder; override with
/// DOCXTPL_CONFORMANCE_DIR.
fn conformance_dir() -> PathBuf {
    std::env::var_os("DOCXTPL_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/docxtpl")
        })
}

fn report_context() -> Context {
    let dir = fixtures();
    let text = std::fs::read_to_string(dir.join("report_context.json")).expect("report context");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    // Built the way the service does: plain data from serde plus the chart as PNG bytes.
    if let Some(map) = json.as_object_mut() {
        map.remove("chart");
    }
    let png = std::fs::read(dir.join("chart.png")).expect("chart");
    Context::from_serialize(&json)
        .expect("context")
        .with_image("chart", InlineImage::png(png).expect("png").width_mm(160.0))
}

fn bench(c: &mut Criterion) {
    let order = conformance_dir().join("order");
    if order.join("template.docx").exists() {
        let bytes = std::fs::read(order.join("template.docx")).expect("template");
        let ctx = Context::from_json_file(&order.join("context.json")).expect("context");
        let tpl = Template::from_bytes(&bytes).expect("template");
        c.bench_function("order/render", |b| {
            b.iter(|| black_box(tpl.render(&ctx).expect("render")))
        });
        c.bench_function("order/parse+render", |b| {
            b.iter(|| {
                let t = Template::from_bytes(black_box(&bytes)).expect("template");
                black_box(t.render(&ctx).expect("render"))
            })
        });
    } else {
        eprintln!("skipping order: {} not found", order.display());
    }

    let bytes = std::fs::read(fixtures().join("report_template.docx")).expect("report template");
    let ctx = report_context();
    let tpl = Template::from_bytes(&bytes).expect("template");
    c.bench_function("report_40_rows/render", |b| {
        b.iter(|| black_box(tpl.render(&ctx).expect("render")))
    });
    c.bench_function("report_40_rows/parse+render", |b| {
        b.iter(|| {
            let t = Template::from_bytes(black_box(&bytes)).expect("template");
            black_box(t.render(&ctx).expect("render"))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
