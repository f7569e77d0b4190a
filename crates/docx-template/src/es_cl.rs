//! Chilean Spanish (es-CL) numbers, percentages and dates, as template filters and as plain
//! functions, so that a program drawing a chart next to a template prints the same value the
//! same way (`12,5 %` in the text, the table and the chart's label).
//!
//! * `{{ x | num }}` → `1.234,5`: decimal comma, `.` between thousands, at most
//!   `format.decimals` decimals of the context (else [`DEFAULT_DECIMALS`]), trailing zeros
//!   dropped; `{{ x | num(2) }}` sets the decimals.
//! * `{{ x | pct }}` → `12,5 %` (a space before the sign, as the RAE writes it); `pct(0)`.
//! * `{{ d | fecha }}` → `2 de diciembre de 2026`, from `dd/mm/yyyy`, `yyyy-mm-dd` (a time
//!   after it is ignored) or Unix seconds.

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, State};

/// Decimals when neither the filter nor the context's `format.decimals` says.
pub const DEFAULT_DECIMALS: u32 = 1;

const MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// `1234.5` → `1.234,5`; rounded to at most `decimals` places, trailing zeros dropped.
pub fn number(x: f64, decimals: u32) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let decimals = decimals.min(10) as usize;
    let fixed = format!("{:.*}", decimals, x);
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let frac = frac.trim_end_matches('0');
    // "-0" after rounding a tiny negative is just 0.
    let sign = if digits.chars().all(|c| c == '0') && frac.is_empty() {
        ""
    } else {
        sign
    };
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// `12.5` → `12,5 %`.
pub fn percent(x: f64, decimals: u32) -> String {
    format!("{} %", number(x, decimals))
}

/// `2 de diciembre de 2026`; `None` for a day that does not exist.
pub fn long_date(year: i64, month: u32, day: u32) -> Option<String> {
    let name = MONTHS.get((month as usize).checked_sub(1)?)?;
    (1..=days_in_month(year, month))
        .contains(&day)
        .then(|| format!("{day} de {name} de {year}"))
}

/// A date as the context carries it (`02/12/2026`, `2026-12-02`, `2026-12-02T10:00:00Z`) or
/// Unix seconds, in words; `None` when it is none of those.
pub fn date_text(value: &str) -> Option<String> {
    let value = value.trim();
    let parts: Vec<&str> = value.split(['/', '-', 'T', ' ']).collect();
    let num = |s: &&str| s.parse::<i64>().ok();
    match parts.as_slice() {
        [d, m, y, ..] if value.contains('/') && y.len() == 4 => {
            long_date(num(y)?, num(m)? as u32, num(d)? as u32)
        }
        [y, m, d, ..] if y.len() == 4 => long_date(num(y)?, num(m)? as u32, num(d)? as u32),
        _ => value.parse::<f64>().ok().and_then(unix_date),
    }
}

/// Unix seconds (UTC) in words.
pub fn unix_date(seconds: f64) -> Option<String> {
    if !seconds.is_finite() {
        return None;
    }
    let (y, m, d) = civil_from_days((seconds / 86_400.0).floor() as i64);
    long_date(y, m, d)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Registers `num`, `pct` and `fecha` in a minijinja environment.
pub fn add_filters(env: &mut Environment<'_>) {
    env.add_filter("num", num_filter);
    env.add_filter("pct", pct_filter);
    env.add_filter("fecha", date_filter);
}

/// The decimals a filter uses: its argument, else the context's `format.decimals`.
fn decimals_of(state: &State, given: Option<u32>) -> u32 {
    given
        .or_else(|| {
            let format = state.lookup("format")?;
            let d = format.get_attr("decimals").ok()?;
            u32::try_from(d).ok()
        })
        .unwrap_or(DEFAULT_DECIMALS)
}

fn as_f64(filter: &str, v: &Value) -> Result<f64, Error> {
    if let Some(s) = v.as_str() {
        // A number already printed with a comma (`"14,5"`) is still a number.
        if let Ok(x) = s.trim().replace(',', ".").parse::<f64>() {
            return Ok(x);
        }
    }
    f64::try_from(v.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{filter}: {v} is not a number"),
        )
    })
}

fn num_filter(state: &State, v: Value, decimals: Option<u32>) -> Result<String, Error> {
    Ok(number(as_f64("num", &v)?, decimals_of(state, decimals)))
}

fn pct_filter(state: &State, v: Value, decimals: Option<u32>) -> Result<String, Error> {
    Ok(percent(as_f64("pct", &v)?, decimals_of(state, decimals)))
}

fn date_filter(v: Value) -> Result<String, Error> {
    let text = match v.as_str() {
        Some(s) => date_text(s),
        None => f64::try_from(v.clone()).ok().and_then(unix_date),
    };
    text.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("fecha: {v} is not a date (dd/mm/yyyy, yyyy-mm-dd or Unix seconds)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_a_decimal_comma_and_dots_between_thousands() {
        assert_eq!(number(12.5, 1), "12,5");
        assert_eq!(number(12.46, 1), "12,5");
        assert_eq!(number(50.0, 2), "50");
        assert_eq!(number(63.636, 2), "63,64");
        assert_eq!(number(1234.5, 1), "1.234,5");
        assert_eq!(number(1_000_000.0, 0), "1.000.000");
        assert_eq!(number(-0.01, 1), "0");
        assert_eq!(number(-2.25, 2), "-2,25");
    }

    #[test]
    fn percentages_put_a_space_before_the_sign() {
        assert_eq!(percent(12.5, 1), "12,5 %");
        assert_eq!(percent(100.0, 1), "100 %");
    }

    #[test]
    fn dates_are_written_in_words() {
        assert_eq!(date_text("02/12/2026").unwrap(), "2 de diciembre de 2026");
        assert_eq!(date_text("2026-12-02").unwrap(), "2 de diciembre de 2026");
        assert_eq!(
            date_text("2024-05-29T16:26:40Z").unwrap(),
            "29 de mayo de 2024"
        );
        assert_eq!(unix_date(1_717_000_000.0).unwrap(), "29 de mayo de 2024");
        assert_eq!(date_text("31/02/2026"), None);
        assert_eq!(date_text("mañana"), None);
    }

    #[test]
    fn filters_read_the_decimals_from_the_context() {
        let mut env = Environment::new();
        add_filters(&mut env);
        let out = env
            .render_str(
                "{{ a | pct }} {{ a | pct(0) }} {{ b | num }} {{ d | fecha }}",
                minijinja::context! { a => 12.46, b => "14,5", d => "02/12/2026",
                format => minijinja::context! { decimals => 2 } },
            )
            .unwrap();
        assert_eq!(out, "12,46 % 12 % 14,5 2 de diciembre de 2026");
        let plain = env
            .render_str("{{ a | pct }}", minijinja::context! { a => 12.46 })
            .unwrap();
        assert_eq!(plain, "12,5 %");
        assert!(env
            .render_str("{{ a | pct }}", minijinja::context! { a => "x" })
            .is_err());
    }
}
