//! The quiz rules as plain functions, with no I/O and no database: normalising fill-in
//! answers, grading a response, drawing the questions of an attempt, scoring an attempt,
//! choosing the attempt that counts, and the item analysis of a question.
//!
//! Option indexes (in [`Response`], [`Answer`] and [`ItemStats::option_counts`]) always refer
//! to the question's original option order; shuffling ([`Draw::option_orders`]) only changes
//! how the options are presented.
use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::catalog::content::{Answer, Counts, Question, QuestionKind, Scoring};

/// The share of attempts in each of the upper and lower groups of the discrimination index.
const GROUP_SHARE: f64 = 0.27;

/// Fewer responses than this give no discrimination index.
const MIN_RESPONSES_FOR_DISCRIMINATION: usize = 4;

/// Normalises a fill-in answer so that trivially different spellings compare equal: full-width
/// ASCII variants (U+FF01..U+FF5E) become their half-width forms and the ideographic space
/// (U+3000) a space; leading and trailing whitespace is dropped, internal runs of whitespace
/// become one space, and ASCII letters are lowercased.
///
/// `"　１．７５ "` and `"1.75"` both give `"1.75"`; `"ＣＯ２"` gives `"co2"`.
pub fn normalise_fill(s: &str) -> String {
    let half_width: String = s.chars().map(half_width_char).collect();
    half_width
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn half_width_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// What a trainee submitted for one question. Option indexes refer to the original option
/// order of the question, whatever order the options were shown in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The chosen option of a single-choice question.
    Single(usize),
    /// The chosen options of a multiple-choice question, in any order.
    Multiple(Vec<usize>),
    TrueFalse(bool),
    /// The text typed into a fill-in question.
    Fill(String),
}

/// The points `response` earns for `question`, between 0 and `question.points`.
///
/// - Single choice and true/false: full points for the keyed answer, else 0.
/// - Fill-in: full points when [`normalise_fill`] of the response equals that of any accepted
///   answer; a blank response earns 0.
/// - Multiple choice, [`Scoring::AllOrNothing`]: full points when the set of chosen options
///   equals the keyed set (order and repeats do not matter), else 0.
/// - Multiple choice, [`Scoring::Partial`] (Moodle-style): with `k` keyed options, each keyed
///   option chosen adds `1/k` and each other option chosen subtracts `1/k`; the sum is floored
///   at 0 and multiplied by the points. Choosing every option therefore earns nothing unless
///   every option is keyed.
///
/// No response, a response of another kind than the question, or an option index out of range
/// earns 0.
pub fn grade(question: &Question, response: Option<&Response>) -> f64 {
    let Some(response) = response else {
        return 0.0;
    };
    let options = question.options.len();
    let share = match (&question.answer, response) {
        (Answer::Single(key), Response::Single(chosen)) => {
            all_or_nothing(*chosen < options && chosen == key)
        }
        (Answer::TrueFalse(key), Response::TrueFalse(chosen)) => all_or_nothing(chosen == key),
        (Answer::Fill(accepted), Response::Fill(text)) => {
            let text = normalise_fill(text);
            all_or_nothing(!text.is_empty() && accepted.iter().any(|a| normalise_fill(a) == text))
        }
        (Answer::Multiple(key), Response::Multiple(chosen)) => {
            if chosen.iter().any(|&i| i >= options) {
                0.0
            } else {
                multiple_share(key, chosen, question.scoring)
            }
        }
        _ => 0.0,
    };
    share * question.points
}

/// The share of the points for a response that is either right or wrong.
fn all_or_nothing(right: bool) -> f64 {
    if right {
        1.0
    } else {
        0.0
    }
}

/// The share (0..=1) of the points earned by the chosen options of a multiple-choice question.
fn multiple_share(key: &[usize], chosen: &[usize], scoring: Scoring) -> f64 {
    let key: BTreeSet<usize> = key.iter().copied().collect();
    let chosen: BTreeSet<usize> = chosen.iter().copied().collect();
    match scoring {
        Scoring::AllOrNothing => all_or_nothing(chosen == key),
        Scoring::Partial => {
            if key.is_empty() {
                return 0.0;
            }
            let right = chosen.intersection(&key).count() as f64;
            let wrong = chosen.difference(&key).count() as f64;
            ((right - wrong) / key.len() as f64).clamp(0.0, 1.0)
        }
    }
}

