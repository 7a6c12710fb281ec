//! `Client`: the core's blocking client, each call an `AsyncTask` on the
//! libuv pool so the event loop never waits on the network. Results are the
//! API's JSON documents (the typed results serialised back with serde).

use std::collections::BTreeMap;
use std::ptr;

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName, Unknown};
use napi::{Env, Task, ValueType, sys};
use napi_derive::napi;
use qencode_cdn::{BucketPolicy, Client, ClientBuilder, DomainType, Error, ErrorCode, KeyStyle, SigningKeyTarget};
use serde_json::{Value, json};

use crate::error::{Code, guard, guard_task, reject};
use crate::js;
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

/// A client call's result: the API's document, and for a new signing key its
/// private key, which becomes a non-enumerable `private_key` (readable, but
/// not shown by `console.log`, `util.inspect` or `JSON.stringify`).
pub struct Document {
    doc: Value,
    private_key: Option<String>,
}

impl TypeName for Document {
    fn type_name() -> &'static str {
        "unknown"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Document {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: called by napi-rs on the JS thread with a live env.
        let obj = unsafe { Value::to_napi_value(env, val.doc) }?;
        if let Some(pem) = val.private_key {
            // SAFETY: as above; `obj` is the object just created.
            let value = unsafe { String::to_napi_value(env, pem) }?;
            let property = sys::napi_property_descriptor {
                utf8name: c"private_key".as_ptr(),
                name: ptr::null_mut(),
                method: None,
                getter: None,
                setter: None,
                value,
                // Not enumerable, not writable, not configurable.
                attributes: sys::PropertyAttributes::default,
                data: ptr::null_mut(),
            };
            // SAFETY: one valid descriptor for the object created above.
            let status = unsafe { sys::napi_define_properties(env, obj, 1, &property) };
            if status != sys::Status::napi_ok {
                return Err(napi::Error::new(
                    napi::Status::GenericFailure,
                    "cannot define private_key on the new signing key",
                ));
            }
        }
        Ok(obj)
    }
}

/// `createSigningKey`'s target: exactly one of `{ stream }`, `{ domain }`, `{ bucket }`.
#[napi(object)]
pub struct NativeSigningKeyTarget {
    /// A stream id.
    pub stream: Option<String>,
    /// A custom domain's id.
    pub domain: Option<String>,
    /// A bucket name.
    pub bucket: Option<String>,
}

impl NativeSigningKeyTarget {
    fn to_core(&self) -> Result<SigningKeyTarget, Error> {
        match (&self.stream, &self.domain, &self.bucket) {
            (Some(s), None, None) => Ok(SigningKeyTarget::Stream(s.clone())),
            (None, Some(d), None) => Ok(SigningKeyTarget::Domain(d.clone())),
            (None, None, Some(b)) => Ok(SigningKeyTarget::Bucket(b.clone())),
            _ => Err(Error::with_code(
                ErrorCode::InvalidArgument,
                "createSigningKey needs exactly one of { stream }, { domain }, { bucket }",
            )),
        }
    }
}

