//! Property tests of the schedule engine: on random small requests (reps with
//! their own days and hours, accounts with frequencies, opening windows,
//! accepted weekdays and service times, fixed bookings, a lunch break), every
//! plan keeps every rule, checked here from the plan's own figures and the
//! request alone; and the same request gives the same plan on one thread and
//! on two.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use territory_routing::schedule::Reason;
use territory_routing::{
    plan_visits, Account, Appointment, Flex, Location, Lunch, Rep, Schedule, ScheduleOptions,
    ScheduleRequest, StraightLine, TimeWindow, Weekday, WorkloadModel,
};

const EPS: f64 = 1e-6;

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date")
}

const DAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

fn weekday(date: NaiveDate) -> Weekday {
    DAYS[date.weekday().num_days_from_monday().min(4) as usize]
}

/// A random request, as plain values (proptest shrinks them).
#[derive(Debug, Clone)]
struct Case {
    /// Per rep: working weekdays (bit mask), start and end hour.
    reps: Vec<(u8, u32, u32)>,
    /// Per account: offset (north, east) in 0.001°, owner, visits per 4
    /// weeks, service minutes, window kind, accepted weekdays (bit mask, 0 = any).
    accounts: Vec<(i32, i32, usize, f64, f64, u8, u8)>,
    /// Bookings: account, day of the horizon, start hour.
    bookings: Vec<(usize, u32, u32)>,
    lunch: bool,
    inter_day: bool,
}

fn case() -> impl Strategy<Value = Case> {
    let reps = prop::collection::vec((1u8..32, 7u32..10, 15u32..19), 1..3);
    reps.prop_flat_map(|reps| {
        let k = reps.len();
        let account = (
            -40i32..40,
            -40i32..40,
            0..k,
            prop::sample::select(vec![1.0, 2.0, 4.0]),
            10.0f64..60.0,
            0u8..3,
            prop_oneof![Just(0u8), 1u8..32],
        );
        (
            Just(reps),
            prop::collection::vec(account, 3..22),
            prop::collection::vec((0usize..22, 0u32..14, 9u32..15), 0..3),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(reps, accounts, bookings, lunch, inter_day)| Case {
                reps,
                accounts,
                bookings,
                lunch,
                inter_day,
            })
    })
}

fn days_of(mask: u8) -> Vec<Weekday> {
    DAYS.iter()
        .enumerate()
        .filter(|(d, _)| mask & (1 << d) != 0)
        .map(|(_, &w)| w)
        .collect()
}

struct Built {
    reps: Vec<Rep>,
    accounts: Vec<Account>,
    owner: Vec<Option<usize>>,
    appointments: Vec<Appointment>,
    options: ScheduleOptions,
}

fn build(case: &Case) -> Built {
    let reps: Vec<Rep> = case
        .reps
        .iter()
        .enumerate()
        .map(|(r, &(mask, start, end))| {
            Rep::new(
                format!("rep{r}"),
                Some(Location::new(60.17, 24.94 + r as f64 * 0.01)),
            )
            .with_days(days_of(mask))
            .with_hours(start * 60, end * 60)
        })
        .collect();
    let accounts: Vec<Account> = case
        .accounts
        .iter()
        .enumerate()
        .map(|(i, &(n, e, _, visits, service, windows, mask))| {
            let windows = match windows {
                0 => Vec::new(),
                1 => vec![TimeWindow {
                    start: 9 * 60,
                    end: 12 * 60,
                }],
                _ => vec![
                    TimeWindow {
                        start: 10 * 60,
                        end: 11 * 60 + 30,
                    },
                    TimeWindow {
                        start: 14 * 60,
                        end: 17 * 60,
                    },
                ],
            };
            Account::new(
                format!("a{i}"),
                Location::new(60.17 + n as f64 * 0.001, 24.94 + e as f64 * 0.002),
            )
            .with_visits(visits)
            .with_service_min(service.round())
            .with_windows(windows)
            .with_days(days_of(mask))
        })
        .collect();
    let owner = case
        .accounts
        .iter()
        .map(|a| Some(a.2.min(reps.len() - 1)))
        .collect();
    let mut appointments: Vec<Appointment> = Vec::new();
    for &(account, day, hour) in &case.bookings {
        if account >= accounts.len() || appointments.iter().any(|a| a.account == account) {
            continue;
        }
        appointments.push(Appointment {
            account,
            date: monday() + chrono::Days::new(day as u64),
            start: hour * 60,
            duration_min: 30,
            flex: Flex::Fixed,
        });
    }
    let options = ScheduleOptions {
        iterations: Some(60),
        lunch: case.lunch.then_some(Lunch {
            earliest: 11 * 60 + 30,
            latest: 13 * 60 + 30,
            duration: 30,
        }),
        inter_day: case.inter_day,
        ..ScheduleOptions::default()
    };
    Built {
        reps,
        accounts,
        owner,
        appointments,
        options,
    }
}

