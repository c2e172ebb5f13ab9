//! The KPI folder: `kpi.json` (per rep: plan against actual) and `kpi.csv`
//! (one row per rep), and the reader of a routes folder's `visits.csv`.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use territory::Account;
use territory_routing::kpi::RepKpi;

use crate::error::InputError;
use crate::routes_files::VisitRecord;
use crate::source::Input;

/// One rep's figures.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RepKpiRecord {
    /// Rep (territory) id.
    pub rep: String,
    /// Accounts the rep owns.
    pub accounts: usize,
    /// Visits planned in the period.
    pub planned: usize,
    /// Visits done.
    pub done: usize,
    /// Visits missed.
    pub missed: usize,
    /// Visits cancelled.
    pub cancelled: usize,
    /// Accounts with a visit due in the period.
    pub accounts_due: usize,
    /// Accounts visited at least as often as their frequency asks.
    pub accounts_covered: usize,
    /// `accounts_covered / accounts_due` (null when nothing was due).
    pub coverage: Option<f64>,
    /// Accounts overdue at the end of the period, with days overdue.
    pub overdue: Vec<OverdueAccount>,
    /// Prospects (in `--previous-accounts`) that are customers now.
    pub new_customers: usize,
    /// Sums of `revenue` and every numeric account column.
    pub sums: std::collections::BTreeMap<String, f64>,
}

/// An account overdue at the end of the period.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OverdueAccount {
    /// Account id.
    pub account: String,
    /// Days overdue on the day after the period.
    pub days_overdue: i64,
}

/// What `kpi.json` holds (and `kpi --json` prints).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KpiSummary {
    /// `kpi`.
    pub command: String,
    /// Version of the tool.
    pub version: String,
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted (inclusive).
    pub to: NaiveDate,
    /// Per rep, in the routes folder's rep order.
    pub reps: Vec<RepKpiRecord>,
}

impl KpiSummary {
    /// Collects the records of computed figures.
    pub fn new(
        accounts: &[Account],
        rep_ids: &[String],
        figures: &[RepKpi],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Self {
        let reps = figures
            .iter()
            .map(|k| RepKpiRecord {
                rep: rep_ids[k.rep].clone(),
                accounts: k.accounts,
                planned: k.planned,
                done: k.done,
                missed: k.missed,
                cancelled: k.cancelled,
                accounts_due: k.accounts_due,
                accounts_covered: k.accounts_covered,
                coverage: k.coverage.map(|c| (c * 1000.0).round() / 1000.0),
                overdue: k
                    .overdue
                    .iter()
                    .map(|&(i, days)| OverdueAccount {
                        account: accounts[i].id.clone(),
                        days_overdue: days,
                    })
                    .collect(),
                new_customers: k.new_customers,
                sums: k.sums.clone(),
            })
            .collect();
        KpiSummary {
            command: "kpi".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            from,
            to,
            reps,
        }
    }

    /// `kpi.csv`: one row per rep, the sums as columns in name order.
    pub fn csv(&self) -> std::io::Result<Vec<u8>> {
        let sums: Vec<&String> = self
            .reps
            .first()
            .map(|r| r.sums.keys().collect())
            .unwrap_or_default();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = [
            "rep",
            "accounts",
            "planned",
            "done",
            "missed",
            "cancelled",
            "accounts_due",
            "accounts_covered",
            "coverage",
            "overdue_accounts",
            "new_customers",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(sums.iter().map(|s| s.to_string()));
        w.write_record(&header)?;
        for r in &self.reps {
            let mut row = vec![
                r.rep.clone(),
                r.accounts.to_string(),
                r.planned.to_string(),
                r.done.to_string(),
                r.missed.to_string(),
                r.cancelled.to_string(),
                r.accounts_due.to_string(),
                r.accounts_covered.to_string(),
                r.coverage.map_or(String::new(), |c| format!("{c}")),
                r.overdue.len().to_string(),
                r.new_customers.to_string(),
            ];
            row.extend(
                sums.iter()
                    .map(|s| format!("{}", r.sums.get(*s).copied().unwrap_or(0.0))),
            );
            w.write_record(&row)?;
        }
        w.into_inner().map_err(|e| e.into_error())
    }
}

/// Reads a routes folder's `visits.csv` as `territory routes` writes it.
pub fn read_visits(path: &Path) -> Result<Vec<VisitRecord>, InputError> {
    read_visits_from(&Input::open(path)?)
}

/// As [`read_visits`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_visits_from(input: &Input) -> Result<Vec<VisitRecord>, InputError> {
    let path = input.path();
    let bytes = input.bytes();
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| InputError::at(path, 1, None, format!("{e}")))?
        .clone();
    let mut out = Vec::new();
    for (k, row) in reader.records().enumerate() {
        let line = k as u64 + 2;
        let row = row.map_err(|e| {
            let line = e.position().map_or(line, |p| p.line());
            InputError::at(path, line, None, format!("{e}"))
        })?;
        // Name the column and the value that does not read.
        let record = row
            .deserialize::<VisitRecord>(Some(&headers))
            .map_err(|e| {
                let (column, why) = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        (err.field().map(|f| f as usize), err.kind().to_string())
                    }
                    other => (None, format!("{other:?}")),
                };
                let column = column.or_else(|| first_unreadable(&headers, &row));
                let name = column.and_then(|f| headers.get(f));
                let value = column.and_then(|f| row.get(f)).unwrap_or("");
                InputError::at(path, line, name, format!("'{value}' does not read: {why}"))
            })?;
        out.push(record);
    }
    Ok(out)
}

/// The first column of a `visits.csv` row whose value does not read as its
/// type (serde does not name it for values such as dates).
fn first_unreadable(headers: &csv::StringRecord, row: &csv::StringRecord) -> Option<usize> {
    headers.iter().zip(row.iter()).position(|(name, value)| {
        let v = value.trim();
        match name {
            "date" => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err(),
            "sequence" | "revision" => v.parse::<u64>().is_err(),
            "wait_min" | "service_min" | "travel_min" | "travel_km" | "lat" | "lon" => {
                v.parse::<f64>().is_err()
            }
            "appointment" => v.parse::<bool>().is_err(),
            _ => false,
        }
    })
}
