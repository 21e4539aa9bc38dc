//! Importing historical survey results from CSV (a Google Forms or similar
//! export): one row per response, one column per question, headed by the
//! question's prompt, plus optional `Timestamp` and `Team` columns.
//!
//! The whole file is checked before anything is stored, and every problem
//! is reported with its row, so a file is imported entirely or not at all.

use ::csv::StringRecord;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::csv;
use super::survey::Answer;
use super::survey::{AnswerDraft, Question, QuestionKind, check_answers, parse_time};

/// The most rows one import may hold.
pub const MAX_ROWS: usize = 100_000;
/// Problems listed before the rest are only counted.
const MAX_REPORTED: usize = 50;

/// One question of the survey, as a column is matched to it.
#[derive(Debug, Clone)]
pub struct ImportQuestion {
    pub prompt: String,
    pub question: Question,
}

/// One row of the file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedResponse {
    /// The file line the row starts on, for reference.
    pub line: usize,
    /// A team slug known to Earshot, or none.
    pub team: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub answers: Vec<(i64, Answer)>,
    /// Every question answered.
    pub complete: bool,
}

enum Column {
    Timestamp,
    Team,
    Question(usize),
}

/// Reads and checks a whole file; `teams` are the known team slugs. On any
/// problem, returns every problem found (up to a limit), each naming its row.
pub fn read_import(
    bytes: &[u8],
    questions: &[ImportQuestion],
    teams: &[String],
) -> Result<Vec<ImportedResponse>, Vec<String>> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        vec![format!(
            "the file is not UTF-8 text (an invalid byte at position {}); save it as \"CSV UTF-8\" and try again",
            error.valid_up_to() + 1
        )]
    })?;
    let records = csv::read_records(text).map_err(|message| vec![message])?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![
            "the file is empty; it needs a header row and one row per response".into(),
        ]);
    };
    if rows.len() > MAX_ROWS {
        return Err(vec![format!(
            "the file has {} rows; import at most {MAX_ROWS} at once",
            rows.len()
        )]);
    }
    let columns = match_columns(&header.fields, questions)?;
    let mut problems = Vec::new();
    let mut imported = Vec::new();
    for row in rows {
        match read_row(row.line, &row.fields, &columns, questions, teams) {
            Ok(response) => imported.push(response),
            Err(row_problems) => problems.extend(row_problems),
        }
    }
    if problems.is_empty() {
        return Ok(imported);
    }
    let more = problems.len().saturating_sub(MAX_REPORTED);
    problems.truncate(MAX_REPORTED);
    if more > 0 {
        problems.push(format!("and {more} more problems"));
    }
    Err(problems)
}