fn plan(b: &Built) -> Schedule {
    let workload = WorkloadModel::default();
    let request = ScheduleRequest {
        appointments: &b.appointments,
        ..ScheduleRequest::new(&b.accounts, &b.reps, &b.owner, &workload, monday(), 2)
    };
    plan_visits(&request, &StraightLine::default(), &b.options).expect("a valid request plans")
}

/// Every rule the plan must keep; the first broken one, named.
fn broken_rule(b: &Built, s: &Schedule) -> Option<String> {
    let travel = StraightLine::default();
    let mut visits: HashMap<usize, Vec<NaiveDate>> = HashMap::new();
    let mut stops = 0;
    for day in &s.days {
        let rep = &b.reps[day.rep];
        let at = format!("{} {}", rep.id, day.date);
        if !rep.days.contains(&weekday(day.date)) || day.date.weekday().num_days_from_monday() > 4 {
            return Some(format!("{at}: not a working day of the rep"));
        }
        if day.stops.is_empty() {
            continue;
        }
        if day.depart + EPS < day.hours.0 as f64 || day.back > day.hours.1 as f64 + EPS {
            return Some(format!(
                "{at}: {}–{} outside the hours {:?}",
                day.depart, day.back, day.hours
            ));
        }
        let mut clock = day.depart;
        let mut from = rep.base.expect("bases");
        for stop in &day.stops {
            stops += 1;
            let acc = &b.accounts[stop.account];
            if b.owner[stop.account] != Some(day.rep) {
                return Some(format!("{at}: {} is another rep's", acc.id));
            }
            let leg = travel.minutes(from, acc.location).ceil();
            if stop.arrival + EPS < clock + leg {
                return Some(format!(
                    "{at}: {} reached {} min after leaving, the leg takes {leg}",
                    acc.id,
                    stop.arrival - clock
                ));
            }
            if stop.start + EPS < stop.arrival {
                return Some(format!("{at}: {} starts before arriving", acc.id));
            }
            if stop.appointment {
                let booked = b
                    .appointments
                    .iter()
                    .find(|a| a.account == stop.account && a.date == day.date);
                match booked {
                    Some(a)
                        if (stop.start - a.start as f64).abs() < EPS
                            && (stop.departure - stop.start - a.duration_min as f64).abs()
                                < EPS => {}
                    _ => {
                        return Some(format!(
                            "{at}: {} shown as booked, but not as booked",
                            acc.id
                        ))
                    }
                }
            } else {
                if !acc.days.is_empty() && !acc.days.contains(&weekday(day.date)) {
                    return Some(format!("{at}: {} does not accept that weekday", acc.id));
                }
                let inside = acc.windows.is_empty()
                    || acc.windows.iter().any(|w| {
                        stop.start + EPS >= w.start as f64 && stop.departure <= w.end as f64 + EPS
                    });
                if !inside {
                    return Some(format!(
                        "{at}: {} at {}–{} outside its windows",
                        acc.id, stop.start, stop.departure
                    ));
                }
                let service = acc.service_min.unwrap_or(0.0);
                if stop.departure - stop.start + EPS < service {
                    return Some(format!(
                        "{at}: {} served {} of {service} min",
                        acc.id,
                        stop.departure - stop.start
                    ));
                }
            }
            if let Some((l0, l1)) = day.lunch {
                if stop.start < l1 - EPS && stop.departure > l0 + EPS {
                    return Some(format!("{at}: {} overlaps the lunch break", acc.id));
                }
            }
            visits.entry(stop.account).or_default().push(day.date);
            clock = stop.departure;
            from = acc.location;
        }
        let back_leg = travel.minutes(from, rep.base.expect("bases")).ceil();
        if day.back + EPS < clock + back_leg {
            return Some(format!(
                "{at}: back at {} before the drive home ends",
                day.back
            ));
        }
        if let (Some((l0, l1)), Some(l)) = (day.lunch, b.options.lunch) {
            if l0 + EPS < l.earliest as f64
                || l1 > l.latest as f64 + EPS
                || (l1 - l0 - l.duration as f64).abs() > EPS
            {
                return Some(format!(
                    "{at}: lunch {l0}–{l1} outside its window or length"
                ));
            }
        }
    }
    for (account, dates) in &visits {
        let mut sorted = dates.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != dates.len() {
            return Some(format!(
                "{}: two visits on one day",
                b.accounts[*account].id
            ));
        }
    }
    if stops != s.scheduled_visits + s.filled.len() {
        return Some(format!("{stops} stops, {} scheduled", s.scheduled_visits));
    }
    // Every account short of its due visits is reported, with the count.
    let due_total: usize = s.due_visits;
    let short: usize = s
        .unscheduled
        .iter()
        .map(|u| u.due.saturating_sub(u.scheduled))
        .sum();
    if s.scheduled_visits + short < due_total {
        return Some(format!(
            "{} due, {} scheduled, {short} reported short",
            due_total, s.scheduled_visits
        ));
    }
    for u in &s.unscheduled {
        let got = visits.get(&u.account).map_or(0, Vec::len);
        if got != u.scheduled {
            return Some(format!(
                "{}: reported {} visits, has {got}",
                b.accounts[u.account].id, u.scheduled
            ));
        }
        if matches!(u.reason, Reason::NoRoom) && got >= u.due {
            return Some(format!(
                "{}: reported short with all its visits",
                b.accounts[u.account].id
            ));
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_keeps_every_rule(case in case()) {
        let built = build(&case);
        let schedule = plan(&built);
        prop_assert_eq!(broken_rule(&built, &schedule), None);
    }
}

#[test]
fn the_same_request_plans_the_same_on_one_thread_and_on_two() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..4 {
        let case = case().new_tree(&mut runner).expect("a case").current();
        let built = build(&case);
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool")
                .install(|| plan(&built))
        };
        assert_eq!(on(1), on(2));
    }
}

