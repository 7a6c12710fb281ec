<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Internal\Options;

/**
 * A public key that checks tokens: RS256 signature, key id, `exp`/`nbf`
 * with leeway, and whether a token covers a resource; `explain()` says in
 * words why the edge would refuse a signed URL.
 *
 * One key ({@see fromPublicKey()}, {@see fromJwk()}, {@see fromSigner()})
 * or a key set chosen by the token's `kid` ({@see fromJwks()},
 * {@see fromKeys()}: key rotation).
 *
 * Verify options (read by the core): `key_id` (the expected `kid`),
 * `leeway` (seconds or a `DateInterval`), `now` (Unix seconds or a
 * `DateTimeInterface`), `resource` (`['kind' => 'live', 'playback_id' => …]`
 * or `['kind' => 'storage', 'key' => …]`: the token must cover it).
 */
final class Verifier
{
    /** @var \FFI\CData `qcdn_verifier *` */
    private \FFI\CData $handle;

    private function __construct(\FFI\CData $handle)
    {
        $this->handle = $handle;
    }

    /**
     * A verifier from a public key: SPKI or PKCS#1, PEM or DER, base64 of
     * either, a JWK (its `kid` becomes the expected key id), or a private
     * key (its public half is used).
     */
    public static function fromPublicKey(string $key): self
    {
        $ffi = Native::ffi();
        $buf = Native::bytes($key);
        try {
            $out = $ffi->new('qcdn_verifier *');
            Native::check($ffi->qcdn_verifier_new($buf, strlen($key), \FFI::addr($out)));
        } finally {
            Native::wipe($buf);
        }
        return new self($out);
    }

    /** A verifier from a JWK JSON text (or a JWK Set of one key); its `kid` is the expected key id. */
    public static function fromJwk(string $jwk): self
    {
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_verifier *');
        Native::check($ffi->qcdn_verifier_new_jwk(Native::cstr($jwk, 'jwk'), \FFI::addr($out)));
        return new self($out);
    }

    /**
     * A key set from a JWK Set document (`{"keys": [...]}`, as a JWKS
     * endpoint serves it): the JSON text, or the array `json_decode($text,
     * true)` gives. Each token is checked with the key its `kid` names —
     * several keys valid at once, as during a key rotation; a token whose
     * `kid` is not in the set (or that has none) is an
     * {@see UnknownKeyIdException} that lists the known ids.
     *
     * @param string|array<string, mixed> $jwks
     * @throws InvalidKeyException a key that is not RSA, has no `kid` or repeats one; text that is not a JWK Set
     * @throws InvalidArgumentException an empty set
     */
    public static function fromJwks(string|array $jwks): self
    {
        $text = is_string($jwks) ? $jwks : Options::encode($jwks);
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_verifier *');
        Native::check($ffi->qcdn_verifier_new_jwks(Native::cstr($text, 'jwks'), \FFI::addr($out)));
        return new self($out);
    }

    /**
     * A key set from key ids and public keys, with the rules of
     * {@see fromJwks()}: `['key-2024' => $oldPem, 'key-2025' => $newPem]`
     * (key id => key), or a list of `[$kid, $key]` pairs. A key is any form
     * {@see fromPublicKey()} reads (PEM, DER bytes, base64, a JWK's JSON
     * text).
     *
     * @param iterable<mixed> $keys
     * @throws InvalidKeyException a key that cannot be read, an empty or repeated key id (the message names it)
     * @throws InvalidArgumentException no keys
     */
    public static function fromKeys(iterable $keys): self
    {
        $pairs = [];
        foreach ($keys as $name => $value) {
            if (is_array($value) && array_is_list($value)) {
                if (count($value) !== 2) {
                    throw Native::invalid(sprintf('a key pair is [kid, key], got %d members', count($value)), true);
                }
                [$kid, $key] = $value;
            } else {
                [$kid, $key] = [is_int($name) ? (string) $name : $name, $value];
            }
            $pairs[] = ['kid' => $kid, 'key' => is_string($key) ? self::keyText($key) : $key];
        }
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_verifier *');
        Native::check($ffi->qcdn_verifier_new_keys_json(Native::cstr(Options::encode($pairs), 'keys'), \FFI::addr($out)));
        return new self($out);
    }

    /** A key as JSON text: text as it is, bytes (DER) as their base64, which the core reads too. */
    private static function keyText(string $key): string
    {
        return preg_match('//u', $key) === 1 && !str_contains($key, "\0") ? $key : base64_encode($key);
    }

    /** The verifier of a signer's own tokens (its public key, expecting its key id). */
    public static function fromSigner(Signer $signer): self
    {
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_verifier *');
        Native::check($ffi->qcdn_verifier_from_signer($signer->handle(), \FFI::addr($out)));
        return new self($out);
    }

    /**
     * Verifies a token and returns its claims (`uri`, `exp`, `nbf`, custom
     * ones). With a `resource` option, a valid token that does not cover it
     * is a {@see UriMismatchException}: the call for an access decision.
     *
     * @param array<string, mixed> $options verify options (see the class)
     * @return array<string, mixed>
     * @throws TokenException why the token is refused
     */
    public function verify(string $token, array $options = []): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_verifier_verify_json(
            $this->handle,
            Native::cstr($token, 'token'),
            Options::json($options),
            \FFI::addr($out),
        ));
        return Native::takeJson($out)['claims'];
    }

    /**
     * Every check the edge would make of a signed URL (any of the four
     * forms), passed or failed, in words. A refused URL is not an exception:
     * `$explanation->ok` is false and the failed check says why.
     *
     * @param array<string, mixed> $options verify options (the resource is the URL's)
     */
    public function explain(string $url, array $options = []): Explanation
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_verifier_explain_json(
            $this->handle,
            Native::cstr($url, 'url'),
            Options::json($options),
            \FFI::addr($out),
        ));
        return Explanation::fromArray(Native::takeJson($out));
    }

    /**
     * Every check of a verification of a bare token, in words (a `resource`
     * option adds the coverage check).
     *
     * @param array<string, mixed> $options verify options
     */
    public function explainToken(string $token, array $options = []): Explanation
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_verifier_explain_token(
            $this->handle,
            Native::cstr($token, 'token'),
            Options::json($options),
            \FFI::addr($out),
        ));
        return Explanation::fromArray(Native::takeJson($out));
    }

    /**
     * The public keys as a JWK Set (`['keys' => [...]]`, each key with
     * `kty`, `n`, `e`, `kid` when known, `alg` `RS256` and `use` `sig`): what
     * a JWKS endpoint publishes during a rotation (`json_encode` it), and what
     * {@see fromJwks()} reads back.
     *
     * @return array{keys: list<array<string, string>>}
     */
    public function jwks(): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_verifier_jwks($this->handle, \FFI::addr($out)));
        return Native::takeJson($out);
    }

    /**
     * The key ids this verifier knows: a key set's, or the one expected key
     * id (empty for a single key without one).
     *
     * @return list<string>
     */
    public function keyIds(): array
    {
        $ids = [];
        foreach ($this->jwks()['keys'] as $key) {
            if (isset($key['kid'])) {
                $ids[] = $key['kid'];
            }
        }
        return $ids;
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

    private function __clone()
    {
    }

    /** @return never */
    public function __serialize(): array
    {
        throw new \LogicException('a Verifier is not serialized; build it again from the public key');
    }

    /** @param array<mixed> $data */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a Verifier is not unserialized');
    }

    public function __destruct()
    {
        if (isset($this->handle)) {
            $handle = $this->handle;
            unset($this->handle);
            Native::ffi()->qcdn_verifier_free($handle);
        }
    }
}
