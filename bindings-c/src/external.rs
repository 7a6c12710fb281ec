//! Signers whose private key is not in this process: a C callback (KMS,
//! Vault, a signing service, any binding's own function), a PKCS#11 token,
//! and the two-phase prepare/finish for callers that sign asynchronously.
//! The core verifies every external signature with the public key before it
//! returns a token; this module only converts the callback's C conventions.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use qcdn::{ExternalSign, ExternalSignError, Signer};

use crate::convert::{invalid, req_bytes, req_out, req_path, req_ref, req_str, write_string};
use crate::error::qcdn_status;
use crate::signer::{boxed, qcdn_signer, sign_options_json};

/// The size of the signature buffer a sign callback receives: the longest
/// RS256 signature of a key the library accepts (8192 bits).
const SIGNATURE_CAP: usize = qcdn::keys::MAX_RSA_BITS / 8;

/// The size of the message buffer a sign callback receives.
const ERROR_CAP: usize = 1024;

/// Makes the RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `input`
/// for `qcdn_signer_new_external`: the private key is held elsewhere (a KMS,
/// an HSM, a signing service, a binding's own function).
///
/// - `user_data`: the pointer given to `qcdn_signer_new_external`.
/// - `input`, `input_len`: the bytes to sign (the ASCII JWS signing input
///   `base64url(header) "." base64url(payload)`; not NUL-terminated). Valid
///   only during the call.
/// - `sig`, `sig_cap`: where to write the raw signature, exactly as long as
///   the key's modulus (256 bytes for RSA-2048, 512 for RSA-4096). `sig_cap`
///   is the buffer's size (1024: enough for any key the library accepts).
///   Never write more than `sig_cap` bytes.
/// - `sig_len`: receives the number of bytes written (0 before the call).
/// - `error`, `error_cap`: on failure, a NUL-terminated message may be
///   written here (at most `error_cap` bytes with the NUL); it becomes part
///   of the `QCDN_ERR_SIGNER_FAILED` message, so put no secret in it.
///
/// Returns 0 on success; any other value is a failure
/// (`QCDN_ERR_SIGNER_FAILED` with the message, and no token).
///
/// The library checks the result: a `*sig_len` above `sig_cap`, a length
/// that is not the key's signature length, or a signature that does not
/// verify with the public key is `QCDN_ERR_SIGNER_FAILED` — never a token.
///
/// The callback may be called from several threads at once (a shared
/// signer, `qcdn_signer_sign_many`, a helper thread when a timeout is set):
/// it must be thread-safe. It must return normally: no `longjmp` out of it,
/// and no C++ exception through it.
pub type qcdn_sign_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        input: *const u8,
        input_len: usize,
        sig: *mut u8,
        sig_cap: usize,
        sig_len: *mut usize,
        error: *mut c_char,
        error_cap: usize,
    ) -> i32,
>;

type SignFn =
    unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize, *mut c_char, usize) -> i32;
type FreeFn = unsafe extern "C" fn(*mut c_void);

/// A C callback as the core's [`ExternalSign`].
struct CallbackSigner {
    callback: SignFn,
    user_data: *mut c_void,
    free_user_data: Option<FreeFn>,
    /// Whether dropping this calls `free_user_data`: only once the handle
    /// was returned to the caller (a failed `qcdn_signer_new_external`
    /// leaves `user_data` with the caller).
    owns_user_data: AtomicBool,
    name: String,
}

// SAFETY: the documented contract of `qcdn_signer_new_external`: the callback
// and `user_data` may be used from any thread, at once, and `free_user_data`
// may be called from any thread.
unsafe impl Send for CallbackSigner {}
// SAFETY: as above; the struct itself is never mutated after creation (the
// flag is atomic).
unsafe impl Sync for CallbackSigner {}

