//! `require('qencode-cdn/testing')`: the in-process emulator of the API and
//! the playback edge (crate `qencode-cdn-emulator`), and hooks that raise
//! every error code and a panic, so tests can walk the whole error table.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Null, Uint8ArraySlice, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use qencode_cdn::{Error, ErrorCode, HttpFailure, KeyStyle};
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, io_error};

use crate::client::Json;
use crate::error::{Code, guard, guard_task, reject};
use crate::js;

/// Emulator settings (JS: `{ apiKeys, tokenLifetimeMs, signingKeyBits, maxDomains }`).
#[napi(object)]
#[derive(Default)]
pub struct NativeEmulatorOptions {
    pub api_keys: Option<Vec<String>>,
    pub token_lifetime_ms: Option<f64>,
    pub signing_key_bits: Option<u32>,
    pub max_domains: Option<u32>,
}

/// The edge's answer to `fetch`.
#[napi(object)]
pub struct NativeEdgeResponse {
    pub status: u32,
    /// Why the edge refused (`X-Qencode-Emulator-Reason`), or `null`.
    pub reason: Either<String, Null>,
    pub body: Buffer,
}

/// A whole, non-negative number of milliseconds.
fn millis(name: &str, v: f64) -> Result<Duration, Error> {
    if !(v.is_finite() && v.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&v)) {
        return Err(invalid(format!(
            "{name} must be a whole, non-negative number of milliseconds"
        )));
    }
    Ok(Duration::from_millis(v as u64))
}

fn invalid(message: String) -> Error {
    Error::with_code(ErrorCode::InvalidArgument, message)
}

/// A running emulator on 127.0.0.1 (a free port).
#[napi]
pub struct NativeEmulator {
    inner: Mutex<Option<Arc<Emulator>>>,
    url: String,
    api_key: String,
    port: u32,
}

impl NativeEmulator {
    fn running(&self) -> Result<Arc<Emulator>, Error> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| invalid("the emulator was stopped".into()))
    }
}

