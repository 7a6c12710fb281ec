//! The command line, declared with clap's derive API. Every command's `--help`
//! ends with an example.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `qcdn`: sign and check Qencode playback tokens, build playback and storage
/// URLs and signed cookies, and drive the Content Delivery API.
#[derive(Debug, Parser)]
#[command(
    name = "qcdn",
    version,
    about = "Sign and check Qencode playback tokens, build signed URLs and cookies, drive the Content Delivery API",
    after_help = "Examples:\n  qcdn demo                                  # the whole flow against a local emulator\n  qcdn token sign --key-id $KID --key key.pem --uri my-playback-id --ttl 1h\n  qcdn token decode eyJhbGciOiJSUzI1NiIs...\n  QENCODE_API_KEY=... qcdn domains list --output table\n\nExit codes: 0 ok, 1 verification failed, 2 usage, 3 invalid input, 4 auth, 5 not found, 6 network/timeout, 7 other API errors."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the whole customer flow against an in-process emulator (no account needed).
    #[command(after_help = "Example:\n  cargo run --release -p qencode-cdn-cli -- demo")]
    Demo(DemoArgs),
    /// Sign, decode and verify playback tokens.
    #[command(
        subcommand,
        after_help = "Example:\n  qcdn token sign --key-id $KID --key key.pem --uri my-playback-id --ttl 1h"
    )]
    Token(TokenCmd),
    /// Build playback and storage URLs, optionally signed.
    #[command(
        subcommand,
        after_help = "Example:\n  qcdn url storage my-bucket videos/intro.mp4 --region us-west --sign --key-id $KID --key key.pem"
    )]
    Url(UrlCmd),
    /// Print a signed-cookie `Set-Cookie` value.
    #[command(
        after_help = "Example:\n  qcdn cookie --key-id $KID --key key.pem --uri videos/intro/ --domain example.com --ttl 2h"
    )]
    Cookie(CookieArgs),
    /// Work with signing keys on disk.
    #[command(subcommand, after_help = "Example:\n  qcdn keys public --key signing-key.pem")]
    Keys(KeysCmd),
    /// Playback domains (API).
    #[command(after_help = "Example:\n  QENCODE_API_KEY=... qcdn domains list --output table")]
    Domains(DomainsArgs),
    /// TLS subscriptions for playback domains (API).
    #[command(after_help = "Example:\n  qcdn tls create aeac03d6-beb0-4638-a094-fbc35653f931")]
    Tls(TlsArgs),
    /// Signing keys for streams, domains and buckets (API).
    #[command(after_help = "Example:\n  qcdn signing-keys create --bucket my-bucket --out bucket-key.pem")]
    SigningKeys(SigningKeysArgs),
    /// Media storage buckets: access policy, CORS, cache purge (API).
    #[command(after_help = "Example:\n  qcdn buckets policy my-bucket authenticated")]
    Buckets(BucketsArgs),
    /// Run the local emulator of the API and the playback edge until Ctrl-C.
    #[command(
        after_help = "Examples:\n  qcdn emulator --listen 127.0.0.1:8765 --api-key my-test-key\n  qcdn emulator --with-fixtures --write-keys ./keys --tls-listen 127.0.0.1:8443"
    )]
    Emulator(EmulatorArgs),
    /// Check a whole HLS or DASH stream: which requests the token or cookie covers, and what the edge answers.
    #[command(
        subcommand,
        after_help = "Example:\n  qcdn stream check 'https://demo-bucket.media-storage.us-west.qencode.com/videos/intro/master.m3u8?auth=eyJ...'"
    )]
    Stream(StreamCmd),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  qcdn completions bash > ~/.local/share/bash-completion/completions/qcdn\n  qcdn completions zsh > \"${fpath[1]}/_qcdn\""
    )]
    Completions(CompletionsArgs),
}

/// Options of `qcdn demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Colour the output: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The signing key: id and private key.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// The signing key id (the token's `kid`). Default: the QENCODE_SIGNING_KEY_ID variable.
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
    /// The private key file (PEM or DER), `-` for stdin. Default: the QENCODE_SIGNING_KEY variable (the PEM itself).
    #[arg(long, value_name = "FILE|-")]
    pub key: Option<String>,
}

