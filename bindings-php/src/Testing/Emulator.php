<?php

declare(strict_types=1);

namespace Qencode\Cdn\Testing;

use Qencode\Cdn\Client;
use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Internal\Options;

/**
 * Test your own code against a local emulator of the Qencode API and
 * playback edge, without mocks: the `qencode-cdn-emulator` process on a free
 * loopback port (found through `$QENCODE_CDN_EMULATOR`, then `PATH`).
 *
 * ```php
 * $emu = Emulator::start();
 * $domain = $emu->client()->createDomain('live.example.com', 'live');
 * $emu->stop();
 * ```
 *
 * Faults (`injectFault`) are read by the emulator's own parser; a bad one is
 * an {@see \Qencode\Cdn\InvalidArgumentException}. The process stops with
 * `stop()` or when the object is destroyed.
 */
final class Emulator
{
    /** The environment variable naming the emulator binary. */
    public const BINARY_ENV = 'QENCODE_CDN_EMULATOR';

    private const LISTENING = 'qencode-cdn emulator listening on ';

    /** @var resource|null */
    private $process;
    /** @var resource|null */
    private $stdout;

    /** @param list<string> $apiKeys */
    private function __construct($process, $stdout, public readonly string $url, public readonly array $apiKeys)
    {
        $this->process = $process;
        $this->stdout = $stdout;
    }

