//! Reading the plan and routes folders the other commands write.

use std::path::{Path, PathBuf};

use serde_json::Value;

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
    /// A file does not hold what `territory plan` or `territory routes` writes.
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
}

/// An account point.
#[derive(Debug, Clone)]
pub struct AccountPoint {
    /// Account id.
    pub id: String,
    /// Territory id.
    pub territory: String,
    /// Whether it is a prospect (else a customer).
    pub prospect: bool,
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
    pub summary: Value,
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
    pub summary: Value,
    /// Route lines from `routes.geojson`.
    pub lines: Vec<RouteLine>,
}

fn read_json(path: &Path) -> Result<Value, ReportError> {
    let bytes = std::fs::read(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ReportError::Format {
        path: path.to_path_buf(),
        message: format!("not JSON: {e}"),
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
    let summary_path = dir.join("summary.json");
    let summary = read_json(&summary_path)?;
    let command = summary["command"].as_str().unwrap_or("");
    if !["plan", "rebalance", "size"].contains(&command) {
        return Err(ReportError::Format {
            path: summary_path,
            message: format!(
                "not the summary of a plan (command '{command}'): give the folder `territory plan` wrote"
            ),
        });
    }
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
                });
            }
            Some("account") => plan.accounts.push(AccountPoint {
                id: text(&p["id"]).unwrap_or_default(),
                territory,
                prospect: p["status"].as_str() == Some("prospect"),
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
    let listed = plan.summary["territory_metrics"]
        .as_array()
        .map_or(0, Vec::len);
    if plan.territories.is_empty() && listed > 0 {
        return Err(bad("no territory polygons".into()));
    }
    Ok(plan)
}

/// Reads a routes folder (`summary.json`, `routes.geojson`).
pub fn read_routes_folder(dir: &Path) -> Result<RoutesFolder, ReportError> {
    let summary_path = dir.join("summary.json");
    let summary = read_json(&summary_path)?;
    if summary["command"].as_str() != Some("routes") {
        return Err(ReportError::Format {
            path: summary_path,
            message: "not the summary of routes: give the folder `territory routes` wrote".into(),
        });
    }
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
        let l = line(&f["geometry"]["coordinates"])
            .filter(|l| l.len() >= 2)
            .ok_or_else(|| ReportError::Format {
                path: geo_path.clone(),
                message: format!(
                    "feature {} is not a LineString of at least two positions",
                    i + 1
                ),
            })?;
        lines.push(RouteLine {
            rep: text(&p["rep"]).unwrap_or_default(),
            date: text(&p["date"]).unwrap_or_default(),
            line: l,
            visits: p["visits"].as_u64().unwrap_or(0) as usize,
            travel_min: p["travel_min"].as_f64().unwrap_or(0.0),
        });
    }
    Ok(RoutesFolder { summary, lines })
}
