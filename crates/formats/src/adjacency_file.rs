//! A user's own adjacency: neighbour pairs of account ids.

use std::collections::HashMap;
use std::path::Path;

use crate::error::InputError;
use crate::source::Input;
use crate::source::{decode, ReadOptions};

/// Reads neighbour pairs from a CSV file: the first two columns of every row
/// after the header (whatever the header names them) are two account ids.
/// Returns pairs of account indices. Unknown ids, a unit paired with itself
/// and a pair given twice (in either order) are errors naming the line.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("adjacency.csv");
/// std::fs::write(&path, "from,to\na,b\nb,c\n")?;
/// let pairs = territory_formats::read_adjacency(&path, &Default::default(), &["a", "b", "c"])?;
/// assert_eq!(pairs, [(0, 1), (1, 2)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_adjacency(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(usize, usize)>, InputError> {
    read_adjacency_from(&Input::open(path)?, options, account_ids)
}

/// As [`read_adjacency`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_adjacency_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(usize, usize)>, InputError> {
    let path = input.path();
    let bytes = input.bytes();
    let text = decode(path, bytes, options.encoding)?;
    let index: HashMap<&str, usize> = account_ids
        .iter()
        .enumerate()
        .map(|(i, &a)| (a, i))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut seen: HashMap<(usize, usize), u64> = HashMap::new();
    let mut pairs = Vec::new();
    let mut header = true;
    let mut record = csv::StringRecord::new();
    let line_of = |byte: u64| {
        1 + text.as_bytes()[..(byte as usize).min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(p.byte()));
            InputError::at(path, line, None, format!("unreadable row: {e}"))
        })?;
        if !more {
            break;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The reader reports where it started, before blank lines it skipped.
        let start = record.position().map_or(0, |p| p.byte()) as usize;
        let skipped = text.as_bytes()[start.min(text.len())..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let line = line_of((start + skipped) as u64);
        if header {
            header = false;
            continue;
        }
        if record.len() < 2 {
            return Err(InputError::at(
                path,
                line,
                None,
                "a neighbour pair needs two account ids (the first two columns)",
            ));
        }
        let mut ends = [0usize; 2];
        for (k, column) in ["first column", "second column"].into_iter().enumerate() {
            let id = &record[k];
            ends[k] = *index.get(id).ok_or_else(|| {
                InputError::at(
                    path,
                    line,
                    Some(column),
                    format!("'{id}' is not an account id of the accounts file"),
                )
            })?;
        }
        let [a, b] = ends;
        if a == b {
            return Err(InputError::at(
                path,
                line,
                None,
                format!("'{}' is paired with itself", &record[0]),
            ));
        }
        if let Some(first) = seen.insert((a.min(b), a.max(b)), line) {
            return Err(InputError::at(
                path,
                line,
                None,
                format!(
                    "the pair '{}'–'{}' is given twice (first on line {first})",
                    &record[0], &record[1]
                ),
            ));
        }
        pairs.push((a, b));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<(usize, usize)>, InputError> {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        read_adjacency(f.path(), &ReadOptions::default(), &["a", "b", "c"])
    }

    #[test]
    fn bad_pairs_name_their_line() {
        assert_eq!(read("u,v\n\na,b\r\nc,b\n").unwrap(), [(0, 1), (2, 1)]);
        let e = read("u,v\na,b\n\nb,z\n").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("second column"))
        );
        let e = read("u,v\na,a\n").unwrap_err();
        assert!(e.message.contains("itself") && e.line == Some(2), "{e}");
        let e = read("u,v\na,b\nc,a\nb,a\n").unwrap_err();
        assert!(
            e.message.contains("first on line 2") && e.line == Some(4),
            "{e}"
        );
        let e = read("u,v\na\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
