//! The import's rules, as plain functions: reading a file (CSV in UTF-8 or GB18030, XLSX, XLS,
//! ODS) into a table of strings, then checking the whole table into enterprises and delegates.
//! No database here: the districts come in as a list. Every problem is collected, not only the
//! first, with the row number the spreadsheet shows (the header is row 1).
use std::collections::HashMap;
use std::io::Cursor;

use super::{Column, ImportIssue, MAX_FILE_BYTES};
use crate::admin::service::{parse_email, parse_name, parse_phone, parse_tier};
use crate::people::credit_code::{CreditCode, CreditCodeError};
use crate::people::reason::InclusionReason;
use crate::people::tier::Tier;

/// The most delegate rows one file may hold.
pub const MAX_ROWS: usize = 10_000;
/// The header must be within the first rows (a title row above it is common).
const HEADER_SEARCH_ROWS: usize = 10;
const MAX_ENTERPRISE_NAME: usize = 100;
const MAX_JOB: usize = 100;

/// A table of cells; `rows[0]` is the spreadsheet's row 1.
pub type Table = Vec<Vec<String>>;

/// An issue that concerns the whole file.
pub fn file_issue(code: &str) -> ImportIssue {
    ImportIssue {
        row: 0,
        column: None,
        letter: String::new(),
        header: String::new(),
        code: code.into(),
        value: String::new(),
        other_row: None,
    }
}

/// Reads the first sheet of a workbook, or a CSV file, by its content (not its name).
pub fn read_table(bytes: &[u8]) -> Result<Table, &'static str> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err("file_too_large");
    }
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0");
    let table = if workbook {
        read_workbook(bytes)?
    } else {
        read_csv(bytes)?
    };
    if table
        .iter()
        .all(|row| row.iter().all(|c| c.trim().is_empty()))
    {
        return Err("file_empty");
    }
    Ok(table)
}

/// UTF-8 (with or without a byte-order mark), else GB18030: what Excel on a Chinese Windows
/// writes when it saves "CSV".
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, &'static str> {
    let text = decode(bytes);
    // A sheet copied out of Excel and saved as text is tab-separated.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches('\t').count() > first.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| "file_unreadable")?;
        table.push(record.iter().map(|c| c.trim().to_string()).collect());
        if table.len() > MAX_ROWS + HEADER_SEARCH_ROWS + 1 {
            return Err("too_many_rows");
        }
    }
    Ok(table)
}

fn read_workbook(bytes: &[u8]) -> Result<Table, &'static str> {
    use calamine::Reader;
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| "file_unreadable")?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("file_empty")?
        .map_err(|_| "file_unreadable")?;
    // A range starts at its first used cell: pad so that rows and columns keep their numbers.
    let (top, left) = range.start().unwrap_or((0, 0));
    if range.height() > MAX_ROWS + HEADER_SEARCH_ROWS + 1 {
        return Err("too_many_rows");
    }
    let mut table: Table = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(cell_text));
        table.push(cells);
    }
    Ok(table)
}

/// A cell as text. Mobile numbers typed into Excel become numbers: 13800000001.0 must read
/// back as "13800000001".
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e:?}"),
        Data::Empty => String::new(),
    }
}

/// A header as compared: lower case, without spaces, `_`, `-`, `*` or a bracketed note.
fn normalise_header(header: &str) -> String {
    let cut = header
        .find(['(', '（', '['])
        .map(|i| &header[..i])
        .unwrap_or(header);
    cut.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | '＊'))
        .collect::<String>()
        .to_lowercase()
}

pub fn column_of(header: &str) -> Option<Column> {
    let h = normalise_header(header);
    if h.is_empty() {
        return None;
    }
    Column::ALL.into_iter().find(|c| {
        normalise_header(c.key()) == h
            || normalise_header(c.header_zh()) == h
            || c.aliases().iter().any(|a| normalise_header(a) == h)
    })
}

