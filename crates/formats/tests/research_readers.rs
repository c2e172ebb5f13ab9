//! The research readers refuse nonsense at its physical line (blank lines and
//! CRLF counted), naming the field: fractional, negative or huge counts, ids
//! and day masks; negative or infinite quantities; coordinates beyond ±1e9;
//! duplicate ids.

use std::fmt::Debug;
use std::path::Path;

use territory_formats::research::pvrp::read_pvrp;
use territory_formats::research::solomon::read_solomon;
use territory_formats::research::tdp::read_tdp;
use territory_formats::research::tsplib::read_tsplib;
use territory_formats::InputError;

/// Lines joined with CRLF, as some published files are.
fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

/// `lines` with line `number` (1-based) replaced by `with`.
fn replaced(lines: &[&'static str], number: usize, with: &'static str) -> Vec<&'static str> {
    let mut v = lines.to_vec();
    v[number - 1] = with;
    v
}

/// Reads `text` with `read` and checks the error's line, field and message.
fn refused<T: Debug>(
    read: fn(&Path) -> Result<T, InputError>,
    text: &str,
    line: u64,
    field: &str,
    says: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("instance.txt");
    std::fs::write(&path, text).unwrap();
    let e = read(&path).expect_err(&format!("accepted {text:?}"));
    assert_eq!(e.file, path);
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(line), Some(field)),
        "{e} in {text:?}"
    );
    assert!(e.message.contains(says), "{e} lacks {says:?} in {text:?}");
}

fn read_ok<T>(read: fn(&Path) -> Result<T, InputError>, text: &str) -> T {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("instance.txt");
    std::fs::write(&path, text).unwrap();
    read(&path).unwrap_or_else(|e| panic!("{e}"))
}

const TSP: [&str; 10] = [
    "NAME: t",
    "TYPE: TSP",
    "DIMENSION: 3",
    "",
    "EDGE_WEIGHT_TYPE: EUC_2D",
    "NODE_COORD_SECTION",
    "1 0 0",
    "2 3 4",
    "3 6 0",
    "EOF",
];

#[test]
fn tsplib_reads_a_valid_file_with_a_bom() {
    let t = read_ok(read_tsplib, &format!("\u{feff}{}", crlf(&TSP)));
    assert_eq!(t.name, "t");
    assert_eq!(t.ids, vec![1, 2, 3]);
    assert_eq!(t.points[1], [3.0, 4.0]);
}

#[test]
fn tsplib_counts_are_whole_and_bounded() {
    for (dimension, says) in [
        ("DIMENSION: 3.5", "'3.5' is not a whole number"),
        ("DIMENSION: -3", "'-3' is less than 0"),
        ("DIMENSION: 2000000", "'2000000' is more than 1000000"),
        ("DIMENSION: 4", "DIMENSION says 4 nodes but 3 are listed"),
    ] {
        refused(
            read_tsplib,
            &crlf(&replaced(&TSP, 3, dimension)),
            3,
            "DIMENSION",
            says,
        );
    }
    // More nodes than DIMENSION: refused at the first extra one.
    refused(
        read_tsplib,
        &crlf(&replaced(&TSP, 3, "DIMENSION: 2")),
        9,
        "id",
        "DIMENSION (line 3) says 2 nodes",
    );
}

#[test]
fn tsplib_ids_are_whole_in_range_and_unique() {
    for (node, says) in [
        ("2.5 3 4", "'2.5' is not a whole number"),
        ("-2 3 4", "'-2' is less than 0"),
        ("1e10 3 4", "'1e10' is more than 1000000000"),
        ("1 3 4", "node 1 is already listed at line 7"),
    ] {
        refused(read_tsplib, &crlf(&replaced(&TSP, 8, node)), 8, "id", says);
    }
}

#[test]
fn tsplib_coordinates_are_finite_and_within_1e9() {
    for (node, field, says) in [
        ("2 1e18 4", "x", "'1e18' is beyond ±1e9"),
        ("2 3 -1e308", "y", "'-1e308' is beyond ±1e9"),
        ("2 3 inf", "y", "'inf' is not a finite number"),
        ("2 NaN 4", "x", "'NaN' is not a finite number"),
        ("2 3", "y", "expected `id x y`"),
    ] {
        refused(read_tsplib, &crlf(&replaced(&TSP, 8, node)), 8, field, says);
    }
    // At the bound itself distances stay finite.
    read_ok(read_tsplib, &crlf(&replaced(&TSP, 8, "2 1e9 -1e9")));
}

