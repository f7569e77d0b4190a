//! Each stable error code in plain words for the operator (who is not an operations
//! engineer): what happened and what to do, in Spanish or English. The code itself is always
//! shown too, so the README and the logs can be searched for it.

use super::i18n::Lang;

const PLAIN: &[(&str, &str, &str)] = &[
    ("bank_missing", "Falta el banco de preguntas de esta evaluación: súbalo y reintente.", "The question bank of this assessment is missing: upload it and retry."),
    ("bank_invalid", "El banco de preguntas tiene un error (columna o celda): corríjalo y reintente.", "The question bank has an error (a column or a cell): fix it and retry."),
    ("storage_unavailable", "No se pudo leer o guardar en el almacenamiento de archivos; se reintentará.", "File storage could not be read or written; it will be retried."),
    ("profile_expression", "Una fórmula del tipo de informe falló: revise el perfil.", "A formula of the report type failed: check the profile."),
    ("profile_invalid", "El tipo de informe tiene un error: revise el perfil.", "The report type has an error: check the profile."),
    ("conversion_table_invalid", "La tabla de conversión de puntajes tiene un error.", "The score conversion table has an error."),
    ("conversion_table_missing", "Falta la tabla de conversión de puntajes.", "The score conversion table is missing."),
    ("submission_empty", "La respuesta del estudiante llegó vacía: no hay informe que hacer.", "The student's submission is empty: there is no report to make."),
    ("submission_not_visible", "LearnWorlds aún no muestra esta respuesta; se reintentará.", "LearnWorlds does not show this submission yet; it will be retried."),
    ("template_missing", "Falta la plantilla Word del informe.", "The report's Word template is missing."),
    ("template_invalid", "La plantilla Word del informe tiene un error.", "The report's Word template has an error."),
    ("template_unknown_placeholder", "La plantilla usa un campo que no existe.", "The template uses a field that does not exist."),
    ("chart_failed", "No se pudo dibujar el gráfico del informe.", "The report's chart could not be drawn."),
    ("job_record_corrupt", "El registro guardado de este envío no se puede leer.", "This submission's stored record cannot be read."),
    ("learnworlds_bad_answer", "LearnWorlds respondió algo que no se entiende; se reintentará.", "LearnWorlds answered something unreadable; it will be retried."),
    ("learnworlds_http", "LearnWorlds respondió con un error; se reintentará.", "LearnWorlds answered with an error; it will be retried."),
    ("learnworlds_network", "No se pudo conectar con LearnWorlds; se reintentará.", "LearnWorlds could not be reached; it will be retried."),
    ("learnworlds_not_configured", "Faltan los datos de acceso a LearnWorlds (CLIENT_ID, ACCESS_TOKEN).", "The LearnWorlds credentials are missing (CLIENT_ID, ACCESS_TOKEN)."),
    ("learnworlds_not_found", "LearnWorlds no encuentra esta respuesta.", "LearnWorlds cannot find this submission."),
    ("learnworlds_rate_limited", "LearnWorlds pidió esperar (demasiadas consultas); se reintentará.", "LearnWorlds asked to wait (too many calls); it will be retried."),
    ("learnworlds_unauthorized", "LearnWorlds rechazó los datos de acceso: revise ACCESS_TOKEN.", "LearnWorlds refused the credentials: check ACCESS_TOKEN."),
    ("mail_parked", "El envío de correos está pausado (límite del proveedor).", "Sending email is paused (the provider's limit)."),
    ("message_too_large", "El correo es demasiado grande para el servidor de correo.", "The email is too large for the mail server."),
    ("invalid_recipient", "La dirección de correo del estudiante no es válida.", "The student's email address is not valid."),
    ("smtp_auth", "El servidor de correo rechazó el usuario o la clave.", "The mail server refused the user or password."),
    ("smtp_outcome_unknown", "No se sabe si el correo salió (se cortó la conexión).", "Whether the email left is unknown (the connection dropped)."),
    ("email_outcome_unknown", "No se sabe si el correo salió (se cortó la conexión).", "Whether the email left is unknown (the connection dropped)."),
    ("smtp_recipient_refused", "El servidor de correo rechazó la dirección del estudiante.", "The mail server refused the student's address."),
    ("smtp_rejected", "El servidor de correo rechazó el mensaje.", "The mail server refused the message."),
    ("smtp_unavailable", "No se pudo conectar con el servidor de correo; se reintentará.", "The mail server could not be reached; it will be retried."),
    ("outbox_write", "No se pudo guardar el correo en la carpeta de salida.", "The email could not be written to the outbox folder."),
    ("network", "Falló la red; se reintentará.", "The network failed; it will be retried."),
    ("convert_timeout", "La conversión a PDF tardó demasiado.", "The PDF conversion took too long."),
    ("pdf_conversion", "No se pudo convertir el informe a PDF.", "The report could not be converted to PDF."),
    ("database_unavailable", "La base de datos no respondió; se reintentará.", "The database did not answer; it will be retried."),
    ("report_missing", "El PDF del informe ya no está en el almacenamiento.", "The report's PDF is no longer in storage."),
    ("no_route", "Ningún tipo de informe corresponde a esta evaluación: revise los perfiles o la planilla de rutas y reencamine.", "No report type matches this assessment: check the profiles or routing sheet, then reroute."),
    ("route_rejected", "La planilla de rutas excluye a este estudiante o evaluación.", "The routing sheet excludes this student or assessment."),
];

/// The code in plain words; an unknown code says so and still names it.
pub fn plain(lang: Lang, code: &str) -> String {
    match PLAIN.iter().find(|(c, ..)| *c == code) {
        Some((_, es, en)) => match lang {
            Lang::Es => (*es).to_string(),
            Lang::En => (*en).to_string(),
        },
        None => match lang {
            Lang::Es => "Error técnico: consulte el código en el README.".into(),
            Lang::En => "Technical error: look the code up in the README.".into(),
        },
    }
}