/// A column's letters as a spreadsheet shows them: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A district as the import knows it; a cell may give its code, Chinese or English name.
#[derive(Clone, Debug)]
pub struct DistrictName {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The district a cell names: "和平区", "和平", "heping" and "Heping" all name 和平区.
pub fn find_district(districts: &[DistrictName], cell: &str) -> Option<i64> {
    let s = cell.trim().to_lowercase();
    let short = |zh: &str| {
        zh.strip_suffix("新区")
            .or_else(|| zh.strip_suffix('区'))
            .or_else(|| zh.strip_suffix('县'))
            .map(str::to_string)
    };
    districts
        .iter()
        .find(|d| {
            d.code.to_lowercase() == s
                || d.name_zh == s
                || d.name_en.to_lowercase() == s
                || short(&d.name_zh).is_some_and(|zh| zh == s)
        })
        .map(|d| d.id)
}

/// An enterprise, checked: the first row that names it, and its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseForImport {
    pub credit_code: String,
    pub name: String,
    pub district_id: i64,
    pub reason: InclusionReason,
    pub row: u32,
}

/// A delegate row, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegateForImport {
    pub row: u32,
    pub credit_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub tier: Tier,
    pub job: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckedFile {
    pub enterprises: Vec<EnterpriseForImport>,
    pub delegates: Vec<DelegateForImport>,
    pub ignored_columns: Vec<String>,
    /// Each column's letter and header in the file, for reporting a later problem.
    pub columns: HashMap<Column, (String, String)>,
}

/// Where each column is in the file.
struct Layout {
    header_row: usize,
    index: HashMap<Column, usize>,
    headers: Vec<String>,
}

impl Layout {
    fn issue(
        &self,
        row: u32,
        column: Column,
        code: &str,
        value: &str,
        other: Option<u32>,
    ) -> ImportIssue {
        let at = self.index.get(&column).copied();
        ImportIssue {
            row,
            column: Some(column),
            letter: at.map(column_letter).unwrap_or_default(),
            header: at
                .and_then(|i| self.headers.get(i).cloned())
                .unwrap_or_default(),
            code: code.into(),
            value: value.into(),
            other_row: other,
        }
    }
}

/// The header row: the first of the top rows that names at least three known columns.
fn find_layout(table: &Table) -> Result<(Layout, Vec<String>), Vec<ImportIssue>> {
    let found = table.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        row.iter()
            .filter(|h| column_of(h).is_some())
            .map(|h| column_of(h))
            .collect::<std::collections::HashSet<_>>()
            .len()
            >= 3
    });
    let Some(header_row) = found else {
        let mut issue = file_issue("header_missing");
        issue.row = 1;
        return Err(vec![issue]);
    };
    let headers = table[header_row].clone();
    let row_no = header_row as u32 + 1;
    let mut index = HashMap::new();
    let mut ignored = Vec::new();
    let mut issues = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match column_of(h) {
            Some(c) => match index.entry(c) {
                std::collections::hash_map::Entry::Occupied(_) => issues.push(ImportIssue {
                    row: row_no,
                    column: Some(c),
                    letter: column_letter(i),
                    header: h.clone(),
                    code: "column_duplicate".into(),
                    value: h.clone(),
                    other_row: None,
                }),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            },
            None if h.trim().is_empty() => {}
            None => ignored.push(h.clone()),
        }
    }
    let layout = Layout {
        header_row,
        index,
        headers,
    };
    for c in Column::ALL {
        let needed = c.required() || matches!(c, Column::District | Column::Reason);
        if needed && !layout.index.contains_key(&c) {
            issues.push(layout.issue(row_no, c, "column_missing", "", None));
        }
    }
    if !layout.index.contains_key(&Column::Phone) && !layout.index.contains_key(&Column::Email) {
        issues.push(layout.issue(row_no, Column::Phone, "column_missing", "", None));
    }
    if issues.is_empty() {
        Ok((layout, ignored))
    } else {
        Err(issues)
    }
}

