<?php

declare(strict_types=1);

/*
 * Issuance at scale from PHP, with the RSA-4096 key of bench_sign.php
 * (run by `bench/php/run.sh scale`):
 * - single: Signer::sign, one signature per call on the PHP thread;
 * - many: Signer::signMany of BATCH items on every core (one PHP call);
 * - cache_hit: a cached signer's sign of a uri already in the cache;
 * - external: Signer::external whose callable signs with openssl_sign (the
 *   key parsed once), next to openssl_sign alone: what the callback path
 *   (the FFI callback into PHP, the copies, the core's check of every
 *   signature with the public key) adds to the signer's own work;
 * - external_precomputed: a callable that returns a signature computed
 *   beforehand (the same input every time): the callback path alone;
 * - external_in_fiber: the same inside a Fiber (the callable then runs in a
 *   Fiber of its own).
 * Prints one line of name=value pairs (ns per token, best of ROUNDS).
 * Usage: php bench_scale.php KEY.pem ROUNDS BATCH
 */

require getenv('QCDN_AUTOLOAD') ?: __DIR__ . '/../../bindings-php/vendor/autoload.php';

use Qencode\Cdn\Signer;

[, $keyFile, $rounds, $batch] = $argv + [null, null, '5', '64'];
$rounds = (int) $rounds;
$batch = (int) $batch;
$pem = (string) file_get_contents((string) $keyFile);
$kid = 'ec25a6a6-b31e-4ac9-af01-711460421c6b';
$now = 1700000000;
$options = ['now' => $now];

$signer = Signer::fromPem($kid, $pem);
$key = openssl_pkey_get_private($pem);
$public = $signer->publicKeyPem();

/** Best ns per token over $rounds runs of $fn, which makes $count tokens. */
function best(callable $fn, int $rounds, int $count): float
{
    $fn();
    $best = INF;
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        $fn();
        $best = min($best, (hrtime(true) - $t) / $count);
    }
    return $best;
}

$uris = array_map(static fn ($i) => "videos/$i/", range(1, $batch));
$items = array_map(static fn ($u) => [$u, $options], $uris);

$single = best(static function () use ($signer, $uris, $options): void {
    foreach ($uris as $u) {
        $signer->sign($u, $options);
    }
}, $rounds, $batch);
$many = best(static function () use ($signer, $items): void {
    foreach ($signer->signMany($items) as $r) {
        $r->token();
    }
}, $rounds, $batch);

$cached = $signer->cached(300);
$cached->sign('videos/hot/');
$hits = 20000;
$cacheHit = best(static function () use ($cached, $hits): void {
    for ($i = 0; $i < $hits; $i++) {
        $cached->sign('videos/hot/');
    }
}, $rounds, $hits);

$opensslSign = static function (string $input) use ($key): string {
    openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
    return $signature;
};
$external = Signer::external($kid, $public, $opensslSign);
$externalNs = best(static function () use ($external, $uris, $options): void {
    foreach ($uris as $u) {
        $external->sign($u, $options);
    }
}, $rounds, $batch);
$input = $signer->prepare('videos/1/', $options)->signingInput;
$opensslNs = best(static function () use ($opensslSign, $input, $batch): void {
    for ($i = 0; $i < $batch; $i++) {
        $opensslSign($input);
    }
}, $rounds, $batch);

$signature = $opensslSign($input);
$precomputed = Signer::external($kid, $public, static fn (string $in): string => $signature);
$calls = 2000;
$precomputedNs = best(static function () use ($precomputed, $options, $calls): void {
    for ($i = 0; $i < $calls; $i++) {
        $precomputed->sign('videos/1/', $options);
    }
}, $rounds, $calls);
$inFiberNs = best(static function () use ($precomputed, $options, $calls): void {
    (new Fiber(static function () use ($precomputed, $options, $calls): void {
        for ($i = 0; $i < $calls; $i++) {
            $precomputed->sign('videos/1/', $options);
        }
    }))->start();
}, $rounds, $calls);

printf(
    "single_ns=%.0f many_ns=%.0f cache_hit_ns=%.0f external_ns=%.0f openssl_ns=%.0f external_precomputed_ns=%.0f external_in_fiber_ns=%.0f cores=%d\n",
    $single,
    $many,
    $cacheHit,
    $externalNs,
    $opensslNs,
    $precomputedNs,
    $inFiberNs,
    (int) trim((string) shell_exec('nproc')),
);