/// A token's lifetime and custom claims.
#[derive(Debug, Args, Clone, Default)]
pub struct LifetimeArgs {
    /// Lifetime from now: 3600, 90s, 10m, 1h, 1h30m, 7d. Default 1h.
    #[arg(long, value_name = "DURATION", allow_negative_numbers = true)]
    pub ttl: Option<String>,
    /// Absolute expiry: RFC 3339 (2026-12-01T12:00:00Z) or Unix seconds. Wins over --ttl.
    #[arg(long, value_name = "RFC3339|UNIX", allow_negative_numbers = true)]
    pub expires_at: Option<String>,
    /// Not valid before: RFC 3339 or Unix seconds.
    #[arg(long, value_name = "RFC3339|UNIX", allow_negative_numbers = true)]
    pub not_before: Option<String>,
    /// A token without `exp` that never expires. Only when you mean it (refused with --ttl or --expires-at).
    #[arg(long)]
    pub no_expiry: bool,
    /// A custom claim (string value); repeat for more. Typed values: --claims-json.
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub claims: Vec<String>,
    /// Custom claims from a JSON object file (`-` for stdin).
    #[arg(long, value_name = "FILE|-")]
    pub claims_json: Option<String>,
    /// Sign as if the time were this (RFC 3339 or Unix seconds): reproducible
    /// tokens, or an already expired one for testing a verifier.
    #[arg(long, value_name = "RFC3339|UNIX", allow_negative_numbers = true)]
    pub now: Option<String>,
}

/// How the token commands print: text for people, or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TextOrJson {
    /// Text for people.
    #[default]
    Text,
    /// One JSON document (pipe into jq).
    Json,
}

/// `qcdn token …`
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Sign a token and print it.
    #[command(
        after_help = "Examples:\n  qcdn token sign --key-id $KID --key key.pem --uri my-playback-id --ttl 10m\n  QENCODE_SIGNING_KEY=\"$(cat key.pem)\" qcdn token sign --key-id $KID --uri videos/ --expires-at 2026-12-01T12:00:00Z --claim viewer=u-42"
    )]
    Sign(TokenSignArgs),
    /// Show a token's header and claims WITHOUT verifying it.
    #[command(
        after_help = "Examples:\n  qcdn token decode eyJhbGciOiJSUzI1NiIs...\n  qcdn token decode 'https://play-abc.qencode.com/qhls/qlive/playlist.m3u8?auth=eyJ...'"
    )]
    Decode(TokenDecodeArgs),
    /// Verify a token or a signed URL with a public key and explain the verdict.
    #[command(
        after_help = "Examples:\n  qcdn token verify --public-key key.pub.pem --url 'https://my-bucket.media-storage.us-west.qencode.com/a.mp4?auth=eyJ...'\n  qcdn token verify --public-key key.pub.pem --resource live:my-playback-id --key-id $KID eyJ...\n  qcdn token verify --public-key key.jwk --now 2026-01-01T00:00:00Z --output json eyJ...\n\nExit 1 when the token or URL is refused, 3 when the input is not a token at all."
    )]
    Verify(TokenVerifyArgs),
    /// Say what a token grants that may be more than meant (prefix, whole bucket, no expiry, long life).
    #[command(
        after_help = "Examples:\n  qcdn token audit eyJhbGciOiJSUzI1NiIs...\n  qcdn token audit --output json 'https://my-bucket.media-storage.us-west.qencode.com/videos/a?auth=eyJ...'\n\nThe signature is not checked (no key needed). Exit 0 whenever the token can be read:\nwarnings are advice. Exit 3 when it cannot."
    )]
    Audit(TokenAuditArgs),
}

/// Options of `qcdn token sign`.
#[derive(Debug, Args)]
pub struct TokenSignArgs {
    /// The signing key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// What the token covers: a playback id, an object key or key prefix, or "" for a whole bucket.
    #[arg(long, value_name = "URI")]
    pub uri: String,
    /// Lifetime and claims.
    #[command(flatten)]
    pub lifetime: LifetimeArgs,
}

/// Options of `qcdn token decode`.
#[derive(Debug, Args)]
pub struct TokenDecodeArgs {
    /// The token, a URL carrying it in `auth`, or `-` for stdin.
    #[arg(value_name = "TOKEN|URL|-")]
    pub token: String,
    /// Output: text (default) or json.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
}

