//! A CSV table with lower-cased headers and per-cell access that reports the
//! file, line and column of any bad value.

use std::collections::HashMap;
use std::path::Path;

use crate::error::InputError;

/// A parsed CSV file: headers and rows with their line numbers.
pub(crate) struct Table {
    pub path: std::path::PathBuf,
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

/// One row of a [`Table`], with typed getters.
pub(crate) struct Row<'a> {
    table: &'a Table,
    pub line: u64,
    record: &'a csv::StringRecord,
}

impl Table {
    /// Reads a comma-separated file with a header row.
    pub fn read(path: &Path, required: &[&str]) -> Result<Table, InputError> {
        let bytes =
            std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            InputError::file(path, format!("not UTF-8 text (byte {})", e.valid_up_to()))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(InputError::file(
                path,
                "the file is empty; expected a header row and data rows",
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| InputError::at(path, 1, None, format!("unreadable header: {e}")))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if headers.len() == 1 {
            if let Some(sep) = [';', '\t', '|']
                .into_iter()
                .find(|c| headers[0].contains(*c))
            {
                let shown = if sep == '\t' {
                    "tab".to_string()
                } else {
                    format!("'{sep}'")
                };
                return Err(InputError::at(
                    path,
                    1,
                    None,
                    format!("the header is a single column; the file seems to use {shown} as delimiter, but columns must be separated by commas"),
                ));
            }
        }
        let mut index = HashMap::new();
        for (k, h) in headers.iter().enumerate() {
            if h.is_empty() {
                return Err(InputError::at(
                    path,
                    1,
                    None,
                    format!("column {} has an empty name", k + 1),
                ));
            }
            if index.insert(h.clone(), k).is_some() {
                return Err(InputError::at(
                    path,
                    1,
                    Some(h),
                    "the column appears twice in the header",
                ));
            }
        }
        for r in required {
            if !index.contains_key(*r) {
                return Err(InputError::at(
                    path,
                    1,
                    Some(r),
                    format!(
                        "required column is missing (header has: {})",
                        headers.join(", ")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => InputError::at(
                        path,
                        line,
                        None,
                        format!("the row has {len} fields but the header has {expected_len}"),
                    ),
                    _ => InputError::at(path, line, None, format!("unreadable row: {e}")),
                }
            })?;
            if record.iter().all(|c| c.is_empty()) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            rows.push((line, record));
        }
        if rows.is_empty() {
            return Err(InputError::file(
                path,
                "the file has a header but no data rows",
            ));
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            index,
            rows,
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }
}

/// Typed access to named text cells (a CSV row, or a GeoJSON feature's properties)
/// with errors that name where the bad value is.
pub(crate) trait Cells {
    /// The trimmed non-empty cell of a column, if any.
    fn text(&self, column: &str) -> Option<&str>;
    /// An error about this row's `column`.
    fn error(&self, column: &str, message: String) -> InputError;

    /// A required non-empty cell.
    fn required(&self, column: &str) -> Result<&str, InputError> {
        self.text(column)
            .ok_or_else(|| self.error(column, "is empty but required".into()))
    }

    /// An optional finite number.
    fn number(&self, column: &str) -> Result<Option<f64>, InputError> {
        let Some(t) = self.text(column) else {
            return Ok(None);
        };
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            Ok(_) => Err(self.error(column, format!("'{t}' is not a finite number"))),
            Err(_) => Err(self.error(column, format!("'{t}' is not a number"))),
        }
    }

    /// An optional number ≥ 0.
    fn non_negative(&self, column: &str) -> Result<Option<f64>, InputError> {
        match self.number(column)? {
            Some(v) if v < 0.0 => Err(self.error(column, format!("{v} must not be negative"))),
            v => Ok(v),
        }
    }

    /// A required number within a range.
    fn in_range(&self, column: &str, lo: f64, hi: f64) -> Result<f64, InputError> {
        let v = self
            .number(column)?
            .ok_or_else(|| self.error(column, "is empty but required".into()))?;
        if !(lo..=hi).contains(&v) {
            return Err(self.error(column, format!("{v} is outside [{lo}, {hi}]")));
        }
        Ok(v)
    }
}

impl Cells for Row<'_> {
    fn text(&self, column: &str) -> Option<&str> {
        let k = *self.table.index.get(column)?;
        self.record.get(k).filter(|s| !s.is_empty())
    }

    fn error(&self, column: &str, message: String) -> InputError {
        InputError::at(&self.table.path, self.line, Some(column), message)
    }
}
