//! Distinct colours for neighbouring territories: a greedy DSatur colouring
//! of the territory adjacency graph.

use std::collections::BTreeSet;

use territory::Adjacency;

/// Fill colours, chosen to stay apart from each other and from the dark
/// account markers drawn on top.
pub const PALETTE: [&str; 12] = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f",
];

/// Territory pairs that touch: joined by a Delaunay edge between their
/// accounts (positions as `(lon, lat)`, territory index per account).
pub fn territory_neighbours(
    positions: &[[f64; 2]],
    territory: &[usize],
    k: usize,
) -> Vec<BTreeSet<usize>> {
    let mut neighbours = vec![BTreeSet::new(); k];
    if positions.len() < 2 {
        return neighbours;
    }
    let mid_lat = positions.iter().map(|p| p[1]).sum::<f64>() / positions.len() as f64;
    let c = mid_lat.to_radians().cos().max(0.01);
    let planar: Vec<[f64; 2]> = positions.iter().map(|p| [p[0] * c, p[1]]).collect();
    for &(a, b) in Adjacency::delaunay(&planar).edges() {
        let (ta, tb) = (territory[a], territory[b]);
        if ta != tb {
            neighbours[ta].insert(tb);
            neighbours[tb].insert(ta);
        }
    }
    neighbours
}

/// Colour index per node such that neighbours differ (DSatur: the node with
/// the most differently coloured neighbours goes next, ties by degree then
/// index; it takes the least used colour of the palette its neighbours leave
/// free). Indices reach past the palette only when a node has more than
/// [`PALETTE`]`.len()` coloured neighbours, which planar maps do not.
///
/// ```
/// use std::collections::BTreeSet;
/// use territory_report::colour::dsatur;
/// // A triangle and a pendant node.
/// let g: Vec<BTreeSet<usize>> = vec![[1, 2].into(), [0, 2].into(), [0, 1, 3].into(), [2].into()];
/// let c = dsatur(&g);
/// assert!(g.iter().enumerate().all(|(a, n)| n.iter().all(|&b| c[a] != c[b])));
/// ```
pub fn dsatur(neighbours: &[BTreeSet<usize>]) -> Vec<usize> {
    let n = neighbours.len();
    let mut colour: Vec<Option<usize>> = vec![None; n];
    let mut seen: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let mut used = [0usize; PALETTE.len()];
    for _ in 0..n {
        let next = (0..n)
            .filter(|&v| colour[v].is_none())
            .max_by(|&a, &b| {
                (seen[a].len(), neighbours[a].len(), std::cmp::Reverse(a)).cmp(&(
                    seen[b].len(),
                    neighbours[b].len(),
                    std::cmp::Reverse(b),
                ))
            })
            .expect("an uncoloured node remains");
        // The least used colour the neighbours leave free, so the map uses
        // the whole palette rather than the first few colours.
        let c = (0..PALETTE.len())
            .filter(|c| !seen[next].contains(c))
            .min_by_key(|&c| (used[c], c))
            .unwrap_or_else(|| {
                (PALETTE.len()..)
                    .find(|c| !seen[next].contains(c))
                    .expect("unbounded")
            });
        if c < PALETTE.len() {
            used[c] += 1;
        }
        colour[next] = Some(c);
        for &m in &neighbours[next] {
            seen[m].insert(c);
        }
    }
    colour.into_iter().map(|c| c.unwrap_or(0)).collect()
}
