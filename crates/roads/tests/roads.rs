//! Road network tests on OSM extracts: Monaco (a fixture in `tests/data/osm/`)
//! and Andorra (shared reference data, skipped when absent).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use petgraph::graph::{DiGraph, NodeIndex};
use territory_roads::{
    haversine_m, Algorithm, ImportOptions, MatrixCache, MatrixOptions, RoadError, RoadNetwork,
    Snapping,
};
use territory_routing::TravelCost;

/// An extract kept in the repository as a fixture (`tests/data/osm/`).
fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/osm/"
    ))
    .join(name)
}

/// An extract of the shared reference data beside the repository, or `None`
/// with a visible notice on a fresh clone; `TERRITORY_REFERENCE_DATA=require`
/// makes absence a failure.
fn reference(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/osm/"
    ))
    .join(name);
    if p.exists() {
        return Some(p);
    }
    let required = std::env::var("TERRITORY_REFERENCE_DATA").is_ok_and(|v| v == "require");
    assert!(!required, "reference data missing: {}", p.display());
    // Written past the test harness's capture, so a passing run shows it too.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: reference data {} is absent (a fresh clone has no ../shared/data)",
        p.display()
    );
    None
}

fn monaco() -> &'static RoadNetwork {
    static NET: OnceLock<RoadNetwork> = OnceLock::new();
    NET.get_or_init(|| {
        RoadNetwork::from_pbf(data("monaco.osm.pbf"), &ImportOptions::default())
            .expect("monaco imports")
    })
}

/// Deterministic sample of node indices.
fn sample_nodes(net: &RoadNetwork, k: usize, seed: u64) -> Vec<u32> {
    let mut s = seed;
    (0..k)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % net.node_count() as u64) as u32
        })
        .collect()
}

/// The imported edges as a petgraph graph with packed (ms, cm) weights.
fn petgraph_of(net: &RoadNetwork) -> DiGraph<(), u64> {
    let mut g = DiGraph::with_capacity(net.node_count(), net.edge_count());
    for _ in 0..net.node_count() {
        g.add_node(());
    }
    for e in net.edges() {
        g.add_edge(
            NodeIndex::new(e.from as usize),
            NodeIndex::new(e.to as usize),
            ((e.time_ms as u64) << 32) | e.dist_cm as u64,
        );
    }
    g
}

/// Checks matrix entries between points placed on road nodes against
/// `petgraph::algo::dijkstra` on the same edges: time and distance.
fn check_against_petgraph(net: &RoadNetwork, nodes: &[u32], alg: Algorithm) {
    let points: Vec<(f64, f64)> = nodes.iter().map(|&v| net.coord(v)).collect();
    let snap = net.snap(&points, 1.0);
    assert!(snap.far.is_empty());
    let m = net.matrix_with(
        &snap,
        &MatrixOptions {
            algorithm: alg,
            ..Default::default()
        },
    );
    let g = petgraph_of(net);
    for (a, &s) in snap.nodes.iter().enumerate() {
        let d = petgraph::algo::dijkstra(&g, NodeIndex::new(s as usize), None, |e| *e.weight());
        for (b, &t) in snap.nodes.iter().enumerate() {
            if a == b {
                assert_eq!(m.cost(a, b), 0.0);
                continue;
            }
            let w = d[&NodeIndex::new(t as usize)];
            let (min, km) = ((w >> 32) as f64 / 60_000.0, (w & 0xffff_ffff) as f64 / 1e5);
            // Points sit on their nodes: no off-road leg.
            let off = snap.offroad_km[a] + snap.offroad_km[b];
            assert!(off < 1e-9);
            assert!(
                (m.time_min(a, b) - min).abs() < 1e-9,
                "{a}->{b}: {} vs {min}",
                m.time_min(a, b)
            );
            assert!((m.dist_km(a, b) - km).abs() < 1e-9, "{a}->{b}");
        }
    }
}

