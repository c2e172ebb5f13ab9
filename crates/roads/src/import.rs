//! OpenStreetMap `.osm.pbf` import: which ways a car may drive, how fast and in
//! which direction.

use std::path::Path;

use osmpbf::{Element, ElementReader};

use crate::RoadError;

/// What to import from an extract and how to time it.
///
/// The defaults follow a conventional car profile (close to OSRM's `car.lua`):
///
/// | `highway` | km/h | | `highway` | km/h |
/// |---|---:|---|---|---:|
/// | motorway | 90 | | motorway_link | 45 |
/// | trunk | 85 | | trunk_link | 40 |
/// | primary | 65 | | primary_link | 30 |
/// | secondary | 55 | | secondary_link | 25 |
/// | tertiary | 40 | | tertiary_link | 20 |
/// | unclassified | 25 | | residential | 25 |
/// | road | 25 | | living_street | 10 |
/// | service | 15 | | track, pedestrian, ... (only with `motor_vehicle=yes`) | 10 |
///
/// A parseable `maxspeed` (`"50"`, `"50 km/h"`, `"30 mph"`, `"FR:urban"`,
/// `"DE:rural"`, `"RU:motorway"`, `"walk"`, ...) replaces the class default,
/// scaled by [`maxspeed_factor`](Self::maxspeed_factor) because traffic rarely
/// drives at the posted limit; `maxspeed=none`/`signals`/unparseable values keep
/// the class default. `maxspeed:forward`/`:backward` are not read.
///
/// Fixed rules (not options): `area=yes` and `access`/`vehicle`/`motor_vehicle`/
/// `motorcar` = `no`/`private`/`agricultural`/`forestry`/`delivery` exclude a
/// way (the most specific of those tags decides, so `access=no` +
/// `motor_vehicle=yes` is drivable); footway, path, cycleway, steps,
/// pedestrian, track, bridleway and busway only count with an explicit car
/// access `yes`/`designated`/`permissive`/`destination`. One-way:
/// `oneway=yes/1/true` forward, `-1`/`reverse` backward, `no/0/false` both
/// ways; otherwise `junction=roundabout/circular`, `highway=motorway` and
/// `motorway_link` imply forward. `oneway=reversible/alternating` ways are
/// skipped. Ferries, turn restrictions, barriers and traffic signals are not
/// read.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// Import `highway=service` ways (default `true`): many accounts sit on them.
    pub service_roads: bool,
    /// Skip `service=parking_aisle`, `drive-through` and `emergency_access`
    /// (default `true`): they are not through roads and attract snapping into car
    /// parks. Driveways are kept since they lead to the door.
    pub skip_minor_service: bool,
    /// Multiplier applied to a posted `maxspeed` (default 0.8).
    pub maxspeed_factor: f64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            service_roads: true,
            skip_minor_service: true,
            maxspeed_factor: 0.8,
        }
    }
}

impl ImportOptions {
    /// A stable fingerprint of the options, part of the matrix cache key.
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::cache::Fnv1a::new();
        h.write(b"import-v1");
        h.write(&[self.service_roads as u8, self.skip_minor_service as u8]);
        h.write(&self.maxspeed_factor.to_bits().to_le_bytes());
        h.finish()
    }
}

/// Default speed in km/h for a `highway` value, `None` if cars don't use it
/// by default.
pub(crate) fn class_speed(highway: &str) -> Option<f64> {
    Some(match highway {
        "motorway" => 90.0,
        "motorway_link" => 45.0,
        "trunk" => 85.0,
        "trunk_link" => 40.0,
        "primary" => 65.0,
        "primary_link" => 30.0,
        "secondary" => 55.0,
        "secondary_link" => 25.0,
        "tertiary" => 40.0,
        "tertiary_link" => 20.0,
        "unclassified" | "residential" | "road" => 25.0,
        "living_street" => 10.0,
        "service" => 15.0,
        _ => return None,
    })
}

/// Classes closed to cars unless tagged `motor_vehicle=yes` / `motorcar=yes`.
fn non_car_class(highway: &str) -> bool {
    matches!(
        highway,
        "footway" | "path" | "cycleway" | "steps" | "pedestrian" | "track" | "bridleway" | "busway"
    )
}

