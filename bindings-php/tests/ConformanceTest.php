<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\Client;
use Qencode\Cdn\Explanation;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\RateLimitedException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Stream;
use Qencode\Cdn\Testing\Emulator;
use Qencode\Cdn\Token;
use Qencode\Cdn\Urls;
use Qencode\Cdn\Verifier;

/**
 * Every conformance case (tests/conformance/*.json, see its README) through
 * the package's public API, called as a PHP user calls it: options as PHP
 * arrays (a JSON null is an explicit null, an absent key an option not
 * given), results compared as the API's JSON. One test per case (the data
 * set's name is the case's name); after the last one the README's summary
 * line `conformance: php: …` is printed, which tests/suites/62-php.sh checks
 * with tests/conformance/check-summary. A case is skipped only when its
 * `skip` map names `php`.
 */
final class ConformanceTest extends TestCase
{
    private const LANGUAGE = 'php';

    private static int $passed = 0;
    private static int $failed = 0;
    /** @var list<string> */
    private static array $skipped = [];
    /** @var array<string, Signer> */
    private static array $signers = [];

    /** @return array<string, array{array<string, mixed>}> */
    public static function cases(): array
    {
        $files = glob(QCDN_ROOT . '/tests/conformance/*.json');
        sort($files);
        $cases = [];
        foreach ($files as $file) {
            $doc = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            foreach ($doc['cases'] as $case) {
                if (isset($cases[$case['name']])) {
                    throw new \LogicException("duplicate case name {$case['name']}");
                }
                $cases[$case['name']] = [$case];
            }
        }
        return $cases;
    }

    /**
     * @dataProvider cases
     * @param array<string, mixed> $case
     */
    public function testCase(array $case): void
    {
        $reason = $case['skip'][self::LANGUAGE] ?? null;
        if ($reason !== null) {
            self::$skipped[] = "{$case['name']}: $reason";
            $this->markTestSkipped($reason);
        }
        try {
            $this->runCase($case);
            self::$passed++;
        } catch (\Throwable $e) {
            self::$failed++;
            throw $e;
        }
    }

    public static function tearDownAfterClass(): void
    {
        $total = self::$passed + self::$failed + count(self::$skipped);
        fwrite(STDOUT, sprintf(
            "\nconformance: %s: %d cases, %d passed, %d skipped, %d failed\n",
            self::LANGUAGE,
            $total,
            self::$passed,
            count(self::$skipped),
            self::$failed,
        ));
        foreach (self::$skipped as $line) {
            fwrite(STDOUT, "  skipped $line\n");
        }
        self::$signers = [];
    }

    /** @param array<string, mixed> $case */
    private function runCase(array $case): void
    {
        $want = $case['expect'];
        try {
            $got = $this->produce($case);
        } catch (QencodeException $e) {
            $this->assertArrayHasKey('error', $want, "expected success, got {$e->errorCode}: {$e->getMessage()}");
            $this->checkError($want, $e);
            return;
        }
        $this->assertArrayNotHasKey('error', $want, 'expected error ' . ($want['error'] ?? '') . ', got success ' . json_encode($got));
        $this->checkSuccess($want, $got);
    }

    /** A key spec: a file path (its bytes), `{"text": …}` or `{"base64": …}`. */
    private static function key(mixed $spec): string
    {
        if (is_string($spec)) {
            return Support::read($spec);
        }
        if (array_key_exists('text', $spec)) {
            return $spec['text'];
        }
        return base64_decode($spec['base64'], true);
    }

    /** `{"kid", "key"}` → `Signer::fromPem(kid, key)`, loaded once per spec. */
    private static function signer(array $spec): Signer
    {
        $id = json_encode($spec);
        return self::$signers[$id] ??= Signer::fromPem($spec['kid'], self::key($spec['key']));
    }

    private static function verifier(array $spec): Verifier
    {
        if (array_key_exists('public_key', $spec)) {
            return Verifier::fromPublicKey(self::key($spec['public_key']));
        }
        if (array_key_exists('jwk', $spec)) {
            return Verifier::fromJwk($spec['jwk']);
        }
        if (array_key_exists('jwks', $spec)) {
            return Verifier::fromJwks($spec['jwks']);
        }
        if (array_key_exists('keys', $spec)) {
            // [kid, key] pairs, the form that can also hold a repeated kid
            return Verifier::fromKeys(array_map(static fn ($k) => [$k['kid'], self::key($k['key'])], $spec['keys']));
        }
        return Verifier::fromSigner(self::signer($spec['signer']));
    }

