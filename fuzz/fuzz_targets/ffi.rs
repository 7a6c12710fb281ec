//! The C ABI with arbitrary arguments: a sequence of calls where every string
//! is an arbitrary NUL-terminated byte string or NULL, every enum an
//! arbitrary `uint32_t`, every options struct NULL or arbitrary, every
//! handle NULL or one made earlier, every out-pointer NULL or real.
//!
//! Properties: no panic crosses the boundary (a panic here would abort);
//! every call returns a known status; a status other than `QCDN_OK` leaves
//! the out-parameter untouched and sets a last-error message, `QCDN_OK`
//! writes it; every returned string is freed (LeakSanitizer checks).
#![no_main]

use std::ffi::{CString, c_char};
use std::ptr;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qencode_cdn_ffi::*;

#[derive(Arbitrary, Debug)]
enum Str {
    Null,
    Bytes(Vec<u8>),
    Text(String),
    Known(u8),
}

impl Str {
    /// The C string (interior NULs cut it short, as in C).
    fn c(&self) -> Option<CString> {
        let bytes: Vec<u8> = match self {
            Str::Null => return None,
            Str::Bytes(b) => b.clone(),
            Str::Text(t) => t.clone().into_bytes(),
            Str::Known(k) => [
                "fuzz-key",
                "abc123",
                "my-bucket",
                "us-west",
                "videos/a.mp4",
                "cdn.example.com",
                "https://my-bucket.media-storage.us-west.qencode.com/videos/a.mp4",
                "{\"viewer\":\"u-1\"}",
                "{\"exp\":1}",
                "",
                "\u{7f}\u{80}",
                "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=a.b.c",
                "[{\"uri\":\"videos/a/\",\"options\":{\"expires_in\":60}},{\"uri\":\"/x\"}]",
                "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
                "[[\"k1\",\"-----BEGIN PUBLIC KEY-----\\nAA==\\n-----END PUBLIC KEY-----\"]]",
                "{\"expires_in\":60,\"now\":1700000000}",
            ][usize::from(*k) % 16]
                .as_bytes()
                .to_vec(),
        };
        let cut: Vec<u8> = bytes.into_iter().take_while(|b| *b != 0).collect();
        Some(CString::new(cut).expect("no interior NUL"))
    }
}

fn p(c: &Option<CString>) -> *const c_char {
    c.as_ref().map_or(ptr::null(), |c| c.as_ptr())
}

#[derive(Arbitrary, Debug)]
struct SignOpts {
    expires_in: i64,
    expires_at: i64,
    not_before: i64,
    has_not_before: bool,
    never_expires: bool,
    claims_json: Str,
    now: i64,
}

#[derive(Arbitrary, Debug)]
struct VerifyOpts {
    key_id: Str,
    leeway_secs: u32,
    now: i64,
}

#[derive(Arbitrary, Debug)]
struct CookieOpts {
    domain: Str,
    path: Str,
    same_site: u32,
    insecure: bool,
    script_readable: bool,
}

#[derive(Arbitrary, Debug)]
struct ClientOpts {
    api_url: Str,
    auth_url: Str,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    timeout_ms: u32,
    max_retries: u32,
    no_retries: bool,
}

/// Which handle: NULL, or one of those made so far (index modulo the count).
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Handle {
    Null,
    Made(u8),
}

