//! Where tabular input comes from: a file or standard input (`-`), as text in
//! UTF-8, UTF-16 or Windows-1252 (detected, or chosen), or as a worksheet of an
//! Excel or OpenDocument workbook.

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::error::InputError;

/// How to read input files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// GeoJSON property holding the account id (default `id`, then the feature id).
    pub id_property: Option<String>,
    /// Where GeoJSON polygon units are placed.
    pub location: crate::UnitLocation,
    /// Text encoding of CSV files.
    pub encoding: Encoding,
    /// Column mapping: (the column's meaning, its name in the file), e.g.
    /// `("id", "AccountNo")`. Applied before the built-in aliases.
    pub columns: Vec<(String, String)>,
    /// Worksheet to read from a workbook (default: the first).
    pub sheet: Option<String>,
}

impl ReadOptions {
    /// Parses a `--columns` list like `id=AccountNo,lat=Y,lon=X`.
    ///
    /// ```
    /// let o = territory_formats::ReadOptions::default().with_columns("id=AccountNo, lat=Y")?;
    /// assert_eq!(o.columns, [("id".to_string(), "AccountNo".to_string()), ("lat".into(), "Y".into())]);
    /// # Ok::<(), String>(())
    /// ```
    pub fn with_columns(mut self, list: &str) -> Result<Self, String> {
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (column, name) = part
                .split_once('=')
                .map(|(c, n)| (c.trim(), n.trim()))
                .filter(|(c, n)| !c.is_empty() && !n.is_empty())
                .ok_or_else(|| {
                    format!(
                        "--columns: '{part}' is not like id=AccountNo (meaning=name in the file)"
                    )
                })?;
            let column = column.to_lowercase();
            if self.columns.iter().any(|(c, _)| *c == column) {
                return Err(format!("--columns maps '{column}' twice"));
            }
            self.columns.push((column, name.to_string()));
        }
        Ok(self)
    }
}

/// Text encodings of CSV input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without BOM), UTF-16 with a BOM, otherwise Windows-1252.
    #[default]
    Auto,
    /// UTF-8 only: other bytes are an error naming their line.
    Utf8,
    /// Windows-1252, the superset of ISO-8859-1 (Latin-1) that Excel writes.
    Windows1252,
}

impl Encoding {
    /// Parses `auto`, `utf-8`, `latin1`, `iso-8859-1`, `windows-1252`, `cp1252`.
    pub fn parse(text: &str) -> Option<Encoding> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Some(Encoding::Auto),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "windows-1252" | "cp1252" => {
                Some(Encoding::Windows1252)
            }
            _ => None,
        }
    }
}

/// Tabular input before its columns are interpreted.
pub(crate) enum SourceKind {
    /// Decoded text of a delimited file.
    Text(String),
    /// A worksheet: its name, the header (row number, cells), and data rows.
    Sheet {
        name: String,
        /// 0-based index of the sheet's first used column (for column letters).
        first_col: usize,
        header: (u64, Vec<String>),
        rows: Vec<(u64, csv::StringRecord)>,
    },
}

/// One input: its bytes and the name errors give it. Every reader has a form
/// over a path and one over an `Input`, so a program can hand over bytes from
/// any [`Read`] (a network stream, an archive, memory) and still get errors
/// naming the line.
///
/// ```
/// use territory_formats::{read_reps_from, Input, ReadOptions};
/// let csv = "id,lat,lon\nanna,60.17,24.94\nbo,60.2,x\n";
/// let input = Input::from_reader("reps from the CRM", csv.as_bytes())?;
/// let err = read_reps_from(&input, &ReadOptions::default()).unwrap_err();
/// assert!(err.to_string().starts_with("reps from the CRM:3"), "{err}");
/// # Ok::<(), territory_formats::InputError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Input {
    /// A file's bytes; `-` is standard input (read once: every input of `-`
    /// sees the same bytes).
    pub fn open(path: &Path) -> Result<Input, InputError> {
        Ok(Input {
            path: path.to_path_buf(),
            bytes: read_bytes(path)?,
        })
    }

    /// Everything `reader` gives, named `name` in errors.
    pub fn from_reader(
        name: impl Into<PathBuf>,
        mut reader: impl Read,
    ) -> Result<Input, InputError> {
        let path = name.into();
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::file(&path, format!("cannot read: {e}")))?;
        Ok(Input { path, bytes })
    }

    /// Bytes already in memory, named `name` in errors.
    pub fn from_bytes(name: impl Into<PathBuf>, bytes: Vec<u8>) -> Input {
        Input {
            path: name.into(),
            bytes,
        }
    }

    /// The name errors give the input (a file's path, or the name given).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The input's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Reads a file's bytes; `-` reads standard input (once: later reads of `-`
/// see the same bytes, so a reader may look before it parses).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    static STDIN: std::sync::OnceLock<Result<Vec<u8>, String>> = std::sync::OnceLock::new();
    if path.as_os_str() == "-" {
        let read = STDIN.get_or_init(|| {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|e| e.to_string())
        });
        return read
            .clone()
            .map_err(|e| InputError::file(path, format!("cannot read standard input: {e}")));
    }
    std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read: {e}")))
}