/// Options of `qcdn token audit`.
#[derive(Debug, Args)]
pub struct TokenAuditArgs {
    /// The token, a URL carrying it in `auth`, or `-` for stdin.
    #[arg(value_name = "TOKEN|URL|-")]
    pub token: String,
    /// Audit as if the time were this (RFC 3339 or Unix seconds); default: now.
    #[arg(long, value_name = "RFC3339|UNIX", allow_negative_numbers = true)]
    pub now: Option<String>,
    /// Output: text (default) or json.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
}

/// Options of `qcdn token verify`.
#[derive(Debug, Args)]
pub struct TokenVerifyArgs {
    /// The public key: PEM, DER or JWK file (`-` for stdin). A private key file works too.
    #[arg(long, value_name = "FILE|-")]
    pub public_key: String,
    /// The token to verify (or `-` for stdin).
    #[arg(value_name = "TOKEN", required_unless_present = "url", conflicts_with = "url")]
    pub token: Option<String>,
    /// A signed URL to explain (the resource comes from the URL).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// What the token must cover: live:PLAYBACK_ID or storage:KEY.
    #[arg(long, value_name = "live:ID|storage:KEY", conflicts_with = "url")]
    pub resource: Option<String>,
    /// The key id the token must name in `kid` (a JWK's own `kid` is expected without it).
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`: 30, 30s, 2m. Default 0.
    #[arg(long, value_name = "DURATION", allow_negative_numbers = true)]
    pub leeway: Option<String>,
    /// Verify as if the time were this (RFC 3339 or Unix seconds); default: now.
    #[arg(long, value_name = "RFC3339|UNIX", allow_negative_numbers = true)]
    pub now: Option<String>,
    /// Output: text (default) or json.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
}

/// `--sign` and its key and lifetime options, shared by the URL commands.
#[derive(Debug, Args, Clone, Default)]
pub struct UrlSignArgs {
    /// Sign the URL (adds `auth=<token>`); needs --key-id and a key.
    #[arg(long)]
    pub sign: bool,
    /// Put this already signed token in the URL's `auth` parameter (instead of --sign).
    #[arg(long, value_name = "TOKEN", conflicts_with = "sign")]
    pub token: Option<String>,
    /// The signing key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Lifetime and claims.
    #[command(flatten)]
    pub lifetime: LifetimeArgs,
}

/// `qcdn url …`
#[derive(Debug, Subcommand)]
pub enum UrlCmd {
    /// Live playback URL on Qencode's host: https://play-ID.qencode.com/qhls/qlive/playlist.m3u8
    #[command(after_help = "Example:\n  qcdn url live my-playback-id --sign --key-id $KID --key key.pem --ttl 1h")]
    Live {
        /// The stream's playback id.
        playback_id: String,
        /// Signing.
        #[command(flatten)]
        sign: UrlSignArgs,
    },
    /// Live playback URL on a custom domain: https://DOMAIN/ID.m3u8
    #[command(
        after_help = "Example:\n  qcdn url live-domain live.example.com my-playback-id --sign --key-id $KID --key key.pem"
    )]
    LiveDomain {
        /// The custom live domain.
        domain: String,
        /// The stream's playback id.
        playback_id: String,
        /// Signing.
        #[command(flatten)]
        sign: UrlSignArgs,
    },
    /// Media storage URL: https://BUCKET.media-storage.REGION.qencode.com/KEY
    #[command(
        after_help = "Example:\n  qcdn url storage my-bucket videos/intro.mp4 --region us-west --sign --key-id $KID --key key.pem --ttl 10m"
    )]
    Storage {
        /// The bucket.
        bucket: String,
        /// The object key.
        #[arg(value_name = "KEY")]
        key_path: String,
        /// The bucket's region: us-west or eu-central.
        #[arg(long)]
        region: String,
        /// Signing.
        #[command(flatten)]
        sign: UrlSignArgs,
    },
    /// Media storage URL on a custom domain: https://DOMAIN/KEY
    #[command(
        after_help = "Example:\n  qcdn url storage-domain media.example.com videos/intro.mp4 --sign --key-id $KID --key key.pem"
    )]
    StorageDomain {
        /// The custom storage domain.
        domain: String,
        /// The object key.
        #[arg(value_name = "KEY")]
        key_path: String,
        /// Signing.
        #[command(flatten)]
        sign: UrlSignArgs,
    },
}

/// Options of `qcdn cookie`.
#[derive(Debug, Args)]
pub struct CookieArgs {
    /// The signing key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// What the token covers; for HLS/DASH the folder holding the master playlist (videos/intro/).
    #[arg(long, value_name = "URI")]
    pub uri: String,
    /// Cookie Domain (your application's primary domain, so every subdomain gets it).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// Cookie Path. Default: the folder the token covers.
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// SameSite: lax (default), strict or none.
    #[arg(long, value_name = "MODE")]
    pub same_site: Option<String>,
    /// Leave out `Secure` (for plain-http local testing only).
    #[arg(long)]
    pub insecure: bool,
    /// Leave out `HttpOnly` (lets page scripts read the cookie).
    #[arg(long)]
    pub no_http_only: bool,
    /// Output: text (the header value, default) or json (name, value, attributes).
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
    /// Lifetime and claims.
    #[command(flatten)]
    pub lifetime: LifetimeArgs,
}

/// `qcdn keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Print the public key of a private signing key (SPKI PEM, or JWK).
    #[command(
        after_help = "Examples:\n  qcdn keys public --key signing-key.pem > signing-key.pub.pem\n  qcdn keys public --key signing-key.pem --jwk --key-id $KID"
    )]
    Public {
        /// The private key file (PEM or DER), `-` for stdin. Default: QENCODE_SIGNING_KEY.
        #[arg(long, value_name = "FILE|-")]
        key: Option<String>,
        /// Print a JWK (JSON) instead of PEM.
        #[arg(long)]
        jwk: bool,
        /// The key id to put in the JWK's `kid`.
        #[arg(long, value_name = "ID", requires = "jwk")]
        key_id: Option<String>,
    },
}

