//! The domain model: accounts, reps and their attributes.

use std::collections::BTreeMap;
use std::fmt;

/// A WGS84 position in degrees.
#[derive(
    Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Location {
    /// Latitude in degrees, within [-90, 90].
    pub lat: f64,
    /// Longitude in degrees, within [-180, 180].
    pub lon: f64,
}

impl Location {
    /// A location from latitude and longitude in degrees.
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// Whether both coordinates are finite and inside their WGS84 ranges.
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Whether an account already buys from us or is still to be won.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// An existing customer: drives the maintenance workload.
    #[default]
    Customer,
    /// A prospect: drives the development workload.
    Prospect,
}

impl Status {
    /// Parses `customer` or `prospect` (case-insensitive, surrounding blanks ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "customer" => Some(Self::Customer),
            "prospect" => Some(Self::Prospect),
            _ => None,
        }
    }

    /// The lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Prospect => "prospect",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A day of the week.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// Monday to Friday.
    pub const WORKWEEK: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    /// Parses a day name: `mon`, `Monday`, `tue`, ... (case-insensitive, three letters or full).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        Weekday::ALL.into_iter().find(|d| {
            let short = d.as_str();
            t == short || (t.len() > 3 && t.starts_with(short) && FULL_NAMES[*d as usize] == t)
        })
    }

    /// The three-letter lower-case name.
    pub fn as_str(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self as usize]
    }
}

const FULL_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Parses a list of days such as `mon,wed`, `mon-fri` or `Mon;Tue` into a sorted set.
///
/// Returns `None` when any part is not a day name.
pub fn parse_days(text: &str) -> Option<Vec<Weekday>> {
    let mut days = Vec::new();
    for part in text.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (Weekday::parse(a)?, Weekday::parse(b)?);
            if a > b {
                return None;
            }
            days.extend(Weekday::ALL[a as usize..=b as usize].iter().copied());
        } else {
            days.push(Weekday::parse(part)?);
        }
    }
    days.sort();
    days.dedup();
    Some(days)
}

/// An opening window within a day, in minutes after midnight (`end` > `start`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct TimeWindow {
    /// Opening minute after midnight.
    pub start: u32,
    /// Closing minute after midnight.
    pub end: u32,
}

/// Parses a clock time `HH:MM` (00:00 to 24:00) into minutes after midnight.
pub fn parse_clock(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Parses opening windows such as `08:00-12:00;13:00-17:00`.
///
/// Windows must be non-empty, ordered and non-overlapping; returns `None` otherwise.
pub fn parse_windows(text: &str) -> Option<Vec<TimeWindow>> {
    let mut windows: Vec<TimeWindow> = Vec::new();
    for part in text.split(';').filter(|p| !p.trim().is_empty()) {
        let (a, b) = part.split_once('-')?;
        let w = TimeWindow {
            start: parse_clock(a)?,
            end: parse_clock(b)?,
        };
        if w.end <= w.start || windows.last().is_some_and(|prev| prev.end > w.start) {
            return None;
        }
        windows.push(w);
    }
    Some(windows)
}

/// A customer or prospect to be served by one territory.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Account {
    /// Unique id.
    pub id: String,
    /// Display name, if any.
    pub name: Option<String>,
    /// Position (for polygon units, a point inside the unit).
    pub location: Location,
    /// Customer or prospect.
    pub status: Status,
    /// Annual revenue or gross profit (≥ 0).
    pub revenue: f64,
    /// Visits per 4-week period; `None` takes the default for the status.
    pub visits: Option<f64>,
    /// Minutes on site per visit; `None` takes the default for the status.
    pub service_min: Option<f64>,
    /// Opening windows; empty means the whole working day.
    pub windows: Vec<TimeWindow>,
    /// Weekdays that accept visits; empty means every working day of the rep.
    pub days: Vec<Weekday>,
    /// Current territory (rep) id, used by rebalancing and locks.
    pub territory: Option<String>,
    /// Keeps the account in its current territory.
    pub locked: bool,
    /// Further numeric columns, usable as balance criteria by name.
    pub attributes: BTreeMap<String, f64>,
}

impl Account {
    /// A customer at a location, every other field at its default.
    ///
    /// ```
    /// use territory::{Account, Location, Status};
    /// let a = Account::new("a1", Location::new(60.17, 24.94));
    /// assert_eq!(a.status, Status::Customer);
    /// ```
    pub fn new(id: impl Into<String>, location: Location) -> Self {
        Self {
            id: id.into(),
            name: None,
            location,
            status: Status::Customer,
            revenue: 0.0,
            visits: None,
            service_min: None,
            windows: Vec::new(),
            days: Vec::new(),
            territory: None,
            locked: false,
            attributes: BTreeMap::new(),
        }
    }

