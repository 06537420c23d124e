//! `quiz.toml`: the settings and the question bank, each question with a valid key.
use serde::Deserialize;
use toml::{Spanned, Value};

use super::model::{Answer, Counts, Layout, Question, QuestionKind, Quiz, Scoring};
use super::source::{Doc, Problem, SourceFile};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuizFile {
    quiz: Spanned<RawSettings>,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    draw: Spanned<i64>,
    shuffle_questions: bool,
    shuffle_options: bool,
    time_limit_minutes: Spanned<i64>,
    attempts: Spanned<i64>,
    pass_percent: Spanned<i64>,
    counts: Spanned<String>,
    layout: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    kind: Spanned<String>,
    category: Option<Spanned<String>>,
    points: Option<Spanned<f64>>,
    scoring: Option<Spanned<String>>,
    prompt: Spanned<String>,
    options: Option<Spanned<Vec<Spanned<String>>>>,
    answer: Spanned<Value>,
    explanation: Spanned<String>,
}

/// At most A–Z.
const MAX_OPTIONS: usize = 26;

pub(crate) fn load(file: &SourceFile, problems: &mut Vec<Problem>) -> Option<Quiz> {
    let mut doc = Doc::new(file, 0..file.text.len(), problems);
    let raw = doc.parse::<RawQuizFile>()?;
    let settings = raw.quiz.get_ref();

    let mut questions: Vec<Question> = Vec::new();
    let mut ids: Vec<(String, usize)> = Vec::new();
    for q in &raw.questions {
        let id = doc.non_empty(&q.id, "id");
        if let Some((_, first_line)) = ids.iter().find(|(other, _)| *other == id) {
            let message = format!("question id `{id}` is already used on line {first_line}");
            doc.report_at(&q.id, message);
        } else {
            ids.push((id.clone(), doc.line(&q.id.span())));
        }
        if let Some(question) = question(&mut doc, q, id) {
            questions.push(question);
        }
    }

    let bank = raw.questions.len() as i64;
    if bank == 0 {
        doc.report_at(
            &raw.quiz,
            "the quiz has no questions: add [[questions]] entries",
        );
    }
    let draw = doc.int_in(&settings.draw, "draw", 1..=bank.max(1)) as u32;
    let counts = Counts::parse(settings.counts.get_ref()).unwrap_or_else(|| {
        let message = format!(
            "unknown `counts` value `{}`; use \"best\" or \"last\"",
            settings.counts.get_ref()
        );
        doc.report_at(&settings.counts, message);
        Counts::Best
    });
    let layout = Layout::parse(settings.layout.get_ref()).unwrap_or_else(|| {
        let message = format!(
            "unknown `layout` value `{}`; use \"one_per_page\" or \"all_on_one_page\"",
            settings.layout.get_ref()
        );
        doc.report_at(&settings.layout, message);
        Layout::OnePerPage
    });
    Some(Quiz {
        title_zh: doc.non_empty(&settings.title_zh, "title_zh"),
        title_en: doc.non_empty(&settings.title_en, "title_en"),
        draw,
        shuffle_questions: settings.shuffle_questions,
        shuffle_options: settings.shuffle_options,
        time_limit_minutes: doc.positive(&settings.time_limit_minutes, "time_limit_minutes"),
        attempts: doc.positive(&settings.attempts, "attempts"),
        pass_percent: doc.int_in(&settings.pass_percent, "pass_percent", 0..=100) as u32,
        counts,
        layout,
        questions,
    })
}

/// Validates one question; `None` if its kind or key is unusable (already reported).
fn question(doc: &mut Doc<'_>, q: &RawQuestion, id: String) -> Option<Question> {
    let prompt = doc.non_empty(&q.prompt, "prompt");
    let explanation = doc.non_empty(&q.explanation, "explanation");
    let category = q.category.as_ref().map(|c| doc.non_empty(c, "category"));
    let points = match &q.points {
        Some(p) => {
            let v = *p.get_ref();
            if !(v.is_finite() && v > 0.0) {
                doc.report_at(p, format!("`points` must be more than 0, not {v}"));
            }
            v
        }
        None => 1.0,
    };
    let kind = match QuestionKind::parse(q.kind.get_ref()) {
        Some(kind) => kind,
        None => {
            let message = format!(
                "unknown question kind `{}`; use single, multiple, true_false or fill",
                q.kind.get_ref()
            );
            doc.report_at(&q.kind, message);
            return None;
        }
    };
    let scoring = match &q.scoring {
        None => Scoring::AllOrNothing,
        Some(s) => {
            let scoring = Scoring::parse(s.get_ref()).unwrap_or_else(|| {
                let message = format!(
                    "unknown `scoring` value `{}`; use \"all_or_nothing\" or \"partial\"",
                    s.get_ref()
                );
                doc.report_at(s, message);
                Scoring::AllOrNothing
            });
            if kind != QuestionKind::Multiple {
                doc.report_at(s, "`scoring` applies only to multiple questions");
            }
            scoring
        }
    };

    let options = options(doc, q, kind);
    let answer = answer(doc, q, kind, options.len())?;
    Some(Question {
        id,
        kind,
        category,
        points,
        prompt,
        options,
        answer,
        scoring,
        explanation,
    })
}