#[derive(Arbitrary, Debug)]
enum Call {
    SignerNew {
        kid: Str,
        key: Option<Vec<u8>>,
        test_key: bool,
        out: bool,
    },
    Sign {
        signer: Handle,
        uri: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    SignerPem {
        signer: Handle,
        out: bool,
    },
    SignerKid {
        signer: Handle,
        out: bool,
    },
    SignerFree {
        signer: Handle,
    },
    LiveUrl {
        pid: Str,
        token: Str,
        out: bool,
    },
    LiveCustomUrl {
        domain: Str,
        pid: Str,
        token: Str,
        out: bool,
    },
    StorageUrl {
        bucket: Str,
        region: Str,
        key: Str,
        token: Str,
        out: bool,
    },
    StorageCustomUrl {
        domain: Str,
        key: Str,
        token: Str,
        out: bool,
    },
    SignedLive {
        signer: Handle,
        pid: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    SignedLiveCustom {
        signer: Handle,
        domain: Str,
        pid: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    SignedStorage {
        signer: Handle,
        bucket: Str,
        region: Str,
        key: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    SignedStorageCustom {
        signer: Handle,
        domain: Str,
        key: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    SignUrl {
        signer: Handle,
        url: Str,
        uri: Str,
        opts: Option<SignOpts>,
        out: bool,
    },
    Cookie {
        signer: Handle,
        uri: Str,
        opts: Option<SignOpts>,
        cookie: Option<CookieOpts>,
        out: bool,
    },
    VerifierNew {
        key: Option<Vec<u8>>,
        test_key: bool,
        out: bool,
    },
    VerifierFromSigner {
        signer: Handle,
        out: bool,
    },
    Verify {
        verifier: Handle,
        token: Str,
        last_token: bool,
        opts: Option<VerifyOpts>,
        out: bool,
    },
    Covers {
        verifier: Handle,
        token: Str,
        last_token: bool,
        kind: u32,
        resource: Str,
        opts: Option<VerifyOpts>,
        out: bool,
    },
    Explain {
        verifier: Handle,
        url: Str,
        opts: Option<VerifyOpts>,
        out: bool,
    },
    VerifierFree {
        verifier: Handle,
    },
    StatusStr {
        status: u32,
    },
    LastError {
        len: u16,
        buf: bool,
        needed: bool,
    },
    SignOptionsDefault,
    Version,
    VerifierNewJwks {
        text: Str,
        out: bool,
    },
    VerifierNewKeysJson {
        text: Str,
        out: bool,
    },
    VerifierJwks {
        verifier: Handle,
        out: bool,
    },
    SignManyJson {
        signer: Handle,
        items: Str,
        threads: u8,
        out: bool,
    },
    SignerCached {
        signer: Handle,
        window_secs: u32,
        capacity: u16,
        cache_pinned_clock: bool,
        out: bool,
    },
    CachedTokens {
        signer: Handle,
        out: bool,
    },
    Prepare {
        signer: Handle,
        uri: Str,
        options: Str,
        out: bool,
    },
    Finish {
        signer: Handle,
        input: Str,
        last_prepared: bool,
        sig: Option<Vec<u8>>,
        out: bool,
    },
    Audit {
        token: Str,
        last_token: bool,
        now: i64,
        out: bool,
    },
    ClientNew {
        api_key: Str,
        opts: Option<ClientOpts>,
        out: bool,
    },
    Client {
        local: bool,
        which: u8,
        a: Str,
        b: Str,
        e: u32,
        out: bool,
    },
}

#[derive(Default)]
struct World {
    signers: Vec<*mut qcdn_signer>,
    verifiers: Vec<*mut qcdn_verifier>,
    /// One client aimed at a closed local port with no retries (made on first use).
    client: Option<*mut qcdn_client>,
    last_token: Option<CString>,
    last_prepared: Option<CString>,
}

fn pick<T>(v: &[*mut T], h: Handle) -> *mut T {
    match h {
        Handle::Null => ptr::null_mut(),
        Handle::Made(_) if v.is_empty() => ptr::null_mut(),
        Handle::Made(i) => v[usize::from(i) % v.len()],
    }
}

fn sign_opts(o: &SignOpts, claims: &Option<CString>) -> qcdn_sign_options {
    qcdn_sign_options {
        expires_in: o.expires_in,
        expires_at: o.expires_at,
        not_before: o.not_before,
        has_not_before: o.has_not_before,
        never_expires: o.never_expires,
        claims_json: p(claims),
        now: o.now,
    }
}

const KNOWN: [u32; 18] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

/// Checks the status contract and frees a returned string.
fn string_result(status: qcdn_status, out: Option<*mut c_char>) {
    let code = status as u32;
    assert!(KNOWN.contains(&code), "unknown status {code}");
    if let Some(s) = out {
        if code == 0 {
            assert!(!s.is_null(), "QCDN_OK but no string written");
        } else {
            assert!(s.is_null(), "status {code} but the out-parameter was written");
        }
        unsafe { qcdn_string_free(s) };
    }
    if code != 0 {
        let mut needed = 0usize;
        let st = unsafe { qcdn_last_error_message(ptr::null_mut(), 0, &mut needed) };
        assert!(
            st as u32 == 0 || st as u32 == 1,
            "last_error_message status {}",
            st as u32
        );
        assert!(needed > 1, "a failure without a message (status {code})");
    }
}

/// Calls `f` with a real out-pointer or NULL (which must be refused).
fn with_out(out: bool, f: impl FnOnce(*mut *mut c_char) -> qcdn_status) {
    with_out_opt(out, false, f)
}

/// The same; `null_ok` when the function documents NULL as "ignore the result".
fn with_out_opt(out: bool, null_ok: bool, f: impl FnOnce(*mut *mut c_char) -> qcdn_status) {
    if out {
        let mut s: *mut c_char = ptr::null_mut();
        let status = f(&mut s);
        string_result(status, Some(s));
    } else {
        let status = f(ptr::null_mut());
        if !null_ok {
            assert_ne!(status as u32, 0, "NULL out-pointer accepted");
        }
        string_result(status, None);
    }
}

fn run(world: &mut World, call: &Call) {
    match call {
        Call::SignerNew {
            kid,
            key,
            test_key,
            out,
        } => {
            let kid = kid.c();
            let bytes: Vec<u8> = if *test_key {
                qencode_cdn_fuzz::TEST_KEY_PEM.as_bytes().to_vec()
            } else {
                key.clone().unwrap_or_default()
            };
            let key_ptr = if key.is_none() && !test_key {
                ptr::null()
            } else {
                bytes.as_ptr()
            };
            let mut s: *mut qcdn_signer = ptr::null_mut();
            let out_ptr = if *out { &mut s as *mut _ } else { ptr::null_mut() };
            let status = unsafe { qcdn_signer_new(p(&kid), key_ptr, bytes.len(), out_ptr) };
            if status as u32 == 0 {
                assert!(!s.is_null());
                world.signers.push(s);
            } else {
                assert!(s.is_null(), "signer written on failure");
            }
            string_result(status, None);
        }
        Call::Sign { signer, uri, opts, out } => {
            let (uri, claims) = (uri.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            let mut last = None;
            with_out(*out, |t| {
                let st = unsafe { qcdn_signer_sign(s, p(&uri), op, t) };
                if st as u32 == 0 && !t.is_null() {
                    last = Some(unsafe { std::ffi::CStr::from_ptr(*t) }.to_owned());
                }
                st
            });
            if last.is_some() {
                world.last_token = last;
            }
        }
        Call::SignerPem { signer, out } => {
            let s = pick(&world.signers, *signer);
            with_out(*out, |o| unsafe { qcdn_signer_public_key_pem(s, o) });
        }
        Call::SignerKid { signer, out } => {
            let s = pick(&world.signers, *signer);
            with_out(*out, |o| unsafe { qcdn_signer_key_id(s, o) });
        }
        Call::SignerFree { signer } => {
            if let Handle::Made(i) = signer {
                if !world.signers.is_empty() {
                    let s = world.signers.remove(usize::from(*i) % world.signers.len());
                    unsafe { qcdn_signer_free(s) };
                }
            } else {
                unsafe { qcdn_signer_free(ptr::null_mut()) };
            }
        }
        Call::LiveUrl { pid, token, out } => {
            let (a, b) = (pid.c(), token.c());
            with_out(*out, |o| unsafe { qcdn_live_playback_url(p(&a), p(&b), o) });
        }
        Call::LiveCustomUrl {
            domain,
            pid,
            token,
            out,
        } => {
            let (a, b, c) = (domain.c(), pid.c(), token.c());
            with_out(*out, |o| unsafe { qcdn_live_custom_domain_url(p(&a), p(&b), p(&c), o) });
        }
        Call::StorageUrl {
            bucket,
            region,
            key,
            token,
            out,
        } => {
            let (a, b, c, d) = (bucket.c(), region.c(), key.c(), token.c());
            with_out(*out, |o| unsafe { qcdn_storage_url(p(&a), p(&b), p(&c), p(&d), o) });
        }
        Call::StorageCustomUrl {
            domain,
            key,
            token,
            out,
        } => {
            let (a, b, c) = (domain.c(), key.c(), token.c());
            with_out(*out, |o| unsafe {
                qcdn_storage_custom_domain_url(p(&a), p(&b), p(&c), o)
            });
        }
        Call::SignedLive { signer, pid, opts, out } => {
            let (a, claims) = (pid.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe { qcdn_signer_signed_live_url(s, p(&a), op, out) });
        }
        Call::SignedLiveCustom {
            signer,
            domain,
            pid,
            opts,
            out,
        } => {
            let (a, b, claims) = (domain.c(), pid.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe {
                qcdn_signer_signed_live_custom_domain_url(s, p(&a), p(&b), op, out)
            });
        }
        Call::SignedStorage {
            signer,
            bucket,
            region,
            key,
            opts,
            out,
        } => {
            let (a, b, c) = (bucket.c(), region.c(), key.c());
            let claims = opts.as_ref().and_then(|o| o.claims_json.c());
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe {
                qcdn_signer_signed_storage_url(s, p(&a), p(&b), p(&c), op, out)
            });
        }
        Call::SignedStorageCustom {
            signer,
            domain,
            key,
            opts,
            out,
        } => {
            let (a, b, claims) = (domain.c(), key.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe {
                qcdn_signer_signed_storage_custom_domain_url(s, p(&a), p(&b), op, out)
            });
        }
        Call::SignUrl {
            signer,
            url,
            uri,
            opts,
            out,
        } => {
            let (a, b, claims) = (url.c(), uri.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe { qcdn_signer_sign_url(s, p(&a), p(&b), op, out) });
        }
        Call::Cookie {
            signer,
            uri,
            opts,
            cookie,
            out,
        } => {
            let (a, claims) = (uri.c(), opts.as_ref().and_then(|o| o.claims_json.c()));
            let o = opts.as_ref().map(|o| sign_opts(o, &claims));
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let (cd, cp) = (
                cookie.as_ref().and_then(|c| c.domain.c()),
                cookie.as_ref().and_then(|c| c.path.c()),
            );
            let co = cookie.as_ref().map(|c| qcdn_cookie_options {
                domain: p(&cd),
                path: p(&cp),
                same_site: c.same_site,
                insecure: c.insecure,
                script_readable: c.script_readable,
            });
            let cop = co.as_ref().map_or(ptr::null(), |c| c as *const _);
            let s = pick(&world.signers, *signer);
            with_out(*out, |out| unsafe { qcdn_signer_signed_cookie(s, p(&a), op, cop, out) });
        }
        Call::VerifierNew { key, test_key, out } => {
            let bytes: Vec<u8> = if *test_key {
                qencode_cdn_fuzz::TEST_PUBLIC_DER.to_vec()
            } else {
                key.clone().unwrap_or_default()
            };
            let key_ptr = if key.is_none() && !test_key {
                ptr::null()
            } else {
                bytes.as_ptr()
            };
            let mut v: *mut qcdn_verifier = ptr::null_mut();
            let out_ptr = if *out { &mut v as *mut _ } else { ptr::null_mut() };
            let status = unsafe { qcdn_verifier_new(key_ptr, bytes.len(), out_ptr) };
            if status as u32 == 0 {
                assert!(!v.is_null());
                world.verifiers.push(v);
            } else {
                assert!(v.is_null(), "verifier written on failure");
            }
            string_result(status, None);
        }
        Call::VerifierFromSigner { signer, out } => {
            let s = pick(&world.signers, *signer);
            let mut v: *mut qcdn_verifier = ptr::null_mut();
            let out_ptr = if *out { &mut v as *mut _ } else { ptr::null_mut() };
            let status = unsafe { qcdn_verifier_from_signer(s, out_ptr) };
            if status as u32 == 0 {
                world.verifiers.push(v);
            }
            string_result(status, None);
        }
        Call::Verify {
            verifier,
            token,
            last_token,
            opts,
            out,
        } => {
            let token = if *last_token {
                world.last_token.clone()
            } else {
                token.c()
            };
            let kid = opts.as_ref().and_then(|o| o.key_id.c());
            let o = opts.as_ref().map(|o| qcdn_verify_options {
                key_id: p(&kid),
                leeway_secs: o.leeway_secs,
                now: o.now,
            });
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let v = pick(&world.verifiers, *verifier);
            if *out {
                let mut s: *mut c_char = ptr::null_mut();
                let st = unsafe { qcdn_verifier_verify(v, p(&token), op, &mut s) };
                string_result(st, Some(s));
            } else {
                // NULL out_claims_json is allowed: verification only.
                let st = unsafe { qcdn_verifier_verify(v, p(&token), op, ptr::null_mut()) };
                string_result(st, None);
            }
        }
        Call::Covers {
            verifier,
            token,
            last_token,
            kind,
            resource,
            opts,
            out,
        } => {
            let token = if *last_token {
                world.last_token.clone()
            } else {
                token.c()
            };
            let resource = resource.c();
            let kid = opts.as_ref().and_then(|o| o.key_id.c());
            let o = opts.as_ref().map(|o| qcdn_verify_options {
                key_id: p(&kid),
                leeway_secs: o.leeway_secs,
                now: o.now,
            });
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let v = pick(&world.verifiers, *verifier);
            let mut covers = false;
            let out_ptr = if *out {
                &mut covers as *mut bool
            } else {
                ptr::null_mut()
            };
            let st = unsafe { qcdn_verifier_covers(v, p(&token), *kind, p(&resource), op, out_ptr) };
            string_result(st, None);
        }
        Call::Explain {
            verifier,
            url,
            opts,
            out,
        } => {
            let url = url.c();
            let kid = opts.as_ref().and_then(|o| o.key_id.c());
            let o = opts.as_ref().map(|o| qcdn_verify_options {
                key_id: p(&kid),
                leeway_secs: o.leeway_secs,
                now: o.now,
            });
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let v = pick(&world.verifiers, *verifier);
            with_out(*out, |out| unsafe { qcdn_verifier_explain(v, p(&url), op, out) });
        }
        Call::VerifierFree { verifier } => {
            if let Handle::Made(i) = verifier {
                if !world.verifiers.is_empty() {
                    let v = world.verifiers.remove(usize::from(*i) % world.verifiers.len());
                    unsafe { qcdn_verifier_free(v) };
                }
            } else {
                unsafe { qcdn_verifier_free(ptr::null_mut()) };
            }
        }
        Call::StatusStr { status } => {
            let s = qcdn_status_str(*status);
            assert!(!s.is_null());
            let name = unsafe { std::ffi::CStr::from_ptr(s) };
            assert!(!name.to_bytes().is_empty());
        }
        Call::LastError { len, buf, needed } => {
            let mut storage = vec![0x41 as c_char; usize::from(*len)];
            let (bp, bl) = if *buf {
                (storage.as_mut_ptr(), storage.len())
            } else {
                (ptr::null_mut(), usize::from(*len))
            };
            let mut n = 0usize;
            let np = if *needed { &mut n as *mut usize } else { ptr::null_mut() };
            let st = unsafe { qcdn_last_error_message(bp, bl, np) };
            assert!(KNOWN.contains(&(st as u32)));
            if *buf && st as u32 == 0 && bl > 0 {
                assert!(storage.contains(&0), "the message is NUL-terminated within the buffer");
            }
        }
        Call::SignOptionsDefault => {
            let o = qcdn_sign_options_default();
            assert!(o.claims_json.is_null());
        }
        Call::Version => {
            assert!(!qcdn_version().is_null());
        }
        Call::VerifierNewJwks { text, out } | Call::VerifierNewKeysJson { text, out } => {
            let text = text.c();
            let mut v: *mut qcdn_verifier = ptr::null_mut();
            let out_ptr = if *out { &mut v as *mut _ } else { ptr::null_mut() };
            let status = unsafe {
                if matches!(call, Call::VerifierNewJwks { .. }) {
                    qcdn_verifier_new_jwks(p(&text), out_ptr)
                } else {
                    qcdn_verifier_new_keys_json(p(&text), out_ptr)
                }
            };
            if status as u32 == 0 {
                assert!(!v.is_null());
                world.verifiers.push(v);
            } else {
                assert!(v.is_null(), "verifier written on failure");
            }
            string_result(status, None);
        }
        Call::VerifierJwks { verifier, out } => {
            let v = pick(&world.verifiers, *verifier);
            with_out(*out, |o| unsafe { qcdn_verifier_jwks(v, o) });
        }
        Call::SignManyJson {
            signer,
            items,
            threads,
            out,
        } => {
            let s = pick(&world.signers, *signer);
            let items = items.c();
            with_out(*out, |o| unsafe {
                qcdn_signer_sign_many_json(s, p(&items), u32::from(*threads % 4), o)
            });
        }
        Call::SignerCached {
            signer,
            window_secs,
            capacity,
            cache_pinned_clock,
            out,
        } => {
            let s = pick(&world.signers, *signer);
            let mut c: *mut qcdn_signer = ptr::null_mut();
            let out_ptr = if *out { &mut c as *mut _ } else { ptr::null_mut() };
            let status =
                unsafe { qcdn_signer_cached(s, *window_secs, u64::from(*capacity), *cache_pinned_clock, out_ptr) };
            if status as u32 == 0 {
                assert!(!c.is_null());
                world.signers.push(c);
            } else {
                assert!(c.is_null(), "signer written on failure");
            }
            string_result(status, None);
        }
        Call::CachedTokens { signer, out } => {
            let s = pick(&world.signers, *signer);
            let mut n = u64::MAX;
            let out_ptr = if *out { &mut n as *mut _ } else { ptr::null_mut() };
            let status = unsafe { qcdn_signer_cached_tokens(s, out_ptr) };
            if status as u32 != 0 {
                assert_eq!(n, u64::MAX, "count written on failure");
            }
            string_result(status, None);
        }
        Call::Prepare {
            signer,
            uri,
            options,
            out,
        } => {
            let s = pick(&world.signers, *signer);
            let (uri, options) = (uri.c(), options.c());
            if *out {
                let mut input: *mut c_char = ptr::null_mut();
                let status = unsafe { qcdn_signer_prepare_json(s, p(&uri), p(&options), &mut input) };
                if status as u32 == 0 {
                    assert!(!input.is_null());
                    world.last_prepared = Some(unsafe { std::ffi::CStr::from_ptr(input) }.to_owned());
                }
                string_result(status, Some(input));
            } else {
                let status = unsafe { qcdn_signer_prepare_json(s, p(&uri), p(&options), ptr::null_mut()) };
                assert_ne!(status as u32, 0, "NULL out-pointer accepted");
                string_result(status, None);
            }
        }
        Call::Finish {
            signer,
            input,
            last_prepared,
            sig,
            out,
        } => {
            let s = pick(&world.signers, *signer);
            let input = if *last_prepared {
                world.last_prepared.clone()
            } else {
                input.c()
            };
            let (sig_ptr, sig_len) = sig.as_ref().map_or((ptr::null(), 0), |b| (b.as_ptr(), b.len()));
            // An arbitrary signature is never a valid one: finish must refuse it.
            with_out(*out, |o| {
                let status = unsafe { qcdn_signer_finish(s, p(&input), sig_ptr, sig_len, o) };
                assert_ne!(status as u32, 0, "an arbitrary signature was accepted");
                status
            });
        }
        Call::Audit {
            token,
            last_token,
            now,
            out,
        } => {
            let token = if *last_token {
                world.last_token.clone()
            } else {
                token.c()
            };
            with_out(*out, |o| unsafe { qcdn_audit(p(&token), *now, o) });
        }
        Call::ClientNew { api_key, opts, out } => {
            let key = api_key.c();
            let (au, tu) = (
                opts.as_ref().and_then(|o| o.api_url.c()),
                opts.as_ref().and_then(|o| o.auth_url.c()),
            );
            let o = opts.as_ref().map(|o| qcdn_client_options {
                api_url: p(&au),
                auth_url: p(&tu),
                connect_timeout_ms: o.connect_timeout_ms,
                timeout_ms: o.timeout_ms,
                max_retries: o.max_retries,
                no_retries: o.no_retries,
                deadline_ms: o.deadline_ms,
            });
            let op = o.as_ref().map_or(ptr::null(), |o| o as *const _);
            let mut c: *mut qcdn_client = ptr::null_mut();
            let out_ptr = if *out { &mut c as *mut _ } else { ptr::null_mut() };
            let st = unsafe { qcdn_client_new(p(&key), op, out_ptr) };
            string_result(st, None);
            // Never used for requests (its URLs are arbitrary): freed at once.
            unsafe { qcdn_client_free(c) };
        }
        Call::Client {
            local,
            which,
            a,
            b,
            e,
            out,
        } => {
            let c: *const qcdn_client = if *local {
                *world.client.get_or_insert_with(|| {
                    let url = c"http://127.0.0.1:9";
                    let o = qcdn_client_options {
                        api_url: url.as_ptr(),
                        auth_url: url.as_ptr(),
                        connect_timeout_ms: 200,
                        timeout_ms: 500,
                        max_retries: 0,
                        no_retries: true,
                        deadline_ms: 1000,
                    };
                    let mut c = ptr::null_mut();
                    let st = unsafe { qcdn_client_new(c"key".as_ptr(), &o, &mut c) };
                    assert_eq!(st as u32, 0);
                    c
                })
            } else {
                ptr::null()
            };
            let (a, b) = (a.c(), b.c());
            let (a, b) = (p(&a), p(&b));
            with_out_opt(*out, true, |o| unsafe {
                match which % 20 {
                    0 => qcdn_client_create_domain(c, a, *e, o),
                    1 => qcdn_client_get_domain(c, a, o),
                    2 => qcdn_client_list_domains(c, *e, o),
                    3 => qcdn_client_delete_domain(c, a, o),
                    4 => qcdn_client_create_tls_subscription(c, a, o),
                    5 => qcdn_client_get_tls_subscription(c, a, o),
                    6 => qcdn_client_list_tls_subscriptions(c, o),
                    7 => qcdn_client_delete_tls_subscription(c, a, o),
                    8 => qcdn_client_create_signing_key(c, *e, a, o),
                    9 => qcdn_client_get_signing_key(c, a, o),
                    10 => qcdn_client_list_signing_keys(c, o),
                    11 => qcdn_client_rename_signing_key(c, a, b, o),
                    12 => qcdn_client_delete_signing_key(c, a, o),
                    13 => qcdn_client_set_bucket_policy(c, a, *e, o),
                    14 => qcdn_client_set_bucket_cors(c, a, b, o),
                    15 => qcdn_client_get_bucket_cors(c, a, o),
                    16 => qcdn_client_delete_bucket_cors(c, a, o),
                    17 => qcdn_client_delete_bucket_cors_header(c, a, b, o),
                    18 => qcdn_client_purge_bucket_cache(c, a, o),
                    _ => qcdn_client_purge_object_cache(c, a, b, o),
                }
            });
        }
    }
}

fuzz_target!(|calls: Vec<Call>| {
    let mut world = World::default();
    for call in calls.iter().take(64) {
        run(&mut world, call);
    }
    for s in world.signers.drain(..) {
        unsafe { qcdn_signer_free(s) };
    }
    for v in world.verifiers.drain(..) {
        unsafe { qcdn_verifier_free(v) };
    }
    if let Some(c) = world.client.take() {
        unsafe { qcdn_client_free(c) };
    }
});
