//! The accounts of each territory with a neighbour in another one: the only
//! ones a border move can take out, or whose neighbours it can take in. A
//! territory of 1,000 accounts has about 130, so scans over borders instead
//! of whole territories are what keep the contiguity repairs cheap at a
//! million accounts.

use super::repair::Assignment;
use super::repair_graph::Graph;
use super::territory_lists::TerritoryLists;

/// Border accounts per territory, kept in step with moves. A territory's
/// list is built when first asked for (a repair that works in a few places
/// of a large plan should not scan all of it).
pub(crate) struct BorderLists {
    lists: TerritoryLists,
    ready: Vec<bool>,
}

impl BorderLists {
    /// No territory listed yet: see [`BorderLists::of`].
    pub fn lazy(territories: usize, accounts: usize) -> Self {
        BorderLists {
            lists: TerritoryLists::new(territories, accounts),
            ready: vec![false; territories],
        }
    }

    /// Every territory listed.
    pub fn full(asg: &Assignment, g: &Graph<'_>, territories: usize) -> Self {
        let mut border = Self::lazy(territories, asg.of.len());
        border.ready.fill(true);
        for i in 0..asg.of.len() {
            if on_border(asg, g, i) {
                border.lists.insert(asg.of[i], i);
            }
        }
        border
    }

    /// The border accounts of `t`, whose accounts are `members` (scanned
    /// only the first time `t` is asked for).
    pub fn of(&mut self, asg: &Assignment, g: &Graph<'_>, t: usize, members: &[usize]) -> &[usize] {
        if !self.ready[t] {
            for &i in members {
                if on_border(asg, g, i) {
                    self.lists.insert(t, i);
                }
            }
            self.ready[t] = true;
        }
        &self.lists[t]
    }

    /// The border accounts of a territory listed from the start ([`BorderLists::full`]).
    pub fn listed(&self, t: usize) -> &[usize] {
        &self.lists[t]
    }

    /// After `i` moved from `from` (and `asg` says where to): it and its
    /// neighbours may have joined or left a border.
    pub fn moved(&mut self, asg: &Assignment, g: &Graph<'_>, i: usize, from: usize) {
        self.update(asg, g, i, from);
        for &m in g.neighbours(i) {
            self.update(asg, g, m, asg.of[m]);
        }
    }

    /// Puts `i` on its territory's list, or takes it off; `was` is the
    /// territory whose list may hold it.
    fn update(&mut self, asg: &Assignment, g: &Graph<'_>, i: usize, was: usize) {
        let t = asg.of[i];
        let on = on_border(asg, g, i);
        if self.lists.contains(i) && (!on || was != t) {
            self.lists.remove(was, i);
        }
        if on && self.ready[t] && !self.lists.contains(i) {
            self.lists.insert(t, i);
        }
    }
}

fn on_border(asg: &Assignment, g: &Graph<'_>, i: usize) -> bool {
    let t = asg.of[i];
    g.neighbours(i).iter().any(|&m| asg.of[m] != t)
}