    /** @return array<string, mixed> */
    private static function explanation(Explanation $e): array
    {
        $details = [];
        foreach ($e->checks as $c) {
            $details[$c->name] = $c->detail;
        }
        return [
            'ok' => $e->ok,
            'checks' => array_map(static fn ($c) => $c->name . ':' . ($c->passed ? 'ok' : 'FAIL'), $e->checks),
            'details' => $details,
            'warnings' => array_map(static fn ($w) => $w->code, $e->warnings),
        ];
    }

    /** Sets exactly the listed variables (null unsets, `{"file"}` a file's text) around `$fn`. */
    private static function withEnv(array $env, callable $fn): mixed
    {
        $saved = [];
        foreach ($env as $k => $v) {
            $saved[$k] = getenv($k);
            if ($v === null) {
                putenv($k);
            } elseif (is_array($v)) {
                putenv("$k=" . Support::read($v['file']));
            } else {
                putenv("$k=$v");
            }
        }
        try {
            return $fn();
        } finally {
            foreach ($saved as $k => $old) {
                putenv($old === false ? $k : "$k=$old");
            }
        }
    }

    /** A client call of DESIGN §4 with the case's named arguments, as a PHP user writes it. */
    private static function clientCall(Client $c, string $call, array $a): mixed
    {
        $known = [
            'create_domain' => ['name', 'type'], 'get_domain' => ['id'], 'list_domains' => ['type'],
            'delete_domain' => ['id'], 'create_tls_subscription' => ['domain_id'], 'get_tls_subscription' => ['id'],
            'list_tls_subscriptions' => [], 'delete_tls_subscription' => ['id'],
            'create_signing_key' => ['stream', 'domain', 'bucket'], 'get_signing_key' => ['id'],
            'list_signing_keys' => [], 'rename_signing_key' => ['id', 'name'], 'delete_signing_key' => ['id'],
            'set_bucket_policy' => ['bucket', 'policy'], 'set_bucket_cors' => ['bucket', 'headers'],
            'get_bucket_cors' => ['bucket'], 'delete_bucket_cors' => ['bucket'],
            'delete_bucket_cors_header' => ['bucket', 'header'], 'purge_bucket_cache' => ['bucket'],
            'purge_object_cache' => ['bucket', 'path'],
        ];
        $unknown = array_diff(array_keys($a), $known[$call]);
        if ($unknown !== []) {
            throw new \LogicException("$call: the runner does not map the arguments " . implode(', ', $unknown));
        }
        return match ($call) {
            'create_domain' => $c->createDomain($a['name'], $a['type']),
            'get_domain' => $c->getDomain($a['id']),
            'list_domains' => $c->listDomains($a['type'] ?? null),
            'delete_domain' => $c->deleteDomain($a['id']),
            'create_tls_subscription' => $c->createTlsSubscription($a['domain_id']),
            'get_tls_subscription' => $c->getTlsSubscription($a['id']),
            'list_tls_subscriptions' => $c->listTlsSubscriptions(),
            'delete_tls_subscription' => $c->deleteTlsSubscription($a['id']),
            'create_signing_key' => $c->createSigningKey(...$a),
            'get_signing_key' => $c->getSigningKey($a['id']),
            'list_signing_keys' => $c->listSigningKeys(),
            'rename_signing_key' => $c->renameSigningKey($a['id'], $a['name']),
            'delete_signing_key' => $c->deleteSigningKey($a['id']),
            'set_bucket_policy' => $c->setBucketPolicy($a['bucket'], $a['policy']),
            'set_bucket_cors' => $c->setBucketCors($a['bucket'], $a['headers']),
            'get_bucket_cors' => $c->getBucketCors($a['bucket']),
            'delete_bucket_cors' => $c->deleteBucketCors($a['bucket']),
            'delete_bucket_cors_header' => $c->deleteBucketCorsHeader($a['bucket'], $a['header']),
            'purge_bucket_cache' => $c->purgeBucketCache($a['bucket']),
            'purge_object_cache' => $c->purgeObjectCache($a['bucket'], $a['path']),
        };
    }

