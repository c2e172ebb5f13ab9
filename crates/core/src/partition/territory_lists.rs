//! Accounts listed per territory (members, or border accounts), kept in
//! step with moves.

/// Accounts listed per territory, each on at most one list, with
/// constant-time insertion and removal (the position of each account on its
/// list is kept).
pub(crate) struct TerritoryLists {
    lists: Vec<Vec<usize>>,
    slot: Vec<usize>,
}

impl TerritoryLists {
    pub fn new(territories: usize, accounts: usize) -> Self {
        TerritoryLists {
            lists: vec![Vec::new(); territories],
            slot: vec![usize::MAX; accounts],
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.slot[i] != usize::MAX
    }

    /// Lists `i` under `t`; it must be on no list.
    pub fn insert(&mut self, t: usize, i: usize) {
        self.slot[i] = self.lists[t].len();
        self.lists[t].push(i);
    }

    /// Takes `i` off `t`'s list, where it must be.
    pub fn remove(&mut self, t: usize, i: usize) {
        let k = self.slot[i];
        self.lists[t].swap_remove(k);
        if let Some(&moved) = self.lists[t].get(k) {
            self.slot[moved] = k;
        }
        self.slot[i] = usize::MAX;
    }
}

impl std::ops::Index<usize> for TerritoryLists {
    type Output = [usize];
    fn index(&self, t: usize) -> &[usize] {
        &self.lists[t]
    }
}