fn match_columns(
    header: &StringRecord,
    questions: &[ImportQuestion],
) -> Result<Vec<Column>, Vec<String>> {
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        let column = if name.eq_ignore_ascii_case("timestamp") {
            Some(Column::Timestamp)
        } else if name.eq_ignore_ascii_case("team") {
            Some(Column::Team)
        } else {
            questions
                .iter()
                .position(|question| question.prompt.trim().eq_ignore_ascii_case(name))
                .map(Column::Question)
        };
        match column {
            Some(column) => columns.push(column),
            None => problems.push(format!(
                "column {} {name:?} matches no question of this survey; the columns are Timestamp, Team (both optional) and the questions' prompts: {}",
                index + 1,
                questions
                    .iter()
                    .map(|question| format!("{:?}", question.prompt))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    for (index, question) in questions.iter().enumerate() {
        let seen = columns
            .iter()
            .filter(|column| matches!(column, Column::Question(at) if *at == index))
            .count();
        if seen > 1 {
            problems.push(format!(
                "the column {:?} appears {seen} times",
                question.prompt
            ));
        }
        if seen == 0 && question.question.required {
            problems.push(format!(
                "the required question {:?} has no column",
                question.prompt
            ));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

fn read_row(
    line: usize,
    row: &StringRecord,
    columns: &[Column],
    questions: &[ImportQuestion],
    teams: &[String],
) -> Result<ImportedResponse, Vec<String>> {
    let mut problems = Vec::new();
    if row.len() != columns.len() {
        return Err(vec![format!(
            "row {line}: {} cells where the header has {}",
            row.len(),
            columns.len()
        )]);
    }
    let mut team = None;
    let mut submitted_at = None;
    let mut drafts = Vec::new();
    // Questions with something in their cell: a problem with the cell is
    // reported once, not again as a missing answer.
    let mut filled = Vec::new();
    for (cell, column) in row.iter().zip(columns) {
        let cell = cell.trim();
        if let (Column::Question(index), false) = (column, cell.is_empty()) {
            filled.push(questions[*index].question.id);
        }
        if csv::looks_like_formula(cell) {
            problems.push(format!(
                "row {line}: {cell:?} looks like a spreadsheet formula; remove it (formulas are never imported)"
            ));
            continue;
        }
        match column {
            Column::Timestamp => match read_timestamp(cell) {
                Ok(at) => submitted_at = at,
                Err(message) => problems.push(format!("row {line}: the timestamp {message}")),
            },
            Column::Team if cell.is_empty() => {}
            Column::Team => match teams.iter().find(|slug| slug.eq_ignore_ascii_case(cell)) {
                Some(slug) => team = Some(slug.clone()),
                None => problems.push(format!("row {line}: there is no team {cell:?}")),
            },
            Column::Question(index) => {
                if let Some(draft) = read_answer(&questions[*index].question, cell) {
                    drafts.push(draft);
                }
            }
        }
    }
    let checks: Vec<Question> = questions
        .iter()
        .map(|question| question.question.clone())
        .collect();
    let answers = match check_answers(&checks, &drafts) {
        Ok(answers) => answers,
        Err(errors) => {
            let missing_but_filled = |message: &str| {
                filled
                    .iter()
                    .any(|id| message == format!("question {id} needs an answer"))
            };
            for error in errors
                .iter()
                .filter(|error| !missing_but_filled(&error.message))
            {
                let message = name_questions(&error.message, questions);
                problems.push(format!("row {line}: {message}"));
            }
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ImportedResponse {
        line,
        team,
        submitted_at,
        complete: answers.len() == questions.len(),
        answers,
    })
}

/// Replaces "question 12" (an id) by the question's prompt, which is what
/// the person importing sees in their file.
fn name_questions(message: &str, questions: &[ImportQuestion]) -> String {
    let prompts: Vec<(i64, &str)> = questions
        .iter()
        .map(|question| (question.question.id, question.prompt.as_str()))
        .collect();
    super::survey::name_questions(message, &prompts)
}

fn read_answer(question: &Question, cell: &str) -> Option<AnswerDraft> {
    if cell.is_empty() {
        return None;
    }
    let mut draft = AnswerDraft {
        question_id: question.id,
        ..AnswerDraft::default()
    };
    match question.kind {
        QuestionKind::Text => draft.text = Some(cell.to_owned()),
        QuestionKind::Single => draft.choices = vec![cell.to_owned()],
        QuestionKind::Multi => {
            // Google Forms joins checkbox answers with ", "; ";" is accepted too.
            let separator = if cell.contains(';') { ";" } else { ", " };
            draft.choices = cell
                .split(separator)
                .map(|choice| choice.trim().to_owned())
                .collect();
        }
        _ => {
            let lower = cell.to_ascii_lowercase();
            if ["n/a", "na", "not applicable"].contains(&lower.as_str()) {
                draft.not_applicable = true;
            } else {
                draft.value = Some(cell.parse().unwrap_or(f64::NAN));
            }
        }
    }
    Some(draft)
}

fn read_timestamp(cell: &str) -> Result<Option<DateTime<Utc>>, String> {
    if let Ok(at) = parse_time(cell) {
        return Ok(at);
    }
    // Spreadsheet exports, read as UTC: 3/14/2024 10:22:31 and 2024/03/14 10:22:31.
    for format in [
        "%m/%d/%Y %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%Y-%m-%d",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(cell, format) {
            return Ok(Some(at.and_utc()));
        }
        if let Ok(day) = chrono::NaiveDate::parse_from_str(cell, format) {
            return Ok(Some(
                day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
            ));
        }
    }
    Err(format!(
        "{cell:?} is not a date and time like 2024-03-14 10:22:31"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<ImportQuestion> {
        vec![
            ImportQuestion {
                prompt: "How likely are you to recommend us?".into(),
                question: Question {
                    id: 7,
                    kind: QuestionKind::Nps,
                    required: true,
                    allow_na: false,
                    choices: vec![],
                },
            },
            ImportQuestion {
                prompt: "Satisfied with CI?".into(),
                question: Question {
                    id: 8,
                    kind: QuestionKind::Csat,
                    required: false,
                    allow_na: true,
                    choices: vec![],
                },
            },
            ImportQuestion {
                prompt: "Which tools?".into(),
                question: Question {
                    id: 9,
                    kind: QuestionKind::Multi,
                    required: false,
                    allow_na: false,
                    choices: vec!["Grafana".into(), "Loki".into()],
                },
            },
        ]
    }

    fn teams() -> Vec<String> {
        vec!["payments".into()]
    }

    #[test]
    fn a_google_forms_export_is_read_row_by_row() {
        let file = "Timestamp,How likely are you to recommend us?,Satisfied with CI?,Which tools?,Team\n\
                    3/14/2024 10:22:31,9,N/A,\"Grafana, Loki\",payments\n\
                    2024-03-15 08:00:00,3,4,,\n";
        let rows = read_import(file.as_bytes(), &questions(), &teams()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].team.as_deref(), Some("payments"));
        assert_eq!(rows[0].answers[1], (8, Answer::NotApplicable));
        assert_eq!(
            rows[0].answers[2],
            (9, Answer::Choices(vec!["Grafana".into(), "Loki".into()]))
        );
        assert!(rows[0].complete && !rows[1].complete);
        assert_eq!(
            rows[1].submitted_at.unwrap().to_rfc3339(),
            "2024-03-15T08:00:00+00:00"
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let file = "How likely are you to recommend us?,Team\n11,payments\n,payments\n=cmd|' /C calc'!A0,\n5,nowhere\n5\n";
        let problems = read_import(file.as_bytes(), &questions(), &teams()).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].starts_with("row 2:") && problems[0].contains("0 to 10"));
        assert!(problems[1].starts_with("row 3:") && problems[1].contains("needs an answer"));
        assert!(problems[2].starts_with("row 4:") && problems[2].contains("formula"));
        assert!(problems[3].contains("no team \"nowhere\""));
        assert!(problems[4].starts_with("row 6:") && problems[4].contains("1 cells"));
    }

    #[test]
    fn wrong_columns_and_bad_encodings_are_refused_as_a_whole() {
        let problems =
            read_import(b"Rating,Team\n5,payments\n", &questions(), &teams()).unwrap_err();
        assert!(
            problems[0].contains("column 1 \"Rating\" matches no question"),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|problem| problem.contains("required question"))
        );
        let latin1 = b"How likely are you to recommend us?,Team\n9,caf\xe9\n";
        let problems = read_import(latin1, &questions(), &teams()).unwrap_err();
        assert!(problems[0].contains("not UTF-8"), "{problems:?}");
        assert!(read_import(b"", &questions(), &teams()).unwrap_err()[0].contains("empty"));
    }
}
