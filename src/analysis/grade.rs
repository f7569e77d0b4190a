//! Pairing the student's answers with the bank's questions.

use std::collections::HashMap;

use super::bank::Bank;
use super::normalize::{normalize, question_key, QuestionKey};
use crate::learnworlds::Answer;

/// The outcome for one bank question, in bank order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graded {
    pub answered: bool,
    pub correct: bool,
}

#[derive(Debug, Clone)]
pub struct Grading {
    pub per_question: Vec<Graded>,
    /// Answers that match no bank question (a bank out of date with the assessment).
    pub unmatched_answers: usize,
    /// Bank questions the submission has no answer for.
    pub missing_answers: usize,
}

/// Matches by normalised label ("Pregunta N"); when the bank has only numbers and the answers
/// carry no numbered labels (older assessments), falls back to position.
pub fn grade(bank: &Bank, answers: &[Answer]) -> Grading {
    let mut by_key: HashMap<QuestionKey, &Answer> = HashMap::new();
    for a in answers {
        by_key.entry(question_key(&a.label)).or_insert(a);
    }
    let bank_numbered = bank
        .questions
        .iter()
        .all(|q| matches!(q.key, QuestionKey::Number(_)));
    let answers_numbered = by_key.keys().any(|k| matches!(k, QuestionKey::Number(_)));
    let by_position = bank_numbered && !answers_numbered;

    let mut used = 0usize;
    let per_question: Vec<Graded> = bank
        .questions
        .iter()
        .map(|q| {
            let found = if by_position {
                match q.key {
                    QuestionKey::Number(n) => answers.get((n as usize).wrapping_sub(1)),
                    QuestionKey::Text(_) => None,
                }
            } else {
                by_key.get(&q.key).copied()
            };
            match found {
                None => Graded {
                    answered: false,
                    correct: false,
                },
                Some(a) => {
                    used += 1;
                    let given = normalize(&a.answer);
                    // Empty and "No lo sé" never equal a key such as "a".
                    Graded {
                        answered: !given.is_empty(),
                        correct: !given.is_empty() && given == q.answer_key,
                    }
                }
            }
        })
        .collect();
    let missing_answers = per_question.len() - used;
    Grading {
        per_question,
        unmatched_answers: answers.len().saturating_sub(used),
        missing_answers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(label: &str, text: &str) -> Answer {
        Answer {
            label: label.into(),
            answer: text.into(),
            points: None,
            max_score: None,
        }
    }

    #[test]
    fn labels_match_whatever_their_order_spacing_or_case() {
        let bank = Bank::parse(
            "b.csv",
            b"pregunta,alternativa,area\nPregunta 1 ,A,X\nPregunta 2,B,X\n",
        )
        .unwrap();
        let g = grade(
            &bank,
            &[answer("pregunta 2", "b"), answer("Pregunta 1", "No lo sé")],
        );
        assert_eq!(
            g.per_question.iter().map(|q| q.correct).collect::<Vec<_>>(),
            vec![false, true]
        );
        assert_eq!((g.unmatched_answers, g.missing_answers), (0, 0));
    }

    #[test]
    fn numbered_bank_falls_back_to_position_when_answers_have_no_numbers() {
        let bank = Bank::parse(
            "b.csv",
            b"question_number,correct_answer,area\n1,A,X\n2,B,X\n",
        )
        .unwrap();
        let g = grade(
            &bank,
            &[answer("¿Cuánto es 1+1?", "A"), answer("¿Y 2+2?", "A")],
        );
        assert_eq!(
            g.per_question.iter().map(|q| q.correct).collect::<Vec<_>>(),
            vec![true, false]
        );
    }

    #[test]
    fn unmatched_and_missing_answers_are_counted() {
        let bank = Bank::parse(
            "b.csv",
            b"question_number,correct_answer,area\n1,A,X\n2,B,X\n",
        )
        .unwrap();
        let g = grade(
            &bank,
            &[answer("Pregunta 1", "A"), answer("Pregunta 9", "A")],
        );
        assert_eq!((g.unmatched_answers, g.missing_answers), (1, 1));
        assert!(!g.per_question[1].answered);
    }
}
