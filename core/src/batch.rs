//! Issuance at scale, part one: every core. [`Signer::sign_many`] spreads a
//! batch over a bounded set of threads; each item keeps its own result and
//! the order of the input.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Result;
use crate::token::{SignOptions, Signer};

/// Batches below this size are signed on the calling thread: starting
/// threads costs more than it saves.
pub const INLINE_BATCH: usize = 2;

/// The number of threads [`Signer::sign_many`] uses by default: every core
/// the process may use (`std::thread::available_parallelism`).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(NonZeroUsize::get).unwrap_or(1)
}

impl Signer {
    /// Signs every `(uri, options)` pair on all cores, returning one result
    /// per item in input order: a bad item gives its own error and does not
    /// fail the batch. Each signature is exactly [`Signer::sign`].
    ///
    /// ```
    /// use qencode_cdn::{Signer, SignOptions};
    /// # let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/rsa2048.pkcs1.pem")).unwrap();
    /// let signer = Signer::from_pem("k", &pem)?;
    /// let opts = SignOptions::new();
    /// let tokens = signer.sign_many(&[("videos/a/", opts.clone()), ("/bad", opts.clone()), ("videos/b/", opts)]);
    /// assert!(tokens[0].is_ok() && tokens[1].is_err() && tokens[2].is_ok());
    /// # Ok::<(), qencode_cdn::Error>(())
    /// ```
    pub fn sign_many<U: AsRef<str> + Sync>(&self, items: &[(U, SignOptions)]) -> Vec<Result<String>> {
        self.sign_many_with_threads(items, default_threads())
    }

    /// [`Signer::sign_many`] for the bindings: each item's options arrive as
    /// data (see [`crate::options`]) and a bad one is that item's error.
    /// `threads`: `None` for every core.
    pub fn sign_many_json<U: AsRef<str> + Sync>(
        &self,
        items: &[(U, serde_json::Value)],
        style: crate::KeyStyle,
        threads: Option<usize>,
    ) -> Vec<Result<String>> {
        let parsed: Vec<Result<SignOptions>> = items.iter().map(|(_, o)| SignOptions::from_json(o, style)).collect();
        let good: Vec<(&str, SignOptions)> = items
            .iter()
            .zip(&parsed)
            .filter_map(|((uri, _), o)| o.as_ref().ok().map(|o| (uri.as_ref(), o.clone())))
            .collect();
        let mut signed = self
            .sign_many_with_threads(&good, threads.unwrap_or_else(default_threads))
            .into_iter();
        parsed
            .into_iter()
            .map(|o| match o {
                Err(e) => Err(e),
                Ok(_) => signed
                    .next()
                    .unwrap_or_else(|| Err(crate::Error::Internal("a batch result is missing".into()))),
            })
            .collect()
    }

    /// [`Signer::sign_many`] on at most `threads` threads (at least one; the
    /// calling thread is one of them). The pool is bounded and lives for the
    /// call: the threads are scoped, so a batch never outlives its caller.
    pub fn sign_many_with_threads<U: AsRef<str> + Sync>(
        &self,
        items: &[(U, SignOptions)],
        threads: usize,
    ) -> Vec<Result<String>> {
        let threads = threads.max(1).min(items.len().max(1));
        if threads == 1 || items.len() < INLINE_BATCH {
            return items.iter().map(|(uri, opts)| self.sign(uri.as_ref(), opts)).collect();
        }
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<Result<String>>>> = items.iter().map(|_| Mutex::new(None)).collect();
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((uri, opts)) = items.get(i) else { break };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.sign(uri.as_ref(), opts)))
                    .unwrap_or_else(|_| Err(crate::Error::Internal("signing a batch item panicked".into())));
                *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
            }
        };
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(work);
            }
            work();
        });
        results
            .into_iter()
            .map(|slot| {
                slot.into_inner().unwrap_or_else(|p| p.into_inner()).unwrap_or_else(|| {
                    Err(crate::Error::Internal(
                        "a batch item was not signed (a worker thread panicked)".into(),
                    ))
                })
            })
            .collect()
    }
}
