//! TSPLIB `.tsp` files with `EDGE_WEIGHT_TYPE: EUC_2D` and a `NODE_COORD_SECTION`
//! (`id x y` per line). Distances are `nint(sqrt(dx² + dy²))`.

use std::collections::HashMap;
use std::path::Path;

use super::check::{read_text, At, MAX_ID, MAX_NODES};
use crate::error::InputError;

/// A parsed instance.
#[derive(Debug, Clone, PartialEq)]
pub struct TsplibInstance {
    /// `NAME`, or the file stem.
    pub name: String,
    /// Node ids in file order.
    pub ids: Vec<usize>,
    /// Coordinates in file order.
    pub points: Vec<[f64; 2]>,
}

/// Reads a TSPLIB file; errors name the line and field. Node ids are whole
/// numbers up to 1e9, each listed once; coordinates are within ±1e9; at most
/// 1,000,000 nodes.
pub fn read_tsplib(path: &Path) -> Result<TsplibInstance, InputError> {
    let text = read_text(path)?;
    let mut name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    // (count, its line)
    let mut dimension: Option<(usize, u64)> = None;
    let mut in_coords = false;
    let (mut ids, mut points) = (Vec::new(), Vec::new());
    let mut seen: HashMap<usize, u64> = HashMap::new();
    for (k, raw) in text.lines().enumerate() {
        let line_no = k as u64 + 1;
        let at = At {
            path,
            line: line_no,
        };
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if line == "EOF" {
            break;
        }
        if !in_coords {
            let (key, value) = match line.split_once(':') {
                Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim()),
                None => (line.to_ascii_uppercase(), ""),
            };
            match key.as_str() {
                "NAME" => name = value.to_string(),
                "DIMENSION" => {
                    let d = at.count("DIMENSION", Some(value), 0, MAX_NODES)?;
                    dimension = Some((d, line_no));
                }
                "EDGE_WEIGHT_TYPE" if value != "EUC_2D" => {
                    return Err(at.error(
                        "EDGE_WEIGHT_TYPE",
                        format!("'{value}' is not supported (only EUC_2D)"),
                    ))
                }
                "TYPE" if value != "TSP" => {
                    return Err(at.error("TYPE", format!("'{value}' is not supported (only TSP)")))
                }
                "NODE_COORD_SECTION" => in_coords = true,
                _ => {}
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            return Err(at.error(
                ["id", "x", "y"][f.len()],
                format!("expected `id x y`, found '{line}'"),
            ));
        }
        // Refused before storing, so a huge file cannot grow the lists past the limit.
        let limit = dimension.map_or(MAX_NODES as usize, |(d, _)| d);
        if points.len() >= limit {
            return Err(at.error(
                "id",
                match dimension {
                    Some((d, l)) => {
                        format!("DIMENSION (line {l}) says {d} nodes; this is one more")
                    }
                    None => format!("more than {MAX_NODES} nodes"),
                },
            ));
        }
        let id = at.count("id", Some(f[0]), 0, MAX_ID)?;
        if let Some(first) = seen.insert(id, line_no) {
            return Err(at.error("id", format!("node {id} is already listed at line {first}")));
        }
        ids.push(id);
        points.push([
            at.coordinate("x", Some(f[1]))?,
            at.coordinate("y", Some(f[2]))?,
        ]);
    }
    if !in_coords {
        return Err(InputError::file(path, "no NODE_COORD_SECTION found"));
    }
    if let Some((d, line)) = dimension {
        if d != points.len() {
            return Err(InputError::at(
                path,
                line,
                Some("DIMENSION"),
                format!("DIMENSION says {d} nodes but {} are listed", points.len()),
            ));
        }
    }
    if points.len() < 3 {
        return Err(InputError::file(
            path,
            format!("{} nodes; a tour needs at least 3", points.len()),
        ));
    }
    Ok(TsplibInstance { name, ids, points })
}
