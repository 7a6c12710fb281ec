<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\ExternalCallbacks;
use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Internal\Options;

/**
 * A private signing key, loaded once, that signs RS256 playback tokens,
 * signed URLs and signed cookies. Load it once (at boot, or once per worker)
 * and sign many times; parsing a key is what costs.
 *
 * ```php
 * $signer = Signer::fromPem($signingKeyId, $privateKeyPem);
 * $url = $signer->signedStorageUrl('my-bucket', 'us-west', 'videos/intro.mp4', ['expires_in' => 600]);
 * ```
 *
 * Sign options (an array with the snake_case keys every language uses, read
 * by the core): `expires_in` (seconds or a `DateInterval`; default 3600),
 * `expires_at` and `not_before` (Unix seconds or a `DateTimeInterface`),
 * `claims` (an array of custom claims), `never_expires` (`true`: a token
 * without `exp`, only when asked for by name), `now` (sign as if it were
 * this time). An unknown key, a wrong type (`"600"`) or a `null` lifetime is
 * an {@see InvalidArgumentException}: nothing falls back to a default.
 *
 * A signer may also hold no private key at all: {@see external()} asks a
 * PHP callable for each signature (a KMS, an HSM service, Vault) and
 * {@see fromPkcs11()} signs on a PKCS#11 token; either way the library
 * verifies every signature before it returns a token. {@see cached()} adds
 * a token cache, {@see signMany()} signs batches on every core.
 *
 * The handle is freed when the object is destroyed. `var_dump` shows the key
 * id and size, never the key.
 */
final class Signer
{
    /** @var \FFI\CData `qcdn_signer *` */
    private \FFI\CData $handle;
    private string $keyId;
    private int $keyBits;
    /** The private key is outside this process (a callable, a PKCS#11 token). */
    private bool $external = false;
    /** Signatures come from a PHP callable: only ever called inline, on this thread. */
    private bool $phpCallable = false;
    /** The cache window in seconds, or null without a cache. */
    private ?int $cacheWindow = null;

    private function __construct(\FFI\CData $handle)
    {
        $this->handle = $handle;
        $ffi = Native::ffi();
        $out = Native::outString();
        Native::check($ffi->qcdn_signer_key_id($handle, \FFI::addr($out)));
        $this->keyId = Native::take($out);
        $bits = $ffi->new('uint32_t');
        Native::check($ffi->qcdn_signer_key_bits($handle, \FFI::addr($bits)));
        $this->keyBits = $bits->cdata;
    }

