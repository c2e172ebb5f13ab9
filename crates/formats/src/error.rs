//! Input errors that name the file, line and field.

use std::fmt;
use std::path::{Path, PathBuf};

/// Bad input: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file read.
    pub file: PathBuf,
    /// 1-based line (CSV) or feature number (GeoJSON), when known.
    pub line: Option<u64>,
    /// Whether `line` counts GeoJSON features rather than text lines.
    pub feature: bool,
    /// The column or property concerned, when known.
    pub field: Option<String>,
    /// The worksheet, when the file is a workbook (`line` is then its row).
    pub sheet: Option<String>,
    /// The spreadsheet column letter (`C`), when the file is a workbook.
    pub column: Option<String>,
    /// What is wrong, for people.
    pub message: String,
}

impl InputError {
    /// An error about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            feature: false,
            field: None,
            sheet: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at a line, optionally in a field.
    pub fn at(file: &Path, line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: Some(line),
            feature: false,
            field: field.map(str::to_string),
            sheet: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error at the `number`-th GeoJSON feature (1-based), optionally in a property.
    pub fn in_feature(
        file: &Path,
        number: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            feature: true,
            ..Self::at(file, number, field, message)
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.as_os_str() == "-" {
            write!(f, "<stdin>")?;
        } else {
            write!(f, "{}", self.file.display())?;
        }
        if let Some(sheet) = &self.sheet {
            write!(f, ": sheet '{sheet}'")?;
            if let Some(row) = self.line {
                write!(f, ", row {row}")?;
            }
            if let Some(column) = &self.column {
                write!(f, ", column {column}")?;
            }
        } else {
            match (self.line, self.feature) {
                (Some(n), true) => write!(f, ": feature {n}")?,
                (Some(line), false) => write!(f, ":{line}")?,
                (None, _) => {}
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}