/// How API commands print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// The API's JSON document (pipe into jq).
    #[default]
    Json,
    /// A table for people.
    Table,
}

/// Options shared by every API command.
#[derive(Debug, Args, Clone)]
pub struct ApiArgs {
    /// A file holding the API key. Default: the QENCODE_API_KEY variable.
    #[arg(long, value_name = "FILE", global = true, help_heading = "API options")]
    pub api_key_file: Option<String>,
    /// The management API's base URL (an emulator: http://127.0.0.1:8765).
    #[arg(
        long,
        value_name = "URL",
        env = "QENCODE_API_URL",
        global = true,
        help_heading = "API options"
    )]
    pub api_url: Option<String>,
    /// The access-token endpoint's base URL (for the emulator, the same as --api-url).
    #[arg(
        long,
        value_name = "URL",
        env = "QENCODE_AUTH_URL",
        global = true,
        help_heading = "API options"
    )]
    pub auth_url: Option<String>,
    /// Time allowed for each attempt of a request: 30s, 1m, 90, 0.5, 500ms. Default 30s.
    #[arg(
        long,
        value_name = "DURATION",
        global = true,
        allow_negative_numbers = true,
        help_heading = "API options"
    )]
    pub timeout: Option<String>,
    /// Time allowed for a whole command's API call, retries and waits included
    /// (0.5, 90s, 2m); default 60 s or the --timeout if longer.
    #[arg(
        long,
        value_name = "DURATION",
        global = true,
        allow_negative_numbers = true,
        help_heading = "API options"
    )]
    pub deadline: Option<String>,
    /// Retries of a failed request (connection errors, 429, 502/503/504); default 3.
    #[arg(
        long,
        value_name = "N",
        global = true,
        allow_negative_numbers = true,
        help_heading = "API options"
    )]
    pub max_retries: Option<i64>,
    /// Output: json (default) or table.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Json, global = true, help_heading = "API options")]
    pub output: OutputFormat,
}

/// `qcdn domains …`
#[derive(Debug, Args)]
pub struct DomainsArgs {
    /// API options.
    #[command(flatten)]
    pub api: ApiArgs,
    /// The operation.
    #[command(subcommand)]
    pub cmd: DomainsCmd,
}

/// Playback domain operations.
#[derive(Debug, Subcommand)]
pub enum DomainsCmd {
    /// Create a playback domain (live or storage).
    #[command(after_help = "Example:\n  qcdn domains create live.example.com --type live")]
    Create {
        /// The domain name.
        name: String,
        /// live or storage.
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
    },
    /// Show one domain.
    #[command(after_help = "Example:\n  qcdn domains get aeac03d6-beb0-4638-a094-fbc35653f931")]
    Get {
        /// The domain id.
        id: String,
    },
    /// List domains, optionally of one type.
    #[command(after_help = "Example:\n  qcdn domains list --type live --output table")]
    List {
        /// Only this type: live or storage.
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
    },
    /// Delete a domain.
    #[command(after_help = "Example:\n  qcdn domains delete aeac03d6-beb0-4638-a094-fbc35653f931")]
    Delete {
        /// The domain id.
        id: String,
    },
}

