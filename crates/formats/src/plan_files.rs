//! The plan folder: `assignment.csv`, `territories.geojson`, `summary.json`.

use std::path::Path;

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use territory::metrics::{
    Compactness, Contiguity, CriterionSummary, CriterionValue, TerritoryMetrics,
};
use territory::partition::levels::LevelledPlan;
use territory::{
    BaseOutside, Diagnostic, Location, Plan, PlanOptions, Problem, SolveStats, WorkloadModel,
};

use crate::output::write_files_atomically;

/// One account moved away from its current territory.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MoveRecord {
    /// Account id.
    pub account: String,
    /// Its territory before.
    pub from: String,
    /// Its territory now.
    pub to: String,
}

/// What `summary.json` holds (and `--json` prints).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// With alignment levels: per criterion, the worst deviation of a region
    /// against the region tolerance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_criteria: Vec<CriterionSummary>,
    /// With alignment levels: the regions, each with its territories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionSummary>,
    /// Requirements not met, with reasons.
    #[serde(deserialize_with = "crate::summary_serde::diagnostics")]
    pub diagnostics: Vec<Diagnostic>,
    /// Rep bases the plan leaves outside their own territory, each with the
    /// constraint (a balance band, contiguity, a lock) that kept them there.
    /// Absent in summaries written before the plan kept bases home.
    #[serde(default, deserialize_with = "crate::summary_serde::bases_outside")]
    pub bases_outside: Vec<BaseOutside>,
    /// Engine facts.
    #[serde(deserialize_with = "crate::summary_serde::solve_stats")]
    pub solve: SolveStats,
    /// Engine options used.
    #[serde(deserialize_with = "crate::summary_serde::plan_options")]
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

/// One region of a plan with alignment levels (territories nested in regions).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RegionSummary {
    /// Region id (the reps' `region`, or `R01`, `R02`, ...).
    pub id: String,
    /// Its territories, in territory order.
    pub territories: Vec<String>,
    /// Centre used for the region's compactness (the mean of its reps'
    /// bases, or of its accounts).
    pub centre: Location,
    /// Number of accounts.
    pub accounts: usize,
    /// Existing customers.
    pub customers: usize,
    /// Prospects.
    pub prospects: usize,
    /// Revenue sum.
    pub revenue: f64,
    /// Workload hours per 4 weeks.
    pub workload_hours: f64,
    /// Per criterion: the region's total, its target (the total times its
    /// territories' share) and deviation, against the region tolerance.
    pub balance: Vec<CriterionValue>,
    /// Per criterion, the tolerance its territories were planned at within
    /// the region, so that each is within the plan's tolerance of its global
    /// target.
    pub territory_tolerances: Vec<f64>,
    /// Connected pieces under the adjacency (1 = contiguous).
    pub components: usize,
    /// Whether the region is one piece.
    pub contiguous: bool,
}

/// Wall time of one phase of a command.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
            region_criteria: Vec::new(),
            regions: Vec::new(),
            diagnostics: plan.diagnostics.clone(),
            bases_outside: plan.bases_outside.clone(),
            solve: plan.stats.clone(),
            options: options.clone(),
            workload_model: problem.workload_model().clone(),
            elapsed_ms,
            timings: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl PlanSummary {
    /// Adds the regions of a levelled plan (the summary itself is made from
    /// its [`LevelledPlan::plan`]).
    pub fn with_levels(mut self, problem: &Problem, levelled: &LevelledPlan) -> Self {
        let specs = problem.territories();
        self.region_criteria = levelled.region_metrics.criteria.clone();
        self.regions = levelled
            .regions
            .iter()
            .zip(&levelled.region_metrics.territories)
            .map(|(r, m)| RegionSummary {
                id: r.id.clone(),
                territories: r.territories.iter().map(|&j| specs[j].id.clone()).collect(),
                centre: m.centre,
                accounts: m.accounts,
                customers: m.customers,
                prospects: m.prospects,
                revenue: m.revenue,
                workload_hours: m.workload_hours,
                balance: m.balance.clone(),
                territory_tolerances: r.territory_tolerances.clone(),
                components: m.components,
                contiguous: m.components <= 1,
            })
            .collect();
        self
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
    let regions = Regions::of(problem, plan, summary);
    let mut files = vec![
        (
            "assignment.csv".to_string(),
            assignment_csv(problem, plan, regions.as_ref())?,
        ),
        (
            "territories.geojson".to_string(),
            territories_geojson(problem, plan, shapes, regions.as_ref()),
        ),
    ];
    if let Some(regions) = &regions {
        files.push((
            "regions.geojson".to_string(),
            regions_geojson(problem, shapes, regions, summary, &plan.adjacency),
        ));
    }
    files.push(("summary.json".to_string(), to_json_bytes(summary)));
    Ok(files)
}

/// The regions of a levelled plan: the region id of each territory, and the
/// region index of each account.
struct Regions<'a> {
    of_territory: Vec<&'a str>,
    of_account: Vec<usize>,
}

