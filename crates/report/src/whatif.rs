//! What-if edits in the page: the controls and the data the page script
//! needs to recount every criterion's balance and the travel indicator when
//! accounts are reassigned, and to export the edited `assignment.csv`.

use serde_json::{json, Value};

use crate::folders::PlanFolder;

/// Whether the plan carries what editing needs: each account's criterion
/// values. Above `max_points` accounts (drawn as shaded cells) accounts are
/// selected with the lasso only.
pub(crate) fn available(plan: &PlanFolder) -> bool {
    plan.accounts.iter().all(|a| a.values.is_some())
}

/// The controls; `cells` when accounts are drawn as shaded cells.
pub(crate) fn controls(plan: &PlanFolder, cells: bool) -> String {
    let mut options = String::new();
    for t in &plan.summary.territory_metrics {
        options.push_str(&format!(
            r#"<option value="{0}">{0}{1}</option>"#,
            crate::html::escape(&t.id),
            t.name
                .as_deref()
                .map(|n| format!(" · {}", crate::html::escape(n)))
                .unwrap_or_default()
        ));
    }
    format!(
        r#"<p class="note">{how}; assign them to another territory and every criterion's balance below updates at once. Export the edited assignment (edited accounts are <code>locked=true</code>) and let <code>territory rebalance --assignment assignment-edited.csv</code> complete it around your edits.</p><div class="controls" id="whatif"><label><input type="checkbox" id="lasso-mode"> lasso</label><span id="selected-count">0 selected</span><label>to <select id="assign-to">{options}</select></label><button id="assign">Assign selected</button><button id="undo">Undo</button><button id="clear">Clear selection</button><button id="export">Export assignment.csv</button><a id="download" download="assignment-edited.csv" hidden>download</a></div><div class="side"><div id="whatif-balance"></div><div class="scroll" id="whatif-territories"></div></div>"#,
        how = if cells {
            "Tick <i>lasso</i> and draw round accounts on the map to select them (at this size accounts are drawn as shaded cells, so a click does not pick one)"
        } else {
            "Click accounts on the map to select them, or tick <i>lasso</i> and draw round them"
        }
    )
}

/// The accounts' territories and criterion values, the territories'
/// targets and centres, as JSON for the page script.
pub(crate) fn data(plan: &PlanFolder) -> String {
    let s = &plan.summary;
    let index: std::collections::HashMap<&str, usize> = s
        .territory_metrics
        .iter()
        .enumerate()
        .map(|(j, t)| (t.id.as_str(), j))
        .collect();
    let criteria: Vec<Value> = s
        .criteria
        .iter()
        .map(|c| json!({"name": c.criterion, "tolerance": c.tolerance}))
        .collect();
    let territories: Vec<Value> = s
        .territory_metrics
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name,
                "targets": t.balance.iter().map(|b| b.target).collect::<Vec<f64>>(),
                "centre": [t.centre.lat, t.centre.lon],
            })
        })
        .collect();
    let accounts: Vec<Value> = plan
        .accounts
        .iter()
        .map(|a| {
            json!([
                a.id,
                index.get(a.territory.as_str()).copied(),
                if a.prospect { "prospect" } else { "customer" },
                a.workload_hours.unwrap_or(0.0),
                a.locked,
                a.at[1],
                a.at[0],
                a.values.clone().unwrap_or_default(),
            ])
        })
        .collect();
    let value = json!({"criteria": criteria, "territories": territories, "accounts": accounts});
    format!(
        r#"<script type="application/json" id="whatif-data">{}</script>"#,
        value.to_string().replace("</", "<\\/")
    )
}
