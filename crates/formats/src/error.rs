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
    /// The column or property concerned, when known.
    pub field: Option<String>,
    /// What is wrong, for people.
    pub message: String,
}

impl InputError {
    /// An error about a whole file.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: None,
            field: None,
            message: message.into(),
        }
    }

    /// An error at a line, optionally in a field.
    pub fn at(file: &Path, line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            line: Some(line),
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field '{field}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}
