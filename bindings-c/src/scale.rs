//! Issuance at scale: batches on every core (`sign_many`) and the cached
//! signer (one token per `uri` and claims per window).

use std::ffi::c_char;
use std::time::Duration;

use qcdn::{CacheSettings, Error, ErrorCode, KeyStyle, Result, SignOptions};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::convert::{invalid, req_out, req_ref, req_str, to_c_string, write_string};
use crate::error::{error_json, qcdn_status};
use crate::signer::{boxed, qcdn_sign_options, qcdn_signer, sign_options};

/// `threads` as the core takes it: 0 = every core.
fn threads_of(threads: u32) -> Option<usize> {
    (threads != 0).then_some(threads as usize)
}

/// Signs a batch on several threads, each item with its own result, in the
/// order of the input: the core's `Signer::sign_many_json`.
///
/// - `items_json`: a JSON array of `{"uri": "…", "options": {…}}`;
///   `options` (optional) has the keys of `qcdn_signer_sign_json` and is read
///   per item — a bad one is that item's error, not the batch's. An item that
///   is not an object with a string `uri` (and at most `options`), or text
///   that is not a JSON array, fails the whole call with
///   `QCDN_ERR_INVALID_ARGUMENT`.
/// - `threads`: the most threads to use (the calling thread is one); 0 =
///   every core. Small batches are signed on the calling thread.
/// - `*out_json` receives a JSON array with one element per item:
///   `{"token": "…"}`, or `{"error": {…}}` holding the item's error details
///   with the fields of `qcdn_last_error_json` (`code`, `status_code`,
///   `message`, `type_error`, …).
///
/// Returns `QCDN_OK` when the batch ran, even if items failed (look at each
/// element); the thread's last error is then unchanged. Free the document
/// with `qcdn_string_free` (it holds tokens: it is wiped). Thread safety: any
/// thread; with an external signer its callback runs on the batch's threads.
///
/// # Safety
/// `signer` NULL or live; `items_json` NULL or NUL-terminated; `out_json`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign_many_json(
    signer: *const qcdn_signer,
    items_json: *const c_char,
    threads: u32,
    out_json: *mut *mut c_char,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_json, "out_json")?;
        // SAFETY: forwarded contracts.
        let (signer, text) = unsafe { (req_ref(signer, "signer")?, req_str(items_json, "items_json")?) };
        let items = batch_items(text)?;
        let results = signer.inner.sign_many_json(&items, KeyStyle::Snake, threads_of(threads));
        // SAFETY: checked non-NULL.
        unsafe { write_string(out_json, batch_document(results)?) }
    })
}

/// The items of a batch document: `[{"uri", "options"?}, …]`.
fn batch_items(text: &str) -> Result<Vec<(String, Value)>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "`items_json` is not valid JSON ({e}); pass an array of {{\"uri\",\"options\"}}"
        ))
    })?;
    let Value::Array(list) = doc else {
        return Err(invalid(
            "`items_json` must be a JSON array of {\"uri\", \"options\"} objects",
        ));
    };
    list.into_iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(mut item) = item else {
                return Err(invalid(format!(
                    "`items_json[{i}]` is not an object {{\"uri\", \"options\"}}"
                )));
            };
            let uri = match item.remove("uri") {
                Some(Value::String(s)) => s,
                _ => return Err(invalid(format!("`items_json[{i}]` has no string `uri`"))),
            };
            let options = item.remove("options").unwrap_or(Value::Null);
            if let Some(other) = item.keys().next() {
                return Err(invalid(format!(
                    "`items_json[{i}]` has the unknown member `{}` (only `uri` and `options`)",
                    other.escape_debug()
                )));
            }
            Ok((uri, options))
        })
        .collect()
}

/// One element of a batch document.
enum Entry {
    Token(Zeroizing<String>),
    Error(String),
}

