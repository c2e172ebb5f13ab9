//! File formats of `territory`: readers for accounts (CSV, Excel workbooks,
//! GeoJSON points and polygons), reps, assignments and appointments (CSV or
//! workbooks, UTF-8 or Windows-1252, column aliases and mappings, `-` for
//! standard input) that name the file, line (or sheet, row and column) and
//! field of every bad value, and writers for the plan and routes folders that
//! never damage an input or an earlier result.
//!
//! ```no_run
//! use std::path::Path;
//! use territory_formats::ReadOptions;
//! let options = ReadOptions::default();
//! let accounts = territory_formats::read_accounts(Path::new("data/accounts.csv"), &options)?;
//! let reps = territory_formats::read_reps(Path::new("data/reps.csv"), &options)?;
//! assert!(!accounts.accounts.is_empty() && !reps.is_empty());
//! # Ok::<(), territory_formats::InputError>(())
//! ```
//!
//! Every reader also has a `_from` form over an [`Input`] (bytes from any
//! `Read`, named in errors as a file would be), and the writers hand back the
//! folder's files as bytes ([`plan_files`], [`routes_files`]) before
//! [`write_plan`] and [`write_routes`] put them on disk atomically.

mod accounts;
mod adjacency_file;
pub mod colours;
mod error;
mod geojson_accounts;
mod kpi_files;
mod output;
mod plan_files;
mod previous_routes;
mod reps;
pub mod research;
mod routes_files;
mod schedule_inputs;
mod slots_output;
mod source;
mod summary_serde;
mod table;

use std::path::Path;

pub use accounts::{read_accounts_table, read_accounts_table_from, AccountsFile};
pub use adjacency_file::{read_adjacency, read_adjacency_from};
pub use error::InputError;
pub use geojson_accounts::{
    read_accounts_geojson, read_accounts_geojson_from, shared_boundary_pairs, UnitLocation,
};
pub use kpi_files::{read_visits, read_visits_from, KpiSummary, OverdueAccount, RepKpiRecord};
pub use output::{
    check_output, check_replaces_own, write_file_atomically, write_files_atomically,
    OutputConflict, OutputKind, OUTPUT_NAMES,
};
pub use plan_files::{
    plan_files, to_json_bytes, write_plan, MoveRecord, PhaseTiming, PlanSummary, RegionSummary,
};
pub use previous_routes::{read_previous_routes, ChangedVisit, PreviousRoutes, ReplanSummary};
pub use reps::{read_reps, read_reps_from};
pub use routes_files::{
    clock, routes_files, write_routes, DaySummary, FilledRecord, PartTimeRecord, PathFn,
    RepSummary, RoutesInputs, RoutesParameters, RoutesSummary, RoutesTotals, Spread, StretchRecord,
    UnscheduledRecord, VisitRecord,
};
pub use schedule_inputs::{
    parse_iso_date, read_absences, read_absences_from, read_appointments, read_appointments_from,
    read_assignment, read_assignment_from, read_current_assignment, read_current_assignment_from,
    read_current_territories, read_current_territories_from, read_history, read_history_from,
    read_holidays, read_holidays_from, read_points, read_points_from,
};
pub use slots_output::{SlotRecord, SlotsSummary};
pub use source::{Encoding, Input, ReadOptions};

/// Reads accounts: `.geojson`/`.json` (or standard input starting with `{`)
/// as GeoJSON, anything else as a table (CSV or a workbook sheet).
/// With `options.id_property`, the file is GeoJSON whatever its name.
pub fn read_accounts(path: &Path, options: &ReadOptions) -> Result<AccountsFile, InputError> {
    read_accounts_from(&Input::open(path)?, options)
}

/// As [`read_accounts`], from an [`Input`]: GeoJSON when its name ends in
/// `.geojson`/`.json`, `options.id_property` is set, or it starts with `{`.
///
/// ```
/// use territory_formats::{read_accounts_from, Input, ReadOptions};
/// let csv = "id,lat,lon,status\na1,60.17,24.94,customer\na2,60.18,24.95,prospect\n";
/// let accounts = read_accounts_from(&Input::from_bytes("crm export", csv.into()), &ReadOptions::default())?;
/// assert_eq!(accounts.accounts.len(), 2);
/// # Ok::<(), territory_formats::InputError>(())
/// ```
pub fn read_accounts_from(
    input: &Input,
    options: &ReadOptions,
) -> Result<AccountsFile, InputError> {
    let named = input
        .path()
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let geojson = matches!(named.as_deref(), Some("geojson") | Some("json"))
        || options.id_property.is_some()
        || {
            let bytes = input.bytes();
            let start = bytes
                .iter()
                .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
            start.is_some_and(|k| bytes[k] == b'{')
        };
    if geojson {
        read_accounts_geojson_from(input, options.id_property.as_deref(), options.location)
    } else {
        read_accounts_table_from(input, options)
    }
}
