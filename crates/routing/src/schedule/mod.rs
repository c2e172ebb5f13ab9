//! Field visit scheduling: dated daily routes for every rep over a horizon of
//! weeks.
//!
//! Each account needs `visits` per 4 weeks, spread evenly over its rep's
//! working days ([`calendar::patterns`]): weekly accounts on one weekday every
//! week, fortnightly ones on alternate weeks, monthly ones once. A visit must
//! lie inside one of the account's opening windows on a weekday it accepts;
//! booked [`Appointment`]s are kept at their exact date and time. Every day
//! starts and ends at the rep's base within the rep's working hours, with an
//! optional [`Lunch`] break.
//!
//! The objective is total travel time, then even day lengths. The search
//! inserts each account with the day pattern whose cheapest insertions cost
//! least (so changing an account's pattern is part of every move), and runs
//! ruin-and-recreate under simulated annealing, followed by 2-opt and Or-opt
//! inside each day and a descent that moves blocks of visits between days
//! and exchanges them (`inter_day.rs`; each visit keeps its account's other
//! days). Reps (or offices sharing a plan) are solved in parallel; a
//! fixed number of iterations makes the result the same on any thread count.
//!
//! ```
//! use chrono::NaiveDate;
//! use territory_routing::schedule::{plan_visits, ScheduleOptions, ScheduleRequest};
//! use territory_routing::travel::StraightLine;
//! use territory::{Account, Location, Rep, WorkloadModel};
//!
//! let rep = Rep::new("anna", Some(Location::new(60.17, 24.94)));
//! let accounts: Vec<Account> = (0..12)
//!     .map(|i| {
//!         let mut a = Account::new(format!("a{i}"), Location::new(60.16 + i as f64 * 0.002, 24.93));
//!         a.visits = Some(if i < 3 { 4.0 } else { 1.0 }); // weekly or monthly
//!         a
//!     })
//!     .collect();
//! let owner = vec![Some(0); accounts.len()];
//! let request = ScheduleRequest {
//!     accounts: &accounts,
//!     reps: std::slice::from_ref(&rep),
//!     owner: &owner,
//!     workload: &WorkloadModel::default(),
//!     appointments: &[],
//!     start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
//!     weeks: 4,
//!     absences: &[],
//!     holidays: &[],
//!     history: &[],
//!     previous: None,
//!     freeze_days: 0,
//! };
//! let options = ScheduleOptions { iterations: Some(200), ..ScheduleOptions::default() };
//! let schedule = plan_visits(&request, &StraightLine::default(), &options)?;
//! assert_eq!(schedule.scheduled_visits, 3 * 4 + 9);
//! assert!(schedule.unscheduled.is_empty());
//! # Ok::<(), territory_routing::schedule::ScheduleError>(())
//! ```

mod availability;
pub mod calendar;
mod day;
mod figures;
mod fill;
mod history;
mod inter_day;
mod part_time;
mod previous;
mod search;
mod slots;
mod state;
mod stretch;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::travel::{TravelError, TravelModel};
use territory::model::{Account, Rep};
use territory::problem::WorkloadModel;
use territory::progress::{NoProgress, Progress};

pub use availability::{working_hours, Absence, Holiday};
pub use figures::{available_min, RepFigures, Spread};
pub use fill::{Fill, Filled};
pub use history::{due_dates, due_patterns, DueDates, PastVisit, VisitStatus};
pub use part_time::{shape_part_time, PartTime, PartTimeWeek};
pub use previous::{ChangeReason, PreviousPlan, PreviousVisit, VisitChange};
pub use slots::{
    book_slot, nearest_reps, slots, Band, DetourBands, NoSlot, SlotAnswer, SlotOffer, SlotRequest,
};
pub use stretch::Stretch;

/// A visit booked at an exact date and time, or with some freedom ([`Flex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appointment {
    /// Index of the account in [`ScheduleRequest::accounts`].
    pub account: usize,
    /// Day of the visit.
    pub date: NaiveDate,
    /// Start, minutes after midnight (used only when [`Flex::Fixed`]).
    pub start: u32,
    /// Length of the visit in minutes.
    pub duration_min: u32,
    /// How much freedom the booking leaves the plan.
    pub flex: Flex,
}

/// How much freedom a booking leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flex {
    /// That date and time.
    #[default]
    Fixed,
    /// That date, any time inside the account's opening windows.
    Day,
    /// Any working day of that date's week (Monday to Sunday), inside the
    /// account's windows and accepted days.
    Week,
}

