//! Territory colours: the ones the plan wrote into `territories.geojson`
//! (stable per territory id, touching territories differ), or, before and
//! after a rebalance, the old report's colour wherever the new neighbours
//! allow it, so the same rep keeps its colour.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use territory::Adjacency;
use territory_formats::colours::{territory_colours, PALETTE};

use crate::folders::PlanFolder;

/// Territory pairs that touch: joined by a Delaunay edge between their
/// accounts (positions as `(lon, lat)`, territory index per account).
pub fn territory_neighbours(
    positions: &[[f64; 2]],
    territory: &[usize],
    k: usize,
) -> Vec<BTreeSet<usize>> {
    if positions.len() < 2 {
        return vec![BTreeSet::new(); k];
    }
    let mid_lat = positions.iter().map(|p| p[1]).sum::<f64>() / positions.len() as f64;
    let c = mid_lat.to_radians().cos().max(0.01);
    let planar: Vec<[f64; 2]> = positions.iter().map(|p| [p[0] * c, p[1]]).collect();
    territory_formats::colours::territory_neighbours(
        Adjacency::delaunay(&planar).edges(),
        territory,
        k,
    )
}

/// Colour per territory id. With `previous` (the colours of an earlier
/// report), each territory keeps its previous colour unless a neighbour
/// already has it; otherwise the plan's own `fill`, or the stable colour of
/// its id when the plan wrote none.
pub fn territory_colours_of(
    plan: &PlanFolder,
    previous: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let written: Option<BTreeMap<String, String>> = plan
        .territories
        .iter()
        .map(|t| t.fill.clone().map(|f| (t.id.clone(), f)))
        .collect();
    if let (Some(written), None) = (&written, previous) {
        return written.clone();
    }
    let ids: Vec<&str> = plan.territories.iter().map(|t| t.id.as_str()).collect();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let (positions, territory): (Vec<[f64; 2]>, Vec<usize>) = plan
        .accounts
        .iter()
        .filter_map(|a| index.get(a.territory.as_str()).map(|&t| (a.at, t)))
        .unzip();
    let neighbours = territory_neighbours(&positions, &territory, ids.len());
    let palette_index = |colour: &str| PALETTE.iter().position(|&p| p == colour);
    let colours = territory_colours(&ids, &neighbours, |id| {
        previous
            .and_then(|p| p.get(id))
            .or_else(|| written.as_ref().and_then(|w| w.get(id)))
            .and_then(|c| palette_index(c))
    });
    ids.into_iter()
        .zip(colours)
        .map(|(id, c)| (id.to_string(), PALETTE[c].to_string()))
        .collect()
}
