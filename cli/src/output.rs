//! Printing results: pretty JSON (the API's documents) or a table for people.

use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;

/// Serialises `value` as pretty JSON.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(|e| CliError::internal(format!("cannot serialise the result: {e}")))
}

/// Serialises `value` into a JSON value.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, CliError> {
    serde_json::to_value(value).map_err(|e| CliError::internal(format!("cannot serialise the result: {e}")))
}

/// A cell: strings bare, null empty, anything else as JSON.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Renders an array of objects as aligned columns (`columns` first, in order,
/// then any other field seen), or one object as `field  value` lines.
pub fn table(value: &Value, columns: &[&str]) -> String {
    match value {
        Value::Array(rows) => {
            let mut cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            for row in rows {
                if let Value::Object(m) = row {
                    for k in m.keys() {
                        if !cols.iter().any(|c| c == k) {
                            cols.push(k.clone());
                        }
                    }
                }
            }
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| cols.iter().map(|c| cell(r.get(c.as_str()))).collect())
                .collect();
            let mut widths: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
            for row in &cells {
                for (w, c) in widths.iter_mut().zip(row) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let mut out = String::new();
            let header: Vec<String> = cols.iter().map(|c| c.to_uppercase()).collect();
            push_row(&mut out, &header, &widths);
            for row in &cells {
                push_row(&mut out, row, &widths);
            }
            if rows.is_empty() {
                out.push_str("(none)\n");
            }
            out
        }
        Value::Object(m) => {
            let width = m.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            let mut out = String::new();
            let mut keys: Vec<&String> = columns
                .iter()
                .filter_map(|c| m.get_key_value(*c).map(|(k, _)| k))
                .collect();
            for k in m.keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            for k in keys {
                out.push_str(&format!("{k:<width$}  {}\n", cell(m.get(k))));
            }
            out
        }
        other => format!("{}\n", cell(Some(other))),
    }
}

fn push_row(out: &mut String, row: &[String], widths: &[usize]) {
    let line: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
    out.push_str(line.join("  ").trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_become_aligned_columns_with_known_columns_first() {
        let v = json!([{"name": "a.example.com", "id": "1"}, {"id": "22", "name": "b", "extra": true}]);
        let t = table(&v, &["id", "name"]);
        assert_eq!(
            t,
            "ID  NAME           EXTRA\n1   a.example.com\n22  b              true\n"
        );
    }

    #[test]
    fn objects_become_field_value_lines() {
        let t = table(&json!({"status": "ok"}), &[]);
        assert_eq!(t, "status  ok\n");
        assert_eq!(table(&json!([]), &["id"]), "ID\n(none)\n");
    }
}
