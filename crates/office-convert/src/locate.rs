use std::path::{Path, PathBuf};

use crate::ConvertError;

pub(crate) const INSTALL_HINT: &str =
    "install LibreOffice Writer: apt-get install libreoffice-writer-nogui";

/// Places distributions and the official installers put LibreOffice, tried
/// after PATH because Cloud Run images and cron environments often have a
/// minimal PATH.
const USUAL_PLACES: &[&str] = &[
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/usr/local/bin/soffice",
    "/opt/libreoffice/program/soffice",
    "/usr/lib64/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
];

/// Resolve the LibreOffice launcher: an explicit program (a path, or a bare
/// name looked up on PATH), or else the first `soffice`/`libreoffice` found.
pub(crate) fn find_program(explicit: Option<&Path>) -> Result<PathBuf, ConvertError> {
    if let Some(program) = explicit {
        return resolve(program).ok_or_else(|| {
            ConvertError::NotInstalled(format!(
                "{} not found or not executable; {INSTALL_HINT}",
                program.display()
            ))
        });
    }
    for name in ["soffice", "libreoffice"] {
        if let Some(found) = search_path(name) {
            return Ok(found);
        }
    }
    USUAL_PLACES
        .iter()
        .map(PathBuf::from)
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            ConvertError::NotInstalled(format!(
                "no soffice or libreoffice on PATH or in the usual places; {INSTALL_HINT}"
            ))
        })
}

fn resolve(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 || program.is_absolute() {
        return is_executable(program).then(|| program.to_path_buf());
    }
    search_path(program.to_str()?)
}

fn search_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

pub(crate) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_explicit_program_names_the_package() {
        let err = find_program(Some(Path::new("/nonexistent/soffice"))).unwrap_err();
        assert!(matches!(err, ConvertError::NotInstalled(_)));
        assert!(err.to_string().contains("libreoffice-writer-nogui"));
    }

    #[test]
    fn bare_names_are_searched_on_path() {
        assert!(resolve(Path::new("sh")).is_some());
        assert!(resolve(Path::new("definitely-not-a-program-xyz")).is_none());
    }
}
