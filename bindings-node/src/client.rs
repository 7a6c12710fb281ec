//! `Client`: the core's blocking client, each call an `AsyncTask` on the
//! libuv pool so the event loop never waits on the network. Results are the
//! API's JSON documents (the typed results serialised back with serde).

use std::collections::BTreeMap;
use std::time::Duration;

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Task, ValueType, sys};
use napi_derive::napi;
use qencode_cdn::client::API_KEY_ENV;
use qencode_cdn::{BucketPolicy, Client, ClientBuilder, DomainType, Error, SigningKeyTarget};
use serde_json::{Value, json};

use crate::error::{Code, guard, guard_task, invalid, reject};
use crate::options::whole;
use crate::token::to_value;

/// The `User-Agent` suffix: `qencode-cdn/<version> (node)`.
const USER_AGENT_SUFFIX: &str = "node";

/// A JSON document handed to JS as plain objects and arrays.
pub struct Json(pub Value);

impl TypeName for Json {
    fn type_name() -> &'static str {
        "unknown"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: called by napi-rs on the JS thread with a live env, as the delegate requires.
        unsafe { Value::to_napi_value(env, val.0) }
    }
}

/// Client options (JS: `{ apiUrl, authUrl, timeoutMs, connectTimeoutMs, maxRetries }`).
#[napi(object)]
#[derive(Default)]
pub struct NativeClientOptions {
    pub api_url: Option<String>,
    pub auth_url: Option<String>,
    pub timeout_ms: Option<f64>,
    pub connect_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
}

fn millis(name: &str, v: f64) -> Result<Duration, Error> {
    let ms = whole(name, v)?;
    let ms = u64::try_from(ms).map_err(|_| invalid(format!("{name} must not be negative")))?;
    Ok(Duration::from_millis(ms))
}

fn builder(api_key: String, o: Option<NativeClientOptions>) -> Result<Client, Error> {
    let mut b = ClientBuilder::new(api_key).user_agent_suffix(USER_AGENT_SUFFIX);
    if let Some(o) = o {
        if let Some(u) = o.api_url {
            b = b.api_url(u);
        }
        if let Some(u) = o.auth_url {
            b = b.auth_url(u);
        }
        if let Some(t) = o.timeout_ms {
            b = b.timeout(millis("timeoutMs", t)?);
        }
        if let Some(t) = o.connect_timeout_ms {
            b = b.connect_timeout(millis("connectTimeoutMs", t)?);
        }
        if let Some(n) = o.max_retries {
            let n = u32::try_from(whole("maxRetries", n)?).map_err(|_| invalid("maxRetries must not be negative"))?;
            b = b.max_retries(n);
        }
    }
    b.build()
}

/// One management-API client (one API key, one cached access token).
#[napi]
pub struct NativeClient {
    inner: Client,
}

/// What a client task does.
enum Call {
    CreateDomain(String, String),
    GetDomain(String),
    ListDomains(Option<String>),
    DeleteDomain(String),
    CreateTlsSubscription(String),
    GetTlsSubscription(String),
    ListTlsSubscriptions,
    DeleteTlsSubscription(String),
    CreateSigningKey(String, String),
    GetSigningKey(String),
    ListSigningKeys,
    RenameSigningKey(String, String),
    DeleteSigningKey(String),
    SetBucketPolicy(String, String),
    SetBucketCors(String, BTreeMap<String, String>),
    GetBucketCors(String),
    DeleteBucketCors(String),
    DeleteBucketCorsHeader(String, String),
    PurgeBucketCache(String),
    PurgeObjectCache(String, String),
}

/// `{"status": "ok"}`: what the API answers to the calls that return nothing.
fn ok() -> Value {
    json!({"status": "ok"})
}

fn signing_key_target(kind: &str, id: String) -> Result<SigningKeyTarget, Error> {
    match kind {
        "stream" => Ok(SigningKeyTarget::Stream(id)),
        "domain" => Ok(SigningKeyTarget::Domain(id)),
        "bucket" => Ok(SigningKeyTarget::Bucket(id)),
        _ => Err(invalid("a signing key is for a stream, a domain or a bucket")),
    }
}

