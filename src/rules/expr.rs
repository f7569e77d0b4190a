//! The minijinja environment of level rules, derived figures, placeholders and emails.
//!
//! Undefined values are errors (strict mode): a misspelt `pct.dificultad["1"]` must stop the
//! job and show up in `config check`, not silently compare as false or print nothing.

use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Email bodies end with a newline on purpose.
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("default syntax"),
        );
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        // A runaway loop in an operator's template fails the job instead of hanging a worker.
        env.set_fuel(Some(2_000_000));
        // `num`, `pct`, `fecha`: the Word templates' own es-CL filters, so an email or a
        // placeholder prints a figure as the report does.
        docx_template::es_cl::add_filters(&mut env);
        env.add_filter("decimals", decimals);
        env
    })
}

fn as_f64(v: &Value) -> Result<f64, Error> {
    f64::try_from(v.clone())
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("{v} is not a number")))
}

/// `{{ x | decimals(2) }}`: fixed decimals with a point (`54.55`).
fn decimals(v: Value, places: Option<u32>) -> Result<String, Error> {
    let places = places.unwrap_or(2).min(10) as usize;
    Ok(format!("{:.*}", places, as_f64(&v)?))
}

/// Evaluates an expression (`pct.dificultad["1"] >= 75 and …`) against a context.
pub fn eval(expr: &str, ctx: &Value) -> Result<Value, String> {
    let compiled = environment()
        .compile_expression(expr)
        .map_err(|e| describe(&e))?;
    compiled.eval(ctx).map_err(|e| describe(&e))
}

/// Renders a template string (`Hola {{ student.name }}`) against a context.
pub fn render(template: &str, ctx: &Value) -> Result<String, String> {
    environment()
        .render_str(template, ctx)
        .map_err(|e| describe(&e))
}

/// Syntax check without data, for loading profiles.
pub fn check_expression(expr: &str) -> Result<(), String> {
    environment()
        .compile_expression(expr)
        .map(|_| ())
        .map_err(|e| describe(&e))
}

pub fn check_template(template: &str) -> Result<(), String> {
    environment()
        .template_from_str(template)
        .map(|_| ())
        .map_err(|e| describe(&e))
}

fn describe(e: &Error) -> String {
    let mut text = e.to_string();
    if let Some(detail) = e.detail() {
        if !text.contains(detail) {
            text = format!("{text}: {detail}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_numbers_drop_useless_decimals_and_use_a_comma() {
        let ctx = |x: f64| {
            Value::from(minijinja::value::Serde(
                serde_json::json!({"x": x, "format": {"decimals": 2}}),
            ))
        };
        assert_eq!(render("{{ x | num }}", &ctx(10.0)).unwrap(), "10");
        assert_eq!(render("{{ x | num }}", &ctx(7.5)).unwrap(), "7,5");
        assert_eq!(render("{{ x | num }}", &ctx(2.0 / 3.0)).unwrap(), "0,67");
        assert_eq!(render("{{ x | pct(0) }}", &ctx(62.5)).unwrap(), "62 %");
    }

    #[test]
    fn a_misspelt_name_is_an_error_not_false() {
        let ctx = Value::from(minijinja::value::Serde(
            serde_json::json!({"pct": {"dificultad": {"1": 80.0}}}),
        ));
        assert_eq!(
            eval(r#"pct.dificultad["1"] >= 75"#, &ctx).unwrap(),
            Value::from(true)
        );
        let err = eval(r#"pct.dificultad["2"] >= 70"#, &ctx).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
        assert!(eval("pct.dificulta >= 1", &ctx).is_err());
    }

    #[test]
    fn templates_keep_their_final_newline_and_accept_or_defaults() {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({"school": null})));
        assert_eq!(
            render("Saludos,\n{{ school or 'El equipo' }}\n", &ctx).unwrap(),
            "Saludos,\nEl equipo\n"
        );
    }
}
