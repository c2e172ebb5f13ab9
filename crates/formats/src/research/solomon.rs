//! Solomon VRPTW instances: a name, a `VEHICLE` section (`NUMBER CAPACITY`),
//! then a `CUSTOMER` table `CUST NO. XCOORD. YCOORD. DEMAND READY_TIME DUE_DATE
//! SERVICE_TIME`; customer 0 is the depot. Distances are unrounded Euclidean.

use std::path::Path;

use crate::error::InputError;

/// One row of the customer table.
#[derive(Debug, Clone, PartialEq)]
pub struct SolomonNode {
    /// Customer number (0 = depot).
    pub id: usize,
    /// Planar position.
    pub x: f64,
    /// Planar position.
    pub y: f64,
    /// Demand.
    pub demand: f64,
    /// Earliest start.
    pub ready: f64,
    /// Latest start.
    pub due: f64,
    /// Service time.
    pub service: f64,
}

/// A parsed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct SolomonInstance {
    /// Instance name (first line).
    pub name: String,
    /// Fleet size.
    pub vehicles: usize,
    /// Vehicle capacity.
    pub capacity: f64,
    /// Depot first, then customers, in file order.
    pub nodes: Vec<SolomonNode>,
}

/// Reads a Solomon file; errors name the line.
pub fn read_solomon(path: &Path) -> Result<SolomonInstance, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let name = lines
        .first()
        .map(|(_, l)| l.to_string())
        .ok_or_else(|| InputError::file(path, "the file is empty"))?;
    let find = |word: &str| lines.iter().position(|(_, l)| l.eq_ignore_ascii_case(word));
    let vehicle = find("VEHICLE").ok_or_else(|| InputError::file(path, "no VEHICLE section"))?;
    let customer = find("CUSTOMER").ok_or_else(|| InputError::file(path, "no CUSTOMER section"))?;
    // VEHICLE, its header, then `number capacity`.
    let (line, fleet) = lines
        .get(vehicle + 2)
        .copied()
        .ok_or_else(|| InputError::file(path, "the VEHICLE section is cut short"))?;
    let f: Vec<&str> = fleet.split_whitespace().collect();
    let vehicles = f
        .first()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            InputError::at(
                path,
                line,
                Some("NUMBER"),
                format!("expected `number capacity`, found '{fleet}'"),
            )
        })?;
    let capacity = f
        .get(1)
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|c| c.is_finite() && *c > 0.0)
        .ok_or_else(|| {
            InputError::at(
                path,
                line,
                Some("CAPACITY"),
                format!("expected `number capacity`, found '{fleet}'"),
            )
        })?;
    let mut nodes = Vec::new();
    for &(line, row) in lines.iter().skip(customer + 2) {
        let f: Vec<&str> = row.split_whitespace().collect();
        if f.len() < 7 {
            return Err(InputError::at(
                path,
                line,
                None,
                format!("a customer row needs 7 numbers, found {}", f.len()),
            ));
        }
        let mut v = [0.0; 7];
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = f[k]
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    InputError::at(
                        path,
                        line,
                        Some(
                            [
                                "CUST NO.",
                                "XCOORD.",
                                "YCOORD.",
                                "DEMAND",
                                "READY TIME",
                                "DUE DATE",
                                "SERVICE TIME",
                            ][k],
                        ),
                        format!("'{}' is not a number", f[k]),
                    )
                })?;
        }
        if v[5] < v[4] {
            return Err(InputError::at(
                path,
                line,
                Some("DUE DATE"),
                "the due date is before the ready time",
            ));
        }
        nodes.push(SolomonNode {
            id: v[0] as usize,
            x: v[1],
            y: v[2],
            demand: v[3],
            ready: v[4],
            due: v[5],
            service: v[6],
        });
    }
    if nodes.len() < 2 {
        return Err(InputError::file(path, "no customers listed"));
    }
    if nodes[0].id != 0 {
        return Err(InputError::file(
            path,
            format!(
                "the first customer row is {}, expected the depot 0",
                nodes[0].id
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = nodes.iter().find(|n| !seen.insert(n.id)) {
        return Err(InputError::file(
            path,
            format!("customer {} is listed twice", dup.id),
        ));
    }
    Ok(SolomonInstance {
        name,
        vehicles,
        capacity,
        nodes,
    })
}
