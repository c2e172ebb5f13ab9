//! Where the map and the summary could disagree, checked on what is drawn:
//! territories drawn in another number of pieces than the adjacency says,
//! and rep bases that lie outside their own territory's shape.

use crate::folders::{Line, PlanFolder};

/// A territory whose drawing and summary disagree on its pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceMismatch {
    /// Territory id.
    pub territory: String,
    /// Connected pieces under the adjacency used (`summary.json`).
    pub components: usize,
    /// Polygons drawn (`territories.geojson`).
    pub drawn: usize,
}

/// A rep base outside its own territory's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseOutside {
    /// The base's territory.
    pub territory: String,
    /// Rep name.
    pub name: Option<String>,
    /// The territory whose shape holds the base, if any.
    pub inside: Option<String>,
    /// Why the plan left it there, when its summary says (`bases_outside`).
    pub reason: Option<String>,
}

/// Territories whose drawn polygons differ in number from their pieces.
pub fn piece_mismatches(plan: &PlanFolder) -> Vec<PieceMismatch> {
    plan.summary
        .territory_metrics
        .iter()
        .filter_map(|m| {
            let shape = plan.territories.iter().find(|t| t.id == m.id)?;
            let drawn = shape.polygons.len();
            (drawn != m.components && m.accounts > 0).then(|| PieceMismatch {
                territory: m.id.clone(),
                components: m.components,
                drawn,
            })
        })
        .collect()
}

/// Bases that no polygon of their own territory contains, with the territory
/// that holds them. The drawing decides, not the summary: the summary's own
/// list only adds the reason the plan gives.
pub fn bases_outside(plan: &PlanFolder) -> Vec<BaseOutside> {
    let holder = |p: [f64; 2]| {
        plan.territories
            .iter()
            .find(|t| t.polygons.iter().any(|poly| polygon_contains(poly, p)))
            .map(|t| t.id.clone())
    };
    plan.bases
        .iter()
        .filter_map(|b| {
            let own = plan.territories.iter().find(|t| t.id == b.territory)?;
            if own.polygons.iter().any(|poly| polygon_contains(poly, b.at)) {
                return None;
            }
            Some(BaseOutside {
                territory: b.territory.clone(),
                name: b.name.clone(),
                inside: holder(b.at),
                reason: plan
                    .summary
                    .bases_outside
                    .iter()
                    .find(|o| o.territory == b.territory)
                    .map(|o| o.message.clone()),
            })
        })
        .collect()
}

/// Whether a polygon (outer ring, then holes) contains `p` (even–odd rule).
///
/// ```
/// let square = vec![vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]];
/// assert!(territory_report::truth::polygon_contains(&square, [1.0, 1.0]));
/// assert!(!territory_report::truth::polygon_contains(&square, [3.0, 1.0]));
/// ```
pub fn polygon_contains(polygon: &[Line], p: [f64; 2]) -> bool {
    polygon
        .iter()
        .filter(|ring| ring_crossings(ring, p))
        .count()
        % 2
        == 1
}

fn ring_crossings(ring: &Line, p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}
