//! Working dates of a rep and the visit patterns an account may follow.

use chrono::{Datelike, NaiveDate};

use territory::model::{Rep, Weekday};

/// The weekday of a date in the model's terms.
pub fn weekday(date: NaiveDate) -> Weekday {
    Weekday::ALL[date.weekday().num_days_from_monday() as usize]
}

/// Whether `date` falls on one of the rep's working weekdays.
pub fn works_on(rep: &Rep, date: NaiveDate) -> bool {
    rep.days.contains(&weekday(date))
}

/// The rep's working dates in `weeks` weeks from `start` (inclusive), in order.
pub fn working_dates(rep: &Rep, start: NaiveDate, weeks: u32) -> Vec<NaiveDate> {
    start
        .iter_days()
        .take(weeks as usize * 7)
        .filter(|d| works_on(rep, *d))
        .collect()
}

/// Visits due in a horizon of `weeks` weeks for `per_4_weeks` visits per 4 weeks,
/// rounded to the nearest whole visit (halves up).
pub fn due_visits(per_4_weeks: f64, weeks: u32) -> usize {
    let due = per_4_weeks * weeks as f64 / 4.0;
    if due.is_finite() && due > 0.0 {
        (due + 0.5 + 1e-9).floor() as usize
    } else {
        0
    }
}

/// Evenly spread day patterns for `n` visits over working days `0..allowed.len()`
/// (`allowed[d]`: the account accepts day `d`).
///
/// Visit `j` of a pattern with offset `o` targets day `o + j·s`, `s` = days / `n`,
/// so weekly visits fall on one weekday every week, fortnightly ones on alternate
/// weeks, and so on. A target the account does not accept moves to the nearest
/// accepted day within `s/2` (earlier or later, both offered); targets are rounded both
/// down and to nearest when `s` is fractional (twice a week gives Mon+Wed and
/// Mon+Thu). Patterns with two visits closer than `⌈s/2⌉` days are dropped.
/// When no such pattern exists (visits on most of the few days accepted), the
/// visits are spread evenly over the accepted days themselves instead.
///
/// ```
/// use territory_routing::schedule::calendar::patterns;
/// // Weekly over two 5-day weeks, accepting Tuesdays and Thursdays only.
/// let allowed: Vec<bool> = (0..10).map(|d| d % 5 == 1 || d % 5 == 3).collect();
/// assert_eq!(patterns(&allowed, 2), vec![vec![1, 6], vec![3, 8]]);
/// ```
pub fn patterns(allowed: &[bool], n: usize) -> Vec<Vec<usize>> {
    let m = allowed.len();
    let accepted: Vec<usize> = (0..m).filter(|&d| allowed[d]).collect();
    if n == 0 || n > accepted.len() {
        return Vec::new();
    }
    let spacing = m as f64 / n as f64;
    let tolerance = (spacing / 2.0).floor() as usize;
    let least_gap = ((spacing / 2.0).ceil() as usize).max(1);
    let offsets = (spacing.ceil() as usize).max(1);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for offset in 0..offsets {
        // A target on a day not accepted (or away) moves to the nearest
        // accepted day, earlier or later: both are offered, so visits moved
        // off one day do not all pile onto the day before.
        for (nearest, later_first) in [(true, false), (false, false), (true, true), (false, true)] {
            let mut days = Vec::with_capacity(n);
            for j in 0..n {
                let target = offset as f64 + j as f64 * spacing;
                let t = if nearest {
                    (target + 0.5 + 1e-9).floor()
                } else {
                    (target + 1e-9).floor()
                } as usize;
                let Some(d) = nearest_allowed(allowed, t, tolerance, later_first) else {
                    break;
                };
                if days.last().is_some_and(|&prev| d < prev + least_gap) {
                    break;
                }
                days.push(d);
            }
            if days.len() == n && !out.contains(&days) {
                out.push(days);
            }
        }
    }
    if out.is_empty() {
        // Spread over the accepted days: every (a/n)-th of them.
        let a = accepted.len();
        let step = a as f64 / n as f64;
        for offset in 0..(step.ceil() as usize).max(1) {
            let days: Vec<usize> = (0..n)
                .map(|j| ((offset as f64 + j as f64 * step + 1e-9).floor() as usize).min(a - 1))
                .map(|k| accepted[k])
                .collect();
            if days.windows(2).all(|w| w[0] < w[1]) && !out.contains(&days) {
                out.push(days);
            }
        }
    }
    out.sort();
    out
}

/// Patterns for the `n` visits due when some are booked on days `booked`
/// (working-day indices): an evenly spread pattern for all `n` in which each
/// booked day stands in for the pattern's visit nearest to it (within half the
/// spacing), so the regular visits keep their rhythm around the bookings.
/// Falls back to spreading the remaining visits over the other days.
///
/// ```
/// use territory_routing::schedule::calendar::patterns_around;
/// // Weekly over four 5-day weeks; a booking on the Wednesday of week 3.
/// let p = patterns_around(&vec![true; 20], 4, &[12]);
/// assert!(p.contains(&vec![2, 7, 17]));
/// ```
pub fn patterns_around(allowed: &[bool], n: usize, booked: &[usize]) -> Vec<Vec<usize>> {
    patterns_around_within(allowed, n, booked, None)
}