#[test]
fn monaco_matrix_matches_petgraph_dijkstra() {
    let net = monaco();
    assert!(net.node_count() > 5_000, "{:?}", net.stats());
    let nodes = sample_nodes(net, 25, 7);
    check_against_petgraph(net, &nodes, Algorithm::ContractionHierarchy);
    check_against_petgraph(net, &nodes, Algorithm::Dijkstra);
}

#[test]
fn andorra_matrix_matches_petgraph_dijkstra() {
    let Some(andorra) = reference("andorra.osm.pbf") else {
        return;
    };
    let net = RoadNetwork::from_pbf(andorra, &ImportOptions::default()).expect("andorra imports");
    assert!(net.node_count() > 10_000, "{:?}", net.stats());
    let nodes = sample_nodes(&net, 8, 11);
    check_against_petgraph(&net, &nodes, Algorithm::ContractionHierarchy);
}

#[test]
fn one_way_streets_are_honoured() {
    let net = monaco();
    let edges: Vec<_> = net.edges().collect();
    let pairs: HashSet<(u32, u32)> = edges.iter().map(|e| (e.from, e.to)).collect();
    let one_way: Vec<_> = edges
        .iter()
        .filter(|e| !pairs.contains(&(e.to, e.from)))
        .take(30)
        .collect();
    assert!(!one_way.is_empty(), "Monaco has one-way streets");
    let mut points = Vec::new();
    for e in &one_way {
        points.push(net.coord(e.from));
        points.push(net.coord(e.to));
    }
    let snap = net.snap(&points, 1.0);
    let m = net.matrix(&snap);
    let mut asymmetric = 0;
    for (i, e) in one_way.iter().enumerate() {
        let (a, b) = (2 * i, 2 * i + 1);
        if snap.nodes[a] != e.from || snap.nodes[b] != e.to {
            continue; // Two nodes at the same position.
        }
        // Along the one-way: at most the edge itself.
        assert!(m.time_min(a, b) <= e.time_ms as f64 / 60_000.0 + 1e-9);
        // Against it: a detour, never the reversed edge.
        let back = net.path(e.to, e.from).expect("strongly connected");
        assert!(back.nodes.len() > 2, "reverse of a one-way edge used");
        assert!((m.time_min(b, a) - back.time_min).abs() < 1e-9);
        if m.time_min(b, a) > m.time_min(a, b) + 1e-6 {
            asymmetric += 1;
        }
    }
    assert!(asymmetric > 0, "no one-way shows in the matrix");
}

fn jittered_points(net: &RoadNetwork, k: usize) -> Vec<(f64, f64)> {
    sample_nodes(net, k, 3)
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let (lat, lon) = net.coord(v);
            let j = (i % 7) as f64 - 3.0;
            (lat + j * 2e-4, lon - j * 3e-4)
        })
        .collect()
}

#[test]
fn road_distance_is_at_least_straight_line() {
    let net = monaco();
    let points = jittered_points(net, 40);
    let snap = net.snap(&points, 1.0);
    let m = net.matrix(&snap);
    for a in 0..points.len() {
        for b in 0..points.len() {
            let straight = haversine_m(points[a], points[b]);
            // Edge lengths are rounded to the centimetre.
            assert!(
                m.dist_km(a, b) * 1000.0 + 0.5 >= straight,
                "{a}->{b}: {} km < {straight} m",
                m.dist_km(a, b)
            );
            assert!(m.time_min(a, b) >= 0.0);
        }
    }
}

#[test]
fn off_road_legs_are_charged_and_far_points_reported() {
    let net = monaco();
    let v = sample_nodes(net, 1, 5)[0];
    let (lat, lon) = net.coord(v);
    // Two kilometres out to sea and a point on the road.
    let points = [(lat, lon), (lat - 0.018, lon + 0.02), (f64::NAN, 0.0)];
    let snap = net.snap(&points, 1.0);
    assert_eq!(snap.far, vec![1, 2]);
    let m = net.matrix(&snap);
    let off = snap.offroad_km[1];
    assert!(off > 1.0);
    // At least the off-road leg at 15 km/h.
    assert!(m.time_min(0, 1) >= off / 15.0 * 60.0);
    assert!(m.time_min(1, 0) >= off / 15.0 * 60.0);
    assert_eq!(m.far(1.0), vec![1, 2]);
}