impl<'a> Regions<'a> {
    fn of(problem: &Problem, plan: &Plan, summary: &'a PlanSummary) -> Option<Self> {
        if summary.regions.is_empty() {
            return None;
        }
        let specs = problem.territories();
        let mut index = vec![usize::MAX; specs.len()];
        for (r, region) in summary.regions.iter().enumerate() {
            for t in &region.territories {
                if let Some(j) = specs.iter().position(|s| &s.id == t) {
                    index[j] = r;
                }
            }
        }
        if index.contains(&usize::MAX) {
            return None;
        }
        Some(Regions {
            of_territory: index
                .iter()
                .map(|&r| summary.regions[r].id.as_str())
                .collect(),
            of_account: plan.assignment.iter().map(|&j| index[j]).collect(),
        })
    }
}

/// Pretty JSON with a trailing newline.
pub fn to_json_bytes(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("summaries serialise");
    bytes.push(b'\n');
    bytes
}

fn assignment_csv(
    problem: &Problem,
    plan: &Plan,
    regions: Option<&Regions<'_>>,
) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "account",
        "territory",
        "previous_territory",
        "moved",
        "locked",
        "status",
        "workload_hours",
    ];
    if regions.is_some() {
        header.push("region");
    }
    w.write_record(&header)?;
    let ids: Vec<&str> = problem
        .territories()
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    for (i, a) in problem.accounts().iter().enumerate() {
        let to = ids[plan.assignment[i]];
        let previous = a.territory.as_deref().unwrap_or("");
        let moved = !previous.is_empty() && previous != to;
        let workload = format!("{:.3}", problem.workload_hours()[i]);
        let mut record = vec![
            a.id.as_str(),
            to,
            previous,
            if moved { "true" } else { "false" },
            if a.locked { "true" } else { "false" },
            a.status.as_str(),
            &workload,
        ];
        if let Some(r) = regions {
            record.push(r.of_territory[plan.assignment[i]]);
        }
        w.write_record(&record)?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The shape of each part of an assignment of the accounts into `k` parts:
/// the union of its areas' shapes, or of its accounts' Voronoi cells.
fn part_polygons(
    problem: &Problem,
    assignment: &[usize],
    k: usize,
    shapes: &[Option<MultiPolygon<f64>>],
    adjacency: &territory::Adjacency,
) -> Vec<MultiPolygon<f64>> {
    if shapes.iter().any(Option::is_some) {
        let mut groups: Vec<Vec<&geo::Polygon<f64>>> = vec![Vec::new(); k];
        for (i, shape) in shapes.iter().enumerate() {
            for p in shape.iter().flat_map(|m| m.0.iter()) {
                groups[assignment[i]].push(p);
            }
        }
        groups.into_iter().map(geo::unary_union).collect()
    } else {
        let projection = problem.projection();
        territory::geometry::territory_polygons_on(problem.points(), assignment, k, adjacency)
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
    }
}

/// `regions.geojson`: one (multi)polygon per region, built from its accounts
/// as territory shapes are (so it is the union of its territories' shapes),
/// with its figures.
fn regions_geojson(
    problem: &Problem,
    shapes: &[Option<MultiPolygon<f64>>],
    regions: &Regions<'_>,
    summary: &PlanSummary,
    adjacency: &territory::Adjacency,
) -> Vec<u8> {
    let polygons = part_polygons(
        problem,
        &regions.of_account,
        summary.regions.len(),
        shapes,
        adjacency,
    );
    let features: Vec<Value> = summary
        .regions
        .iter()
        .zip(&polygons)
        .map(|(r, shape)| {
            json!({
                "type": "Feature",
                "geometry": geojson::Geometry::from(shape),
                "properties": {
                    "kind": "region",
                    "region": r.id,
                    "territories": r.territories,
                    "accounts": r.accounts,
                    "customers": r.customers,
                    "prospects": r.prospects,
                    "revenue": r.revenue,
                    "workload_hours": round3(r.workload_hours),
                    "components": r.components,
                }
            })
        })
        .collect();
    to_json_bytes(&json!({"type": "FeatureCollection", "features": features}))
}

fn territories_geojson(
    problem: &Problem,
    plan: &Plan,
    shapes: &[Option<MultiPolygon<f64>>],
    regions: Option<&Regions<'_>>,
) -> Vec<u8> {
    let k = problem.territories().len();
    let polygons = part_polygons(problem, &plan.assignment, k, shapes, &plan.adjacency);
    // With levels, every feature also names its region.
    let tag = |mut feature: Value, j: usize| {
        if let (Some(r), Some(props)) = (regions, feature["properties"].as_object_mut()) {
            props.insert("region".into(), json!(r.of_territory[j]));
        }
        feature
    };
    let fills = territory_fills(problem, plan);
    let mut features: Vec<Value> = Vec::new();
    for (j, (t, shape)) in problem.territories().iter().zip(&polygons).enumerate() {
        let m = &plan.metrics.territories[j];
        let fill = fills[j];
        features.push(tag(
            json!({
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
                    "fill": fill,
                    "fill-opacity": 0.6,
                    "stroke": crate::colours::stroke_of(fill),
                    "stroke-width": 1.5,
                }
            }),
            j,
        ));
    }
    // A million accounts as `Value` trees took about 8 GB; typed features
    // are serialised one by one instead.
    let strokes: Vec<String> = fills.iter().map(|f| crate::colours::stroke_of(f)).collect();
    let accounts = problem.accounts().iter().enumerate().map(|(i, a)| {
        let j = plan.assignment[i];
        FeatureItem::Account(AccountFeature {
            geometry: PointGeometry {
                coordinates: [a.location.lon, a.location.lat],
                r#type: "Point",
            },
            properties: AccountProperties {
                id: &a.id,
                kind: "account",
                locked: a.locked,
                marker_color: &strokes[j],
                marker_size: "small",
                name: &a.name,
                region: regions.map(|r| r.of_territory[j]),
                revenue: a.revenue,
                status: a.status.as_str(),
                territory: &problem.territories()[j].id,
                values: (0..problem.criteria().len())
                    .map(|c| round3(problem.value(c, i)))
                    .collect(),
                visits: problem.workload_model().visits(a),
                workload_hours: round3(problem.workload_hours()[i]),
            },
            r#type: "Feature",
        })
    });
    let mut bases: Vec<Value> = Vec::new();
    for (j, t) in problem.territories().iter().enumerate() {
        if let Some(b) = t.base {
            bases.push(tag(
                json!({
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
                    "properties": {"kind": "base", "territory": t.id, "name": t.name}
                }),
                j,
            ));
        }
    }
    let items = features
        .iter()
        .map(FeatureItem::Value)
        .chain(accounts)
        .chain(bases.iter().map(FeatureItem::Value));
    to_json_bytes(&FeatureCollection {
        features: std::cell::RefCell::new(Some(items)),
        r#type: "FeatureCollection",
    })
}

