//! Reading the plan, routes and KPI folders the other commands write, as the
//! very types they serialise: a summary that does not deserialise into
//! [`PlanSummary`] / [`RoutesSummary`] / [`KpiSummary`] is an error naming
//! the file and the field, never a page of zeros.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;
use territory_formats::{KpiSummary, PlanSummary, RoutesSummary, VisitRecord};

/// Why a folder cannot be reported on.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file is missing or unreadable.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A file does not hold what `territory plan`, `routes` or `kpi` writes.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// A ring or line in WGS84 `(lon, lat)`.
pub type Line = Vec<[f64; 2]>;

/// A territory's shape and figures.
#[derive(Debug, Clone)]
pub struct TerritoryShape {
    /// Territory id.
    pub id: String,
    /// Rep name, if any.
    pub name: Option<String>,
    /// Polygons, each as outer ring then holes.
    pub polygons: Vec<Vec<Line>>,
    /// The simplestyle `fill` the plan wrote, if any.
    pub fill: Option<String>,
}

/// An account point.
#[derive(Debug, Clone)]
pub struct AccountPoint {
    /// Account id.
    pub id: String,
    /// Account name, if any.
    pub name: Option<String>,
    /// Territory id.
    pub territory: String,
    /// Whether it is a prospect (else a customer).
    pub prospect: bool,
    /// Revenue.
    pub revenue: f64,
    /// Visits per 4 weeks, when the plan wrote them.
    pub visits: Option<f64>,
    /// Workload hours per 4 weeks, when the plan wrote them.
    pub workload_hours: Option<f64>,
    /// Whether the account is locked in its territory.
    pub locked: bool,
    /// Its value on each criterion of `summary.json`, when the plan wrote them.
    pub values: Option<Vec<f64>>,
    /// `(lon, lat)`.
    pub at: [f64; 2],
}

/// A rep base.
#[derive(Debug, Clone)]
pub struct Base {
    /// Territory id.
    pub territory: String,
    /// Rep name.
    pub name: Option<String>,
    /// `(lon, lat)`.
    pub at: [f64; 2],
}

/// What a plan folder holds.
#[derive(Debug, Clone)]
pub struct PlanFolder {
    /// `summary.json`.
    pub summary: PlanSummary,
    /// Territory polygons from `territories.geojson`.
    pub territories: Vec<TerritoryShape>,
    /// Account points.
    pub accounts: Vec<AccountPoint>,
    /// Rep bases.
    pub bases: Vec<Base>,
}

/// A rep-day's route line.
#[derive(Debug, Clone)]
pub struct RouteLine {
    /// Rep (territory) id.
    pub rep: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Base, stops, base as `(lon, lat)`.
    pub line: Line,
    /// Visits.
    pub visits: usize,
    /// Travel minutes.
    pub travel_min: f64,
}

/// What a routes folder holds.
#[derive(Debug, Clone)]
pub struct RoutesFolder {
    /// `summary.json`.
    pub summary: RoutesSummary,
    /// Route lines from `routes.geojson`.
    pub lines: Vec<RouteLine>,
    /// Stops from `visits.csv`, in file order (rep, date, sequence).
    pub visits: Vec<VisitRecord>,
}