#[test]
fn paths_follow_the_roads() {
    let net = monaco();
    let points = jittered_points(net, 6);
    let snap = net.snap(&points, 1.0);
    let m = net.matrix(&snap);
    for a in 0..points.len() {
        for b in 0..points.len() {
            let p = net.point_path(&snap, a, b).expect("connected");
            assert!((p.time_min - m.time_min(a, b)).abs() < 1e-9);
            assert!((p.dist_km - m.dist_km(a, b)).abs() < 1e-9);
            assert_eq!(p.coords.first(), Some(&points[a]));
            assert_eq!(p.coords.last(), Some(&points[b]));
            // Consecutive nodes are joined by an edge.
            let along: f64 = p
                .nodes
                .windows(2)
                .map(|w| {
                    net.edges()
                        .find(|e| e.from == w[0] && e.to == w[1])
                        .expect("edge exists")
                        .dist_cm as f64
                        / 1e5
                })
                .sum();
            assert!(
                (along + snap.offroad_km[a] + snap.offroad_km[b] - p.dist_km).abs() < 1e-6
                    || a == b
            );
        }
    }
}

#[test]
fn deterministic_regardless_of_thread_count() {
    let net = monaco();
    let points = jittered_points(net, 30);
    let snap = net.snap(&points, 1.0);
    let many = net.matrix(&snap);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let one = pool.install(|| net.matrix(&snap));
    assert_eq!(many, one);
}

fn truncated(bytes: usize) -> tempfile::NamedTempFile {
    let full = std::fs::read(data("monaco.osm.pbf")).expect("read");
    let f = tempfile::Builder::new()
        .suffix(".osm.pbf")
        .tempfile()
        .expect("tmp");
    std::fs::write(f.path(), &full[..bytes.min(full.len())]).expect("write");
    f
}

#[test]
fn truncated_pbf_is_a_typed_error() {
    for n in [20, 1000, 100_000, 250_000] {
        let f = truncated(n);
        match RoadNetwork::from_pbf(f.path(), &ImportOptions::default()) {
            Err(RoadError::Read { path, message }) => {
                assert_eq!(path, f.path());
                assert!(!message.is_empty());
                let shown = RoadError::Read { path, message }.to_string();
                assert!(shown.contains(&f.path().display().to_string()), "{shown}");
            }
            other => panic!("{n} bytes: {other:?}"),
        }
    }
}

#[test]
fn garbage_and_missing_files_are_typed_errors() {
    let f = tempfile::NamedTempFile::new().expect("tmp");
    let mut s = 12345u64;
    let junk: Vec<u8> = (0..50_000)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            (s >> 56) as u8
        })
        .collect();
    std::fs::write(f.path(), &junk).expect("write");
    assert!(matches!(
        RoadNetwork::from_pbf(f.path(), &ImportOptions::default()),
        Err(RoadError::Read { .. })
    ));
    std::fs::write(f.path(), b"this is not a protobuf file at all\n").expect("write");
    assert!(matches!(
        RoadNetwork::from_pbf(f.path(), &ImportOptions::default()),
        Err(RoadError::Read { .. })
    ));
    std::fs::write(f.path(), b"").expect("write");
    assert!(matches!(
        RoadNetwork::from_pbf(f.path(), &ImportOptions::default()),
        Err(RoadError::NoRoads { .. })
    ));
    assert!(matches!(
        RoadNetwork::from_pbf("/nonexistent/x.osm.pbf", &ImportOptions::default()),
        Err(RoadError::Io { .. })
    ));
}

