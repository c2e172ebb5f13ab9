//! Balance criteria: what each territory must carry its fair share of.

use std::fmt;

/// A quantity summed per territory and balanced against its target.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub enum Measure {
    /// Number of accounts.
    Accounts,
    /// Number of existing customers.
    Customers,
    /// Number of prospects.
    Prospects,
    /// Sum of revenue.
    Revenue,
    /// Sum of workload hours per 4 weeks (see [`crate::WorkloadModel`]).
    Workload,
    /// Sum of a named numeric account attribute (an extra CSV column).
    Attribute(String),
}

impl Measure {
    /// Parses a criterion name: `accounts`, `customers`, `prospects`, `revenue`,
    /// `workload`, or any other name as an attribute.
    ///
    /// ```
    /// use territory::Measure;
    /// assert_eq!(Measure::parse("customers"), Measure::Customers);
    /// assert_eq!(Measure::parse("POPULATION"), Measure::Attribute("POPULATION".into()));
    /// ```
    pub fn parse(name: &str) -> Measure {
        match name.trim() {
            "accounts" => Measure::Accounts,
            "customers" => Measure::Customers,
            "prospects" => Measure::Prospects,
            "revenue" => Measure::Revenue,
            "workload" => Measure::Workload,
            other => Measure::Attribute(other.to_string()),
        }
    }

    /// The name used in files and reports.
    pub fn name(&self) -> &str {
        match self {
            Measure::Accounts => "accounts",
            Measure::Customers => "customers",
            Measure::Prospects => "prospects",
            Measure::Revenue => "revenue",
            Measure::Workload => "workload",
            Measure::Attribute(name) => name,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A measure with its tolerance: every territory must stay within
/// `target × (1 ± tolerance)`, the target being the measure's total split by rep capacity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Criterion {
    /// What is balanced.
    pub measure: Measure,
    /// Allowed relative deviation from the target, e.g. 0.05 for 5%.
    pub tolerance: f64,
}

impl Criterion {
    /// A criterion from a measure and a relative tolerance.
    pub fn new(measure: Measure, tolerance: f64) -> Self {
        Self { measure, tolerance }
    }
}

/// Parses a tolerance written as `5%` or `0.05`.
///
/// ```
/// assert_eq!(territory::parse_tolerance("5%"), Some(0.05));
/// assert_eq!(territory::parse_tolerance("0.1"), Some(0.1));
/// assert_eq!(territory::parse_tolerance("-1%"), None);
/// ```
pub fn parse_tolerance(text: &str) -> Option<f64> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    (value.is_finite() && value > 0.0 && value < 10.0).then_some(value)
}
