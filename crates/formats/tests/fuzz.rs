//! A fuzz harness of our own, on stable Rust, for every reader: CSV (accounts,
//! reps, assignments, appointments), XLSX, GeoJSON, `.osm.pbf` and the research
//! formats, plus the read → build → plan pipeline on small accounts files.
//!
//! Each target mutates real seed files (bit flips, interesting bytes, deleted,
//! duplicated or inserted ranges, extreme numbers in place of numbers, broken
//! quotes and line ends, truncation), runs the reader on every mutant, and
//! fails on a panic, a run longer than [`HANG`], or an error message that
//! names no place or leaks debug output. Failing inputs are written to
//! `target/fuzz-failures/TARGET/` and belong in `tests/data/fuzz/TARGET/`,
//! which [`fuzz_regressions`] replays on every test run.
//!
//! The test suite runs each target for `TERRITORY_FUZZ_SECONDS` (default 1);
//! `benches/fuzz.sh` runs them for an hour each in release mode.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use territory_formats::research::{pvrp, solomon, tdp, tsplib};
use territory_formats::{
    read_accounts_geojson, read_accounts_table, read_appointments, read_assignment, read_points,
    read_reps, InputError, ReadOptions,
};

/// Longest a single input may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one fuzz target reads, and how it runs its reader.
struct Target {
    name: &'static str,
    /// File name extension the reader sees (it may choose the format by it).
    ext: &'static str,
    seeds: fn() -> Vec<Vec<u8>>,
    /// Runs the reader on a file: `Ok(None)` accepted, `Ok(Some(e))` a
    /// well-formed rejection, `Err(why)` a bad message.
    run: fn(&Path, &[u8]) -> Result<Option<String>, String>,
}

/// Checks that an input error is one a person can act on.
fn judge(e: &InputError, input: &[u8]) -> Result<Option<String>, String> {
    let text = e.to_string();
    if e.message.trim().is_empty() {
        return Err(format!("empty message: {text}"));
    }
    if text.contains("Some(") || text.contains("None") {
        return Err(format!("debug output in the message: {text}"));
    }
    if let (Some(line), false, None) = (e.line, e.feature, &e.sheet) {
        let lines = 1
            + input.iter().filter(|&&b| b == b'\n').count() as u64
            + input
                .windows(2)
                .filter(|w| w[0] == b'\r' && w[1] != b'\n')
                .count() as u64;
        if line == 0 || line > lines + 1 {
            return Err(format!("line {line} of a {lines}-line file: {text}"));
        }
    }
    Ok(Some(text))
}

fn verdict<T>(result: Result<T, InputError>, input: &[u8]) -> Result<Option<String>, String> {
    match result {
        Ok(_) => Ok(None),
        Err(e) => judge(&e, input),
    }
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first `n` lines of a text file.
fn head(path: &str, n: usize) -> Vec<u8> {
    let text = String::from_utf8(read(path)).unwrap();
    let mut out: String = text.lines().take(n).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.into_bytes()
}

const ACCOUNTS_FULL: &[u8] =
    b"id,name,lat,lon,status,revenue,visits,service_min,windows,days,territory,locked,population\n\
a1,Caf\xc3\xa9,60.17,24.94,customer,100,2,30,08:00-12:00;13:00-17:00,\"mon,wed\",rep-01,true,12\n\
a2,\"B, Oy\",60.18,24.95,prospect,0,1,45,,mon-fri,rep-02,false,3\n\
a3,,60.16,24.93,,5.5,4,20,09:00-10:00,tue,,,7\n\
a4,D,60.19,24.96,customer,1e3,,,,,rep-01,,0\n";

fn account_seeds() -> Vec<Vec<u8>> {
    vec![head("data/accounts.csv", 40), ACCOUNTS_FULL.to_vec()]
}

fn csv_accounts(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(read_accounts_table(path, &ReadOptions::default()), input)
}

fn rep_seeds() -> Vec<Vec<u8>> {
    vec![read("data/reps.csv")]
}

fn csv_reps(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(read_reps(path, &ReadOptions::default()), input)
}

fn assignment_seeds() -> Vec<Vec<u8>> {
    vec![b"account,territory\na1,rep-01\na2,rep-02\r\na3,rep-01\n\na4,rep-02\n".to_vec()]
}

const IDS: [&str; 4] = ["a1", "a2", "a3", "a4"];

fn csv_assignment(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(
        read_assignment(path, &ReadOptions::default(), &IDS, &["rep-01", "rep-02"]),
        input,
    )
}

fn appointment_seeds() -> Vec<Vec<u8>> {
    vec![
        b"account,date,time,duration_min\na1,2027-01-04,10:30,60\na2,2027-01-05,08:00,45\n"
            .to_vec(),
        read("data/appointments.csv"),
    ]
}

fn csv_appointments(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(
        read_appointments(path, &ReadOptions::default(), &IDS, &[true; 4]),
        input,
    )
}

fn csv_points(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(read_points(path, &ReadOptions::default()), input)
}

/// A workbook holding a CSV text's cells (numbers as numbers), as an export would.
fn xlsx_of(csv_text: &[u8]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text);
    for (r, record) in reader.records().flatten().enumerate().take(500) {
        for (c, cell) in record.iter().enumerate().take(60) {
            let _ = match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => ws.write_number(r as u32, c as u16, v).map(|_| ()),
                _ => ws.write_string(r as u32, c as u16, cell).map(|_| ()),
            };
        }
    }
    book.save_to_buffer().unwrap_or_default()
}

