//! Unstructured tokens: arbitrary text through `decode_unverified`,
//! `Verifier::verify` and `Verifier::explain_token`. Never a panic; verify and
//! explain agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qencode_cdn::{Resource, VerifyOptions, decode_unverified};
use qencode_cdn_fuzz::{verifier, verifier_with_kid};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = String::from_utf8_lossy(rest);
    let _ = decode_unverified(&token);
    let v = if mode & 1 == 0 { verifier() } else { verifier_with_kid() };
    let mut opts = VerifyOptions::new().now(1_700_000_000);
    opts = match mode >> 1 & 3 {
        0 => opts,
        1 => opts.resource(Resource::live("abc")),
        2 => opts.resource(Resource::storage("videos/a.mp4")),
        _ => opts.leeway(u64::from(mode)),
    };
    let verified = v.verify(&token, &opts);
    let explained = v.explain_token(&token, &opts);
    assert_eq!(verified.is_ok(), explained.ok, "verify and explain_token disagree");
    let _ = explained.to_json();
});