/// Patterns for `n` visits (as [`patterns_around`], `booked` standing in for
/// visits) that also hold one visit on one day of each list in `flexible`
/// (a flexible booking's days): each choice of days joins the booked days
/// for the rhythm, and the pattern gains the chosen days. The patterns have
/// `n - booked.len()` days.
///
/// ```
/// use territory_routing::schedule::calendar::flexible_patterns;
/// // Fortnightly over two 5-day weeks, one visit booked for any day of week 2.
/// let p = flexible_patterns(&vec![true; 10], 2, &[], &[vec![5, 6, 7, 8, 9]]);
/// assert!(p.iter().all(|p| p.len() == 2 && p.iter().any(|&d| d >= 5)));
/// ```
pub fn flexible_patterns(
    allowed: &[bool],
    n: usize,
    booked: &[usize],
    flexible: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    // Every choice of one day per flexible booking (a few hundred at most).
    let mut choices: Vec<Vec<usize>> = vec![Vec::new()];
    for days in flexible {
        let mut next = Vec::new();
        for c in &choices {
            for &d in days {
                if allowed.get(d) == Some(&true) && !c.contains(&d) && !booked.contains(&d) {
                    let mut c = c.clone();
                    c.push(d);
                    next.push(c);
                }
            }
        }
        next.truncate(256);
        choices = next;
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    for choice in choices {
        let mut stand_in: Vec<usize> = booked.iter().chain(&choice).copied().collect();
        stand_in.sort_unstable();
        // The bookings may be all the visits due.
        let rest = if stand_in.len() >= n {
            vec![Vec::new()]
        } else {
            patterns_around(allowed, n, &stand_in)
        };
        for p in rest {
            let mut days: Vec<usize> = p.into_iter().chain(choice.iter().copied()).collect();
            days.sort_unstable();
            days.dedup();
            if days.len() + booked.len() == n && !out.contains(&days) {
                out.push(days);
            }
        }
    }
    out
}

/// [`patterns_around`] with the reach of a booked day given: `Some(0)`
/// keeps only patterns through the booked days themselves (before the
/// fallback); `None` is half the spacing.
pub fn patterns_around_within(
    allowed: &[bool],
    n: usize,
    booked: &[usize],
    reach: Option<usize>,
) -> Vec<Vec<usize>> {
    let regular = n.saturating_sub(booked.len());
    if booked.is_empty() || regular == 0 {
        return if regular == 0 {
            Vec::new()
        } else {
            patterns(allowed, regular)
        };
    }
    let mut with_booked = allowed.to_vec();
    for &b in booked {
        if b < with_booked.len() {
            with_booked[b] = true;
        }
    }
    let reach = reach.unwrap_or(((allowed.len() as f64 / n as f64) / 2.0).ceil() as usize);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for mut p in patterns(&with_booked, n) {
        let mut fits = true;
        for &b in booked {
            let Some(k) = (0..p.len()).min_by_key(|&k| (p[k].abs_diff(b), p[k])) else {
                fits = false;
                break;
            };
            if p[k].abs_diff(b) > reach {
                fits = false;
                break;
            }
            p.remove(k);
        }
        if fits && p.iter().all(|d| allowed[*d] && !booked.contains(d)) && !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        let mut free = allowed.to_vec();
        for &b in booked {
            if b < free.len() {
                free[b] = false;
            }
        }
        out = patterns(&free, regular);
    }
    out.sort();
    out
}

/// Weeks since Monday 1970-01-05 (negative before it).
pub fn week_index(date: NaiveDate) -> i64 {
    let monday = NaiveDate::from_ymd_opt(1970, 1, 5).expect("a valid date");
    (date - monday).num_days().div_euclid(7)
}

/// An anchored cadence: an account due every `every` weeks is due in the
/// calendar weeks `w` with `(w + phase) % every == 0`, `phase` fixed per
/// account, so consecutive runs over short horizons (a weekly cron job) keep
/// its rhythm. `None` when `per_4_weeks` is not such a rate (0 < rate < 4 with
/// 4 / rate a whole number of weeks).
pub fn anchored_every(per_4_weeks: f64) -> Option<i64> {
    if !(per_4_weeks > 0.0 && per_4_weeks < 4.0) {
        return None;
    }
    let every = 4.0 / per_4_weeks;
    ((every - every.round()).abs() < 1e-9).then_some(every.round() as i64)
}

/// Patterns of an anchored cadence: one visit in each of `weeks` (lists of
/// working-day indices per due week), on the same position in each week when
/// the account accepts it, else the nearest accepted day of that week.
pub fn anchored_patterns(allowed: &[bool], weeks: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let longest = weeks.iter().map(Vec::len).max().unwrap_or(0);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for position in 0..longest {
        let mut days = Vec::with_capacity(weeks.len());
        for week in weeks {
            let pick = (0..week.len())
                .filter(|&k| allowed[week[k]])
                .min_by_key(|&k| (k.abs_diff(position), k))
                .map(|k| week[k]);
            match pick {
                Some(d) => days.push(d),
                None => break,
            }
        }
        if days.len() == weeks.len() && !out.contains(&days) {
            out.push(days);
        }
    }
    out.sort();
    out
}

fn nearest_allowed(
    allowed: &[bool],
    target: usize,
    tolerance: usize,
    later_first: bool,
) -> Option<usize> {
    (0..=tolerance).find_map(|delta| {
        let (earlier, later) = (target.checked_sub(delta), Some(target + delta));
        let order = if later_first {
            [later, earlier]
        } else {
            [earlier, later]
        };
        order
            .into_iter()
            .flatten()
            .find(|&d| d < allowed.len() && allowed[d])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_visits_keep_their_weekday() {
        let allowed = vec![true; 20];
        let p = patterns(&allowed, 4);
        assert_eq!(p.len(), 5);
        for days in &p {
            assert!(days.windows(2).all(|w| w[1] - w[0] == 5), "{days:?}");
        }
    }

    #[test]
    fn fortnightly_and_monthly() {
        let allowed = vec![true; 20];
        let p = patterns(&allowed, 2);
        assert_eq!(p.len(), 10);
        assert!(p.iter().all(|d| d[1] - d[0] == 10));
        assert_eq!(patterns(&allowed, 1).len(), 20);
    }

    #[test]
    fn twice_weekly_is_spread() {
        let allowed = vec![true; 10];
        let p = patterns(&allowed, 4);
        assert!(p.contains(&vec![0, 2, 5, 7]) && p.contains(&vec![0, 3, 5, 8]));
        assert!(p.iter().all(|d| d.windows(2).all(|w| w[1] - w[0] >= 2)));
    }

    #[test]
    fn neighbouring_targets_never_bunch() {
        // Weekly over 4 weeks, accepting Wednesdays and Thursdays.
        let allowed: Vec<bool> = (0..20).map(|d| d % 5 == 2 || d % 5 == 3).collect();
        for p in patterns(&allowed, 4) {
            assert!(p.windows(2).all(|w| w[1] - w[0] >= 3), "{p:?}");
        }
        assert!(patterns(&allowed, 4).contains(&vec![2, 7, 12, 17]));
    }

    #[test]
    fn frequent_visits_on_few_days_use_every_accepted_day() {
        // Three a week on Mon, Wed, Fri over 4 weeks: every accepted day.
        let allowed: Vec<bool> = (0..20)
            .map(|d| d % 5 == 0 || d % 5 == 2 || d % 5 == 4)
            .collect();
        let all: Vec<usize> = (0..20).filter(|&d| allowed[d]).collect();
        assert_eq!(patterns(&allowed, 12), vec![all]);
        // Twice a week on Mon+Tue: adjacent days are all there is.
        let mon_tue: Vec<bool> = (0..10).map(|d| d % 5 < 2).collect();
        assert_eq!(patterns(&mon_tue, 4), vec![vec![0, 1, 5, 6]]);
    }

    #[test]
    fn impossible_frequencies_give_no_pattern() {
        let only_mondays: Vec<bool> = (0..20).map(|d| d % 5 == 0).collect();
        assert!(patterns(&only_mondays, 8).is_empty());
        assert_eq!(patterns(&only_mondays, 4), vec![vec![0, 5, 10, 15]]);
    }

    #[test]
    fn anchored_cadence_keeps_its_weeks() {
        assert_eq!(anchored_every(1.0), Some(4));
        assert_eq!(anchored_every(2.0), Some(2));
        assert_eq!(anchored_every(0.5), Some(8));
        assert_eq!(anchored_every(3.0), None);
        assert_eq!(anchored_every(4.0), None);
        let monday = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(
            week_index(monday) + 1,
            week_index(monday + chrono::Days::new(7))
        );
        assert_eq!(
            week_index(monday),
            week_index(monday + chrono::Days::new(6))
        );
        // Two due weeks of five days; the account takes Tuesdays and Thursdays.
        let allowed: Vec<bool> = (0..10).map(|d| d % 5 == 1 || d % 5 == 3).collect();
        let p = anchored_patterns(&allowed, &[vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]);
        assert_eq!(p, vec![vec![1, 6], vec![3, 8]]);
    }

    #[test]
    fn due_visits_round_to_nearest() {
        assert_eq!(due_visits(1.0, 4), 1);
        assert_eq!(due_visits(1.0, 1), 0);
        assert_eq!(due_visits(2.0, 1), 1);
        assert_eq!(due_visits(4.0, 8), 8);
        assert_eq!(due_visits(0.0, 4), 0);
    }

    #[test]
    fn working_dates_follow_rep_days() {
        let rep = Rep::new("r", None);
        let monday = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let d = working_dates(&rep, monday, 2);
        assert_eq!(d.len(), 10);
        assert_eq!(weekday(d[5]), Weekday::Mon);
    }
}