fn xlsx_seeds() -> Vec<Vec<u8>> {
    account_seeds().iter().map(|s| xlsx_of(s)).collect()
}

fn xlsx_accounts(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(read_accounts_table(path, &ReadOptions::default()), input)
}

/// Cell-level mutants: a mutated CSV text written as a workbook.
fn xlsx_cells(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    let book = xlsx_of(input);
    std::fs::write(path, &book).map_err(|e| e.to_string())?;
    verdict(read_accounts_table(path, &ReadOptions::default()), &book)
}

fn geojson_seeds() -> Vec<Vec<u8>> {
    // Ten Leeds polygons (shared boundaries) and a few points.
    let leeds: serde_json::Value =
        serde_json::from_slice(&read("tests/data/districts/leeds.geojson")).unwrap();
    let features: Vec<serde_json::Value> = leeds["features"].as_array().unwrap()[..10].to_vec();
    let polygons = serde_json::json!({"type": "FeatureCollection", "features": features});
    let points = br#"{"type":"FeatureCollection","features":[
{"type":"Feature","id":"p1","geometry":{"type":"Point","coordinates":[24.94,60.17]},"properties":{"status":"customer","revenue":10,"windows":"08:00-12:00"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[24.95,60.18]},"properties":{"id":"p2","status":"prospect","visits":1}},
{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[24.96,60.19]]},"properties":{"id":"p3"}}]}"#;
    vec![serde_json::to_vec(&polygons).unwrap(), points.to_vec()]
}

fn geojson_accounts(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    verdict(read_accounts_geojson(path, None, Default::default()), input)
}

fn research_seeds(name: &'static str) -> Vec<Vec<u8>> {
    vec![read(&format!("tests/data/research/{name}"))]
}

fn osm_seeds() -> Vec<Vec<u8>> {
    vec![read("tests/data/osm/monaco.osm.pbf")]
}

fn osm_pbf(path: &Path, _input: &[u8]) -> Result<Option<String>, String> {
    match territory_roads::RoadNetwork::from_pbf(path, &territory_roads::ImportOptions::default()) {
        Ok(_) => Ok(None),
        Err(e) => {
            let text = e.to_string();
            if text.trim().is_empty() || text.contains("Some(") {
                Err(format!("bad message: {text}"))
            } else {
                Ok(Some(text))
            }
        }
    }
}

