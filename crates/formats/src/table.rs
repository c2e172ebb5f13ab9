//! A table of text cells read from CSV (any common encoding) or an Excel
//! workbook, with lower-cased headers, column aliases and a user's column
//! mapping, and per-cell access that reports the file, the physical line (or
//! sheet and row) and the column of any bad value.

use std::collections::HashMap;
use std::path::Path;

use crate::error::InputError;
use crate::source::{read_source, Input, ReadOptions, SourceKind};

/// Other names CRM exports use for a column (compared without case, spaces,
/// underscores or hyphens). Only columns a reader knows are looked up.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "id",
        &[
            "account id",
            "account no",
            "account number",
            "customer id",
            "rep id",
            "point id",
        ],
    ),
    ("lat", &["latitude", "lat deg"]),
    ("lon", &["longitude", "lng", "long", "lon deg"]),
    (
        "account",
        &["account id", "account no", "account number", "customer id"],
    ),
    ("territory", &["territory id", "rep id"]),
    ("service_min", &["service minutes"]),
    ("duration_min", &["duration", "duration minutes"]),
    ("visits", &["visits per 4 weeks", "visit frequency"]),
];

/// A header name reduced to what aliases compare: lower case, no separators.
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A parsed table: headers and rows with their physical line (or sheet row).
pub(crate) struct Table {
    pub path: std::path::PathBuf,
    /// The worksheet's name when read from a workbook (rows are then sheet rows).
    pub sheet: Option<String>,
    /// 0-based column of the sheet where the table starts.
    first_col: usize,
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
    /// Reads a table; `known` columns (besides `required`) are also matched by alias.
    pub fn read_with(
        input: &Input,
        required: &[&str],
        known: &[&str],
        options: &ReadOptions,
    ) -> Result<Table, InputError> {
        let path = input.path();
        let (sheet, first_col, raw_headers, rows) = match read_source(input, options)? {
            SourceKind::Text(text) => {
                let (h, r) = csv_rows(path, &text)?;
                (None, 0, h, r)
            }
            SourceKind::Sheet {
                name,
                first_col,
                header,
                rows,
            } => (Some(name), first_col, header, rows),
        };
        let table_error = |line: u64, field: Option<&str>, message: String| {
            let mut e = InputError::at(path, line, field, message);
            e.sheet = sheet.clone();
            e
        };
        let header_line = raw_headers.0;
        let mut headers: Vec<String> = raw_headers
            .1
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        if headers.len() == 1 && sheet.is_none() {
            if let Some(sep) = [';', '\t', '|']
                .into_iter()
                .find(|c| headers[0].contains(*c))
            {
                let shown = if sep == '\t' {
                    "tab".to_string()
                } else {
                    format!("'{sep}'")
                };
                return Err(table_error(
                    header_line,
                    None,
                    format!("the header is a single column; the file seems to use {shown} as delimiter, but columns must be separated by commas"),
                ));
            }
        }
        for (k, h) in headers.iter().enumerate() {
            if h.is_empty() {
                return Err(table_error(
                    header_line,
                    None,
                    format!("column {} has an empty name", k + 1),
                ));
            }
        }
        // The user's mapping first (one list serves every input file, so a name
        // this file lacks is skipped), then aliases for columns not named exactly.
        for (canonical, source) in &options.columns {
            let source_l = source.trim().to_lowercase();
            if let Some(k) = headers.iter().position(|h| *h == source_l) {
                headers[k] = canonical.clone();
            }
        }
        for column in required.iter().chain(known) {
            if headers.iter().any(|h| h == column) {
                continue;
            }
            let mut names = vec![squash(column)];
            if let Some((_, more)) = ALIASES.iter().find(|(c, _)| c == column) {
                names.extend(more.iter().map(|a| squash(a)));
            }
            // The first name (in the order above) that exactly one free header carries.
            let free = |k: &usize| {
                !required.contains(&headers[*k].as_str()) && !known.contains(&headers[*k].as_str())
            };
            let chosen = names.iter().find_map(|name| {
                let matches: Vec<usize> = (0..headers.len())
                    .filter(free)
                    .filter(|&k| squash(&headers[k]) == *name)
                    .collect();
                (matches.len() == 1).then(|| matches[0])
            });
            if let Some(k) = chosen {
                headers[k] = column.to_string();
            }
        }
        let mut index = HashMap::new();
        for (k, h) in headers.iter().enumerate() {
            if index.insert(h.clone(), k).is_some() {
                return Err(table_error(
                    header_line,
                    Some(h),
                    "the column appears twice in the header".into(),
                ));
            }
        }
        for r in required {
            if !index.contains_key(*r) {
                let hint = match options.columns.iter().find(|(c, _)| c == r) {
                    Some((_, source)) => {
                        format!("--columns maps it to '{source}', which the header lacks")
                    }
                    None => format!("map another column with --columns {r}=NAME"),
                };
                return Err(table_error(
                    header_line,
                    Some(r),
                    format!(
                        "required column is missing (header has: {}; {hint})",
                        headers.join(", ")
                    ),
                ));
            }
        }
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|(_, record)| !record.iter().all(str::is_empty))
            .collect();
        if rows.is_empty() {
            return Err(match &sheet {
                Some(s) => {
                    let mut e = InputError::file(path, "the sheet has a header but no data rows");
                    e.sheet = Some(s.clone());
                    e
                }
                None => InputError::file(path, "the file has a header but no data rows"),
            });
        }
        Ok(Table {
            path: path.to_path_buf(),
            sheet,
            first_col,
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

    /// "line" for text files, "row" for sheets: how places are named in messages.
    pub fn unit(&self) -> &'static str {
        if self.sheet.is_some() {
            "row"
        } else {
            "line"
        }
    }

    /// An error at a row of this table.
    pub fn error_at(&self, line: u64, field: Option<&str>, message: String) -> InputError {
        let mut e = InputError::at(&self.path, line, field, message);
        e.sheet = self.sheet.clone();
        e
    }
}

/// Where each line of a text starts, to turn byte offsets into physical line
/// numbers (`\n`, `\r\n` and a lone `\r` each end a line).
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex(starts)
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: u64) -> u64 {
        let offset = offset as usize;
        self.0.partition_point(|&s| s <= offset) as u64
    }

    /// The line where a record read from `offset` starts: the reader reports
    /// the end of the previous record, before any blank lines it skipped.
    fn record_line(&self, text: &str, offset: u64) -> u64 {
        let skipped = text.as_bytes()[(offset as usize).min(text.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.line(offset + skipped as u64)
    }
}

type Rows = Vec<(u64, csv::StringRecord)>;

/// Header (line, cells) and data rows of a comma-separated text.
fn csv_rows(path: &Path, text: &str) -> Result<((u64, Vec<String>), Rows), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::file(
            path,
            "the file is empty; expected a header row and data rows",
        ));
    }
    let lines = LineIndex::new(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = lines.record_line(text, e.position().map_or(start, |p| p.byte()));
            InputError::at(path, line, None, format!("unreadable row: {e}"))
        })?;
        if !more {
            break;
        }
        let line = lines.record_line(text, record.position().map_or(start, |p| p.byte()));
        match &header {
            None => {
                if record.iter().all(str::is_empty) {
                    continue;
                }
                header = Some((line, record.iter().map(str::to_string).collect()));
            }
            Some((_, h)) => {
                if record.iter().all(str::is_empty) {
                    continue;
                }
                if record.len() != h.len() {
                    return Err(InputError::at(
                        path,
                        line,
                        None,
                        format!(
                            "the row has {} fields but the header has {}",
                            record.len(),
                            h.len()
                        ),
                    ));
                }
                rows.push((line, record.clone()));
            }
        }
    }
    let header = header.ok_or_else(|| {
        InputError::file(
            path,
            "the file is empty; expected a header row and data rows",
        )
    })?;
    Ok((header, rows))
}