impl ExternalSign for CallbackSigner {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, ExternalSignError> {
        let mut sig = vec![0u8; SIGNATURE_CAP];
        let mut sig_len = 0usize;
        let mut error = [0 as c_char; ERROR_CAP];
        // SAFETY: every pointer is valid for the sizes passed; the callback's
        // contract is the caller's promise.
        let rc = unsafe {
            (self.callback)(
                self.user_data,
                input.as_ptr(),
                input.len(),
                sig.as_mut_ptr(),
                sig.len(),
                &mut sig_len,
                error.as_mut_ptr(),
                error.len(),
            )
        };
        if rc != 0 {
            let msg = callback_message(&error);
            return Err(if msg.is_empty() {
                format!("the callback returned {rc}").into()
            } else {
                format!("the callback returned {rc}: {msg}").into()
            });
        }
        if sig_len > sig.len() {
            return Err(format!(
                "the callback reported {sig_len} signature bytes, more than the buffer's {} (sig_cap)",
                sig.len()
            )
            .into());
        }
        sig.truncate(sig_len);
        Ok(sig)
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

impl Drop for CallbackSigner {
    fn drop(&mut self) {
        if *self.owns_user_data.get_mut() {
            if let Some(free) = self.free_user_data {
                // SAFETY: called once (this value is dropped once), with the
                // pointer the caller gave; the caller's contract.
                unsafe { free(self.user_data) };
            }
        }
    }
}

/// The callback's message: the bytes before the first NUL of the buffer
/// (all of it without one; never beyond), as UTF-8 with replacements.
fn callback_message(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().map(|&c| c as u8).take_while(|&b| b != 0).collect();
    String::from_utf8_lossy(&bytes).trim().to_string()
}

/// A signer whose private key never enters this process: every signature
/// is asked of `callback` (see `qcdn_sign_callback`), then verified with
/// `public_key` before a token is returned. Tokens are byte-identical to
/// those of a local signer holding the same key (RS256 is deterministic).
///
/// - `key_id`: the `kid` of the tokens.
/// - `public_key`, `public_key_len`: the key's public half, in any form
///   `qcdn_verifier_new` reads (SPKI or PKCS#1 PEM or DER, base64, a JWK).
///   Copied.
/// - `callback`, `user_data`: called for each signature with `user_data`.
///   The callback may run on several threads at once when the signer is
///   shared (threads, `qcdn_signer_sign_many`, a cached signer made from it).
/// - `free_user_data` (optional): called exactly once with `user_data` when
///   the last signer sharing the callback is freed (this one and every
///   `qcdn_signer_cached` signer made from it) — from the thread of that last
///   `qcdn_signer_free`, or, if a call timed out and its callback is still
///   running then, from the helper thread right after that callback returns
///   (so `user_data` is never freed under a running callback). It is called
///   only when this function returns `QCDN_OK`: on failure `user_data` stays
///   the caller's.
/// - `timeout_ms`: 0 calls the callback inline, on the signing thread. A
///   positive value runs each call on a helper thread and waits at most that
///   long: a callback that does not answer in time makes the signing call
///   fail with `QCDN_ERR_TIMEOUT` (its late answer is dropped). Use it for
///   callbacks that can hang (a network KMS). A timed-out callback keeps
///   running on its helper thread until it returns — also while the process
///   exits: a binding whose runtime is torn down at exit (a JVM, the CLR, a
///   Ruby or PHP VM) must let a late callback return without it.
///
/// Failures of signing: `QCDN_ERR_SIGNER_FAILED` (the callback returned
/// non-zero — its message is in the error —, reported more than `sig_cap`
/// bytes, a signature of the wrong length, or one that does not verify:
/// another key, not RS256, garbage) and `QCDN_ERR_TIMEOUT`; no token then.
///
/// Errors of this call: `QCDN_ERR_INVALID_ARGUMENT` (NULL callback, key id
/// or key, bad UTF-8), `QCDN_ERR_INVALID_KEY` (a public key that cannot be
/// read, is not RSA or is too small). On success `*out_signer` receives a
/// signer to free with `qcdn_signer_free`. Thread safety: any thread.
///
/// # Safety
/// `key_id` NULL or NUL-terminated; `public_key` NULL or `public_key_len`
/// readable bytes; `callback` NULL or a function with the contract of
/// `qcdn_sign_callback`, callable from any thread with `user_data` until
/// `free_user_data` is called (or, without it, until every signer sharing it
/// is freed and every timed-out call returned); `out_signer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_new_external(
    key_id: *const c_char,
    public_key: *const u8,
    public_key_len: usize,
    callback: qcdn_sign_callback,
    user_data: *mut c_void,
    free_user_data: Option<unsafe extern "C" fn(*mut c_void)>,
    timeout_ms: u32,
    out_signer: *mut *mut qcdn_signer,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contracts.
        let (key_id, public_key) =
            unsafe { (req_str(key_id, "key_id")?, req_bytes(public_key, public_key_len, "public_key")?) };
        let callback = callback.ok_or_else(|| invalid("`callback` is NULL but a sign callback is required"))?;
        let signer = Arc::new(CallbackSigner {
            callback,
            user_data,
            free_user_data,
            owns_user_data: AtomicBool::new(false),
            name: format!("sign callback of key `{}`", key_id.escape_debug()),
        });
        let timeout = (timeout_ms != 0).then(|| Duration::from_millis(u64::from(timeout_ms)));
        let shared: Arc<dyn ExternalSign> = signer.clone();
        let made = Signer::external_arc(key_id, public_key, shared, timeout)?;
        // From here on the signer owns `user_data`: freed with its last handle.
        signer.owns_user_data.store(true, Ordering::Release);
        drop(signer);
        boxed(out_signer, made);
        Ok(())
    })
}

