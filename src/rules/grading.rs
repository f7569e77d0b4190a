//! Pairing answers with bank questions and deciding which are correct.

use std::collections::HashMap;

use super::bank::LoadedBank;
use super::spec::{CorrectBy, MatchMode};
use crate::domain::submission::Answer;
use crate::domain::text::{normalize, question_key, QuestionKey};

/// One bank question's outcome, in bank order.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub answer: Option<&'a Answer>,
    /// A non-empty option was chosen ("No lo sé" included).
    pub answered: bool,
    pub correct: bool,
    pub pilot: bool,
}

#[derive(Debug, Clone)]
pub struct Graded<'a> {
    pub outcomes: Vec<Outcome<'a>>,
    pub unmatched_answers: usize,
    pub missing_answers: usize,
}

pub fn grade<'a>(
    bank: &LoadedBank,
    answers: &'a [Answer],
    matching: MatchMode,
    correct_by: CorrectBy,
) -> Graded<'a> {
    let found = pair(bank, answers, matching);
    let mut used = 0;
    let outcomes: Vec<Outcome<'a>> = bank
        .bank
        .questions
        .iter()
        .zip(found)
        .zip(&bank.pilot)
        .map(|((q, answer), &pilot)| {
            used += usize::from(answer.is_some());
            let given = answer.map(|a| normalize(&a.answer)).unwrap_or_default();
            let correct = match (correct_by, answer) {
                (_, None) => false,
                // Empty and "No lo sé" never equal a key such as "a".
                (CorrectBy::Key, Some(_)) => !given.is_empty() && given == q.answer_key,
                (CorrectBy::Points, Some(a)) => match (a.points, a.max_score) {
                    (Some(p), Some(max)) => max > 0.0 && (p - max).abs() < 1e-9,
                    _ => false,
                },
            };
            Outcome {
                answer,
                answered: !given.is_empty(),
                correct,
                pilot,
            }
        })
        .collect();
    Graded {
        missing_answers: outcomes.len() - used,
        unmatched_answers: answers.len().saturating_sub(used),
        outcomes,
    }
}

/// The answer of each bank question, in bank order.
fn pair<'a>(
    bank: &LoadedBank,
    answers: &'a [Answer],
    matching: MatchMode,
) -> Vec<Option<&'a Answer>> {
    let questions = &bank.bank.questions;
    let mut by_key: HashMap<QuestionKey, &Answer> = HashMap::new();
    for a in answers {
        by_key.entry(question_key(&a.label)).or_insert(a);
    }
    let by_position = match matching {
        MatchMode::Label => false,
        MatchMode::Position => true,
        MatchMode::Auto => {
            // Older assessments label questions with their text, and older banks only number
            // them: then the n-th answer is question n.
            let bank_numbered = questions
                .iter()
                .all(|q| matches!(q.key, QuestionKey::Number(_)));
            let answers_numbered = by_key.keys().any(|k| matches!(k, QuestionKey::Number(_)));
            bank_numbered && !answers_numbered
        }
    };
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            if by_position {
                let index = match q.key {
                    QuestionKey::Number(n) => (n as usize).wrapping_sub(1),
                    QuestionKey::Text(_) => i,
                };
                answers.get(index)
            } else {
                by_key.get(&q.key).copied()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::bank::Bank;
    use crate::rules::spec::BankSpec;

    fn bank(csv: &str) -> LoadedBank {
        let spec = BankSpec {
            path: String::new(),
            pilot_column: None,
            fill_down: vec![],
            matching: MatchMode::Auto,
        };
        LoadedBank::prepare(Bank::parse("b.csv", csv.as_bytes()).unwrap(), &spec).unwrap()
    }

    fn answer(label: &str, text: &str, points: Option<f64>) -> Answer {
        Answer {
            label: label.into(),
            answer: text.into(),
            points,
            max_score: Some(1.0),
        }
    }

    #[test]
    fn points_mode_follows_learnworlds_grading_even_against_the_key() {
        let b = bank("pregunta,alternativa\nPregunta 1,A\nPregunta 2,B\nPregunta 3,A\n");
        let answers = [
            answer("Pregunta 1", "A", Some(0.0)),
            answer("Pregunta 2", "C", Some(1.0)),
            answer("Pregunta 3", "A", None),
        ];
        let by_points = grade(&b, &answers, MatchMode::Auto, CorrectBy::Points);
        let correct: Vec<bool> = by_points.outcomes.iter().map(|o| o.correct).collect();
        assert_eq!(correct, vec![false, true, false]);
        let by_key = grade(&b, &answers, MatchMode::Auto, CorrectBy::Key);
        let correct: Vec<bool> = by_key.outcomes.iter().map(|o| o.correct).collect();
        assert_eq!(correct, vec![true, false, true]);
    }

    #[test]
    fn label_mode_never_falls_back_to_position() {
        let b = bank("question_number,correct_answer\n1,A\n2,B\n");
        let answers = [
            answer("¿Cuánto es 1+1?", "A", None),
            answer("¿Y 2+2?", "B", None),
        ];
        let auto = grade(&b, &answers, MatchMode::Auto, CorrectBy::Key);
        assert_eq!(auto.outcomes.iter().filter(|o| o.correct).count(), 2);
        let label = grade(&b, &answers, MatchMode::Label, CorrectBy::Key);
        assert_eq!((label.missing_answers, label.unmatched_answers), (2, 2));
    }
}
