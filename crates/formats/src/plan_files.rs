//! The plan folder: `assignment.csv`, `territories.geojson`, `summary.json`.

use std::path::Path;

use geo::MultiPolygon;
use serde::Serialize;
use serde_json::{json, Value};
use territory::metrics::{Compactness, Contiguity, CriterionSummary, TerritoryMetrics};
use territory::{Diagnostic, Plan, PlanOptions, Problem, SolveStats, WorkloadModel};

use crate::output::write_files_atomically;

/// One account moved away from its current territory.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MoveRecord {
    /// Account id.
    pub account: String,
    /// Its territory before.
    pub from: String,
    /// Its territory now.
    pub to: String,
}

/// What `summary.json` holds (and `--json` prints).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanSummary {
    /// `plan` or `rebalance`.
    pub command: String,
    /// Version of the tool.
    pub version: String,
    /// Number of accounts.
    pub accounts: usize,
    /// Number of territories.
    pub territories: usize,
    /// Whether every criterion is within tolerance.
    pub balanced: bool,
    /// Per criterion, the worst deviation against the tolerance.
    pub criteria: Vec<CriterionSummary>,
    /// Moment of inertia and ratio to the LP bound.
    pub compactness: Compactness,
    /// Contiguity under the adjacency.
    pub contiguity: Contiguity,
    /// Accounts whose territory differs from their current one (`territory` column).
    pub moved_accounts: usize,
    /// Of `moved_accounts`, those whose territory no longer exists (a removed
    /// rep): they must move, and `--max-moves` does not count them.
    pub forced_moves: usize,
    /// Revenue of the moved accounts.
    pub moved_revenue: f64,
    /// Each moved account: id, previous territory (as given), new territory.
    pub moves: Vec<MoveRecord>,
    /// Per-territory measures.
    pub territory_metrics: Vec<TerritoryMetrics>,
    /// Requirements not met, with reasons.
    pub diagnostics: Vec<Diagnostic>,
    /// Engine facts.
    pub solve: SolveStats,
    /// Engine options used.
    pub options: PlanOptions,
    /// Workload model used.
    pub workload_model: WorkloadModel,
    /// Wall time of the whole command in milliseconds.
    pub elapsed_ms: u64,
    /// Wall time per phase, in order.
    pub timings: Vec<PhaseTiming>,
    /// Things worth checking (e.g. accounts far from any road, by id).
    pub warnings: Vec<String>,
}

/// Wall time of one phase of a command.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PhaseTiming {
    /// Phase name, e.g. `balancing LP`.
    pub phase: String,
    /// Milliseconds.
    pub ms: u64,
}

