//! Cordeau periodic VRP files: `type m n t`; t lines `D Q` (route duration
//! limit, 0 = none, and capacity); n+1 node lines `i x y d q f a list...`
//! (node 0 is the depot; service d, demand q, frequency f, then a day
//! combinations, each a bit mask of days: 10 = 01010 = days 2 and 4).
//! Distances are unrounded Euclidean. CRLF line ends and blank lines are fine.

use std::collections::HashMap;
use std::path::Path;

use super::check::{read_text, At, MAX_ID, MAX_NODES, MAX_VEHICLES};
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

/// Most days in the horizon: day combinations are bit masks.
const MAX_DAYS: u64 = 30;

/// Reads a Cordeau PVRP file; errors name the line and field. `m` is 1 to
/// 10,000 vehicles, `n` 1 to 1,000,000 customers, `t` 1 to 30 days; `D` and
/// `Q` are ≥ 0; node numbers are whole numbers up to 1e9, each listed once;
/// coordinates are within ±1e9; service and demand are ≥ 0; a customer's
/// frequency is 1 to `t` and each of its `a` combinations names that many days.
pub fn read_pvrp(path: &Path) -> Result<PvrpInstance, InputError> {
    let text = read_text(path)?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(k, l)| {
            (
                At { path, line: k },
                l.split_whitespace().collect::<Vec<_>>(),
            )
        });
    let mut next = |what: &str| {
        lines
            .next()
            .ok_or_else(|| InputError::file(path, format!("the file ends before {what}")))
    };
    let (at, head) = next("the header `type m n t`")?;
    let field = |k: usize| head.get(k).copied();
    let kind = at.number("type", field(0))?;
    if kind != 1.0 {
        return Err(at.error(
            "type",
            format!("type {kind} is not a periodic VRP (type 1)"),
        ));
    }
    let vehicles = at.count("m", field(1), 1, MAX_VEHICLES)?;
    let customers = at.count("n", field(2), 1, MAX_NODES)?;
    let days = at.count("t", field(3), 1, MAX_DAYS)?;
    // One `D Q` line per day; the solver takes one fleet for every day, so
    // days that differ are refused rather than silently read as the last one.
    let mut limits: Option<(f64, f64)> = None;
    for _ in 0..days {
        let (at, f) = next("every day's `D Q` line")?;
        let d = at.quantity("D", f.first().copied())?;
        let q = at.quantity("Q", f.get(1).copied())?;
        if let Some((d0, q0)) = limits {
            if d != d0 || q != q0 {
                return Err(at.error(
                    "D Q",
                    format!("{d} {q} differs from the first day's {d0} {q0}; days with different fleets are not supported"),
                ));
            }
        }
        limits = Some((d, q));
    }
    let (d, capacity) = limits.unwrap_or((0.0, 0.0));
    let max_duration = (d > 0.0).then_some(d);
    // Every non-empty subset of the days is a mask below 2^t.
    let max_mask = (1u64 << days) - 1;
    let mut nodes: Vec<PvrpNode> = Vec::with_capacity((customers + 1).min(text.lines().count()));
    let mut seen: HashMap<usize, u64> = HashMap::new();
    for _ in 0..=customers {
        let (at, f) = next("every node line")?;
        let field = |k: usize| f.get(k).copied();
        let id = at.count("i", field(0), 0, MAX_ID)?;
        if let Some(first) = seen.insert(id, at.line) {
            return Err(at.error("i", format!("node {id} is already listed at line {first}")));
        }
        let x = at.coordinate("x", field(1))?;
        let y = at.coordinate("y", field(2))?;
        let service = at.quantity("d", field(3))?;
        let demand = at.quantity("q", field(4))?;
        // The depot's frequency and combinations are not read.
        let depot = nodes.is_empty();
        let (frequency, count) = if depot {
            (0, 0)
        } else {
            let frequency = at.count("f", field(5), 0, MAX_DAYS)?;
            if frequency == 0 {
                return Err(at.error("f", "a customer needs at least one visit"));
            }
            if frequency > days {
                return Err(at.error(
                    "f",
                    format!("{frequency} visits do not fit the {days}-day horizon"),
                ));
            }
            let count = at.count("a", field(6), 0, max_mask)?;
            if count == 0 {
                return Err(at.error("a", "a customer needs at least one day combination"));
            }
            if f.len() < 7 + count {
                return Err(at.error(
                    "a",
                    format!("{count} combinations, but {} are listed", f.len() - 7),
                ));
            }
            (frequency, count)
        };
        let mut combinations = Vec::with_capacity(count);
        for k in 0..count {
            let mask = at
                .whole("combination", field(7 + k), 1, max_mask)
                .map_err(|_| {
                    at.error(
                        "combination",
                        format!(
                            "'{}' is not a bit mask of the {days}-day horizon (1 to {max_mask})",
                            f[7 + k]
                        ),
                    )
                })?;
            let list: Vec<usize> = (0..days).filter(|d| mask >> d & 1 == 1).collect();
            if list.len() != frequency {
                return Err(at.error(
                    "combination",
                    format!(
                        "combination {mask} has {} days but the frequency is {frequency}",
                        list.len()
                    ),
                ));
            }
            combinations.push(list);
        }
        nodes.push(PvrpNode {
            id,
            x,
            y,
            service,
            demand,
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
