//! The JSON Schemas in `docs/schemas/` match the binary, and real `--json`
//! outputs validate against them.

use serde_json::Value;

use crate::common::{fixture, root, run_json, sample, stderr, territory};
use crate::routes::{plan_sample, routes_args};

const OUTPUTS: [&str; 12] = [
    "slots",
    "kpi",
    "matrix",
    "plan",
    "size",
    "routes",
    "report",
    "solve-routes",
    "solve-pvrp",
    "solve-tdp",
    "check",
    "error",
];

fn schema(name: &str) -> Value {
    let path = root()
        .join("docs/schemas")
        .join(format!("{name}.schema.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn committed_schemas_match_the_binary() {
    for name in OUTPUTS {
        let o = territory(&["schema", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            printed,
            schema(name),
            "docs/schemas/{name}.schema.json is stale: regenerate with `territory schema {name}`"
        );
    }
}

/// Checks `value` against the subset of JSON Schema that schemars emits:
/// type, properties, required, items, prefixItems, $ref, anyOf, oneOf,
/// const, enum, minimum.
fn validate(value: &Value, schema: &Value, root: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return validate(value, &root["$defs"][name], root, at, errors);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let fits = options
                .iter()
                .filter(|s| {
                    let mut e = Vec::new();
                    validate(value, s, root, at, &mut e);
                    e.is_empty()
                })
                .count();
            let ok = if key == "oneOf" { fits == 1 } else { fits >= 1 };
            if !ok {
                errors.push(format!("{at}: {fits} of the {key} options fit {value}"));
            }
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            errors.push(format!("{at}: {value} is not {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(value) {
            errors.push(format!("{at}: {value} not in {e:?}"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            _ => false,
        });
        if !fits {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if value.as_f64().is_some_and(|v| v < min) {
            errors.push(format!("{at}: {value} < {min}"));
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errors.push(format!("{at}: missing `{r}`"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, v) in obj {
                match props.get(k) {
                    Some(s) => validate(v, s, root, &format!("{at}.{k}"), errors),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        errors.push(format!("{at}: unexpected `{k}`"))
                    }
                    None => {}
                }
            }
        }
    }
    if let Some(arr) = value.as_array() {
        if let Some(prefix) = schema.get("prefixItems").and_then(Value::as_array) {
            for (i, (v, s)) in arr.iter().zip(prefix).enumerate() {
                validate(v, s, root, &format!("{at}[{i}]"), errors);
            }
        } else if let Some(items) = schema.get("items") {
            for (i, v) in arr.iter().enumerate().take(200) {
                validate(v, items, root, &format!("{at}[{i}]"), errors);
            }
        }
    }
}

pub(crate) fn assert_valid(output: &Value, name: &str) {
    let s = schema(name);
    let mut errors = Vec::new();
    validate(output, &s, &s, name, &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn json_outputs_validate_against_their_schemas() {
    let tmp = tempfile::tempdir().unwrap();
    let assignment = plan_sample(tmp.path());
    let plan: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("plan/summary.json")).unwrap())
            .unwrap();
    assert_valid(&plan, "plan");
    let routes_dir = tmp.path().join("routes");
    let args = routes_args(
        assignment.to_str().unwrap(),
        routes_dir.to_str().unwrap(),
        &["--iterations", "50", "--weeks", "1"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_valid(&run_json(&args), "routes");
    let report = run_json(&[
        "report",
        "--plan",
        tmp.path().join("plan").to_str().unwrap(),
        "--out",
        tmp.path().join("r.html").to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_valid(&report, "report");
    let a = sample("accounts.csv");
    let size = run_json(&[
        "size",
        "--accounts",
        a.to_str().unwrap(),
        "--territories",
        "8..9",
        "--out",
        tmp.path().join("size").to_str().unwrap(),
        "--json",
        "--quiet",
    ]);
    assert_valid(&size, "size");
    for (format, file, name) in [
        ("tsplib", "research/berlin52.tsp", "solve-routes"),
        ("solomon", "research/C101.txt", "solve-routes"),
        ("pvrp", "research/p01.txt", "solve-pvrp"),
        ("tdp", "research/2DU60-05-1.dat", "solve-tdp"),
    ] {
        let path = fixture(file);
        let out = run_json(&[
            "solve",
            format,
            path.to_str().unwrap(),
            "--time-limit",
            "0.3",
            "--json",
            "--quiet",
        ]);
        assert_valid(&out, name);
    }
    // A wrong shape is caught (the validator is not blind).
    let mut broken = report.clone();
    broken["territories"] = Value::String("ten".into());
    let s = schema("report");
    let mut errors = Vec::new();
    validate(&broken, &s, &s, "report", &mut errors);
    assert!(!errors.is_empty());
}