impl Flex {
    /// Whether a booking made for `booked` may take place on `date`.
    pub fn allows(self, booked: NaiveDate, date: NaiveDate) -> bool {
        match self {
            Self::Fixed | Self::Day => date == booked,
            Self::Week => calendar::week_index(date) == calendar::week_index(booked),
        }
    }

    /// Whether a booking made for `booked` can fall in `[start, end)`: its
    /// day, or for [`Flex::Week`] any day of its week.
    pub fn in_range(self, booked: NaiveDate, start: NaiveDate, end: NaiveDate) -> bool {
        match self {
            Self::Fixed | Self::Day => booked >= start && booked < end,
            Self::Week => {
                let monday = booked
                    - chrono::Days::new(
                        chrono::Datelike::weekday(&booked).num_days_from_monday() as u64
                    );
                (0..7).any(|k| {
                    let d = monday + chrono::Days::new(k);
                    d >= start && d < end
                })
            }
        }
    }

    /// Stable machine-readable code (the appointments file's `flex`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Day => "day",
            Self::Week => "week",
        }
    }
}

/// A break the rep takes between visits: `duration` minutes lying wholly
/// within `[earliest, latest]` (minutes after midnight). Days that end before
/// `earliest` or start after `latest − duration` need no break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lunch {
    /// Earliest start of the break.
    pub earliest: u32,
    /// Latest end of the break.
    pub latest: u32,
    /// Length of the break.
    pub duration: u32,
}

/// What to schedule.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleRequest<'a> {
    /// Accounts with location, visits, service time, windows and days.
    pub accounts: &'a [Account],
    /// Reps with base, working days and hours (and office, for shared plans).
    pub reps: &'a [Rep],
    /// Rep index per account; `None` leaves the account out.
    pub owner: &'a [Option<usize>],
    /// Defaults for visits and service time by status.
    pub workload: &'a WorkloadModel,
    /// Booked visits; those outside the horizon are counted and skipped.
    pub appointments: &'a [Appointment],
    /// First day of the horizon.
    pub start: NaiveDate,
    /// Length of the horizon in weeks.
    pub weeks: u32,
    /// Reps' days and part days away.
    pub absences: &'a [Absence],
    /// Public holidays (of everyone or of one office).
    pub holidays: &'a [Holiday],
    /// Past visits: an account with a done or missed one keeps its rhythm
    /// from its last done visit ([`due_dates`]), unless it has a booking.
    pub history: &'a [PastVisit],
    /// An earlier plan to re-plan from: its visits inside this horizon are
    /// kept where they were unless moving them gains more than
    /// [`ScheduleOptions::change_cost`], and the changes are reported.
    pub previous: Option<&'a PreviousPlan>,
    /// Each rep's first working days of the horizon that keep the earlier
    /// plan's visits exactly (rep, date, order and times), when it covered them.
    pub freeze_days: u32,
}

impl<'a> ScheduleRequest<'a> {
    /// A request with no bookings, absences, holidays, history or earlier
    /// plan; set those fields after, as needed.
    pub fn new(
        accounts: &'a [Account],
        reps: &'a [Rep],
        owner: &'a [Option<usize>],
        workload: &'a WorkloadModel,
        start: NaiveDate,
        weeks: u32,
    ) -> Self {
        Self {
            accounts,
            reps,
            owner,
            workload,
            appointments: &[],
            start,
            weeks,
            absences: &[],
            holidays: &[],
            history: &[],
            previous: None,
            freeze_days: 0,
        }
    }
}

