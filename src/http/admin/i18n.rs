//! The dashboard's languages: Spanish by default, English by `?lang=en` (remembered in a
//! cookie) or the browser's `Accept-Language`; dates in the school's time zone.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap};
use chrono::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Es,
    En,
}

pub const LANG_COOKIE: &str = "admin_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Es => "es",
            Self::En => "en",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "es" => Some(Self::Es),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// `?lang=` first, then the cookie, then the first of `Accept-Language` we speak.
    pub fn detect(query_lang: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(l) = query_lang.and_then(Self::parse) {
            return l;
        }
        if let Some(l) = super::session::cookie(headers, LANG_COOKIE).and_then(|v| Self::parse(&v))
        {
            return l;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').find_map(Self::parse))
            .unwrap_or(Self::Es)
    }

    /// The query's `lang`, when it names a language: to be remembered in the cookie.
    pub fn chosen(query_lang: Option<&str>) -> Option<Self> {
        query_lang.and_then(Self::parse)
    }

    /// Every text of the interface in this language.
    pub fn texts(self) -> BTreeMap<&'static str, &'static str> {
        TEXTS
            .iter()
            .map(|(k, es, en)| (*k, if self == Self::Es { *es } else { *en }))
            .collect()
    }

    /// A submission state's label.
    pub fn state(self, state: &str) -> &'static str {
        self.text(&format!("st_{state}"))
    }

    /// A job stage's label, with its code (as logs and commands spell it) beside it.
    pub fn stage(self, stage: &str) -> String {
        match TEXTS
            .iter()
            .find(|(k, ..)| k.strip_prefix("stage_") == Some(stage))
        {
            Some((_, es, en)) => format!("{} ({stage})", if self == Self::Es { es } else { en }),
            None => stage.to_string(),
        }
    }

    /// A recorded value (an operator action, a resend state) in words, else as stored.
    pub fn word(self, value: &str) -> String {
        match TEXTS
            .iter()
            .find(|(k, ..)| k.strip_prefix("w_") == Some(value))
        {
            Some((_, es, en)) => (if self == Self::Es { *es } else { *en }).to_string(),
            None => value.to_string(),
        }
    }

    /// The detail an action was recorded with (`was <state>`, `resend <id>`), in words.
    pub fn action_detail(self, detail: &str) -> String {
        match detail.split_once(' ') {
            Some(("was", state)) => format!("{} {}", self.text("was"), self.word(state)),
            Some(("resend", id)) => format!("{} {id}", self.word("resend")),
            _ => detail.to_string(),
        }
    }

    pub fn text(self, key: &str) -> &'static str {
        TEXTS
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|(_, es, en)| if self == Self::Es { *es } else { *en })
            .unwrap_or("?")
    }
}

/// A moment (ms since the epoch) as the school's clock shows it.
pub fn local_time(tz: chrono_tz::Tz, ms: i64) -> String {
    match tz.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => String::new(),
    }
}

