//! A schedule's figures per rep and over all days: visits, travel, time on
//! duty, utilisation of the working hours, and the spread of day lengths.
//! Computed here, next to the schedule, so an embedder reads the same
//! numbers the `routes` summary writes (which only rounds them).

use super::{RepDay, Schedule};

/// One rep's totals over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct RepFigures {
    /// Rep index.
    pub rep: usize,
    /// Visits planned.
    pub visits: usize,
    /// Travel minutes, returns to the base included.
    pub travel_min: f64,
    /// Travel kilometres.
    pub travel_km: f64,
    /// Minutes on duty: from leaving the base to coming back, on days with visits.
    pub work_min: f64,
    /// Working minutes the rep's days offer (absences already deducted).
    pub available_min: f64,
    /// `work_min / available_min`.
    pub utilisation: f64,
}

/// Mean, standard deviation and range of some values (zeros when empty).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (population).
    pub std: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`.
    ///
    /// ```
    /// let s = territory_routing::schedule::Spread::of(&[1.0, 3.0]);
    /// assert_eq!((s.mean, s.std, s.min, s.max), (2.0, 1.0, 1.0, 3.0));
    /// ```
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Self {
            mean,
            std: var.sqrt(),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// Working minutes a rep-day offers.
pub fn available_min(day: &RepDay) -> f64 {
    day.hours.1.saturating_sub(day.hours.0).max(1) as f64
}

impl Schedule {
    /// Each rep's totals, in the order the reps' days appear (reps without a
    /// working day in the horizon are left out).
    pub fn rep_figures(&self) -> Vec<RepFigures> {
        let mut out: Vec<RepFigures> = Vec::new();
        for day in &self.days {
            if out.last().is_none_or(|r| r.rep != day.rep) {
                out.push(RepFigures {
                    rep: day.rep,
                    visits: 0,
                    travel_min: 0.0,
                    travel_km: 0.0,
                    work_min: 0.0,
                    available_min: 0.0,
                    utilisation: 0.0,
                });
            }
            if let Some(r) = out.last_mut() {
                r.visits += day.stops.len();
                r.travel_min += day.travel_min();
                r.travel_km += day.travel_km();
                r.work_min += day.work_min();
                r.available_min += available_min(day);
            }
        }
        for r in &mut out {
            r.utilisation = r.work_min / r.available_min.max(1.0);
        }
        out
    }

    /// Minutes on duty of every day with visits.
    pub fn busy_day_lengths(&self) -> Vec<f64> {
        self.days
            .iter()
            .filter(|d| !d.stops.is_empty())
            .map(RepDay::work_min)
            .collect()
    }
}