    /// The same account with another status.
    pub fn with_status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }

    /// The same account with a revenue.
    pub fn with_revenue(mut self, revenue: f64) -> Self {
        self.revenue = revenue;
        self
    }

    /// The same account with a name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The same account with visits per 4 weeks.
    pub fn with_visits(mut self, per_4_weeks: f64) -> Self {
        self.visits = Some(per_4_weeks);
        self
    }

    /// The same account with a service time per visit, in minutes.
    pub fn with_service_min(mut self, minutes: f64) -> Self {
        self.service_min = Some(minutes);
        self
    }

    /// The same account with opening windows.
    ///
    /// ```
    /// use territory::model::{parse_windows, parse_days};
    /// use territory::{Account, Location};
    /// let a = Account::new("a1", Location::new(60.17, 24.94))
    ///     .with_windows(parse_windows("08:00-12:00;13:00-16:00").unwrap())
    ///     .with_days(parse_days("mon,wed").unwrap());
    /// assert_eq!(a.windows.len(), 2);
    /// assert_eq!(a.days.len(), 2);
    /// ```
    pub fn with_windows(mut self, windows: Vec<TimeWindow>) -> Self {
        self.windows = windows;
        self
    }

    /// The same account with the weekdays it accepts visits on.
    pub fn with_days(mut self, days: Vec<Weekday>) -> Self {
        self.days = days;
        self
    }

    /// The same account in a territory (a rep id), e.g. the current one.
    pub fn with_territory(mut self, territory: impl Into<String>) -> Self {
        self.territory = Some(territory.into());
        self
    }

    /// The same account locked to its territory.
    pub fn with_locked(mut self, locked: bool) -> Self {
        self.locked = locked;
        self
    }

    /// The same account with a numeric attribute (e.g. `gross_profit`).
    pub fn with_attribute(mut self, name: impl Into<String>, value: f64) -> Self {
        self.attributes.insert(name.into(), value);
        self
    }
}

/// Minutes after midnight as `HH:MM` (rounded to the minute), the form the
/// plan's outputs use.
///
/// ```
/// assert_eq!(territory::model::clock(8.0 * 60.0 + 30.4), "08:30");
/// ```
pub fn clock(minutes: f64) -> String {
    let m = minutes.round().max(0.0) as u32;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A field rep: one territory, with a base where days start and end.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Rep {
    /// Unique id; also the territory id.
    pub id: String,
    /// Display name, if any.
    pub name: Option<String>,
    /// Home or office; fixes the territory centre when given.
    pub base: Option<Location>,
    /// Relative share of the workload (1.0 = a full share).
    pub capacity: f64,
    /// Working days.
    pub days: Vec<Weekday>,
    /// Start of the working day, minutes after midnight.
    pub start: u32,
    /// End of the working day, minutes after midnight.
    pub end: u32,
    /// Office, for reps sharing a route plan.
    pub office: Option<String>,
    /// Region the rep's territory belongs to (alignment levels: territories
    /// nested in regions, see [`crate::partition::levels`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Rep {
    /// A full-capacity rep working Monday to Friday 08:30-17:30.
    ///
    /// ```
    /// use territory::{Location, Rep};
    /// let r = Rep::new("rep-1", Some(Location::new(60.2, 24.9)));
    /// assert_eq!(r.capacity, 1.0);
    /// ```
    pub fn new(id: impl Into<String>, base: Option<Location>) -> Self {
        Self {
            id: id.into(),
            name: None,
            base,
            capacity: 1.0,
            days: Weekday::WORKWEEK.to_vec(),
            start: 8 * 60 + 30,
            end: 17 * 60 + 30,
            office: None,
            region: None,
        }
    }

    /// The same rep with a capacity share.
    pub fn with_capacity(mut self, capacity: f64) -> Self {
        self.capacity = capacity;
        self
    }

    /// The same rep with a display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The same rep working these weekdays.
    pub fn with_days(mut self, days: Vec<Weekday>) -> Self {
        self.days = days;
        self
    }

    /// The same rep working from `start` to `end`, minutes after midnight.
    ///
    /// ```
    /// use territory::{Location, Rep, Weekday};
    /// let r = Rep::new("rep-2", Some(Location::new(60.2, 24.9)))
    ///     .with_days(vec![Weekday::Mon, Weekday::Wed])
    ///     .with_hours(7 * 60, 15 * 60)
    ///     .with_office("helsinki");
    /// assert_eq!((r.start, r.end), (420, 900));
    /// ```
    pub fn with_hours(mut self, start: u32, end: u32) -> Self {
        self.start = start;
        self.end = end;
        self
    }

    /// The same rep in an office (reps of one office may share a route plan).
    pub fn with_office(mut self, office: impl Into<String>) -> Self {
        self.office = Some(office.into());
        self
    }

    /// The same rep in a region (alignment levels).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_ranges() {
        assert_eq!(
            parse_days("mon-wed, fri").unwrap(),
            vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Fri]
        );
        assert_eq!(parse_days("Monday").unwrap(), vec![Weekday::Mon]);
        assert!(parse_days("funday").is_none());
        assert!(parse_days("fri-mon").is_none());
    }

    #[test]
    fn parses_windows() {
        let w = parse_windows("08:00-12:00;13:00-17:00").unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(
            w[1],
            TimeWindow {
                start: 780,
                end: 1020
            }
        );
        assert!(parse_windows("12:00-08:00").is_none());
        assert!(parse_windows("08:00-12:00;11:00-13:00").is_none());
        assert!(parse_windows("8h-9h").is_none());
        assert_eq!(parse_windows("").unwrap(), vec![]);
    }
}