const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "Informes: panel del operador", "Reports: operator dashboard"),
    ("login", "Entrar", "Log in"),
    ("logout", "Salir", "Log out"),
    ("token", "Clave de administración (ADMIN_TOKEN)", "Admin token (ADMIN_TOKEN)"),
    ("login_failed", "Clave incorrecta.", "Wrong token."),
    ("overview", "Resumen", "Overview"),
    ("submissions", "Envíos", "Submissions"),
    ("today", "Hoy", "Today"),
    ("week", "Esta semana", "This week"),
    ("received", "Recibidos", "Received"),
    ("delivered", "Entregados", "Delivered"),
    ("failed", "Con fallos", "Failed"),
    ("dead", "Detenidos", "Dead"),
    ("unroutable", "Sin tipo de informe", "Unroutable"),
    ("pending", "En curso", "Pending"),
    ("failing", "Reintentando", "Failing"),
    ("st_pending", "En curso", "Pending"),
    ("st_failing", "Reintentando", "Failing, will retry"),
    ("st_delivered", "Entregado", "Delivered"),
    ("st_dead", "Detenido", "Dead"),
    ("st_unroutable", "Sin tipo de informe", "Unroutable"),
    ("pending_by_stage", "En curso, por etapa", "Pending, by stage"),
    ("oldest_waiting", "El que más espera", "Oldest waiting"),
    ("none", "ninguno", "none"),
    ("mail_quota", "Correos enviados (última hora / últimas 24 h)", "Emails sent (last hour / last 24 h)"),
    ("limit", "límite", "limit"),
    ("no_limit", "sin límite", "no limit"),
    ("last_sweep", "Última revisión de LearnWorlds", "Last LearnWorlds sweep"),
    ("never", "nunca", "never"),
    ("queued_by_sweep", "encolados", "queued"),
    ("per_hour", "Entregas por hora (últimas 24 h)", "Deliveries per hour (last 24 h)"),
    ("student", "Estudiante (correo o nombre)", "Student (email or name)"),
    ("assessment", "Evaluación", "Assessment"),
    ("state", "Estado", "State"),
    ("any", "cualquiera", "any"),
    ("from", "Desde", "From"),
    ("to", "Hasta", "To"),
    ("search", "Buscar", "Search"),
    ("received_at", "Recibido", "Received"),
    ("last_error", "Último error", "Last error"),
    ("previous", "Anterior", "Previous"),
    ("next", "Siguiente", "Next"),
    ("page", "Página", "Page"),
    ("of", "de", "of"),
    ("results", "resultados", "results"),
    ("timeline", "Historia", "Timeline"),
    ("ev_received", "Recibido de LearnWorlds", "Received from LearnWorlds"),
    ("ev_queued", "En la cola", "Queued"),
    ("ev_attempt", "Intento fallido en la etapa", "Failed attempt at stage"),
    ("ev_emailed", "Informe enviado por correo", "Report emailed"),
    ("ev_resend", "Reenvío", "Resend"),
    ("ev_action", "Acción del operador", "Operator action"),
    ("report_pdf", "Informe (PDF)", "Report (PDF)"),
    ("download", "Descargar", "Download"),
    ("email_sent", "El correo enviado", "The email as sent"),
    ("email_note", "Entregado antes de que se guardara el correo: escrito de nuevo con el perfil actual a partir de los datos guardados.", "Delivered before emails were kept: written again with the current profile from the stored data."),
    ("attachment", "Adjunto", "Attachment"),
    ("subject", "Asunto", "Subject"),
    ("recipient", "Para", "To"),
    ("actions", "Acciones", "Actions"),
    ("retry", "Reintentar ahora", "Retry now"),
    ("resend", "Reenviar el informe", "Resend the report"),
    ("requeue_code", "Reencolar todos los detenidos con este código", "Requeue every dead job with this code"),
    ("reroute", "Reencaminar los envíos sin tipo de informe", "Reroute the unroutable submissions"),
    ("confirm", "Confirmar", "Confirm"),
    ("cancel", "Cancelar", "Cancel"),
    ("confirm_title", "¿Seguro?", "Are you sure?"),
    ("confirm_retry", "El trabajo se procesará de nuevo ahora mismo.", "The job will be processed again right now."),
    ("confirm_resend", "Se enviará un correo nuevo con el mismo informe; la entrega original queda registrada tal cual.", "A new email with the same report will be sent; the original delivery stays recorded as it was."),
    ("confirm_requeue", "Todos los trabajos detenidos con este código volverán a la cola.", "Every dead job with this code goes back to the queue."),
    ("confirm_reroute", "Los envíos sin tipo de informe que ahora tengan uno se pondrán en la cola.", "Unroutable submissions that now route are queued."),
    ("done", "Hecho", "Done"),
    ("not_applicable", "No se aplica en su estado actual", "Does not apply in its current state"),
    ("not_found", "No encontrado", "Not found"),
    ("dead_codes", "Detenidos por código de error", "Dead jobs by error code"),
    ("language", "English", "Español"),
    ("job", "Trabajo", "Job"),
    ("stage", "Etapa", "Stage"),
    ("by", "por", "by"),
    ("stage_fetch", "respuestas de LearnWorlds", "answers from LearnWorlds"),
    ("stage_analyse", "corrección", "grading"),
    ("stage_render", "informe Word", "Word report"),
    ("stage_convert", "conversión a PDF", "PDF conversion"),
    ("stage_store", "guardado del PDF", "storing the PDF"),
    ("stage_email", "envío del correo", "sending the email"),
    ("stage_record", "registro de la entrega", "recording the delivery"),
    ("stage_done", "terminado", "done"),
    ("w_retry", "reintento", "retry"),
    ("w_requeue", "reencolado", "requeue"),
    ("w_resend", "reenvío", "resend"),
    ("w_reroute", "reencaminado", "reroute"),
    ("w_sending", "enviándose", "sending"),
    ("w_queued", "en la cola", "queued"),
    ("w_running", "en proceso", "running"),
    ("w_dead", "detenido", "dead"),
    ("w_done", "terminado", "done"),
    ("was", "estaba", "was"),
    ("w_sent", "enviado", "sent"),
    ("w_failed", "fallido", "failed"),
    ("templates", "Plantillas", "Templates"),
    ("tpl_profile", "Tipo de informe", "Report type"),
    ("tpl_file", "Plantilla Word (.docx)", "Word template (.docx)"),
    ("tpl_path", "Archivo en uso", "Live file"),
    ("tpl_used_by", "Lo usan", "Used by"),
    ("tpl_preview", "Probar la plantilla", "Try the template"),
    ("tpl_upload_note", "Se revisa y se llena con un estudiante de ejemplo; nada cambia para los estudiantes hasta que usted la instale.", "It is checked and filled for a sample student; nothing changes for students until you install it."),
    ("tpl_problems", "Problemas (impiden instalarla)", "Problems (it cannot be installed)"),
    ("tpl_no_problems", "Sin problemas.", "No problems."),
    ("tpl_warnings", "Advertencias (léalas antes de instalarla)", "Warnings (read them before installing it)"),
    ("tpl_no_warnings", "Sin advertencias.", "No warnings."),
    ("tpl_sample", "Estudiante de ejemplo: Camila Rojas, con", "Sample student: Camila Rojas, with"),
    ("tpl_pdf", "El informe de ejemplo (PDF)", "The sample report (PDF)"),
    ("tpl_replace", "Instalar esta plantilla", "Install this template"),
    ("tpl_cannot_install", "Corrija los problemas y súbala de nuevo.", "Fix the problems and upload it again."),
    ("tpl_versions", "Versiones anteriores", "Earlier versions"),
    ("tpl_rollback", "Restaurar esta versión", "Restore this version"),
    ("tpl_changes", "Cambios de plantillas", "Template changes"),
    ("tpl_kept", "Versión anterior guardada en", "Previous version kept at"),
    ("tpl_keeps_previous", "La plantilla actual se guarda y se puede restaurar.", "The live template is kept and can be restored."),
    ("tpl_other_instances", "Los informes siguientes la usan; las demás instancias del servicio, dentro de un minuto.", "The next reports use it; the service's other instances within a minute."),
    ("tpl_no_file", "elija un archivo .docx", "choose a .docx file"),
    ("confirm_replace", "Los próximos informes usarán la plantilla subida en", "The next reports will use the uploaded template at"),
    ("confirm_rollback", "Los próximos informes usarán la versión elegida en", "The next reports will use the chosen version at"),
    ("ch_replace", "Instalada", "Installed"),
    ("ch_rollback", "Restaurada", "Restored"),
    ("by_whom", "Quién", "Who"),
    ("when", "Cuándo", "When"),
    ("change", "Cambio", "Change"),
];

#[cfg(test)]
mod tests {
    use super::Lang;
    use crate::domain::job::{JobStage, OperatorAction, ResendState};

    #[test]
    fn every_stage_action_and_resend_state_has_words_in_both_languages() {
        for lang in [Lang::Es, Lang::En] {
            for stage in JobStage::ALL {
                assert_ne!(lang.stage(stage.as_str()), stage.as_str(), "{stage}");
            }
        }
        // Spanish words differ from the stored English spellings: an unknown one shows as is.
        for value in OperatorAction::ALL
            .iter()
            .map(|a| a.as_str())
            .chain(ResendState::ALL.iter().map(|s| s.as_str()))
        {
            assert_ne!(Lang::Es.word(value), value, "{value}");
        }
        assert_eq!(
            Lang::Es.stage("analyse"),
            "corrección (analyse)",
            "the code stays beside the words"
        );
        assert_eq!(Lang::Es.action_detail("was dead"), "estaba detenido");
        assert_eq!(Lang::Es.word("sending"), "enviándose");
        assert_eq!(Lang::En.action_detail("resend 3"), "resend 3");
        assert_eq!(Lang::Es.action_detail("resend 3"), "reenvío 3");
    }
}