/// Parses an OSM `maxspeed` value to km/h.
///
/// ```
/// use territory_roads::parse_maxspeed;
/// assert_eq!(parse_maxspeed("50"), Some(50.0));
/// assert_eq!(parse_maxspeed("50 km/h"), Some(50.0));
/// assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
/// assert_eq!(parse_maxspeed("FR:urban"), Some(50.0));
/// assert_eq!(parse_maxspeed("none"), None);
/// ```
pub fn parse_maxspeed(value: &str) -> Option<f64> {
    let v = value.trim();
    // Several values ("50;30") — take the first.
    let v = v.split(';').next().unwrap_or(v).trim();
    if let Some((_, kind)) = v.split_once(':') {
        // Implicit limits, "XX:urban" style; values differ per country, these
        // are the common European ones.
        return match kind.trim() {
            "urban" | "zone30" => Some(if kind.contains("30") { 30.0 } else { 50.0 }),
            "rural" => Some(90.0),
            "trunk" => Some(100.0),
            "motorway" => Some(120.0),
            "living_street" => Some(20.0),
            "zone20" => Some(20.0),
            "walk" => Some(6.0),
            _ => None,
        };
    }
    if v == "walk" {
        return Some(6.0);
    }
    let digits: usize = v
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    let n: f64 = v[..digits].parse().ok()?;
    let unit = v[digits..].trim();
    let kmh = match unit {
        "" | "km/h" | "kmh" | "kph" => n,
        "mph" => n * 1.609_344,
        "knots" => n * 1.852,
        _ => return None,
    };
    (kmh > 0.0).then_some(kmh)
}

/// Travel direction allowed on a way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Both,
    Forward,
    Backward,
}

/// A drivable way: its nodes, speed and direction.
#[derive(Debug, Clone)]
pub(crate) struct WayRec {
    pub id: i64,
    pub refs: Vec<i64>,
    pub speed_kmh: f64,
    pub direction: Direction,
}

/// Decides whether a way with these tags is drivable; returns its speed and
/// direction if so.
pub(crate) fn classify<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)>,
    opts: &ImportOptions,
) -> Option<(f64, Direction)> {
    let (mut highway, mut maxspeed, mut oneway, mut junction) = (None, None, None, None);
    let (mut access, mut motor_vehicle, mut motorcar, mut vehicle) = (None, None, None, None);
    let (mut area, mut service) = (None, None);
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "maxspeed" => maxspeed = Some(v),
            "oneway" => oneway = Some(v),
            "junction" => junction = Some(v),
            "access" => access = Some(v),
            "motor_vehicle" => motor_vehicle = Some(v),
            "motorcar" => motorcar = Some(v),
            "vehicle" => vehicle = Some(v),
            "area" => area = Some(v),
            "service" => service = Some(v),
            _ => {}
        }
    }
    let highway = highway?;
    if area == Some("yes") {
        return None;
    }
    // The most specific access tag decides.
    let car_access = motorcar.or(motor_vehicle).or(vehicle).or(access);
    let allowed = |v: &str| matches!(v, "yes" | "designated" | "permissive" | "destination");
    let denied = |v: &str| {
        matches!(
            v,
            "no" | "private" | "agricultural" | "forestry" | "delivery"
        )
    };
    let mut speed = match class_speed(highway) {
        Some(s) => s,
        None if non_car_class(highway) && car_access.is_some_and(allowed) => 10.0,
        None => return None,
    };
    if car_access.is_some_and(denied) {
        return None;
    }
    if highway == "service" {
        if !opts.service_roads {
            return None;
        }
        if opts.skip_minor_service
            && matches!(
                service,
                Some("parking_aisle" | "drive-through" | "emergency_access")
            )
        {
            return None;
        }
    }
    if let Some(m) = maxspeed.and_then(parse_maxspeed) {
        speed = (m * opts.maxspeed_factor).clamp(3.0, 150.0);
    }
    let implied = highway == "motorway"
        || matches!(junction, Some("roundabout" | "circular"))
        || highway == "motorway_link";
    let direction = match oneway {
        Some("yes" | "1" | "true") => Direction::Forward,
        Some("-1" | "reverse") => Direction::Backward,
        Some("no" | "0" | "false") => Direction::Both,
        // Reversible roads change direction by time of day: unusable for a plan.
        Some("reversible" | "alternating") => return None,
        _ if implied => Direction::Forward,
        _ => Direction::Both,
    };
    Some((speed, direction))
}

/// Raw import: drivable ways (sorted by id) and the coordinates of their nodes.
pub(crate) struct RawNetwork {
    pub ways: Vec<WayRec>,
    /// Sorted, deduplicated OSM ids of the nodes the ways use.
    pub node_ids: Vec<i64>,
    /// `(lat, lon)` per entry of `node_ids`; NaN if the extract lacks the node.
    pub coords: Vec<(f64, f64)>,
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> RoadError {
    RoadError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Runs a decoding step, turning a panic inside the decoder into a read error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, RoadError>) -> Result<T, RoadError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "decoder panicked".into());
            Err(read_error(path, format!("malformed data: {msg}")))
        }
    }
}

fn open(path: &Path) -> Result<ElementReader<std::io::BufReader<std::fs::File>>, RoadError> {
    ElementReader::from_path(path).map_err(|e| match e.into_kind() {
        osmpbf::ErrorKind::Io(source) => RoadError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => read_error(path, format!("{other:?}")),
    })
}

