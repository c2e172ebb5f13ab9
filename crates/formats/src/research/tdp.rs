//! Commercial territory design instances (Ríos-Mercado style `.dat`):
//! `n`; n lines `id x y w1 w2 w3 0`; `m`; m lines `u v`; `p p t1 t2 t3 t4`;
//! then an affinity matrix, which is ignored.

use std::path::Path;

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

/// Reads a `.dat` file; errors name the line.
pub fn read_tdp(path: &Path) -> Result<TdpInstance, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let mut next = |what: &str| -> Result<(u64, Vec<&str>), InputError> {
        lines
            .next()
            .map(|(k, l)| (k, l.split_whitespace().collect()))
            .ok_or_else(|| InputError::file(path, format!("the file ends before {what}")))
    };
    let count = |line: u64, fields: &[&str], what: &str| -> Result<usize, InputError> {
        fields
            .first()
            .and_then(|f| f.parse::<usize>().ok())
            .ok_or_else(|| {
                InputError::at(
                    path,
                    line,
                    Some(what),
                    format!("expected a count, found {:?}", fields.join(" ")),
                )
            })
    };
    let number = |line: u64, field: &str, text: &str| -> Result<f64, InputError> {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                InputError::at(path, line, Some(field), format!("'{text}' is not a number"))
            })
    };
    let (line, fields) = next("the unit count")?;
    let n = count(line, &fields, "n")?;
    if n == 0 {
        return Err(InputError::at(path, line, Some("n"), "no units"));
    }
    let mut units = Vec::with_capacity(n.min(text.len()));
    let mut index = std::collections::HashMap::new();
    for _ in 0..n {
        let (line, f) = next("all units are listed")?;
        if f.len() < 6 {
            return Err(InputError::at(
                path,
                line,
                None,
                format!(
                    "a unit line needs `id x y w1 w2 w3`, found {} fields",
                    f.len()
                ),
            ));
        }
        let id = f[0].parse::<usize>().map_err(|_| {
            InputError::at(
                path,
                line,
                Some("id"),
                format!("'{}' is not a unit id", f[0]),
            )
        })?;
        let unit = TdpUnit {
            id,
            x: number(line, "x", f[1])?,
            y: number(line, "y", f[2])?,
            measures: [
                number(line, "w1", f[3])?,
                number(line, "w2", f[4])?,
                number(line, "w3", f[5])?,
            ],
        };
        if unit.measures.iter().any(|w| *w < 0.0) {
            return Err(InputError::at(
                path,
                line,
                Some("w"),
                "activity measures must not be negative",
            ));
        }
        if index.insert(id, units.len()).is_some() {
            return Err(InputError::at(
                path,
                line,
                Some("id"),
                format!("duplicate unit id {id}"),
            ));
        }
        units.push(unit);
    }
    let (line, fields) = next("the edge count")?;
    let m = count(line, &fields, "m")?;
    let mut edges = Vec::with_capacity(m.min(text.len()));
    for _ in 0..m {
        let (line, f) = next("all edges are listed")?;
        let unit = |k: usize| -> Result<usize, InputError> {
            f.get(k)
                .and_then(|t| t.parse::<usize>().ok())
                .and_then(|id| index.get(&id).copied())
                .ok_or_else(|| {
                    InputError::at(
                        path,
                        line,
                        Some("edge"),
                        format!("'{}' is not a pair of unit ids", f.join(" ")),
                    )
                })
        };
        edges.push((unit(0)?, unit(1)?));
    }
    let (line, f) = next("the territory line `p p t1 t2 t3 t4`")?;
    if f.len() < 5 {
        return Err(InputError::at(
            path,
            line,
            None,
            "expected `p p t1 t2 t3 t4`",
        ));
    }
    let territories = count(line, &f, "p")?;
    let mut tolerances = [0.0; 3];
    for (k, t) in tolerances.iter_mut().enumerate() {
        *t = number(line, "tolerance", f[2 + k])?;
        if *t <= 0.0 {
            return Err(InputError::at(
                path,
                line,
                Some("tolerance"),
                "tolerances must be positive",
            ));
        }
    }
    if territories == 0 || territories > n {
        return Err(InputError::at(
            path,
            line,
            Some("p"),
            format!("{territories} territories for {n} units"),
        ));
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