    /**
     * A signer for `$keyId` (the signing key id from the API, the tokens'
     * `kid`) and its private key: PKCS#1 or PKCS#8 PEM, DER, PEM whose
     * newlines became `\n`, CRLF or spaces, or base64 of a PEM.
     *
     * @throws InvalidKeyException the key cannot be parsed, is not RSA or too small
     * @throws InvalidArgumentException an empty key id
     */
    public static function fromPem(string $keyId, #[\SensitiveParameter] string|SecretString $pem): self
    {
        $ffi = Native::ffi();
        $key = $pem instanceof SecretString ? $pem->reveal() : $pem;
        $buf = Native::bytes($key);
        try {
            $out = $ffi->new('qcdn_signer *');
            Native::check($ffi->qcdn_signer_new(Native::cstr($keyId, 'keyId'), $buf, strlen($key), \FFI::addr($out)));
        } finally {
            Native::wipe($buf);
        }
        return new self($out);
    }

    /**
     * The signer of the environment: the key from `QENCODE_SIGNING_KEY` (any
     * form {@see fromPem()} reads, newlines mangled by the environment
     * included) and the key id from `$keyId` or `QENCODE_SIGNING_KEY_ID`. An
     * unset or blank variable is an {@see InvalidArgumentException} naming it.
     */
    public static function fromEnv(?string $keyId = null): self
    {
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_signer *');
        Native::check($ffi->qcdn_signer_from_env($keyId === null ? null : Native::cstr($keyId, 'keyId'), \FFI::addr($out)));
        return new self($out);
    }

    /**
     * The signer for a key file (any form {@see fromPem()} reads). A file
     * that cannot be read is an {@see InvalidArgumentException} naming it.
     */
    public static function fromFile(string $keyId, string $path): self
    {
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_signer *');
        Native::check($ffi->qcdn_signer_from_file(Native::cstr($keyId, 'keyId'), Native::cstr($path, 'path'), \FFI::addr($out)));
        return new self($out);
    }

    /**
     * A signer whose private key never enters this process: `$sign` gets the
     * signing input (a string of bytes) and returns the raw RS256 signature
     * (RSASSA-PKCS1-v1_5 with SHA-256, as `openssl_sign(…, OPENSSL_ALGO_SHA256)`
     * makes, or what a KMS `Sign` call returns). `$publicKey` is the key's
     * public half in any form {@see Verifier::fromPublicKey()} reads (PEM,
     * DER such as KMS `GetPublicKey` returns, a JWK). Tokens are byte for
     * byte those of a local signer holding the same key.
     *
     * The library checks every signature with `$publicKey` before it returns
     * a token: a callable that throws (the Throwable is the `previous` of the
     * exception, its class and message are in the message), returns
     * something that is not a string, the wrong number of bytes, or bytes
     * that are not this key's RS256 signature gives a
     * {@see SignerFailedException}, never a token.
     *
     * `$sign` is called on this thread, inside the signing call (never from
     * another thread; batches of this signer are signed one item after the
     * other). It is kept exactly as long as this signer and the signers
     * {@see cached()} makes from it, then released.
     *
     * @param callable(string): string $sign
     * @throws InvalidKeyException the public key cannot be read, is not RSA or too small
     */
    public static function external(string $keyId, string $publicKey, callable $sign): self
    {
        $ffi = Native::ffi();
        $kid = Native::cstr($keyId, 'keyId');
        $buf = Native::bytes($publicKey);
        [$id, $callback, $userData, $release] = ExternalCallbacks::register($sign);
        $out = $ffi->new('qcdn_signer *');
        // timeout_ms 0: the library calls the callable inline, on this thread, never on a helper thread.
        $status = $ffi->qcdn_signer_new_external($kid, $buf, strlen($publicKey), $callback, $userData, $release, 0, \FFI::addr($out));
        if ($status !== 0) {
            ExternalCallbacks::forget($id); // the library keeps nothing on failure
            throw Native::lastError($status);
        }
        $signer = new self($out);
        $signer->external = true;
        $signer->phpCallable = true;
        return $signer;
    }

    /**
     * A signer whose RSA private key stays on a PKCS#11 token (an HSM, a
     * smart card, SoftHSM2): loads `$module` (e.g.
     * `/usr/lib/softhsm/libsofthsm2.so`) at run time, finds the token
     * labelled `$tokenLabel`, logs in with `$pin` and signs with the private
     * key labelled `$keyLabel`; `$keyId` is the tokens' `kid`. The public key
     * is read from the token and every signature is verified with it.
     *
     * @throws InvalidKeyException a module that cannot be loaded, no such token or key, a wrong PIN, a key
     *   that is not RSA (the message says which, never the PIN)
     */
    public static function fromPkcs11(
        string $module,
        string $tokenLabel,
        string $keyLabel,
        #[\SensitiveParameter] string|SecretString $pin,
        string $keyId,
    ): self {
        $ffi = Native::ffi();
        $secret = $pin instanceof SecretString ? $pin->reveal() : $pin;
        $out = $ffi->new('qcdn_signer *');
        Native::check($ffi->qcdn_signer_from_pkcs11(
            Native::cstr($module, 'module'),
            Native::cstr($tokenLabel, 'tokenLabel'),
            Native::cstr($keyLabel, 'keyLabel'),
            Native::cstr($secret, 'pin'),
            Native::cstr($keyId, 'keyId'),
            \FFI::addr($out),
        ));
        $signer = new self($out);
        $signer->external = true;
        return $signer;
    }

    /** @internal the `qcdn_signer *` (for Verifier::fromSigner) */
    public function handle(): \FFI\CData
    {
        return $this->handle;
    }

    /** The key id (`kid`) this signer puts in its tokens. */
    public function keyId(): string
    {
        return $this->keyId;
    }

    /** The RSA modulus size in bits (2048, 4096 …). */
    public function keyBits(): int
    {
        return $this->keyBits;
    }

    /** True when the private key is outside this process ({@see external()}, {@see fromPkcs11()}, and signers cached from them). */
    public function isExternal(): bool
    {
        return $this->external;
    }

    /** The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`). */
    public function publicKeyPem(): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_signer_public_key_pem($this->handle, \FFI::addr($out)));
        return Native::take($out);
    }

    /** The public key as a JWK JSON text (`kty`, `kid`, `alg`, `use`, `n`, `e`), for a JWKS endpoint. */
    public function publicKeyJwk(): string
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_signer_public_key_jwk($this->handle, \FFI::addr($out)));
        return Native::take($out);
    }

    /**
     * A signed token (JWT) for `$uri`: a playback id, an object key, a key
     * prefix (`videos/a/`) or `""` for a whole bucket.
     *
     * @param array<string, mixed> $options sign options (see the class)
     */
    public function sign(string $uri, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_sign_json',
            str_contains($uri, "\0") ? Native::cstr($uri, 'uri') : $uri,
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * `https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8?auth=…`
     *
     * @param array<string, mixed> $options sign options
     */
    public function signedLiveUrl(string $playbackId, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_live_url_json',
            Native::cstr($playbackId, 'playbackId'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * `https://{domain}/{playbackId}.m3u8?auth=…`
     *
     * @param array<string, mixed> $options sign options
     */
    public function signedLiveCustomDomainUrl(string $domain, string $playbackId, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_live_custom_domain_url_json',
            Native::cstr($domain, 'domain'),
            Native::cstr($playbackId, 'playbackId'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * `https://{bucket}.media-storage.{region}.qencode.com/{key}?auth=…`
     * (regions `us-west`, `eu-central`); the token's `uri` is the key.
     *
     * @param array<string, mixed> $options sign options
     */
    public function signedStorageUrl(string $bucket, string $region, string $key, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_storage_url_json',
            Native::cstr($bucket, 'bucket'),
            Native::cstr($region, 'region'),
            Native::cstr($key, 'key'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * `https://{domain}/{key}?auth=…`; the token's `uri` is the key.
     *
     * @param array<string, mixed> $options sign options
     */
    public function signedStorageCustomDomainUrl(string $domain, string $key, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_storage_custom_domain_url_json',
            Native::cstr($domain, 'domain'),
            Native::cstr($key, 'key'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * Signs `$uri` and puts the token into any URL as its `auth` query
     * parameter (replacing one already there, keeping the rest).
     *
     * @param array<string, mixed> $options sign options
     */
    public function signUrl(string $url, string $uri, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_sign_url_json',
            Native::cstr($url, 'url'),
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * The value of a `Set-Cookie` header carrying a token for `$uri` (for
     * HLS/DASH the folder of the master playlist, e.g. `videos/a/`):
     * `Qencode-Auth-Token=…; Domain=…; Path=…; Max-Age=…; Secure; HttpOnly; SameSite=Lax`.
     * Send it with `header('Set-Cookie: ' . $value, false)`.
     *
     * @param array<string, mixed> $options sign options plus the cookie's
     *   `domain`, `path`, `same_site` (`"Lax"`, `"Strict"`, `"None"`),
     *   `secure` and `http_only` (default true)
     */
    public function signedCookie(string $uri, array $options = []): string
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_cookie_json',
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::take($out);
    }

    /**
     * The cookie of {@see signedCookie()} as its fields, for frameworks that
     * set cookies from parts: `name`, `value`, `domain` (or null), `path`,
     * `max_age` (null for a token that never expires), `secure`,
     * `http_only`, `same_site`.
     *
     * @param array<string, mixed> $options as for signedCookie()
     * @return array{name: string, value: string, domain: ?string, path: string, max_age: ?int, secure: bool, http_only: bool, same_site: string}
     */
    public function signedCookieFields(string $uri, array $options = []): array
    {
        $out = Native::outString();
        $this->call(
            'qcdn_signer_signed_cookie_fields_json',
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        );
        return Native::takeJson($out);
    }

    /**
     * The first half of a two-phase signature, for signers that answer
     * asynchronously: the exact bytes to sign for `$uri` with `$options`
     * (checked as {@see sign()} checks them), and `finish($signature)` for
     * the token. Works with any signer (a cached one does not consult its
     * cache here).
     *
     * ```php
     * $prepared = $signer->prepare('videos/a/', ['expires_in' => 600]);
     * $token = $prepared->finish($kms->sign($prepared->signingInput)); // SignerFailedException if it does not verify
     * ```
     *
     * @param array<string, mixed> $options sign options
     */
    public function prepare(string $uri, array $options = []): PreparedToken
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_signer_prepare_json($this->handle, Native::cstr($uri, 'uri'), Options::json($options), \FFI::addr($out)));
        return new PreparedToken($this, Native::take($out));
    }

    /**
     * Signs a batch on every core (or at most `$threads` threads, this one
     * included) and returns one {@see SignResult} per item, in order. An
     * item is a uri, `[$uri, $options]` or `['uri' => $uri, 'options' =>
     * $options]`, with the options of {@see sign()}. A bad item gets its own
     * exception and never fails the batch; only a batch that is wrong as a
     * whole (an item that is not one of these forms) throws.
     *
     * A signer of {@see external()} signs its batches on this thread, item
     * after item (its callable runs only on the PHP thread): `$threads` does
     * not apply to it.
     *
     * @param iterable<mixed> $items
     * @param int|null $threads at least 1; null: every core
     * @return list<SignResult>
     */
    public function signMany(iterable $items, ?int $threads = null): array
    {
        if ($threads !== null && ($threads < 1 || $threads > 0xFFFFFFFF)) {
            throw Native::invalid("threads must be at least 1 (null: every core), got $threads");
        }
        $batch = [];
        foreach ($items as $item) {
            $batch[] = self::batchItem($item);
        }
        $out = Native::outString();
        $failures = $this->call(
            'qcdn_signer_sign_many_json',
            Native::cstr(Options::encode($batch), 'items'),
            $this->phpCallable ? 1 : ($threads ?? 0),
            \FFI::addr($out),
        );
        $results = [];
        $from = 0;
        foreach (Native::takeJson($out) as $result) {
            if (isset($result['token'])) {
                $results[] = new SignResult($result['token'], null);
            } else {
                $error = $result['error'];
                $results[] = new SignResult(null, Native::fromDetails($error, ExternalCallbacks::cause($failures, $error, $from)));
            }
        }
        return $results;
    }

    /** One batch item as the core reads it (`{"uri", "options"}`); anything else goes as it is, for the core to refuse. */
    private static function batchItem(mixed $item): mixed
    {
        if (is_string($item)) {
            return ['uri' => $item];
        }
        if (!is_array($item)) {
            return $item;
        }
        if (array_is_list($item) && count($item) >= 1 && count($item) <= 2) {
            $item = count($item) === 1 ? ['uri' => $item[0]] : ['uri' => $item[0], 'options' => $item[1]];
        }
        if (isset($item['options']) && is_array($item['options'])) {
            $item['options'] = Options::convert($item['options']);
        }
        return $item;
    }

    /**
     * This signer with a token cache: requests for the same uri, claims and
     * lifetime inside one `$window` (whole seconds or a `DateInterval`, 1 s
     * to a day) share one token, whose `exp` is rounded **up** to a multiple
     * of the window — valid at least the lifetime asked for and at most one
     * window longer. A window of W seconds costs one RSA signature per uri
     * per W seconds instead of one per request. Tokens that never expire are
     * never cached, nor calls with a `now` option unless `$cachePinnedClock`
     * (tests). `$capacity` bounds the tokens kept (null: 100 000; least
     * recently used go first).
     *
     * Every signing method of the returned signer (sign, the signed URLs and
     * cookies, signMany) goes through the cache; this signer is unchanged.
     * Both share the key (and an external signer's callable).
     */
    public function cached(int|\DateInterval $window, ?int $capacity = null, bool $cachePinnedClock = false): self
    {
        $seconds = $window instanceof \DateInterval ? Options::seconds($window, 'window') : $window;
        if (!is_int($seconds)) {
            throw Native::invalid('the cache window is whole seconds, got a fraction', true);
        }
        if ($seconds < 0 || $seconds > 0xFFFFFFFF) {
            throw Native::invalid("the cache window must be 1 to 86400 seconds, got $seconds");
        }
        if ($capacity !== null && $capacity < 1) {
            throw Native::invalid('the cache capacity must be at least 1 (null: the default)');
        }
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_signer *');
        Native::check($ffi->qcdn_signer_cached($this->handle, $seconds, $capacity ?? 0, $cachePinnedClock, \FFI::addr($out)));
        $cached = new self($out);
        $cached->external = $this->external;
        $cached->phpCallable = $this->phpCallable;
        $cached->cacheWindow = $seconds;
        return $cached;
    }

    /** How many tokens this signer's cache holds now (0 for a signer without a cache). */
    public function cachedTokens(): int
    {
        $count = Native::ffi()->new('uint64_t');
        Native::check(Native::ffi()->qcdn_signer_cached_tokens($this->handle, \FFI::addr($count)));
        return $count->cdata;
    }

    /** The cache window in seconds ({@see cached()}), or null for a signer without a cache. */
    public function cacheWindow(): ?int
    {
        return $this->cacheWindow;
    }

    /**
     * What a token grants that may be more than meant (see {@see Token::audit()}).
     *
     * @return list<AuditWarning>
     */
    public function audit(string $token, int|\DateTimeInterface|null $now = null): array
    {
        return Token::audit($token, $now);
    }

    /**
     * One signing call of the library, `$function($this->handle, ...$args)`,
     * that throws the exception of a failure. With a PHP callable the
     * callable's failures during the call are collected and returned, and a
     * SIGNER_FAILED keeps the callable's Throwable as its `previous`.
     *
     * @return list<array{string, ?\Throwable}>
     */
    private function call(string $function, mixed ...$args): array
    {
        $ffi = Native::ffi();
        if (!$this->phpCallable) {
            $status = $ffi->$function($this->handle, ...$args);
            if ($status !== 0) {
                throw Native::lastError($status);
            }
            return [];
        }
        ExternalCallbacks::enter();
        try {
            $status = $ffi->$function($this->handle, ...$args);
        } finally {
            $failures = ExternalCallbacks::leave();
        }
        if ($status !== 0) {
            $details = Native::lastErrorDetails();
            throw $details === null ? Native::lastError($status) : Native::fromDetails($details, ExternalCallbacks::cause($failures, $details));
        }
        return $failures;
    }

    /** @return array<string, mixed> */
    public function __debugInfo(): array
    {
        $info = ['keyId' => $this->keyId, 'keyBits' => $this->keyBits, 'privateKey' => '<redacted>'];
        if ($this->external) {
            $info['privateKey'] = '<external>';
        }
        if ($this->cacheWindow !== null) {
            $info['cacheWindow'] = $this->cacheWindow;
        }
        return $info;
    }

    /** @return never */
    public function __serialize(): array
    {
        throw new \LogicException('a Signer holds a private key and is not serialized; load it again with Signer::fromPem/fromEnv/fromFile');
    }

    /** @param array<mixed> $data */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a Signer is not unserialized');
    }

    private function __clone()
    {
    }

    public function __destruct()
    {
        if (isset($this->handle)) {
            $handle = $this->handle;
            unset($this->handle);
            Native::ffi()->qcdn_signer_free($handle);
        }
    }
}
