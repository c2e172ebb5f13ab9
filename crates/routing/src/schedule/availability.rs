//! When a rep is away: public holidays and personal absences.
//!
//! A rep works on the weekdays of [`Rep::days`] within [`Rep::start`]..[`Rep::end`],
//! except on a [`Holiday`] (of everyone, or of the rep's office) and on the
//! rep's own [`Absence`]s. An absence of part of a day shortens that day: one
//! that covers the start (or the end) of the working hours moves the day's
//! start (or end); one in the middle keeps the longer of the two parts, since
//! a route leaves the base once and comes back once.

use chrono::NaiveDate;

use territory::model::Rep;

/// A public holiday: nobody works, or only the reps of `office`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day.
    pub date: NaiveDate,
    /// The office it applies to (`Rep::office`); `None` for every rep.
    pub office: Option<String>,
}

/// A rep away for a day, or for part of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    /// Index of the rep in [`super::ScheduleRequest::reps`].
    pub rep: usize,
    /// The day.
    pub date: NaiveDate,
    /// Minutes after midnight `(from, to)` the rep is away; `None` for the whole day.
    pub hours: Option<(u32, u32)>,
}

/// The working hours `(start, end)` of rep `r` on `date` (a weekday the rep
/// works), or `None` when the rep is away all day or what is left is empty.
///
/// ```
/// use chrono::NaiveDate;
/// use territory_routing::schedule::{working_hours, Absence, Holiday};
/// use territory::{Location, Rep};
///
/// let rep = Rep::new("anna", Some(Location::new(60.17, 24.94))); // 08:30-17:30
/// let day = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
/// let dentist = Absence { rep: 0, date: day, hours: Some((8 * 60, 10 * 60)) };
/// assert_eq!(working_hours(0, &rep, day, &[dentist], &[]), Some((600, rep.end)));
/// let epiphany = Holiday { date: day, office: None };
/// assert_eq!(working_hours(0, &rep, day, &[], &[epiphany]), None);
/// ```
pub fn working_hours(
    r: usize,
    rep: &Rep,
    date: NaiveDate,
    absences: &[Absence],
    holidays: &[Holiday],
) -> Option<(u32, u32)> {
    let holiday = holidays.iter().any(|h| {
        h.date == date
            && h.office
                .as_ref()
                .is_none_or(|o| rep.office.as_ref() == Some(o))
    });
    if holiday {
        return None;
    }
    let (mut start, mut end) = (rep.start, rep.end);
    for a in absences.iter().filter(|a| a.rep == r && a.date == date) {
        // A whole-day absence (no hours) leaves no working time.
        let (from, to) = a.hours?;
        if to <= start || from >= end {
            continue;
        }
        // Cut at the absence's end, or its start when it reaches the day's
        // end or leaves more time before it than after.
        if from <= start {
            start = to;
        } else if to >= end || from - start >= end - to {
            end = from;
        } else {
            start = to;
        }
        if start >= end {
            return None;
        }
    }
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use territory::model::Location;

    fn rep() -> Rep {
        let mut r = Rep::new("r", Some(Location::new(60.0, 25.0)));
        (r.start, r.end) = (480, 960);
        r
    }

    #[test]
    fn holidays_apply_to_everyone_or_to_their_office() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 6).unwrap();
        let mut r = rep();
        r.office = Some("Turku".into());
        let helsinki = Holiday {
            date: d,
            office: Some("Helsinki".into()),
        };
        assert_eq!(
            working_hours(0, &r, d, &[], &[helsinki.clone()]),
            Some((480, 960))
        );
        let turku = Holiday {
            office: Some("Turku".into()),
            ..helsinki
        };
        assert_eq!(working_hours(0, &r, d, &[], &[turku]), None);
    }

    #[test]
    fn part_day_absences_shorten_the_day_from_the_side_they_touch() {
        let d = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let r = rep();
        let away = |from, to| Absence {
            rep: 0,
            date: d,
            hours: Some((from, to)),
        };
        assert_eq!(
            working_hours(0, &r, d, &[away(420, 600)], &[]),
            Some((600, 960))
        );
        assert_eq!(
            working_hours(0, &r, d, &[away(840, 1000)], &[]),
            Some((480, 840))
        );
        // In the middle: the longer part (morning 480..720 against 780..960).
        assert_eq!(
            working_hours(0, &r, d, &[away(720, 780)], &[]),
            Some((480, 720))
        );
        // Another rep's absence, or another day's, changes nothing.
        let other = Absence {
            rep: 1,
            ..away(480, 960)
        };
        assert_eq!(working_hours(0, &r, d, &[other], &[]), Some((480, 960)));
        assert_eq!(working_hours(0, &r, d, &[away(400, 1000)], &[]), None);
        let whole = Absence {
            hours: None,
            ..away(0, 0)
        };
        assert_eq!(working_hours(0, &r, d, &[whole], &[]), None);
    }
}
