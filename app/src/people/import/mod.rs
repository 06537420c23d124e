//! Importing enterprises and their delegates from a spreadsheet (CSV, XLSX): one row a
//! delegate, carrying its enterprise's columns. The whole file is checked first; one bad row
//! and nothing is written, and every bad row is reported with its number, column and reason.
//! Enterprises are matched by credit code and people by mobile number or email, so importing
//! the same file again changes nothing and a corrected file updates in place.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod page;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

/// The largest file accepted, in bytes (about 15,000 delegate rows of CSV).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// A column of the import file. Headers are matched in Chinese or English, in any order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Enterprise,
    CreditCode,
    District,
    Reason,
    Name,
    Phone,
    Email,
    Tier,
    Job,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Enterprise,
        Column::CreditCode,
        Column::District,
        Column::Reason,
        Column::Name,
        Column::Phone,
        Column::Email,
        Column::Tier,
        Column::Job,
    ];

    /// The English header, also the key of the column in reports.
    pub fn key(self) -> &'static str {
        match self {
            Column::Enterprise => "enterprise",
            Column::CreditCode => "credit_code",
            Column::District => "district",
            Column::Reason => "reason",
            Column::Name => "name",
            Column::Phone => "phone",
            Column::Email => "email",
            Column::Tier => "tier",
            Column::Job => "job",
        }
    }

    /// The Chinese header the template uses.
    pub fn header_zh(self) -> &'static str {
        match self {
            Column::Enterprise => "企业名称",
            Column::CreditCode => "统一社会信用代码",
            Column::District => "所属区县",
            Column::Reason => "纳入原因",
            Column::Name => "姓名",
            Column::Phone => "手机号",
            Column::Email => "邮箱",
            Column::Tier => "层次",
            Column::Job => "职务",
        }
    }

    /// The English header, as the page shows it.
    pub fn header_en(self) -> &'static str {
        match self {
            Column::Enterprise => "Enterprise",
            Column::CreditCode => "Credit code",
            Column::District => "District",
            Column::Reason => "Reason",
            Column::Name => "Name",
            Column::Phone => "Phone",
            Column::Email => "Email",
            Column::Tier => "Tier",
            Column::Job => "Job",
        }
    }

    /// Other headers accepted for the column (compared without spaces, case or a bracketed
    /// note such as "（必填）").
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Enterprise => &["企业", "单位", "单位名称", "企业名", "company"],
            Column::CreditCode => &[
                "信用代码",
                "社会信用代码",
                "统一信用代码",
                "creditcode",
                "unifiedsocialcreditcode",
                "uscc",
            ],
            Column::District => &["区县", "所属区", "所在区县", "区"],
            Column::Reason => &["原因", "纳入类型", "类别", "审核类型"],
            Column::Name => &["名字", "学员姓名", "fullname"],
            Column::Phone => &[
                "手机",
                "手机号码",
                "联系电话",
                "电话",
                "mobile",
                "mobilenumber",
            ],
            Column::Email => &["电子邮箱", "电子邮件", "邮件", "e-mail", "mail"],
            Column::Tier => &["层级", "培训层次", "类别层次"],
            Column::Job => &["职位", "岗位", "jobtitle", "position", "title"],
        }
    }

    /// A cell in this column must be filled on every row (phone or email: one of the two).
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Enterprise | Column::CreditCode | Column::Name | Column::Tier
        )
    }
}

/// What a column takes, for the page and the template's second sheet.
pub fn column_help(locale: crate::i18n::Locale, column: Column) -> &'static str {
    use crate::i18n::td_string;
    match column {
        Column::Enterprise => td_string!(locale, imp_acc_enterprise),
        Column::CreditCode => td_string!(locale, imp_acc_credit_code),
        Column::District => td_string!(locale, imp_acc_district),
        Column::Reason => td_string!(locale, imp_acc_reason),
        Column::Name => td_string!(locale, imp_acc_name),
        Column::Phone => td_string!(locale, imp_acc_phone),
        Column::Email => td_string!(locale, imp_acc_email),
        Column::Tier => td_string!(locale, imp_acc_tier),
        Column::Job => td_string!(locale, imp_acc_job),
    }
}

/// One problem of an import file. `row` is the row number the spreadsheet shows (the header is
/// row 1; 0 for the file as a whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    pub row: u32,
    /// The column concerned, if one is.
    pub column: Option<Column>,
    /// The column's letter (A, B, ...) and header as the file has them, when it has the column.
    pub letter: String,
    pub header: String,
    /// A reason code, translated by [`crate::error::validation_message`].
    pub code: String,
    /// The cell's content, so the scheduler sees what was read.
    pub value: String,
    /// The other row of a clash (a duplicate, an enterprise written two ways).
    pub other_row: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// A person the import created, with their one-time first-login path (`/welcome/<token>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedLogin {
    pub row: u32,
    pub name: String,
    pub login_path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file_name: String,
    /// Delegate rows read (blank rows are skipped).
    pub rows: u32,
    /// Every problem found; empty when the file is good.
    pub issues: Vec<ImportIssue>,
    /// Headers that name no known column; their cells are not read.
    pub ignored_columns: Vec<String>,
    /// True when the changes were saved (a good file, not a check only).
    pub written: bool,
    /// What the import did, or would do when only checking.
    pub enterprises: ImportCounts,
    pub people: ImportCounts,
    pub logins: Vec<ImportedLogin>,
    /// Of the new accounts, how many get their link by mail (those with an email address).
    pub mailed: u32,
}

/// Checks an import file and, unless `check_only`, writes it in one transaction. `content` is
/// the file's bytes in standard base64. A rejected file is a normal answer listing its issues.
#[server(endpoint = "import_people")]
pub async fn import_people(
    file_name: String,
    content: String,
    #[server(default)] check_only: bool,
) -> Result<ImportReport, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("import_people").await?;
            let state = crate::state::app_state()?;
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(content.trim())
                .map_err(|_| AppError::validation("file", "file_unreadable"))?;
            service::import(
                &state.db,
                &user,
                &file_name,
                &bytes,
                check_only,
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}
