//! Where reports go, seed-compatible: `data/webhook_reports/<course>/<student>_<assessment>_<time>.pdf`.

use crate::intake::SubmissionEvent;
use crate::storage::{sanitize_segment, slug};

pub const PROCESSED_HEADER: [&str; 5] = ["user_id", "email", "assessment", "file", "sent_at"];

fn course_dir(event: &SubmissionEvent) -> String {
    let course = match &event.course_id {
        Some(c) => sanitize_segment(c),
        None => slug(&event.assessment_title),
    };
    format!("data/webhook_reports/{course}")
}

/// Deterministic for a submission (the time is the submission's), so a retried store stage
/// overwrites the same object instead of leaving a second copy.
pub fn report_key(event: &SubmissionEvent, submitted_at: Option<f64>) -> String {
    let time = submitted_at
        .and_then(|t| chrono::DateTime::from_timestamp(t as i64, 0))
        .unwrap_or_else(chrono::Utc::now)
        .format("%Y%m%d_%H%M%S");
    let assessment = sanitize_segment(&event.assessment_title).replace(' ', "_");
    format!(
        "{}/{}_{assessment}_{time}.pdf",
        course_dir(event),
        sanitize_segment(&event.user_id)
    )
}

pub fn processed_csv_key(event: &SubmissionEvent) -> String {
    format!("{}/processed.csv", course_dir(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(course: Option<&str>) -> SubmissionEvent {
        SubmissionEvent {
            user_id: "64f1a2b3c4d5e6f7a8b9c0d1".into(),
            username: None,
            email: None,
            assessment_id: "65a1f0c2b3d4e5f6a7b8c9d0".into(),
            assessment_title: "Test de diagnóstico M1".into(),
            assessment_url: String::new(),
            course_id: course.map(str::to_string),
            submission_id: None,
            school_name: None,
        }
    }

    #[test]
    fn reports_go_under_the_course_with_the_submission_time() {
        assert_eq!(
            report_key(&event(Some("diagnostico-m1")), Some(1717000000.12)),
            "data/webhook_reports/diagnostico-m1/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf"
        );
        assert_eq!(
            processed_csv_key(&event(None)),
            "data/webhook_reports/test-de-diagnostico-m1/processed.csv"
        );
    }

    #[test]
    fn hostile_course_ids_stay_inside_the_reports_folder() {
        assert!(processed_csv_key(&event(Some("../../templates")))
            .starts_with("data/webhook_reports/_.._templates/"));
    }
}
