//! `Signer::from_env` (one test in its own binary: it changes the process environment).

use qencode_cdn::{ErrorCode, SIGNING_KEY_ENV, SIGNING_KEY_ID_ENV, SignOptions, Signer, decode_unverified};

#[test]
fn from_env_reads_the_key_and_kid_and_names_what_is_missing() {
    let pem = include_str!("../../tests/keys/rsa2048.pkcs1.pem");
    // SAFETY: this binary runs this one test; no other thread reads the environment.
    unsafe {
        std::env::remove_var(SIGNING_KEY_ENV);
        std::env::remove_var(SIGNING_KEY_ID_ENV);
    }
    let e = Signer::from_env(Some("k")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
    assert!(e.to_string().contains(SIGNING_KEY_ENV), "{e}");
    // newlines arrive as literal \n, as they do from many secret stores
    unsafe { std::env::set_var(SIGNING_KEY_ENV, pem.replace('\n', "\\n")) };
    let e = Signer::from_env(None).unwrap_err();
    assert!(e.to_string().contains(SIGNING_KEY_ID_ENV), "{e}");
    let s = Signer::from_env(Some("explicit")).unwrap();
    assert_eq!(s.key_id(), "explicit");
    unsafe { std::env::set_var(SIGNING_KEY_ID_ENV, "from-env") };
    let s = Signer::from_env(None).unwrap();
    let token = s.sign("abc", &SignOptions::new()).unwrap();
    assert_eq!(decode_unverified(&token).unwrap().0["kid"], "from-env");
    unsafe { std::env::set_var(SIGNING_KEY_ENV, "not a key") };
    let e = Signer::from_env(None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
    assert!(!e.to_string().contains("not a key"), "{e}");
}