impl PlanSummary {
    /// Collects the summary of a plan.
    pub fn new(
        command: &str,
        problem: &Problem,
        plan: &Plan,
        options: &PlanOptions,
        elapsed_ms: u64,
    ) -> Self {
        let (mut moved_accounts, mut moved_revenue, mut forced_moves) = (0, 0.0, 0);
        let exists = |t: &str| problem.territories().iter().any(|s| s.id == t);
        let mut moves = Vec::new();
        for (i, &j) in plan.assignment.iter().enumerate() {
            let a = &problem.accounts()[i];
            let to = &problem.territories()[j].id;
            // Accounts of removed reps count as moved: their territory is gone.
            if let Some(from) = a.territory.as_deref().filter(|f| !f.is_empty() && *f != to) {
                moved_accounts += 1;
                moved_revenue += a.revenue;
                forced_moves += usize::from(!exists(from));
                moves.push(MoveRecord {
                    account: a.id.clone(),
                    from: from.to_string(),
                    to: to.clone(),
                });
            }
        }
        PlanSummary {
            command: command.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            accounts: problem.accounts().len(),
            territories: problem.territories().len(),
            balanced: plan.metrics.balanced(),
            criteria: plan.metrics.criteria.clone(),
            compactness: plan.metrics.compactness.clone(),
            contiguity: plan.metrics.contiguity.clone(),
            moved_accounts,
            forced_moves,
            moved_revenue,
            moves,
            territory_metrics: plan.metrics.territories.clone(),
            diagnostics: plan.diagnostics.clone(),
            solve: plan.stats.clone(),
            options: options.clone(),
            workload_model: problem.workload_model().clone(),
            elapsed_ms,
            timings: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Writes the plan folder atomically.
///
/// `shapes` are the accounts' polygons in WGS84 when they are areas; territories
/// are then their union, otherwise the union of the accounts' Voronoi cells.
pub fn write_plan(
    dir: &Path,
    problem: &Problem,
    plan: &Plan,
    shapes: &[Option<MultiPolygon<f64>>],
    summary: &PlanSummary,
) -> std::io::Result<()> {
    write_files_atomically(dir, &plan_files(problem, plan, shapes, summary)?)
}

/// The files of a plan folder (name, contents), for writers that add their own.
pub fn plan_files(
    problem: &Problem,
    plan: &Plan,
    shapes: &[Option<MultiPolygon<f64>>],
    summary: &PlanSummary,
) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![
        ("assignment.csv".to_string(), assignment_csv(problem, plan)?),
        (
            "territories.geojson".to_string(),
            territories_geojson(problem, plan, shapes),
        ),
        ("summary.json".to_string(), to_json_bytes(summary)),
    ])
}

/// Pretty JSON with a trailing newline.
pub fn to_json_bytes(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("summaries serialise");
    bytes.push(b'\n');
    bytes
}

fn assignment_csv(problem: &Problem, plan: &Plan) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "account",
        "territory",
        "previous_territory",
        "moved",
        "locked",
        "status",
        "workload_hours",
    ])?;
    let ids: Vec<&str> = problem
        .territories()
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    for (i, a) in problem.accounts().iter().enumerate() {
        let to = ids[plan.assignment[i]];
        let previous = a.territory.as_deref().unwrap_or("");
        let moved = !previous.is_empty() && previous != to;
        w.write_record([
            a.id.as_str(),
            to,
            previous,
            if moved { "true" } else { "false" },
            if a.locked { "true" } else { "false" },
            a.status.as_str(),
            &format!("{:.3}", problem.workload_hours()[i]),
        ])?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn territories_geojson(
    problem: &Problem,
    plan: &Plan,
    shapes: &[Option<MultiPolygon<f64>>],
) -> Vec<u8> {
    let k = problem.territories().len();
    let polygons: Vec<MultiPolygon<f64>> = if shapes.iter().any(Option::is_some) {
        let mut groups: Vec<Vec<&geo::Polygon<f64>>> = vec![Vec::new(); k];
        for (i, shape) in shapes.iter().enumerate() {
            for p in shape.iter().flat_map(|m| m.0.iter()) {
                groups[plan.assignment[i]].push(p);
            }
        }
        groups.into_iter().map(geo::unary_union).collect()
    } else {
        let projection = problem.projection();
        territory::geometry::territory_polygons(problem.points(), &plan.assignment, k)
            .into_iter()
            .map(|m| {
                use geo::MapCoords;
                m.map_coords(|c| {
                    let l = projection.inverse([c.x, c.y]);
                    geo::Coord {
                        x: round6(l.lon),
                        y: round6(l.lat),
                    }
                })
            })
            .collect()
    };
    let mut features: Vec<Value> = Vec::new();
    for (j, (t, shape)) in problem.territories().iter().zip(&polygons).enumerate() {
        let m = &plan.metrics.territories[j];
        features.push(json!({
            "type": "Feature",
            "geometry": geojson::Geometry::from(shape),
            "properties": {
                "kind": "territory",
                "territory": t.id,
                "name": t.name,
                "accounts": m.accounts,
                "customers": m.customers,
                "prospects": m.prospects,
                "revenue": m.revenue,
                "workload_hours": round3(m.workload_hours),
                "components": m.components,
            }
        }));
    }
    for (i, a) in problem.accounts().iter().enumerate() {
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [a.location.lon, a.location.lat]},
            "properties": {
                "kind": "account",
                "id": a.id,
                "name": a.name,
                "territory": problem.territories()[plan.assignment[i]].id,
                "status": a.status.as_str(),
                "revenue": a.revenue,
            }
        }));
    }
    for t in problem.territories() {
        if let Some(b) = t.base {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
                "properties": {"kind": "base", "territory": t.id, "name": t.name}
            }));
        }
    }
    to_json_bytes(&json!({"type": "FeatureCollection", "features": features}))
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn round3(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}