/// From a territory plan to its reps' visits in one call: each account goes
/// to the rep of its territory (the problem's reps, in the order
/// [`territory::ProblemBuilder::reps`] took them).
///
/// ```
/// use territory::{plan, Measure, PlanOptions, Problem};
/// use territory_routing::chrono::NaiveDate;
/// use territory_routing::{plan_visits_for_plan, Account, Location, Rep, ScheduleOptions, StraightLine};
///
/// let accounts: Vec<Account> = (0..30)
///     .map(|i| Account::new(format!("a{i}"), Location::new(60.16 + (i % 6) as f64 * 0.004, 24.92 + (i / 6) as f64 * 0.006)).with_visits(2.0))
///     .collect();
/// let problem = Problem::builder()
///     .accounts(accounts)
///     .reps(vec![
///         Rep::new("west", Some(Location::new(60.17, 24.92))),
///         Rep::new("east", Some(Location::new(60.17, 24.95))),
///     ])
///     .criterion(Measure::Customers, 0.10)
///     .build()?;
/// let territories = plan(&problem, &PlanOptions::default())?;
/// let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
/// let options = ScheduleOptions { iterations: Some(100), ..ScheduleOptions::default() };
/// let schedule = plan_visits_for_plan(&problem, &territories, start, 4, &StraightLine::default(), &options)?;
/// assert_eq!(schedule.scheduled_visits, 60);
/// let day = &schedule.days[0];
/// assert!(["west", "east"].contains(&problem.reps()[day.rep].id.as_str()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_visits_for_plan(
    problem: &territory::Problem,
    plan: &territory::Plan,
    start: NaiveDate,
    weeks: u32,
    travel: &dyn TravelModel,
    options: &ScheduleOptions,
) -> Result<Schedule, ScheduleError> {
    let reps = problem.reps();
    if reps.len() != problem.territories().len()
        || plan.assignment.len() != problem.accounts().len()
    {
        return Err(ScheduleError::Index(format!(
            "a plan of {} accounts in {} territories for a problem of {} accounts and {} reps: \
             the territories must be the problem's reps, in order",
            plan.assignment.len(),
            problem.territories().len(),
            problem.accounts().len(),
            reps.len()
        )));
    }
    let owner = plan.owners();
    let request = ScheduleRequest::new(
        problem.accounts(),
        reps,
        &owner,
        problem.workload_model(),
        start,
        weeks,
    );
    plan_visits(&request, travel, options)
}

/// Search settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleOptions {
    /// Random seed.
    pub seed: u64,
    /// Ruin-and-recreate iterations per rep (or office); `None` picks a number
    /// from the number of accounts. A fixed count keeps results reproducible.
    pub iterations: Option<usize>,
    /// Wall-clock cap per rep (or office); reaching it ends the search early.
    pub time_limit: Duration,
    /// Optional lunch break.
    pub lunch: Option<Lunch>,
    /// Reps of one office share their accounts: any of them may take an account
    /// (all its visits), and the plan is optimised over the office as a whole.
    pub share_office: bool,
    /// Weight of even day lengths against travel minutes: the objective adds
    /// `weight × Σ work² / day length` over days.
    pub balance_weight: f64,
    /// Anchor cadences to the calendar: an account due every 2, 4 or 8 weeks
    /// gets its visit in the calendar weeks fixed by a hash of its id, so
    /// short horizons planned one after another (a weekly job) keep each
    /// account's rhythm, instead of rounding the visits due in the horizon.
    pub anchored: bool,
    /// Travel minutes a re-plan must save to move an earlier visit to
    /// another day or rep (with [`ScheduleRequest::previous`]).
    pub change_cost: f64,
    /// When a rep's days cannot hold every due visit, leave out the visits
    /// of the accounts seen most recently for their interval (from the
    /// history) rather than those that fit worst, so the shortage lengthens
    /// every interval a little; overdue accounts come first either way.
    /// Each rep short of room is reported ([`Stretch`]).
    pub stretch_intervals: bool,
    /// Optional visits where days have room, for accounts not due in the
    /// horizon ([`Fill`]); `None` adds none.
    pub fill: Option<Fill>,
    /// Optional visits per rep-day at most with [`ScheduleOptions::fill`]
    /// (0: as many as fit).
    pub fill_max_per_day: usize,
    /// How a part-time rep's week follows its capacity ([`PartTime`]).
    pub part_time: PartTime,
    /// After the annealing, move blocks of consecutive visits to other days
    /// and exchange blocks between days while that lowers travel and evens
    /// the days; each visit keeps its account's other days.
    pub inter_day: bool,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            iterations: None,
            time_limit: Duration::from_secs(60),
            lunch: None,
            share_office: false,
            balance_weight: 0.05,
            anchored: false,
            change_cost: 20.0,
            stretch_intervals: true,
            fill: None,
            fill_max_per_day: 0,
            part_time: PartTime::default(),
            inter_day: true,
        }
    }
}

