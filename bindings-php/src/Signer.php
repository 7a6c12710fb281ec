<?php

declare(strict_types=1);

namespace Qencode\Cdn;

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
 * The handle is freed when the object is destroyed. `var_dump` shows the key
 * id and size, never the key.
 */
final class Signer
{
    /** @var \FFI\CData `qcdn_signer *` */
    private \FFI\CData $handle;
    private string $keyId;
    private int $keyBits;

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
        $status = Native::ffi()->qcdn_signer_sign_json(
            $this->handle,
            str_contains($uri, "\0") ? Native::cstr($uri, 'uri') : $uri,
            $options === [] ? null : Options::json($options),
            \FFI::addr($out),
        );
        if ($status !== 0) {
            throw Native::lastError($status);
        }
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
        Native::check(Native::ffi()->qcdn_signer_signed_live_url_json(
            $this->handle,
            Native::cstr($playbackId, 'playbackId'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_signed_live_custom_domain_url_json(
            $this->handle,
            Native::cstr($domain, 'domain'),
            Native::cstr($playbackId, 'playbackId'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_signed_storage_url_json(
            $this->handle,
            Native::cstr($bucket, 'bucket'),
            Native::cstr($region, 'region'),
            Native::cstr($key, 'key'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_signed_storage_custom_domain_url_json(
            $this->handle,
            Native::cstr($domain, 'domain'),
            Native::cstr($key, 'key'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_sign_url_json(
            $this->handle,
            Native::cstr($url, 'url'),
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_signed_cookie_json(
            $this->handle,
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        ));
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
        Native::check(Native::ffi()->qcdn_signer_signed_cookie_fields_json(
            $this->handle,
            Native::cstr($uri, 'uri'),
            Options::json($options),
            \FFI::addr($out),
        ));
        return Native::takeJson($out);
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

    /** @return array<string, mixed> */
    public function __debugInfo(): array
    {
        return ['keyId' => $this->keyId, 'keyBits' => $this->keyBits, 'privateKey' => '<redacted>'];
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
