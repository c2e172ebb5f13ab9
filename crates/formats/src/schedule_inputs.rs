//! Inputs of `territory routes` besides accounts and reps: the assignment of
//! accounts to reps, booked appointments, absences and holidays.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use territory::model::parse_clock;
use territory_routing::schedule::{Absence, Appointment, Flex, Holiday, PastVisit, VisitStatus};

use crate::error::InputError;
use crate::source::Input;
use crate::source::ReadOptions;
use crate::table::{Cells, Table};

/// Reads an assignment (`account`, `territory` columns, as `territory plan`
/// writes it) and returns each account's rep index (`None` when the account
/// is not listed). `account_ids` and `rep_ids` are in input order; a territory
/// must be a rep id.
pub fn read_assignment(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
    rep_ids: &[&str],
) -> Result<Vec<Option<usize>>, InputError> {
    read_assignment_from(&Input::open(path)?, options, account_ids, rep_ids)
}

/// As [`read_assignment`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_assignment_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
    rep_ids: &[&str],
) -> Result<Vec<Option<usize>>, InputError> {
    let table = Table::read_with(input, &["account", "territory"], &[], options)?;
    let unit = table.unit();
    let accounts = index(account_ids);
    let reps = index(rep_ids);
    let mut owner = vec![None; account_ids.len()];
    let mut seen: HashMap<usize, u64> = HashMap::new();
    for row in table.rows() {
        let id = row.required("account")?;
        let &a = accounts
            .get(id)
            .ok_or_else(|| row.error("account", format!("'{id}' is not in the accounts file")))?;
        if let Some(first) = seen.insert(a, row.line) {
            return Err(row.error(
                "account",
                format!("'{id}' is assigned twice (first on {unit} {first})"),
            ));
        }
        let t = row.required("territory")?;
        let &r = reps.get(t).ok_or_else(|| {
            row.error(
                "territory",
                format!("'{t}' is not a rep id of the reps file; routes need a rep per territory"),
            )
        })?;
        owner[a] = Some(r);
    }
    Ok(owner)
}

/// Reads each account's current territory from an assignment file (e.g. a
/// plan's `assignment.csv`: `account,territory`), for a rebalance. Territories
/// need not be reps of today's reps file (a removed rep's accounts must move);
/// accounts the file does not list have none (new accounts).
pub fn read_current_territories(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<Option<String>>, InputError> {
    read_current_territories_from(&Input::open(path)?, options, account_ids)
}

/// As [`read_current_territories`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_current_territories_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<Option<String>>, InputError> {
    Ok(read_current_assignment_from(input, options, account_ids)?
        .into_iter()
        .map(|(t, _)| t)
        .collect())
}

/// As [`read_current_territories`], with each account's `locked` flag when
/// the file has that column (an assignment edited in the report marks the
/// accounts a manager moved by hand `locked=true`, so a rebalance keeps them).
pub fn read_current_assignment(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(Option<String>, bool)>, InputError> {
    read_current_assignment_from(&Input::open(path)?, options, account_ids)
}

/// As [`read_current_assignment`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_current_assignment_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(Option<String>, bool)>, InputError> {
    let table = Table::read_with(input, &["account", "territory"], &["locked"], options)?;
    let unit = table.unit();
    let accounts = index(account_ids);
    let mut current = vec![(None, false); account_ids.len()];
    let mut seen: HashMap<usize, u64> = HashMap::new();
    for row in table.rows() {
        let id = row.required("account")?;
        let &a = accounts
            .get(id)
            .ok_or_else(|| row.error("account", format!("'{id}' is not in the accounts file")))?;
        if let Some(first) = seen.insert(a, row.line) {
            return Err(row.error(
                "account",
                format!("'{id}' is assigned twice (first on {unit} {first})"),
            ));
        }
        let locked = match row.text("locked") {
            Some(l) => crate::accounts::parse_bool(l)
                .ok_or_else(|| row.error("locked", format!("'{l}' is not true or false")))?,
            None => false,
        };
        let territory = row.text("territory").map(str::to_string);
        if locked && territory.is_none() {
            return Err(row.error(
                "territory",
                format!("'{id}' is locked but has no territory"),
            ));
        }
        current[a] = (territory, locked);
    }
    Ok(current)
}

