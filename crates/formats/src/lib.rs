//! File formats of `territory`: readers for accounts (CSV, GeoJSON points and
//! polygons), reps, assignments and appointments (CSV) that name the file, line
//! and field of every bad value, and writers for the plan and routes folders
//! that never leave a half-written file.
//!
//! ```no_run
//! use std::path::Path;
//! let accounts = territory_formats::read_accounts(Path::new("data/accounts.csv"))?;
//! let reps = territory_formats::read_reps_csv(Path::new("data/reps.csv"))?;
//! assert!(!accounts.accounts.is_empty() && !reps.is_empty());
//! # Ok::<(), territory_formats::InputError>(())
//! ```

mod accounts;
mod error;
mod geojson_accounts;
mod output;
mod plan_files;
mod reps;
pub mod research;
mod routes_files;
mod schedule_inputs;
mod table;

use std::path::Path;

pub use accounts::{read_accounts_csv, AccountsFile};
pub use error::InputError;
pub use geojson_accounts::{read_accounts_geojson, shared_boundary_pairs};
pub use output::{write_file_atomically, write_files_atomically};
pub use plan_files::{to_json_bytes, write_plan, MoveRecord, PhaseTiming, PlanSummary};
pub use reps::read_reps_csv;
pub use routes_files::{
    clock, write_routes, DaySummary, PathFn, RepSummary, RoutesParameters, RoutesSummary,
    RoutesTotals, Spread, UnscheduledRecord,
};
pub use schedule_inputs::{
    parse_iso_date, read_appointments_csv, read_assignment_csv, read_points_csv,
};

/// Reads accounts by extension: `.geojson`/`.json` as GeoJSON, anything else as CSV.
pub fn read_accounts(path: &Path) -> Result<AccountsFile, InputError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("geojson") | Some("json") => read_accounts_geojson(path, None),
        _ => read_accounts_csv(path),
    }
}
