<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Internal\Options;

/**
 * A blocking client of the Qencode Content Delivery management API. One
 * client per API key; the access token is fetched, cached and renewed by the
 * core, which also retries with backoff on connection errors, 429 and
 * 502/503/504 for requests that are safe to repeat. TLS is always verified.
 *
 * Options (read by the core as in every language): `api_url`, `auth_url`,
 * `timeout` (one attempt, default 30 s), `connect_timeout` (default 10 s)
 * and `deadline` (the whole call — every attempt, every wait between
 * retries, `Retry-After` included — default 60 s, or `timeout` when that is
 * longer; past it the call throws a {@see TimeoutException}) in seconds
 * (fractions allowed) or as a `DateInterval`, `max_retries` (default 3, at
 * most 10); `null` keeps a default. An unknown key or a wrong type is an
 * {@see InvalidArgumentException}.
 *
 * Every method returns the API's JSON document as an array (a list for the
 * `list*` methods; `['status' => 'ok']` for calls without a result) and
 * throws a {@see QencodeException} subclass on failure. The API key is
 * handed to the library and kept nowhere in PHP: `var_dump($client)` cannot
 * show it.
 */
final class Client
{
    /** @var \FFI\CData `qcdn_client *` */
    private \FFI\CData $handle;

    /** @param array<string, mixed> $options client options (see the class) */
    public function __construct(#[\SensitiveParameter] string $apiKey, array $options = [])
    {
        $this->handle = self::open(Native::cstr($apiKey, 'apiKey'), $options);
    }

    /**
     * A client for the API key in `QENCODE_API_KEY` (trimmed; unset or blank
     * is an {@see InvalidArgumentException} naming the variable).
     *
     * @param array<string, mixed> $options client options
     */
    public static function fromEnv(array $options = []): self
    {
        $client = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $client->handle = self::open(null, $options);
        return $client;
    }

    /** @param array<string, mixed> $options */
    private static function open(#[\SensitiveParameter] ?string $apiKey, array $options): \FFI\CData
    {
        $ffi = Native::ffi();
        $out = $ffi->new('qcdn_client *');
        Native::check($ffi->qcdn_client_new_json($apiKey, Options::json($options), 'php', \FFI::addr($out)));
        return $out;
    }

    // Domains

    /**
     * Adds a custom playback domain; `$type` is `"live"` or `"storage"`.
     *
     * @return array<string, mixed> `{id, domain_name, type, created, …}`
     */
    public function createDomain(string $domainName, string $type): array
    {
        return $this->call('qcdn_client_create_domain', Native::cstr($domainName, 'domainName'), self::domainType($type, false));
    }

    /** @return array<string, mixed> */
    public function getDomain(string $domainId): array
    {
        return $this->call('qcdn_client_get_domain', Native::cstr($domainId, 'domainId'));
    }

    /**
     * Every domain, or those of one `$type` (`"live"` / `"storage"`).
     *
     * @return list<array<string, mixed>>
     */
    public function listDomains(?string $type = null): array
    {
        return $this->call('qcdn_client_list_domains', self::domainType($type, true));
    }

    /** @return array{status: string} */
    public function deleteDomain(string $domainId): array
    {
        return $this->call('qcdn_client_delete_domain', Native::cstr($domainId, 'domainId'));
    }

    // TLS subscriptions

    /** @return array<string, mixed> `{id, domain_id, status, …}` */
    public function createTlsSubscription(string $domainId): array
    {
        return $this->call('qcdn_client_create_tls_subscription', Native::cstr($domainId, 'domainId'));
    }

    /** @return array<string, mixed> */
    public function getTlsSubscription(string $subscriptionId): array
    {
        return $this->call('qcdn_client_get_tls_subscription', Native::cstr($subscriptionId, 'subscriptionId'));
    }

    /** @return list<array<string, mixed>> */
    public function listTlsSubscriptions(): array
    {
        return $this->call('qcdn_client_list_tls_subscriptions');
    }

    /** @return array{status: string} */
    public function deleteTlsSubscription(string $subscriptionId): array
    {
        return $this->call('qcdn_client_delete_tls_subscription', Native::cstr($subscriptionId, 'subscriptionId'));
    }

    // Signing keys

    /**
     * Creates a signing key for exactly one of a live stream (`stream:` its
     * id), a playback domain (`domain:` its id) or a bucket (`bucket:` its
     * name), e.g. `$client->createSigningKey(bucket: 'my-bucket')`.
     *
     * The API returns the private key this once: `private_key` is a
     * {@see SecretString} (`->reveal()` gives the PEM; dumps and logs show
     * `<redacted>`). `Signer::fromPem($key['id'], $key['private_key'])` takes it as it is.
     *
     * @return array<string, mixed> `{id, private_key, name, created, stream_id | domain_id | bucket_name, …}`
     */
    public function createSigningKey(?string $stream = null, ?string $domain = null, ?string $bucket = null): array
    {
        $given = array_filter(['stream' => $stream, 'domain' => $domain, 'bucket' => $bucket], static fn ($v) => $v !== null);
        if (count($given) !== 1) {
            $got = count($given) === 0 ? 'none' : implode(', ', array_keys($given));
            throw Native::invalid('createSigningKey needs exactly one of stream:, domain: or bucket:, got ' . $got);
        }
        $target = match (array_key_first($given)) {
            'stream' => 0,  // QCDN_SIGNING_KEY_TARGET_STREAM
            'domain' => 1,  // QCDN_SIGNING_KEY_TARGET_DOMAIN
            'bucket' => 2,  // QCDN_SIGNING_KEY_TARGET_BUCKET
        };
        $doc = $this->call('qcdn_client_create_signing_key', $target, Native::cstr(reset($given), (string) array_key_first($given)));
        if (isset($doc['private_key']) && is_string($doc['private_key'])) {
            $doc['private_key'] = new SecretString($doc['private_key']);
        }
        return $doc;
    }

    /** @return array<string, mixed> the key without its private key */
    public function getSigningKey(string $keyId): array
    {
        return $this->call('qcdn_client_get_signing_key', Native::cstr($keyId, 'keyId'));
    }

    /** @return list<array<string, mixed>> */
    public function listSigningKeys(): array
    {
        return $this->call('qcdn_client_list_signing_keys');
    }

    /** @return array<string, mixed> */
    public function renameSigningKey(string $keyId, string $name): array
    {
        return $this->call('qcdn_client_rename_signing_key', Native::cstr($keyId, 'keyId'), Native::cstr($name, 'name'));
    }

    /** @return array{status: string} */
    public function deleteSigningKey(string $keyId): array
    {
        return $this->call('qcdn_client_delete_signing_key', Native::cstr($keyId, 'keyId'));
    }

    // Buckets

    /**
     * Sets a bucket's access policy: `"public"` or `"authenticated"` (signed tokens required).
     *
     * @return array{status: string}
     */
    public function setBucketPolicy(string $bucket, string $policy): array
    {
        $value = self::parse('qcdn_bucket_policy_parse', $policy, 'policy');
        return $this->call('qcdn_client_set_bucket_policy', Native::cstr($bucket, 'bucket'), $value);
    }

    /**
     * Sets a bucket's CORS response headers (header name => value).
     *
     * @param array<string, string> $headers
     * @return array{status: string}
     */
    public function setBucketCors(string $bucket, array $headers): array
    {
        $json = Options::encode($headers === [] ? new \stdClass() : $headers);
        return $this->call('qcdn_client_set_bucket_cors', Native::cstr($bucket, 'bucket'), Native::cstr($json, 'headers'));
    }

    /** @return array<string, string> header name => value */
    public function getBucketCors(string $bucket): array
    {
        return $this->call('qcdn_client_get_bucket_cors', Native::cstr($bucket, 'bucket'));
    }

    /** @return array{status: string} */
    public function deleteBucketCors(string $bucket): array
    {
        return $this->call('qcdn_client_delete_bucket_cors', Native::cstr($bucket, 'bucket'));
    }

    /** @return array{status: string} */
    public function deleteBucketCorsHeader(string $bucket, string $header): array
    {
        return $this->call('qcdn_client_delete_bucket_cors_header', Native::cstr($bucket, 'bucket'), Native::cstr($header, 'header'));
    }

    /** @return array{status: string} */
    public function purgeBucketCache(string $bucket): array
    {
        return $this->call('qcdn_client_purge_bucket_cache', Native::cstr($bucket, 'bucket'));
    }

    /** @return array{status: string} */
    public function purgeObjectCache(string $bucket, string $path): array
    {
        return $this->call('qcdn_client_purge_object_cache', Native::cstr($bucket, 'bucket'), Native::cstr($path, 'path'));
    }

    /** One C call with the client first and the JSON document out last. */
    private function call(string $function, string|int ...$args): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->$function($this->handle, ...[...$args, \FFI::addr($out)]));
        $doc = Native::takeJson($out);
        return is_array($doc) ? $doc : throw new DecodeException('DECODE: the API answered a document that is not an object or array', 'DECODE', 15);
    }