const SOLOMON: [&str; 12] = [
    "T1",
    "",
    "VEHICLE",
    "NUMBER     CAPACITY",
    "  2         200",
    "",
    "CUSTOMER",
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
    " ",
    "    0      40         50          0          0       1236          0",
    "    1      45         68         10        912        967         90",
    "    2      45         70         30        825        870         90",
];

#[test]
fn solomon_reads_a_valid_file() {
    let s = read_ok(read_solomon, &crlf(&SOLOMON));
    assert_eq!((s.name.as_str(), s.vehicles, s.capacity), ("T1", 2, 200.0));
    assert_eq!(s.nodes.len(), 3);
    assert_eq!(s.nodes[2].id, 2);
}

#[test]
fn solomon_fleet_is_a_whole_number_of_vehicles_with_a_capacity() {
    for (fleet, field, says) in [
        ("2.5 200", "NUMBER", "'2.5' is not a whole number"),
        ("-1 200", "NUMBER", "'-1' is less than 1"),
        ("20000 200", "NUMBER", "'20000' is more than 10000"),
        ("2 -200", "CAPACITY", "'-200' is negative"),
        ("2 1e999", "CAPACITY", "'1e999' is not a finite number"),
        ("2 0", "CAPACITY", "no capacity"),
        ("2", "CAPACITY", "expected `number capacity`"),
    ] {
        refused(
            read_solomon,
            &crlf(&replaced(&SOLOMON, 5, fleet)),
            5,
            field,
            says,
        );
    }
}

#[test]
fn solomon_quantities_are_finite_and_not_negative() {
    for (row, field, says) in [
        ("1 45 68 -10 912 967 90", "DEMAND", "'-10' is negative"),
        ("1 45 68 10 -5 967 90", "READY TIME", "'-5' is negative"),
        (
            "1 45 68 10 912 inf 90",
            "DUE DATE",
            "'inf' is not a finite number",
        ),
        ("1 45 68 10 970 967 90", "DUE DATE", "before the ready time"),
        (
            "1 45 68 10 912 967 -90",
            "SERVICE TIME",
            "'-90' is negative",
        ),
        (
            "1 45 68 10",
            "READY TIME",
            "a customer row needs 7 numbers, found 4",
        ),
    ] {
        refused(
            read_solomon,
            &crlf(&replaced(&SOLOMON, 11, row)),
            11,
            field,
            says,
        );
    }
}

#[test]
fn solomon_coordinates_are_within_1e9() {
    for (row, field) in [
        ("1 1e18 68 10 912 967 90", "XCOORD."),
        ("1 45 -1e308 10 912 967 90", "YCOORD."),
    ] {
        refused(
            read_solomon,
            &crlf(&replaced(&SOLOMON, 11, row)),
            11,
            field,
            "is beyond ±1e9",
        );
    }
}

#[test]
fn solomon_customer_numbers_are_whole_unique_and_start_at_the_depot() {
    for (line, row, says) in [
        (11, "1.5 45 68 10 912 967 90", "'1.5' is not a whole number"),
        (11, "-1 45 68 10 912 967 90", "'-1' is less than 0"),
        (
            11,
            "2e9 45 68 10 912 967 90",
            "'2e9' is more than 1000000000",
        ),
        (
            12,
            "1 45 70 30 825 870 90",
            "customer 1 is already listed at line 11",
        ),
        (10, "5 40 50 0 0 1236 0", "expected the depot 0"),
    ] {
        refused(
            read_solomon,
            &crlf(&replaced(&SOLOMON, line, row)),
            line as u64,
            "CUST NO.",
            says,
        );
    }
}

const PVRP: [&str; 8] = [
    "1 2 2 2",
    "0 160",
    "0 160",
    "",
    " 0 30 40 0   0 0 0",
    " 1 37 52 0   7 1 2 1 2",
    " 2 49 49 0  30 2 1 3",
    "",
];

