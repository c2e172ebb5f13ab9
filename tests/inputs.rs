//! Files as CRM exports produce them: Excel workbooks, Latin-1 text, other
//! column names, standard input; each plans exactly like the sample's CSV.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common::{run_json, sample, stderr, territory};

/// Writes a CSV file as a one-sheet workbook: numbers as numbers, `date`
/// columns as Excel dates and `time` columns as Excel times, as an export would.
pub fn csv_to_xlsx(csv_path: &Path, xlsx: &Path, sheet: &str) {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let time = Format::new().set_num_format("hh:mm");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let row = r as u32 + 1;
        for (c, cell) in record.iter().enumerate() {
            let col = c as u16;
            if cell.is_empty() {
                continue;
            }
            match headers[c].as_str() {
                "date" => {
                    let d = ExcelDateTime::parse_from_str(cell).unwrap();
                    ws.write_datetime_with_format(row, col, &d, &date).unwrap();
                }
                "time" => {
                    let t = ExcelDateTime::parse_from_str(&format!("{cell}:00")).unwrap();
                    ws.write_datetime_with_format(row, col, &t, &time).unwrap();
                }
                // Ids stay text, as a CRM keeps them.
                "id" | "account" => {
                    ws.write_string(row, col, cell).unwrap();
                }
                _ => match cell.parse::<f64>() {
                    Ok(v) => {
                        ws.write_number(row, col, v).unwrap();
                    }
                    Err(_) => {
                        ws.write_string(row, col, cell).unwrap();
                    }
                },
            }
        }
    }
    book.save(xlsx).unwrap();
}

fn plan(accounts: &Path, reps: &Path, out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "plan",
        "--accounts",
        accounts.to_str().unwrap(),
        "--reps",
        reps.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = territory(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::read(out.join("assignment.csv")).unwrap()
}

#[test]
fn an_xlsx_export_of_the_sample_plans_exactly_like_its_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = tmp.path().join("accounts.xlsx");
    let reps = tmp.path().join("reps.xlsx");
    csv_to_xlsx(&sample("accounts.csv"), &accounts, "Accounts");
    csv_to_xlsx(&sample("reps.csv"), &reps, "Reps");
    let from_csv = plan(
        &sample("accounts.csv"),
        &sample("reps.csv"),
        &tmp.path().join("a"),
        &[],
    );
    let from_xlsx = plan(&accounts, &reps, &tmp.path().join("b"), &[]);
    assert_eq!(from_csv, from_xlsx);
    // Routes with bookings from a workbook (Excel dates and times) match too.
    let appointments = tmp.path().join("appointments.xlsx");
    csv_to_xlsx(&sample("appointments.csv"), &appointments, "Bookings");
    let routes = |accounts: &Path, reps: &Path, appointments: &Path, out: &str| {
        let s = run_json(&[
            "routes",
            "--accounts",
            accounts.to_str().unwrap(),
            "--reps",
            reps.to_str().unwrap(),
            "--assignment",
            tmp.path().join("a/assignment.csv").to_str().unwrap(),
            "--appointments",
            appointments.to_str().unwrap(),
            "--start",
            "2027-01-04",
            "--weeks",
            "1",
            "--iterations",
            "300",
            "--out",
            tmp.path().join(out).to_str().unwrap(),
            "--json",
            "--quiet",
        ]);
        std::fs::read(tmp.path().join(out).join("visits.csv"))
            .map(|v| (v, s["totals"]["appointments_kept"].clone()))
            .unwrap()
    };
    let csv_routes = routes(
        &sample("accounts.csv"),
        &sample("reps.csv"),
        &sample("appointments.csv"),
        "r1",
    );
    let xlsx_routes = routes(&accounts, &reps, &appointments, "r2");
    assert!(csv_routes.1.as_u64().unwrap() > 0);
    assert_eq!(csv_routes, xlsx_routes);
}

