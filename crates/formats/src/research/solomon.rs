//! Solomon VRPTW instances: a name, a `VEHICLE` section (`NUMBER CAPACITY`),
//! then a `CUSTOMER` table `CUST NO. XCOORD. YCOORD. DEMAND READY_TIME DUE_DATE
//! SERVICE_TIME`; customer 0 is the depot. Distances are unrounded Euclidean.

use std::collections::HashMap;
use std::path::Path;

use super::check::{read_text, At, MAX_ID, MAX_NODES, MAX_VEHICLES};
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

/// Column names of the customer table, in order.
const COLUMNS: [&str; 7] = [
    "CUST NO.",
    "XCOORD.",
    "YCOORD.",
    "DEMAND",
    "READY TIME",
    "DUE DATE",
    "SERVICE TIME",
];

/// Reads a Solomon file; errors name the line and field. The fleet is 1 to
/// 10,000 vehicles of a positive capacity; customer numbers are whole numbers
/// up to 1e9, each listed once, the depot 0 first; coordinates are within
/// ±1e9; demands, times and service times are ≥ 0; at most 1,000,000 rows.
pub fn read_solomon(path: &Path) -> Result<SolomonInstance, InputError> {
    let text = read_text(path)?;
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
    let at = At { path, line };
    let f: Vec<&str> = fleet.split_whitespace().collect();
    if f.len() < 2 {
        return Err(at.error(
            ["NUMBER", "CAPACITY"][f.len()],
            format!("expected `number capacity`, found '{fleet}'"),
        ));
    }
    let vehicles = at.count("NUMBER", Some(f[0]), 1, MAX_VEHICLES)?;
    let capacity = at.quantity("CAPACITY", Some(f[1]))?;
    if capacity == 0.0 {
        return Err(at.error("CAPACITY", "a vehicle with no capacity serves no one"));
    }
    let mut nodes: Vec<SolomonNode> = Vec::new();
    let mut seen: HashMap<usize, u64> = HashMap::new();
    for &(line, row) in lines.iter().skip(customer + 2) {
        let at = At { path, line };
        let f: Vec<&str> = row.split_whitespace().collect();
        if f.len() < 7 {
            return Err(at.error(
                COLUMNS[f.len()],
                format!("a customer row needs 7 numbers, found {}", f.len()),
            ));
        }
        if nodes.len() as u64 >= MAX_NODES {
            return Err(at.error(COLUMNS[0], format!("more than {MAX_NODES} rows")));
        }
        let id = at.count(COLUMNS[0], Some(f[0]), 0, MAX_ID)?;
        if nodes.is_empty() && id != 0 {
            return Err(at.error(
                COLUMNS[0],
                format!("the first customer row is {id}, expected the depot 0"),
            ));
        }
        if let Some(first) = seen.insert(id, line) {
            return Err(at.error(
                COLUMNS[0],
                format!("customer {id} is already listed at line {first}"),
            ));
        }
        let x = at.coordinate(COLUMNS[1], Some(f[1]))?;
        let y = at.coordinate(COLUMNS[2], Some(f[2]))?;
        let mut v = [0.0; 4];
        for (k, slot) in v.iter_mut().enumerate() {
            *slot = at.quantity(COLUMNS[3 + k], Some(f[3 + k]))?;
        }
        let [demand, ready, due, service] = v;
        if due < ready {
            return Err(at.error(COLUMNS[5], "the due date is before the ready time"));
        }
        nodes.push(SolomonNode {
            id,
            x,
            y,
            demand,
            ready,
            due,
            service,
        });
    }
    if nodes.len() < 2 {
        return Err(InputError::file(path, "no customers listed"));
    }
    Ok(SolomonInstance {
        name,
        vehicles,
        capacity,
        nodes,
    })
}
