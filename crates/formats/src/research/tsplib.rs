//! TSPLIB `.tsp` files with `EDGE_WEIGHT_TYPE: EUC_2D` and a `NODE_COORD_SECTION`
//! (`id x y` per line). Distances are `nint(sqrt(dx² + dy²))`.

use std::path::Path;

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

/// Reads a TSPLIB file; errors name the line.
pub fn read_tsplib(path: &Path) -> Result<TsplibInstance, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {e}")))?;
    let mut name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let mut dimension: Option<usize> = None;
    let mut in_coords = false;
    let (mut ids, mut points) = (Vec::new(), Vec::new());
    for (k, raw) in text.lines().enumerate() {
        let line_no = k as u64 + 1;
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
                    dimension = Some(value.parse().map_err(|_| {
                        InputError::at(
                            path,
                            line_no,
                            Some("DIMENSION"),
                            format!("'{value}' is not a count"),
                        )
                    })?)
                }
                "EDGE_WEIGHT_TYPE" if value != "EUC_2D" => {
                    return Err(InputError::at(
                        path,
                        line_no,
                        Some("EDGE_WEIGHT_TYPE"),
                        format!("'{value}' is not supported (only EUC_2D)"),
                    ))
                }
                "TYPE" if value != "TSP" => {
                    return Err(InputError::at(
                        path,
                        line_no,
                        Some("TYPE"),
                        format!("'{value}' is not supported (only TSP)"),
                    ))
                }
                "NODE_COORD_SECTION" => in_coords = true,
                _ => {}
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let parse = |i: usize, field: &str| -> Result<f64, InputError> {
            f.get(i)
                .and_then(|t| t.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    InputError::at(
                        path,
                        line_no,
                        Some(field),
                        format!("expected `id x y`, found '{line}'"),
                    )
                })
        };
        let id = parse(0, "id")?;
        if id < 0.0 || id.fract() != 0.0 {
            return Err(InputError::at(
                path,
                line_no,
                Some("id"),
                format!("'{}' is not a node id", f[0]),
            ));
        }
        ids.push(id as usize);
        points.push([parse(1, "x")?, parse(2, "y")?]);
    }
    if !in_coords {
        return Err(InputError::file(path, "no NODE_COORD_SECTION found"));
    }
    if points.len() < 3 {
        return Err(InputError::file(
            path,
            format!("{} nodes; a tour needs at least 3", points.len()),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|&&id| !seen.insert(id)) {
        return Err(InputError::file(
            path,
            format!("node {dup} is listed twice"),
        ));
    }
    if let Some(d) = dimension {
        if d != points.len() {
            return Err(InputError::file(
                path,
                format!("DIMENSION says {d} nodes but {} are listed", points.len()),
            ));
        }
    }
    Ok(TsplibInstance { name, ids, points })
}
