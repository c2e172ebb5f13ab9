//! Cordeau periodic VRP files: `type m n t`; t lines `D Q` (route duration
//! limit, 0 = none, and capacity); n+1 node lines `i x y d q f a list...`
//! (node 0 is the depot; service d, demand q, frequency f, then a day
//! combinations, each a bit mask of days: 10 = 01010 = days 2 and 4).
//! Distances are unrounded Euclidean. CRLF line ends and blank lines are fine.

use std::path::Path;

use crate::error::InputError;

/// One location.
#[derive(Debug, Clone, PartialEq)]
pub struct PvrpNode {
    /// Node number (0 = depot).
    pub id: usize,
    /// Planar position.
    pub x: f64,
    /// Planar position.
    pub y: f64,
    /// Service duration.
    pub service: f64,
    /// Demand per visit.
    pub demand: f64,
    /// Visits over the horizon.
    pub frequency: usize,
    /// Allowed day combinations as 0-based day lists.
    pub combinations: Vec<Vec<usize>>,
}

/// A parsed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct PvrpInstance {
    /// File stem.
    pub name: String,
    /// Vehicles per day.
    pub vehicles: usize,
    /// Days in the horizon.
    pub days: usize,
    /// Route duration limit (`None` when the file says 0).
    pub max_duration: Option<f64>,
    /// Capacity per vehicle.
    pub capacity: f64,
    /// Depot first.
    pub nodes: Vec<PvrpNode>,
}

/// Reads a Cordeau PVRP file; errors name the line.
pub fn read_pvrp(path: &Path) -> Result<PvrpInstance, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(k, l)| (k, l.split_whitespace().collect::<Vec<_>>()));
    let mut next = |what: &str| {
        lines
            .next()
            .ok_or_else(|| InputError::file(path, format!("the file ends before {what}")))
    };
    let number = |line: u64, field: &str, t: Option<&&str>| -> Result<f64, InputError> {
        t.and_then(|t| t.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                InputError::at(
                    path,
                    line,
                    Some(field),
                    format!("'{}' is not a number", t.map_or("", |t| t)),
                )
            })
    };
    let (line, head) = next("the header `type m n t`")?;
    let kind = number(line, "type", head.first())?;
    if kind != 1.0 {
        return Err(InputError::at(
            path,
            line,
            Some("type"),
            format!("type {kind} is not a periodic VRP (type 1)"),
        ));
    }
    let vehicles = number(line, "m", head.get(1))? as usize;
    let customers = number(line, "n", head.get(2))? as usize;
    let days = number(line, "t", head.get(3))? as usize;
    if vehicles == 0 || customers == 0 || days == 0 || days > 30 {
        return Err(InputError::at(
            path,
            line,
            None,
            "m, n and t must be positive (t at most 30 days)",
        ));
    }
    // One `D Q` line per day; the solver takes one fleet for every day, so
    // days that differ are refused rather than silently read as the last one.
    let mut limits: Option<(f64, f64)> = None;
    for _ in 0..days {
        let (line, f) = next("every day's `D Q` line")?;
        let d = number(line, "D", f.first())?;
        let q = number(line, "Q", f.get(1))?;
        if let Some((d0, q0)) = limits {
            if d != d0 || q != q0 {
                return Err(InputError::at(
                    path,
                    line,
                    Some("D Q"),
                    format!("{d} {q} differs from the first day's {d0} {q0}; days with different fleets are not supported"),
                ));
            }
        }
        limits = Some((d, q));
    }
    let (d, capacity) = limits.unwrap_or((0.0, 0.0));
    let max_duration = (d > 0.0).then_some(d);
    let mut nodes = Vec::with_capacity((customers + 1).min(text.lines().count()));
    for _ in 0..=customers {
        let (line, f) = next("every node line")?;
        let get = |k: usize, field: &str| number(line, field, f.get(k));
        let frequency = if nodes.is_empty() {
            0
        } else {
            get(5, "f")? as usize
        };
        if !nodes.is_empty() && frequency == 0 {
            return Err(InputError::at(
                path,
                line,
                Some("f"),
                "a customer needs at least one visit",
            ));
        }
        let count = if nodes.is_empty() {
            0
        } else {
            get(6, "a")? as usize
        };
        let mut combinations = Vec::with_capacity(count.min(64));
        for k in 0..count {
            let mask = get(7 + k, "combination")? as u64;
            if mask == 0 || mask >> days != 0 {
                return Err(InputError::at(
                    path,
                    line,
                    Some("combination"),
                    format!("combination {mask} names no day of the {days}-day horizon"),
                ));
            }
            let list: Vec<usize> = (0..days).filter(|d| mask >> d & 1 == 1).collect();
            if list.len() != frequency {
                return Err(InputError::at(
                    path,
                    line,
                    Some("combination"),
                    format!(
                        "combination {mask} has {} days but the frequency is {frequency}",
                        list.len()
                    ),
                ));
            }
            combinations.push(list);
        }
        if !nodes.is_empty() && combinations.is_empty() {
            return Err(InputError::at(
                path,
                line,
                Some("a"),
                "a customer needs at least one day combination",
            ));
        }
        nodes.push(PvrpNode {
            id: get(0, "i")? as usize,
            x: get(1, "x")?,
            y: get(2, "y")?,
            service: get(3, "d")?,
            demand: get(4, "q")?,
            frequency,
            combinations,
        });
    }
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(PvrpInstance {
        name,
        vehicles,
        days,
        max_duration,
        capacity,
        nodes,
    })
}
