//! `require('qencode-cdn/testing')`: the in-process emulator of the API and
//! the playback edge (crate `qencode-cdn-emulator`), and hooks that raise
//! every error code and a panic, so tests can walk the whole error table.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use qencode_cdn::{Error, ErrorCode, HttpFailure};
use qencode_cdn_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

use crate::client::Json;
use crate::error::{Code, guard, guard_task, invalid, reject};
use crate::options::whole;

/// Emulator settings (JS: `{ apiKeys, tokenLifetimeMs, signingKeyBits, maxDomains }`).
#[napi(object)]
#[derive(Default)]
pub struct NativeEmulatorOptions {
    pub api_keys: Option<Vec<String>>,
    pub token_lifetime_ms: Option<f64>,
    pub signing_key_bits: Option<u32>,
    pub max_domains: Option<u32>,
}

/// A fault (JS: `{ route, times, kind, status, retryAfter, delayMs }`, as the admin API's JSON).
#[napi(object)]
pub struct NativeFault {
    pub route: String,
    pub times: Option<u32>,
    /// `status`, `delay`, `drop`, `truncate` or `not_json`.
    pub kind: String,
    pub status: Option<u32>,
    pub retry_after: Option<f64>,
    pub delay_ms: Option<f64>,
}

/// The edge's answer to `fetch`.
#[napi(object)]
pub struct NativeEdgeResponse {
    pub status: u32,
    pub reason: Option<String>,
    pub body: Buffer,
}

fn io_error(e: &io::Error) -> Error {
    let code = if e.kind() == io::ErrorKind::InvalidInput {
        ErrorCode::InvalidArgument
    } else {
        ErrorCode::Transport
    };
    Error::with_code(code, format!("emulator: {e}"))
}

fn non_negative(name: &str, v: f64) -> Result<u64, Error> {
    u64::try_from(whole(name, v)?).map_err(|_| invalid(format!("{name} must not be negative")))
}

impl NativeFault {
    fn to_core(&self) -> Result<Fault, Error> {
        let kind = match self.kind.as_str() {
            "status" => {
                let status = self.status.ok_or_else(|| invalid("a `status` fault needs `status`"))?;
                let status = u16::try_from(status).map_err(|_| invalid("status must be an HTTP status"))?;
                let retry_after = self.retry_after.map(|s| non_negative("retryAfter", s)).transpose()?;
                FaultKind::Status { status, retry_after }
            }
            "delay" => {
                let ms = self
                    .delay_ms
                    .ok_or_else(|| invalid("a `delay` fault needs `delayMs`"))?;
                FaultKind::Delay(Duration::from_millis(non_negative("delayMs", ms)?))
            }
            "drop" => FaultKind::Drop,
            "truncate" => FaultKind::Truncate,
            "not_json" => FaultKind::NotJson,
            _ => return Err(invalid("fault kind must be status, delay, drop, truncate or not_json")),
        };
        Ok(Fault {
            route: self.route.clone(),
            times: self.times.unwrap_or(1),
            kind,
        })
    }
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
        guard.clone().ok_or_else(|| invalid("the emulator was stopped"))
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
                    config.token_lifetime = Duration::from_millis(non_negative("tokenLifetimeMs", ms)?);
                }
                if let Some(bits) = o.signing_key_bits {
                    config.signing_key_bits = bits as usize;
                }
                if let Some(n) = o.max_domains {
                    config.max_domains = n as usize;
                }
            }
            let emu = Emulator::start(config).map_err(|e| io_error(&e))?;
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

    #[napi(catch_unwind)]
    pub fn add_object(&self, bucket: String, key: String, body: Buffer) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.add_object(&bucket, &key, body.to_vec());
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

    #[napi(catch_unwind)]
    pub fn inject_fault(&self, fault: NativeFault) -> napi::Result<(), Code> {
        guard(|| {
            let f = fault.to_core()?;
            self.running()?.inject_fault(f);
            Ok(())
        })
    }

    /// `{ requests: { "METHOD /pattern": n }, token_requests, connections }`.
    #[napi(
        catch_unwind,
        ts_return_type = "{ requests: Record<string, number>, token_requests: number, connections: number }"
    )]
    pub fn counters(&self) -> napi::Result<Json, Code> {
        guard(|| Ok(Json(self.running()?.counters().to_json())))
    }

    #[napi(catch_unwind)]
    pub fn reset(&self) -> napi::Result<(), Code> {
        guard(|| {
            self.running()?.reset();
            Ok(())
        })
    }

    /// GETs a playback/storage URL against the emulated edge (on the libuv pool).
    #[napi(catch_unwind, ts_return_type = "Promise<NativeEdgeResponse>")]
    pub fn fetch(&self, url: String, cookie: Option<String>) -> AsyncTask<FetchTask> {
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
    cookie: Option<String>,
}

impl Task for FetchTask {
    type Output = Result<qencode_cdn_emulator::EdgeResponse, Error>;
    type JsValue = NativeEdgeResponse;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (emu, url, cookie) = (&self.emulator, &self.url, &self.cookie);
        Ok(guard_task(|| {
            let emu = emu.as_ref().map_err(Clone::clone)?;
            emu.fetch(url, cookie.as_deref()).map_err(|e| io_error(&e))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<NativeEdgeResponse> {
        match output {
            Ok(r) => Ok(NativeEdgeResponse {
                status: u32::from(r.status),
                reason: r.reason,
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
