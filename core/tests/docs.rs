//! Documentation that quotes files keeps quoting them exactly.

mod common;

use common::repo_root;

/// The opening of the KMS example shown in docs/keys.md is the file's own
/// (the file itself is run by the Python suite against moto).
#[test]
fn docs_keys_quotes_the_kms_example_as_it_is() {
    let doc = std::fs::read_to_string(repo_root().join("docs/keys.md")).unwrap();
    let file = std::fs::read_to_string(repo_root().join("bindings-python/examples/kms_signer.py")).unwrap();
    let block = doc
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("docs/keys.md has a python block");
    assert!(
        file.starts_with(block),
        "docs/keys.md quotes the opening of bindings-python/examples/kms_signer.py; update the block"
    );
    assert!(block.lines().count() >= 10);
}