impl Call {
    fn run(&self, c: &Client) -> Result<Value, Error> {
        Ok(match self {
            Call::CreateDomain(name, kind) => to_value(&c.create_domain(name, kind.parse::<DomainType>()?)?)?,
            Call::GetDomain(id) => to_value(&c.get_domain(id)?)?,
            Call::ListDomains(kind) => {
                let kind = kind.as_deref().map(str::parse::<DomainType>).transpose()?;
                to_value(&c.list_domains(kind)?)?
            }
            Call::DeleteDomain(id) => c.delete_domain(id).map(|()| ok())?,
            Call::CreateTlsSubscription(domain_id) => to_value(&c.create_tls_subscription(domain_id)?)?,
            Call::GetTlsSubscription(id) => to_value(&c.get_tls_subscription(id)?)?,
            Call::ListTlsSubscriptions => to_value(&c.list_tls_subscriptions()?)?,
            Call::DeleteTlsSubscription(id) => c.delete_tls_subscription(id).map(|()| ok())?,
            Call::CreateSigningKey(kind, id) => {
                to_value(&c.create_signing_key(&signing_key_target(kind, id.clone())?)?)?
            }
            Call::GetSigningKey(id) => to_value(&c.get_signing_key(id)?)?,
            Call::ListSigningKeys => to_value(&c.list_signing_keys()?)?,
            Call::RenameSigningKey(id, name) => to_value(&c.rename_signing_key(id, name)?)?,
            Call::DeleteSigningKey(id) => c.delete_signing_key(id).map(|()| ok())?,
            Call::SetBucketPolicy(bucket, policy) => c
                .set_bucket_policy(bucket, policy.parse::<BucketPolicy>()?)
                .map(|()| ok())?,
            Call::SetBucketCors(bucket, cors) => c.set_bucket_cors(bucket, cors).map(|()| ok())?,
            Call::GetBucketCors(bucket) => to_value(&c.get_bucket_cors(bucket)?)?,
            Call::DeleteBucketCors(bucket) => c.delete_bucket_cors(bucket).map(|()| ok())?,
            Call::DeleteBucketCorsHeader(bucket, header) => {
                c.delete_bucket_cors_header(bucket, header).map(|()| ok())?
            }
            Call::PurgeBucketCache(bucket) => c.purge_bucket_cache(bucket).map(|()| ok())?,
            Call::PurgeObjectCache(bucket, path) => c.purge_object_cache(bucket, path).map(|()| ok())?,
        })
    }
}

/// One client call on the libuv pool.
pub struct ClientTask {
    client: Client,
    call: Call,
}

impl Task for ClientTask {
    type Output = Result<Value, Error>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (client, call) = (&self.client, &self.call);
        Ok(guard_task(|| call.run(client)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        match output {
            Ok(v) => Ok(Json(v)),
            Err(e) => reject(&env, &e),
        }
    }
}

impl NativeClient {
    fn task(&self, call: Call) -> AsyncTask<ClientTask> {
        AsyncTask::new(ClientTask {
            client: self.inner.clone(),
            call,
        })
    }
}

#[napi]
impl NativeClient {
    #[napi(constructor, catch_unwind)]
    pub fn new(api_key: String, options: Option<NativeClientOptions>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeClient {
                inner: builder(api_key, options)?,
            })
        })
    }

    /// The API key from `QENCODE_API_KEY`.
    #[napi(factory, catch_unwind)]
    pub fn from_env(options: Option<NativeClientOptions>) -> napi::Result<Self, Code> {
        guard(|| {
            let key = std::env::var(API_KEY_ENV).unwrap_or_default();
            if key.is_empty() {
                return Err(invalid(format!(
                    "environment variable {API_KEY_ENV} (the API key) is not set"
                )));
            }
            Ok(NativeClient {
                inner: builder(key, options)?,
            })
        })
    }

    #[napi(getter, catch_unwind)]
    pub fn api_url(&self) -> String {
        self.inner.api_url().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn auth_url(&self) -> String {
        self.inner.auth_url().to_string()
    }

    #[napi(getter, catch_unwind)]
    pub fn user_agent(&self) -> String {
        self.inner.user_agent().to_string()
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn create_domain(&self, name: String, kind: String) -> AsyncTask<ClientTask> {
        self.task(Call::CreateDomain(name, kind))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn get_domain(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetDomain(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn list_domains(&self, kind: Option<String>) -> AsyncTask<ClientTask> {
        self.task(Call::ListDomains(kind))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn delete_domain(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteDomain(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn create_tls_subscription(&self, domain_id: String) -> AsyncTask<ClientTask> {
        self.task(Call::CreateTlsSubscription(domain_id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn get_tls_subscription(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetTlsSubscription(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn list_tls_subscriptions(&self) -> AsyncTask<ClientTask> {
        self.task(Call::ListTlsSubscriptions)
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn delete_tls_subscription(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteTlsSubscription(id))
    }

    /// `kind` is `stream`, `domain` or `bucket`; `id` the stream id, domain id or bucket name.
    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn create_signing_key(&self, kind: String, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::CreateSigningKey(kind, id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn get_signing_key(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetSigningKey(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn list_signing_keys(&self) -> AsyncTask<ClientTask> {
        self.task(Call::ListSigningKeys)
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn rename_signing_key(&self, id: String, name: String) -> AsyncTask<ClientTask> {
        self.task(Call::RenameSigningKey(id, name))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn delete_signing_key(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteSigningKey(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn set_bucket_policy(&self, bucket: String, policy: String) -> AsyncTask<ClientTask> {
        self.task(Call::SetBucketPolicy(bucket, policy))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn set_bucket_cors(&self, bucket: String, cors: BTreeMap<String, String>) -> AsyncTask<ClientTask> {
        self.task(Call::SetBucketCors(bucket, cors))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn get_bucket_cors(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetBucketCors(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn delete_bucket_cors(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteBucketCors(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn delete_bucket_cors_header(&self, bucket: String, header: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteBucketCorsHeader(bucket, header))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn purge_bucket_cache(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::PurgeBucketCache(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<any>")]
    pub fn purge_object_cache(&self, bucket: String, path: String) -> AsyncTask<ClientTask> {
        self.task(Call::PurgeObjectCache(bucket, path))
    }
}