/// Whether the bytes are a workbook (zip for xlsx/ods, OLE for xls) or the name says so.
fn is_workbook(path: &Path, bytes: &[u8]) -> bool {
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods"));
    by_name
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Reads tabular input: a workbook's sheet or a delimited text.
pub(crate) fn read_source(input: &Input, options: &ReadOptions) -> Result<SourceKind, InputError> {
    let (path, bytes) = (input.path(), input.bytes());
    if is_workbook(path, bytes) {
        return read_sheet(path, bytes.to_vec(), options.sheet.as_deref());
    }
    if let Some(sheet) = &options.sheet {
        return Err(InputError::file(
            path,
            format!("--sheet '{sheet}' given, but the file is not a workbook (.xlsx, .xls, .ods)"),
        ));
    }
    decode(path, bytes, options.encoding).map(SourceKind::Text)
}

/// Decodes text input, naming the line of the first undecodable byte.
pub(crate) fn decode(path: &Path, bytes: &[u8], encoding: Encoding) -> Result<String, InputError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc != encoding_rs::UTF_8 {
            let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
            if had_errors {
                return Err(InputError::file(
                    path,
                    format!("not valid {} text", enc.name()),
                ));
            }
            return Ok(text.into_owned());
        }
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) if encoding != Encoding::Windows1252 => Ok(text.to_string()),
        Err(e) if encoding == Encoding::Utf8 => {
            let at = e.valid_up_to();
            let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            Err(InputError::at(
                path,
                line,
                None,
                format!(
                    "not UTF-8 text (byte {} of the file); use --encoding windows-1252 for Latin-1 files",
                    at + 1
                ),
            ))
        }
        _ => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
            Ok(text.into_owned())
        }
    }
}

/// Reads one worksheet: the named one, or the first.
fn read_sheet(path: &Path, bytes: Vec<u8>, sheet: Option<&str>) -> Result<SourceKind, InputError> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| InputError::file(path, format!("not a readable workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(s)))
            .cloned()
            .ok_or_else(|| {
                InputError::file(
                    path,
                    format!("no sheet '{s}' (the workbook has: {})", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| InputError::file(path, "the workbook has no sheets"))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        let mut err = InputError::file(path, format!("cannot read the sheet: {e}"));
        err.sheet = Some(name.clone());
        err
    })?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let width = range.width();
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let row_number = first_row as u64 + i as u64 + 1;
        let mut texts = Vec::with_capacity(width);
        for (j, cell) in cells.iter().enumerate() {
            texts.push(cell_text(cell).map_err(|message| {
                let mut e = InputError::at(path, row_number, None, message);
                e.sheet = Some(name.clone());
                e.column = Some(column_letters(first_col as usize + j));
                e
            })?);
        }
        if texts.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        match &header {
            None => header = Some((row_number, texts)),
            Some(_) => rows.push((row_number, csv::StringRecord::from(texts))),
        }
    }
    let header = header.ok_or_else(|| {
        let mut e = InputError::file(
            path,
            "the sheet is empty; expected a header row and data rows",
        );
        e.sheet = Some(name.clone());
        e
    })?;
    // Cells beyond the header's last named column are ignored, like a CSV
    // export of the sheet would drop them.
    let named = header
        .1
        .iter()
        .rposition(|h| !h.trim().is_empty())
        .map_or(0, |k| k + 1);
    let header = (header.0, header.1[..named].to_vec());
    let rows = rows
        .into_iter()
        .map(|(n, r)| (n, r.iter().take(named).map(str::trim).collect()))
        .collect();
    Ok(SourceKind::Sheet {
        name,
        first_col: first_col as usize,
        header,
        rows,
    })
}

/// A cell as the text a CSV export would hold: numbers in their shortest
/// exact form, dates as `YYYY-MM-DD`, times as `HH:MM`.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let v = d.as_f64();
            if !v.is_finite() || !(0.0..3_000_000.0).contains(&v) {
                return Err(format!("the date or time {v} is out of range"));
            }
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            // Round to the minute, as visit times are kept.
            let minutes =
                h as u32 * 60 + mi as u32 + u32::from(s as u32 * 1000 + ms as u32 >= 30_000);
            let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
            if d.is_duration() || v < 1.0 {
                clock
            } else if v.fract() == 0.0 {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02}T{clock}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column index.
pub(crate) fn column_letters(mut k: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (k % 26) as u8);
        if k < 26 {
            break;
        }
        k = k / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_detected_and_utf8_errors_name_the_line() {
        let p = Path::new("a.csv");
        let bytes = b"id,name\n1,Caf\xe9 M\xfcller\n";
        assert_eq!(
            decode(p, bytes, Encoding::Auto).unwrap(),
            "id,name\n1,Café Müller\n"
        );
        let e = decode(p, bytes, Encoding::Utf8).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.to_string().contains("--encoding windows-1252"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("id\nä\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(p, &utf16, Encoding::Auto).unwrap(), "id\nä\n");
        assert_eq!(Encoding::parse("Latin1"), Some(Encoding::Windows1252));
    }

    #[test]
    fn columns_are_lettered_like_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
