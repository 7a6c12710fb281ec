//! The API commands, one per client method: `domains`, `tls`, `signing-keys`, `buckets`.

use std::collections::BTreeMap;
use std::io::Write as _;

use qencode_cdn::{BucketPolicy, Client, ClientBuilder, DomainType, KeyStyle, SigningKeyTarget};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::args::{
    ApiArgs, BucketsArgs, BucketsCmd, CorsCmd, DomainsArgs, DomainsCmd, OutputFormat, SigningKeysArgs, SigningKeysCmd,
    TlsArgs, TlsCmd,
};
use crate::error::{CliError, CliResult, EXIT_OK};
use crate::inputs::{io_reason, read_input};
use crate::output::{table, to_json, to_value};
use crate::timeparse::parse_seconds;

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = qencode_cdn::client::API_KEY_ENV;

const DOMAIN_COLUMNS: &[&str] = &["id", "domain_name", "type", "created"];
const TLS_COLUMNS: &[&str] = &["id", "domain_id", "status", "created", "message"];
const KEY_COLUMNS: &[&str] = &["id", "name", "stream_id", "domain_id", "bucket_name", "created"];

/// Builds the client: the API key from `--api-key-file` or `QENCODE_API_KEY`
/// ([`ClientBuilder::from_env`]); `--api-url`, `--auth-url`, `--timeout` and
/// `--max-retries` as the client options every binding passes
/// ([`ClientBuilder::options_json`]), so the core checks them.
pub fn client(api: &ApiArgs) -> Result<Client, CliError> {
    let builder = match &api.api_key_file {
        Some(path) => {
            let bytes = read_input(path, "API key")?;
            ClientBuilder::new(String::from_utf8_lossy(&bytes).trim())
        }
        None => ClientBuilder::from_env().map_err(|e| {
            CliError::from(e).hint(format!(
                "set {ENV_API_KEY} or pass --api-key-file FILE (for an emulator: emulator-api-key)"
            ))
        })?,
    };
    let mut options = Map::new();
    if let Some(u) = &api.api_url {
        options.insert("api_url".into(), u.clone().into());
    }
    if let Some(u) = &api.auth_url {
        options.insert("auth_url".into(), u.clone().into());
    }
    if let Some(t) = &api.timeout {
        let secs = serde_json::Number::from_f64(parse_seconds(t)?)
            .ok_or_else(|| CliError::invalid(format!("--timeout `{}` is not a duration", t.escape_debug())))?;
        options.insert("timeout".into(), Value::Number(secs));
    }
    if let Some(n) = api.max_retries {
        options.insert("max_retries".into(), n.into());
    }
    let builder = builder
        .user_agent_suffix("cli")
        .options_json(&Value::Object(options), KeyStyle::Snake)
        .map_err(|e| CliError::from(e).hint("--timeout is `timeout` and --max-retries is `max_retries`"))?;
    Ok(builder.build()?)
}

/// Prints a result as JSON or as a table.
fn emit<T: Serialize + ?Sized>(format: OutputFormat, value: &T, columns: &[&str]) -> CliResult {
    match format {
        OutputFormat::Json => println!("{}", to_json(value)?),
        OutputFormat::Table => print!("{}", table(&to_value(value)?, columns)),
    }
    Ok(EXIT_OK)
}

/// The API's `{"status":"ok"}` for methods without a result.
fn ok(format: OutputFormat) -> CliResult {
    let doc: serde_json::Value = serde_json::from_str(qencode_cdn::client::OK_DOCUMENT)
        .map_err(|e| qencode_cdn::Error::Internal(format!("OK_DOCUMENT: {e}")))?;
    emit(format, &doc, &[])
}

/// `qcdn domains …`
pub fn domains(a: &DomainsArgs) -> CliResult {
    let out = a.api.output;
    match &a.cmd {
        DomainsCmd::Create { name, kind } => {
            let kind: DomainType = kind.parse()?;
            let c = client(&a.api)?;
            emit(out, &c.create_domain(name, kind)?, DOMAIN_COLUMNS)
        }
        DomainsCmd::Get { id } => emit(out, &client(&a.api)?.get_domain(id)?, DOMAIN_COLUMNS),
        DomainsCmd::List { kind } => {
            let kind = kind.as_deref().map(str::parse::<DomainType>).transpose()?;
            emit(out, &client(&a.api)?.list_domains(kind)?, DOMAIN_COLUMNS)
        }
        DomainsCmd::Delete { id } => {
            client(&a.api)?.delete_domain(id)?;
            ok(out)
        }
    }
}

/// `qcdn tls …`
pub fn tls(a: &TlsArgs) -> CliResult {
    let out = a.api.output;
    let c = client(&a.api)?;
    match &a.cmd {
        TlsCmd::Create { domain_id } => emit(out, &c.create_tls_subscription(domain_id)?, TLS_COLUMNS),
        TlsCmd::Get { id } => emit(out, &c.get_tls_subscription(id)?, TLS_COLUMNS),
        TlsCmd::List => emit(out, &c.list_tls_subscriptions()?, TLS_COLUMNS),
        TlsCmd::Delete { id } => {
            c.delete_tls_subscription(id)?;
            ok(out)
        }
    }
}