/// Why a request cannot be scheduled at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// A rep who owns accounts has no base to start from.
    #[error("rep '{rep}' has no base (lat/lon): every route starts and ends there")]
    NoBase {
        /// Rep id.
        rep: String,
    },
    /// The horizon is empty.
    #[error("the horizon must be at least one week")]
    NoWeeks,
    /// `owner` or an appointment points outside the lists.
    #[error("{0}")]
    Index(String),
    /// The lunch break does not fit its own window.
    #[error(
        "the lunch break of {duration} min does not fit between its earliest start and latest end"
    )]
    Lunch {
        /// Break length.
        duration: u32,
    },
    /// The workload model's defaults are out of range.
    #[error("{0}")]
    Workload(String),
    /// A planned day does not hold with today's inputs, or a booking does
    /// not fit it.
    #[error("rep '{rep}' on {date}: {}", if *booking { "the slot no longer fits the day" } else { "the planned day no longer holds (hours, absences or opening windows changed since it was planned)" })]
    PlanDoesNotHold {
        /// Rep id.
        rep: String,
        /// Day.
        date: NaiveDate,
        /// Whether it is the day being booked.
        booking: bool,
    },
    /// Travel costs could not be computed.
    #[error(transparent)]
    Travel(#[from] TravelError),
}

/// One visit on a rep's day.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// Account index.
    pub account: usize,
    /// Arrival, minutes after midnight.
    pub arrival: f64,
    /// Start of the visit (after any wait for the window).
    pub start: f64,
    /// End of the visit.
    pub departure: f64,
    /// Travel minutes from the previous stop (or the base).
    pub travel_min: f64,
    /// Travel kilometres from the previous stop (or the base).
    pub travel_km: f64,
    /// Whether this is a booked appointment.
    pub appointment: bool,
    /// Index of the earlier plan's visit this one continues (same account;
    /// same day and rep, or moved), when re-planning.
    pub previous: Option<usize>,
}

/// A rep's working day.
#[derive(Debug, Clone, PartialEq)]
pub struct RepDay {
    /// Rep index.
    pub rep: usize,
    /// Date.
    pub date: NaiveDate,
    /// Working hours of the day `(start, end)`, minutes after midnight: the
    /// rep's, shortened by any part-day absence.
    pub hours: (u32, u32),
    /// Departure from the base, minutes after midnight (the rep's start on empty days).
    pub depart: f64,
    /// Return to the base.
    pub back: f64,
    /// Visits in order.
    pub stops: Vec<Stop>,
    /// Lunch break `(start, end)`, if taken.
    pub lunch: Option<(f64, f64)>,
    /// Travel minutes from the last stop back to the base.
    pub return_min: f64,
    /// Travel kilometres from the last stop back to the base.
    pub return_km: f64,
}

impl RepDay {
    /// Total travel minutes of the day.
    pub fn travel_min(&self) -> f64 {
        self.stops.iter().map(|s| s.travel_min).sum::<f64>() + self.return_min
    }

    /// Total travel kilometres of the day.
    pub fn travel_km(&self) -> f64 {
        self.stops.iter().map(|s| s.travel_km).sum::<f64>() + self.return_km
    }

    /// Minutes on duty: departure to return, less the lunch break.
    pub fn work_min(&self) -> f64 {
        if self.stops.is_empty() {
            return 0.0;
        }
        self.back - self.depart - self.lunch.map_or(0.0, |(a, b)| b - a)
    }
}

/// Why visits were left out.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The account's frequency rounds to no visit in a horizon this short.
    NotDueInHorizon {
        /// Visits per 4 weeks.
        per_4_weeks: f64,
        /// Weeks in the horizon.
        weeks: u32,
        /// The cadence is anchored to calendar weeks (none of which falls
        /// in this horizon).
        anchored: bool,
    },
    /// The account accepts none of the rep's working days.
    NoAcceptedDay,
    /// The visits cannot be spread over the days the account accepts.
    FrequencyImpossible {
        /// Visits due in the horizon.
        due: usize,
        /// Working days the account accepts.
        accepted_days: usize,
    },
    /// The visit does not fit the rep's working day even alone: service time
    /// plus the round trip from the base is longer than the day.
    DayTooShort,
    /// No opening window leaves room for the visit between leaving the base
    /// at the start of the day and returning by its end.
    NoWindowFits,
    /// Each visit fits alone but the days it could use are full.
    NoRoom,
    /// A booked appointment clashes with another one.
    AppointmentConflict,
    /// A booked appointment cannot be reached from the base and back within
    /// the rep's working hours, even alone.
    AppointmentOutsideHours,
    /// A booked appointment falls on a day the rep does not work.
    AppointmentOffDay,
    /// A booked appointment falls on a holiday or in an absence of the rep.
    AppointmentRepAway,
    /// A flexible booking found no room on its day or in its week; the
    /// account's regular visits took its place where they could.
    FlexibleBookingNotKept,
}

