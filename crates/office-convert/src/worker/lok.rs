//! The few LibreOfficeKit entry points a converter needs, loaded at run time.
//!
//! Layouts follow `LibreOfficeKit.h`: both vtables start with `nSize` and
//! only ever grow at the end, so declaring a prefix is ABI-safe across
//! LibreOffice versions that have these members (all since 6.0).

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;

#[repr(C)]
struct Office {
    class: *const OfficeClass,
}

#[repr(C)]
struct OfficeClass {
    size: usize,
    destroy: unsafe extern "C" fn(*mut Office),
    document_load: unsafe extern "C" fn(*mut Office, *const c_char) -> *mut Document,
    get_error: unsafe extern "C" fn(*mut Office) -> *mut c_char,
    document_load_with_options:
        unsafe extern "C" fn(*mut Office, *const c_char, *const c_char) -> *mut Document,
    free_error: unsafe extern "C" fn(*mut c_char),
    register_callback: *const c_void,
    get_filter_types: *const c_void,
    set_optional_features: *const c_void,
    set_document_password: *const c_void,
    get_version_info: unsafe extern "C" fn(*mut Office) -> *mut c_char,
}

#[repr(C)]
struct Document {
    class: *const DocumentClass,
}

#[repr(C)]
struct DocumentClass {
    size: usize,
    destroy: unsafe extern "C" fn(*mut Document),
    save_as:
        unsafe extern "C" fn(*mut Document, *const c_char, *const c_char, *const c_char) -> c_int,
}

type Hook2 = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut Office;

/// An initialised LibreOfficeKit. LOK can be initialised once per process,
/// which is why each pool instance is a process of its own.
pub(crate) struct Kit {
    office: *mut Office,
    // Keeps the library mapped for as long as `office` is used.
    _lib: libloading::Library,
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| "string contains a NUL byte".to_string())
}

impl Kit {
    /// Load `libsofficeapp.so` or, in merged-library builds such as Debian's,
    /// `libmergedlo.so` from `program_dir` and start LibreOffice in-process.
    pub(crate) fn init(program_dir: &Path, profile_url: &str) -> Result<Kit, String> {
        let mut last_err = String::from("no LibreOfficeKit library found");
        for name in ["libsofficeapp.so", "libmergedlo.so"] {
            let path = program_dir.join(name);
            // A merged build ships libsofficeapp.so as a tiny text stub.
            if std::fs::metadata(&path)
                .map(|m| m.len() < 100)
                .unwrap_or(true)
            {
                continue;
            }
            // SAFETY: loading LibreOffice runs its static initialisers, which
            // is what LibreOffice expects of any process embedding it.
            let lib = match unsafe { libloading::Library::new(&path) } {
                Ok(lib) => lib,
                Err(e) => {
                    last_err = format!("cannot load {}: {e}", path.display());
                    continue;
                }
            };
            // SAFETY: the symbol has this signature in every LOK since 5.x.
            let hook: Hook2 = match unsafe { lib.get::<Hook2>(b"libreofficekit_hook_2\0") } {
                Ok(sym) => *sym,
                Err(e) => {
                    return Err(format!(
                        "{} has no LibreOfficeKit hook: {e}",
                        path.display()
                    ))
                }
            };
            let dir = cstring(&program_dir.to_string_lossy())?;
            let profile = cstring(profile_url)?;
            // SAFETY: both strings are valid NUL-terminated C strings that
            // outlive the call; the hook returns NULL on failure.
            let office = unsafe { hook(dir.as_ptr(), profile.as_ptr()) };
            if office.is_null() {
                return Err("LibreOfficeKit initialisation failed".into());
            }
            return Ok(Kit { office, _lib: lib });
        }
        Err(last_err)
    }

    fn class(&self) -> &OfficeClass {
        // SAFETY: `office` is non-null and its class pointer is valid for the
        // life of the process.
        unsafe { &*(*self.office).class }
    }

    /// The last error LibreOffice recorded, if any.
    fn take_error(&self) -> String {
        let class = self.class();
        // SAFETY: getError returns NULL or a heap string we must free with
        // freeError (present since 5.2).
        unsafe {
            let raw = (class.get_error)(self.office);
            if raw.is_null() {
                return String::new();
            }
            let msg = CStr::from_ptr(raw).to_string_lossy().into_owned();
            (class.free_error)(raw);
            msg
        }
    }

    pub(crate) fn version(&self) -> String {
        let class = self.class();
        if class.size < std::mem::size_of::<OfficeClass>() {
            return "unknown".into();
        }
        // SAFETY: the member exists (checked via nSize); the result is a heap
        // string released with freeError.
        unsafe {
            let raw = (class.get_version_info)(self.office);
            if raw.is_null() {
                return "unknown".into();
            }
            let v = CStr::from_ptr(raw).to_string_lossy().into_owned();
            (class.free_error)(raw);
            v
        }
    }

    /// Load `input_url` and export it as PDF to `output_url` with the `writer_pdf_Export`
    /// filter options `pdf_options` (JSON, as `PdfOptions::filter_options` writes them).
    pub(crate) fn to_pdf(
        &self,
        input_url: &str,
        output_url: &str,
        pdf_options: &str,
    ) -> Result<(), Failure> {
        let input = cstring(input_url).map_err(Failure::Load)?;
        let output = cstring(output_url).map_err(Failure::Save)?;
        let options = cstring("").map_err(Failure::Load)?;
        let format = cstring("pdf").map_err(Failure::Save)?;
        let filter_options = cstring(pdf_options).map_err(Failure::Save)?;
        let class = self.class();
        // SAFETY: valid C strings; NULL means the document was rejected.
        let doc = unsafe {
            (class.document_load_with_options)(self.office, input.as_ptr(), options.as_ptr())
        };
        if doc.is_null() {
            return Err(Failure::Load(self.take_error()));
        }
        // SAFETY: `doc` is a live document until destroy, called exactly once.
        let saved = unsafe {
            let dclass = &*(*doc).class;
            let ok = (dclass.save_as)(
                doc,
                output.as_ptr(),
                format.as_ptr(),
                filter_options.as_ptr(),
            );
            (dclass.destroy)(doc);
            ok
        };
        if saved == 0 {
            return Err(Failure::Save(self.take_error()));
        }
        Ok(())
    }
}

/// Why LibreOffice did not produce a PDF.
pub(crate) enum Failure {
    Load(String),
    Save(String),
}