/// `[{"token": …} | {"error": {…}}, …]` in one buffer sized exactly (with
/// room for the C string's NUL), so that no copy of a token is left in
/// freed memory: the tokens are wiped, and `to_c_string` uses the buffer in
/// place.
fn batch_document(results: Vec<Result<String>>) -> Result<String> {
    let entries: Vec<Entry> = results
        .into_iter()
        .map(|r| match r {
            Ok(t) => Entry::Token(Zeroizing::new(t)),
            Err(e) => Entry::Error(error_json(Some(&e)).to_string()),
        })
        .collect();
    const TOKEN_FRAME: usize = r#"{"token":""}"#.len();
    const ERROR_FRAME: usize = r#"{"error":}"#.len();
    let size = "[]".len()
        + entries.len().saturating_sub(1)
        + entries
            .iter()
            .map(|e| match e {
                Entry::Token(t) => t.len() + TOKEN_FRAME,
                Entry::Error(d) => d.len() + ERROR_FRAME,
            })
            .sum::<usize>();
    let mut out = String::with_capacity(size + 1);
    out.push('[');
    for (n, entry) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        match entry {
            Entry::Token(t) => {
                // Tokens are base64url and dots: nothing to escape.
                if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
                    return Err(Error::with_code(
                        ErrorCode::Internal,
                        "a token holds an unexpected byte",
                    ));
                }
                out.push_str(r#"{"token":""#);
                out.push_str(t);
                out.push_str(r#""}"#);
            }
            Entry::Error(d) => {
                out.push_str(r#"{"error":"#);
                out.push_str(d);
                out.push('}');
            }
        }
    }
    out.push(']');
    if out.len() != size || out.capacity() != size + 1 {
        // The size is exact; never leave a reallocated copy behind.
        drop(Zeroizing::new(out));
        return Err(Error::with_code(
            ErrorCode::Internal,
            "the batch document outgrew its buffer",
        ));
    }
    Ok(out)
}

/// `qcdn_signer_sign_many_json` for C callers, with the option structs:
/// signs `count` items — `uris[i]` with `options[i]` (`options` NULL: the
/// defaults for every item) — on at most `threads` threads (0 = every core).
///
/// Each item has its own result: `out_tokens[i]` receives its token (free
/// each with `qcdn_string_free`) or NULL, and `out_statuses[i]` its status
/// (`QCDN_OK`, or why that item failed: a NULL or bad `uris[i]`, bad options,
/// a signer failure…). Both arrays have `count` elements, provided by the
/// caller, and are written only when the call returns `QCDN_OK` — which it
/// does when the batch ran, even if items failed: check every status. For
/// the messages of failed items use `qcdn_signer_sign_many_json`.
///
/// Errors of the call itself (nothing written): `QCDN_ERR_INVALID_ARGUMENT`
/// for a NULL `signer`, and for a NULL `uris`, `out_tokens` or
/// `out_statuses` with a non-zero `count` (with `count` 0 they may be NULL).
/// Thread safety: any thread.
///
/// ```c
/// const char *uris[] = {"videos/a/", "videos/b/"};
/// char *tokens[2];
/// qcdn_status statuses[2];
/// if (qcdn_signer_sign_many(signer, uris, NULL, 2, 0, tokens, statuses) == QCDN_OK) {
///     for (size_t i = 0; i < 2; i++) { if (statuses[i] == QCDN_OK) use(tokens[i]); qcdn_string_free(tokens[i]); }
/// }
/// ```
///
/// # Safety
/// `signer` NULL or live; `uris` NULL or `count` pointers, each NULL or
/// NUL-terminated; `options` NULL or `count` valid structs; `out_tokens` and
/// `out_statuses` NULL or `count` writable elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_sign_many(
    signer: *const qcdn_signer,
    uris: *const *const c_char,
    options: *const qcdn_sign_options,
    count: usize,
    threads: u32,
    out_tokens: *mut *mut c_char,
    out_statuses: *mut qcdn_status,
) -> qcdn_status {
    ffi_boundary!(status {
        // SAFETY: forwarded contract.
        let signer = unsafe { req_ref(signer, "signer") }?;
        if count > 0 {
            req_out(out_tokens, "out_tokens")?;
            req_out(out_statuses, "out_statuses")?;
        }
        if count > isize::MAX as usize / std::mem::size_of::<qcdn_sign_options>() {
            return Err(invalid("`count` is too large"));
        }
        let uris: &[*const c_char] = if count == 0 {
            &[]
        } else if uris.is_null() {
            return Err(invalid("`uris` is NULL but `count` is not 0"));
        } else {
            // SAFETY: `count` readable pointers per the caller's contract.
            unsafe { std::slice::from_raw_parts(uris, count) }
        };
        // Each item converted on its own: a bad one is that item's error.
        let items: Vec<Result<(&str, SignOptions)>> = uris
            .iter()
            .enumerate()
            .map(|(i, &uri)| {
                // SAFETY: forwarded contracts; `options` has `count` elements when not NULL.
                unsafe {
                    let uri = req_str(uri, &format!("uris[{i}]"))?;
                    let opts = if options.is_null() { SignOptions::new() } else { sign_options(options.add(i))? };
                    Ok((uri, opts))
                }
            })
            .collect();
        let good: Vec<(&str, SignOptions)> = items.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        let mut signed = signer
            .inner
            .sign_many_with_threads(&good, threads_of(threads).unwrap_or_else(qcdn::default_threads))
            .into_iter();
        let results: Vec<Result<*mut c_char>> = items
            .into_iter()
            .map(|item| {
                item?;
                let token = signed
                    .next()
                    .unwrap_or_else(|| Err(Error::with_code(ErrorCode::Internal, "a batch result is missing")))?;
                to_c_string(token)
            })
            .collect();
        for (i, r) in results.into_iter().enumerate() {
            let (token, status) = match r {
                Ok(t) => (t, qcdn_status::QCDN_OK),
                Err(e) => (std::ptr::null_mut(), qcdn_status::from_code(e.code())),
            };
            // SAFETY: `count` writable elements per the caller's contract.
            unsafe {
                *out_tokens.add(i) = token;
                *out_statuses.add(i) = status;
            }
        }
        Ok(())
    })
}