/// Creates `path` for a new private key: never overwrites, mode 0600 on Unix.
fn create_private_file(path: &str) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(path)
}

/// `qcdn signing-keys …`
pub fn signing_keys(a: &SigningKeysArgs) -> CliResult {
    let out = a.api.output;
    match &a.cmd {
        SigningKeysCmd::Create {
            stream,
            domain,
            bucket,
            out: file,
            print_private_key,
        } => {
            let target = match (stream, domain, bucket) {
                (Some(s), None, None) => SigningKeyTarget::Stream(s.clone()),
                (None, Some(d), None) => SigningKeyTarget::Domain(d.clone()),
                (None, None, Some(b)) => SigningKeyTarget::Bucket(b.clone()),
                _ => return Err(CliError::invalid("give exactly one of --stream, --domain, --bucket")),
            };
            // Refuse before the key exists at the API: its private key is shown only once.
            let mut handle = match file {
                Some(f) => Some(create_private_file(f).map_err(|e| {
                    CliError::invalid(format!("cannot create `{f}` for the private key: {}", io_reason(&e)))
                        .hint("the file must not exist yet; qcdn never overwrites a key file")
                })?),
                None => None,
            };
            let c = client(&a.api);
            let created = c.and_then(|c| Ok(c.create_signing_key(&target)?));
            let created = match created {
                Ok(k) => k,
                Err(e) => {
                    if let Some(f) = file {
                        drop(handle.take());
                        let _ = std::fs::remove_file(f);
                    }
                    return Err(e);
                }
            };
            if let (Some(f), Some(h)) = (file, handle.as_mut()) {
                let pem = created.private_key_pem();
                let mut bytes = pem.as_bytes().to_vec();
                if !pem.ends_with('\n') {
                    bytes.push(b'\n');
                }
                h.write_all(&bytes).and_then(|()| h.sync_all()).map_err(|e| {
                    CliError::internal(format!(
                        "signing key `{}` was created but its private key could not be written to `{f}`: {}",
                        created.id(),
                        io_reason(&e)
                    ))
                    .hint(format!(
                        "delete it with `qcdn signing-keys delete {}` and create another",
                        created.id()
                    ))
                })?;
                eprintln!("private key of signing key {} written to {f} (mode 0600)", created.id());
            }
            if *print_private_key {
                emit(out, &created, KEY_COLUMNS)
            } else {
                emit(out, &created.signing_key, KEY_COLUMNS)
            }
        }
        SigningKeysCmd::Get { id } => emit(out, &client(&a.api)?.get_signing_key(id)?, KEY_COLUMNS),
        SigningKeysCmd::List => emit(out, &client(&a.api)?.list_signing_keys()?, KEY_COLUMNS),
        SigningKeysCmd::Rename { id, name } => emit(out, &client(&a.api)?.rename_signing_key(id, name)?, KEY_COLUMNS),
        SigningKeysCmd::Delete { id } => {
            client(&a.api)?.delete_signing_key(id)?;
            ok(out)
        }
    }
}

/// CORS headers from `--header NAME=VALUE` and/or `--json FILE`.
fn cors_headers(headers: &[String], json_file: Option<&str>) -> Result<BTreeMap<String, String>, CliError> {
    let mut map = BTreeMap::new();
    if let Some(path) = json_file {
        let bytes = read_input(path, "CORS JSON")?;
        let m: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::invalid(format!(
                "the CORS headers in `{path}` are not a JSON object of strings: {e}"
            ))
        })?;
        map.extend(m);
    }
    for h in headers {
        let (name, value) = h
            .split_once('=')
            .filter(|(n, _)| !n.trim().is_empty())
            .ok_or_else(|| CliError::invalid(format!("--header `{}` is not NAME=VALUE", h.escape_debug())))?;
        map.insert(name.trim().to_string(), value.to_string());
    }
    if map.is_empty() {
        return Err(CliError::invalid("no CORS headers given"));
    }
    Ok(map)
}

/// `qcdn buckets …`
pub fn buckets(a: &BucketsArgs) -> CliResult {
    let out = a.api.output;
    match &a.cmd {
        BucketsCmd::Policy { bucket, policy } => {
            let policy: BucketPolicy = policy.parse()?;
            client(&a.api)?.set_bucket_policy(bucket, policy)?;
            ok(out)
        }
        BucketsCmd::Cors(CorsCmd::Get { bucket }) => emit(out, &client(&a.api)?.get_bucket_cors(bucket)?, &[]),
        BucketsCmd::Cors(CorsCmd::Set { bucket, headers, json }) => {
            let map = cors_headers(headers, json.as_deref())?;
            client(&a.api)?.set_bucket_cors(bucket, &map)?;
            ok(out)
        }
        BucketsCmd::Cors(CorsCmd::Delete { bucket, header }) => {
            let c = client(&a.api)?;
            match header {
                Some(h) => c.delete_bucket_cors_header(bucket, h)?,
                None => c.delete_bucket_cors(bucket)?,
            }
            ok(out)
        }
        BucketsCmd::Purge { bucket, path } => {
            let c = client(&a.api)?;
            match path {
                Some(p) => c.purge_object_cache(bucket, p)?,
                None => c.purge_bucket_cache(bucket)?,
            }
            ok(out)
        }
    }
}