/// Reads small accounts files and plans them: panics in the engine on odd but
/// accepted values (the issue's infinite weights) surface here.
fn plan_pipeline(path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    let file = match read_accounts_table(path, &ReadOptions::default()) {
        Ok(f) => f,
        Err(e) => return judge(&e, input),
    };
    let k = 2.min(file.accounts.len());
    let problem = territory::Problem::builder()
        .accounts(file.accounts)
        .territories(k)
        .build();
    match problem {
        Ok(p) => match territory::plan(&p, &territory::PlanOptions::default()) {
            Ok(plan) if plan.assignment.len() == p.accounts().len() => Ok(None),
            Ok(_) => Err("the plan lost accounts".into()),
            Err(e) => Ok(Some(e.to_string())),
        },
        Err(e) => Ok(Some(e.to_string())),
    }
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "csv-accounts",
            ext: "csv",
            seeds: account_seeds,
            run: csv_accounts,
        },
        Target {
            name: "csv-reps",
            ext: "csv",
            seeds: rep_seeds,
            run: csv_reps,
        },
        Target {
            name: "csv-assignment",
            ext: "csv",
            seeds: assignment_seeds,
            run: csv_assignment,
        },
        Target {
            name: "csv-appointments",
            ext: "csv",
            seeds: appointment_seeds,
            run: csv_appointments,
        },
        Target {
            name: "csv-points",
            ext: "csv",
            seeds: account_seeds,
            run: csv_points,
        },
        Target {
            name: "xlsx-bytes",
            ext: "xlsx",
            seeds: xlsx_seeds,
            run: xlsx_accounts,
        },
        Target {
            name: "xlsx-cells",
            ext: "xlsx",
            seeds: account_seeds,
            run: xlsx_cells,
        },
        Target {
            name: "geojson",
            ext: "geojson",
            seeds: geojson_seeds,
            run: geojson_accounts,
        },
        Target {
            name: "tsplib",
            ext: "tsp",
            seeds: || research_seeds("berlin52.tsp"),
            run: |p, i| verdict(tsplib::read_tsplib(p), i),
        },
        Target {
            name: "solomon",
            ext: "txt",
            seeds: || research_seeds("C101.txt"),
            run: |p, i| verdict(solomon::read_solomon(p), i),
        },
        Target {
            name: "pvrp",
            ext: "txt",
            seeds: || research_seeds("p01.txt"),
            run: |p, i| verdict(pvrp::read_pvrp(p), i),
        },
        Target {
            name: "tdp",
            ext: "dat",
            seeds: || research_seeds("2DU60-05-1.dat"),
            run: |p, i| verdict(tdp::read_tdp(p), i),
        },
        Target {
            name: "osm-pbf",
            ext: "osm.pbf",
            seeds: osm_seeds,
            run: osm_pbf,
        },
        Target {
            name: "plan-pipeline",
            ext: "csv",
            seeds: account_seeds,
            run: plan_pipeline,
        },
    ]
}

/// Numbers that have broken readers and engines before, or might.
const EXTREMES: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "-0",
    "0",
    "-1",
    "1e-320",
    "18446744073709551616",
    "9999999999999999999999",
    "4294967296",
    "0.5",
    "2.5",
    "1e18",
    "",
    " ",
    "1,5",
    "0x10",
    "+3",
    "１２",
];

/// Applies one to four random mutations.
fn mutate(seed: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        let at = if len == 0 {
            0
        } else {
            rng.random_range(0..len)
        };
        match rng.random_range(0..10) {
            0 if len > 0 => out[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => {
                out[at] = *[
                    0u8, 0xff, b'\n', b'\r', b',', b'"', b'-', b'9', b'e', b'.', b':', b';', 0xe9,
                    0xc3,
                ]
                .get(rng.random_range(0..14))
                .unwrap_or(&0)
            }
            2 if len > 0 => {
                let end = (at + rng.random_range(1..64)).min(len);
                out.drain(at..end);
            }
            3 if len > 0 => {
                let end = (at + rng.random_range(1..256)).min(len);
                let piece = out[at..end].to_vec();
                let to = rng.random_range(0..=out.len());
                out.splice(to..to, piece);
            }
            4 => {
                let n = rng.random_range(1..16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                out.splice(at..at, bytes);
            }
            5 | 6 => {
                // A number replaced by an extreme one.
                let starts: Vec<usize> = (0..len)
                    .filter(|&i| {
                        out[i].is_ascii_digit() && (i == 0 || !out[i - 1].is_ascii_digit())
                    })
                    .collect();
                if !starts.is_empty() {
                    let s = starts[rng.random_range(0..starts.len())];
                    let mut e = s;
                    while e < out.len()
                        && (out[e].is_ascii_digit() || matches!(out[e], b'.' | b'e' | b'-'))
                    {
                        e += 1;
                    }
                    let x = EXTREMES[rng.random_range(0..EXTREMES.len())];
                    out.splice(s..e, x.bytes());
                }
            }
            7 => {
                let x: &[u8] = [
                    &b"\r\n"[..],
                    b"\n\n\n",
                    b"\"",
                    b"\xef\xbb\xbf",
                    b",",
                    b"\r",
                    b"\t",
                ][rng.random_range(0..7)];
                out.splice(at..at, x.iter().copied());
            }
            8 if len > 0 => out.truncate(at),
            _ => {
                // Swap or repeat a line.
                let lines: Vec<usize> = (0..len).filter(|&i| out[i] == b'\n').collect();
                if lines.len() >= 2 {
                    let a = lines[rng.random_range(0..lines.len())] + 1;
                    let b = out[a..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(out.len(), |p| a + p + 1);
                    let line = out[a..b].to_vec();
                    let to = lines[rng.random_range(0..lines.len())] + 1;
                    out.splice(to..to, line);
                }
            }
        }
    }
    out
}

/// What a target's run found.
#[derive(Default, Debug)]
struct Stats {
    runs: u64,
    accepted: u64,
    rejected: u64,
    failures: Vec<String>,
}

/// Runs one input through a target in a worker thread, so a hang is seen.
fn run_one(target: &Target, path: &Path, input: &[u8]) -> Result<Option<String>, String> {
    std::fs::write(path, input).map_err(|e| format!("cannot write the input: {e}"))?;
    let (tx, rx) = mpsc::channel();
    let (run, path2, input2) = (target.run, path.to_path_buf(), input.to_vec());
    std::thread::spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&path2, &input2))).unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panic: {msg}"))
        });
        let _ = tx.send(outcome);
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| Err(format!("hang: no answer in {HANG:?}")))
}

