//! Commercial territory design instances (Ríos-Mercado style `.dat`):
//! `n`; n lines `id x y w1 w2 w3 0`; `m`; m lines `u v`; `p p t1 t2 t3 t4`;
//! then an affinity matrix, which is ignored.

use std::collections::HashMap;
use std::path::Path;

use super::check::{read_text, At, MAX_ID, MAX_NODES};
use crate::error::InputError;

/// One basic unit: position and three activity measures.
#[derive(Debug, Clone, PartialEq)]
pub struct TdpUnit {
    /// Unit id as written in the file.
    pub id: usize,
    /// Planar x.
    pub x: f64,
    /// Planar y.
    pub y: f64,
    /// The three activity measures.
    pub measures: [f64; 3],
}

/// A parsed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct TdpInstance {
    /// File stem, e.g. `2DU60-05-1`.
    pub name: String,
    /// Units in file order.
    pub units: Vec<TdpUnit>,
    /// Adjacent unit pairs, as indices into `units`.
    pub edges: Vec<(usize, usize)>,
    /// Number of territories.
    pub territories: usize,
    /// Tolerance per measure.
    pub tolerances: [f64; 3],
}

/// Most adjacency edges: a planar map of 1,000,000 units has fewer than
/// 3,000,000, listed in both directions fewer than 6,000,000.
const MAX_EDGES: u64 = 10_000_000;

/// Reads a `.dat` file; errors name the line and field. `n` is 1 to
/// 1,000,000 units; unit ids are whole numbers up to 1e9, each listed once;
/// coordinates are within ±1e9; measures are ≥ 0; `m` is at most 10,000,000
/// edges between listed units; `p` is 1 to `n`; tolerances are positive.
pub fn read_tdp(path: &Path) -> Result<TdpInstance, InputError> {
    let text = read_text(path)?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let mut next = |what: &str| -> Result<(At, Vec<&str>), InputError> {
        lines
            .next()
            .map(|(k, l)| (At { path, line: k }, l.split_whitespace().collect()))
            .ok_or_else(|| InputError::file(path, format!("the file ends before {what}")))
    };
    let (at, fields) = next("the unit count")?;
    let n = at.count("n", fields.first().copied(), 0, MAX_NODES)?;
    if n == 0 {
        return Err(at.error("n", "no units"));
    }
    let mut units = Vec::with_capacity(n.min(text.len()));
    let mut index: HashMap<usize, (usize, u64)> = HashMap::new();
    for _ in 0..n {
        let (at, f) = next("all units are listed")?;
        if f.len() < 6 {
            return Err(at.error(
                ["id", "x", "y", "w1", "w2", "w3"][f.len()],
                format!(
                    "a unit line needs `id x y w1 w2 w3`, found {} fields",
                    f.len()
                ),
            ));
        }
        let id = at.count("id", Some(f[0]), 0, MAX_ID)?;
        if let Some((_, first)) = index.insert(id, (units.len(), at.line)) {
            return Err(at.error(
                "id",
                format!("duplicate unit id {id} (first at line {first})"),
            ));
        }
        units.push(TdpUnit {
            id,
            x: at.coordinate("x", Some(f[1]))?,
            y: at.coordinate("y", Some(f[2]))?,
            measures: [
                at.quantity("w1", Some(f[3]))?,
                at.quantity("w2", Some(f[4]))?,
                at.quantity("w3", Some(f[5]))?,
            ],
        });
    }
    let (at, fields) = next("the edge count")?;
    let m = at.count("m", fields.first().copied(), 0, MAX_EDGES)?;
    let mut edges = Vec::with_capacity(m.min(text.len()));
    for _ in 0..m {
        let (at, f) = next("all edges are listed")?;
        let unit = |k: usize| -> Result<usize, InputError> {
            let id = at
                .count("edge", f.get(k).copied(), 0, MAX_ID)
                .map_err(|_| {
                    at.error(
                        "edge",
                        format!("'{}' is not a pair of unit ids", f.join(" ")),
                    )
                })?;
            index
                .get(&id)
                .map(|&(i, _)| i)
                .ok_or_else(|| at.error("edge", format!("unit {id} is not listed")))
        };
        edges.push((unit(0)?, unit(1)?));
    }
    let (at, f) = next("the territory line `p p t1 t2 t3 t4`")?;
    if f.len() < 5 {
        return Err(at.error(
            ["p", "p", "t1", "t2", "t3"][f.len()],
            "expected `p p t1 t2 t3 t4`",
        ));
    }
    let territories = at.count("p", Some(f[0]), 0, MAX_NODES)?;
    if territories == 0 || territories > n {
        return Err(at.error("p", format!("{territories} territories for {n} units")));
    }
    let mut tolerances = [0.0; 3];
    for (k, t) in tolerances.iter_mut().enumerate() {
        let field = ["t1", "t2", "t3"][k];
        *t = at.quantity(field, Some(f[2 + k]))?;
        if *t == 0.0 {
            return Err(at.error(field, "tolerances must be positive"));
        }
    }
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Ok(TdpInstance {
        name,
        units,
        edges,
        territories,
        tolerances,
    })
}
