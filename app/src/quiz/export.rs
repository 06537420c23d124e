//! A quiz's results and item analysis as tables, for CSV and XLSX downloads.
use super::QuizReport;
use crate::report::export::{Cell, Table};

fn tier_zh(code: &str) -> &'static str {
    match code {
        "leader" => "企业领导",
        "auditor" => "内审员",
        "consultant" => "审核咨询机构",
        "official" => "区县主管部门",
        "expert" => "评估专家",
        _ => "",
    }
}

fn status_zh(status: &str) -> &'static str {
    match status {
        "expired" => "超时自动交卷",
        "submitted" => "已交卷",
        _ => "作答中",
    }
}

pub fn results(report: &QuizReport) -> Table {
    Table {
        name: "答卷".into(),
        headers: [
            "姓名",
            "企业",
            "层次",
            "第几次",
            "状态",
            "得分率(%)",
            "是否及格",
        ]
        .map(String::from)
        .to_vec(),
        rows: report
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.person.clone().into(),
                    r.enterprise.clone().into(),
                    tier_zh(&r.tier).into(),
                    f64::from(r.number).into(),
                    status_zh(&r.status).into(),
                    r.percent.into(),
                    if r.passed { "及格" } else { "不及格" }.into(),
                ]
            })
            .collect(),
    }
}

pub fn items(report: &QuizReport) -> Table {
    let widest = report
        .items
        .iter()
        .map(|i| i.option_counts.len())
        .max()
        .unwrap_or(0);
    let mut headers: Vec<String> = ["题号", "题型", "题目", "作答数", "难度(通过率)", "区分度"]
        .map(String::from)
        .to_vec();
    headers.extend((0..widest).map(|i| format!("选{}", char::from(b'A' + i as u8))));
    Table {
        name: "试题分析".into(),
        headers,
        rows: report
            .items
            .iter()
            .map(|i| {
                let mut row: Vec<Cell> = vec![
                    i.key.clone().into(),
                    i.kind.clone().into(),
                    i.prompt.clone().into(),
                    f64::from(i.responses).into(),
                    ((i.facility * 1000.0).round() / 1000.0).into(),
                    i.discrimination
                        .map(|d| (d * 1000.0).round() / 1000.0)
                        .into(),
                ];
                row.extend(i.option_counts.iter().map(|c| Cell::Number(f64::from(*c))));
                // Every row as wide as the header: fill-ins have no options.
                row.resize(6 + widest, Cell::Empty);
                row
            })
            .collect(),
    }
}