/// `qcdn tls …`
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// API options.
    #[command(flatten)]
    pub api: ApiArgs,
    /// The operation.
    #[command(subcommand)]
    pub cmd: TlsCmd,
}

/// TLS subscription operations.
#[derive(Debug, Subcommand)]
pub enum TlsCmd {
    /// Request a TLS certificate for a domain; prints the CNAME to create.
    #[command(after_help = "Example:\n  qcdn tls create aeac03d6-beb0-4638-a094-fbc35653f931")]
    Create {
        /// The domain id.
        domain_id: String,
    },
    /// Show one TLS subscription.
    #[command(after_help = "Example:\n  qcdn tls get 7d819560-6220-4b76-bf9a-3784a64ac7ff")]
    Get {
        /// The subscription id.
        id: String,
    },
    /// List TLS subscriptions.
    #[command(after_help = "Example:\n  qcdn tls list --output table")]
    List,
    /// Delete a TLS subscription.
    #[command(after_help = "Example:\n  qcdn tls delete 7d819560-6220-4b76-bf9a-3784a64ac7ff")]
    Delete {
        /// The subscription id.
        id: String,
    },
}

/// `qcdn signing-keys …`
#[derive(Debug, Args)]
pub struct SigningKeysArgs {
    /// API options.
    #[command(flatten)]
    pub api: ApiArgs,
    /// The operation.
    #[command(subcommand)]
    pub cmd: SigningKeysCmd,
}

/// Signing key operations.
#[derive(Debug, Subcommand)]
pub enum SigningKeysCmd {
    /// Create a signing key for a stream, a domain or a bucket; the private key goes to --out (mode 0600).
    #[command(
        group = clap::ArgGroup::new("target").required(true).multiple(false),
        after_help = "Examples:\n  qcdn signing-keys create --stream 1f1ab6a3-d867-4787-b882-7f2fb1203634 --out stream-key.pem\n  qcdn signing-keys create --bucket my-bucket --out bucket-key.pem\n\nThe API returns the private key only once. It is written to --out (never overwriting a file)\nand printed only with --print-private-key."
    )]
    Create {
        /// For this live stream id.
        #[arg(long, value_name = "STREAM_ID", group = "target")]
        stream: Option<String>,
        /// For this playback domain id.
        #[arg(long, value_name = "DOMAIN_ID", group = "target")]
        domain: Option<String>,
        /// For this media storage bucket.
        #[arg(long, value_name = "BUCKET", group = "target")]
        bucket: Option<String>,
        /// Write the private key (PEM) to this new file, mode 0600.
        #[arg(long, value_name = "FILE", required_unless_present = "print_private_key")]
        out: Option<String>,
        /// Also print the private key in the output. It is a secret.
        #[arg(long)]
        print_private_key: bool,
    },
    /// Show one signing key (without its private key).
    #[command(after_help = "Example:\n  qcdn signing-keys get ec25a6a6-b31e-4ac9-af01-711460421c6b")]
    Get {
        /// The signing key id.
        id: String,
    },
    /// List signing keys.
    #[command(after_help = "Example:\n  qcdn signing-keys list --output table")]
    List,
    /// Rename a signing key.
    #[command(
        after_help = "Example:\n  qcdn signing-keys rename ec25a6a6-b31e-4ac9-af01-711460421c6b 'Web player key'"
    )]
    Rename {
        /// The signing key id.
        id: String,
        /// The new name.
        name: String,
    },
    /// Delete a signing key.
    #[command(after_help = "Example:\n  qcdn signing-keys delete ec25a6a6-b31e-4ac9-af01-711460421c6b")]
    Delete {
        /// The signing key id.
        id: String,
    },
    /// Rotate the signing key of a stream, a domain or a bucket without downtime.
    ///
    /// Step 1 creates the new key (its private key to --out, mode 0600, never
    /// overwriting) and says what to deploy; the old keys stay active, so
    /// tokens signed with them keep working. Step 2, once every signer uses
    /// the new key and the old tokens have expired, is --finish --keep NEW_ID:
    /// it deletes the target's other keys (after asking, or with --yes).
    #[command(
        group = clap::ArgGroup::new("rotate_target").multiple(false),
        after_help = "Examples:\n  qcdn signing-keys rotate --bucket my-bucket --out bucket-key-2026-12.pem\n  qcdn signing-keys rotate --finish --keep 3b1c2d4e-…\n\nThe edge accepts tokens of every active key of a stream, domain or bucket, so signing\ncontinues through the whole rotation."
    )]
    Rotate {
        /// Rotate the key of this live stream id.
        #[arg(long, value_name = "STREAM_ID", group = "rotate_target", conflicts_with = "finish")]
        stream: Option<String>,
        /// Rotate the key of this playback domain id.
        #[arg(long, value_name = "DOMAIN_ID", group = "rotate_target", conflicts_with = "finish")]
        domain: Option<String>,
        /// Rotate the key of this media storage bucket.
        #[arg(long, value_name = "BUCKET", group = "rotate_target", conflicts_with = "finish")]
        bucket: Option<String>,
        /// Step 1: write the new private key (PEM) to this new file, mode 0600.
        #[arg(long, value_name = "FILE", conflicts_with = "finish")]
        out: Option<String>,
        /// Step 2: delete the other keys of the target of --keep.
        #[arg(long, requires = "keep")]
        finish: bool,
        /// Step 2: the new key, which stays.
        #[arg(long, value_name = "KEY_ID", requires = "finish")]
        keep: Option<String>,
        /// Step 2: delete without asking.
        #[arg(long, requires = "finish")]
        yes: bool,
    },
}