fn fuzz(name: &str) {
    let budget = std::env::var("TERRITORY_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(1.0);
    let target = targets()
        .into_iter()
        .find(|t| t.name == name)
        .expect("a target");
    let seeds = (target.seeds)();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("input.{}", target.ext));
    let failures_dir = root().join("target/fuzz-failures").join(name);
    let mut rng = ChaCha8Rng::seed_from_u64(
        std::env::var("TERRITORY_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    );
    let mut stats = Stats::default();
    let began = Instant::now();
    // The seeds themselves first: real files must read.
    for seed in &seeds {
        if let Err(why) = run_one(&target, &path, seed) {
            stats.failures.push(format!("seed: {why}"));
        }
    }
    while began.elapsed().as_secs_f64() < budget && stats.failures.len() < 5 {
        let seed = &seeds[rng.random_range(0..seeds.len())];
        let input = mutate(seed, &mut rng);
        stats.runs += 1;
        match run_one(&target, &path, &input) {
            Ok(None) => stats.accepted += 1,
            Ok(Some(_)) => stats.rejected += 1,
            Err(why) => {
                let _ = std::fs::create_dir_all(&failures_dir);
                let file = failures_dir.join(format!("{:016x}.{}", fnv(&input), target.ext));
                let _ = std::fs::write(&file, &input);
                stats
                    .failures
                    .push(format!("{why} (input kept in {})", file.display()));
            }
        }
    }
    eprintln!(
        "fuzz {name}: {} inputs in {:.1}s, {} accepted, {} rejected with a message, {} failures",
        stats.runs,
        began.elapsed().as_secs_f64(),
        stats.accepted,
        stats.rejected,
        stats.failures.len()
    );
    assert!(stats.failures.is_empty(), "{name}: {:#?}", stats.failures);
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// Every input that ever failed, replayed: none may fail again.
#[test]
fn fuzz_regressions() {
    let base = root().join("tests/data/fuzz");
    for target in targets() {
        let dir = base.join(target.name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(format!("input.{}", target.ext));
        for entry in entries.flatten() {
            let input = std::fs::read(entry.path()).unwrap();
            if let Err(why) = run_one(&target, &path, &input) {
                panic!("{}: {why}", entry.path().display());
            }
        }
    }
}

macro_rules! fuzz_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                fuzz($name);
            }
        )*
    };
}

fuzz_tests! {
    fuzz_csv_accounts => "csv-accounts",
    fuzz_csv_reps => "csv-reps",
    fuzz_csv_assignment => "csv-assignment",
    fuzz_csv_appointments => "csv-appointments",
    fuzz_csv_points => "csv-points",
    fuzz_xlsx_bytes => "xlsx-bytes",
    fuzz_xlsx_cells => "xlsx-cells",
    fuzz_geojson => "geojson",
    fuzz_tsplib => "tsplib",
    fuzz_solomon => "solomon",
    fuzz_pvrp => "pvrp",
    fuzz_tdp => "tdp",
    fuzz_osm_pbf => "osm-pbf",
    fuzz_plan_pipeline => "plan-pipeline",
}
