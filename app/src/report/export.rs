//! A [`Table`] to CSV or XLSX bytes.
use rust_xlsxwriter::{Format, Workbook};

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The sheet's name in a workbook.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// CSV with a UTF-8 byte-order mark.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&table.headers)?;
    for row in &table.rows {
        out.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Empty => String::new(),
        }))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A workbook with one sheet a table; headers bold, numbers as numbers.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&table.name)?;
        for (c, h) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
            sheet.set_column_width(c as u16, 14)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c as u16, s)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c as u16, *n)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "答卷".into(),
            headers: vec!["姓名".into(), "得分".into()],
            rows: vec![
                vec!["王𠮷, \"老王\"".into(), 87.5.into()],
                vec!["张䶮".into(), Cell::Empty],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_quotes_commas_and_keeps_chinese() {
        let bytes = to_csv(&table()).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "姓名,得分\n\"王𠮷, \"\"老王\"\"\",87.5\n张䶮,\n");
    }

    #[test]
    fn xlsx_is_a_zip_with_the_sheet_name() {
        let bytes = to_xlsx(&[table()]).unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip file");
        assert!(bytes.len() > 1000);
    }
}