/// `qcdn buckets …`
#[derive(Debug, Args)]
pub struct BucketsArgs {
    /// API options.
    #[command(flatten)]
    pub api: ApiArgs,
    /// The operation.
    #[command(subcommand)]
    pub cmd: BucketsCmd,
}

/// Bucket operations.
#[derive(Debug, Subcommand)]
pub enum BucketsCmd {
    /// Set the access policy: public or authenticated (signed token required).
    #[command(after_help = "Example:\n  qcdn buckets policy my-bucket authenticated")]
    Policy {
        /// The bucket.
        bucket: String,
        /// public or authenticated.
        policy: String,
    },
    /// Bucket CORS headers.
    #[command(subcommand, after_help = "Example:\n  qcdn buckets cors get my-bucket")]
    Cors(CorsCmd),
    /// Purge the CDN cache of a whole bucket, or of one object with --path.
    #[command(
        after_help = "Examples:\n  qcdn buckets purge my-bucket\n  qcdn buckets purge my-bucket --path videos/intro.mp4"
    )]
    Purge {
        /// The bucket.
        bucket: String,
        /// Only this object.
        #[arg(long, value_name = "KEY")]
        path: Option<String>,
    },
}

/// Bucket CORS operations.
#[derive(Debug, Subcommand)]
pub enum CorsCmd {
    /// Show the bucket's CORS headers.
    #[command(after_help = "Example:\n  qcdn buckets cors get my-bucket --output table")]
    Get {
        /// The bucket.
        bucket: String,
    },
    /// Set the bucket's CORS headers.
    #[command(
        after_help = "Examples:\n  qcdn buckets cors set my-bucket --header 'Access-Control-Allow-Origin=*' --header 'Access-Control-Max-Age=600'\n  qcdn buckets cors set my-bucket --json cors.json"
    )]
    Set {
        /// The bucket.
        bucket: String,
        /// One header as NAME=VALUE; repeat for more.
        #[arg(long = "header", value_name = "NAME=VALUE", required_unless_present = "json")]
        headers: Vec<String>,
        /// The headers as a JSON object file (`-` for stdin).
        #[arg(long, value_name = "FILE|-")]
        json: Option<String>,
    },
    /// Delete the bucket's CORS policy, or one header with --header.
    #[command(
        after_help = "Examples:\n  qcdn buckets cors delete my-bucket\n  qcdn buckets cors delete my-bucket --header Access-Control-Allow-Origin"
    )]
    Delete {
        /// The bucket.
        bucket: String,
        /// Only this header.
        #[arg(long, value_name = "NAME")]
        header: Option<String>,
    },
}