/// The questions of one attempt, as drawn from the bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// The drawn question ids, in the order they are presented.
    pub question_ids: Vec<String>,
    /// For each drawn question, the original option indexes in the order they are presented:
    /// a permutation of `0..options.len()`.
    pub option_orders: Vec<Vec<usize>>,
}

/// Draws the questions of an attempt from `bank`.
///
/// Picks `count` distinct questions (all of them when the bank is smaller). The bank's
/// categories, in the order they first appear (questions without a category form one more
/// group), share the draw as evenly as possible: round-robin over the categories, taking a
/// random not-yet-drawn question of each, skipping categories already used up. When
/// `shuffle_questions` is false the drawn questions keep their bank order, otherwise they are
/// shuffled. Each question's options are shuffled when `shuffle_options` is true, otherwise
/// shown in their original order.
pub fn draw(
    bank: &[Question],
    count: usize,
    shuffle_questions: bool,
    shuffle_options: bool,
    rng: &mut impl rand::Rng,
) -> Draw {
    let count = count.min(bank.len());

    // Bank indexes grouped by category, groups in first-appearance order.
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, q) in bank.iter().enumerate() {
        let category = q.category.as_deref();
        match groups.iter_mut().find(|(c, _)| *c == category) {
            Some((_, members)) => members.push(i),
            None => groups.push((category, vec![i])),
        }
    }
    // A shuffled group, taken from the front, gives a random question each time.
    for (_, members) in &mut groups {
        members.shuffle(rng);
    }

    let mut picked: Vec<usize> = Vec::with_capacity(count);
    let mut round = 0;
    while picked.len() < count {
        for (_, members) in &groups {
            if picked.len() < count {
                if let Some(&i) = members.get(round) {
                    picked.push(i);
                }
            }
        }
        round += 1;
    }

    if shuffle_questions {
        picked.shuffle(rng);
    } else {
        picked.sort_unstable();
    }

    let option_orders = picked
        .iter()
        .map(|&i| {
            let mut order: Vec<usize> = (0..bank[i].options.len()).collect();
            if shuffle_options {
                order.shuffle(rng);
            }
            order
        })
        .collect();
    Draw {
        question_ids: picked.iter().map(|&i| bank[i].id.clone()).collect(),
        option_orders,
    }
}

/// `earned` as a percentage of `possible`, rounded to one decimal; 0 when nothing was possible.
pub fn percent(earned: f64, possible: f64) -> f64 {
    if possible <= 0.0 {
        return 0.0;
    }
    (earned / possible * 1000.0).round() / 10.0
}

/// Whether a (rounded) percentage reaches the pass mark.
pub fn passed(percent: f64, pass_percent: u32) -> bool {
    percent >= f64::from(pass_percent)
}

/// An attempt's grade: the points of each drawn question, their sum, the percentage and the
/// verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub per_question: Vec<(i64, f64)>,
    pub earned: f64,
    pub percent: f64,
    pub passed: bool,
}

/// Grades the drawn questions (id, question, what was saved) of an attempt worth `possible`.
pub fn score<'a>(
    questions: impl IntoIterator<Item = (i64, &'a Question, Option<&'a Response>)>,
    possible: f64,
    pass_percent: u32,
) -> Score {
    let per_question: Vec<(i64, f64)> = questions
        .into_iter()
        .map(|(id, q, response)| (id, grade(q, response)))
        .collect();
    let earned = per_question.iter().map(|(_, e)| e).sum();
    let percent = percent(earned, possible);
    Score {
        per_question,
        earned,
        percent,
        passed: passed(percent, pass_percent),
    }
}

/// The graded attempt that counts among an attempt history (in attempt order, each as its
/// percent and whether it passed under the pass mark it was taken with): the best or the last.
/// The best is a passed attempt before a failed one (a quiz made stricter later does not undo
/// a pass), then the higher percent. `None` when there is no attempt.
pub fn counting_attempt(graded: &[(f64, bool)], counts: Counts) -> Option<(f64, bool)> {
    match counts {
        Counts::Best => graded.iter().copied().reduce(|best, a| {
            if (a.1, a.0) > (best.1, best.0) {
                a
            } else {
                best
            }
        }),
        Counts::Last => graded.last().copied(),
    }
}

/// One graded attempt that included the question, for [`item_stats`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemResponse {
    /// The attempt's total score, used to rank attempts into the upper and lower groups.
    pub attempt_total: f64,
    /// Points earned on this question.
    pub earned: f64,
    /// Points possible on this question.
    pub possible: f64,
    /// What was submitted, if anything.
    pub choice: Option<Response>,
}

