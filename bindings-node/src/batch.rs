//! `signMany` / `signManyAsync`: the items read on the JS thread, the batch
//! signed by the core (`Signer::sign_many_json`, which reads each item's
//! options and spreads the work over the cores), one result per item.
//!
//! An item is a uri (`'videos/a/'`) or `{ uri, options }`. An item this
//! module cannot read (not a string or an object, no `uri`, an unknown key,
//! an option value JSON cannot hold) is that item's INVALID_ARGUMENT, like
//! an item whose options the core refuses: one bad item never fails the
//! batch.

use napi::bindgen_prelude::{Array, Either, Null, Unknown};
use napi::{Env, Task, ValueType};
use napi_derive::napi;
use qencode_cdn::{Error, ErrorCode, KeyStyle, Signer};
use serde_json::Value;

use crate::error::{guard_task, reject};
use crate::js;

/// The most threads `{ threads }` may ask for.
pub const MAX_THREADS: u32 = 1024;

/// The error of one item.
#[napi(object)]
pub struct NativeItemError {
    #[napi(ts_type = "import('./lib/index').ErrorCode")]
    pub code: String,
    pub message: String,
}

/// One item's outcome: a token, or its error (the wrapper makes it a `QencodeError`).
#[napi(object)]
pub struct NativeSignResult {
    pub token: Either<String, Null>,
    pub error: Either<NativeItemError, Null>,
}

impl NativeSignResult {
    /// The outcome of one signature.
    pub fn of(r: Result<String, Error>) -> Self {
        match r {
            Ok(t) => NativeSignResult {
                token: Either::A(t),
                error: Either::B(Null),
            },
            Err(e) => NativeSignResult {
                token: Either::B(Null),
                error: Either::A(NativeItemError {
                    code: e.code().as_str().to_string(),
                    message: e.message().to_string(),
                }),
            },
        }
    }
}

/// A batch as read from JS: the items that could be read, where the others
/// were and why they could not.
pub struct Batch {
    /// `(uri, options)` of every readable item, in order.
    pub items: Vec<(String, Value)>,
    /// `{ threads }`, or `None` for every core.
    pub threads: Option<usize>,
    /// Per input item: `None` when it is in `items`, else its error.
    unreadable: Vec<Option<Error>>,
}

fn invalid(message: String) -> Error {
    Error::with_code(ErrorCode::InvalidArgument, message)
}

impl Batch {
    /// Reads the items and `{ threads }` on the JS thread. Only a bad
    /// `options` argument fails the whole call.
    pub fn read(items: &Array<'_>, options: Option<Unknown<'_>>) -> Result<Batch, Error> {
        let threads = threads(options)?;
        let len = items.len();
        let mut batch = Batch {
            items: Vec::with_capacity(len as usize),
            threads,
            unreadable: Vec::with_capacity(len as usize),
        };
        for i in 0..len {
            let read = items
                .get::<Unknown<'_>>(i)
                .map_err(|_| invalid(format!("item {i} cannot be read")))
                .and_then(|v| item(i, v));
            match read {
                Ok(pair) => {
                    batch.items.push(pair);
                    batch.unreadable.push(None);
                }
                Err(e) => batch.unreadable.push(Some(e)),
            }
        }
        Ok(batch)
    }

    /// The core's results for `items`, put back among the unreadable items.
    pub fn finish(&self, signed: Vec<Result<String, Error>>) -> Vec<NativeSignResult> {
        let mut signed = signed.into_iter();
        self.unreadable
            .iter()
            .map(|slot| match slot {
                Some(e) => NativeSignResult::of(Err(e.clone())),
                None => NativeSignResult::of(
                    signed
                        .next()
                        .unwrap_or_else(|| Err(Error::with_code(ErrorCode::Internal, "a batch result is missing"))),
                ),
            })
            .collect()
    }

    /// Signs the batch with `signer` (on the calling thread and the threads
    /// the core starts).
    pub fn sign(&self, signer: &Signer, threads: Option<usize>) -> Vec<NativeSignResult> {
        self.finish(signer.sign_many_json(&self.items, KeyStyle::Camel, threads))
    }
}

/// `{ threads }` of `signMany`: `None` for every core.
pub fn threads(options: Option<Unknown<'_>>) -> Result<Option<usize>, Error> {
    let bad = || invalid(format!("threads must be a whole number from 1 to {MAX_THREADS}"));
    match js::single_option(options, "signMany option", "threads")? {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(t) if (1..=u64::from(MAX_THREADS)).contains(&t) => Ok(usize::try_from(t).ok()),
            _ => Err(bad()),
        },
        Some(_) => Err(bad()),
    }
}

/// One item: a uri, or `{ uri, options }` (options read as `sign`'s are);
/// `i` is its place in the batch, for messages.
pub fn item(i: u32, value: Option<Unknown<'_>>) -> Result<(String, Value), Error> {
    let shape = || invalid(format!("item {i} must be a uri (string) or {{ uri, options }}"));
    let Some(value) = value else { return Err(shape()) };
    match value.get_type() {
        Ok(ValueType::String) => match js::value(value, "item")? {
            Value::String(s) => Ok((s, Value::Null)),
            _ => Err(shape()),
        },
        Ok(ValueType::Object) => {
            let members = js::members(&value).map_err(|e| invalid(format!("item {i}: {}", e.message())))?;
            let (mut uri, mut options) = (None, Value::Null);
            for (key, member) in members {
                match key.as_str() {
                    "uri" => match js::value(member, "uri") {
                        Ok(Value::String(s)) => uri = Some(s),
                        _ => return Err(invalid(format!("item {i}: `uri` must be a string"))),
                    },
                    "options" => options = js::options(Some(member), &format!("item {i} sign options"))?,
                    other => {
                        return Err(invalid(format!(
                            "item {i}: unknown key `{}`; an item is a uri or {{ uri, options }} (sign options go in `options`)",
                            other.escape_debug()
                        )));
                    }
                }
            }
            let uri = uri.ok_or_else(|| invalid(format!("item {i} has no `uri`")))?;
            Ok((uri, options))
        }
        _ => Err(shape()),
    }
}

/// `signManyAsync`: the whole batch on one libuv pool thread (plus the
/// threads the core starts for it), so other async work keeps the rest of
/// the pool.
pub struct SignManyTask {
    signer: Signer,
    batch: Result<Batch, Error>,
}

impl SignManyTask {
    pub fn new(signer: Signer, batch: Result<Batch, Error>) -> Self {
        SignManyTask { signer, batch }
    }
}

impl Task for SignManyTask {
    type Output = Result<Vec<NativeSignResult>, Error>;
    type JsValue = Vec<NativeSignResult>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (signer, batch) = (&self.signer, &self.batch);
        Ok(guard_task(|| {
            let batch = batch.as_ref().map_err(Clone::clone)?;
            Ok(batch.sign(signer, batch.threads))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(v) => Ok(v),
            Err(e) => reject(&env, &e),
        }
    }
}
