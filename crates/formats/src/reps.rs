//! Reps from CSV.

use std::collections::HashMap;
use std::path::Path;

use territory::model::{parse_clock, parse_days};
use territory::{Location, Rep};

use crate::error::InputError;
use crate::source::Input;
use crate::source::ReadOptions;
use crate::table::{Cells, Table};

/// Columns of a reps file.
const KNOWN: [&str; 10] = [
    "id", "name", "lat", "lon", "capacity", "days", "start", "end", "office", "region",
];

/// Reads reps (CSV or a workbook sheet): `id` required; `name`, `lat`+`lon`
/// (base), `capacity`, `days`, `start`, `end`, `office`, `region` optional.
///
/// `region` nests the rep's territory in a region (alignment levels): when
/// any rep names one, every rep must.
pub fn read_reps(path: &Path, options: &ReadOptions) -> Result<Vec<Rep>, InputError> {
    read_reps_from(&Input::open(path)?, options)
}

/// As [`read_reps`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_reps_from(input: &Input, options: &ReadOptions) -> Result<Vec<Rep>, InputError> {
    let table = Table::read_with(input, &["id"], &KNOWN, options)?;
    let unit = table.unit();
    let mut reps = Vec::new();
    // The first row with a region and the first without one (as an error).
    let (mut with_region, mut without_region) = (None, None);
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in table.rows() {
        let id = row.required("id")?.to_string();
        if let Some(first) = seen.insert(id.clone(), row.line) {
            return Err(row.error(
                "id",
                format!("duplicate id '{id}' (first on {unit} {first})"),
            ));
        }
        let base = match (row.text("lat"), row.text("lon")) {
            (None, None) => None,
            (Some(_), None) => return Err(row.error("lon", "is empty while lat is given".into())),
            (None, Some(_)) => return Err(row.error("lat", "is empty while lon is given".into())),
            _ => Some(Location::new(
                row.in_range("lat", -90.0, 90.0)?,
                row.in_range("lon", -180.0, 180.0)?,
            )),
        };
        let mut rep = Rep::new(id, base);
        rep.name = row.text("name").map(str::to_string);
        if let Some(c) = row.number("capacity")? {
            if c <= 0.0 || c > 1000.0 {
                return Err(row.error(
                    "capacity",
                    format!("{c} must be a positive share such as 1.0 or 0.5 (at most 1000)"),
                ));
            }
            rep.capacity = c;
        }
        if let Some(d) = row.text("days") {
            rep.days = parse_days(d).filter(|d| !d.is_empty()).ok_or_else(|| {
                row.error(
                    "days",
                    format!("'{d}' is not a list of weekdays like mon-fri"),
                )
            })?;
        }
        for (column, slot) in [("start", &mut rep.start), ("end", &mut rep.end)] {
            if let Some(t) = row.text(column) {
                *slot = parse_clock(t)
                    .ok_or_else(|| row.error(column, format!("'{t}' is not a time like 08:30")))?;
            }
        }
        if rep.end <= rep.start {
            return Err(row.error("end", "the working day must end after it starts".into()));
        }
        rep.office = row.text("office").map(str::to_string);
        rep.region = row.text("region").map(|r| r.trim().to_string());
        match &rep.region {
            Some(_) => {
                with_region.get_or_insert(row.line);
            }
            None => {
                without_region.get_or_insert(row.line);
            }
        }
        reps.push(rep);
    }
    if let (Some(first), Some(line)) = (with_region, without_region) {
        return Err(table.error_at(
            line,
            Some("region"),
            format!(
                "is empty while other reps name a region (first on {unit} {first}): give every rep a region, or none"
            ),
        ));
    }
    Ok(reps)
}