    /** Runs the case's operation with the PHP API; returns what it produced (or throws). */
    private function produce(array $case): array
    {
        $i = $case['input'];
        $opts = $i['options'] ?? [];
        switch ($case['op']) {
            case 'load_key':
                $s = Signer::fromPem($i['kid'], self::key($i['key']));
                return [
                    'bits' => $s->keyBits(),
                    'public_key_pem' => $s->publicKeyPem(),
                    'public_key_jwk' => json_decode($s->publicKeyJwk(), true),
                ];
            case 'sign':
                return ['token' => self::signer($i['signer'])->sign($i['uri'], $opts)];
            case 'signed_url':
                $s = self::signer($i['signer']);
                $a = $i['args'];
                return ['url' => match ($i['form']) {
                    'live' => $s->signedLiveUrl($a['playback_id'], $opts),
                    'live_custom_domain' => $s->signedLiveCustomDomainUrl($a['domain'], $a['playback_id'], $opts),
                    'storage' => $s->signedStorageUrl($a['bucket'], $a['region'], $a['key'], $opts),
                    'storage_custom_domain' => $s->signedStorageCustomDomainUrl($a['domain'], $a['key'], $opts),
                }];
            case 'url':
                $a = $i['args'];
                $t = $i['token'] ?? null;
                return ['url' => match ($i['form']) {
                    'live' => Urls::livePlaybackUrl($a['playback_id'], $t),
                    'live_custom_domain' => Urls::liveCustomDomainUrl($a['domain'], $a['playback_id'], $t),
                    'storage' => Urls::storageUrl($a['bucket'], $a['region'], $a['key'], $t),
                    'storage_custom_domain' => Urls::storageCustomDomainUrl($a['domain'], $a['key'], $t),
                }];
            case 'cookie':
                return ['set_cookie' => self::signer($i['signer'])->signedCookie($i['uri'], $opts + ($i['cookie'] ?? []))];
            case 'verify':
                $claims = self::verifier($i['verifier'])->verify($i['token'], $opts);
                return ['kid' => Token::decodeUnverified($i['token'])['header']['kid'] ?? null, 'claims' => $claims];
            case 'explain':
                return self::explanation(self::verifier($i['verifier'])->explain($i['url'], $opts));
            case 'explain_token':
                return self::explanation(self::verifier($i['verifier'])->explainToken($i['token'], $opts));
            case 'jwks':
                return ['jwks' => self::verifier($i['verifier'])->jwks()];
            case 'sign_many':
                $items = array_map(
                    static fn ($it) => array_key_exists('options', $it) ? [$it['uri'], $it['options']] : $it['uri'],
                    $i['items'],
                );
                $results = self::signer($i['signer'])->signMany($items, $i['threads'] ?? null);
                return self::batch(array_map(static fn ($r) => [$r->ok ? $r->token() : null, $r->error], $results));
            case 'cached_sign':
                // every request pins `now`: pinned-clock calls cached, as the README says
                $cached = self::signer($i['signer'])->cached($i['window'], $i['capacity'] ?? null, true);
                $results = [];
                foreach ($i['requests'] as $r) {
                    try {
                        $results[] = [$cached->sign($r['uri'], $r['options'] ?? []), null];
                    } catch (QencodeException $e) {
                        $results[] = [null, $e];
                    }
                }
                return self::batch($results) + ['cached_tokens' => $cached->cachedTokens()];
            case 'audit':
                return ['warnings' => array_map(static fn ($w) => $w->code, Token::audit($i['token'], $i['now']))];
            case 'decode':
                return Token::decodeUnverified($i['token']);
            case 'from_env':
                return self::withEnv($i['env'], static function () use ($i): array {
                    $s = array_key_exists('key_id', $i) ? Signer::fromEnv($i['key_id']) : Signer::fromEnv();
                    return ['kid' => $s->keyId(), 'bits' => $s->keyBits()];
                });
            case 'client_from_env':
                return self::withEnv($i['env'], static function (): array {
                    Client::fromEnv();
                    return ['ok' => true];
                });
            case 'client':
                $emu = Support::emulator();
                $emu->reset();
                foreach ($i['faults'] ?? [] as $fault) {
                    $emu->injectFault($fault['route'], $fault['kind'], array_diff_key($fault, ['route' => 1, 'kind' => 1]));
                }
                $client = $emu->client($i['options'] ?? []);
                foreach ($i['setup'] ?? [] as $step) {
                    self::clientCall($client, $step['call'], $step['args']);
                }
                $result = self::clientCall($client, $i['call'], $i['args']);
                return ['result' => json_decode(json_encode($result, JSON_THROW_ON_ERROR), true)];
            case 'stream_coverage':
                // the options array as a PHP user passes it (the core reads it)
                $report = Stream::coverage($i['manifest_url'], $i['manifest_text'], $opts);
                return [
                    'ok' => $report['ok'],
                    'format' => $report['format'],
                    'findings' => $report['findings'],
                    'requests' => array_map(
                        static fn (array $r): array => [$r['kind'], $r['carrier'], $r['covered'], $r['finding']],
                        $report['requests'],
                    ),
                ];
        }
        throw new \LogicException("{$case['name']}: the PHP runner has no operation `{$case['op']}`");
    }