/// What a KPI folder (`territory kpi --out DIR`) holds.
#[derive(Debug, Clone)]
pub struct KpiFolder {
    /// `kpi.json`.
    pub summary: KpiSummary,
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ReportError> {
    std::fs::read(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn read_json(path: &Path) -> Result<Value, ReportError> {
    serde_json::from_slice(&read_bytes(path)?).map_err(|e| ReportError::Format {
        path: path.to_path_buf(),
        message: format!("not JSON: {e}"),
    })
}

/// A summary as its command's type; `kinds` are the `command` values accepted.
fn read_summary<T: DeserializeOwned>(
    path: &Path,
    kinds: &[&str],
    what: &str,
) -> Result<T, ReportError> {
    let value = read_json(path)?;
    let command = value["command"].as_str().unwrap_or("").to_string();
    if !kinds.contains(&command.as_str()) {
        return Err(ReportError::Format {
            path: path.to_path_buf(),
            message: format!(
                "not the summary of {what} (command '{command}'): give the folder `territory {}` wrote",
                kinds[0]
            ),
        });
    }
    serde_json::from_value(value).map_err(|e| ReportError::Format {
        path: path.to_path_buf(),
        message: format!(
            "not a summary this version of territory understands ({e}); re-run `territory {command}` with this version"
        ),
    })
}

fn point(v: &Value) -> Option<[f64; 2]> {
    let a = v.as_array()?;
    let p = [a.first()?.as_f64()?, a.get(1)?.as_f64()?];
    (p[0].abs() <= 180.0 && p[1].abs() <= 90.0).then_some(p)
}

fn line(v: &Value) -> Option<Line> {
    v.as_array()?.iter().map(point).collect()
}

fn polygon(v: &Value) -> Option<Vec<Line>> {
    v.as_array()?.iter().map(line).collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Reads a plan folder (`summary.json`, `territories.geojson`).
pub fn read_plan_folder(dir: &Path) -> Result<PlanFolder, ReportError> {
    let summary: PlanSummary = read_summary(
        &dir.join("summary.json"),
        &["plan", "rebalance", "size"],
        "a plan",
    )?;
    let geo_path = dir.join("territories.geojson");
    let geo = read_json(&geo_path)?;
    let bad = |message: String| ReportError::Format {
        path: geo_path.clone(),
        message,
    };
    let features = geo["features"]
        .as_array()
        .ok_or_else(|| bad("no `features` array".into()))?;
    let mut plan = PlanFolder {
        summary,
        territories: Vec::new(),
        accounts: Vec::new(),
        bases: Vec::new(),
    };
    for (i, f) in features.iter().enumerate() {
        let p = &f["properties"];
        let g = &f["geometry"];
        let territory =
            text(&p["territory"]).ok_or_else(|| bad(format!("feature {i} has no `territory`")))?;
        let at = || point(&g["coordinates"]).ok_or_else(|| bad(format!("feature {i}: bad point")));
        match p["kind"].as_str() {
            Some("territory") => {
                let polygons = match g["type"].as_str() {
                    Some("Polygon") => polygon(&g["coordinates"]).map(|p| vec![p]),
                    Some("MultiPolygon") => g["coordinates"]
                        .as_array()
                        .and_then(|ps| ps.iter().map(polygon).collect()),
                    _ => None,
                }
                .ok_or_else(|| {
                    bad(format!(
                        "feature {i}: territory {territory} is not a polygon"
                    ))
                })?;
                plan.territories.push(TerritoryShape {
                    id: territory,
                    name: text(&p["name"]),
                    polygons,
                    fill: text(&p["fill"]),
                });
            }
            Some("account") => plan.accounts.push(AccountPoint {
                id: text(&p["id"])
                    .ok_or_else(|| bad(format!("feature {i}: account without `id`")))?,
                name: text(&p["name"]),
                territory,
                prospect: p["status"].as_str() == Some("prospect"),
                revenue: p["revenue"].as_f64().unwrap_or(0.0),
                visits: p["visits"].as_f64(),
                workload_hours: p["workload_hours"].as_f64(),
                locked: p["locked"].as_bool().unwrap_or(false),
                values: p["values"]
                    .as_array()
                    .map(|v| v.iter().map(|x| x.as_f64()).collect::<Option<Vec<f64>>>())
                    .map(|v| v.ok_or_else(|| bad(format!("feature {i}: `values` not numbers"))))
                    .transpose()?,
                at: at()?,
            }),
            Some("base") => plan.bases.push(Base {
                territory,
                name: text(&p["name"]),
                at: at()?,
            }),
            _ => {}
        }
    }
    if plan.territories.len() != plan.summary.territory_metrics.len() {
        return Err(bad(format!(
            "{} territory polygons, but summary.json lists {} territories",
            plan.territories.len(),
            plan.summary.territory_metrics.len()
        )));
    }
    if plan.accounts.len() != plan.summary.accounts {
        return Err(bad(format!(
            "{} account points, but summary.json counts {} accounts",
            plan.accounts.len(),
            plan.summary.accounts
        )));
    }
    Ok(plan)
}

/// Reads a routes folder (`summary.json`, `routes.geojson`, `visits.csv`).
pub fn read_routes_folder(dir: &Path) -> Result<RoutesFolder, ReportError> {
    let summary: RoutesSummary = read_summary(&dir.join("summary.json"), &["routes"], "routes")?;
    let geo_path = dir.join("routes.geojson");
    let geo = read_json(&geo_path)?;
    let features = geo["features"]
        .as_array()
        .ok_or_else(|| ReportError::Format {
            path: geo_path.clone(),
            message: "no `features` array".into(),
        })?;
    let mut lines = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let p = &f["properties"];
        let bad = |what: &str| ReportError::Format {
            path: geo_path.clone(),
            message: format!("feature {}: {what}", i + 1),
        };
        let l = line(&f["geometry"]["coordinates"])
            .filter(|l| l.len() >= 2)
            .ok_or_else(|| bad("not a LineString of at least two positions"))?;
        lines.push(RouteLine {
            rep: text(&p["rep"]).ok_or_else(|| bad("no `rep`"))?,
            date: text(&p["date"]).ok_or_else(|| bad("no `date`"))?,
            line: l,
            visits: p["visits"].as_u64().ok_or_else(|| bad("no `visits`"))? as usize,
            travel_min: p["travel_min"]
                .as_f64()
                .ok_or_else(|| bad("no `travel_min`"))?,
        });
    }
    let csv_path = dir.join("visits.csv");
    let bytes = read_bytes(&csv_path)?;
    let mut visits = Vec::new();
    for (k, row) in csv::Reader::from_reader(bytes.as_slice())
        .deserialize::<VisitRecord>()
        .enumerate()
    {
        visits.push(row.map_err(|e| ReportError::Format {
            path: csv_path.clone(),
            message: format!("line {}: {e}", k + 2),
        })?);
    }
    Ok(RoutesFolder {
        summary,
        lines,
        visits,
    })
}

/// Reads a KPI folder (`kpi.json`) as the [`KpiSummary`] `territory kpi`
/// writes. Every field must be there: a rep without `coverage` (which is
/// `null` when nothing was due) is refused rather than read as "nothing due".
pub fn read_kpi_folder(dir: &Path) -> Result<KpiFolder, ReportError> {
    let path = dir.join("kpi.json");
    let value = read_json(&path)?;
    if value["command"].as_str() == Some("kpi") {
        for (i, rep) in value["reps"].as_array().into_iter().flatten().enumerate() {
            if rep.get("coverage").is_none() {
                return Err(ReportError::Format {
                    path: path.clone(),
                    message: format!(
                        "reps[{i}]: missing field `coverage`; re-run `territory kpi` with this version"
                    ),
                });
            }
        }
    }
    let summary: KpiSummary = read_summary(&path, &["kpi"], "a KPI run")?;
    Ok(KpiFolder { summary })
}