    /** `"live"`/`"storage"` (any case, read by the core) as the C enum; null is "any" where a filter is allowed. */
    private static function domainType(?string $type, bool $filter): int
    {
        if ($type === null && $filter) {
            return 0; // QCDN_DOMAIN_TYPE_ANY
        }
        return self::parse('qcdn_domain_type_parse', (string) $type, 'type');
    }

    /** A name read by the core's own parser (`qcdn_domain_type_parse`, `qcdn_bucket_policy_parse`). */
    private static function parse(string $function, string $name, string $what): int
    {
        $ffi = Native::ffi();
        $value = $ffi->new('uint32_t');
        Native::check($ffi->$function(Native::cstr($name, $what), \FFI::addr($value)));
        return $value->cdata;
    }

    /** @return array<string, string> */
    public function __debugInfo(): array
    {
        return ['apiKey' => '<redacted>'];
    }

    private function __clone()
    {
    }

    /** @return never */
    public function __serialize(): array
    {
        throw new \LogicException('a Client is not serialized; create it again');
    }

    /** @param array<mixed> $data */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a Client is not unserialized');
    }

    public function __destruct()
    {
        if (isset($this->handle)) {
            $handle = $this->handle;
            unset($this->handle);
            Native::ffi()->qcdn_client_free($handle);
        }
    }
}