    /**
     * Results as the cases write them: `tokens` (null for an error),
     * `errors` (null for a token), `exps` (each token's `exp`, or null).
     *
     * @param list<array{?string, ?QencodeException}> $results token or error, per request
     * @return array<string, list<mixed>>
     */
    private static function batch(array $results): array
    {
        $out = ['tokens' => [], 'errors' => [], 'exps' => []];
        foreach ($results as [$token, $error]) {
            $out['tokens'][] = $token;
            $out['errors'][] = $error?->errorCode;
            $out['exps'][] = $token === null ? null : (Token::decodeUnverified($token)['claims']['exp'] ?? null);
        }
        return $out;
    }

    /** Canonical JSON: object members sorted; 1, 1.0 and true all differ. */
    private static function canonical(mixed $v): string
    {
        $sort = static function (mixed $v) use (&$sort): mixed {
            if (!is_array($v)) {
                return $v;
            }
            $v = array_map($sort, $v);
            if (!array_is_list($v)) {
                ksort($v, SORT_STRING);
            }
            return $v;
        };
        return json_encode($sort($v), JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    /** Objects by their members (extra allowed), arrays element by element, else equal. */
    private static function contains(mixed $got, mixed $want): bool
    {
        if (is_array($want) && !array_is_list($want)) {
            if (!is_array($got)) {
                return false;
            }
            foreach ($want as $k => $w) {
                if (!array_key_exists($k, $got) || !self::contains($got[$k], $w)) {
                    return false;
                }
            }
            return true;
        }
        if (is_array($want)) {
            if (!is_array($got) || !array_is_list($got) || count($got) !== count($want)) {
                return false;
            }
            foreach ($want as $k => $w) {
                if (!self::contains($got[$k], $w)) {
                    return false;
                }
            }
            return true;
        }
        return self::canonical($got) === self::canonical($want);
    }

    private function checkError(array $want, QencodeException $e): void
    {
        $this->assertSame($want['error'], $e->errorCode, "expected error {$want['error']}, got {$e->errorCode}: {$e->getMessage()}");
        if (array_key_exists('status', $want)) {
            $this->assertSame($want['status'], $e->status, 'HTTP status');
        }
        if (array_key_exists('retry_after', $want)) {
            $got = $e instanceof RateLimitedException ? $e->retryAfter : null;
            $this->assertNotNull($got, 'retry_after');
            $this->assertEqualsWithDelta((float) $want['retry_after'], (float) $got, 0.0, 'retry_after');
        }
        if (array_key_exists('type_error', $want)) {
            $this->assertSame($want['type_error'], $e instanceof InvalidArgumentTypeException, 'type_error: ' . $e->getMessage());
        }
        foreach ($want['message_contains'] ?? [] as $text) {
            $this->assertStringContainsString($text, $e->getMessage());
        }
    }

    private function checkSuccess(array $want, array $got): void
    {
        foreach ($want as $key => $w) {
            if ($key === 'detail_contains') {
                foreach ($w as $check => $text) {
                    $this->assertStringContainsString($text, $got['details'][$check] ?? '', "detail of `$check`");
                }
            } elseif ($key === 'same') {
                // equal labels exactly where the tokens are equal
                foreach ($w as $a => $la) {
                    foreach ($w as $b => $lb) {
                        $this->assertSame($la === $lb, $got['tokens'][$a] === $got['tokens'][$b], "requests $a and $b: labels $la and $lb");
                    }
                }
            } elseif ($key === 'cached_at_most') {
                $this->assertLessThanOrEqual($w, $got['cached_tokens'], 'tokens in the cache');
            } elseif ($key === 'result') {
                $this->assertTrue(self::contains($got['result'], $w), 'result ' . self::canonical($got['result']) . ' does not contain ' . self::canonical($w));
            } else {
                $this->assertArrayHasKey($key, $got, "`$key` was not produced");
                $this->assertSame(self::canonical($w), self::canonical($got[$key]), "`$key`");
            }
        }
    }
}
