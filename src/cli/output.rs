//! How the commands print: JSON (`--json`) for scripts, or text, coloured only on a terminal
//! and never when `NO_COLOR` is set (https://no-color.org) or `TERM=dumb`.

use std::io::IsTerminal;

use serde::Serialize;

use crate::telemetry::colour_allowed;

#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// `--json`: one JSON document on stdout, nothing else there.
    pub json: bool,
    color: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            color: !json && colour_allowed(std::io::stdout().is_terminal()),
        }
    }

    /// Prints a command's result as pretty JSON.
    pub fn json(&self, value: &impl Serialize) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }

    /// Text in red (failures), when colour is on.
    pub fn bad(&self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Text in green (all well), when colour is on.
    pub fn good(&self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Text in bold (headings), when colour is on.
    pub fn strong(&self, text: &str) -> String {
        self.paint("1", text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Who ran an operator command, as recorded with its action.
pub fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}