#[napi]
impl NativeEmulator {
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<NativeEmulatorOptions>) -> napi::Result<Self, Code> {
        guard(|| {
            let mut config = EmulatorConfig {
                signing_key_bits: 2048,
                ..Default::default()
            };
            if let Some(o) = options {
                if let Some(keys) = o.api_keys {
                    config.api_keys = keys;
                }
                if let Some(ms) = o.token_lifetime_ms {
                    config.token_lifetime = millis("tokenLifetimeMs", ms)?;
                }
                if let Some(bits) = o.signing_key_bits {
                    config.signing_key_bits = bits as usize;
                }
                if let Some(n) = o.max_domains {
                    config.max_domains = n as usize;
                }
            }
            let emu = Emulator::start(config).map_err(|e| io_error("start", &e))?;
            Ok(NativeEmulator {
                url: emu.url(),
                api_key: emu.api_key().to_string(),
                port: u32::from(emu.port()),
                inner: Mutex::new(Some(Arc::new(emu))),
            })
        })
    }

    /// `http://127.0.0.1:PORT`: both `apiUrl` and `authUrl` of a client.
    #[napi(getter, catch_unwind)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter, catch_unwind)]
    pub fn port(&self) -> u32 {
        self.port
    }

    /// The first configured API key (a test value, not a secret).
    #[napi(getter, catch_unwind)]
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    #[napi(catch_unwind)]
    pub fn add_stream(&self, stream_id: String, playback_id: String) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.add_stream(&stream_id, &playback_id);
            Ok(())
        })
    }

    /// Loads the demo fixtures (the emulator's `load_fixtures`): live stream
    /// `demo-playback-id` with media, bucket `demo-bucket` holding the HLS and
    /// DASH folder `videos/intro/`, custom domain `media.example.com`. Returns
    /// the signing keys made for them and the fixture URLs.
    #[napi(catch_unwind, ts_return_type = "import('./lib/testing').Fixtures")]
    pub fn load_fixtures(&self) -> napi::Result<Json, Code> {
        guard(|| {
            let f = self
                .running()?
                .load_fixtures()
                .map_err(|e| io_error("loading the fixtures", &e))?;
            let urls: serde_json::Map<String, serde_json::Value> = f
                .urls()
                .into_iter()
                .map(|(name, url)| (name.to_string(), url.into()))
                .collect();
            Ok(Json(serde_json::json!({
                "streamKeyId": f.stream_key_id,
                "streamPrivateKey": f.stream_private_key,
                "bucketKeyId": f.bucket_key_id,
                "bucketPrivateKey": f.bucket_private_key,
                "domainId": f.domain_id,
                "keys": f.keys,
                "urls": urls,
            })))
        })
    }

    /// Stores an object (text as UTF-8, or bytes).
    #[napi(
        catch_unwind,
        ts_args_type = "bucket: string, key: string, body: string | Uint8Array"
    )]
    pub fn add_object(
        &self,
        bucket: String,
        key: String,
        body: Either<String, Uint8ArraySlice<'_>>,
    ) -> napi::Result<(), Code> {
        guard(|| {
            let bytes = match &body {
                Either::A(s) => s.as_bytes().to_vec(),
                Either::B(b) => b.to_vec(),
            };
            self.running()?.add_object(&bucket, &key, bytes);
            Ok(())
        })
    }

    #[napi(catch_unwind)]
    pub fn map_storage_domain(&self, domain: String, bucket: String) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.map_storage_domain(&domain, &bucket);
            Ok(())
        })
    }

    /// `{ route, kind, times?, status?, retryAfter?, delayMs? }`, read by the
    /// emulator's one fault parser (`Fault::from_json`).
    #[napi(catch_unwind, ts_args_type = "fault: import('./lib/testing').Fault")]
    pub fn inject_fault(&self, fault: Unknown<'_>) -> napi::Result<(), Code> {
        guard(|| {
            let f = Fault::from_json(&js::value(fault, "fault")?, KeyStyle::Camel)?;
            self.running()?.inject_fault(f);
            Ok(())
        })
    }

    /// `{ requests: { "METHOD /pattern": n }, token_requests, connections }`.
    #[napi(catch_unwind, ts_return_type = "import('./lib/testing').Counters")]
    pub fn counters(&self) -> napi::Result<Json, Code> {
        guard(|| Ok(Json(self.running()?.counters().to_json())))
    }

    /// Drops every fault not yet used (state and counters are kept).
    #[napi(catch_unwind)]
    pub fn clear_faults(&self) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.clear_faults();
            Ok(())
        })
    }

    #[napi(catch_unwind)]
    pub fn reset(&self) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.reset();
            Ok(())
        })
    }

    /// GETs a playback/storage URL against the emulated edge (on the libuv
    /// pool); `{ cookie }` is a token or a `Cookie`/`Set-Cookie` value.
    #[napi(
        catch_unwind,
        ts_args_type = "url: string, options?: { cookie?: string | null } | null",
        ts_return_type = "Promise<import('./lib/testing').EdgeResponse>"
    )]
    pub fn fetch(&self, url: String, options: Option<Unknown<'_>>) -> AsyncTask<FetchTask> {
        let cookie = js::string_option(options, "fetch option", "cookie");
        AsyncTask::new(FetchTask {
            emulator: self.running(),
            url,
            cookie,
        })
    }

    /// Stops the server and frees the port. Idempotent.
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(taken);
    }
}

/// `fetch` on the libuv pool.
pub struct FetchTask {
    emulator: Result<Arc<Emulator>, Error>,
    url: String,
    cookie: Result<Option<String>, Error>,
}