#[test]
fn the_rules_see_a_broken_plan() {
    // A plan the rules accept, then the same plan broken three ways.
    let case = Case {
        reps: vec![(31, 8, 17)],
        accounts: (0..6)
            .map(|i| (i * 5, -i * 3, 0, 4.0, 30.0, 1, 0))
            .collect(),
        bookings: Vec::new(),
        lunch: true,
        inter_day: true,
    };
    let built = build(&case);
    let good = plan(&built);
    assert_eq!(broken_rule(&built, &good), None);
    let day = good
        .days
        .iter()
        .position(|d| !d.stops.is_empty())
        .expect("a busy day");

    let mut late = good.clone();
    // Windows close at 12:00.
    late.days[day].stops[0].start = 16.0 * 60.0;
    late.days[day].stops[0].departure = 16.5 * 60.0;
    let why = broken_rule(&built, &late).expect("broken");
    assert!(why.contains("outside its windows"), "{why}");

    let mut twice = good.clone();
    let copy = twice.days[day].stops[0].clone();
    twice.days[day].stops.push(copy);
    assert!(broken_rule(&built, &twice).is_some());

    let mut early = good;
    early.days[day].depart = 7.0 * 60.0;
    assert!(broken_rule(&built, &early)
        .unwrap()
        .contains("outside the hours"));
}