/// A signer whose RSA private key stays on a PKCS#11 token (an HSM, a
/// smart card, SoftHSM): the core's `Signer::from_pkcs11`. Loads `module`
/// (e.g. `/usr/lib/softhsm/libsofthsm2.so`) at run time, finds the token
/// labelled `token_label`, logs in with `pin` and signs with the private key
/// labelled `key_label`; `key_id` is the `kid` of its tokens. The public key
/// is read from the token, and, as for every external signer, each
/// signature is verified with it before a token is returned.
///
/// Errors: `QCDN_ERR_INVALID_ARGUMENT` (NULL or bad UTF-8 arguments),
/// `QCDN_ERR_INVALID_KEY` (a module that cannot be loaded, no such token or
/// key, a wrong PIN, a key that is not RSA — the message says which, never
/// the PIN). A token that fails later (removed, logged out) makes signing
/// fail with `QCDN_ERR_SIGNER_FAILED`. One logged-in session per signer;
/// signatures on one signer are serialised by it. On success `*out_signer`
/// receives a signer to free with `qcdn_signer_free`. Thread safety: any
/// thread; PKCS#11 modules are initialised once per process and kept.
///
/// # Safety
/// String arguments NULL or NUL-terminated (`module` any bytes on POSIX);
/// `out_signer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_from_pkcs11(
    module: *const c_char,
    token_label: *const c_char,
    key_label: *const c_char,
    pin: *const c_char,
    key_id: *const c_char,
    out_signer: *mut *mut qcdn_signer,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contracts.
        let (module, token_label, key_label, pin, key_id) = unsafe {
            (
                req_path(module, "module")?,
                req_str(token_label, "token_label")?,
                req_str(key_label, "key_label")?,
                req_str(pin, "pin")?,
                req_str(key_id, "key_id")?,
            )
        };
        boxed(out_signer, Signer::from_pkcs11(module, token_label, key_label, pin, key_id)?);
        Ok(())
    })
}

/// The first half of a two-phase signature, for callers whose signer
/// answers asynchronously (a KMS call awaited on an event loop):
/// `*out_signing_input` receives the exact ASCII bytes to sign with RS256
/// (`base64url(header) "." base64url(payload)`), made with the checks and
/// the options of `qcdn_signer_sign_json` (`options_json` optional, NULL =
/// `{}`). Pass it with the signature to `qcdn_signer_finish`. Works with any
/// signer (a cached one does not consult its cache here). Free the string
/// with `qcdn_string_free`. Thread safety: any thread.
///
/// # Safety
/// `signer` NULL or live; `uri`, `options_json` NULL or NUL-terminated;
/// `out_signing_input` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_prepare_json(
    signer: *const qcdn_signer,
    uri: *const c_char,
    options_json: *const c_char,
    out_signing_input: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signing_input, "out_signing_input")?;
        // SAFETY: forwarded contracts.
        let (signer, uri, opts) =
            unsafe { (req_ref(signer, "signer")?, req_str(uri, "uri")?, sign_options_json(options_json)?) };
        let prepared = signer.inner.prepare(uri, &opts)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_signing_input, prepared.signing_input().to_string()) }
    })
}

/// The second half of `qcdn_signer_prepare_json`: the token, once `sig`
/// (`sig_len` raw RS256 bytes over `signing_input`) verifies with the
/// signer's public key. A signature of the wrong length or one that does not
/// verify (another key, another input, garbage) is `QCDN_ERR_SIGNER_FAILED`;
/// a `signing_input` this signer did not prepare (another key id, not a
/// token payload) is `QCDN_ERR_INVALID_ARGUMENT`. On success `*out_token`
/// receives the JWT, to free with `qcdn_string_free`. Thread safety: any
/// thread.
///
/// # Safety
/// `signer` NULL or live; `signing_input` NULL or NUL-terminated; `sig` NULL
/// or `sig_len` readable bytes; `out_token` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_finish(
    signer: *const qcdn_signer,
    signing_input: *const c_char,
    sig: *const u8,
    sig_len: usize,
    out_token: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_token, "out_token")?;
        // SAFETY: forwarded contracts.
        let (signer, input, sig) = unsafe {
            (
                req_ref(signer, "signer")?,
                req_str(signing_input, "signing_input")?,
                req_bytes(sig, sig_len, "sig")?,
            )
        };
        let token = signer.inner.finish(input, sig)?;
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_token, token) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_message_stops_at_nul_and_at_the_buffer_end() {
        let mut buf = [b'x' as c_char; 8];
        buf[3] = 0;
        assert_eq!(callback_message(&buf), "xxx");
        let full = [b'y' as c_char; 8];
        assert_eq!(callback_message(&full), "yyyyyyyy");
        assert_eq!(callback_message(&[0 as c_char; 4]), "");
        let bad = [0xff_u8 as c_char, b'a' as c_char, 0];
        assert_eq!(callback_message(&bad), "\u{fffd}a");
    }
}
