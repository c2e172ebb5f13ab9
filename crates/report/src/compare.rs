//! Before and after: what changed between an earlier plan and this one
//! (moved, new and removed accounts; new and removed territories), from the
//! two plan folders themselves.

use std::collections::{BTreeMap, BTreeSet};

use crate::folders::{AccountPoint, PlanFolder};

/// An account whose territory changed.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The account as it is now.
    pub account: AccountPoint,
    /// Its territory before.
    pub from: String,
}

/// The differences between two plans.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Accounts in both plans whose territory changed, in the new plan's order.
    pub moved: Vec<Moved>,
    /// Accounts only in the new plan.
    pub added_accounts: Vec<AccountPoint>,
    /// Accounts only in the old plan (as they were).
    pub removed_accounts: Vec<AccountPoint>,
    /// Territory ids only in the new plan.
    pub added_territories: Vec<String>,
    /// Territory ids only in the old plan.
    pub removed_territories: Vec<String>,
}

/// Compares the old plan with the new one, account by account id.
pub fn compare(old: &PlanFolder, new: &PlanFolder) -> Comparison {
    let before: BTreeMap<&str, &AccountPoint> =
        old.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let now: BTreeSet<&str> = new.accounts.iter().map(|a| a.id.as_str()).collect();
    let mut moved = Vec::new();
    let mut added_accounts = Vec::new();
    for a in &new.accounts {
        match before.get(a.id.as_str()) {
            Some(b) if b.territory != a.territory => moved.push(Moved {
                account: a.clone(),
                from: b.territory.clone(),
            }),
            Some(_) => {}
            None => added_accounts.push(a.clone()),
        }
    }
    let removed_accounts = old
        .accounts
        .iter()
        .filter(|a| !now.contains(a.id.as_str()))
        .cloned()
        .collect();
    let ids = |p: &PlanFolder| -> BTreeSet<String> {
        p.territories.iter().map(|t| t.id.clone()).collect()
    };
    let (old_ids, new_ids) = (ids(old), ids(new));
    Comparison {
        moved,
        added_accounts,
        removed_accounts,
        added_territories: new_ids.difference(&old_ids).cloned().collect(),
        removed_territories: old_ids.difference(&new_ids).cloned().collect(),
    }
}
