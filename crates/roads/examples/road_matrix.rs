//! Benchmark: import an extract, build a matrix over N sampled points with the
//! contraction hierarchy and with plain Dijkstra, and compare with
//! `petgraph::algo::dijkstra` from every source.
//!
//! `cargo run --release -p territory-roads --example road_matrix -- andorra.osm.pbf 2000`
#![allow(clippy::print_stdout)]

use std::time::Instant;

use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;
use territory_roads::{Algorithm, ImportOptions, MatrixCache, MatrixOptions, RoadNetwork};

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: road_matrix FILE.osm.pbf [N] [--no-baseline]")?;
    let n: usize = args.get(2).map_or(Ok(2000), |s| s.parse())?;
    let baseline = !args.iter().any(|a| a == "--no-baseline");
    println!("threads: {}", rayon::current_num_threads());

    let t = Instant::now();
    let net = RoadNetwork::from_pbf(path, &ImportOptions::default())?;
    let t_import = t.elapsed().as_secs_f64();
    println!("{:?}", net.stats());
    println!(
        "import + graph build: {t_import:.3} s ({} nodes, {} edges in the largest SCC)",
        net.node_count(),
        net.edge_count()
    );

    // N points: random road nodes (seed 42) moved up to ~110 m off the road.
    let mut seed = 42u64;
    let points: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            let v = (splitmix(&mut seed) % net.node_count() as u64) as u32;
            let (lat, lon) = net.coord(v);
            let j = |s: &mut u64| (splitmix(s) % 2001) as f64 / 1000.0 - 1.0;
            (lat + j(&mut seed) * 0.001, lon + j(&mut seed) * 0.001)
        })
        .collect();
    let t = Instant::now();
    let snap = net.snap(&points, 1.0);
    println!(
        "snap {n} points: {:.3} s ({} beyond 1 km)",
        t.elapsed().as_secs_f64(),
        snap.far.len()
    );

    let t = Instant::now();
    net.prepare();
    let t_ch = t.elapsed().as_secs_f64();
    println!(
        "contraction hierarchy: {t_ch:.3} s ({} shortcuts)",
        net.shortcut_count()
    );
    let t = Instant::now();
    let m_ch = net.matrix(&snap);
    let t_q = t.elapsed().as_secs_f64();
    println!(
        "matrix {n}x{n} (CH queries): {t_q:.3} s; CH total {:.3} s",
        t_q + t_ch
    );
    println!(
        "peak memory (VmHWM) after import + CH + one matrix: {:.0} MB",
        peak_mb()
    );

    let t = Instant::now();
    let m_dj = net.matrix_with(
        &snap,
        &MatrixOptions {
            algorithm: Algorithm::Dijkstra,
            ..Default::default()
        },
    );
    let t_dj = t.elapsed().as_secs_f64();
    println!("matrix {n}x{n} (parallel Dijkstra on CSR): {t_dj:.3} s");
    println!("CH and Dijkstra matrices identical: {}", m_ch == m_dj);
    drop(m_dj);

    // Disk cache: a cold store, then a hit from the extract alone (hash the
    // file, read the matrix; no import, no routing).
    let dir = std::env::temp_dir().join(format!("territory-roads-bench-{}", std::process::id()));
    let cache = MatrixCache::new(&dir);
    let t = Instant::now();
    let stored = cache.matrix(&net, &snap, &MatrixOptions::default())?;
    let t_store = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let hit = cache.matrix_for_extract(
        path.as_ref(),
        &ImportOptions::default(),
        &points,
        &MatrixOptions::default(),
    )?;
    println!(
        "cache: store {t_store:.3} s ({:.0} MB file), hit from the extract {:.3} s (from cache: {}, identical: {})",
        std::fs::metadata(&stored.path)?.len() as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        hit.from_cache,
        hit.matrix == m_ch
    );
    drop(hit);
    std::fs::remove_dir_all(&dir).ok();
    println!("peak memory (VmHWM) before baseline: {:.0} MB", peak_mb());

    if baseline {
        let t = Instant::now();
        let mut g = DiGraph::<(), u64>::with_capacity(net.node_count(), net.edge_count());
        for _ in 0..net.node_count() {
            g.add_node(());
        }
        for e in net.edges() {
            let w = ((e.time_ms as u64) << 32) | e.dist_cm as u64;
            g.add_edge(
                NodeIndex::new(e.from as usize),
                NodeIndex::new(e.to as usize),
                w,
            );
        }
        let rows: Vec<Vec<u64>> = snap
            .nodes
            .par_iter()
            .map(|&s| {
                let d =
                    petgraph::algo::dijkstra(&g, NodeIndex::new(s as usize), None, |e| *e.weight());
                snap.nodes
                    .iter()
                    .map(|&t| d[&NodeIndex::new(t as usize)])
                    .collect()
            })
            .collect();
        let t_pg = t.elapsed().as_secs_f64();
        let mut same = true;
        for a in 0..n {
            for b in 0..n {
                if a != b && snap.nodes[a] != snap.nodes[b] {
                    let road = (rows[a][b] >> 32) as f64 / 60_000.0;
                    let ours = m_ch.time_min(a, b)
                        - (snap.offroad_km[a] + snap.offroad_km[b]) / 15.0 * 60.0;
                    same &= (road - ours).abs() < 1e-6;
                }
            }
        }
        println!(
            "baseline petgraph::algo::dijkstra x{n} (rayon): {t_pg:.3} s; agrees: {same}; \
             CH total is {:.1}x faster, CSR Dijkstra {:.1}x",
            t_pg / (t_q + t_ch),
            t_pg / t_dj
        );
    }
    println!("peak memory (VmHWM): {:.0} MB", peak_mb());
    Ok(())
}
