//! Territory colours that stay with the territory id: the same rep keeps its
//! colour in every plan, rebalance and report, and touching territories
//! still differ. `territories.geojson` carries them as simplestyle
//! `fill`/`stroke` properties, and the report draws the same ones.

use std::collections::BTreeSet;

use territory_routing::schedule::fnv1a;

/// Fill colours: light enough for the dark account markers drawn on top,
/// distinct from each other.
pub const PALETTE: [&str; 20] = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#b2df8a", "#fb9a99", "#e5c494",
    "#cab2d6", "#66c2a5", "#e78ac3", "#c7e9c0",
];

/// The colour a territory id takes when no neighbour has it already.
pub fn preferred_colour(id: &str) -> usize {
    (fnv1a(id.as_bytes()) % PALETTE.len() as u64) as usize
}

/// A palette index per territory. Territories are coloured in id order; each
/// takes `preferred(id)` (by default [`preferred_colour`]) unless an already
/// coloured neighbour has it, else the next palette colour no coloured
/// neighbour has. The result depends on the ids and the neighbour pairs only,
/// not on the order territories are listed in. Beyond the palette (a
/// territory with 20 differently coloured neighbours) colours repeat.
///
/// ```
/// use std::collections::BTreeSet;
/// use territory_formats::colours::territory_colours;
/// let ids = ["rep-01", "rep-02", "rep-03"];
/// let g: Vec<BTreeSet<usize>> = vec![[1, 2].into(), [0, 2].into(), [0, 1].into()];
/// let c = territory_colours(&ids, &g, |_| None);
/// assert!(c[0] != c[1] && c[1] != c[2] && c[0] != c[2]);
/// // Listing the territories in another order changes nothing.
/// let c2 = territory_colours(&["rep-03", "rep-01", "rep-02"], &g, |_| None);
/// assert_eq!((c2[1], c2[2], c2[0]), (c[0], c[1], c[2]));
/// ```
pub fn territory_colours(
    ids: &[&str],
    neighbours: &[BTreeSet<usize>],
    preferred: impl Fn(&str) -> Option<usize>,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(ids[b]).then(a.cmp(&b)));
    let mut colour: Vec<Option<usize>> = vec![None; ids.len()];
    for t in order {
        let taken: BTreeSet<usize> = neighbours
            .get(t)
            .into_iter()
            .flatten()
            .filter_map(|&n| colour.get(n).copied().flatten())
            .collect();
        let first = preferred(ids[t]).unwrap_or_else(|| preferred_colour(ids[t])) % PALETTE.len();
        let pick = (0..PALETTE.len())
            .map(|k| (first + k) % PALETTE.len())
            .find(|c| !taken.contains(c))
            .unwrap_or(first);
        colour[t] = Some(pick);
    }
    colour.into_iter().map(|c| c.unwrap_or(0)).collect()
}

/// Territory pairs joined by an edge between their accounts.
pub fn territory_neighbours(
    edges: &[(usize, usize)],
    assignment: &[usize],
    territories: usize,
) -> Vec<BTreeSet<usize>> {
    let mut neighbours = vec![BTreeSet::new(); territories];
    for &(a, b) in edges {
        let (ta, tb) = (assignment[a], assignment[b]);
        if ta != tb {
            neighbours[ta].insert(tb);
            neighbours[tb].insert(ta);
        }
    }
    neighbours
}

/// The border colour for a fill: the same hue, darker.
///
/// ```
/// assert_eq!(territory_formats::colours::stroke_of("#8dd3c7"), "#557f77");
/// ```
pub fn stroke_of(fill: &str) -> String {
    let hex = fill.trim_start_matches('#');
    let channel = |k: usize| {
        hex.get(2 * k..2 * k + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0x44, |v| (f64::from(v) * 0.6).round() as u8)
    };
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(1), channel(2))
}