/// Options of `qcdn emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8765")]
    pub listen: String,
    /// An API key the emulator accepts; repeat for more. Default: emulator-api-key.
    #[arg(long = "api-key", value_name = "KEY")]
    pub api_keys: Vec<String>,
    /// RSA size of the signing keys it creates (4096 like production; 2048 is faster).
    #[arg(long, value_name = "BITS", default_value_t = 4096)]
    pub signing_key_bits: usize,
    /// Also serve HTTPS on this address (port 0: any free port), with certificates from a CA made for this run.
    #[arg(long, value_name = "ADDR")]
    pub tls_listen: Option<String>,
    /// Start with the demo fixtures: live stream `demo-playback-id` and bucket `demo-bucket` (us-west,
    /// authenticated, custom domain media.example.com) with videos/intro/master.m3u8 and manifest.mpd.
    #[arg(long)]
    pub with_fixtures: bool,
    /// Write the fixtures' private signing keys to DIR/stream.pem and DIR/bucket.pem (mode 0600), and the
    /// HTTPS CA to DIR/ca.pem.
    #[arg(long, value_name = "DIR", requires = "with_fixtures")]
    pub write_keys: Option<String>,
}

/// `qcdn stream …`
#[derive(Debug, Subcommand)]
pub enum StreamCmd {
    /// Fetch the manifest, walk variants and the first segments, and say for each request whether the token
    /// (query) or the cookie (its Path and the token's uri) covers it and what the edge answered.
    #[command(
        after_help = "Examples:\n  qcdn stream check 'https://play-demo-playback-id.qencode.com/qhls/qlive/playlist.m3u8?auth=eyJ...'\n  qcdn stream check https://media.example.com/videos/intro/manifest.mpd --cookie 'Qencode-Auth-Token=eyJ...; Path=/videos/intro/; Domain=example.com' --origin https://player.example.com\n  qcdn stream check http://demo-bucket.media-storage.us-west.qencode.com/videos/intro/master.m3u8 --connect-to 127.0.0.1:8765\n\nExit 0 when every request is served, 1 when any is refused (or would be, for a browser: CORS),\n3 on a bad URL or option, 6 when the manifest gets no answer at all."
    )]
    Check(StreamCheckArgs),
}

/// Options of `qcdn stream check`.
#[derive(Debug, Args)]
pub struct StreamCheckArgs {
    /// The manifest URL: an HLS master or media playlist, or a DASH MPD (with `?auth=` when the token is in the query).
    #[arg(value_name = "URL")]
    pub url: String,
    /// The signed cookie the viewer holds: `Qencode-Auth-Token=…`, or a whole Set-Cookie value whose Path, Domain
    /// and Secure are then applied as a browser applies them.
    #[arg(long, value_name = "COOKIE")]
    pub cookie: Option<String>,
    /// Media segments to fetch per media playlist or DASH representation (1 to 50).
    #[arg(long, value_name = "N", default_value_t = qencode_cdn::stream::DEFAULT_SEGMENTS)]
    pub segments: usize,
    /// Send every request to ADDR:PORT, keeping the URL's host as Host (and TLS SNI), as curl --connect-to does.
    #[arg(long, value_name = "ADDR:PORT")]
    pub connect_to: Option<String>,
    /// The player page's origin: sent as Origin, and each response's CORS headers checked against it.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// Trust the certificates of this PEM file instead of the system's store (an emulator's ca.pem).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<String>,
    /// Read a custom domain's URLs as a live stream or as storage (default: from the URL and the token).
    #[arg(long, value_enum)]
    pub stream: Option<StreamKindArg>,
    /// Time allowed for each request: 20s (default), 1m, 90.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Add the URL's `auth` token to every request, as the player request modifier of docs/streaming.md does.
    #[arg(long)]
    pub propagate_token: bool,
    /// Output: text (a table, default) or json.
    #[arg(long, short = 'o', value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
}

/// `--stream live|storage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StreamKindArg {
    /// A live stream (the token's uri is the playback id).
    Live,
    /// A bucket folder (the token's uri is a key prefix).
    Storage,
}

/// Options of `qcdn completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example_in_its_help() {
        fn walk(cmd: &clap::Command, path: &str) {
            let path = format!("{path} {}", cmd.get_name());
            {
                let help = cmd.get_after_help().map(|s| s.to_string()).unwrap_or_default();
                assert!(help.contains("Example"), "`{path}` has no example in --help");
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &path);
            }
        }
        walk(&Cli::command(), "");
    }
}