/// The classical item analysis of one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    /// How many graded attempts included the question.
    pub responses: usize,
    /// Mean of `earned / possible` over the responses, 0..=1 (0 with no responses).
    pub facility: f64,
    /// Upper-lower discrimination index, -1..=1; `None` under 4 responses.
    pub discrimination: Option<f64>,
    /// Single and multiple choice: how often each original option was chosen. True/false:
    /// `[true count, false count]`. Fill-in: empty.
    pub option_counts: Vec<usize>,
}

/// The item analysis (classical test theory) of `question` over the attempts that included it.
///
/// - Facility `p` = mean over the responses of `earned / possible` (a response with nothing
///   possible counts as 0).
/// - Discrimination `D = p(upper) − p(lower)`: the responses are ranked by `attempt_total`,
///   highest first (ties keep their input order); the upper and lower groups are the top and
///   bottom `g = round(0.27 · n)` responses (at least 1), and `p(group)` is the facility within
///   the group. Positive `D` means stronger candidates do better on the item. `None` when
///   `n < 4`.
/// - Option counts: each response's choice of the question's kind is counted (repeated
///   options in one multiple-choice response count once; out-of-range indexes and choices of
///   another kind are ignored).
pub fn item_stats(question: &Question, responses: &[ItemResponse]) -> ItemStats {
    let n = responses.len();
    let facility = mean_facility(responses.iter());

    let discrimination = if n < MIN_RESPONSES_FOR_DISCRIMINATION {
        None
    } else {
        let mut ranked: Vec<&ItemResponse> = responses.iter().collect();
        ranked.sort_by(|a, b| b.attempt_total.total_cmp(&a.attempt_total));
        let g = ((n as f64 * GROUP_SHARE).round() as usize).max(1);
        let upper = mean_facility(ranked[..g].iter().copied());
        let lower = mean_facility(ranked[n - g..].iter().copied());
        Some(upper - lower)
    };

    ItemStats {
        responses: n,
        facility,
        discrimination,
        option_counts: option_counts(question, responses),
    }
}

