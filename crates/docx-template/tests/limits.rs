mod common;

use common::*;
use docx_template::{
    Context, JinjaOptions, PackageLimits, Template, TemplateError, TemplateOptions,
};

fn limited(package: PackageLimits) -> TemplateOptions {
    TemplateOptions {
        package,
        ..TemplateOptions::default()
    }
}

#[test]
fn oversized_parts_are_refused_before_being_inflated() {
    let big = format!("<w:p>{}</w:p>", run("", &"a".repeat(2 << 20)));
    let bytes = docx(&big, None, None);
    assert!(
        bytes.len() < 100_000,
        "highly compressible, like a zip bomb"
    );
    let opts = limited(PackageLimits {
        max_part_bytes: 1 << 20,
        ..PackageLimits::default()
    });
    let err = Template::from_bytes_with(&bytes, opts).expect_err("refused");
    assert!(
        matches!(err, TemplateError::LimitExceeded { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("word/document.xml"), "{err}");
}

#[test]
fn too_many_entries_are_refused() {
    let files: Vec<(String, String)> = (0..60)
        .map(|i| (format!("f{i}.xml"), "<a/>".into()))
        .collect();
    let opts = limited(PackageLimits {
        max_entries: 50,
        ..PackageLimits::default()
    });
    let err = Template::from_bytes_with(&zip_files(&files), opts).expect_err("refused");
    assert!(
        matches!(err, TemplateError::LimitExceeded { .. }),
        "{err:?}"
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!(
        "{}{}",
        "<w:sdt>".repeat(100_000),
        "</w:sdt>".repeat(100_000)
    );
    let err = Template::from_bytes(&docx(&deep, None, None)).expect_err("refused");
    assert!(
        matches!(err, TemplateError::LimitExceeded { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("nesting depth"), "{err}");
}

#[test]
fn runaway_loops_stop_with_an_error() {
    let body = format!(
        "<w:p>{}</w:p>",
        run(
            "",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
        )
    );
    let opts = TemplateOptions {
        jinja: JinjaOptions {
            fuel: 1_000_000,
            ..JinjaOptions::default()
        },
        ..TemplateOptions::default()
    };
    let tpl = Template::from_bytes_with(&docx(&body, None, None), opts).expect("opens");
    let err = tpl.render(&Context::new()).expect_err("out of fuel");
    assert!(matches!(err, TemplateError::Render { .. }), "{err:?}");
}

#[test]
fn rendered_markup_in_the_wrong_place_is_caught_before_zipping() {
    // A condition opened in a paragraph and closed in a table cell skips the table's
    // opening tags but not its closing ones.
    let body = format!(
        "<w:p>{}</w:p><w:tbl><w:tr><w:tc><w:p>{}</w:p></w:tc></w:tr></w:tbl>",
        run("", "{% if false %}"),
        run("", "{% endif %}")
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let err = tpl.render(&Context::new()).expect_err("broken output");
    assert!(matches!(err, TemplateError::Xml { .. }), "{err:?}");
    assert!(err.to_string().contains("not well-formed"), "{err}");
}

#[test]
fn huge_string_repetition_is_refused() {
    let body = format!(
        "<w:p>{}</w:p>",
        run("", "{{ 'x' * 4000000000 }}{{ 'y' * 300000000 }}")
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let started = std::time::Instant::now();
    let result = tpl.render(&Context::new());
    assert!(result.is_err(), "must not build a 4 GB string");
    assert!(started.elapsed().as_secs() < 10);
}
