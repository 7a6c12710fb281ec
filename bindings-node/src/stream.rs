//! `streamCoverage` and `checkStream` (DESIGN §12): which requests of an HLS
//! or DASH playback a query token or the signed cookie covers, decided by
//! the core's `qencode_cdn::stream`. Options go to the core's `from_json`
//! (camelCase keys); the report comes back as a plain object.

use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use qencode_cdn::stream::{
    CoverageOptions, StreamCheckOptions, check_stream as core_check, stream_coverage as core_coverage,
};
use qencode_cdn::{Error, KeyStyle};

use crate::client::Json;
use crate::error::{Code, guard, guard_task, reject};
use crate::js;

/// The coverage of every request a player makes from `manifestText` (the
/// manifest at `manifestUrl`), without HTTP.
#[napi(
    catch_unwind,
    ts_args_type = "manifestUrl: string, manifestText: string, options?: import('./lib/index').StreamCoverageOptions | null",
    ts_return_type = "import('./lib/index').StreamReport"
)]
pub fn stream_coverage(
    manifest_url: String,
    manifest_text: String,
    options: Option<Unknown<'_>>,
) -> napi::Result<Json, Code> {
    guard(|| {
        let value = js::options(options, "stream option")?;
        let opts = CoverageOptions::from_json(&value, KeyStyle::Camel)?;
        Ok(Json(core_coverage(&manifest_url, &manifest_text, &opts)?.to_value()))
    })
}

/// The check of a whole stream over HTTP, on the libuv pool.
pub struct CheckTask {
    url: String,
    opts: Result<StreamCheckOptions, Error>,
}

impl Task for CheckTask {
    type Output = Result<Json, Error>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (url, opts) = (&self.url, &self.opts);
        Ok(guard_task(|| {
            let opts = opts.as_ref().map_err(Clone::clone)?;
            Ok(Json(core_check(url, opts)?.to_value()))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        match output {
            Ok(v) => Ok(v),
            Err(e) => reject(&env, &e),
        }
    }
}

/// Checks a whole stream over HTTP as a player would; a bad option rejects
/// the promise (nothing is thrown synchronously).
#[napi(
    catch_unwind,
    ts_args_type = "url: string, options?: import('./lib/index').StreamCheckOptions | null",
    ts_return_type = "Promise<import('./lib/index').StreamReport>"
)]
pub fn check_stream(url: String, options: Option<Unknown<'_>>) -> AsyncTask<CheckTask> {
    let opts = js::options(options, "stream check option")
        .and_then(|value| StreamCheckOptions::from_json(&value, KeyStyle::Camel));
    AsyncTask::new(CheckTask { url, opts })
}