/// Typed access to named text cells (a CSV row, or a GeoJSON feature's properties)
/// with errors that name where the bad value is.
pub(crate) trait Cells {
    /// The trimmed non-empty cell of a column, if any.
    fn text(&self, column: &str) -> Option<&str>;
    /// An error about this row's `column`.
    fn error(&self, column: &str, message: String) -> InputError;

    /// The names present, when a column may be absent row by row (GeoJSON
    /// properties); `None` where every row has every column (tables).
    fn present(&self) -> Option<Vec<&str>> {
        None
    }

    /// A required non-empty cell.
    fn required(&self, column: &str) -> Result<&str, InputError> {
        self.text(column).ok_or_else(|| match self.present() {
            Some(names) if !names.contains(&column) => {
                let mut names = names;
                names.sort_unstable();
                self.error(
                    column,
                    format!("is missing (the feature has: {})", names.join(", ")),
                )
            }
            _ => self.error(column, "is empty but required".into()),
        })
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

    /// An optional number in `0..=max` (`what` says why the limit is there).
    fn bounded(&self, column: &str, max: f64, what: &str) -> Result<Option<f64>, InputError> {
        match self.non_negative(column)? {
            Some(v) if v > max => Err(self.error(column, format!("{v} is more than {max} {what}"))),
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
        let mut e = self.table.error_at(self.line, Some(column), message);
        if self.table.sheet.is_some() {
            e.column = self
                .table
                .index
                .get(column)
                .map(|k| crate::source::column_letters(self.table.first_col + k));
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(bytes: &[u8], options: &ReadOptions) -> Result<Table, InputError> {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        Table::read_with(
            &Input::open(f.path()).unwrap(),
            &["id", "lat", "lon"],
            &["territory"],
            options,
        )
    }

    #[test]
    fn lines_are_physical_with_blank_lines_and_crlf() {
        let t = table(
            b"id,lat,lon\r\n\r\na,1,2\r\n\r\n\r\nb,\"3\",4\rc,5,6\n",
            &ReadOptions::default(),
        )
        .unwrap();
        let lines: Vec<u64> = t.rows().map(|r| r.line).collect();
        assert_eq!(lines, [3, 6, 7]);
        // An error after blank lines names the line in the file.
        let e = table(b"\nid,lat,lon\n\n\na,1\n", &ReadOptions::default())
            .err()
            .unwrap();
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(
            table(b"\n\nid,lat\n", &ReadOptions::default())
                .err()
                .unwrap()
                .line,
            Some(3)
        );
    }

    #[test]
    fn aliases_and_mappings_name_columns() {
        let t = table(
            b"Account ID,Latitude,Lng,Rep ID\nA1,60.1,24.9,r1\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(t.headers, ["id", "lat", "lon", "territory"]);
        let mapped = ReadOptions {
            columns: vec![
                ("id".into(), "AccountNo".into()),
                ("lat".into(), "Y".into()),
                ("lon".into(), "X".into()),
            ],
            ..ReadOptions::default()
        };
        let t = table(b"AccountNo,X,Y\nA1,24.9,60.1\n", &mapped).unwrap();
        assert_eq!(t.headers, ["id", "lon", "lat"]);
        let e = table(b"Nr,X,Y\nA1,24.9,60.1\n", &mapped).err().unwrap();
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("id")));
        assert!(e.message.contains("maps it to 'AccountNo'"), "{e}");
        // Without a mapping, a missing column says how to map one.
        let e = table(b"Nr,X,Y\nA1,24.9,60.1\n", &ReadOptions::default())
            .err()
            .unwrap();
        assert!(e.message.contains("--columns id=NAME"), "{e}");
    }
}