impl Reason {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotDueInHorizon { .. } => "not_due_in_horizon",
            Self::NoAcceptedDay => "no_accepted_day",
            Self::FrequencyImpossible { .. } => "frequency_impossible",
            Self::DayTooShort => "day_too_short",
            Self::NoWindowFits => "no_window_fits",
            Self::NoRoom => "no_room",
            Self::AppointmentConflict => "appointment_conflict",
            Self::AppointmentOutsideHours => "appointment_outside_hours",
            Self::AppointmentOffDay => "appointment_off_day",
            Self::AppointmentRepAway => "appointment_rep_away",
            Self::FlexibleBookingNotKept => "flexible_booking_not_kept",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotDueInHorizon {
                per_4_weeks,
                weeks,
                anchored: true,
            } => write!(
                f,
                "at {per_4_weeks} visits per 4 weeks its anchored cadence has no visit due in this {weeks}-week horizon (the next one falls in a later week)"
            ),
            Self::NotDueInHorizon { per_4_weeks, weeks, .. } => write!(
                f,
                "at {per_4_weeks} visits per 4 weeks no visit is due in this {weeks}-week horizon (plan a longer one, or anchor the cadence to the calendar)"
            ),
            Self::NoAcceptedDay => f.write_str("the account accepts none of the rep's working days"),
            Self::FrequencyImpossible { due, accepted_days } => write!(
                f,
                "{due} visits cannot be spread evenly over the {accepted_days} working days the account accepts"
            ),
            Self::DayTooShort => f.write_str(
                "the visit plus the round trip from the base is longer than the working day",
            ),
            Self::NoWindowFits => f.write_str(
                "no opening window leaves time to travel from the base and back within working hours",
            ),
            Self::NoRoom => f.write_str(
                "the days the visits could use are full (working hours or other visits' windows)",
            ),
            Self::AppointmentConflict => f.write_str(
                "the appointment clashes with another appointment of the rep that day",
            ),
            Self::AppointmentOutsideHours => f.write_str(
                "the appointment cannot be reached from the base and back within the rep's working hours",
            ),
            Self::AppointmentOffDay => f.write_str("the appointment falls on a day the rep does not work"),
            Self::AppointmentRepAway => f.write_str(
                "the appointment falls on a public holiday or while the rep is away",
            ),
            Self::FlexibleBookingNotKept => f.write_str(
                "the flexible booking found no room on its day or in its week; regular visits took its place where they could",
            ),
        }
    }
}

/// Visits of one account that could not be scheduled.
#[derive(Debug, Clone, PartialEq)]
pub struct Unscheduled {
    /// Account index.
    pub account: usize,
    /// Rep index (the owner).
    pub rep: usize,
    /// Visits due in the horizon (appointments included).
    pub due: usize,
    /// Visits scheduled.
    pub scheduled: usize,
    /// Why the rest were not.
    pub reason: Reason,
}

/// An account already late at the start of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    /// Account index.
    pub account: usize,
    /// Rep index (the owner).
    pub rep: usize,
    /// When the visit was due.
    pub due: NaiveDate,
    /// Days late on the first day of the horizon.
    pub days_overdue: i64,
}

/// The planned horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Every working day of every rep with accounts, by rep then date.
    pub days: Vec<RepDay>,
    /// Accounts with fewer visits than due, or a booking not kept, and why:
    /// empty when every due visit and booking is planned.
    pub unscheduled: Vec<Unscheduled>,
    /// Accounts with a frequency but no visit due in this horizon (kept apart
    /// from `unscheduled`, which is an alarm).
    pub not_due: Vec<Unscheduled>,
    /// Accounts whose history made them due before the horizon began.
    pub overdue: Vec<Overdue>,
    /// Visits due over the horizon (appointments included).
    pub due_visits: usize,
    /// Visits scheduled.
    pub scheduled_visits: usize,
    /// Appointments honoured.
    pub appointments_kept: usize,
    /// Appointments outside the horizon (skipped).
    pub appointments_outside: usize,
    /// Search iterations run, summed over reps (or offices).
    pub iterations: usize,
    /// Rep-days kept exactly from the earlier plan.
    pub frozen_days: usize,
    /// Earlier visits inside the horizon moved to another day or rep, or
    /// dropped, with the reason (empty without an earlier plan).
    pub changes: Vec<VisitChange>,
    /// Reps whose days could not hold every due visit (with history), by rep.
    pub stretches: Vec<Stretch>,
    /// Optional visits added where days had room (with [`ScheduleOptions::fill`]),
    /// not counted in `scheduled_visits`.
    pub filled: Vec<Filled>,
    /// Part-time reps whose week was cut to their capacity
    /// ([`ScheduleOptions::part_time`]), by rep.
    pub part_time: Vec<PartTimeWeek>,
}