/// The mean of `earned / possible`, 0 for no responses.
fn mean_facility<'a>(responses: impl ExactSizeIterator<Item = &'a ItemResponse>) -> f64 {
    let n = responses.len();
    if n == 0 {
        return 0.0;
    }
    let sum: f64 = responses
        .map(|r| {
            if r.possible > 0.0 {
                (r.earned / r.possible).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .sum();
    sum / n as f64
}

fn option_counts(question: &Question, responses: &[ItemResponse]) -> Vec<usize> {
    let choices = responses.iter().filter_map(|r| r.choice.as_ref());
    match question.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let mut counts = vec![0; question.options.len()];
            for choice in choices {
                let chosen: BTreeSet<usize> = match choice {
                    Response::Single(i) => BTreeSet::from([*i]),
                    Response::Multiple(is) => is.iter().copied().collect(),
                    _ => BTreeSet::new(),
                };
                for i in chosen {
                    if let Some(c) = counts.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            counts
        }
        QuestionKind::TrueFalse => {
            let mut counts = vec![0, 0];
            for choice in choices {
                match choice {
                    Response::TrueFalse(true) => counts[0] += 1,
                    Response::TrueFalse(false) => counts[1] += 1,
                    _ => {}
                }
            }
            counts
        }
        QuestionKind::Fill => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    fn question(id: &str, kind: QuestionKind, options: usize, answer: Answer) -> Question {
        Question {
            id: id.to_string(),
            kind,
            category: None,
            points: 1.0,
            prompt: format!("prompt {id}"),
            options: (0..options).map(|i| format!("option {i}")).collect(),
            answer,
            scoring: Scoring::AllOrNothing,
            explanation: String::new(),
        }
    }

    fn single(key: usize) -> Question {
        question("s", QuestionKind::Single, 4, Answer::Single(key))
    }

    fn multiple(key: &[usize], scoring: Scoring, points: f64) -> Question {
        Question {
            scoring,
            points,
            ..question(
                "m",
                QuestionKind::Multiple,
                5,
                Answer::Multiple(key.to_vec()),
            )
        }
    }

    fn true_false(key: bool) -> Question {
        question("t", QuestionKind::TrueFalse, 0, Answer::TrueFalse(key))
    }

    fn fill(accepted: &[&str]) -> Question {
        question(
            "f",
            QuestionKind::Fill,
            0,
            Answer::Fill(accepted.iter().map(|s| s.to_string()).collect()),
        )
    }

    fn in_category(id: &str, category: &str) -> Question {
        Question {
            category: Some(category.to_string()),
            ..question(id, QuestionKind::Single, 4, Answer::Single(0))
        }
    }

    fn fill_response(s: &str) -> Response {
        Response::Fill(s.to_string())
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "expected {expected}, got {actual}"
        );
    }

    // score

    #[test]
    fn a_score_sums_each_question_and_rounds_the_percentage_before_the_pass_mark() {
        let m = multiple(&[0, 2], Scoring::Partial, 2.0);
        let s = single(1);
        let t = true_false(true);
        let chosen = Response::Multiple(vec![0]);
        let right = Response::Single(1);
        let score = score(
            [
                (10, &m, Some(&chosen)),
                (11, &s, Some(&right)),
                (12, &t, None),
            ],
            4.0,
            50,
        );
        assert_eq!(score.per_question.len(), 3);
        assert_eq!(score.per_question[2], (12, 0.0), "unanswered: no points");
        assert_close(score.earned, score.per_question.iter().map(|p| p.1).sum());
        assert_eq!(
            score.per_question[1],
            (11, 1.0),
            "the single choice answered right"
        );
        assert_close(score.percent, percent(score.earned, 4.0));
        assert_eq!(score.passed, score.percent >= 50.0);
        let none = super::score([(12, &t, None)], 1.0, 60);
        assert_eq!((none.earned, none.percent, none.passed), (0.0, 0.0, false));
        let all = super::score([(12, &t, Some(&Response::TrueFalse(true)))], 1.0, 100);
        assert_eq!((all.earned, all.percent, all.passed), (1.0, 100.0, true));
    }

    // normalise_fill

    #[test]
    fn normalise_converts_full_width_and_ideographic_space() {
        assert_eq!(normalise_fill("　１．７５ "), "1.75");
        assert_eq!(normalise_fill("ＣＯ２"), "co2");
        assert_eq!(normalise_fill("！～"), "!~");
    }

    #[test]
    fn normalise_trims_collapses_whitespace_and_lowercases() {
        assert_eq!(normalise_fill("  Carbon \t\n  Dioxide  "), "carbon dioxide");
        assert_eq!(
            normalise_fill("Ｃａｒｂｏｎ　　Ｄｉｏｘｉｄｅ"),
            "carbon dioxide"
        );
        assert_eq!(normalise_fill(""), "");
        assert_eq!(normalise_fill(" 　 "), "");
    }

    #[test]
    fn normalise_keeps_other_characters() {
        assert_eq!(normalise_fill("碳排放 Ａ"), "碳排放 a");
        // Only ASCII is lowercased.
        assert_eq!(normalise_fill("ÄB"), "Äb");
    }

    // grade

    #[test]
    fn no_response_earns_nothing() {
        assert_eq!(grade(&single(1), None), 0.0);
        assert_eq!(grade(&fill(&["x"]), None), 0.0);
    }

    #[test]
    fn single_needs_the_keyed_index() {
        let q = Question {
            points: 2.0,
            ..single(2)
        };
        assert_eq!(grade(&q, Some(&Response::Single(2))), 2.0);
        assert_eq!(grade(&q, Some(&Response::Single(1))), 0.0);
        assert_eq!(grade(&q, Some(&Response::Single(99))), 0.0);

        // A key beyond the options (a malformed bank) is never matched.
        let broken = single(4);
        assert_eq!(grade(&broken, Some(&Response::Single(4))), 0.0);
    }

    #[test]
    fn true_false_needs_the_keyed_value() {
        assert_eq!(
            grade(&true_false(false), Some(&Response::TrueFalse(false))),
            1.0
        );
        assert_eq!(
            grade(&true_false(false), Some(&Response::TrueFalse(true))),
            0.0
        );
        assert_eq!(
            grade(&true_false(true), Some(&Response::TrueFalse(true))),
            1.0
        );
    }

    #[test]
    fn fill_accepts_any_answer_after_normalising() {
        let q = fill(&["1.75", "CO2 emissions"]);
        assert_eq!(grade(&q, Some(&fill_response("　１．７５ "))), 1.0);
        assert_eq!(
            grade(&q, Some(&fill_response("ｃｏ２　ＥＭＩＳＳＩＯＮＳ"))),
            1.0
        );
        assert_eq!(grade(&q, Some(&fill_response("co2  emissions"))), 1.0);
        assert_eq!(grade(&q, Some(&fill_response("1.8"))), 0.0);
        assert_eq!(grade(&q, Some(&fill_response("co2"))), 0.0);
    }

    #[test]
    fn blank_fill_earns_nothing_even_against_a_blank_key() {
        let q = fill(&["", "a"]);
        assert_eq!(grade(&q, Some(&fill_response("  "))), 0.0);
        assert_eq!(grade(&q, Some(&fill_response("A"))), 1.0);
    }

    #[test]
    fn multiple_all_or_nothing_is_set_equality() {
        let q = multiple(&[0, 2], Scoring::AllOrNothing, 3.0);
        let r = |v: &[usize]| Response::Multiple(v.to_vec());
        assert_eq!(grade(&q, Some(&r(&[0, 2]))), 3.0);
        assert_eq!(grade(&q, Some(&r(&[2, 0]))), 3.0);
        assert_eq!(grade(&q, Some(&r(&[2, 0, 2]))), 3.0);
        assert_eq!(grade(&q, Some(&r(&[0]))), 0.0);
        assert_eq!(grade(&q, Some(&r(&[0, 1, 2]))), 0.0);
        assert_eq!(grade(&q, Some(&r(&[]))), 0.0);
    }

    #[test]
    fn multiple_partial_adds_and_subtracts_shares() {
        let q = multiple(&[0, 1, 2], Scoring::Partial, 3.0);
        let r = |v: &[usize]| Response::Multiple(v.to_vec());
        assert_close(grade(&q, Some(&r(&[0, 1, 2]))), 3.0);
        assert_close(grade(&q, Some(&r(&[0, 1]))), 2.0);
        assert_close(grade(&q, Some(&r(&[0]))), 1.0);
        // Two right, one wrong: (2 - 1) / 3 of the points.
        assert_close(grade(&q, Some(&r(&[0, 1, 3]))), 1.0);
        // All right plus one wrong.
        assert_close(grade(&q, Some(&r(&[0, 1, 2, 4]))), 2.0);
        // Repeats count once.
        assert_close(grade(&q, Some(&r(&[0, 0, 0]))), 1.0);
    }

    #[test]
    fn multiple_partial_floors_at_zero() {
        let q = multiple(&[0], Scoring::Partial, 2.0);
        let r = |v: &[usize]| Response::Multiple(v.to_vec());
        assert_eq!(grade(&q, Some(&r(&[1, 2, 3]))), 0.0);
        // Choosing every option: 1 right, 4 wrong.
        assert_eq!(grade(&q, Some(&r(&[0, 1, 2, 3, 4]))), 0.0);
        assert_eq!(grade(&q, Some(&r(&[0, 1]))), 0.0);
        assert_eq!(grade(&q, Some(&r(&[]))), 0.0);
    }

    #[test]
    fn multiple_out_of_range_earns_nothing() {
        let r = Response::Multiple(vec![0, 1, 9]);
        assert_eq!(
            grade(&multiple(&[0, 1], Scoring::Partial, 1.0), Some(&r)),
            0.0
        );
        assert_eq!(
            grade(&multiple(&[0, 1], Scoring::AllOrNothing, 1.0), Some(&r)),
            0.0
        );
    }

    #[test]
    fn wrong_kind_earns_nothing() {
        assert_eq!(grade(&single(0), Some(&Response::Multiple(vec![0]))), 0.0);
        assert_eq!(grade(&single(0), Some(&fill_response("0"))), 0.0);
        assert_eq!(grade(&true_false(true), Some(&Response::Single(0))), 0.0);
        assert_eq!(
            grade(&fill(&["true"]), Some(&Response::TrueFalse(true))),
            0.0
        );
        assert_eq!(
            grade(
                &multiple(&[1], Scoring::Partial, 1.0),
                Some(&Response::Single(1))
            ),
            0.0
        );
    }

    // draw

    fn plain_bank(n: usize) -> Vec<Question> {
        (0..n)
            .map(|i| question(&format!("q{i}"), QuestionKind::Single, 4, Answer::Single(0)))
            .collect()
    }

    fn bank_index(bank: &[Question], id: &str) -> usize {
        bank.iter().position(|q| q.id == id).expect("a bank id")
    }

    #[test]
    fn draw_is_deterministic_for_a_seed() {
        let bank = plain_bank(20);
        let a = draw(&bank, 8, true, true, &mut StdRng::seed_from_u64(7));
        let b = draw(&bank, 8, true, true, &mut StdRng::seed_from_u64(7));
        assert_eq!(a, b);
        assert_eq!(a.question_ids.len(), 8);
    }

    #[test]
    fn draw_picks_distinct_questions_and_varies_with_the_seed() {
        let bank = plain_bank(20);
        let mut seen = BTreeSet::new();
        for seed in 0..20 {
            let d = draw(&bank, 5, false, false, &mut StdRng::seed_from_u64(seed));
            let distinct: BTreeSet<String> = d.question_ids.into_iter().collect();
            assert_eq!(distinct.len(), 5);
            seen.insert(distinct);
        }
        assert!(seen.len() > 1, "every seed drew the same questions");
    }

    #[test]
    fn draw_count_is_clamped_to_the_bank() {
        let bank = plain_bank(3);
        let d = draw(&bank, 10, true, true, &mut StdRng::seed_from_u64(1));
        let ids: BTreeSet<&str> = d.question_ids.iter().map(String::as_str).collect();
        assert_eq!(ids, BTreeSet::from(["q0", "q1", "q2"]));
        assert_eq!(d.option_orders.len(), 3);

        let empty = draw(&[], 5, true, true, &mut StdRng::seed_from_u64(1));
        assert!(empty.question_ids.is_empty());
        assert!(empty.option_orders.is_empty());

        let none = draw(&bank, 0, true, true, &mut StdRng::seed_from_u64(1));
        assert!(none.question_ids.is_empty());
    }

    #[test]
    fn draw_spreads_across_categories() {
        // Interleaved categories: a has 5 questions, b has 5, c has 2.
        let mut bank = Vec::new();
        for i in 0..5 {
            bank.push(in_category(&format!("a{i}"), "a"));
            bank.push(in_category(&format!("b{i}"), "b"));
            if i < 2 {
                bank.push(in_category(&format!("c{i}"), "c"));
            }
        }
        let per_category = |d: &Draw| {
            let mut counts: HashMap<char, usize> = HashMap::new();
            for id in &d.question_ids {
                *counts.entry(id.chars().next().unwrap()).or_default() += 1;
            }
            (
                counts[&'a'],
                counts[&'b'],
                counts.get(&'c').copied().unwrap_or(0),
            )
        };
        for seed in 0..20 {
            let d = draw(&bank, 6, true, false, &mut StdRng::seed_from_u64(seed));
            assert_eq!(per_category(&d), (2, 2, 2), "seed {seed}");
            // c runs out: a, b, c, a, b, c, a, b, a.
            let d = draw(&bank, 9, true, false, &mut StdRng::seed_from_u64(seed));
            assert_eq!(per_category(&d), (4, 3, 2), "seed {seed}");
            // Fewer than the categories: the first ones in bank order.
            let d = draw(&bank, 2, true, false, &mut StdRng::seed_from_u64(seed));
            assert_eq!(per_category(&d), (1, 1, 0), "seed {seed}");
        }
    }

    #[test]
    fn draw_picks_random_questions_within_a_category() {
        let bank: Vec<Question> = (0..6)
            .map(|i| {
                let category = if i % 2 == 0 { "a" } else { "b" };
                in_category(&format!("{category}{i}"), category)
            })
            .collect();
        let mut seen = BTreeSet::new();
        for seed in 0..20 {
            let d = draw(&bank, 2, false, false, &mut StdRng::seed_from_u64(seed));
            let mut first_letters: Vec<char> = d
                .question_ids
                .iter()
                .map(|id| id.chars().next().unwrap())
                .collect();
            first_letters.sort_unstable();
            assert_eq!(first_letters, ['a', 'b'], "seed {seed}");
            seen.insert(d.question_ids);
        }
        assert!(seen.len() > 1, "every seed drew the same questions");
    }

    #[test]
    fn uncategorised_questions_form_their_own_group() {
        let mut bank = vec![in_category("a0", "a"), in_category("a1", "a")];
        bank.extend(plain_bank(2));
        for seed in 0..10 {
            let d = draw(&bank, 2, false, false, &mut StdRng::seed_from_u64(seed));
            assert!(d.question_ids[0].starts_with('a'), "seed {seed}");
            assert!(d.question_ids[1].starts_with('q'), "seed {seed}");
        }
    }

    #[test]
    fn unshuffled_draw_keeps_bank_order() {
        let bank = plain_bank(15);
        for seed in 0..20 {
            let d = draw(&bank, 6, false, false, &mut StdRng::seed_from_u64(seed));
            let positions: Vec<usize> = d
                .question_ids
                .iter()
                .map(|id| bank_index(&bank, id))
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        }
    }

    #[test]
    fn shuffled_draw_changes_the_order() {
        let bank = plain_bank(15);
        let reordered = (0..20).any(|seed| {
            let d = draw(&bank, 15, true, false, &mut StdRng::seed_from_u64(seed));
            let positions: Vec<usize> = d
                .question_ids
                .iter()
                .map(|id| bank_index(&bank, id))
                .collect();
            positions.windows(2).any(|w| w[0] > w[1])
        });
        assert!(reordered);
    }

    #[test]
    fn option_orders_are_permutations() {
        let mut bank = plain_bank(3);
        bank.push(multiple(&[0, 1], Scoring::Partial, 1.0));
        bank.push(true_false(true));
        let mut shuffled_any = false;
        for seed in 0..20 {
            let d = draw(&bank, 5, true, true, &mut StdRng::seed_from_u64(seed));
            assert_eq!(d.option_orders.len(), d.question_ids.len());
            for (id, order) in d.question_ids.iter().zip(&d.option_orders) {
                let q = &bank[bank_index(&bank, id)];
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..q.options.len()).collect::<Vec<_>>());
                shuffled_any |= sorted != *order;
            }
        }
        assert!(shuffled_any, "options were never shuffled");
    }

    #[test]
    fn option_orders_are_identity_without_shuffling() {
        let mut bank = plain_bank(3);
        bank.push(multiple(&[0, 1], Scoring::Partial, 1.0));
        bank.push(true_false(true));
        for seed in 0..10 {
            let d = draw(&bank, 5, true, false, &mut StdRng::seed_from_u64(seed));
            for (id, order) in d.question_ids.iter().zip(&d.option_orders) {
                let q = &bank[bank_index(&bank, id)];
                assert_eq!(*order, (0..q.options.len()).collect::<Vec<_>>());
            }
        }
    }

    // percent, passed, counting_attempt

    #[test]
    fn percent_rounds_to_one_decimal() {
        assert_eq!(percent(1.0, 3.0), 33.3);
        assert_eq!(percent(2.0, 3.0), 66.7);
        assert_eq!(percent(7.0, 7.0), 100.0);
        assert_eq!(percent(0.0, 5.0), 0.0);
        assert_eq!(percent(3.0, 0.0), 0.0);
    }

    #[test]
    fn passed_compares_with_the_pass_mark() {
        assert!(passed(60.0, 60));
        assert!(passed(100.0, 60));
        assert!(!passed(59.9, 60));
        assert!(passed(0.0, 0));
        assert!(!passed(99.9, 100));
    }

    #[test]
    fn the_counting_attempt_is_the_best_or_the_last() {
        let graded = [(40.0, false), (85.5, true), (70.0, true)];
        assert_eq!(counting_attempt(&graded, Counts::Best), Some((85.5, true)));
        assert_eq!(counting_attempt(&graded, Counts::Last), Some((70.0, true)));
        assert_eq!(
            counting_attempt(&[(12.0, false)], Counts::Best),
            Some((12.0, false))
        );
        assert_eq!(counting_attempt(&[], Counts::Best), None);
        assert_eq!(counting_attempt(&[], Counts::Last), None);
    }

    #[test]
    fn a_pass_under_an_earlier_mark_outranks_a_higher_fail_under_a_stricter_one() {
        // 70% passed under a mark of 60; the quiz then asked 75, and 72% failed.
        let graded = [(70.0, true), (72.0, false)];
        assert_eq!(counting_attempt(&graded, Counts::Best), Some((70.0, true)));
        assert_eq!(counting_attempt(&graded, Counts::Last), Some((72.0, false)));
    }

    // item_stats

    fn item(total: f64, earned: f64, choice: Option<Response>) -> ItemResponse {
        ItemResponse {
            attempt_total: total,
            earned,
            possible: 1.0,
            choice,
        }
    }

    #[test]
    fn facility_is_the_mean_share_of_points() {
        let q = single(0);
        let responses = [
            ItemResponse {
                possible: 2.0,
                ..item(50.0, 2.0, None)
            },
            ItemResponse {
                possible: 2.0,
                ..item(50.0, 1.0, None)
            },
            item(50.0, 0.0, None),
        ];
        let stats = item_stats(&q, &responses);
        assert_eq!(stats.responses, 3);
        assert_close(stats.facility, 0.5);
    }

    #[test]
    fn no_responses_give_empty_stats() {
        let stats = item_stats(&single(0), &[]);
        assert_eq!(stats.responses, 0);
        assert_eq!(stats.facility, 0.0);
        assert_eq!(stats.discrimination, None);
        assert_eq!(stats.option_counts, vec![0, 0, 0, 0]);
    }

    #[test]
    fn discrimination_is_none_under_four_responses() {
        let responses = [
            item(90.0, 1.0, None),
            item(50.0, 0.0, None),
            item(10.0, 0.0, None),
        ];
        assert_eq!(item_stats(&single(0), &responses).discrimination, None);
        let four = [
            item(90.0, 1.0, None),
            item(70.0, 1.0, None),
            item(50.0, 0.0, None),
            item(10.0, 0.0, None),
        ];
        assert_eq!(item_stats(&single(0), &four).discrimination, Some(1.0));
    }

    #[test]
    fn discrimination_is_positive_when_strong_candidates_succeed() {
        // Given out of total order on purpose: the five strongest are right, the rest wrong.
        let totals = [55.0, 95.0, 20.0, 80.0, 35.0, 90.0, 10.0, 60.0, 40.0, 85.0];
        let responses: Vec<ItemResponse> = totals
            .iter()
            .map(|&t| item(t, if t >= 60.0 { 1.0 } else { 0.0 }, None))
            .collect();
        let stats = item_stats(&single(0), &responses);
        assert_close(stats.facility, 0.5);
        assert_eq!(stats.discrimination, Some(1.0));

        // Reversed: the weak succeed, the strong fail.
        let reversed: Vec<ItemResponse> = responses
            .iter()
            .map(|r| ItemResponse {
                earned: 1.0 - r.earned,
                ..r.clone()
            })
            .collect();
        assert_eq!(item_stats(&single(0), &reversed).discrimination, Some(-1.0));
    }

    #[test]
    fn discrimination_uses_27_percent_groups() {
        // n = 10: groups of round(2.7) = 3. Upper: 1, 1, 0; lower: 1, 0, 0.
        let earned = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let responses: Vec<ItemResponse> = earned
            .iter()
            .enumerate()
            .map(|(i, &e)| item(100.0 - i as f64, e, None))
            .collect();
        let d = item_stats(&single(0), &responses).discrimination.unwrap();
        assert_close(d, 2.0 / 3.0 - 1.0 / 3.0);
    }

    #[test]
    fn option_counts_for_choice_questions() {
        let responses = [
            item(1.0, 1.0, Some(Response::Single(0))),
            item(1.0, 0.0, Some(Response::Single(2))),
            item(1.0, 1.0, Some(Response::Single(0))),
            item(1.0, 0.0, Some(Response::Single(9))),
            item(1.0, 0.0, Some(Response::TrueFalse(true))),
            item(1.0, 0.0, None),
        ];
        assert_eq!(
            item_stats(&single(0), &responses).option_counts,
            vec![2, 0, 1, 0]
        );

        let responses = [
            item(1.0, 1.0, Some(Response::Multiple(vec![0, 2]))),
            item(1.0, 0.0, Some(Response::Multiple(vec![4, 4, 1]))),
            item(1.0, 0.0, Some(Response::Multiple(vec![]))),
        ];
        let q = multiple(&[0, 2], Scoring::AllOrNothing, 1.0);
        assert_eq!(
            item_stats(&q, &responses).option_counts,
            vec![1, 1, 1, 0, 1]
        );
    }

    #[test]
    fn option_counts_for_true_false_and_fill() {
        let responses = [
            item(1.0, 1.0, Some(Response::TrueFalse(true))),
            item(1.0, 0.0, Some(Response::TrueFalse(false))),
            item(1.0, 1.0, Some(Response::TrueFalse(true))),
            item(1.0, 0.0, Some(fill_response("true"))),
        ];
        assert_eq!(
            item_stats(&true_false(true), &responses).option_counts,
            vec![2, 1]
        );

        let responses = [item(1.0, 1.0, Some(fill_response("x")))];
        assert!(item_stats(&fill(&["x"]), &responses)
            .option_counts
            .is_empty());
    }
}