    /**
     * Starts an emulator. Options: `api_keys` (list of accepted API keys;
     * default `["emulator-api-key"]`), `signing_key_bits` (RSA size of the
     * keys it creates; default 2048, to keep tests fast), `token_lifetime`
     * (seconds), `max_domains`, `binary` (path; default
     * `$QENCODE_CDN_EMULATOR`, then `qencode-cdn-emulator` on `PATH`).
     *
     * @param array{api_keys?: list<string>, signing_key_bits?: int, token_lifetime?: int, max_domains?: int, binary?: string} $options
     */
    public static function start(array $options = []): self
    {
        $unknown = array_diff(array_keys($options), ['api_keys', 'signing_key_bits', 'token_lifetime', 'max_domains', 'binary']);
        if ($unknown !== []) {
            throw Native::invalid('unknown Emulator option `' . implode('`, `', $unknown) . '`');
        }
        $binary = $options['binary'] ?? self::findBinary();
        $command = [$binary, '--listen', '127.0.0.1:0', '--signing-key-bits', (string) ($options['signing_key_bits'] ?? 2048)];
        foreach ($options['api_keys'] ?? [] as $key) {
            array_push($command, '--api-key', (string) $key);
        }
        if (isset($options['token_lifetime'])) {
            array_push($command, '--token-lifetime', (string) $options['token_lifetime']);
        }
        if (isset($options['max_domains'])) {
            array_push($command, '--max-domains', (string) $options['max_domains']);
        }
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($process)) {
            throw Native::invalid("cannot start the emulator `$binary`");
        }
        $first = fgets($pipes[1]);
        if ($first === false || !str_starts_with($first, self::LISTENING)) {
            $err = stream_get_contents($pipes[2]);
            proc_terminate($process);
            proc_close($process);
            throw Native::invalid(sprintf('the emulator `%s` did not start: %s', $binary, trim((string) $err) ?: trim((string) $first)));
        }
        fclose($pipes[2]);
        $keys = [];
        $count = max(1, count($options['api_keys'] ?? []));
        for ($i = 0; $i < $count; $i++) {
            $keys[] = trim((string) fgets($pipes[1]));
        }
        $emulator = new self($process, $pipes[1], trim(substr($first, strlen(self::LISTENING))), $keys);
        // Stopped at exit even when a fatal error skips the destructors: the
        // emulator process never outlives the PHP process that started it.
        $ref = \WeakReference::create($emulator);
        register_shutdown_function(static function () use ($ref): void {
            $ref->get()?->stop();
        });
        return $emulator;
    }

    private static function findBinary(): string
    {
        $env = getenv(self::BINARY_ENV);
        if (is_string($env) && $env !== '') {
            return $env;
        }
        foreach (explode(PATH_SEPARATOR, (string) getenv('PATH')) as $dir) {
            $candidate = $dir . '/qencode-cdn-emulator';
            if ($dir !== '' && is_file($candidate) && is_executable($candidate)) {
                return $candidate;
            }
        }
        throw Native::invalid('no emulator binary: set ' . self::BINARY_ENV
            . ' to the path of qencode-cdn-emulator or put it on PATH (cargo build -p qencode-cdn-emulator)');
    }

    /** The first accepted API key. */
    public function apiKey(): string
    {
        return $this->apiKeys[0];
    }

    /** The port it listens on. */
    public function port(): int
    {
        return (int) parse_url($this->url, PHP_URL_PORT);
    }

    /** Whether the process is still running. */
    public function running(): bool
    {
        return $this->process !== null && proc_get_status($this->process)['running'];
    }

    /**
     * A {@see Client} for this emulator with its API key (`api_url` and
     * `auth_url` point here; other client options may be given).
     *
     * @param array<string, mixed> $options
     */
    public function client(array $options = [], ?string $apiKey = null): Client
    {
        return new Client($apiKey ?? $this->apiKey(), $options + ['api_url' => $this->url, 'auth_url' => $this->url]);
    }

    /**
     * Makes the next `times` (default 1) requests matching `$route` fail:
     * `$route` is `"*"` or `"METHOD /path"` (`*` matches one segment);
     * `$kind` is `status` (with `status`, optional `retry_after`), `delay`
     * (with `delay_ms`), `drop`, `truncate` or `not_json`.
     *
     * @param array{times?: int, status?: int, retry_after?: int, delay_ms?: int} $details
     */
    public function injectFault(string $route, string $kind, array $details = []): void
    {
        $this->admin('POST', '/_emulator/faults', ['route' => $route, 'kind' => $kind] + $details);
    }

    /** Forgets every domain, key, bucket, stream, fault and counter. */
    public function reset(): void
    {
        $this->admin('POST', '/_emulator/reset', new \stdClass());
    }

    /** Adds a live stream: signing keys name `$streamId`, playback URLs `$playbackId`. */
    public function addStream(string $streamId, string $playbackId): void
    {
        $this->admin('POST', '/_emulator/streams', ['stream_id' => $streamId, 'playback_id' => $playbackId]);
    }

    /**
     * Adds a live stream with real media: the edge serves its HLS master
     * playlist, variant playlists and MPEG-TS segments (a sliding window),
     * checking the token or cookie on every request.
     */
    public function addMediaStream(string $streamId, string $playbackId): void
    {
        $this->admin('POST', '/_emulator/media-streams', ['stream_id' => $streamId, 'playback_id' => $playbackId]);
    }

    /**
     * Stores the emulator's fixture media (CMAF HLS `master.m3u8` and DASH
     * `manifest.mpd` with their segments) in `$folder` of `$bucket`.
     */
    public function addMediaFolder(string $bucket, string $folder): void
    {
        $this->admin('POST', '/_emulator/media-folders', ['bucket' => $bucket, 'folder' => $folder]);
    }

    /** Stores an object (UTF-8 text) in a bucket. */
    public function addObject(string $bucket, string $key, string $body): void
    {
        $this->admin('POST', '/_emulator/objects', ['bucket' => $bucket, 'key' => $key, 'body' => $body]);
    }

    /** Says which bucket a storage custom domain serves. */
    public function mapStorageDomain(string $domain, string $bucket): void
    {
        $this->admin('POST', '/_emulator/domain-buckets', ['domain' => $domain, 'bucket' => $bucket]);
    }

    /**
     * Requests per route pattern, access-token requests, connections.
     *
     * @return array<string, mixed>
     */
    public function counters(): array
    {
        return $this->admin('GET', '/_emulator/counters', null);
    }

    /**
     * GETs a playback or storage URL (any of the four forms) from the
     * emulated edge: sent to this emulator with the URL's host in `Host`.
     * `$cookie` is a token or a `Qencode-Auth-Token=…` cookie.
     *
     * @return array{status: int, reason: ?string, body: string}
     */
    public function fetch(string $url, ?string $cookie = null): array
    {
        $parts = parse_url($url);
        if ($parts === false || !isset($parts['host'])) {
            throw Native::invalid('not a URL');
        }
        $target = $this->url . ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
        $headers = ['Host: ' . $parts['host']];
        if ($cookie !== null) {
            $headers[] = 'Cookie: ' . (str_starts_with($cookie, 'Qencode-Auth-Token=') ? $cookie : 'Qencode-Auth-Token=' . $cookie);
        }
        [$status, $responseHeaders, $body] = $this->http('GET', $target, $headers, null);
        $reason = null;
        foreach ($responseHeaders as $h) {
            if (stripos($h, 'X-Qencode-Emulator-Reason:') === 0) {
                $reason = trim(substr($h, strlen('X-Qencode-Emulator-Reason:')));
            }
        }
        return ['status' => $status, 'reason' => $reason, 'body' => $body];
    }

    /** Stops the process and frees the port (also done on destruction). */
    public function stop(): void
    {
        if ($this->process !== null) {
            proc_terminate($this->process);
            if (is_resource($this->stdout)) {
                fclose($this->stdout);
            }
            proc_close($this->process);
            $this->process = null;
            $this->stdout = null;
        }
    }

    public function __destruct()
    {
        $this->stop();
    }

    private function admin(string $method, string $path, mixed $body): mixed
    {
        [$status, , $text] = $this->http($method, $this->url . $path, ['Content-Type: application/json'], $body === null ? null : Options::encode($body));
        if ($status === 400) {
            $doc = json_decode($text, true);
            $message = is_array($doc) ? (string) ($doc['message'] ?? $doc['error'] ?? $text) : $text;
            throw Native::invalid('the emulator refused ' . $path . ': ' . $message);
        }
        if ($status < 200 || $status >= 300) {
            throw Native::invalid(sprintf('the emulator answered %d to %s %s: %s', $status, $method, $path, $text));
        }
        return $text === '' ? null : json_decode($text, true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * @param list<string> $headers
     * @return array{int, list<string>, string}
     */
    private function http(string $method, string $url, array $headers, ?string $body): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => $headers,
            'content' => $body ?? '',
            'ignore_errors' => true,
            'timeout' => 30,
            'protocol_version' => 1.1,
            'follow_location' => 0,
        ]]);
        $headers[] = 'Connection: close';
        stream_context_set_option($context, 'http', 'header', $headers);
        $text = @file_get_contents($url, false, $context);
        /** @var list<string> $responseHeaders */
        $responseHeaders = $http_response_header ?? [];
        if ($text === false || $responseHeaders === []) {
            throw Native::invalid("the emulator did not answer $method $url");
        }
        preg_match('~^HTTP/\S+ (\d{3})~', $responseHeaders[0], $m);
        return [(int) ($m[1] ?? 0), $responseHeaders, $text];
    }
}