#[test]
fn cache_round_trip_skips_the_work() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = MatrixCache::new(dir.path().join("cache"));
    let net = monaco();
    let points = jittered_points(net, 20);
    let snap: Snapping = net.snap(&points, 1.0);
    let opts = MatrixOptions::default();
    let first = cache.matrix(net, &snap, &opts).expect("computed");
    assert!(!first.from_cache);
    assert_eq!(first.matrix, net.matrix(&snap));
    let second = cache.matrix(net, &snap, &opts).expect("cached");
    assert!(second.from_cache);
    assert_eq!(second.matrix, first.matrix);
    // From the extract alone: a hit without importing.
    let third = cache
        .matrix_for_extract(
            &data("monaco.osm.pbf"),
            &ImportOptions::default(),
            &points,
            &opts,
        )
        .expect("cached");
    assert!(third.from_cache);
    assert_eq!(third.matrix, first.matrix);
    // Other options or points: a miss.
    let slow = MatrixOptions {
        offroad_speed_kmh: 5.0,
        ..opts
    };
    assert!(
        !cache
            .matrix(net, &snap, &slow)
            .expect("computed")
            .from_cache
    );
    // A damaged file is recomputed, not trusted.
    let bytes = std::fs::read(&first.path).expect("read");
    std::fs::write(&first.path, &bytes[..bytes.len() / 2]).expect("write");
    let again = cache.matrix(net, &snap, &opts).expect("recomputed");
    assert!(!again.from_cache);
    assert_eq!(again.matrix, first.matrix);
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(cache.dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")));
}

#[test]
fn matrix_plugs_into_the_routing_engine() {
    use territory_routing::{tsp, Matrix};
    let net = monaco();
    let points = jittered_points(net, 12);
    let m = net.matrix(&net.snap(&points, 1.0));
    // `TravelCost` as-is for evaluating tours.
    let order: Vec<usize> = (0..12).collect();
    let by_hand: f64 = (0..12).map(|i| m.cost(i, (i + 1) % 12)).sum();
    assert!((tsp::tour_cost(&m, &order) - by_hand).abs() < 1e-9);
    assert_eq!(m.to_core_matrix().cost(3, 7), m.cost(3, 7));
    // The TSP solver is for symmetric costs: give it the mean of both ways.
    let sym = Matrix::from_fn(12, |a, b| (m.cost(a, b) + m.cost(b, a)) / 2.0);
    let opts = tsp::TspOptions {
        time_limit: std::time::Duration::from_secs(2),
        max_kicks: 20,
        ..Default::default()
    };
    let tour = tsp::solve(&sym, &opts);
    assert_eq!(tour.order.len(), 12);
}

/// A plan on Monaco's roads: with bases, compactness is in road minutes
/// and the plan is balanced; a rep without a base is a typed error.
#[test]
fn plans_run_on_road_minutes_from_the_bases() {
    use territory::{plan, Account, Location, Measure, PlanOptions, Problem, Rep};
    let net = monaco();
    let accounts: Vec<Account> = jittered_points(net, 60)
        .into_iter()
        .enumerate()
        .map(|(i, (lat, lon))| Account::new(format!("a{i}"), Location::new(lat, lon)))
        .collect();
    let reps = vec![
        Rep::new("east", Some(accounts[0].location)),
        Rep::new("west", Some(accounts[1].location)),
    ];
    let travel = territory_roads::plan_on_roads(
        Problem::builder().accounts(accounts.clone()),
        net,
        &accounts,
        Some(&reps),
    )
    .unwrap();
    assert!(travel.road_compactness);
    let problem = travel
        .builder
        .reps(reps.clone())
        .criterion(Measure::Accounts, 0.1)
        .build()
        .unwrap();
    assert!(
        problem.centre_travel().is_some(),
        "road minutes from the bases"
    );
    let p = plan(&problem, &PlanOptions::default()).unwrap();
    assert!(p.metrics.balanced());

    let without = vec![
        Rep::new("east", None),
        Rep::new("west", Some(accounts[1].location)),
    ];
    let err = territory_roads::plan_on_roads(
        Problem::builder().accounts(accounts.clone()),
        net,
        &accounts,
        Some(&without),
    )
    .err()
    .unwrap();
    assert_eq!(
        err,
        territory_roads::PlanTravelError::RepWithoutBase("east".into())
    );
}
