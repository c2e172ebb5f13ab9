//! The fastest route between two positions, as GeoJSON on stdout.
//!
//! `cargo run --release -p territory-roads --example route -- andorra.osm.pbf 42.5063 1.5218 42.5425 1.7336`
#![allow(clippy::print_stdout)]

use territory_roads::{ImportOptions, RoadNetwork, DEFAULT_SNAP_KM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 6 {
        return Err("usage: route FILE.osm.pbf LAT1 LON1 LAT2 LON2".into());
    }
    let net = RoadNetwork::from_pbf(&a[1], &ImportOptions::default())?;
    let points = [
        (a[2].parse()?, a[3].parse()?),
        (a[4].parse()?, a[5].parse()?),
    ];
    let snap = net.snap(&points, DEFAULT_SNAP_KM);
    for &i in &snap.far {
        eprintln!(
            "warning: point {i} is {:.2} km from the nearest road",
            snap.offroad_km[i]
        );
    }
    let m = net.matrix(&snap);
    let p = net.point_path(&snap, 0, 1).ok_or("no route")?;
    eprintln!(
        "there: {:.1} min, {:.2} km ({} vertices); back: {:.1} min, {:.2} km",
        p.time_min,
        p.dist_km,
        p.coords.len(),
        m.time_min(1, 0),
        m.dist_km(1, 0)
    );
    let coords: Vec<String> = p
        .coords
        .iter()
        .map(|(lat, lon)| format!("[{lon:.7},{lat:.7}]"))
        .collect();
    println!(
        r#"{{"type":"Feature","properties":{{"minutes":{:.2},"km":{:.3}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
        p.time_min,
        p.dist_km,
        coords.join(",")
    );
    Ok(())
}
