//! Unstructured URLs: arbitrary text through `parse_url`, `with_token`,
//! `Verifier::explain` and `explain_url`. Never a panic; a URL that parses
//! keeps parsing to the same resource once a token is put in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qencode_cdn::{explain_url, parse_url, with_token};
use qencode_cdn_fuzz::{TEST_PUBLIC_DER, verifier};

fuzz_target!(|data: &[u8]| {
    let url = String::from_utf8_lossy(data);
    let parsed = parse_url(&url);
    let explained = verifier().explain(&url);
    let _ = explained.to_json();
    let _ = explain_url(TEST_PUBLIC_DER, &url);
    if let Ok(with) = with_token(&url, "a.b.c")
        && let Ok(p) = &parsed
    {
        let again = parse_url(&with).expect("a parsed URL still parses with a token");
        assert_eq!(again.resource, p.resource, "with_token changed the resource: {with}");
        assert_eq!(
            again.token.as_deref(),
            Some("a.b.c"),
            "with_token lost the token: {with}"
        );
    }
});