fn options(doc: &mut Doc<'_>, q: &RawQuestion, kind: QuestionKind) -> Vec<String> {
    let choice = matches!(kind, QuestionKind::Single | QuestionKind::Multiple);
    let Some(list) = &q.options else {
        if choice {
            let message = format!("a {} question needs `options`", kind.code());
            doc.report_at(&q.kind, message);
        }
        return Vec::new();
    };
    if !choice {
        let message = format!("a {} question takes no `options`", kind.code());
        doc.report_at(list, message);
        return Vec::new();
    }
    let items = list.get_ref();
    if items.len() < 2 {
        doc.report_at(list, "give at least 2 options");
    }
    if items.len() > MAX_OPTIONS {
        doc.report_at(list, format!("give at most {MAX_OPTIONS} options (A–Z)"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let text = item.get_ref();
        if text.trim().is_empty() {
            doc.report_at(item, format!("option {} is empty", letter(i)));
        } else if let Some(first) = out.iter().position(|o| o.trim() == text.trim()) {
            let message = format!("option {} repeats option {}", letter(i), letter(first));
            doc.report_at(item, message);
        }
        out.push(text.clone());
    }
    out
}

fn letter(index: usize) -> char {
    char::from(b'A' + (index.min(MAX_OPTIONS - 1) as u8))
}

/// "A–D" for four options.
fn letter_range(n: usize) -> String {
    if n == 0 {
        "(no options)".into()
    } else {
        format!("A–{}", letter(n - 1))
    }
}

/// The 0-based option a letter names, or why it does not name one.
fn option_index(s: &str, n: usize) -> Result<usize, String> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'A'..='Z'), None) if (c as usize - 'A' as usize) < n => {
            Ok(c as usize - 'A' as usize)
        }
        _ => Err(format!(
            "answer `{s}` is not one of the option letters {}",
            letter_range(n)
        )),
    }
}

fn answer(doc: &mut Doc<'_>, q: &RawQuestion, kind: QuestionKind, n: usize) -> Option<Answer> {
    let value = q.answer.get_ref();
    let result = match kind {
        QuestionKind::Single => match value {
            Value::String(s) => option_index(s, n).map(Answer::Single),
            _ => Err("a single question's answer is one letter, like \"C\"".to_string()),
        },
        QuestionKind::Multiple => letters(value, n).map(Answer::Multiple),
        QuestionKind::TrueFalse => match value {
            Value::Boolean(b) => Ok(Answer::TrueFalse(*b)),
            _ => Err("a true_false question's answer is true or false (no quotes)".to_string()),
        },
        QuestionKind::Fill => fill(value).map(Answer::Fill),
    };
    match result {
        Ok(answer) => Some(answer),
        Err(message) => {
            doc.report_at(&q.answer, message);
            None
        }
    }
}

fn letters(value: &Value, n: usize) -> Result<Vec<usize>, String> {
    let shape = || "a multiple question's answer is a list of letters, like [\"A\", \"C\"]";
    let Value::Array(items) = value else {
        return Err(shape().to_string());
    };
    if items.is_empty() {
        return Err(shape().to_string());
    }
    let mut out = Vec::new();
    for item in items {
        let Value::String(s) = item else {
            return Err(shape().to_string());
        };
        let index = option_index(s, n)?;
        if out.contains(&index) {
            return Err(format!("answer lists `{s}` twice"));
        }
        out.push(index);
    }
    out.sort_unstable();
    Ok(out)
}

fn fill(value: &Value) -> Result<Vec<String>, String> {
    let shape = || "a fill question's answer is a list of accepted answers, like [\"预审核\"]";
    let Value::Array(items) = value else {
        return Err(shape().to_string());
    };
    if items.is_empty() {
        return Err(shape().to_string());
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            Value::String(_) => Err("an accepted answer is empty".to_string()),
            _ => Err(shape().to_string()),
        })
        .collect()
}
