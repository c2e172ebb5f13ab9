//! `territory`: the command-line shell over the `territory` library.

mod check_cmd;
mod flags;
mod kpi_cmd;
mod matrix_cmd;
mod plan_cmd;
mod progress;
mod report_cmd;
mod road_args;
mod routes_cmd;
mod schema_cmd;
mod slots_cmd;
mod solve_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Sales territories: balanced, compact, contiguous; planned from accounts and reps.
#[derive(Parser)]
#[command(name = "territory", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 internal failure, 2 bad input, 3 a --strict run missed a tolerance or a due visit."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cut balanced, compact territories from accounts and reps; writes an output folder.
    Plan(plan_cmd::PlanArgs),
    /// Restore balance from the current territories, moving as few accounts (or as little revenue) as possible.
    Rebalance(plan_cmd::RebalanceArgs),
    /// How many territories the workload needs at a capacity per rep, and a what-if table.
    Size(plan_cmd::SizeArgs),
    /// Plan dated visit routes per rep over weeks: frequencies, opening windows, appointments, working hours.
    Routes(routes_cmd::RoutesArgs),
    /// Export a road travel-time and distance matrix between points, from an OpenStreetMap extract.
    Matrix(matrix_cmd::MatrixArgs),
    /// Plan against actual per rep: visits planned, done, missed; coverage; overdue accounts; new customers; sums.
    Kpi(kpi_cmd::KpiArgs),
    /// Visit slots to offer on the phone: where a visit fits a routes plan at the least added travel.
    Slots(slots_cmd::SlotsArgs),
    /// Write a self-contained HTML report (map, balance, KPIs, routes) of a plan folder.
    Report(report_cmd::ReportArgs),
    /// Print the JSON Schema of a command's --json output (as in docs/schemas/).
    Schema {
        /// Which output.
        #[arg(value_enum)]
        output: schema_cmd::Output,
    },
    /// Print a shell completion script: `territory completions bash > /etc/bash_completion.d/territory`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Solve a research instance and score it like its literature (tdp, tsplib, solomon, pvrp).
    Solve(solve_cmd::SolveArgs),
    /// Validate every input of a plan or routes run and tell what would be planned, writing nothing.
    Check(check_cmd::CheckArgs),
}

/// What went wrong, and which exit code it maps to.
pub(crate) enum Failure {
    /// Bad input (a flag, or a conflict between paths): exit 2.
    Input(String),
    /// Bad input located in a file: exit 2.
    File(territory_formats::InputError),
    /// Internal failure: exit 1.
    Internal(String),
    /// Standard output was closed by its reader (`| head`): a normal end, exit 0.
    ClosedStdout,
    /// `--strict` and the result misses a tolerance or a due visit: exit 3.
    Strict(String),
}

impl From<territory_formats::InputError> for Failure {
    fn from(e: territory_formats::InputError) -> Self {
        Failure::File(e)
    }
}

impl From<territory_formats::OutputConflict> for Failure {
    fn from(e: territory_formats::OutputConflict) -> Self {
        Failure::Input(e.to_string())
    }
}

/// Writes bytes to stdout; a closed pipe ends the run quietly, a full disk is a failure.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::ClosedStdout),
        Err(e) => Err(Failure::Internal(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Prints a value as pretty JSON on stdout (the `--json` output).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut text =
        serde_json::to_vec_pretty(value).map_err(|e| Failure::Internal(e.to_string()))?;
    text.push(b'\n');
    write_stdout(&text)
}

/// A line on stderr; a closed or full stderr is ignored (there is nowhere left to tell).
pub(crate) fn to_stderr(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// The `--json` form of an error, on stdout.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub(crate) struct ErrorOutput {
    error: ErrorDetail,
}

/// What went wrong and where.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct ErrorDetail {
    /// The exit code: 1 internal failure, 2 bad input, 3 `--strict` miss.
    exit_code: u8,
    /// The input file concerned (`-` for standard input), when known.
    file: Option<String>,
    /// 1-based line of a text file, row of a worksheet, or feature number of GeoJSON.
    line: Option<u64>,
    /// Whether `line` counts GeoJSON features.
    feature: bool,
    /// Worksheet name, for workbooks.
    sheet: Option<String>,
    /// Spreadsheet column letter, for workbooks.
    column: Option<String>,
    /// The column or property concerned.
    field: Option<String>,
    /// What is wrong, for people (the same text as on stderr).
    message: String,
}

impl Command {
    /// The output flags of the command, when it has them.
    fn chatter(&self) -> flags::Chatter {
        match self {
            Command::Plan(a) => a.run.chatter,
            Command::Rebalance(a) => a.plan.run.chatter,
            Command::Size(a) => a.run.chatter,
            Command::Routes(a) => a.chatter,
            Command::Matrix(a) => a.chatter,
            Command::Kpi(a) => a.chatter,
            Command::Slots(a) => a.chatter,
            Command::Report(a) => a.chatter,
            Command::Solve(a) => a.chatter,
            Command::Check(a) => a.chatter,
            Command::Schema { .. } | Command::Completions { .. } => flags::Chatter::default(),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version print as usual; a bad command line under
        // --json also gives the JSON error the README promises.
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--json") => {
            let rendered = e.render().to_string();
            let message = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let message = message
                .strip_prefix("error: ")
                .unwrap_or(&message)
                .to_string();
            let _ = e.print();
            let error = ErrorOutput {
                error: ErrorDetail {
                    exit_code: 2,
                    file: None,
                    line: None,
                    feature: false,
                    sheet: None,
                    column: None,
                    field: None,
                    message: format!("bad command line: {message}"),
                },
            };
            let _ = print_json(&error);
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    let chatter = cli.command.chatter();
    let result = match cli.command {
        Command::Plan(args) => plan_cmd::run_plan(args),
        Command::Size(args) => plan_cmd::run_size(args),
        Command::Rebalance(args) => plan_cmd::run_rebalance(args),
        Command::Routes(args) => routes_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Matrix(args) => matrix_cmd::run(args),
        Command::Kpi(args) => kpi_cmd::run(args),
        Command::Slots(args) => slots_cmd::run(args),
        Command::Solve(args) => solve_cmd::run(args),
        Command::Check(args) => check_cmd::run(args),
        Command::Schema { output } => schema_cmd::run(output),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Generated into memory: the generator panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "territory", &mut script);
            write_stdout(&script)
        }
    };
    let (code, prefix, message, located) = match result {
        Ok(()) | Err(Failure::ClosedStdout) => return ExitCode::SUCCESS,
        Err(Failure::Input(m)) => (2, "error", m, None),
        Err(Failure::File(e)) => (2, "error", e.to_string(), Some(e)),
        Err(Failure::Internal(m)) => (1, "internal error", m, None),
        Err(Failure::Strict(m)) => (3, "strict", m, None),
    };
    to_stderr(&format!("{prefix}: {message}"));
    if chatter.json {
        let error = ErrorOutput {
            error: ErrorDetail {
                exit_code: code,
                file: located.as_ref().map(|e| e.file.display().to_string()),
                line: located.as_ref().and_then(|e| e.line),
                feature: located.as_ref().is_some_and(|e| e.feature),
                sheet: located.as_ref().and_then(|e| e.sheet.clone()),
                column: located.as_ref().and_then(|e| e.column.clone()),
                field: located.as_ref().and_then(|e| e.field.clone()),
                message: located.as_ref().map_or(message, |e| e.message.clone()),
            },
        };
        let _ = print_json(&error);
    }
    ExitCode::from(code)
}
