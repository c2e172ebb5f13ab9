//! `territory`: the command-line shell over the `territory` library.

mod matrix_cmd;
mod plan_cmd;
mod progress;
mod report_cmd;
mod road_args;
mod routes_cmd;
mod schema_cmd;
mod solve_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Sales territories: balanced, compact, contiguous; planned from accounts and reps.
#[derive(Parser)]
#[command(name = "territory", version, about, long_about = None)]
#[command(after_help = "Exit codes: 0 success, 1 internal failure, 2 bad input.")]
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
}

/// What went wrong, and which exit code it maps to.
pub(crate) enum Failure {
    /// Bad input: exit 2.
    Input(String),
    /// Internal failure: exit 1.
    Internal(String),
}

/// Prints a value as pretty JSON on stdout (the `--json` output).
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::Internal(e.to_string()))?;
    #[allow(clippy::print_stdout)]
    {
        println!("{text}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Plan(args) => plan_cmd::run_plan(args),
        Command::Size(args) => plan_cmd::run_size(args),
        Command::Rebalance(args) => plan_cmd::run_rebalance(args),
        Command::Routes(args) => routes_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Matrix(args) => matrix_cmd::run(args),
        Command::Solve(args) => solve_cmd::run(args),
        Command::Schema { output } => schema_cmd::run(output),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "territory",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(message)) => {
            eprintln!("internal error: {message}");
            ExitCode::from(1)
        }
    }
}