/// A client for the builder with the JS options object read by
/// `ClientBuilder::options_json` (`apiUrl`, `authUrl`, `timeout`,
/// `connectTimeout` in seconds, `maxRetries`).
fn build(builder: ClientBuilder, options: Option<Unknown<'_>>) -> Result<Client, Error> {
    builder
        .user_agent_suffix(USER_AGENT_SUFFIX)
        .options_json(&js::options(options, "client options")?, KeyStyle::Camel)?
        .build()
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
    CreateSigningKey(SigningKeyTarget),
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

fn plain(doc: Value) -> Document {
    Document { doc, private_key: None }
}

impl Call {
    fn run(&self, c: &Client) -> Result<Document, Error> {
        Ok(plain(match self {
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
            Call::CreateSigningKey(target) => {
                let key = c.create_signing_key(target)?;
                return Ok(Document {
                    doc: to_value(&key.signing_key)?,
                    private_key: Some(key.private_key_pem().to_string()),
                });
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
        }))
    }
}

/// One client call on the libuv pool (or an argument error, rejected).
pub struct ClientTask {
    client: Client,
    call: Result<Call, Error>,
}

impl Task for ClientTask {
    type Output = Result<Document, Error>;
    type JsValue = Document;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (client, call) = (&self.client, &self.call);
        Ok(guard_task(|| call.as_ref().map_err(Clone::clone)?.run(client)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Document> {
        match output {
            Ok(v) => Ok(v),
            Err(e) => reject(&env, &e),
        }
    }
}

impl NativeClient {
    fn task(&self, call: Call) -> AsyncTask<ClientTask> {
        AsyncTask::new(ClientTask {
            client: self.inner.clone(),
            call: Ok(call),
        })
    }
}

#[napi]
impl NativeClient {
    /// A client for `apiKey`.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "apiKey: string, options?: import('./lib/index').ClientOptions | null"
    )]
    pub fn new(api_key: String, options: Option<Unknown<'_>>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeClient {
                inner: build(ClientBuilder::new(api_key), options)?,
            })
        })
    }

    /// The API key from `QENCODE_API_KEY`: `ClientBuilder::from_env`, then the options.
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "options?: import('./lib/index').ClientOptions | null"
    )]
    pub fn from_env(options: Option<Unknown<'_>>) -> napi::Result<Self, Code> {
        guard(|| {
            Ok(NativeClient {
                inner: build(ClientBuilder::from_env()?, options)?,
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

    #[napi(
        catch_unwind,
        ts_args_type = "name: string, type: import('./lib/index').DomainType",
        ts_return_type = "Promise<import('./lib/index').Domain>"
    )]
    pub fn create_domain(&self, name: String, kind: String) -> AsyncTask<ClientTask> {
        self.task(Call::CreateDomain(name, kind))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').Domain>")]
    pub fn get_domain(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetDomain(id))
    }

    #[napi(
        catch_unwind,
        ts_args_type = "type?: import('./lib/index').DomainType | null",
        ts_return_type = "Promise<import('./lib/index').Domain[]>"
    )]
    pub fn list_domains(&self, kind: Option<String>) -> AsyncTask<ClientTask> {
        self.task(Call::ListDomains(kind))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn delete_domain(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteDomain(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').TlsSubscription>")]
    pub fn create_tls_subscription(&self, domain_id: String) -> AsyncTask<ClientTask> {
        self.task(Call::CreateTlsSubscription(domain_id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').TlsSubscription>")]
    pub fn get_tls_subscription(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetTlsSubscription(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').TlsSubscription[]>")]
    pub fn list_tls_subscriptions(&self) -> AsyncTask<ClientTask> {
        self.task(Call::ListTlsSubscriptions)
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn delete_tls_subscription(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteTlsSubscription(id))
    }

    /// Exactly one of `{ stream }` (a stream id), `{ domain }` (a domain id), `{ bucket }` (a bucket name).
    #[napi(
        catch_unwind,
        ts_args_type = "target: import('./lib/index').SigningKeyTarget",
        ts_return_type = "Promise<import('./lib/index').NewSigningKey>"
    )]
    pub fn create_signing_key(&self, target: NativeSigningKeyTarget) -> AsyncTask<ClientTask> {
        AsyncTask::new(ClientTask {
            client: self.inner.clone(),
            call: target.to_core().map(Call::CreateSigningKey),
        })
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').SigningKey>")]
    pub fn get_signing_key(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetSigningKey(id))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').SigningKey[]>")]
    pub fn list_signing_keys(&self) -> AsyncTask<ClientTask> {
        self.task(Call::ListSigningKeys)
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').SigningKey>")]
    pub fn rename_signing_key(&self, id: String, name: String) -> AsyncTask<ClientTask> {
        self.task(Call::RenameSigningKey(id, name))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn delete_signing_key(&self, id: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteSigningKey(id))
    }

    #[napi(
        catch_unwind,
        ts_args_type = "bucket: string, policy: import('./lib/index').BucketPolicy",
        ts_return_type = "Promise<import('./lib/index').StatusOk>"
    )]
    pub fn set_bucket_policy(&self, bucket: String, policy: String) -> AsyncTask<ClientTask> {
        self.task(Call::SetBucketPolicy(bucket, policy))
    }

    /// `cors` maps CORS header names to values.
    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn set_bucket_cors(&self, bucket: String, cors: BTreeMap<String, String>) -> AsyncTask<ClientTask> {
        self.task(Call::SetBucketCors(bucket, cors))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<Record<string, string>>")]
    pub fn get_bucket_cors(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::GetBucketCors(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn delete_bucket_cors(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteBucketCors(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn delete_bucket_cors_header(&self, bucket: String, header: String) -> AsyncTask<ClientTask> {
        self.task(Call::DeleteBucketCorsHeader(bucket, header))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn purge_bucket_cache(&self, bucket: String) -> AsyncTask<ClientTask> {
        self.task(Call::PurgeBucketCache(bucket))
    }

    #[napi(catch_unwind, ts_return_type = "Promise<import('./lib/index').StatusOk>")]
    pub fn purge_object_cache(&self, bucket: String, path: String) -> AsyncTask<ClientTask> {
        self.task(Call::PurgeObjectCache(bucket, path))
    }
}
