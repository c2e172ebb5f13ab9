//! A CRM embedding `territory`: accounts and reps come from the CRM's own
//! records in memory; the example plans territories, then four weeks of
//! visits, and reads the figures a CRM would store back.
//!
//! `cargo run -p territory --example crm` (also run by `cargo test`, see
//! `tests/examples.rs`).
#![allow(clippy::print_stdout)]

use chrono::NaiveDate;
use territory::{
    plan, Account, Location, Measure, PlanOptions, Problem, Rep, Status, TimeWindow, Weekday,
};
use territory_routing::schedule::{
    plan_visits, Appointment, Flex, Lunch, ScheduleOptions, ScheduleRequest,
};
use territory_routing::travel::StraightLine;

/// What a CRM typically holds about a company.
struct CrmCompany {
    id: u32,
    name: &'static str,
    lat: f64,
    lon: f64,
    is_customer: bool,
    annual_revenue: f64,
    opens: (u32, u32),
}

/// Builds the CRM's records: 90 companies around Tampere.
fn crm_companies() -> Vec<CrmCompany> {
    const NAMES: [&str; 6] = ["Oy", "Ab", "Ltd", "Logistics", "Trading", "Freight"];
    (0..90)
        .map(|i| CrmCompany {
            id: 1000 + i,
            name: NAMES[i as usize % NAMES.len()],
            lat: 61.46 + ((i * 37) % 90) as f64 * 0.0009,
            lon: 23.70 + ((i * 53) % 90) as f64 * 0.0025,
            is_customer: i % 3 != 0,
            annual_revenue: if i % 3 != 0 {
                20_000.0 + (i * 997 % 80_000) as f64
            } else {
                0.0
            },
            opens: if i % 5 == 0 {
                (10 * 60, 16 * 60)
            } else {
                (8 * 60, 17 * 60)
            },
        })
        .collect()
}

/// Runs the whole embedding and returns the CRM's "visits this month" figure.
pub fn main() {
    // 1. CRM records → the library's model.
    let accounts: Vec<Account> = crm_companies()
        .iter()
        .map(|c| {
            let status = if c.is_customer {
                Status::Customer
            } else {
                Status::Prospect
            };
            let mut a = Account::new(format!("crm-{}", c.id), Location::new(c.lat, c.lon))
                .with_status(status)
                .with_revenue(c.annual_revenue);
            a.name = Some(format!("{} {}", c.name, c.id));
            a.visits = Some(if c.is_customer { 2.0 } else { 1.0 });
            a.windows = vec![TimeWindow {
                start: c.opens.0,
                end: c.opens.1,
            }];
            a.days = Weekday::WORKWEEK.to_vec();
            a
        })
        .collect();
    let reps = vec![
        Rep::new("west", Some(Location::new(61.48, 23.74))),
        Rep::new("east", Some(Location::new(61.48, 23.85))),
        Rep::new("north", Some(Location::new(61.50, 23.80))).with_capacity(0.8),
    ];

    // 2. Territories balanced on customers, prospects and revenue within 10%.
    let problem = Problem::builder()
        .accounts(accounts.clone())
        .reps(reps.clone())
        .criterion(Measure::Customers, 0.10)
        .criterion(Measure::Prospects, 0.10)
        .criterion(Measure::Revenue, 0.10)
        .build()
        .expect("valid CRM data");
    let territories = plan(&problem, &PlanOptions::default()).expect("plans");
    for t in &territories.metrics.territories {
        println!(
            "{:>5}: {} customers, {} prospects, revenue {:.0}",
            t.id, t.customers, t.prospects, t.revenue
        );
    }
    assert!(
        territories.metrics.balanced(),
        "{:?}",
        territories.diagnostics
    );

    // 3. Four weeks of visits for every rep, with one booked appointment.
    let owner = territories.owners();
    let start = NaiveDate::from_ymd_opt(2027, 3, 1).expect("a date");
    let appointments = [Appointment {
        account: 4,
        date: start + chrono::Days::new(2),
        start: 11 * 60,
        duration_min: 60,
        flex: Flex::Fixed,
    }];
    let request = ScheduleRequest {
        appointments: &appointments,
        ..ScheduleRequest::new(&accounts, &reps, &owner, problem.workload_model(), start, 4)
    };
    let options = ScheduleOptions {
        iterations: Some(300),
        lunch: Some(Lunch {
            earliest: 11 * 60 + 30,
            latest: 13 * 60 + 30,
            duration: 30,
        }),
        ..ScheduleOptions::default()
    };
    let schedule = plan_visits(&request, &StraightLine::default(), &options).expect("schedules");

    // 4. What the CRM stores back: planned visits per rep and the first day.
    println!(
        "{} of {} visits planned, {:.0} min of driving, {} appointment kept",
        schedule.scheduled_visits,
        schedule.due_visits,
        schedule.travel_min(),
        schedule.appointments_kept
    );
    let first = schedule
        .days
        .iter()
        .find(|d| !d.stops.is_empty())
        .expect("a busy day");
    for stop in &first.stops {
        println!(
            "{} {} {:02}:{:02} {}",
            reps[first.rep].id,
            first.date,
            stop.start as u32 / 60,
            stop.start as u32 % 60,
            accounts[stop.account].id
        );
    }
    assert_eq!(schedule.scheduled_visits, schedule.due_visits);
    assert_eq!(schedule.appointments_kept, 1);
}