impl Schedule {
    /// Total travel minutes.
    pub fn travel_min(&self) -> f64 {
        self.days.iter().map(RepDay::travel_min).sum()
    }

    /// Total travel kilometres.
    pub fn travel_km(&self) -> f64 {
        self.days.iter().map(RepDay::travel_km).sum()
    }
}

/// FNV-1a (64 bits) of some bytes: a stable hash for seeds, anchored
/// cadences and calendar UIDs, the same on every platform and run.
///
/// ```
/// assert_eq!(territory_routing::schedule::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
/// ```
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Plans every rep's visits over the horizon.
pub fn plan_visits(
    request: &ScheduleRequest<'_>,
    travel: &dyn TravelModel,
    options: &ScheduleOptions,
) -> Result<Schedule, ScheduleError> {
    plan_visits_with_progress(request, travel, options, &NoProgress)
}

/// [`plan_visits`], reporting each rep (or office) finished to `progress`.
pub fn plan_visits_with_progress(
    request: &ScheduleRequest<'_>,
    travel: &dyn TravelModel,
    options: &ScheduleOptions,
    progress: &dyn Progress,
) -> Result<Schedule, ScheduleError> {
    validate(request, options)?;
    let (shaped, part_time) = shape_part_time(request, options.part_time);
    let request = &ScheduleRequest {
        reps: &shaped,
        ..*request
    };
    let groups = group_reps(request, options.share_office);
    // Reps owning accounts with a visit history.
    let mut with_history: Vec<usize> = request
        .history
        .iter()
        .filter(|p| p.status != VisitStatus::Cancelled)
        .filter_map(|p| request.owner.get(p.account).copied().flatten())
        .collect();
    with_history.sort_unstable();
    with_history.dedup();
    let done = AtomicUsize::new(0);
    progress.advance(0, groups.len());
    let results: Vec<Result<(search::GroupResult, Vec<Stretch>), ScheduleError>> = groups
        .par_iter()
        .map(|group| {
            let result = search::solve_group(request, group, travel, options).map(|r| {
                let stretched =
                    stretch::stretches(&r.due_per_rep, &r.unscheduled, &r.days, &with_history);
                (r, stretched)
            });
            progress.advance(done.fetch_add(1, Ordering::Relaxed) + 1, groups.len());
            result
        })
        .collect();
    let mut schedule = Schedule {
        days: Vec::new(),
        unscheduled: Vec::new(),
        not_due: Vec::new(),
        overdue: Vec::new(),
        due_visits: 0,
        scheduled_visits: 0,
        appointments_kept: 0,
        appointments_outside: 0,
        iterations: 0,
        frozen_days: 0,
        changes: Vec::new(),
        stretches: Vec::new(),
        filled: Vec::new(),
        part_time,
    };
    for result in results {
        let (r, stretches) = result?;
        schedule.stretches.extend(stretches);
        schedule.filled.extend(r.filled.iter().cloned());
        schedule.days.extend(r.days);
        schedule.unscheduled.extend(r.unscheduled);
        schedule.not_due.extend(r.not_due);
        schedule.overdue.extend(r.overdue);
        schedule.due_visits += r.due_visits;
        schedule.scheduled_visits += r.scheduled_visits;
        schedule.appointments_kept += r.appointments_kept;
        schedule.iterations += r.iterations;
        schedule.frozen_days += r.frozen_days;
    }
    let end = request.start + chrono::Days::new(request.weeks as u64 * 7);
    schedule.appointments_outside = request
        .appointments
        .iter()
        .filter(|a| !a.flex.in_range(a.date, request.start, end))
        .count();
    schedule
        .days
        .sort_by(|a, b| a.rep.cmp(&b.rep).then(a.date.cmp(&b.date)));
    for list in [&mut schedule.unscheduled, &mut schedule.not_due] {
        list.sort_by(|a, b| a.rep.cmp(&b.rep).then(a.account.cmp(&b.account)));
    }
    schedule
        .overdue
        .sort_by(|a, b| a.rep.cmp(&b.rep).then(a.account.cmp(&b.account)));
    schedule.stretches.sort_by_key(|s| s.rep);
    schedule.filled.sort_by(|a, b| {
        a.rep
            .cmp(&b.rep)
            .then(a.date.cmp(&b.date))
            .then(a.account.cmp(&b.account))
    });
    if let Some(plan) = request.previous {
        previous::compare(request, options, plan, &mut schedule);
    }
    Ok(schedule)
}

