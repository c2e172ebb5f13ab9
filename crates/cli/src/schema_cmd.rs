//! `territory schema OUTPUT`: the JSON Schema of a command's `--json` output
//! (the files in `docs/schemas/` are these, kept in step by a test).

use clap::ValueEnum;
use schemars::schema_for;

use crate::{print_json, Failure};

/// Outputs with a schema.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Output {
    /// `plan --json`, `rebalance --json` and their summary.json.
    Plan,
    /// `size --json` and sizing.json.
    Size,
    /// `routes --json` and the routes folder's summary.json.
    Routes,
    /// `kpi --json` and the KPI folder's kpi.json.
    Kpi,
    /// `slots --json`.
    Slots,
    /// `report --json`.
    Report,
    /// `matrix --json`.
    Matrix,
    /// `solve tsplib|solomon --json`.
    SolveRoutes,
    /// `solve pvrp --json`.
    SolvePvrp,
    /// `solve tdp --json`.
    SolveTdp,
    /// `check --json`.
    Check,
    /// Any command's error with `--json` (on stdout, exit code 1, 2 or 3).
    Error,
}

impl Output {
    /// File name under `docs/schemas/`.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Self::Plan => "plan.schema.json",
            Self::Size => "size.schema.json",
            Self::Routes => "routes.schema.json",
            Self::Kpi => "kpi.schema.json",
            Self::Slots => "slots.schema.json",
            Self::Report => "report.schema.json",
            Self::Matrix => "matrix.schema.json",
            Self::SolveRoutes => "solve-routes.schema.json",
            Self::SolvePvrp => "solve-pvrp.schema.json",
            Self::SolveTdp => "solve-tdp.schema.json",
            Self::Check => "check.schema.json",
            Self::Error => "error.schema.json",
        }
    }
}

pub(crate) fn run(output: Output) -> Result<(), Failure> {
    let schema = match output {
        Output::Plan => schema_for!(territory_formats::PlanSummary),
        Output::Size => schema_for!(crate::plan_cmd::SizeSummary),
        Output::Routes => schema_for!(territory_formats::RoutesSummary),
        Output::Kpi => schema_for!(territory_formats::KpiSummary),
        Output::Slots => schema_for!(territory_formats::SlotsSummary),
        Output::Report => schema_for!(crate::report_cmd::ReportSummary),
        Output::Matrix => schema_for!(crate::matrix_cmd::MatrixSummary),
        Output::SolveRoutes => schema_for!(crate::solve_cmd::RouteResult),
        Output::SolvePvrp => schema_for!(crate::solve_cmd::PeriodicResult),
        Output::SolveTdp => schema_for!(crate::solve_cmd::TdpResult),
        Output::Check => schema_for!(crate::check_cmd::CheckSummary),
        Output::Error => schema_for!(crate::ErrorOutput),
    };
    let _ = output.file_name();
    print_json(&schema)
}
