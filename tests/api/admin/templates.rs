//! Template preview on the dashboard: an upload is checked and filled for the sample student
//! (its problems and warnings on the page, the PDF beside them), nothing live changes until
//! the operator confirms, the replaced file is kept, and a rollback restores it.

use super::*;
use crate::helpers::{fixture, pdf_text};
use crate::template::{document_xml, docx};
use webhook_service::rules::sample::sample_context;

const LIVE: &str = "templates/plantilla_test_diagnostico.docx";

/// A one-paragraph Word document.
fn paragraph(text: &str) -> Vec<u8> {
    docx(&format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>
</w:body></w:document>"#
    ))
}

impl Session {
    /// The upload form posted as a browser posts it, with this session's token or `csrf`.
    async fn upload(&self, profile: &str, file: Vec<u8>, csrf: Option<&str>) -> (u16, String) {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.unwrap_or(&self.csrf).to_string())
            .text("profile", profile.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("plantilla.docx"),
            );
        let r = self
            .http
            .post(format!("{}/admin/templates/preview", self.base))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), unescape(r.text().await.unwrap()))
    }
}

/// The value of `href` on the element with this id.
fn href(html: &str, id: &str) -> String {
    let at = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = html[..at].rfind("href=\"").expect("an href") + 6;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&")
}

/// A hidden field's value on a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The words of the report this instance would make now (the live template, as cached).
async fn live_report(app: &TestApp) -> String {
    let profile = app
        .ctx
        .profiles
        .current()
        .profile("seed_diagnostic")
        .unwrap();
    let docx = app
        .ctx
        .profiles
        .render_report(&profile, &sample_context().unwrap())
        .await
        .unwrap();
    document_xml(&docx)
}

#[tokio::test]
async fn an_uploaded_template_is_previewed_installed_after_confirmation_and_rolled_back() {
    let app = dashboard_app(Default::default()).await;
    let session = Session::login(&app).await;
    let original = std::fs::read(app.data(LIVE)).unwrap();
    let (status, page) = session.page("/admin/templates").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(LIVE) && page.contains("seed_diagnostic"),
        "{page}"
    );

    // Not a Word file, and a tag that does not compile: problems, no way to install.
    for (bad, why) in [
        (b"not a zip".to_vec(), "not a .docx"),
        (paragraph("Hola {{ student.name "), "an unclosed tag"),
    ] {
        let (status, html) = session.upload("seed_diagnostic", bad, None).await;
        assert_eq!(status, 422, "{why}: {html}");
        assert!(html.contains(r#"class="problem""#), "{why}: {html}");
        assert!(!html.contains("install-template"), "{why}: {html}");
    }
    // The school's draft opens and renders, but a proof-reader's warnings are shown.
    let draft = std::fs::read(fixture("templates/template examen.docx")).unwrap();
    let (status, html) = session.upload("seed_diagnostic", draft, None).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"class="warning""#), "{html}");
    // A wrong token: refused, whatever the file.
    let (status, _) = session
        .upload("seed_diagnostic", paragraph("x"), Some("0123456789abcdef"))
        .await;
    assert_eq!(status, 403);
    // Too large: said so, not mistaken for a missing token.
    let (status, html) = session
        .upload("seed_diagnostic", vec![b'x'; 21 * 1024 * 1024], None)
        .await;
    assert_eq!(status, 413, "{html}");
    assert_eq!(
        std::fs::read(app.data(LIVE)).unwrap(),
        original,
        "nothing live changed"
    );

    // A good template: the sample student's report as a PDF, then installed on confirmation.
    let new = paragraph("PLANTILLA NUEVA para {{ student.name }}");
    let (status, html) = session.upload("seed_diagnostic", new.clone(), None).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"id="no-problems""#), "{html}");
    let pdf = session
        .http
        .get(format!("{}{}", app.address, href(&html, "preview-pdf")))
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let text = pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains("PLANTILLA NUEVA para Camila Rojas"), "{text}");
    assert_eq!(
        std::fs::read(app.data(LIVE)).unwrap(),
        original,
        "a preview changes nothing"
    );
    assert!(!live_report(&app).await.contains("PLANTILLA NUEVA"));
    assert_eq!(app.count("template_changes").await, 0);

    let (status, confirm) = session.page(&href(&html, "install-template")).await;
    assert_eq!(status, 200);
    let candidate = hidden(&confirm, "candidate");
    let (status, done) = session
        .submit(
            "/admin/templates/replace",
            &[("profile", "seed_diagnostic"), ("candidate", &candidate)],
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(std::fs::read(app.data(LIVE)).unwrap(), new);
    assert!(
        live_report(&app).await.contains("PLANTILLA NUEVA"),
        "the next report uses it"
    );
    assert_eq!(app.count("template_changes").await, 1);

    // The replaced file was kept; restoring it is one confirmed action too.
    let (_, page) = session.page("/admin/templates").await;
    assert!(page.contains("session"), "who changed it: {page}");
    let rollback = href(&page, "rollback-0");
    let (status, confirm) = session.page(&rollback).await;
    assert_eq!(status, 200);
    let version = hidden(&confirm, "version");
    assert_eq!(std::fs::read(app.data(&version)).unwrap(), original);
    let (status, done) = session
        .submit(
            "/admin/templates/rollback",
            &[("path", LIVE), ("version", &version)],
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(std::fs::read(app.data(LIVE)).unwrap(), original);
    assert!(!live_report(&app).await.contains("PLANTILLA NUEVA"));
    assert_eq!(app.count("template_changes").await, 2);
    // A rollback to anything but a kept version of that template is refused.
    let (status, _) = session
        .submit(
            "/admin/templates/rollback",
            &[("path", LIVE), ("version", "config/reports.toml")],
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(app.count("template_changes").await, 2);
}