impl Task for FetchTask {
    type Output = Result<qencode_cdn_emulator::EdgeResponse, Error>;
    type JsValue = NativeEdgeResponse;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (emu, url, cookie) = (&self.emulator, &self.url, &self.cookie);
        Ok(guard_task(|| {
            let emu = emu.as_ref().map_err(Clone::clone)?;
            let cookie = cookie.as_ref().map_err(Clone::clone)?;
            emu.fetch(url, cookie.as_deref()).map_err(|e| io_error("fetch", &e))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<NativeEdgeResponse> {
        match output {
            Ok(r) => Ok(NativeEdgeResponse {
                status: u32::from(r.status),
                reason: r.reason.map_or(Either::B(Null), Either::A),
                body: r.body.into(),
            }),
            Err(e) => reject(&env, &e),
        }
    }
}

fn test_error(code: &str, message: &str, status: Option<u32>, retry_after: Option<f64>) -> Error {
    let Some(code) = ErrorCode::from_str_code(code) else {
        return invalid(format!("unknown error code `{code}`"));
    };
    let e = Error::with_code(code, message);
    match (e, status) {
        (Error::Http { code, mut http }, Some(status)) => {
            *http = HttpFailure {
                status: u16::try_from(status).ok(),
                message: message.to_string(),
                body: format!("{{\"error\":\"{}\"}}", message.escape_default()),
                request_id: Some("req-test".into()),
                retry_after: retry_after.map(Duration::from_secs_f64),
            };
            Error::Http { code, http }
        }
        (e, _) => e,
    }
}

/// Throws the error of `code` (a DESIGN §5 string) as the binding would.
#[napi(catch_unwind)]
pub fn raise_error_for_tests(
    code: String,
    message: String,
    status: Option<u32>,
    retry_after: Option<f64>,
) -> napi::Result<(), Code> {
    guard(|| Err(test_error(&code, &message, status, retry_after)))
}

/// Rejects with the error of `code` from the libuv pool, as client calls do.
#[napi(catch_unwind, ts_return_type = "Promise<void>")]
pub fn reject_error_for_tests(
    code: String,
    message: String,
    status: Option<u32>,
    retry_after: Option<f64>,
) -> AsyncTask<ErrorTask> {
    AsyncTask::new(ErrorTask {
        error: test_error(&code, &message, status, retry_after),
        panic: false,
    })
}

/// Panics inside the binding (synchronously, or on the pool when `onPool`).
#[napi(catch_unwind)]
#[allow(clippy::panic)]
pub fn panic_for_tests() -> napi::Result<(), Code> {
    guard(|| panic!("panic_for_tests"))
}

/// Panics inside a task on the libuv pool.
#[napi(catch_unwind, ts_return_type = "Promise<void>")]
pub fn panic_on_pool_for_tests() -> AsyncTask<ErrorTask> {
    AsyncTask::new(ErrorTask {
        error: Error::with_code(ErrorCode::Internal, "unused"),
        panic: true,
    })
}

/// Fails on the pool, by error or by panic.
pub struct ErrorTask {
    error: Error,
    panic: bool,
}

impl Task for ErrorTask {
    type Output = Result<(), Error>;
    type JsValue = ();

    #[allow(clippy::panic)]
    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (error, panic) = (&self.error, self.panic);
        Ok(guard_task(|| {
            if panic {
                panic!("panic_on_pool_for_tests");
            }
            Err(error.clone())
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<()> {
        match output {
            Ok(()) => Ok(()),
            Err(e) => reject(&env, &e),
        }
    }
}

/// The benchmark's baseline: signs `uri` `n` times with the core alone (no JS
/// boundary, default options) and returns the seconds taken.
#[napi(catch_unwind)]
pub fn bench_core_sign(signer: &crate::token::NativeSigner, uri: String, n: u32) -> napi::Result<f64, Code> {
    guard(|| {
        let opts = qencode_cdn::SignOptions::new();
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(signer.core().sign(std::hint::black_box(&uri), &opts)?);
        }
        Ok(start.elapsed().as_secs_f64())
    })
}

/// Asks `signer` for one token from each of `threads` new threads at once
/// (not the JS thread): what a JavaScript signer does when the core calls it
/// from elsewhere. One result per thread.
#[napi(catch_unwind)]
pub fn sign_from_threads_for_tests(
    signer: &crate::token::NativeSigner,
    threads: u32,
) -> napi::Result<Vec<crate::batch::NativeSignResult>, Code> {
    guard(|| {
        let core = signer.core().clone();
        let results = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|i| {
                    let core = &core;
                    s.spawn(move || core.sign(&format!("videos/{i}/"), &qencode_cdn::SignOptions::new()))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::with_code(ErrorCode::Internal, "a signing thread panicked")))
                })
                .collect::<Vec<_>>()
        });
        Ok(results.into_iter().map(crate::batch::NativeSignResult::of).collect())
    })
}