#[test]
fn pvrp_reads_a_valid_file() {
    let p = read_ok(read_pvrp, &crlf(&PVRP));
    assert_eq!((p.vehicles, p.days, p.capacity), (2, 2, 160.0));
    assert_eq!(p.max_duration, None);
    assert_eq!(p.nodes[1].combinations, vec![vec![0], vec![1]]);
    assert_eq!(p.nodes[2].combinations, vec![vec![0, 1]]);
}

#[test]
fn pvrp_counts_are_whole_and_bounded() {
    for (head, field, says) in [
        ("1 2.5 2 2", "m", "'2.5' is not a whole number"),
        ("1 20000 2 2", "m", "'20000' is more than 10000"),
        ("1 2 -2 2", "n", "'-2' is less than 1"),
        ("1 2 1e12 2", "n", "'1e12' is more than 1000000"),
        ("1 2 2 1.5", "t", "'1.5' is not a whole number"),
        ("1 2 2 31", "t", "'31' is more than 30"),
    ] {
        refused(read_pvrp, &crlf(&replaced(&PVRP, 1, head)), 1, field, says);
    }
    for (node, field, says) in [
        ("1 37 52 0 7 1.5 2 1 2", "f", "'1.5' is not a whole number"),
        (
            "1 37 52 0 7 3 1 7",
            "f",
            "3 visits do not fit the 2-day horizon",
        ),
        ("1 37 52 0 7 0 1 1", "f", "at least one visit"),
        ("1 37 52 0 7 1 2.5 1 2", "a", "'2.5' is not a whole number"),
        (
            "1 37 52 0 7 1 3 1 2",
            "a",
            "3 combinations, but 2 are listed",
        ),
        ("1 37 52 0 7 1 1e15 1 2", "a", "'1e15' is more than 3"),
        (
            "1 37 52 0 7 1 2 1 4",
            "combination",
            "'4' is not a bit mask",
        ),
        (
            "1 37 52 0 7 1 2 1 1.5",
            "combination",
            "'1.5' is not a bit mask",
        ),
        (
            "1 37 52 0 7 1 2 1 -1",
            "combination",
            "'-1' is not a bit mask",
        ),
        (
            "1 37 52 0 7 1 2 1 3",
            "combination",
            "combination 3 has 2 days but the frequency is 1",
        ),
    ] {
        refused(read_pvrp, &crlf(&replaced(&PVRP, 6, node)), 6, field, says);
    }
}

#[test]
fn pvrp_quantities_are_finite_and_not_negative() {
    for (line, text, field, says) in [
        (2, "-5 160", "D", "'-5' is negative"),
        (2, "0 -160", "Q", "'-160' is negative"),
        (3, "0 inf", "Q", "'inf' is not a finite number"),
        (3, "0 161", "D Q", "differs from the first day's"),
        (6, "1 37 52 -3 7 1 2 1 2", "d", "'-3' is negative"),
        (6, "1 37 52 0 -7 1 2 1 2", "q", "'-7' is negative"),
    ] {
        refused(
            read_pvrp,
            &crlf(&replaced(&PVRP, line, text)),
            line as u64,
            field,
            says,
        );
    }
}

#[test]
fn pvrp_coordinates_are_within_1e9() {
    for (node, field) in [
        ("1 1e18 52 0 7 1 2 1 2", "x"),
        ("1 37 1e308 0 7 1 2 1 2", "y"),
    ] {
        refused(
            read_pvrp,
            &crlf(&replaced(&PVRP, 6, node)),
            6,
            field,
            "is beyond ±1e9",
        );
    }
}

#[test]
fn pvrp_node_ids_are_whole_and_unique() {
    for (line, node, says) in [
        (6, "1.5 37 52 0 7 1 2 1 2", "'1.5' is not a whole number"),
        (6, "-1 37 52 0 7 1 2 1 2", "'-1' is less than 0"),
        (
            7,
            "1 49 49 0 30 2 1 3",
            "node 1 is already listed at line 6",
        ),
    ] {
        refused(
            read_pvrp,
            &crlf(&replaced(&PVRP, line, node)),
            line as u64,
            "i",
            says,
        );
    }
}