fn credit_code_reason(err: &CreditCodeError) -> &'static str {
    match err {
        CreditCodeError::Length(_) => "credit_code_length",
        CreditCodeError::Character { .. } => "credit_code_character",
        CreditCodeError::CheckDigit { .. } => "credit_code_check",
    }
}

/// An enterprise as its rows describe it so far: each field with the row that gave it.
#[derive(Default)]
struct EnterpriseDraft {
    first_row: u32,
    name: Option<(String, u32)>,
    district: Option<(i64, u32)>,
    reason: Option<(InclusionReason, u32)>,
}

/// Sets a field of an enterprise from a row, or reports the row that said otherwise.
fn agree<T: PartialEq>(slot: &mut Option<(T, u32)>, value: T, row: u32) -> Result<(), u32> {
    match slot {
        Some((known, at)) if *known != value => Err(*at),
        Some(_) => Ok(()),
        None => {
            *slot = Some((value, row));
            Ok(())
        }
    }
}

/// Checks the whole table. Either every row is good and the enterprises and delegates come
/// back, or every problem found comes back, in row order.
pub fn check_table(
    table: &Table,
    districts: &[DistrictName],
) -> Result<CheckedFile, Vec<ImportIssue>> {
    let (layout, ignored_columns) = find_layout(table)?;
    let mut issues = Vec::new();
    let mut drafts: HashMap<String, EnterpriseDraft> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut delegates = Vec::new();
    let mut phones: HashMap<String, u32> = HashMap::new();
    let mut emails: HashMap<String, u32> = HashMap::new();

    let data_rows = table
        .iter()
        .enumerate()
        .skip(layout.header_row + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    if data_rows.clone().count() > MAX_ROWS {
        return Err(vec![file_issue("too_many_rows")]);
    }
    for (i, cells) in data_rows {
        let row = i as u32 + 1;
        let cell = |c: Column| -> &str {
            layout
                .index
                .get(&c)
                .and_then(|&at| cells.get(at))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut bad = |c: Column, code: &str, other: Option<u32>| {
            issues.push(layout.issue(row, c, code, cell(c), other));
        };

        // The enterprise.
        let enterprise_name = cell(Column::Enterprise);
        if enterprise_name.is_empty() {
            bad(Column::Enterprise, "required", None);
        } else if enterprise_name.chars().count() > MAX_ENTERPRISE_NAME {
            bad(Column::Enterprise, "too_long", None);
        }
        let code = match cell(Column::CreditCode) {
            "" => {
                bad(Column::CreditCode, "required", None);
                None
            }
            raw => match CreditCode::parse(raw) {
                Ok(code) => Some(code.as_str().to_string()),
                Err(err) => {
                    bad(Column::CreditCode, credit_code_reason(&err), None);
                    None
                }
            },
        };
        let district = match cell(Column::District) {
            "" => None,
            raw => match find_district(districts, raw) {
                Some(id) => Some(id),
                None => {
                    bad(Column::District, "district_unknown", None);
                    None
                }
            },
        };
        let reason = match cell(Column::Reason) {
            "" => None,
            raw => match InclusionReason::parse(raw) {
                Some(r) => Some(r),
                None => {
                    bad(Column::Reason, "reason_invalid", None);
                    None
                }
            },
        };
        if let Some(code) = &code {
            let draft = drafts.entry(code.clone()).or_insert_with(|| {
                order.push(code.clone());
                EnterpriseDraft {
                    first_row: row,
                    ..Default::default()
                }
            });
            if !enterprise_name.is_empty() {
                if let Err(at) = agree(&mut draft.name, enterprise_name.to_string(), row) {
                    bad(Column::Enterprise, "enterprise_inconsistent", Some(at));
                }
            }
            if let Some(d) = district {
                if let Err(at) = agree(&mut draft.district, d, row) {
                    bad(Column::District, "enterprise_inconsistent", Some(at));
                }
            }
            if let Some(r) = reason {
                if let Err(at) = agree(&mut draft.reason, r, row) {
                    bad(Column::Reason, "enterprise_inconsistent", Some(at));
                }
            }
        }

        // The delegate.
        let name = parse_name(cell(Column::Name))
            .map_err(|code| bad(Column::Name, code, None))
            .ok();
        let phone = parse_phone(Some(cell(Column::Phone)))
            .map_err(|code| bad(Column::Phone, code, None))
            .unwrap_or(None);
        let email = parse_email(Some(cell(Column::Email)))
            .map_err(|code| bad(Column::Email, code, None))
            .unwrap_or(None);
        if cell(Column::Phone).is_empty() && cell(Column::Email).is_empty() {
            let column = if layout.index.contains_key(&Column::Phone) {
                Column::Phone
            } else {
                Column::Email
            };
            bad(column, "phone_or_email_required", None);
        }
        if let Some(p) = &phone {
            if let Some(&at) = phones.get(p) {
                bad(Column::Phone, "duplicate_in_file", Some(at));
            } else {
                phones.insert(p.clone(), row);
            }
        }
        if let Some(e) = &email {
            if let Some(&at) = emails.get(e) {
                bad(Column::Email, "duplicate_in_file", Some(at));
            } else {
                emails.insert(e.clone(), row);
            }
        }
        let tier = match parse_tier(Some(cell(Column::Tier))) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                bad(Column::Tier, "tier_required", None);
                None
            }
            Err(code) => {
                bad(Column::Tier, code, None);
                None
            }
        };
        let job = match cell(Column::Job) {
            "" => None,
            j if j.chars().count() > MAX_JOB => {
                bad(Column::Job, "too_long", None);
                None
            }
            j => Some(j.to_string()),
        };
        if let (Some(credit_code), Some(name), Some(tier)) = (code, name, tier) {
            if phone.is_some() || email.is_some() {
                delegates.push(DelegateForImport {
                    row,
                    credit_code,
                    name,
                    phone,
                    email,
                    tier,
                    job,
                });
            }
        }
    }

    // Every enterprise needs its district and reason on one of its rows at least.
    let mut enterprises = Vec::new();
    for code in order {
        let draft = &drafts[&code];
        let row = draft.first_row;
        match (&draft.name, draft.district, draft.reason) {
            (Some((name, _)), Some((district_id, _)), Some((reason, _))) => {
                enterprises.push(EnterpriseForImport {
                    credit_code: code.clone(),
                    name: name.clone(),
                    district_id,
                    reason,
                    row,
                })
            }
            // A missing name was already reported on its rows.
            (_, district, reason) => {
                if district.is_none() && !has_issue(&issues, row, Column::District) {
                    issues.push(layout.issue(row, Column::District, "required", "", None));
                }
                if reason.is_none() && !has_issue(&issues, row, Column::Reason) {
                    issues.push(layout.issue(row, Column::Reason, "required", "", None));
                }
            }
        }
    }
    if issues.is_empty() {
        let columns = layout
            .index
            .iter()
            .map(|(&c, &at)| (c, (column_letter(at), layout.headers[at].clone())))
            .collect();
        Ok(CheckedFile {
            enterprises,
            delegates,
            ignored_columns,
            columns,
        })
    } else {
        issues.sort_by_key(|i| (i.row, i.column));
        Err(issues)
    }
}

