//! Accounts from GeoJSON: points as accounts, polygons as basic areas (postcodes,
//! districts) placed at an interior point, neighbours where boundaries meet.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use geo::{Centroid, Contains, InteriorPoint, MultiPolygon};
use geojson::Value;
use territory::Location;

use crate::accounts::{account_from_cells, AccountsFile, KNOWN};
use crate::error::InputError;
use crate::source::Input;
use crate::table::Cells;

/// Where a polygon unit is placed for distances and compactness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnitLocation {
    /// The polygon's centroid when it lies inside it, else an interior point.
    #[default]
    Centroid,
    /// Always an interior point (guaranteed inside, not the centre of mass).
    Interior,
}

/// A feature's properties as text cells; errors name the feature number.
struct Properties<'a> {
    path: &'a Path,
    feature: u64,
    cells: HashMap<String, String>,
}

impl Cells for Properties<'_> {
    fn text(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    fn error(&self, column: &str, message: String) -> InputError {
        InputError::in_feature(self.path, self.feature, Some(column), message)
    }

    fn present(&self) -> Option<Vec<&str>> {
        Some(self.cells.keys().map(String::as_str).collect())
    }
}

/// Reads a GeoJSON FeatureCollection of points or (multi)polygons.
///
/// The account id is the property `id_property` (default `id`), else the
/// feature's own `id`. Other properties follow the accounts CSV columns. For
/// polygons, two areas are neighbours when their boundaries share at least two
/// vertices (a common edge, not a single corner). Errors give the feature
/// number (1-based) in place of a line.
pub fn read_accounts_geojson(
    path: &Path,
    id_property: Option<&str>,
    location: UnitLocation,
) -> Result<AccountsFile, InputError> {
    read_accounts_geojson_from(&Input::open(path)?, id_property, location)
}

