//! A document that ties up the converter gives up instead of holding LibreOffice again and
//! again, while the other students' reports keep converting.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use office_convert::{ConvertError, Converter, Health};
use serde_json::Value;
use webhook_service::jobs::Outcome;

use crate::converter::shared_converter;
use crate::helpers::{automation_body, spawn_app_with, Setup};

/// Runs out of time on the documents that name one student, converts the others.
struct TimesOutFor(&'static str);

fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a docx");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

#[async_trait]
impl Converter for TimesOutFor {
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError> {
        if document_xml(&docx).contains(self.0) {
            return Err(ConvertError::Timeout(Duration::from_secs(120)));
        }
        shared_converter().convert(docx).await
    }

    async fn health(&self) -> Health {
        shared_converter().health().await
    }

    fn name(&self) -> &str {
        "times-out-for-one-student"
    }
}

#[tokio::test]
async fn a_document_that_times_the_converter_out_twice_is_dead_and_the_others_still_convert() {
    let app = spawn_app_with(Setup {
        converter: Some(Arc::new(TimesOutFor("diego.munoz"))),
        ..Default::default()
    })
    .await;
    let mut diego: Value = serde_json::from_str(&automation_body()).unwrap();
    diego["user"]["id"] = Value::String("64f1a2b3c4d5e6f7a8b9c0d2".into());
    diego["user"]["username"] = Value::String("diego.munoz".into());
    diego["user"]["email"] = Value::String("diego.munoz@example.com".into());
    diego["submission"]["id"] = Value::String("6650b0a1b2c3d4e5f6a7b8c9".into());
    assert_eq!(app.post_signed(diego.to_string()).await.status(), 202);
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);

    assert_eq!(
        app.process_one().await,
        Some(Outcome::Retrying),
        "diego: first timeout"
    );
    assert_eq!(
        app.process_one().await,
        Some(Outcome::Done),
        "camila converts meanwhile"
    );
    app.retry_now().await;
    assert_eq!(
        app.process_one().await,
        Some(Outcome::Dead),
        "diego: second timeout"
    );

    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["dead"], 1);
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("convert_timeout")
    );
    let sent = app.smtp.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, vec!["camila.rojas@example.com".to_string()]);
}