/// Two passes over the file: drivable ways, then the nodes they reference.
pub(crate) fn read_pbf(path: &Path, opts: &ImportOptions) -> Result<RawNetwork, RoadError> {
    let mut ways = guarded(path, || {
        open(path)?
            .par_map_reduce(
                |el| match el {
                    Element::Way(w) => match classify(w.tags(), opts) {
                        Some((speed_kmh, direction)) => {
                            let refs: Vec<i64> = w.refs().collect();
                            if refs.len() < 2 {
                                return Vec::new();
                            }
                            vec![WayRec {
                                id: w.id(),
                                refs,
                                speed_kmh,
                                direction,
                            }]
                        }
                        None => Vec::new(),
                    },
                    _ => Vec::new(),
                },
                Vec::new,
                |mut a, mut b| {
                    if a.len() < b.len() {
                        std::mem::swap(&mut a, &mut b);
                    }
                    a.append(&mut b);
                    a
                },
            )
            .map_err(|e| read_error(path, e))
    })?;
    // Blocks are decoded in parallel: restore a deterministic order.
    ways.sort_unstable_by_key(|w| w.id);
    ways.dedup_by_key(|w| w.id);

    let mut node_ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    node_ids.sort_unstable();
    node_ids.dedup();

    let found: Vec<(u32, f64, f64)> = guarded(path, || {
        let ids = &node_ids;
        let lookup = |id: i64, lat: f64, lon: f64| match ids.binary_search(&id) {
            Ok(i) => vec![(i as u32, lat, lon)],
            Err(_) => Vec::new(),
        };
        open(path)?
            .par_map_reduce(
                |el| match el {
                    Element::DenseNode(n) => lookup(n.id(), n.lat(), n.lon()),
                    Element::Node(n) => lookup(n.id(), n.lat(), n.lon()),
                    _ => Vec::new(),
                },
                Vec::new,
                |mut a, mut b| {
                    if a.len() < b.len() {
                        std::mem::swap(&mut a, &mut b);
                    }
                    a.append(&mut b);
                    a
                },
            )
            .map_err(|e| read_error(path, e))
    })?;
    let mut coords = vec![(f64::NAN, f64::NAN); node_ids.len()];
    for (i, lat, lon) in found {
        coords[i as usize] = (lat, lon);
    }
    Ok(RawNetwork {
        ways,
        node_ids,
        coords,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cls(tags: &[(&'static str, &'static str)]) -> Option<(f64, Direction)> {
        classify(tags.iter().copied(), &ImportOptions::default())
    }

    #[test]
    fn classifies_ways() {
        assert_eq!(
            cls(&[("highway", "residential")]),
            Some((25.0, Direction::Both))
        );
        assert_eq!(
            cls(&[("highway", "motorway")]),
            Some((90.0, Direction::Forward))
        );
        assert_eq!(
            cls(&[("highway", "primary"), ("junction", "roundabout")]),
            Some((65.0, Direction::Forward))
        );
        assert_eq!(
            cls(&[("highway", "primary"), ("oneway", "-1")]),
            Some((65.0, Direction::Backward))
        );
        assert_eq!(
            cls(&[("highway", "motorway"), ("oneway", "no")]),
            Some((90.0, Direction::Both))
        );
        assert_eq!(
            cls(&[("highway", "primary"), ("maxspeed", "50")]),
            Some((40.0, Direction::Both))
        );
        assert_eq!(cls(&[("highway", "footway")]), None);
        assert_eq!(
            cls(&[("highway", "track"), ("motor_vehicle", "yes")]),
            Some((10.0, Direction::Both))
        );
        assert_eq!(
            cls(&[("highway", "residential"), ("access", "private")]),
            None
        );
        assert_eq!(
            cls(&[
                ("highway", "residential"),
                ("access", "no"),
                ("motor_vehicle", "yes")
            ]),
            Some((25.0, Direction::Both))
        );
        assert_eq!(cls(&[("highway", "pedestrian"), ("area", "yes")]), None);
        assert_eq!(
            cls(&[("highway", "service"), ("service", "parking_aisle")]),
            None
        );
        assert!(cls(&[("highway", "service"), ("service", "driveway")]).is_some());
        assert_eq!(cls(&[("building", "yes")]), None);
    }

    #[test]
    fn parses_maxspeed() {
        assert_eq!(parse_maxspeed("DE:rural"), Some(90.0));
        assert_eq!(parse_maxspeed("DE:zone30"), Some(30.0));
        assert_eq!(parse_maxspeed("50;30"), Some(50.0));
        assert_eq!(parse_maxspeed("signals"), None);
        assert_eq!(parse_maxspeed("0"), None);
        assert_eq!(parse_maxspeed("10 knots"), Some(18.52));
    }
}