/// A GeoJSON feature collection whose features are serialised as they are
/// made (once). Fields in alphabetical order, as `serde_json`'s maps are.
#[derive(Serialize)]
#[serde(bound = "I: Iterator, I::Item: Serialize")]
struct FeatureCollection<I: Iterator> {
    #[serde(serialize_with = "serialize_once")]
    features: std::cell::RefCell<Option<I>>,
    r#type: &'static str,
}

fn serialize_once<I, S>(items: &std::cell::RefCell<Option<I>>, s: S) -> Result<S::Ok, S::Error>
where
    I: Iterator,
    I::Item: Serialize,
    S: serde::Serializer,
{
    match items.borrow_mut().take() {
        Some(items) => s.collect_seq(items),
        None => Err(serde::ser::Error::custom("features serialised twice")),
    }
}

/// A feature of `territories.geojson`: built as a `Value` (territories and
/// bases, a few per territory) or typed (accounts, which may be millions).
// Items are made and written one at a time, never stored together, so the
// larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize)]
#[serde(untagged)]
enum FeatureItem<'a> {
    Value(&'a Value),
    Account(AccountFeature<'a>),
}

#[derive(Serialize)]
struct AccountFeature<'a> {
    geometry: PointGeometry,
    properties: AccountProperties<'a>,
    r#type: &'static str,
}

#[derive(Serialize)]
struct PointGeometry {
    coordinates: [f64; 2],
    r#type: &'static str,
}

/// An account's properties, in alphabetical order (as the other features'
/// maps are written).
#[derive(Serialize)]
struct AccountProperties<'a> {
    id: &'a str,
    kind: &'static str,
    locked: bool,
    #[serde(rename = "marker-color")]
    marker_color: &'a str,
    #[serde(rename = "marker-size")]
    marker_size: &'static str,
    name: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    revenue: f64,
    status: &'static str,
    territory: &'a str,
    /// Per criterion in `summary.json` order, so the report can recount the
    /// balance of an edited assignment.
    values: Vec<f64>,
    visits: f64,
    workload_hours: f64,
}

/// The fill of each territory: stable per id, touching territories differ
/// (touching by the accounts' Delaunay edges, which is how cells touch, and
/// by the adjacency used).
fn territory_fills(problem: &Problem, plan: &Plan) -> Vec<&'static str> {
    let ids: Vec<&str> = problem
        .territories()
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    let mut edges = territory::Adjacency::delaunay(problem.points())
        .edges()
        .to_vec();
    edges.extend_from_slice(plan.adjacency.edges());
    let neighbours = crate::colours::territory_neighbours(&edges, &plan.assignment, ids.len());
    crate::colours::territory_colours(&ids, &neighbours, |_| None)
        .into_iter()
        .map(|c| crate::colours::PALETTE[c])
        .collect()
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn round3(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}