fn has_issue(issues: &[ImportIssue], row: u32, column: Column) -> bool {
    issues
        .iter()
        .any(|i| i.row == row && i.column == Some(column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::credit_code::check_char;

    fn code(n: usize) -> String {
        let first = format!("91120116MA{:07}", 100 + n);
        format!("{first}{}", check_char(&first).unwrap())
    }

    fn districts() -> Vec<DistrictName> {
        vec![
            DistrictName {
                id: 1,
                code: "heping".into(),
                name_zh: "和平区".into(),
                name_en: "Heping".into(),
            },
            DistrictName {
                id: 13,
                code: "binhai".into(),
                name_zh: "滨海新区".into(),
                name_en: "Binhai New Area".into(),
            },
        ]
    }

    fn table(rows: &[&[&str]]) -> Table {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    const HEADER: &[&str] = &[
        "企业名称",
        "统一社会信用代码",
        "所属区县",
        "纳入原因",
        "姓名",
        "手机号",
        "邮箱",
        "层次",
        "职务",
    ];

    #[test]
    fn a_good_table_gives_enterprises_and_delegates() {
        let c1 = code(1);
        let t = table(&[
            HEADER,
            &[
                "天津甲化工有限公司",
                &c1,
                "和平区",
                "VOCs",
                "王伟",
                "13800000001",
                "",
                "厂长",
                "总经理",
            ],
            &[
                "天津甲化工有限公司",
                &c1,
                "",
                "",
                "李娜",
                "",
                "LI@example.com",
                "内审员",
                "",
            ],
        ]);
        let checked = check_table(&t, &districts()).unwrap();
        assert_eq!(checked.enterprises.len(), 1);
        assert_eq!(checked.enterprises[0].district_id, 1);
        assert_eq!(checked.enterprises[0].reason, InclusionReason::Vocs);
        assert_eq!(checked.delegates.len(), 2);
        assert_eq!(
            checked.delegates[1].email.as_deref(),
            Some("li@example.com")
        );
        assert_eq!(checked.delegates[1].tier, Tier::Auditor);
        assert_eq!(checked.delegates[0].job.as_deref(), Some("总经理"));
    }

    #[test]
    fn english_headers_in_another_order_and_a_title_row_are_accepted() {
        let t = table(&[
            &["2014年清洁生产审核企业名单"],
            &[
                "Name",
                "Phone",
                "Tier",
                "Enterprise",
                "Credit code",
                "District",
                "Reason",
                "序号",
            ],
            &[
                "王伟",
                "+86 138-0000-0001",
                "leader",
                "甲公司",
                &code(2),
                "heping",
                "coal",
                "1",
            ],
        ]);
        let checked = check_table(&t, &districts()).unwrap();
        assert_eq!(checked.delegates[0].row, 3);
        assert_eq!(checked.delegates[0].phone.as_deref(), Some("13800000001"));
        assert_eq!(checked.ignored_columns, vec!["序号".to_string()]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_row_and_column() {
        let t = table(&[
            HEADER,
            &[
                "甲公司",
                "9112011600000000XX",
                "和平区",
                "燃煤",
                "王伟",
                "138",
                "",
                "厂长",
                "",
            ],
            &[
                "乙公司",
                &code(3),
                "火星区",
                "噪声",
                "",
                "13800000002",
                "bad-email",
                "学生",
                "",
            ],
            &[
                "丙公司",
                &code(4),
                "滨海",
                "涉重",
                "张三",
                "",
                "",
                "内审员",
                "",
            ],
        ]);
        let issues = check_table(&t, &districts()).unwrap_err();
        let got: Vec<(u32, Option<Column>, &str)> = issues
            .iter()
            .map(|i| (i.row, i.column, i.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Some(Column::CreditCode), "credit_code_check"),
                (2, Some(Column::Phone), "phone_invalid"),
                (3, Some(Column::District), "district_unknown"),
                (3, Some(Column::Reason), "reason_invalid"),
                (3, Some(Column::Name), "name_required"),
                (3, Some(Column::Email), "email_invalid"),
                (3, Some(Column::Tier), "tier_invalid"),
                (4, Some(Column::Phone), "phone_or_email_required"),
            ]
        );
        assert_eq!(issues[0].letter, "B");
        assert_eq!(issues[0].header, "统一社会信用代码");
        assert_eq!(issues[1].value, "138");
    }

    #[test]
    fn duplicates_within_the_file_and_an_enterprise_written_two_ways_are_errors() {
        let c = code(5);
        let t = table(&[
            HEADER,
            &[
                "甲公司",
                &c,
                "和平区",
                "燃煤",
                "王伟",
                "13800000001",
                "w@example.com",
                "厂长",
                "",
            ],
            &[
                "甲公司（新）",
                &c,
                "滨海新区",
                "燃煤",
                "李娜",
                "13800000001",
                "W@example.com",
                "内审员",
                "",
            ],
        ]);
        let issues = check_table(&t, &districts()).unwrap_err();
        let got: Vec<(u32, Column, &str, Option<u32>)> = issues
            .iter()
            .map(|i| (i.row, i.column.unwrap(), i.code.as_str(), i.other_row))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, Column::Enterprise, "enterprise_inconsistent", Some(2)),
                (3, Column::District, "enterprise_inconsistent", Some(2)),
                (3, Column::Phone, "duplicate_in_file", Some(2)),
                (3, Column::Email, "duplicate_in_file", Some(2)),
            ]
        );
    }

    #[test]
    fn an_enterprise_needs_its_district_and_reason_once() {
        let t = table(&[
            HEADER,
            &[
                "甲公司",
                &code(6),
                "",
                "",
                "王伟",
                "13800000001",
                "",
                "厂长",
                "",
            ],
        ]);
        let issues = check_table(&t, &districts()).unwrap_err();
        let got: Vec<(Column, &str)> = issues
            .iter()
            .map(|i| (i.column.unwrap(), i.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(Column::District, "required"), (Column::Reason, "required")]
        );
    }

    #[test]
    fn a_missing_column_or_header_is_reported_on_row_one() {
        let t = table(&[
            &["企业名称", "姓名", "手机号"],
            &["甲", "王伟", "13800000001"],
        ]);
        let issues = check_table(&t, &districts()).unwrap_err();
        assert!(issues
            .iter()
            .all(|i| i.row == 1 && i.code == "column_missing"));
        let missing: Vec<Column> = issues.iter().filter_map(|i| i.column).collect();
        assert_eq!(
            missing,
            vec![
                Column::CreditCode,
                Column::District,
                Column::Reason,
                Column::Tier
            ]
        );
        let none = table(&[&["a", "b"], &["c", "d"]]);
        assert_eq!(
            check_table(&none, &districts()).unwrap_err()[0].code,
            "header_missing"
        );
    }

    #[test]
    fn csv_is_read_in_utf8_with_a_bom_and_in_gb18030() {
        let text = "企业名称,姓名\n甲公司,王伟\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(read_table(&bom).unwrap()[1], vec!["甲公司", "王伟"]);
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(read_table(&gbk).unwrap()[1], vec!["甲公司", "王伟"]);
        assert_eq!(read_table(b"").unwrap_err(), "file_empty");
        assert_eq!(
            read_table(b"PK\x03\x04junk").unwrap_err(),
            "file_unreadable"
        );
    }

    #[test]
    fn xlsx_is_read_with_numbers_as_text_and_rows_in_place() {
        use crate::report::export::{to_xlsx, Cell, Table as Sheet};
        let sheet = Sheet {
            name: "导入".into(),
            headers: vec!["姓名".into(), "手机号".into()],
            rows: vec![
                vec![Cell::Text("王伟".into()), Cell::Number(13800000001.0)],
                vec![Cell::Empty, Cell::Empty],
                vec![Cell::Text("李娜".into()), Cell::Text("13800000002".into())],
            ],
        };
        let bytes = to_xlsx(&[sheet]).unwrap();
        let t = read_table(&bytes).unwrap();
        assert_eq!(t[0], vec!["姓名", "手机号"]);
        assert_eq!(t[1], vec!["王伟", "13800000001"]);
        assert_eq!(t[3], vec!["李娜", "13800000002"]);
    }

    #[test]
    fn headers_and_letters() {
        assert_eq!(column_of(" 手机号码（必填） "), Some(Column::Phone));
        assert_eq!(column_of("Credit_Code"), Some(Column::CreditCode));
        assert_eq!(column_of("*姓名"), Some(Column::Name));
        assert_eq!(column_of("备注"), None);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(find_district(&districts(), "滨海"), Some(13));
        assert_eq!(find_district(&districts(), "Binhai New Area"), Some(13));
        assert_eq!(find_district(&districts(), "和平区"), Some(1));
    }
}
