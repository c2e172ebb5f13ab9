//! Reading back the engine's own summary types that only serialise
//! (diagnostics, solve facts, options, owned by the partition engine): serde
//! remote definitions mirror them field for field, so a plan's `summary.json`
//! deserialises into the very [`crate::PlanSummary`] the commands wrote, and a
//! field renamed in the engine breaks this build instead of reading as zero.

use serde::{Deserialize, Deserializer};
use territory::{
    BaseOutside, BaseOutsideKind, CentreRule, Diagnostic, DiagnosticKind, DisruptionMeasure,
    Objective, PlanOptions, Rebalance, Seeding, SolveStats,
};

#[derive(Deserialize)]
#[serde(remote = "DiagnosticKind", rename_all = "snake_case")]
enum DiagnosticKindDef {
    ToleranceMissed,
    CriterionIgnored,
    NotContiguous,
}

#[derive(Deserialize)]
#[serde(remote = "Diagnostic")]
struct DiagnosticDef {
    #[serde(with = "DiagnosticKindDef")]
    kind: DiagnosticKind,
    #[serde(default)]
    criterion: Option<String>,
    territories: Vec<String>,
    message: String,
}

#[derive(Deserialize)]
#[serde(remote = "BaseOutsideKind", rename_all = "snake_case")]
enum BaseOutsideKindDef {
    Balance,
    Contiguity,
    Locked,
    MoveCap,
    BeyondAccounts,
    OtherRegion,
    SharedHome,
    LaterMove,
}

#[derive(Deserialize)]
#[serde(remote = "BaseOutside")]
struct BaseOutsideDef {
    territory: String,
    held_by: Option<String>,
    home_account: Option<String>,
    #[serde(with = "BaseOutsideKindDef")]
    kind: BaseOutsideKind,
    #[serde(default)]
    criterion: Option<String>,
    message: String,
}

#[derive(Deserialize)]
#[serde(remote = "SolveStats")]
struct SolveStatsDef {
    rounds: usize,
    candidates: usize,
    lp_free_accounts: usize,
    lp_variables: usize,
    lp_slack: f64,
    split_accounts: usize,
    contiguity_repair: Option<(usize, usize)>,
    aggregated_cells: Option<usize>,
    phase_ms: Vec<(String, u64)>,
}

#[derive(Deserialize)]
#[serde(remote = "Seeding", rename_all = "snake_case")]
enum SeedingDef {
    Bisection,
    KMeansPlusPlus,
}

#[derive(Deserialize)]
#[serde(remote = "CentreRule", rename_all = "snake_case")]
enum CentreRuleDef {
    Mean,
    Unit,
}

#[derive(Deserialize)]
#[serde(remote = "DisruptionMeasure", rename_all = "snake_case")]
enum DisruptionMeasureDef {
    Accounts,
    Revenue,
}

#[derive(Deserialize)]
#[serde(remote = "Rebalance")]
struct RebalanceDef {
    #[serde(with = "DisruptionMeasureDef")]
    measure: DisruptionMeasure,
    max_moves: Option<usize>,
}

#[derive(Deserialize)]
#[serde(remote = "PlanOptions")]
struct PlanOptionsDef {
    seed: u64,
    #[serde(with = "SeedingDef")]
    seeding: Seeding,
    max_rounds: usize,
    candidates: usize,
    lp_max_accounts: usize,
    objective: Objective,
    aggregate_above: usize,
    aggregate_cells: usize,
    #[serde(deserialize_with = "rebalance")]
    rebalance: Option<Rebalance>,
    rounding_margin: f64,
    // Not written (engine-internal starting positions).
    #[serde(skip)]
    start_centres: Option<Vec<[f64; 2]>>,
    contiguity: bool,
    max_edge_km: Option<f64>,
    ascent_iterations: usize,
    lp_refinements: usize,
    #[serde(with = "CentreRuleDef")]
    centre: CentreRule,
    // Summaries written before multi-start have none (automatic).
    #[serde(default)]
    starts: Option<usize>,
}

fn rebalance<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rebalance>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(with = "RebalanceDef")] Rebalance);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

pub(crate) fn diagnostics<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Diagnostic>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(with = "DiagnosticDef")] Diagnostic);
    Ok(Vec::<Wrap>::deserialize(d)?
        .into_iter()
        .map(|w| w.0)
        .collect())
}

pub(crate) fn bases_outside<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<BaseOutside>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(with = "BaseOutsideDef")] BaseOutside);
    Ok(Vec::<Wrap>::deserialize(d)?
        .into_iter()
        .map(|w| w.0)
        .collect())
}

pub(crate) fn solve_stats<'de, D: Deserializer<'de>>(d: D) -> Result<SolveStats, D::Error> {
    SolveStatsDef::deserialize(d)
}

pub(crate) fn plan_options<'de, D: Deserializer<'de>>(d: D) -> Result<PlanOptions, D::Error> {
    PlanOptionsDef::deserialize(d)
}

#[cfg(test)]
mod tests {
    use territory::{plan, Account, Location, Measure, PlanOptions, Problem, Status};

    use crate::PlanSummary;

    /// What the commands write reads back into the same summary, field for field.
    #[test]
    fn a_written_plan_summary_reads_back_the_same() {
        let accounts: Vec<Account> = (0..60)
            .map(|i| {
                let status = if i % 2 == 0 {
                    Status::Prospect
                } else {
                    Status::Customer
                };
                Account::new(
                    format!("a{i}"),
                    Location::new(60.0 + (i % 6) as f64 * 0.01, 24.0 + (i / 6) as f64 * 0.01),
                )
                .with_status(status)
            })
            .collect();
        let problem = Problem::builder()
            .accounts(accounts)
            .territories(3)
            .criterion(Measure::Customers, 0.10)
            .build()
            .unwrap();
        let options = PlanOptions::default();
        let p = plan(&problem, &options).unwrap();
        let summary = PlanSummary::new("plan", &problem, &p, &options, 5);
        let written = crate::to_json_bytes(&summary);
        let read: PlanSummary = serde_json::from_slice(&written).unwrap();
        assert_eq!(crate::to_json_bytes(&read), written);
        // A renamed field is an error naming it, not a zero.
        let mut value: serde_json::Value = serde_json::from_slice(&written).unwrap();
        let solve = value.as_object_mut().unwrap().remove("solve").unwrap();
        value["solver"] = solve;
        let e = serde_json::from_value::<PlanSummary>(value).unwrap_err();
        assert!(e.to_string().contains("solve"), "{e}");
    }
}