/// A date written `YYYY-MM-DD` with a four-digit year from 1900 to 2999.
///
/// ```
/// use territory_formats::parse_iso_date;
/// assert!(parse_iso_date("2027-01-04").is_some());
/// assert!(parse_iso_date("27-01-04").is_none());
/// assert!(parse_iso_date("2027-02-30").is_none());
/// ```
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let shape = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    (shape && (1900..3000).contains(&chrono::Datelike::year(&date))).then_some(date)
}

/// Reads appointments: `account`, `date` (YYYY-MM-DD), `time` (HH:MM) and
/// `duration_min` (whole minutes > 0), with an optional `flex`: `fixed`
/// (the default), `day` (that date, any time) or `week` (any day of that
/// week); `time` may be empty for a flexible booking. `routed[i]` says whether
/// account `i` has a rep: a booking for one without is an error at its line.
pub fn read_appointments(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
    routed: &[bool],
) -> Result<Vec<Appointment>, InputError> {
    read_appointments_from(&Input::open(path)?, options, account_ids, routed)
}

/// As [`read_appointments`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_appointments_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
    routed: &[bool],
) -> Result<Vec<Appointment>, InputError> {
    let table = Table::read_with(
        input,
        &["account", "date", "duration_min"],
        &["time", "flex"],
        options,
    )?;
    let accounts = index(account_ids);
    let mut out = Vec::new();
    for row in table.rows() {
        let (id, account) = id_cell(&row, "account", &accounts, "accounts")?;
        if !routed.get(account).copied().unwrap_or(false) {
            return Err(row.error(
                "account",
                format!("'{id}' has a booking but no rep in the assignment"),
            ));
        }
        let d = row.required("date")?;
        let date = parse_iso_date(d).ok_or_else(|| {
            row.error(
                "date",
                format!("'{d}' is not a date like 2027-01-04 (years 1900–2999)"),
            )
        })?;
        let flex = match row.text("flex").map(str::to_ascii_lowercase).as_deref() {
            None | Some("fixed") => Flex::Fixed,
            Some("day") => Flex::Day,
            Some("week") => Flex::Week,
            Some(other) => {
                return Err(row.error("flex", format!("'{other}' is not fixed, day or week")))
            }
        };
        // A flexible booking needs no time (the plan picks it).
        let start = match (row.text("time"), flex) {
            (None, Flex::Day | Flex::Week) => 0,
            _ => {
                let t = row.required("time")?;
                parse_clock(t)
                    .ok_or_else(|| row.error("time", format!("'{t}' is not a time like 09:30")))?
            }
        };
        let t = row.text("time").unwrap_or("");
        let m = row.required("duration_min")?;
        let duration_min: u32 = m.parse().ok().filter(|&v| v > 0).ok_or_else(|| {
            row.error(
                "duration_min",
                format!("'{m}' is not a whole number of minutes above 0"),
            )
        })?;
        if start as u64 + duration_min as u64 > 24 * 60 {
            return Err(row.error(
                "duration_min",
                format!("the appointment at {t} lasting {m} min runs past midnight"),
            ));
        }
        // An account's flexible bookings share one length (its visits take
        // it), and one day holds one flexible booking of it.
        if flex != Flex::Fixed {
            if let Some(other) = out.iter().find(|o: &&Appointment| {
                o.account == account && o.flex != Flex::Fixed && o.duration_min != duration_min
            }) {
                return Err(row.error(
                    "duration_min",
                    format!(
                        "{duration_min} min, but another flexible booking of '{id}' lasts {} min; an account's flexible bookings share one length",
                        other.duration_min
                    ),
                ));
            }
            if out
                .iter()
                .any(|o| o.account == account && o.flex == flex && o.date == date)
            {
                return Err(row.error(
                    "date",
                    format!("'{id}' has this flexible booking twice on {date}"),
                ));
            }
        }
        out.push(Appointment {
            account,
            date,
            start,
            duration_min,
            flex,
        });
    }
    Ok(out)
}

