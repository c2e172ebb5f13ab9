//! `territory matrix`: a road travel-time matrix for other tools.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use territory_formats::{
    check_output, read_points, to_json_bytes, write_file_atomically, OutputKind,
};
use territory_roads::{ImportOptions, MatrixOptions, RoadNetwork, DEFAULT_SNAP_KM};

use crate::flags::{Chatter, ReadFlags};
use crate::progress::StderrProgress;
use crate::road_args::{matrix_cache, road_failure};
use crate::{print_json, Failure};

/// Arguments of `territory matrix`.
#[derive(Args)]
#[command(after_help = "Examples:
  territory matrix --osm porto.osm.pbf --points stops.csv --out matrix.json
  territory matrix --osm andorra.osm.pbf --points stops.csv --out matrix.csv --json

Points: CSV with id, lat, lon. Output by extension: .json holds ids, minutes
and km as square arrays (row = from, column = to); .csv holds one row per pair
(from, to, minutes, km). Points farther than 1 km from any road are listed
(their off-road leg is timed at 15 km/h). Matrices are cached on disk, keyed
by the extract's bytes and the points.")]
pub(crate) struct MatrixArgs {
    /// OpenStreetMap extract (.osm.pbf).
    #[arg(long, value_name = "FILE")]
    osm: PathBuf,
    /// Points: CSV with id, lat, lon.
    #[arg(long, value_name = "FILE")]
    points: PathBuf,
    /// Output file: .json (square arrays) or .csv (one row per pair); never one of the inputs.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    read: ReadFlags,
    /// Folder for cached road matrices (default ~/.cache/territory).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compute afresh, without the cache.
    #[arg(long)]
    no_cache: bool,
    #[command(flatten)]
    pub chatter: Chatter,
}

/// Most points of one matrix: its n² entries must fit in memory and on disk.
const MAX_POINTS: usize = 10_000;

/// The `.json` matrix file.
#[derive(Serialize)]
struct MatrixFile<'a> {
    ids: Vec<&'a str>,
    /// `minutes[from][to]`.
    minutes: Vec<Vec<f64>>,
    /// `km[from][to]`, along the fastest path.
    km: Vec<Vec<f64>>,
    /// Ids of points farther than 1 km from any road.
    far_from_road: Vec<&'a str>,
}

/// The `--json` output of `territory matrix`.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct MatrixSummary {
    command: &'static str,
    out: String,
    points: usize,
    road_nodes: usize,
    far_from_road: Vec<String>,
    from_cache: bool,
    elapsed_ms: u64,
}

pub(crate) fn run(args: MatrixArgs) -> Result<(), Failure> {
    let progress = StderrProgress::new(args.chatter);
    check_output(&args.out, OutputKind::File, &[&args.points, &args.osm])?;
    let json_out = match args.out.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("csv") => false,
        _ => {
            return Err(Failure::Input(format!(
                "--out {}: use a .json or .csv file name",
                args.out.display()
            )))
        }
    };
    territory::Progress::phase(&progress, "reading points");
    let points = read_points(&args.points, &args.read.options()?)?;
    if points.len() > MAX_POINTS {
        return Err(Failure::Input(format!(
            "{}: {} points; a matrix holds at most {MAX_POINTS} (split the points, or use `routes`/`plan`, which compute only the legs they need)",
            args.points.display(),
            points.len()
        )));
    }
    territory::Progress::phase(&progress, "reading road network");
    let net = RoadNetwork::from_pbf(&args.osm, &ImportOptions::default()).map_err(road_failure)?;
    let coords: Vec<(f64, f64)> = points.iter().map(|(_, l)| (l.lat, l.lon)).collect();
    let snap = net.snap(&coords, DEFAULT_SNAP_KM);
    territory::Progress::phase(&progress, "travel matrix");
    let options = MatrixOptions::default();
    let cache = matrix_cache(args.cache_dir.as_deref(), args.no_cache);
    let (matrix, from_cache) = match cache.as_ref().map(|c| c.matrix(&net, &snap, &options)) {
        Some(Ok(cached)) => (cached.matrix, cached.from_cache),
        Some(Err(e)) => {
            progress.warn(&format!(
                "matrix cache unusable ({e}); computing without it"
            ));
            (net.matrix_with(&snap, &options), false)
        }
        None => (net.matrix_with(&snap, &options), false),
    };
    let n = points.len();
    let ids: Vec<&str> = points.iter().map(|(id, _)| id.as_str()).collect();
    let far: Vec<&str> = snap.far.iter().map(|&i| ids[i]).collect();
    if !far.is_empty() {
        progress.warn(&format!(
            "{} points lie more than {DEFAULT_SNAP_KM} km from any road: {}",
            far.len(),
            far.join(", ")
        ));
    }
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let bytes = if json_out {
        to_json_bytes(&MatrixFile {
            ids: ids.clone(),
            minutes: (0..n)
                .map(|a| (0..n).map(|b| round(matrix.time_min(a, b))).collect())
                .collect(),
            km: (0..n)
                .map(|a| (0..n).map(|b| round(matrix.dist_km(a, b))).collect())
                .collect(),
            far_from_road: far.clone(),
        })
    } else {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Failure::Internal(e.to_string());
        w.write_record(["from", "to", "minutes", "km"])
            .map_err(io)?;
        for a in 0..n {
            for b in 0..n {
                w.write_record([
                    ids[a],
                    ids[b],
                    &format!("{:.3}", matrix.time_min(a, b)),
                    &format!("{:.3}", matrix.dist_km(a, b)),
                ])
                .map_err(io)?;
            }
        }
        w.into_inner()
            .map_err(|e| Failure::Internal(e.to_string()))?
    };
    write_file_atomically(&args.out, &bytes)
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", args.out.display())))?;
    let summary = MatrixSummary {
        command: "matrix",
        out: args.out.display().to_string(),
        points: n,
        road_nodes: net.node_count(),
        far_from_road: far.iter().map(|s| s.to_string()).collect(),
        from_cache,
        elapsed_ms: progress.elapsed_ms(),
    };
    if args.chatter.json {
        print_json(&summary)?;
    }
    progress.done(&format!(
        "matrix: {n} × {n} road travel times{} → {}",
        if from_cache { " (from the cache)" } else { "" },
        summary.out
    ));
    Ok(())
}
