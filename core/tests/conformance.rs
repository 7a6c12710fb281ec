//! Every conformance case (tests/conformance/*.json) through the Rust API.
//! `QCDN_REGENERATE=1` rewrites the expected token, URL and cookie bytes of
//! success cases in place (review the diff); everything else is hand-written.

mod common;

use common::conformance::{LANGUAGE, REGENERATED, Runner, check, load_cases, summary};
use qencode_cdn::Backend;
use serde_json::Value;

#[test]
fn every_conformance_case_passes_in_rust() {
    let regenerate = std::env::var_os("QCDN_REGENERATE").is_some();
    let cases = load_cases(LANGUAGE);
    assert!(cases.len() >= 150, "only {} conformance cases", cases.len());
    let mut runner = Runner::new(Backend::default());
    let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    let mut rewrites: Vec<(std::path::PathBuf, String, String)> = Vec::new();
    for case in &cases {
        if let Some(why) = &case.skip {
            skipped.push((case.name.clone(), why.clone()));
            continue;
        }
        let produced = runner.produce(case);
        if regenerate {
            if let (Ok(got), None) = (&produced, case.expect.get("error")) {
                if let (Some(Value::Array(old)), Some(Value::Array(new))) =
                    (case.expect.get("tokens"), got.get("tokens"))
                {
                    for (o, n) in old.iter().zip(new) {
                        if let (Value::String(o), Value::String(n)) = (o, n) {
                            if o != n {
                                rewrites.push((case.file.clone(), json_str(o), json_str(n)));
                            }
                        }
                    }
                }
                for key in REGENERATED {
                    if let (Some(Value::String(old)), Some(Value::String(new))) = (case.expect.get(key), got.get(key)) {
                        if old != new {
                            rewrites.push((case.file.clone(), json_str(old.as_str()), json_str(new.as_str())));
                        }
                    }
                }
                passed += 1;
                continue;
            }
        }
        match check(case, &produced) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{}: {why}", case.name)),
        }
    }
    for (file, old, new) in rewrites {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(&old), "{}: cannot find {old}", file.display());
        std::fs::write(&file, text.replacen(&old, &new, 1)).unwrap();
    }
    println!("{}", summary(LANGUAGE, cases.len(), passed, &skipped, failures.len()));
    assert!(failures.is_empty(), "failed cases:\n{}", failures.join("\n"));
    assert_eq!(passed + skipped.len(), cases.len());
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}
