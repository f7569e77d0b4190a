//! The seed diagnostic's rules, in one place so they can become configuration.

/// Rules of a report: which bank column groups questions, when a group passes, which level.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Candidate grouping columns, first present wins.
    pub group_columns: Vec<&'static str>,
    /// Level thresholds on the share of groups passed (0–100), highest first.
    pub levels: Vec<(f64, &'static str)>,
    /// Level below every threshold.
    pub base_level: &'static str,
    pub passed_status: &'static str,
    pub failed_status: &'static str,
}

impl Rules {
    /// "Seed diagnostic" in domain.md: area *Aprobado* iff all its questions are correct;
    /// "Nivel 3" at ≥ 55 % of areas passed, else "Nivel 2".
    pub fn seed_diagnostic() -> Self {
        Self {
            group_columns: vec!["area", "lecture", "leccion", "unidad"],
            levels: vec![(55.0, "Nivel 3")],
            base_level: "Nivel 2",
            passed_status: "Aprobado",
            failed_status: "Reprobado",
        }
    }

    /// A group passes only when all its questions are correct (the seed rule).
    pub fn group_passes(&self, correct: usize, total: usize) -> bool {
        total > 0 && correct == total
    }

    pub fn status(&self, passed: bool) -> &'static str {
        if passed {
            self.passed_status
        } else {
            self.failed_status
        }
    }

    /// Compared on exact fractions, so 11 of 20 areas (55 %) reaches a 55 % threshold.
    pub fn level(&self, passed: usize, total: usize) -> &'static str {
        for (threshold, name) in &self.levels {
            if total > 0 && (passed as f64) * 100.0 >= threshold * total as f64 - 1e-9 {
                return name;
            }
        }
        self.base_level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_threshold_is_inclusive() {
        let r = Rules::seed_diagnostic();
        assert_eq!(r.level(11, 20), "Nivel 3");
        assert_eq!(r.level(10, 20), "Nivel 2");
        assert_eq!(r.level(0, 0), "Nivel 2");
    }

    #[test]
    fn an_area_passes_only_when_every_question_is_correct() {
        let r = Rules::seed_diagnostic();
        assert!(r.group_passes(7, 7));
        assert!(!r.group_passes(6, 7));
        assert!(!r.group_passes(0, 0));
    }
}
