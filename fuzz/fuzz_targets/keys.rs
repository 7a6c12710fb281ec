//! Key loading: arbitrary bytes as a private key (`Signer::from_pem`), a
//! public key (`Verifier::from_public_key`) and a JWK (`Verifier::from_jwk`).
//! Never a panic; a key that loads signs a token its own verifier accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qencode_cdn::{SignOptions, Signer, Verifier, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(signer) = Signer::from_pem("k", data) {
        let token = signer.sign("a", &SignOptions::new()).expect("a loaded key signs");
        let verifier = Verifier::from_signer(&signer).expect("a loaded key gives a verifier");
        verifier
            .verify(&token, &VerifyOptions::new())
            .expect("its own token verifies");
        let public = signer.public_key_der().expect("public half");
        Verifier::from_public_key(&public).expect("its public half loads");
    }
    if let Ok(verifier) = Verifier::from_public_key(data) {
        let _ = verifier.public_key_pem();
        let _ = verifier.verify("a.b.c", &VerifyOptions::new());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Verifier::from_jwk(text);
    }
});
