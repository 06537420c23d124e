//! Reading files, turning byte offsets into line numbers, and reporting problems.
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::people::tier::Tier;

/// One thing wrong with the content, at a 1-based line of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl Problem {
    pub fn new(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            line: line.max(1),
            message: message.into(),
        }
    }
}

/// A text file read into memory, with the offsets where its lines start.
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Reads a UTF-8 file, or reports why it cannot be read.
    pub fn read(path: &Path) -> Result<SourceFile, Problem> {
        let bytes =
            std::fs::read(path).map_err(|e| Problem::new(path, 1, format!("cannot read: {e}")))?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text.to_string(),
            Err(e) => {
                let line = 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                return Err(Problem::new(path, line, "the file is not valid UTF-8"));
            }
        };
        Ok(SourceFile::from_parts(path.to_path_buf(), bytes, text))
    }

    fn from_parts(path: PathBuf, bytes: Vec<u8>, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            bytes,
            text,
            line_starts,
        }
    }

    /// The 1-based line holding the byte at `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    pub fn problem_at(&self, offset: usize, message: impl Into<String>) -> Problem {
        Problem::new(&self.path, self.line_of(offset), message)
    }

    pub fn hash(&self) -> String {
        hex_sha256(&[&self.bytes])
    }
}

pub(crate) fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A TOML document inside a [`SourceFile`]: the whole file, or a lesson's front matter (the
/// bytes `range`). Collects the problems found in it; spans are relative to the document.
pub(crate) struct Doc<'a> {
    pub file: &'a SourceFile,
    pub range: Range<usize>,
    pub problems: &'a mut Vec<Problem>,
}

impl<'a> Doc<'a> {
    pub fn new(
        file: &'a SourceFile,
        range: Range<usize>,
        problems: &'a mut Vec<Problem>,
    ) -> Doc<'a> {
        Doc {
            file,
            range,
            problems,
        }
    }

    pub fn text(&self) -> &'a str {
        &self.file.text[self.range.clone()]
    }

    /// Deserializes the document; a syntax or schema error becomes a problem at its line.
    pub fn parse<T: DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str::<T>(self.text()) {
            Ok(value) => Some(value),
            Err(e) => {
                let offset = e.span().map(|s| s.start).unwrap_or(0);
                let message = e.message().trim().to_string();
                self.report(offset..offset, message);
                None
            }
        }
    }

    pub fn line(&self, span: &Range<usize>) -> usize {
        self.file.line_of(self.range.start + span.start)
    }

    pub fn report(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.line(&span);
        self.problems
            .push(Problem::new(&self.file.path, line, message));
    }

    pub fn report_at<T>(&mut self, value: &Spanned<T>, message: impl Into<String>) {
        self.report(value.span(), message);
    }

    /// A required text that must not be blank.
    pub fn non_empty(&mut self, value: &Spanned<String>, field: &str) -> String {
        if value.get_ref().trim().is_empty() {
            self.report_at(value, format!("`{field}` must not be empty"));
        }
        value.get_ref().clone()
    }

    /// A list of tier ids: each must be a known id, none twice, at least one.
    pub fn tiers(&mut self, list: &Spanned<Vec<Spanned<String>>>, field: &str) -> Vec<Tier> {
        if list.get_ref().is_empty() {
            self.report_at(list, format!("`{field}` must name at least one tier"));
        }
        let mut tiers = Vec::new();
        for item in list.get_ref() {
            if let Some(tier) = self.tier(item) {
                if tiers.contains(&tier) {
                    self.report_at(item, format!("tier `{}` is listed twice", tier.code()));
                } else {
                    tiers.push(tier);
                }
            }
        }
        tiers
    }

    pub fn tier(&mut self, value: &Spanned<String>) -> Option<Tier> {
        let s = value.get_ref();
        match Tier::parse(s) {
            Some(tier) if tier.code() == s => Some(tier),
            Some(tier) => {
                self.report_at(
                    value,
                    format!("write the tier id `{}` instead of `{s}`", tier.code()),
                );
                None
            }
            None => {
                let ids: Vec<&str> = Tier::ALL.iter().map(|t| t.code()).collect();
                self.report_at(
                    value,
                    format!("unknown tier `{s}`; tier ids are {}", ids.join(", ")),
                );
                None
            }
        }
    }

    /// An integer that must lie in `range`; out-of-range values are reported and clamped.
    pub fn int_in(&mut self, value: &Spanned<i64>, field: &str, range: RangeInclusive<i64>) -> i64 {
        let v = *value.get_ref();
        if !range.contains(&v) {
            let (lo, hi) = (*range.start(), *range.end());
            let message = if hi == i64::from(i32::MAX) {
                format!("`{field}` must be at least {lo}, not {v}")
            } else {
                format!("`{field}` must be between {lo} and {hi}, not {v}")
            };
            self.report_at(value, message);
        }
        v.clamp(*range.start(), *range.end())
    }

    /// A positive count (at least 1); what a `u32` field needs.
    pub fn positive(&mut self, value: &Spanned<i64>, field: &str) -> u32 {
        self.int_in(value, field, 1..=i64::from(i32::MAX)) as u32
    }
}

/// `^[a-z0-9][a-z0-9-]*$`
pub(crate) fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