#[test]
fn workbook_errors_name_the_sheet_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = tmp.path().join("bad.csv");
    std::fs::write(
        &csv_path,
        "id,lat,lon\na,60.1,24.9\nb,60.2,24.8\nc,95,24.7\n",
    )
    .unwrap();
    let xlsx = tmp.path().join("bad.xlsx");
    csv_to_xlsx(&csv_path, &xlsx, "Export");
    let out = tmp.path().join("plan");
    let o = territory(&[
        "plan",
        "--accounts",
        xlsx.to_str().unwrap(),
        "--territories",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["error"]["sheet"], "Export");
    assert_eq!(e["error"]["line"], 4);
    assert_eq!(e["error"]["column"], "B");
    assert_eq!(e["error"]["field"], "lat");
    assert!(
        stderr(&o).contains("sheet 'Export', row 4, column B"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    // A sheet that is not there is named with the ones that are.
    let o = territory(&[
        "plan",
        "--accounts",
        xlsx.to_str().unwrap(),
        "--sheet",
        "Accounts",
        "--territories",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no sheet 'Accounts' (the workbook has: Export)"),
        "{}",
        stderr(&o)
    );
}

/// The sample in Latin-1 bytes (U+00A0–U+00FF, where Latin-1 and
/// Windows-1252 agree byte for byte; the two Vietnamese letters of its names
/// that Latin-1 lacks become `?`, as an export would write them).
fn latin1_sample(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(sample("accounts.csv")).unwrap();
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| {
            let v = c as u32;
            if v < 0x80 || (0xA0..=0xFF).contains(&v) {
                v as u8
            } else {
                b'?'
            }
        })
        .collect();
    let p = dir.join("latin1.csv");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn latin1_other_column_names_and_stdin_plan_like_the_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = plan(
        &sample("accounts.csv"),
        &sample("reps.csv"),
        &tmp.path().join("ref"),
        &[],
    );
    let latin1 = latin1_sample(tmp.path());
    assert!(std::str::from_utf8(&std::fs::read(&latin1).unwrap()).is_err());
    assert_eq!(
        plan(&latin1, &sample("reps.csv"), &tmp.path().join("l1"), &[]),
        reference
    );
    // Forcing UTF-8 names the line of the first foreign byte.
    let o = territory(&[
        "plan",
        "--accounts",
        latin1.to_str().unwrap(),
        "--reps",
        sample("reps.csv").to_str().unwrap(),
        "--encoding",
        "utf-8",
        "--out",
        tmp.path().join("l2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("latin1.csv:2: not UTF-8"),
        "{}",
        stderr(&o)
    );
    // A CRM's headers: aliases, then an explicit mapping.
    let text = std::fs::read_to_string(sample("accounts.csv")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let renamed = header
        .replace("id,", "Account ID,")
        .replace(",lat,", ",Latitude,")
        .replace(",lon,", ",Lng,");
    let aliased = tmp.path().join("crm.csv");
    std::fs::write(&aliased, format!("{renamed}\n{body}")).unwrap();
    assert_eq!(
        plan(&aliased, &sample("reps.csv"), &tmp.path().join("c1"), &[]),
        reference
    );
    let odd = header
        .replace("id,", "AccountNo,")
        .replace(",lat,", ",Y,")
        .replace(",lon,", ",X,");
    let mapped = tmp.path().join("odd.csv");
    std::fs::write(&mapped, format!("{odd}\n{body}")).unwrap();
    assert_eq!(
        plan(
            &mapped,
            &sample("reps.csv"),
            &tmp.path().join("c2"),
            &["--columns", "id=AccountNo,lat=Y,lon=X"]
        ),
        reference
    );
    // `-` reads standard input.
    let out = tmp.path().join("stdin");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_territory"))
        .args([
            "plan",
            "--accounts",
            "-",
            "--reps",
            sample("reps.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        std::fs::read(out.join("assignment.csv")).unwrap(),
        reference
    );
}