const TDP: [&str; 9] = [
    "3",
    "0 1.0 2.0 5 5 5 0",
    "",
    "1 3.0 2.0 5 5 5 0",
    "2 3.0 5.0 5 5 5 0",
    "2",
    "0 1",
    "1 2",
    "2 2 0.05 0.05 0.05 0.05",
];

#[test]
fn tdp_reads_a_valid_file() {
    let t = read_ok(read_tdp, &crlf(&TDP));
    assert_eq!(t.units.len(), 3);
    assert_eq!(t.edges, vec![(0, 1), (1, 2)]);
    assert_eq!(t.territories, 2);
    assert_eq!(t.tolerances, [0.05; 3]);
}

#[test]
fn tdp_counts_are_whole_and_bounded() {
    for (line, text, field, says) in [
        (1, "3.5", "n", "'3.5' is not a whole number"),
        (1, "-3", "n", "'-3' is less than 0"),
        (1, "2000000", "n", "'2000000' is more than 1000000"),
        (1, "0", "n", "no units"),
        (6, "2.5", "m", "'2.5' is not a whole number"),
        (6, "-1", "m", "'-1' is less than 0"),
        (6, "20000000", "m", "'20000000' is more than 10000000"),
        (
            9,
            "2.5 2 0.05 0.05 0.05 0.05",
            "p",
            "'2.5' is not a whole number",
        ),
        (
            9,
            "4 4 0.05 0.05 0.05 0.05",
            "p",
            "4 territories for 3 units",
        ),
        (
            9,
            "0 0 0.05 0.05 0.05 0.05",
            "p",
            "0 territories for 3 units",
        ),
    ] {
        refused(
            read_tdp,
            &crlf(&replaced(&TDP, line, text)),
            line as u64,
            field,
            says,
        );
    }
}

#[test]
fn tdp_measures_and_tolerances_are_finite_and_not_negative() {
    for (line, text, field, says) in [
        (4, "1 3.0 2.0 -5 5 5 0", "w1", "'-5' is negative"),
        (4, "1 3.0 2.0 5 5 -1e-3 0", "w3", "'-1e-3' is negative"),
        (
            4,
            "1 3.0 2.0 5 inf 5 0",
            "w2",
            "'inf' is not a finite number",
        ),
        (9, "2 2 -0.05 0.05 0.05 0.05", "t1", "'-0.05' is negative"),
        (
            9,
            "2 2 0.05 0 0.05 0.05",
            "t2",
            "tolerances must be positive",
        ),
        (
            9,
            "2 2 0.05 0.05 NaN 0.05",
            "t3",
            "'NaN' is not a finite number",
        ),
        (9, "2 2 0.05", "t2", "expected `p p t1 t2 t3 t4`"),
        (4, "1 3.0 2.0 5", "w2", "found 4 fields"),
    ] {
        refused(
            read_tdp,
            &crlf(&replaced(&TDP, line, text)),
            line as u64,
            field,
            says,
        );
    }
}

#[test]
fn tdp_coordinates_are_within_1e9() {
    for (text, field) in [("1 1e18 2.0 5 5 5 0", "x"), ("1 3.0 1e308 5 5 5 0", "y")] {
        refused(
            read_tdp,
            &crlf(&replaced(&TDP, 4, text)),
            4,
            field,
            "is beyond ±1e9",
        );
    }
}

#[test]
fn tdp_unit_ids_are_whole_unique_and_edges_name_listed_units() {
    for (line, text, field, says) in [
        (
            4,
            "1.5 3.0 2.0 5 5 5 0",
            "id",
            "'1.5' is not a whole number",
        ),
        (4, "-1 3.0 2.0 5 5 5 0", "id", "'-1' is less than 0"),
        (
            4,
            "0 3.0 2.0 5 5 5 0",
            "id",
            "duplicate unit id 0 (first at line 2)",
        ),
        (7, "0 7", "edge", "unit 7 is not listed"),
        (7, "0 1.5", "edge", "'0 1.5' is not a pair of unit ids"),
        (8, "1", "edge", "'1' is not a pair of unit ids"),
    ] {
        refused(
            read_tdp,
            &crlf(&replaced(&TDP, line, text)),
            line as u64,
            field,
            says,
        );
    }
}