/// Reads absences: `rep` (an id of `rep_ids`) and `date` (YYYY-MM-DD),
/// with optional `from` and `to` (HH:MM) for part of a day; a row without
/// them is the whole day. `from` must come before `to`.
pub fn read_absences(
    path: &Path,
    options: &ReadOptions,
    rep_ids: &[&str],
) -> Result<Vec<Absence>, InputError> {
    read_absences_from(&Input::open(path)?, options, rep_ids)
}

/// As [`read_absences`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_absences_from(
    input: &Input,
    options: &ReadOptions,
    rep_ids: &[&str],
) -> Result<Vec<Absence>, InputError> {
    let table = Table::read_with(input, &["rep", "date"], &["from", "to"], options)?;
    let reps = index(rep_ids);
    let mut out = Vec::new();
    for row in table.rows() {
        let (_, rep) = id_cell(&row, "rep", &reps, "reps")?;
        let date = date_cell(&row, "date")?;
        let clock = |column: &str| -> Result<Option<u32>, InputError> {
            row.text(column)
                .map(|t| {
                    parse_clock(t)
                        .ok_or_else(|| row.error(column, format!("'{t}' is not a time like 09:30")))
                })
                .transpose()
        };
        let hours = match (clock("from")?, clock("to")?) {
            (None, None) => None,
            (Some(from), Some(to)) if from < to => Some((from, to)),
            (Some(_), Some(_)) => {
                return Err(row.error("to", "must be later than `from`".into()));
            }
            (Some(_), None) => {
                return Err(row.error(
                    "to",
                    "is empty but `from` is given (give both, or neither for the whole day)".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(row.error(
                    "from",
                    "is empty but `to` is given (give both, or neither for the whole day)".into(),
                ));
            }
        };
        out.push(Absence { rep, date, hours });
    }
    Ok(out)
}

/// Reads visit history: `account` (an id of `account_ids`), `date`
/// (YYYY-MM-DD) and `status` (`done`, `missed` or `cancelled`), with the
/// optional `rep` who made the visit (returned beside each visit; the rhythm
/// belongs to the account, the credit in KPIs to the rep).
pub fn read_history(
    path: &Path,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(PastVisit, Option<String>)>, InputError> {
    read_history_from(&Input::open(path)?, options, account_ids)
}

/// As [`read_history`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_history_from(
    input: &Input,
    options: &ReadOptions,
    account_ids: &[&str],
) -> Result<Vec<(PastVisit, Option<String>)>, InputError> {
    let table = Table::read_with(input, &["account", "date", "status"], &["rep"], options)?;
    let accounts = index(account_ids);
    let mut out = Vec::new();
    for row in table.rows() {
        let (_, account) = id_cell(&row, "account", &accounts, "accounts")?;
        let date = date_cell(&row, "date")?;
        let s = row.required("status")?;
        let status = match s.to_ascii_lowercase().as_str() {
            "done" => VisitStatus::Done,
            "missed" => VisitStatus::Missed,
            "cancelled" | "canceled" => VisitStatus::Cancelled,
            _ => {
                return Err(row.error(
                    "status",
                    format!("'{s}' is not one of done, missed, cancelled"),
                ))
            }
        };
        out.push((
            PastVisit {
                account,
                date,
                status,
            },
            row.text("rep").map(str::to_string),
        ));
    }
    Ok(out)
}

/// Reads public holidays: `date` (YYYY-MM-DD) and an optional `office`
/// (a holiday of that office's reps only; empty for everyone).
pub fn read_holidays(path: &Path, options: &ReadOptions) -> Result<Vec<Holiday>, InputError> {
    read_holidays_from(&Input::open(path)?, options)
}

/// As [`read_holidays`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_holidays_from(
    input: &Input,
    options: &ReadOptions,
) -> Result<Vec<Holiday>, InputError> {
    let table = Table::read_with(input, &["date"], &["office"], options)?;
    let mut out = Vec::new();
    for row in table.rows() {
        let date = date_cell(&row, "date")?;
        out.push(Holiday {
            date,
            office: row.text("office").map(str::to_string),
        });
    }
    Ok(out)
}

/// Position of each id.
fn index<'a>(ids: &[&'a str]) -> HashMap<&'a str, usize> {
    ids.iter().enumerate().map(|(i, &id)| (id, i)).collect()
}

