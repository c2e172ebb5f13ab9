//! Accounts from CSV.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use territory::model::{parse_days, parse_windows};
use territory::{Account, Location, Status};

use crate::error::InputError;
use crate::source::Input;
use crate::source::ReadOptions;
use crate::table::{Cells, Table};

/// Columns with a fixed meaning; any other column is an attribute when numeric.
pub(crate) const KNOWN: [&str; 13] = [
    "id",
    "name",
    "lat",
    "lon",
    "status",
    "revenue",
    "visits",
    "service_min",
    "windows",
    "days",
    "territory",
    "locked",
    "category",
];

/// Accounts read from a file, with where each came from.
#[derive(Debug, Clone)]
pub struct AccountsFile {
    /// The accounts, in file order.
    pub accounts: Vec<Account>,
    /// Line (CSV) or feature number (GeoJSON) of each account.
    pub lines: Vec<u64>,
    /// Whether `lines` count GeoJSON features (not text lines).
    pub features: bool,
    /// The worksheet read, when the file is a workbook (`lines` are its rows).
    pub sheet: Option<String>,
    /// Extra columns that hold text somewhere: column → (line, value) of the first text cell.
    /// Such a column cannot be a balance criterion.
    pub text_columns: BTreeMap<String, (u64, String)>,
    /// Polygon shapes of basic areas (GeoJSON polygons), in WGS84, per account.
    pub shapes: Vec<Option<geo::MultiPolygon<f64>>>,
    /// Neighbour pairs from shared boundaries (polygon inputs only).
    pub adjacency: Option<Vec<(usize, usize)>>,
}

impl AccountsFile {
    /// Checks that a criterion column is numeric everywhere, naming the first bad cell.
    pub fn check_numeric(&self, path: &Path, column: &str) -> Result<(), InputError> {
        match self.text_columns.get(column) {
            Some((line, value)) => Err(InputError::at(
                path,
                *line,
                Some(column),
                format!("'{value}' is not a number, so '{column}' cannot be a balance criterion"),
            )),
            None => Ok(()),
        }
    }
}

use territory::problem::{MAX_AMOUNT, MAX_SERVICE_MIN, MAX_VISITS};

/// Reads accounts from a table (CSV in any common encoding, or a workbook
/// sheet) with the columns of the product brief.
///
/// Every bad value is an [`InputError`] naming the file, line (or sheet, row
/// and column) and field.
pub fn read_accounts_table(path: &Path, options: &ReadOptions) -> Result<AccountsFile, InputError> {
    read_accounts_table_from(&Input::open(path)?, options)
}

/// As [`read_accounts_table`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_accounts_table_from(
    input: &Input,
    options: &ReadOptions,
) -> Result<AccountsFile, InputError> {
    let table = Table::read_with(input, &["id", "lat", "lon"], &KNOWN, options)?;
    let unit = table.unit();
    let extra: Vec<String> = table
        .headers
        .iter()
        .filter(|h| !KNOWN.contains(&h.as_str()))
        .cloned()
        .collect();
    let mut accounts = Vec::with_capacity(table.rows.len());
    let mut lines = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut text_columns = BTreeMap::new();
    for row in table.rows() {
        let id = row.required("id")?.to_string();
        if let Some(first) = seen.insert(id.clone(), row.line) {
            return Err(row.error(
                "id",
                format!("duplicate id '{id}' (first on {unit} {first})"),
            ));
        }
        let lat = row.in_range("lat", -90.0, 90.0)?;
        let lon = row.in_range("lon", -180.0, 180.0)?;
        let a = account_from_cells(
            &row,
            id,
            Location::new(lat, lon),
            &extra,
            row.line,
            &mut text_columns,
        )?;
        accounts.push(a);
        lines.push(row.line);
    }
    for column in text_columns.keys() {
        for a in &mut accounts {
            a.attributes.remove(column);
        }
    }
    let shapes = vec![None; accounts.len()];
    Ok(AccountsFile {
        accounts,
        lines,
        features: false,
        sheet: table.sheet.clone(),
        text_columns,
        shapes,
        adjacency: None,
    })
}

/// Builds an account from its cells (every column of the brief but id and position).
pub(crate) fn account_from_cells(
    row: &impl Cells,
    id: String,
    location: Location,
    extra: &[String],
    line: u64,
    text_columns: &mut BTreeMap<String, (u64, String)>,
) -> Result<Account, InputError> {
    let mut a = Account::new(id, location);
    a.name = row.text("name").map(str::to_string);
    if let Some(s) = row.text("status") {
        a.status = Status::parse(s).ok_or_else(|| {
            row.error(
                "status",
                format!("unknown status '{s}' (expected customer or prospect)"),
            )
        })?;
    }
    a.revenue = row
        .bounded("revenue", MAX_AMOUNT, "(the largest amount accepted)")?
        .unwrap_or(0.0);
    a.visits = row.bounded("visits", MAX_VISITS, "visits per 4 weeks")?;
    a.service_min = row.bounded("service_min", MAX_SERVICE_MIN, "minutes (a whole day)")?;
    if let Some(w) = row.text("windows") {
        a.windows = parse_windows(w).ok_or_else(|| {
            row.error(
                "windows",
                format!("'{w}' is not a list of opening windows like 08:00-12:00;13:00-17:00"),
            )
        })?;
    }
    if let Some(d) = row.text("days") {
        a.days = parse_days(d).ok_or_else(|| {
            row.error(
                "days",
                format!("'{d}' is not a list of weekdays like mon,wed or mon-fri"),
            )
        })?;
    }
    a.territory = row.text("territory").map(str::to_string);
    if let Some(l) = row.text("locked") {
        a.locked = parse_bool(l)
            .ok_or_else(|| row.error("locked", format!("'{l}' is not true or false")))?;
    }
    for column in extra {
        if let Some(t) = row.text(column) {
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= MAX_AMOUNT => {
                    a.attributes.insert(column.clone(), v);
                }
                Ok(v) if v.is_finite() => {
                    return Err(row.error(
                        column,
                        format!("{v} is beyond ±{MAX_AMOUNT} (the largest amount accepted)"),
                    ))
                }
                Ok(_) => return Err(row.error(column, format!("'{t}' is not a finite number"))),
                Err(_) => {
                    text_columns
                        .entry(column.clone())
                        .or_insert((line, t.to_string()));
                }
            }
        }
    }
    Ok(a)
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "y" => Some(true),
        "false" | "no" | "0" | "n" => Some(false),
        _ => None,
    }
}