fn validate(request: &ScheduleRequest<'_>, options: &ScheduleOptions) -> Result<(), ScheduleError> {
    if request.weeks == 0 {
        return Err(ScheduleError::NoWeeks);
    }
    request
        .workload
        .validate()
        .map_err(|e| ScheduleError::Workload(e.to_string()))?;
    if request.owner.len() != request.accounts.len() {
        return Err(ScheduleError::Index(format!(
            "{} owners given for {} accounts",
            request.owner.len(),
            request.accounts.len()
        )));
    }
    if let Some(r) = request
        .owner
        .iter()
        .flatten()
        .find(|&&r| r >= request.reps.len())
    {
        return Err(ScheduleError::Index(format!(
            "owner rep index {r} is outside the {} reps",
            request.reps.len()
        )));
    }
    for &r in request.owner.iter().flatten() {
        if request.reps[r].base.is_none() {
            return Err(ScheduleError::NoBase {
                rep: request.reps[r].id.clone(),
            });
        }
    }
    if let Some(a) = request
        .appointments
        .iter()
        .find(|a| a.account >= request.accounts.len())
    {
        return Err(ScheduleError::Index(format!(
            "appointment for account index {} is outside the {} accounts",
            a.account,
            request.accounts.len()
        )));
    }
    if let Some(v) = request.previous.and_then(|p| {
        p.visits.iter().find(|v| {
            v.account.is_some_and(|a| a >= request.accounts.len())
                || v.rep.is_some_and(|r| r >= request.reps.len())
        })
    }) {
        return Err(ScheduleError::Index(format!(
            "an earlier visit on {} points outside the accounts or reps",
            v.date
        )));
    }
    if !(options.change_cost >= 0.0 && options.change_cost.is_finite()) {
        return Err(ScheduleError::Index(format!(
            "the change cost {} must be a non-negative number of minutes",
            options.change_cost
        )));
    }
    if let Some(l) = options.lunch {
        if l.earliest + l.duration > l.latest {
            return Err(ScheduleError::Lunch {
                duration: l.duration,
            });
        }
    }
    Ok(())
}

/// Reps solved together: each rep alone, or the reps of one office.
fn group_reps(request: &ScheduleRequest<'_>, share_office: bool) -> Vec<Vec<usize>> {
    let mut used = vec![false; request.reps.len()];
    for &r in request.owner.iter().flatten() {
        used[r] = true;
    }
    if share_office {
        // Every rep of an office with accounts takes part, owner or not.
        let busy: Vec<&str> = request
            .reps
            .iter()
            .zip(&used)
            .filter(|(_, &u)| u)
            .filter_map(|(r, _)| r.office.as_deref())
            .collect();
        for (r, rep) in request.reps.iter().enumerate() {
            if rep.base.is_some() && rep.office.as_deref().is_some_and(|o| busy.contains(&o)) {
                used[r] = true;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut office_group: std::collections::HashMap<&str, usize> = Default::default();
    for (r, rep) in request.reps.iter().enumerate() {
        if !used[r] {
            continue;
        }
        match (&rep.office, share_office) {
            (Some(office), true) => match office_group.get(office.as_str()) {
                Some(&g) => groups[g].push(r),
                None => {
                    office_group.insert(office, groups.len());
                    groups.push(vec![r]);
                }
            },
            _ => groups.push(vec![r]),
        }
    }
    // Largest groups first so the parallel pool finishes together.
    let size = |g: &Vec<usize>| {
        request
            .owner
            .iter()
            .filter(|o| o.is_some_and(|r| g.contains(&r)))
            .count()
    };
    groups.sort_by_key(|g| std::cmp::Reverse(size(g)));
    groups
}