/// A required cell naming one of `known` (ids of the `what` file): the id and its index.
fn id_cell<'r>(
    row: &'r impl Cells,
    column: &str,
    known: &HashMap<&str, usize>,
    what: &str,
) -> Result<(&'r str, usize), InputError> {
    let id = row.required(column)?;
    let &i = known
        .get(id)
        .ok_or_else(|| row.error(column, format!("'{id}' is not in the {what} file")))?;
    Ok((id, i))
}

/// A required date cell.
fn date_cell(row: &impl Cells, column: &str) -> Result<NaiveDate, InputError> {
    let d = row.required(column)?;
    parse_iso_date(d).ok_or_else(|| {
        row.error(
            column,
            format!("'{d}' is not a date like 2027-01-04 (years 1900–2999)"),
        )
    })
}

/// Reads points for a travel matrix: `id`, `lat`, `lon` (ids unique).
pub fn read_points(
    path: &Path,
    options: &ReadOptions,
) -> Result<Vec<(String, territory::Location)>, InputError> {
    read_points_from(&Input::open(path)?, options)
}

/// As [`read_points`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_points_from(
    input: &Input,
    options: &ReadOptions,
) -> Result<Vec<(String, territory::Location)>, InputError> {
    let table = Table::read_with(input, &["id", "lat", "lon"], &[], options)?;
    let unit = table.unit();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for row in table.rows() {
        let id = row.required("id")?.to_string();
        if let Some(first) = seen.insert(id.clone(), row.line) {
            return Err(row.error(
                "id",
                format!("duplicate id '{id}' (first on {unit} {first})"),
            ));
        }
        let at = territory::Location::new(
            row.in_range("lat", -90.0, 90.0)?,
            row.in_range("lon", -180.0, 180.0)?,
        );
        out.push((id, at));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn reads_appointments_and_names_bad_fields() {
        let f = file("account,date,time,duration_min\na,2027-01-05,09:30,45\n");
        let a = read_appointments(
            f.path(),
            &ReadOptions::default(),
            &["a", "b"],
            &[true, true],
        )
        .unwrap();
        assert_eq!(a[0].start, 9 * 60 + 30);
        assert_eq!(a[0].date, NaiveDate::from_ymd_opt(2027, 1, 5).unwrap());
        let f = file("account,date,time,duration_min\na,2027-02-30,09:30,45\n");
        let e = read_appointments(f.path(), &ReadOptions::default(), &["a"], &[true])
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:") && e.contains("date"), "{e}");
        let f = file("account,date,time,duration_min\nz,2027-02-03,09:30,45\n");
        let e = read_appointments(f.path(), &ReadOptions::default(), &["a"], &[true])
            .unwrap_err()
            .to_string();
        assert!(e.contains("account") && e.contains("'z'"), "{e}");
        let f = file("account,date,time,duration_min\na,2027-02-03,9h,45\n");
        assert!(
            read_appointments(f.path(), &ReadOptions::default(), &["a"], &[true])
                .unwrap_err()
                .to_string()
                .contains("time")
        );
        let f = file("account,date,time,duration_min\na,2027-02-03,09:00,0\n");
        assert!(
            read_appointments(f.path(), &ReadOptions::default(), &["a"], &[true])
                .unwrap_err()
                .to_string()
                .contains("duration_min")
        );
    }

    #[test]
    fn reads_assignment_against_reps() {
        let f = file("account,territory\nb,r2\na,r1\n");
        assert_eq!(
            read_assignment(
                f.path(),
                &ReadOptions::default(),
                &["a", "b", "c"],
                &["r1", "r2"]
            )
            .unwrap(),
            vec![Some(0), Some(1), None]
        );
        let f = file("account,territory\na,r9\n");
        let e = read_assignment(f.path(), &ReadOptions::default(), &["a"], &["r1"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("territory") && e.contains("r9"), "{e}");
        let f = file("account,territory\na,r1\na,r1\n");
        assert!(
            read_assignment(f.path(), &ReadOptions::default(), &["a"], &["r1"])
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }
}
