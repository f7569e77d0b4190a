//! The Jinja environment: Python-compatible printing, XML escaping of every value, object
//! markers for pictures and rich text, and the optional docxtpl test helpers.

use super::pyrepr::{py_str, unescape_html};
use crate::context::ObjectRef;
use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, Output, State};

/// Options for the Jinja side of a template.
#[derive(Debug, Clone, Copy)]
pub struct JinjaOptions {
    /// Register the docxtpl test suite's filters (`my_filterA`, `my_filterB`) and global
    /// (`iteritems`). Off by default: they are not part of the template language we support.
    pub test_helpers: bool,
    /// Instruction budget per part, so a runaway loop fails instead of hanging the service.
    pub fuel: u64,
}

impl Default for JinjaOptions {
    fn default() -> Self {
        JinjaOptions {
            test_helpers: false,
            fuel: 50_000_000,
        }
    }
}

/// Marker left in the output where a picture or rich text goes (an XML processing
/// instruction, so the output stays well-formed wherever the tag stood).
pub const OBJECT_PI: &str = "docx-object";

pub fn environment(opts: &JinjaOptions) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_formatter(format_value);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    env.set_fuel(Some(opts.fuel));
    env.add_function("__docx_legacy", legacy);
    crate::es_cl::add_filters(&mut env);
    if opts.test_helpers {
        env.add_filter("my_filterA", |v: Value, s: Value| {
            format!("{} {}", py_str(&v), py_str(&s))
        });
        env.add_filter("my_filterB", |v: Value, x: Value| -> Result<Value, Error> {
            let bad = || Error::new(ErrorKind::InvalidOperation, "my_filterB adds numbers");
            if let (Some(a), Some(b)) = (
                v.as_i64().filter(|_| v.is_integer()),
                x.as_i64().filter(|_| x.is_integer()),
            ) {
                return a.checked_add(b).map(Value::from).ok_or_else(bad);
            }
            let a = f64::try_from(v).map_err(|_| bad())?;
            let b = f64::try_from(x).map_err(|_| bad())?;
            Ok(Value::from(a + b))
        });
        env.add_function("iteritems", iteritems);
    }
    env
}

/// A legacy `<<name>>` in a Jinja template: the top-level string or number of that name,
/// else the marker itself, left for the caller to notice.
fn legacy(state: &State, name: &str) -> Value {
    match state.lookup(name) {
        Some(v) if v.as_str().is_some() || v.is_number() => v,
        _ => Value::from(format!("<<{name}>>")),
    }
}

fn iteritems(map: Value, _rest: Rest<Value>, _kw: Kwargs) -> Result<Value, Error> {
    let mut pairs = Vec::new();
    for k in map.try_iter()? {
        let v = map.get_item(&k)?;
        pairs.push(Value::from(vec![k, v]));
    }
    Ok(Value::from(pairs))
}

fn format_value(out: &mut Output<'_>, _state: &mut State<'_, '_>, v: &Value) -> Result<(), Error> {
    let werr = |_| Error::from(ErrorKind::WriteFailure);
    if let Some(obj) = v.downcast_object_ref::<ObjectRef>() {
        return out
            .write_str(&format!("<?{OBJECT_PI} {}?>", obj.index))
            .map_err(werr);
    }
    let mut text = py_str(v);
    if v.is_safe() {
        // Already HTML-escaped by `|e` or marked safe: decode so the XML escaping below
        // applies exactly once and no markup can slip into the document.
        text = unescape_html(&text);
    }
    let mut buf = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => buf.push_str("&amp;"),
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '"' => buf.push_str("&quot;"),
            // \a and \f survive until the post-render pass turns them into paragraphs.
            '\u{7}' | '\u{c}' => buf.push(c),
            c if !crate::xml::xml_char(c) => {}
            c => buf.push(c),
        }
    }
    out.write_str(&buf).map_err(werr)
}