/// As [`read_accounts_geojson`], from an [`Input`]: bytes from any reader, named
/// in errors as the file would be.
pub fn read_accounts_geojson_from(
    input: &Input,
    id_property: Option<&str>,
    location: UnitLocation,
) -> Result<AccountsFile, InputError> {
    let path = input.path();
    let bytes = input.bytes();
    let text = crate::source::decode(path, bytes, crate::Encoding::Utf8)?;
    if text.trim().is_empty() {
        return Err(InputError::file(
            path,
            "the file is empty; expected a GeoJSON FeatureCollection",
        ));
    }
    // Editors on Windows often start UTF-8 files with a byte-order mark.
    // JSON is parsed first (its errors have a line), then each feature on its
    // own, so a bad one is named by its number.
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| {
            InputError::at(
                path,
                e.line() as u64,
                None,
                format!("not valid GeoJSON, the JSON text is broken: {e}"),
            )
        })?;
    let kind = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let raw: Vec<serde_json::Value> = match (kind.as_deref(), value) {
        (Some("FeatureCollection"), serde_json::Value::Object(mut o)) => {
            match o.remove("features") {
                Some(serde_json::Value::Array(f)) => f,
                _ => {
                    return Err(InputError::file(
                        path,
                        "the FeatureCollection has no `features` list",
                    ))
                }
            }
        }
        (Some("Feature"), v) => vec![v],
        (Some(other), _) => {
            return Err(InputError::file(
                path,
                format!("expected a FeatureCollection of accounts, found a GeoJSON {other}"),
            ))
        }
        (None, _) => return Err(InputError::file(
            path,
            "expected a GeoJSON FeatureCollection (an object with \"type\": \"FeatureCollection\")",
        )),
    };
    let mut features = Vec::with_capacity(raw.len());
    for (k, v) in raw.into_iter().enumerate() {
        let feature = geojson::Feature::from_json_value(v).map_err(|e| {
            InputError::in_feature(path, k as u64 + 1, None, plain_geojson_error(&e))
        })?;
        features.push(feature);
    }
    if features.is_empty() {
        return Err(InputError::file(
            path,
            "the FeatureCollection has no features",
        ));
    }
    let id_key = id_property.unwrap_or("id").to_ascii_lowercase();
    let mut out = AccountsFile {
        accounts: Vec::new(),
        lines: Vec::new(),
        features: true,
        sheet: None,
        text_columns: BTreeMap::new(),
        shapes: Vec::new(),
        adjacency: None,
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut any_polygon = false;
    for (k, feature) in features.iter().enumerate() {
        let number = k as u64 + 1;
        let mut cells = HashMap::new();
        for (key, value) in feature.properties.iter().flatten() {
            let text = match value {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            let lower = key.trim().to_ascii_lowercase();
            if cells.insert(lower.clone(), text).is_some() {
                return Err(InputError::in_feature(
                    path,
                    number,
                    Some(key),
                    format!("property '{key}' repeats another one spelled with different case ('{lower}'); column names are case-insensitive"),
                ));
            }
        }
        if !cells.contains_key(&id_key) {
            if let Some(id) = &feature.id {
                let id = match id {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                };
                cells.insert(id_key.clone(), id);
            }
        }
        let props = Properties {
            path,
            feature: number,
            cells,
        };
        let id = props.required(&id_key)?.to_string();
        if let Some(first) = seen.insert(id.clone(), number) {
            return Err(props.error(
                &id_key,
                format!("duplicate id '{id}' (first in feature {first})"),
            ));
        }
        let geometry = feature
            .geometry
            .as_ref()
            .ok_or_else(|| props.error("geometry", "the feature has no geometry".into()))?;
        let (location, shape) = match &geometry.value {
            Value::Point(p) if p.len() >= 2 => (Location::new(p[1], p[0]), None),
            Value::Polygon(_) | Value::MultiPolygon(_) => {
                any_polygon = true;
                let shape: MultiPolygon<f64> =
                    match geo::Geometry::<f64>::try_from(geometry.value.clone()) {
                        Ok(geo::Geometry::Polygon(p)) => MultiPolygon::new(vec![p]),
                        Ok(geo::Geometry::MultiPolygon(m)) => m,
                        _ => {
                            return Err(props.error("geometry", "the polygon cannot be read".into()))
                        }
                    };
                let interior = shape
                    .interior_point()
                    .ok_or_else(|| props.error("geometry", "the polygon is empty".into()))?;
                // The centroid (the districting convention) when it lies in the
                // area; a crescent's centroid may not, and then the interior point.
                let at = match (location, shape.centroid()) {
                    (UnitLocation::Centroid, Some(c)) if shape.contains(&c) => c,
                    _ => interior,
                };
                (Location::new(at.y(), at.x()), Some(shape))
            }
            other => {
                return Err(props.error(
                    "geometry",
                    format!(
                        "unsupported geometry {}; use Point, Polygon or MultiPolygon",
                        other.type_name()
                    ),
                ))
            }
        };
        if !location.is_valid() {
            return Err(props.error(
                "geometry",
                format!(
                    "position ({}, {}) is outside WGS84 lon/lat ranges",
                    location.lon, location.lat
                ),
            ));
        }
        let extra: Vec<String> = props
            .cells
            .keys()
            .filter(|k| !KNOWN.contains(&k.as_str()) && **k != id_key)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let account =
            account_from_cells(&props, id, location, &extra, number, &mut out.text_columns)?;
        out.accounts.push(account);
        out.lines.push(number);
        out.shapes.push(shape);
    }
    for column in out.text_columns.keys() {
        for a in &mut out.accounts {
            a.attributes.remove(column);
        }
    }
    if any_polygon {
        if let Some(k) = out.shapes.iter().position(Option::is_none) {
            return Err(InputError::in_feature(
                path,
                k as u64 + 1,
                Some("geometry"),
                "a point among polygons: give either areas (Polygon/MultiPolygon) or points, not both",
            ));
        }
        out.adjacency = Some(shared_boundary_pairs(&out.shapes));
    }
    Ok(out)
}

/// Pairs of shapes sharing at least two boundary vertices (coordinates rounded to ~1 cm).
pub fn shared_boundary_pairs(shapes: &[Option<MultiPolygon<f64>>]) -> Vec<(usize, usize)> {
    let mut owners: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, shape) in shapes.iter().enumerate() {
        let Some(shape) = shape else { continue };
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for c in &ring.0 {
                    let key = ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64);
                    let list = owners.entry(key).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
    }
    let mut shared: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for list in owners.values() {
        for (x, &a) in list.iter().enumerate() {
            for &b in &list[x + 1..] {
                if a != b {
                    *shared.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
    }
    shared
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(p, _)| p)
        .collect()
}

/// A GeoJSON library error in plain words (it speaks of `None` and Rust types).
fn plain_geojson_error(e: &geojson::Error) -> String {
    let text = e.to_string();
    if let Some(rest) = text.strip_prefix("Expected a GeoJSON property for `") {
        if let Some((name, _)) = rest.split_once('`') {
            return format!("the feature has no valid `{name}` member");
        }
    }
    format!(
        "not a valid GeoJSON feature: {}",
        text.replace(", but got None", ", but it is missing")
            .replace("None", "nothing")
    )
}