/// A signer that caches its tokens: the core's `Signer::cached_with`.
/// Requests for the same `uri`, claims and lifetime inside one window of
/// `window_secs` seconds (1 to 86400) get the same token, whose `exp` is
/// rounded **up** to a multiple of the window — valid at least the asked
/// lifetime and at most one window longer — so a busy `uri` costs one RSA
/// signature per window instead of one per request. Never cached: tokens
/// that never expire, and calls with a pinned clock (`now`) unless
/// `cache_pinned_clock` (for tests). `capacity` bounds the tokens kept
/// (least recently used evicted first); 0 = the default (100 000).
///
/// Every signing call of the new signer (`qcdn_signer_sign*`, the signed
/// URLs, cookies, `qcdn_signer_sign_many*`) goes through the cache. The new
/// signer shares the key (and an external signer's callback) with `signer`,
/// which stays usable and uncached; free both with `qcdn_signer_free`. A
/// cached signer made from a cached one has only the new cache.
///
/// Errors: `QCDN_ERR_INVALID_ARGUMENT` (a window of 0 or above 86400, NULL
/// arguments). Thread safety: any thread; the cache is shared safely by
/// every thread using the new signer.
///
/// # Safety
/// `signer` NULL or live; `out_signer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_cached(
    signer: *const qcdn_signer,
    window_secs: u32,
    capacity: u64,
    cache_pinned_clock: bool,
    out_signer: *mut *mut qcdn_signer,
) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_signer, "out_signer")?;
        // SAFETY: forwarded contract.
        let signer = unsafe { req_ref(signer, "signer") }?;
        let mut settings = CacheSettings::new(Duration::from_secs(u64::from(window_secs)));
        if capacity != 0 {
            settings.capacity =
                usize::try_from(capacity).map_err(|_| invalid(format!("`capacity` {capacity} is too large")))?;
        }
        settings.cache_pinned_clock = cache_pinned_clock;
        boxed(out_signer, signer.inner.cached_with(settings)?);
        Ok(())
    })
}

/// How many tokens a cached signer's cache holds now (0 for a signer
/// without a cache). Thread safety: any thread.
///
/// # Safety
/// `signer` NULL or live; `out_count` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qcdn_signer_cached_tokens(signer: *const qcdn_signer, out_count: *mut u64) -> qcdn_status {
    ffi_boundary!(status {
        req_out(out_count, "out_count")?;
        // SAFETY: forwarded contract.
        let signer = unsafe { req_ref(signer, "signer") }?;
        // SAFETY: checked non-NULL.
        unsafe { *out_count = signer.inner.cached_tokens() as u64 };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_items_are_objects_with_a_uri_and_options() {
        let items = batch_items(r#"[{"uri":"a","options":{"expires_in":5}},{"uri":""}]"#).unwrap();
        assert_eq!(items[0].0, "a");
        assert_eq!(items[0].1["expires_in"], 5);
        assert_eq!(items[1].1, Value::Null);
        for bad in [
            "{}",
            "[1]",
            r#"[{"options":{}}]"#,
            r#"[{"uri":5}]"#,
            r#"[{"uri":"a","x":1}]"#,
            "nope",
        ] {
            assert_eq!(
                batch_items(bad).unwrap_err().code(),
                ErrorCode::InvalidArgument,
                "{bad}"
            );
        }
        assert!(batch_items("[]").unwrap().is_empty());
    }

    #[test]
    fn the_batch_document_is_sized_exactly() {
        let doc = batch_document(vec![
            Ok("a.b.c".into()),
            Err(Error::with_code(ErrorCode::InvalidArgument, "bad \"item\"")),
            Ok("d-_.e".into()),
        ])
        .unwrap();
        let v: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v[0]["token"], "a.b.c");
        assert_eq!(v[1]["error"]["code"], "INVALID_ARGUMENT");
        assert_eq!(v[1]["error"]["message"], "bad \"item\"");
        assert_eq!(v[2]["token"], "d-_.e");
        assert_eq!(doc.capacity(), doc.len() + 1);
        assert_eq!(batch_document(vec![]).unwrap(), "[]");
    }
}
